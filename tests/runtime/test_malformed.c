/* test_malformed.c - the decoders against hostile input: one test per malformed-input
 * class of SPEC section 2, each pinning the error code, the byte offset and the field path
 * in msgc_last_error() and checking that nothing stays allocated; the allocation-failure
 * sweep and the allocation budget. Message types come from tests/schemas/all_types.msg. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "all_types.msg.h"
#include "codec_support.h"

/* --- helpers --- */

/* Decodes in[0..len) as type d with limits lim (NULL: defaults) into a struct holding
 * a decoded value from before, and checks the failure: code, offset, path, the struct as
 * after init, and no byte left allocated. */
static void
check_fail_lim(const msgc_desc *d, const uint8_t *in, size_t len, const msgc_limits *lim, int code,
               size_t offset, const char *path)
{
    void *m = calloc(1, d->struct_size);
    void *fresh = calloc(1, d->struct_size);
    assert_non_null(m);
    assert_non_null(fresh);
    d->init(m);
    d->init(fresh);
    codec_alloc_install(0);
    int rc = d->decode_ex(m, in, len, lim);
    if (rc != code)
        fprintf(stderr, "got %s (%s at %zu in \"%s\")\n", msgc_errname(rc),
                msgc_last_error()->detail, msgc_last_error()->offset, msgc_last_error()->path);
    assert_int_equal(rc, code);
    assert_int_equal(msgc_last_error()->code, code);
    assert_string_equal(msgc_last_error()->path, path);
    assert_int_equal(msgc_last_error()->offset, offset);
    assert_memory_equal(m, fresh, d->struct_size);
    d->free(m);
    assert_int_equal(codec_count.live_bytes, 0);
    assert_int_equal(codec_count.allocs, codec_count.frees);
    codec_alloc_remove();
    free(m);
    free(fresh);
}

static void
check_fail(const msgc_desc *d, const char *hex, int code, size_t offset, const char *path)
{
    codec_buf in = cb_of(hex);
    check_fail_lim(d, in.b, in.n, NULL, code, offset, path);
    cb_free(&in);
}

static void
check_fail_buf(const msgc_desc *d, codec_buf *in, int code, size_t offset, const char *path)
{
    check_fail_lim(d, in->b, in->n, NULL, code, offset, path);
    cb_free(in);
}

/* Decodes hex as type d, expecting success; returns the struct (free with d->free, free). */
static void *
decode_ok_lim(const msgc_desc *d, const uint8_t *in, size_t len, const msgc_limits *lim)
{
    void *m = calloc(1, d->struct_size);
    assert_non_null(m);
    d->init(m);
    int rc = d->decode_ex(m, in, len, lim);
    if (rc != 0)
        fprintf(stderr, "got %s (%s at %zu in \"%s\")\n", msgc_errname(rc),
                msgc_last_error()->detail, msgc_last_error()->offset, msgc_last_error()->path);
    assert_int_equal(rc, 0);
    return m;
}

static void
drop(const msgc_desc *d, void *m)
{
    d->free(m);
    free(m);
}

/* "left.left.left" for n levels, as much of it as a path of cap bytes holds: the path
 * keeps its innermost segments when the whole would not fit. */
static void
repeat_path(char *out, size_t cap, const char *prefix, const char *seg, size_t n)
{
    size_t seg_len = strlen(seg);
    size_t kept = 0, len = 0;
    while (kept < n && len + (kept ? 1 : 0) + seg_len < cap) {
        len += (kept ? 1 : 0) + seg_len;
        kept++;
    }
    out[0] = '\0';
    if (kept == n && prefix && strlen(prefix) + 1 + len < cap) {
        strcat(out, prefix);
        strcat(out, ".");
    }
    for (size_t i = 0; i < kept; i++) {
        if (i)
            strcat(out, ".");
        strcat(out, seg);
    }
}

/* --- truncation inside every wire type --- */

static void
test_truncated_tag_is_etrunc(void **state)
{
    (void)state;
    check_fail(&at_Scalars_desc, "80", MSGC_ETRUNC, 0, "Scalars");
    check_fail(&at_Scalars_desc, "08 01 82", MSGC_ETRUNC, 2, "Scalars");
}

static void
test_truncated_varint_value_is_etrunc(void **state)
{
    (void)state;
    check_fail(&at_Scalars_desc, "08", MSGC_ETRUNC, 1, "Scalars.f_bool");
    check_fail(&at_Scalars_desc, "08 ff", MSGC_ETRUNC, 2, "Scalars.f_bool");
    check_fail(&at_Scalars_desc, "18 80 80", MSGC_ETRUNC, 3, "Scalars.f_int64");
    check_fail(&at_Scalars_desc, "30 ff ff ff ff ff ff ff ff ff", MSGC_ETRUNC, 10,
               "Scalars.f_sint32");
    check_fail(&at_Scalars_desc, "70 80", MSGC_ETRUNC, 2, "Scalars.f_enum");
}

static void
test_truncated_fixed64_is_etrunc(void **state)
{
    (void)state;
    check_fail(&at_Scalars_desc, "49 01 02 03 04 05 06 07", MSGC_ETRUNC, 1, "Scalars.f_fixed64");
    check_fail(&at_Scalars_desc, "59 01", MSGC_ETRUNC, 1, "Scalars.f_sfixed64");
    check_fail(&at_Scalars_desc, "69", MSGC_ETRUNC, 1, "Scalars.f_double");
}

static void
test_truncated_fixed32_is_etrunc(void **state)
{
    (void)state;
    check_fail(&at_Scalars_desc, "45 01 02 03", MSGC_ETRUNC, 1, "Scalars.f_fixed32");
    check_fail(&at_Scalars_desc, "55 01 02", MSGC_ETRUNC, 1, "Scalars.f_sfixed32");
    check_fail(&at_Scalars_desc, "65 00", MSGC_ETRUNC, 1, "Scalars.f_float");
}

