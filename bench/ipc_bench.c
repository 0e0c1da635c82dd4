/* ipc_bench.c - messages per second one way and RPC round-trip times through the stubs
 * msgc generates (bench.msg), over POSIX message queues and Unix domain sockets, beside
 * plain kernel loops and ZeroMQ ipc:// in the same run.
 *
 *     ipc_bench [-n N] [-r REPS] [-s SIZE] [-m pinned|unpinned|both] [FILTER]
 *
 *     -n N      round trips per RPC test (default 20000); one-way tests move 5 x N messages
 *     -r REPS   runs of each test (default 5); the table shows the median run
 *     -s SIZE   64 or 4096: only that message size (default: both)
 *     -m MODE   pinned: both processes on one CPU; unpinned: any CPU (default: both)
 *     -x        run only the tests FILTER names, without their baselines (for profiling)
 *     FILTER    only the tests whose name contains FILTER ("mq", "unix stubs rpc"), and
 *               their baselines
 *
 * Messages are 64 bytes or 4 KiB: a protobuf body of exactly that size for the stubs
 * (msgc adds its 48-byte frame header) and that many raw bytes for the baselines.
 * send_many/recv_many move batches of 16, 64 and 256 messages; their listener has the
 * transport's default frame size (8 KiB on mq, 64 KiB on unix), so a frame can carry many
 * messages as records of one BATCH frame (docs/protocol.md). The single-message listeners
 * are sized for one message.
 *
 * The baselines are what a program without msgc would write. The one-way loops block in
 * the kernel (mq_send/mq_receive, send/recv on an accepted connection, and the batched
 * sendmmsg/recvmmsg floor). The ping-pong servers wait as a real server does: the queue
 * server polls its queue and a stop eventfd, the socket server runs epoll over its
 * listening socket, its connections and a stop eventfd; their clients block in the
 * kernel. Round-trip times are the median and the 99th percentile of N timed calls after
 * a warm-up of N / 10. Rates time the receiver from its first message, so connection
 * set-up is not measured.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "bench.msg.h"

/* The raw sendmmsg/recvmmsg batch, and the largest send_many/recv_many batch. */
#define BATCH 16
#define MAX_BATCH 256
#define MAX_SIZE 4096
#define RPC_TIMEOUT_MS 5000

static unsigned g_n = 20000;
static unsigned g_reps = 5;
static unsigned g_names;
static bool g_alone; /* -x: no baselines beside the chosen tests */
static size_t g_size; /* bytes per message in the current table */
static const struct msg_ops *g_ops;

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

/* A name unique to this run, such as "msgc-bench-<pid>-<n>". */
static void
make_name(char *buf, size_t cap, const char *prefix)
{
    snprintf(buf, cap, "%smsgc-bench-%ld-%u", prefix, (long)getpid(), ++g_names);
}

/* Forks fn(arg) as the other side of a test; it dies with its parent. */
static pid_t
spawn(int (*fn)(void *), void *arg)
{
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        die("fork", 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        _exit(fn(arg));
    }
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
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double
median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return v[n / 2];
}

/* What one run of a test measured: a rate, or round-trip times. */
typedef struct result {
    double rate;   /* messages per second */
    double med_us; /* round trip */
    double p99_us;
} result;

/* Times n round trips of rt() after a warm-up of n / 10. */
static void
time_round_trips(void (*rt)(void *), void *arg, result *r)
{
    double *v = malloc(g_n * sizeof *v);
    if (!v)
        die("malloc", 0);
    for (unsigned i = 0; i < g_n / 10 + g_n; i++) {
        uint64_t t0 = now_ns();
        rt(arg);
        if (i >= g_n / 10)
            v[i - g_n / 10] = (double)(now_ns() - t0) / 1e3;
    }
    qsort(v, g_n, sizeof *v, cmp_double);
    r->med_us = v[g_n / 2];
    r->p99_us = v[(size_t)g_n * 99 / 100];
    free(v);
}

/* --- the typed messages of each size --- */

typedef struct msg_ops {
    size_t size;        /* encoded bytes */
    size_t struct_size;
    size_t max_msg;     /* for msgc_opts.max_msg */
    size_t data_max;    /* bytes of data in a filled message */
    void (*fill)(void *m);
    void (*init)(void *m);
    size_t (*data_len)(const void *m);
    int (*send)(msgc_chan *ch, const void *m, int timeout_ms);
    int (*recv)(msgc_chan *ch, void *m, int timeout_ms);
    int (*send_many)(msgc_chan *ch, const void *ms, size_t n, size_t *sent, int timeout_ms);
    int (*recv_many)(msgc_chan *ch, void *ms, size_t n, size_t *got, int timeout_ms);
    int (*call)(msgc_chan *ch, const void *req, void *rep, int timeout_ms);
    int (*serve)(msgc_chan *ch);
} msg_ops;

