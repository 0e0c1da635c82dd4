/* test_rpc.c - typed messages and calls (runtime/rpc.c, chan.c) between real processes,
 * each scenario over both transports. Children report through their exit status. */
#define _GNU_SOURCE
#include "rt_msgs.h"
#include "rt_proc.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>

#include <cmocka.h>

typedef rt_fixture fixture;

static msgc_opts
dial_opts(void)
{
    msgc_opts o = MSGC_OPTS_INIT;
    o.dial_timeout_ms = 5000;
    return o;
}

static unsigned
n_calls(void)
{
    const char *e = getenv("MSGC_TEST_CALLS");
    return e && atoi(e) > 0 ? (unsigned)atoi(e) : 10000u;
}

/* --- a serving child, stopped by SIGTERM through msgc_stop --- */

static int
server_main(void *arg)
{
    rt_stop_on_sigterm();
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_listen(&ch, arg, NULL) == 0);
    rt_stop_target(ch);
    rt_ctx ctx = {0};
    int rc = msgc__serve(ch, &rt_Calc_service, &rt_calc_handlers, &ctx);
    rt_stop_target(NULL);
    msgc_close(ch);
    RT_CHECK(rc == 0);
    return 0;
}

static void
start_server(fixture *f)
{
    f->server = rt_spawn(server_main, f->url);
    assert_true(f->server > 0);
}

static msgc_chan *
dial(const fixture *f)
{
    msgc_opts o = dial_opts();
    msgc_chan *ch = NULL;
    int rc = msgc_dial(&ch, f->url, &o);
    if (rc)
        fprintf(stderr, "dial %s: %s (%s)\n", f->url, msgc_errname(rc),
                msgc_last_error()->detail);
    assert_int_equal(rc, 0);
    return ch;
}

/* --- many clients --- */

typedef struct client_arg {
    const char *url;
    unsigned id, n;
} client_arg;

static int
client_main(void *argv)
{
    client_arg *c = argv;
    msgc_opts o = dial_opts();
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_dial(&ch, c->url, &o) == 0);
    for (unsigned i = 0; i < c->n; i++) {
        rt_Num req, rep;
        rt_Num_desc.init(&req);
        rt_Num_desc.init(&rep);
        req.a = (uint64_t)c->id << 32 | i;
        snprintf(req.s, sizeof req.s, "client %u call %u", c->id, i);
        RT_CHECK(msgc__call(ch, &rt_Calc_service, RT_ADD, &req, &rep, 10000) == 0);
        RT_CHECK(rep.a == req.a + 1);
        RT_CHECK(strcmp(rep.s, req.s) == 0);
    }
    msgc_close(ch);
    return 0;
}

static void
test_four_clients_get_every_reply_to_their_own_calls(void **state)
{
    fixture *f = *state;
    start_server(f);
    client_arg args[4];
    pid_t pids[4];
    for (unsigned i = 0; i < 4; i++) {
        args[i] = (client_arg){.url = f->url, .id = i + 1, .n = n_calls()};
        pids[i] = rt_spawn(client_main, &args[i]);
    }
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(rt_wait(pids[i]), 0);
    rt_stop_server(f);
}

/* --- statuses --- */

static void
test_handler_statuses_reach_the_caller(void **state)
{
    fixture *f = *state;
    start_server(f);
    msgc_chan *ch = dial(f);
    rt_Num rep;
    /* 0: the reply travels. */
    assert_int_equal(rt_call_num(ch, RT_STATUS, 0, &rep, 5000), 0);
    assert_true(rep.a == 99);
    /* Positive: only the status travels; rep stays as after init. */
    assert_int_equal(rt_call_num(ch, RT_STATUS, 7, &rep, 5000), 7);
    assert_true(rep.a == 0);
    /* Negative: the server failed the call. */
    assert_int_equal(rt_call_num(ch, RT_STATUS, (uint64_t)-5, &rep, 5000), MSGC_EREMOTE);
    assert_int_equal(rt_call_num(ch, RT_STATUS, (uint64_t)(int64_t)MSGC_ETYPE, &rep, 5000),
                     MSGC_EREMOTE);
    assert_int_equal(rt_call_num(ch, RT_ADD, 1, &rep, 5000), 0);
    assert_true(rep.a == 2);
    msgc_close(ch);
    rt_stop_server(f);
}

