/* test_transport_unix.c - Unix domain socket transport (runtime/transport_unix.c): socket
 * files, the handshake, peer checks and hang-ups, with real processes. */
#define _GNU_SOURCE
#include "rt_msgs.h"
#include "rt_proc.h"
#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>

#include <cmocka.h>

#define NOBODY 65534

typedef struct fixture {
    char path[128]; /* a socket path under /tmp */
    char url[160];  /* "unix:" + path */
    char abs[64];   /* "unix:@..." */
    int fds;
} fixture;

static int
setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    rt_sock_path(f->path, sizeof f->path);
    snprintf(f->url, sizeof f->url, "unix:%s", f->path);
    char name[48];
    rt_abstract_name(name, sizeof name);
    snprintf(f->abs, sizeof f->abs, "unix:%s", name);
    f->fds = rt_count_fds();
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture *f = *state;
    char lock[160];
    snprintf(lock, sizeof lock, "%s.lock", f->path);
    bool left = access(f->path, F_OK) == 0 || access(lock, F_OK) == 0;
    unlink(f->path);
    int fds = rt_count_fds(), want = f->fds;
    free(f);
    if (left)
        fprintf(stderr, "socket or lock file left behind\n");
    if (fds != want)
        fprintf(stderr, "descriptors: %d before, %d after\n", want, fds);
    return !left && fds == want ? 0 : -1;
}

static msgc_chan *
must_listen(const char *url, const msgc_opts *o)
{
    msgc_chan *ch = NULL;
    int rc = msgc_listen(&ch, url, o);
    if (rc)
        fprintf(stderr, "listen %s: %s (%s)\n", url, msgc_errname(rc),
                msgc_last_error()->detail);
    assert_int_equal(rc, 0);
    return ch;
}

/* Serves ch until child exits (handshakes happen inside serve_one). */
static int
serve_until_exit(msgc_chan *ch, pid_t child, rt_ctx *ctx)
{
    for (;;) {
        int rc = msgc__serve_one(ch, &rt_Calc_service, &rt_calc_handlers, ctx, 20);
        if (rc != 0 && rc != MSGC_ETIMEDOUT)
            return rc;
        int st;
        pid_t r = waitpid(child, &st, WNOHANG);
        if (r == child)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
}

static int
dial_code(const char *url, int timeout_ms)
{
    msgc_opts o = MSGC_OPTS_INIT;
    o.dial_timeout_ms = timeout_ms;
    msgc_chan *ch = NULL;
    int rc = msgc_dial(&ch, url, &o);
    msgc_close(ch);
    return rc;
}

/* --- socket files --- */

static mode_t
file_mode(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

static void
test_socket_file_gets_exactly_the_mode_asked_for(void **state)
{
    fixture *f = *state;
    mode_t old = umask(077);
    msgc_opts o = MSGC_OPTS_INIT;
    o.mode = 0666;
    msgc_chan *ch = must_listen(f->url, &o);
    assert_int_equal(file_mode(f->path), 0666);
    msgc_close(ch);
    umask(0);
    o.mode = 0600;
    ch = must_listen(f->url, &o);
    assert_int_equal(file_mode(f->path), 0600);
    umask(old);
    msgc_close(ch);
    assert_int_equal(access(f->path, F_OK), -1);
}

static int
listen_and_die(void *url)
{
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_listen(&ch, url, NULL) == 0);
    kill(getpid(), SIGKILL);
    return 0;
}

static void
test_stale_socket_of_a_dead_listener_is_replaced(void **state)
{
    fixture *f = *state;
    assert_int_equal(rt_wait(rt_spawn(listen_and_die, f->url)), 128 + SIGKILL);
    assert_int_equal(access(f->path, F_OK), 0);
    assert_int_equal(dial_code(f->url, 0), MSGC_ENOENT);
    msgc_chan *ch = must_listen(f->url, NULL);
    msgc_close(ch);
}

static int
listen_and_serve(void *url)
{
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_listen(&ch, url, NULL) == 0);
    rt_ctx ctx = {0};
    int rc = msgc__serve(ch, &rt_Calc_service, &rt_calc_handlers, &ctx);
    msgc_close(ch);
    return rc == 0 ? 0 : 1;
}