static void
test_truncated_length_prefix_is_etrunc(void **state)
{
    (void)state;
    check_fail(&at_Scalars_desc, "7a", MSGC_ETRUNC, 1, "Scalars.f_string");
    check_fail(&at_Scalars_desc, "7a 80", MSGC_ETRUNC, 2, "Scalars.f_string");
    check_fail(&at_Texts_desc, "42 81", MSGC_ETRUNC, 2, "Texts.rb[0]");
}

static void
test_truncated_string_and_bytes_data_is_etrunc(void **state)
{
    (void)state;
    check_fail(&at_Scalars_desc, "7a 05 61 62", MSGC_ETRUNC, 2, "Scalars.f_string");
    check_fail(&at_Scalars_desc, "82 01 03 01", MSGC_ETRUNC, 3, "Scalars.f_bytes");
    check_fail(&at_Texts_desc, "12 03 61", MSGC_ETRUNC, 2, "Texts.s_b");
    check_fail(&at_Texts_desc, "22 02 00", MSGC_ETRUNC, 2, "Texts.b_b");
    check_fail(&at_Texts_desc, "2a 00 2a 02 61", MSGC_ETRUNC, 4, "Texts.rs[1]");
    check_fail(&at_Texts_desc, "3a 01", MSGC_ETRUNC, 2, "Texts.rs_bl[0]");
    check_fail(&at_Texts_desc, "4a 01", MSGC_ETRUNC, 2, "Texts.rb_b[0]");
}

static void
test_truncated_unknown_field_of_each_wire_type_is_etrunc(void **state)
{
    (void)state;
    /* Field 20 is unknown to Scalars. */
    check_fail(&at_Scalars_desc, "a0 01 ff", MSGC_ETRUNC, 3, "Scalars");
    check_fail(&at_Scalars_desc, "a1 01 00 00 00 00 00 00 00", MSGC_ETRUNC, 2, "Scalars");
    check_fail(&at_Scalars_desc, "a2 01 05 00", MSGC_ETRUNC, 3, "Scalars");
    check_fail(&at_Scalars_desc, "a5 01 00 00 00", MSGC_ETRUNC, 2, "Scalars");
}

static void
test_truncated_group_is_etrunc(void **state)
{
    (void)state;
    check_fail(&at_Scalars_desc, "a3 01", MSGC_ETRUNC, 2, "Scalars");
    check_fail(&at_Scalars_desc, "a3 01 08", MSGC_ETRUNC, 3, "Scalars");
    check_fail(&at_Scalars_desc, "a3 01 ab 01 ac 01", MSGC_ETRUNC, 6, "Scalars");
}

static void
test_truncated_packed_run_is_etrunc(void **state)
{
    (void)state;
    /* The run's length goes past the input. */
    check_fail(&at_Repeats_desc, "12 05 01 02", MSGC_ETRUNC, 2, "Repeats.r_int32");
    /* The run ends inside a varint. */
    /* Varint runs are read without a counting pass: the element that ends is named. */
    check_fail(&at_Repeats_desc, "12 02 01 80", MSGC_ETRUNC, 4, "Repeats.r_int32[1]");
    check_fail(&at_Bounded_desc, "12 02 01 80", MSGC_ETRUNC, 4, "Bounded.b_int32[1]");
    /* The run ends inside a fixed-width element. */
    check_fail(&at_Repeats_desc, "42 03 01 02 03", MSGC_ETRUNC, 5, "Repeats.r_fixed32");
    check_fail(&at_Repeats_desc, "6a 07 00 00 00 00 00 00 00", MSGC_ETRUNC, 9, "Repeats.r_double");
    check_fail(&at_Bounded_desc, "62 05 00 00 00 00 00", MSGC_ETRUNC, 7, "Bounded.b_float");
}

static void
test_truncated_nested_message_is_etrunc(void **state)
{
    (void)state;
    /* The nested length runs past the input. */
    check_fail(&at_Nested_desc, "0a 05 08 01", MSGC_ETRUNC, 2, "Nested.inl");
    check_fail(&at_Nested_desc, "12 05 08 01", MSGC_ETRUNC, 2, "Nested.opt");
    check_fail(&at_Nested_desc, "1a 05 08 01", MSGC_ETRUNC, 2, "Nested.rep[0]");
    /* A value runs past the end of its message, though the input goes on. */
    check_fail(&at_Nested_desc, "0a 01 08 3a 00", MSGC_ETRUNC, 3, "Nested.inl.a");
    check_fail(&at_Nested_desc, "1a 00 1a 01 12 3a 00", MSGC_ETRUNC, 5, "Nested.rep[1].s");
    /* A packed run inside a nested message. */
    check_fail(&at_All_desc, "1a 03 12 02 01", MSGC_ETRUNC, 4, "All.repeats.r_int32");
    check_fail(&at_All_desc, "1a 03 12 01 80 08 00", MSGC_ETRUNC, 5, "All.repeats.r_int32[0]");
}

/* --- bad varints --- */

static void
test_eleven_byte_varint_is_evarint(void **state)
{
    (void)state;
    check_fail(&at_Scalars_desc, "28 ff ff ff ff ff ff ff ff ff ff 01", MSGC_EVARINT, 10,
               "Scalars.f_uint64");
    check_fail(&at_Scalars_desc, "10 80 80 80 80 80 80 80 80 80 80 00", MSGC_EVARINT, 10,
               "Scalars.f_int32");
}

static void
test_tenth_varint_byte_above_one_is_evarint(void **state)
{
    (void)state;
    check_fail(&at_Scalars_desc, "28 ff ff ff ff ff ff ff ff ff 02", MSGC_EVARINT, 10,
               "Scalars.f_uint64");
    check_fail(&at_Scalars_desc, "38 ff ff ff ff ff ff ff ff ff 7f", MSGC_EVARINT, 10,
               "Scalars.f_sint64");
}