/* The typed stubs of message T (service S echoes it), behind msg_ops. */
#define MSG_OPS(T, S, SIZE)                                                                  \
    static void T##_fill(void *m)                                                            \
    {                                                                                        \
        bench_##T *b = m;                                                                    \
        bench_##T##_init(b);                                                                 \
        b->data.len = sizeof b->data.data;                                                   \
        memset(b->data.data, 0x5a, b->data.len);                                             \
    }                                                                                        \
    static void T##_init(void *m) { bench_##T##_init(m); }                                   \
    static size_t T##_data_len(const void *m) { return ((const bench_##T *)m)->data.len; }   \
    static int T##_send(msgc_chan *ch, const void *m, int t) { return bench_##T##_send(ch, m, t); } \
    static int T##_recv(msgc_chan *ch, void *m, int t) { return bench_##T##_recv(ch, m, t); } \
    static int T##_send_many(msgc_chan *ch, const void *ms, size_t n, size_t *k, int t)      \
    {                                                                                        \
        return bench_##T##_send_many(ch, ms, n, k, t);                                       \
    }                                                                                        \
    static int T##_recv_many(msgc_chan *ch, void *ms, size_t n, size_t *k, int t)            \
    {                                                                                        \
        return bench_##T##_recv_many(ch, ms, n, k, t);                                       \
    }                                                                                        \
    static int T##_call(msgc_chan *ch, const void *req, void *rep, int t)                    \
    {                                                                                        \
        return bench_##S##_Ping(ch, req, rep, t);                                            \
    }                                                                                        \
    static int T##_ping(void *ctx, const msgc_call *call, const bench_##T *req,              \
                        bench_##T *rep)                                                      \
    {                                                                                        \
        (void)ctx;                                                                           \
        (void)call;                                                                          \
        *rep = *req;                                                                         \
        return 0;                                                                            \
    }                                                                                        \
    static const bench_##S##_handlers T##_handlers = {.Ping = T##_ping};                     \
    static int T##_serve(msgc_chan *ch) { return bench_##S##_serve(ch, &T##_handlers, NULL); } \
    static const msg_ops T##_ops = {SIZE, sizeof(bench_##T), bench_##T##_MAX_SIZE,           \
                                    sizeof(((bench_##T *)0)->data.data),                     \
                                    T##_fill,      T##_init,          T##_data_len,          \
                                    T##_send,      T##_recv,          T##_send_many,         \
                                    T##_recv_many, T##_call,          T##_serve};

MSG_OPS(Blob, Echo, 64)
MSG_OPS(Page, PageEcho, 4096)

/* --- generated stubs: one way --- */

typedef struct stub_arg {
    char url[96];
    size_t n;     /* messages to send */
    size_t batch; /* 1: send; more: send_many */
} stub_arg;

static int
stub_sender(void *argv)
{
    const stub_arg *a = argv;
    msgc_opts o = MSGC_OPTS_INIT;
    o.dial_timeout_ms = 5000;
    msgc_chan *ch = NULL;
    if (msgc_dial(&ch, a->url, &o) != 0)
        return 1;
    char *ms = malloc(MAX_BATCH * g_ops->struct_size);
    if (!ms)
        return 1;
    for (size_t i = 0; i < MAX_BATCH; i++)
        g_ops->fill(ms + i * g_ops->struct_size);
    int rc = 0;
    for (size_t done = 0; done < a->n && rc == 0;) {
        size_t k = a->n - done < a->batch ? a->n - done : a->batch, sent = 0;
        rc = k == 1 ? g_ops->send(ch, ms, -1) : g_ops->send_many(ch, ms, k, &sent, -1);
        done += k == 1 ? 1 : sent;
    }
    free(ms);
    msgc_close(ch);
    return rc != 0;
}

/* A listener sized for the current message (small queues leave the RLIMIT_MSGQUEUE budget
 * to others), or with the default frame size when batches are to be packed. */
static msgc_chan *
stub_listen(const char *url, bool batches)
{
    msgc_opts o = MSGC_OPTS_INIT;
    o.max_msg = batches ? 0 : g_ops->max_msg;
    msgc_chan *ch = NULL;
    int rc = msgc_listen(&ch, url, &o);
    if (rc != 0)
        die(url, rc);
    return ch;
}

static void
stub_one_way(const char *prefix, size_t batch, result *r)
{
    stub_arg a = {.n = (size_t)g_n * 5 + 1, .batch = batch};
    make_name(a.url, sizeof a.url, prefix);
    msgc_chan *ch = stub_listen(a.url, batch > 1);
    pid_t pid = spawn(stub_sender, &a);
    char *ms = malloc(MAX_BATCH * g_ops->struct_size);
    if (!ms)
        die("malloc", 0);
    for (size_t i = 0; i < MAX_BATCH; i++)
        g_ops->init(ms + i * g_ops->struct_size);
    int rc = g_ops->recv(ch, ms, 10000);
    if (rc != 0)
        die("recv", rc);
    size_t n = a.n - 1;
    uint64_t t0 = now_ns();
    for (size_t got = 0; got < n;) {
        size_t k = 0, want = n - got < batch ? n - got : batch;
        rc = batch == 1 ? g_ops->recv(ch, ms, 10000)
                        : g_ops->recv_many(ch, ms, want, &k, 10000);
        if (rc != 0 || g_ops->data_len(ms) != g_ops->data_max)
            die("recv", rc);
        got += batch == 1 ? 1 : k;
    }
    r->rate = (double)n * 1e9 / (double)(now_ns() - t0);
    reap(pid, "stub sender");
    free(ms);
    msgc_close(ch);
}

static void
mq_stub_one_way(result *r)
{
    stub_one_way("mq:/", 1, r);
}

static void
mq_stub_many_16(result *r)
{
    stub_one_way("mq:/", 16, r);
}

static void
mq_stub_many_64(result *r)
{
    stub_one_way("mq:/", 64, r);
}

static void
mq_stub_many_256(result *r)
{
    stub_one_way("mq:/", 256, r);
}

static void
unix_stub_one_way(result *r)
{
    stub_one_way("unix:@", 1, r);
}

static void
unix_stub_many_16(result *r)
{
    stub_one_way("unix:@", 16, r);
}

static void
unix_stub_many_64(result *r)
{
    stub_one_way("unix:@", 64, r);
}

static void
unix_stub_many_256(result *r)
{
    stub_one_way("unix:@", 256, r);
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
stub_server(void *argv)
{
    const char *url = argv;
    g_server = stub_listen(url, false);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &term, NULL);
    int rc = g_ops->serve(g_server);
    msgc_close(g_server);
    return rc != 0;
}

typedef struct rpc_arg {
    msgc_chan *ch;
    void *req, *rep;
    int timeout_ms;
} rpc_arg;

static void
stub_round_trip(void *argv)
{
    rpc_arg *a = argv;
    int rc = g_ops->call(a->ch, a->req, a->rep, a->timeout_ms);
    if (rc != 0 || g_ops->data_len(a->rep) != g_ops->data_len(a->req))
        die("Ping", rc);
}

static void
stub_rpc(const char *prefix, int timeout_ms, result *r)
{
    char url[96];
    make_name(url, sizeof url, prefix);
    /* SIGTERM stays blocked in the server until its channel exists. */
    sigset_t term, old;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &old);
    pid_t pid = spawn(stub_server, url);
    sigprocmask(SIG_SETMASK, &old, NULL);
    msgc_opts o = MSGC_OPTS_INIT;
    o.dial_timeout_ms = 5000;
    rpc_arg a = {.timeout_ms = timeout_ms};
    int rc = msgc_dial(&a.ch, url, &o);
    if (rc != 0)
        die("dial", rc);
    a.req = malloc(g_ops->struct_size);
    a.rep = malloc(g_ops->struct_size);
    if (!a.req || !a.rep)
        die("malloc", 0);
    g_ops->fill(a.req);
    g_ops->init(a.rep);
    time_round_trips(stub_round_trip, &a, r);
    msgc_close(a.ch);
    free(a.req);
    free(a.rep);
    kill(pid, SIGTERM);
    reap(pid, "stub server");
}

static void
mq_stub_rpc(result *r)
{
    stub_rpc("mq:/", -1, r);
}

static void
mq_stub_rpc_timed(result *r)
{
    stub_rpc("mq:/", RPC_TIMEOUT_MS, r);
}

static void
unix_stub_rpc(result *r)
{
    stub_rpc("unix:@", -1, r);
}

static void
unix_stub_rpc_timed(result *r)
{
    stub_rpc("unix:@", RPC_TIMEOUT_MS, r);
}

/* --- plain POSIX queues --- */

typedef struct raw_mq {
    char a[64], b[64]; /* a: requests, b: replies */
    mqd_t qa, qb;
    int stop_fd;
} raw_mq;

static void
raw_mq_open(raw_mq *q)
{
    struct mq_attr at = {.mq_maxmsg = 8, .mq_msgsize = (long)g_size};
    make_name(q->a, sizeof q->a, "/");
    make_name(q->b, sizeof q->b, "/");
    q->qa = mq_open(q->a, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &at);
    q->qb = mq_open(q->b, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &at);
    /* The names go at once: nothing is left behind, whatever happens next. */
    mq_unlink(q->a);
    mq_unlink(q->b);
    q->stop_fd = eventfd(0, EFD_CLOEXEC);
    if (q->qa == (mqd_t)-1 || q->qb == (mqd_t)-1 || q->stop_fd < 0)
        die("mq_open", 0);
}

static void
raw_mq_close(raw_mq *q)
{
    mq_close(q->qa);
    mq_close(q->qb);
    close(q->stop_fd);
}

static int
raw_mq_sender(void *argv)
{
    raw_mq *q = argv;
    char buf[MAX_SIZE] = {0};
    for (size_t i = 0; i < (size_t)g_n * 5 + 1; i++)
        if (mq_send(q->qa, buf, g_size, 0) != 0)
            return 1;
    return 0;
}

static void
raw_mq_one_way(result *r)
{
    raw_mq q;
    raw_mq_open(&q);
    char buf[MAX_SIZE];
    size_t n = (size_t)g_n * 5;
    pid_t pid = spawn(raw_mq_sender, &q);
    if (mq_receive(q.qa, buf, sizeof buf, NULL) != (ssize_t)g_size)
        die("mq_receive", 0);
    uint64_t t0 = now_ns();
    for (size_t i = 0; i < n; i++)
        if (mq_receive(q.qa, buf, sizeof buf, NULL) != (ssize_t)g_size)
            die("mq_receive", 0);
    r->rate = (double)n * 1e9 / (double)(now_ns() - t0);
    reap(pid, "mq sender");
    raw_mq_close(&q);
}

/* A queue server as a real one is written: it waits in poll for its queue or its stop
 * descriptor, then receives without blocking. A 1-byte message ends it. */
static int
raw_mq_server(void *argv)
{
    raw_mq *q = argv;
    struct mq_attr at;
    mq_getattr(q->qa, &at);
    at.mq_flags = O_NONBLOCK;
    mq_setattr(q->qa, &at, NULL);
    char buf[MAX_SIZE];
    for (;;) {
        struct pollfd p[2] = {{.fd = q->qa, .events = POLLIN},
                              {.fd = q->stop_fd, .events = POLLIN}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            return 1;
        if (p[1].revents)
            return 0;
        ssize_t n = mq_receive(q->qa, buf, sizeof buf, NULL);
        if (n < 0 && errno == EAGAIN)
            continue;
        if (n == 1)
            return 0;
        if (n != (ssize_t)g_size || mq_send(q->qb, buf, g_size, 0) != 0)
            return 1;
    }
}

static void
raw_mq_round_trip(void *argv)
{
    raw_mq *q = argv;
    char buf[MAX_SIZE] = {0};
    if (mq_send(q->qa, buf, g_size, 0) != 0 ||
        mq_receive(q->qb, buf, sizeof buf, NULL) != (ssize_t)g_size)
        die("mq ping-pong", 0);
}

static void
raw_mq_rpc(result *r)
{
    raw_mq q;
    raw_mq_open(&q);
    pid_t pid = spawn(raw_mq_server, &q);
    time_round_trips(raw_mq_round_trip, &q, r);
    if (mq_send(q.qa, "", 1, 0) != 0)
        die("mq_send", 0);
    reap(pid, "mq server");
    raw_mq_close(&q);
}

/* --- plain SOCK_SEQPACKET --- */

typedef struct raw_sock {
    struct sockaddr_un sa;
    socklen_t len;
    int lfd;     /* the listening socket */
    int stop_fd; /* the server's stop eventfd */
    size_t batch;
} raw_sock;

/* A listening SOCK_SEQPACKET socket on a fresh abstract name. */
static void
raw_sock_listen(raw_sock *s, size_t batch)
{
    char name[64];
    make_name(name, sizeof name, "");
    memset(s, 0, sizeof *s);
    s->batch = batch;
    s->sa.sun_family = AF_UNIX;
    memcpy(s->sa.sun_path + 1, name, strlen(name));
    s->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
    s->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    s->stop_fd = eventfd(0, EFD_CLOEXEC);
    if (s->lfd < 0 || s->stop_fd < 0 || bind(s->lfd, (struct sockaddr *)&s->sa, s->len) != 0 ||
        listen(s->lfd, 16) != 0)
        die("listen", 0);
}

static int
raw_sock_connect(const raw_sock *s)
{
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (const struct sockaddr *)&s->sa, s->len) != 0)
        return -1;
    return fd;
}

static int
raw_sock_sender(void *argv)
{
    raw_sock *s = argv;
    close(s->lfd);
    int fd = raw_sock_connect(s);
    if (fd < 0)
        return 1;
    static char buf[BATCH][MAX_SIZE];
    struct mmsghdr mh[BATCH];
    struct iovec iov[BATCH];
    for (size_t i = 0; i < BATCH; i++) {
        iov[i] = (struct iovec){.iov_base = buf[i], .iov_len = g_size};
        mh[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
    }
    size_t n = (size_t)g_n * 5 + 1;
    for (size_t i = 0; i < n;) {
        if (s->batch == 1) {
            if (send(fd, buf[0], g_size, MSG_NOSIGNAL) != (ssize_t)g_size)
                return 1;
            i++;
            continue;
        }
        unsigned k = n - i < s->batch ? (unsigned)(n - i) : (unsigned)s->batch;
        int sent = sendmmsg(fd, mh, k, MSG_NOSIGNAL);
        if (sent <= 0)
            return 1;
        i += (size_t)sent;
    }
    close(fd);
    return 0;
}

static void
raw_sock_one_way_batch(size_t batch, result *r)
{
    raw_sock s;
    raw_sock_listen(&s, batch);
    pid_t pid = spawn(raw_sock_sender, &s);
    int fd = accept4(s.lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        die("accept", 0);
    static char buf[BATCH][MAX_SIZE];
    struct mmsghdr mh[BATCH];
    struct iovec iov[BATCH];
    for (size_t i = 0; i < BATCH; i++) {
        iov[i] = (struct iovec){.iov_base = buf[i], .iov_len = MAX_SIZE};
        mh[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
    }
    if (recv(fd, buf[0], MAX_SIZE, 0) != (ssize_t)g_size)
        die("recv", 0);
    size_t n = (size_t)g_n * 5;
    uint64_t t0 = now_ns();
    for (size_t got = 0; got < n;) {
        if (batch == 1) {
            if (recv(fd, buf[0], MAX_SIZE, 0) != (ssize_t)g_size)
                die("recv", 0);
            got++;
            continue;
        }
        int k = recvmmsg(fd, mh, (unsigned)batch, 0, NULL);
        if (k <= 0 || mh[0].msg_len != g_size)
            die("recvmmsg", 0);
        got += (size_t)k;
    }
    r->rate = (double)n * 1e9 / (double)(now_ns() - t0);
    reap(pid, "socket sender");
    close(fd);
    close(s.lfd);
    close(s.stop_fd);
}

static void
raw_sock_one_way(result *r)
{
    raw_sock_one_way_batch(1, r);
}

static void
raw_sock_many(result *r)
{
    raw_sock_one_way_batch(BATCH, r);
}

/* Echoes one frame of connection fd; 0 when the peer hung up, -1 on an error. */
static int
raw_sock_echo(int fd)
{
    char buf[MAX_SIZE];
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0)
        return errno == EAGAIN ? 1 : -1;
    if (n == 0)
        return 0;
    return send(fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) == n ? 1 : -1;
}

/* A socket server as a real one is written: epoll over its listening socket, its
 * connections and a stop eventfd. It ends when its client hangs up. */
static int
raw_sock_server(void *argv)
{
    raw_sock *s = argv;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = s->lfd};
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, s->lfd, &ev) != 0)
        return 1;
    ev.data.fd = s->stop_fd;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, s->stop_fd, &ev) != 0)
        return 1;
    for (;;) {
        struct epoll_event got[16];
        int k = epoll_wait(ep, got, 16, -1);
        if (k < 0 && errno != EINTR)
            return 1;
        for (int i = 0; i < k; i++) {
            int fd = got[i].data.fd;
            if (fd == s->stop_fd)
                return 0;
            if (fd == s->lfd) {
                int c = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
                ev.data.fd = c;
                if (c < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) != 0)
                    return 1;
                continue;
            }
            int rc = raw_sock_echo(fd);
            if (rc < 0)
                return 1;
            if (rc == 0)
                return 0;
        }
    }
}

