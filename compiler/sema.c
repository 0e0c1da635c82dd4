/* sema.c - name resolution and the checks of SPEC section 1 (see sema.h).
 *
 * Four passes over the program: declare (names, the symbol table, duplicates), check
 * (field numbers, reserved, labels, types, bounds, enums, services), the message graph
 * (inline cycles, MAX_SIZE) and the C identifiers each declaration generates. The
 * diagnostics are collected, then sorted by position and emitted at the end.
 */
#include "sema.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mc.h"
#include "names.h"

/* --- growable arrays and hash maps --- */

typedef struct vec {
    void **items;
    size_t n, cap;
} vec;

static void
vec_push(vec *v, void *item)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        void **items = realloc(v->items, cap * sizeof *items);
        if (!items)
            mc_panic("out of memory");
        v->items = items;
        v->cap = cap;
    }
    v->items[v->n++] = item;
}

static void
vec_free(vec *v)
{
    free(v->items);
    v->items = NULL;
    v->n = v->cap = 0;
}

/* Open addressing, keyed by strings (by content) or by pointers (by address). */
typedef struct map_slot {
    const void *key;
    void *val;
} map_slot;

typedef struct map {
    bool strings;
    map_slot *slots;
    size_t n, cap;
} map;

static uint64_t
map_hash(const map *m, const void *key)
{
    uint64_t h = 1469598103934665603u;
    if (m->strings) {
        for (const unsigned char *c = key; *c; c++)
            h = (h ^ *c) * 1099511628211u;
    } else {
        h = (uint64_t)(uintptr_t)key * 0x9e3779b97f4a7c15u;
        h ^= h >> 29;
    }
    return h;
}

static map_slot *
map_slot_of(const map *m, const void *key)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)map_hash(m, key) & mask;; i = (i + 1) & mask) {
        map_slot *s = &m->slots[i];
        if (!s->key)
            return s;
        if (m->strings ? strcmp(s->key, key) == 0 : s->key == key)
            return s;
    }
}

static void *
map_get(const map *m, const void *key)
{
    if (!m->cap)
        return NULL;
    return map_slot_of(m, key)->val;
}

static void
map_put(map *m, const void *key, void *val)
{
    if ((m->n + 1) * 2 > m->cap) {
        map old = *m;
        m->cap = old.cap ? old.cap * 2 : 64;
        m->slots = calloc(m->cap, sizeof *m->slots);
        if (!m->slots)
            mc_panic("out of memory");
        m->n = 0;
        for (size_t i = 0; i < old.cap; i++) {
            if (old.slots[i].key)
                map_put(m, old.slots[i].key, old.slots[i].val);
        }
        free(old.slots);
    }
    map_slot *s = map_slot_of(m, key);
    if (!s->key)
        m->n++;
    s->key = key;
    s->val = val;
}

static void
map_free(map *m)
{
    free(m->slots);
    m->slots = NULL;
    m->n = m->cap = 0;
}

/* --- the state of one check --- */

typedef enum sym_kind {
    SYM_PACKAGE,
    SYM_MESSAGE,
    SYM_ENUM,
    SYM_ENUM_VALUE,
    SYM_CONST,
    SYM_SERVICE,
    SYM_METHOD,
    SYM_FIELD,
    SYM_ONEOF
} sym_kind;

/* A declared name. Each scope (the root, a package, a message, a service) keeps its
 * members by simple name, so a lookup walks scopes without building strings. */
typedef struct decl {
    const char *full; /* "p.M.f"; enum values are siblings of their enum: "p.V" */
    const char *name;
    sym_kind kind;
    mc_loc loc;
    mc_file *file;
    const char *scope_desc; /* "package 'p'", "message 'p.M'"; NULL at the top level */
    void *node;
    struct decl *scope;  /* the scope it is a member of; NULL for the root */
    struct decl *parent; /* the declaration it is written inside of, if any */
    struct decl *same;   /* a package declared again: the first declaration */
    map members;         /* name -> decl, when it is a scope */
    bool shadowed;       /* a duplicate, or inside one: reported no further */
    size_t seq;
} decl;

typedef struct note {
    mc_loc loc;
    const char *text;
    struct note *next;
} note;

typedef struct pending {
    mc_loc loc;
    const char *text;
    note *notes, *last;
    size_t seq;
} pending;

typedef struct sema {
    mc_program *prog;
    mc_arena *a;
    map files;   /* path -> file index + 1 */
    decl root;   /* the scope of files without a package */
    map decl_of; /* mc_message * and mc_service * -> decl */
    vec decls;   /* every decl, for the sorted insertion */
    vec diags;   /* pending */
    vec msgs;    /* every message, files in load order, each message before its nested */
    map msg_ids; /* mc_message * -> index + 1 in msgs */
    map refused; /* owners already refused for a generated name: owner -> itself */
    size_t seq;
} sema;

/* --- diagnostics, sorted by position before they are emitted --- */

static size_t
file_index(const sema *s, const char *path)
{
    uintptr_t i = path ? (uintptr_t)map_get(&s->files, path) : 0;
    return i ? (size_t)i - 1 : SIZE_MAX;
}

static int
compare_pos(const sema *s, mc_loc a, size_t seq_a, mc_loc b, size_t seq_b)
{
    size_t fa = file_index(s, a.file), fb = file_index(s, b.file);
    if (fa != fb)
        return fa < fb ? -1 : 1;
    if (a.line != b.line)
        return a.line < b.line ? -1 : 1;
    if (a.col != b.col)
        return a.col < b.col ? -1 : 1;
    if (seq_a != seq_b)
        return seq_a < seq_b ? -1 : 1;
    return 0;
}

