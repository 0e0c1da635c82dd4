/* test_signals.c - the runtime under signals and hostile or dying peers, with real processes,
 * POSIX queues and unix SEQPACKET sockets: a 1 ms interval timer interrupting every blocking
 * call (with and without SA_RESTART), msgc_stop from a signal handler, frames split or cut by
 * a raw peer, junk in queues, full buffers drained slowly, and peers killed before, during
 * and after a message. Children report through their exit status. */
#define _GNU_SOURCE
#include "rt_msgs.h"
#include "rt_proc.h"
#include "transport.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

enum {
    MAX_MSG = 2048, /* every channel's message limit */
    MAX_FRAME = MAX_MSG + MSGC__HDR_SIZE,
    MAX_PAYLOAD = 1500, /* bytes of a stream message */
    DEPTH = 4,          /* mq depth: fills at once, weighs little in RLIMIT_MSGQUEUE */
    TICK_US = 1000,     /* the interval timer */
    WAIT_MS = 80,       /* the timeout of waits that must time out */
    SLACK_MS = 1000,    /* how late past its deadline a wait may return on a busy machine */
    PROMPT_MS = 500,    /* how soon a stop or a dead peer must end a wait */
    STOP_TICKS = 30,    /* ticks after which the handler calls msgc_stop */
    N_MESSAGES = 3000,  /* messages sent under the timer */
    N_CALLS = 2000,     /* calls made under the timer */
    N_SLOW = 400,       /* messages of the slow reader */
    MAX_KIDS = 4,
};

#define CORRUPT 1 /* recv_checked: a message arrived with the wrong contents */

/* --- the fixture: one transport, one signal mode, a fresh address --- */

typedef struct sig_case {
    const char *kind; /* "unix" or "mq" */
    bool restart;     /* SIGALRM's handler is installed with SA_RESTART */
} sig_case;

static sig_case unix_restart = {"unix", true};
static sig_case unix_plain = {"unix", false};
static sig_case mq_restart = {"mq", true};
static sig_case mq_plain = {"mq", false};

typedef struct fixture {
    const sig_case *c;
    char addr[128]; /* the queue name or the socket path */
    char url[160];
    int fds; /* descriptors open before the test */
    pid_t kids[MAX_KIDS];
} fixture;

static bool
is_mq(const fixture *f)
{
    return strcmp(f->c->kind, "mq") == 0;
}

/* Every queue and socket file of this process is named "msgc-sig-<pid>-...". */
static void
name_prefix(char *buf, size_t cap)
{
    snprintf(buf, cap, "msgc-sig-%ld-", (long)getpid());
}

/* Counts the queues (reply queues included) and socket or lock files of this process that
 * exist, and removes them. */
static int
remove_leftovers(void)
{
    char prefix[48];
    name_prefix(prefix, sizeof prefix);
    static const char *const dirs[] = {"/dev/mqueue", "/tmp"};
    int n = 0;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        DIR *d = opendir(dirs[i]);
        if (!d)
            continue;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
                continue;
            char path[320];
            snprintf(path, sizeof path, "%s/%s", i == 0 ? "" : dirs[i], e->d_name);
            fprintf(stderr, "left behind: %s%s\n", i == 0 ? "/dev/mqueue" : "", path);
            if (i == 0)
                mq_unlink(path);
            else
                unlink(path);
            n++;
        }
        closedir(d);
    }
    return n;
}

static unsigned name_counter;

static int
setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->c = *state;
    char prefix[48];
    name_prefix(prefix, sizeof prefix);
    if (is_mq(f))
        snprintf(f->addr, sizeof f->addr, "/%s%u", prefix, ++name_counter);
    else
        snprintf(f->addr, sizeof f->addr, "/tmp/%s%u.sock", prefix, ++name_counter);
    snprintf(f->url, sizeof f->url, "%s:%s", f->c->kind, f->addr);
    *state = f;
    if (remove_leftovers() != 0)
        return -1;
    f->fds = rt_count_fds();
    return 0;
}

static void ticker_stop(void);

/* Fails when the test left a descriptor, a queue or a socket file behind. */
static int
teardown(void **state)
{
    fixture *f = *state;
    ticker_stop();
    for (size_t i = 0; i < MAX_KIDS; i++)
        if (f->kids[i] > 0)
            rt_kill(f->kids[i], SIGKILL);
    /* Where /dev/mqueue is not mounted, at least the test's own queue is checked. */
    int left = is_mq(f) && rt_mq_exists(f->addr) ? 1 : 0;
    int listed = remove_leftovers();
    if (left && !listed)
        mq_unlink(f->addr);
    left = left > listed ? left : listed;
    int fds = rt_count_fds(), want = f->fds;
    if (fds != want)
        fprintf(stderr, "descriptors: %d before, %d after\n", want, fds);
    free(f);
    return left == 0 && fds == want ? 0 : -1;
}

/* --- children --- */

static pid_t
spawn(fixture *f, int (*fn)(void *), void *arg)
{
    for (size_t i = 0; i < MAX_KIDS; i++) {
        if (f->kids[i] == 0) {
            f->kids[i] = rt_spawn(fn, arg);
            assert_true(f->kids[i] > 0);
            return f->kids[i];
        }
    }
    fail_msg("more than %d children", MAX_KIDS);
    return -1;
}

/* Waits for a child: its exit status, or 128 + the signal that ended it. */
static int
reap(fixture *f, pid_t pid)
{
    int st = rt_wait(pid);
    for (size_t i = 0; i < MAX_KIDS; i++)
        if (f->kids[i] == pid)
            f->kids[i] = 0;
    return st;
}

/* Ends a child (a server, a listener) with SIGTERM: it must stop cleanly and exit 0. */
static int
terminate(fixture *f, pid_t pid)
{
    kill(pid, SIGTERM);
    return reap(f, pid);
}

/* A pipe a child waits on before it goes on (gate) or writes to when it is ready. */
typedef struct pipe_pair {
    int r, w;
} pipe_pair;

#define NO_PIPE ((pipe_pair){-1, -1})

static pipe_pair
open_pipe(void)
{
    int p[2];
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    return (pipe_pair){p[0], p[1]};
}

static void
close_end(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static void
close_pipe(pipe_pair *p)
{
    close_end(&p->r);
    close_end(&p->w);
}

/* Reads one byte, resuming after signals; false at end of file. */
static bool
read_byte(int fd)
{
    char c;
    ssize_t r;
    while ((r = read(fd, &c, 1)) < 0 && errno == EINTR)
        ;
    return r == 1;
}

static void
write_byte(int fd)
{
    ssize_t r;
    while ((r = write(fd, "x", 1)) < 0 && errno == EINTR)
        ;
    assert_int_equal(r, 1);
}

/* What a child does; filled by the test before the fork. */
typedef struct child_arg {
    const fixture *f;
    bool tick;       /* runs the 1 ms timer too */
    uint64_t n;      /* stream: messages to send, 0 for ever */
    int delay_ms;    /* waits this long before it starts */
    pipe_pair gate;  /* waits for a byte on gate.r before it starts */
    pipe_pair ready; /* writes a byte on ready.w at its ready point */
    uint64_t value;  /* what a single message carries */
    pid_t victim;    /* killer: the process it kills */
} child_arg;

#define CHILD_ARG(fx)                                                                              \
    {                                                                                              \
        .f = (fx), .gate = NO_PIPE, .ready = NO_PIPE                                               \
    }

static void
child_report(const char *what, int rc)
{
    if (rc)
        fprintf(stderr, "child %ld: %s: %s, errno %d (%s)\n", (long)getpid(), what,
                msgc_errname(rc), msgc_last_error()->sys_errno, msgc_last_error()->detail);
}

/* Ends the child, saying what failed, unless rc is 0. */
static void
child_check(const char *what, int rc)
{
    child_report(what, rc);
    RT_CHECK(rc == 0);
}

/* --- the 1 ms timer, and msgc_stop from its handler --- */

static volatile sig_atomic_t g_ticks;
/* The tick at which the handler stops g_stop_chan; 0 for none. */
static volatile sig_atomic_t g_stop_tick;
static msgc_chan *volatile g_stop_chan;
static volatile long long g_stopped_at; /* rt_now_ms() when the handler stopped it */
static struct sigaction g_old_alarm;
static bool g_ticking;

static void
on_tick(int sig)
{
    (void)sig;
    int saved = errno;
    g_ticks++;
    if (g_stop_tick > 0 && g_ticks >= g_stop_tick && g_stop_chan) {
        g_stop_tick = 0;
        g_stopped_at = rt_now_ms();
        msgc_stop(g_stop_chan);
    }
    errno = saved;
}

/* SIGALRM every TICK_US, handled with or without SA_RESTART. */
static void
ticker_start(bool restart)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_tick;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigemptyset(&sa.sa_mask);
    g_ticks = 0;
    g_stop_tick = 0;
    g_stop_chan = NULL;
    sigaction(SIGALRM, &sa, &g_old_alarm);
    g_ticking = true;
    struct itimerval it = {{0, TICK_US}, {0, TICK_US}};
    setitimer(ITIMER_REAL, &it, NULL);
}

