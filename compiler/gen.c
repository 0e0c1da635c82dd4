/* gen.c - from the checked syntax tree to the view model the templates render, and the
 * output files. Every decision about C types, names, sizes and expressions is made here;
 * the templates only lay the code out. */
#include "gen.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc.h"
#include "names.h"
#include "sema.h"
#include "tmpl.h"
#include "tmpl_builtin.h"
#include "wrap.h"

typedef struct msg_facts msg_facts;

typedef struct gen {
    mc_arena *a;
    mc_diag *d;
    const mc_options *o;
    const mc_io *io;
    msg_facts *facts; /* what is known of each message's size and heap parts */
} gen;

/* --- small helpers --- */

uint64_t
mc_fnv1a64(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3u;
    }
    return h;
}

/* A doc comment as a C comment at the given indent, or "" when there is none. Text that
 * would end or nest a C comment is broken up. */
static const char *
format_doc(gen *g, const char *doc, const char *indent)
{
    if (!doc || !*doc)
        return "";
    mc_buf b = {0};
    bool multi = strchr(doc, '\n') != NULL;
    mc_buf_printf(&b, "%s/*%s", indent, multi ? "\n" : " ");
    const char *line = doc;
    for (;;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        if (multi)
            mc_buf_printf(&b, "%s *%s", indent, n ? " " : "");
        for (size_t i = 0; i < n; i++) {
            char c = line[i];
            mc_buf_put(&b, &c, 1);
            /* "*" + "/" would end the comment, "/" + "*" nest one and "??" start a
             * trigraph: keep each pair apart. */
            if (i + 1 < n && ((c == '*' && line[i + 1] == '/') || (c == '/' && line[i + 1] == '*') ||
                              (c == '?' && line[i + 1] == '?')))
                mc_buf_puts(&b, " ");
        }
        mc_buf_puts(&b, multi ? "\n" : " ");
        if (!nl)
            break;
        line = nl + 1;
    }
    mc_buf_printf(&b, "%s*/\n", multi ? mc_arena_printf(g->a, "%s ", indent) : "");
    const char *r = mc_arena_strndup(g->a, b.data, b.len);
    mc_buf_free(&b);
    return r;
}

static const char *
int_literal(gen *g, int64_t v)
{
    if (v == INT64_MIN)
        return "(-9223372036854775807LL - 1)";
    if (v == INT32_MIN)
        return "(-2147483647 - 1)";
    const char *suffix = v > INT32_MAX || v < INT32_MIN ? "LL" : "";
    return mc_arena_printf(g->a, v < 0 ? "(%" PRId64 "%s)" : "%" PRId64 "%s", v, suffix);
}

/* --- wire facts of scalar kinds --- */

typedef struct scalar_info {
    const char *wt;    /* primitive suffix in msgc_wire.h */
    const char *ctype; /* C type of a value */
    const char *upper; /* MSGC_TYPE_ suffix */
    unsigned wire;     /* wire type */
} scalar_info;

static scalar_info
scalar_of(mc_type_kind k)
{
    switch (k) {
    case MC_T_BOOL: return (scalar_info){"bool", "bool", "BOOL", 0};
    case MC_T_INT32: return (scalar_info){"int32", "int32_t", "INT32", 0};
    case MC_T_INT64: return (scalar_info){"int64", "int64_t", "INT64", 0};
    case MC_T_UINT32: return (scalar_info){"uint32", "uint32_t", "UINT32", 0};
    case MC_T_UINT64: return (scalar_info){"uint64", "uint64_t", "UINT64", 0};
    case MC_T_SINT32: return (scalar_info){"sint32", "int32_t", "SINT32", 0};
    case MC_T_SINT64: return (scalar_info){"sint64", "int64_t", "SINT64", 0};
    case MC_T_FIXED32: return (scalar_info){"fixed32", "uint32_t", "FIXED32", 5};
    case MC_T_FIXED64: return (scalar_info){"fixed64", "uint64_t", "FIXED64", 1};
    case MC_T_SFIXED32: return (scalar_info){"sfixed32", "int32_t", "SFIXED32", 5};
    case MC_T_SFIXED64: return (scalar_info){"sfixed64", "int64_t", "SFIXED64", 1};
    case MC_T_FLOAT: return (scalar_info){"float", "float", "FLOAT", 5};
    case MC_T_DOUBLE: return (scalar_info){"double", "double", "DOUBLE", 1};
    case MC_T_ENUM: return (scalar_info){"enum", "int32_t", "ENUM", 0};
    case MC_T_STRING: return (scalar_info){NULL, NULL, "STRING", 2};
    case MC_T_BYTES: return (scalar_info){NULL, NULL, "BYTES", 2};
    case MC_T_MESSAGE: return (scalar_info){NULL, NULL, "MESSAGE", 2};
    case MC_T_NONE: break;
    }
    mc_panic("unresolved type kind %d", (int)k);
}