static pending *error_at(sema *s, mc_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static pending *
error_at(sema *s, mc_loc loc, const char *fmt, ...)
{
    pending *p = mc_arena_alloc(s->a, sizeof *p);
    va_list ap;
    va_start(ap, fmt);
    p->text = mc_arena_vprintf(s->a, fmt, ap);
    va_end(ap);
    p->loc = loc;
    p->seq = s->seq++;
    vec_push(&s->diags, p);
    return p;
}

static void note_at(sema *s, pending *p, mc_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void
note_at(sema *s, pending *p, mc_loc loc, const char *fmt, ...)
{
    note *n = mc_arena_alloc(s->a, sizeof *n);
    va_list ap;
    va_start(ap, fmt);
    n->text = mc_arena_vprintf(s->a, fmt, ap);
    va_end(ap);
    n->loc = loc;
    if (p->last)
        p->last->next = n;
    else
        p->notes = n;
    p->last = n;
}

/* qsort has no context argument; sorting happens on one thread at a time. */
static const sema *sort_ctx;

static int
compare_pending(const void *a, const void *b)
{
    const pending *x = *(pending *const *)a, *y = *(pending *const *)b;
    return compare_pos(sort_ctx, x->loc, x->seq, y->loc, y->seq);
}

static void
emit_diags(sema *s, mc_diag *d)
{
    sort_ctx = s;
    if (s->diags.n)
        qsort(s->diags.items, s->diags.n, sizeof *s->diags.items, compare_pending);
    for (size_t i = 0; i < s->diags.n; i++) {
        pending *p = s->diags.items[i];
        mc_diag_error(d, p->loc, "%s", p->text);
        for (note *n = p->notes; n; n = n->next)
            mc_diag_note(d, n->loc, "%s", n->text);
    }
}

/* --- small helpers --- */

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *
join(sema *s, const char *scope, const char *name)
{
    if (!scope || !*scope)
        return name;
    return mc_arena_printf(s->a, "%s.%s", scope, name);
}

static const char *
range_text(sema *s, int64_t lo, int64_t hi)
{
    if (lo == hi)
        return mc_arena_printf(s->a, "%lld", (long long)lo);
    return mc_arena_printf(s->a, "%lld to %lld", (long long)lo, (long long)hi);
}

/* The name of a message inside its package: "Outer.Inner". */
static const char *
local_name(const mc_message *m)
{
    const char *pkg = m->file ? m->file->package : NULL;
    size_t n = pkg ? strlen(pkg) : 0;
    if (n && strncmp(m->full_name, pkg, n) == 0 && m->full_name[n] == '.')
        return m->full_name + n + 1;
    return m->full_name;
}

bool
mc_field_has_flag(const mc_field *f)
{
    if (f->oneof || f->label == MC_L_REPEATED)
        return false;
    if (f->kind == MC_T_MESSAGE)
        return f->label != MC_L_OPTIONAL;
    return f->label == MC_L_OPTIONAL;
}

bool
mc_field_is_inline_message(const mc_field *f)
{
    if (f->kind != MC_T_MESSAGE)
        return false;
    if (f->label == MC_L_REPEATED)
        return f->max.set;
    return f->label != MC_L_OPTIONAL;
}

/* --- pass 1: declarations and the symbol table --- */

static decl *
add_decl(sema *s, decl *parent, decl *scope, sym_kind kind, const char *name, mc_loc loc,
         mc_file *f, void *node)
{
    decl *d = mc_arena_alloc(s->a, sizeof *d);
    d->full = join(s, scope->full, name);
    d->name = name;
    d->kind = kind;
    d->loc = loc;
    d->file = f;
    if (scope->kind == SYM_PACKAGE && scope != &s->root)
        d->scope_desc = mc_arena_printf(s->a, "package '%s'", scope->full);
    else if (scope->kind == SYM_MESSAGE)
        d->scope_desc = mc_arena_printf(s->a, "message '%s'", scope->full);
    else if (scope->kind == SYM_SERVICE)
        d->scope_desc = mc_arena_printf(s->a, "service '%s'", scope->full);
    d->node = node;
    d->scope = scope;
    d->parent = parent;
    d->members.strings = true;
    d->seq = s->seq++;
    if (node)
        map_put(&s->decl_of, node, d);
    vec_push(&s->decls, d);
    return d;
}

/* The enclosing message of a declaration inside parent, or NULL at file level. */
static mc_message *
parent_message(const decl *parent)
{
    return parent && parent->kind == SYM_MESSAGE ? parent->node : NULL;
}

static const char *
type_c_name(sema *s, const mc_message *parent, const char *prefix, const char *name)
{
    if (parent)
        return mc_c_join(s->a, parent->c_name, name);
    return mc_c_ident(s->a, mc_arena_printf(s->a, "%s%s", prefix, name));
}

/* Enum values are members of the enum's scope, as in protobuf. */
static void
declare_enum(sema *s, decl *parent, decl *scope, mc_enum *e, const char *prefix, mc_file *f)
{
    e->file = f;
    if (!e->parent)
        e->parent = parent_message(parent);
    e->full_name = join(s, scope->full, e->name);
    e->c_name = type_c_name(s, parent_message(parent), prefix, e->name);
    decl *d = add_decl(s, parent, scope, SYM_ENUM, e->name, e->loc, f, e);
    for (mc_enum_value *v = e->values; v; v = v->next) {
        if (v->name)
            add_decl(s, d, scope, SYM_ENUM_VALUE, v->name, v->loc, f, v);
    }
}

static void
declare_message(sema *s, decl *parent, decl *scope, mc_message *m, const char *prefix, mc_file *f,
                int depth)
{
    if (depth > MC_NESTING_MAX) {
        /* Names grow with the depth; the messages below are left undeclared. */
        error_at(s, m->loc, "message '%s' is nested more than %d levels deep", m->name,
                 MC_NESTING_MAX);
        return;
    }
    m->file = f;
    if (!m->parent)
        m->parent = parent_message(parent);
    m->full_name = join(s, scope->full, m->name);
    m->c_name = type_c_name(s, parent_message(parent), prefix, m->name);
    map_put(&s->msg_ids, m, (void *)(uintptr_t)(s->msgs.n + 1));
    vec_push(&s->msgs, m);
    decl *d = add_decl(s, parent, scope, SYM_MESSAGE, m->name, m->loc, f, m);
    for (mc_field *fl = m->fields; fl; fl = fl->next) {
        if (fl->name)
            add_decl(s, d, d, SYM_FIELD, fl->name, fl->name_loc, f, NULL);
    }
    for (mc_oneof *o = m->oneofs; o; o = o->next) {
        if (o->name)
            add_decl(s, d, d, SYM_ONEOF, o->name, o->loc, f, NULL);
    }
    for (mc_message *n = m->nested; n; n = n->next) {
        if (n->name)
            declare_message(s, d, d, n, prefix, f, depth + 1);
    }
    for (mc_enum *e = m->enums; e; e = e->next) {
        if (e->name)
            declare_enum(s, d, d, e, prefix, f);
    }
}

/* Declares each component of the file's package; returns the innermost. */
static decl *
declare_packages(sema *s, mc_file *f)
{
    decl *scope = &s->root;
    const char *start = f->package;
    for (const char *dot = start;; dot++) {
        if (*dot != '.' && *dot != '\0')
            continue;
        const char *name = mc_arena_strndup(s->a, start, (size_t)(dot - start));
        scope = add_decl(s, NULL, scope, SYM_PACKAGE, name, f->package_loc, f, NULL);
        if (*dot == '\0')
            return scope;
        start = dot + 1;
    }
}

static void
declare_file(sema *s, mc_file *f)
{
    decl *scope = f->package && *f->package ? declare_packages(s, f) : &s->root;
    const char *prefix = mc_c_prefix(s->a, f->package);
    for (mc_const *c = f->consts; c; c = c->next) {
        if (c->name)
            add_decl(s, NULL, scope, SYM_CONST, c->name, c->loc, f, c);
    }
    for (mc_enum *e = f->enums; e; e = e->next) {
        if (e->name)
            declare_enum(s, NULL, scope, e, prefix, f);
    }
    for (mc_message *m = f->messages; m; m = m->next) {
        if (m->name)
            declare_message(s, NULL, scope, m, prefix, f, 0);
    }
    for (mc_service *sv = f->services; sv; sv = sv->next) {
        if (!sv->name)
            continue;
        sv->file = f;
        sv->c_name = mc_c_ident(s->a, mc_arena_printf(s->a, "%s%s", prefix, sv->name));
        decl *d = add_decl(s, NULL, scope, SYM_SERVICE, sv->name, sv->loc, f, sv);
        for (mc_method *mt = sv->methods; mt; mt = mt->next) {
            if (mt->name)
                add_decl(s, d, d, SYM_METHOD, mt->name, mt->loc, f, mt);
        }
    }
}

static int
compare_decls(const void *a, const void *b)
{
    const decl *x = *(decl *const *)a, *y = *(decl *const *)b;
    return compare_pos(sort_ctx, x->loc, x->seq, y->loc, y->seq);
}

static void
report_duplicate(sema *s, const decl *d, const decl *prev)
{
    const char *hint = "";
    if (d->kind == SYM_ENUM_VALUE || prev->kind == SYM_ENUM_VALUE)
        hint = " (enum values are siblings of their enum, not members of it)";
    pending *p;
    if (d->scope_desc)
        p = error_at(s, d->loc, "'%s' is already defined in %s%s", d->name, d->scope_desc, hint);
    else
        p = error_at(s, d->loc, "'%s' is already defined%s", d->name, hint);
    if (prev->kind == SYM_PACKAGE)
        note_at(s, p, prev->loc, "package '%s' is declared here", prev->full);
    else
        note_at(s, p, prev->loc, "previous definition of '%s' is here", prev->name);
}

static decl *
canonical(decl *d)
{
    return d && d->same ? d->same : d;
}

static decl *
member(const decl *scope, const char *name)
{
    return map_get(&scope->members, name);
}

static void
insert_decl(sema *s, decl *d)
{
    decl *scope = canonical(d->scope);
    decl *prev = member(scope, d->name);
    if (d->parent && d->parent->shadowed) {
        /* Inside a duplicate: kept for lookups from within it, never reported. */
        d->shadowed = true;
        if (!prev && scope == d->parent)
            map_put(&scope->members, d->name, d);
        return;
    }
    if (!prev) {
        map_put(&scope->members, d->name, d);
        return;
    }
    if (d->kind == SYM_PACKAGE && prev->kind == SYM_PACKAGE) {
        d->same = prev;
        return;
    }
    d->shadowed = true;
    report_duplicate(s, d, prev);
}

/* Inserts the declarations in source order, so the later of two equal names is the
 * one reported; packages go first, as a file's declarations live in its package
 * wherever its package statement is. */
static void
build_symbols(sema *s)
{
    sort_ctx = s;
    if (s->decls.n)
        qsort(s->decls.items, s->decls.n, sizeof *s->decls.items, compare_decls);
    for (size_t i = 0; i < s->decls.n; i++) {
        decl *d = s->decls.items[i];
        if (d->kind == SYM_PACKAGE)
            insert_decl(s, d);
    }
    for (size_t i = 0; i < s->decls.n; i++) {
        decl *d = s->decls.items[i];
        if (d->kind != SYM_PACKAGE)
            insert_decl(s, d);
    }
}

/* --- name lookup --- */

typedef enum want { WANT_TYPE, WANT_CONST } want;

static bool
is_aggregate(sym_kind k)
{
    return k == SYM_PACKAGE || k == SYM_MESSAGE || k == SYM_ENUM || k == SYM_SERVICE;
}

static bool
is_wanted(sym_kind k, want w)
{
    if (w == WANT_CONST)
        return k == SYM_CONST;
    return k == SYM_MESSAGE || k == SYM_ENUM;
}

/* Follows the dotted components of path (at least one) down from d. */
static decl *
descend(sema *s, decl *d, const char *path)
{
    while (d && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        d = member(canonical(d), mc_arena_strndup(s->a, path, n));
        path += n + (dot != NULL);
    }
    return d;
}

/* protobuf's lookup: the first component of name is looked up from scope outwards;
 * a single name must be of the wanted kind (others are skipped), a dotted name must
 * start at an aggregate (message, enum, service or package). */
static decl *
lookup(sema *s, decl *scope, const char *name, want w)
{
    if (name[0] == '.')
        return descend(s, &s->root, name + 1);
    const char *dot = strchr(name, '.');
    const char *first = dot ? mc_arena_strndup(s->a, name, (size_t)(dot - name)) : name;
    for (decl *sc = canonical(scope); sc; sc = canonical(sc->scope)) {
        decl *r = member(sc, first);
        if (r && dot && is_aggregate(r->kind))
            return descend(s, r, dot + 1);
        if (r && !dot && is_wanted(r->kind, w))
            return r;
    }
    return NULL;
}

static bool
is_visible(const mc_file *from, const decl *r)
{
    if (r->kind == SYM_PACKAGE || r->file == from)
        return true;
    for (const mc_import *i = from->imports; i; i = i->next) {
        if (i->file == r->file)
            return true;
    }
    return false;
}

static void
report_not_imported(sema *s, mc_loc loc, const char *name, const decl *r)
{
    error_at(s, loc, "'%s' is declared in '%s', which this file does not import", name,
             r->file && r->file->path ? r->file->path : "?");
}

/* --- pass 2: the checks of each declaration --- */

/* A reserved number range, for the sorted lookup of field numbers. */
typedef struct span {
    int64_t lo, hi;
    const mc_reserved *r;
    size_t seq;
} span;

static int
compare_spans(const void *a, const void *b)
{
    const span *x = a, *y = b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    return 0;
}

typedef struct msg_check {
    mc_message *m;
    span *spans; /* merged, disjoint, sorted */
    size_t n_spans;
    map reserved_names;
} msg_check;

static bool
reserved_range_valid(sema *s, const mc_reserved *r)
{
    if (r->lo > r->hi) {
        error_at(s, r->loc, "reserved range %lld to %lld ends before it starts", (long long)r->lo,
                 (long long)r->hi);
        return false;
    }
    if (r->lo < 1 || r->hi > MC_FIELD_NUMBER_MAX) {
        error_at(s, r->loc, "reserved number %lld is out of range (1 to %d)",
                 (long long)(r->lo < 1 ? r->lo : r->hi), MC_FIELD_NUMBER_MAX);
        return false;
    }
    return true;
}

static void
report_overlap(sema *s, const span *a, const span *b)
{
    const span *later = a->seq > b->seq ? a : b, *earlier = later == a ? b : a;
    pending *p = error_at(s, later->r->loc, "reserved %s overlaps %s",
                          range_text(s, later->r->lo, later->r->hi),
                          range_text(s, earlier->r->lo, earlier->r->hi));
    note_at(s, p, earlier->r->loc, "%s is reserved here",
            range_text(s, earlier->r->lo, earlier->r->hi));
}

static void
check_reserved(sema *s, msg_check *c)
{
    size_t n = 0, seq = 0;
    for (const mc_reserved *r = c->m->reserved; r; r = r->next)
        n += r->kind == MC_RES_RANGE;
    span *spans = mc_arena_alloc(s->a, (n ? n : 1) * sizeof *spans);
    n = 0;
    for (const mc_reserved *r = c->m->reserved; r; r = r->next, seq++) {
        if (r->kind == MC_RES_NAME) {
            const mc_reserved *prev = r->name ? map_get(&c->reserved_names, r->name) : NULL;
            if (prev) {
                pending *p = error_at(s, r->loc, "'%s' is already reserved", r->name);
                note_at(s, p, prev->loc, "previous reservation of '%s' is here", r->name);
            } else if (r->name) {
                map_put(&c->reserved_names, r->name, (void *)r);
            }
        } else if (reserved_range_valid(s, r)) {
            spans[n++] = (span){.lo = r->lo, .hi = r->hi, .r = r, .seq = seq};
        }
    }
    if (n)
        qsort(spans, n, sizeof *spans, compare_spans);
    /* Merge into disjoint spans; each overlap is reported once, at the later range. */
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (out && spans[i].lo <= spans[out - 1].hi) {
            report_overlap(s, &spans[out - 1], &spans[i]);
            if (spans[i].hi > spans[out - 1].hi)
                spans[out - 1].hi = spans[i].hi;
            continue;
        }
        spans[out++] = spans[i];
    }
    c->spans = spans;
    c->n_spans = out;
}

/* A reserved range holding number, or NULL. */
static const mc_reserved *
reserved_number(const msg_check *c, int64_t number)
{
    size_t lo = 0, hi = c->n_spans;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->spans[mid].hi < number)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == c->n_spans || c->spans[lo].lo > number)
        return NULL;
    return c->spans[lo].r;
}