static void
test_live_socket_in_the_way_is_eaddrinuse_and_keeps_working(void **state)
{
    fixture *f = *state;
    pid_t srv = rt_spawn(listen_and_serve, f->url);
    assert_int_equal(dial_code(f->url, 5000), 0);
    msgc_chan *ch = NULL;
    assert_int_equal(msgc_listen(&ch, f->url, NULL), MSGC_EADDRINUSE);
    char want[200];
    snprintf(want, sizeof want, "unix: a listener is live on %s", f->path);
    assert_string_equal(msgc_last_error()->detail, want);
    msgc_opts o = MSGC_OPTS_INIT;
    msgc_chan *d = NULL;
    assert_int_equal(msgc_dial(&d, f->url, &o), 0);
    rt_Num req = {.a = 1}, rep;
    rt_Num_desc.init(&rep);
    assert_int_equal(msgc__call(d, &rt_Calc_service, RT_ADD, &req, &rep, 5000), 0);
    assert_true(rep.a == 2);
    msgc_close(d);
    rt_kill(srv, SIGKILL);
    unlink(f->path);
}

static void
test_file_that_is_not_a_socket_is_never_removed(void **state)
{
    fixture *f = *state;
    int fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "keep", 4), 4);
    close(fd);
    msgc_chan *ch = NULL;
    assert_int_equal(msgc_listen(&ch, f->url, NULL), MSGC_EADDRINUSE);
    char want[200];
    snprintf(want, sizeof want, "unix: %s exists and is not a socket; not removed", f->path);
    assert_string_equal(msgc_last_error()->detail, want);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_size, 4);
    unlink(f->path);
}

static int
bind_as_nobody(void *path)
{
    RT_CHECK(setgid(NOBODY) == 0 && setuid(NOBODY) == 0);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, path);
    RT_CHECK(bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
    return 0;
}

static void
test_socket_of_another_user_is_never_removed(void **state)
{
    fixture *f = *state;
    assert_int_equal(rt_wait(rt_spawn(bind_as_nobody, f->path)), 0);
    msgc_chan *ch = NULL;
    assert_int_equal(msgc_listen(&ch, f->url, NULL), MSGC_EADDRINUSE);
    char want[200];
    snprintf(want, sizeof want, "unix: socket %s belongs to uid %d; not removed", f->path,
             NOBODY);
    assert_string_equal(msgc_last_error()->detail, want);
    assert_int_equal(access(f->path, F_OK), 0);
    unlink(f->path);
}

static void
test_path_too_long_is_enametoolong_before_any_syscall(void **state)
{
    (void)state;
    char url[256] = "unix:/tmp/";
    size_t n = strlen(url);
    memset(url + n, 'x', 108 - 5);
    url[5 + 108] = '\0'; /* a path of 108 bytes */
    msgc_chan *ch = NULL;
    int fds = rt_count_fds();
    assert_int_equal(msgc_listen(&ch, url, NULL), MSGC_ENAMETOOLONG);
    assert_string_equal(msgc_last_error()->detail, "unix: socket path of 108 bytes > 107");
    assert_int_equal(dial_code(url, 0), MSGC_ENAMETOOLONG);
    assert_int_equal(access(url + 5, F_OK), -1);
    char abs[200] = "unix:@";
    memset(abs + 6, 'a', 108);
    abs[6 + 108] = '\0';
    assert_int_equal(msgc_listen(&ch, abs, NULL), MSGC_ENAMETOOLONG);
    assert_string_equal(msgc_last_error()->detail, "unix: abstract name of 108 bytes > 107");
    assert_int_equal(rt_count_fds(), fds);
}