/* --- heap parts (memoised per message) --- */

struct msg_facts {
    const mc_message *m;
    bool computing, done;
    bool heap; /* the struct holds pointers that _free releases */
    msg_facts *next;
};

static bool message_heap(gen *g, const mc_message *m);

static bool
field_heap(gen *g, const mc_field *f)
{
    bool rep = f->label == MC_L_REPEATED;
    switch (f->kind) {
    case MC_T_STRING:
    case MC_T_BYTES:
        return rep ? !(f->max.set && f->max_len.set) : !f->max.set;
    case MC_T_MESSAGE:
        return !mc_field_is_inline_message(f) || message_heap(g, f->msg_type);
    default:
        return rep && !f->max.set;
    }
}

static bool
message_heap(gen *g, const mc_message *m)
{
    msg_facts *mf;
    for (mf = g->facts; mf; mf = mf->next)
        if (mf->m == m)
            break;
    if (!mf) {
        mf = mc_arena_alloc(g->a, sizeof *mf);
        mf->m = m;
        mf->next = g->facts;
        g->facts = mf;
    }
    /* Sema refused cycles of inline fields, so a message met again while computing is
     * reached through a pointer, which is a heap part in itself. */
    if (mf->done || mf->computing)
        return mf->done ? mf->heap : true;
    mf->computing = true;
    bool heap = false;
    for (const mc_field *f = m->fields; f && !heap; f = f->next)
        heap = field_heap(g, f);
    mf->heap = heap;
    mf->done = true;
    return heap;
}

/* --- field views --- */

static const char *
label_upper(const mc_field *f)
{
    if (f->oneof)
        return "ONEOF";
    switch (f->label) {
    case MC_L_OPTIONAL:
        return "OPTIONAL";
    case MC_L_REPEATED:
        return "REPEATED";
    default:
        return "NONE";
    }
}

/* The struct member declaration of a field, such as "char host[64]". */
static const char *
field_decl(gen *g, const mc_field *f, const char *cname, const char *indent)
{
    bool rep = f->label == MC_L_REPEATED;
    const char *elem;
    int64_t n = f->max.value, l = f->max_len.value;
    switch (f->kind) {
    case MC_T_STRING:
        if (!rep)
            return f->max.set ? mc_arena_printf(g->a, "char %s[%" PRId64 "]", cname, n + 1)
                              : mc_arena_printf(g->a, "char *%s", cname);
        if (!f->max.set)
            return mc_arena_printf(g->a, "char **%s", cname);
        if (f->max_len.set)
            return mc_arena_printf(g->a, "char %s[%" PRId64 "][%" PRId64 "]", cname, n, l + 1);
        return mc_arena_printf(g->a, "char *%s[%" PRId64 "]", cname, n);
    case MC_T_BYTES:
        if (!rep)
            return f->max.set ? mc_arena_printf(g->a,
                                                "struct {\n%s    size_t len;\n%s    uint8_t "
                                                "data[%" PRId64 "];\n%s} %s",
                                                indent, indent, n, indent, cname)
                              : mc_arena_printf(g->a, "msgc_bytes %s", cname);
        if (!f->max.set)
            return mc_arena_printf(g->a, "msgc_bytes *%s", cname);
        if (f->max_len.set)
            return mc_arena_printf(g->a,
                                   "struct {\n%s    size_t len;\n%s    uint8_t data[%" PRId64
                                   "];\n%s} %s[%" PRId64 "]",
                                   indent, indent, l, indent, cname, n);
        return mc_arena_printf(g->a, "msgc_bytes %s[%" PRId64 "]", cname, n);
    case MC_T_MESSAGE:
        elem = f->msg_type->c_name;
        if (rep)
            return f->max.set ? mc_arena_printf(g->a, "%s %s[%" PRId64 "]", elem, cname, n)
                              : mc_arena_printf(g->a, "%s *%s", elem, cname);
        if (f->label == MC_L_OPTIONAL && !f->oneof)
            return mc_arena_printf(g->a, "%s *%s", elem, cname);
        return mc_arena_printf(g->a, "%s %s", elem, cname);
    case MC_T_ENUM:
        elem = f->enum_type->c_name;
        break;
    default:
        elem = scalar_of(f->kind).ctype;
        break;
    }
    if (!rep)
        return mc_arena_printf(g->a, "%s %s", elem, cname);
    return f->max.set ? mc_arena_printf(g->a, "%s %s[%" PRId64 "]", elem, cname, n)
                      : mc_arena_printf(g->a, "%s *%s", elem, cname);
}

