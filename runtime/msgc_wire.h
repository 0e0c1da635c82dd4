/* msgc_wire.h - the protobuf wire primitives that generated codecs are built from.
 *
 * Included by msgc.h; nothing here is public API. Writers (msgc__w_*) write into space the
 * caller has already checked and return the advanced pointer; sizers (msgc__sz_*) return
 * how many bytes the writer will take. Readers (msgc__rd_*) check every byte against the
 * end they are given (see msgc__rfail for how they fail).
 * Everything is byte-order independent and never reads unaligned words.
 */
#ifndef MSGC_WIRE_H
#define MSGC_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The packed writers run a loop the size of the run; left to itself the compiler makes
 * them out-of-line calls, which cost more than their loop for the usual short runs. */
#if defined(__GNUC__) || defined(__clang__)
#define MSGC__INLINE_ALWAYS static inline __attribute__((__always_inline__))
#else
#define MSGC__INLINE_ALWAYS static inline
#endif

/* --- decode state --- */

typedef struct msgc__dec {
    const uint8_t *start; /* the whole input: offsets in errors are relative to it */
    const uint8_t *end;
    unsigned depth;       /* current nesting: the root message is 0 */
    unsigned max_depth;
    size_t alloc_left;    /* allocation budget */
    int err;              /* set by a reader that returned NULL: what was wrong */
    const uint8_t *err_at; /* and where */
} msgc__dec;

/* Readers (msgc__rd_*) take the position by value and return the position after what
 * they read, or NULL when the input is malformed, with d->err and d->err_at set. Keeping
 * the position out of memory lets the compiler hold it in a register. */
static inline const uint8_t *
msgc__rfail(msgc__dec *d, int err, const uint8_t *at)
{
    d->err = err;
    d->err_at = at;
    return NULL;
}

int msgc__dec_begin(msgc__dec *d, const uint8_t *buf, size_t len, const struct msgc_limits *lim);

/* --- errors with a place (codec.c) --- */

/* Starts a fresh error record for a failure in field (idx >= 0 adds "[idx]"); for
 * decoding, at is where in the input it was found. Each returns rc. */
int msgc__efail(int rc, const char *field, long idx);
int msgc__dfail(const msgc__dec *d, int rc, const uint8_t *at, const char *field, long idx);
/* The failure of an encode whose output needs need bytes: MSGC_ETOOBIG past the wire
 * format's limit, else MSGC_ENOSPC for a buffer of cap bytes. */
int msgc__enc_size_fail(size_t need, size_t cap);
/* Prepends "field[idx]." to the path of the error being returned through a parent. */
int msgc__epath(int rc, const char *field, long idx);

/* --- memory (alloc.c) --- */

/* Allocates n bytes for a decode, within its budget; NULL when over it or out of memory. */
void *msgc__alloc(msgc__dec *d, size_t n);
void msgc__free(void *p);
/* Makes room for add more elements of elem bytes after count in *arr, whose capacity is
 * always the power of two at or above count (0 for none). 0 or MSGC_ENOMEM. */
int msgc__grow(msgc__dec *d, void **arr, size_t count, size_t add, size_t elem);

/* --- strings (codec.c) --- */

/* 0 when s[0..len) is valid UTF-8 without a NUL byte, else MSGC_EUTF8. */
int msgc__utf8_check(const uint8_t *s, size_t len);

/* The length of s, or cap when s holds no NUL within cap bytes. */
static inline size_t
msgc__strnlen(const char *s, size_t cap)
{
    const char *nul = (const char *)memchr(s, 0, cap);
    return nul ? (size_t)(nul - s) : cap;
}

/* --- fixed-width little-endian --- */

static inline uint8_t *
msgc__put_fixed32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
    return p + 4;
}

static inline uint8_t *
msgc__put_fixed64(uint8_t *p, uint64_t v)
{
    msgc__put_fixed32(p, (uint32_t)v);
    return msgc__put_fixed32(p + 4, (uint32_t)(v >> 32));
}

static inline uint32_t
msgc__get_fixed32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t
msgc__get_fixed64(const uint8_t *p)
{
    return (uint64_t)msgc__get_fixed32(p) | (uint64_t)msgc__get_fixed32(p + 4) << 32;
}

/* --- varints --- */

