/* test_codec.c - generated encoders and decoders (templates/msg.c.tmpl over
 * runtime/msgc_wire.h and runtime/codec.c) for tests/schemas/all_types.msg: round trips at
 * every type's edges, exact bytes, encoder refusals, ownership and leaks, and decoding
 * every valid encoding protobuf allows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "all_types.msg.h"
#include "at_edges.h"
#include "codec_support.h"

/* --- helpers --- */

/* Encodes m (type d) into a buffer of exactly encoded_size bytes and returns it; the
 * buffer is one byte longer, with a guard byte that must survive. */
static codec_buf
encode_buf(const msgc_desc *d, const void *m)
{
    size_t need = d->encoded_size(m), len = 12345;
    codec_buf out = {0};
    cb_fill(&out, 0xa5, need + 1);
    int rc = d->encode(m, out.b, need, &len);
    if (rc != 0)
        fprintf(stderr, "encode: %s at \"%s\"\n", msgc_errname(rc), msgc_last_error()->path);
    assert_int_equal(rc, 0);
    assert_int_equal(len, need);
    assert_int_equal(out.b[need], 0xa5);
    out.n = len;
    return out;
}

/* Checks that m encodes to exactly the bytes written in hex. */
static void
check_bytes(const msgc_desc *d, const void *m, const char *hex)
{
    codec_buf want = cb_of(hex);
    codec_buf got = encode_buf(d, m);
    if (got.n != want.n || (got.n && memcmp(got.b, want.b, got.n) != 0)) {
        fprintf(stderr, "%s: got", d->name);
        for (size_t i = 0; i < got.n; i++)
            fprintf(stderr, " %02x", got.b[i]);
        fprintf(stderr, "\n%s: want %s\n", d->name, hex);
    }
    assert_int_equal(got.n, want.n);
    if (got.n)
        assert_memory_equal(got.b, want.b, got.n);
    cb_free(&want);
    cb_free(&got);
}

/* Decodes in as type d into a fresh struct, expecting success. */
static void *
decode_new(const msgc_desc *d, const uint8_t *in, size_t len)
{
    void *m = calloc(1, d->struct_size);
    assert_non_null(m);
    d->init(m);
    int rc = d->decode_ex(m, in, len, NULL);
    if (rc != 0)
        fprintf(stderr, "decode: %s at %zu \"%s\"\n", msgc_errname(rc), msgc_last_error()->offset,
                msgc_last_error()->path);
    assert_int_equal(rc, 0);
    return m;
}

static void *
decode_hex(const msgc_desc *d, const char *hex)
{
    codec_buf in = cb_of(hex);
    void *m = decode_new(d, in.b, in.n);
    cb_free(&in);
    return m;
}

static void
drop(const msgc_desc *d, void *m)
{
    d->free(m);
    free(m);
}

/* Encodes m, decodes the bytes and checks the decoded value encodes to the same bytes.
 * Returns the decoded value. */
static void *
round_trip(const msgc_desc *d, const void *m)
{
    codec_buf a = encode_buf(d, m);
    void *back = decode_new(d, a.b, a.n);
    codec_buf b = encode_buf(d, back);
    assert_int_equal(a.n, b.n);
    if (a.n)
        assert_memory_equal(a.b, b.b, a.n);
    cb_free(&a);
    cb_free(&b);
    return back;
}

static void
check_encode_fails(const msgc_desc *d, const void *m, int code, const char *path)
{
    uint8_t buf[8192];
    size_t len = 777;
    int rc = d->encode(m, buf, sizeof buf, &len);
    assert_int_equal(rc, code);
    assert_int_equal(msgc_last_error()->code, code);
    assert_string_equal(msgc_last_error()->path, path);
    assert_int_equal(len, 777);
}

/* --- edge values --- */

static const uint32_t e_f32[N_EDGES] = {0,
                                        0x80000000u /* -0.0 */,
                                        0x7fc00000u /* NaN */,
                                        0x7fc00001u /* NaN payload */,
                                        0x7f800000u /* +inf */,
                                        0xff800000u /* -inf */,
                                        0x00000001u /* least denormal */,
                                        0x7f7fffffu /* FLT_MAX */};
static const uint64_t e_f64[N_EDGES] = {0,
                                        0x8000000000000000u,
                                        0x7ff8000000000000u,
                                        0xfff8000000000001u,
                                        0x7ff0000000000000u,
                                        0xfff0000000000000u,
                                        1,
                                        0x7fefffffffffffffu};

static void
fill_scalars(at_Scalars *m, size_t i)
{
    at_fill_scalar_edges(m, i, e_f32, e_f64);
}

static void
check_scalars(const at_Scalars *m, size_t i)
{
    assert_int_equal(m->f_bool, i % 2 == 1);
    assert_int_equal(m->f_int32, e_i32[i]);
    assert_true(m->f_int64 == e_i64[i]);
    assert_int_equal(m->f_uint32, e_u32[i]);
    assert_true(m->f_uint64 == e_u64[i]);
    assert_int_equal(m->f_sint32, e_i32[(i + 1) % N_EDGES]);
    assert_true(m->f_sint64 == e_i64[(i + 1) % N_EDGES]);
    assert_int_equal(m->f_fixed32, e_u32[(i + 2) % N_EDGES]);
    assert_true(m->f_fixed64 == e_u64[(i + 2) % N_EDGES]);
    assert_int_equal(m->f_sfixed32, e_i32[(i + 3) % N_EDGES]);
    assert_true(m->f_sfixed64 == e_i64[(i + 3) % N_EDGES]);
    assert_int_equal(fbits(m->f_float), e_f32[i]);
    assert_true(dbits(m->f_double) == e_f64[i]);
    assert_int_equal(m->f_enum, e_enum[i]);
}

static void
test_scalars_round_trip_at_their_edges(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_EDGES; i++) {
        at_Scalars m = at_Scalars_INIT;
        fill_scalars(&m, i);
        at_Scalars *back = round_trip(&at_Scalars_desc, &m);
        check_scalars(back, i);
        drop(&at_Scalars_desc, back);
    }
}

static void
test_optionals_round_trip_at_their_edges_with_presence(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_EDGES; i++) {
        at_Optionals m = at_Optionals_INIT;
        m.has_o_bool = m.has_o_int32 = m.has_o_int64 = m.has_o_uint32 = m.has_o_uint64 = true;
        m.has_o_sint32 = m.has_o_sint64 = m.has_o_fixed32 = m.has_o_fixed64 = true;
        m.has_o_sfixed32 = m.has_o_sfixed64 = m.has_o_float = m.has_o_double = true;
        m.has_o_enum = m.has_o_string = m.has_o_bytes = m.has_o_string_b = true;
        m.has_o_bytes_b = true;
        m.o_bool = i % 2 == 1;
        at_fill_optional_edges(&m, i, e_f32, e_f64);
        at_Optionals *b = round_trip(&at_Optionals_desc, &m);
        assert_true(b->has_o_bool && b->has_o_int32 && b->has_o_int64 && b->has_o_uint32);
        assert_true(b->has_o_uint64 && b->has_o_sint32 && b->has_o_sint64 && b->has_o_fixed32);
        assert_true(b->has_o_fixed64 && b->has_o_sfixed32 && b->has_o_sfixed64);
        assert_true(b->has_o_float && b->has_o_double && b->has_o_enum && b->has_o_string);
        assert_true(b->has_o_bytes && b->has_o_string_b && b->has_o_bytes_b);
        assert_int_equal(b->o_bool, i % 2 == 1);
        assert_int_equal(b->o_int32, e_i32[i]);
        assert_true(b->o_int64 == e_i64[i]);
        assert_int_equal(b->o_uint32, e_u32[i]);
        assert_true(b->o_uint64 == e_u64[i]);
        assert_int_equal(b->o_sint32, e_i32[i]);
        assert_true(b->o_sint64 == e_i64[i]);
        assert_int_equal(b->o_fixed32, e_u32[i]);
        assert_true(b->o_fixed64 == e_u64[i]);
        assert_int_equal(b->o_sfixed32, e_i32[i]);
        assert_true(b->o_sfixed64 == e_i64[i]);
        assert_int_equal(fbits(b->o_float), e_f32[i]);
        assert_true(dbits(b->o_double) == e_f64[i]);
        assert_int_equal(b->o_enum, e_enum[i]);
        /* Present and empty: a NULL string, no bytes. */
        assert_null(b->o_string);
        assert_null(b->o_bytes.data);
        assert_int_equal(b->o_bytes.len, 0);
        assert_string_equal(b->o_string_b, "");
        assert_int_equal(b->o_bytes_b.len, 0);
        drop(&at_Optionals_desc, b);
    }
    /* Absent fields stay absent. */
    at_Optionals none;
    at_Optionals_init(&none);
    check_bytes(&at_Optionals_desc, &none, "");
    at_Optionals *b = round_trip(&at_Optionals_desc, &none);
    assert_memory_equal(b, &none, sizeof none);
    drop(&at_Optionals_desc, b);
}

