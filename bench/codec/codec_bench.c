/* codec_bench.c - encode and decode speed of the code msgc generates for the reference
 * messages (bench.msg: S Point, M Telemetry, L Large), against protobuf-c on the same
 * values (bench.proto) and against memcpy of the encoded bytes, the floor.
 *
 *     codec_bench [-r REPS] [-t MS] [-l LABEL] [-i IRFILE] [-d DATAFILE]
 *     codec_bench -c N
 *
 * Each figure is the median of REPS repetitions (default 5) of a loop calibrated to run
 * at least MS milliseconds (default 200), timed in the thread's CPU time; the fastest
 * repetition is shown beside it. LABEL names the build in the table (-O2).
 * IRFILE holds "id instructions-per-message" lines from a callgrind run, shown as a
 * column beside the times; DATAFILE receives the figures gnuplot draws.
 * With -c, nothing is timed: each operation runs N times between callgrind client
 * requests, so `valgrind --tool=callgrind` writes one profile per operation, named by
 * the operation's id.
 *
 * Before anything is measured, msgc and protobuf-c must write the same bytes for the
 * same values, each must read the other's bytes back to those values, and the bounded
 * forms must decode without a single allocation; otherwise the program exits with 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_ZERO_STATS
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(name) ((void)(name))
#endif

#include "bench.msg.h"
#include "bench.pb-c.h"

/* Makes the compiler assume memory was read and written, so no store or call in the
 * timed loops can be dropped or hoisted. */
#define CLOBBER() __asm__ __volatile__("" ::: "memory")

#define N_SAMPLES 16
#define N_NAMES 100
#define BLOB_SIZE 65536
#define SIZE_S 6u
#define SIZE_M 164u
#define SIZE_L 66540u

/* --- the reference values, in both libraries' structs --- */

static char g_host[] = "sensor-node-0042";
static uint8_t g_tag[8] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x42, 0x10, 0x01};
static int32_t g_samples[N_SAMPLES];
static uint8_t *g_blob;
static char g_names[N_NAMES][16];
static char *g_name_ptrs[N_NAMES];

static bench_Point g_s;
static bench_Telemetry g_m;
static bench_TelemetryHeap g_mh;
static bench_Large *g_l;
static bench_LargeHeap g_lh;

static Bench__Point g_pb_s = BENCH__POINT__INIT;
static Bench__Point g_pb_origin = BENCH__POINT__INIT;
static Bench__Telemetry g_pb_m = BENCH__TELEMETRY__INIT;
static Bench__Large g_pb_l = BENCH__LARGE__INIT;

/* The encoded reference bytes the decoders read, and where encoders write. */
static uint8_t g_wire_s[bench_Point_MAX_SIZE];
static uint8_t g_wire_m[bench_Telemetry_MAX_SIZE];
static uint8_t *g_wire_l;
static size_t g_len_s, g_len_m, g_len_l;
static uint8_t *g_out;

/* Decode targets. */
static bench_Point g_ds;
static bench_Telemetry g_dm;
static bench_TelemetryHeap g_dmh;
static bench_Large *g_dl;
static bench_LargeHeap g_dlh;

static volatile size_t g_sink;

/* Big buffers start at different offsets within a page. When a copy's source and
 * destination share their offset in the page, store-to-load aliasing makes glibc's memcpy
 * of 64 KiB several times slower: that would measure where the linker put the arrays,
 * not the codecs. */
#define N_PLACED 8
static void *g_placed[N_PLACED];
static size_t g_n_placed;

static void
free_placed(void)
{
    while (g_n_placed > 0)
        free(g_placed[--g_n_placed]);
}

static void *
place(size_t size, size_t page_offset)
{
    uint8_t *p = aligned_alloc(4096, (size + page_offset + 4095) / 4096 * 4096);
    if (p == NULL || g_n_placed == N_PLACED) {
        fprintf(stderr, "codec_bench: out of memory\n");
        exit(1);
    }
    if (g_n_placed == 0)
        atexit(free_placed);
    g_placed[g_n_placed++] = p;
    return p + page_offset;
}