static void
test_bad_varint_in_tag_length_packed_and_unknown_is_evarint(void **state)
{
    (void)state;
    check_fail(&at_Scalars_desc, "ff ff ff ff ff ff ff ff ff ff 01", MSGC_EVARINT, 0, "Scalars");
    check_fail(&at_Scalars_desc, "7a ff ff ff ff ff ff ff ff ff ff 01", MSGC_EVARINT, 10,
               "Scalars.f_string");
    check_fail(&at_Repeats_desc, "12 0b ff ff ff ff ff ff ff ff ff ff 01", MSGC_EVARINT, 11,
               "Repeats.r_int32[0]");
    check_fail(&at_Repeats_desc, "12 0c 05 ff ff ff ff ff ff ff ff ff ff 01", MSGC_EVARINT, 12,
               "Repeats.r_int32[1]");
    check_fail(&at_Scalars_desc, "a0 01 ff ff ff ff ff ff ff ff ff ff 01", MSGC_EVARINT, 11,
               "Scalars");
}

static void
test_ten_byte_varint_of_uint64_max_is_accepted(void **state)
{
    (void)state;
    codec_buf in = cb_of("28 ff ff ff ff ff ff ff ff ff 01");
    at_Scalars *m = decode_ok_lim(&at_Scalars_desc, in.b, in.n, NULL);
    assert_true(m->f_uint64 == UINT64_MAX);
    drop(&at_Scalars_desc, m);
    cb_free(&in);
}

/* --- lengths: one past the limit, UINT32_MAX, UINT64_MAX --- */

static void
test_length_one_past_max_is_ebounds(void **state)
{
    (void)state;
    check_fail(&at_Texts_desc, "12 09 61 61 61 61 61 61 61 61 61", MSGC_EBOUNDS, 2, "Texts.s_b");
    check_fail(&at_Texts_desc, "22 09 00 00 00 00 00 00 00 00 00", MSGC_EBOUNDS, 2, "Texts.b_b");
    check_fail(&at_Texts_desc, "3a 06 61 61 61 61 61 61", MSGC_EBOUNDS, 2, "Texts.rs_bl[0]");
    check_fail(&at_Texts_desc, "52 00 52 06 00 00 00 00 00 00", MSGC_EBOUNDS, 4, "Texts.rb_bl[1]");
    check_fail(&at_Optionals_desc, "8a 01 09 61 61 61 61 61 61 61 61 61", MSGC_EBOUNDS, 3,
               "Optionals.o_string_b");
    check_fail(&at_Optionals_desc, "92 01 09 00 00 00 00 00 00 00 00 00", MSGC_EBOUNDS, 3,
               "Optionals.o_bytes_b");
    check_fail(&at_Choice_desc, "3a 09 61 61 61 61 61 61 61 61 61", MSGC_EBOUNDS, 2, "Choice.s_b");
}

static void
test_length_one_past_input_is_etrunc(void **state)
{
    (void)state;
    check_fail(&at_Texts_desc, "0a 03 61 62", MSGC_ETRUNC, 2, "Texts.s");
    check_fail(&at_Texts_desc, "1a 03 61 62", MSGC_ETRUNC, 2, "Texts.b");
    check_fail(&at_Nested_desc, "3a 03 08 01", MSGC_ETRUNC, 2, "Nested.local");
    check_fail(&at_Repeats_desc, "1a 03 01 02", MSGC_ETRUNC, 2, "Repeats.r_int64");
}

static void
test_length_uint32_max_is_etrunc(void **state)
{
    (void)state;
    check_fail(&at_Texts_desc, "0a ff ff ff ff 0f 61", MSGC_ETRUNC, 6, "Texts.s");
    check_fail(&at_Texts_desc, "1a ff ff ff ff 0f 61", MSGC_ETRUNC, 6, "Texts.b");
    check_fail(&at_Texts_desc, "12 ff ff ff ff 0f 61", MSGC_ETRUNC, 6, "Texts.s_b");
    check_fail(&at_Nested_desc, "0a ff ff ff ff 0f 08 01", MSGC_ETRUNC, 6, "Nested.inl");
    check_fail(&at_Repeats_desc, "12 ff ff ff ff 0f 01", MSGC_ETRUNC, 6, "Repeats.r_int32");
    check_fail(&at_Scalars_desc, "a2 01 ff ff ff ff 0f 01", MSGC_ETRUNC, 7, "Scalars");
}

static void
test_length_uint64_max_is_etrunc(void **state)
{
    (void)state;
    check_fail(&at_Texts_desc, "0a ff ff ff ff ff ff ff ff ff 01 61", MSGC_ETRUNC, 11, "Texts.s");
    check_fail(&at_Texts_desc, "42 ff ff ff ff ff ff ff ff ff 01 61", MSGC_ETRUNC, 11,
               "Texts.rb[0]");
    check_fail(&at_Texts_desc, "52 ff ff ff ff ff ff ff ff ff 01 61", MSGC_ETRUNC, 11,
               "Texts.rb_bl[0]");
    check_fail(&at_Nested_desc, "1a ff ff ff ff ff ff ff ff ff 01 00", MSGC_ETRUNC, 11,
               "Nested.rep[0]");
    check_fail(&at_Repeats_desc, "6a ff ff ff ff ff ff ff ff ff 01 00", MSGC_ETRUNC, 11,
               "Repeats.r_double");
    check_fail(&at_Scalars_desc, "a2 01 ff ff ff ff ff ff ff ff ff 01 00", MSGC_ETRUNC, 12,
               "Scalars");
}

/* --- tags --- */

static void
test_field_number_zero_is_ewire(void **state)
{
    (void)state;
    check_fail(&at_Scalars_desc, "00 00", MSGC_EWIRE, 0, "Scalars");
    check_fail(&at_Scalars_desc, "08 01 02 00", MSGC_EWIRE, 2, "Scalars");
    check_fail(&at_Scalars_desc, "80 00 00", MSGC_EWIRE, 0, "Scalars");
    check_fail(&at_Nested_desc, "0a 02 05 00", MSGC_EWIRE, 2, "Nested.inl");
}

static void
test_field_number_above_max_is_ewire(void **state)
{
    (void)state;
    /* 2^29 << 3 = 2^32: one past the largest tag. */
    check_fail(&at_Scalars_desc, "80 80 80 80 10 01", MSGC_EWIRE, 0, "Scalars");
    check_fail(&at_Scalars_desc, "08 01 ff ff ff ff 7f 01", MSGC_EWIRE, 2, "Scalars");
    check_fail(&at_Scalars_desc, "f8 ff ff ff ff ff ff ff ff 01 01", MSGC_EWIRE, 0, "Scalars");
}