static void
fill_repeats(at_Repeats *m, bool *b, float *f, double *d)
{
    for (size_t i = 0; i < N_EDGES; i++) {
        b[i] = i % 3 == 0;
        f[i] = bits_f(e_f32[i]);
        d[i] = bits_d(e_f64[i]);
    }
    m->r_bool = b;
    m->r_int32 = (int32_t *)e_i32;
    m->r_int64 = (int64_t *)e_i64;
    m->r_uint32 = (uint32_t *)e_u32;
    m->r_uint64 = (uint64_t *)e_u64;
    m->r_sint32 = (int32_t *)e_i32;
    m->r_sint64 = (int64_t *)e_i64;
    m->r_fixed32 = (uint32_t *)e_u32;
    m->r_fixed64 = (uint64_t *)e_u64;
    m->r_sfixed32 = (int32_t *)e_i32;
    m->r_sfixed64 = (int64_t *)e_i64;
    m->r_float = f;
    m->r_double = d;
    m->r_enum = (at_Color *)e_enum;
    m->r_bool_count = m->r_int32_count = m->r_int64_count = m->r_uint32_count = N_EDGES;
    m->r_uint64_count = m->r_sint32_count = m->r_sint64_count = m->r_fixed32_count = N_EDGES;
    m->r_fixed64_count = m->r_sfixed32_count = m->r_sfixed64_count = N_EDGES;
    m->r_float_count = m->r_double_count = m->r_enum_count = N_EDGES;
}

static void
test_repeated_scalars_round_trip_at_their_edges(void **state)
{
    (void)state;
    bool b[N_EDGES];
    float f[N_EDGES];
    double d[N_EDGES];
    at_Repeats m = at_Repeats_INIT;
    fill_repeats(&m, b, f, d);
    at_Repeats *r = round_trip(&at_Repeats_desc, &m);
    assert_int_equal(r->r_int32_count, N_EDGES);
    assert_int_equal(r->r_enum_count, N_EDGES);
    assert_memory_equal(r->r_bool, b, sizeof b);
    assert_memory_equal(r->r_int32, e_i32, sizeof e_i32);
    assert_memory_equal(r->r_int64, e_i64, sizeof e_i64);
    assert_memory_equal(r->r_uint32, e_u32, sizeof e_u32);
    assert_memory_equal(r->r_uint64, e_u64, sizeof e_u64);
    assert_memory_equal(r->r_sint32, e_i32, sizeof e_i32);
    assert_memory_equal(r->r_sint64, e_i64, sizeof e_i64);
    assert_memory_equal(r->r_fixed32, e_u32, sizeof e_u32);
    assert_memory_equal(r->r_fixed64, e_u64, sizeof e_u64);
    assert_memory_equal(r->r_sfixed32, e_i32, sizeof e_i32);
    assert_memory_equal(r->r_sfixed64, e_i64, sizeof e_i64);
    assert_memory_equal(r->r_float, e_f32, sizeof e_f32);
    assert_memory_equal(r->r_double, e_f64, sizeof e_f64);
    assert_memory_equal(r->r_enum, e_enum, sizeof e_enum);
    drop(&at_Repeats_desc, r);
}

static void
test_bounded_arrays_round_trip_full_and_reach_max_size(void **state)
{
    (void)state;
    at_Bounded m;
    at_Bounded_init(&m);
    /* The largest element of each type, so the encoding is MAX_SIZE bytes. */
    for (size_t i = 0; i < at_N; i++) {
        m.b_bool[i] = true;
        m.b_int32[i] = -1;
        m.b_int64[i] = INT64_MIN;
        m.b_uint32[i] = UINT32_MAX;
        m.b_uint64[i] = UINT64_MAX;
        m.b_sint32[i] = INT32_MIN;
        m.b_sint64[i] = INT64_MIN;
        m.b_fixed32[i] = (uint32_t)i;
        m.b_fixed64[i] = i;
        m.b_sfixed32[i] = -(int32_t)i;
        m.b_sfixed64[i] = -(int64_t)i;
        m.b_float[i] = -0.0f;
        m.b_double[i] = NAN;
        m.b_enum[i] = at_Color_COLOR_LOW;
    }
    m.b_bool_count = m.b_int32_count = m.b_int64_count = m.b_uint32_count = at_N;
    m.b_uint64_count = m.b_sint32_count = m.b_sint64_count = m.b_fixed32_count = at_N;
    m.b_fixed64_count = m.b_sfixed32_count = m.b_sfixed64_count = at_N;
    m.b_float_count = m.b_double_count = m.b_enum_count = at_N;
    assert_int_equal(at_Bounded_encoded_size(&m), at_Bounded_MAX_SIZE);
    at_Bounded *r = round_trip(&at_Bounded_desc, &m);
    assert_memory_equal(r, &m, sizeof m);
    drop(&at_Bounded_desc, r);

    /* A buffer of MAX_SIZE always suffices. */
    uint8_t buf[at_Bounded_MAX_SIZE];
    size_t len = 0;
    assert_int_equal(at_Bounded_encode(&m, buf, sizeof buf, &len), 0);
    assert_int_equal(len, at_Bounded_MAX_SIZE);

    at_Nested_Local loc = {INT32_MIN};
    assert_int_equal(at_Nested_Local_encoded_size(&loc), at_Nested_Local_MAX_SIZE);
    at_Fat *fat = calloc(1, sizeof *fat);
    assert_non_null(fat);
    fat->w_count = 512;
    fat->w[511] = UINT64_MAX;
    assert_int_equal(at_Fat_encoded_size(fat), at_Fat_MAX_SIZE);
    at_Fat *fr = round_trip(&at_Fat_desc, fat);
    assert_memory_equal(fr, fat, sizeof *fat);
    drop(&at_Fat_desc, fr);
    free(fat);
}

static void
test_largest_bounded_value_fits_max_size_exactly(void **state)
{
    (void)state;
    at_Box *b = calloc(1, sizeof *b);
    assert_non_null(b);
    at_Box_init(b);
    memset(b->name, 'n', 127);
    b->key.len = 128;
    b->has_flag = true;
    b->flag = true;
    b->color = at_Color_COLOR_NEG;
    b->has_cell = true;
    at_fill_cell(&b->cell, 120, INT32_MIN);
    at_fill_cell(&b->cells[0], 120, INT32_MIN);
    at_fill_cell(&b->cells[1], 120, INT32_MIN);
    b->cells_count = 2;
    for (size_t i = 0; i < 2; i++) {
        memset(b->tags[i], 't', 200);
        b->blobs[i].len = 3;
    }
    b->tags_count = b->blobs_count = 2;
    b->has_hue = true;
    b->hue = at_Color_COLOR_LOW;
    b->f = 1;
    b->d = -0.0;
    b->ff = NAN;
    for (size_t i = 0; i < 13; i++)
        b->nums[i] = INT64_MIN;
    b->nums_count = 13;

    /* Each oneof member at its largest; the message member is the largest of them. */
    const at_Box_pick_case cases[] = {at_Box_pick_big, at_Box_pick_word, at_Box_pick_c};
    for (size_t k = 0; k < 3; k++) {
        memset(&b->pick, 0, sizeof b->pick);
        b->pick_case = cases[k];
        if (cases[k] == at_Box_pick_big)
            b->pick.big = INT64_MIN;
        else if (cases[k] == at_Box_pick_word)
            memset(b->pick.word, 'w', 20);
        else
            at_fill_cell(&b->pick.c, 120, INT32_MIN);
        size_t size = at_Box_encoded_size(b);
        assert_true(size <= at_Box_MAX_SIZE);
        if (cases[k] == at_Box_pick_c)
            assert_int_equal(size, at_Box_MAX_SIZE);
        /* A heap buffer of exactly MAX_SIZE bytes: the encoder skips its size pass. */
        uint8_t *buf = malloc(at_Box_MAX_SIZE);
        assert_non_null(buf);
        size_t len = 0;
        assert_int_equal(at_Box_encode(b, buf, at_Box_MAX_SIZE, &len), 0);
        assert_int_equal(len, size);
        at_Box *r = decode_new(&at_Box_desc, buf, len);
        assert_memory_equal(r, b, sizeof *b);
        drop(&at_Box_desc, r);
        free(buf);
    }
    assert_int_equal(at_Cell_encoded_size(&b->cell), at_Cell_MAX_SIZE);
    free(b);
}

/* --- exact bytes --- */

static void
test_scalars_encode_to_hand_checked_bytes(void **state)
{
    (void)state;
    at_Scalars m = at_Scalars_INIT;
    check_bytes(&at_Scalars_desc, &m, "");
#define ONE(set, hex)                                                                              \
    do {                                                                                           \
        at_Scalars_init(&m);                                                                       \
        set;                                                                                       \
        check_bytes(&at_Scalars_desc, &m, hex);                                                    \
    } while (0)
    ONE(m.f_bool = true, "08 01");
    ONE(m.f_int32 = -1, "10 ff ff ff ff ff ff ff ff ff 01");
    ONE(m.f_int32 = 150, "10 96 01");
    ONE(m.f_int64 = INT64_MIN, "18 80 80 80 80 80 80 80 80 80 01");
    ONE(m.f_uint32 = UINT32_MAX, "20 ff ff ff ff 0f");
    ONE(m.f_uint64 = UINT64_MAX, "28 ff ff ff ff ff ff ff ff ff 01");
    ONE(m.f_sint32 = -1, "30 01");
    ONE(m.f_sint32 = INT32_MIN, "30 ff ff ff ff 0f");
    ONE(m.f_sint32 = INT32_MAX, "30 fe ff ff ff 0f");
    ONE(m.f_sint64 = INT64_MIN, "38 ff ff ff ff ff ff ff ff ff 01");
    ONE(m.f_sint64 = 1, "38 02");
    ONE(m.f_fixed32 = 1, "45 01 00 00 00");
    ONE(m.f_fixed64 = 0x0102030405060708u, "49 08 07 06 05 04 03 02 01");
    ONE(m.f_sfixed32 = -2, "55 fe ff ff ff");
    ONE(m.f_sfixed64 = -1, "59 ff ff ff ff ff ff ff ff");
    ONE(m.f_float = -0.0f, "65 00 00 00 80");
    ONE(m.f_float = 1.0f, "65 00 00 80 3f");
    ONE(m.f_double = -0.0, "69 00 00 00 00 00 00 00 80");
    ONE(m.f_double = 1.0, "69 00 00 00 00 00 00 f0 3f");
    ONE(m.f_enum = at_Color_COLOR_NEG, "70 ff ff ff ff ff ff ff ff ff 01");
    ONE(m.f_enum = at_Color_COLOR_RED, "70 01");
    ONE(m.f_string = "hi", "7a 02 68 69");
    ONE(m.f_string = "", "");
    ONE((m.f_bytes.data = (uint8_t *)"\0\xff", m.f_bytes.len = 2), "82 01 02 00 ff");
    /* Canonical order: by field number, whatever the order of assignment. */
    ONE((m.f_string = "a", m.f_bool = true, m.f_fixed32 = 2), "08 01 45 02 00 00 00 7a 01 61");
#undef ONE
}