static const char *
shape_of(const mc_field *f)
{
    bool rep = f->label == MC_L_REPEATED;
    switch (f->kind) {
    case MC_T_STRING:
        return rep ? "s_rstring" : "s_string";
    case MC_T_BYTES:
        return rep ? "s_rbytes" : "s_bytes";
    case MC_T_MESSAGE:
        return rep ? "s_rmessage" : "s_message";
    default:
        return rep ? "s_packed" : "s_scalar";
    }
}

static const char *const shapes[] = {"s_scalar", "s_packed", "s_string", "s_bytes",
                                     "s_rstring", "s_rbytes", "s_message", "s_rmessage"};

/* When a singular field is written: its presence, or for proto3 scalars a non-zero
 * value (bit pattern, for floats, so -0.0 travels). */
static const char *
present_expr(gen *g, const mc_field *f, const char *val, const char *case_name)
{
    if (f->oneof)
        return mc_arena_printf(g->a, "m->%s_case == %s", f->oneof->name, case_name);
    if (mc_field_has_flag(f))
        return mc_arena_printf(g->a, "m->has_%s", f->name);
    if (f->kind == MC_T_MESSAGE)
        return mc_arena_printf(g->a, "%s != NULL", val);
    switch (f->kind) {
    case MC_T_FLOAT:
        return mc_arena_printf(g->a, "msgc__float_bits(%s) != 0", val);
    case MC_T_DOUBLE:
        return mc_arena_printf(g->a, "msgc__double_bits(%s) != 0", val);
    case MC_T_BOOL:
        return val;
    case MC_T_STRING:
        return f->max.set ? mc_arena_printf(g->a, "%s[0] != '\\0'", val)
                          : mc_arena_printf(g->a, "%s != NULL && %s[0] != '\\0'", val, val);
    case MC_T_BYTES:
        return f->max.set ? mc_arena_printf(g->a, "%s.len != 0", val)
                          : mc_arena_printf(g->a, "%s.data != NULL && %s.len != 0", val, val);
    default:
        return mc_arena_printf(g->a, "%s != 0", val);
    }
}

/* The C names of a oneof's case type and constants: "p_M_u_case", "p_M_u_text". */
static const char *
oneof_name(gen *g, const mc_message *m, const mc_oneof *u, const char *suffix)
{
    return mc_c_join(g->a, mc_arena_printf(g->a, "%s_%s", m->c_name, u->name), suffix);
}

