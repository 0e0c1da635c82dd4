/* parser.y - the grammar of .msg schemas (SPEC section 1), building the AST of ast.h.
 *
 * Only what the grammar can see is checked here: integer literals that do not fit
 * int64, duplicate options and package statements, labels on oneof members. Names,
 * numbers and ranges are checked by sema. Every node and string comes from the
 * program's arena, so no semantic value owns heap memory and no %destructor is needed.
 */

%define api.pure full
%define api.prefix {mc_yy}
%define parse.error detailed
%define parse.lac full
%locations
%expect 0
%param {yyscan_t scanner}
%parse-param {mc_parser *p}

%code requires {
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"

typedef void *yyscan_t;

/* The value of every token: text for identifiers, strings and integers, the number of
 * an integer, the kind of a scalar type name, and the /// doc comment that preceded
 * the token (NULL when none). */
typedef struct mc_tok {
    const char *text;
    uint64_t num;
    bool overflow; /* the literal does not fit 64 bits */
    mc_type_kind kind;
    const char *doc;
} mc_tok;

/* A dotted name under construction: its parts, joined once when it is complete. */
typedef struct mc_name_part {
    const char *text;
    struct mc_name_part *next;
} mc_name_part;

typedef struct mc_name {
    mc_name_part *head, *tail;
    size_t len; /* of the joined text */
    bool absolute; /* written with a leading '.' */
    const char *doc;
} mc_name;

typedef struct mc_int {
    int64_t value;
    mc_loc loc;
} mc_int;

/* A field's label and type, before its name. */
typedef struct mc_ftype {
    mc_label label;
    mc_loc label_loc;
    mc_type_kind kind;
    const char *type_name;
    mc_loc type_loc;
    mc_loc loc;
    const char *doc;
} mc_ftype;

typedef struct mc_opts {
    mc_bound max, max_len;
} mc_opts;

/* An open message (or the file itself when msg is NULL): where its next members go. */
typedef struct mc_frame {
    mc_message *msg;
    mc_field **field_tail;
    mc_member **member_tail;
    mc_oneof **oneof_tail;
    mc_reserved **reserved_tail;
    mc_message **message_tail;
    mc_enum **enum_tail;
    struct mc_frame *up;
} mc_frame;

/* The state shared by the lexer (as its extra data) and the parser. */
typedef struct mc_parser {
    mc_arena *arena;
    mc_diag *diag;
    mc_file *file;
    const char *path;
    /* lexer position, 1-based */
    int line, col;
    mc_loc comment_loc; /* of the open block comment */
    /* the /// lines not yet handed to a token (malloc'd) */
    char *doc;
    size_t doc_len, doc_cap;
    bool doc_pending;
    int doc_last_line;
    /* where the parser puts what it builds */
    mc_frame *frame;
    mc_import **import_tail;
    mc_const **const_tail;
    mc_service **service_tail;
    mc_enum *cur_enum;
    mc_enum_value **value_tail;
    mc_service *cur_service;
    mc_method **method_tail;
    mc_oneof *cur_oneof;
    mc_field **oneof_member_tail;
} mc_parser;
}

%code provides {
#define YY_DECL \
    int mc_yylex(MC_YYSTYPE *yylval_param, MC_YYLTYPE *yylloc_param, yyscan_t yyscanner)
YY_DECL;
}

%code {
#include <string.h>

static void mc_yyerror(MC_YYLTYPE *lloc, yyscan_t scanner, mc_parser *p, const char *msg);

#define LOC(l) ((mc_loc){p->path, (l).first_line, (l).first_column})

static mc_name name_start(mc_parser *p, const mc_tok *t);
static void name_append(mc_parser *p, mc_name *n, const mc_tok *t);
static const char *name_join(mc_parser *p, const mc_name *n);
static mc_int int_literal(mc_parser *p, const mc_tok *t, bool negative, mc_loc loc);
static void opts_merge(mc_parser *p, mc_opts *into, const mc_opts *from);
static void message_open(mc_parser *p, const mc_tok *name, mc_loc loc, const char *doc);
static void message_close(mc_parser *p);
static mc_field *field_new(mc_parser *p, const mc_ftype *t, const mc_tok *name, mc_loc name_loc,
                           const mc_int *number, const mc_opts *opts);
static void field_add(mc_parser *p, mc_field *f);
static void oneof_member_add(mc_parser *p, mc_field *f);
static void oneof_open(mc_parser *p, const mc_tok *name, mc_loc loc, const char *doc);
static void reserved_add(mc_parser *p, mc_reserved_kind kind, int64_t lo, int64_t hi,
                         const char *name, mc_loc loc);
static void enum_open(mc_parser *p, const mc_tok *name, mc_loc loc, const char *doc);
static void enum_value_add(mc_parser *p, const mc_tok *name, mc_loc loc, const mc_int *num);
static void service_open(mc_parser *p, const mc_tok *name, mc_loc loc, const char *doc);
static void method_add(mc_parser *p, mc_method_kind kind, const mc_tok *kw, const mc_tok *name,
                       mc_loc loc, const mc_name *req, mc_loc req_loc, const mc_name *rep,
                       mc_loc rep_loc);
static void package_set(mc_parser *p, const mc_tok *kw, const mc_name *name, mc_loc loc);
static void import_add(mc_parser *p, const mc_tok *path, mc_loc loc);
static void const_add(mc_parser *p, const mc_tok *kw, const mc_tok *name, mc_loc loc,
                      const mc_int *value);
}

