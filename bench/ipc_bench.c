/* ipc_bench.c - messages per second one way and RPC round-trip times through the stubs
 * msgc generates (bench.msg), over POSIX message queues and Unix domain sockets, beside a
 * plain mq_send/mq_receive and SOCK_SEQPACKET send/recv in the same run.
 *
 *     ipc_bench [N]     N round trips per RPC and ping-pong test (default 20000);
 *                       the one-way tests move 5 x N messages
 *
 * Every test runs twice: with both processes pinned to one CPU (sched_setaffinity), where
 * each message costs a context switch, and unpinned, where the two sides may run on two
 * CPUs. Messages are 64 bytes: a 64-byte protobuf body for the stubs (msgc adds its
 * 48-byte frame header) and 64 raw bytes for the baselines. Round-trip times are the
 * median and the 99th percentile of N timed calls, after a warm-up of N / 10.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.msg.h"

#define RAW_SIZE 64

static unsigned g_n = 20000;
static unsigned g_names;

/* --- helpers --- */

static uint64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
die(const char *what, int rc)
{
    if (rc < 0 && msgc_errname(rc))
        fprintf(stderr, "ipc_bench: %s: %s (%s)\n", what, msgc_strerror(rc),
                msgc_last_error()->detail);
    else
        fprintf(stderr, "ipc_bench: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* A name unique to this run: "mq:/msgc-bench-<pid>-<n>" or "unix:@msgc-bench-<pid>-<n>". */
static void
make_url(char *buf, size_t cap, const char *transport)
{
    snprintf(buf, cap, "%s:%smsgc-bench-%ld-%u", transport,
             strcmp(transport, "mq") == 0 ? "/" : "@", (long)getpid(), ++g_names);
}

static pid_t
spawn(int (*fn)(void *), void *arg)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        die("fork", 0);
    if (pid == 0)
        _exit(fn(arg));
    return pid;
}

static void
reap(pid_t pid, const char *what)
{
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "ipc_bench: %s: child failed (status 0x%x)\n", what, st);
        exit(1);
    }
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Prints the median and p99 of the n round-trip times in rtt (sorted here). */
static void
print_rtt(const char *label, uint64_t *rtt, size_t n)
{
    qsort(rtt, n, sizeof *rtt, cmp_u64);
    printf("  %-40s median %7.2f us   p99 %7.2f us\n", label, (double)rtt[n / 2] / 1e3,
           (double)rtt[n * 99 / 100] / 1e3);
}

static void
print_rate(const char *label, size_t n, uint64_t ns)
{
    printf("  %-40s %9.0f msg/s   (%.2f us each)\n", label, (double)n * 1e9 / (double)ns,
           (double)ns / 1e3 / (double)n);
}

static void
fill_blob(bench_Blob *b)
{
    bench_Blob_init(b);
    b->data.len = sizeof b->data.data;
    memset(b->data.data, 0x5a, b->data.len);
}

/* --- generated stubs: one way --- */

typedef struct send_arg {
    const char *url;
    size_t n;     /* messages to send */
    size_t batch; /* 1: bench_Blob_send; more: bench_Blob_send_many */
} send_arg;

static int
stub_sender(void *argv)
{
    const send_arg *a = argv;
    msgc_opts o = MSGC_OPTS_INIT;
    o.dial_timeout_ms = 5000;
    msgc_chan *ch = NULL;
    if (msgc_dial(&ch, a->url, &o) != 0)
        return 1;
    bench_Blob b[64];
    for (size_t i = 0; i < a->batch; i++)
        fill_blob(&b[i]);
    int rc = 0;
    for (size_t done = 0; done < a->n && rc == 0;) {
        size_t k = a->n - done < a->batch ? a->n - done : a->batch, sent = 0;
        rc = k == 1 ? bench_Blob_send(ch, b, -1) : bench_Blob_send_many(ch, b, k, &sent, -1);
        done += k == 1 ? 1 : sent;
    }
    msgc_close(ch);
    return rc != 0;
}

/* A listener sized for Blobs: small queues leave the RLIMIT_MSGQUEUE budget alone. */
static msgc_chan *
listen_blobs(const char *url)
{
    msgc_opts o = MSGC_OPTS_INIT;
    o.max_msg = bench_Blob_MAX_SIZE;
    msgc_chan *ch = NULL;
    int rc = msgc_listen(&ch, url, &o);
    if (rc != 0)
        die(url, rc);
    return ch;
}