static void
test_unknown_method_and_missing_handler_are_enotsup(void **state)
{
    fixture *f = *state;
    start_server(f);
    msgc_chan *ch = dial(f);
    rt_Num req = {.a = 1}, rep;
    rt_Num_desc.init(&rep);
    assert_int_equal(msgc__call(ch, &rt_Bad_service, 1, &req, &rep, 5000), MSGC_ENOTSUP);
    assert_string_equal(msgc_last_error()->detail, "Unknown: the server answered MSGC_ENOTSUP");
    assert_int_equal(rt_call_num(ch, RT_MISSING, 1, &rep, 5000), MSGC_ENOTSUP);
    assert_int_equal(rt_call_num(ch, RT_ADD, 41, &rep, 5000), 0);
    assert_true(rep.a == 42);
    msgc_close(ch);
    rt_stop_server(f);
}

static void
test_undecodable_request_is_eremote_and_server_carries_on(void **state)
{
    fixture *f = *state;
    start_server(f);
    msgc_chan *ch = dial(f);
    uint8_t junk[3] = {'x', 'y', 'z'};
    rt_Blob req = {.data = {.data = junk, .len = sizeof junk}};
    rt_Num rep;
    rt_Num_desc.init(&rep);
    assert_int_equal(msgc__call(ch, &rt_Bad_service, 0, &req, &rep, 5000), MSGC_EREMOTE);
    assert_int_equal(rt_call_num(ch, RT_ADD, 1, &rep, 5000), 0);
    assert_true(rep.a == 2);
    msgc_close(ch);
    rt_stop_server(f);
}

static void
test_late_reply_is_discarded_by_call_id(void **state)
{
    fixture *f = *state;
    start_server(f);
    msgc_chan *ch = dial(f);
    rt_Num rep;
    long long t0 = rt_now_ms();
    assert_int_equal(rt_call_num(ch, RT_SLEEP, 300, &rep, 100), MSGC_ETIMEDOUT);
    long long took = rt_now_ms() - t0;
    assert_true(took >= 100 && took < 250);
    /* The Sleep reply arrives during this call and must not be taken for its answer. */
    assert_int_equal(rt_call_num(ch, RT_ADD, 1000, &rep, 5000), 0);
    assert_true(rep.a == 1001);
    assert_int_equal(rt_call_num(ch, RT_ADD, 7, &rep, 5000), 0);
    assert_true(rep.a == 8);
    msgc_close(ch);
    rt_stop_server(f);
}

/* --- timeouts --- */

static volatile sig_atomic_t g_ticks;

static void
on_tick(int sig)
{
    (void)sig;
    g_ticks++;
}

static void
test_timeout_holds_while_signals_arrive(void **state)
{
    fixture *f = *state;
    start_server(f);
    msgc_chan *ch = dial(f);
    rt_catch_signal(SIGALRM, on_tick); /* without SA_RESTART: every wait sees EINTR */
    struct itimerval it = {{0, 5000}, {0, 5000}};
    g_ticks = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    rt_Num rep;
    long long t0 = rt_now_ms();
    int rc = rt_call_num(ch, RT_SLEEP, 1000, &rep, 200);
    long long took = rt_now_ms() - t0;
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    signal(SIGALRM, SIG_DFL);
    assert_int_equal(rc, MSGC_ETIMEDOUT);
    assert_true(took >= 200 && took < 350);
    assert_true(g_ticks > 10);
    msgc_close(ch);
    rt_stop_server(f);
}

static void
test_timeout_zero_returns_at_once(void **state)
{
    fixture *f = *state;
    start_server(f);
    msgc_chan *ch = dial(f);
    rt_Num rep;
    long long t0 = rt_now_ms();
    assert_int_equal(rt_call_num(ch, RT_SLEEP, 500, &rep, 0), MSGC_ETIMEDOUT);
    assert_true(rt_now_ms() - t0 < 50);
    msgc_close(ch);
    rt_stop_server(f);
}

/* --- a server dying under a call --- */

typedef struct kill_arg {
    pid_t pid;
    long after_ms;
} kill_arg;

static int
killer_main(void *argv)
{
    kill_arg *k = argv;
    rt_sleep_ms(k->after_ms);
    kill(k->pid, SIGKILL);
    return 0;
}