%union {
    mc_tok tok;
    mc_name name;
    mc_int num;
    mc_ftype ftype;
    mc_opts opts;
    mc_bound bound;
}

%token <tok> IDENT "identifier"
%token <tok> INT "integer"
%token <tok> STRING "string literal"
%token <tok> SCALAR "scalar type"
%token <tok> PACKAGE "'package'"
%token <tok> IMPORT "'import'"
%token <tok> CONST "'const'"
%token <tok> ENUM "'enum'"
%token <tok> MESSAGE "'message'"
%token <tok> SERVICE "'service'"
%token <tok> RPC "'rpc'"
%token <tok> ONEWAY "'oneway'"
%token <tok> RETURNS "'returns'"
%token <tok> REPEATED "'repeated'"
%token <tok> OPTIONAL "'optional'"
%token <tok> ONEOF "'oneof'"
%token <tok> RESERVED "'reserved'"
%token <tok> TO "'to'"
%token <tok> MAX "'max'"
%token <tok> MAX_LEN "'max_len'"
%token <tok> '.' '-'

%type <name> name type_ref
%type <num> int_value
%type <ftype> field_type type
%type <opts> field_opts opt_list opt
%type <bound> opt_value

%%

file
    : %empty
    | file decl
    ;

decl
    : PACKAGE name ';'                  { package_set(p, &$1, &$2, LOC(@2)); }
    | IMPORT STRING ';'                 { import_add(p, &$2, LOC(@2)); }
    | CONST IDENT '=' int_value ';'     { const_add(p, &$1, &$2, LOC(@2), &$4); }
    | enum_decl
    | message_decl
    | service_decl
    | ';'
    | error ';'
    | error '}'
    ;

name
    : IDENT                             { $$ = name_start(p, &$1); }
    | name '.' IDENT                    { $$ = $1; name_append(p, &$$, &$3); }
    ;

type_ref
    : name
    | '.' name                          { $$ = $2; $$.absolute = true; $$.len++; $$.doc = $1.doc; }
    ;

int_value
    : INT                               { $$ = int_literal(p, &$1, false, LOC(@1)); }
    | '-' INT                           { $$ = int_literal(p, &$2, true, LOC(@1)); }
    ;

/* --- messages --- */

message_decl
    : message_head message_body '}'            { message_close(p); }
    | message_head message_body error '}'      { message_close(p); }
    ;

message_head
    : MESSAGE IDENT '{'                 { message_open(p, &$2, LOC(@2), $1.doc); }
    ;

message_body
    : %empty
    | message_body member
    ;

member
    : field
    | oneof_decl
    | RESERVED ranges ';'
    | RESERVED names ';'
    | message_decl
    | enum_decl
    | ';'
    | error ';'
    ;

field
    : field_type IDENT '=' int_value field_opts ';'
        { field_add(p, field_new(p, &$1, &$2, LOC(@2), &$4, &$5)); }
    ;

field_type
    : type
    | REPEATED type
        { $$ = $2; $$.label = MC_L_REPEATED; $$.label_loc = $$.loc = LOC(@1); $$.doc = $1.doc; }
    | OPTIONAL type
        { $$ = $2; $$.label = MC_L_OPTIONAL; $$.label_loc = $$.loc = LOC(@1); $$.doc = $1.doc; }
    ;

type
    : SCALAR
        { $$ = (mc_ftype){.kind = $1.kind, .type_loc = LOC(@1), .loc = LOC(@1), .doc = $1.doc}; }
    | type_ref
        { $$ = (mc_ftype){.type_name = name_join(p, &$1), .type_loc = LOC(@1), .loc = LOC(@1),
                          .doc = $1.doc}; }
    ;