static inline size_t
msgc__varint_size(uint64_t v)
{
#if defined(__GNUC__) || defined(__clang__)
    /* Bits needed, rounded up to groups of 7: (bits * 9 + 64) / 64 equals (bits + 6) / 7
     * for 1 to 64 bits, without the division. clz(0) is avoided. */
    size_t bits = (size_t)(64 - __builtin_clzll(v | 1));
    return (bits * 9 + 64) >> 6;
#else
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
#endif
}

static inline uint8_t *
msgc__put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static inline uint8_t *
msgc__put_varint32(uint8_t *p, uint32_t v)
{
    /* Small values dominate: write one to three bytes without a loop. */
    if (v < 0x80) {
        p[0] = (uint8_t)v;
        return p + 1;
    }
    if (v < 0x4000) {
        p[0] = (uint8_t)(v | 0x80);
        p[1] = (uint8_t)(v >> 7);
        return p + 2;
    }
    if (v < 0x200000) {
        p[0] = (uint8_t)(v | 0x80);
        p[1] = (uint8_t)(v >> 7 | 0x80);
        p[2] = (uint8_t)(v >> 14);
        return p + 3;
    }
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* A tag is a varint; the generator passes constants, which the compiler folds. */
static inline uint8_t *
msgc__put_tag(uint8_t *p, uint32_t tag)
{
    if (tag < 0x80) {
        *p = (uint8_t)tag;
        return p + 1;
    }
    return msgc__put_varint32(p, tag);
}

const uint8_t *msgc__rd_varint_slow(msgc__dec *d, const uint8_t *p, const uint8_t *end,
                                    uint64_t *v);
const uint8_t *msgc__rd_varint32_slow(msgc__dec *d, const uint8_t *p, const uint8_t *end,
                                      uint32_t *v);

/* Reads a varint of at most 10 bytes; the 10th may only hold the top bit of 64. */
static inline const uint8_t *
msgc__rd_varint(msgc__dec *d, const uint8_t *p, const uint8_t *end, uint64_t *v)
{
    if (MSGC__LIKELY(p < end && *p < 0x80)) {
        *v = *p;
        return p + 1;
    }
    if (MSGC__LIKELY(end - p >= 2 && p[1] < 0x80)) {
        *v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
        return p + 2;
    }
    return msgc__rd_varint_slow(d, p, end, v);
}

/* Reads a varint into 32 bits, dropping higher bits as protobuf does for 32-bit fields. */
static inline const uint8_t *
msgc__rd_varint32(msgc__dec *d, const uint8_t *p, const uint8_t *end, uint32_t *v)
{
    if (MSGC__LIKELY(end - p >= 10)) {
        uint32_t b0 = p[0], b1 = p[1], b2 = p[2];
        if (b0 < 0x80) {
            *v = b0;
            return p + 1;
        }
        if (b1 < 0x80) {
            *v = (b0 & 0x7f) | b1 << 7;
            return p + 2;
        }
        uint32_t low = (b0 & 0x7f) | (b1 & 0x7f) << 7 | (b2 & 0x7f) << 14;
        if (b2 < 0x80) {
            *v = low;
            return p + 3;
        }
        /* A negative int32: five value bytes, then the sign extension ff ff ff ff 01,
         * recognised in one comparison of the word at p + 2. */
        if ((msgc__get_fixed64(p + 2) & 0xffffffffff808000u) == 0x01ffffffff808000u) {
            *v = low | (uint32_t)(p[3] & 0x7f) << 21 | (uint32_t)p[4] << 28;
            return p + 10;
        }
    }
    return msgc__rd_varint32_slow(d, p, end, v);
}

static inline uint32_t
msgc__float_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline uint64_t
msgc__double_bits(double f)
{
    uint64_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/* --- scalar writers, sizers and readers, one set per wire representation ---
 * The suffix names the schema type: int32 int64 uint32 uint64 sint32 sint64 bool enum
 * fixed32 fixed64 sfixed32 sfixed64 float double. */

static inline uint32_t
msgc__zz32(int32_t v)
{
    return ((uint32_t)v << 1) ^ (0u - ((uint32_t)v >> 31));
}

static inline uint64_t
msgc__zz64(int64_t v)
{
    return ((uint64_t)v << 1) ^ (0u - ((uint64_t)v >> 63));
}

static inline int32_t
msgc__unzz32(uint32_t v)
{
    return (int32_t)((v >> 1) ^ (~(v & 1) + 1));
}

static inline int64_t
msgc__unzz64(uint64_t v)
{
    return (int64_t)((v >> 1) ^ (~(v & 1) + 1));
}

/* A negative int32 or enum travels as ten bytes, sign-extended to 64 bits: five bytes
 * of value with their continuation bits, bits 32-34 set in the fifth, then ff ff ff ff 01.
 * The first eight bytes are assembled in one word and stored at once. */
static inline uint8_t *
msgc__put_negative32(uint8_t *p, int32_t v)
{
    uint64_t x = (uint32_t)v;
    uint64_t w = (x & 0x7f) | (x & 0x3f80) << 1 | (x & 0x1fc000) << 2 | (x & 0xfe00000) << 3 |
                 (x & 0xf0000000) << 4;
    msgc__put_fixed64(p, w | 0xfffffff080808080u);
    p[8] = 0xff;
    p[9] = 0x01;
    return p + 10;
}

static inline uint8_t *
msgc__put_int32(uint8_t *p, int32_t v)
{
    return v < 0 ? msgc__put_negative32(p, v) : msgc__put_varint32(p, (uint32_t)v);
}

static inline size_t
msgc__int32_size(int32_t v)
{
    /* Sign-extended, a negative value has all 64 bits: ten bytes, without a branch. */
    return msgc__varint_size((uint64_t)(int64_t)v);
}

/* Negative int32 and enum values travel sign-extended to 64 bits, as protobuf says. */
#define MSGC__VARINT_TYPES(X)                                                                  \
    X(int64, int64_t, (uint64_t)v, (int64_t)u)                                                 \
    X(uint32, uint32_t, (uint64_t)v, (uint32_t)u)                                              \
    X(uint64, uint64_t, v, u)                                                                  \
    X(sint32, int32_t, (uint64_t)msgc__zz32(v), msgc__unzz32((uint32_t)u))                     \
    X(sint64, int64_t, msgc__zz64(v), msgc__unzz64(u))                                         \
    X(bool, bool, (uint64_t)(v ? 1 : 0), u != 0)

#define MSGC__DEF_VARINT(name, ctype, to_wire, from_wire)                                      \
    static inline size_t msgc__sz_##name(ctype v)                                              \
    {                                                                                          \
        return msgc__varint_size(to_wire);                                                     \
    }                                                                                          \
    static inline uint8_t *msgc__w_##name(uint8_t *p, ctype v)                                 \
    {                                                                                          \
        return msgc__put_varint(p, to_wire);                                                   \
    }                                                                                          \
    static inline const uint8_t *msgc__rd_##name(msgc__dec *d, const uint8_t *p,              \
                                                 const uint8_t *end, ctype *out)               \
    {                                                                                          \
        uint64_t u = 0;                                                                        \
        p = msgc__rd_varint(d, p, end, &u);                                                    \
        *out = from_wire;                                                                      \
        return p;                                                                              \
    }
MSGC__VARINT_TYPES(MSGC__DEF_VARINT)
#undef MSGC__DEF_VARINT

/* int32 and enum: 32-bit fast paths; a varint above 32 bits is truncated, as protobuf
 * does with the sign-extended form. */
#define MSGC__DEF_INT32(name)                                                                  \
    static inline size_t msgc__sz_##name(int32_t v)                                            \
    {                                                                                          \
        return msgc__int32_size(v);                                                            \
    }                                                                                          \
    static inline uint8_t *msgc__w_##name(uint8_t *p, int32_t v)                               \
    {                                                                                          \
        return msgc__put_int32(p, v);                                                          \
    }                                                                                          \
    static inline const uint8_t *msgc__rd_##name(msgc__dec *d, const uint8_t *p,              \
                                                 const uint8_t *end, int32_t *out)             \
    {                                                                                          \
        uint32_t u = 0;                                                                        \
        p = msgc__rd_varint32(d, p, end, &u);                                                  \
        *out = (int32_t)u;                                                                     \
        return p;                                                                              \
    }