/* Puts back the action the timer found, SIG_IGN (main): a tick raised before the timer is
 * disarmed may still be delivered afterwards (valgrind delivers signals late), and must
 * not end the process. */
static void
ticker_stop(void)
{
    if (!g_ticking)
        return;
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    g_stop_tick = 0;
    g_stop_chan = NULL;
    sigaction(SIGALRM, &g_old_alarm, NULL);
    g_ticking = false;
}

/* Makes the handler call msgc_stop(ch) STOP_TICKS ticks from now. */
static void
ticker_stop_chan_soon(msgc_chan *ch)
{
    g_stopped_at = 0;
    g_stop_chan = ch;
    g_stop_tick = g_ticks + STOP_TICKS;
}

static void
child_start(child_arg *a)
{
    close_end(&a->gate.w);
    close_end(&a->ready.r);
    if (a->tick)
        ticker_start(a->f->c->restart);
    if (a->gate.r >= 0)
        read_byte(a->gate.r);
    close_end(&a->gate.r);
    if (a->delay_ms > 0)
        rt_sleep_ms(a->delay_ms);
}

static int
child_end(child_arg *a)
{
    int ticks = g_ticks;
    ticker_stop();
    close_end(&a->ready.w);
    RT_CHECK(!a->tick || ticks > 0);
    return 0;
}

/* --- channels and messages --- */

static msgc_opts
chan_opts(void)
{
    msgc_opts o = MSGC_OPTS_INIT;
    o.max_msg = MAX_MSG;
    o.depth = DEPTH;
    o.dial_timeout_ms = 5000;
    return o;
}

/* A child's dial with the test options; a failure ends the child. */
static msgc_chan *
child_dial(const char *url)
{
    msgc_opts o = chan_opts();
    msgc_chan *ch = NULL;
    int rc = msgc_dial(&ch, url, &o);
    child_check("dial", rc);
    return ch;
}

static msgc_chan *
must_open(int rc, msgc_chan *ch, const char *what, const fixture *f)
{
    if (rc)
        fprintf(stderr, "%s %s: %s (%s)\n", what, f->url, msgc_errname(rc),
                msgc_last_error()->detail);
    assert_int_equal(rc, 0);
    return ch;
}

static msgc_chan *
must_listen(const fixture *f)
{
    msgc_opts o = chan_opts();
    msgc_chan *ch = NULL;
    int rc = msgc_listen(&ch, f->url, &o);
    return must_open(rc, ch, "listen", f);
}

static msgc_chan *
must_dial(const fixture *f)
{
    msgc_opts o = chan_opts();
    msgc_chan *ch = NULL;
    int rc = msgc_dial(&ch, f->url, &o);
    return must_open(rc, ch, "dial", f);
}

/* A listener that dies leaves its queue or socket file: the next listener takes the
 * address over (the socket is stale, the queue is joined), and removes it on close. */
static void
take_over_address(const fixture *f)
{
    msgc_close(must_listen(f));
}

static int
send_num(msgc_chan *ch, uint64_t a, int timeout_ms)
{
    rt_Num n;
    rt_Num_desc.init(&n);
    n.a = a;
    return msgc__send(ch, &rt_Num_desc, &n, timeout_ms);
}

/* Receives a Num: its value in *a, or the error. */
static int
recv_num(msgc_chan *ch, uint64_t *a, int timeout_ms)
{
    rt_Num n;
    rt_Num_desc.init(&n);
    int rc = msgc__recv(ch, &rt_Num_desc, &n, timeout_ms);
    *a = rc == 0 ? n.a : UINT64_MAX;
    return rc;
}

/* Message number seq of a stream: a Blob of 8..MAX_PAYLOAD bytes that starts with seq. */
static size_t
payload_len(uint64_t seq)
{
    return 8 + (size_t)(seq * 2654435761u % (MAX_PAYLOAD - 7));
}

static uint8_t
payload_byte(uint64_t seq, size_t i)
{
    return i < 8 ? (uint8_t)(seq >> (8 * i)) : (uint8_t)(seq * 31u + i * 131u + (i >> 8));
}

static void
make_blob(rt_Blob *b, uint8_t *buf, uint64_t seq)
{
    size_t n = payload_len(seq);
    for (size_t i = 0; i < n; i++)
        buf[i] = payload_byte(seq, i);
    b->data = (msgc_bytes){.data = buf, .len = n};
}

static bool
is_blob(const rt_Blob *b, uint64_t seq)
{
    if (b->data.len != payload_len(seq))
        return false;
    for (size_t i = 0; i < b->data.len; i++)
        if (b->data.data[i] != payload_byte(seq, i))
            return false;
    return true;
}

static int
send_blob(msgc_chan *ch, uint64_t seq, int timeout_ms)
{
    uint8_t buf[MAX_PAYLOAD];
    rt_Blob b;
    make_blob(&b, buf, seq);
    return msgc__send(ch, &rt_Blob_desc, &b, timeout_ms);
}

/* Receives message seq of the stream: 0, the error, or CORRUPT when another message or
 * other bytes came. */
static int
recv_checked(msgc_chan *ch, uint64_t seq, int timeout_ms)
{
    rt_Blob b;
    rt_Blob_desc.init(&b);
    int rc = msgc__recv(ch, &rt_Blob_desc, &b, timeout_ms);
    if (rc == 0 && !is_blob(&b, seq)) {
        uint64_t got = 0;
        for (size_t i = 0; i < 8 && i < b.data.len; i++)
            got |= (uint64_t)b.data.data[i] << (8 * i);
        fprintf(stderr, "message %llu: %zu bytes starting with number %llu, want %zu bytes\n",
                (unsigned long long)seq, b.data.len, (unsigned long long)got, payload_len(seq));
        rc = CORRUPT;
    }
    rt_Blob_desc.free(&b);
    return rc;
}

/* --- what children do --- */

/* Dials and sends the stream 0, 1, 2, ... (n messages, or until killed). */
static int
child_stream_sender(void *argv)
{
    child_arg *a = argv;
    child_start(a);
    msgc_chan *ch = child_dial(a->f->url);
    for (uint64_t seq = 0; a->n == 0 || seq < a->n; seq++) {
        int rc = send_blob(ch, seq, 10000);
        child_check("send", rc);
    }
    msgc_close(ch);
    return child_end(a);
}

