/* test_faults.c - the runtime under stress and faults, with real processes: a long run of
 * random messages over each transport, and opening channels when the process has no
 * descriptor left (RLIMIT_NOFILE). Children report through their exit status. */
#define _GNU_SOURCE
#include "all_types.msg.h"
#include "rt_proc.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

typedef rt_fixture fixture;

enum {
    N_RANDOM = 100000,     /* messages per transport */
    MAX_MSG = 4096,        /* the channels' frame limit */
    MAX_BYTES = 3000,      /* the random bytes field: 0..MAX_BYTES-1 */
    MAX_TEXT = 800,        /* the random string field: 0..MAX_TEXT-1 */
    SEED = 0x5eed,         /* the series' seed, shared by sender and receiver */
    MAX_FILL = 4096,       /* descriptors a test may take to use up its limit */
};

static msgc_opts
chan_opts(void)
{
    msgc_opts o = MSGC_OPTS_INIT;
    o.max_msg = MAX_MSG;
    o.depth = 8;
    o.dial_timeout_ms = 5000;
    return o;
}

static bool
is_mq(const fixture *f)
{
    return strcmp(f->kind, "mq") == 0;
}

/* Whether the fixture's queue or socket file exists. */
static bool
addr_exists(const fixture *f)
{
    const char *addr = strchr(f->url, ':') + 1;
    return is_mq(f) ? rt_mq_exists(addr) : access(addr, F_OK) == 0;
}

/* --- random messages, each regenerated from its sequence number --- */

static uint64_t
splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t
fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    return h;
}

/* The storage a random message points into. */
typedef struct rnd_store {
    uint8_t bytes[MAX_BYTES];
    char text[MAX_TEXT + 1];
} rnd_store;

/* Message number seq of the series: random sizes and contents, its number in f_uint64 and
 * a checksum of its bytes and text in f_fixed64. */
static void
make_random(at_Scalars *m, rnd_store *s, uint64_t seq)
{
    uint64_t st = SEED ^ (seq * 0x2545f4914f6cdd1du);
    at_Scalars_init(m);
    m->f_uint64 = seq;
    m->f_int32 = (int32_t)splitmix(&st);
    m->f_sint64 = (int64_t)splitmix(&st);
    m->f_bool = splitmix(&st) & 1;
    /* Mostly small messages, with every size up to the largest now and then. */
    uint64_t r = splitmix(&st);
    size_t nb = (size_t)(r % 8 == 0 ? (r >> 8) % MAX_BYTES : (r >> 8) % 200);
    size_t nt = (size_t)((r >> 32) % (r % 8 == 1 ? MAX_TEXT : 64));
    for (size_t i = 0; i < nb; i++)
        s->bytes[i] = (uint8_t)splitmix(&st);
    for (size_t i = 0; i < nt; i++)
        s->text[i] = (char)(' ' + splitmix(&st) % 95); /* printable ASCII: valid UTF-8 */
    s->text[nt] = '\0';
    m->f_bytes = (msgc_bytes){.data = nb ? s->bytes : NULL, .len = nb};
    m->f_string = s->text;
    m->f_fixed64 = fnv1a(fnv1a(0xcbf29ce484222325u, s->bytes, nb), (const uint8_t *)s->text, nt);
}

/* Whether got is message number seq of the series, byte for byte. */
static bool
is_random(const at_Scalars *got, uint64_t seq)
{
    rnd_store s;
    at_Scalars want;
    make_random(&want, &s, seq);
    const char *text = got->f_string ? got->f_string : "";
    bool same = got->f_uint64 == want.f_uint64 && got->f_fixed64 == want.f_fixed64 &&
                got->f_int32 == want.f_int32 && got->f_sint64 == want.f_sint64 &&
                got->f_bool == want.f_bool && got->f_bytes.len == want.f_bytes.len &&
                (want.f_bytes.len == 0 ||
                 memcmp(got->f_bytes.data, want.f_bytes.data, want.f_bytes.len) == 0) &&
                strcmp(text, want.f_string) == 0;
    if (!same)
        fprintf(stderr, "message %llu: got number %llu, %zu bytes, %zu chars; want %zu, %zu\n",
                (unsigned long long)seq, (unsigned long long)got->f_uint64, got->f_bytes.len,
                strlen(text), want.f_bytes.len, strlen(want.f_string));
    return same;
}