static void
test_longest_path_and_a_deep_directory_work(void **state)
{
    (void)state;
    /* 107 bytes: the limit itself. */
    char url[256];
    int n = snprintf(url, sizeof url, "unix:/tmp/msgc-test-%ld-", (long)getpid());
    memset(url + n, 'p', (size_t)(5 + 107 - n));
    url[5 + 107] = '\0';
    msgc_chan *ch = must_listen(url, NULL);
    msgc_close(ch);
    assert_int_equal(access(url + 5, F_OK), -1);
    /* A directory so deep that the temporary name next to the socket would not fit. */
    char dir[128];
    n = snprintf(dir, sizeof dir, "/tmp/msgc-test-%ld-", (long)getpid());
    memset(dir + n, 'd', (size_t)(100 - n));
    dir[100] = '\0';
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(url, sizeof url, "unix:%s/s", dir);
    ch = must_listen(url, NULL);
    assert_int_equal(file_mode(url + 5), 0600);
    msgc_close(ch);
    assert_int_equal(rmdir(dir), 0); /* empty: nothing left behind */
}

static void
test_abstract_name_listens_without_a_file_and_is_unique(void **state)
{
    fixture *f = *state;
    msgc_chan *ch = must_listen(f->abs, NULL);
    msgc_chan *other = NULL;
    assert_int_equal(msgc_listen(&other, f->abs, NULL), MSGC_EADDRINUSE);
    assert_null(other);
    msgc_close(ch);
    ch = must_listen(f->abs, NULL);
    msgc_close(ch);
}

static void
test_nonexistent_socket_is_enoent_after_the_dial_timeout(void **state)
{
    fixture *f = *state;
    assert_int_equal(dial_code(f->url, 0), MSGC_ENOENT);
    char want[200];
    snprintf(want, sizeof want, "unix: no listener at %s (No such file or directory)", f->path);
    assert_string_equal(msgc_last_error()->detail, want);
    assert_int_equal(dial_code(f->abs, 0), MSGC_ENOENT);
    long long t0 = rt_now_ms();
    assert_int_equal(dial_code(f->url, 200), MSGC_ENOENT);
    long long took = rt_now_ms() - t0;
    assert_true(took >= 200 && took < 400);
}

static int
dial_first(void *url)
{
    msgc_opts o = MSGC_OPTS_INIT;
    o.dial_timeout_ms = 5000;
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_dial(&ch, url, &o) == 0);
    rt_Num req = {.a = 10}, rep;
    rt_Num_desc.init(&rep);
    RT_CHECK(msgc__call(ch, &rt_Calc_service, RT_ADD, &req, &rep, 5000) == 0);
    RT_CHECK(rep.a == 11);
    msgc_close(ch);
    return 0;
}

static void
test_dialer_may_start_before_its_listener(void **state)
{
    fixture *f = *state;
    pid_t c = rt_spawn(dial_first, f->url);
    rt_sleep_ms(200);
    msgc_chan *ch = must_listen(f->url, NULL);
    rt_ctx ctx = {0};
    assert_int_equal(serve_until_exit(ch, c, &ctx), 0);
    msgc_close(ch);
}

/* --- the peer check --- */

static int
dial_as_nobody(void *url)
{
    RT_CHECK(setgid(NOBODY) == 0 && setuid(NOBODY) == 0);
    msgc_opts o = MSGC_OPTS_INIT;
    o.dial_timeout_ms = 5000;
    msgc_chan *ch = NULL;
    int rc = msgc_dial(&ch, url, &o);
    if (rc == MSGC_EPERM)
        return 100;
    RT_CHECK(rc == 0);
    rt_Num req = {.a = 1}, rep;
    rt_Num_desc.init(&rep);
    RT_CHECK(msgc__call(ch, &rt_Calc_service, RT_ADD, &req, &rep, 5000) == 0);
    msgc_close(ch);
    return 0;
}

