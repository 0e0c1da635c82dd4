/* codec_support.h - helpers for the codec tests: a counting msgc allocator that can fail
 * the Nth allocation, and a builder for hand-made protobuf wire bytes.
 *
 * Header-only (static functions) so that only the test files that include it depend on
 * libmsgc: every object in tests/support/ is linked into every test program.
 */
#ifndef CODEC_SUPPORT_H
#define CODEC_SUPPORT_H

#include "msgc.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the counting allocator --- */

/* What the allocator has seen since codec_alloc_install. */
typedef struct codec_counter {
    size_t allocs;      /* successful allocations */
    size_t frees;       /* frees of non-NULL pointers */
    size_t calls;       /* allocation requests, failed ones included */
    size_t live_bytes;  /* bytes allocated and not yet freed */
    size_t peak_bytes;  /* the largest live_bytes seen */
    size_t total_bytes; /* bytes handed out in all */
    size_t fail_at;     /* the request (1-based) that fails; 0: none fails */
} codec_counter;

static codec_counter codec_count;

/* Each block carries its size in front of it, aligned for any type. */
typedef union codec_block_head {
    size_t size;
    max_align_t align;
} codec_block_head;

static inline void *
codec_alloc_fn(void *ctx, size_t n)
{
    codec_counter *c = ctx;
    c->calls++;
    if (c->fail_at != 0 && c->calls == c->fail_at)
        return NULL;
    if (n > SIZE_MAX - sizeof(codec_block_head))
        return NULL;
    codec_block_head *h = malloc(sizeof *h + n);
    if (!h)
        return NULL;
    h->size = n;
    c->allocs++;
    c->live_bytes += n;
    c->total_bytes += n;
    if (c->live_bytes > c->peak_bytes)
        c->peak_bytes = c->live_bytes;
    return h + 1;
}

static inline void
codec_free_fn(void *ctx, void *p)
{
    codec_counter *c = ctx;
    if (!p)
        return;
    codec_block_head *h = (codec_block_head *)p - 1;
    c->frees++;
    c->live_bytes -= h->size;
    free(h);
}

/* Zeroes the counters and makes the counting allocator msgc's allocator. */
static inline void
codec_alloc_install(size_t fail_at)
{
    static const msgc_allocator a = {codec_alloc_fn, codec_free_fn, &codec_count};
    memset(&codec_count, 0, sizeof codec_count);
    codec_count.fail_at = fail_at;
    msgc_set_allocator(&a);
}

/* Zeroes the counters, keeping the allocator installed. */
static inline void
codec_alloc_reset(size_t fail_at)
{
    memset(&codec_count, 0, sizeof codec_count);
    codec_count.fail_at = fail_at;
}

static inline void
codec_alloc_remove(void)
{
    msgc_set_allocator(NULL);
}

/* --- building wire bytes by hand --- */

enum { CB_VARINT = 0, CB_I64 = 1, CB_LEN = 2, CB_SGROUP = 3, CB_EGROUP = 4, CB_I32 = 5 };

/* A growable byte string; its memory is plain malloc, never the msgc allocator. */
typedef struct codec_buf {
    uint8_t *b;
    size_t n, cap;
} codec_buf;

static inline void
cb_reserve(codec_buf *cb, size_t more)
{
    if (cb->n + more <= cb->cap)
        return;
    size_t cap = cb->cap ? cb->cap : 64;
    while (cap < cb->n + more)
        cap *= 2;
    uint8_t *b = realloc(cb->b, cap);
    if (!b) {
        fprintf(stderr, "codec_support: out of memory\n");
        abort();
    }
    cb->b = b;
    cb->cap = cap;
}

static inline void
cb_free(codec_buf *cb)
{
    free(cb->b);
    memset(cb, 0, sizeof *cb);
}

static inline void
cb_raw(codec_buf *cb, const void *p, size_t n)
{
    cb_reserve(cb, n);
    if (n)
        memcpy(cb->b + cb->n, p, n);
    cb->n += n;
}

/* Appends bytes written in hex, spaces ignored: cb_hex(cb, "08 01 7a 00"). */
static inline void
cb_hex(codec_buf *cb, const char *hex)
{
    int hi = -1;
    for (const char *c = hex; *c; c++) {
        int v;
        if (*c >= '0' && *c <= '9')
            v = *c - '0';
        else if (*c >= 'a' && *c <= 'f')
            v = *c - 'a' + 10;
        else if (*c >= 'A' && *c <= 'F')
            v = *c - 'A' + 10;
        else
            continue;
        if (hi < 0) {
            hi = v;
        } else {
            uint8_t b = (uint8_t)(hi << 4 | v);
            cb_raw(cb, &b, 1);
            hi = -1;
        }
    }
}

/* A fresh buffer holding the bytes written in hex. */
static inline codec_buf
cb_of(const char *hex)
{
    codec_buf cb = {0};
    cb_hex(&cb, hex);
    return cb;
}

/* Appends n copies of byte b. */
static inline void
cb_fill(codec_buf *cb, uint8_t b, size_t n)
{
    cb_reserve(cb, n);
    memset(cb->b + cb->n, b, n);
    cb->n += n;
}

static inline void
cb_varint(codec_buf *cb, uint64_t v)
{
    do {
        uint8_t b = (uint8_t)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
        cb_raw(cb, &b, 1);
        v >>= 7;
    } while (v);
}

static inline size_t
cb_varint_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static inline void
cb_tag(codec_buf *cb, uint32_t field, unsigned wt)
{
    cb_varint(cb, (uint64_t)field << 3 | wt);
}

static inline void
cb_fixed32(codec_buf *cb, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    cb_raw(cb, b, 4);
}

static inline void
cb_fixed64(codec_buf *cb, uint64_t v)
{
    cb_fixed32(cb, (uint32_t)v);
    cb_fixed32(cb, (uint32_t)(v >> 32));
}

/* A length-delimited field: tag, length, data. */
static inline void
cb_ldelim(codec_buf *cb, uint32_t field, const void *data, size_t n)
{
    cb_tag(cb, field, CB_LEN);
    cb_varint(cb, n);
    cb_raw(cb, data, n);
}

/* A varint field. */
static inline void
cb_vfield(codec_buf *cb, uint32_t field, uint64_t v)
{
    cb_tag(cb, field, CB_VARINT);
    cb_varint(cb, v);
}

/* depth messages nested through field, the innermost holding leaf[0..leaf_n): the
 * encoding of a chain such as Tree.left.left...left, written front to back. */
static inline void
cb_nest(codec_buf *cb, uint32_t field, size_t depth, const void *leaf, size_t leaf_n)
{
    size_t *len = malloc((depth + 1) * sizeof *len);
    if (!len)
        abort();
    len[depth] = leaf_n;
    for (size_t k = depth; k-- > 0;)
        len[k] =
            cb_varint_size((uint64_t)field << 3 | CB_LEN) + cb_varint_size(len[k + 1]) + len[k + 1];
    for (size_t k = 0; k < depth; k++) {
        cb_tag(cb, field, CB_LEN);
        cb_varint(cb, len[k + 1]);
    }
    cb_raw(cb, leaf, leaf_n);
    free(len);
}

/* depth groups nested in unknown field number field, properly closed. */
static inline void
cb_groups(codec_buf *cb, uint32_t field, size_t depth)
{
    for (size_t k = 0; k < depth; k++)
        cb_tag(cb, field, CB_SGROUP);
    for (size_t k = 0; k < depth; k++)
        cb_tag(cb, field, CB_EGROUP);
}

#endif /* CODEC_SUPPORT_H */