static void
test_field_number_max_is_skipped(void **state)
{
    (void)state;
    /* Field 2^29 - 1 is unknown to Scalars (varint, then length-delimited). */
    codec_buf in = cb_of("f8 ff ff ff 0f 01 fa ff ff ff 0f 01 00 08 01");
    at_Scalars *m = decode_ok_lim(&at_Scalars_desc, in.b, in.n, NULL);
    assert_true(m->f_bool);
    drop(&at_Scalars_desc, m);
    cb_free(&in);
}

static void
test_wire_types_6_and_7_are_ewire(void **state)
{
    (void)state;
    /* Unknown field 20. */
    check_fail(&at_Scalars_desc, "a6 01 00", MSGC_EWIRE, 2, "Scalars");
    check_fail(&at_Scalars_desc, "a7 01 00", MSGC_EWIRE, 2, "Scalars");
    /* Known field 1. */
    check_fail(&at_Scalars_desc, "0e 00", MSGC_EWIRE, 0, "Scalars.f_bool");
    check_fail(&at_Scalars_desc, "0f 00", MSGC_EWIRE, 0, "Scalars.f_bool");
    /* Inside a group. */
    check_fail(&at_Scalars_desc, "a3 01 0e a4 01", MSGC_EWIRE, 3, "Scalars");
}

static void
test_unmatched_end_group_is_ewire(void **state)
{
    (void)state;
    check_fail(&at_Scalars_desc, "a4 01", MSGC_EWIRE, 2, "Scalars");
    check_fail(&at_Scalars_desc, "0c", MSGC_EWIRE, 0, "Scalars.f_bool");
    /* A group closed with another number. */
    check_fail(&at_Scalars_desc, "a3 01 ac 01", MSGC_EWIRE, 4, "Scalars");
    /* An END_GROUP without its start inside a nested message. */
    check_fail(&at_Nested_desc, "0a 02 a4 01", MSGC_EWIRE, 4, "Nested.inl");
}

static void
test_known_field_with_wrong_wire_type_is_ewire(void **state)
{
    (void)state;
    check_fail(&at_Scalars_desc, "15 01 02 03 04", MSGC_EWIRE, 0, "Scalars.f_int32");
    check_fail(&at_Scalars_desc, "78 01", MSGC_EWIRE, 0, "Scalars.f_string");
    check_fail(&at_Scalars_desc, "4d 01 02 03 04", MSGC_EWIRE, 0, "Scalars.f_fixed64");
    check_fail(&at_Scalars_desc, "62 01 00", MSGC_EWIRE, 0, "Scalars.f_float");
    check_fail(&at_Scalars_desc, "0b 0c", MSGC_EWIRE, 0, "Scalars.f_bool");
    check_fail(&at_Nested_desc, "08 01", MSGC_EWIRE, 0, "Nested.inl");
    check_fail(&at_Repeats_desc, "11 00 00 00 00 00 00 00 00", MSGC_EWIRE, 0, "Repeats.r_int32");
    check_fail(&at_Repeats_desc, "40 01", MSGC_EWIRE, 0, "Repeats.r_fixed32");
    check_fail(&at_Choice_desc, "18 01", MSGC_EWIRE, 0, "Choice.s");
    check_fail(&at_Texts_desc, "38 01", MSGC_EWIRE, 0, "Texts.rs_bl");
}

/* --- lengths past the parent message --- */

static void
test_length_past_parent_is_elength(void **state)
{
    (void)state;
    check_fail(&at_Nested_desc, "0a 03 12 05 61 61 61 61 61", MSGC_ELENGTH, 4, "Nested.inl.s");
    check_fail(&at_All_desc, "32 02 1a 05 00 00 00 00 00", MSGC_ELENGTH, 4, "All.nested.rep[0]");
    check_fail(&at_All_desc, "1a 02 12 05 00 00 00 00 00", MSGC_ELENGTH, 4, "All.repeats.r_int32");
    check_fail(&at_Nested_desc, "0a 03 a2 01 05 00 00 00 00 00", MSGC_ELENGTH, 5, "Nested.inl");
    check_fail(&at_Nested_desc, "2a 02 1a 09 61 61 61 61 61 61 61 61 61", MSGC_ELENGTH, 4,
               "Nested.stamp.zone");
}

/* --- strings --- */

static void
check_bad_utf8(const char *payload_hex, size_t payload_len)
{
    char hex[128];
    snprintf(hex, sizeof hex, "0a %02zx %s", payload_len, payload_hex);
    check_fail(&at_Texts_desc, hex, MSGC_EUTF8, 2, "Texts.s");
    snprintf(hex, sizeof hex, "2a 00 2a %02zx %s", payload_len, payload_hex);
    check_fail(&at_Texts_desc, hex, MSGC_EUTF8, 4, "Texts.rs[1]");
    if (payload_len <= 8) {
        snprintf(hex, sizeof hex, "12 %02zx %s", payload_len, payload_hex);
        check_fail(&at_Texts_desc, hex, MSGC_EUTF8, 2, "Texts.s_b");
    }
    snprintf(hex, sizeof hex, "1a %02zx %s", payload_len, payload_hex);
    check_fail(&at_Choice_desc, hex, MSGC_EUTF8, 2, "Choice.s");
}

static void
test_overlong_utf8_is_eutf8(void **state)
{
    (void)state;
    check_bad_utf8("c0 80", 2);
    check_bad_utf8("c1 bf", 2);
    check_bad_utf8("e0 80 80", 3);
    check_bad_utf8("e0 9f bf", 3);
    check_bad_utf8("f0 80 80 80", 4);
    check_bad_utf8("f0 8f bf bf", 4);
}

static void
test_utf8_surrogate_is_eutf8(void **state)
{
    (void)state;
    check_bad_utf8("ed a0 80", 3);
    check_bad_utf8("ed bf bf", 3);
    check_bad_utf8("61 ed b0 80 61", 5);
}