static void
test_refused_uid_gets_eperm_from_dial_on_open_and_abstract_sockets(void **state)
{
    fixture *f = *state;
    msgc_opts o = MSGC_OPTS_INIT;
    o.mode = 0666; /* the file mode lets anybody in: the allowlist must refuse */
    const char *urls[2] = {f->url, f->abs};
    for (int i = 0; i < 2; i++) {
        pid_t c = rt_spawn(dial_as_nobody, (void *)urls[i]);
        msgc_chan *ch = must_listen(urls[i], &o);
        rt_ctx ctx = {0};
        assert_int_equal(serve_until_exit(ch, c, &ctx), 100);
        msgc_close(ch);
    }
}

static void
test_allowlisted_uid_is_served_and_named_to_the_handler(void **state)
{
    fixture *f = *state;
    uid_t allow[2] = {geteuid(), NOBODY};
    msgc_opts o = MSGC_OPTS_INIT;
    o.allow_uids = allow;
    o.n_allow_uids = 2;
    pid_t c = rt_spawn(dial_as_nobody, f->abs);
    msgc_chan *ch = must_listen(f->abs, &o);
    rt_ctx ctx = {0};
    assert_int_equal(serve_until_exit(ch, c, &ctx), 0);
    assert_int_equal(ctx.uid, NOBODY);
    assert_int_equal(ctx.pid, c);
    msgc_close(ch);
}

/* A listener of another major version: answers HELLO with a version 2 frame. */
static int
fake_v2_listener(void *name)
{
    int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t n = strlen((char *)name + 1);
    memcpy(sa.sun_path + 1, (char *)name + 1, n);
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
    RT_CHECK(bind(fd, (struct sockaddr *)&sa, len) == 0 && listen(fd, 4) == 0);
    int c = accept(fd, NULL, NULL);
    uint8_t buf[256];
    RT_CHECK(recv(c, buf, sizeof buf, 0) == MSGC__HDR_SIZE);
    buf[2] = 2; /* major */
    buf[3] = 0; /* minor */
    buf[4] = MSGC__FRAME_WELCOME;
    RT_CHECK(send(c, buf, MSGC__HDR_SIZE, 0) == MSGC__HDR_SIZE);
    rt_sleep_ms(100);
    return 0;
}

static void
test_listener_of_another_major_version_gives_eproto_from_dial(void **state)
{
    fixture *f = *state;
    pid_t c = rt_spawn(fake_v2_listener, f->abs + 5);
    assert_int_equal(dial_code(f->abs, 5000), MSGC_EPROTO);
    assert_string_equal(msgc_last_error()->detail,
                        "peer speaks frame version 2.0, this runtime 1.1");
    assert_int_equal(rt_wait(c), 0);
}

static int
raw_v2_dialer(void *name)
{
    int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t n = strlen((char *)name + 1);
    memcpy(sa.sun_path + 1, (char *)name + 1, n);
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
    int r, tries = 0;
    while ((r = connect(fd, (struct sockaddr *)&sa, len)) != 0 && tries++ < 500)
        rt_sleep_ms(10);
    RT_CHECK(r == 0);
    msgc_frame f;
    uint8_t buf[MSGC__HDR_SIZE];
    msgc__frame_init(&f, MSGC__FRAME_HELLO);
    f.aux = 1000;
    msgc__frame_put(&f, buf);
    buf[2] = 2;
    RT_CHECK(send(fd, buf, sizeof buf, 0) == MSGC__HDR_SIZE);
    RT_CHECK(recv(fd, buf, sizeof buf, 0) == MSGC__HDR_SIZE);
    RT_CHECK(msgc__frame_parse(&f, buf, sizeof buf) == 0);
    RT_CHECK(f.kind == MSGC__FRAME_WELCOME && f.status == MSGC_EPROTO);
    RT_CHECK(recv(fd, buf, sizeof buf, 0) == 0); /* and hangs up */
    return 0;
}

