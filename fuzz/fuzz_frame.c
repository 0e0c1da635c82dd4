/* fuzz_frame.c - bytes into the runtime's frame parser (runtime/frame.c): the header and
 * the records of a batch frame.
 *
 * Oracles (any failure aborts):
 *   - msgc__frame_parse returns 0 or MSGC_EPROTO, and MSGC_EPROTO is what
 *     msgc_last_error records;
 *   - a parsed frame is within what docs/protocol.md allows: major 1, a known kind,
 *     hdr_len in [MSGC__HDR_SIZE, len], deadline -1 or more;
 *   - a parsed BATCH frame holds aux >= 1 records, and reading them one after another
 *     with msgc__batch_record stays inside the body and ends exactly at its end; each
 *     length prefix is what msgc__record_len_size says or longer (a non-minimal varint),
 *     and a record length rewritten with msgc__record_put_len reads back the same;
 *   - msgc__frame_put of the parsed frame writes the input's header bytes again, except
 *     what a version 1.1 writer sets itself (minor, hdr_len, flags), and that header with
 *     the input's body parses to the same frame, with minor 1 and hdr_len MSGC__HDR_SIZE;
 *     putting that frame again gives the same bytes;
 *   - msgc__frame_reply_to reads what the parser read, and msgc__frame_set_reply_to
 *     changes those 8 bytes and nothing else.
 */
#include "transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
    const msgc_error *e = msgc_last_error();
    fprintf(stderr, "fuzz_frame: %s (last error %s: %s)\n", what,
            msgc_errname(e->code) ? msgc_errname(e->code) : "-", e->detail);
    abort();
}

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fail(#cond);                                                                           \
    } while (0)

/* Byte offsets that a version 1.1 writer fills in itself (docs/protocol.md). */
#define OFF_MINOR 3u
#define OFF_HDR_LEN 5u
#define OFF_FLAGS 6u
#define OFF_REPLY_TO 32u

static int
writer_owned(size_t i)
{
    return i == OFF_MINOR || i == OFF_HDR_LEN || i == OFF_FLAGS || i == OFF_FLAGS + 1;
}

static int
same_frame(const msgc_frame *a, const msgc_frame *b)
{
    return a->major == b->major && a->kind == b->kind && a->id == b->id &&
           a->call_id == b->call_id && a->status == b->status && a->aux == b->aux &&
           a->reply_to == b->reply_to && a->deadline == b->deadline;
}

static void
check_reply_to(const uint8_t *hdr, const msgc_frame *f)
{
    uint8_t copy[MSGC__HDR_SIZE];
    memcpy(copy, hdr, sizeof copy);
    CHECK(msgc__frame_reply_to(copy) == f->reply_to);
    uint64_t other = ~f->reply_to ^ 0x0102030405060708ULL;
    msgc__frame_set_reply_to(copy, other);
    CHECK(msgc__frame_reply_to(copy) == other);
    for (size_t i = 0; i < sizeof copy; i++)
        if (i < OFF_REPLY_TO || i >= OFF_REPLY_TO + 8)
            CHECK(copy[i] == hdr[i]);
}

/* Walks the records of a parsed BATCH frame's body[0..len). */
static void
check_records(const uint8_t *body, size_t len, uint32_t count)
{
    CHECK(count >= 1);
    const uint8_t *p = body, *end = body + len;
    for (uint32_t i = 0; i < count; i++) {
        CHECK(p < end);
        size_t n = 0;
        const uint8_t *r = msgc__batch_record(p, &n);
        CHECK(r > p && r <= end);
        CHECK((size_t)(r - p) >= msgc__record_len_size(n) && r - p <= 5);
        CHECK(n <= (size_t)(end - r));
        uint8_t prefix[8];
        size_t w = msgc__record_put_len(prefix, n);
        CHECK(w == msgc__record_len_size(n));
        size_t back = 0;
        CHECK(msgc__batch_record(prefix, &back) == prefix + w && back == n);
        p = r + n;
    }
    CHECK(p == end);
}

/* The input's frame again: a fresh header of f followed by the input's body. */
static void
check_rewritten(const uint8_t *data, size_t size, const msgc_frame *f, const uint8_t *hdr)
{
    size_t body = size - f->hdr_len;
    uint8_t *copy = malloc(MSGC__HDR_SIZE + body);
    CHECK(copy != NULL);
    memcpy(copy, hdr, MSGC__HDR_SIZE);
    memcpy(copy + MSGC__HDR_SIZE, data + f->hdr_len, body);
    msgc_frame g;
    memset(&g, 0xee, sizeof g);
    CHECK(msgc__frame_parse(&g, copy, MSGC__HDR_SIZE + body) == 0);
    CHECK(same_frame(f, &g));
    CHECK(g.minor == MSGC__FRAME_MINOR);
    CHECK(g.hdr_len == MSGC__HDR_SIZE);
    uint8_t again[MSGC__HDR_SIZE];
    msgc__frame_put(&g, again);
    CHECK(memcmp(hdr, again, sizeof again) == 0);
    free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    msgc_frame f;
    memset(&f, 0, sizeof f);
    int rc = msgc__frame_parse(&f, data, size);
    if (rc != 0) {
        CHECK(rc == MSGC_EPROTO);
        CHECK(msgc_last_error()->code == MSGC_EPROTO);
        return 0;
    }
    CHECK(size >= MSGC__HDR_SIZE);
    CHECK(f.major == MSGC__FRAME_MAJOR);
    CHECK(f.kind >= MSGC__FRAME_MESSAGE && f.kind <= MSGC__FRAME_BATCH);
    CHECK(f.hdr_len >= MSGC__HDR_SIZE && f.hdr_len <= size);
    CHECK(f.deadline >= -1);
    CHECK(f.minor == data[OFF_MINOR]);
    CHECK(f.hdr_len == data[OFF_HDR_LEN]);

    uint8_t hdr[MSGC__HDR_SIZE];
    memset(hdr, 0xee, sizeof hdr);
    msgc__frame_put(&f, hdr);
    for (size_t i = 0; i < MSGC__HDR_SIZE; i++)
        if (!writer_owned(i))
            CHECK(hdr[i] == data[i]);
    CHECK(hdr[OFF_MINOR] == MSGC__FRAME_MINOR);
    CHECK(hdr[OFF_HDR_LEN] == MSGC__HDR_SIZE);
    CHECK(hdr[OFF_FLAGS] == 0 && hdr[OFF_FLAGS + 1] == 0);
    if (f.kind == MSGC__FRAME_BATCH)
        check_records(data + f.hdr_len, size - f.hdr_len, f.aux);
    check_rewritten(data, size, &f, hdr);
    check_reply_to(hdr, &f);
    return 0;
}