/* Serves rt.Calc until SIGTERM stops it; serve must then return 0. */
static int
child_calc_server(void *argv)
{
    child_arg *a = argv;
    rt_stop_on_sigterm();
    child_start(a);
    msgc_opts o = chan_opts();
    msgc_chan *ch = NULL;
    int rc = msgc_listen(&ch, a->f->url, &o);
    child_check("listen", rc);
    rt_stop_target(ch);
    rt_ctx ctx = {0};
    rc = msgc__serve(ch, &rt_Calc_service, &rt_calc_handlers, &ctx);
    rt_stop_target(NULL);
    msgc_close(ch);
    child_check("serve", rc);
    return child_end(a);
}

static volatile sig_atomic_t g_term;
static msgc_chan *volatile g_term_chan;

static void
on_term(int sig)
{
    (void)sig;
    g_term = 1;
    if (g_term_chan)
        msgc_stop(g_term_chan);
}

/* Listens, receives the dialer's first message, says so on ready, then reads nothing more
 * until SIGTERM: its queue or socket buffer fills up. */
static int
child_stubborn_listener(void *argv)
{
    child_arg *a = argv;
    rt_catch_signal(SIGTERM, on_term);
    child_start(a);
    msgc_opts o = chan_opts();
    msgc_chan *ch = NULL;
    int rc = msgc_listen(&ch, a->f->url, &o);
    child_check("listen", rc);
    g_term_chan = ch;
    uint64_t v;
    rc = g_term ? MSGC_ECLOSED : recv_num(ch, &v, -1);
    RT_CHECK(rc == 0 || rc == MSGC_ECLOSED);
    if (a->ready.w >= 0)
        RT_CHECK(write(a->ready.w, "r", 1) == 1);
    sigset_t term, old;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &old);
    while (!g_term)
        sigsuspend(&old);
    g_term_chan = NULL;
    msgc_close(ch);
    return child_end(a);
}

/* Dials, says so on ready, waits for the gate, sends value, value + 1, ... (n messages),
 * says so again, then waits to be killed. */
static int
child_send_then_wait(void *argv)
{
    child_arg *a = argv;
    close_end(&a->gate.w);
    close_end(&a->ready.r);
    msgc_chan *ch = child_dial(a->f->url);
    RT_CHECK(write(a->ready.w, "d", 1) == 1);
    RT_CHECK(read_byte(a->gate.r));
    for (uint64_t i = 0; i < a->n; i++) {
        int rc = send_num(ch, a->value + i, 5000);
        child_check("send", rc);
    }
    RT_CHECK(write(a->ready.w, "s", 1) == 1);
    for (;;)
        pause();
}

/* Waits for the gate, then dials and sends one Num carrying value. */
static int
child_one_message(void *argv)
{
    child_arg *a = argv;
    child_start(a);
    msgc_chan *ch = child_dial(a->f->url);
    int rc = send_num(ch, a->value, 5000);
    child_check("send", rc);
    msgc_close(ch);
    return child_end(a);
}

/* Waits for the gate, then delay_ms, then kills the victim. */
static int
child_killer(void *argv)
{
    child_arg *a = argv;
    child_start(a);
    RT_CHECK(kill(a->victim, SIGKILL) == 0);
    return 0;
}

/* Lets a gated child go. */
static void
open_gate(pipe_pair *gate)
{
    write_byte(gate->w);
    close_pipe(gate);
}

/* A dialer forked now and held at a gate until the listener is ready for it: it sends
 * one Num carrying value. */
static pid_t
spawn_gated_message(fixture *f, child_arg *a, uint64_t value)
{
    *a = (child_arg)CHILD_ARG(f);
    a->gate = open_pipe();
    a->value = value;
    pid_t pid = spawn(f, child_one_message, a);
    close_end(&a->gate.r);
    return pid;
}

/* The gated dialer goes; its message must reach the listener l. */
static void
expect_gated_message(fixture *f, msgc_chan *l, child_arg *a, pid_t pid)
{
    open_gate(&a->gate);
    uint64_t v = 0;
    int rc = recv_num(l, &v, 5000);
    if (rc)
        fprintf(stderr, "recv: %s (%s)\n", msgc_errname(rc), msgc_last_error()->detail);
    assert_int_equal(rc, 0);
    assert_int_equal(v, a->value);
    assert_int_equal(reap(f, pid), 0);
}

/* --- (a) signals during every blocking call --- */

static void
test_messages_arrive_intact_while_signals_interrupt_both_ends(void **state)
{
    fixture *f = *state;
    child_arg a = CHILD_ARG(f);
    a.tick = true;
    a.n = N_MESSAGES;
    pid_t pid = spawn(f, child_stream_sender, &a);
    msgc_chan *l = must_listen(f);
    ticker_start(f->c->restart);
    uint64_t seq = 0;
    int rc = 0;
    while (seq < N_MESSAGES && (rc = recv_checked(l, seq, 10000)) == 0)
        seq++;
    if (rc)
        fprintf(stderr, "recv %llu: %s (%s)\n", (unsigned long long)seq, msgc_errname(rc),
                msgc_last_error()->detail);
    /* Nothing more: no message came twice. */
    int after = recv_checked(l, seq, 100);
    int ticks = g_ticks;
    ticker_stop();
    msgc_close(l);
    assert_int_equal(reap(f, pid), 0);
    assert_int_equal(rc, 0);
    assert_int_equal(seq, N_MESSAGES);
    assert_int_equal(after, MSGC_ETIMEDOUT);
    assert_true(ticks > 10);
}

static void
test_calls_succeed_time_out_and_stop_while_signals_arrive(void **state)
{
    fixture *f = *state;
    child_arg a = CHILD_ARG(f);
    a.tick = true;
    pid_t srv = spawn(f, child_calc_server, &a);
    msgc_chan *d = must_dial(f);
    ticker_start(f->c->restart);
    unsigned ok = 0;
    for (unsigned i = 0; i < N_CALLS; i++) {
        /* Every 50th call waits 2 ms in the server, so the timer hits a waiting caller. */
        bool slow = i % 50 == 0;
        rt_Num req, rep;
        rt_Num_desc.init(&req);
        rt_Num_desc.init(&rep);
        req.a = slow ? 2 : (uint64_t)i << 20 | 7;
        snprintf(req.s, sizeof req.s, "call %u", i);
        int rc = msgc__call(d, &rt_Calc_service, slow ? RT_SLEEP : RT_ADD, &req, &rep, 10000);
        if (rc) {
            fprintf(stderr, "call %u: %s (%s)\n", i, msgc_errname(rc), msgc_last_error()->detail);
            break;
        }
        if (rep.a != (slow ? 2 : req.a + 1) || (!slow && strcmp(rep.s, req.s) != 0)) {
            fprintf(stderr, "call %u: reply %llu \"%s\"\n", i, (unsigned long long)rep.a, rep.s);
            break;
        }
        ok++;
    }
    rt_Num rep;
    long long t0 = rt_now_ms();
    int timed_out = rt_call_num(d, RT_SLEEP, 200, &rep, WAIT_MS);
    long long took = rt_now_ms() - t0;
    /* The late Sleep reply is told apart from the answer to the next call. */
    int next = rt_call_num(d, RT_ADD, 41, &rep, 5000);
    uint64_t next_a = rep.a;
    ticker_stop_chan_soon(d);
    int stopped = rt_call_num(d, RT_SLEEP, 200, &rep, -1);
    long long late = rt_now_ms() - g_stopped_at;
    char detail[sizeof msgc_last_error()->detail];
    snprintf(detail, sizeof detail, "%s", msgc_last_error()->detail);
    int after = rt_call_num(d, RT_ADD, 1, &rep, 0);
    int ticks = g_ticks;
    ticker_stop();
    msgc_close(d);
    assert_int_equal(terminate(f, srv), 0);
    assert_int_equal(ok, N_CALLS);
    assert_int_equal(timed_out, MSGC_ETIMEDOUT);
    assert_true(took >= WAIT_MS && took < WAIT_MS + SLACK_MS);
    assert_int_equal(next, 0);
    assert_int_equal(next_a, 42);
    assert_int_equal(stopped, MSGC_ECLOSED);
    assert_string_equal(detail, "channel stopped");
    assert_true(late >= 0 && late < PROMPT_MS);
    assert_int_equal(after, MSGC_ECLOSED);
    assert_true(ticks > 10);
}