static void
killed_server_closes_call(fixture *f, int timeout_ms)
{
    start_server(f);
    /* Children are forked before this process opens channels, so they hold none. */
    kill_arg k = {.pid = f->server, .after_ms = 300};
    pid_t killer = rt_spawn(killer_main, &k);
    msgc_chan *ch = dial(f);
    rt_Num rep;
    assert_int_equal(rt_call_num(ch, RT_ADD, 1, &rep, 5000), 0);
    long long t0 = rt_now_ms();
    int rc = rt_call_num(ch, RT_SLEEP, 10000, &rep, timeout_ms);
    long long took = rt_now_ms() - t0;
    assert_int_equal(rt_wait(killer), 0);
    assert_int_equal(rt_wait(f->server), 128 + SIGKILL);
    f->server = 0;
    assert_int_equal(rc, MSGC_ECLOSED);
    assert_true(took < 1000);
    /* A dialer that saw its listener go stays closed. */
    assert_int_equal(rt_call_num(ch, RT_ADD, 1, &rep, 5000), MSGC_ECLOSED);
    msgc_close(ch);
    /* A restarted server is reachable again at the same address. */
    start_server(f);
    ch = dial(f);
    assert_int_equal(rt_call_num(ch, RT_ADD, 5, &rep, 5000), 0);
    assert_true(rep.a == 6);
    msgc_close(ch);
    rt_stop_server(f);
}

static void
test_server_killed_mid_call_gives_eclosed_without_timeout(void **state)
{
    killed_server_closes_call(*state, -1);
}

static void
test_server_killed_mid_call_gives_eclosed_within_timeout(void **state)
{
    killed_server_closes_call(*state, 3000);
}

typedef struct spin_arg {
    const char *url;
} spin_arg;

static int
spinning_client_main(void *argv)
{
    spin_arg *s = argv;
    msgc_opts o = dial_opts();
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_dial(&ch, s->url, &o) == 0);
    for (uint64_t i = 0;; i++) {
        rt_Num req = {.a = i}, rep;
        rt_Num_desc.init(&rep);
        RT_CHECK(msgc__call(ch, &rt_Calc_service, RT_ADD, &req, &rep, 5000) == 0);
    }
}

static void
test_killed_clients_do_not_stop_the_server(void **state)
{
    fixture *f = *state;
    start_server(f);
    spin_arg s = {.url = f->url};
    for (int i = 0; i < 3; i++) {
        pid_t c = rt_spawn(spinning_client_main, &s);
        rt_sleep_ms(100);
        rt_kill(c, SIGKILL);
    }
    msgc_chan *ch = dial(f);
    rt_Num rep;
    for (uint64_t i = 0; i < 100; i++) {
        assert_int_equal(rt_call_num(ch, RT_ADD, i, &rep, 5000), 0);
        assert_true(rep.a == i + 1);
    }
    msgc_close(ch);
    rt_stop_server(f);
}

/* --- in-process listener: messages, pending types, stop --- */

static msgc_chan *
listen_here(const fixture *f)
{
    msgc_chan *ch = NULL;
    int rc = msgc_listen(&ch, f->url, NULL);
    if (rc)
        fprintf(stderr, "listen %s: %s (%s)\n", f->url, msgc_errname(rc),
                msgc_last_error()->detail);
    assert_int_equal(rc, 0);
    return ch;
}

static int
sender_main(void *argv)
{
    const char *url = argv;
    msgc_opts o = dial_opts();
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_dial(&ch, url, &o) == 0);
    rt_Num n = {.a = 5};
    strcpy(n.s, "five");
    uint8_t bytes[4] = {1, 2, 3, 4};
    rt_Blob b = {.data = {.data = bytes, .len = sizeof bytes}};
    RT_CHECK(msgc__send(ch, &rt_Num_desc, &n, 5000) == 0);
    RT_CHECK(msgc__send(ch, &rt_Blob_desc, &b, 5000) == 0);
    /* A call after the sends; its reply tells the sends went through first. */
    rt_Num rep;
    rt_Num_desc.init(&rep);
    n.a = 9;
    int rc = msgc__call(ch, &rt_Calc_service, RT_ADD, &n, &rep, 5000);
    RT_CHECK(rc == 0 || rc == MSGC_ETIMEDOUT);
    msgc_close(ch);
    return 0;
}