static void
fill_field(gen *g, mc_view *v, const mc_message *m, const mc_field *f, const char *indent)
{
    mc_arena *a = g->a;
    bool rep = f->label == MC_L_REPEATED;
    bool ptr = f->kind == MC_T_MESSAGE && f->label == MC_L_OPTIONAL && !f->oneof;
    const char *cname = mc_c_ident(a, f->name);
    const char *oneof = f->oneof ? mc_c_ident(a, f->oneof->name) : "";
    const char *member = f->oneof ? mc_arena_printf(a, "%s.%s", oneof, cname) : cname;
    const char *val = mc_arena_printf(a, "m->%s", member);
    const char *case_name = f->oneof ? oneof_name(g, m, f->oneof, f->name) : "";
    scalar_info si = scalar_of(f->kind);
    int64_t n = f->max.value, l = f->max_len.value;

    mc_view_set(v, "name", f->name);
    mc_view_set(v, "cname", cname);
    mc_view_setf(v, "number", "%" PRId64, f->number);
    mc_view_set(v, "doc", format_doc(g, f->doc, indent));
    mc_view_set(v, "decl", field_decl(g, f, cname, indent));
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++)
        mc_view_set_bool(v, shapes[i], strcmp(shapes[i], shape_of(f)) == 0);
    mc_view_set_bool(v, "repeated", rep);
    mc_view_set_bool(v, "bounded", f->max.set);
    mc_view_set_bool(v, "elem_inline", rep && f->max.set && f->max_len.set);
    mc_view_set_bool(v, "ptr", ptr);
    mc_view_set_bool(v, "in_oneof", f->oneof != NULL);
    mc_view_set_bool(v, "has_flag", mc_field_has_flag(f));
    mc_view_setf(v, "has_member", "has_%s", f->name);
    mc_view_setf(v, "count_member", "%s_count", f->name);
    mc_view_set(v, "case_member", f->oneof ? mc_arena_printf(a, "%s_case", f->oneof->name) : "");
    mc_view_set_bool(v, "heap", field_heap(g, f));
    mc_view_set(v, "case_name", case_name);
    mc_view_set(v, "clear_fn",
                f->oneof ? mc_arena_printf(a, "%s__clear_%s", m->c_name, oneof) : "");
    mc_view_set(v, "val", val);
    mc_view_set(v, "ref", ptr ? val : mc_arena_printf(a, "&%s", val));
    mc_view_set(v, "present", rep ? "" : present_expr(g, f, val, case_name));
    mc_view_set(v, "wt", si.wt ? si.wt : "");
    mc_view_set(v, "ctype", si.ctype ? si.ctype : "");
    mc_view_set(v, "cast",
                f->kind == MC_T_ENUM ? mc_arena_printf(a, "(%s)", f->enum_type->c_name) : "");
    mc_view_set(v, "arr",
                f->kind == MC_T_ENUM ? mc_arena_printf(a, "(const int32_t *)%s", val) : val);
    const char *count = mc_arena_printf(a, "m->%s_count", f->name);
    const char *clamped =
        f->max.set ? mc_arena_printf(a, "(%s < %" PRId64 "u ? %s : %" PRId64 "u)", count, n,
                                     count, n)
                   : count;
    mc_view_set(v, "count", count);
    mc_view_set(v, "count_clamped", clamped);
    bool slots = (f->kind == MC_T_STRING || f->kind == MC_T_BYTES) && f->max.set;
    mc_view_set(v, "free_count", slots ? mc_arena_printf(a, "%" PRId64 "u", n) : clamped);
    /* A repeated scalar's tag is that of one unpacked element; ptag is the packed one. */
    uint64_t tag = (uint64_t)f->number << 3 | si.wire;
    mc_view_setf(v, "tag", "0x%" PRIx64 "u", tag);
    mc_view_setf(v, "ptag", "0x%" PRIx64 "u", (uint64_t)f->number << 3 | 2);
    mc_view_setf(v, "tag_len", "%u", mc_varint_size(tag));
    mc_view_set_bool(v, "fixed", si.wire == 1 || si.wire == 5);
    mc_view_setf(v, "fixed_size", "%u", si.wire == 1 ? 8u : 4u);
    mc_view_setf(v, "max", "%" PRId64, f->max.set ? n : 0);
    mc_view_setf(v, "max_len", "%" PRId64, f->max_len.set ? l : 0);
    mc_view_setf(v, "cap", "%" PRId64, n + 1);
    mc_view_setf(v, "elem_cap", "%" PRId64, l + 1);
    mc_view_set(v, "len", f->max.set ? mc_arena_printf(a, "msgc__strnlen(%s, %" PRId64 ")", val, n + 1)
                                     : mc_arena_printf(a, "(%s ? strlen(%s) : 0)", val, val));
    mc_view_set(v, "elem_len",
                f->max_len.set
                    ? mc_arena_printf(a, "msgc__strnlen(%s[i], %" PRId64 ")", val, l + 1)
                    : mc_arena_printf(a, "(%s[i] ? strlen(%s[i]) : 0)", val, val));
    /* Sizes of bounded bytes count at most one byte past the bound: the writer refuses
     * such a value, and a wild length cannot make the size wrap. */
    /* Unbounded bytes with NULL data are empty, whatever len says. */
    mc_view_set(v, "bytes_len",
                f->max.set ? mc_arena_printf(a, "(%s.len <= %" PRId64 "u ? %s.len : %" PRId64 "u)",
                                             val, n, val, n + 1)
                           : mc_arena_printf(a, "(%s.data ? %s.len : 0)", val, val));
    mc_view_set(v, "elem_bytes_len",
                f->max_len.set
                    ? mc_arena_printf(a, "(%s[i].len <= %" PRId64 "u ? %s[i].len : %" PRId64 "u)",
                                      val, l, val, l + 1)
                    : mc_arena_printf(a, "(%s[i].data ? %s[i].len : 0)", val, val));
    mc_view_set(v, "wlen", f->max.set ? mc_arena_printf(a, "%s.len", val)
                                      : mc_arena_printf(a, "(%s.data ? %s.len : 0)", val, val));
    mc_view_set(v, "elem_wlen", f->max_len.set
                                    ? mc_arena_printf(a, "%s[i].len", val)
                                    : mc_arena_printf(a, "(%s[i].data ? %s[i].len : 0)", val, val));
    mc_view_set(v, "sub", f->kind == MC_T_MESSAGE ? f->msg_type->c_name : "");
    mc_view_set_bool(v, "sub_heap", f->kind == MC_T_MESSAGE && message_heap(g, f->msg_type));
    /* The descriptor entry. */
    mc_view_set(v, "type_upper", si.upper);
    mc_view_set(v, "label_upper", label_upper(f));
    bool tracked = f->oneof || rep || mc_field_has_flag(f);
    unsigned flags = (f->max.set ? 1u : 0u) | (ptr ? 2u : 0u) | (f->max_len.set ? 4u : 0u) |
                     (tracked ? 8u : 0u);
    mc_view_setf(v, "flags", "%uu", flags);
    mc_view_set(v, "member", member);
    const char *presence = "0";
    if (f->oneof)
        presence = mc_arena_printf(a, "offsetof(%s, %s_case)", m->c_name, f->oneof->name);
    else if (rep)
        presence = mc_arena_printf(a, "offsetof(%s, %s_count)", m->c_name, f->name);
    else if (mc_field_has_flag(f))
        presence = mc_arena_printf(a, "offsetof(%s, has_%s)", m->c_name, f->name);
    mc_view_set(v, "presence_offset", presence);
    mc_view_set(v, "sub_desc",
                f->kind == MC_T_MESSAGE ? mc_arena_printf(a, "&%s_desc", f->msg_type->c_name)
                                        : "NULL");
    mc_view_set(v, "enum_desc",
                f->kind == MC_T_ENUM ? mc_arena_printf(a, "&%s_desc", f->enum_type->c_name)
                                     : "NULL");
}