static void
test_utf8_above_10ffff_is_eutf8(void **state)
{
    (void)state;
    check_bad_utf8("f4 90 80 80", 4);
    check_bad_utf8("f5 80 80 80", 4);
    check_bad_utf8("f7 bf bf bf", 4);
    check_bad_utf8("ff", 1);
}

static void
test_truncated_utf8_sequence_is_eutf8(void **state)
{
    (void)state;
    check_bad_utf8("e2 82", 2);
    check_bad_utf8("f0 9f 98", 3);
    check_bad_utf8("61 62 c3", 3);
    check_bad_utf8("e2 28 a1", 3);
    check_bad_utf8("80", 1);
}

static void
test_nul_in_string_is_eutf8(void **state)
{
    (void)state;
    check_bad_utf8("00", 1);
    check_bad_utf8("61 00 62", 3);
    /* NUL inside and after an all-ASCII 8-byte block. */
    check_bad_utf8("61 62 63 64 65 66 67 00", 8);
    check_bad_utf8("61 62 63 64 65 66 67 68 00", 9);
    check_fail(&at_Texts_desc, "3a 03 61 00 62", MSGC_EUTF8, 2, "Texts.rs_bl[0]");
    check_fail(&at_Nested_desc, "2a 04 1a 02 61 00", MSGC_EUTF8, 4, "Nested.stamp.zone");
    check_fail(&at_Keywords_desc, "12 01 00", MSGC_EUTF8, 2, "Keywords.default");
}

static void
test_nul_or_stray_byte_anywhere_in_a_short_string_is_eutf8(void **state)
{
    (void)state;
    /* Strings of 8 to 16 bytes are checked a word at a time first: each position counts. */
    for (size_t len = 1; len <= 20; len++) {
        for (size_t at = 0; at < len; at++) {
            static const uint8_t bad[] = {0x00, 0x80, 0xff};
            for (size_t j = 0; j < sizeof bad; j++) {
                codec_buf in = {0};
                cb_tag(&in, 1, 2);
                cb_varint(&in, len);
                cb_fill(&in, 'a', len);
                in.b[2 + at] = bad[j];
                check_fail_buf(&at_Texts_desc, &in, MSGC_EUTF8, 2, "Texts.s");
            }
        }
    }
}

/* --- counts above max --- */

static void
test_packed_count_above_max_is_ebounds(void **state)
{
    (void)state;
    /* Varint runs are checked element by element: the offset is the first one over. */
    check_fail(&at_Bounded_desc, "12 04 01 02 03 04", MSGC_EBOUNDS, 5, "Bounded.b_int32[3]");
    /* Two runs that together exceed the bound. */
    check_fail(&at_Bounded_desc, "12 02 01 02 12 02 03 04", MSGC_EBOUNDS, 7, "Bounded.b_int32[3]");
    check_fail(&at_Bounded_desc,
               "4a 20 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
               " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
               MSGC_EBOUNDS, 2, "Bounded.b_fixed64[3]");
    check_fail(&at_Bounded_desc, "0a 04 01 00 01 00", MSGC_EBOUNDS, 5, "Bounded.b_bool[3]");
}

static void
test_unpacked_count_above_max_is_ebounds(void **state)
{
    (void)state;
    check_fail(&at_Bounded_desc, "10 01 10 02 10 03 10 04", MSGC_EBOUNDS, 6, "Bounded.b_int32[3]");
    /* A packed run, then one element more. */
    check_fail(&at_Bounded_desc, "72 03 01 02 03 70 00", MSGC_EBOUNDS, 5, "Bounded.b_enum[3]");
    check_fail(&at_Texts_desc, "32 01 61 32 00 32 00 32 00", MSGC_EBOUNDS, 7, "Texts.rs_b[3]");
    check_fail(&at_Texts_desc, "3a 00 3a 00 3a 00 3a 00", MSGC_EBOUNDS, 6, "Texts.rs_bl[3]");
    check_fail(&at_Texts_desc, "4a 00 4a 00 4a 00 4a 00", MSGC_EBOUNDS, 6, "Texts.rb_b[3]");
    check_fail(&at_Texts_desc, "52 00 52 00 52 00 52 00", MSGC_EBOUNDS, 6, "Texts.rb_bl[3]");
    check_fail(&at_Nested_desc, "22 00 22 02 08 01 22 00", MSGC_EBOUNDS, 6, "Nested.rep_b[2]");
}

/* --- nesting depth --- */

static const uint8_t leaf_v7[] = {0x08, 0x07};

static void
test_nesting_of_100_is_accepted(void **state)
{
    (void)state;
    codec_buf in = {0};
    cb_nest(&in, 2, 100, leaf_v7, sizeof leaf_v7);
    codec_alloc_install(0);
    at_Tree *t = decode_ok_lim(&at_Tree_desc, in.b, in.n, NULL);
    const at_Tree *p = t;
    for (int i = 0; i < 100; i++) {
        assert_int_equal(p->v, 0);
        assert_non_null(p->left);
        p = p->left;
    }
    assert_int_equal(p->v, 7);
    assert_null(p->left);
    assert_int_equal(codec_count.allocs, 100);
    drop(&at_Tree_desc, t);
    assert_int_equal(codec_count.live_bytes, 0);
    codec_alloc_remove();
    cb_free(&in);
}

static void
test_nesting_of_101_is_edepth(void **state)
{
    (void)state;
    char path[128];
    codec_buf in = {0};
    cb_nest(&in, 2, 101, leaf_v7, sizeof leaf_v7);
    repeat_path(path, sizeof path, "Tree", "left", 101);
    check_fail_buf(&at_Tree_desc, &in, MSGC_EDEPTH, in.n - sizeof leaf_v7, path);

    /* The same through a repeated field. */
    cb_nest(&in, 3, 101, leaf_v7, sizeof leaf_v7);
    repeat_path(path, sizeof path, "Tree", "kids[0]", 101);
    check_fail_buf(&at_Tree_desc, &in, MSGC_EDEPTH, in.n - sizeof leaf_v7, path);
}