static void
test_dialer_of_another_major_version_is_refused_with_eproto(void **state)
{
    fixture *f = *state;
    pid_t c = rt_spawn(raw_v2_dialer, f->abs + 5);
    msgc_chan *ch = must_listen(f->abs, NULL);
    rt_ctx ctx = {0};
    assert_int_equal(serve_until_exit(ch, c, &ctx), 0);
    msgc_close(ch);
}

/* --- batch frames --- */

/* Binds a SOCK_SEQPACKET listener at abstract name (with its '@') and accepts one dialer. */
static int
raw_accept(const char *name)
{
    int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t n = strlen(name + 1);
    memcpy(sa.sun_path + 1, name + 1, n);
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
    RT_CHECK(bind(fd, (struct sockaddr *)&sa, len) == 0 && listen(fd, 4) == 0);
    int c = accept(fd, NULL, NULL);
    RT_CHECK(c >= 0);
    close(fd);
    return c;
}

typedef struct fake_arg {
    const char *name;
    unsigned minor; /* the frame minor version the WELCOME announces */
} fake_arg;

/* Receives the next frame of c and checks its kind, record count (BATCH) or value
 * (MESSAGE) and length. */
static void
expect_frame(int c, unsigned kind, unsigned n, size_t len)
{
    uint8_t buf[256];
    msgc_frame f;
    ssize_t r = recv(c, buf, sizeof buf, 0);
    RT_CHECK(r == (ssize_t)len && msgc__frame_parse(&f, buf, (size_t)r) == 0);
    RT_CHECK(f.kind == kind && f.id == rt_Num_desc.type_id);
    RT_CHECK(kind == MSGC__FRAME_BATCH ? f.aux == n : buf[MSGC__HDR_SIZE + 1] == n);
}

/* A listener that welcomes with frames of 78 bytes (30 of body) and the given minor
 * version, then checks the frames of 21 rt.Num{a = 1..21} sent with one send_many. */
static int
fake_listener(void *argv)
{
    const fake_arg *a = argv;
    int c = raw_accept(a->name);
    uint8_t buf[MSGC__HDR_SIZE];
    msgc_frame f;
    RT_CHECK(recv(c, buf, sizeof buf, 0) == MSGC__HDR_SIZE);
    RT_CHECK(msgc__frame_parse(&f, buf, sizeof buf) == 0 && f.kind == MSGC__FRAME_HELLO);
    RT_CHECK(f.minor == 1);
    msgc__frame_init(&f, MSGC__FRAME_WELCOME);
    f.aux = MSGC__HDR_SIZE + 30;
    msgc__frame_put(&f, buf);
    buf[3] = (uint8_t)a->minor;
    RT_CHECK(send(c, buf, sizeof buf, 0) == MSGC__HDR_SIZE);
    if (a->minor >= 1) {
        expect_frame(c, MSGC__FRAME_BATCH, 10, MSGC__HDR_SIZE + 30);
        expect_frame(c, MSGC__FRAME_BATCH, 10, MSGC__HDR_SIZE + 30);
        expect_frame(c, MSGC__FRAME_MESSAGE, 21, MSGC__HDR_SIZE + 2);
    } else {
        for (unsigned i = 1; i <= 21; i++)
            expect_frame(c, MSGC__FRAME_MESSAGE, i, MSGC__HDR_SIZE + 2);
    }
    RT_CHECK(recv(c, buf, sizeof buf, 0) == 0); /* and the dialer hangs up */
    close(c);
    return 0;
}