static int
send_series(void *arg)
{
    const fixture *f = arg;
    msgc_opts o = chan_opts();
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_dial(&ch, f->url, &o) == 0);
    rnd_store s;
    at_Scalars m;
    for (uint64_t seq = 0; seq < N_RANDOM; seq++) {
        make_random(&m, &s, seq);
        RT_CHECK(at_Scalars_encoded_size(&m) <= MAX_MSG);
        int rc = at_Scalars_send(ch, &m, 10000);
        if (rc)
            fprintf(stderr, "send %llu: %s (%s)\n", (unsigned long long)seq, msgc_errname(rc),
                    msgc_last_error()->detail);
        RT_CHECK(rc == 0);
    }
    msgc_close(ch);
    return 0;
}

static void
test_random_messages_arrive_once_in_order_and_intact(void **state)
{
    fixture *f = *state;
    msgc_opts o = chan_opts();
    msgc_chan *ch = NULL;
    assert_int_equal(msgc_listen(&ch, f->url, &o), 0);
    long long t0 = rt_now_ms();
    pid_t child = rt_spawn(send_series, f);
    at_Scalars m;
    at_Scalars_init(&m);
    uint64_t bad = 0, seq = 0;
    for (; seq < N_RANDOM; seq++) {
        int rc = at_Scalars_recv(ch, &m, 10000);
        if (rc) {
            fprintf(stderr, "recv %llu: %s (%s)\n", (unsigned long long)seq, msgc_errname(rc),
                    msgc_last_error()->detail);
            break;
        }
        if (!is_random(&m, seq) && ++bad > 10)
            break;
        at_Scalars_free(&m);
    }
    at_Scalars_free(&m);
    int status = rt_wait(child);
    /* Nothing more: no message came twice. */
    int after = at_Scalars_recv(ch, &m, 200);
    at_Scalars_free(&m);
    msgc_close(ch);
    fprintf(stderr, "%s: %llu random messages in %lld ms\n", f->kind, (unsigned long long)seq,
            rt_now_ms() - t0);
    assert_int_equal(status, 0);
    assert_int_equal(seq, N_RANDOM);
    assert_int_equal(bad, 0);
    assert_int_equal(after, MSGC_ETIMEDOUT);
}

/* --- running out of descriptors --- */

/* Descriptors taken to use up RLIMIT_NOFILE, and the limit to restore. */
typedef struct fd_fill {
    int fds[MAX_FILL];
    int n;
    struct rlimit old;
} fd_fill;

static int
highest_fd(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int hi = -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && atoi(e->d_name) > hi)
            hi = atoi(e->d_name);
    closedir(d);
    return hi;
}

/* Lowers the limit to what is open and fills every hole below it, then allows `spare`
 * more descriptors: exactly `spare` can still be created. */
static bool
fill_fds(fd_fill *b, int spare)
{
    b->n = 0;
    if (getrlimit(RLIMIT_NOFILE, &b->old) < 0)
        return false;
    int hi = highest_fd();
    struct rlimit low = {(rlim_t)hi + 1, b->old.rlim_max};
    if (hi < 0 || setrlimit(RLIMIT_NOFILE, &low) < 0)
        return false;
    int fd;
    while (b->n < MAX_FILL && (fd = dup(0)) >= 0)
        b->fds[b->n++] = fd;
    if (errno != EMFILE)
        return false;
    low.rlim_cur += (rlim_t)spare;
    return setrlimit(RLIMIT_NOFILE, &low) == 0;
}

static void
unfill_fds(fd_fill *b)
{
    while (b->n > 0)
        close(b->fds[--b->n]);
    setrlimit(RLIMIT_NOFILE, &b->old);
}

