/* fuzz_decode.c - bytes into the generated decoders of every message type of
 * tests/schemas/all_types.msg (and the imported imp.Stamp).
 *
 * Input: the first byte picks the message type (modulo the number of types), the rest is
 * the encoding to decode. Every type is reached through its msgc_desc, so the generic
 * entry points the runtime uses are the ones exercised.
 *
 * Oracles (any failure aborts, which libFuzzer and the replay shim report as a crash):
 *   1. Default limits. A failing decode returns a known msgc error, records it in
 *      msgc_last_error, leaves the struct as after init and holds no allocation. A
 *      succeeding decode allocated no more than the default budget; encoded_size is what
 *      encode writes, no more than MAX_SIZE when the type has one; one byte less of
 *      room is MSGC_ENOSPC; and the encoding decodes again and re-encodes to the same
 *      bytes (the canonical form is a fixed point).
 *   2. Tight limits (a small max_depth and max_alloc derived from the input), decoding
 *      into the struct that still holds the first result, so the release of old
 *      contents is covered. Tighter limits never turn a failure into a success; a
 *      success allocates within the budget and gives the same encoding as pass 1; a
 *      failure where pass 1 succeeded is MSGC_EDEPTH or MSGC_ENOMEM.
 *   3. Allocation failure: the k-th allocation of the decode fails (k below the number
 *      pass 1 made): the result is MSGC_ENOMEM, nothing leaks, the struct is as after
 *      init.
 * After every free, the counting allocator must have seen as many frees as allocations.
 */
#include "all_types.msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* --- the counting allocator --- */

typedef struct counter {
    size_t calls;      /* allocation requests, failed ones included */
    size_t allocs;     /* successful allocations */
    size_t frees;      /* frees of non-NULL pointers */
    size_t live_bytes; /* allocated and not freed */
    size_t peak_bytes; /* most held at once by what was allocated since the last reset */
    size_t base_bytes; /* live when the first of those allocations came (old contents
                          are released before a decode allocates) */
    bool based;
    size_t fail_at; /* the request (1-based) that fails; 0: none */
} counter;

static counter count;

/* Each block carries its size and a mark in front of it, aligned for any type. */
typedef union block_head {
    struct {
        size_t size;
        size_t mark;
    } h;
    max_align_t align;
} block_head;

#define BLOCK_MARK ((size_t)0x6d73676346555a5aULL)

static void *
count_alloc(void *ctx, size_t n)
{
    counter *c = ctx;
    c->calls++;
    if (c->fail_at != 0 && c->calls == c->fail_at)
        return NULL;
    if (n > SIZE_MAX - sizeof(block_head))
        return NULL;
    block_head *b = malloc(sizeof *b + n);
    if (!b)
        return NULL;
    b->h.size = n;
    b->h.mark = BLOCK_MARK;
    c->allocs++;
    if (!c->based) {
        c->base_bytes = c->live_bytes;
        c->based = true;
    }
    c->live_bytes += n;
    if (c->live_bytes - c->base_bytes > c->peak_bytes)
        c->peak_bytes = c->live_bytes - c->base_bytes;
    return b + 1;
}

static void
count_free(void *ctx, void *p)
{
    counter *c = ctx;
    block_head *b = (block_head *)p - 1;
    if (b->h.mark != BLOCK_MARK) {
        fprintf(stderr, "fuzz_decode: msgc freed %p, which its allocator never gave out\n", p);
        abort();
    }
    b->h.mark = 0;
    c->frees++;
    c->live_bytes -= b->h.size;
    free(b);
}

static void
count_reset(size_t fail_at)
{
    count.calls = 0;
    count.peak_bytes = 0;
    count.based = false;
    count.fail_at = fail_at;
}

/* --- the message types --- */

static const msgc_desc *const types[] = {
    &at_Scalars_desc, &at_Optionals_desc,    &at_Repeats_desc, &at_Bounded_desc, &at_Texts_desc,
    &at_Inner_desc,   &at_Nested_Local_desc, &at_Nested_desc,  &at_Choice_desc,  &at_Tree_desc,
    &at_Empty_desc,   &at_Keywords_desc,     &at_Fat_desc,     &at_FatList_desc, &at_Cell_desc,
    &at_Box_desc,     &at_All_desc,          &imp_Stamp_desc,
};
#define N_TYPES (sizeof types / sizeof types[0])

/* --- failing --- */

static const msgc_desc *cur_type;
static const char *cur_pass;

static void
fail(const char *what, int rc)
{
    const msgc_error *e = msgc_last_error();
    fprintf(stderr, "fuzz_decode: %s: %s (pass %s, rc %d %s; last error %s at %zu in \"%s\": %s)\n",
            cur_type ? cur_type->name : "?", what, cur_pass, rc,
            msgc_errname(rc) ? msgc_errname(rc) : "-",
            msgc_errname(e->code) ? msgc_errname(e->code) : "-", e->offset, e->path, e->detail);
    abort();
}

#define CHECK(cond, rc)                                                                            \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fail(#cond, (rc));                                                                     \
    } while (0)

/* --- helpers --- */

static void *zeroes; /* a struct as after init, of the largest struct size */
static size_t zeroes_size;

static void *
new_struct(const msgc_desc *d)
{
    void *m = malloc(d->struct_size);
    if (!m)
        abort();
    d->init(m);
    return m;
}

static void
check_as_after_init(const msgc_desc *d, const void *m, int rc)
{
    CHECK(memcmp(m, zeroes, d->struct_size) == 0, rc);
}

/* Frees m's parts and checks that nothing the decoder allocated is left. */
static void
release(const msgc_desc *d, void *m)
{
    d->free(m);
    check_as_after_init(d, m, 0);
    CHECK(count.allocs == count.frees, 0);
    CHECK(count.live_bytes == 0, 0);
}