static int
cmp_field_number(const void *x, const void *y)
{
    const mc_field *a = *(const mc_field *const *)x, *b = *(const mc_field *const *)y;
    return (a->number > b->number) - (a->number < b->number);
}

static void
fill_message(gen *g, mc_view *v, const mc_message *m)
{
    mc_arena *a = g->a;
    size_t nf = 0;
    for (const mc_field *f = m->fields; f; f = f->next)
        nf++;
    const mc_field **sorted = mc_arena_alloc(a, (nf ? nf : 1) * sizeof *sorted);
    nf = 0;
    for (const mc_field *f = m->fields; f; f = f->next)
        sorted[nf++] = f;
    qsort(sorted, nf, sizeof *sorted, cmp_field_number);

    mc_view_set(v, "name", m->name);
    mc_view_set(v, "c_name", m->c_name);
    mc_view_set(v, "full_name", m->full_name);
    mc_view_set(v, "doc", format_doc(g, m->doc, ""));
    mc_view_setf(v, "type_id", "%016" PRIx64, mc_fnv1a64(m->full_name));
    mc_view_set_bool(v, "bounded", m->bounded);
    mc_view_setf(v, "max_size", "%" PRIu64, m->bounded ? m->max_size : 0);
    mc_view_setf(v, "n_fields", "%zu", nf);
    mc_view_set(v, "fields_ptr", nf ? mc_arena_printf(a, "%s__fields", m->c_name) : "NULL");

    mc_buf summary = {0};
    for (const mc_field *f = m->fields; f; f = f->next)
        mc_buf_printf(&summary, "%s%s(%" PRId64 ")", f == m->fields ? "" : " ", f->name,
                      f->number);
    mc_view_set(v, "summary", summary.len ? summary.data : "no fields");
    mc_buf_free(&summary);

    mc_view_set_list(v, "fields");
    mc_view_set_list(v, "by_number");
    mc_view_set_list(v, "members");
    mc_view_set_list(v, "oneofs");
    for (const mc_field *f = m->fields; f; f = f->next)
        fill_field(g, mc_view_add(v, "fields"), m, f, "    ");
    for (size_t i = 0; i < nf; i++)
        fill_field(g, mc_view_add(v, "by_number"), m, sorted[i], "    ");
    for (const mc_member *mb = m->members; mb; mb = mb->next) {
        mc_view *it = mc_view_add(v, "members");
        mc_view_set_bool(it, "is_oneof", mb->kind == MC_M_ONEOF);
        if (mb->kind == MC_M_FIELD) {
            fill_field(g, it, m, mb->field, "    ");
            continue;
        }
        const mc_oneof *u = mb->oneof;
        mc_view_set(it, "doc", format_doc(g, u->doc, "    "));
        mc_view_set(it, "cname", mc_c_ident(a, u->name));
        mc_view_setf(it, "case_member", "%s_case", u->name);
        mc_view_set(it, "case_type", oneof_name(g, m, u, "case"));
        mc_view_set_list(it, "union_fields");
        for (const mc_field *f = u->members; f; f = f->next_in_oneof)
            fill_field(g, mc_view_add(it, "union_fields"), m, f, "        ");
    }
    for (const mc_oneof *u = m->oneofs; u; u = u->next) {
        mc_view *it = mc_view_add(v, "oneofs");
        mc_view_set(it, "name", u->name);
        mc_view_set(it, "cname", mc_c_ident(a, u->name));
        mc_view_setf(it, "case_member", "%s_case", u->name);
        mc_view_set(it, "case_type", oneof_name(g, m, u, "case"));
        mc_view_set(it, "none", oneof_name(g, m, u, "NONE"));
        mc_view_set(it, "clear_fn", mc_arena_printf(a, "%s__clear_%s", m->c_name,
                                                    mc_c_ident(a, u->name)));
        mc_view_set_list(it, "cases");
        for (const mc_field *f = u->members; f; f = f->next_in_oneof)
            fill_field(g, mc_view_add(it, "cases"), m, f, "        ");
    }
}

