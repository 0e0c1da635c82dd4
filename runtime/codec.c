/* codec.c - the out-of-line parts of the wire codec: slow paths, strings, skipping
 * unknown fields and the error path bookkeeping. */
#include "msgc_internal.h"

#include <stdio.h>

msgc_error *msgc__last_error_rw(void);

/* --- errors with a place --- */

static void
format_segment(char *out, size_t cap, const char *field, long idx)
{
    if (idx >= 0)
        snprintf(out, cap, "%s[%ld]", field ? field : "", idx);
    else
        snprintf(out, cap, "%s", field ? field : "");
}

int
msgc__efail(int rc, const char *field, long idx)
{
    msgc__fail(rc, NULL);
    msgc_error *e = msgc__last_error_rw();
    format_segment(e->path, sizeof e->path, field, idx);
    return rc;
}

int
msgc__dfail(const msgc__dec *d, int rc, const uint8_t *at, const char *field, long idx)
{
    msgc__efail(rc, field, idx);
    msgc__last_error_rw()->offset = (size_t)(at - d->start);
    return rc;
}

int
msgc__enc_size_fail(size_t need, size_t cap)
{
    if (need > MSGC_MAX_MESSAGE_SIZE)
        return msgc__fail(MSGC_ETOOBIG, "encoding needs %zu bytes, over 2 GiB - 1", need);
    return msgc__fail(MSGC_ENOSPC, "encoding needs %zu bytes, the buffer has %zu", need, cap);
}

int
msgc__epath(int rc, const char *field, long idx)
{
    msgc_error *e = msgc__last_error_rw();
    char seg[64];
    format_segment(seg, sizeof seg, field, idx);
    size_t sl = strlen(seg), pl = strlen(e->path);
    size_t sep = pl ? 1 : 0;
    if (sl + sep + pl >= sizeof e->path)
        return rc; /* A path too long to hold keeps its innermost part. */
    memmove(e->path + sl + sep, e->path, pl + 1);
    memcpy(e->path, seg, sl);
    if (sep)
        e->path[sl] = '.';
    return rc;
}

/* --- decoding --- */

int
msgc__dec_begin(msgc__dec *d, const uint8_t *buf, size_t len, const msgc_limits *lim)
{
    d->start = buf;
    d->end = buf;
    d->depth = 0;
    /* Members the caller's msgc_limits is too old to have keep their defaults. */
    bool has_depth = lim && lim->size >= offsetof(msgc_limits, max_depth) + sizeof lim->max_depth;
    bool has_alloc = lim && lim->size >= offsetof(msgc_limits, max_alloc) + sizeof lim->max_alloc;
    d->max_depth = has_depth ? lim->max_depth : MSGC_DEFAULT_MAX_DEPTH;
    d->alloc_left = has_alloc ? lim->max_alloc : MSGC_DEFAULT_MAX_ALLOC;
    /* Decoding recurses once per level: no limit may let the input exhaust the stack. */
    if (d->max_depth > MSGC_HARD_MAX_DEPTH)
        d->max_depth = MSGC_HARD_MAX_DEPTH;
    if (!buf && len)
        return msgc__fail(MSGC_EINVAL, "NULL input of %zu bytes", len);
    if (len > MSGC_MAX_MESSAGE_SIZE)
        return msgc__fail(MSGC_ETOOBIG, "input of %zu bytes exceeds 2 GiB - 1", len);
    if (buf)
        d->end = buf + len;
    return 0;
}

/* Ten bytes are there to read: no end checks. Byte i holds bits 7i..7i+6. */
#define VARINT_STEP(i)                                                                         \
    b = p[i];                                                                                  \
    r |= (b & 0x7f) << (7 * (i));                                                              \
    if (b < 0x80) {                                                                            \
        *v = r;                                                                                \
        return p + (i) + 1;                                                                    \
    }

static const uint8_t *
varint_unchecked(msgc__dec *d, const uint8_t *p, uint64_t *v)
{
    uint64_t b, r = 0;
    VARINT_STEP(0)
    VARINT_STEP(1)
    VARINT_STEP(2)
    VARINT_STEP(3)
    VARINT_STEP(4)
    VARINT_STEP(5)
    VARINT_STEP(6)
    VARINT_STEP(7)
    VARINT_STEP(8)
    if (p[9] > 1)
        return msgc__rfail(d, MSGC_EVARINT, p + 9);
    *v = r | (uint64_t)p[9] << 63;
    return p + 10;
}