typedef struct sock_client {
    int fd;
} sock_client;

static void
raw_sock_round_trip(void *argv)
{
    sock_client *c = argv;
    char buf[MAX_SIZE] = {0};
    if (send(c->fd, buf, g_size, MSG_NOSIGNAL) != (ssize_t)g_size ||
        recv(c->fd, buf, sizeof buf, 0) != (ssize_t)g_size)
        die("socket ping-pong", 0);
}

static void
raw_sock_rpc(result *r)
{
    raw_sock s;
    raw_sock_listen(&s, 1);
    pid_t pid = spawn(raw_sock_server, &s);
    sock_client c = {.fd = raw_sock_connect(&s)};
    if (c.fd < 0)
        die("connect", 0);
    time_round_trips(raw_sock_round_trip, &c, r);
    close(c.fd);
    reap(pid, "socket server");
    close(s.lfd);
    close(s.stop_fd);
}

/* --- ZeroMQ ipc:// (contexts are made after fork: libzmq is not fork-safe) --- */

typedef struct zmq_arg {
    char ep[96];
    int done[2]; /* a pipe: the receiver closes its end when every message came */
} zmq_arg;

static int
zmq_pusher(void *argv)
{
    const zmq_arg *a = argv;
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PUSH);
    if (!s || zmq_connect(s, a->ep) != 0)
        return 1;
    char buf[MAX_SIZE] = {0};
    for (size_t i = 0; i < (size_t)g_n * 5 + 1; i++)
        if (zmq_send(s, buf, g_size, 0) != (int)g_size) {
            fprintf(stderr, "ipc_bench: zmq_send: %s\n", zmq_strerror(zmq_errno()));
            return 1;
        }
    /* The connection stays up until the receiver has everything: messages still on
     * their way when a PUSH socket closes can be lost. */
    char c;
    close(a->done[1]);
    while (read(a->done[0], &c, 1) < 0 && errno == EINTR)
        ;
    zmq_close(s); /* the default linger delivers what is queued before ctx_term returns */
    zmq_ctx_term(ctx);
    return 0;
}