/* --- ordering: a struct is defined after the structs it holds inline --- */

typedef struct msg_list {
    const mc_message **items;
    size_t n, cap;
} msg_list;

static void
list_push(gen *g, msg_list *l, const mc_message *m)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        const mc_message **items = mc_arena_alloc(g->a, cap * sizeof *items);
        if (l->n)
            memcpy(items, l->items, l->n * sizeof *items);
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = m;
}

static bool
list_has(const msg_list *l, const mc_message *m)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i] == m)
            return true;
    return false;
}

static void
order_message(gen *g, msg_list *out, const mc_message *m, const mc_file *file)
{
    if (list_has(out, m) || m->file != file)
        return;
    for (const mc_field *f = m->fields; f; f = f->next)
        if (f->kind == MC_T_MESSAGE && mc_field_is_inline_message(f) && f->msg_type != m)
            order_message(g, out, f->msg_type, file);
    if (!list_has(out, m))
        list_push(g, out, m);
}

static void
order_tree(gen *g, msg_list *out, const mc_message *m, const mc_file *file)
{
    for (; m; m = m->next) {
        order_message(g, out, m, file);
        order_tree(g, out, m->nested, file);
    }
}

/* --- enums, consts, services --- */

static void
fill_enum(gen *g, mc_view *v, const mc_enum *e)
{
    size_t n = 0;
    mc_view_set(v, "c_name", e->c_name);
    mc_view_set(v, "full_name", e->full_name);
    mc_view_set(v, "doc", format_doc(g, e->doc, ""));
    mc_view_set_list(v, "values");
    for (const mc_enum_value *ev = e->values; ev; ev = ev->next, n++) {
        mc_view *it = mc_view_add(v, "values");
        mc_view_set(it, "name", ev->name);
        mc_view_set(it, "c_name", mc_c_join(g->a, e->c_name, ev->name));
        mc_view_set(it, "number", int_literal(g, ev->number));
        mc_view_set(it, "doc", format_doc(g, ev->doc, "    "));
    }
    mc_view_setf(v, "n_values", "%zu", n);
}