/* The 32-bit form keeps the low 32 bits and only checks that the rest is well formed:
 * a negative int32 travels as ten bytes of which five carry nothing new. */
static const uint8_t *
varint32_unchecked(msgc__dec *d, const uint8_t *p, uint32_t *v)
{
    uint32_t b, r = 0;
    VARINT_STEP(0)
    VARINT_STEP(1)
    VARINT_STEP(2)
    VARINT_STEP(3)
    b = p[4];
    *v = r | b << 28;
    if (b < 0x80)
        return p + 5;
    /* The sign extension of a negative value, by far the most common long form. */
    if (p[5] == 0xff && p[6] == 0xff && p[7] == 0xff && p[8] == 0xff && p[9] == 0x01)
        return p + 10;
    for (unsigned i = 5; i < 9; i++)
        if (p[i] < 0x80)
            return p + i + 1;
    if (p[9] > 1)
        return msgc__rfail(d, MSGC_EVARINT, p + 9);
    return p + 10;
}
#undef VARINT_STEP

const uint8_t *
msgc__rd_varint_slow(msgc__dec *d, const uint8_t *p, const uint8_t *end, uint64_t *v)
{
    if (end - p >= 10)
        return varint_unchecked(d, p, v);
    uint64_t r = 0;
    for (unsigned shift = 0; p < end; shift += 7) {
        uint8_t b = *p;
        if (shift == 63 && b > 1)
            return msgc__rfail(d, MSGC_EVARINT, p);
        r |= (uint64_t)(b & 0x7f) << shift;
        p++;
        if (!(b & 0x80)) {
            *v = r;
            return p;
        }
    }
    /* Fewer than ten bytes remain, so running out is the only way to fail here. */
    return msgc__rfail(d, MSGC_ETRUNC, end);
}

const uint8_t *
msgc__rd_varint32_slow(msgc__dec *d, const uint8_t *p, const uint8_t *end, uint32_t *v)
{
    if (end - p >= 10)
        return varint32_unchecked(d, p, v);
    uint64_t u = 0;
    p = msgc__rd_varint_slow(d, p, end, &u);
    *v = (uint32_t)u;
    return p;
}

const uint8_t *
msgc__rd_tag_slow(msgc__dec *d, const uint8_t *p, const uint8_t *end, uint32_t *tag)
{
    uint64_t v = 0;
    p = msgc__rd_varint(d, p, end, &v);
    if (!p)
        return NULL;
    if (v > UINT32_MAX || (v >> 3) == 0)
        return msgc__rfail(d, MSGC_EWIRE, p);
    *tag = (uint32_t)v;
    return p;
}

int
msgc__packed_varint_count(const uint8_t *p, const uint8_t *end, size_t *n)
{
    /* One element per byte without the continuation bit, eight bytes at a time. */
    size_t c = 0;
    if (p < end && (end[-1] & 0x80))
        return MSGC_ETRUNC;
    for (; end - p >= 8; p += 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        /* A 1 in each byte that ends an element, summed into the top byte. */
        w = (~w & 0x8080808080808080u) >> 7;
        c += (size_t)((w * 0x0101010101010101u) >> 56);
    }
    for (; p < end; p++)
        if (!(*p & 0x80))
            c++;
    *n = c;
    return 0;
}

int
msgc__utf8_check(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        /* Eight ASCII bytes at a time: no high bit and no zero byte. */
        if (len - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            const uint64_t lo = 0x0101010101010101u, hi = 0x8080808080808080u;
            if (!((w | ((w - lo) & ~w)) & hi)) {
                i += 8;
                continue;
            }
        }
        uint8_t c = s[i];
        if (c == 0)
            return MSGC_EUTF8;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1fu;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0fu;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07u;
        } else {
            return MSGC_EUTF8;
        }
        if (len - i - 1 < n)
            return MSGC_EUTF8;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return MSGC_EUTF8;
            cp = cp << 6 | (s[i + k] & 0x3fu);
        }
        /* Overlong forms, surrogates and values past U+10FFFF. */
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return MSGC_EUTF8;
        i += n + 1;
    }
    return 0;
}