static void
test_nesting_limit_from_decode_ex(void **state)
{
    (void)state;
    msgc_limits lim = MSGC_LIMITS_INIT;
    lim.max_depth = 3;
    codec_buf in = {0};
    cb_nest(&in, 2, 3, leaf_v7, sizeof leaf_v7);
    drop(&at_Tree_desc, decode_ok_lim(&at_Tree_desc, in.b, in.n, &lim));
    cb_free(&in);

    cb_nest(&in, 2, 4, leaf_v7, sizeof leaf_v7);
    check_fail_lim(&at_Tree_desc, in.b, in.n, &lim, MSGC_EDEPTH, in.n - 2,
                   "Tree.left.left.left.left");
    cb_free(&in);

    lim.max_depth = 0;
    check_fail_lim(&at_Tree_desc, (const uint8_t *)"\x12\x00", 2, &lim, MSGC_EDEPTH, 2,
                   "Tree.left");
    /* A message without nested fields is depth 0 and decodes under a limit of 0. */
    drop(&at_Scalars_desc, decode_ok_lim(&at_Scalars_desc, (const uint8_t *)"\x08\x01", 2, &lim));
}

static void
test_unknown_groups_count_toward_depth(void **state)
{
    (void)state;
    /* 100 groups in unknown field 15 at the root: depths 1..100. */
    codec_buf in = {0};
    cb_groups(&in, 15, 100);
    drop(&at_Tree_desc, decode_ok_lim(&at_Tree_desc, in.b, in.n, NULL));
    cb_free(&in);

    cb_groups(&in, 15, 101);
    check_fail_buf(&at_Tree_desc, &in, MSGC_EDEPTH, 101, "Tree");

    /* 99 messages and one group: depth 100. */
    codec_buf leaf = {0};
    cb_groups(&leaf, 15, 1);
    cb_nest(&in, 2, 99, leaf.b, leaf.n);
    drop(&at_Tree_desc, decode_ok_lim(&at_Tree_desc, in.b, in.n, NULL));
    cb_free(&in);
    cb_free(&leaf);

    /* 99 messages and two groups: depth 101. */
    char path[128];
    cb_groups(&leaf, 15, 2);
    cb_nest(&in, 2, 99, leaf.b, leaf.n);
    repeat_path(path, sizeof path, "Tree", "left", 99);
    check_fail_buf(&at_Tree_desc, &in, MSGC_EDEPTH, in.n - leaf.n + 2, path);
    cb_free(&leaf);
}

static void
test_nesting_of_100000_fails_without_exhausting_the_stack(void **state)
{
    (void)state;
    char path[128];
    codec_buf in = {0};
    size_t head = 0;

    cb_nest(&in, 2, 100000, leaf_v7, sizeof leaf_v7);
    /* The decoder stops right after the 101st tag and length. */
    for (int k = 0; k < 2 * 101; k++)
        while (in.b[head++] & 0x80)
            continue;
    repeat_path(path, sizeof path, "Tree", "left", 101);
    check_fail_buf(&at_Tree_desc, &in, MSGC_EDEPTH, head, path);

    cb_groups(&in, 15, 100000);
    check_fail_buf(&at_Tree_desc, &in, MSGC_EDEPTH, 101, "Tree");

    /* Groups that never close. */
    for (int k = 0; k < 100000; k++)
        cb_tag(&in, 15, CB_SGROUP);
    check_fail_buf(&at_Tree_desc, &in, MSGC_EDEPTH, 101, "Tree");
}

/* --- size --- */

static void
test_input_over_2gib_is_etoobig(void **state)
{
    (void)state;
    /* The decoder refuses on the length alone, before reading a byte. */
    static const uint8_t one[1] = {0x08};
    check_fail_lim(&at_Scalars_desc, one, (size_t)0x80000000u, NULL, MSGC_ETOOBIG, 0, "Scalars");
    check_fail_lim(&at_Scalars_desc, one, SIZE_MAX, NULL, MSGC_ETOOBIG, 0, "Scalars");
}

static void
test_null_input_is_einval_unless_empty(void **state)
{
    (void)state;
    check_fail_lim(&at_Scalars_desc, NULL, 1, NULL, MSGC_EINVAL, 0, "Scalars");
    drop(&at_Scalars_desc, decode_ok_lim(&at_Scalars_desc, NULL, 0, NULL));
}

/* --- allocation failures --- */

/* A value of every heap-using message type, encoded by the codec under test. */
typedef struct sample {
    const msgc_desc *d;
    uint8_t *bytes;
    size_t len;
} sample;

static at_Inner
inner(int32_t a, const char *s)
{
    at_Inner i = {a, (char *)s};
    return i;
}

static size_t
encode_any(const msgc_desc *d, const void *m, uint8_t **out)
{
    size_t n = d->encoded_size(m), len = 0;
    *out = malloc(n ? n : 1);
    assert_non_null(*out);
    assert_int_equal(d->encode(m, *out, n, &len), 0);
    assert_int_equal(len, n);
    return len;
}