static void
test_presence_fields_encode_to_hand_checked_bytes(void **state)
{
    (void)state;
    at_Optionals o = at_Optionals_INIT;
    o.has_o_int32 = true;
    check_bytes(&at_Optionals_desc, &o, "10 00");
    at_Optionals_init(&o);
    o.has_o_string = true;
    check_bytes(&at_Optionals_desc, &o, "7a 00");
    at_Optionals_init(&o);
    o.has_o_float = true;
    o.has_o_string_b = true;
    o.has_o_bytes_b = true;
    o.o_bytes_b.len = 1;
    o.o_bytes_b.data[0] = 9;
    check_bytes(&at_Optionals_desc, &o, "65 00 00 00 00 8a 01 00 92 01 01 09");

    at_Nested n = at_Nested_INIT;
    at_Inner opt = at_Inner_INIT, reps[2] = {at_Inner_INIT, at_Inner_INIT};
    n.has_inl = true;
    check_bytes(&at_Nested_desc, &n, "0a 00");
    n.inl.a = 1;
    n.opt = &opt;
    n.rep = reps;
    n.rep_count = 2;
    reps[1].s = "x";
    n.has_local = true;
    n.local.z = -1;
    check_bytes(&at_Nested_desc, &n, "0a 02 08 01 12 00 1a 00 1a 03 12 01 78 3a 02 08 01");

    at_Choice c = at_Choice_INIT;
    c.u_case = at_Choice_u_i;
    check_bytes(&at_Choice_desc, &c, "10 00");
    c.u_case = at_Choice_u_s;
    check_bytes(&at_Choice_desc, &c, "1a 00");
    c.u_case = at_Choice_u_m;
    check_bytes(&at_Choice_desc, &c, "2a 00");
    at_Choice_init(&c);
    c.before = 1;
    c.after = 2;
    c.u_case = at_Choice_u_e;
    c.u.e = at_Color_COLOR_NEG;
    check_bytes(&at_Choice_desc, &c, "08 01 40 ff ff ff ff ff ff ff ff ff 01 48 02");
    c.u_case = at_Choice_u_d;
    c.u.d = -0.0;
    check_bytes(&at_Choice_desc, &c, "08 01 31 00 00 00 00 00 00 00 80 48 02");

    at_Tree leaf = {2, NULL, NULL, 0};
    at_Tree t = {1, &leaf, &leaf, 1};
    check_bytes(&at_Tree_desc, &t, "08 01 12 02 08 02 1a 02 08 02");

    at_Keywords k = {1, "d", true, 300};
    check_bytes(&at_Keywords_desc, &k, "08 01 12 01 64 18 01 20 ac 02");

    at_All a = at_All_INIT;
    a.big_number = 1;
    check_bytes(&at_All_desc, &a, "f8 ff ff ff 0f 01");
}

static void
test_repeated_scalars_encode_packed(void **state)
{
    (void)state;
    at_Repeats m = at_Repeats_INIT;
    int32_t i32[] = {1, -1, 150};
    bool b[] = {true, false};
    uint32_t f32[] = {1, 2};
    float fl[] = {-0.0f};
    at_Color en[] = {at_Color_COLOR_RED, at_Color_COLOR_ZERO};
    m.r_int32 = i32;
    m.r_int32_count = 3;
    check_bytes(&at_Repeats_desc, &m, "12 0d 01 ff ff ff ff ff ff ff ff ff 01 96 01");
    at_Repeats_init(&m);
    m.r_bool = b;
    m.r_bool_count = 2;
    m.r_fixed32 = f32;
    m.r_fixed32_count = 2;
    m.r_float = fl;
    m.r_float_count = 1;
    m.r_enum = en;
    m.r_enum_count = 2;
    check_bytes(&at_Repeats_desc, &m,
                "0a 02 01 00 42 08 01 00 00 00 02 00 00 00 62 04 00 00 00 80 72 02 01 00");
    /* A count of 0 writes nothing, whatever the pointer. */
    m.r_bool_count = m.r_fixed32_count = m.r_float_count = m.r_enum_count = 0;
    check_bytes(&at_Repeats_desc, &m, "");

    at_Texts t = at_Texts_INIT;
    char *rs[2] = {NULL, "ab"};
    t.rs = rs;
    t.rs_count = 2;
    t.rb_bl_count = 1;
    check_bytes(&at_Texts_desc, &t, "2a 00 2a 02 61 62 52 00");
}

/* --- strings and bytes, empty and maximal --- */

static void
test_strings_and_bytes_round_trip_empty_and_maximal(void **state)
{
    (void)state;
    at_Texts m;
    at_Texts_init(&m);
    m.s = "";
    check_bytes(&at_Texts_desc, &m, "");

    /* Every field at its largest. */
    static char big[1 << 20];
    memset(big, 'x', sizeof big - 1);
    uint8_t raw[256];
    for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = (uint8_t)i;
    char *rs[3] = {"", big, "\xf4\x8f\xbf\xbf"};
    msgc_bytes rb[2] = {{NULL, 0}, {raw, sizeof raw}};
    m.s = "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80";
    strcpy(m.s_b, "12345678");
    m.b = (msgc_bytes){raw, sizeof raw};
    m.b_b.len = 8;
    memcpy(m.b_b.data, "\0\xff\xc0\x80\0\0\0\1", 8);
    m.rs = rs;
    m.rs_count = 3;
    m.rs_b[0] = "a";
    m.rs_b[1] = NULL;
    m.rs_b[2] = big;
    m.rs_b_count = 3;
    for (size_t i = 0; i < 3; i++) {
        strcpy(m.rs_bl[i], "abcde");
        m.rb_bl[i].len = 5;
        memset(m.rb_bl[i].data, (int)i, 5);
        m.rb_b[i] = (msgc_bytes){raw, i};
    }
    m.rs_bl_count = m.rb_bl_count = m.rb_b_count = 3;
    m.rb = rb;
    m.rb_count = 2;

    at_Texts *r = round_trip(&at_Texts_desc, &m);
    assert_string_equal(r->s, m.s);
    assert_string_equal(r->s_b, "12345678");
    assert_int_equal(r->b.len, 256);
    assert_memory_equal(r->b.data, raw, 256);
    assert_int_equal(r->b_b.len, 8);
    assert_memory_equal(r->b_b.data, m.b_b.data, 8);
    assert_int_equal(r->rs_count, 3);
    assert_null(r->rs[0]);
    assert_string_equal(r->rs[1], big);
    assert_string_equal(r->rs[2], "\xf4\x8f\xbf\xbf");
    assert_int_equal(r->rs_b_count, 3);
    assert_string_equal(r->rs_b[0], "a");
    assert_null(r->rs_b[1]);
    assert_string_equal(r->rs_b[2], big);
    assert_int_equal(r->rs_bl_count, 3);
    assert_string_equal(r->rs_bl[2], "abcde");
    assert_int_equal(r->rb_count, 2);
    assert_null(r->rb[0].data);
    assert_int_equal(r->rb[0].len, 0);
    assert_memory_equal(r->rb[1].data, raw, 256);
    assert_int_equal(r->rb_b_count, 3);
    assert_null(r->rb_b[0].data);
    assert_int_equal(r->rb_b[2].len, 2);
    assert_memory_equal(r->rb_bl, m.rb_bl, sizeof m.rb_bl);
    /* Decoded heap parts never point into the input or the original. */
    assert_ptr_not_equal(r->rs[1], big);
    drop(&at_Texts_desc, r);
}

static void
test_large_unbounded_arrays_round_trip(void **state)
{
    (void)state;
    enum { COUNT = 100000 };
    at_Repeats m = at_Repeats_INIT;
    int64_t *v = malloc(COUNT * sizeof *v);
    double *d = malloc(COUNT * sizeof *d);
    assert_non_null(v);
    assert_non_null(d);
    for (size_t i = 0; i < COUNT; i++) {
        v[i] = (int64_t)(i * 2654435761u) - (int64_t)i;
        d[i] = (double)i / 7.0;
    }
    m.r_int64 = v;
    m.r_int64_count = COUNT;
    m.r_double = d;
    m.r_double_count = COUNT;
    at_Repeats *r = round_trip(&at_Repeats_desc, &m);
    assert_int_equal(r->r_int64_count, COUNT);
    assert_memory_equal(r->r_int64, v, COUNT * sizeof *v);
    assert_memory_equal(r->r_double, d, COUNT * sizeof *d);
    drop(&at_Repeats_desc, r);
    free(v);
    free(d);
}