/* Returns whether the number may take part in the duplicate check. */
static bool
check_field_number(sema *s, const msg_check *c, const mc_field *f)
{
    long long n = (long long)f->number;
    if (f->number < 1 || f->number > MC_FIELD_NUMBER_MAX) {
        error_at(s, f->number_loc, "field number %lld is out of range (1 to %d)", n,
                 MC_FIELD_NUMBER_MAX);
        return false;
    }
    if (f->number >= MC_FIELD_NUMBER_PROTOBUF_LO && f->number <= MC_FIELD_NUMBER_PROTOBUF_HI) {
        error_at(s, f->number_loc,
                 "field number %lld is reserved for the protobuf "
                 "implementation",
                 n);
        return true;
    }
    const mc_reserved *r = reserved_number(c, f->number);
    if (r) {
        pending *p = error_at(s, f->number_loc, "field number %lld is reserved", n);
        note_at(s, p, r->loc, "reserved here");
    }
    return true;
}

/* A number with its owner, to find duplicates by sorting. */
typedef struct numbered {
    int64_t number;
    mc_loc loc, number_loc;
    const char *name;
    size_t seq;
} numbered;

static int
compare_numbered(const void *a, const void *b)
{
    const numbered *x = a, *y = b;
    if (x->number != y->number)
        return x->number < y->number ? -1 : 1;
    return compare_pos(sort_ctx, x->number_loc, x->seq, y->number_loc, y->seq);
}