static size_t
make_samples(sample *out)
{
    size_t n = 0;
    static char s_a[] = "alpha", s_b[] = "beta", s_c[] = "";
    static uint8_t raw[] = {1, 2, 3};

    at_Scalars sc = at_Scalars_INIT;
    sc.f_int32 = -5;
    sc.f_string = s_a;
    sc.f_bytes = (msgc_bytes){raw, 3};
    out[n].d = &at_Scalars_desc;
    out[n].len = encode_any(out[n].d, &sc, &out[n].bytes);
    n++;

    at_Optionals op = at_Optionals_INIT;
    op.has_o_string = true;
    op.o_string = s_b;
    op.has_o_bytes = true;
    op.o_bytes = (msgc_bytes){raw, 2};
    op.has_o_int32 = true;
    out[n].d = &at_Optionals_desc;
    out[n].len = encode_any(out[n].d, &op, &out[n].bytes);
    n++;

    at_Repeats rp = at_Repeats_INIT;
    int32_t i32[5] = {1, -2, 3, -4, 5};
    double dbl[3] = {0.5, -0.0, 1e300};
    bool bl[2] = {true, false};
    rp.r_int32 = i32;
    rp.r_int32_count = 5;
    rp.r_double = dbl;
    rp.r_double_count = 3;
    rp.r_bool = bl;
    rp.r_bool_count = 2;
    out[n].d = &at_Repeats_desc;
    out[n].len = encode_any(out[n].d, &rp, &out[n].bytes);
    n++;

    at_Texts tx = at_Texts_INIT;
    char *rs[3] = {s_a, s_c, s_b};
    msgc_bytes rb[2] = {{raw, 3}, {NULL, 0}};
    tx.s = s_a;
    tx.b = (msgc_bytes){raw, 1};
    tx.rs = rs;
    tx.rs_count = 3;
    tx.rs_b[0] = s_b;
    tx.rs_b[1] = s_a;
    tx.rs_b_count = 2;
    tx.rb = rb;
    tx.rb_count = 2;
    tx.rb_b[0] = (msgc_bytes){raw, 2};
    tx.rb_b_count = 1;
    strcpy(tx.s_b, "inline");
    out[n].d = &at_Texts_desc;
    out[n].len = encode_any(out[n].d, &tx, &out[n].bytes);
    n++;

    at_Nested ne = at_Nested_INIT;
    at_Inner opt = inner(2, s_b);
    at_Inner reps[3] = {inner(3, s_a), inner(4, NULL), inner(5, s_b)};
    ne.has_inl = true;
    ne.inl = inner(1, s_a);
    ne.opt = &opt;
    ne.rep = reps;
    ne.rep_count = 3;
    ne.rep_b[0] = inner(6, s_a);
    ne.rep_b_count = 1;
    ne.has_stamp = true;
    ne.stamp.zone = s_b;
    ne.has_sc = true;
    ne.sc.f_string = s_a;
    out[n].d = &at_Nested_desc;
    out[n].len = encode_any(out[n].d, &ne, &out[n].bytes);
    n++;

    at_Choice ch = at_Choice_INIT;
    ch.u_case = at_Choice_u_m;
    ch.u.m = inner(7, s_a);
    out[n].d = &at_Choice_desc;
    out[n].len = encode_any(out[n].d, &ch, &out[n].bytes);
    n++;

    at_Tree leaves[2] = {{1, NULL, NULL, 0}, {2, NULL, NULL, 0}};
    at_Tree mid = {3, &leaves[0], &leaves[1], 1};
    at_Tree root = {4, &mid, leaves, 2};
    out[n].d = &at_Tree_desc;
    out[n].len = encode_any(out[n].d, &root, &out[n].bytes);
    n++;

    at_All all = at_All_INIT;
    at_Choice chs[2] = {ch, at_Choice_INIT};
    chs[1].u_case = at_Choice_u_s;
    chs[1].u.s = s_b;
    all.has_scalars = true;
    all.scalars = sc;
    all.has_texts = true;
    all.texts = tx;
    all.has_nested = true;
    all.nested = ne;
    all.has_tree = true;
    all.tree = root;
    all.choices = chs;
    all.choices_count = 2;
    all.has_repeats = true;
    all.repeats = rp;
    out[n].d = &at_All_desc;
    out[n].len = encode_any(out[n].d, &all, &out[n].bytes);
    n++;
    return n;
}

static void
test_allocation_failure_sweep_fails_cleanly(void **state)
{
    (void)state;
    sample s[16];
    size_t n = make_samples(s);
    for (size_t i = 0; i < n; i++) {
        const msgc_desc *d = s[i].d;
        void *m = calloc(1, d->struct_size);
        void *fresh = calloc(1, d->struct_size);
        assert_non_null(m);
        assert_non_null(fresh);
        d->init(fresh);
        d->init(m);

        /* How many allocations a successful decode makes. */
        codec_alloc_install(0);
        assert_int_equal(d->decode_ex(m, s[i].bytes, s[i].len, NULL), 0);
        size_t needed = codec_count.calls;
        assert_true(needed > 0);
        d->free(m);
        assert_int_equal(codec_count.live_bytes, 0);

        for (size_t k = 1; k <= needed; k++) {
            codec_alloc_reset(k);
            int rc = d->decode_ex(m, s[i].bytes, s[i].len, NULL);
            if (rc != MSGC_ENOMEM)
                fprintf(stderr, "%s: failing allocation %zu of %zu gave %d\n", d->name, k, needed,
                        rc);
            assert_int_equal(rc, MSGC_ENOMEM);
            assert_int_equal(msgc_last_error()->code, MSGC_ENOMEM);
            assert_true(msgc_last_error()->offset <= s[i].len);
            /* The path starts with the message name ("at.Tree" -> "Tree"). */
            const char *name = strrchr(d->name, '.') + 1;
            assert_memory_equal(msgc_last_error()->path, name, strlen(name));
            assert_memory_equal(m, fresh, d->struct_size);
            assert_int_equal(codec_count.live_bytes, 0);
            assert_int_equal(codec_count.allocs, codec_count.frees);
        }
        codec_alloc_reset(needed + 1);
        assert_int_equal(d->decode_ex(m, s[i].bytes, s[i].len, NULL), 0);
        d->free(m);
        assert_int_equal(codec_count.live_bytes, 0);
        codec_alloc_remove();
        free(m);
        free(fresh);
        free(s[i].bytes);
    }
}

/* --- the allocation budget --- */

/* count empty elements of FatList.items (4 KiB each in memory, 2 bytes on the wire). */
static codec_buf
empty_fats(size_t count)
{
    codec_buf in = {0};
    for (size_t i = 0; i < count; i++)
        cb_hex(&in, "0a 00");
    return in;
}

