/* diag.c - GCC-style diagnostics: "FILE:LINE:COL: error: TEXT", the source line and a
 * caret under the column. Owns the line maps of the registered sources. */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct source {
    const char *path;
    const char *text;
    size_t len;
    size_t *line_start; /* built on first use */
    size_t n_lines;
    struct source *next;
} source;

struct mc_diag {
    mc_arena *arena;
    mc_diag_fn fn;
    void *ctx;
    source *sources;
    int errors;
    bool fatal;
    bool dropping; /* the last error was dropped, so are its notes */
    bool said_too_many;
};

/* A growable text for one diagnostic. */
typedef struct text {
    char *data;
    size_t len, cap;
} text;

static void
text_reserve(text *t, size_t more)
{
    if (t->cap - t->len > more)
        return;
    size_t cap = t->cap ? t->cap : 128;
    while (cap - t->len <= more)
        cap *= 2;
    char *d = realloc(t->data, cap);
    if (!d)
        mc_panic("out of memory");
    t->data = d;
    t->cap = cap;
}

static void
text_putc(text *t, char c)
{
    text_reserve(t, 1);
    t->data[t->len++] = c;
    t->data[t->len] = '\0';
}

static void text_vprintf(text *t, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static void text_printf(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(mc_diag *d, mc_loc loc, const char *kind, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static void
text_vprintf(text *t, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        mc_panic("bad format");
    text_reserve(t, (size_t)n);
    vsnprintf(t->data + t->len, (size_t)n + 1, fmt, ap);
    t->len += (size_t)n;
}

static void
text_printf(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    text_vprintf(t, fmt, ap);
    va_end(ap);
}

static void
emit(mc_diag *d, text *t)
{
    if (d->fn)
        d->fn(d->ctx, t->data);
    else
        fputs(t->data, stderr);
    free(t->data);
}

mc_diag *
mc_diag_new(mc_arena *a, mc_diag_fn fn, void *ctx)
{
    mc_diag *d = mc_arena_alloc(a, sizeof *d);
    d->arena = a;
    d->fn = fn;
    d->ctx = ctx;
    return d;
}

void
mc_diag_add_source(mc_diag *d, const char *path, const char *src, size_t len)
{
    source *s = mc_arena_alloc(d->arena, sizeof *s);
    s->path = path;
    s->text = src;
    s->len = len;
    s->next = d->sources;
    d->sources = s;
}

static void
build_line_map(mc_diag *d, source *s)
{
    size_t n = 1;
    for (size_t i = 0; i < s->len; i++)
        n += s->text[i] == '\n';
    s->line_start = mc_arena_alloc(d->arena, n * sizeof *s->line_start);
    s->line_start[0] = 0;
    s->n_lines = 1;
    for (size_t i = 0; i < s->len; i++)
        if (s->text[i] == '\n')
            s->line_start[s->n_lines++] = i + 1;
}

static source *
find_source(mc_diag *d, const char *path)
{
    for (source *s = d->sources; s; s = s->next)
        if (strcmp(s->path, path) == 0)
            return s;
    return NULL;
}

/* The source line, control bytes shown as blanks (a NUL must not end the text), and a
 * caret under the column: tabs are repeated so the caret lines up, and a UTF-8
 * character takes one place. */
static void
quote_line(mc_diag *d, text *t, mc_loc loc)
{
    source *s = find_source(d, loc.file);
    if (!s || loc.line < 1 || loc.col < 1)
        return;
    if (!s->line_start)
        build_line_map(d, s);
    if ((size_t)loc.line > s->n_lines)
        return;
    size_t start = s->line_start[loc.line - 1];
    if (start == s->len)
        return; /* the empty line after the last newline */
    size_t end = start;
    while (end < s->len && s->text[end] != '\n')
        end++;
    if (end > start && s->text[end - 1] == '\r')
        end--;
    for (size_t i = start; i < end; i++) {
        unsigned char c = (unsigned char)s->text[i];
        text_putc(t, (c < 0x20 && c != '\t') || c == 0x7f ? ' ' : (char)c);
    }
    text_putc(t, '\n');
    size_t col = (size_t)loc.col - 1;
    for (size_t i = 0; i < col; i++) {
        unsigned char c = start + i < end ? (unsigned char)s->text[start + i] : ' ';
        if (c == '\t')
            text_putc(t, '\t');
        else if (c < 0x80 || c >= 0xc0)
            text_putc(t, ' ');
    }
    text_putc(t, '^');
    text_putc(t, '\n');
}

static void
report(mc_diag *d, mc_loc loc, const char *kind, const char *fmt, va_list ap)
{
    text t = {0};
    if (loc.file)
        text_printf(&t, "%s:%d:%d: %s: ", loc.file, loc.line, loc.col, kind);
    else
        text_printf(&t, "msgc: %s: ", kind);
    text_vprintf(&t, fmt, ap);
    text_putc(&t, '\n');
    if (loc.file)
        quote_line(d, &t, loc);
    emit(d, &t);
}

void
mc_diag_error(mc_diag *d, mc_loc loc, const char *fmt, ...)
{
    d->errors++;
    if (d->errors > MC_DIAG_MAX_ERRORS) {
        d->dropping = true;
        if (!d->said_too_many) {
            d->said_too_many = true;
            text t = {0};
            text_printf(&t, "msgc: error: too many errors\n");
            emit(d, &t);
        }
        return;
    }
    d->dropping = false;
    va_list ap;
    va_start(ap, fmt);
    report(d, loc, "error", fmt, ap);
    va_end(ap);
}

void
mc_diag_note(mc_diag *d, mc_loc loc, const char *fmt, ...)
{
    if (d->dropping)
        return;
    va_list ap;
    va_start(ap, fmt);
    report(d, loc, "note", fmt, ap);
    va_end(ap);
}

void
mc_diag_fatal(mc_diag *d, const char *fmt, ...)
{
    d->fatal = true;
    text t = {0};
    text_printf(&t, "msgc: error: ");
    va_list ap;
    va_start(ap, fmt);
    text_vprintf(&t, fmt, ap);
    va_end(ap);
    text_putc(&t, '\n');
    emit(d, &t);
}

int
mc_diag_errors(const mc_diag *d)
{
    return d->errors;
}

bool
mc_diag_had_fatal(const mc_diag *d)
{
    return d->fatal;
}