field_opts
    : %empty                            { memset(&$$, 0, sizeof $$); }
    | '[' opt_list ']'                  { $$ = $2; }
    ;

opt_list
    : opt
    | opt_list ',' opt                  { $$ = $1; opts_merge(p, &$$, &$3); }
    ;

opt
    : MAX '=' opt_value
        { memset(&$$, 0, sizeof $$); $$.max = $3; $$.max.loc = LOC(@1); }
    | MAX_LEN '=' opt_value
        { memset(&$$, 0, sizeof $$); $$.max_len = $3; $$.max_len.loc = LOC(@1); }
    | IDENT '=' opt_value
        { memset(&$$, 0, sizeof $$);
          mc_diag_error(p->diag, LOC(@1), "unknown option '%s'", $1.text); }
    ;

opt_value
    : int_value                         { $$ = (mc_bound){.set = true, .value = $1.value}; }
    | type_ref                          { $$ = (mc_bound){.set = true, .const_name = name_join(p, &$1)}; }
    ;

ranges
    : range
    | ranges ',' range
    ;

range
    : int_value                         { reserved_add(p, MC_RES_RANGE, $1.value, $1.value, NULL, $1.loc); }
    | int_value TO int_value            { reserved_add(p, MC_RES_RANGE, $1.value, $3.value, NULL, $1.loc); }
    | int_value TO MAX                  { reserved_add(p, MC_RES_RANGE, $1.value, 536870911, NULL, $1.loc); }
    ;

names
    : STRING                            { reserved_add(p, MC_RES_NAME, 0, 0, $1.text, LOC(@1)); }
    | names ',' STRING                  { reserved_add(p, MC_RES_NAME, 0, 0, $3.text, LOC(@3)); }
    ;

/* --- oneofs --- */

oneof_decl
    : oneof_head oneof_body '}'         { p->cur_oneof = NULL; }
    | oneof_head oneof_body error '}'   { p->cur_oneof = NULL; }
    ;

oneof_head
    : ONEOF IDENT '{'                   { oneof_open(p, &$2, LOC(@2), $1.doc); }
    ;

oneof_body
    : %empty
    | oneof_body oneof_member
    ;

oneof_member
    : field_type IDENT '=' int_value field_opts ';'
        { oneof_member_add(p, field_new(p, &$1, &$2, LOC(@2), &$4, &$5)); }
    | ';'
    | error ';'
    ;

/* --- enums --- */

enum_decl
    : enum_head enum_body '}'           { p->cur_enum = NULL; }
    | enum_head enum_body error '}'     { p->cur_enum = NULL; }
    ;

enum_head
    : ENUM IDENT '{'                    { enum_open(p, &$2, LOC(@2), $1.doc); }
    ;

enum_body
    : %empty
    | enum_body enum_value
    ;

enum_value
    : IDENT '=' int_value ';'           { enum_value_add(p, &$1, LOC(@1), &$3); }
    | ';'
    | error ';'
    ;

/* --- services --- */

service_decl
    : service_head service_body '}'         { p->cur_service = NULL; }
    | service_head service_body error '}'   { p->cur_service = NULL; }
    ;

service_head
    : SERVICE IDENT '{'                 { service_open(p, &$2, LOC(@2), $1.doc); }
    ;

service_body
    : %empty
    | service_body method
    ;

method
    : RPC IDENT '(' type_ref ')' RETURNS '(' type_ref ')' ';'
        { method_add(p, MC_RPC, &$1, &$2, LOC(@2), &$4, LOC(@4), &$8, LOC(@8)); }
    | ONEWAY IDENT '(' type_ref ')' ';'
        { method_add(p, MC_ONEWAY, &$1, &$2, LOC(@2), &$4, LOC(@4), NULL, LOC(@4)); }
    | ';'
    | error ';'
    ;

%%

static void
mc_yyerror(MC_YYLTYPE *lloc, yyscan_t scanner, mc_parser *p, const char *msg)
{
    (void)scanner;
    /* Bison's words when the parser stack reaches YYMAXDEPTH, which only nesting does. */
    if (strcmp(msg, "memory exhausted") == 0)
        msg = "declarations nested too deeply";
    mc_diag_error(p->diag, LOC(*lloc), "%s", msg);
}

/* --- names and literals --- */