/* --- the fast paths of the primitives: every length they tell apart --- */

/* A value of k significant bits (k = 0 gives 0), alternating bits below the top one. */
static uint64_t
bits_value(unsigned k)
{
    if (k == 0)
        return 0;
    uint64_t top = (uint64_t)1 << (k - 1);
    return top | ((top - 1) & 0x5555555555555555u);
}

/* Decodes in as Scalars alone and followed by 18 bytes of fixed-width fields, so that the
 * varint is read both with fewer than ten bytes left and with more. */
static void
check_uint64_and_int32_decode(const codec_buf *in, uint64_t u64, int32_t i32)
{
    codec_buf longer = {0};
    cb_raw(&longer, in->b, in->n);
    cb_hex(&longer, "49 01 02 03 04 05 06 07 08 69 11 12 13 14 15 16 17 18");
    const codec_buf *inputs[] = {in, &longer};
    for (size_t j = 0; j < 2; j++) {
        at_Scalars *m = decode_new(&at_Scalars_desc, inputs[j]->b, inputs[j]->n);
        assert_true(m->f_uint64 == u64);
        assert_int_equal(m->f_int32, i32);
        drop(&at_Scalars_desc, m);
    }
    cb_free(&longer);
}

static void
test_varints_of_every_length_encode_and_decode_exactly(void **state)
{
    (void)state;
    for (unsigned k = 0; k <= 64; k++) {
        at_Scalars m = at_Scalars_INIT;
        m.f_uint64 = bits_value(k);
        /* int32: k-bit positive values up to 31 bits, then negative ones of ten bytes. */
        m.f_int32 = k < 32 ? (int32_t)bits_value(k) : -(int32_t)(bits_value(k - 32) & 0x7fffffff) - 1;
        codec_buf want = {0};
        if (m.f_int32 != 0) {
            cb_tag(&want, 2, 0);
            cb_varint(&want, (uint64_t)(int64_t)m.f_int32);
        }
        if (m.f_uint64 != 0) {
            cb_tag(&want, 5, 0);
            cb_varint(&want, m.f_uint64);
        }
        codec_buf got = encode_buf(&at_Scalars_desc, &m);
        assert_int_equal(got.n, want.n);
        if (want.n)
            assert_memory_equal(got.b, want.b, want.n);
        check_uint64_and_int32_decode(&want, m.f_uint64, m.f_int32);
        cb_free(&want);
        cb_free(&got);
    }
}

static void
test_int32_fields_keep_the_low_32_bits_of_any_varint(void **state)
{
    (void)state;
    /* Protobuf truncates a wider varint in a 32-bit field; the ten-byte form need not be
     * a sign extension. */
    static const uint64_t wide[] = {0x123456789u, 0x8000000000000005u, 0xffffffff00000000u,
                                    0x7fffffff80000000u, UINT64_MAX};
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++) {
        codec_buf in = {0};
        cb_tag(&in, 2, 0);
        cb_varint(&in, wide[i]);
        check_uint64_and_int32_decode(&in, 0, (int32_t)(uint32_t)wide[i]);
        cb_free(&in);
    }
}

static void
test_unbounded_varint_runs_round_trip_across_chunk_boundaries(void **state)
{
    (void)state;
    static const size_t counts[] = {1, 63, 64, 65, 128, 129, 1000};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        size_t n = counts[c];
        int32_t *i32 = malloc(n * sizeof *i32);
        at_Color *en = malloc(n * sizeof *en);
        bool *b = malloc(n * sizeof *b);
        assert_true(i32 && en && b);
        for (size_t i = 0; i < n; i++) {
            i32[i] = e_i32[i % N_EDGES] ^ (int32_t)i;
            en[i] = (at_Color)e_enum[i % N_EDGES];
            b[i] = i % 3 == 0;
        }
        at_Repeats m = at_Repeats_INIT;
        m.r_int32 = i32;
        m.r_int32_count = n;
        m.r_enum = en;
        m.r_enum_count = n;
        m.r_bool = b;
        m.r_bool_count = n;
        at_Repeats *r = round_trip(&at_Repeats_desc, &m);
        assert_int_equal(r->r_int32_count, n);
        assert_int_equal(r->r_enum_count, n);
        assert_int_equal(r->r_bool_count, n);
        assert_memory_equal(r->r_int32, i32, n * sizeof *i32);
        assert_memory_equal(r->r_enum, en, n * sizeof *en);
        assert_memory_equal(r->r_bool, b, n * sizeof *b);
        drop(&at_Repeats_desc, r);
        free(i32);
        free(en);
        free(b);
    }
}

/* Texts with s and b (heap) and s_b and b_b (bounded, max 8) set to text[0..len). */
static void
check_texts_of_length(const char *text, size_t len)
{
    char s[64];
    memcpy(s, text, len);
    s[len] = '\0';
    at_Texts m = at_Texts_INIT;
    m.s = s;
    m.b.data = (uint8_t *)s;
    m.b.len = len;
    if (len <= 8) {
        memcpy(m.s_b, s, len + 1);
        memcpy(m.b_b.data, s, len);
        m.b_b.len = len;
    }
    /* Fields in number order: s, s_b, b, b_b; the bounded ones only up to 8 bytes. */
    codec_buf want = {0};
    for (unsigned field = 1; field <= 4 && len > 0; field++) {
        if (len > 8 && (field == 2 || field == 4))
            continue;
        cb_tag(&want, field, 2);
        cb_varint(&want, len);
        cb_raw(&want, s, len);
    }
    codec_buf got = encode_buf(&at_Texts_desc, &m);
    assert_int_equal(got.n, want.n);
    if (want.n)
        assert_memory_equal(got.b, want.b, want.n);
    at_Texts *r = decode_new(&at_Texts_desc, got.b, got.n);
    assert_int_equal(r->b.len, len);
    if (len) {
        assert_string_equal(r->s, s);
        assert_memory_equal(r->b.data, s, len);
    }
    if (len <= 8) {
        assert_string_equal(r->s_b, s);
        assert_int_equal(r->b_b.len, len);
        assert_memory_equal(r->b_b.data, s, len);
    }
    drop(&at_Texts_desc, r);
    cb_free(&want);
    cb_free(&got);
}

static void
test_strings_and_bytes_of_every_short_length_round_trip_exactly(void **state)
{
    (void)state;
    /* Up to 16 bytes are copied and checked in words; 17 and more take the general path. */
    const char ascii[] = "abcdefghijklmnopqrstuvwxyz0123456789ABCD";
    for (size_t len = 0; len <= 40; len++)
        check_texts_of_length(ascii, len);
    /* A two-byte UTF-8 character first, last, and in the middle of each length. */
    for (size_t len = 2; len <= 40; len++) {
        char t[48];
        memcpy(t, ascii, len);
        size_t at[] = {0, len - 2, len / 2 - 1};
        for (size_t j = 0; j < 3; j++) {
            memcpy(t, ascii, len);
            t[at[j]] = (char)0xc3;
            t[at[j] + 1] = (char)0xa9;
            check_texts_of_length(t, len);
        }
    }
}

/* --- messages: nested, repeated, recursive, oneof --- */

static at_Inner
inner(int32_t a, const char *s)
{
    at_Inner i = {a, (char *)s};
    return i;
}

static void
test_nested_and_imported_messages_round_trip(void **state)
{
    (void)state;
    at_Nested m = at_Nested_INIT;
    at_Inner opt = inner(-7, "opt");
    at_Inner reps[3] = {inner(1, "one"), inner(0, NULL), inner(3, "three")};
    m.has_inl = true;
    m.inl = inner(INT32_MIN, "inline");
    m.opt = &opt;
    m.rep = reps;
    m.rep_count = 3;
    m.rep_b[0] = inner(10, "b0");
    m.rep_b[1] = inner(11, NULL);
    m.rep_b_count = 2;
    m.has_stamp = true;
    m.stamp.secs = -1;
    m.stamp.unit = imp_Unit_UNIT_METRE;
    m.stamp.zone = "UTC";
    m.has_sc = true;
    fill_scalars(&m.sc, 3);
    m.has_local = true;
    m.local.z = -5;

    at_Nested *r = round_trip(&at_Nested_desc, &m);
    assert_true(r->has_inl);
    assert_int_equal(r->inl.a, INT32_MIN);
    assert_string_equal(r->inl.s, "inline");
    assert_non_null(r->opt);
    assert_int_equal(r->opt->a, -7);
    assert_string_equal(r->opt->s, "opt");
    assert_int_equal(r->rep_count, 3);
    assert_string_equal(r->rep[2].s, "three");
    assert_null(r->rep[1].s);
    assert_int_equal(r->rep_b_count, 2);
    assert_int_equal(r->rep_b[1].a, 11);
    assert_true(r->has_stamp);
    assert_true(r->stamp.secs == -1);
    assert_int_equal(r->stamp.unit, imp_Unit_UNIT_METRE);
    assert_string_equal(r->stamp.zone, "UTC");
    assert_true(r->has_sc);
    check_scalars(&r->sc, 3);
    assert_true(r->has_local);
    assert_int_equal(r->local.z, -5);
    drop(&at_Nested_desc, r);

    /* Present but empty messages keep their presence. */
    at_Nested_init(&m);
    at_Inner empty = at_Inner_INIT;
    m.has_inl = m.has_stamp = true;
    m.opt = &empty;
    r = round_trip(&at_Nested_desc, &m);
    assert_true(r->has_inl && r->has_stamp);
    assert_false(r->has_sc);
    assert_non_null(r->opt);
    drop(&at_Nested_desc, r);
}