/* A ZeroMQ socket that gives up on a receive after 20 s rather than hang the run. */
static void *
zmq_socket_timed(void *ctx, int type)
{
    void *s = zmq_socket(ctx, type);
    int ms = 20000;
    if (!s || zmq_setsockopt(s, ZMQ_RCVTIMEO, &ms, sizeof ms) != 0)
        die("zmq_socket", 0);
    return s;
}

static void
zmq_push_pull(result *r)
{
    zmq_arg a;
    make_name(a.ep, sizeof a.ep, "ipc://@");
    /* The PULL side binds before the pusher exists, so the pusher connects at once. The
     * child never touches this context: it makes its own. */
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket_timed(ctx, ZMQ_PULL);
    if (zmq_bind(s, a.ep) != 0 || pipe2(a.done, O_CLOEXEC) != 0)
        die("zmq_bind", 0);
    pid_t pid = spawn(zmq_pusher, &a);
    close(a.done[0]);
    char buf[MAX_SIZE];
    if (zmq_recv(s, buf, sizeof buf, 0) != (int)g_size)
        die("zmq_recv", 0);
    size_t n = (size_t)g_n * 5;
    uint64_t t0 = now_ns();
    for (size_t i = 0; i < n; i++)
        if (zmq_recv(s, buf, sizeof buf, 0) != (int)g_size)
            die("zmq_recv", 0);
    r->rate = (double)n * 1e9 / (double)(now_ns() - t0);
    close(a.done[1]);
    reap(pid, "zmq pusher");
    zmq_close(s);
    zmq_ctx_term(ctx);
}