static mc_name
name_start(mc_parser *p, const mc_tok *t)
{
    mc_name_part *part = mc_arena_alloc(p->arena, sizeof *part);
    part->text = t->text;
    return (mc_name){.head = part, .tail = part, .len = strlen(t->text), .doc = t->doc};
}

static void
name_append(mc_parser *p, mc_name *n, const mc_tok *t)
{
    mc_name_part *part = mc_arena_alloc(p->arena, sizeof *part);
    part->text = t->text;
    n->tail->next = part;
    n->tail = part;
    n->len += 1 + strlen(t->text);
}

static const char *
name_join(mc_parser *p, const mc_name *n)
{
    char *s = mc_arena_alloc(p->arena, n->len + 1);
    char *d = s;
    if (n->absolute)
        *d++ = '.';
    for (const mc_name_part *part = n->head; part; part = part->next) {
        if (part != n->head)
            *d++ = '.';
        size_t len = strlen(part->text);
        memcpy(d, part->text, len);
        d += len;
    }
    *d = '\0';
    return s;
}

static mc_int
int_literal(mc_parser *p, const mc_tok *t, bool negative, mc_loc loc)
{
    mc_int r = {.value = 0, .loc = loc};
    uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (t->overflow || t->num > limit) {
        mc_diag_error(p->diag, loc, "integer literal %s%s is out of range", negative ? "-" : "",
                      t->text);
        return r;
    }
    if (!negative)
        r.value = (int64_t)t->num;
    else if (t->num == (uint64_t)INT64_MAX + 1)
        r.value = INT64_MIN;
    else
        r.value = -(int64_t)t->num;
    return r;
}

static void
bound_merge(mc_parser *p, mc_bound *into, const mc_bound *from, const char *what)
{
    if (!from->set)
        return;
    if (into->set) {
        mc_diag_error(p->diag, from->loc, "duplicate option '%s'", what);
        mc_diag_note(p->diag, into->loc, "previous '%s' is here", what);
        return;
    }
    *into = *from;
}

static void
opts_merge(mc_parser *p, mc_opts *into, const mc_opts *from)
{
    bound_merge(p, &into->max, &from->max, "max");
    bound_merge(p, &into->max_len, &from->max_len, "max_len");
}

/* --- messages and fields --- */

static void
message_open(mc_parser *p, const mc_tok *name, mc_loc loc, const char *doc)
{
    mc_message *m = mc_arena_alloc(p->arena, sizeof *m);
    m->loc = loc;
    m->name = name->text;
    m->doc = doc;
    m->parent = p->frame->msg;
    m->file = p->file;
    *p->frame->message_tail = m;
    p->frame->message_tail = &m->next;

    mc_frame *f = mc_arena_alloc(p->arena, sizeof *f);
    f->msg = m;
    f->field_tail = &m->fields;
    f->member_tail = &m->members;
    f->oneof_tail = &m->oneofs;
    f->reserved_tail = &m->reserved;
    f->message_tail = &m->nested;
    f->enum_tail = &m->enums;
    f->up = p->frame;
    p->frame = f;
}

static void
message_close(mc_parser *p)
{
    p->frame = p->frame->up;
}

static mc_field *
field_new(mc_parser *p, const mc_ftype *t, const mc_tok *name, mc_loc name_loc,
          const mc_int *number, const mc_opts *opts)
{
    mc_field *f = mc_arena_alloc(p->arena, sizeof *f);
    f->loc = t->loc;
    f->name = name->text;
    f->name_loc = name_loc;
    f->number = number->value;
    f->number_loc = number->loc;
    f->label = t->label;
    f->kind = t->kind;
    f->type_name = t->type_name;
    f->type_loc = t->type_loc;
    f->max = opts->max;
    f->max_len = opts->max_len;
    f->doc = t->doc;
    f->owner = p->frame->msg;
    return f;
}

static void
member_add(mc_parser *p, mc_member_kind kind, mc_field *f, mc_oneof *o)
{
    mc_member *m = mc_arena_alloc(p->arena, sizeof *m);
    m->kind = kind;
    m->field = f;
    m->oneof = o;
    *p->frame->member_tail = m;
    p->frame->member_tail = &m->next;
}

static void
field_append(mc_parser *p, mc_field *f)
{
    *p->frame->field_tail = f;
    p->frame->field_tail = &f->next;
}

static void
field_add(mc_parser *p, mc_field *f)
{
    field_append(p, f);
    member_add(p, MC_M_FIELD, f, NULL);
}

