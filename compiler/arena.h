/* arena.h - one region for every AST node and string of a compilation, freed at once. */
#ifndef MC_ARENA_H
#define MC_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct mc_arena mc_arena;

mc_arena *mc_arena_new(void);
void mc_arena_free(mc_arena *a); /* NULL-safe */
/* Zeroed memory aligned for any type. Out of memory calls mc_panic. */
void *mc_arena_alloc(mc_arena *a, size_t n);
char *mc_arena_strdup(mc_arena *a, const char *s);
char *mc_arena_strndup(mc_arena *a, const char *s, size_t n);
char *mc_arena_printf(mc_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *mc_arena_vprintf(mc_arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Internal bugs and out of memory: prints "msgc: internal error at FILE:LINE: MSG" and
 * exits with status 2. */
#define mc_panic(...) mc_panic_at(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void mc_panic_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