static void
stub_one_way(const char *transport, size_t batch)
{
    char url[96];
    make_url(url, sizeof url, transport);
    msgc_chan *ch = listen_blobs(url);
    size_t n = (size_t)g_n * 5;
    send_arg a = {.url = url, .n = n + 1, .batch = batch};
    pid_t pid = spawn(stub_sender, &a);
    bench_Blob b[64];
    for (size_t i = 0; i < 64; i++)
        bench_Blob_init(&b[i]);
    /* The clock starts at the first message: the dial and handshake are not measured. */
    int rc = bench_Blob_recv(ch, b, 10000);
    if (rc != 0)
        die("recv", rc);
    uint64_t t0 = now_ns();
    for (size_t got = 0; got < n;) {
        size_t k = 0;
        rc = batch == 1 ? bench_Blob_recv(ch, b, 10000)
                        : bench_Blob_recv_many(ch, b, batch, &k, 10000);
        if (rc != 0 || b[0].data.len != sizeof b[0].data.data)
            die("recv", rc);
        got += batch == 1 ? 1 : k;
    }
    uint64_t ns = now_ns() - t0;
    reap(pid, "sender");
    msgc_close(ch);
    char label[64];
    if (batch == 1)
        snprintf(label, sizeof label, "stubs one way (send/recv)");
    else
        snprintf(label, sizeof label, "stubs one way (send_many/recv_many %zu)", batch);
    print_rate(label, n, ns);
}

/* --- generated stubs: RPC --- */

static msgc_chan *g_server;

static void
on_term(int sig)
{
    (void)sig;
    msgc_stop(g_server);
}

static int
on_ping(void *ctx, const msgc_call *call, const bench_Blob *req, bench_Blob *rep)
{
    (void)ctx;
    (void)call;
    *rep = *req;
    return 0;
}

static const bench_Echo_handlers echo_handlers = {.Ping = on_ping};

static void
stub_rpc(const char *transport, uint64_t *rtt)
{
    char url[96];
    make_url(url, sizeof url, transport);
    /* SIGTERM stays blocked in the server until its channel exists. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &old);
    pid_t pid = fork();
    if (pid == 0) {
        g_server = listen_blobs(url);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_term;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        int rc = bench_Echo_serve(g_server, &echo_handlers, NULL);
        msgc_close(g_server);
        _exit(rc != 0);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (pid < 0)
        die("fork", 0);
    msgc_opts o = MSGC_OPTS_INIT;
    o.dial_timeout_ms = 5000;
    msgc_chan *ch = NULL;
    int rc = msgc_dial(&ch, url, &o);
    if (rc != 0)
        die("dial", rc);
    bench_Blob req, rep;
    fill_blob(&req);
    bench_Blob_init(&rep);
    for (unsigned i = 0; i < g_n / 10 + g_n; i++) {
        uint64_t t0 = now_ns();
        rc = bench_Echo_Ping(ch, &req, &rep, 5000);
        if (rc != 0 || rep.data.len != req.data.len)
            die("Ping", rc);
        if (i >= g_n / 10)
            rtt[i - g_n / 10] = now_ns() - t0;
    }
    msgc_close(ch);
    kill(pid, SIGTERM);
    reap(pid, "server");
    print_rtt("stubs rpc (Echo.Ping)", rtt, g_n);
}

/* --- plain POSIX queues --- */

typedef struct raw_mq {
    char a[64], b[64]; /* a: requests, b: replies */
    mqd_t qa, qb;
} raw_mq;

static void
raw_mq_open(raw_mq *r)
{
    struct mq_attr at = {.mq_maxmsg = 8, .mq_msgsize = RAW_SIZE};
    snprintf(r->a, sizeof r->a, "/msgc-bench-%ld-%u", (long)getpid(), ++g_names);
    snprintf(r->b, sizeof r->b, "/msgc-bench-%ld-%u", (long)getpid(), ++g_names);
    r->qa = mq_open(r->a, O_RDWR | O_CREAT | O_EXCL, 0600, &at);
    r->qb = mq_open(r->b, O_RDWR | O_CREAT | O_EXCL, 0600, &at);
    if (r->qa == (mqd_t)-1 || r->qb == (mqd_t)-1)
        die("mq_open", 0);
}

static void
raw_mq_close(raw_mq *r)
{
    mq_close(r->qa);
    mq_close(r->qb);
    mq_unlink(r->a);
    mq_unlink(r->b);
}

static int
raw_mq_echo(void *argv)
{
    raw_mq *r = argv;
    char buf[RAW_SIZE];
    for (;;) {
        ssize_t n = mq_receive(r->qa, buf, sizeof buf, NULL);
        if (n == 1) /* the stop message */
            return 0;
        if (n != RAW_SIZE || mq_send(r->qb, buf, RAW_SIZE, 0) != 0)
            return 1;
    }
}

static int
raw_mq_sender(void *argv)
{
    raw_mq *r = argv;
    char buf[RAW_SIZE] = {0};
    for (size_t i = 0; i < (size_t)g_n * 5 + 1; i++)
        if (mq_send(r->qa, buf, RAW_SIZE, 0) != 0)
            return 1;
    return 0;
}

static void
raw_mq_tests(uint64_t *rtt)
{
    raw_mq r;
    raw_mq_open(&r);
    char buf[RAW_SIZE] = {0};
    size_t n = (size_t)g_n * 5;
    pid_t pid = spawn(raw_mq_sender, &r);
    if (mq_receive(r.qa, buf, sizeof buf, NULL) != RAW_SIZE)
        die("mq_receive", 0);
    uint64_t t0 = now_ns();
    for (size_t i = 0; i < n; i++)
        if (mq_receive(r.qa, buf, sizeof buf, NULL) != RAW_SIZE)
            die("mq_receive", 0);
    uint64_t ns = now_ns() - t0;
    reap(pid, "mq sender");
    print_rate("plain mq_send/mq_receive one way", n, ns);

    pid = spawn(raw_mq_echo, &r);
    for (unsigned i = 0; i < g_n / 10 + g_n; i++) {
        uint64_t t = now_ns();
        if (mq_send(r.qa, buf, RAW_SIZE, 0) != 0 ||
            mq_receive(r.qb, buf, sizeof buf, NULL) != RAW_SIZE)
            die("mq ping-pong", 0);
        if (i >= g_n / 10)
            rtt[i - g_n / 10] = now_ns() - t;
    }
    if (mq_send(r.qa, buf, 1, 0) != 0)
        die("mq_send", 0);
    reap(pid, "mq echo");
    raw_mq_close(&r);
    print_rtt("plain mq ping-pong", rtt, g_n);
}

/* --- plain SOCK_SEQPACKET --- */

static int
raw_sock_echo(void *argv)
{
    int fd = *(int *)argv;
    char buf[RAW_SIZE];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n == 0)
            return 0;
        if (n != RAW_SIZE || send(fd, buf, RAW_SIZE, MSG_NOSIGNAL) != RAW_SIZE)
            return 1;
    }
}