/* what: "field number" or "enum value"; earlier is "number" or "value". */
static void
report_duplicate_numbers(sema *s, numbered *items, size_t n, const char *what, const char *noun)
{
    sort_ctx = s;
    if (n)
        qsort(items, n, sizeof *items, compare_numbered);
    for (size_t i = 1, first = 0; i < n; i++) {
        if (items[i].number != items[first].number) {
            first = i;
            continue;
        }
        pending *p = error_at(s, items[i].number_loc, "%s %lld is already used by '%s'", what,
                              (long long)items[i].number, items[first].name);
        note_at(s, p, items[first].number_loc, "'%s' uses %s %lld here", items[first].name, noun,
                (long long)items[first].number);
    }
}

static void
resolve_field_type(sema *s, mc_field *f)
{
    if (f->kind != MC_T_NONE || !f->type_name || !f->owner)
        return;
    decl *r = lookup(s, map_get(&s->decl_of, f->owner), f->type_name, WANT_TYPE);
    if (!r) {
        error_at(s, f->type_loc, "unknown type '%s'", f->type_name);
        return;
    }
    if (r->kind != SYM_MESSAGE && r->kind != SYM_ENUM) {
        error_at(s, f->type_loc, "'%s' is not a type", f->type_name);
        return;
    }
    if (!is_visible(f->owner->file, r))
        report_not_imported(s, f->type_loc, f->type_name, r);
    if (r->kind == SYM_MESSAGE) {
        f->kind = MC_T_MESSAGE;
        f->msg_type = r->node;
    } else {
        f->kind = MC_T_ENUM;
        f->enum_type = r->node;
    }
}

/* Resolves a const name and checks the range; opt is "max" or "max_len". */
static void
check_bound_value(sema *s, const mc_field *f, mc_bound *b, const char *opt)
{
    if (b->const_name) {
        decl *r = lookup(s, map_get(&s->decl_of, f->owner), b->const_name, WANT_CONST);
        if (!r) {
            error_at(s, b->loc, "unknown constant '%s'", b->const_name);
            return;
        }
        if (r->kind != SYM_CONST) {
            error_at(s, b->loc, "'%s' is not a constant", b->const_name);
            return;
        }
        if (!is_visible(f->owner->file, r))
            report_not_imported(s, b->loc, b->const_name, r);
        b->value = ((const mc_const *)r->node)->value;
    }
    if (b->value >= 1 && b->value <= (int64_t)UINT32_MAX)
        return;
    if (b->const_name)
        error_at(s, b->loc, "'%s' must be between 1 and %lu, but '%s' is %lld", opt,
                 (unsigned long)UINT32_MAX, b->const_name, (long long)b->value);
    else
        error_at(s, b->loc, "'%s' must be between 1 and %lu, not %lld", opt,
                 (unsigned long)UINT32_MAX, (long long)b->value);
}

static void
check_bounds(sema *s, mc_field *f)
{
    bool repeated = f->label == MC_L_REPEATED;
    bool text = f->kind == MC_T_STRING || f->kind == MC_T_BYTES;
    if (f->max.set) {
        if (!repeated && !text)
            error_at(s, f->max.loc, "'max' applies only to string, bytes and repeated fields");
        else
            check_bound_value(s, f, &f->max, "max");
    }
    if (f->max_len.set) {
        if (!repeated || !text)
            error_at(s, f->max_len.loc,
                     "'max_len' applies only to repeated string and bytes fields");
        else if (!f->max.set)
            error_at(s, f->max_len.loc, "'max_len' requires 'max'");
        else
            check_bound_value(s, f, &f->max_len, "max_len");
    }
}

static void check_enum(sema *s, mc_enum *e);

