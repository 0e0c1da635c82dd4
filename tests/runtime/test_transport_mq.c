/* test_transport_mq.c - POSIX message queue transport (runtime/transport_mq.c): limits,
 * modes, priorities, full queues, liveness and reclaiming, with real processes. */
#define _GNU_SOURCE
#include "rt_msgs.h"
#include "rt_proc.h"
#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>

#include <cmocka.h>

typedef struct fixture {
    char name[64]; /* "/msgc-test-<pid>-<n>" */
    char url[80];  /* "mq:" + name */
    int fds;
} fixture;

static int
setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    rt_mq_name(f->name, sizeof f->name);
    snprintf(f->url, sizeof f->url, "mq:%s", f->name);
    f->fds = rt_count_fds();
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture *f = *state;
    bool left = rt_mq_exists(f->name);
    mq_unlink(f->name);
    int fds = rt_count_fds(), want = f->fds;
    free(f);
    if (left)
        fprintf(stderr, "queue left behind\n");
    if (fds != want)
        fprintf(stderr, "descriptors: %d before, %d after\n", want, fds);
    return !left && fds == want ? 0 : -1;
}

static long
proc_value(const char *file)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/sys/fs/mqueue/%s", file);
    FILE *fp = fopen(path, "r");
    long v = -1;
    if (fp) {
        if (fscanf(fp, "%ld", &v) != 1)
            v = -1;
        fclose(fp);
    }
    return v;
}

static msgc_chan *
must(int rc, msgc_chan *ch)
{
    if (rc)
        fprintf(stderr, "%s (%s)\n", msgc_errname(rc), msgc_last_error()->detail);
    assert_int_equal(rc, 0);
    return ch;
}

static msgc_chan *
listen_opts(const fixture *f, const msgc_opts *o)
{
    msgc_chan *ch = NULL;
    int rc = msgc_listen(&ch, f->url, o);
    return must(rc, ch);
}

static msgc_chan *
dial_here(const fixture *f)
{
    msgc_chan *ch = NULL;
    int rc = msgc_dial(&ch, f->url, NULL);
    return must(rc, ch);
}

/* --- names, limits, modes --- */

static void
test_queue_names_are_checked_before_any_syscall(void **state)
{
    (void)state;
    msgc_chan *ch = NULL;
    assert_int_equal(msgc_listen(&ch, "mq:q", NULL), MSGC_EINVAL);
    assert_string_equal(msgc_last_error()->detail, "mq: name \"q\" does not start with '/'");
    assert_int_equal(msgc_listen(&ch, "mq:/", NULL), MSGC_EINVAL);
    assert_int_equal(msgc_listen(&ch, "mq:/a/b", NULL), MSGC_EINVAL);
    assert_string_equal(msgc_last_error()->detail,
                        "mq: queue name \"/a/b\" has a second '/'");
    char url[256] = "mq:/";
    memset(url + 4, 'n', 201);
    assert_int_equal(msgc_listen(&ch, url, NULL), MSGC_ENAMETOOLONG);
    assert_string_equal(msgc_last_error()->detail, "mq: queue name of 201 bytes > 200");
    assert_int_equal(msgc_dial(&ch, url, NULL), MSGC_ENAMETOOLONG);
}

static void
test_longest_queue_name_works_with_its_reply_queue(void **state)
{
    (void)state;
    char url[256];
    int n = snprintf(url, sizeof url, "mq:/msgc-test-%ld-", (long)getpid());
    memset(url + n, 'n', (size_t)(4 + 200 - n));
    url[4 + 200] = '\0';
    msgc_chan *l = NULL, *d = NULL;
    assert_int_equal(msgc_listen(&l, url, NULL), 0);
    assert_int_equal(msgc_dial(&d, url, NULL), 0);
    rt_Num req = {.a = 1}, rep;
    rt_Num_desc.init(&rep);
    /* Nobody serves: the reply queue is made, the request waits, the call times out. */
    assert_int_equal(msgc__call(d, &rt_Calc_service, RT_ADD, &req, &rep, 10), MSGC_ETIMEDOUT);
    char rname[300];
    snprintf(rname, sizeof rname, "%s", msgc__mq_reply_name(d));
    assert_int_equal(strlen(rname), 200 + 1 + 18);
    assert_true(rt_mq_exists(rname));
    msgc_close(d);
    assert_false(rt_mq_exists(rname));
    msgc_close(l);
    assert_false(rt_mq_exists(url + 3));
}