MSGC__DEF_INT32(int32)
MSGC__DEF_INT32(enum)
#undef MSGC__DEF_INT32

#define MSGC__FIXED_TYPES(X)                                                                   \
    X(fixed32, uint32_t, 32, uint32_t, v, u)                                                   \
    X(sfixed32, int32_t, 32, uint32_t, (uint32_t)v, (int32_t)u)                                \
    X(fixed64, uint64_t, 64, uint64_t, v, u)                                                   \
    X(sfixed64, int64_t, 64, uint64_t, (uint64_t)v, (int64_t)u)

#define MSGC__DEF_FIXED(name, ctype, bits, utype, to_wire, from_wire)                          \
    static inline size_t msgc__sz_##name(ctype v)                                              \
    {                                                                                          \
        (void)v;                                                                               \
        return bits / 8;                                                                       \
    }                                                                                          \
    static inline uint8_t *msgc__w_##name(uint8_t *p, ctype v)                                 \
    {                                                                                          \
        return msgc__put_fixed##bits(p, to_wire);                                              \
    }                                                                                          \
    static inline const uint8_t *msgc__rd_##name(msgc__dec *d, const uint8_t *p,              \
                                                 const uint8_t *end, ctype *out)               \
    {                                                                                          \
        if (MSGC__UNLIKELY(end - p < bits / 8))                                                \
            return msgc__rfail(d, MSGC_ETRUNC, p);                                             \
        utype u = msgc__get_fixed##bits(p);                                                    \
        *out = from_wire;                                                                      \
        return p + bits / 8;                                                                   \
    }