static void
check_fields(sema *s, msg_check *c)
{
    size_t n = 0;
    for (const mc_field *f = c->m->fields; f; f = f->next)
        n++;
    numbered *nums = malloc((n ? n : 1) * sizeof *nums);
    if (!nums)
        mc_panic("out of memory");
    n = 0;
    for (mc_field *f = c->m->fields; f; f = f->next) {
        if (!f->owner)
            f->owner = c->m;
        if (check_field_number(s, c, f))
            nums[n++] = (numbered){.number = f->number,
                                   .loc = f->name_loc,
                                   .number_loc = f->number_loc,
                                   .name = f->name ? f->name : "?",
                                   .seq = s->seq++};
        const mc_reserved *r = f->name ? map_get(&c->reserved_names, f->name) : NULL;
        if (r) {
            pending *p = error_at(s, f->name_loc, "field name '%s' is reserved", f->name);
            note_at(s, p, r->loc, "reserved here");
        }
        resolve_field_type(s, f);
        check_bounds(s, f);
    }
    report_duplicate_numbers(s, nums, n, "field number", "number");
    free(nums);
}

static void
check_message(sema *s, mc_message *m)
{
    msg_check c = {.m = m, .reserved_names = {.strings = true}};
    check_reserved(s, &c);
    check_fields(s, &c);
    map_free(&c.reserved_names);
    for (const mc_oneof *o = m->oneofs; o; o = o->next) {
        if (!o->members)
            error_at(s, o->loc, "oneof '%s' has no fields", o->name ? o->name : "?");
    }
    for (mc_message *n = m->nested; n; n = n->next) {
        if (n->full_name)
            check_message(s, n);
    }
    for (mc_enum *e = m->enums; e; e = e->next)
        check_enum(s, e);
}

static void
check_enum(sema *s, mc_enum *e)
{
    if (!e->values) {
        error_at(s, e->loc, "enum '%s' has no values", e->name ? e->name : "?");
        return;
    }
    if (e->values->number != 0)
        error_at(s, e->values->number_loc, "the first value of enum '%s' must be 0",
                 e->name ? e->name : "?");
    size_t n = 0;
    for (const mc_enum_value *v = e->values; v; v = v->next)
        n++;
    numbered *nums = malloc(n * sizeof *nums);
    if (!nums)
        mc_panic("out of memory");
    n = 0;
    for (const mc_enum_value *v = e->values; v; v = v->next) {
        const char *name = v->name ? v->name : "?";
        if (v->number < INT32_MIN || v->number > INT32_MAX) {
            error_at(s, v->number_loc, "'%s' = %lld does not fit in int32", name,
                     (long long)v->number);
            continue;
        }
        nums[n++] = (numbered){.number = v->number,
                               .loc = v->loc,
                               .number_loc = v->number_loc,
                               .name = name,
                               .seq = s->seq++};
    }
    report_duplicate_numbers(s, nums, n, "enum value", "value");
    free(nums);
}

/* Resolves a method's request or reply type; NULL after reporting. */
static mc_message *
resolve_method_type(sema *s, const mc_service *sv, const char *name, mc_loc loc)
{
    if (!name)
        return NULL;
    decl *r = lookup(s, map_get(&s->decl_of, sv), name, WANT_TYPE);
    if (!r) {
        error_at(s, loc, "unknown type '%s'", name);
        return NULL;
    }
    if (r->kind != SYM_MESSAGE) {
        error_at(s, loc, "'%s' is not a message", name);
        return NULL;
    }
    if (!is_visible(sv->file, r))
        report_not_imported(s, loc, name, r);
    return r->node;
}

static void
check_service(sema *s, mc_service *sv)
{
    for (mc_method *mt = sv->methods; mt; mt = mt->next) {
        mt->req = resolve_method_type(s, sv, mt->req_name, mt->req_loc);
        if (mt->kind == MC_RPC)
            mt->rep = resolve_method_type(s, sv, mt->rep_name, mt->rep_loc);
    }
}

static void
check_file(sema *s, mc_file *f)
{
    for (mc_enum *e = f->enums; e; e = e->next)
        check_enum(s, e);
    for (mc_message *m = f->messages; m; m = m->next)
        check_message(s, m);
    for (mc_service *sv = f->services; sv; sv = sv->next) {
        if (sv->name)
            check_service(s, sv);
    }
}

/* --- pass 3: the message graph --- */

enum { WHITE, GRAY, BLACK };

typedef struct frame {
    size_t msg;
    const mc_field *next; /* the next field to follow */
    const mc_field *via;  /* the field followed to the frame above */
} frame;

static size_t
msg_id(const sema *s, const mc_message *m)
{
    return (size_t)(uintptr_t)map_get(&s->msg_ids, m) - 1;
}

/* The cycle is the path on the stack from frame start to the top, closed by a field
 * back to the message of frame start. Long cycles show their ends only. */
#define CYCLE_SHOWN 6

static void
report_cycle(sema *s, const frame *stack, size_t depth, size_t start, const mc_field *closing)
{
    const mc_message *t = s->msgs.items[stack[start].msg];
    size_t hops = depth - start;
    const char *path = "";
    for (size_t i = start; i < depth; i++) {
        size_t k = i - start;
        if (hops > 2 * CYCLE_SHOWN && k >= CYCLE_SHOWN && k < hops - CYCLE_SHOWN) {
            if (k == CYCLE_SHOWN)
                path = mc_arena_printf(s->a, "%s... (%zu more) -> ", path, hops - 2 * CYCLE_SHOWN);
            continue;
        }
        const mc_message *m = s->msgs.items[stack[i].msg];
        const mc_field *f = i + 1 < depth ? stack[i].via : closing;
        path = mc_arena_printf(s->a, "%s%s.%s -> ", path, local_name(m), f->name);
    }
    error_at(s, closing->name_loc,
             "message '%s' contains itself through inline fields: %s%s; make one of them "
             "optional or an unbounded repeated",
             t->full_name, path, local_name(t));
}

/* Depth-first over the fields for which follow() holds. A field reaching a message on
 * the stack calls back_edge; a message whose fields are all done calls finish. Explicit
 * stack: schemas may nest deeper than the C stack. */
typedef struct walk {
    bool (*follow)(const mc_field *f);
    void (*back_edge)(sema *s, const frame *stack, size_t depth, size_t start, const mc_field *f);
    void (*finish)(sema *s, size_t msg, const unsigned char *color);
} walk;

static void
walk_messages(sema *s, const walk *w)
{
    size_t n = s->msgs.n;
    unsigned char *color = calloc(n ? n : 1, 1);
    frame *stack = malloc((n ? n : 1) * sizeof *stack);
    size_t *pos = malloc((n ? n : 1) * sizeof *pos); /* stack index of each GRAY message */
    if (!color || !stack || !pos)
        mc_panic("out of memory");
    for (size_t root = 0; root < n; root++) {
        if (color[root] != WHITE)
            continue;
        size_t depth = 1;
        stack[0] = (frame){.msg = root, .next = ((mc_message *)s->msgs.items[root])->fields};
        color[root] = GRAY;
        pos[root] = 0;
        while (depth) {
            frame *top = &stack[depth - 1];
            const mc_field *f = top->next;
            if (!f) {
                color[top->msg] = BLACK;
                if (w->finish)
                    w->finish(s, top->msg, color);
                depth--;
                continue;
            }
            top->next = f->next;
            if (!f->msg_type || !w->follow(f))
                continue;
            size_t t = msg_id(s, f->msg_type);
            if (color[t] == WHITE) {
                top->via = f;
                color[t] = GRAY;
                pos[t] = depth;
                stack[depth++] = (frame){.msg = t, .next = f->msg_type->fields};
            } else if (color[t] == GRAY && w->back_edge) {
                w->back_edge(s, stack, depth, pos[t], f);
            }
        }
    }
    free(pos);
    free(stack);
    free(color);
}