static void
test_defaults_fit_the_system_limits(void **state)
{
    fixture *f = *state;
    msgc_chan *l = listen_opts(f, NULL);
    long size_max = proc_value("msgsize_max");
    size_t want = (size_t)(size_max < 8192 ? size_max : 8192) - MSGC__HDR_SIZE;
    assert_int_equal(msgc_max_msg(l), want);
    msgc_chan *d = dial_here(f);
    assert_int_equal(msgc_max_msg(d), want);
    msgc_close(d);
    msgc_close(l);
}

static void
test_depth_and_size_beyond_the_limits_name_the_limit(void **state)
{
    fixture *f = *state;
    long msg_max = proc_value("msg_max"), size_max = proc_value("msgsize_max");
    msgc_opts o = MSGC_OPTS_INIT;
    o.depth = (unsigned)msg_max + 1;
    msgc_chan *ch = NULL;
    assert_int_equal(msgc_listen(&ch, f->url, &o), MSGC_EINVAL);
    char want[160];
    snprintf(want, sizeof want, "mq depth %ld > /proc/sys/fs/mqueue/msg_max %ld", msg_max + 1,
             msg_max);
    assert_string_equal(msgc_last_error()->detail, want);
    o.depth = 0;
    o.max_msg = (size_t)size_max;
    assert_int_equal(msgc_listen(&ch, f->url, &o), MSGC_ETOOBIG);
    snprintf(want, sizeof want, "mq_msgsize %ld > /proc/sys/fs/mqueue/msgsize_max %ld",
             size_max + MSGC__HDR_SIZE, size_max);
    assert_string_equal(msgc_last_error()->detail, want);
    assert_false(rt_mq_exists(f->name));
}

static int
exhaust_rlimit(void *url)
{
    struct rlimit rl = {1000, 1000};
    RT_CHECK(setrlimit(RLIMIT_MSGQUEUE, &rl) == 0);
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_listen(&ch, url, NULL) == MSGC_ESYS);
    RT_CHECK(msgc_last_error()->sys_errno == EMFILE);
    RT_CHECK(strstr(msgc_last_error()->detail, "over RLIMIT_MSGQUEUE 1000 bytes per user"));
    return 0;
}

static void
test_rlimit_msgqueue_exhaustion_is_named(void **state)
{
    fixture *f = *state;
    assert_int_equal(rt_wait(rt_spawn(exhaust_rlimit, f->url)), 0);
}