static void
send_21_to_fake_listener(const fixture *f, unsigned minor)
{
    fake_arg a = {.name = f->abs + 5, .minor = minor};
    pid_t c = rt_spawn(fake_listener, &a);
    msgc_opts o = MSGC_OPTS_INIT;
    o.dial_timeout_ms = 5000;
    msgc_chan *ch = NULL;
    assert_int_equal(msgc_dial(&ch, f->abs, &o), 0);
    assert_int_equal(msgc_max_msg(ch), 30);
    rt_Num ms[21];
    for (size_t i = 0; i < 21; i++) {
        rt_Num_desc.init(&ms[i]);
        ms[i].a = i + 1;
    }
    size_t sent = 0;
    assert_int_equal(msgc__send_many(ch, &rt_Num_desc, ms, 21, &sent, 5000), 0);
    assert_int_equal(sent, 21);
    msgc_close(ch);
    assert_int_equal(rt_wait(c), 0);
}

static void
test_dialer_packs_batch_frames_for_a_listener_of_version_1_1(void **state)
{
    send_21_to_fake_listener(*state, 1);
}

static void
test_dialer_sends_one_frame_per_message_to_a_listener_of_version_1_0(void **state)
{
    send_21_to_fake_listener(*state, 0);
}

typedef struct bad_arg {
    const char *url;
    int go; /* a pipe: the listener asks for the next frame */
} bad_arg;

/* Sends a BATCH frame of rt.Num's type, count records body[0..n), on fd. */
static void
send_batch(int fd, uint32_t count, const uint8_t *body, size_t n)
{
    uint8_t buf[MSGC__HDR_SIZE + 16];
    msgc_frame f;
    msgc__frame_init(&f, MSGC__FRAME_BATCH);
    f.id = rt_Num_desc.type_id;
    f.aux = count;
    msgc__frame_put(&f, buf);
    memcpy(buf + MSGC__HDR_SIZE, body, n);
    RT_CHECK(send(fd, buf, MSGC__HDR_SIZE + n, 0) == (ssize_t)(MSGC__HDR_SIZE + n));
}

/* A dialer written by hand: the handshake, three malformed batches, each once the
 * listener asks for it, then a good one. */
static int
bad_batch_dialer(void *argv)
{
    const bad_arg *a = argv;
    int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t n = strlen(a->url + 6);
    memcpy(sa.sun_path + 1, a->url + 6, n);
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
    int r, tries = 0;
    while ((r = connect(fd, (struct sockaddr *)&sa, len)) != 0 && tries++ < 500)
        rt_sleep_ms(10);
    RT_CHECK(r == 0);
    msgc_frame f;
    uint8_t buf[MSGC__HDR_SIZE];
    msgc__frame_init(&f, MSGC__FRAME_HELLO);
    f.aux = 1000;
    msgc__frame_put(&f, buf);
    RT_CHECK(send(fd, buf, sizeof buf, 0) == MSGC__HDR_SIZE);
    RT_CHECK(recv(fd, buf, sizeof buf, 0) == MSGC__HDR_SIZE);
    RT_CHECK(msgc__frame_parse(&f, buf, sizeof buf) == 0 && f.status == 0 && f.minor == 1);
    static const uint8_t past[] = {0x02, 0x08, 0x01, 0x05, 0x08, 0x02};
    static const uint8_t none[] = {0x02, 0x08, 0x01};
    static const uint8_t cut[] = {0x02, 0x08, 0x01, 0x82};
    static const uint8_t good[] = {0x02, 0x08, 0x07, 0x00};
    char go;
    send_batch(fd, 2, past, sizeof past);
    RT_CHECK(read(a->go, &go, 1) == 1);
    send_batch(fd, 0, none, sizeof none);
    RT_CHECK(read(a->go, &go, 1) == 1);
    send_batch(fd, 2, cut, sizeof cut);
    RT_CHECK(read(a->go, &go, 1) == 1);
    send_batch(fd, 2, good, sizeof good);
    RT_CHECK(read(a->go, &go, 1) == 1);
    close(fd);
    return 0;
}