static void
make_values(void)
{
    g_out = place(bench_Large_MAX_SIZE, 0);
    g_wire_l = place(bench_Large_MAX_SIZE, 1024);
    g_blob = place(BLOB_SIZE, 2048);
    g_l = place(sizeof *g_l, 3072);
    g_dl = place(sizeof *g_dl, 3072);

    for (int i = 0; i < N_SAMPLES; i++)
        g_samples[i] = (i % 2 ? -1 : 1) * (1000 + i * 12345);
    for (size_t i = 0; i < BLOB_SIZE; i++)
        g_blob[i] = (uint8_t)(i * 131u + 7u);
    for (int i = 0; i < N_NAMES; i++) {
        snprintf(g_names[i], sizeof g_names[i], "name-%03u", (unsigned)i % 1000u);
        g_name_ptrs[i] = g_names[i];
    }

    g_s.x = 1234;
    g_s.y = 5678;
    g_pb_s.x = 1234;
    g_pb_s.y = 5678;

    bench_Telemetry_init(&g_m);
    g_m.timestamp = 1718000000123456789u;
    memcpy(g_m.host, g_host, sizeof g_host);
    g_m.level = bench_Level_LEVEL_WARN;
    g_m.value = 3.14159265358979;
    memcpy(g_m.samples, g_samples, sizeof g_samples);
    g_m.samples_count = N_SAMPLES;
    g_m.has_origin = true;
    g_m.origin = g_s;
    g_m.flag = true;
    memcpy(g_m.tag.data, g_tag, sizeof g_tag);
    g_m.tag.len = sizeof g_tag;

    bench_TelemetryHeap_init(&g_mh);
    g_mh.timestamp = g_m.timestamp;
    g_mh.host = g_host;
    g_mh.level = bench_Level_LEVEL_WARN;
    g_mh.value = g_m.value;
    g_mh.samples = g_samples;
    g_mh.samples_count = N_SAMPLES;
    g_mh.has_origin = true;
    g_mh.origin = g_s;
    g_mh.flag = true;
    g_mh.tag.data = g_tag;
    g_mh.tag.len = sizeof g_tag;

    g_pb_origin.x = 1234;
    g_pb_origin.y = 5678;
    g_pb_m.timestamp = g_m.timestamp;
    g_pb_m.host = g_host;
    g_pb_m.level = BENCH__LEVEL__LEVEL_WARN;
    g_pb_m.value = g_m.value;
    g_pb_m.n_samples = N_SAMPLES;
    g_pb_m.samples = g_samples;
    g_pb_m.origin = &g_pb_origin;
    g_pb_m.flag = 1;
    g_pb_m.tag.data = g_tag;
    g_pb_m.tag.len = sizeof g_tag;

    bench_Large_init(g_l);
    memcpy(g_l->blob.data, g_blob, BLOB_SIZE);
    g_l->blob.len = BLOB_SIZE;
    memcpy(g_l->names, g_names, sizeof g_names);
    g_l->names_count = N_NAMES;

    bench_LargeHeap_init(&g_lh);
    g_lh.blob.data = g_blob;
    g_lh.blob.len = BLOB_SIZE;
    g_lh.names = g_name_ptrs;
    g_lh.names_count = N_NAMES;

    g_pb_l.blob.data = g_blob;
    g_pb_l.blob.len = BLOB_SIZE;
    g_pb_l.n_names = N_NAMES;
    g_pb_l.names = g_name_ptrs;
}

/* --- checks: same bytes, each reads the other's, no allocation when bounded --- */

static int g_bad;

static void
expect(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "codec_bench: check failed: %s\n", what);
        g_bad = 1;
    }
}

static size_t g_allocs;

static void *
count_alloc(void *ctx, size_t n)
{
    (void)ctx;
    g_allocs++;
    return malloc(n);
}

static void
count_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static const msgc_allocator g_counting = {count_alloc, count_free, NULL};
/* protobuf-c's allocator hooks have the same signatures as msgc's. */
static ProtobufCAllocator g_pb_counting = {count_alloc, count_free, NULL};

/* Allocations per decode, msgc and protobuf-c, found by the checks. */
static size_t g_allocs_msgc_mh, g_allocs_msgc_lh, g_allocs_pb_s, g_allocs_pb_m, g_allocs_pb_l;

static int
same_point(const bench_Point *a, const Bench__Point *b)
{
    return a->x == b->x && a->y == b->y;
}

static int
same_telemetry_head(uint64_t ts, int level, double value, int flag, const Bench__Telemetry *b)
{
    return ts == b->timestamp && level == (int)b->level && memcmp(&value, &b->value, 8) == 0 &&
           flag == (b->flag != 0);
}

static int
same_telemetry(const bench_Telemetry *a, const Bench__Telemetry *b)
{
    return same_telemetry_head(a->timestamp, (int)a->level, a->value, a->flag, b) &&
           strcmp(a->host, b->host) == 0 && a->samples_count == b->n_samples &&
           memcmp(a->samples, b->samples, a->samples_count * sizeof(int32_t)) == 0 &&
           a->has_origin && b->origin && same_point(&a->origin, b->origin) &&
           a->tag.len == b->tag.len && memcmp(a->tag.data, b->tag.data, a->tag.len) == 0;
}

