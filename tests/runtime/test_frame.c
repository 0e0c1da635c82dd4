/* test_frame.c - the frame header and batch records (runtime/frame.c), ids (fnv.c) and the
 * transport registry (transport.c). */
#include "transport.h"
#include "rt_msgs.h"

#include <stdio.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>

#include <cmocka.h>

static const uint8_t sample[MSGC__HDR_SIZE] = {
    'm', 'c', 1, 1, 2, 48, 0, 0,                     /* magic, version 1.1, CALL, hdr_len */
    0xde, 0x5c, 0x6b, 0xdd, 0xec, 0x55, 0xfe, 0x9d, /* id rt.Calc/Add */
    0x2a, 0, 0, 0, 0, 0, 0, 0,                       /* call id 42 */
    0xed, 0xff, 0xff, 0xff,                          /* status -19 */
    0x10, 0x20, 0, 0,                                /* aux 0x2010 */
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* reply_to */
    0xe8, 0x03, 0, 0, 0, 0, 0, 0,                    /* deadline 1000 */
};

static msgc_frame
sample_frame(void)
{
    msgc_frame f;
    msgc__frame_init(&f, MSGC__FRAME_CALL);
    f.id = 0x9dfe55ecdd6b5cdeULL;
    f.call_id = 42;
    f.status = MSGC_EREMOTE;
    f.aux = 0x2010;
    f.reply_to = 0x0807060504030201ULL;
    f.deadline = 1000;
    return f;
}

static void
test_header_is_written_little_endian_at_fixed_offsets(void **state)
{
    (void)state;
    uint8_t buf[MSGC__HDR_SIZE];
    msgc_frame f = sample_frame();
    msgc__frame_put(&f, buf);
    assert_memory_equal(buf, sample, sizeof sample);
}

static void
test_header_parses_back_to_the_same_fields(void **state)
{
    (void)state;
    msgc_frame f;
    assert_int_equal(msgc__frame_parse(&f, sample, sizeof sample), 0);
    assert_int_equal(f.major, 1);
    assert_int_equal(f.minor, 1);
    assert_int_equal(f.kind, MSGC__FRAME_CALL);
    assert_int_equal(f.hdr_len, 48);
    assert_true(f.id == 0x9dfe55ecdd6b5cdeULL);
    assert_true(f.call_id == 42);
    assert_int_equal(f.status, MSGC_EREMOTE);
    assert_int_equal(f.aux, 0x2010);
    assert_true(f.reply_to == 0x0807060504030201ULL);
    assert_true(f.deadline == 1000);
    assert_true(msgc__frame_reply_to(sample) == 0x0807060504030201ULL);
}

