/* test_interop.c - msgc's generated codecs against protobuf-c 1.4 (the real library and
 * protoc-c output for the .proto files msgc --proto writes), for every message type of
 * tests/schemas/all_types.msg: each side decodes what the other encodes to the same values,
 * and both write identical bytes. protobuf-c drops a -0.0 without presence, so that one
 * value is compared by decoding only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "all_types.msg.h"
#include "all_types.pb-c.h"
#include "at_edges.h"
#include "codec_support.h"

/* --- comparing an msgc value with a protobuf-c value --- */

/* msgc keeps an empty string as NULL, protobuf-c as "". */
static void
same_str(const char *m, const char *p)
{
    assert_non_null(p);
    assert_string_equal(m ? m : "", p);
}

static void
same_bytes(const uint8_t *data, size_t len, const ProtobufCBinaryData *p)
{
    assert_int_equal(len, p->len);
    if (len)
        assert_memory_equal(data, p->data, len);
}

static void
same_scalars(const at_Scalars *m, const At__Scalars *p)
{
    assert_int_equal(m->f_bool, p->f_bool);
    assert_int_equal(m->f_int32, p->f_int32);
    assert_true(m->f_int64 == p->f_int64);
    assert_int_equal(m->f_uint32, p->f_uint32);
    assert_true(m->f_uint64 == p->f_uint64);
    assert_int_equal(m->f_sint32, p->f_sint32);
    assert_true(m->f_sint64 == p->f_sint64);
    assert_int_equal(m->f_fixed32, p->f_fixed32);
    assert_true(m->f_fixed64 == p->f_fixed64);
    assert_int_equal(m->f_sfixed32, p->f_sfixed32);
    assert_true(m->f_sfixed64 == p->f_sfixed64);
    assert_int_equal(fbits(m->f_float), fbits(p->f_float));
    assert_true(dbits(m->f_double) == dbits(p->f_double));
    assert_int_equal(m->f_enum, p->f_enum);
    same_str(m->f_string, p->f_string);
    same_bytes(m->f_bytes.data, m->f_bytes.len, &p->f_bytes);
}