MSGC__FIXED_TYPES(MSGC__DEF_FIXED)
#undef MSGC__DEF_FIXED

static inline size_t
msgc__sz_float(float v)
{
    (void)v;
    return 4;
}

static inline uint8_t *
msgc__w_float(uint8_t *p, float v)
{
    return msgc__put_fixed32(p, msgc__float_bits(v));
}

static inline const uint8_t *
msgc__rd_float(msgc__dec *d, const uint8_t *p, const uint8_t *end, float *out)
{
    uint32_t u = 0;
    p = msgc__rd_fixed32(d, p, end, &u);
    memcpy(out, &u, sizeof u);
    return p;
}

static inline size_t
msgc__sz_double(double v)
{
    (void)v;
    return 8;
}

static inline uint8_t *
msgc__w_double(uint8_t *p, double v)
{
    return msgc__put_fixed64(p, msgc__double_bits(v));
}

static inline const uint8_t *
msgc__rd_double(msgc__dec *d, const uint8_t *p, const uint8_t *end, double *out)
{
    uint64_t u = 0;
    p = msgc__rd_fixed64(d, p, end, &u);
    memcpy(out, &u, sizeof u);
    return p;
}

/* --- packed repeated scalars: the payload after the length prefix --- */

#define MSGC__ALL_SCALARS(X)                                                                   \
    X(int32, int32_t)                                                                          \
    X(int64, int64_t)                                                                          \
    X(uint32, uint32_t)                                                                        \
    X(uint64, uint64_t)                                                                        \
    X(sint32, int32_t)                                                                         \
    X(sint64, int64_t)                                                                         \
    X(enum, int32_t)                                                                           \
    X(bool, bool)                                                                              \
    X(fixed32, uint32_t)                                                                       \
    X(sfixed32, int32_t)                                                                       \
    X(fixed64, uint64_t)                                                                       \
    X(sfixed64, int64_t)                                                                       \
    X(float, float)                                                                            \
    X(double, double)

/* A length-delimited payload is written after a one-byte length slot at len_at; when it
 * turns out 128 bytes or longer it moves up to make room for the longer prefix. The
 * size pass counted the full prefix, so the room is there; no second size pass is
 * needed to write a length before its data. */
static inline uint8_t *
msgc__close_len(uint8_t *len_at, uint8_t *p)
{
    size_t n = (size_t)(p - len_at - 1);
    if (MSGC__LIKELY(n < 0x80)) {
        *len_at = (uint8_t)n;
        return p;
    }
    size_t k = msgc__varint_size(n);
    memmove(len_at + k, len_at + 1, n);
    msgc__put_varint(len_at, n);
    return len_at + k + n;
}

/* Whether the payload written after len_at up to p leaves room before end for its full
 * length prefix (the one-byte slot is already there). */
static inline bool
msgc__room_len(const uint8_t *len_at, const uint8_t *p, const uint8_t *end)
{
    size_t n = (size_t)(p - len_at - 1);
    return n < 0x80 || (size_t)(end - p) >= msgc__varint_size(n) - 1;
}

