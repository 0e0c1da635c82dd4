/* sema.h - name resolution and the checks of SPEC section 1.
 *
 * mc_sema_check (declared in mc.h) fills, for every file of the program:
 *   - full_name ("p.Outer.Inner") and c_name ("p_Outer_Inner", names.h rules) of every
 *     message and enum, c_name of every service;
 *   - kind (MC_T_ENUM or MC_T_MESSAGE) and enum_type / msg_type of every field with a
 *     named type, req / rep of every method;
 *   - value of every `max` and `max_len` given by a const name;
 *   - bounded and max_size of every message.
 * and reports every violated rule through the diagnostics, ordered by position (the
 * file load order, then line and column), whatever check found them.
 *
 * Name lookup follows protobuf: a name is looked up in the scope of the innermost
 * enclosing message, then in each enclosing scope out to the package root; the first
 * component of a dotted name picks the scope, and a leading '.' names a type fully.
 * The declaration found must be in the same file or in a file it imports directly.
 */
#ifndef MC_SEMA_H
#define MC_SEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"

/* Field numbers are 1..MC_FIELD_NUMBER_MAX, except the range protobuf keeps. */
#define MC_FIELD_NUMBER_MAX 536870911
#define MC_FIELD_NUMBER_PROTOBUF_LO 19000
#define MC_FIELD_NUMBER_PROTOBUF_HI 19999

/* Messages nest at most this deep (a top-level message is at depth 0): C names grow
 * with the depth, and no schema needs more. */
#define MC_NESTING_MAX 100

/* A message is bounded (has MAX_SIZE) only when its largest encoding fits this, the
 * largest message the wire format allows (2 GiB - 1). */
#define MC_MESSAGE_SIZE_MAX 2147483647u

/* Whether the C struct has `bool has_<name>` for f: an optional field that is not a
 * message (an optional message is a pointer), or a singular message field. Oneof members
 * and repeated fields never have one. */
bool mc_field_has_flag(const mc_field *f);
/* Whether a field of message type is stored inside its parent (not through a pointer):
 * singular and not optional (oneof members included), or repeated with a `max`. */
bool mc_field_is_inline_message(const mc_field *f);

/* The kinds of declaration whose C name the templates extend with suffixes. */
typedef enum mc_c_kind { MC_C_MESSAGE, MC_C_ENUM, MC_C_SERVICE } mc_c_kind;

/* The suffixes the generated code joins to a type's C name with '_' ("init" for
 * "p_M_init", "_write" for "p_M__write"): the identifiers the collision check reserves
 * for every declaration of that kind. For the tests, which hold them against the
 * templates. */
const char *const *mc_sema_c_suffixes(mc_c_kind kind, size_t *n);

#endif
