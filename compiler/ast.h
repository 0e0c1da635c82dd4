/* ast.h - the syntax tree of .msg schemas.
 *
 * The parser builds it (every node and string lives in the program's arena), sema
 * resolves names and fills the "resolved" members, gen reads it. Lists are singly
 * linked through `next` in declaration order.
 */
#ifndef MC_AST_H
#define MC_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

/* A place in a schema: file is the path the schema was opened by (for diagnostics). */
typedef struct mc_loc {
    const char *file;
    int line; /* 1-based */
    int col;  /* 1-based, in bytes */
} mc_loc;

typedef enum mc_type_kind {
    MC_T_NONE = 0, /* a named type not yet resolved (type_name holds it) */
    MC_T_BOOL,
    MC_T_INT32,
    MC_T_INT64,
    MC_T_UINT32,
    MC_T_UINT64,
    MC_T_SINT32,
    MC_T_SINT64,
    MC_T_FIXED32,
    MC_T_FIXED64,
    MC_T_SFIXED32,
    MC_T_SFIXED64,
    MC_T_FLOAT,
    MC_T_DOUBLE,
    MC_T_STRING,
    MC_T_BYTES,
    MC_T_ENUM,
    MC_T_MESSAGE
} mc_type_kind;

typedef enum mc_label {
    MC_L_NONE = 0,
    MC_L_OPTIONAL,
    MC_L_REPEATED
} mc_label;

/* `max = 16` or `max = MAX_SAMPLES`: after sema, value holds the number either way. */
typedef struct mc_bound {
    bool set;
    const char *const_name; /* NULL for a literal; may be dotted ("pkg.NAME") */
    int64_t value;
    mc_loc loc; /* of the option name ("max") */
} mc_bound;

struct mc_message;
struct mc_enum;
struct mc_oneof;
struct mc_file;

typedef struct mc_field {
    mc_loc loc;        /* of the field's first token (label or type) */
    const char *name;
    mc_loc name_loc;
    int64_t number;
    mc_loc number_loc;
    mc_label label;
    mc_type_kind kind;     /* scalar kinds from the parser; ENUM/MESSAGE after sema */
    const char *type_name; /* as written for a named type ("Point", ".p.Point"); else NULL */
    mc_loc type_loc;
    mc_bound max;
    mc_bound max_len;
    const char *doc;         /* /// text, lines joined with '\n', NULL when none */
    struct mc_oneof *oneof;  /* the oneof it belongs to, else NULL */
    struct mc_message *owner;
    /* resolved by sema */
    struct mc_message *msg_type;
    struct mc_enum *enum_type;
    struct mc_field *next;          /* next field of the message (oneof members included) */
    struct mc_field *next_in_oneof; /* next member of the same oneof */
} mc_field;

typedef struct mc_oneof {
    mc_loc loc;
    const char *name;
    const char *doc;
    mc_field *members; /* linked through next_in_oneof */
    struct mc_message *owner;
    struct mc_oneof *next;
} mc_oneof;

typedef struct mc_enum_value {
    mc_loc loc;
    const char *name;
    int64_t number;
    mc_loc number_loc;
    const char *doc;
    struct mc_enum_value *next;
} mc_enum_value;

typedef struct mc_enum {
    mc_loc loc;
    const char *name;      /* as declared */
    const char *full_name; /* "p.Outer.E" (sema) */
    const char *c_name;    /* "p_Outer_E" (sema) */
    const char *doc;
    mc_enum_value *values;
    struct mc_message *parent; /* enclosing message, NULL at file level */
    struct mc_file *file;
    struct mc_enum *next;
} mc_enum;

typedef enum mc_reserved_kind {
    MC_RES_RANGE, /* lo..hi, lo == hi for a single number; hi = max for "to max" */
    MC_RES_NAME
} mc_reserved_kind;

typedef struct mc_reserved {
    mc_loc loc;
    mc_reserved_kind kind;
    int64_t lo, hi;
    const char *name;
    struct mc_reserved *next;
} mc_reserved;

/* A member of a message in declaration order: the order of the C struct. */
typedef enum mc_member_kind {
    MC_M_FIELD,
    MC_M_ONEOF
} mc_member_kind;

typedef struct mc_member {
    mc_member_kind kind;
    mc_field *field; /* MC_M_FIELD: a field outside any oneof */
    mc_oneof *oneof; /* MC_M_ONEOF */
    struct mc_member *next;
} mc_member;

typedef struct mc_message {
    mc_loc loc;
    const char *name;
    const char *full_name; /* "p.Outer.Inner" (sema) */
    const char *c_name;    /* "p_Outer_Inner" (sema) */
    const char *doc;
    mc_field *fields;   /* every field in declaration order, oneof members included */
    mc_member *members; /* fields outside oneofs and oneofs, in declaration order */
    mc_oneof *oneofs;
    mc_reserved *reserved;
    struct mc_message *nested;
    mc_enum *enums;
    struct mc_message *parent;
    struct mc_file *file;
    struct mc_message *next;
    /* sema */
    bool bounded;      /* every field bounded: MAX_SIZE exists */
    uint64_t max_size; /* valid when bounded */
} mc_message;

typedef struct mc_const {
    mc_loc loc;
    const char *name;
    int64_t value;
    const char *doc;
    struct mc_const *next;
} mc_const;

typedef enum mc_method_kind {
    MC_RPC,
    MC_ONEWAY
} mc_method_kind;

typedef struct mc_method {
    mc_loc loc;
    const char *name;
    const char *doc;
    mc_method_kind kind;
    const char *req_name; /* as written */
    mc_loc req_loc;
    const char *rep_name; /* NULL for oneway */
    mc_loc rep_loc;
    mc_message *req; /* sema */
    mc_message *rep; /* sema; NULL for oneway */
    struct mc_method *next;
} mc_method;

typedef struct mc_service {
    mc_loc loc;
    const char *name;
    const char *c_name; /* sema */
    const char *doc;
    mc_method *methods;
    struct mc_file *file;
    struct mc_service *next;
} mc_service;

typedef struct mc_import {
    mc_loc loc;
    const char *path;      /* as written in the schema */
    struct mc_file *file;  /* loaded file, set by the loader */
    struct mc_import *next;
} mc_import;

typedef struct mc_file {
    const char *path; /* as opened: used in diagnostics */
    const char *rel;  /* relative name for output (SPEC section 3): "d/x.msg" */
    const char *text; /* the source, NUL-terminated */
    size_t text_len;
    const char *package; /* NULL when none; dotted */
    mc_loc package_loc;
    const char *doc;     /* /// before the package statement */
    mc_import *imports;
    mc_const *consts;
    mc_enum *enums;
    mc_message *messages;
    mc_service *services;
    bool generate; /* named on the command line */
    struct mc_file *next; /* in the program: load order */
} mc_file;

/* Everything one compilation read. */
typedef struct mc_program {
    mc_arena *arena;
    mc_file *files; /* every schema read, in load order, imports before importers */
} mc_program;

const char *mc_type_kind_name(mc_type_kind k); /* "int32", ..., "enum", "message" */
bool mc_type_is_scalar(mc_type_kind k);        /* numeric or bool or enum */
unsigned mc_varint_size(uint64_t v);            /* bytes of v as a protobuf varint */

#endif