static void
test_malformed_batch_frames_are_dropped_with_eproto(void **state)
{
    fixture *f = *state;
    int go[2];
    assert_int_equal(pipe(go), 0);
    bad_arg a = {.url = f->abs, .go = go[0]};
    pid_t c = rt_spawn(bad_batch_dialer, &a);
    close(go[0]);
    msgc_chan *ch = must_listen(f->abs, NULL);
    static const char *const why[] = {
        "batch record 2 of 2: length 5 past the end (2 bytes left)",
        "batch frame of 0 records",
        "batch record 2 of 2: truncated length",
    };
    rt_Num ms[4];
    for (size_t i = 0; i < 4; i++)
        rt_Num_desc.init(&ms[i]);
    for (size_t i = 0; i < 3; i++) {
        size_t got = 99;
        assert_int_equal(msgc__recv_many(ch, &rt_Num_desc, ms, 4, &got, 5000), MSGC_EPROTO);
        assert_int_equal(got, 0);
        assert_string_equal(msgc_last_error()->detail, why[i]);
        assert_int_equal(write(go[1], "g", 1), 1);
    }
    /* The dialer is still connected, and its good batch arrives whole. */
    size_t got = 0;
    assert_int_equal(msgc__recv_many(ch, &rt_Num_desc, ms, 4, &got, 5000), 0);
    assert_int_equal(got, 2);
    assert_true(ms[0].a == 7 && ms[1].a == 0);
    assert_int_equal(write(go[1], "g", 1), 1);
    close(go[1]);
    assert_int_equal(rt_wait(c), 0);
    assert_int_equal(msgc__recv(ch, &rt_Num_desc, ms, 100), MSGC_ETIMEDOUT);
    msgc_close(ch);
}

/* --- hang-ups --- */

static void
test_send_to_a_dead_listener_is_eclosed_without_sigpipe(void **state)
{
    fixture *f = *state;
    pid_t srv = rt_spawn(listen_and_serve, f->abs);
    msgc_opts o = MSGC_OPTS_INIT;
    o.dial_timeout_ms = 5000;
    msgc_chan *ch = NULL;
    assert_int_equal(msgc_dial(&ch, f->abs, &o), 0);
    rt_kill(srv, SIGKILL);
    rt_Num n = {.a = 1};
    /* SIGPIPE is left at its default, which would end this process. */
    assert_int_equal(msgc__send(ch, &rt_Num_desc, &n, 1000), MSGC_ECLOSED);
    assert_int_equal(msgc__send(ch, &rt_Num_desc, &n, 1000), MSGC_ECLOSED);
    msgc_close(ch);
}

static int
call_and_vanish(void *url)
{
    msgc_opts o = MSGC_OPTS_INIT;
    o.dial_timeout_ms = 5000;
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_dial(&ch, url, &o) == 0);
    rt_Num req = {.a = 200}, rep;
    rt_Num_desc.init(&rep);
    /* Leaves before the reply: the server's reply meets a closed socket. */
    RT_CHECK(msgc__call(ch, &rt_Calc_service, RT_SLEEP, &req, &rep, 20) == MSGC_ETIMEDOUT);
    msgc_close(ch);
    return 0;
}

static void
test_reply_to_a_vanished_caller_neither_kills_nor_stops_the_server(void **state)
{
    fixture *f = *state;
    pid_t c = rt_spawn(call_and_vanish, f->abs);
    /* Kept in a static so that the child forked below, which inherits it, can still
     * reach it at exit: memory checkers would call it lost otherwise. */
    static msgc_chan *ch;
    ch = must_listen(f->abs, NULL);
    rt_ctx ctx = {0};
    assert_int_equal(serve_until_exit(ch, c, &ctx), 0);
    assert_int_equal(msgc__serve_one(ch, &rt_Calc_service, &rt_calc_handlers, &ctx, 300),
                     MSGC_ETIMEDOUT);
    assert_int_equal(serve_until_exit(ch, rt_spawn(dial_first, f->abs), &ctx), 0);
    msgc_close(ch);
    ch = NULL;
}