static int
raw_sock_sender(void *argv)
{
    int fd = *(int *)argv;
    char buf[RAW_SIZE] = {0};
    for (size_t i = 0; i < (size_t)g_n * 5 + 1; i++)
        if (send(fd, buf, RAW_SIZE, MSG_NOSIGNAL) != RAW_SIZE)
            return 1;
    return 0;
}

/* Runs fn in a child on one end of a fresh socket pair; *mine is the other end. */
static pid_t
sock_child(int (*fn)(void *), int *mine)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        die("socketpair", 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        _exit(fn(&sv[1]));
    }
    close(sv[1]);
    *mine = sv[0];
    return pid;
}

static void
raw_sock_tests(uint64_t *rtt)
{
    char buf[RAW_SIZE] = {0};
    size_t n = (size_t)g_n * 5;
    int fd;
    pid_t pid = sock_child(raw_sock_sender, &fd);
    if (recv(fd, buf, sizeof buf, 0) != RAW_SIZE)
        die("recv", 0);
    uint64_t t0 = now_ns();
    for (size_t i = 0; i < n; i++)
        if (recv(fd, buf, sizeof buf, 0) != RAW_SIZE)
            die("recv", 0);
    uint64_t ns = now_ns() - t0;
    reap(pid, "socket sender");
    close(fd);
    print_rate("plain SOCK_SEQPACKET send/recv one way", n, ns);

    pid = sock_child(raw_sock_echo, &fd);
    for (unsigned i = 0; i < g_n / 10 + g_n; i++) {
        uint64_t t = now_ns();
        if (send(fd, buf, RAW_SIZE, MSG_NOSIGNAL) != RAW_SIZE ||
            recv(fd, buf, sizeof buf, 0) != RAW_SIZE)
            die("socket ping-pong", 0);
        if (i >= g_n / 10)
            rtt[i - g_n / 10] = now_ns() - t;
    }
    close(fd);
    reap(pid, "socket echo");
    print_rtt("plain SOCK_SEQPACKET ping-pong", rtt, g_n);
}

/* --- the run --- */

static void
run_all(const char *mode, uint64_t *rtt)
{
    printf("%s\n", mode);
    printf(" mq:\n");
    stub_one_way("mq", 1);
    stub_one_way("mq", 16);
    raw_mq_tests(rtt);
    stub_rpc("mq", rtt);
    printf(" unix:\n");
    stub_one_way("unix", 1);
    stub_one_way("unix", 16);
    raw_sock_tests(rtt);
    stub_rpc("unix", rtt);
}

int
main(int argc, char **argv)
{
    if (argc > 2 || (argc == 2 && atoi(argv[1]) < 100)) {
        fprintf(stderr, "usage: ipc_bench [ROUND_TRIPS >= 100]\n");
        return 2;
    }
    if (argc == 2)
        g_n = (unsigned)atoi(argv[1]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    uint64_t *rtt = malloc(g_n * sizeof *rtt);
    if (!rtt)
        die("malloc", 0);
    cpu_set_t all, one;
    if (sched_getaffinity(0, sizeof all, &all) != 0)
        die("sched_getaffinity", 0);
    int cpu = 0;
    while (cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &all))
        cpu++;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    printf("ipc_bench: 64-byte messages, %u round trips, %u one-way messages per test, "
           "%d CPUs available\n",
           g_n, g_n * 5, CPU_COUNT(&all));
    /* Children inherit the mask, so both sides of every test share the CPU. */
    if (sched_setaffinity(0, sizeof one, &one) != 0)
        die("sched_setaffinity", 0);
    char mode[64];
    snprintf(mode, sizeof mode, "pinned: both processes on CPU %d", cpu);
    run_all(mode, rtt);
    if (sched_setaffinity(0, sizeof all, &all) != 0)
        die("sched_setaffinity", 0);
    run_all("unpinned: any CPU", rtt);
    free(rtt);
    return 0;
}