static void
oneof_open(mc_parser *p, const mc_tok *name, mc_loc loc, const char *doc)
{
    mc_oneof *o = mc_arena_alloc(p->arena, sizeof *o);
    o->loc = loc;
    o->name = name->text;
    o->doc = doc;
    o->owner = p->frame->msg;
    *p->frame->oneof_tail = o;
    p->frame->oneof_tail = &o->next;
    member_add(p, MC_M_ONEOF, NULL, o);
    p->cur_oneof = o;
    p->oneof_member_tail = &o->members;
}

static void
oneof_member_add(mc_parser *p, mc_field *f)
{
    if (f->label != MC_L_NONE) {
        mc_diag_error(p->diag, f->loc, "a oneof member cannot be %s",
                      f->label == MC_L_REPEATED ? "repeated" : "optional");
        f->label = MC_L_NONE;
    }
    f->oneof = p->cur_oneof;
    field_append(p, f);
    *p->oneof_member_tail = f;
    p->oneof_member_tail = &f->next_in_oneof;
}

static void
reserved_add(mc_parser *p, mc_reserved_kind kind, int64_t lo, int64_t hi, const char *name,
             mc_loc loc)
{
    mc_reserved *r = mc_arena_alloc(p->arena, sizeof *r);
    r->loc = loc;
    r->kind = kind;
    r->lo = lo;
    r->hi = hi;
    r->name = name;
    *p->frame->reserved_tail = r;
    p->frame->reserved_tail = &r->next;
}

/* --- enums --- */

static void
enum_open(mc_parser *p, const mc_tok *name, mc_loc loc, const char *doc)
{
    mc_enum *e = mc_arena_alloc(p->arena, sizeof *e);
    e->loc = loc;
    e->name = name->text;
    e->doc = doc;
    e->parent = p->frame->msg;
    e->file = p->file;
    *p->frame->enum_tail = e;
    p->frame->enum_tail = &e->next;
    p->cur_enum = e;
    p->value_tail = &e->values;
}

static void
enum_value_add(mc_parser *p, const mc_tok *name, mc_loc loc, const mc_int *num)
{
    mc_enum_value *v = mc_arena_alloc(p->arena, sizeof *v);
    v->loc = loc;
    v->name = name->text;
    v->number = num->value;
    v->number_loc = num->loc;
    v->doc = name->doc;
    *p->value_tail = v;
    p->value_tail = &v->next;
}

/* --- services --- */

static void
service_open(mc_parser *p, const mc_tok *name, mc_loc loc, const char *doc)
{
    mc_service *s = mc_arena_alloc(p->arena, sizeof *s);
    s->loc = loc;
    s->name = name->text;
    s->doc = doc;
    s->file = p->file;
    *p->service_tail = s;
    p->service_tail = &s->next;
    p->cur_service = s;
    p->method_tail = &s->methods;
}

static void
method_add(mc_parser *p, mc_method_kind kind, const mc_tok *kw, const mc_tok *name, mc_loc loc,
           const mc_name *req, mc_loc req_loc, const mc_name *rep, mc_loc rep_loc)
{
    mc_method *m = mc_arena_alloc(p->arena, sizeof *m);
    m->loc = loc;
    m->name = name->text;
    m->doc = kw->doc;
    m->kind = kind;
    m->req_name = name_join(p, req);
    m->req_loc = req_loc;
    if (rep) {
        m->rep_name = name_join(p, rep);
        m->rep_loc = rep_loc;
    }
    *p->method_tail = m;
    p->method_tail = &m->next;
}

/* --- file level --- */

static void
package_set(mc_parser *p, const mc_tok *kw, const mc_name *name, mc_loc loc)
{
    if (p->file->package) {
        mc_diag_error(p->diag, loc, "duplicate package statement");
        mc_diag_note(p->diag, p->file->package_loc, "previous package statement is here");
        return;
    }
    p->file->package = name_join(p, name);
    p->file->package_loc = loc;
    p->file->doc = kw->doc;
}

static void
import_add(mc_parser *p, const mc_tok *path, mc_loc loc)
{
    mc_import *imp = mc_arena_alloc(p->arena, sizeof *imp);
    imp->loc = loc;
    imp->path = path->text;
    *p->import_tail = imp;
    p->import_tail = &imp->next;
}

static void
const_add(mc_parser *p, const mc_tok *kw, const mc_tok *name, mc_loc loc, const mc_int *value)
{
    mc_const *c = mc_arena_alloc(p->arena, sizeof *c);
    c->loc = loc;
    c->name = name->text;
    c->value = value->value;
    c->doc = kw->doc;
    *p->const_tail = c;
    p->const_tail = &c->next;
}