#define SAME_OPT(field, number, cmp)                                                               \
    do {                                                                                           \
        assert_int_equal(m->has_##field, p->_##field##_case == (number));                          \
        if (m->has_##field)                                                                        \
            cmp;                                                                                   \
    } while (0)

static void
same_optionals(const at_Optionals *m, const At__Optionals *p)
{
    SAME_OPT(o_bool, 1, assert_int_equal(m->o_bool, p->o_bool));
    SAME_OPT(o_int32, 2, assert_int_equal(m->o_int32, p->o_int32));
    SAME_OPT(o_int64, 3, assert_true(m->o_int64 == p->o_int64));
    SAME_OPT(o_uint32, 4, assert_int_equal(m->o_uint32, p->o_uint32));
    SAME_OPT(o_uint64, 5, assert_true(m->o_uint64 == p->o_uint64));
    SAME_OPT(o_sint32, 6, assert_int_equal(m->o_sint32, p->o_sint32));
    SAME_OPT(o_sint64, 7, assert_true(m->o_sint64 == p->o_sint64));
    SAME_OPT(o_fixed32, 8, assert_int_equal(m->o_fixed32, p->o_fixed32));
    SAME_OPT(o_fixed64, 9, assert_true(m->o_fixed64 == p->o_fixed64));
    SAME_OPT(o_sfixed32, 10, assert_int_equal(m->o_sfixed32, p->o_sfixed32));
    SAME_OPT(o_sfixed64, 11, assert_true(m->o_sfixed64 == p->o_sfixed64));
    SAME_OPT(o_float, 12, assert_int_equal(fbits(m->o_float), fbits(p->o_float)));
    SAME_OPT(o_double, 13, assert_true(dbits(m->o_double) == dbits(p->o_double)));
    SAME_OPT(o_enum, 14, assert_int_equal(m->o_enum, p->o_enum));
    SAME_OPT(o_string, 15, same_str(m->o_string, p->o_string));
    SAME_OPT(o_bytes, 16, same_bytes(m->o_bytes.data, m->o_bytes.len, &p->o_bytes));
    SAME_OPT(o_string_b, 17, same_str(m->o_string_b, p->o_string_b));
    SAME_OPT(o_bytes_b, 18, same_bytes(m->o_bytes_b.data, m->o_bytes_b.len, &p->o_bytes_b));
}

#define SAME_ARRAY(mf, pf)                                                                         \
    do {                                                                                           \
        assert_int_equal(m->mf##_count, p->n_##pf);                                                \
        if (p->n_##pf)                                                                             \
            assert_memory_equal(m->mf, p->pf, p->n_##pf * sizeof *p->pf);                          \
    } while (0)

static void
same_repeats(const at_Repeats *m, const At__Repeats *p)
{
    assert_int_equal(m->r_bool_count, p->n_r_bool);
    for (size_t i = 0; i < p->n_r_bool; i++)
        assert_int_equal(m->r_bool[i], p->r_bool[i]);
    SAME_ARRAY(r_int32, r_int32);
    SAME_ARRAY(r_int64, r_int64);
    SAME_ARRAY(r_uint32, r_uint32);
    SAME_ARRAY(r_uint64, r_uint64);
    SAME_ARRAY(r_sint32, r_sint32);
    SAME_ARRAY(r_sint64, r_sint64);
    SAME_ARRAY(r_fixed32, r_fixed32);
    SAME_ARRAY(r_fixed64, r_fixed64);
    SAME_ARRAY(r_sfixed32, r_sfixed32);
    SAME_ARRAY(r_sfixed64, r_sfixed64);
    SAME_ARRAY(r_float, r_float);
    SAME_ARRAY(r_double, r_double);
    SAME_ARRAY(r_enum, r_enum);
}

static void
same_bounded(const at_Bounded *m, const At__Bounded *p)
{
    assert_int_equal(m->b_bool_count, p->n_b_bool);
    for (size_t i = 0; i < p->n_b_bool; i++)
        assert_int_equal(m->b_bool[i], p->b_bool[i]);
    SAME_ARRAY(b_int32, b_int32);
    SAME_ARRAY(b_int64, b_int64);
    SAME_ARRAY(b_uint32, b_uint32);
    SAME_ARRAY(b_uint64, b_uint64);
    SAME_ARRAY(b_sint32, b_sint32);
    SAME_ARRAY(b_sint64, b_sint64);
    SAME_ARRAY(b_fixed32, b_fixed32);
    SAME_ARRAY(b_fixed64, b_fixed64);
    SAME_ARRAY(b_sfixed32, b_sfixed32);
    SAME_ARRAY(b_sfixed64, b_sfixed64);
    SAME_ARRAY(b_float, b_float);
    SAME_ARRAY(b_double, b_double);
    SAME_ARRAY(b_enum, b_enum);
}

static void
same_texts(const at_Texts *m, const At__Texts *p)
{
    same_str(m->s, p->s);
    same_str(m->s_b, p->s_b);
    same_bytes(m->b.data, m->b.len, &p->b);
    same_bytes(m->b_b.data, m->b_b.len, &p->b_b);
    assert_int_equal(m->rs_count, p->n_rs);
    for (size_t i = 0; i < p->n_rs; i++)
        same_str(m->rs[i], p->rs[i]);
    assert_int_equal(m->rs_b_count, p->n_rs_b);
    for (size_t i = 0; i < p->n_rs_b; i++)
        same_str(m->rs_b[i], p->rs_b[i]);
    assert_int_equal(m->rs_bl_count, p->n_rs_bl);
    for (size_t i = 0; i < p->n_rs_bl; i++)
        same_str(m->rs_bl[i], p->rs_bl[i]);
    assert_int_equal(m->rb_count, p->n_rb);
    for (size_t i = 0; i < p->n_rb; i++)
        same_bytes(m->rb[i].data, m->rb[i].len, &p->rb[i]);
    assert_int_equal(m->rb_b_count, p->n_rb_b);
    for (size_t i = 0; i < p->n_rb_b; i++)
        same_bytes(m->rb_b[i].data, m->rb_b[i].len, &p->rb_b[i]);
    assert_int_equal(m->rb_bl_count, p->n_rb_bl);
    for (size_t i = 0; i < p->n_rb_bl; i++)
        same_bytes(m->rb_bl[i].data, m->rb_bl[i].len, &p->rb_bl[i]);
}

static void
same_inner(const at_Inner *m, const At__Inner *p)
{
    assert_non_null(p);
    assert_int_equal(m->a, p->a);
    same_str(m->s, p->s);
}

static void
same_nested(const at_Nested *m, const At__Nested *p)
{
    assert_int_equal(m->has_inl, p->inl != NULL);
    if (m->has_inl)
        same_inner(&m->inl, p->inl);
    assert_int_equal(m->opt != NULL, p->_opt_case == AT__NESTED___OPT_OPT);
    if (m->opt)
        same_inner(m->opt, p->opt);
    assert_int_equal(m->rep_count, p->n_rep);
    for (size_t i = 0; i < p->n_rep; i++)
        same_inner(&m->rep[i], p->rep[i]);
    assert_int_equal(m->rep_b_count, p->n_rep_b);
    for (size_t i = 0; i < p->n_rep_b; i++)
        same_inner(&m->rep_b[i], p->rep_b[i]);
    assert_int_equal(m->has_stamp, p->stamp != NULL);
    if (m->has_stamp) {
        assert_true(m->stamp.secs == p->stamp->secs);
        assert_int_equal(m->stamp.unit, p->stamp->unit);
        same_str(m->stamp.zone, p->stamp->zone);
    }
    assert_int_equal(m->has_sc, p->sc != NULL);
    if (m->has_sc)
        same_scalars(&m->sc, p->sc);
    assert_int_equal(m->has_local, p->local != NULL);
    if (m->has_local)
        assert_int_equal(m->local.z, p->local->z);
}

static void
same_choice(const at_Choice *m, const At__Choice *p)
{
    assert_int_equal(m->before, p->before);
    assert_int_equal(m->after, p->after);
    assert_int_equal(m->u_case, p->u_case);
    switch (m->u_case) {
    case at_Choice_u_i:
        assert_int_equal(m->u.i, p->i);
        break;
    case at_Choice_u_s:
        same_str(m->u.s, p->s);
        break;
    case at_Choice_u_b:
        same_bytes(m->u.b.data, m->u.b.len, &p->b);
        break;
    case at_Choice_u_m:
        same_inner(&m->u.m, p->m);
        break;
    case at_Choice_u_d:
        assert_true(dbits(m->u.d) == dbits(p->d));
        break;
    case at_Choice_u_s_b:
        same_str(m->u.s_b, p->s_b);
        break;
    case at_Choice_u_e:
        assert_int_equal(m->u.e, p->e);
        break;
    default:
        break;
    }
}

static void
same_tree(const at_Tree *m, const At__Tree *p)
{
    assert_non_null(p);
    assert_int_equal(m->v, p->v);
    assert_int_equal(m->left != NULL, p->_left_case == AT__TREE___LEFT_LEFT);
    if (m->left)
        same_tree(m->left, p->left);
    assert_int_equal(m->kids_count, p->n_kids);
    for (size_t i = 0; i < p->n_kids; i++)
        same_tree(&m->kids[i], p->kids[i]);
}

static void
same_cell(const at_Cell *m, const At__Cell *p)
{
    assert_non_null(p);
    same_str(m->s, p->s);
    assert_int_equal(m->z, p->z);
}

static void
same_box(const at_Box *m, const At__Box *p)
{
    same_str(m->name, p->name);
    same_bytes(m->key.data, m->key.len, &p->key);
    assert_int_equal(m->has_flag, p->_flag_case != 0);
    if (m->has_flag)
        assert_int_equal(m->flag, p->flag);
    assert_int_equal(m->color, p->color);
    assert_int_equal(m->has_cell, p->cell != NULL);
    if (m->has_cell)
        same_cell(&m->cell, p->cell);
    assert_int_equal(m->cells_count, p->n_cells);
    for (size_t i = 0; i < p->n_cells; i++)
        same_cell(&m->cells[i], p->cells[i]);
    assert_int_equal(m->pick_case, p->pick_case);
    if (m->pick_case == at_Box_pick_big)
        assert_true(m->pick.big == p->big);
    if (m->pick_case == at_Box_pick_word)
        same_str(m->pick.word, p->word);
    if (m->pick_case == at_Box_pick_c)
        same_cell(&m->pick.c, p->c);
    assert_int_equal(m->tags_count, p->n_tags);
    for (size_t i = 0; i < p->n_tags; i++)
        same_str(m->tags[i], p->tags[i]);
    assert_int_equal(m->blobs_count, p->n_blobs);
    for (size_t i = 0; i < p->n_blobs; i++)
        same_bytes(m->blobs[i].data, m->blobs[i].len, &p->blobs[i]);
    assert_int_equal(m->has_hue, p->_hue_case != 0);
    if (m->has_hue)
        assert_int_equal(m->hue, p->hue);
    assert_true(m->f == p->f);
    assert_true(dbits(m->d) == dbits(p->d));
    assert_int_equal(fbits(m->ff), fbits(p->ff));
    SAME_ARRAY(nums, nums);
}

static void
same_all(const at_All *m, const At__All *p)
{
    assert_int_equal(m->has_scalars, p->scalars != NULL);
    if (m->has_scalars)
        same_scalars(&m->scalars, p->scalars);
    assert_int_equal(m->has_optionals, p->optionals != NULL);
    if (m->has_optionals)
        same_optionals(&m->optionals, p->optionals);
    assert_int_equal(m->has_repeats, p->repeats != NULL);
    if (m->has_repeats)
        same_repeats(&m->repeats, p->repeats);
    assert_int_equal(m->has_bounded, p->bounded != NULL);
    if (m->has_bounded)
        same_bounded(&m->bounded, p->bounded);
    assert_int_equal(m->has_texts, p->texts != NULL);
    if (m->has_texts)
        same_texts(&m->texts, p->texts);
    assert_int_equal(m->has_nested, p->nested != NULL);
    if (m->has_nested)
        same_nested(&m->nested, p->nested);
    assert_int_equal(m->has_choice, p->choice != NULL);
    if (m->has_choice)
        same_choice(&m->choice, p->choice);
    assert_int_equal(m->has_tree, p->tree != NULL);
    if (m->has_tree)
        same_tree(&m->tree, p->tree);
    assert_int_equal(m->has_empty, p->empty != NULL);
    assert_int_equal(m->has_keywords, p->keywords != NULL);
    if (m->has_keywords) {
        assert_int_equal(m->keywords.class_, p->keywords->class_);
        same_str(m->keywords.default_, p->keywords->default_);
        assert_int_equal(m->keywords.register_, p->keywords->register_);
        assert_int_equal(m->keywords.new_, p->keywords->new_);
    }
    assert_int_equal(m->choices_count, p->n_choices);
    for (size_t i = 0; i < p->n_choices; i++)
        same_choice(&m->choices[i], p->choices[i]);
    assert_int_equal(m->has_box, p->box != NULL);
    if (m->has_box)
        same_box(&m->box, p->box);
    assert_true(m->big_number == p->big_number);
}

/* --- the three-way check --- */

typedef void (*same_fn)(const void *m, const void *p);

/* m encodes (msgc) to bytes that protobuf-c decodes to the same values; protobuf-c
 * re-encodes those to the same bytes; msgc decodes protobuf-c's bytes back to the same
 * values. With bytes_differ (a -0.0 that protobuf-c drops), the last two steps check instead
 * that msgc re-encodes what it decoded from protobuf-c to protobuf-c's bytes. */
static void
check_interop(const msgc_desc *md, const ProtobufCMessageDescriptor *pd, const void *m,
              same_fn same, bool bytes_differ)
{
    size_t need = md->encoded_size(m), len = 0;
    uint8_t *mine = malloc(need + 1);
    assert_non_null(mine);
    assert_int_equal(md->encode(m, mine, need, &len), 0);
    assert_int_equal(len, need);

    ProtobufCMessage *pm = protobuf_c_message_unpack(pd, NULL, len, mine);
    assert_non_null(pm);
    same(m, pm);

    size_t plen = protobuf_c_message_get_packed_size(pm);
    uint8_t *theirs = malloc(plen + 1);
    assert_non_null(theirs);
    assert_int_equal(protobuf_c_message_pack(pm, theirs), plen);
    if (!bytes_differ) {
        if (plen != len || memcmp(mine, theirs, len) != 0) {
            fprintf(stderr, "%s: msgc  ", md->name);
            for (size_t i = 0; i < len; i++)
                fprintf(stderr, "%02x", mine[i]);
            fprintf(stderr, "\n%s: pb-c  ", md->name);
            for (size_t i = 0; i < plen; i++)
                fprintf(stderr, "%02x", theirs[i]);
            fprintf(stderr, "\n");
        }
        assert_int_equal(plen, len);
        assert_memory_equal(mine, theirs, len);
    }

    void *back = calloc(1, md->struct_size);
    assert_non_null(back);
    md->init(back);
    assert_int_equal(md->decode_ex(back, theirs, plen, NULL), 0);
    if (!bytes_differ) {
        same(back, pm);
    } else {
        /* What protobuf-c left out, msgc leaves out too. */
        uint8_t *again = malloc(plen + 1);
        assert_non_null(again);
        assert_int_equal(md->encode(back, again, plen, &len), 0);
        assert_int_equal(len, plen);
        assert_memory_equal(again, theirs, plen);
        free(again);
    }

    md->free(back);
    free(back);
    protobuf_c_message_free_unpacked(pm, NULL);
    free(mine);
    free(theirs);
}

static void
same_scalars_any(const void *m, const void *p)
{
    same_scalars(m, p);
}

static void
same_optionals_any(const void *m, const void *p)
{
    same_optionals(m, p);
}

static void
same_repeats_any(const void *m, const void *p)
{
    same_repeats(m, p);
}

static void
same_box_any(const void *m, const void *p)
{
    same_box(m, p);
}

static void
same_all_any(const void *m, const void *p)
{
    same_all(m, p);
}

/* --- values --- */

static const uint32_t e_f32[N_EDGES] = {0x3fc00000u, 0x80000000u, 0x7fc00000u, 0x7fc00001u,
                                        0x7f800000u, 0xff800000u, 0x00000001u, 0x7f7fffffu};
static const uint64_t e_f64[N_EDGES] = {0x3ff8000000000000u,
                                        0x8000000000000000u,
                                        0x7ff8000000000000u,
                                        0xfff8000000000001u,
                                        0x7ff0000000000000u,
                                        0xfff0000000000000u,
                                        1,
                                        0x7fefffffffffffffu};
/* The index of -0.0 in e_f32 and e_f64. */
#define NEG_ZERO 1

static char text_a[] = "alpha", text_b[] = "\xce\xb2\xc3\xa9ta", text_big[300];
static uint8_t raw[] = {0, 1, 2, 0xff, 0x80, 0};

static void
fill_scalars(at_Scalars *m, size_t i)
{
    at_fill_scalar_edges(m, i, e_f32, e_f64);
    m->f_string = i % 3 == 0 ? NULL : i % 3 == 1 ? text_a : text_b;
    m->f_bytes = (msgc_bytes){i % 2 ? raw : NULL, i % 2 ? sizeof raw : 0};
}

static void
test_scalars_interoperate_at_their_edges(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_EDGES; i++) {
        at_Scalars m;
        at_Scalars_init(&m);
        fill_scalars(&m, i);
        check_interop(&at_Scalars_desc, &at__scalars__descriptor, &m, same_scalars_any,
                      i == NEG_ZERO);
    }
}

static void
test_optionals_interoperate_with_presence(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_EDGES; i++) {
        at_Optionals m;
        at_Optionals_init(&m);
        /* Half the fields present, alternating; present zeros included. */
        m.has_o_bool = m.has_o_int64 = m.has_o_uint64 = m.has_o_sint64 = m.has_o_fixed64 =
            m.has_o_sfixed64 = m.has_o_double = m.has_o_string = m.has_o_string_b = i % 2 == 0;
        m.has_o_int32 = m.has_o_uint32 = m.has_o_sint32 = m.has_o_fixed32 = m.has_o_sfixed32 =
            m.has_o_float = m.has_o_enum = m.has_o_bytes = m.has_o_bytes_b = i % 2 == 1;
        m.o_bool = i % 4 == 0;
        at_fill_optional_edges(&m, i, e_f32, e_f64);
        m.o_string = i < 2 ? NULL : text_b;
        m.o_bytes = (msgc_bytes){i < 2 ? NULL : raw, i < 2 ? 0 : sizeof raw};
        strcpy(m.o_string_b, i < 2 ? "" : "12345678");
        m.o_bytes_b.len = i < 2 ? 0 : 8;
        /* With presence, -0.0 travels on both sides: the bytes match. */
        check_interop(&at_Optionals_desc, &at__optionals__descriptor, &m, same_optionals_any,
                      false);
    }
}

static void
test_repeated_scalars_interoperate_packed(void **state)
{
    (void)state;
    at_Repeats m;
    at_Repeats_init(&m);
    bool b[N_EDGES];
    float f[N_EDGES];
    double d[N_EDGES];
    for (size_t i = 0; i < N_EDGES; i++) {
        b[i] = i % 3 == 1;
        f[i] = bits_f(e_f32[i]);
        d[i] = bits_d(e_f64[i]);
    }
    m.r_bool = b;
    m.r_int32 = (int32_t *)e_i32;
    m.r_int64 = (int64_t *)e_i64;
    m.r_uint32 = (uint32_t *)e_u32;
    m.r_uint64 = (uint64_t *)e_u64;
    m.r_sint32 = (int32_t *)e_i32;
    m.r_sint64 = (int64_t *)e_i64;
    m.r_fixed32 = (uint32_t *)e_u32;
    m.r_fixed64 = (uint64_t *)e_u64;
    m.r_sfixed32 = (int32_t *)e_i32;
    m.r_sfixed64 = (int64_t *)e_i64;
    m.r_float = f;
    m.r_double = d;
    m.r_enum = (at_Color *)e_enum;
    m.r_bool_count = m.r_int32_count = m.r_int64_count = m.r_uint32_count = N_EDGES;
    m.r_uint64_count = m.r_sint32_count = m.r_sint64_count = m.r_fixed32_count = N_EDGES;
    m.r_fixed64_count = m.r_sfixed32_count = m.r_sfixed64_count = N_EDGES;
    m.r_float_count = m.r_double_count = m.r_enum_count = N_EDGES;
    /* Repeated elements have no presence to lose: -0.0 is written by both. */
    check_interop(&at_Repeats_desc, &at__repeats__descriptor, &m, same_repeats_any, false);
}

static void
test_bounded_message_interoperates_at_max_size(void **state)
{
    (void)state;
    at_Box *b = calloc(1, sizeof *b);
    assert_non_null(b);
    at_Box_init(b);
    memset(b->name, 'n', 127);
    b->key.len = 128;
    memset(b->key.data, 0xee, 128);
    b->has_flag = true;
    b->color = at_Color_COLOR_NEG;
    b->has_cell = true;
    at_fill_cell(&b->cell, 120, INT32_MIN);
    at_fill_cell(&b->cells[0], 0, 0);
    at_fill_cell(&b->cells[1], 120, INT32_MAX);
    b->cells_count = 2;
    memset(b->tags[1], 't', 200);
    b->blobs[0].len = 3;
    b->tags_count = b->blobs_count = 2;
    b->has_hue = true;
    b->f = UINT64_MAX;
    b->d = 2.5;
    b->ff = -1.0f;
    for (size_t i = 0; i < 13; i++)
        b->nums[i] = i % 2 ? INT64_MIN : INT64_MAX;
    b->nums_count = 13;
    b->pick_case = at_Box_pick_c;
    at_fill_cell(&b->pick.c, 120, -1);
    check_interop(&at_Box_desc, &at__box__descriptor, b, same_box_any, false);
    b->pick_case = at_Box_pick_word;
    strcpy(b->pick.word, "word");
    check_interop(&at_Box_desc, &at__box__descriptor, b, same_box_any, false);
    b->pick_case = at_Box_pick_big;
    b->pick.big = INT64_MIN;
    check_interop(&at_Box_desc, &at__box__descriptor, b, same_box_any, false);
    free(b);
}

/* Every feature at once. */
static void
test_all_features_interoperate(void **state)
{
    (void)state;
    at_All *a = calloc(1, sizeof *a);
    assert_non_null(a);
    at_All_init(a);
    memset(text_big, 'x', sizeof text_big - 1);

    a->has_scalars = true;
    fill_scalars(&a->scalars, 4);
    a->has_optionals = true;
    a->optionals.has_o_string = true;
    a->optionals.has_o_float = true;
    a->optionals.o_float = -0.0f;
    a->optionals.has_o_enum = true;
    a->optionals.o_enum = at_Color_COLOR_LOW;
    a->has_repeats = true;
    int64_t r64[3] = {-1, 0, INT64_MAX};
    a->repeats.r_sint64 = r64;
    a->repeats.r_sint64_count = 3;
    a->has_bounded = true;
    a->bounded.b_double[0] = -0.0;
    a->bounded.b_double[1] = 1e-300;
    a->bounded.b_double_count = 2;
    a->bounded.b_enum[0] = at_Color_COLOR_HIGH;
    a->bounded.b_enum_count = 1;
    a->has_texts = true;
    char *rs[3] = {text_a, NULL, text_big};
    msgc_bytes rb[2] = {{raw, sizeof raw}, {NULL, 0}};
    a->texts.s = text_b;
    strcpy(a->texts.s_b, "bounded");
    a->texts.b = (msgc_bytes){raw, 3};
    a->texts.b_b.len = 2;
    a->texts.rs = rs;
    a->texts.rs_count = 3;
    a->texts.rs_b[0] = text_a;
    a->texts.rs_b_count = 2;
    strcpy(a->texts.rs_bl[1], "fives");
    a->texts.rs_bl_count = 3;
    a->texts.rb = rb;
    a->texts.rb_count = 2;
    a->texts.rb_b[1] = (msgc_bytes){raw, 1};
    a->texts.rb_b_count = 2;
    a->texts.rb_bl[0].len = 5;
    a->texts.rb_bl_count = 1;
    a->has_nested = true;
    at_Inner opt = {-3, text_a};
    at_Inner reps[2] = {{1, NULL}, {2, text_b}};
    a->nested.has_inl = true;
    a->nested.opt = &opt;
    a->nested.rep = reps;
    a->nested.rep_count = 2;
    a->nested.rep_b[0].a = 77;
    a->nested.rep_b_count = 1;
    a->nested.has_stamp = true;
    a->nested.stamp.secs = INT64_MIN;
    a->nested.stamp.unit = imp_Unit_UNIT_SECOND;
    a->nested.stamp.zone = text_a;
    a->nested.has_sc = true;
    fill_scalars(&a->nested.sc, 6);
    a->nested.has_local = true;
    a->nested.local.z = INT32_MIN;
    a->has_choice = true;
    a->choice.before = -1;
    a->choice.u_case = at_Choice_u_d;
    a->choice.u.d = -0.0;
    a->choice.after = 1;
    at_Tree leaf = {5, NULL, NULL, 0};
    at_Tree kids[2] = {{1, &leaf, NULL, 0}, {2, NULL, &leaf, 1}};
    a->has_tree = true;
    a->tree.v = -9;
    a->tree.left = &kids[0];
    a->tree.kids = kids;
    a->tree.kids_count = 2;
    a->has_empty = true;
    a->has_keywords = true;
    a->keywords.class_ = 1;
    a->keywords.default_ = text_a;
    a->keywords.register_ = true;
    a->keywords.new_ = 3;
    at_Choice choices[4] = {at_Choice_INIT, at_Choice_INIT, at_Choice_INIT, at_Choice_INIT};
    choices[0].u_case = at_Choice_u_s;
    choices[0].u.s = text_b;
    choices[1].u_case = at_Choice_u_b;
    choices[2].u_case = at_Choice_u_m;
    choices[2].u.m.a = 8;
    choices[3].u_case = at_Choice_u_s_b;
    strcpy(choices[3].u.s_b, "sb");
    a->choices = choices;
    a->choices_count = 4;
    a->has_box = true;
    a->box.pick_case = at_Box_pick_word;
    a->box.has_flag = true;
    a->big_number = UINT64_MAX;
    check_interop(&at_All_desc, &at__all__descriptor, a, same_all_any, false);
    free(a);
}

/* protobuf-c writes a value built by hand, field by field, and msgc reads it. */
static void
test_msgc_reads_a_protobuf_c_message_built_by_hand(void **state)
{
    (void)state;
    At__Inner inner = AT__INNER__INIT;
    inner.a = -2;
    inner.s = "inner";
    At__Inner *reps[2] = {&inner, &inner};
    Imp__Stamp stamp = IMP__STAMP__INIT;
    stamp.secs = 42;
    stamp.unit = IMP__UNIT__UNIT_METRE;
    At__Nested__Local local = AT__NESTED__LOCAL__INIT;
    local.z = -1;
    At__Nested n = AT__NESTED__INIT;
    n.inl = &inner;
    n._opt_case = AT__NESTED___OPT_OPT;
    n.opt = &inner;
    n.n_rep = 2;
    n.rep = reps;
    n.n_rep_b = 1;
    n.rep_b = reps;
    n.stamp = &stamp;
    n.local = &local;
    size_t len = at__nested__get_packed_size(&n);
    uint8_t *buf = malloc(len);
    assert_non_null(buf);
    assert_int_equal(at__nested__pack(&n, buf), len);

    at_Nested m = at_Nested_INIT;
    assert_int_equal(at_Nested_decode(&m, buf, len), 0);
    same_nested(&m, &n);
    assert_int_equal(m.rep_b[0].a, -2);
    assert_string_equal(m.opt->s, "inner");
    assert_int_equal(m.stamp.unit, imp_Unit_UNIT_METRE);

    /* msgc writes the same bytes. */
    uint8_t again[256];
    size_t len2 = 0;
    assert_true(len <= sizeof again);
    assert_int_equal(at_Nested_encode(&m, again, sizeof again, &len2), 0);
    assert_int_equal(len2, len);
    assert_memory_equal(again, buf, len);
    at_Nested_free(&m);
    free(buf);
}

static void
test_negative_zero_without_presence_reaches_protobuf_c(void **state)
{
    (void)state;
    at_Scalars m;
    at_Scalars_init(&m);
    m.f_float = -0.0f;
    m.f_double = -0.0;
    uint8_t buf[32];
    size_t len = 0;
    assert_int_equal(at_Scalars_encode(&m, buf, sizeof buf, &len), 0);
    assert_int_equal(len, 14);
    At__Scalars *p = at__scalars__unpack(NULL, len, buf);
    assert_non_null(p);
    assert_true(signbit(p->f_float));
    assert_true(signbit(p->f_double));
    assert_true(p->f_double == 0.0);
    /* protobuf-c itself leaves it out. */
    assert_int_equal(at__scalars__get_packed_size(p), 0);
    at__scalars__free_unpacked(p, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars_interoperate_at_their_edges),
        cmocka_unit_test(test_optionals_interoperate_with_presence),
        cmocka_unit_test(test_repeated_scalars_interoperate_packed),
        cmocka_unit_test(test_bounded_message_interoperates_at_max_size),
        cmocka_unit_test(test_all_features_interoperate),
        cmocka_unit_test(test_msgc_reads_a_protobuf_c_message_built_by_hand),
        cmocka_unit_test(test_negative_zero_without_presence_reaches_protobuf_c),
    };
    return cmocka_run_group_tests_name("interop", tests, NULL, NULL);
}