/* Starts a dialing child, then listens here: the child dials with a timeout, and holds
 * no copy of the listener. */
static msgc_chan *
listen_and_spawn(fixture *f, int (*fn)(void *), void *arg, pid_t *pid)
{
    *pid = rt_spawn(fn, arg);
    return listen_here(f);
}

static void
test_wrong_type_leaves_the_message_pending_for_its_type(void **state)
{
    fixture *f = *state;
    pid_t pid;
    msgc_chan *ch = listen_and_spawn(f, sender_main, f->url, &pid);
    rt_Blob b;
    rt_Blob_desc.init(&b);
    assert_int_equal(msgc__recv(ch, &rt_Blob_desc, &b, 5000), MSGC_ETYPE);
    /* Pending: msgc_fd is readable and msgc_next_type names it without taking it. */
    struct pollfd p = {.fd = msgc_fd(ch), .events = POLLIN};
    assert_int_equal(poll(&p, 1, 0), 1);
    uint64_t id = 0;
    assert_int_equal(msgc_next_type(ch, &id, 0), 0);
    assert_true(id == rt_Num_desc.type_id);
    assert_int_equal(msgc__recv(ch, &rt_Blob_desc, &b, 0), MSGC_ETYPE);
    rt_Num n;
    rt_Num_desc.init(&n);
    assert_int_equal(msgc__recv(ch, &rt_Num_desc, &n, 0), 0);
    assert_true(n.a == 5);
    assert_string_equal(n.s, "five");
    assert_int_equal(msgc__recv(ch, &rt_Blob_desc, &b, 5000), 0);
    assert_int_equal(b.data.len, 4);
    assert_int_equal(b.data.data[3], 4);
    rt_Blob_desc.free(&b);
    /* The call that follows is served; nothing was lost. */
    rt_ctx ctx = {0};
    assert_int_equal(msgc__serve_one(ch, &rt_Calc_service, &rt_calc_handlers, &ctx, 5000), 0);
    assert_int_equal(rt_wait(pid), 0);
    msgc_close(ch);
}

static void
test_serve_drops_and_counts_plain_messages(void **state)
{
    fixture *f = *state;
    pid_t pid;
    msgc_chan *ch = listen_and_spawn(f, sender_main, f->url, &pid);
    rt_ctx ctx = {0};
    assert_int_equal(msgc__serve_one(ch, &rt_Calc_service, &rt_calc_handlers, &ctx, 5000), 0);
    assert_int_equal(msgc_dropped(ch), 2);
    assert_int_equal(rt_wait(pid), 0);
    /* Whoever called is known on sockets only. */
    if (strcmp(f->kind, "unix") == 0) {
        assert_int_equal(ctx.pid, pid);
        assert_int_equal(ctx.uid, geteuid());
    } else {
        assert_int_equal(ctx.pid, -1);
    }
    assert_true(ctx.deadline > rt_now_ms() && ctx.deadline <= rt_now_ms() + 5000);
    assert_int_equal(msgc__serve_one(ch, &rt_Calc_service, &rt_calc_handlers, &ctx, 0),
                     MSGC_ETIMEDOUT);
    msgc_close(ch);
}

static int
note_main(void *argv)
{
    const char *url = argv;
    msgc_opts o = dial_opts();
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_dial(&ch, url, &o) == 0);
    rt_Num n = {.a = 77};
    RT_CHECK(msgc__call(ch, &rt_Calc_service, RT_NOTE, &n, NULL, 5000) == 0);
    rt_Num rep;
    rt_Num_desc.init(&rep);
    RT_CHECK(msgc__call(ch, &rt_Calc_service, RT_ADD, &n, &rep, 5000) == 0);
    RT_CHECK(rep.a == 78);
    msgc_close(ch);
    return 0;
}

static void
test_oneway_call_reaches_its_handler_without_reply(void **state)
{
    fixture *f = *state;
    pid_t pid;
    msgc_chan *ch = listen_and_spawn(f, note_main, f->url, &pid);
    rt_ctx ctx = {0};
    assert_int_equal(msgc__serve_one(ch, &rt_Calc_service, &rt_calc_handlers, &ctx, 5000), 0);
    assert_int_equal(ctx.notes, 1);
    assert_true(ctx.last_note == 77);
    assert_int_equal(msgc__serve_one(ch, &rt_Calc_service, &rt_calc_handlers, &ctx, 5000), 0);
    assert_int_equal(rt_wait(pid), 0);
    msgc_close(ch);
}