const uint8_t *
msgc__rd_str(msgc__dec *d, const uint8_t *p, const uint8_t *end, char **out)
{
    size_t n = 0;
    if (!(p = msgc__rd_len(d, p, end, &n)))
        return NULL;
    int rc = msgc__utf8_check(p, n);
    if (rc != 0)
        return msgc__rfail(d, rc, p);
    char *s = NULL;
    if (n > 0) {
        s = msgc__alloc(d, n + 1);
        if (!s)
            return msgc__rfail(d, MSGC_ENOMEM, p);
        memcpy(s, p, n);
        s[n] = '\0';
    }
    msgc__free(*out);
    *out = s;
    return p + n;
}

const uint8_t *
msgc__rd_strn(msgc__dec *d, const uint8_t *p, const uint8_t *end, char *out, size_t cap)
{
    size_t n = 0;
    if (!(p = msgc__rd_len(d, p, end, &n)))
        return NULL;
    if (n >= cap)
        return msgc__rfail(d, MSGC_EBOUNDS, p);
    int rc = msgc__utf8_check(p, n);
    if (rc != 0)
        return msgc__rfail(d, rc, p);
    memcpy(out, p, n);
    out[n] = '\0';
    return p + n;
}

const uint8_t *
msgc__rd_bytes(msgc__dec *d, const uint8_t *p, const uint8_t *end, msgc_bytes *out)
{
    size_t n = 0;
    if (!(p = msgc__rd_len(d, p, end, &n)))
        return NULL;
    uint8_t *b = NULL;
    if (n > 0) {
        b = msgc__alloc(d, n);
        if (!b)
            return msgc__rfail(d, MSGC_ENOMEM, p);
        memcpy(b, p, n);
    }
    msgc__free(out->data);
    out->data = b;
    out->len = n;
    return p + n;
}

const uint8_t *
msgc__rd_bytesn(msgc__dec *d, const uint8_t *p, const uint8_t *end, uint8_t *data, size_t *len,
                size_t cap)
{
    size_t n = 0;
    if (!(p = msgc__rd_len(d, p, end, &n)))
        return NULL;
    if (n > cap)
        return msgc__rfail(d, MSGC_EBOUNDS, p);
    if (n)
        memcpy(data, p, n);
    *len = n;
    return p + n;
}

/* --- unknown fields --- */

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_SGROUP = 3, WT_EGROUP = 4, WT_I32 = 5 };

static const uint8_t *skip_group(msgc__dec *d, const uint8_t *p, const uint8_t *end,
                                 uint32_t number);

static const uint8_t *
skip_value(msgc__dec *d, const uint8_t *p, const uint8_t *end, uint32_t tag)
{
    uint64_t v;
    size_t n = 0;
    switch (tag & 7) {
    case WT_VARINT:
        return msgc__rd_varint(d, p, end, &v);
    case WT_I64:
        return end - p < 8 ? msgc__rfail(d, MSGC_ETRUNC, p) : p + 8;
    case WT_LEN:
        p = msgc__rd_len(d, p, end, &n);
        return p ? p + n : NULL;
    case WT_SGROUP:
        return skip_group(d, p, end, tag >> 3);
    case WT_I32:
        return end - p < 4 ? msgc__rfail(d, MSGC_ETRUNC, p) : p + 4;
    default: /* END_GROUP without its start, and the undefined wire types 6 and 7 */
        return msgc__rfail(d, MSGC_EWIRE, p);
    }
}

/* A group counts as a nesting level, as a message does. Recursion is bounded by the
 * depth limit. */
static const uint8_t *
skip_group(msgc__dec *d, const uint8_t *p, const uint8_t *end, uint32_t number)
{
    if (++d->depth > d->max_depth)
        return msgc__rfail(d, MSGC_EDEPTH, p);
    for (;;) {
        uint32_t tag = 0;
        if (p == end)
            return msgc__rfail(d, MSGC_ETRUNC, p);
        if (!(p = msgc__rd_tag(d, p, end, &tag)))
            return NULL;
        if ((tag & 7) == WT_EGROUP) {
            if ((tag >> 3) != number)
                return msgc__rfail(d, MSGC_EWIRE, p);
            d->depth--;
            return p;
        }
        if (!(p = skip_value(d, p, end, tag)))
            return NULL;
    }
}

const uint8_t *
msgc__rd_skip(msgc__dec *d, const uint8_t *p, const uint8_t *end, uint32_t tag)
{
    return skip_value(d, p, end, tag);
}