/* A wait given WAIT_MS must time out no sooner than that, and not hugely later. */
static void
expect_timeout(int rc, long long took, const char *what)
{
    if (rc != MSGC_ETIMEDOUT || took < WAIT_MS || took >= WAIT_MS + SLACK_MS)
        fprintf(stderr, "%s: %s after %lld ms\n", what, msgc_errname(rc), took);
    assert_int_equal(rc, MSGC_ETIMEDOUT);
    assert_true(took >= WAIT_MS && took < WAIT_MS + SLACK_MS);
}

static void
test_listener_waits_time_out_and_stop_while_signals_arrive(void **state)
{
    fixture *f = *state;
    msgc_chan *l = must_listen(f);
    ticker_start(f->c->restart);
    uint64_t v;
    long long t0 = rt_now_ms();
    int r_recv = recv_num(l, &v, WAIT_MS);
    long long t_recv = rt_now_ms() - t0;
    rt_ctx ctx = {0};
    t0 = rt_now_ms();
    int r_serve = msgc__serve_one(l, &rt_Calc_service, &rt_calc_handlers, &ctx, WAIT_MS);
    long long t_serve = rt_now_ms() - t0;
    uint64_t id = 0;
    t0 = rt_now_ms();
    int r_next = msgc_next_type(l, &id, WAIT_MS);
    long long t_next = rt_now_ms() - t0;
    ticker_stop_chan_soon(l);
    int r_stop = recv_num(l, &v, -1);
    long long late = rt_now_ms() - g_stopped_at;
    /* Stopped for good: serve returns 0 at once. */
    int r_after = msgc__serve(l, &rt_Calc_service, &rt_calc_handlers, &ctx);
    ticker_stop();
    msgc_close(l);
    expect_timeout(r_recv, t_recv, "recv");
    expect_timeout(r_serve, t_serve, "serve_one");
    expect_timeout(r_next, t_next, "next_type");
    assert_int_equal(r_stop, MSGC_ECLOSED);
    assert_true(late >= 0 && late < PROMPT_MS);
    assert_int_equal(r_after, 0);
    /* A serve blocked without a timeout ends with 0. */
    l = must_listen(f);
    ticker_start(f->c->restart);
    ticker_stop_chan_soon(l);
    int r_serve_stop = msgc__serve(l, &rt_Calc_service, &rt_calc_handlers, &ctx);
    late = rt_now_ms() - g_stopped_at;
    bool stopped = g_stopped_at > 0;
    ticker_stop();
    msgc_close(l);
    assert_int_equal(r_serve_stop, 0);
    assert_true(stopped && late < PROMPT_MS);
}

/* Dials a stubborn listener, sends it its one message and waits until it has read it;
 * then fills its queue or socket buffer with sends of timeout 0. Returns how many went. */
static size_t
fill_stubborn(msgc_chan *d, pipe_pair *ready, int *last_rc, long long *last_ms)
{
    assert_int_equal(send_num(d, 1, 5000), 0);
    assert_true(read_byte(ready->r));
    size_t sent = 0;
    int rc;
    long long t0 = 0;
    for (;;) {
        t0 = rt_now_ms();
        rc = send_blob(d, sent, 0);
        if (rc != 0 || sent >= 100000)
            break;
        sent++;
    }
    *last_ms = rt_now_ms() - t0;
    *last_rc = rc;
    return sent;
}

static void
test_send_on_a_full_buffer_times_out_and_stops_while_signals_arrive(void **state)
{
    fixture *f = *state;
    child_arg a = CHILD_ARG(f);
    a.ready = open_pipe();
    pid_t pid = spawn(f, child_stubborn_listener, &a);
    close_end(&a.ready.w);
    msgc_chan *d = must_dial(f);
    ticker_start(f->c->restart);
    int zero_rc;
    long long zero_ms;
    size_t sent = fill_stubborn(d, &a.ready, &zero_rc, &zero_ms);
    long long t0 = rt_now_ms();
    int timed = send_blob(d, sent, WAIT_MS);
    long long took = rt_now_ms() - t0;
    ticker_stop_chan_soon(d);
    int stopped = send_blob(d, sent, -1);
    long long late = rt_now_ms() - g_stopped_at;
    char detail[sizeof msgc_last_error()->detail];
    snprintf(detail, sizeof detail, "%s", msgc_last_error()->detail);
    int after = send_num(d, 2, 0);
    int ticks = g_ticks;
    ticker_stop();
    msgc_close(d);
    close_pipe(&a.ready);
    assert_int_equal(terminate(f, pid), 0);
    assert_int_equal(zero_rc, MSGC_ETIMEDOUT);
    assert_true(zero_ms < 100);
    /* The listener read the first message only: a queue holds exactly its depth. */
    if (is_mq(f))
        assert_int_equal(sent, DEPTH);
    else
        assert_true(sent > 0 && sent < 100000);
    expect_timeout(timed, took, "send on a full buffer");
    assert_int_equal(stopped, MSGC_ECLOSED);
    assert_string_equal(detail, "channel stopped");
    assert_true(late >= 0 && late < PROMPT_MS);
    assert_int_equal(after, MSGC_ECLOSED);
    assert_true(ticks > 10);
}

static void
test_dial_times_out_then_waits_for_a_late_listener_while_signals_arrive(void **state)
{
    fixture *f = *state;
    ticker_start(f->c->restart);
    msgc_opts o = chan_opts();
    o.dial_timeout_ms = WAIT_MS;
    msgc_chan *d = NULL;
    long long t0 = rt_now_ms();
    int missing = msgc_dial(&d, f->url, &o);
    long long took = rt_now_ms() - t0;
    child_arg a = CHILD_ARG(f);
    a.tick = true;
    a.delay_ms = 150;
    pid_t srv = spawn(f, child_calc_server, &a);
    o.dial_timeout_ms = 5000;
    t0 = rt_now_ms();
    int found = msgc_dial(&d, f->url, &o);
    long long waited = rt_now_ms() - t0;
    child_report("dial", found);
    rt_Num rep = {0};
    int call = found ? found : rt_call_num(d, RT_ADD, 41, &rep, 5000);
    int ticks = g_ticks;
    ticker_stop();
    msgc_close(d);
    assert_int_equal(terminate(f, srv), 0);
    assert_int_equal(missing, MSGC_ENOENT);
    assert_true(took >= WAIT_MS && took < WAIT_MS + SLACK_MS);
    assert_int_equal(found, 0);
    assert_true(waited < 5000);
    assert_int_equal(call, 0);
    assert_true(rep.a == 42);
    assert_true(ticks > 10);
}

/* --- (a) and (c): a peer killed while the caller waits under signals --- */