static void
enums_of_messages(gen *g, mc_view *root, const mc_message *m)
{
    for (; m; m = m->next) {
        for (const mc_enum *e = m->enums; e; e = e->next)
            fill_enum(g, mc_view_add(root, "enums"), e);
        enums_of_messages(g, root, m->nested);
    }
}

static void
fill_service(gen *g, mc_view *v, const mc_service *s, const char *package)
{
    mc_arena *a = g->a;
    const char *full = package ? mc_arena_printf(a, "%s.%s", package, s->name) : s->name;
    size_t n = 0;
    mc_view_set(v, "c_name", s->c_name);
    mc_view_set(v, "full_name", full);
    mc_view_set(v, "doc", format_doc(g, s->doc, ""));
    mc_view_set_list(v, "methods");
    for (const mc_method *me = s->methods; me; me = me->next, n++) {
        mc_view *it = mc_view_add(v, "methods");
        mc_view_set(it, "name", mc_c_ident(a, me->name));
        mc_view_set(it, "service", s->c_name);
        mc_view_setf(it, "index", "%zu", n);
        mc_view_set(it, "doc", format_doc(g, me->doc, ""));
        mc_view_set_bool(it, "oneway", me->kind == MC_ONEWAY);
        mc_view_set(it, "oneway_value", me->kind == MC_ONEWAY ? "true" : "false");
        mc_view_set(it, "req", me->req->c_name);
        mc_view_set(it, "rep", me->rep ? me->rep->c_name : "");
        mc_view_set(it, "rep_desc", me->rep ? mc_arena_printf(a, "&%s_desc", me->rep->c_name)
                                            : "NULL");
        mc_view_setf(it, "id", "%016" PRIx64,
                     mc_fnv1a64(mc_arena_printf(a, "%s/%s", full, me->name)));
    }
    mc_view_setf(v, "n_methods", "%zu", n);
    mc_view_set(v, "methods_ptr", n ? mc_arena_printf(a, "%s__methods", s->c_name) : "NULL");
}

static const char *
guard_of(gen *g, const char *rel)
{
    /* The hash keeps "a_b.msg" and "a/b.msg" apart, which the spelling alone cannot. */
    char *s = mc_arena_printf(g->a, "MSGC_GEN_%s_%08" PRIx32 "_H", rel,
                              (uint32_t)mc_fnv1a64(rel));
    for (char *p = s; *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
        else if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            *p = '_';
    }
    return s;
}

static const char *
basename_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static mc_view *
file_view(gen *g, const mc_file *file)
{
    mc_arena *a = g->a;
    mc_view *root = mc_view_new(a);
    mc_view_set(root, "version", MC_VERSION);
    mc_view_set(root, "schema", file->rel);
    mc_view_set(root, "guard", guard_of(g, file->rel));
    mc_view_set(root, "own_header", mc_arena_printf(a, "%s.h", basename_of(file->rel)));
    /* The file's doc stands alone: without the newline that leads into a declaration. */
    char *file_doc = mc_arena_strdup(a, format_doc(g, file->doc, ""));
    if (*file_doc)
        file_doc[strlen(file_doc) - 1] = '\0';
    mc_view_set(root, "file_doc", file_doc);
    mc_view_set_bool(root, "stubs", !g->o->no_stubs);
    mc_view_set_list(root, "imports");
    for (const mc_import *im = file->imports; im; im = im->next)
        mc_view_setf(mc_view_add(root, "imports"), "header", "%s.h", im->file->rel);
    mc_view_set_list(root, "consts");
    for (const mc_const *c = file->consts; c; c = c->next) {
        mc_view *it = mc_view_add(root, "consts");
        mc_view_set(it, "c_name",
                    mc_c_ident(a, mc_arena_printf(a, "%s%s", mc_c_prefix(a, file->package), c->name)));
        mc_view_set(it, "value", int_literal(g, c->value));
        mc_view_set(it, "doc", format_doc(g, c->doc, ""));
    }
    mc_view_set_list(root, "enums");
    for (const mc_enum *e = file->enums; e; e = e->next)
        fill_enum(g, mc_view_add(root, "enums"), e);
    enums_of_messages(g, root, file->messages);
    msg_list order = {0};
    order_tree(g, &order, file->messages, file);
    mc_view_set_list(root, "messages");
    for (size_t i = 0; i < order.n; i++)
        fill_message(g, mc_view_add(root, "messages"), order.items[i]);
    mc_view_set_list(root, "services");
    for (const mc_service *s = file->services; s; s = s->next)
        fill_service(g, mc_view_add(root, "services"), s, file->package);
    return root;
}