static void
test_no_deadline_travels_as_minus_one(void **state)
{
    (void)state;
    uint8_t buf[MSGC__HDR_SIZE];
    msgc_frame f;
    msgc__frame_init(&f, MSGC__FRAME_MESSAGE);
    msgc__frame_put(&f, buf);
    static const uint8_t ones[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    assert_memory_equal(buf + 40, ones, 8);
    assert_int_equal(msgc__frame_parse(&f, buf, sizeof buf), 0);
    assert_true(f.deadline == -1);
}

static void
test_short_frame_is_eproto(void **state)
{
    (void)state;
    msgc_frame f;
    for (size_t len = 0; len < MSGC__HDR_SIZE; len++)
        assert_int_equal(msgc__frame_parse(&f, sample, len), MSGC_EPROTO);
    assert_string_equal(msgc_last_error()->detail,
                        "frame of 47 bytes is shorter than its header");
}

static void
test_bad_magic_is_eproto(void **state)
{
    (void)state;
    uint8_t buf[MSGC__HDR_SIZE];
    memcpy(buf, sample, sizeof buf);
    buf[1] = 'x';
    msgc_frame f;
    assert_int_equal(msgc__frame_parse(&f, buf, sizeof buf), MSGC_EPROTO);
    assert_string_equal(msgc_last_error()->detail, "frame magic 0x6d78 is not \"mc\"");
}

static void
test_other_major_version_is_eproto_even_when_short(void **state)
{
    (void)state;
    uint8_t buf[MSGC__HDR_SIZE];
    memcpy(buf, sample, sizeof buf);
    buf[2] = 2;
    buf[3] = 7;
    msgc_frame f;
    assert_int_equal(msgc__frame_parse(&f, buf, 8), MSGC_EPROTO);
    assert_string_equal(msgc_last_error()->detail,
                        "peer speaks frame version 2.7, this runtime 1.1");
}

static void
test_longer_header_of_a_later_minor_version_is_skipped(void **state)
{
    (void)state;
    uint8_t buf[MSGC__HDR_SIZE + 8 + 3] = {0};
    memcpy(buf, sample, MSGC__HDR_SIZE);
    buf[3] = 4;
    buf[5] = MSGC__HDR_SIZE + 8;
    msgc_frame f;
    assert_int_equal(msgc__frame_parse(&f, buf, sizeof buf), 0);
    assert_int_equal(f.minor, 4);
    assert_int_equal(f.hdr_len, 56);
}

static void
test_header_length_outside_the_frame_is_eproto(void **state)
{
    (void)state;
    uint8_t buf[MSGC__HDR_SIZE];
    memcpy(buf, sample, sizeof buf);
    msgc_frame f;
    buf[5] = 49;
    assert_int_equal(msgc__frame_parse(&f, buf, sizeof buf), MSGC_EPROTO);
    assert_string_equal(msgc_last_error()->detail, "frame header length 49 outside [48, 48]");
    buf[5] = 47;
    assert_int_equal(msgc__frame_parse(&f, buf, sizeof buf), MSGC_EPROTO);
    buf[5] = 0xff;
    assert_int_equal(msgc__frame_parse(&f, buf, sizeof buf), MSGC_EPROTO);
}

static void
test_unknown_kind_is_eproto(void **state)
{
    (void)state;
    uint8_t buf[MSGC__HDR_SIZE];
    memcpy(buf, sample, sizeof buf);
    msgc_frame f;
    buf[4] = 0;
    assert_int_equal(msgc__frame_parse(&f, buf, sizeof buf), MSGC_EPROTO);
    buf[4] = 8;
    assert_int_equal(msgc__frame_parse(&f, buf, sizeof buf), MSGC_EPROTO);
    assert_string_equal(msgc_last_error()->detail, "unknown frame kind 8");
}

static void
test_deadline_below_minus_one_is_eproto(void **state)
{
    (void)state;
    uint8_t buf[MSGC__HDR_SIZE];
    memcpy(buf, sample, sizeof buf);
    buf[40] = 0xfe;
    memset(buf + 41, 0xff, 7);
    msgc_frame f;
    assert_int_equal(msgc__frame_parse(&f, buf, sizeof buf), MSGC_EPROTO);
}

static void
test_every_byte_value_at_every_offset_parses_or_fails_cleanly(void **state)
{
    (void)state;
    uint8_t buf[MSGC__HDR_SIZE];
    msgc_frame f;
    for (size_t off = 0; off < sizeof buf; off++) {
        for (unsigned v = 0; v < 256; v++) {
            memcpy(buf, sample, sizeof buf);
            buf[off] = (uint8_t)v;
            int rc = msgc__frame_parse(&f, buf, sizeof buf);
            assert_true(rc == 0 || rc == MSGC_EPROTO);
            if (rc == 0)
                assert_true(f.hdr_len <= sizeof buf);
        }
    }
}

/* --- batch records --- */

/* A BATCH frame of rt.Num's type id holding count records in body[0..n). */
static size_t
batch_frame(uint8_t *buf, uint32_t count, const uint8_t *body, size_t n)
{
    msgc_frame f;
    msgc__frame_init(&f, MSGC__FRAME_BATCH);
    f.id = 0x0123456789abcdefULL;
    f.aux = count;
    msgc__frame_put(&f, buf);
    if (n > 0)
        memcpy(buf + MSGC__HDR_SIZE, body, n);
    return MSGC__HDR_SIZE + n;
}

/* Three records: rt.Num{a = 1}, an empty message, and 130 bytes (a two-byte length). */
static size_t
three_records(uint8_t *body)
{
    static const uint8_t head[] = {0x02, 0x08, 0x01, 0x00, 0x82, 0x01};
    memcpy(body, head, sizeof head);
    for (size_t i = 0; i < 130; i++)
        body[sizeof head + i] = (uint8_t)i;
    return sizeof head + 130;
}

static void
test_batch_header_is_kind_7_with_the_record_count_in_aux(void **state)
{
    (void)state;
    uint8_t buf[MSGC__HDR_SIZE + 4];
    static const uint8_t body[] = {0x00, 0x00, 0x01, 0x08};
    assert_int_equal(batch_frame(buf, 3, body, sizeof body), sizeof buf);
    static const uint8_t want[MSGC__HDR_SIZE] = {
        'm',  'c',  1,    1,    7,    48,   0,    0,    /* version 1.1, BATCH */
        0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01, /* type id */
        0,    0,    0,    0,    0,    0,    0,    0,    /* call id */
        0,    0,    0,    0,                            /* status */
        3,    0,    0,    0,                            /* aux: 3 records */
        0,    0,    0,    0,    0,    0,    0,    0,    /* reply_to */
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* no deadline */
    };
    assert_memory_equal(buf, want, sizeof want);
    msgc_frame f;
    assert_int_equal(msgc__frame_parse(&f, buf, sizeof buf), 0);
    assert_int_equal(f.kind, MSGC__FRAME_BATCH);
    assert_int_equal(f.aux, 3);
    assert_true(f.id == 0x0123456789abcdefULL);
}

static void
test_batch_records_are_read_back_in_order_with_their_lengths(void **state)
{
    (void)state;
    uint8_t body[256], buf[MSGC__HDR_SIZE + 256];
    size_t n = three_records(body);
    size_t len = batch_frame(buf, 3, body, n);
    msgc_frame f;
    assert_int_equal(msgc__frame_parse(&f, buf, len), 0);
    size_t rlen = 99;
    const uint8_t *r = msgc__batch_record(buf + MSGC__HDR_SIZE, &rlen);
    assert_ptr_equal(r, buf + MSGC__HDR_SIZE + 1);
    assert_int_equal(rlen, 2);
    assert_int_equal(r[0], 0x08);
    assert_int_equal(r[1], 0x01);
    r = msgc__batch_record(r + rlen, &rlen);
    assert_ptr_equal(r, buf + MSGC__HDR_SIZE + 4);
    assert_int_equal(rlen, 0);
    r = msgc__batch_record(r + rlen, &rlen);
    assert_ptr_equal(r, buf + MSGC__HDR_SIZE + 6);
    assert_int_equal(rlen, 130);
    assert_int_equal(r[129], 129);
    assert_ptr_equal(r + rlen, buf + len);
}

static void
test_record_lengths_are_minimal_varints(void **state)
{
    (void)state;
    assert_int_equal(msgc__record_len_size(0), 1);
    assert_int_equal(msgc__record_len_size(127), 1);
    assert_int_equal(msgc__record_len_size(128), 2);
    assert_int_equal(msgc__record_len_size(16383), 2);
    assert_int_equal(msgc__record_len_size(16384), 3);
    assert_int_equal(msgc__record_len_size(MSGC__RECORD_MAX), 5);
    uint8_t p[8] = {0};
    assert_int_equal(msgc__record_put_len(p, 300), 2);
    assert_int_equal(p[0], 0xac);
    assert_int_equal(p[1], 0x02);
    assert_int_equal(msgc__record_put_len(p, MSGC__RECORD_MAX), 5);
    static const uint8_t max[5] = {0xff, 0xff, 0xff, 0xff, 0x07};
    assert_memory_equal(p, max, sizeof max);
    size_t n = 0;
    assert_ptr_equal(msgc__batch_record(p, &n), p + 5);
    assert_int_equal(n, MSGC__RECORD_MAX);
}

/* Parses a BATCH frame of count records with body[0..n) and expects MSGC_EPROTO with
 * detail want. */
static void
expect_bad_batch(uint32_t count, const uint8_t *body, size_t n, const char *want)
{
    uint8_t buf[MSGC__HDR_SIZE + 64];
    assert_true(n <= 64);
    size_t len = batch_frame(buf, count, body, n);
    msgc_frame f;
    assert_int_equal(msgc__frame_parse(&f, buf, len), MSGC_EPROTO);
    assert_int_equal(msgc_last_error()->code, MSGC_EPROTO);
    assert_string_equal(msgc_last_error()->detail, want);
    assert_int_equal(msgc__batch_check(body, n, count), MSGC_EPROTO);
}

static void
test_batch_of_zero_records_is_eproto(void **state)
{
    (void)state;
    expect_bad_batch(0, NULL, 0, "batch frame of 0 records");
    static const uint8_t one[] = {0x00};
    expect_bad_batch(0, one, sizeof one, "batch frame of 0 records");
}

static void
test_record_length_past_the_end_is_eproto(void **state)
{
    (void)state;
    static const uint8_t past[] = {0x01, 0x41, 0x05, 0x01, 0x02};
    expect_bad_batch(2, past, sizeof past,
                     "batch record 2 of 2: length 5 past the end (2 bytes left)");
    static const uint8_t by_one[] = {0x03, 0x08, 0x01};
    expect_bad_batch(1, by_one, sizeof by_one,
                     "batch record 1 of 1: length 3 past the end (2 bytes left)");
    /* 2^31, the first length above any message, in an otherwise long enough body. */
    static const uint8_t huge[] = {0x80, 0x80, 0x80, 0x80, 0x08, 0x00};
    expect_bad_batch(1, huge, sizeof huge,
                     "batch record 1 of 1: length 2147483648 past the end (1 bytes left)");
}

static void
test_truncated_or_overlong_record_length_is_eproto(void **state)
{
    (void)state;
    static const uint8_t cut[] = {0x01, 0x41, 0x80};
    expect_bad_batch(2, cut, sizeof cut, "batch record 2 of 2: truncated length");
    static const uint8_t cut4[] = {0xff, 0xff, 0xff, 0xff};
    expect_bad_batch(1, cut4, sizeof cut4, "batch record 1 of 1: truncated length");
    static const uint8_t six[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00};
    expect_bad_batch(1, six, sizeof six, "batch record 1 of 1: overlong length");
}

static void
test_record_count_must_match_the_body_exactly(void **state)
{
    (void)state;
    static const uint8_t two[] = {0x00, 0x01, 0x41};
    expect_bad_batch(3, two, sizeof two, "batch frame ends after 2 of 3 records");
    expect_bad_batch(1, two, sizeof two, "batch frame has 2 bytes after record 1 of 1");
    expect_bad_batch(1, NULL, 0, "batch frame ends after 0 of 1 records");
}

static void
test_every_cut_and_byte_of_a_batch_body_parses_or_fails_cleanly(void **state)
{
    (void)state;
    uint8_t body[256], buf[MSGC__HDR_SIZE + 256];
    size_t n = three_records(body);
    msgc_frame f;
    /* Every shorter body lacks bytes of the last record: refused. */
    for (size_t cut = 0; cut < n; cut++) {
        size_t len = batch_frame(buf, 3, body, cut);
        assert_int_equal(msgc__frame_parse(&f, buf, len), MSGC_EPROTO);
    }
    /* Any byte changed: accepted only when the records still fill the body exactly. */
    for (size_t off = 0; off < 8; off++) {
        for (unsigned v = 0; v < 256; v++) {
            size_t len = batch_frame(buf, 3, body, n);
            buf[MSGC__HDR_SIZE + off] = (uint8_t)v;
            int rc = msgc__frame_parse(&f, buf, len);
            assert_true(rc == 0 || rc == MSGC_EPROTO);
            if (rc != 0)
                continue;
            const uint8_t *p = buf + MSGC__HDR_SIZE;
            for (uint32_t i = 0; i < 3; i++) {
                size_t rlen = 0;
                p = msgc__batch_record(p, &rlen);
                assert_true(p + rlen <= buf + len);
                p += rlen;
            }
            assert_ptr_equal(p, buf + len);
        }
    }
}

static void
test_fnv1a64_matches_the_reference_vectors(void **state)
{
    (void)state;
    assert_true(msgc_fnv1a64("") == 0xcbf29ce484222325ULL);
    assert_true(msgc_fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
    assert_true(msgc_fnv1a64("foobar") == 0x85944171f73967e8ULL);
}

static void
test_test_support_ids_are_fnv1a64_of_their_names(void **state)
{
    (void)state;
    assert_true(rt_Num_desc.type_id == msgc_fnv1a64("rt.Num"));
    assert_true(rt_Blob_desc.type_id == msgc_fnv1a64("rt.Blob"));
    char name[64];
    for (size_t i = 0; i < rt_Calc_service.n_methods; i++) {
        snprintf(name, sizeof name, "rt.Calc/%s", rt_Calc_service.methods[i].name);
        assert_true(rt_Calc_service.methods[i].id == msgc_fnv1a64(name));
    }
    assert_true(rt_Bad_service.methods[1].id == msgc_fnv1a64("rt.Calc/Unknown"));
}

static void
test_url_without_scheme_is_einval(void **state)
{
    (void)state;
    msgc_chan *ch = (msgc_chan *)1;
    assert_int_equal(msgc_dial(&ch, "/tmp/x", NULL), MSGC_EINVAL);
    assert_null(ch);
    assert_string_equal(msgc_last_error()->detail,
                        "URL \"/tmp/x\" has no scheme (\"mq:/NAME\", \"unix:PATH\")");
}

static void
test_unknown_scheme_is_enotsup(void **state)
{
    (void)state;
    msgc_chan *ch;
    assert_int_equal(msgc_listen(&ch, "tcp:localhost:80", NULL), MSGC_ENOTSUP);
    assert_string_equal(msgc_last_error()->detail, "no transport for URL scheme \"tcp\"");
    const char *addr = NULL;
    assert_ptr_equal(msgc__transport_find("unix:@x", &addr), &msgc__transport_unix);
    assert_string_equal(addr, "@x");
    assert_ptr_equal(msgc__transport_find("mq:/q", &addr), &msgc__transport_mq);
    assert_string_equal(addr, "/q");
}

static void
test_remaining_time_is_capped_and_never_negative(void **state)
{
    (void)state;
    assert_int_equal(msgc__remaining(-1, -1), -1);
    assert_int_equal(msgc__remaining(-1, 100), 100);
    assert_int_equal(msgc__remaining(0, -1), 0);
    assert_int_equal(msgc__remaining(msgc__now_ms() - 5, 100), 0);
    int r = msgc__remaining(msgc__deadline(5000), 100);
    assert_int_equal(r, 100);
    r = msgc__remaining(msgc__deadline(5000), -1);
    assert_true(r > 4900 && r <= 5000);
    assert_true(msgc__deadline(-1) == -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_is_written_little_endian_at_fixed_offsets),
        cmocka_unit_test(test_header_parses_back_to_the_same_fields),
        cmocka_unit_test(test_no_deadline_travels_as_minus_one),
        cmocka_unit_test(test_short_frame_is_eproto),
        cmocka_unit_test(test_bad_magic_is_eproto),
        cmocka_unit_test(test_other_major_version_is_eproto_even_when_short),
        cmocka_unit_test(test_longer_header_of_a_later_minor_version_is_skipped),
        cmocka_unit_test(test_header_length_outside_the_frame_is_eproto),
        cmocka_unit_test(test_unknown_kind_is_eproto),
        cmocka_unit_test(test_deadline_below_minus_one_is_eproto),
        cmocka_unit_test(test_every_byte_value_at_every_offset_parses_or_fails_cleanly),
        cmocka_unit_test(test_batch_header_is_kind_7_with_the_record_count_in_aux),
        cmocka_unit_test(test_batch_records_are_read_back_in_order_with_their_lengths),
        cmocka_unit_test(test_record_lengths_are_minimal_varints),
        cmocka_unit_test(test_batch_of_zero_records_is_eproto),
        cmocka_unit_test(test_record_length_past_the_end_is_eproto),
        cmocka_unit_test(test_truncated_or_overlong_record_length_is_eproto),
        cmocka_unit_test(test_record_count_must_match_the_body_exactly),
        cmocka_unit_test(test_every_cut_and_byte_of_a_batch_body_parses_or_fails_cleanly),
        cmocka_unit_test(test_fnv1a64_matches_the_reference_vectors),
        cmocka_unit_test(test_test_support_ids_are_fnv1a64_of_their_names),
        cmocka_unit_test(test_url_without_scheme_is_einval),
        cmocka_unit_test(test_unknown_scheme_is_enotsup),
        cmocka_unit_test(test_remaining_time_is_capped_and_never_negative),
    };
    return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
