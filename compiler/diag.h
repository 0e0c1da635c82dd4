/* diag.h - located diagnostics in GCC style, with the source line and a caret.
 *
 *   schemas/sensor.msg:12:24: error: duplicate field number 3
 *       uint32 battery = 3;
 *                        ^
 *   schemas/sensor.msg:9:22: note: previous use of number 3 is here
 *       ...
 * After MC_DIAG_MAX_ERRORS errors, one "msgc: error: too many errors" line is emitted
 * and later errors (and their notes) are dropped.
 */
#ifndef MC_DIAG_H
#define MC_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "ast.h"

#define MC_DIAG_MAX_ERRORS 20

/* Receives one whole diagnostic: every line ends with '\n'. */
typedef void (*mc_diag_fn)(void *ctx, const char *text);

typedef struct mc_diag mc_diag;

mc_diag *mc_diag_new(mc_arena *a, mc_diag_fn fn, void *ctx);
/* Registers a file's text so diagnostics at its locations can quote the line. */
void mc_diag_add_source(mc_diag *d, const char *path, const char *text, size_t len);
void mc_diag_error(mc_diag *d, mc_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A note about the error just reported; dropped when that error was. */
void mc_diag_note(mc_diag *d, mc_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An error without a place ("msgc: error: cannot read x.msg: No such file"). It counts
 * as an I/O or usage error, which makes the exit status 2. */
void mc_diag_fatal(mc_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int mc_diag_errors(const mc_diag *d);     /* located errors so far */
bool mc_diag_had_fatal(const mc_diag *d); /* any mc_diag_fatal */

#endif