/* The listener a signal handler stops. */
static msgc_chan *g_chan;

static void
on_alarm_stop(int sig)
{
    (void)sig;
    msgc_stop(g_chan);
}

static void
test_stop_from_a_signal_handler_ends_serve_with_zero(void **state)
{
    fixture *f = *state;
    g_chan = listen_here(f);
    rt_catch_signal(SIGALRM, on_alarm_stop);
    struct itimerval it = {{0, 0}, {0, 100000}};
    setitimer(ITIMER_REAL, &it, NULL);
    rt_ctx ctx = {0};
    long long t0 = rt_now_ms();
    assert_int_equal(msgc__serve(g_chan, &rt_Calc_service, &rt_calc_handlers, &ctx), 0);
    assert_true(rt_now_ms() - t0 < 1000);
    /* Later serves return 0 at once; a recv sees the channel closed. */
    assert_int_equal(msgc__serve(g_chan, &rt_Calc_service, &rt_calc_handlers, &ctx), 0);
    rt_Num n;
    rt_Num_desc.init(&n);
    assert_int_equal(msgc__recv(g_chan, &rt_Num_desc, &n, -1), MSGC_ECLOSED);
    signal(SIGALRM, SIG_DFL);
    msgc_close(g_chan);
    g_chan = NULL;
}

static void
test_stop_wakes_a_blocked_recv_with_eclosed(void **state)
{
    fixture *f = *state;
    g_chan = listen_here(f);
    rt_catch_signal(SIGALRM, on_alarm_stop);
    struct itimerval it = {{0, 0}, {0, 50000}};
    setitimer(ITIMER_REAL, &it, NULL);
    rt_Num n;
    rt_Num_desc.init(&n);
    assert_int_equal(msgc__recv(g_chan, &rt_Num_desc, &n, -1), MSGC_ECLOSED);
    struct pollfd p = {.fd = msgc_fd(g_chan), .events = POLLIN};
    assert_int_equal(poll(&p, 1, 0), 1);
    signal(SIGALRM, SIG_DFL);
    msgc_close(g_chan);
    g_chan = NULL;
}

static void
test_roles_send_on_listener_and_recv_on_dialer_are_enotsup(void **state)
{
    fixture *f = *state;
    start_server(f);
    msgc_chan *d = dial(f);
    rt_Num n = {.a = 1};
    assert_int_equal(msgc__recv(d, &rt_Num_desc, &n, 0), MSGC_ENOTSUP);
    assert_string_equal(msgc_last_error()->detail, "recv on a dialer");
    uint64_t id;
    assert_int_equal(msgc_next_type(d, &id, 0), MSGC_ENOTSUP);
    assert_int_equal(msgc__serve_one(d, &rt_Calc_service, &rt_calc_handlers, NULL, 0),
                     MSGC_ENOTSUP);
    msgc_close(d);
    rt_stop_server(f);
    msgc_chan *l = listen_here(f);
    assert_int_equal(msgc__send(l, &rt_Num_desc, &n, 0), MSGC_ENOTSUP);
    assert_string_equal(msgc_last_error()->detail, "send on a listener");
    rt_Num rep;
    assert_int_equal(rt_call_num(l, RT_ADD, 1, &rep, 0), MSGC_ENOTSUP);
    msgc_close(l);
}

static void
test_oversize_message_is_etoobig_before_sending(void **state)
{
    fixture *f = *state;
    start_server(f);
    msgc_chan *ch = dial(f);
    size_t max = msgc_max_msg(ch);
    uint8_t *big = calloc(1, max + 1);
    rt_Blob b = {.data = {.data = big, .len = max}};
    /* Tag and length make max bytes of data too big. */
    assert_int_equal(msgc__send(ch, &rt_Blob_desc, &b, 0), MSGC_ETOOBIG);
    char want[128];
    snprintf(want, sizeof want, "rt.Blob of %zu bytes > %zu, the largest this channel carries",
             rt_Blob_desc.encoded_size(&b), max);
    assert_string_equal(msgc_last_error()->detail, want);
    b.data.len = max - 4;
    assert_int_equal(msgc__send(ch, &rt_Blob_desc, &b, 5000), 0);
    free(big);
    /* A reply larger than the caller can take comes back as MSGC_ETOOBIG. */
    rt_Blob rep;
    rt_Blob_desc.init(&rep);
    rt_Num req = {.a = max + 10};
    assert_int_equal(msgc__call(ch, &rt_Calc_service, RT_BIG, &req, &rep, 5000), MSGC_ETOOBIG);
    req.a = 100;
    assert_int_equal(msgc__call(ch, &rt_Calc_service, RT_BIG, &req, &rep, 5000), 0);
    assert_int_equal(rep.data.len, 100);
    rt_Blob_desc.free(&rep);
    msgc_close(ch);
    rt_stop_server(f);
}

