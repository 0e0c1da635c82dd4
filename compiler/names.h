/* names.h - how schema names become C identifiers.
 *
 * The mangling rules (SPEC section 4 gives the generated names themselves):
 *
 * 1. Package prefix. A package's dotted components are joined with '_' and followed by
 *    one '_': package "a.b" gives the prefix "a_b_", no package gives "". Components are
 *    used as written, even when one is a keyword ("int.x" gives "int_x_"), since they
 *    only ever appear inside a longer identifier.
 *
 * 2. Type names. A top-level message, enum, service or const is named by the prefix and
 *    its name: "p_Reading", "p_MAX_SAMPLES". A nested message or enum is named by its
 *    enclosing message's C name, '_' and its name: "p.Outer.Inner" gives "p_Outer_Inner".
 *    This is the type's c_name.
 *
 * 3. Identifiers derived from a type (functions, macros, enum constants, oneof case
 *    types and constants, service stubs) are the type's c_name, '_', then the suffix or
 *    the schema name as written: "p_M_init", "p_M_u_case", "p_M_u_NONE", "p_M_u_text",
 *    "p_E_LEVEL_INFO", "p_S_Read", "p_S_handlers" (mc_c_join). A service stub escapes
 *    the method's name alone, as its handler member does: "delete" gives "p_S_delete_".
 *    The generated code's own internals use a double '_': "p_M__write", "p_M__read",
 *    "p_M__size", "p_M__fields", "p_M__init_any" (also free, size, encode, decode),
 *    "p_M__clear_u" for each oneof u, "p_E__values", "p_E__MIN", "p_E__MAX",
 *    "p_S__methods", "p_S__dispatch" (mc_sema_c_suffixes lists them).
 *
 * 4. Struct members. A field, a oneof's union and a handler (method) is named by its
 *    schema name; members derived from a field use its name as written: "x_count" (a
 *    repeated field), "has_x" (presence), "u_case" (oneof u).
 *
 * Then every identifier built by rules 2 to 4 that is a keyword gets a trailing '_'
 * (mc_c_ident): field "class" is the member "class_", a method "delete" the handler
 * "delete_", a top-level message "union" without a package the type "union_" (so
 * "union__init"), and enum "wchar" with value "t" the constant "wchar_t_".
 *
 * 5. Keywords are those of C11, of C23 (which adds bool, true, false, alignas, alignof,
 *    constexpr, nullptr, static_assert, thread_local, typeof, typeof_unqual, _BitInt,
 *    _Decimal32/64/128) and of C++20 including the alternative operator spellings (and,
 *    or, not, xor, bitand, ...). Also escaped: NULL, errno, unix and linux, which the C
 *    library or GNU C modes define as macros, so a struct member of that name would not
 *    compile.
 *
 * 6. Escaping can make two names meet ("int" and "int_", or package "a_b" message "C"
 *    and package "a" message "b_C"), and so can the internals of rule 3 (message "M_"
 *    with a nested message "fields" is "M__fields", the field table of message "M"):
 *    sema reports every such collision as an error.
 *
 * 7. Names starting with "msgc_" or "MSGC_" belong to the runtime (its functions, types
 *    and macros), so sema refuses any generated identifier, struct members included,
 *    that starts with either: package "msgc" makes every declaration an error.
 *
 * 8. A generated identifier must not be one the generated code or the C library already
 *    uses (mc_c_reserved_by): sema refuses a file-scope identifier (type, function, macro,
 *    enum constant) equal to a parameter, local or member name of the generated code
 *    ("const len" would give "#define len", which rewrites every "size_t len") or to a name
 *    the C library declares ("message size_t", "const EOF"); and a struct member equal to
 *    a C library macro, which would rewrite it (a function-like macro only rewrites a
 *    service's handler member, the only one that is called). Without a package such names
 *    are the schema names themselves; a package prefix keeps them apart ("p_len").
 */
#ifndef MC_NAMES_H
#define MC_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

/* True when name is a keyword (or a reserved macro name) of rule 5 above. */
bool mc_c_is_keyword(const char *name);
/* name, or name followed by '_' when it is a keyword (rule 5). The result may be name
 * itself or a string in a. */
const char *mc_c_ident(mc_arena *a, const char *name);
/* The C prefix of a package (rule 1): "a.b" gives "a_b_", NULL gives "". */
const char *mc_c_prefix(mc_arena *a, const char *package);
/* mc_c_ident(base + "_" + suffix) (rule 3), in a. */
const char *mc_c_join(mc_arena *a, const char *base, const char *suffix);
/* Why a generated identifier is refused (rule 8), or MC_C_UNRESERVED. */
typedef enum mc_c_reserved {
    MC_C_UNRESERVED,
    MC_C_USED_BY_CODE,           /* a parameter, local or member name of the generated code */
    MC_C_LIBRARY,                /* a type, function or object of the C library */
    MC_C_LIBRARY_MACRO,          /* an object-like macro of the C library */
    MC_C_LIBRARY_FUNCTION_MACRO, /* a function-like macro of the C library */
} mc_c_reserved;

mc_c_reserved mc_c_reserved_by(const char *ident);
/* The sorted table of the names reserved for why (NULL and *n = 0 for MC_C_UNRESERVED), for
 * the tests. */
const char *const *mc_c_reserved_table(mc_c_reserved why, size_t *n);
/* The sorted keyword table, for the tests. */
const char *const *mc_c_keyword_table(size_t *n);

#endif
