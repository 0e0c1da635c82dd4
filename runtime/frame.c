/* frame.c - the frame header, a fixed little-endian layout, and the records of a batch
 * frame, both parsed without trusting them. */
#include "transport.h"

/* Byte offsets of the version 1.x header (docs/protocol.md). */
enum {
    OFF_MAGIC = 0,
    OFF_MAJOR = 2,
    OFF_MINOR = 3,
    OFF_KIND = 4,
    OFF_HDR_LEN = 5,
    OFF_FLAGS = 6,
    OFF_ID = 8,
    OFF_CALL_ID = 16,
    OFF_STATUS = 24,
    OFF_AUX = 28,
    OFF_REPLY_TO = 32,
    OFF_DEADLINE = 40
};

static void
put_u64(uint8_t *p, uint64_t v)
{
    for (unsigned i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void
put_u32(uint8_t *p, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t
get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static uint32_t
get_u32(const uint8_t *p)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < 4; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

/* Two's complement conversions written so they are defined for every value. */
static uint64_t
i64_bits(int64_t v)
{
    return v < 0 ? ~(uint64_t)(-(v + 1)) : (uint64_t)v;
}

static int64_t
bits_i64(uint64_t u)
{
    return u > (uint64_t)INT64_MAX ? -(int64_t)(~u) - 1 : (int64_t)u;
}

static uint32_t
i32_bits(int32_t v)
{
    return v < 0 ? ~(uint32_t)(-(v + 1)) : (uint32_t)v;
}

static int32_t
bits_i32(uint32_t u)
{
    return u > (uint32_t)INT32_MAX ? -(int32_t)(~u) - 1 : (int32_t)u;
}

void
msgc__frame_init(msgc_frame *f, unsigned kind)
{
    memset(f, 0, sizeof *f);
    f->major = MSGC__FRAME_MAJOR;
    f->minor = MSGC__FRAME_MINOR;
    f->kind = kind;
    f->hdr_len = MSGC__HDR_SIZE;
    f->deadline = -1;
}

void
msgc__frame_put(const msgc_frame *f, uint8_t *buf)
{
    buf[OFF_MAGIC] = MSGC__FRAME_MAGIC0;
    buf[OFF_MAGIC + 1] = MSGC__FRAME_MAGIC1;
    buf[OFF_MAJOR] = MSGC__FRAME_MAJOR;
    buf[OFF_MINOR] = MSGC__FRAME_MINOR;
    buf[OFF_KIND] = (uint8_t)f->kind;
    buf[OFF_HDR_LEN] = MSGC__HDR_SIZE;
    buf[OFF_FLAGS] = 0;
    buf[OFF_FLAGS + 1] = 0;
    put_u64(buf + OFF_ID, f->id);
    put_u64(buf + OFF_CALL_ID, f->call_id);
    put_u32(buf + OFF_STATUS, i32_bits(f->status));
    put_u32(buf + OFF_AUX, f->aux);
    put_u64(buf + OFF_REPLY_TO, f->reply_to);
    put_u64(buf + OFF_DEADLINE, i64_bits(f->deadline));
}

/* Every check of msgc__frame_parse but the batch records: those belong to the body. */
static int
parse_header(msgc_frame *f, const uint8_t *buf, size_t len)
{
    /* The magic and version come first so another major version is told apart from
     * garbage even when its header is shorter. */
    if (len < 4)
        return msgc__fail(MSGC_EPROTO, "frame of %zu bytes is shorter than its header", len);
    if (buf[OFF_MAGIC] != MSGC__FRAME_MAGIC0 || buf[OFF_MAGIC + 1] != MSGC__FRAME_MAGIC1)
        return msgc__fail(MSGC_EPROTO, "frame magic 0x%02x%02x is not \"mc\"", buf[0], buf[1]);
    if (buf[OFF_MAJOR] != MSGC__FRAME_MAJOR)
        return msgc__fail(MSGC_EPROTO, "peer speaks frame version %u.%u, this runtime %u.%u",
                          buf[OFF_MAJOR], buf[OFF_MINOR], MSGC__FRAME_MAJOR, MSGC__FRAME_MINOR);
    if (len < MSGC__HDR_SIZE)
        return msgc__fail(MSGC_EPROTO, "frame of %zu bytes is shorter than its header", len);
    size_t hdr_len = buf[OFF_HDR_LEN];
    if (hdr_len < MSGC__HDR_SIZE || hdr_len > len)
        return msgc__fail(MSGC_EPROTO, "frame header length %zu outside [%u, %zu]", hdr_len,
                          MSGC__HDR_SIZE, len);
    unsigned kind = buf[OFF_KIND];
    if (kind < MSGC__FRAME_MESSAGE || kind > MSGC__FRAME_BATCH)
        return msgc__fail(MSGC_EPROTO, "unknown frame kind %u", kind);
    f->major = buf[OFF_MAJOR];
    f->minor = buf[OFF_MINOR];
    f->kind = kind;
    f->hdr_len = hdr_len;
    f->id = get_u64(buf + OFF_ID);
    f->call_id = get_u64(buf + OFF_CALL_ID);
    f->status = bits_i32(get_u32(buf + OFF_STATUS));
    f->aux = get_u32(buf + OFF_AUX);
    f->reply_to = get_u64(buf + OFF_REPLY_TO);
    f->deadline = bits_i64(get_u64(buf + OFF_DEADLINE));
    if (f->deadline < -1)
        return msgc__fail(MSGC_EPROTO, "frame deadline %lld is negative",
                          (long long)f->deadline);
    return 0;
}

int
msgc__frame_parse(msgc_frame *f, const uint8_t *buf, size_t len)
{
    int rc = parse_header(f, buf, len);
    if (rc || f->kind != MSGC__FRAME_BATCH)
        return rc;
    return msgc__batch_check(buf + f->hdr_len, len - f->hdr_len, f->aux);
}

bool
msgc__kind_from_dialer(unsigned kind)
{
    return kind == MSGC__FRAME_MESSAGE || kind == MSGC__FRAME_CALL || kind == MSGC__FRAME_ONEWAY ||
           kind == MSGC__FRAME_BATCH;
}

bool
msgc__frame_from_dialer(const uint8_t *buf, size_t len)
{
    msgc_frame f = {0};
    return parse_header(&f, buf, len) == 0 && msgc__kind_from_dialer(f.kind);
}

uint64_t
msgc__frame_reply_to(const uint8_t *buf)
{
    return get_u64(buf + OFF_REPLY_TO);
}

void
msgc__frame_set_reply_to(uint8_t *buf, uint64_t reply_to)
{
    put_u64(buf + OFF_REPLY_TO, reply_to);
}

/* --- batch records --- */

/* A record length below 2^31 takes at most 5 varint bytes. */
#define RECORD_LEN_BYTES 5u

size_t
msgc__record_len_size(size_t len)
{
    return msgc__varint_size(len);
}

size_t
msgc__record_put_len(uint8_t *p, size_t len)
{
    return (size_t)(msgc__put_varint(p, len) - p);
}

/* Reads the varint at body[pos..len) into *v; returns its size, or 0 when it is truncated
 * (0 bytes left counts as truncated) or longer than RECORD_LEN_BYTES. */
static size_t
get_len(const uint8_t *body, size_t len, size_t pos, uint64_t *v)
{
    uint64_t r = 0;
    for (size_t i = 0; i < RECORD_LEN_BYTES && pos + i < len; i++) {
        uint8_t b = body[pos + i];
        r |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *v = r;
            return i + 1;
        }
    }
    return 0;
}

int
msgc__batch_check(const uint8_t *body, size_t len, uint32_t count)
{
    if (count == 0)
        return msgc__fail(MSGC_EPROTO, "batch frame of 0 records");
    size_t pos = 0;
    for (uint32_t i = 1; i <= count; i++) {
        if (pos == len)
            return msgc__fail(MSGC_EPROTO, "batch frame ends after %u of %u records", i - 1, count);
        uint64_t n = 0;
        size_t w = get_len(body, len, pos, &n);
        if (w == 0)
            return msgc__fail(MSGC_EPROTO, "batch record %u of %u: %s length", i, count,
                              len - pos < RECORD_LEN_BYTES ? "truncated" : "overlong");
        pos += w;
        if (n > MSGC__RECORD_MAX || n > len - pos)
            return msgc__fail(MSGC_EPROTO,
                              "batch record %u of %u: length %llu past the end (%zu bytes left)", i,
                              count, (unsigned long long)n, len - pos);
        pos += (size_t)n;
    }
    if (pos != len)
        return msgc__fail(MSGC_EPROTO, "batch frame has %zu bytes after record %u of %u", len - pos,
                          count, count);
    return 0;
}

const uint8_t *
msgc__batch_record(const uint8_t *p, size_t *len)
{
    size_t n = 0;
    unsigned shift = 0;
    while (*p & 0x80) {
        n |= (size_t)(*p++ & 0x7f) << shift;
        shift += 7;
    }
    *len = n | (size_t)*p << shift;
    return p + 1;
}
