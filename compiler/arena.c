/* arena.c - bump allocation in chunks; nothing is freed before the whole arena. */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN ((size_t)64 * 1024)
#define ALIGN ((size_t)16)

typedef struct chunk {
    struct chunk *prev;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
} chunk;

struct mc_arena {
    chunk *top;
};

void
mc_panic_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "msgc: internal error at %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

mc_arena *
mc_arena_new(void)
{
    mc_arena *a = calloc(1, sizeof *a);
    if (!a)
        mc_panic("out of memory");
    return a;
}

void
mc_arena_free(mc_arena *a)
{
    if (!a)
        return;
    for (chunk *c = a->top, *prev; c; c = prev) {
        prev = c->prev;
        free(c);
    }
    free(a);
}

void *
mc_arena_alloc(mc_arena *a, size_t n)
{
    n = (n + ALIGN - 1) & ~(ALIGN - 1);
    if (n == 0)
        n = ALIGN;
    chunk *c = a->top;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
        c = malloc(sizeof *c + cap);
        if (!c)
            mc_panic("out of memory");
        c->prev = a->top;
        c->used = 0;
        c->cap = cap;
        a->top = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *
mc_arena_strndup(mc_arena *a, const char *s, size_t n)
{
    char *d = mc_arena_alloc(a, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *
mc_arena_strdup(mc_arena *a, const char *s)
{
    return mc_arena_strndup(a, s, strlen(s));
}

char *
mc_arena_vprintf(mc_arena *a, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        mc_panic("bad format");
    char *d = mc_arena_alloc(a, (size_t)n + 1);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    return d;
}

char *
mc_arena_printf(mc_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *d = mc_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return d;
}