static void
test_queue_gets_exactly_the_mode_asked_for(void **state)
{
    fixture *f = *state;
    mode_t old = umask(077);
    msgc_opts o = MSGC_OPTS_INIT;
    o.mode = 0666;
    msgc_chan *l = listen_opts(f, &o);
    umask(old);
    mqd_t q = mq_open(f->name, O_RDONLY);
    struct stat st;
    assert_int_equal(fstat(q, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0666);
    mq_close(q);
    msgc_close(l);
}

static void
test_uid_allowlist_is_enotsup(void **state)
{
    fixture *f = *state;
    uid_t u = 0;
    msgc_opts o = MSGC_OPTS_INIT;
    o.allow_uids = &u;
    o.n_allow_uids = 1;
    msgc_chan *ch = NULL;
    assert_int_equal(msgc_listen(&ch, f->url, &o), MSGC_ENOTSUP);
    assert_string_equal(msgc_last_error()->detail, "mq: access is by file mode only, no uid allowlist");
    assert_false(rt_mq_exists(f->name));
}

static void
test_nonexistent_queue_is_enoent_after_the_dial_timeout(void **state)
{
    fixture *f = *state;
    msgc_chan *ch = NULL;
    assert_int_equal(msgc_dial(&ch, f->url, NULL), MSGC_ENOENT);
    char want[100];
    snprintf(want, sizeof want, "mq: no queue %s", f->name);
    assert_string_equal(msgc_last_error()->detail, want);
    msgc_opts o = MSGC_OPTS_INIT;
    o.dial_timeout_ms = 200;
    long long t0 = rt_now_ms();
    assert_int_equal(msgc_dial(&ch, f->url, &o), MSGC_ENOENT);
    long long took = rt_now_ms() - t0;
    assert_true(took >= 200 && took < 400);
}

/* --- moving messages --- */

static void
test_full_queue_times_out_at_once_or_within_budget(void **state)
{
    fixture *f = *state;
    msgc_opts o = MSGC_OPTS_INIT;
    o.depth = 2;
    msgc_chan *l = listen_opts(f, &o);
    msgc_chan *d = dial_here(f);
    rt_Num n = {.a = 1};
    assert_int_equal(msgc__send(d, &rt_Num_desc, &n, 0), 0);
    assert_int_equal(msgc__send(d, &rt_Num_desc, &n, 0), 0);
    long long t0 = rt_now_ms();
    assert_int_equal(msgc__send(d, &rt_Num_desc, &n, 0), MSGC_ETIMEDOUT);
    assert_true(rt_now_ms() - t0 < 20);
    t0 = rt_now_ms();
    assert_int_equal(msgc__send(d, &rt_Num_desc, &n, 150), MSGC_ETIMEDOUT);
    long long took = rt_now_ms() - t0;
    assert_true(took >= 150 && took < 300);
    rt_Num ms[4];
    size_t got = 0;
    assert_int_equal(msgc__recv_many(l, &rt_Num_desc, ms, 4, &got, 0), 0);
    assert_int_equal(got, 2);
    assert_int_equal(msgc__recv(l, &rt_Num_desc, ms, 0), MSGC_ETIMEDOUT);
    msgc_close(d);
    msgc_close(l);
}

static void
test_higher_priority_is_received_first(void **state)
{
    fixture *f = *state;
    msgc_chan *l = listen_opts(f, NULL);
    msgc_chan *d = dial_here(f);
    rt_Num n = {.a = 1};
    assert_int_equal(msgc__send(d, &rt_Num_desc, &n, 0), 0);
    assert_int_equal(msgc_set_priority(d, 5), 0);
    n.a = 2;
    assert_int_equal(msgc__send(d, &rt_Num_desc, &n, 0), 0);
    assert_int_equal(msgc_set_priority(d, 32768), MSGC_EINVAL);
    rt_Num r;
    rt_Num_desc.init(&r);
    assert_int_equal(msgc__recv(l, &rt_Num_desc, &r, 0), 0);
    assert_true(r.a == 2);
    assert_int_equal(msgc__recv(l, &rt_Num_desc, &r, 0), 0);
    assert_true(r.a == 1);
    msgc_close(d);
    msgc_close(l);
}

static void
test_listener_fd_polls_readable_when_a_message_waits(void **state)
{
    fixture *f = *state;
    msgc_chan *l = listen_opts(f, NULL);
    msgc_chan *d = dial_here(f);
    struct pollfd p = {.fd = msgc_fd(l), .events = POLLIN};
    assert_int_equal(poll(&p, 1, 0), 0);
    rt_Num n = {.a = 9};
    assert_int_equal(msgc__send(d, &rt_Num_desc, &n, 0), 0);
    assert_int_equal(poll(&p, 1, 1000), 1);
    rt_Num r;
    rt_Num_desc.init(&r);
    assert_int_equal(msgc__recv(l, &rt_Num_desc, &r, 0), 0);
    assert_true(r.a == 9);
    assert_int_equal(poll(&p, 1, 0), 0);
    msgc_close(d);
    msgc_close(l);
}

static int
dial_then_send(void *url)
{
    msgc_opts o = MSGC_OPTS_INIT;
    o.dial_timeout_ms = 5000;
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_dial(&ch, url, &o) == 0);
    rt_Num n = {.a = 4};
    RT_CHECK(msgc__send(ch, &rt_Num_desc, &n, 5000) == 0);
    msgc_close(ch);
    return 0;
}

static void
test_sender_may_start_before_its_receiver(void **state)
{
    fixture *f = *state;
    pid_t c = rt_spawn(dial_then_send, f->url);
    rt_sleep_ms(200);
    msgc_chan *l = listen_opts(f, NULL);
    rt_Num r;
    rt_Num_desc.init(&r);
    assert_int_equal(msgc__recv(l, &rt_Num_desc, &r, 5000), 0);
    assert_true(r.a == 4);
    assert_int_equal(rt_wait(c), 0);
    msgc_close(l);
}

/* --- batch frames --- */

