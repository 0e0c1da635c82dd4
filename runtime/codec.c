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

static unsigned
lowest_set_bit(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned n = 0;
    while (!(x & 1)) {
        x >>= 1;
        n++;
    }
    return n;
#endif
}

/* The 7-bit groups of the eight bytes in w (little-endian), joined into 56 bits. */
static uint64_t
join_groups(uint64_t w)
{
    w &= 0x7f7f7f7f7f7f7f7fu;
    w = (w & 0x007f007f007f007fu) | (w & 0x7f007f007f007f00u) >> 1;
    w = (w & 0x00003fff00003fffu) | (w & 0x3fff00003fff0000u) >> 2;
    return (w & 0x000000000fffffffu) | (w & 0x0fffffff00000000u) >> 4;
}

/* Ten bytes are there to read: no end checks. The first eight are read as one word, so a
 * varint of any length takes the same few steps. */
static const uint8_t *
varint_unchecked(msgc__dec *d, const uint8_t *p, uint64_t *v)
{
    uint64_t w = msgc__get_fixed64(p);
    uint64_t stops = ~w & 0x8080808080808080u;
    if (stops) {
        /* Keep the bytes up to the first without a continuation bit. */
        *v = join_groups(w & (stops ^ (stops - 1)));
        return p + (lowest_set_bit(stops) + 1) / 8;
    }
    uint64_t r = join_groups(w);
    if (p[8] < 0x80) {
        *v = r | (uint64_t)p[8] << 56;
        return p + 9;
    }
    if (p[9] > 1)
        return msgc__rfail(d, MSGC_EVARINT, p + 9);
    *v = r | (uint64_t)(p[8] & 0x7f) << 56 | (uint64_t)p[9] << 63;
    return p + 10;
}

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
    /* Fewer than ten bytes are left at the end of every message: its last fields come
     * here, mostly with one or two bytes. */
    if (p < end && *p < 0x80) {
        *v = *p;
        return p + 1;
    }
    if (end - p >= 2 && p[1] < 0x80) {
        *v = (uint32_t)(p[0] & 0x7f) | (uint32_t)p[1] << 7;
        return p + 2;
    }
    /* A 32-bit field keeps the low 32 bits of any well-formed varint. */
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
    const uint64_t ends = 0x8080808080808080u;
    for (; end - p >= 16; p += 16) {
        /* A 1 in each byte that ends an element, two words added bytewise (at most 2 per
         * byte) and summed into the top byte by one multiplication. */
        uint64_t w = ((~msgc__get_fixed64(p) & ends) >> 7) +
                     ((~msgc__get_fixed64(p + 8) & ends) >> 7);
        c += (size_t)((w * 0x0101010101010101u) >> 56);
    }
    if (end - p >= 8) {
        c += (size_t)((((~msgc__get_fixed64(p) & ends) >> 7) * 0x0101010101010101u) >> 56);
        p += 8;
    }
    for (; p < end; p++)
        if (!(*p & 0x80))
            c++;
    *n = c;
    return 0;
}

/* Whether s[0..len) is valid UTF-8 without NUL, with short ASCII strings (the usual
 * kind) recognised before the general loop. */
static int
text_check(const uint8_t *s, size_t len)
{
    if (len >= 8 && len <= 16) {
        uint64_t a = msgc__get_fixed64(s), b = msgc__get_fixed64(s + len - 8);
        const uint64_t lo = 0x0101010101010101u, hi = 0x8080808080808080u;
        /* No high bit, and no zero byte in either word. */
        if (!((a | b | ((a - lo) & ~a) | ((b - lo) & ~b)) & hi))
            return 0;
    }
    return msgc__utf8_check(s, len);
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
    int rc = text_check(p, n);
    if (rc != 0)
        return msgc__rfail(d, rc, p);
    char *s = NULL;
    if (n > 0) {
        s = msgc__alloc(d, n + 1);
        if (!s)
            return msgc__rfail(d, MSGC_ENOMEM, p);
        msgc__copy((uint8_t *)s, p, n);
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
    int rc = text_check(p, n);
    if (rc != 0)
        return msgc__rfail(d, rc, p);
    msgc__copy((uint8_t *)out, p, n);
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
        msgc__copy(b, p, n);
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
    msgc__copy(data, p, n);
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