/* A tree of the given depth: node v = depth, one left child and two kids each level. */
static at_Tree *
make_tree(int depth)
{
    at_Tree *t = calloc(1, sizeof *t);
    assert_non_null(t);
    t->v = depth;
    if (depth > 0) {
        t->left = make_tree(depth - 1);
        t->kids = calloc(2, sizeof *t->kids);
        assert_non_null(t->kids);
        t->kids_count = 2;
        t->kids[0].v = -depth;
        t->kids[1].left = make_tree(0);
    }
    return t;
}

static void
free_tree(at_Tree *t)
{
    if (!t)
        return;
    free_tree(t->left);
    for (size_t i = 0; i < t->kids_count; i++)
        free_tree(t->kids[i].left);
    free(t->kids);
    free(t);
}

static void
test_recursive_messages_round_trip(void **state)
{
    (void)state;
    /* 99 levels below the root: within the default depth limit of 100. */
    at_Tree *t = make_tree(99);
    at_Tree *r = round_trip(&at_Tree_desc, t);
    const at_Tree *p = r;
    for (int d = 99; d > 0; d--) {
        assert_int_equal(p->v, d);
        assert_int_equal(p->kids_count, 2);
        assert_int_equal(p->kids[0].v, -d);
        assert_non_null(p->kids[1].left);
        p = p->left;
    }
    assert_int_equal(p->v, 0);
    assert_null(p->left);
    assert_int_equal(p->kids_count, 0);
    drop(&at_Tree_desc, r);
    free_tree(t);
}

static void
test_every_oneof_member_round_trips(void **state)
{
    (void)state;
    at_Choice m = at_Choice_INIT;
    m.before = 5;
    m.after = -5;

    m.u_case = at_Choice_u_i;
    m.u.i = INT32_MIN;
    at_Choice *r = round_trip(&at_Choice_desc, &m);
    assert_int_equal(r->u_case, at_Choice_u_i);
    assert_int_equal(r->u.i, INT32_MIN);
    assert_int_equal(r->before, 5);
    assert_int_equal(r->after, -5);
    drop(&at_Choice_desc, r);

    m.u_case = at_Choice_u_s;
    m.u.s = "text";
    r = round_trip(&at_Choice_desc, &m);
    assert_int_equal(r->u_case, at_Choice_u_s);
    assert_string_equal(r->u.s, "text");
    drop(&at_Choice_desc, r);

    uint8_t raw[3] = {0, 1, 0};
    m.u_case = at_Choice_u_b;
    m.u.b = (msgc_bytes){raw, 3};
    r = round_trip(&at_Choice_desc, &m);
    assert_int_equal(r->u_case, at_Choice_u_b);
    assert_int_equal(r->u.b.len, 3);
    assert_memory_equal(r->u.b.data, raw, 3);
    drop(&at_Choice_desc, r);

    m.u_case = at_Choice_u_m;
    m.u.m = inner(9, "nine");
    r = round_trip(&at_Choice_desc, &m);
    assert_int_equal(r->u_case, at_Choice_u_m);
    assert_int_equal(r->u.m.a, 9);
    assert_string_equal(r->u.m.s, "nine");
    drop(&at_Choice_desc, r);

    m.u_case = at_Choice_u_d;
    m.u.d = -0.0;
    r = round_trip(&at_Choice_desc, &m);
    assert_int_equal(r->u_case, at_Choice_u_d);
    assert_true(dbits(r->u.d) == 0x8000000000000000u);
    drop(&at_Choice_desc, r);

    m.u_case = at_Choice_u_s_b;
    strcpy(m.u.s_b, "eightchr");
    r = round_trip(&at_Choice_desc, &m);
    assert_int_equal(r->u_case, at_Choice_u_s_b);
    assert_string_equal(r->u.s_b, "eightchr");
    drop(&at_Choice_desc, r);

    m.u_case = at_Choice_u_e;
    m.u.e = at_Color_COLOR_LOW;
    r = round_trip(&at_Choice_desc, &m);
    assert_int_equal(r->u_case, at_Choice_u_e);
    assert_int_equal(r->u.e, at_Color_COLOR_LOW);
    drop(&at_Choice_desc, r);

    m.u_case = at_Choice_u_NONE;
    r = round_trip(&at_Choice_desc, &m);
    assert_int_equal(r->u_case, at_Choice_u_NONE);
    drop(&at_Choice_desc, r);
}

static void
test_keyword_named_fields_round_trip(void **state)
{
    (void)state;
    at_Keywords k = {INT32_MIN, "switch", true, UINT32_MAX};
    at_Keywords *r = round_trip(&at_Keywords_desc, &k);
    assert_int_equal(r->class_, INT32_MIN);
    assert_string_equal(r->default_, "switch");
    assert_true(r->register_);
    assert_int_equal(r->new_, UINT32_MAX);
    drop(&at_Keywords_desc, r);
}

static void
test_empty_message_encodes_to_nothing_and_skips_unknown_fields(void **state)
{
    (void)state;
    at_Empty e = at_Empty_INIT;
    size_t len = 99;
    assert_int_equal(at_Empty_encoded_size(&e), 0);
    assert_int_equal(at_Empty_MAX_SIZE, 0);
    assert_int_equal(at_Empty_encode(&e, NULL, 0, &len), 0);
    assert_int_equal(len, 0);
    at_Empty *r = decode_hex(&at_Empty_desc, "08 01 12 01 61 a3 01 a4 01");
    drop(&at_Empty_desc, r);
    at_All a = at_All_INIT;
    a.has_empty = true;
    check_bytes(&at_All_desc, &a, "4a 00");
    at_All *ra = round_trip(&at_All_desc, &a);
    assert_true(ra->has_empty);
    drop(&at_All_desc, ra);
}

/* --- an All value with every part used, shared by the leak and ownership tests --- */

typedef struct all_fixture {
    at_All all;
    bool b[N_EDGES];
    float f[N_EDGES];
    double d[N_EDGES];
    char *rs[3];
    msgc_bytes rb[1];
    at_Inner opt, reps[2];
    at_Tree *tree;
    at_Choice choices[3];
    codec_buf bytes;
} all_fixture;

static int
setup_all(void **state)
{
    all_fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    at_All *a = &f->all;
    a->has_scalars = true;
    fill_scalars(&a->scalars, 4);
    a->scalars.f_string = "scalar string";
    a->scalars.f_bytes = (msgc_bytes){(uint8_t *)"\1\2\3", 3};
    a->has_optionals = true;
    a->optionals.has_o_string = true;
    a->optionals.o_string = "optional";
    a->optionals.has_o_bytes = true;
    a->optionals.o_bytes = (msgc_bytes){(uint8_t *)"xy", 2};
    a->optionals.has_o_sint64 = true;
    a->optionals.o_sint64 = INT64_MIN;
    a->has_repeats = true;
    fill_repeats(&a->repeats, f->b, f->f, f->d);
    a->has_bounded = true;
    a->bounded.b_int32[0] = -1;
    a->bounded.b_int32_count = 1;
    a->has_texts = true;
    f->rs[0] = "r0";
    f->rs[1] = "";
    f->rs[2] = "r2";
    a->texts.rs = f->rs;
    a->texts.rs_count = 3;
    f->rb[0] = (msgc_bytes){(uint8_t *)"rb", 2};
    a->texts.rb = f->rb;
    a->texts.rb_count = 1;
    a->texts.s = "texts";
    a->texts.rs_b[0] = "slot";
    a->texts.rs_b_count = 1;
    a->has_nested = true;
    f->opt = inner(1, "o");
    f->reps[0] = inner(2, "r");
    f->reps[1] = inner(3, NULL);
    a->nested.opt = &f->opt;
    a->nested.rep = f->reps;
    a->nested.rep_count = 2;
    a->nested.has_stamp = true;
    a->nested.stamp.zone = "zone";
    a->has_choice = true;
    a->choice.u_case = at_Choice_u_m;
    a->choice.u.m = inner(4, "m");
    a->has_tree = true;
    f->tree = make_tree(3);
    a->tree = *f->tree;
    a->has_keywords = true;
    a->keywords.default_ = "kw";
    f->choices[0].u_case = at_Choice_u_s;
    f->choices[0].u.s = "c0";
    f->choices[1].u_case = at_Choice_u_b;
    f->choices[1].u.b = (msgc_bytes){(uint8_t *)"c1", 2};
    f->choices[2].u_case = at_Choice_u_i;
    a->choices = f->choices;
    a->choices_count = 3;
    a->big_number = UINT64_MAX;
    f->bytes = encode_buf(&at_All_desc, a);
    *state = f;
    return 0;
}

static int
teardown_all(void **state)
{
    all_fixture *f = *state;
    free_tree(f->tree);
    cb_free(&f->bytes);
    free(f);
    return 0;
}