/* Payload size of a packed array, and the array written as tag, length, payload. */
#define MSGC__DEF_PACKED(name, ctype)                                                          \
    static inline size_t msgc__psz_##name(const ctype *a, size_t n)                            \
    {                                                                                          \
        /* Two sums, so that consecutive elements are sized in parallel. */                  \
        size_t s = 0, t = 0, i = 0;                                                            \
        for (; i + 1 < n; i += 2) {                                                            \
            s += msgc__sz_##name(a[i]);                                                        \
            t += msgc__sz_##name(a[i + 1]);                                                    \
        }                                                                                      \
        if (i < n)                                                                             \
            s += msgc__sz_##name(a[i]);                                                        \
        return s + t;                                                                          \
    }                                                                                          \
    /* NULL when the run does not fit before end; the room for the tag and a one-byte     \
     * length is the caller's to check. */                                                    \
    MSGC__INLINE_ALWAYS uint8_t *msgc__pw_##name(uint8_t *p, uint8_t *end, uint32_t tag,       \
                                           const ctype *a, size_t n)                           \
    {                                                                                          \
        uint8_t *len_at = msgc__put_tag(p, tag);                                               \
        p = len_at + 1;                                                                        \
        if (MSGC__LIKELY(n < (size_t)(end - p) / 10)) {                                        \
            /* Even at ten bytes each the run and its length fit. */                         \
            for (size_t i = 0; i < n; i++)                                                     \
                p = msgc__w_##name(p, a[i]);                                                   \
            return msgc__close_len(len_at, p);                                                 \
        }                                                                                      \
        for (size_t i = 0; i < n; i++) {                                                       \
            if (MSGC__UNLIKELY(end - p < 10) &&                                                \
                (size_t)(end - p) < msgc__sz_##name(a[i]))                                     \
                return NULL;                                                                   \
            p = msgc__w_##name(p, a[i]);                                                       \
        }                                                                                      \
        if (MSGC__UNLIKELY(!msgc__room_len(len_at, p, end)))                                   \
            return NULL;                                                                       \
        return msgc__close_len(len_at, p);                                                     \
    }
MSGC__ALL_SCALARS(MSGC__DEF_PACKED)
#undef MSGC__DEF_PACKED

/* Elements in a packed payload of varints: one per byte without the continuation bit.
 * MSGC_ETRUNC when the last varint runs past the end. */
int msgc__packed_varint_count(const uint8_t *p, const uint8_t *end, size_t *n);

/* --- length-delimited data --- */

/* Reads a length prefix and checks it against end (the enclosing message): past the
 * whole input is MSGC_ETRUNC, past only the enclosing message MSGC_ELENGTH. */
static inline const uint8_t *
msgc__rd_len(msgc__dec *d, const uint8_t *p, const uint8_t *end, size_t *n)
{
    uint64_t v = 0;
    p = msgc__rd_varint(d, p, end, &v);
    if (MSGC__UNLIKELY(!p))
        return NULL;
    if (MSGC__UNLIKELY(v > (uint64_t)(end - p)))
        return msgc__rfail(d, v > (uint64_t)(d->end - p) ? MSGC_ETRUNC : MSGC_ELENGTH, p);
    *n = (size_t)v;
    return p;
}

/* Copies len bytes. Short strings and bytes are the common case, and a call to memcpy
 * costs more than their copy: up to 16 bytes go as two overlapping fixed-size moves. */
static inline void
msgc__copy(uint8_t *dst, const void *src, size_t len)
{
    const uint8_t *s = (const uint8_t *)src;
    if (len > 16) {
        memcpy(dst, s, len);
    } else if (len >= 8) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + len - 8, 8);
        memcpy(dst, &a, 8);
        memcpy(dst + len - 8, &b, 8);
    } else if (len >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + len - 4, 4);
        memcpy(dst, &a, 4);
        memcpy(dst + len - 4, &b, 4);
    } else {
        for (size_t i = 0; i < len; i++)
            dst[i] = s[i];
    }
}

static inline uint8_t *
msgc__w_data(uint8_t *p, uint32_t tag, const void *data, size_t len)
{
    p = msgc__put_tag(p, tag);
    p = msgc__put_varint(p, len);
    msgc__copy(p, data, len);
    return p + len;
}