static int
batch_sender_main(void *argv)
{
    const char *url = argv;
    msgc_opts o = dial_opts();
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_dial(&ch, url, &o) == 0);
    rt_Num ms[100];
    for (unsigned i = 0; i < 100; i++) {
        rt_Num_desc.init(&ms[i]);
        ms[i].a = i + 1;
    }
    size_t sent = 0;
    RT_CHECK(msgc__send_many(ch, &rt_Num_desc, ms, 100, &sent, 10000) == 0);
    RT_CHECK(sent == 100);
    msgc_close(ch);
    return 0;
}

static void
test_batches_arrive_whole_and_in_order(void **state)
{
    fixture *f = *state;
    pid_t pid;
    msgc_chan *ch = listen_and_spawn(f, batch_sender_main, f->url, &pid);
    rt_Num ms[32];
    uint64_t next = 1;
    while (next <= 100) {
        size_t got = 0;
        assert_int_equal(msgc__recv_many(ch, &rt_Num_desc, ms, 32, &got, 5000), 0);
        assert_true(got >= 1 && got <= 32);
        for (size_t i = 0; i < got; i++)
            assert_true(ms[i].a == next++);
    }
    assert_int_equal(rt_wait(pid), 0);
    msgc_close(ch);
}

/* --- issue 4: waits that sleep in the kernel, read-ahead --- */

static msgc_chan *g_stop_me;
static volatile long long g_stopped_at;

static void
on_alarm_stop_dialer(int sig)
{
    (void)sig;
    g_stopped_at = rt_now_ms();
    msgc_stop(g_stop_me);
}

/* A dialer waiting for its reply sleeps in recvmsg or mq_timedreceive, not in poll:
 * msgc_stop must still wake it at once, also when the signal restarts system calls (the
 * sleep's own 100 ms tick, which comes at 200 ms here, would be too late). */
static void
expect_stop_wakes_call(const fixture *f, int timeout_ms)
{
    g_stop_me = dial(f);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm_stop_dialer;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {0, 140000}};
    g_stopped_at = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    rt_Num rep;
    assert_int_equal(rt_call_num(g_stop_me, RT_SLEEP, 1000, &rep, timeout_ms), MSGC_ECLOSED);
    long long late = rt_now_ms() - g_stopped_at;
    assert_true(g_stopped_at > 0 && late < 50);
    assert_string_equal(msgc_last_error()->detail, "channel stopped");
    /* Stopped for good: the next call fails at once. */
    assert_int_equal(rt_call_num(g_stop_me, RT_ADD, 1, &rep, -1), MSGC_ECLOSED);
    signal(SIGALRM, SIG_DFL);
    msgc_close(g_stop_me);
    g_stop_me = NULL;
}

static void
test_issue4_stop_wakes_a_dialer_waiting_for_its_reply(void **state)
{
    fixture *f = *state;
    start_server(f);
    expect_stop_wakes_call(f, -1);
    expect_stop_wakes_call(f, 5000);
    /* The server carries on: a new dialer is answered. */
    msgc_chan *ch = dial(f);
    rt_Num rep;
    assert_int_equal(rt_call_num(ch, RT_ADD, 1, &rep, 5000), 0);
    msgc_close(ch);
    rt_stop_server(f);
}

