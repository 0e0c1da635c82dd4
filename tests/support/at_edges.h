/* at_edges.h - edge values of every scalar type of tests/schemas/all_types.msg, the bit
 * patterns of floats and doubles, and fillers for at.Scalars, at.Optionals and at.Cell;
 * shared by the codec tests (test_codec, test_interop).
 *
 * Header-only (static functions and tables) for the reason codec_support.h gives: only
 * runtime tests may depend on libmsgc and the generated all_types code.
 */
#ifndef AT_EDGES_H
#define AT_EDGES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "all_types.msg.h"

#define N_EDGES 8

/* Float and double edges differ between the tests (each keeps its own table of bit
 * patterns, N_EDGES long); these are the same for all. */
static const int32_t e_i32[N_EDGES] = {0, 1, -1, INT32_MIN, INT32_MAX, 127, 128, -64};
static const int64_t e_i64[N_EDGES] = {0,  1, -1, INT64_MIN, INT64_MAX, INT32_MIN, (int64_t)1 << 35,
                                       -65};
static const uint32_t e_u32[N_EDGES] = {0, 1, UINT32_MAX, 127, 128, 16383, 16384, 0x80000000u};
static const uint64_t e_u64[N_EDGES] = {0,   1,          UINT64_MAX,        127,
                                        128, UINT32_MAX, (uint64_t)1 << 63, 300};
static const int32_t e_enum[N_EDGES] = {0, 1, -1, INT32_MIN, INT32_MAX, 12345, 2, -2};

/* --- the bits of floats --- */

static inline uint32_t
fbits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline uint64_t
dbits(double f)
{
    uint64_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float
bits_f(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline double
bits_d(uint64_t u)
{
    double f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* --- filling messages --- */

/* Sets every numeric field of m from the i-th edges (i < N_EDGES), the signed, fixed and
 * sfixed fields from the next ones, floats from f32[i] and f64[i]; leaves the string and
 * the bytes alone. */
static inline void
at_fill_scalar_edges(at_Scalars *m, size_t i, const uint32_t *f32, const uint64_t *f64)
{
    m->f_bool = i % 2 == 1;
    m->f_int32 = e_i32[i];
    m->f_int64 = e_i64[i];
    m->f_uint32 = e_u32[i];
    m->f_uint64 = e_u64[i];
    m->f_sint32 = e_i32[(i + 1) % N_EDGES];
    m->f_sint64 = e_i64[(i + 1) % N_EDGES];
    m->f_fixed32 = e_u32[(i + 2) % N_EDGES];
    m->f_fixed64 = e_u64[(i + 2) % N_EDGES];
    m->f_sfixed32 = e_i32[(i + 3) % N_EDGES];
    m->f_sfixed64 = e_i64[(i + 3) % N_EDGES];
    m->f_float = bits_f(f32[i]);
    m->f_double = bits_d(f64[i]);
    m->f_enum = (at_Color)e_enum[i];
}

/* Sets the optional numeric fields of m but o_bool to the i-th edges (floats from f32[i]
 * and f64[i]); leaves presence, o_bool, strings and bytes alone. */
static inline void
at_fill_optional_edges(at_Optionals *m, size_t i, const uint32_t *f32, const uint64_t *f64)
{
    m->o_int32 = e_i32[i];
    m->o_int64 = e_i64[i];
    m->o_uint32 = e_u32[i];
    m->o_uint64 = e_u64[i];
    m->o_sint32 = e_i32[i];
    m->o_sint64 = e_i64[i];
    m->o_fixed32 = e_u32[i];
    m->o_fixed64 = e_u64[i];
    m->o_sfixed32 = e_i32[i];
    m->o_sfixed64 = e_i64[i];
    m->o_float = bits_f(f32[i]);
    m->o_double = bits_d(f64[i]);
    m->o_enum = (at_Color)e_enum[i];
}

/* A cell whose string is len 'c's (len < sizeof c->s) and whose z is z. */
static inline void
at_fill_cell(at_Cell *c, size_t len, int32_t z)
{
    memset(c->s, 'c', len);
    c->s[len] = '\0';
    c->z = z;
}

#endif /* AT_EDGES_H */