/* REP: echoes until a 1-byte request. */
static int
zmq_replier(void *argv)
{
    const zmq_arg *a = argv;
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket_timed(ctx, ZMQ_REP);
    if (zmq_bind(s, a->ep) != 0)
        return 1;
    char buf[MAX_SIZE];
    for (;;) {
        int n = zmq_recv(s, buf, sizeof buf, 0);
        if (n < 0 || zmq_send(s, buf, (size_t)n, 0) != n)
            return 1;
        if (n == 1)
            break;
    }
    zmq_close(s);
    zmq_ctx_term(ctx);
    return 0;
}

typedef struct zmq_client {
    void *s;
} zmq_client;

static void
zmq_round_trip(void *argv)
{
    zmq_client *c = argv;
    char buf[MAX_SIZE] = {0};
    if (zmq_send(c->s, buf, g_size, 0) != (int)g_size ||
        zmq_recv(c->s, buf, sizeof buf, 0) != (int)g_size)
        die("zmq REQ/REP", 0);
}

static void
zmq_req_rep(result *r)
{
    zmq_arg a;
    make_name(a.ep, sizeof a.ep, "ipc://@");
    pid_t pid = spawn(zmq_replier, &a);
    void *ctx = zmq_ctx_new();
    zmq_client c = {.s = zmq_socket_timed(ctx, ZMQ_REQ)};
    if (zmq_connect(c.s, a.ep) != 0)
        die("zmq_connect", 0);
    time_round_trips(zmq_round_trip, &c, r);
    char buf[1] = {0};
    if (zmq_send(c.s, buf, 1, 0) != 1 || zmq_recv(c.s, buf, 1, 0) != 1)
        die("zmq stop", 0);
    reap(pid, "zmq replier");
    zmq_close(c.s);
    zmq_ctx_term(ctx);
}