/* A listener whose frames carry 30 bytes of body: ten records of rt.Num{a < 128} (two
 * bytes encoded, three with the length prefix). */
static msgc_chan *
listen_small(const fixture *f, unsigned depth)
{
    msgc_opts o = MSGC_OPTS_INIT;
    o.max_msg = 30;
    o.depth = depth;
    return listen_opts(f, &o);
}

/* Sends rt.Num{a = first + i} for i < n with one send_many. */
static int
send_nums(msgc_chan *d, uint64_t first, size_t n, size_t *sent, int timeout_ms)
{
    rt_Num ms[64];
    assert_true(n <= 64);
    for (size_t i = 0; i < n; i++) {
        rt_Num_desc.init(&ms[i]);
        ms[i].a = first + i;
    }
    return msgc__send_many(d, &rt_Num_desc, ms, n, sent, timeout_ms);
}

/* The next frame in queue q, read beside the listener. */
static size_t
raw_frame(mqd_t q, uint8_t *buf, size_t cap, msgc_frame *fr)
{
    ssize_t n = mq_receive(q, (char *)buf, cap, NULL);
    assert_true(n >= (ssize_t)MSGC__HDR_SIZE);
    assert_int_equal(msgc__frame_parse(fr, buf, (size_t)n), 0);
    assert_true(fr->id == rt_Num_desc.type_id);
    return (size_t)n;
}

static void
test_send_many_packs_records_into_batch_frames_on_the_wire(void **state)
{
    fixture *f = *state;
    msgc_chan *l = listen_small(f, 4);
    msgc_chan *d = dial_here(f);
    mqd_t q = mq_open(f->name, O_RDONLY | O_NONBLOCK);
    assert_true(q != (mqd_t)-1);
    size_t sent = 0;
    assert_int_equal(send_nums(d, 1, 21, &sent, 0), 0);
    assert_int_equal(sent, 21);
    uint8_t buf[128];
    msgc_frame fr;
    for (unsigned k = 0; k < 2; k++) {
        /* Ten records fill a frame: 48 + 10 x 3 bytes. */
        assert_int_equal(raw_frame(q, buf, sizeof buf, &fr), MSGC__HDR_SIZE + 30);
        assert_int_equal(fr.kind, MSGC__FRAME_BATCH);
        assert_int_equal(fr.aux, 10);
        assert_int_equal(fr.minor, 1);
        for (unsigned i = 0; i < 10; i++) {
            const uint8_t want[3] = {0x02, 0x08, (uint8_t)(1 + 10 * k + i)};
            assert_memory_equal(buf + MSGC__HDR_SIZE + 3 * i, want, 3);
        }
    }
    /* The 21st alone: a MESSAGE frame, not a batch of one. */
    assert_int_equal(raw_frame(q, buf, sizeof buf, &fr), MSGC__HDR_SIZE + 2);
    assert_int_equal(fr.kind, MSGC__FRAME_MESSAGE);
    assert_int_equal(buf[MSGC__HDR_SIZE + 1], 21);
    /* 26 characters make a 30-byte message, which fits a frame only without a record's
     * length prefix: it travels as a MESSAGE frame, and so do the messages beside it. */
    rt_Num ms[3];
    for (size_t i = 0; i < 3; i++) {
        rt_Num_desc.init(&ms[i]);
        ms[i].a = 100 + i;
    }
    memset(ms[1].s, 'x', 26);
    assert_int_equal(rt_Num_desc.encoded_size(&ms[1]), 30);
    assert_int_equal(msgc__send_many(d, &rt_Num_desc, ms, 3, &sent, 0), 0);
    assert_int_equal(sent, 3);
    static const size_t lens[3] = {2, 30, 2};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(raw_frame(q, buf, sizeof buf, &fr), MSGC__HDR_SIZE + lens[i]);
        assert_int_equal(fr.kind, MSGC__FRAME_MESSAGE);
        assert_int_equal(buf[MSGC__HDR_SIZE + 1], 100 + i);
    }
    assert_true(mq_receive(q, (char *)buf, sizeof buf, NULL) < 0 && errno == EAGAIN);
    mq_close(q);
    msgc_close(d);
    msgc_close(l);
}