static void
test_all_features_round_trip(void **state)
{
    all_fixture *f = *state;
    at_All *r = round_trip(&at_All_desc, &f->all);
    check_scalars(&r->scalars, 4);
    assert_string_equal(r->scalars.f_string, "scalar string");
    assert_string_equal(r->optionals.o_string, "optional");
    assert_true(r->optionals.o_sint64 == INT64_MIN);
    assert_int_equal(r->repeats.r_uint64_count, N_EDGES);
    assert_int_equal(r->bounded.b_int32_count, 1);
    assert_string_equal(r->texts.rs[2], "r2");
    assert_string_equal(r->texts.rs_b[0], "slot");
    assert_string_equal(r->nested.opt->s, "o");
    assert_int_equal(r->choice.u_case, at_Choice_u_m);
    assert_string_equal(r->choice.u.m.s, "m");
    assert_int_equal(r->tree.v, 3);
    assert_int_equal(r->tree.left->left->left->v, 0);
    assert_string_equal(r->keywords.default_, "kw");
    assert_int_equal(r->choices_count, 3);
    assert_string_equal(r->choices[0].u.s, "c0");
    assert_int_equal(r->choices[2].u_case, at_Choice_u_i);
    assert_true(r->big_number == UINT64_MAX);
    drop(&at_All_desc, r);
}

/* --- encoding into a buffer too small --- */

static void
test_encode_into_too_small_buffer_is_enospc(void **state)
{
    all_fixture *f = *state;
    size_t need = f->bytes.n;
    uint8_t *buf = malloc(need + 1);
    assert_non_null(buf);
    for (size_t cap = 0; cap < need; cap++) {
        size_t len = 4242;
        memset(buf, 0x5a, need + 1);
        assert_int_equal(at_All_encode(&f->all, buf, cap, &len), MSGC_ENOSPC);
        assert_int_equal(msgc_last_error()->code, MSGC_ENOSPC);
        assert_string_equal(msgc_last_error()->path, "All");
        assert_int_equal(len, 4242);
        for (size_t i = cap; i <= need; i++)
            assert_int_equal(buf[i], 0x5a);
    }
    size_t len = 0;
    assert_int_equal(at_All_encode(&f->all, buf, need, &len), 0);
    assert_int_equal(len, need);
    assert_memory_equal(buf, f->bytes.b, need);
    free(buf);

    /* A bounded type below its MAX_SIZE, and the empty message into no buffer at all. */
    at_Bounded b = at_Bounded_INIT;
    uint8_t small[4];
    b.b_int32[0] = -1;
    b.b_int32_count = 1;
    assert_int_equal(at_Bounded_encode(&b, small, sizeof small, &len), MSGC_ENOSPC);
    assert_string_equal(msgc_last_error()->path, "Bounded");
    at_Bounded_init(&b);
    assert_int_equal(at_Bounded_encode(&b, NULL, 0, &len), 0);
    assert_int_equal(len, 0);
}

/* --- encoders refuse what decoders refuse --- */

static void
test_encode_refuses_count_above_max(void **state)
{
    (void)state;
    at_Bounded b = at_Bounded_INIT;
    b.b_int32_count = 4;
    check_encode_fails(&at_Bounded_desc, &b, MSGC_EBOUNDS, "Bounded.b_int32[3]");
    b.b_int32_count = SIZE_MAX;
    check_encode_fails(&at_Bounded_desc, &b, MSGC_EBOUNDS, "Bounded.b_int32[3]");
    at_Bounded_init(&b);
    b.b_double_count = 4;
    check_encode_fails(&at_Bounded_desc, &b, MSGC_EBOUNDS, "Bounded.b_double[3]");

    at_Texts t = at_Texts_INIT;
    t.rs_b_count = 4;
    check_encode_fails(&at_Texts_desc, &t, MSGC_EBOUNDS, "Texts.rs_b[3]");
    at_Texts_init(&t);
    t.rs_bl_count = 4;
    check_encode_fails(&at_Texts_desc, &t, MSGC_EBOUNDS, "Texts.rs_bl[3]");
    at_Texts_init(&t);
    t.rb_bl_count = 5;
    check_encode_fails(&at_Texts_desc, &t, MSGC_EBOUNDS, "Texts.rb_bl[3]");
    at_Texts_init(&t);
    t.rb_b_count = 4;
    check_encode_fails(&at_Texts_desc, &t, MSGC_EBOUNDS, "Texts.rb_b[3]");

    at_Nested n = at_Nested_INIT;
    n.rep_b_count = 3;
    check_encode_fails(&at_Nested_desc, &n, MSGC_EBOUNDS, "Nested.rep_b[2]");

    at_All a = at_All_INIT;
    a.has_bounded = true;
    a.bounded.b_enum_count = 4;
    check_encode_fails(&at_All_desc, &a, MSGC_EBOUNDS, "All.bounded.b_enum[3]");

    at_Fat *fat = calloc(1, sizeof *fat);
    assert_non_null(fat);
    fat->w_count = 513;
    check_encode_fails(&at_Fat_desc, fat, MSGC_EBOUNDS, "Fat.w[512]");
    free(fat);
}

/* An encoder never writes what a decoder with the default limits refuses: a chain of
 * 100 nested messages encodes and decodes, one of 101 is refused with MSGC_EDEPTH. */
static void
test_encode_refuses_nesting_past_the_default_depth(void **state)
{
    (void)state;
    at_Tree nodes[102];
    for (size_t i = 0; i < 102; i++) {
        at_Tree_init(&nodes[i]);
        nodes[i].v = (int32_t)i;
        nodes[i].left = i + 1 < 102 ? &nodes[i + 1] : NULL;
    }
    static uint8_t buf[4096];
    size_t len = 0;
    nodes[100].left = NULL; /* depths 0..100 */
    assert_int_equal(at_Tree_encode(&nodes[0], buf, sizeof buf, &len), 0);
    at_Tree back = at_Tree_INIT;
    assert_int_equal(at_Tree_decode(&back, buf, len), 0);
    at_Tree_free(&back);
    nodes[100].left = &nodes[101]; /* depth 101 */
    assert_int_equal(at_Tree_encode(&nodes[0], buf, sizeof buf, &len), MSGC_EDEPTH);
    assert_int_equal(msgc_last_error()->code, MSGC_EDEPTH);
}

static void
test_encode_refuses_bytes_over_max(void **state)
{
    (void)state;
    at_Texts t = at_Texts_INIT;
    t.b_b.len = 9;
    check_encode_fails(&at_Texts_desc, &t, MSGC_EBOUNDS, "Texts.b_b");
    at_Texts_init(&t);
    t.rb_bl_count = 2;
    t.rb_bl[1].len = 6;
    check_encode_fails(&at_Texts_desc, &t, MSGC_EBOUNDS, "Texts.rb_bl[1]");
    at_Optionals o = at_Optionals_INIT;
    o.has_o_bytes_b = true;
    o.o_bytes_b.len = SIZE_MAX;
    check_encode_fails(&at_Optionals_desc, &o, MSGC_EBOUNDS, "Optionals.o_bytes_b");
}

static void
test_encode_refuses_unterminated_bounded_char_array(void **state)
{
    (void)state;
    at_Texts t = at_Texts_INIT;
    memset(t.s_b, 'a', sizeof t.s_b);
    check_encode_fails(&at_Texts_desc, &t, MSGC_EBOUNDS, "Texts.s_b");
    at_Texts_init(&t);
    t.rs_bl_count = 2;
    memset(t.rs_bl[1], 'a', sizeof t.rs_bl[1]);
    check_encode_fails(&at_Texts_desc, &t, MSGC_EBOUNDS, "Texts.rs_bl[1]");
    at_Optionals o = at_Optionals_INIT;
    o.has_o_string_b = true;
    memset(o.o_string_b, 'z', sizeof o.o_string_b);
    check_encode_fails(&at_Optionals_desc, &o, MSGC_EBOUNDS, "Optionals.o_string_b");
    at_Choice c = at_Choice_INIT;
    c.u_case = at_Choice_u_s_b;
    memset(c.u.s_b, 'q', sizeof c.u.s_b);
    check_encode_fails(&at_Choice_desc, &c, MSGC_EBOUNDS, "Choice.s_b");
}

static void
test_encode_refuses_invalid_utf8(void **state)
{
    (void)state;
    at_Texts t = at_Texts_INIT;
    t.s = "\xc0\x80";
    check_encode_fails(&at_Texts_desc, &t, MSGC_EUTF8, "Texts.s");
    at_Texts_init(&t);
    strcpy(t.s_b, "\xed\xa0\x80");
    check_encode_fails(&at_Texts_desc, &t, MSGC_EUTF8, "Texts.s_b");
    at_Texts_init(&t);
    char *rs[2] = {"ok", "\xf4\x90\x80\x80"};
    t.rs = rs;
    t.rs_count = 2;
    check_encode_fails(&at_Texts_desc, &t, MSGC_EUTF8, "Texts.rs[1]");
    at_Texts_init(&t);
    t.rs_b[0] = "\xe2\x82";
    t.rs_b_count = 1;
    check_encode_fails(&at_Texts_desc, &t, MSGC_EUTF8, "Texts.rs_b[0]");
    at_Texts_init(&t);
    strcpy(t.rs_bl[0], "\xff");
    t.rs_bl_count = 1;
    check_encode_fails(&at_Texts_desc, &t, MSGC_EUTF8, "Texts.rs_bl[0]");

    at_Choice c = at_Choice_INIT;
    c.u_case = at_Choice_u_s;
    c.u.s = "\x80";
    check_encode_fails(&at_Choice_desc, &c, MSGC_EUTF8, "Choice.s");

    at_All a = at_All_INIT;
    at_Choice cs[2] = {at_Choice_INIT, at_Choice_INIT};
    cs[1].u_case = at_Choice_u_m;
    cs[1].u.m.s = "\xc1\xbf";
    a.choices = cs;
    a.choices_count = 2;
    check_encode_fails(&at_All_desc, &a, MSGC_EUTF8, "All.choices[1].m.s");
    at_All_init(&a);
    a.has_nested = true;
    a.nested.has_stamp = true;
    a.nested.stamp.zone = "\xed\xbf\xbf";
    check_encode_fails(&at_All_desc, &a, MSGC_EUTF8, "All.nested.stamp.zone");
}