static int
same_telemetry_heap(const bench_TelemetryHeap *a, const Bench__Telemetry *b)
{
    return same_telemetry_head(a->timestamp, (int)a->level, a->value, a->flag, b) && a->host &&
           strcmp(a->host, b->host) == 0 && a->samples_count == b->n_samples &&
           memcmp(a->samples, b->samples, a->samples_count * sizeof(int32_t)) == 0 &&
           a->has_origin && b->origin && same_point(&a->origin, b->origin) &&
           a->tag.len == b->tag.len && memcmp(a->tag.data, b->tag.data, a->tag.len) == 0;
}

static int
same_large(const bench_Large *a, const Bench__Large *b)
{
    if (a->blob.len != b->blob.len || memcmp(a->blob.data, b->blob.data, a->blob.len) != 0 ||
        a->names_count != b->n_names)
        return 0;
    for (size_t i = 0; i < a->names_count; i++)
        if (strcmp(a->names[i], b->names[i]) != 0)
            return 0;
    return 1;
}

static int
same_large_heap(const bench_LargeHeap *a, const Bench__Large *b)
{
    if (a->blob.len != b->blob.len || memcmp(a->blob.data, b->blob.data, a->blob.len) != 0 ||
        a->names_count != b->n_names)
        return 0;
    for (size_t i = 0; i < a->names_count; i++)
        if (strcmp(a->names[i], b->names[i]) != 0)
            return 0;
    return 1;
}

static int
same_bytes(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    return alen == blen && memcmp(a, b, alen) == 0;
}

/* Encodes S with both libraries; leaves msgc's bytes in g_wire_s. */
static void
check_s(void)
{
    static uint8_t pb[bench_Point_MAX_SIZE];
    size_t pb_len = bench__point__get_packed_size(&g_pb_s);
    expect(pb_len == SIZE_S && bench__point__pack(&g_pb_s, pb) == pb_len, "S: protobuf-c size");
    expect(bench_Point_encode(&g_s, g_wire_s, sizeof g_wire_s, &g_len_s) == 0, "S: msgc encode");
    expect(bench_Point_encoded_size(&g_s) == g_len_s, "S: msgc encoded_size");
    expect(same_bytes(g_wire_s, g_len_s, pb, pb_len),
           "S: msgc and protobuf-c write the same bytes");

    bench_Point_init(&g_ds);
    expect(bench_Point_decode(&g_ds, pb, pb_len) == 0 && same_point(&g_ds, &g_pb_s),
           "S: msgc reads protobuf-c's bytes");
    g_allocs = 0;
    Bench__Point *u = bench__point__unpack(&g_pb_counting, g_len_s, g_wire_s);
    g_allocs_pb_s = g_allocs;
    expect(u && same_point(&g_s, u), "S: protobuf-c reads msgc's bytes");
    if (u)
        bench__point__free_unpacked(u, &g_pb_counting);
}

static void
check_m(void)
{
    static uint8_t pb[bench_Telemetry_MAX_SIZE], heap[bench_Telemetry_MAX_SIZE];
    size_t pb_len = bench__telemetry__get_packed_size(&g_pb_m);
    expect(pb_len == SIZE_M && bench__telemetry__pack(&g_pb_m, pb) == pb_len,
           "M: protobuf-c size is 164");
    expect(bench_Telemetry_encode(&g_m, g_wire_m, sizeof g_wire_m, &g_len_m) == 0,
           "M bounded: msgc encode");
    expect(bench_Telemetry_encoded_size(&g_m) == g_len_m, "M bounded: msgc encoded_size");
    expect(same_bytes(g_wire_m, g_len_m, pb, pb_len), "M bounded: same bytes as protobuf-c");
    size_t heap_len = bench_TelemetryHeap_encoded_size(&g_mh);
    expect(bench_TelemetryHeap_encode(&g_mh, heap, heap_len, &heap_len) == 0,
           "M heap: msgc encode");
    expect(same_bytes(heap, heap_len, pb, pb_len), "M heap: same bytes as protobuf-c");

    msgc_set_allocator(&g_counting);
    g_allocs = 0;
    bench_Telemetry_init(&g_dm);
    expect(bench_Telemetry_decode(&g_dm, pb, pb_len) == 0 && same_telemetry(&g_dm, &g_pb_m),
           "M bounded: msgc reads protobuf-c's bytes");
    expect(g_allocs == 0, "M bounded: msgc decodes without allocating");
    bench_TelemetryHeap_init(&g_dmh);
    expect(bench_TelemetryHeap_decode(&g_dmh, pb, pb_len) == 0 &&
               same_telemetry_heap(&g_dmh, &g_pb_m),
           "M heap: msgc reads protobuf-c's bytes");
    g_allocs_msgc_mh = g_allocs;
    bench_TelemetryHeap_free(&g_dmh);
    msgc_set_allocator(NULL);

    g_allocs = 0;
    Bench__Telemetry *u = bench__telemetry__unpack(&g_pb_counting, g_len_m, g_wire_m);
    g_allocs_pb_m = g_allocs;
    expect(u && same_telemetry(&g_m, u) && same_telemetry_heap(&g_mh, u),
           "M: protobuf-c reads msgc's bytes");
    if (u)
        bench__telemetry__free_unpacked(u, &g_pb_counting);
}