static void
test_batch_cut_short_by_a_full_queue_counts_the_frames_that_went(void **state)
{
    fixture *f = *state;
    msgc_chan *l = listen_small(f, 2);
    msgc_chan *d = dial_here(f);
    size_t sent = 99;
    /* Frames of 10, 10 and 5: the third finds the queue full. */
    assert_int_equal(send_nums(d, 1, 25, &sent, 0), MSGC_ETIMEDOUT);
    assert_int_equal(sent, 20);
    char want[120];
    snprintf(want, sizeof want, "mq: queue %s stayed full", f->name);
    assert_string_equal(msgc_last_error()->detail, want);
    assert_int_equal(send_nums(d, 21, 5, &sent, 0), MSGC_ETIMEDOUT);
    assert_int_equal(sent, 0);
    rt_Num ms[32];
    size_t got = 0;
    /* Both frames come with one receive. */
    assert_int_equal(msgc__recv_many(l, &rt_Num_desc, ms, 32, &got, 0), 0);
    assert_int_equal(got, 20);
    for (uint64_t i = 0; i < 20; i++)
        assert_true(ms[i].a == i + 1);
    assert_int_equal(send_nums(d, 21, 5, &sent, 0), 0);
    assert_int_equal(sent, 5);
    assert_int_equal(msgc__recv_many(l, &rt_Num_desc, ms, 32, &got, 0), 0);
    assert_int_equal(got, 5);
    assert_true(ms[0].a == 21 && ms[4].a == 25);
    assert_int_equal(msgc__recv(l, &rt_Num_desc, ms, 0), MSGC_ETIMEDOUT);
    msgc_close(d);
    msgc_close(l);
}

/* Puts a BATCH frame of rt.Num's type with count records body[0..n) into queue q. */
static void
put_batch(mqd_t q, uint32_t count, const uint8_t *body, size_t n)
{
    uint8_t buf[MSGC__HDR_SIZE + 16];
    msgc_frame fr;
    msgc__frame_init(&fr, MSGC__FRAME_BATCH);
    fr.id = rt_Num_desc.type_id;
    fr.aux = count;
    msgc__frame_put(&fr, buf);
    memcpy(buf + MSGC__HDR_SIZE, body, n);
    assert_int_equal(mq_send(q, (const char *)buf, MSGC__HDR_SIZE + n, 0), 0);
}

static void
test_malformed_batch_frames_are_dropped_with_eproto(void **state)
{
    fixture *f = *state;
    msgc_chan *l = listen_small(f, 4);
    mqd_t q = mq_open(f->name, O_WRONLY | O_NONBLOCK);
    assert_true(q != (mqd_t)-1);
    static const uint8_t past[] = {0x02, 0x08, 0x01, 0x05, 0x08, 0x02};
    static const uint8_t none[] = {0x02, 0x08, 0x01};
    static const uint8_t cut[] = {0x02, 0x08, 0x01, 0x82};
    static const uint8_t good[] = {0x02, 0x08, 0x07, 0x00};
    put_batch(q, 2, past, sizeof past);
    put_batch(q, 0, none, sizeof none);
    put_batch(q, 2, cut, sizeof cut);
    put_batch(q, 2, good, sizeof good);
    rt_Num ms[4];
    for (size_t i = 0; i < 4; i++)
        rt_Num_desc.init(&ms[i]);
    static const char *const why[] = {
        "batch record 2 of 2: length 5 past the end (2 bytes left)",
        "batch frame of 0 records",
        "batch record 2 of 2: truncated length",
    };
    /* One frame per receive: each bad one is the receive's only frame. */
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(msgc__recv(l, &rt_Num_desc, ms, 0), MSGC_EPROTO);
        assert_string_equal(msgc_last_error()->detail, why[i]);
    }
    /* Nothing of a dropped frame was delivered: the good one comes next, whole. */
    size_t got = 0;
    assert_int_equal(msgc__recv_many(l, &rt_Num_desc, ms, 4, &got, 0), 0);
    assert_int_equal(got, 2);
    assert_true(ms[0].a == 7 && ms[1].a == 0);
    /* A receive that also brings a good frame drops the bad ones without an error. */
    put_batch(q, 2, cut, sizeof cut);
    put_batch(q, 2, good, sizeof good);
    put_batch(q, 0, none, sizeof none);
    assert_int_equal(msgc__recv_many(l, &rt_Num_desc, ms, 4, &got, 0), 0);
    assert_int_equal(got, 2);
    assert_true(ms[0].a == 7 && ms[1].a == 0);
    assert_int_equal(msgc__recv(l, &rt_Num_desc, ms, 0), MSGC_ETIMEDOUT);
    mq_close(q);
    msgc_close(l);
}