static void
test_encode_refuses_bad_oneof_case(void **state)
{
    (void)state;
    at_Choice c = at_Choice_INIT;
    c.u_case = (at_Choice_u_case)99;
    check_encode_fails(&at_Choice_desc, &c, MSGC_EINVAL, "Choice.u");
    c.u_case = (at_Choice_u_case)1;
    check_encode_fails(&at_Choice_desc, &c, MSGC_EINVAL, "Choice.u");
    c.u_case = (at_Choice_u_case)-1;
    check_encode_fails(&at_Choice_desc, &c, MSGC_EINVAL, "Choice.u");

    at_All a = at_All_INIT;
    at_Choice cs[2] = {at_Choice_INIT, at_Choice_INIT};
    cs[1].u_case = (at_Choice_u_case)9;
    a.choices = cs;
    a.choices_count = 2;
    check_encode_fails(&at_All_desc, &a, MSGC_EINVAL, "All.choices[1].u");
}

/* --- ownership and leaks --- */

static void
test_decoding_1000_times_into_one_struct_leaks_nothing(void **state)
{
    all_fixture *f = *state;
    at_All m = at_All_INIT;
    codec_alloc_install(0);
    size_t live_after_first = 0;
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(at_All_decode(&m, f->bytes.b, f->bytes.n), 0);
        if (i == 0)
            live_after_first = codec_count.live_bytes;
        assert_int_equal(codec_count.live_bytes, live_after_first);
    }
    assert_true(live_after_first > 0);
    at_All_free(&m);
    assert_int_equal(codec_count.live_bytes, 0);
    assert_int_equal(codec_count.allocs, codec_count.frees);
    assert_true(codec_count.allocs >= 1000);
    codec_alloc_remove();
}

static void
test_decode_into_used_struct_releases_old_contents(void **state)
{
    all_fixture *f = *state;
    at_All m = at_All_INIT, fresh;
    at_All_init(&fresh);
    codec_alloc_install(0);
    assert_int_equal(at_All_decode(&m, f->bytes.b, f->bytes.n), 0);
    assert_true(codec_count.live_bytes > 0);
    /* Decode never merges into old contents: an empty input leaves an empty value.
     * (Bytes past a field's count or length are not part of the value: a successful
     * decode does not clear them, which keeps large inline arrays cheap.) */
    assert_int_equal(at_All_decode(&m, NULL, 0), 0);
    assert_int_equal(codec_count.live_bytes, 0);
    assert_int_equal(at_All_encoded_size(&m), 0);
    assert_false(m.has_scalars);
    assert_false(m.has_texts);

    /* The same for a smaller value with heap parts of its own. */
    assert_int_equal(at_All_decode(&m, f->bytes.b, f->bytes.n), 0);
    codec_buf small = cb_of("2a 05 2a 03 61 62 63");
    assert_int_equal(at_All_decode(&m, small.b, small.n), 0);
    assert_true(m.has_texts);
    assert_false(m.has_scalars);
    assert_int_equal(m.texts.rs_count, 1);
    assert_string_equal(m.texts.rs[0], "abc");
    assert_int_equal(codec_count.live_bytes, sizeof(char *) + 4);
    at_All_free(&m);
    assert_int_equal(codec_count.live_bytes, 0);
    assert_memory_equal(&m, &fresh, sizeof m);
    codec_alloc_remove();
    cb_free(&small);

    /* Free releases what the caller set from the msgc allocator too. */
    at_Texts t = at_Texts_INIT;
    codec_alloc_install(0);
    assert_int_equal(at_Texts_decode(&t, (const uint8_t *)"\x0a\x01x", 3), 0);
    at_Inner in = at_Inner_INIT;
    in.s = t.s;
    t.s = NULL;
    at_Inner_free(&in);
    assert_int_equal(codec_count.live_bytes, 0);
    codec_alloc_remove();
}

static void
test_failed_decode_leaves_struct_as_after_init(void **state)
{
    all_fixture *f = *state;
    at_All m = at_All_INIT, fresh;
    at_All_init(&fresh);
    size_t failures = 0;
    codec_alloc_install(0);
    /* Every prefix of a valid encoding, decoded into a struct that holds a value. */
    for (size_t len = 0; len < f->bytes.n; len++) {
        assert_int_equal(at_All_decode(&m, f->bytes.b, f->bytes.n), 0);
        int rc = at_All_decode(&m, f->bytes.b, len);
        if (rc != 0) {
            failures++;
            assert_memory_equal(&m, &fresh, sizeof m);
            assert_int_equal(codec_count.live_bytes, 0);
        }
    }
    assert_true(failures > f->bytes.n / 2);
    at_All_free(&m);
    assert_int_equal(codec_count.live_bytes, 0);
    codec_alloc_remove();
}

/* --- decoders accept every valid encoding --- */

static void
test_decode_accepts_unpacked_repeated_scalars(void **state)
{
    (void)state;
    at_Repeats *r =
        decode_hex(&at_Repeats_desc, "10 01 10 ff ff ff ff ff ff ff ff ff 01 45 07 00 00 00 08 01"
                                     " 69 00 00 00 00 00 00 f0 3f 70 02 45 08 00 00 00");
    assert_int_equal(r->r_int32_count, 2);
    assert_int_equal(r->r_int32[0], 1);
    assert_int_equal(r->r_int32[1], -1);
    assert_int_equal(r->r_fixed32_count, 2);
    assert_int_equal(r->r_fixed32[0], 7);
    assert_int_equal(r->r_fixed32[1], 8);
    assert_int_equal(r->r_bool_count, 1);
    assert_true(r->r_bool[0]);
    assert_int_equal(r->r_double_count, 1);
    assert_true(r->r_double[0] == 1.0);
    assert_int_equal(r->r_enum_count, 1);
    assert_int_equal(r->r_enum[0], 2);
    drop(&at_Repeats_desc, r);

    at_Bounded *b = decode_hex(&at_Bounded_desc, "10 01 10 02 10 03 55 04 00 00 00");
    assert_int_equal(b->b_int32_count, 3);
    assert_int_equal(b->b_int32[2], 3);
    assert_int_equal(b->b_sfixed32_count, 1);
    assert_int_equal(b->b_sfixed32[0], 4);
    drop(&at_Bounded_desc, b);
}