static int
probe_fill(void *arg)
{
    (void)arg;
    fd_fill b;
    return fill_fds(&b, 0) ? 0 : 1;
}

/* Whether this process may lower its own descriptor limit: valgrind, for one, refuses,
 * and the tests that need it are then skipped. */
static bool
fds_can_be_used_up(void)
{
    if (rt_wait(rt_spawn(probe_fill, NULL)) == 0)
        return true;
    fprintf(stderr, "RLIMIT_NOFILE cannot be lowered here: skipped\n");
    return false;
}

typedef int (*open_fn)(msgc_chan **ch, const char *url, const msgc_opts *opts);

/* In a child: opens a channel with 0, 1, 2, ... descriptors to spare until it succeeds.
 * Every failure must be MSGC_ESYS with EMFILE, leave no descriptor and no queue or socket
 * file behind, and the channel must open once enough descriptors are free. */
static int
open_short_of_fds(const fixture *f, open_fn open_chan, bool owns_addr)
{
    int before = rt_count_fds();
    fd_fill b;
    for (int spare = 0; spare < 32; spare++) {
        RT_CHECK(fill_fds(&b, spare));
        msgc_opts o = chan_opts();
        o.dial_timeout_ms = 0;
        msgc_chan *ch = NULL;
        int rc = open_chan(&ch, f->url, &o);
        int err = msgc_last_error()->sys_errno;
        if (rc)
            fprintf(stderr, "%s with %d spare: %s, errno %d (%s)\n", f->kind, spare,
                    msgc_errname(rc), err, msgc_last_error()->detail);
        msgc_close(ch);
        unfill_fds(&b);
        RT_CHECK(rt_count_fds() == before);
        if (rc == 0) {
            RT_CHECK(spare > 0);
            RT_CHECK(!owns_addr || !addr_exists(f));
            return 0;
        }
        RT_CHECK(rc == MSGC_ESYS);
        RT_CHECK(err == EMFILE);
        RT_CHECK(!owns_addr || !addr_exists(f));
    }
    return 99; /* never opened */
}

static int
listen_short_of_fds(void *arg)
{
    return open_short_of_fds(arg, msgc_listen, true);
}

static void
test_listen_without_a_free_descriptor_fails_with_emfile_then_recovers(void **state)
{
    fixture *f = *state;
    if (!fds_can_be_used_up())
        skip();
    assert_int_equal(rt_wait(rt_spawn(listen_short_of_fds, f)), 0);
}

/* A listener that answers handshakes until SIGTERM. */
static int
serve_until_stopped(void *arg)
{
    const fixture *f = arg;
    rt_stop_on_sigterm();
    msgc_opts o = chan_opts();
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_listen(&ch, f->url, &o) == 0);
    rt_stop_target(ch);
    at_Scalars m;
    int rc;
    while ((rc = at_Scalars_recv(ch, &m, -1)) == 0)
        at_Scalars_free(&m);
    rt_stop_target(NULL);
    msgc_close(ch);
    return rc == MSGC_ECLOSED ? 0 : 2;
}

static int
dial_short_of_fds(void *arg)
{
    return open_short_of_fds(arg, msgc_dial, false);
}

static void
test_dial_without_a_free_descriptor_fails_with_emfile_then_recovers(void **state)
{
    fixture *f = *state;
    if (!fds_can_be_used_up())
        skip();
    f->server = rt_spawn(serve_until_stopped, f);
    long long give_up = rt_now_ms() + 5000;
    while (!addr_exists(f) && rt_now_ms() < give_up)
        rt_sleep_ms(5);
    assert_int_equal(rt_wait(rt_spawn(dial_short_of_fds, f)), 0);
    rt_stop_server(f);
}

/* --- a unix listener that cannot accept --- */

typedef struct starved {
    fixture *f;
    int ready[2]; /* listener -> runner: its descriptors are used up */
    int go[2];    /* runner -> listener: a dialer is waiting in the backlog */
} starved;