/* --- liveness --- */

static void
test_listeners_sharing_a_queue_leave_it_to_the_last(void **state)
{
    fixture *f = *state;
    msgc_chan *a = listen_opts(f, NULL);
    msgc_chan *b = listen_opts(f, NULL);
    msgc_close(a);
    assert_true(rt_mq_exists(f->name));
    msgc_close(b);
    assert_false(rt_mq_exists(f->name));
}

static int
listen_fill_and_die(void *url)
{
    msgc_opts o = MSGC_OPTS_INIT;
    o.depth = 1;
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_listen(&ch, url, &o) == 0);
    kill(getpid(), SIGKILL);
    return 0;
}

static void
test_send_to_the_full_queue_of_a_dead_listener_is_eclosed(void **state)
{
    fixture *f = *state;
    assert_int_equal(rt_wait(rt_spawn(listen_fill_and_die, f->url)), 128 + SIGKILL);
    msgc_chan *d = dial_here(f);
    rt_Num n = {.a = 1};
    assert_int_equal(msgc__send(d, &rt_Num_desc, &n, 0), 0);
    long long t0 = rt_now_ms();
    assert_int_equal(msgc__send(d, &rt_Num_desc, &n, -1), MSGC_ECLOSED);
    assert_true(rt_now_ms() - t0 < 500);
    char want[100];
    snprintf(want, sizeof want, "mq: no listener holds %s any more", f->name);
    assert_string_equal(msgc_last_error()->detail, want);
    msgc_close(d);
    /* The dead listener's queue is taken over by the next one, and removed by it. */
    msgc_chan *l = listen_opts(f, NULL);
    rt_Num r;
    rt_Num_desc.init(&r);
    assert_int_equal(msgc__recv(l, &rt_Num_desc, &r, 0), 0);
    msgc_close(l);
}

static void
test_request_past_its_deadline_is_dropped(void **state)
{
    fixture *f = *state;
    msgc_chan *l = listen_opts(f, NULL);
    msgc_chan *d = dial_here(f);
    rt_Num req = {.a = 1}, rep;
    rt_Num_desc.init(&rep);
    assert_int_equal(msgc__call(d, &rt_Calc_service, RT_ADD, &req, &rep, 30), MSGC_ETIMEDOUT);
    rt_sleep_ms(50);
    rt_ctx ctx = {0};
    assert_int_equal(msgc__serve_one(l, &rt_Calc_service, &rt_calc_handlers, &ctx, 0),
                     MSGC_ETIMEDOUT);
    assert_int_equal(msgc_dropped(l), 1);
    msgc_close(d);
    msgc_close(l);
}

static msgc_chan *g_chan;

static void
on_term(int sig)
{
    (void)sig;
    msgc_stop(g_chan);
}

static int
serve_child(void *url)
{
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_listen(&ch, url, NULL) == 0);
    g_chan = ch;
    signal(SIGTERM, on_term);
    rt_ctx ctx = {0};
    int rc = msgc__serve(ch, &rt_Calc_service, &rt_calc_handlers, &ctx);
    msgc_close(ch);
    return rc == 0 ? 0 : 1;
}

typedef struct spin_arg {
    const char *url;
    int pipe_w;
} spin_arg;

static int
call_forever(void *argv)
{
    spin_arg *s = argv;
    msgc_opts o = MSGC_OPTS_INIT;
    o.dial_timeout_ms = 5000;
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_dial(&ch, s->url, &o) == 0);
    rt_Num req = {.a = 1}, rep;
    rt_Num_desc.init(&rep);
    RT_CHECK(msgc__call(ch, &rt_Calc_service, RT_ADD, &req, &rep, 5000) == 0);
    const char *name = msgc__mq_reply_name(ch);
    RT_CHECK(write(s->pipe_w, name, strlen(name) + 1) == (ssize_t)strlen(name) + 1);
    for (;;)
        RT_CHECK(msgc__call(ch, &rt_Calc_service, RT_ADD, &req, &rep, 5000) == 0);
}