static bool
follow_inline(const mc_field *f)
{
    return f->kind == MC_T_MESSAGE && mc_field_is_inline_message(f);
}

static bool
follow_any(const mc_field *f)
{
    return f->kind == MC_T_MESSAGE;
}

/* Saturating arithmetic: anything over the cap is too large anyway. */
#define SIZE_CAP ((uint64_t)1 << 62)

static uint64_t
add_sat(uint64_t a, uint64_t b)
{
    return a + b > SIZE_CAP ? SIZE_CAP : a + b;
}

static uint64_t
mul_sat(uint64_t a, uint64_t b)
{
    if (a && b > SIZE_CAP / a)
        return SIZE_CAP;
    return a * b > SIZE_CAP ? SIZE_CAP : a * b;
}


/* The largest encoding of one value of a scalar kind; 0 for the others. */
static uint64_t
scalar_size(mc_type_kind k)
{
    switch (k) {
    case MC_T_BOOL:
        return 1;
    case MC_T_UINT32:
    case MC_T_SINT32:
        return 5;
    case MC_T_FIXED32:
    case MC_T_SFIXED32:
    case MC_T_FLOAT:
        return 4;
    case MC_T_FIXED64:
    case MC_T_SFIXED64:
    case MC_T_DOUBLE:
        return 8;
    case MC_T_INT32: /* negative values take 10 bytes */
    case MC_T_INT64:
    case MC_T_UINT64:
    case MC_T_SINT64:
    case MC_T_ENUM:
        return 10;
    default:
        return 0;
    }
}

/* The largest length-delimited payload of one element (with its length prefix), or
 * false when it has no bound. */
static bool
element_size(const mc_field *f, const unsigned char *color, const sema *s, uint64_t *size)
{
    uint64_t len;
    if (f->kind == MC_T_STRING || f->kind == MC_T_BYTES) {
        const mc_bound *b = f->label == MC_L_REPEATED ? &f->max_len : &f->max;
        if (!b->set || b->value < 1)
            return false;
        len = (uint64_t)b->value;
    } else if (f->kind == MC_T_MESSAGE && f->msg_type) {
        size_t t = msg_id(s, f->msg_type);
        if (color[t] != BLACK || !f->msg_type->bounded)
            return false;
        len = f->msg_type->max_size;
    } else {
        return false;
    }
    *size = add_sat(mc_varint_size(len), len);
    return true;
}

static bool
field_size(const mc_field *f, const unsigned char *color, const sema *s, uint64_t *size)
{
    uint64_t number = f->number >= 1 && f->number <= MC_FIELD_NUMBER_MAX ? (uint64_t)f->number : 1;
    uint64_t tag = mc_varint_size(number << 3);
    uint64_t scalar = scalar_size(f->kind), elem;
    if (f->label != MC_L_REPEATED) {
        if (!scalar && !element_size(f, color, s, &elem))
            return false;
        *size = add_sat(tag, scalar ? scalar : elem);
        return true;
    }
    if (!f->max.set || f->max.value < 1)
        return false;
    uint64_t count = (uint64_t)f->max.value;
    if (scalar) { /* packed */
        uint64_t payload = mul_sat(count, scalar);
        *size = add_sat(add_sat(tag, mc_varint_size(payload)), payload);
        return true;
    }
    if (!element_size(f, color, s, &elem))
        return false;
    *size = mul_sat(count, add_sat(tag, elem));
    return true;
}

static void
finish_size(sema *s, size_t id, const unsigned char *color)
{
    mc_message *m = s->msgs.items[id];
    uint64_t total = 0, size;
    bool bounded = true;
    for (const mc_field *f = m->fields; f && bounded; f = f->next) {
        if (f->oneof)
            continue;
        bounded = field_size(f, color, s, &size);
        total = add_sat(total, size);
    }
    for (const mc_oneof *o = m->oneofs; o && bounded; o = o->next) {
        uint64_t largest = 0;
        for (const mc_field *f = o->members; f && bounded; f = f->next_in_oneof) {
            bounded = field_size(f, color, s, &size);
            if (size > largest)
                largest = size;
        }
        total = add_sat(total, largest);
    }
    m->bounded = bounded && total <= MC_MESSAGE_SIZE_MAX;
    m->max_size = m->bounded ? total : 0;
}

static void
check_graph(sema *s)
{
    walk cycles = {.follow = follow_inline, .back_edge = report_cycle};
    walk_messages(s, &cycles);
    walk sizes = {.follow = follow_any, .finish = finish_size};
    walk_messages(s, &sizes);
}

/* --- pass 4: C identifiers --- */

/* One identifier a declaration generates. */
typedef struct cid {
    const char *ident;
    const char *what; /* "message 'p.M'" */
    const char *full; /* the declaration's symbol name: equal ones are duplicates */
    const void *owner;
    mc_loc loc;
    size_t seq;
} cid;

typedef struct cid_set {
    vec items;
    const char *container; /* NULL for file scope; "struct 'p_M'" for members */
    const mc_file *file;   /* at file scope: the file whose declarations are being added */
    bool handlers;         /* the members of a service's handlers, which are called */
} cid_set;

/* The prefixes of the runtime's identifiers (its functions and types, its macros). A
 * generated name with one could clash with the runtime now or in any later version, and
 * one of its macros would even replace a struct member of that name. */
static const char *const runtime_prefixes[] = {"msgc_", "MSGC_"};

/* Reports, once per declaration, a generated identifier in the runtime's namespace. */
static void
check_runtime_prefix(sema *s, const char *ident, const char *what, const void *owner, mc_loc loc)
{
    for (size_t i = 0; i < COUNT_OF(runtime_prefixes); i++) {
        const char *prefix = runtime_prefixes[i];
        if (strncmp(ident, prefix, strlen(prefix)) != 0 || map_get(&s->refused, owner))
            continue;
        map_put(&s->refused, owner, (void *)owner);
        error_at(s, loc,
                 "'%s' would be generated for %s; names starting with '%s' belong to the msgc "
                 "runtime",
                 ident, what, prefix);
    }
}

/* Whether an identifier of set, reserved for why (names.h rule 8), breaks the generated code:
 * at file scope every reserved name does; a member is rewritten only by a macro, and by a
 * function-like one only when it is called, as a handler is. */
static bool
reserved_breaks(const cid_set *set, mc_c_reserved why)
{
    if (why == MC_C_UNRESERVED)
        return false;
    if (!set->container)
        return true;
    return why == MC_C_LIBRARY_MACRO || (why == MC_C_LIBRARY_FUNCTION_MACRO && set->handlers);
}

/* Reports, once per declaration, a generated identifier that the generated code or the C
 * library already uses. */