/* --- the table --- */

enum { RATE, RTT };

typedef struct test {
    const char *name;
    int kind;
    void (*run)(result *r);
    int raw;  /* index of the raw baseline of the same transport, or -1 */
    int peer; /* index of the ZeroMQ test to compare with, or -1 */
} test;

/* clang-format off */
/* Indices of the tests, for the baselines and peers each one is compared with. */
enum {
    MQ_RAW, MQ_ONE, MQ_16, MQ_64, MQ_256, MQ_PING, MQ_RPC, MQ_RPC_T,
    UX_RAW, UX_RAW_16, UX_ONE, UX_16, UX_64, UX_256, UX_PING, UX_RPC, UX_RPC_T,
    ZQ_PUSH, ZQ_REQ
};

static const test tests[] = {
    [MQ_RAW]    = {"mq   raw mq_send/mq_receive loop",   RATE, raw_mq_one_way,      -1,        -1},
    [MQ_ONE]    = {"mq   stubs send/recv",               RATE, mq_stub_one_way,     MQ_RAW,    ZQ_PUSH},
    [MQ_16]     = {"mq   stubs send_many/recv_many 16",  RATE, mq_stub_many_16,     MQ_RAW,    ZQ_PUSH},
    [MQ_64]     = {"mq   stubs send_many/recv_many 64",  RATE, mq_stub_many_64,     MQ_RAW,    ZQ_PUSH},
    [MQ_256]    = {"mq   stubs send_many/recv_many 256", RATE, mq_stub_many_256,    MQ_RAW,    ZQ_PUSH},
    [MQ_PING]   = {"mq   raw ping-pong (server polls)",  RTT,  raw_mq_rpc,          -1,        -1},
    [MQ_RPC]    = {"mq   stubs rpc, timeout -1",         RTT,  mq_stub_rpc,         MQ_PING,   ZQ_REQ},
    [MQ_RPC_T]  = {"mq   stubs rpc, timeout 5000 ms",    RTT,  mq_stub_rpc_timed,   MQ_PING,   ZQ_REQ},
    [UX_RAW]    = {"unix raw send/recv loop",            RATE, raw_sock_one_way,    -1,        -1},
    [UX_RAW_16] = {"unix raw sendmmsg/recvmmsg 16",      RATE, raw_sock_many,       UX_RAW,    ZQ_PUSH},
    [UX_ONE]    = {"unix stubs send/recv",               RATE, unix_stub_one_way,   UX_RAW,    ZQ_PUSH},
    [UX_16]     = {"unix stubs send_many/recv_many 16",  RATE, unix_stub_many_16,   UX_RAW,    ZQ_PUSH},
    [UX_64]     = {"unix stubs send_many/recv_many 64",  RATE, unix_stub_many_64,   UX_RAW,    ZQ_PUSH},
    [UX_256]    = {"unix stubs send_many/recv_many 256", RATE, unix_stub_many_256,  UX_RAW,    ZQ_PUSH},
    [UX_PING]   = {"unix raw ping-pong (server epolls)", RTT,  raw_sock_rpc,        -1,        -1},
    [UX_RPC]    = {"unix stubs rpc, timeout -1",         RTT,  unix_stub_rpc,       UX_PING,   ZQ_REQ},
    [UX_RPC_T]  = {"unix stubs rpc, timeout 5000 ms",    RTT,  unix_stub_rpc_timed, UX_PING,   ZQ_REQ},
    [ZQ_PUSH]   = {"zmq  PUSH/PULL",                     RATE, zmq_push_pull,       -1,        -1},
    [ZQ_REQ]    = {"zmq  REQ/REP",                       RTT,  zmq_req_rep,         -1,        -1},
};
/* clang-format on */
#define N_TESTS (sizeof tests / sizeof tests[0])