static void
test_decode_accepts_split_and_mixed_packed_runs(void **state)
{
    (void)state;
    at_Repeats *r =
        decode_hex(&at_Repeats_desc, "12 01 01 12 00 10 02 12 02 03 04 42 04 09 00 00 00");
    assert_int_equal(r->r_int32_count, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(r->r_int32[i], i + 1);
    assert_int_equal(r->r_fixed32_count, 1);
    assert_int_equal(r->r_fixed32[0], 9);
    drop(&at_Repeats_desc, r);

    at_Bounded *b = decode_hex(&at_Bounded_desc, "12 01 01 10 02 12 01 03");
    assert_int_equal(b->b_int32_count, 3);
    assert_int_equal(b->b_int32[1], 2);
    drop(&at_Bounded_desc, b);
}

static void
test_decode_accepts_fields_in_any_order(void **state)
{
    (void)state;
    at_Scalars m = at_Scalars_INIT;
    fill_scalars(&m, 5);
    m.f_string = "str";
    m.f_bytes = (msgc_bytes){(uint8_t *)"b", 1};
    codec_buf canon = encode_buf(&at_Scalars_desc, &m);
    /* The same fields, last first. */
    codec_buf rev = {0};
    size_t starts[20], n = 0, p = 0;
    while (p < canon.n) {
        starts[n++] = p;
        uint64_t tag = 0;
        int shift = 0;
        do
            tag |= (uint64_t)(canon.b[p] & 0x7f) << shift, shift += 7;
        while (canon.b[p++] & 0x80);
        switch (tag & 7) {
        case 0:
            while (canon.b[p++] & 0x80)
                continue;
            break;
        case 1:
            p += 8;
            break;
        case 5:
            p += 4;
            break;
        default:
            p += 1u + canon.b[p];
            break;
        }
    }
    starts[n] = canon.n;
    for (size_t i = n; i-- > 0;)
        cb_raw(&rev, canon.b + starts[i], starts[i + 1] - starts[i]);
    assert_int_equal(rev.n, canon.n);
    assert_true(n >= 10);
    at_Scalars *r = decode_new(&at_Scalars_desc, rev.b, rev.n);
    check_scalars(r, 5);
    assert_string_equal(r->f_string, "str");
    assert_int_equal(r->f_bytes.len, 1);
    drop(&at_Scalars_desc, r);
    cb_free(&canon);
    cb_free(&rev);
}

static void
test_decode_field_given_twice_last_wins_messages_merge_repeated_append(void **state)
{
    (void)state;
    codec_alloc_install(0);
    at_Scalars *s = decode_hex(&at_Scalars_desc,
                               "08 01 10 05 7a 01 61 82 01 01 01 08 00 10 07 7a 02 62 63 82 01 00");
    assert_false(s->f_bool);
    assert_int_equal(s->f_int32, 7);
    assert_string_equal(s->f_string, "bc");
    assert_null(s->f_bytes.data);
    assert_int_equal(s->f_bytes.len, 0);
    drop(&at_Scalars_desc, s);

    at_Texts *t =
        decode_hex(&at_Texts_desc, "12 06 61 62 63 64 65 66 12 01 78 22 03 01 02 03 22 01 09");
    assert_string_equal(t->s_b, "x");
    assert_int_equal(t->b_b.len, 1);
    assert_int_equal(t->b_b.data[0], 9);
    drop(&at_Texts_desc, t);

    /* Messages merge: fields of both occurrences, later scalars win. */
    at_Nested *n =
        decode_hex(&at_Nested_desc, "0a 02 08 01 12 03 12 01 61 0a 03 12 01 62 12 02 08 05"
                                    " 1a 02 08 01 1a 02 08 02 32 02 08 01 32 02 10 02");
    assert_true(n->has_inl);
    assert_int_equal(n->inl.a, 1);
    assert_string_equal(n->inl.s, "b");
    assert_int_equal(n->opt->a, 5);
    assert_string_equal(n->opt->s, "a");
    assert_int_equal(n->rep_count, 2);
    assert_int_equal(n->rep[1].a, 2);
    assert_true(n->sc.f_bool);
    assert_int_equal(n->sc.f_int32, 2);
    drop(&at_Nested_desc, n);

    /* A oneof member repeated merges; another member replaces it. */
    at_Choice *c = decode_hex(&at_Choice_desc, "2a 02 08 01 2a 03 12 01 7a");
    assert_int_equal(c->u_case, at_Choice_u_m);
    assert_int_equal(c->u.m.a, 1);
    assert_string_equal(c->u.m.s, "z");
    drop(&at_Choice_desc, c);
    c = decode_hex(&at_Choice_desc, "1a 01 61 2a 03 12 01 7a 10 05");
    assert_int_equal(c->u_case, at_Choice_u_i);
    assert_int_equal(c->u.i, 5);
    drop(&at_Choice_desc, c);
    c = decode_hex(&at_Choice_desc, "10 05 22 01 00 1a 02 68 69");
    assert_int_equal(c->u_case, at_Choice_u_s);
    assert_string_equal(c->u.s, "hi");
    drop(&at_Choice_desc, c);

    /* Repeated messages of a recursive type append. */
    at_Tree *tr = decode_hex(&at_Tree_desc, "1a 02 08 01 12 02 08 09 1a 02 08 02 12 00");
    assert_int_equal(tr->kids_count, 2);
    assert_int_equal(tr->kids[1].v, 2);
    assert_int_equal(tr->left->v, 9);
    assert_null(tr->left->left);
    drop(&at_Tree_desc, tr);
    assert_int_equal(codec_count.live_bytes, 0);
    codec_alloc_remove();
}

static void
test_decode_skips_unknown_fields_of_every_wire_type(void **state)
{
    (void)state;
    codec_alloc_install(0);
    /* Field 20 as varint, i64, length-delimited, i32 and a group holding one of each and a
     * nested group; field 2^29 - 1 too; known fields in between. */
    at_Scalars *s =
        decode_hex(&at_Scalars_desc, "a0 01 96 01 08 01"
                                     " a1 01 01 02 03 04 05 06 07 08"
                                     " a2 01 03 0a 0b 0c 10 2a"
                                     " a5 01 01 02 03 04"
                                     " a3 01 08 01 11 00 00 00 00 00 00 00 00 1a 00 25 00 00 00 00"
                                     "   b3 01 b4 01 a4 01"
                                     " 7a 01 61"
                                     " f9 ff ff ff 0f 00 00 00 00 00 00 00 00");
    assert_true(s->f_bool);
    assert_int_equal(s->f_int32, 42);
    assert_string_equal(s->f_string, "a");
    drop(&at_Scalars_desc, s);

    /* Unknown fields inside nested messages, and a message whose fields are all unknown. */
    at_Nested *n = decode_hex(&at_Nested_desc, "0a 08 a3 01 a4 01 08 03 68 00 3a 02 10 00");
    assert_int_equal(n->inl.a, 3);
    assert_true(n->has_local);
    drop(&at_Nested_desc, n);
    assert_int_equal(codec_count.live_bytes, 0);
    codec_alloc_remove();
}

static void
test_decode_accepts_non_canonical_values(void **state)
{
    (void)state;
    /* Padded varints, a 5-byte negative int32, bool 2, an unknown enum value, an int32
     * with bits above 32, a zero-length packed run, an empty message. */
    at_Scalars *s =
        decode_hex(&at_Scalars_desc, "08 02 10 ff ff ff ff 0f 20 81 80 80 80 00 70 e7 07"
                                     " 18 80 80 80 80 80 80 80 80 80 00");
    assert_true(s->f_bool);
    assert_int_equal(s->f_int32, -1);
    assert_int_equal(s->f_uint32, 1);
    assert_int_equal(s->f_enum, 999);
    assert_true(s->f_int64 == 0);
    drop(&at_Scalars_desc, s);

    s = decode_hex(&at_Scalars_desc, "10 ff ff ff ff ff 01");
    assert_int_equal(s->f_int32, -1);
    drop(&at_Scalars_desc, s);

    at_Optionals *o = decode_hex(&at_Optionals_desc, "10 00 7a 00 8a 01 00");
    assert_true(o->has_o_int32);
    assert_int_equal(o->o_int32, 0);
    assert_true(o->has_o_string);
    assert_null(o->o_string);
    assert_true(o->has_o_string_b);
    assert_false(o->has_o_bytes);
    drop(&at_Optionals_desc, o);
}

static void
test_decode_keeps_negative_zero_and_nan_bits(void **state)
{
    (void)state;
    at_Scalars *s = decode_hex(&at_Scalars_desc, "65 00 00 00 80 69 01 00 00 00 00 00 f8 ff");
    assert_int_equal(fbits(s->f_float), 0x80000000u);
    assert_true(signbit(s->f_float));
    assert_true(dbits(s->f_double) == 0xfff8000000000001u);
    assert_true(isnan(s->f_double));
    drop(&at_Scalars_desc, s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_varints_of_every_length_encode_and_decode_exactly),
        cmocka_unit_test(test_int32_fields_keep_the_low_32_bits_of_any_varint),
        cmocka_unit_test(test_unbounded_varint_runs_round_trip_across_chunk_boundaries),
        cmocka_unit_test(test_strings_and_bytes_of_every_short_length_round_trip_exactly),
        cmocka_unit_test(test_scalars_round_trip_at_their_edges),
        cmocka_unit_test(test_optionals_round_trip_at_their_edges_with_presence),
        cmocka_unit_test(test_repeated_scalars_round_trip_at_their_edges),
        cmocka_unit_test(test_bounded_arrays_round_trip_full_and_reach_max_size),
        cmocka_unit_test(test_largest_bounded_value_fits_max_size_exactly),
        cmocka_unit_test(test_scalars_encode_to_hand_checked_bytes),
        cmocka_unit_test(test_presence_fields_encode_to_hand_checked_bytes),
        cmocka_unit_test(test_repeated_scalars_encode_packed),
        cmocka_unit_test(test_strings_and_bytes_round_trip_empty_and_maximal),
        cmocka_unit_test(test_large_unbounded_arrays_round_trip),
        cmocka_unit_test(test_nested_and_imported_messages_round_trip),
        cmocka_unit_test(test_recursive_messages_round_trip),
        cmocka_unit_test(test_every_oneof_member_round_trips),
        cmocka_unit_test(test_keyword_named_fields_round_trip),
        cmocka_unit_test(test_empty_message_encodes_to_nothing_and_skips_unknown_fields),
        cmocka_unit_test_setup_teardown(test_all_features_round_trip, setup_all, teardown_all),
        cmocka_unit_test_setup_teardown(test_encode_into_too_small_buffer_is_enospc, setup_all,
                                        teardown_all),
        cmocka_unit_test(test_encode_refuses_count_above_max),
        cmocka_unit_test(test_encode_refuses_bytes_over_max),
        cmocka_unit_test(test_encode_refuses_nesting_past_the_default_depth),
        cmocka_unit_test(test_encode_refuses_unterminated_bounded_char_array),
        cmocka_unit_test(test_encode_refuses_invalid_utf8),
        cmocka_unit_test(test_encode_refuses_bad_oneof_case),
        cmocka_unit_test_setup_teardown(test_decoding_1000_times_into_one_struct_leaks_nothing,
                                        setup_all, teardown_all),
        cmocka_unit_test_setup_teardown(test_decode_into_used_struct_releases_old_contents,
                                        setup_all, teardown_all),
        cmocka_unit_test_setup_teardown(test_failed_decode_leaves_struct_as_after_init, setup_all,
                                        teardown_all),
        cmocka_unit_test(test_decode_accepts_unpacked_repeated_scalars),
        cmocka_unit_test(test_decode_accepts_split_and_mixed_packed_runs),
        cmocka_unit_test(test_decode_accepts_fields_in_any_order),
        cmocka_unit_test(test_decode_field_given_twice_last_wins_messages_merge_repeated_append),
        cmocka_unit_test(test_decode_skips_unknown_fields_of_every_wire_type),
        cmocka_unit_test(test_decode_accepts_non_canonical_values),
        cmocka_unit_test(test_decode_keeps_negative_zero_and_nan_bits),
    };
    return cmocka_run_group_tests_name("codec", tests, NULL, NULL);
}