static void
test_call_to_a_listener_killed_meanwhile_is_eclosed_while_signals_arrive(void **state)
{
    fixture *f = *state;
    child_arg sa = CHILD_ARG(f);
    pid_t srv = spawn(f, child_calc_server, &sa);
    child_arg ka = CHILD_ARG(f);
    ka.gate = open_pipe();
    ka.delay_ms = 150;
    ka.victim = srv;
    pid_t killer = spawn(f, child_killer, &ka);
    close_end(&ka.gate.r);
    msgc_chan *d = must_dial(f);
    rt_Num rep;
    int first = rt_call_num(d, RT_ADD, 1, &rep, 5000);
    ticker_start(f->c->restart);
    open_gate(&ka.gate);
    long long t0 = rt_now_ms();
    int rc = rt_call_num(d, RT_SLEEP, 10000, &rep, 3000);
    long long took = rt_now_ms() - t0;
    ticker_stop();
    int after = rt_call_num(d, RT_ADD, 1, &rep, 1000);
    msgc_close(d);
    assert_int_equal(reap(f, killer), 0);
    assert_int_equal(reap(f, srv), 128 + SIGKILL);
    take_over_address(f);
    assert_int_equal(first, 0);
    if (rc != MSGC_ECLOSED)
        fprintf(stderr, "call: %s after %lld ms\n", msgc_errname(rc), took);
    assert_int_equal(rc, MSGC_ECLOSED);
    assert_true(took < 150 + PROMPT_MS + SLACK_MS);
    assert_int_equal(after, MSGC_ECLOSED);
}

static void
test_send_blocked_on_a_killed_listener_is_eclosed_while_signals_arrive(void **state)
{
    fixture *f = *state;
    child_arg la = CHILD_ARG(f);
    la.ready = open_pipe();
    pid_t lst = spawn(f, child_stubborn_listener, &la);
    close_end(&la.ready.w);
    child_arg ka = CHILD_ARG(f);
    ka.gate = open_pipe();
    ka.delay_ms = 150;
    ka.victim = lst;
    pid_t killer = spawn(f, child_killer, &ka);
    close_end(&ka.gate.r);
    msgc_chan *d = must_dial(f);
    int zero_rc;
    long long zero_ms;
    size_t sent = fill_stubborn(d, &la.ready, &zero_rc, &zero_ms);
    ticker_start(f->c->restart);
    open_gate(&ka.gate);
    long long t0 = rt_now_ms();
    int rc = send_blob(d, sent, 3000);
    long long took = rt_now_ms() - t0;
    ticker_stop();
    msgc_close(d);
    close_pipe(&la.ready);
    assert_int_equal(reap(f, killer), 0);
    assert_int_equal(reap(f, lst), 128 + SIGKILL);
    take_over_address(f);
    assert_int_equal(zero_rc, MSGC_ETIMEDOUT);
    if (rc != MSGC_ECLOSED)
        fprintf(stderr, "send: %s after %lld ms\n", msgc_errname(rc), took);
    assert_int_equal(rc, MSGC_ECLOSED);
    assert_true(took < 150 + PROMPT_MS + SLACK_MS);
}

/* A caller that makes one call, names its reply queue on ready, then waits to be killed. */
static int
child_caller_named(void *argv)
{
    child_arg *a = argv;
    close_end(&a->ready.r);
    msgc_opts o = chan_opts();
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_dial(&ch, a->f->url, &o) == 0);
    rt_Num rep;
    RT_CHECK(rt_call_num(ch, RT_ADD, 1, &rep, 5000) == 0);
    const char *name = msgc__mq_reply_name(ch);
    size_t n = strlen(name) + 1;
    RT_CHECK(write(a->ready.w, name, n) == (ssize_t)n);
    for (;;)
        pause();
}

static void
test_reply_queue_of_a_killed_caller_is_reclaimed_while_signals_arrive(void **state)
{
    fixture *f = *state;
    child_arg sa = CHILD_ARG(f);
    sa.tick = true;
    pid_t srv = spawn(f, child_calc_server, &sa);
    child_arg ca = CHILD_ARG(f);
    ca.ready = open_pipe();
    pid_t caller = spawn(f, child_caller_named, &ca);
    close_end(&ca.ready.w);
    char name[300] = "";
    ssize_t got = read(ca.ready.r, name, sizeof name - 1);
    close_pipe(&ca.ready);
    assert_true(got > 10);
    assert_true(rt_mq_exists(name));
    kill(caller, SIGKILL);
    assert_int_equal(reap(f, caller), 128 + SIGKILL);
    long long t0 = rt_now_ms();
    while (rt_mq_exists(name) && rt_now_ms() - t0 < 3000)
        rt_sleep_ms(50);
    bool reclaimed = !rt_mq_exists(name);
    assert_int_equal(terminate(f, srv), 0);
    assert_true(reclaimed);
}

/* --- (b) split, cut and oversized frames from a raw peer --- */

static size_t
put_header(uint8_t *buf, unsigned kind, uint64_t id)
{
    msgc_frame h;
    msgc__frame_init(&h, kind);
    h.id = id;
    if (kind == MSGC__FRAME_HELLO)
        h.aux = MAX_FRAME;
    msgc__frame_put(&h, buf);
    return MSGC__HDR_SIZE;
}

/* A whole MESSAGE frame carrying Num{a, s}: its length. */
static size_t
put_num_frame(uint8_t *buf, size_t cap, uint64_t a, const char *s)
{
    rt_Num n;
    rt_Num_desc.init(&n);
    n.a = a;
    snprintf(n.s, sizeof n.s, "%s", s);
    size_t body = 0;
    put_header(buf, MSGC__FRAME_MESSAGE, rt_Num_desc.type_id);
    assert_int_equal(rt_Num_desc.encode(&n, buf + MSGC__HDR_SIZE, cap - MSGC__HDR_SIZE, &body), 0);
    return MSGC__HDR_SIZE + body;
}

/* A whole MESSAGE frame carrying a Blob of data_len bytes: its length. */
static size_t
put_blob_frame(uint8_t *buf, uint64_t seq, size_t data_len)
{
    put_header(buf, MSGC__FRAME_MESSAGE, rt_Blob_desc.type_id);
    uint8_t *p = buf + MSGC__HDR_SIZE;
    *p++ = 0x0a;
    for (size_t v = data_len;; v >>= 7) {
        *p++ = (uint8_t)(v >= 0x80 ? (v & 0x7f) | 0x80 : v);
        if (v < 0x80)
            break;
    }
    for (size_t i = 0; i < data_len; i++)
        *p++ = payload_byte(seq, i);
    return (size_t)(p - buf);
}

static void
raw_send(int fd, const void *buf, size_t len)
{
    assert_int_equal(send(fd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* Runs the listener l (whose recvs answer handshakes and notice hang-ups) until fd is
 * readable, for at most rounds receives of 20 ms that must find no message. */
static bool
pump_until_readable(msgc_chan *l, int fd, int rounds)
{
    for (int i = 0; i < rounds; i++) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 0) == 1)
            return true;
        uint64_t v;
        int rc = recv_num(l, &v, 20);
        if (rc != MSGC_ETIMEDOUT)
            fprintf(stderr, "pump: %s (%s)\n", msgc_errname(rc), msgc_last_error()->detail);
        assert_int_equal(rc, MSGC_ETIMEDOUT);
    }
    return false;
}

/* A raw SEQPACKET socket that connects to the unix listener l and speaks the handshake
 * by hand: HELLO offering MAX_FRAME, then the WELCOME (status 0, MAX_FRAME). */
static int
raw_greet(msgc_chan *l, const fixture *f)
{
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    assert_true(strlen(f->addr) < sizeof sa.sun_path);
    memcpy(sa.sun_path, f->addr, strlen(f->addr));
    assert_int_equal(connect(fd, (const struct sockaddr *)&sa, sizeof sa), 0);
    uint8_t buf[MSGC__HDR_SIZE + 8];
    raw_send(fd, buf, put_header(buf, MSGC__FRAME_HELLO, 0));
    assert_true(pump_until_readable(l, fd, 250));
    assert_int_equal(recv(fd, buf, sizeof buf, 0), MSGC__HDR_SIZE);
    msgc_frame w;
    assert_int_equal(msgc__frame_parse(&w, buf, MSGC__HDR_SIZE), 0);
    assert_int_equal(w.kind, MSGC__FRAME_WELCOME);
    assert_int_equal(w.status, 0);
    assert_int_equal(w.aux, MAX_FRAME);
    return fd;
}

