/* msgc_internal.h - what the runtime's modules share and nothing outside libmsgc sees. */
#ifndef MSGC_INTERNAL_H
#define MSGC_INTERNAL_H

#include "msgc.h"

#include <stdarg.h>

/* --- error records (err.c) --- */

/* Records code and a detail text (printf format, may be NULL) as the thread's last error,
 * clearing errno, offset and path, and returns code. */
int msgc__fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* As msgc__fail, keeping sys_errno = err. */
int msgc__fail_errno(int code, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Maps an errno value from a failed system call to an msgc error, records it with the
 * name of the call ("mq_open /q: No such file or directory") and returns the code.
 * EAGAIN/EWOULDBLOCK/ETIMEDOUT -> MSGC_ETIMEDOUT, EPIPE/ECONNRESET -> MSGC_ECLOSED,
 * EMSGSIZE -> MSGC_ETOOBIG, EACCES/EPERM -> MSGC_EPERM, ENOENT -> MSGC_ENOENT,
 * EADDRINUSE -> MSGC_EADDRINUSE, ENAMETOOLONG -> MSGC_ENAMETOOLONG, ENOMEM -> MSGC_ENOMEM,
 * anything else -> MSGC_ESYS. */
int msgc__fail_sys(int err, const char *call, const char *arg);
int msgc__errno_to_err(int err);

#endif