static long long
cpu_us(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
           ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

/* The listener: out of descriptors while a dialer waits, it must sleep through its
 * timeout rather than spin, then accept the dialer once descriptors are free again. */
static int
starved_listener(void *arg)
{
    starved *s = arg;
    close(s->ready[0]);
    close(s->go[1]);
    msgc_opts o = chan_opts();
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_listen(&ch, s->f->url, &o) == 0);
    fd_fill b;
    RT_CHECK(fill_fds(&b, 0));
    char c = 'r';
    RT_CHECK(write(s->ready[1], &c, 1) == 1);
    RT_CHECK(read(s->go[0], &c, 1) == 1);
    at_Scalars m;
    at_Scalars_init(&m);
    long long cpu0 = cpu_us(), t0 = rt_now_ms();
    int rc = at_Scalars_recv(ch, &m, 500);
    long long cpu = cpu_us() - cpu0, ms = rt_now_ms() - t0;
    fprintf(stderr, "starved listener: %s after %lld ms, %lld us of CPU\n", msgc_errname(rc),
            ms, cpu);
    unfill_fds(&b);
    int rc2 = at_Scalars_recv(ch, &m, 3000);
    if (rc2)
        fprintf(stderr, "listener after the limit is raised: %s (%s)\n", msgc_errname(rc2),
                msgc_last_error()->detail);
    uint64_t got = m.f_uint64;
    at_Scalars_free(&m);
    /* Closed before any check, so a failure leaves no socket file behind. */
    msgc_close(ch);
    RT_CHECK(rc == MSGC_ETIMEDOUT);
    RT_CHECK(ms >= 490 && ms < 1500);
    RT_CHECK(cpu < 50000); /* under 10% of the window */
    RT_CHECK(rc2 == 0);
    RT_CHECK(got == 42);
    return 0;
}

static int
patient_dialer(void *arg)
{
    const fixture *f = arg;
    msgc_opts o = chan_opts();
    msgc_chan *ch = NULL;
    int rc = msgc_dial(&ch, f->url, &o);
    if (rc)
        fprintf(stderr, "patient dialer: %s (%s)\n", msgc_errname(rc), msgc_last_error()->detail);
    RT_CHECK(rc == 0);
    at_Scalars m;
    at_Scalars_init(&m);
    m.f_uint64 = 42;
    RT_CHECK(at_Scalars_send(ch, &m, 5000) == 0);
    msgc_close(ch);
    return 0;
}

static void
test_unix_listener_out_of_descriptors_sleeps_then_accepts_when_raised(void **state)
{
    fixture *f = *state;
    if (!fds_can_be_used_up())
        skip();
    starved s = {.f = f};
    assert_int_equal(pipe(s.ready), 0);
    assert_int_equal(pipe(s.go), 0);
    pid_t listener = rt_spawn(starved_listener, &s);
    close(s.ready[1]);
    close(s.go[0]);
    char c = 0;
    assert_int_equal(read(s.ready[0], &c, 1), 1);
    pid_t dialer = rt_spawn(patient_dialer, f);
    rt_sleep_ms(200); /* the dialer connects and waits in the backlog for its welcome */
    assert_int_equal(write(s.go[1], &c, 1), 1);
    int lst = rt_wait(listener);
    int dst = rt_wait(dialer);
    close(s.ready[0]);
    close(s.go[1]);
    assert_int_equal(lst, 0);
    assert_int_equal(dst, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        RT_BOTH(test_random_messages_arrive_once_in_order_and_intact),
        RT_BOTH(test_listen_without_a_free_descriptor_fails_with_emfile_then_recovers),
        RT_BOTH(test_dial_without_a_free_descriptor_fails_with_emfile_then_recovers),
        cmocka_unit_test_prestate_setup_teardown(
            test_unix_listener_out_of_descriptors_sleeps_then_accepts_when_raised,
            rt_fixture_setup, rt_fixture_teardown, "unix"),
    };
    return cmocka_run_group_tests_name("faults", tests, NULL, NULL);
}