/* A finite timeout shorter than the dialer's longest sleep is kept exactly. */
static void
test_issue4_short_timeout_of_a_sleeping_dialer_is_kept(void **state)
{
    fixture *f = *state;
    start_server(f);
    msgc_chan *ch = dial(f);
    rt_Num rep;
    long long t0 = rt_now_ms();
    assert_int_equal(rt_call_num(ch, RT_SLEEP, 400, &rep, 30), MSGC_ETIMEDOUT);
    long long took = rt_now_ms() - t0;
    assert_true(took >= 30 && took < 200);
    /* A longer one after it still waits for its reply. */
    rt_sleep_ms(400);
    assert_int_equal(rt_call_num(ch, RT_SLEEP, 150, &rep, 5000), 0);
    assert_true(rep.a == 150);
    msgc_close(ch);
    rt_stop_server(f);
}

static int
eight_sender_main(void *argv)
{
    const char *url = argv;
    msgc_opts o = dial_opts();
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_dial(&ch, url, &o) == 0);
    for (unsigned i = 1; i <= 8; i++) {
        rt_Num n = {.a = i};
        RT_CHECK(msgc__send(ch, &rt_Num_desc, &n, 5000) == 0);
    }
    msgc_close(ch);
    return 0;
}

/* A listener may bring several frames with one receive: those wait in the channel, so
 * msgc_fd, even when first asked for afterwards, is readable until they are taken. */
static void
test_issue4_frames_read_ahead_keep_msgc_fd_readable(void **state)
{
    fixture *f = *state;
    pid_t pid;
    msgc_chan *ch = listen_and_spawn(f, eight_sender_main, f->url, &pid);
    rt_Num n;
    rt_Num_desc.init(&n);
    assert_int_equal(msgc__recv(ch, &rt_Num_desc, &n, 5000), 0);
    assert_true(n.a == 1);
    assert_int_equal(rt_wait(pid), 0);
    struct pollfd p = {.fd = msgc_fd(ch), .events = POLLIN};
    for (uint64_t i = 2; i <= 8; i++) {
        assert_int_equal(poll(&p, 1, 0), 1);
        assert_int_equal(msgc__recv(ch, &rt_Num_desc, &n, 0), 0);
        assert_true(n.a == i);
    }
    /* Everything taken: msgc_fd is quiet again (a unix listener may still see the
     * hang-up of the sender, which a recv consumes). */
    if (poll(&p, 1, 0) == 1)
        assert_int_equal(msgc__recv(ch, &rt_Num_desc, &n, 0), MSGC_ETIMEDOUT);
    assert_int_equal(poll(&p, 1, 0), 0);
    msgc_close(ch);
}

int
main(void)
{
    signal(SIGPIPE, SIG_DFL); /* SIGPIPE must never be raised, so it may stay fatal */
    const struct CMUnitTest tests[] = {
        RT_BOTH(test_four_clients_get_every_reply_to_their_own_calls),
        RT_BOTH(test_handler_statuses_reach_the_caller),
        RT_BOTH(test_unknown_method_and_missing_handler_are_enotsup),
        RT_BOTH(test_undecodable_request_is_eremote_and_server_carries_on),
        RT_BOTH(test_late_reply_is_discarded_by_call_id),
        RT_BOTH(test_timeout_holds_while_signals_arrive),
        RT_BOTH(test_timeout_zero_returns_at_once),
        RT_BOTH(test_server_killed_mid_call_gives_eclosed_without_timeout),
        RT_BOTH(test_server_killed_mid_call_gives_eclosed_within_timeout),
        RT_BOTH(test_killed_clients_do_not_stop_the_server),
        RT_BOTH(test_wrong_type_leaves_the_message_pending_for_its_type),
        RT_BOTH(test_serve_drops_and_counts_plain_messages),
        RT_BOTH(test_oneway_call_reaches_its_handler_without_reply),
        RT_BOTH(test_stop_from_a_signal_handler_ends_serve_with_zero),
        RT_BOTH(test_stop_wakes_a_blocked_recv_with_eclosed),
        RT_BOTH(test_roles_send_on_listener_and_recv_on_dialer_are_enotsup),
        RT_BOTH(test_oversize_message_is_etoobig_before_sending),
        RT_BOTH(test_batches_arrive_whole_and_in_order),
        RT_BOTH(test_issue4_stop_wakes_a_dialer_waiting_for_its_reply),
        RT_BOTH(test_issue4_short_timeout_of_a_sleeping_dialer_is_kept),
        RT_BOTH(test_issue4_frames_read_ahead_keep_msgc_fd_readable),
    };
    return cmocka_run_group_tests_name("rpc", tests, NULL, NULL);
}