static void
check_l(void)
{
    static uint8_t pb[bench_Large_MAX_SIZE], heap[bench_Large_MAX_SIZE];
    size_t pb_len = bench__large__get_packed_size(&g_pb_l);
    expect(pb_len == SIZE_L && bench__large__pack(&g_pb_l, pb) == pb_len,
           "L: protobuf-c size is 66540");
    expect(bench_Large_encode(g_l, g_wire_l, bench_Large_MAX_SIZE, &g_len_l) == 0,
           "L bounded: msgc encode");
    expect(bench_Large_encoded_size(g_l) == g_len_l, "L bounded: msgc encoded_size");
    expect(same_bytes(g_wire_l, g_len_l, pb, pb_len), "L bounded: same bytes as protobuf-c");
    size_t heap_len = bench_LargeHeap_encoded_size(&g_lh);
    expect(bench_LargeHeap_encode(&g_lh, heap, heap_len, &heap_len) == 0, "L heap: msgc encode");
    expect(same_bytes(heap, heap_len, pb, pb_len), "L heap: same bytes as protobuf-c");

    msgc_set_allocator(&g_counting);
    g_allocs = 0;
    bench_Large_init(g_dl);
    expect(bench_Large_decode(g_dl, pb, pb_len) == 0 && same_large(g_dl, &g_pb_l),
           "L bounded: msgc reads protobuf-c's bytes");
    expect(g_allocs == 0, "L bounded: msgc decodes without allocating");
    bench_LargeHeap_init(&g_dlh);
    expect(bench_LargeHeap_decode(&g_dlh, pb, pb_len) == 0 && same_large_heap(&g_dlh, &g_pb_l),
           "L heap: msgc reads protobuf-c's bytes");
    g_allocs_msgc_lh = g_allocs;
    bench_LargeHeap_free(&g_dlh);
    msgc_set_allocator(NULL);

    g_allocs = 0;
    Bench__Large *u = bench__large__unpack(&g_pb_counting, g_len_l, g_wire_l);
    g_allocs_pb_l = g_allocs;
    expect(u && same_large(g_l, u) && same_large_heap(&g_lh, u),
           "L: protobuf-c reads msgc's bytes");
    if (u)
        bench__large__free_unpacked(u, &g_pb_counting);
}

/* --- the timed operations: each runs its operation n times --- */

static void
op_failed(const char *op, int rc)
{
    fprintf(stderr, "codec_bench: %s failed: %d\n", op, rc);
    exit(1);
}

