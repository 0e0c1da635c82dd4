/* tmpl.c - the template engine: a view model of nested dictionaries, and a renderer that
 * first cuts the template into tokens (checking that sections balance) and then walks
 * them with an explicit stack of list frames, so its time is linear in the output. */
#include "tmpl.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl_builtin.h"

/* --- buffers --- */

static void
buf_reserve(mc_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1)
        mc_panic("out of memory");
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *data = realloc(b->data, cap);
    if (!data)
        mc_panic("out of memory");
    b->data = data;
    b->cap = cap;
}

void
mc_buf_put(mc_buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void
mc_buf_puts(mc_buf *b, const char *s)
{
    mc_buf_put(b, s, strlen(s));
}

void
mc_buf_printf(mc_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        mc_panic("bad format");
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void
mc_buf_free(mc_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* --- the view model --- */

typedef enum { VAL_STRING, VAL_BOOL, VAL_LIST } val_kind;

typedef struct entry {
    struct entry *next;
    const char *key;
    size_t key_len;
    val_kind kind;
    const char *str; /* VAL_STRING */
    size_t str_len;
    bool flag;             /* VAL_BOOL */
    mc_view *first, *last; /* VAL_LIST, linked through mc_view.next */
    size_t count;
} entry;

/* Entries are found by hash: a view holds some 50 names, looked up once per use in a
 * template, and a linear search made name lookups the compiler's largest cost. */
#define VIEW_BUCKETS 16

struct mc_view {
    mc_arena *arena;
    entry *buckets[VIEW_BUCKETS];
    mc_view *next; /* the following item of the list that holds this one */
};

static size_t
bucket_of(const char *key, size_t key_len)
{
    size_t h = key_len;
    for (size_t i = 0; i < key_len; i++)
        h = h * 31 + (unsigned char)key[i];
    return h % VIEW_BUCKETS;
}

mc_view *
mc_view_new(mc_arena *a)
{
    mc_view *v = mc_arena_alloc(a, sizeof *v);
    v->arena = a;
    return v;
}

/* The entry for key in bucket b (bucket_of(key, key_len)), or NULL. */
static entry *
find_in_bucket(const mc_view *v, size_t b, const char *key, size_t key_len)
{
    for (entry *e = v->buckets[b]; e; e = e->next)
        if (e->key_len == key_len && memcmp(e->key, key, key_len) == 0)
            return e;
    return NULL;
}

static entry *
find_entry(const mc_view *v, const char *key, size_t key_len)
{
    return find_in_bucket(v, bucket_of(key, key_len), key, key_len);
}

/* The entry for key, created (with no value) when missing. Setting a key again replaces
 * its value whatever its kind was. */
static entry *
get_entry(mc_view *v, const char *key)
{
    size_t key_len = strlen(key);
    entry *e = find_entry(v, key, key_len);
    if (e)
        return e;
    e = mc_arena_alloc(v->arena, sizeof *e);
    e->key = mc_arena_strndup(v->arena, key, key_len);
    e->key_len = key_len;
    entry **head = &v->buckets[bucket_of(key, key_len)];
    e->next = *head;
    *head = e;
    return e;
}

static void
set_string(mc_view *v, const char *key, const char *copied)
{
    entry *e = get_entry(v, key);
    e->kind = VAL_STRING;
    e->str = copied;
    e->str_len = strlen(copied);
}

void
mc_view_set(mc_view *v, const char *key, const char *value)
{
    set_string(v, key, mc_arena_strdup(v->arena, value));
}

void
mc_view_setf(mc_view *v, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = mc_arena_vprintf(v->arena, fmt, ap);
    va_end(ap);
    set_string(v, key, s);
}

void
mc_view_set_bool(mc_view *v, const char *key, bool value)
{
    entry *e = get_entry(v, key);
    e->kind = VAL_BOOL;
    e->flag = value;
}

/* The list entry for key: created empty when missing, left alone when already a list. */
static entry *
get_list(mc_view *v, const char *key)
{
    entry *e = find_entry(v, key, strlen(key));
    if (e && e->kind == VAL_LIST)
        return e;
    if (e)
        mc_panic("view key '%s' is set and is not a list", key);
    e = get_entry(v, key);
    e->kind = VAL_LIST;
    return e;
}

mc_view *
mc_view_add(mc_view *v, const char *key)
{
    entry *e = get_list(v, key);
    mc_view *item = mc_view_new(v->arena);
    if (e->last)
        e->last->next = item;
    else
        e->first = item;
    e->last = item;
    e->count++;
    return item;
}

void
mc_view_set_list(mc_view *v, const char *key)
{
    get_list(v, key);
}

/* --- tokens --- */

typedef enum {
    TOK_TEXT,   /* text, copied as is */
    TOK_VAR,    /* {{name}} */
    TOK_LIST,   /* {{#name}} */
    TOK_IF,     /* {{?name}} */
    TOK_UNLESS, /* {{^name}} */
    TOK_CLOSE,  /* {{/name}} */
} tok_kind;

typedef struct token {
    tok_kind kind;
    const char *s; /* the text, or the name */
    size_t len;
    int line;
    size_t match; /* sections: the index of the other end (open <-> close) */
} token;

typedef struct renderer {
    const char *name; /* the template's, for errors */
    char *err;
    size_t errlen;
    token *toks;
    size_t n_toks, cap_toks;
    size_t *opens; /* parsing: the indexes of the open sections, innermost last */
    size_t n_opens, cap_opens;
} renderer;

static void fail(renderer *r, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Writes "name:line: what" into r->err (cut to fit). */
static void
fail(renderer *r, int line, const char *fmt, ...)
{
    if (!r->err || r->errlen == 0)
        return;
    int n = snprintf(r->err, r->errlen, "%s:%d: ", r->name, line);
    if (n < 0 || (size_t)n >= r->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

/* Grows *p (an array of *cap elements of size each) so it holds one more than n. */
static void *
grow(void *p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return p;
    size_t new_cap = *cap ? *cap * 2 : 16;
    if (new_cap > SIZE_MAX / size)
        mc_panic("out of memory");
    p = realloc(p, new_cap * size);
    if (!p)
        mc_panic("out of memory");
    *cap = new_cap;
    return p;
}

static size_t
push_token(renderer *r, tok_kind kind, const char *s, size_t len, int line)
{
    r->toks = grow(r->toks, &r->cap_toks, r->n_toks, sizeof *r->toks);
    r->toks[r->n_toks] = (token){.kind = kind, .s = s, .len = len, .line = line};
    return r->n_toks++;
}

static int
count_lines(const char *s, size_t n)
{
    int lines = 0;
    for (const char *end = s + n; (s = memchr(s, '\n', (size_t)(end - s))) != NULL; s++)
        lines++;
    return lines;
}

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool
is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

/* A name is an identifier, or '@' and an identifier. */
static bool
valid_name(const char *s, size_t n)
{
    size_t i = n > 0 && s[0] == '@' ? 1 : 0;
    if (i >= n || !is_name_start(s[i]))
        return false;
    for (i++; i < n; i++)
        if (!is_name_char(s[i]))
            return false;
    return true;
}

static const char *
open_sigil(tok_kind kind)
{
    return kind == TOK_LIST ? "#" : kind == TOK_IF ? "?" : "^";
}

/* The tag's kind from its first character; comments are TOK_TEXT (and make nothing). */
static tok_kind
tag_kind(char c, bool *comment)
{
    *comment = c == '!';
    switch (c) {
    case '#':
        return TOK_LIST;
    case '?':
        return TOK_IF;
    case '^':
        return TOK_UNLESS;
    case '/':
        return TOK_CLOSE;
    default:
        return *comment ? TOK_TEXT : TOK_VAR;
    }
}

/* Pairs a close tag with the innermost open section. */
static int
close_section(renderer *r, size_t close)
{
    token *c = &r->toks[close];
    if (r->n_opens == 0) {
        fail(r, c->line, "'{{/%.*s}}' without an open section", (int)c->len, c->s);
        return -1;
    }
    size_t open = r->opens[--r->n_opens];
    token *o = &r->toks[open];
    if (o->len != c->len || memcmp(o->s, c->s, c->len) != 0) {
        fail(r, c->line, "'{{/%.*s}}' does not match '{{%s%.*s}}' from line %d", (int)c->len, c->s,
             open_sigil(o->kind), (int)o->len, o->s, o->line);
        return -1;
    }
    o->match = close;
    c->match = open;
    return 0;
}

/* Adds the token of one tag whose content (between the braces) is s[0..n). */
static int
add_tag(renderer *r, const char *s, size_t n, int line)
{
    bool comment;
    tok_kind kind = n > 0 ? tag_kind(s[0], &comment) : TOK_VAR;
    if (n > 0 && kind != TOK_VAR) {
        if (comment)
            return 0;
        s++, n--;
    }
    while (n > 0 && is_blank(s[0]))
        s++, n--;
    while (n > 0 && is_blank(s[n - 1]))
        n--;
    if (n == 0) {
        fail(r, line, "empty tag");
        return -1;
    }
    if (!valid_name(s, n)) {
        fail(r, line, "bad name '%.*s'", (int)n, s);
        return -1;
    }
    size_t i = push_token(r, kind, s, n, line);
    if (kind == TOK_CLOSE)
        return close_section(r, i);
    if (kind != TOK_VAR) {
        r->opens = grow(r->opens, &r->cap_opens, r->n_opens, sizeof *r->opens);
        r->opens[r->n_opens++] = i;
    }
    return 0;
}

/* The end of the tag opened at s (just past its "}}"), or NULL when it is not closed:
 * comments may span lines, other tags may not. */
static const char *
tag_end(const char *s, const char *end)
{
    bool comment = s + 2 < end && s[2] == '!';
    for (const char *p = s + 2; p + 1 < end; p++) {
        if (p[0] == '}' && p[1] == '}')
            return p + 2;
        if (p[0] == '\n' && !comment)
            return NULL;
    }
    return NULL;
}

/* When the tag s[0..e) stands alone on its line, returns where its line starts and sets
 * *next past the line's end; otherwise returns NULL. */
static const char *
standalone(const char *text, const char *end, const char *s, const char *e, const char **next)
{
    char c = s[2];
    if (c != '#' && c != '?' && c != '^' && c != '/' && c != '!')
        return NULL;
    const char *begin = s;
    while (begin > text && is_blank(begin[-1]))
        begin--;
    if (begin > text && begin[-1] != '\n')
        return NULL;
    const char *p = e;
    while (p < end && is_blank(*p))
        p++;
    if (p < end && *p == '\r' && p + 1 < end && p[1] == '\n')
        p++;
    if (p < end && *p != '\n')
        return NULL;
    *next = p < end ? p + 1 : p;
    return begin;
}

/* The first "{{" in [p, end), or NULL. The search stops at end, so cutting a template
 * into tokens stays linear in its length (strstr may measure the whole rest of the
 * string on every call). */
static const char *
find_open(const char *p, const char *end)
{
    while (p < end && (p = memchr(p, '{', (size_t)(end - p))) != NULL) {
        if (p + 1 < end && p[1] == '{')
            return p;
        p++;
    }
    return NULL;
}

/* Cuts text into r->toks, with every section matched. */
static int
tokenize(renderer *r, const char *text)
{
    const char *end = text + strlen(text);
    const char *p = text;
    int line = 1;
    while (p < end) {
        const char *s = find_open(p, end);
        if (!s) {
            push_token(r, TOK_TEXT, p, (size_t)(end - p), line);
            break;
        }
        const char *e = tag_end(s, end);
        if (!e) {
            fail(r, line + count_lines(p, (size_t)(s - p)), "unterminated tag");
            return -1;
        }
        const char *next = e;
        const char *text_end = standalone(text, end, s, e, &next);
        if (!text_end)
            text_end = s;
        if (text_end > p)
            push_token(r, TOK_TEXT, p, (size_t)(text_end - p), line);
        line += count_lines(p, (size_t)(s - p));
        if (add_tag(r, s + 2, (size_t)(e - 2 - (s + 2)), line) != 0)
            return -1;
        line += count_lines(s, (size_t)(next - s));
        p = next;
    }
    if (r->n_opens > 0) {
        token *o = &r->toks[r->opens[r->n_opens - 1]];
        fail(r, o->line, "'{{%s%.*s}}' is not closed", open_sigil(o->kind), (int)o->len, o->s);
        return -1;
    }
    return 0;
}

/* --- rendering --- */

/* The item a list body is being rendered for; the root is frame 0 (count 0). */
typedef struct frame {
    const mc_view *item;
    size_t index, count;
} frame;

/* A looked-up value; @index's digits live in num. */
typedef struct value {
    val_kind kind;
    const char *str;
    size_t str_len;
    bool flag;
    const mc_view *first;
    size_t count;
    char num[24];
} value;

static bool
name_is(const token *t, const char *name)
{
    return t->len == strlen(name) && memcmp(t->s, name, t->len) == 0;
}

/* @first, @last and @index, which describe the innermost list item. */
static int
lookup_special(renderer *r, const token *t, const frame *top, value *v)
{
    bool first = name_is(t, "@first"), last = name_is(t, "@last"), index = name_is(t, "@index");
    if (!first && !last && !index) {
        fail(r, t->line, "unknown name '%.*s'", (int)t->len, t->s);
        return -1;
    }
    if (top->count == 0) {
        fail(r, t->line, "'%.*s' outside a list", (int)t->len, t->s);
        return -1;
    }
    if (index) {
        v->kind = VAL_STRING;
        v->str_len = (size_t)snprintf(v->num, sizeof v->num, "%zu", top->index);
        v->str = v->num;
    } else {
        v->kind = VAL_BOOL;
        v->flag = first ? top->index == 0 : top->index + 1 == top->count;
    }
    return 0;
}

/* Finds t's name in the current item, then in each enclosing one out to the root. */
static int
lookup(renderer *r, const token *t, const frame *frames, size_t depth, value *v)
{
    if (t->s[0] == '@')
        return lookup_special(r, t, &frames[depth - 1], v);
    size_t b = bucket_of(t->s, t->len);
    for (size_t d = depth; d-- > 0;) {
        const entry *e = find_in_bucket(frames[d].item, b, t->s, t->len);
        if (e) {
            *v = (value){.kind = e->kind,
                         .str = e->str,
                         .str_len = e->str_len,
                         .flag = e->flag,
                         .first = e->first,
                         .count = e->count};
            return 0;
        }
    }
    fail(r, t->line, "unknown name '%.*s'", (int)t->len, t->s);
    return -1;
}

static bool
truth(const value *v)
{
    switch (v->kind) {
    case VAL_STRING:
        return v->str_len > 0;
    case VAL_BOOL:
        return v->flag;
    case VAL_LIST:
        return v->count > 0;
    }
    return false;
}

typedef struct walk {
    frame *frames;
    size_t depth, cap;
} walk;

/* A close tag: a list moves on to its next item (back to the body's start) or ends. */
static size_t
close_tag(const renderer *r, walk *w, size_t pc)
{
    const token *t = &r->toks[pc];
    if (r->toks[t->match].kind != TOK_LIST)
        return pc + 1;
    frame *top = &w->frames[w->depth - 1];
    top->item = top->item->next;
    if (top->item) {
        top->index++;
        return t->match + 1;
    }
    w->depth--;
    return pc + 1;
}

/* An open tag whose value is v: enters its body, or skips past its close tag. */
static int
open_tag(renderer *r, walk *w, size_t *pc, const value *v)
{
    const token *t = &r->toks[*pc];
    bool enter;
    if (t->kind == TOK_LIST) {
        if (v->kind != VAL_LIST) {
            fail(r, t->line, "'%.*s' is not a list", (int)t->len, t->s);
            return -1;
        }
        enter = v->count > 0;
        if (enter) {
            w->frames = grow(w->frames, &w->cap, w->depth, sizeof *w->frames);
            w->frames[w->depth++] = (frame){.item = v->first, .index = 0, .count = v->count};
        }
    } else {
        enter = truth(v) == (t->kind == TOK_IF);
    }
    *pc = enter ? *pc + 1 : t->match + 1;
    return 0;
}

/* Runs one token; *pc becomes the index of the next one to run. */
static int
step(renderer *r, walk *w, size_t *pc, mc_buf *out)
{
    const token *t = &r->toks[*pc];
    value v;
    if (t->kind == TOK_TEXT) {
        mc_buf_put(out, t->s, t->len);
        (*pc)++;
        return 0;
    }
    if (t->kind == TOK_CLOSE) {
        *pc = close_tag(r, w, *pc);
        return 0;
    }
    if (lookup(r, t, w->frames, w->depth, &v) != 0)
        return -1;
    if (t->kind != TOK_VAR)
        return open_tag(r, w, pc, &v);
    if (v.kind != VAL_STRING) {
        fail(r, t->line, "'%.*s' is not a string", (int)t->len, t->s);
        return -1;
    }
    mc_buf_put(out, v.str, v.str_len);
    (*pc)++;
    return 0;
}

static int
run(renderer *r, const mc_view *root, mc_buf *out)
{
    walk w = {0};
    w.frames = grow(NULL, &w.cap, 0, sizeof *w.frames);
    w.frames[w.depth++] = (frame){.item = root};
    int rc = 0;
    for (size_t pc = 0; pc < r->n_toks && rc == 0;)
        rc = step(r, &w, &pc, out);
    free(w.frames);
    return rc;
}

int
mc_tmpl_render(const char *name, const char *text, const mc_view *root, mc_buf *out, char *err,
               size_t errlen)
{
    renderer r = {.name = name ? name : "template", .err = err, .errlen = errlen};
    size_t start = out->len;
    mc_buf_put(out, "", 0); /* so out->data is a string even when nothing is rendered */
    if (err && errlen > 0)
        err[0] = '\0';
    int rc = tokenize(&r, text);
    if (rc == 0)
        rc = run(&r, root, out);
    free(r.toks);
    free(r.opens);
    if (rc != 0) {
        out->len = start;
        out->data[start] = '\0';
    }
    return rc;
}

/* --- built-in templates --- */

const char *
mc_builtin_template_find(const char *name, size_t *len)
{
    for (size_t i = 0; i < mc_n_builtin_templates; i++) {
        if (strcmp(mc_builtin_templates[i].name, name) == 0) {
            if (len)
                *len = mc_builtin_templates[i].len;
            return mc_builtin_templates[i].text;
        }
    }
    return NULL;
}