static void
check_taken_name(sema *s, const cid_set *set, const char *ident, const char *what,
                 const void *owner, mc_loc loc)
{
    mc_c_reserved why = mc_c_reserved_by(ident);
    if (!reserved_breaks(set, why) || map_get(&s->refused, owner))
        return;
    map_put(&s->refused, owner, (void *)owner);
    const char *user = why == MC_C_USED_BY_CODE ? "the generated code uses itself"
                       : why == MC_C_LIBRARY    ? "the C library declares"
                                                : "the C library defines as a macro";
    /* A package prefix keeps file-scope names apart from these; nothing keeps members. */
    bool packaged = set->file && set->file->package && *set->file->package;
    const char *fix =
        set->container || packaged ? "rename it" : "give the schema a package or rename it";
    error_at(s, loc, "'%s' would be generated for %s, which %s; %s", ident, what, user, fix);
}

/* Adds one identifier of a declaration; decl_what names the declaration in full for the
 * runtime prefix and reserved name errors (NULL: what already does). */
static void
add_cid_of(sema *s, cid_set *set, const char *ident, const char *what, const char *decl_what,
           const char *full, const void *owner, mc_loc loc)
{
    cid *c = mc_arena_alloc(s->a, sizeof *c);
    c->ident = mc_c_ident(s->a, ident);
    c->what = what;
    c->full = full;
    c->owner = owner;
    c->loc = loc;
    c->seq = s->seq++;
    vec_push(&set->items, c);
    check_runtime_prefix(s, c->ident, decl_what ? decl_what : what, owner, loc);
    check_taken_name(s, set, c->ident, decl_what ? decl_what : what, owner, loc);
}

static void
add_cid(sema *s, cid_set *set, const char *ident, const char *what, const char *full,
        const void *owner, mc_loc loc)
{
    add_cid_of(s, set, ident, what, NULL, full, owner, loc);
}

static int
compare_cids(const void *a, const void *b)
{
    const cid *x = *(cid *const *)a, *y = *(cid *const *)b;
    return compare_pos(sort_ctx, x->loc, x->seq, y->loc, y->seq);
}

static void
check_cid_set(sema *s, cid_set *set)
{
    map seen = {.strings = true}, reported = {.strings = false};
    sort_ctx = s;
    if (set->items.n)
        qsort(set->items.items, set->items.n, sizeof *set->items.items, compare_cids);
    for (size_t i = 0; i < set->items.n; i++) {
        cid *c = set->items.items[i];
        cid *prev = map_get(&seen, c->ident);
        if (!prev) {
            map_put(&seen, c->ident, c);
            continue;
        }
        if (prev->owner == c->owner || strcmp(prev->full, c->full) == 0 ||
            map_get(&reported, c->owner))
            continue;
        map_put(&reported, c->owner, c);
        pending *p;
        if (set->container)
            p = error_at(s, c->loc,
                         "%s would generate the member '%s' of %s, which %s also "
                         "generates",
                         c->what, c->ident, set->container, prev->what);
        else
            p = error_at(s, c->loc,
                         "%s would generate the C identifier '%s', which %s also "
                         "generates",
                         c->what, c->ident, prev->what);
        note_at(s, p, prev->loc, "%s is declared here", prev->what);
    }
    map_free(&seen);
    map_free(&reported);
    vec_free(&set->items);
}

/* What the templates generate from a type's C name, joined with '_': the public names
 * of SPEC section 4, then the internal ones ("_write" gives "p_M__write"). Names that
 * only some declarations get (MAX_SIZE, the field and method tables) are reserved for
 * all, so adding a field or a method never makes a schema invalid. */
static const char *const message_suffixes[] = {
    "INIT",         "MAX_SIZE",  "TYPE_ID",     "desc",        "init",    "free",
    "encoded_size", "encode",    "decode",      "decode_ex",   "send",    "recv",
    "send_many",    "recv_many", "_write",      "_read",       "_fields", "_init_any",
    "_free_any",    "_size_any", "_encode_any", "_decode_any", "_size",   "_clear",
};

static const char *const enum_suffixes[] = {"desc", "_values", "_MIN", "_MAX"};

static const char *const service_suffixes[] = {"handlers", "serve_one", "serve",
                                               "desc",     "_methods",  "_dispatch"};

const char *const *
mc_sema_c_suffixes(mc_c_kind kind, size_t *n)
{
    switch (kind) {
    case MC_C_MESSAGE:
        *n = COUNT_OF(message_suffixes);
        return message_suffixes;
    case MC_C_ENUM:
        *n = COUNT_OF(enum_suffixes);
        return enum_suffixes;
    case MC_C_SERVICE:
        *n = COUNT_OF(service_suffixes);
        return service_suffixes;
    }
    mc_panic("unknown C kind %d", (int)kind);
}

static void collect_message_cids(sema *s, cid_set *set, mc_message *m);

static void
collect_enum_cids(sema *s, cid_set *set, mc_enum *e, const char *scope)
{
    if (!e->name)
        return;
    const char *what = mc_arena_printf(s->a, "enum '%s'", e->full_name);
    add_cid(s, set, e->c_name, what, e->full_name, e, e->loc);
    for (size_t i = 0; i < COUNT_OF(enum_suffixes); i++)
        add_cid(s, set, mc_c_join(s->a, e->c_name, enum_suffixes[i]), what, e->full_name, e,
                e->loc);
    for (mc_enum_value *v = e->values; v; v = v->next) {
        if (!v->name)
            continue;
        const char *vwhat = mc_arena_printf(s->a, "enum value '%s.%s'", e->full_name, v->name);
        add_cid(s, set, mc_c_join(s->a, e->c_name, v->name), vwhat, join(s, scope, v->name), v,
                v->loc);
    }
}

static void
collect_oneof_cids(sema *s, cid_set *set, mc_message *m, mc_oneof *o)
{
    const char *full = join(s, m->full_name, o->name);
    const char *what = mc_arena_printf(s->a, "oneof '%s'", full);
    /* Only the whole identifier is escaped, so the base stays as written. */
    const char *base = mc_arena_printf(s->a, "%s_%s", m->c_name, o->name);
    add_cid(s, set, mc_c_join(s->a, base, "case"), what, full, o, o->loc);
    add_cid(s, set, mc_c_join(s->a, base, "NONE"), what, full, o, o->loc);
    add_cid(s, set, mc_arena_printf(s->a, "%s__clear_%s", m->c_name, mc_c_ident(s->a, o->name)),
            what, full, o, o->loc);
    for (mc_field *f = o->members; f; f = f->next_in_oneof) {
        if (!f->name)
            continue;
        const char *ffull = join(s, m->full_name, f->name);
        add_cid(s, set, mc_c_join(s->a, base, f->name), mc_arena_printf(s->a, "field '%s'", ffull),
                ffull, f, f->name_loc);
    }
}