/* Whether the first n bytes (8 to 16) of s are ASCII: two overlapping words. */
static inline bool
msgc__ascii_8_16(const uint8_t *s, size_t n)
{
    return !((msgc__get_fixed64(s) | msgc__get_fixed64(s + n - 8)) & 0x8080808080808080u);
}

/* Checks a string to be written: UTF-8 (what a decoder accepts). Its length came from
 * strlen or strnlen, so it holds no NUL. Short ASCII strings, the usual kind, are
 * recognised inline. */
static inline int
msgc__str_check(const char *s, size_t len)
{
    const uint8_t *u = (const uint8_t *)s;
    if (len >= 8 && len <= 16 && msgc__ascii_8_16(u, len))
        return 0;
    return msgc__utf8_check(u, len);
}

/* A string or bytes field of len bytes takes this much after its tag. */
static inline size_t
msgc__sz_data(size_t len)
{
    /* A length no message can hold counts as just too big, so sums cannot wrap. */
    if (len > MSGC_MAX_MESSAGE_SIZE)
        return MSGC_MAX_MESSAGE_SIZE + 1;
    return msgc__varint_size(len) + len;
}

/* Room checks of the one-pass writer: whether a field fits between p and end. The cheap
 * test against the largest encoding comes first; the exact size is computed only near
 * the end of the buffer. */
#define MSGC__DEF_ROOM(name, ctype)                                                            \
    static inline bool msgc__room_##name(const uint8_t *p, const uint8_t *end, size_t tag_len, \
                                         ctype v)                                              \
    {                                                                                          \
        size_t room = (size_t)(end - p);                                                       \
        return MSGC__LIKELY(room >= tag_len + 10) || room >= tag_len + msgc__sz_##name(v);     \
    }
MSGC__ALL_SCALARS(MSGC__DEF_ROOM)
#undef MSGC__DEF_ROOM

static inline bool
msgc__room_data(const uint8_t *p, const uint8_t *end, size_t tag_len, size_t len)
{
    size_t room = (size_t)(end - p);
    return len <= room && room - len >= tag_len + msgc__varint_size(len);
}

/* Decoded strings and bytes (codec.c): each replaces what the field held (last wins). */
const uint8_t *msgc__rd_str(msgc__dec *d, const uint8_t *p, const uint8_t *end, char **out);
const uint8_t *msgc__rd_strn(msgc__dec *d, const uint8_t *p, const uint8_t *end, char *out,
                             size_t cap);
const uint8_t *msgc__rd_bytes(msgc__dec *d, const uint8_t *p, const uint8_t *end,
                              struct msgc_bytes *out);
const uint8_t *msgc__rd_bytesn(msgc__dec *d, const uint8_t *p, const uint8_t *end,
                               uint8_t *data, size_t *len, size_t cap);

/* Enters a nested message: reads its length, checks the depth limit and sets *sub_end. */
static inline const uint8_t *
msgc__rd_enter(msgc__dec *d, const uint8_t *p, const uint8_t *end, const uint8_t **sub_end)
{
    size_t n = 0;
    p = msgc__rd_len(d, p, end, &n);
    if (MSGC__UNLIKELY(!p))
        return NULL;
    if (MSGC__UNLIKELY(++d->depth > d->max_depth))
        return msgc__rfail(d, MSGC_EDEPTH, p);
    *sub_end = p + n;
    return p;
}

/* Skips a field of an unknown number (groups included) or fails: MSGC_EWIRE for wire
 * types 6 and 7, END_GROUP without a start and field number 0. */
const uint8_t *msgc__rd_skip(msgc__dec *d, const uint8_t *p, const uint8_t *end, uint32_t tag);

const uint8_t *msgc__rd_tag_slow(msgc__dec *d, const uint8_t *p, const uint8_t *end,
                                 uint32_t *tag);

/* Reads a tag: field number 0 and values above 32 bits are malformed. */
static inline const uint8_t *
msgc__rd_tag(msgc__dec *d, const uint8_t *p, const uint8_t *end, uint32_t *tag)
{
    if (MSGC__LIKELY(p < end && *p < 0x80 && *p >= 8)) {
        *tag = *p;
        return p + 1;
    }
    return msgc__rd_tag_slow(d, p, end, tag);
}

#ifdef __cplusplus
}
#endif

#endif /* MSGC_WIRE_H */