#define MSGC_ENCODE_MAX(fn, T, src)                                                                \
    static void fn(size_t n)                                                                       \
    {                                                                                              \
        size_t acc = 0;                                                                            \
        for (size_t i = 0; i < n; i++) {                                                           \
            size_t len;                                                                            \
            int rc = T##_encode(&(src), g_out, T##_MAX_SIZE, &len);                                \
            if (rc != 0)                                                                           \
                op_failed(#fn, rc);                                                                \
            acc += len;                                                                            \
            CLOBBER();                                                                             \
        }                                                                                          \
        g_sink = acc;                                                                              \
    }

#define MSGC_SIZE_ENCODE(fn, T, src)                                                               \
    static void fn(size_t n)                                                                       \
    {                                                                                              \
        size_t acc = 0;                                                                            \
        for (size_t i = 0; i < n; i++) {                                                           \
            size_t len, need = T##_encoded_size(&(src));                                           \
            int rc = T##_encode(&(src), g_out, need, &len);                                        \
            if (rc != 0)                                                                           \
                op_failed(#fn, rc);                                                                \
            acc += len;                                                                            \
            CLOBBER();                                                                             \
        }                                                                                          \
        g_sink = acc;                                                                              \
    }

/* Bounded forms: decode only, as a receiver reusing one struct does. */
#define MSGC_DECODE(fn, T, dst, wire, len)                                                         \
    static void fn(size_t n)                                                                       \
    {                                                                                              \
        for (size_t i = 0; i < n; i++) {                                                           \
            int rc = T##_decode(&(dst), wire, len);                                                \
            if (rc != 0)                                                                           \
                op_failed(#fn, rc);                                                                \
            CLOBBER();                                                                             \
        }                                                                                          \
    }

#define MSGC_DECODE_FREE(fn, T, dst, wire, len)                                                    \
    static void fn(size_t n)                                                                       \
    {                                                                                              \
        for (size_t i = 0; i < n; i++) {                                                           \
            int rc = T##_decode(&(dst), wire, len);                                                \
            if (rc != 0)                                                                           \
                op_failed(#fn, rc);                                                                \
            CLOBBER();                                                                             \
            T##_free(&(dst));                                                                      \
        }                                                                                          \
    }

#define PB_PACK(fn, P, src)                                                                        \
    static void fn(size_t n)                                                                       \
    {                                                                                              \
        size_t acc = 0;                                                                            \
        for (size_t i = 0; i < n; i++) {                                                           \
            size_t need = P##__get_packed_size(&(src));                                            \
            acc += need + P##__pack(&(src), g_out);                                                \
            CLOBBER();                                                                             \
        }                                                                                          \
        g_sink = acc;                                                                              \
    }

#define PB_UNPACK_FREE(fn, P, wire, len)                                                           \
    static void fn(size_t n)                                                                       \
    {                                                                                              \
        for (size_t i = 0; i < n; i++) {                                                           \
            void *u = P##__unpack(NULL, len, wire);                                                \
            if (u == NULL)                                                                         \
                op_failed(#fn, -1);                                                                \
            CLOBBER();                                                                             \
            P##__free_unpacked(u, NULL);                                                           \
        }                                                                                          \
    }

/* The length is read through a volatile so the copy stays a real memcpy call. */
#define COPY(fn, wire, len)                                                                        \
    static void fn(size_t n)                                                                       \
    {                                                                                              \
        volatile size_t vlen = len;                                                                \
        size_t bytes = vlen;                                                                       \
        for (size_t i = 0; i < n; i++) {                                                           \
            memcpy(g_out, wire, bytes);                                                            \
            CLOBBER();                                                                             \
        }                                                                                          \
    }

MSGC_ENCODE_MAX(s_msgc_encode_max, bench_Point, g_s)
MSGC_SIZE_ENCODE(s_msgc_size_encode, bench_Point, g_s)
MSGC_DECODE(s_msgc_decode, bench_Point, g_ds, g_wire_s, g_len_s)
PB_PACK(s_pbc_pack, bench__point, g_pb_s)
PB_UNPACK_FREE(s_pbc_unpack, bench__point, g_wire_s, g_len_s)
COPY(s_memcpy, g_wire_s, g_len_s)

MSGC_ENCODE_MAX(m_msgc_encode_max, bench_Telemetry, g_m)
MSGC_SIZE_ENCODE(m_msgc_size_encode, bench_Telemetry, g_m)
MSGC_DECODE(m_msgc_decode, bench_Telemetry, g_dm, g_wire_m, g_len_m)
MSGC_SIZE_ENCODE(mh_msgc_size_encode, bench_TelemetryHeap, g_mh)
MSGC_DECODE_FREE(mh_msgc_decode_free, bench_TelemetryHeap, g_dmh, g_wire_m, g_len_m)
PB_PACK(m_pbc_pack, bench__telemetry, g_pb_m)
PB_UNPACK_FREE(m_pbc_unpack, bench__telemetry, g_wire_m, g_len_m)
COPY(m_memcpy, g_wire_m, g_len_m)

MSGC_ENCODE_MAX(l_msgc_encode_max, bench_Large, *g_l)
MSGC_SIZE_ENCODE(l_msgc_size_encode, bench_Large, *g_l)
MSGC_DECODE(l_msgc_decode, bench_Large, *g_dl, g_wire_l, g_len_l)
MSGC_SIZE_ENCODE(lh_msgc_size_encode, bench_LargeHeap, g_lh)
MSGC_DECODE_FREE(lh_msgc_decode_free, bench_LargeHeap, g_dlh, g_wire_l, g_len_l)
PB_PACK(l_pbc_pack, bench__large, g_pb_l)
PB_UNPACK_FREE(l_pbc_unpack, bench__large, g_wire_l, g_len_l)
COPY(l_memcpy, g_wire_l, g_len_l)

typedef struct op {
    const char *id;    /* names the operation in callgrind dumps, IRFILE and DATAFILE */
    const char *msg;   /* S, M, L */
    const char *form;  /* bounded, heap, or "" for the peers */
    const char *what;  /* the calls timed */
    const char *peer;  /* id of the protobuf-c operation it compares with */
    const char *floor; /* id of the memcpy of the same bytes */
    void (*run)(size_t n);
    const size_t *len;    /* encoded bytes per message */
    const size_t *allocs; /* allocations per operation, when counted */
    double ns;            /* median ns per message */
    double best;          /* fastest repetition, ns per message */
    double spread;        /* (slowest - fastest) / median of the repetitions */
    double ir;            /* instructions per message from callgrind; 0 if unknown */
} op;

static const size_t g_zero = 0;

/* clang-format off */
static op g_ops[] = {
    {"s_msgc_encode_max", "S", "bounded", "msgc encode into MAX_SIZE buffer", "s_pbc_pack", "s_memcpy", s_msgc_encode_max, &g_len_s, NULL, 0, 0, 0, 0},
    {"s_msgc_size_encode", "S", "bounded", "msgc encoded_size + encode", "s_pbc_pack", "s_memcpy", s_msgc_size_encode, &g_len_s, NULL, 0, 0, 0, 0},
    {"s_msgc_decode", "S", "bounded", "msgc decode", "s_pbc_unpack", "s_memcpy", s_msgc_decode, &g_len_s, &g_zero, 0, 0, 0, 0},
    {"s_pbc_pack", "S", "", "protobuf-c get_packed_size + pack", NULL, "s_memcpy", s_pbc_pack, &g_len_s, NULL, 0, 0, 0, 0},
    {"s_pbc_unpack", "S", "", "protobuf-c unpack + free_unpacked", NULL, "s_memcpy", s_pbc_unpack, &g_len_s, &g_allocs_pb_s, 0, 0, 0, 0},
    {"s_memcpy", "S", "", "memcpy of the encoded bytes", NULL, NULL, s_memcpy, &g_len_s, NULL, 0, 0, 0, 0},
    {"m_msgc_encode_max", "M", "bounded", "msgc encode into MAX_SIZE buffer", "m_pbc_pack", "m_memcpy", m_msgc_encode_max, &g_len_m, NULL, 0, 0, 0, 0},
    {"m_msgc_size_encode", "M", "bounded", "msgc encoded_size + encode", "m_pbc_pack", "m_memcpy", m_msgc_size_encode, &g_len_m, NULL, 0, 0, 0, 0},
    {"m_msgc_decode", "M", "bounded", "msgc decode", "m_pbc_unpack", "m_memcpy", m_msgc_decode, &g_len_m, &g_zero, 0, 0, 0, 0},
    {"mh_msgc_size_encode", "M", "heap", "msgc encoded_size + encode", "m_pbc_pack", "m_memcpy", mh_msgc_size_encode, &g_len_m, NULL, 0, 0, 0, 0},
    {"mh_msgc_decode_free", "M", "heap", "msgc decode + free", "m_pbc_unpack", "m_memcpy", mh_msgc_decode_free, &g_len_m, &g_allocs_msgc_mh, 0, 0, 0, 0},
    {"m_pbc_pack", "M", "", "protobuf-c get_packed_size + pack", NULL, "m_memcpy", m_pbc_pack, &g_len_m, NULL, 0, 0, 0, 0},
    {"m_pbc_unpack", "M", "", "protobuf-c unpack + free_unpacked", NULL, "m_memcpy", m_pbc_unpack, &g_len_m, &g_allocs_pb_m, 0, 0, 0, 0},
    {"m_memcpy", "M", "", "memcpy of the encoded bytes", NULL, NULL, m_memcpy, &g_len_m, NULL, 0, 0, 0, 0},
    {"l_msgc_encode_max", "L", "bounded", "msgc encode into MAX_SIZE buffer", "l_pbc_pack", "l_memcpy", l_msgc_encode_max, &g_len_l, NULL, 0, 0, 0, 0},
    {"l_msgc_size_encode", "L", "bounded", "msgc encoded_size + encode", "l_pbc_pack", "l_memcpy", l_msgc_size_encode, &g_len_l, NULL, 0, 0, 0, 0},
    {"l_msgc_decode", "L", "bounded", "msgc decode", "l_pbc_unpack", "l_memcpy", l_msgc_decode, &g_len_l, &g_zero, 0, 0, 0, 0},
    {"lh_msgc_size_encode", "L", "heap", "msgc encoded_size + encode", "l_pbc_pack", "l_memcpy", lh_msgc_size_encode, &g_len_l, NULL, 0, 0, 0, 0},
    {"lh_msgc_decode_free", "L", "heap", "msgc decode + free", "l_pbc_unpack", "l_memcpy", lh_msgc_decode_free, &g_len_l, &g_allocs_msgc_lh, 0, 0, 0, 0},
    {"l_pbc_pack", "L", "", "protobuf-c get_packed_size + pack", NULL, "l_memcpy", l_pbc_pack, &g_len_l, NULL, 0, 0, 0, 0},
    {"l_pbc_unpack", "L", "", "protobuf-c unpack + free_unpacked", NULL, "l_memcpy", l_pbc_unpack, &g_len_l, &g_allocs_pb_l, 0, 0, 0, 0},
    {"l_memcpy", "L", "", "memcpy of the encoded bytes", NULL, NULL, l_memcpy, &g_len_l, NULL, 0, 0, 0, 0},
};
/* clang-format on */

#define N_OPS (sizeof g_ops / sizeof g_ops[0])

static op *
find_op(const char *id)
{
    for (size_t i = 0; id && i < N_OPS; i++)
        if (strcmp(g_ops[i].id, id) == 0)
            return &g_ops[i];
    return NULL;
}

/* --- timing --- */

static uint64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t
time_loop(const op *o, size_t n)
{
    uint64_t t0 = now_ns();
    o->run(n);
    return now_ns() - t0;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define MAX_REPS 101

/* Finds the loop count that runs min_ns. The calibration doubles as the warm-up (caches,
 * branch predictors, malloc's free lists). */
static size_t
calibrate(const op *o, uint64_t min_ns)
{
    size_t n = 1;
    uint64_t t;
    while ((t = time_loop(o, n)) < min_ns / 8)
        n *= 2;
    return (size_t)((double)n * (double)min_ns / (double)t) + 1;
}

/* Times every operation reps times (in CPU time of the thread, so being descheduled by
 * other work on the machine does not count), one operation after the other in each round, so a
 * burst of load from elsewhere on the machine spoils one repetition of several
 * operations rather than every repetition of one; each keeps the median. */
static void
measure_all(unsigned reps, uint64_t min_ns)
{
    static size_t loops[N_OPS];
    static double ns[N_OPS][MAX_REPS];
    for (size_t i = 0; i < N_OPS; i++)
        loops[i] = calibrate(&g_ops[i], min_ns);
    for (unsigned r = 0; r < reps; r++)
        for (size_t i = 0; i < N_OPS; i++)
            ns[i][r] = (double)time_loop(&g_ops[i], loops[i]) / (double)loops[i];
    for (size_t i = 0; i < N_OPS; i++) {
        op *o = &g_ops[i];
        qsort(ns[i], reps, sizeof ns[i][0], cmp_double);
        o->ns = reps % 2 ? ns[i][reps / 2] : (ns[i][reps / 2 - 1] + ns[i][reps / 2]) / 2;
        o->best = ns[i][0];
        o->spread = (ns[i][reps - 1] - ns[i][0]) / o->ns;
    }
}

/* --- output --- */

static void
read_ir(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "codec_bench: %s: no instruction counts\n", path);
        return;
    }
    char id[64];
    double ir;
    while (fscanf(f, "%63s %lf", id, &ir) == 2) {
        op *o = find_op(id);
        if (o)
            o->ir = ir;
    }
    fclose(f);
}

static void
print_table(const char *label, unsigned reps, unsigned ms)
{
    printf("\ncodec, %s (cc %s): ns per message (thread CPU time), median of %u repetitions of\n"
           ">= %u ms each; Ir/msg from callgrind\n",
           label, __VERSION__, reps, ms);
    printf("%-3s %-7s %-34s %6s %9s %8s %9s %6s %9s %6s %9s %11s\n", "msg", "form", "operation",
           "bytes", "ns/msg", "MB/s", "best ns", "spread", "Ir/msg", "allocs", "msgc/pb-c",
           "msgc/memcpy");
    const char *last = "";
    for (size_t i = 0; i < N_OPS; i++) {
        const op *o = &g_ops[i];
        const op *peer = find_op(o->peer), *floor = find_op(o->floor);
        if (strcmp(last, o->msg) != 0 && i > 0)
            printf("\n");
        last = o->msg;
        printf("%-3s %-7s %-34s %6zu %9.1f %8.0f %9.1f %5.0f%%", o->msg, o->form, o->what, *o->len,
               o->ns, (double)*o->len * 1000.0 / o->ns, o->best, o->spread * 100.0);
        if (o->ir > 0)
            printf(" %9.0f", o->ir);
        else
            printf(" %9s", "-");
        if (o->allocs)
            printf(" %6zu", *o->allocs);
        else
            printf(" %6s", "");
        if (peer)
            printf(" %9.2f", o->ns / peer->ns);
        else
            printf(" %9s", "");
        if (floor)
            printf(" %11.2f", o->ns / floor->ns);
        printf("\n");
    }
}

/* A target is a speed-up over protobuf-c (at least `factor`), or a ratio to memcpy (at
 * most `factor`). */
static void
print_target(const char *text, const char *id, const char *against, double factor)
{
    const op *o = find_op(id), *p = find_op(against);
    int vs_copy = strstr(against, "memcpy") != NULL;
    double got = vs_copy ? o->ns / p->ns : p->ns / o->ns;
    int met = vs_copy ? got <= factor : got >= factor;
    printf("  %-58s %s %4.2fx  %4.2fx  %s\n", text, vs_copy ? "<=" : ">=", factor, got,
           met ? "met" : "NOT MET");
}

static void
print_targets(const char *label)
{
    printf("\ntargets (%s)                                                 wanted   "
           "measured\n",
           label);
    print_target("M bounded encode (MAX_SIZE) faster than pb-c size+pack", "m_msgc_encode_max",
                 "m_pbc_pack", 4.0);
    print_target("M bounded decode faster than pb-c unpack+free (0 allocs)", "m_msgc_decode",
                 "m_pbc_unpack", 4.0);
    print_target("M heap decode+free faster than pb-c unpack+free", "mh_msgc_decode_free",
                 "m_pbc_unpack", 2.5);
    print_target("M heap size+encode faster than pb-c size+pack", "mh_msgc_size_encode",
                 "m_pbc_pack", 2.5);
    print_target("S encode (MAX_SIZE) no slower than pb-c size+pack", "s_msgc_encode_max",
                 "s_pbc_pack", 1.0);
    print_target("S size+encode no slower than pb-c size+pack", "s_msgc_size_encode", "s_pbc_pack",
                 1.0);
    print_target("S decode no slower than pb-c unpack+free", "s_msgc_decode", "s_pbc_unpack", 1.0);
    print_target("L bounded encode (MAX_SIZE) within 1.5x of memcpy", "l_msgc_encode_max",
                 "l_memcpy", 1.5);
    print_target("L bounded decode within 1.5x of memcpy", "l_msgc_decode", "l_memcpy", 1.5);
}

/* One line per plotted group: label, msgc ns, protobuf-c ns, memcpy ns. */
static int
write_data(const char *path)
{
    static const char *const rows[][3] = {
        {"S enc", "s_msgc_encode_max", "s_pbc_pack"},
        {"S dec", "s_msgc_decode", "s_pbc_unpack"},
        {"M enc", "m_msgc_encode_max", "m_pbc_pack"},
        {"M dec", "m_msgc_decode", "m_pbc_unpack"},
        {"M-heap enc", "mh_msgc_size_encode", "m_pbc_pack"},
        {"M-heap dec", "mh_msgc_decode_free", "m_pbc_unpack"},
        {"L enc", "l_msgc_encode_max", "l_pbc_pack"},
        {"L dec", "l_msgc_decode", "l_pbc_unpack"},
        {"L-heap enc", "lh_msgc_size_encode", "l_pbc_pack"},
        {"L-heap dec", "lh_msgc_decode_free", "l_pbc_unpack"},
    };
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    fprintf(f, "# group msgc_ns protobuf_c_ns memcpy_ns\n");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const op *m = find_op(rows[i][1]), *p = find_op(rows[i][2]), *c = find_op(m->floor);
        fprintf(f, "\"%s\" %.2f %.2f %.2f\n", rows[i][0], m->ns, p->ns, c->ns);
    }
    return fclose(f);
}

/* --- main --- */

static void
profile_ops(size_t n)
{
    for (size_t i = 0; i < N_OPS; i++) {
        const op *o = &g_ops[i];
        /* L moves 64 KiB per message: fewer rounds give the same per-message count. */
        size_t rounds = o->msg[0] == 'L' ? n / 50 + 1 : n;
        o->run(1); /* binds symbols lazily and warms malloc, outside the profile */
        CALLGRIND_ZERO_STATS;
        o->run(rounds);
        CALLGRIND_DUMP_STATS_AT(o->id);
        printf("%s %zu\n", o->id, rounds);
    }
}

static void
usage(void)
{
    fprintf(stderr, "usage: codec_bench [-r REPS] [-t MS] [-l LABEL] [-i IRFILE] "
                    "[-d DATAFILE]\n       codec_bench -c N\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    unsigned reps = 5, ms = 200;
    const char *label = "", *ir_path = NULL, *data_path = NULL;
    size_t profile_n = 0;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            usage();
        if (strcmp(argv[i], "-r") == 0)
            reps = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "-t") == 0)
            ms = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "-l") == 0)
            label = argv[++i];
        else if (strcmp(argv[i], "-i") == 0)
            ir_path = argv[++i];
        else if (strcmp(argv[i], "-d") == 0)
            data_path = argv[++i];
        else if (strcmp(argv[i], "-c") == 0)
            profile_n = (size_t)strtoul(argv[++i], NULL, 10);
        else
            usage();
    }
    if (reps == 0 || reps > MAX_REPS || ms == 0)
        usage();

    make_values();
    check_s();
    check_m();
    check_l();
    if (g_bad)
        return 1;

    if (profile_n > 0) {
        profile_ops(profile_n);
        return 0;
    }
    printf("checked: msgc and protobuf-c write the same bytes (S %zu, M %zu, L %zu) and read "
           "each other's; bounded decodes allocate nothing\n",
           g_len_s, g_len_m, g_len_l);
    if (ir_path)
        read_ir(ir_path);
    measure_all(reps, (uint64_t)ms * 1000000u);
    print_table(label, reps, ms);
    print_targets(label);
    if (data_path && write_data(data_path) != 0)
        return 1;
    return 0;
}