static void
test_reply_queue_of_a_killed_client_is_reclaimed(void **state)
{
    fixture *f = *state;
    pid_t srv = rt_spawn(serve_child, f->url);
    int p[2];
    assert_int_equal(pipe(p), 0);
    spin_arg s = {.url = f->url, .pipe_w = p[1]};
    pid_t c = rt_spawn(call_forever, &s);
    /* Only the child writes: with the parent's write end closed, a child that dies
     * before writing gives EOF here instead of a read that never returns. */
    close(p[1]);
    char name[300] = "";
    ssize_t got = read(p[0], name, sizeof name);
    close(p[0]);
    if (got <= 10) {
        rt_kill(c, SIGKILL);
        kill(srv, SIGTERM);
        rt_wait(srv);
        fail_msg("the client died before its first call returned");
    }
    assert_true(rt_mq_exists(name));
    rt_kill(c, SIGKILL);
    long long t0 = rt_now_ms();
    while (rt_mq_exists(name) && rt_now_ms() - t0 < 3000)
        rt_sleep_ms(50);
    assert_false(rt_mq_exists(name));
    /* The server lives on. */
    msgc_opts o = MSGC_OPTS_INIT;
    msgc_chan *d = NULL;
    assert_int_equal(msgc_dial(&d, f->url, &o), 0);
    rt_Num req = {.a = 5}, rep;
    rt_Num_desc.init(&rep);
    assert_int_equal(msgc__call(d, &rt_Calc_service, RT_ADD, &req, &rep, 5000), 0);
    assert_true(rep.a == 6);
    msgc_close(d);
    kill(srv, SIGTERM);
    assert_int_equal(rt_wait(srv), 0);
}

static void
test_close_removes_the_queue_and_the_reply_queue(void **state)
{
    fixture *f = *state;
    msgc_chan *l = listen_opts(f, NULL);
    msgc_chan *d = dial_here(f);
    assert_string_equal(msgc__mq_reply_name(d), "");
    rt_Num req = {.a = 1}, rep;
    rt_Num_desc.init(&rep);
    /* rt_Bad_service's replies are all rt.Num: the reply queue is sized from its largest
     * encoding. */
    assert_int_equal(msgc__call(d, &rt_Bad_service, 1, &req, &rep, 0), MSGC_ETIMEDOUT);
    char rname[300];
    snprintf(rname, sizeof rname, "%s", msgc__mq_reply_name(d));
    assert_true(rt_mq_exists(rname));
    mqd_t q = mq_open(rname, O_RDONLY);
    struct mq_attr a;
    assert_int_equal(mq_getattr(q, &a), 0);
    assert_int_equal(a.mq_msgsize, MSGC__HDR_SIZE + rt_Num_desc.max_size);
    mq_close(q);
    msgc_close(d);
    assert_false(rt_mq_exists(rname));
    msgc_close(l);
    assert_false(rt_mq_exists(f->name));
}

int
main(void)
{
    signal(SIGPIPE, SIG_DFL);
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_queue_names_are_checked_before_any_syscall),
        T(test_longest_queue_name_works_with_its_reply_queue),
        T(test_defaults_fit_the_system_limits),
        T(test_depth_and_size_beyond_the_limits_name_the_limit),
        T(test_rlimit_msgqueue_exhaustion_is_named),
        T(test_queue_gets_exactly_the_mode_asked_for),
        T(test_uid_allowlist_is_enotsup),
        T(test_nonexistent_queue_is_enoent_after_the_dial_timeout),
        T(test_full_queue_times_out_at_once_or_within_budget),
        T(test_higher_priority_is_received_first),
        T(test_listener_fd_polls_readable_when_a_message_waits),
        T(test_sender_may_start_before_its_receiver),
        T(test_send_many_packs_records_into_batch_frames_on_the_wire),
        T(test_batch_cut_short_by_a_full_queue_counts_the_frames_that_went),
        T(test_malformed_batch_frames_are_dropped_with_eproto),
        T(test_listeners_sharing_a_queue_leave_it_to_the_last),
        T(test_send_to_the_full_queue_of_a_dead_listener_is_eclosed),
        T(test_request_past_its_deadline_is_dropped),
        T(test_reply_queue_of_a_killed_client_is_reclaimed),
        T(test_close_removes_the_queue_and_the_reply_queue),
#undef T
    };
    return cmocka_run_group_tests_name("transport_mq", tests, NULL, NULL);
}
