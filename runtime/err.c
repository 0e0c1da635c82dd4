/* err.c - error texts and the thread's last-error record. */
#include "msgc_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static _Thread_local msgc_error last_error;

const char *
msgc_strerror(int err)
{
    switch (err) {
    case MSGC_OK:
        return "success";
#define ERR_TEXT(name, value, text)                                                           \
    case name:                                                                                 \
        return text;
        MSGC_ERR_MAP(ERR_TEXT)
#undef ERR_TEXT
    }
    return "unknown error";
}

const char *
msgc_errname(int err)
{
    switch (err) {
    case MSGC_OK:
        return "MSGC_OK";
#define ERR_NAME(name, value, text)                                                           \
    case name:                                                                                 \
        return #name;
        MSGC_ERR_MAP(ERR_NAME)
#undef ERR_NAME
    }
    return NULL;
}

const msgc_error *
msgc_last_error(void)
{
    return &last_error;
}

/* The mutable record, for the codec's path and offset bookkeeping. */
msgc_error *msgc__last_error_rw(void);

msgc_error *
msgc__last_error_rw(void)
{
    return &last_error;
}

static int record(int code, int sys_errno, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static int
record(int code, int sys_errno, const char *fmt, va_list ap)
{
    last_error.code = code;
    last_error.sys_errno = sys_errno;
    last_error.offset = 0;
    last_error.path[0] = '\0';
    last_error.detail[0] = '\0';
    if (fmt)
        vsnprintf(last_error.detail, sizeof last_error.detail, fmt, ap);
    return code;
}

int
msgc__fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(code, 0, fmt, ap);
    va_end(ap);
    return code;
}

int
msgc__fail_errno(int code, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(code, err, fmt, ap);
    va_end(ap);
    return code;
}

int
msgc__errno_to_err(int err)
{
    switch (err) {
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case ETIMEDOUT:
        return MSGC_ETIMEDOUT;
    case EPIPE:
    case ECONNRESET:
        return MSGC_ECLOSED;
    case EMSGSIZE:
        return MSGC_ETOOBIG;
    case EACCES:
    case EPERM:
        return MSGC_EPERM;
    case ENOENT:
        return MSGC_ENOENT;
    case EADDRINUSE:
        return MSGC_EADDRINUSE;
    case ENAMETOOLONG:
        return MSGC_ENAMETOOLONG;
    case ENOMEM:
        return MSGC_ENOMEM;
    default:
        return MSGC_ESYS;
    }
}

int
msgc__fail_sys(int err, const char *call, const char *arg)
{
    return msgc__fail_errno(msgc__errno_to_err(err), err, "%s%s%s: %s", call, arg ? " " : "",
                            arg ? arg : "", strerror(err));
}