static result g_res[N_TESTS];
static bool g_ran[N_TESTS];

static void
run_test(size_t i)
{
    double rate[64], med[64], p99[64];
    for (unsigned k = 0; k < g_reps; k++) {
        result r = {0, 0, 0};
        tests[i].run(&r);
        rate[k] = r.rate;
        med[k] = r.med_us;
        p99[k] = r.p99_us;
    }
    g_res[i] = (result){median(rate, g_reps), median(med, g_reps), median(p99, g_reps)};
    g_ran[i] = true;
}

/* How test i compares with test j: for rates, its rate over j's (higher is better); for
 * round trips, its time over j's against a raw baseline (lower is better) and j's time
 * over its own against ZeroMQ (how many times faster). */
static void
ratio(char *buf, size_t cap, size_t i, int j, bool vs_raw)
{
    if (j < 0 || !g_ran[j]) {
        snprintf(buf, cap, "%s", "");
        return;
    }
    double x = tests[i].kind == RATE ? g_res[i].rate / g_res[j].rate
               : vs_raw              ? g_res[i].med_us / g_res[j].med_us
                                     : g_res[j].med_us / g_res[i].med_us;
    snprintf(buf, cap, "%.2fx", x);
}

static void
print_row(size_t i)
{
    const test *t = &tests[i];
    char raw[16], peer[16];
    ratio(raw, sizeof raw, i, t->raw, true);
    ratio(peer, sizeof peer, i, t->peer, false);
    if (t->kind == RATE)
        printf("  %-40s %10.0f msg/s %21s %8s %8s\n", t->name, g_res[i].rate, "", raw, peer);
    else
        printf("  %-40s %10.2f us %10.2f us %10s %8s %8s\n", t->name, g_res[i].med_us,
               g_res[i].p99_us, "", raw, peer);
}