static void
check_error(int rc)
{
    CHECK(rc < 0 && msgc_errname(rc) != NULL, rc);
    CHECK(msgc_last_error()->code == rc, rc);
}

/* Encodes m into a new buffer (never NULL) and checks the size contract. */
static uint8_t *
encode(const msgc_desc *d, const void *m, size_t *len)
{
    size_t n = d->encoded_size(m);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        abort();
    if (d->max_size != 0)
        CHECK(n <= d->max_size, 0);
    if (n > 0) {
        size_t short_len = 0;
        int rc = d->encode(m, buf, n - 1, &short_len);
        CHECK(rc == MSGC_ENOSPC, rc);
    }
    *len = SIZE_MAX;
    int rc = d->encode(m, buf, n, len);
    CHECK(rc == 0, rc);
    CHECK(*len == n, rc);
    return buf;
}

static uint64_t
fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

/* --- the passes --- */

/* Pass 1: default limits. Returns the decode's result; on success *canon holds the
 * canonical encoding (malloc) and m the decoded value. */
static int
pass_default(const msgc_desc *d, void *m, const uint8_t *in, size_t len, uint8_t **canon,
             size_t *canon_len, size_t *allocs_made)
{
    cur_pass = "default";
    count_reset(0);
    int rc = d->decode_ex(m, in, len, NULL);
    *allocs_made = count.calls;
    if (rc != 0) {
        check_error(rc);
        check_as_after_init(d, m, rc);
        CHECK(count.allocs == count.frees, rc);
        return rc;
    }
    CHECK(count.peak_bytes <= MSGC_DEFAULT_MAX_ALLOC, rc);
    size_t len1;
    uint8_t *b1 = encode(d, m, &len1);

    cur_pass = "re-decode";
    void *m2 = new_struct(d);
    rc = d->decode_ex(m2, b1, len1, NULL);
    CHECK(rc == 0, rc);
    size_t len2;
    uint8_t *b2 = encode(d, m2, &len2);
    CHECK(len2 == len1, 0);
    CHECK(memcmp(b1, b2, len1) == 0, 0);
    free(b2);
    d->free(m2);
    check_as_after_init(d, m2, 0);
    free(m2);
    *canon = b1;
    *canon_len = len1;
    return 0;
}

/* Pass 2: tight limits, decoding into m as pass 1 left it. */
static void
pass_tight(const msgc_desc *d, void *m, const uint8_t *in, size_t len, int rc1,
           const uint8_t *canon, size_t canon_len)
{
    uint64_t h = fnv1a(in, len);
    msgc_limits lim = MSGC_LIMITS_INIT;
    lim.max_depth = (unsigned)(h % 5);
    lim.max_alloc = (size_t)((h >> 8) % 2048);
    cur_pass = "tight";
    count_reset(0);
    int rc = d->decode_ex(m, in, len, &lim);
    if (rc != 0) {
        check_error(rc);
        check_as_after_init(d, m, rc);
        CHECK(count.allocs == count.frees, rc);
        if (rc1 == 0)
            CHECK(rc == MSGC_EDEPTH || rc == MSGC_ENOMEM, rc);
        return;
    }
    CHECK(rc1 == 0, rc1);
    CHECK(count.peak_bytes <= lim.max_alloc, rc);
    size_t n;
    uint8_t *b = encode(d, m, &n);
    CHECK(n == canon_len, 0);
    CHECK(memcmp(b, canon, n) == 0, 0);
    free(b);
    release(d, m);
}

/* Pass 3: allocation k of the decode fails. */
static void
pass_alloc_failure(const msgc_desc *d, void *m, const uint8_t *in, size_t len, size_t allocs)
{
    if (allocs == 0)
        return;
    cur_pass = "alloc-failure";
    size_t k = 1 + (size_t)(fnv1a(in, len) % allocs);
    count_reset(k);
    int rc = d->decode_ex(m, in, len, NULL);
    CHECK(rc == MSGC_ENOMEM, rc);
    CHECK(msgc_last_error()->code == rc, rc);
    check_as_after_init(d, m, rc);
    CHECK(count.allocs == count.frees, rc);
    count_reset(0);
}

static void
setup(void)
{
    static const msgc_allocator a = {count_alloc, count_free, &count};
    msgc_set_allocator(&a);
    for (size_t i = 0; i < N_TYPES; i++)
        if (types[i]->struct_size > zeroes_size)
            zeroes_size = types[i]->struct_size;
    zeroes = calloc(1, zeroes_size);
    if (!zeroes)
        abort();
    /* Every init must give the all-zero state the checks compare against. */
    void *m = malloc(zeroes_size);
    if (!m)
        abort();
    for (size_t i = 0; i < N_TYPES; i++) {
        memset(m, 0xa5, zeroes_size);
        types[i]->init(m);
        if (memcmp(m, zeroes, types[i]->struct_size) != 0) {
            fprintf(stderr, "fuzz_decode: %s_init is not all zero bytes\n", types[i]->name);
            abort();
        }
    }
    free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        setup();
        ready = 1;
    }
    if (size == 0)
        return 0;
    const msgc_desc *d = types[data[0] % N_TYPES];
    const uint8_t *in = data + 1;
    size_t len = size - 1;
    cur_type = d;

    void *m = new_struct(d);
    uint8_t *canon = NULL;
    size_t canon_len = 0, allocs = 0;
    int rc1 = pass_default(d, m, in, len, &canon, &canon_len, &allocs);
    pass_tight(d, m, in, len, rc1, canon, canon_len);
    release(d, m);
    pass_alloc_failure(d, m, in, len, allocs);
    release(d, m);
    free(canon);
    free(m);
    cur_type = NULL;
    return 0;
}