static void
test_allocation_budget_bounds_the_worst_small_input(void **state)
{
    (void)state;
    const size_t elem = sizeof(at_Fat);
    msgc_limits lim = MSGC_LIMITS_INIT;

    /* Under the default budget of 64 MiB: the largest accepted count, then one more
     * element than the budget allows. */
    size_t ok_count = 4096;
    codec_buf in = empty_fats(ok_count);
    codec_alloc_install(0);
    at_FatList *fl = decode_ok_lim(&at_FatList_desc, in.b, in.n, NULL);
    assert_int_equal(fl->items_count, ok_count);
    assert_true(codec_count.total_bytes <= MSGC_DEFAULT_MAX_ALLOC);
    printf("worst input: %zu bytes -> %zu bytes allocated in all (%.0fx), %zu peak (%.0fx)\n", in.n,
           codec_count.total_bytes, (double)codec_count.total_bytes / (double)in.n,
           codec_count.peak_bytes, (double)codec_count.peak_bytes / (double)in.n);
    drop(&at_FatList_desc, fl);
    assert_int_equal(codec_count.live_bytes, 0);
    codec_alloc_remove();
    cb_free(&in);

    in = empty_fats(100000);
    /* The array doubles and the budget counts what is live: 8192 elements fit in 64 MiB,
     * but growing to 16384 would hold 8192 + 16384 of them at once. */
    assert_true(8192 * elem <= MSGC_DEFAULT_MAX_ALLOC &&
                (8192 + 16384) * elem > MSGC_DEFAULT_MAX_ALLOC);
    check_fail_lim(&at_FatList_desc, in.b, in.n, NULL, MSGC_ENOMEM, 2 * 8192, "FatList.items");
    cb_free(&in);

    /* A smaller budget from decode_ex: nothing past it is ever requested. */
    lim.max_alloc = 1u << 20;
    in = empty_fats(1000);
    codec_alloc_install(0);
    at_FatList *m = calloc(1, sizeof *m);
    assert_non_null(m);
    assert_int_equal(at_FatList_decode_ex(m, in.b, in.n, &lim), MSGC_ENOMEM);
    assert_true(codec_count.total_bytes <= lim.max_alloc);
    assert_int_equal(codec_count.live_bytes, 0);
    codec_alloc_remove();
    free(m);
    cb_free(&in);
}

static void
test_allocation_budget_counts_strings_and_bytes(void **state)
{
    (void)state;
    msgc_limits lim = MSGC_LIMITS_INIT;
    codec_buf in = {0};
    cb_hex(&in, "0a 04 61 62 63 64 1a 04 00 01 02 03");
    /* 5 bytes for the string and its NUL, 4 for the bytes. */
    lim.max_alloc = 9;
    at_Texts *t = decode_ok_lim(&at_Texts_desc, in.b, in.n, &lim);
    drop(&at_Texts_desc, t);
    lim.max_alloc = 8;
    check_fail_lim(&at_Texts_desc, in.b, in.n, &lim, MSGC_ENOMEM, 8, "Texts.b");
    lim.max_alloc = 4;
    check_fail_lim(&at_Texts_desc, in.b, in.n, &lim, MSGC_ENOMEM, 2, "Texts.s");
    cb_free(&in);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truncated_tag_is_etrunc),
        cmocka_unit_test(test_truncated_varint_value_is_etrunc),
        cmocka_unit_test(test_truncated_fixed64_is_etrunc),
        cmocka_unit_test(test_truncated_fixed32_is_etrunc),
        cmocka_unit_test(test_truncated_length_prefix_is_etrunc),
        cmocka_unit_test(test_truncated_string_and_bytes_data_is_etrunc),
        cmocka_unit_test(test_truncated_unknown_field_of_each_wire_type_is_etrunc),
        cmocka_unit_test(test_truncated_group_is_etrunc),
        cmocka_unit_test(test_truncated_packed_run_is_etrunc),
        cmocka_unit_test(test_truncated_nested_message_is_etrunc),
        cmocka_unit_test(test_eleven_byte_varint_is_evarint),
        cmocka_unit_test(test_tenth_varint_byte_above_one_is_evarint),
        cmocka_unit_test(test_bad_varint_in_tag_length_packed_and_unknown_is_evarint),
        cmocka_unit_test(test_ten_byte_varint_of_uint64_max_is_accepted),
        cmocka_unit_test(test_length_one_past_max_is_ebounds),
        cmocka_unit_test(test_length_one_past_input_is_etrunc),
        cmocka_unit_test(test_length_uint32_max_is_etrunc),
        cmocka_unit_test(test_length_uint64_max_is_etrunc),
        cmocka_unit_test(test_field_number_zero_is_ewire),
        cmocka_unit_test(test_field_number_above_max_is_ewire),
        cmocka_unit_test(test_field_number_max_is_skipped),
        cmocka_unit_test(test_wire_types_6_and_7_are_ewire),
        cmocka_unit_test(test_unmatched_end_group_is_ewire),
        cmocka_unit_test(test_known_field_with_wrong_wire_type_is_ewire),
        cmocka_unit_test(test_length_past_parent_is_elength),
        cmocka_unit_test(test_overlong_utf8_is_eutf8),
        cmocka_unit_test(test_utf8_surrogate_is_eutf8),
        cmocka_unit_test(test_nul_or_stray_byte_anywhere_in_a_short_string_is_eutf8),
        cmocka_unit_test(test_utf8_above_10ffff_is_eutf8),
        cmocka_unit_test(test_truncated_utf8_sequence_is_eutf8),
        cmocka_unit_test(test_nul_in_string_is_eutf8),
        cmocka_unit_test(test_packed_count_above_max_is_ebounds),
        cmocka_unit_test(test_unpacked_count_above_max_is_ebounds),
        cmocka_unit_test(test_nesting_of_100_is_accepted),
        cmocka_unit_test(test_nesting_of_101_is_edepth),
        cmocka_unit_test(test_nesting_limit_from_decode_ex),
        cmocka_unit_test(test_unknown_groups_count_toward_depth),
        cmocka_unit_test(test_nesting_of_100000_fails_without_exhausting_the_stack),
        cmocka_unit_test(test_input_over_2gib_is_etoobig),
        cmocka_unit_test(test_null_input_is_einval_unless_empty),
        cmocka_unit_test(test_allocation_failure_sweep_fails_cleanly),
        cmocka_unit_test(test_allocation_budget_bounds_the_worst_small_input),
        cmocka_unit_test(test_allocation_budget_counts_strings_and_bytes),
    };
    return cmocka_run_group_tests_name("malformed", tests, NULL, NULL);
}