static void
run_table(const char *mode, const char *filter)
{
    printf("\n%zu-byte messages, %s (median of %u runs)\n", g_size, mode, g_reps);
    printf("  %-40s %16s %13s %12s %8s %8s\n", "test", "rate or median", "p99", "", "vs raw",
           "vs zmq");
    bool want[N_TESTS] = {false};
    for (size_t i = 0; i < N_TESTS; i++) {
        if (filter && !strstr(tests[i].name, filter))
            continue;
        want[i] = true;
        if (g_alone)
            continue;
        if (tests[i].raw >= 0)
            want[tests[i].raw] = true;
        if (tests[i].peer >= 0)
            want[tests[i].peer] = true;
    }
    memset(g_ran, 0, sizeof g_ran);
    /* The baselines run first so every ratio has its reference. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < N_TESTS; i++)
            if (want[i] && (tests[i].raw < 0) == (pass == 0))
                run_test(i);
    for (size_t i = 0; i < N_TESTS; i++)
        if (g_ran[i])
            print_row(i);
}

static void
usage(void)
{
    fprintf(stderr, "usage: ipc_bench [-n ROUND_TRIPS>=100] [-r REPS 1..64] [-s 64|4096] "
                    "[-m pinned|unpinned|both] [-x] [FILTER]\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    size_t only_size = 0;
    const char *mode = "both", *filter = NULL;
    int opt;
    while ((opt = getopt(argc, argv, "n:r:s:m:x")) != -1) {
        if (opt == 'x')
            g_alone = true;
        else if (opt == 'n' && atoi(optarg) >= 100)
            g_n = (unsigned)atoi(optarg);
        else if (opt == 'r' && atoi(optarg) >= 1 && atoi(optarg) <= 64)
            g_reps = (unsigned)atoi(optarg);
        else if (opt == 's' && (atoi(optarg) == 64 || atoi(optarg) == 4096))
            only_size = (size_t)atoi(optarg);
        else if (opt == 'm' && (!strcmp(optarg, "pinned") || !strcmp(optarg, "unpinned") ||
                                !strcmp(optarg, "both")))
            mode = optarg;
        else
            usage();
    }
    if (optind + 1 < argc)
        usage();
    if (optind < argc)
        filter = argv[optind];
    setvbuf(stdout, NULL, _IOLBF, 0);
    cpu_set_t all, one;
    if (sched_getaffinity(0, sizeof all, &all) != 0)
        die("sched_getaffinity", 0);
    int cpu = 0;
    while (cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &all))
        cpu++;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    printf("ipc_bench: %u round trips and %u one-way messages per run, %d CPUs available\n"
           "  vs raw: rates, msgc/raw (target >= 0.8); round trips, msgc time/raw time "
           "(target <= 1.3)\n"
           "  vs zmq: rates, msgc/zmq (batches: target >= 1); round trips, zmq time/msgc "
           "time (target >= 5)\n",
           g_n, g_n * 5, CPU_COUNT(&all));
    static const msg_ops *const ops[] = {&Blob_ops, &Page_ops};
    for (int pinned = 1; pinned >= 0; pinned--) {
        if (strcmp(mode, "both") && (strcmp(mode, "pinned") == 0) != pinned)
            continue;
        /* Children inherit the mask, so both sides of every test share the CPU. */
        if (sched_setaffinity(0, sizeof one, pinned ? &one : &all) != 0)
            die("sched_setaffinity", 0);
        char label[64];
        if (pinned)
            snprintf(label, sizeof label, "pinned: both processes on CPU %d", cpu);
        else
            snprintf(label, sizeof label, "unpinned: any CPU");
        for (size_t k = 0; k < 2; k++) {
            if (only_size && ops[k]->size != only_size)
                continue;
            g_ops = ops[k];
            g_size = g_ops->size;
            run_table(label, filter);
        }
    }
    return 0;
}