static int
send_one(void *url)
{
    msgc_opts o = MSGC_OPTS_INIT;
    o.dial_timeout_ms = 5000;
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_dial(&ch, url, &o) == 0);
    rt_Num n = {.a = 3};
    RT_CHECK(msgc__send(ch, &rt_Num_desc, &n, 5000) == 0);
    msgc_close(ch);
    return 0;
}

static void
test_listener_fd_polls_readable_for_a_message(void **state)
{
    fixture *f = *state;
    pid_t c = rt_spawn(send_one, f->abs);
    rt_sleep_ms(50);
    msgc_chan *ch = must_listen(f->abs, NULL);
    struct pollfd p = {.fd = msgc_fd(ch), .events = POLLIN};
    rt_Num n;
    rt_Num_desc.init(&n);
    int rc = MSGC_ETIMEDOUT, rounds = 0;
    while (rc == MSGC_ETIMEDOUT && rounds++ < 10) {
        assert_int_equal(poll(&p, 1, 5000), 1);
        rc = msgc__recv(ch, &rt_Num_desc, &n, 0);
    }
    assert_int_equal(rc, 0);
    assert_true(n.a == 3);
    assert_int_equal(rt_wait(c), 0);
    msgc_close(ch);
}

static void
test_priorities_and_bad_addresses_are_refused(void **state)
{
    fixture *f = *state;
    msgc_opts o = MSGC_OPTS_INIT;
    o.priority = 3;
    msgc_chan *ch = NULL;
    assert_int_equal(msgc_listen(&ch, f->abs, &o), MSGC_ENOTSUP);
    assert_string_equal(msgc_last_error()->detail, "unix: no message priorities");
    ch = must_listen(f->abs, NULL);
    assert_int_equal(msgc_set_priority(ch, 1), MSGC_ENOTSUP);
    msgc_close(ch);
    assert_int_equal(msgc_listen(&ch, "unix:", NULL), MSGC_EINVAL);
    assert_int_equal(msgc_listen(&ch, "unix:@", NULL), MSGC_EINVAL);
    assert_int_equal(msgc_dial(&ch, NULL, NULL), MSGC_EINVAL);
    assert_int_equal(msgc_listen(NULL, f->abs, NULL), MSGC_EINVAL);
}

int
main(void)
{
    signal(SIGPIPE, SIG_DFL);
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_socket_file_gets_exactly_the_mode_asked_for),
        T(test_stale_socket_of_a_dead_listener_is_replaced),
        T(test_live_socket_in_the_way_is_eaddrinuse_and_keeps_working),
        T(test_file_that_is_not_a_socket_is_never_removed),
        T(test_socket_of_another_user_is_never_removed),
        T(test_path_too_long_is_enametoolong_before_any_syscall),
        T(test_longest_path_and_a_deep_directory_work),
        T(test_abstract_name_listens_without_a_file_and_is_unique),
        T(test_nonexistent_socket_is_enoent_after_the_dial_timeout),
        T(test_dialer_may_start_before_its_listener),
        T(test_refused_uid_gets_eperm_from_dial_on_open_and_abstract_sockets),
        T(test_allowlisted_uid_is_served_and_named_to_the_handler),
        T(test_listener_of_another_major_version_gives_eproto_from_dial),
        T(test_dialer_of_another_major_version_is_refused_with_eproto),
        T(test_dialer_packs_batch_frames_for_a_listener_of_version_1_1),
        T(test_dialer_sends_one_frame_per_message_to_a_listener_of_version_1_0),
        T(test_malformed_batch_frames_are_dropped_with_eproto),
        T(test_send_to_a_dead_listener_is_eclosed_without_sigpipe),
        T(test_reply_to_a_vanished_caller_neither_kills_nor_stops_the_server),
        T(test_listener_fd_polls_readable_for_a_message),
        T(test_priorities_and_bad_addresses_are_refused),
#undef T
    };
    return cmocka_run_group_tests_name("transport_unix", tests, NULL, NULL);
}