static void
collect_message_cids(sema *s, cid_set *set, mc_message *m)
{
    const char *what = mc_arena_printf(s->a, "message '%s'", m->full_name);
    add_cid(s, set, m->c_name, what, m->full_name, m, m->loc);
    for (size_t i = 0; i < COUNT_OF(message_suffixes); i++)
        add_cid(s, set, mc_c_join(s->a, m->c_name, message_suffixes[i]), what, m->full_name, m,
                m->loc);
    for (mc_oneof *o = m->oneofs; o; o = o->next) {
        if (o->name)
            collect_oneof_cids(s, set, m, o);
    }
    for (mc_message *n = m->nested; n; n = n->next) {
        if (n->full_name)
            collect_message_cids(s, set, n);
    }
    for (mc_enum *e = m->enums; e; e = e->next)
        collect_enum_cids(s, set, e, m->full_name);
}

static void
collect_service_cids(sema *s, cid_set *set, mc_service *sv)
{
    const char *full = join(s, sv->file->package, sv->name);
    const char *what = mc_arena_printf(s->a, "service '%s'", full);
    for (size_t i = 0; i < COUNT_OF(service_suffixes); i++)
        add_cid(s, set, mc_c_join(s->a, sv->c_name, service_suffixes[i]), what, full, sv, sv->loc);
    for (mc_method *mt = sv->methods; mt; mt = mt->next) {
        if (!mt->name)
            continue;
        const char *mfull = join(s, full, mt->name);
        /* The stub escapes the method's name, as its handler member does. */
        add_cid(s, set, mc_arena_printf(s->a, "%s_%s", sv->c_name, mc_c_ident(s->a, mt->name)),
                mc_arena_printf(s->a, "method '%s'", mfull), mfull, mt, mt->loc);
    }
}

static void
collect_file_cids(sema *s, cid_set *set, mc_file *f)
{
    const char *prefix = mc_c_prefix(s->a, f->package);
    const char *scope = f->package ? f->package : "";
    for (mc_const *c = f->consts; c; c = c->next) {
        if (!c->name)
            continue;
        const char *full = join(s, scope, c->name);
        add_cid(s, set, mc_arena_printf(s->a, "%s%s", prefix, c->name),
                mc_arena_printf(s->a, "const '%s'", full), full, c, c->loc);
    }
    for (mc_enum *e = f->enums; e; e = e->next)
        collect_enum_cids(s, set, e, scope);
    for (mc_message *m = f->messages; m; m = m->next) {
        if (m->name)
            collect_message_cids(s, set, m);
    }
    for (mc_service *sv = f->services; sv; sv = sv->next) {
        if (sv->name)
            collect_service_cids(s, set, sv);
    }
}

/* A struct member: collisions name the declaration by its simple name, as they are
 * all in one struct; scope is the full name of the message or service it belongs to. */
static void
add_member(sema *s, cid_set *set, const char *ident, const char *kind, const char *name,
           const char *scope, const void *owner, mc_loc loc)
{
    add_cid_of(s, set, ident, mc_arena_printf(s->a, "%s '%s'", kind, name),
               mc_arena_printf(s->a, "%s '%s.%s'", kind, scope, name), name, owner, loc);
}

/* The members of the struct of m, and of the union of each of its oneofs. */
static void
check_struct_members(sema *s, const mc_message *m)
{
    cid_set st = {.container = mc_arena_printf(s->a, "struct '%s'", m->c_name)};
    for (const mc_member *mb = m->members; mb; mb = mb->next) {
        if (mb->kind == MC_M_FIELD && mb->field && mb->field->name) {
            const mc_field *f = mb->field;
            add_member(s, &st, f->name, "field", f->name, m->full_name, f, f->name_loc);
            if (f->label == MC_L_REPEATED)
                add_member(s, &st, mc_arena_printf(s->a, "%s_count", f->name), "field", f->name,
                           m->full_name, f, f->name_loc);
            if (mc_field_has_flag(f))
                add_member(s, &st, mc_arena_printf(s->a, "has_%s", f->name), "field", f->name,
                           m->full_name, f, f->name_loc);
        } else if (mb->kind == MC_M_ONEOF && mb->oneof && mb->oneof->name) {
            const mc_oneof *o = mb->oneof;
            add_member(s, &st, mc_arena_printf(s->a, "%s_case", o->name), "oneof", o->name,
                       m->full_name, o, o->loc);
            add_member(s, &st, o->name, "oneof", o->name, m->full_name, o, o->loc);
            cid_set un = {.container = mc_arena_printf(s->a, "the union '%s' of '%s'",
                                                       mc_c_ident(s->a, o->name), m->c_name)};
            for (const mc_field *f = o->members; f; f = f->next_in_oneof) {
                if (f->name)
                    add_member(s, &un, f->name, "field", f->name, m->full_name, f, f->name_loc);
            }
            check_cid_set(s, &un);
        }
    }
    check_cid_set(s, &st);
    for (const mc_message *n = m->nested; n; n = n->next) {
        if (n->full_name)
            check_struct_members(s, n);
    }
}

static void
check_handler_members(sema *s, const mc_service *sv)
{
    cid_set set = {.container =
                       mc_arena_printf(s->a, "'%s'", mc_c_join(s->a, sv->c_name, "handlers")),
                   .handlers = true};
    const char *full = join(s, sv->file->package, sv->name);
    for (const mc_method *mt = sv->methods; mt; mt = mt->next) {
        if (mt->name)
            add_member(s, &set, mt->name, "method", mt->name, full, mt, mt->loc);
    }
    check_cid_set(s, &set);
}

static void
check_c_names(sema *s)
{
    cid_set global = {.container = NULL};
    for (mc_file *f = s->prog->files; f; f = f->next) {
        global.file = f;
        collect_file_cids(s, &global, f);
        for (const mc_message *m = f->messages; m; m = m->next) {
            if (m->name)
                check_struct_members(s, m);
        }
        for (const mc_service *sv = f->services; sv; sv = sv->next) {
            if (sv->name)
                check_handler_members(s, sv);
        }
    }
    check_cid_set(s, &global);
}

/* --- the entry point --- */

void
mc_sema_check(mc_program *prog, mc_diag *d)
{
    sema s = {.prog = prog,
              .a = prog->arena,
              .files = {.strings = true},
              .root = {.full = "", .kind = SYM_PACKAGE, .members = {.strings = true}},
              .decl_of = {.strings = false},
              .msg_ids = {.strings = false}};
    size_t i = 0;
    for (mc_file *f = prog->files; f; f = f->next, i++) {
        if (f->path && !map_get(&s.files, f->path))
            map_put(&s.files, f->path, (void *)(uintptr_t)(i + 1));
    }
    for (mc_file *f = prog->files; f; f = f->next)
        declare_file(&s, f);
    build_symbols(&s);
    for (mc_file *f = prog->files; f; f = f->next)
        check_file(&s, f);
    check_graph(&s);
    check_c_names(&s);
    emit_diags(&s, d);
    for (size_t j = 0; j < s.decls.n; j++)
        map_free(&((decl *)s.decls.items[j])->members);
    map_free(&s.root.members);
    map_free(&s.decl_of);
    vec_free(&s.decls);
    vec_free(&s.diags);
    vec_free(&s.msgs);
    map_free(&s.files);
    map_free(&s.msg_ids);
    map_free(&s.refused);
}