/* --- templates and output --- */

static int
load_template(gen *g, const char *name, const char **text)
{
    size_t len;
    if (!g->o->templates_dir) {
        *text = mc_builtin_template_find(name, &len);
        if (!*text)
            mc_panic("built-in template %s missing", name);
        return 0;
    }
    const char *path = mc_arena_printf(g->a, "%s/%s", g->o->templates_dir, name);
    char *data;
    int err = g->io->read_file(g->io->ctx, path, &data, &len);
    if (err) {
        mc_diag_fatal(g->d, "cannot read template %s: %s", path, strerror(err));
        return -1;
    }
    *text = mc_arena_strndup(g->a, data, len);
    free(data);
    return 0;
}

static const char *
out_path(gen *g, const char *rel, const char *suffix)
{
    const char *dir = g->o->out_dir ? g->o->out_dir : ".";
    return mc_arena_printf(g->a, "%s/%s%s", dir, rel, suffix);
}

static int
write_out(gen *g, const char *path, const char *data, size_t len)
{
    int err = g->io->write_file(g->io->ctx, path, data, len);
    if (err) {
        mc_diag_fatal(g->d, "cannot write %s: %s", path, strerror(err));
        return -1;
    }
    return 0;
}

static int
render_to(gen *g, const char *tmpl_name, const mc_view *view, const char *path)
{
    const char *text;
    if (load_template(g, tmpl_name, &text) != 0)
        return -1;
    mc_buf out = {0}, wrapped = {0};
    char err[256];
    int rc = mc_tmpl_render(tmpl_name, text, view, &out, err, sizeof err);
    if (rc != 0) {
        mc_diag_fatal(g->d, "template error: %s", err);
    } else {
        mc_wrap_c(out.data ? out.data : "", out.len, MC_WRAP_COLUMNS, &wrapped);
        rc = write_out(g, path, wrapped.data ? wrapped.data : "", wrapped.len);
    }
    mc_buf_free(&out);
    mc_buf_free(&wrapped);
    return rc;
}

static int
gen_file(gen *g, const mc_file *file)
{
    mc_view *view = file_view(g, file);
    if (render_to(g, "msg.h.tmpl", view, out_path(g, file->rel, ".h")) != 0 ||
        render_to(g, "msg.c.tmpl", view, out_path(g, file->rel, ".c")) != 0)
        return -1;
    if (g->o->proto) {
        mc_buf b = {0};
        mc_gen_proto(g->a, file, &b);
        int rc = write_out(g, out_path(g, mc_proto_rel(g->a, file->rel), ""), b.data ? b.data : "",
                           b.len);
        mc_buf_free(&b);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int
write_deps(gen *g, const mc_program *prog)
{
    mc_buf b = {0};
    for (const mc_file *f = prog->files; f; f = f->next) {
        if (!f->generate)
            continue;
        mc_buf_printf(&b, "%s %s", out_path(g, f->rel, ".h"), out_path(g, f->rel, ".c"));
        if (g->o->proto)
            mc_buf_printf(&b, " %s", out_path(g, mc_proto_rel(g->a, f->rel), ""));
        mc_buf_puts(&b, ":");
        for (const mc_file *dep = prog->files; dep; dep = dep->next)
            mc_buf_printf(&b, " %s", dep->path);
        mc_buf_puts(&b, "\n");
    }
    for (const mc_file *dep = prog->files; dep; dep = dep->next)
        mc_buf_printf(&b, "\n%s:\n", dep->path);
    int rc = write_out(g, g->o->deps_file, b.data ? b.data : "", b.len);
    mc_buf_free(&b);
    return rc;
}

int
mc_gen(mc_program *prog, mc_diag *d, const mc_options *o)
{
    gen g = {prog->arena, d, o, o->io ? o->io : &mc_io_posix, NULL};
    for (const mc_file *f = prog->files; f; f = f->next)
        if (f->generate && gen_file(&g, f) != 0)
            return -1;
    if (o->deps_file && write_deps(&g, prog) != 0)
        return -1;
    return 0;
}