/* Whether the listener dropped the raw connection fd: it reads end of file. */
static bool
raw_dropped(msgc_chan *l, int fd)
{
    if (!pump_until_readable(l, fd, 50))
        return false;
    uint8_t c;
    return recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

static void
expect_error(int rc, int want, const char *detail)
{
    if (rc != want || strcmp(msgc_last_error()->detail, detail) != 0)
        fprintf(stderr, "got %s (%s), want %s (%s)\n", msgc_errname(rc), msgc_last_error()->detail,
                msgc_errname(want), detail);
    assert_int_equal(rc, want);
    assert_string_equal(msgc_last_error()->detail, detail);
}

static void
test_unix_frame_split_over_two_records_is_two_bad_frames_and_the_listener_carries_on(void **state)
{
    fixture *f = *state;
    child_arg ga;
    pid_t dialer = spawn_gated_message(f, &ga, 42);
    msgc_chan *l = must_listen(f);
    int fd = raw_greet(l, f);
    uint8_t buf[256];
    size_t len = put_num_frame(buf, sizeof buf, 7, "split across two records");
    /* Header and the start of the string: each record is a frame, and this one's body is
     * cut short. */
    size_t cut = MSGC__HDR_SIZE + 6;
    raw_send(fd, buf, cut);
    uint64_t v;
    assert_int_equal(recv_num(l, &v, 5000), MSGC_ETRUNC);
    /* The rest is no frame at all. */
    raw_send(fd, buf + cut, len - cut);
    char want[64];
    snprintf(want, sizeof want, "frame magic 0x%02x%02x is not \"mc\"", buf[cut], buf[cut + 1]);
    expect_error(recv_num(l, &v, 5000), MSGC_EPROTO, want);
    close(fd);
    /* A header alone is a whole frame with an empty body, and its body after it is no
     * frame. */
    fd = raw_greet(l, f);
    len = put_num_frame(buf, sizeof buf, 7, "body alone");
    raw_send(fd, buf, MSGC__HDR_SIZE);
    assert_int_equal(recv_num(l, &v, 5000), 0);
    assert_true(v == 0);
    raw_send(fd, buf + MSGC__HDR_SIZE, len - MSGC__HDR_SIZE);
    expect_error(recv_num(l, &v, 5000), MSGC_EPROTO, "frame magic 0x0807 is not \"mc\"");
    close(fd);
    expect_gated_message(f, l, &ga, dialer);
    msgc_close(l);
}

/* A fresh raw connection sends one record; the listener's recv must refuse it. */
static void
expect_record_refused(msgc_chan *l, const fixture *f, const uint8_t *rec, size_t len,
                      const char *detail)
{
    int fd = raw_greet(l, f);
    raw_send(fd, rec, len);
    uint64_t v;
    expect_error(recv_num(l, &v, 5000), MSGC_EPROTO, detail);
    close(fd);
}

static void
test_unix_truncated_headers_are_eproto_and_the_listener_carries_on(void **state)
{
    fixture *f = *state;
    child_arg ga;
    pid_t dialer = spawn_gated_message(f, &ga, 43);
    msgc_chan *l = must_listen(f);
    uint8_t buf[256];
    put_num_frame(buf, sizeof buf, 7, "x");
    expect_record_refused(l, f, buf, 3, "frame of 3 bytes is shorter than its header");
    expect_record_refused(l, f, buf, 20, "frame of 20 bytes is shorter than its header");
    expect_record_refused(l, f, buf, MSGC__HDR_SIZE - 1,
                          "frame of 47 bytes is shorter than its header");
    /* A header that claims more bytes than the record has. */
    buf[5] = 60;
    expect_record_refused(l, f, buf, 50, "frame header length 60 outside [48, 50]");
    expect_gated_message(f, l, &ga, dialer);
    msgc_close(l);
}

static void
test_unix_oversized_or_empty_record_drops_only_its_connection(void **state)
{
    fixture *f = *state;
    child_arg ga;
    pid_t dialer = spawn_gated_message(f, &ga, 44);
    msgc_chan *l = must_listen(f);
    static uint8_t big[MAX_FRAME + 1];
    /* One byte over the largest frame both sides accept: MSG_TRUNC, the dialer goes. */
    int fd = raw_greet(l, f);
    raw_send(fd, big, put_blob_frame(big, 7, MAX_MSG - 2));
    uint64_t v;
    assert_int_equal(recv_num(l, &v, 200), MSGC_ETIMEDOUT);
    assert_true(raw_dropped(l, fd));
    close(fd);
    /* An empty record reads as a hang-up. */
    fd = raw_greet(l, f);
    raw_send(fd, big, 0);
    assert_int_equal(recv_num(l, &v, 200), MSGC_ETIMEDOUT);
    assert_true(raw_dropped(l, fd));
    close(fd);
    /* A frame of exactly the largest size still passes. */
    fd = raw_greet(l, f);
    raw_send(fd, big, put_blob_frame(big, 7, MAX_MSG - 3));
    rt_Blob b;
    rt_Blob_desc.init(&b);
    assert_int_equal(msgc__recv(l, &rt_Blob_desc, &b, 5000), 0);
    bool whole = b.data.len == MAX_MSG - 3 && b.data.data[0] == 7;
    rt_Blob_desc.free(&b);
    assert_true(whole);
    close(fd);
    expect_gated_message(f, l, &ga, dialer);
    msgc_close(l);
}

static void
test_unix_oversized_record_inside_a_burst_drops_the_connection(void **state)
{
    fixture *f = *state;
    child_arg ga;
    pid_t dialer = spawn_gated_message(f, &ga, 45);
    msgc_chan *l = must_listen(f);
    int fd = raw_greet(l, f);
    static uint8_t big[MAX_FRAME + 1];
    uint8_t a[128], c[128];
    raw_send(fd, a, put_num_frame(a, sizeof a, 1, "before"));
    raw_send(fd, big, put_blob_frame(big, 2, MAX_MSG - 2));
    raw_send(fd, c, put_num_frame(c, sizeof c, 3, "after"));
    uint64_t v;
    assert_int_equal(recv_num(l, &v, 5000), 0);
    assert_true(v == 1);
    /* The record over the limit breaks the protocol: the connection goes, as it does when
     * that record comes first. */
    assert_true(raw_dropped(l, fd));
    close(fd);
    expect_gated_message(f, l, &ga, dialer);
    msgc_close(l);
}

static void
test_unix_dialer_breaking_the_protocol_after_its_handshake_is_dropped(void **state)
{
    fixture *f = *state;
    msgc_chan *l = must_listen(f);
    int fd = raw_greet(l, f);
    uint8_t buf[128];
    put_num_frame(buf, sizeof buf, 7, "x");
    raw_send(fd, buf, 20);
    uint64_t v;
    expect_error(recv_num(l, &v, 5000), MSGC_EPROTO,
                 "frame of 20 bytes is shorter than its header");
    assert_true(raw_dropped(l, fd));
    close(fd);
    msgc_close(l);
}

static void
test_unix_malformed_frame_inside_a_burst_ends_the_burst_and_the_connection(void **state)
{
    fixture *f = *state;
    child_arg ga;
    pid_t dialer = spawn_gated_message(f, &ga, 49);
    msgc_chan *l = must_listen(f);
    int fd = raw_greet(l, f);
    uint8_t a[128], b[128], c[128];
    raw_send(fd, a, put_num_frame(a, sizeof a, 1, "before"));
    put_num_frame(b, sizeof b, 2, "cut");
    raw_send(fd, b, 20);
    raw_send(fd, c, put_num_frame(c, sizeof c, 3, "after"));
    /* The three records come in one receive: the first is delivered, the broken one
     * refused, and the one after it never delivered. */
    uint64_t v;
    assert_int_equal(recv_num(l, &v, 5000), 0);
    assert_true(v == 1);
    assert_true(raw_dropped(l, fd));
    close(fd);
    expect_gated_message(f, l, &ga, dialer);
    msgc_close(l);
}

/* The kinds a listener sends (reply, welcome), and hello, which comes only first. */
static const unsigned never_from_dialers[] = {MSGC__FRAME_REPLY, MSGC__FRAME_HELLO,
                                              MSGC__FRAME_WELCOME};
#define N_NEVER (sizeof never_from_dialers / sizeof never_from_dialers[0])

/* Sends one frame of each kind a dialer never sends into f's listener: by hand on raw
 * sockets, one each, all greeted before the first frame goes, or straight into the
 * queue. fds[i] is the raw socket, or -1 on mq. */
static void
inject_foreign_frames(msgc_chan *l, const fixture *f, int fds[N_NEVER])
{
    uint8_t buf[MSGC__HDR_SIZE];
    mqd_t q = -1;
    if (is_mq(f)) {
        q = mq_open(f->addr, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        assert_true(q >= 0);
    }
    for (size_t i = 0; i < N_NEVER; i++)
        fds[i] = is_mq(f) ? -1 : raw_greet(l, f);
    for (size_t i = 0; i < N_NEVER; i++) {
        put_header(buf, never_from_dialers[i], rt_Num_desc.type_id);
        if (fds[i] >= 0)
            raw_send(fds[i], buf, sizeof buf);
        else
            assert_int_equal(mq_send(q, (const char *)buf, sizeof buf, 0), 0);
    }
    if (q >= 0)
        mq_close(q);
}

static void
test_frame_of_a_kind_dialers_never_send_does_not_wedge_recv(void **state)
{
    fixture *f = *state;
    child_arg ga;
    pid_t dialer = spawn_gated_message(f, &ga, 46);
    msgc_chan *l = must_listen(f);
    int fds[N_NEVER];
    inject_foreign_frames(l, f, fds);
    open_gate(&ga.gate);
    /* What breaks the protocol is refused (MSGC_EPROTO), never left pending (MSGC_ETYPE). */
    uint64_t v = 0;
    int rc = MSGC_ETIMEDOUT, rounds = 0;
    while (rc != 0 && rounds++ < 2 * (int)N_NEVER) {
        rc = recv_num(l, &v, 2000);
        if (rc != 0 && rc != MSGC_EPROTO)
            fprintf(stderr, "recv: %s (%s)\n", msgc_errname(rc), msgc_last_error()->detail);
        if (rc != 0)
            assert_int_equal(rc, MSGC_EPROTO);
    }
    assert_int_equal(rc, 0);
    assert_true(v == 46);
    assert_int_equal(reap(f, dialer), 0);
    /* On unix each of those dialers is dropped. */
    for (size_t i = 0; i < N_NEVER; i++) {
        if (fds[i] < 0)
            continue;
        bool dropped = raw_dropped(l, fds[i]);
        close(fds[i]);
        assert_true(dropped);
    }
    msgc_close(l);
}

static void
test_mq_partial_frames_in_the_queue_are_refused_and_the_listener_carries_on(void **state)
{
    fixture *f = *state;
    msgc_chan *l = must_listen(f);
    mqd_t q = mq_open(f->addr, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    assert_true(q >= 0);
    uint8_t buf[256];
    size_t len = put_num_frame(buf, sizeof buf, 7, "split across two messages");
    uint64_t v;
    /* An empty message is how a stopping listener wakes itself: skipped, whoever gets it. */
    assert_int_equal(mq_send(q, (const char *)buf, 0, 0), 0);
    assert_int_equal(recv_num(l, &v, 0), MSGC_ETIMEDOUT);
    assert_int_equal(mq_send(q, (const char *)buf, 20, 0), 0);
    expect_error(recv_num(l, &v, 0), MSGC_EPROTO, "frame of 20 bytes is shorter than its header");
    size_t cut = MSGC__HDR_SIZE + 6;
    assert_int_equal(mq_send(q, (const char *)buf, cut, 0), 0);
    assert_int_equal(recv_num(l, &v, 0), MSGC_ETRUNC);
    assert_int_equal(mq_send(q, (const char *)buf + cut, len - cut, 0), 0);
    char want[64];
    snprintf(want, sizeof want, "frame magic 0x%02x%02x is not \"mc\"", buf[cut], buf[cut + 1]);
    expect_error(recv_num(l, &v, 0), MSGC_EPROTO, want);
    buf[5] = 60;
    assert_int_equal(mq_send(q, (const char *)buf, 50, 0), 0);
    expect_error(recv_num(l, &v, 0), MSGC_EPROTO, "frame header length 60 outside [48, 50]");
    mq_close(q);
    /* A dialer is served as before. */
    msgc_chan *d = must_dial(f);
    assert_int_equal(send_num(d, 47, 0), 0);
    assert_int_equal(recv_num(l, &v, 0), 0);
    assert_true(v == 47);
    assert_int_equal(recv_num(l, &v, 0), MSGC_ETIMEDOUT);
    msgc_close(d);
    msgc_close(l);
}

static void
test_mq_junk_in_a_callers_reply_queue_is_ignored(void **state)
{
    fixture *f = *state;
    child_arg sa = CHILD_ARG(f);
    pid_t srv = spawn(f, child_calc_server, &sa);
    msgc_chan *d = must_dial(f);
    rt_Num rep;
    assert_int_equal(rt_call_num(d, RT_ADD, 1, &rep, 5000), 0);
    mqd_t q = mq_open(msgc__mq_reply_name(d), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    assert_true(q >= 0);
    /* An empty message (a wake-up), bytes that are no frame, and the reply to a call that
     * was never made: the next call takes none of them for its answer. */
    uint8_t buf[MSGC__HDR_SIZE];
    assert_int_equal(mq_send(q, "", 0, 0), 0);
    assert_int_equal(mq_send(q, "junk", 4, 0), 0);
    msgc_frame h;
    msgc__frame_init(&h, MSGC__FRAME_REPLY);
    h.call_id = 999;
    h.status = 5;
    msgc__frame_put(&h, buf);
    assert_int_equal(mq_send(q, (const char *)buf, sizeof buf, 0), 0);
    mq_close(q);
    int rc = rt_call_num(d, RT_ADD, 41, &rep, 5000);
    msgc_close(d);
    assert_int_equal(terminate(f, srv), 0);
    assert_int_equal(rc, 0);
    assert_true(rep.a == 42);
}

/* Sends N_SLOW messages into a buffer the reader drains slowly: the first half with
 * timeout 0, the rest with WAIT_MS, retrying every send that timed out. Both kinds of
 * timeout must have happened, and the reader must get every message once. */
static int
child_retrying_sender(void *argv)
{
    child_arg *a = argv;
    child_start(a);
    msgc_chan *ch = child_dial(a->f->url);
    int rc = 0;
    unsigned full_zero = 0, full_timed = 0;
    for (uint64_t seq = 0; seq < N_SLOW; seq++) {
        int timeout = seq < N_SLOW / 2 ? 0 : WAIT_MS;
        while ((rc = send_blob(ch, seq, timeout)) == MSGC_ETIMEDOUT) {
            if (timeout == 0) {
                full_zero++;
                rt_sleep_ms(1);
            } else {
                full_timed++;
            }
        }
        child_check("send", rc);
    }
    msgc_close(ch);
    fprintf(stderr, "%s sender: %u sends timed out at once, %u after %d ms\n", a->f->c->kind,
            full_zero, full_timed, WAIT_MS);
    RT_CHECK(full_zero > 0);
    RT_CHECK(full_timed > 0);
    return child_end(a);
}

static void
test_slow_reader_gets_everything_once_while_the_sender_meets_a_full_buffer(void **state)
{
    fixture *f = *state;
    child_arg a = CHILD_ARG(f);
    pid_t pid = spawn(f, child_retrying_sender, &a);
    msgc_chan *l = must_listen(f);
    /* The sender fills the buffer while nobody reads. */
    assert_int_equal(recv_checked(l, 0, 5000), 0);
    rt_sleep_ms(200);
    uint64_t seq = 1;
    int rc = 0;
    for (; seq < N_SLOW; seq++) {
        /* Long pauses now and then, so sends with a timeout run out too. */
        if (seq % 100 == 0)
            rt_sleep_ms(2 * WAIT_MS);
        else if (seq % 4 == 0)
            rt_sleep_ms(1);
        if ((rc = recv_checked(l, seq, 10000)) != 0)
            break;
    }
    int after = recv_checked(l, seq, 200);
    msgc_close(l);
    assert_int_equal(reap(f, pid), 0);
    assert_int_equal(rc, 0);
    assert_int_equal(seq, N_SLOW);
    assert_int_equal(after, MSGC_ETIMEDOUT);
}

/* --- (c) peers killed before, during and after a message --- */

static void
test_listener_killed_before_a_call_gives_eclosed_at_once(void **state)
{
    fixture *f = *state;
    child_arg sa = CHILD_ARG(f);
    pid_t srv = spawn(f, child_calc_server, &sa);
    msgc_chan *d = must_dial(f);
    rt_Num rep;
    int first = rt_call_num(d, RT_ADD, 1, &rep, 5000);
    kill(srv, SIGKILL);
    int st = reap(f, srv);
    long long t0 = rt_now_ms();
    int rc = rt_call_num(d, RT_ADD, 2, &rep, -1);
    long long took = rt_now_ms() - t0;
    int after = rt_call_num(d, RT_ADD, 3, &rep, -1);
    msgc_close(d);
    take_over_address(f);
    assert_int_equal(first, 0);
    assert_int_equal(st, 128 + SIGKILL);
    assert_int_equal(rc, MSGC_ECLOSED);
    assert_true(took < PROMPT_MS);
    assert_int_equal(after, MSGC_ECLOSED);
}

static void
test_sender_killed_mid_stream_leaves_an_intact_prefix(void **state)
{
    fixture *f = *state;
    child_arg sa = CHILD_ARG(f);
    pid_t sender = spawn(f, child_stream_sender, &sa);
    child_arg ga;
    pid_t dialer = spawn_gated_message(f, &ga, 48);
    msgc_chan *l = must_listen(f);
    uint64_t seq = 0;
    int rc = 0;
    while (seq < 300 && (rc = recv_checked(l, seq, 5000)) == 0)
        seq++;
    /* Killed while it sends into a full buffer: what it got out arrives whole, in order. */
    kill(sender, SIGKILL);
    int st = reap(f, sender);
    while (rc == 0 && (rc = recv_checked(l, seq, 300)) == 0)
        seq++;
    fprintf(stderr, "%s: %llu messages before the sender died\n", f->c->kind,
            (unsigned long long)seq);
    assert_int_equal(st, 128 + SIGKILL);
    assert_int_equal(rc, MSGC_ETIMEDOUT);
    assert_true(seq >= 300);
    expect_gated_message(f, l, &ga, dialer);
    msgc_close(l);
}

static void
test_messages_sent_just_before_the_sender_is_killed_are_delivered(void **state)
{
    fixture *f = *state;
    child_arg a = CHILD_ARG(f);
    a.gate = open_pipe();
    a.ready = open_pipe();
    a.n = 3;
    a.value = 101;
    pid_t pid = spawn(f, child_send_then_wait, &a);
    close_end(&a.gate.r);
    close_end(&a.ready.w);
    msgc_chan *l = must_listen(f);
    /* The listener answers the handshake, then reads nothing until the sender is dead. */
    assert_true(pump_until_readable(l, a.ready.r, 250));
    assert_true(read_byte(a.ready.r));
    open_gate(&a.gate);
    assert_true(read_byte(a.ready.r));
    kill(pid, SIGKILL);
    assert_int_equal(reap(f, pid), 128 + SIGKILL);
    close_pipe(&a.ready);
    uint64_t v;
    for (uint64_t i = 0; i < 3; i++) {
        assert_int_equal(recv_num(l, &v, 5000), 0);
        assert_true(v == 101 + i);
    }
    assert_int_equal(recv_num(l, &v, 200), MSGC_ETIMEDOUT);
    msgc_close(l);
}

/* --- the list --- */

#define CASE(fn, c, tag)                                                                           \
    {                                                                                              \
        .name = #fn " [" tag "]", .test_func = fn, .setup_func = setup, .teardown_func = teardown, \
        .initial_state = &c                                                                        \
    }
/* Over both transports, with the signal handler installed with and without SA_RESTART. */
#define FOUR(fn)                                                                                   \
    CASE(fn, unix_restart, "unix, SA_RESTART"), CASE(fn, unix_plain, "unix, no SA_RESTART"),       \
        CASE(fn, mq_restart, "mq, SA_RESTART"), CASE(fn, mq_plain, "mq, no SA_RESTART")
#define BOTH(fn) CASE(fn, unix_plain, "unix"), CASE(fn, mq_plain, "mq")
#define UNIX(fn) CASE(fn, unix_plain, "unix")
#define MQ(fn) CASE(fn, mq_plain, "mq")

int
main(void)
{
    signal(SIGPIPE, SIG_DFL); /* SIGPIPE must never be raised, so it may stay fatal */
    signal(SIGALRM, SIG_IGN); /* see ticker_stop */
    const struct CMUnitTest tests[] = {
        FOUR(test_messages_arrive_intact_while_signals_interrupt_both_ends),
        FOUR(test_calls_succeed_time_out_and_stop_while_signals_arrive),
        FOUR(test_listener_waits_time_out_and_stop_while_signals_arrive),
        FOUR(test_send_on_a_full_buffer_times_out_and_stops_while_signals_arrive),
        FOUR(test_dial_times_out_then_waits_for_a_late_listener_while_signals_arrive),
        FOUR(test_call_to_a_listener_killed_meanwhile_is_eclosed_while_signals_arrive),
        FOUR(test_send_blocked_on_a_killed_listener_is_eclosed_while_signals_arrive),
        CASE(test_reply_queue_of_a_killed_caller_is_reclaimed_while_signals_arrive, mq_restart,
             "mq, SA_RESTART"),
        CASE(test_reply_queue_of_a_killed_caller_is_reclaimed_while_signals_arrive, mq_plain,
             "mq, no SA_RESTART"),
        UNIX(test_unix_frame_split_over_two_records_is_two_bad_frames_and_the_listener_carries_on),
        UNIX(test_unix_truncated_headers_are_eproto_and_the_listener_carries_on),
        UNIX(test_unix_oversized_or_empty_record_drops_only_its_connection),
        UNIX(test_unix_oversized_record_inside_a_burst_drops_the_connection),
        UNIX(test_unix_dialer_breaking_the_protocol_after_its_handshake_is_dropped),
        UNIX(test_unix_malformed_frame_inside_a_burst_ends_the_burst_and_the_connection),
        BOTH(test_frame_of_a_kind_dialers_never_send_does_not_wedge_recv),
        MQ(test_mq_partial_frames_in_the_queue_are_refused_and_the_listener_carries_on),
        MQ(test_mq_junk_in_a_callers_reply_queue_is_ignored),
        BOTH(test_slow_reader_gets_everything_once_while_the_sender_meets_a_full_buffer),
        BOTH(test_listener_killed_before_a_call_gives_eclosed_at_once),
        BOTH(test_sender_killed_mid_stream_leaves_an_intact_prefix),
        BOTH(test_messages_sent_just_before_the_sender_is_killed_are_delivered),
    };
    return cmocka_run_group_tests_name("signals", tests, NULL, NULL);
}
