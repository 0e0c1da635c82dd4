/* transport_unix.c - Unix domain sockets (SOCK_SEQPACKET): "unix:PATH" and "unix:@NAME".
 *
 * One listener, many dialers. Each dial is a connection that starts with a handshake
 * (HELLO with the dialer's version and largest frame, WELCOME with a status), checked
 * against the listener's uid allowlist with SO_PEERCRED. Every frame has a header, so an
 * empty read always means the peer hung up.
 */
#define _GNU_SOURCE
#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_MAX_MSG ((size_t)64 << 10)
/* How long a dial waits for a listener that accepted the connection to answer HELLO,
 * beyond dial_timeout_ms: the listener answers from its next recv or serve. */
#define HANDSHAKE_MS 5000
#define SUN_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)
#define EV_BATCH 16
/* A dialer sleeping in recvmsg wakes at least this often to look at its deadline. */
#define TICK_MS 100
/* epoll tags of a listener: connection handles are (gen << 32 | slot + 1), with a slot
 * below UINT32_MAX - 1, so neither tag can be a handle. */
#define TAG_LISTEN 0u
#define TAG_STOP ((uint64_t)UINT32_MAX)
/* A listener takes at most this many frames from one connection before it serves the
 * next ready one: a busy dialer cannot starve the others. */
#define FAIR_FRAMES 64u

/* How often a listener out of descriptors tries accepting again. */
#define ACCEPT_RETRY_MS 100

typedef struct conn {
    int fd;          /* -1: a free slot */
    uint32_t gen;    /* tells a reused slot from the dialer that left it */
    bool greeted;    /* HELLO answered */
    bool allowed;    /* its uid is on the allowlist */
    uid_t uid;
    gid_t gid;
    pid_t pid;
    size_t max_frame; /* the largest frame both ends accept */
} conn;

typedef struct unix_priv {
    bool listener;
    int fd; /* the listening socket, or the dialer's connection */
    int ep; /* listener: epoll over fd and the connections */
    int stop_fd;
    const msgc_opts *opts;
    size_t max_frame;
    conn *conns;
    size_t n_conns;
    uint32_t gen;
    /* The ready descriptors of the last epoll_wait, served in order: ev[i_ev] stays
     * current until its connection runs dry (a receive brings fewer frames than asked)
     * or has given FAIR_FRAMES frames. */
    struct epoll_event ev[EV_BATCH];
    int n_ev, i_ev;
    unsigned taken; /* frames taken from ev[i_ev] */
    char path[SUN_PATH_MAX + 1]; /* the socket file this listener created, else "" */
    dev_t dev;
    ino_t ino;
    pid_t owner; /* the process that created it: a forked child never removes it */
    bool paused;  /* out of descriptors: the listening socket is not watched */
    int64_t retry_at; /* when paused, the CLOCK_MONOTONIC ms to try accepting again */
    /* A dialer's connection is a blocking descriptor once the handshake is done: every
     * other operation passes MSG_DONTWAIT, and a call without a deadline sleeps in
     * recvmsg itself. msgc_stop wakes it by shutting the socket down for reading. */
    bool blocking;
    int rcvtimeo_ms; /* the dialer's SO_RCVTIMEO in ms (0: none yet) */
    unsigned peer_minor; /* a dialer: the frame minor version of the listener's WELCOME */
    const volatile sig_atomic_t *stopped;
} unix_priv;

/* --- addresses and socket files --- */

static int
parse_addr(const char *addr, struct sockaddr_un *sa, socklen_t *len)
{
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    bool abstract = addr[0] == '@';
    const char *name = abstract ? addr + 1 : addr;
    size_t n = strlen(name);
    if (n == 0)
        return msgc__fail(MSGC_EINVAL, "unix: empty %s", abstract ? "abstract name" : "path");
    if (n > SUN_PATH_MAX)
        return msgc__fail(MSGC_ENAMETOOLONG, "unix: %s of %zu bytes > %zu", 
                          abstract ? "abstract name" : "socket path", n, SUN_PATH_MAX);
    memcpy(sa->sun_path + abstract, name, n);
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + abstract + n + !abstract);
    return 0;
}

static int
new_socket(unix_priv *u, int *fd)
{
    *fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (*fd < 0)
        return msgc__fail_sys(errno, "socket", NULL);
    /* A frame must fit the send buffer whole (the kernel wants 32 bytes of slack). */
    int have = 0;
    socklen_t sl = sizeof have;
    if (getsockopt(*fd, SOL_SOCKET, SO_SNDBUF, &have, &sl) == 0 &&
        (size_t)have >= u->max_frame + 64)
        return 0;
    int want = u->max_frame + 64 > INT32_MAX / 2 ? INT32_MAX / 2 : (int)(u->max_frame + 64);
    if (setsockopt(*fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof want) == 0 &&
        getsockopt(*fd, SOL_SOCKET, SO_SNDBUF, &have, &sl) == 0 &&
        (size_t)have >= u->max_frame + 64)
        return 0;
    close(*fd);
    *fd = -1;
    return msgc__fail(MSGC_ETOOBIG,
                      "unix: frames of %zu bytes need a socket buffer above "
                      "/proc/sys/net/core/wmem_max (got %d)",
                      u->max_frame, have);
}

/* Takes PATH.lock, the lock under which listeners decide about PATH. The lock file is
 * removed by unlock; a waiter that then gets the removed file's lock notices it and
 * tries again. */
static int
lock_path(const char *path, char *lock, size_t cap, int *fd)
{
    snprintf(lock, cap, "%s.lock", path);
    for (int tries = 0; tries < 100; tries++) {
        *fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (*fd < 0)
            return msgc__fail_sys(errno, "open", lock);
        int r;
        while ((r = flock(*fd, LOCK_EX)) < 0 && errno == EINTR)
            ;
        struct stat a, b;
        if (r == 0 && fstat(*fd, &a) == 0 && stat(lock, &b) == 0 && a.st_dev == b.st_dev &&
            a.st_ino == b.st_ino)
            return 0;
        int err = errno;
        close(*fd);
        *fd = -1;
        if (r < 0)
            return msgc__fail_sys(err, "flock", lock);
    }
    return msgc__fail(MSGC_EADDRINUSE, "unix: could not settle %s", lock);
}

static void
unlock_path(const char *lock, int fd)
{
    unlink(lock);
    close(fd);
}

/* Decides under the lock whether a file at PATH may be replaced: only a socket of ours
 * that refuses connections (ECONNREFUSED) is stale. */
static int
clear_stale(unix_priv *u, const struct sockaddr_un *sa, socklen_t len, const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : msgc__fail_sys(errno, "lstat", path);
    if (!S_ISSOCK(st.st_mode))
        return msgc__fail(MSGC_EADDRINUSE, "unix: %s exists and is not a socket; not removed",
                          path);
    if (st.st_uid != geteuid())
        return msgc__fail(MSGC_EADDRINUSE, "unix: socket %s belongs to uid %u; not removed",
                          path, (unsigned)st.st_uid);
    int fd;
    int rc = new_socket(u, &fd);
    if (rc)
        return rc;
    int r = connect(fd, (const struct sockaddr *)sa, len);
    int err = errno;
    close(fd);
    if (r == 0 || err == EAGAIN)
        return msgc__fail(MSGC_EADDRINUSE, "unix: a listener is live on %s", path);
    if (err != ECONNREFUSED)
        return msgc__fail_sys(err, "connect (stale probe)", path);
    if (unlink(path) < 0 && errno != ENOENT)
        return msgc__fail_sys(errno, "unlink (stale socket)", path);
    return 0;
}

/* Binds fd at path with its final mode: under a temporary name in the same directory,
 * chmod, then rename without replacing anything. */
static int
bind_file(unix_priv *u, const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[SUN_PATH_MAX + 2];
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + 1 : 1, slash ? path : ".");
    const char *base = slash ? slash + 1 : path;
    int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return msgc__fail_sys(errno, "open", dir);
    static unsigned counter;
    char tmp[64], tpath[SUN_PATH_MAX + 64];
    snprintf(tmp, sizeof tmp, ".msgc.%ld.%u", (long)getpid(), ++counter);
    int n = snprintf(tpath, sizeof tpath, "%s%s", slash ? dir : "", tmp);
    if (n < 0 || (size_t)n > SUN_PATH_MAX)
        snprintf(tpath, sizeof tpath, "/proc/self/fd/%d/%s", dfd, tmp);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    memcpy(sa.sun_path, tpath, strlen(tpath));
    int rc = 0;
    if (bind(u->fd, (const struct sockaddr *)&sa, sizeof sa) < 0) {
        rc = msgc__fail_sys(errno, "bind", tpath);
        goto out;
    }
    if (fchmodat(dfd, tmp, u->opts->mode & 07777, 0) < 0)
        rc = msgc__fail_sys(errno, "chmod", tpath);
    else if (renameat2(dfd, tmp, dfd, base, RENAME_NOREPLACE) < 0)
        rc = errno == EEXIST ? msgc__fail(MSGC_EADDRINUSE, "unix: %s appeared meanwhile", path)
                             : msgc__fail_sys(errno, "rename", path);
    if (rc)
        unlinkat(dfd, tmp, 0);
out:
    close(dfd);
    return rc;
}

/* --- listener --- */

static int
ep_add(unix_priv *u, int fd, uint64_t tag)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};
    if (epoll_ctl(u->ep, EPOLL_CTL_ADD, fd, &ev) < 0)
        return msgc__fail_sys(errno, "epoll_ctl", NULL);
    return 0;
}

static size_t
frame_limit(const msgc_opts *o)
{
    size_t msg = o->max_msg ? o->max_msg : DEFAULT_MAX_MSG;
    return msg > MSGC_MAX_MESSAGE_SIZE ? MSGC_MAX_MESSAGE_SIZE + MSGC__HDR_SIZE
                                       : msg + MSGC__HDR_SIZE;
}

static int
u_listen(void *priv, const char *addr, const msgc_tparams *p)
{
    unix_priv *u = priv;
    u->fd = u->ep = -1;
    u->listener = true;
    u->stopped = p->stopped;
    u->opts = p->opts;
    u->stop_fd = p->stop_fd;
    u->max_frame = frame_limit(p->opts);
    struct sockaddr_un sa;
    socklen_t len;
    int rc = parse_addr(addr, &sa, &len);
    if (rc)
        return rc;
    if ((u->ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
        return msgc__fail_sys(errno, "epoll_create1", NULL);
    if ((rc = new_socket(u, &u->fd)))
        return rc;
    if (addr[0] == '@') {
        if (bind(u->fd, (const struct sockaddr *)&sa, len) < 0)
            return msgc__fail_sys(errno, "bind", addr);
    } else {
        char lock[SUN_PATH_MAX + 8];
        int lfd;
        if ((rc = lock_path(addr, lock, sizeof lock, &lfd)))
            return rc;
        rc = clear_stale(u, &sa, len, addr);
        if (!rc)
            rc = bind_file(u, addr);
        struct stat st;
        if (!rc && lstat(addr, &st) == 0) {
            snprintf(u->path, sizeof u->path, "%s", addr);
            u->owner = getpid();
            u->dev = st.st_dev;
            u->ino = st.st_ino;
        }
        unlock_path(lock, lfd);
        if (rc)
            return rc;
    }
    if (listen(u->fd, SOMAXCONN) < 0)
        return msgc__fail_sys(errno, "listen", addr);
    /* The stop descriptor sits in the same set: one epoll_wait is the whole wait. */
    rc = ep_add(u, u->stop_fd, TAG_STOP);
    return rc ? rc : ep_add(u, u->fd, TAG_LISTEN);
}

static bool
uid_allowed(const unix_priv *u, uid_t uid)
{
    if (u->opts->n_allow_uids == 0)
        return uid == geteuid();
    for (size_t i = 0; i < u->opts->n_allow_uids; i++)
        if (u->opts->allow_uids[i] == uid)
            return true;
    return false;
}

static uint64_t
conn_handle(const unix_priv *u, size_t i)
{
    return (uint64_t)u->conns[i].gen << 32 | (uint64_t)(i + 1);
}

static conn *
conn_find(unix_priv *u, uint64_t handle)
{
    size_t i = (size_t)(handle & 0xffffffffu);
    if (i == 0 || i > u->n_conns)
        return NULL;
    conn *c = &u->conns[i - 1];
    return c->fd >= 0 && c->gen == (uint32_t)(handle >> 32) ? c : NULL;
}

static void
conn_drop(unix_priv *u, conn *c)
{
    close(c->fd); /* closing also removes it from the epoll set */
    c->fd = -1;
    if (u->paused && ep_add(u, u->fd, TAG_LISTEN) == 0)
        u->paused = false;
}

static conn *
conn_slot(unix_priv *u)
{
    for (size_t i = 0; i < u->n_conns; i++)
        if (u->conns[i].fd < 0)
            return &u->conns[i];
    size_t n = u->n_conns ? u->n_conns * 2 : 8;
    if (n > UINT32_MAX - 1)
        return NULL;
    conn *c = realloc(u->conns, n * sizeof *c);
    if (!c)
        return NULL;
    for (size_t i = u->n_conns; i < n; i++)
        c[i] = (conn){.fd = -1};
    u->conns = c;
    c += u->n_conns;
    u->n_conns = n;
    return c;
}

/* Accepts every waiting dialer. Failures concern one dialer and never the listener. */
static void
accept_all(unix_priv *u)
{
    for (;;) {
        int fd = accept4(u->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* The listening socket stays readable: stop watching it rather than
                 * spin, until a dialer leaves or the retry time comes. */
                if (epoll_ctl(u->ep, EPOLL_CTL_DEL, u->fd, NULL) == 0) {
                    u->paused = true;
                    u->retry_at = msgc__now_ms() + ACCEPT_RETRY_MS;
                }
            }
            return;
        }
        struct ucred cr;
        socklen_t cl = sizeof cr;
        conn *c = conn_slot(u);
        if (!c || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) < 0) {
            close(fd);
            continue;
        }
        *c = (conn){.fd = fd, .gen = ++u->gen, .uid = cr.uid, .gid = cr.gid, .pid = cr.pid,
                    .allowed = uid_allowed(u, cr.uid), .max_frame = u->max_frame};
        if (ep_add(u, fd, conn_handle(u, (size_t)(c - u->conns)))) {
            conn_drop(u, c);
            continue;
        }
    }
}

static void
send_welcome(const conn *c, int32_t status, size_t max_frame)
{
    msgc_frame f;
    uint8_t buf[MSGC__HDR_SIZE];
    msgc__frame_init(&f, MSGC__FRAME_WELCOME);
    f.status = status;
    f.aux = max_frame > UINT32_MAX ? UINT32_MAX : (uint32_t)max_frame;
    msgc__frame_put(&f, buf);
    ssize_t r;
    while ((r = send(c->fd, buf, sizeof buf, MSG_NOSIGNAL | MSG_DONTWAIT)) < 0 && errno == EINTR)
        ;
}

/* The first frame of a connection: answers it, and keeps the dialer only when its
 * version and uid are accepted. */
static void
greet(unix_priv *u, conn *c, const uint8_t *buf, size_t len)
{
    msgc_frame f;
    int rc = msgc__frame_parse(&f, buf, len);
    if (!rc && f.kind != MSGC__FRAME_HELLO)
        rc = MSGC_EPROTO;
    if (!rc && !c->allowed)
        rc = MSGC_EPERM;
    if (rc == 0 && f.aux < MSGC__HDR_SIZE)
        rc = MSGC_EPROTO;
    if (rc == 0 && f.aux < c->max_frame)
        c->max_frame = f.aux;
    send_welcome(c, rc, c->max_frame);
    if (rc)
        conn_drop(u, c);
    else
        c->greeted = true;
}

/* --- moving frames --- */

/* Receives up to n frames from fd without waiting. Returns the count, 0 when none is
 * there, or a negative error when the first record ends the connection (MSGC_ECLOSED for
 * a hang-up, MSGC_EPROTO for a frame that did not fit). A later record that ends it sets
 * *broken instead: the frames before it are good, and the connection must go after them,
 * since that record and any received after it in the same call are lost. */
static int
recv_frames(int fd, msgc_tmsg *msgs, size_t n, bool *broken)
{
    *broken = false;
    struct mmsghdr mh[EV_BATCH];
    struct iovec iov[EV_BATCH];
    if (n > EV_BATCH)
        n = EV_BATCH;
    for (size_t i = 0; i < n; i++) {
        iov[i] = (struct iovec){.iov_base = msgs[i].buf, .iov_len = msgs[i].cap};
        mh[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
    }
    int r;
    for (;;) {
        /* recvmsg costs less than recvmmsg for the single frame of a dialer. */
        if (n == 1) {
            ssize_t k = recvmsg(fd, &mh[0].msg_hdr, MSG_DONTWAIT);
            r = k < 0 ? -1 : 1;
            mh[0].msg_len = k < 0 ? 0 : (unsigned)k;
        } else {
            r = recvmmsg(fd, mh, (unsigned)n, MSG_DONTWAIT, NULL);
        }
        if (r >= 0 || errno != EINTR)
            break;
    }
    if (r < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        return msgc__fail_sys(errno == ECONNRESET ? EPIPE : errno, "recvmsg", NULL);
    }
    for (int i = 0; i < r; i++) {
        bool hangup = mh[i].msg_len == 0, too_long = mh[i].msg_hdr.msg_flags & MSG_TRUNC;
        if ((hangup || too_long) && i > 0) {
            *broken = true;
            return i;
        }
        if (hangup)
            return msgc__fail(MSGC_ECLOSED, "unix: peer hung up");
        if (too_long)
            return msgc__fail(MSGC_EPROTO, "unix: frame larger than %zu bytes", msgs[i].cap);
        msgs[i].len = mh[i].msg_len;
        msgs[i].peer = MSGC__PEER_NONE;
        msgs[i].prio = 0;
    }
    return r;
}

/* A listener out of descriptors watches its socket again every ACCEPT_RETRY_MS: no
 * connection may ever close to free one, and the limit may have been raised. Returns the
 * milliseconds until the next try while still paused, else -1. */
static int
resume_accepting(unix_priv *u)
{
    if (!u->paused)
        return -1;
    int64_t wait = u->retry_at - msgc__now_ms();
    if (wait > 0)
        return (int)wait;
    if (ep_add(u, u->fd, TAG_LISTEN) == 0)
        u->paused = false;
    return u->paused ? ACCEPT_RETRY_MS : -1;
}

/* Makes ev[i_ev] a ready descriptor, waiting in epoll_wait until the deadline when wait
 * is set and none is left from the last one. MSGC_ETIMEDOUT: none (yet). */
static int
next_event(unix_priv *u, int64_t deadline, bool wait)
{
    while (u->i_ev >= u->n_ev) {
        if (!wait)
            return MSGC_ETIMEDOUT;
        int left = msgc__remaining(deadline, -1);
        int pause_left = resume_accepting(u);
        int n = epoll_wait(u->ep, u->ev, EV_BATCH,
                           pause_left >= 0 && (left < 0 || pause_left < left) ? pause_left : left);
        if (n < 0) {
            if (errno != EINTR)
                return msgc__fail_sys(errno, "epoll_wait", NULL);
            n = 0;
        }
        u->n_ev = n;
        u->i_ev = 0;
        u->taken = 0;
        /* epoll_wait counts whole milliseconds and may wake a little early. */
        if (n == 0 && left == 0)
            return msgc__fail(MSGC_ETIMEDOUT, "deadline passed");
    }
    return 0;
}

/* Done with the current ready descriptor: the next one is served. */
static void
next_ready(unix_priv *u)
{
    u->i_ev++;
    u->taken = 0;
}

/* Tags msgs[0..n), received from a greeted dialer, with its handle tag, up to the first
 * that breaks the protocol (a malformed header, or a kind no dialer sends): that one is
 * kept for the channel to refuse with MSGC_EPROTO, those after it are discarded, and
 * *broken is set: the dialer must go. Returns the frames kept. */
static size_t
take_frames(msgc_tmsg *msgs, size_t n, uint64_t tag, bool *broken)
{
    for (size_t i = 0; i < n; i++) {
        msgs[i].peer = tag;
        if (!msgc__frame_from_dialer(msgs[i].buf, msgs[i].len)) {
            *broken = true;
            return i + 1;
        }
    }
    return n;
}

/* Receives from the ready connection c (handle tag) into msgs[0..want): a new dialer's
 * hello, which is answered, or a greeted dialer's frames. Returns the frames delivered. */
static size_t
recv_conn(unix_priv *u, conn *c, uint64_t tag, msgc_tmsg *msgs, size_t want)
{
    bool broken;
    int r = recv_frames(c->fd, msgs, want, &broken);
    if (r < 0) {
        conn_drop(u, c);
        next_ready(u);
        return 0;
    }
    /* Fewer frames than asked: the connection is dry, and epoll says when it is not.
     * So a server between requests waits in epoll_wait at once, without a receive
     * that fails first. */
    u->taken += (unsigned)r;
    if ((size_t)r < want || u->taken >= FAIR_FRAMES)
        next_ready(u);
    if (r > 0 && !c->greeted) {
        greet(u, c, msgs[0].buf, msgs[0].len);
        return 0;
    }
    size_t kept = take_frames(msgs, (size_t)r, tag, &broken);
    /* What it sent before breaking the protocol is delivered; then the dialer goes (a
     * ready event that still names it finds no connection and is skipped). */
    if (broken)
        conn_drop(u, c);
    return kept;
}

static int
listener_recv(unix_priv *u, msgc_tmsg *msgs, size_t n, size_t *done, int64_t deadline)
{
    while (*done < n) {
        int rc = next_event(u, deadline, *done == 0);
        if (rc)
            return *done > 0 ? 0 : rc;
        uint64_t tag = u->ev[u->i_ev].data.u64;
        if (tag == TAG_STOP)
            return *done > 0 ? 0 : msgc__fail(MSGC_ECLOSED, "channel stopped");
        if (tag == TAG_LISTEN) {
            next_ready(u);
            accept_all(u);
            continue;
        }
        conn *c = conn_find(u, tag);
        if (!c) {
            next_ready(u);
            continue;
        }
        *done += recv_conn(u, c, tag, msgs + *done, c->greeted ? n - *done : 1);
    }
    return 0;
}

/* Sets the longest sleep of a blocking recvmsg (SO_RCVTIMEO, measured by the kernel on a
 * monotonic clock): at most left ms, so the deadline is kept, and TICK_MS when more is
 * left or there is no deadline, so the option changes only near a deadline. */
static int
cap_sleep(unix_priv *u, int left)
{
    int want = left < 0 || left >= TICK_MS ? TICK_MS : left;
    if (want == u->rcvtimeo_ms)
        return 0;
    struct timeval tv = {.tv_sec = want / 1000, .tv_usec = (want % 1000) * 1000};
    if (setsockopt(u->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
        return msgc__fail_sys(errno, "setsockopt SO_RCVTIMEO", NULL);
    u->rcvtimeo_ms = want;
    return 0;
}

/* Sleeps in recvmsg until one frame comes: one system call where poll and a receive
 * would take two. */
static int
recv_blocking(unix_priv *u, msgc_tmsg *t, size_t *done, int64_t deadline)
{
    struct iovec iov = {.iov_base = t->buf, .iov_len = t->cap};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    for (;;) {
        if (*u->stopped)
            return msgc__fail(MSGC_ECLOSED, "channel stopped");
        int left = msgc__remaining(deadline, -1);
        int rc = left == 0 ? 0 : cap_sleep(u, left);
        if (rc)
            return rc;
        /* A deadline already passed still takes a frame that is there. */
        ssize_t r = recvmsg(u->fd, &mh, left == 0 ? MSG_DONTWAIT : 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (*u->stopped)
            return msgc__fail(MSGC_ECLOSED, "channel stopped");
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (left == 0)
                return msgc__fail(MSGC_ETIMEDOUT, "deadline passed");
            continue;
        }
        if (r < 0)
            return msgc__fail_sys(errno == ECONNRESET ? EPIPE : errno, "recvmsg", NULL);
        if (r == 0)
            return msgc__fail(MSGC_ECLOSED, "unix: peer hung up");
        if (mh.msg_flags & MSG_TRUNC)
            return msgc__fail(MSGC_EPROTO, "unix: frame larger than %zu bytes", t->cap);
        *t = (msgc_tmsg){.buf = t->buf, .cap = t->cap, .len = (size_t)r};
        *done = 1;
        return 0;
    }
}

static int
u_recv(void *priv, msgc_tmsg *msgs, size_t n, size_t *done, int64_t deadline, unsigned flags)
{
    unix_priv *u = priv;
    *done = 0;
    (void)flags;
    if (u->listener)
        return listener_recv(u, msgs, n, done, deadline);
    if (u->blocking)
        return recv_blocking(u, msgs, done, deadline);
    /* A dialer receives only the welcome and replies, which never precede what it sent:
     * it waits first, and a socket that is ready makes the wait return at once. */
    for (;;) {
        int rc = msgc__wait_fd(u->fd, POLLIN, u->stop_fd, deadline, -1);
        if (rc)
            return rc;
        /* One frame at a time: a record that ends the connection is then always the
         * first, and comes back as the error of its own receive. */
        bool broken;
        int r = recv_frames(u->fd, msgs, 1, &broken);
        if (r > 0) {
            *done = (size_t)r;
            return 0;
        }
        if (r < 0)
            return r;
    }
}

/* Sends msgs[0..n) on fd, waiting for room until the deadline. */
static int
send_frames(unix_priv *u, int fd, msgc_tmsg *msgs, size_t n, size_t *done, int64_t deadline)
{
    while (*done < n) {
        struct mmsghdr mh[EV_BATCH];
        struct iovec iov[EV_BATCH];
        size_t k = n - *done > EV_BATCH ? EV_BATCH : n - *done;
        for (size_t i = 0; i < k; i++) {
            msgc_tmsg *t = &msgs[*done + i];
            iov[i] = (struct iovec){.iov_base = t->buf, .iov_len = t->len};
            mh[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
        }
        int r;
        if (k == 1) {
            /* send costs less than sendmsg, and that less than sendmmsg, for a single
             * frame: the kernel copies no message header and no iovec. */
            ssize_t w = send(fd, msgs[*done].buf, msgs[*done].len, MSG_NOSIGNAL | MSG_DONTWAIT);
            r = w < 0 ? -1 : 1;
        } else {
            r = sendmmsg(fd, mh, (unsigned)k, MSG_NOSIGNAL | MSG_DONTWAIT);
        }
        if (r > 0) {
            *done += (size_t)r;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return msgc__fail_sys(errno == ECONNRESET || errno == ENOTCONN ? EPIPE : errno,
                                  "sendmsg", NULL);
        int rc = msgc__wait_fd(fd, POLLOUT, u->stop_fd, deadline, -1);
        if (rc)
            return rc;
    }
    return 0;
}

static int
check_sizes(const msgc_tmsg *msgs, size_t n, size_t max, const char *who)
{
    for (size_t i = 0; i < n; i++)
        if (msgs[i].len > max)
            return msgc__fail(MSGC_ETOOBIG, "unix: frame of %zu bytes > %zu, the largest %s accepts",
                              msgs[i].len, max, who);
    return 0;
}

static int
u_send(void *priv, msgc_tmsg *msgs, size_t n, size_t *done, int64_t deadline)
{
    unix_priv *u = priv;
    *done = 0;
    if (!u->listener) {
        int rc = check_sizes(msgs, n, u->max_frame, "the listener");
        return rc ? rc : send_frames(u, u->fd, msgs, n, done, deadline);
    }
    /* A listener sends replies, each to the dialer that asked. A dialer that left or
     * cannot take the reply in time loses it; the listener carries on. */
    for (; *done < n; ++*done) {
        conn *c = conn_find(u, msgs[*done].peer);
        if (!c)
            continue;
        int rc = check_sizes(&msgs[*done], 1, c->max_frame, "the dialer");
        if (rc)
            return rc;
        size_t one = 0;
        rc = send_frames(u, c->fd, &msgs[*done], 1, &one, deadline);
        if (rc && rc != MSGC_ETIMEDOUT)
            conn_drop(u, c);
    }
    return 0;
}

/* --- dialer --- */

static int
nap(int stop_fd, int64_t deadline, int ms)
{
    struct pollfd p = {.fd = stop_fd, .events = POLLIN};
    int r = poll(&p, 1, msgc__remaining(deadline, ms));
    if (r > 0)
        return msgc__fail(MSGC_ECLOSED, "channel stopped");
    return 0;
}

static int
connect_err(int err, const char *addr)
{
    if (err == ENOENT || err == ECONNREFUSED)
        return msgc__fail_errno(MSGC_ENOENT, err, "unix: no listener at %s (%s)", addr,
                                strerror(err));
    if (err == EAGAIN)
        return msgc__fail_errno(MSGC_ETIMEDOUT, err, "unix: listener at %s has a full backlog",
                                addr);
    return msgc__fail_sys(err, "connect", addr);
}

static int
u_connect(unix_priv *u, const char *addr, int64_t deadline)
{
    struct sockaddr_un sa;
    socklen_t len;
    int rc = parse_addr(addr, &sa, &len);
    while (!rc) {
        if ((rc = new_socket(u, &u->fd)))
            break;
        if (connect(u->fd, (const struct sockaddr *)&sa, len) == 0)
            return 0;
        int err = errno;
        close(u->fd);
        u->fd = -1;
        bool retry = err == ENOENT || err == ECONNREFUSED || err == EAGAIN || err == EINTR;
        if (!retry || (deadline >= 0 && msgc__now_ms() >= deadline))
            return connect_err(err, addr);
        rc = nap(u->stop_fd, deadline, 10);
    }
    return rc;
}

static int
handshake(unix_priv *u, const char *addr, int64_t deadline)
{
    msgc_frame f;
    uint8_t buf[MSGC__HDR_SIZE + 64];
    msgc__frame_init(&f, MSGC__FRAME_HELLO);
    f.aux = u->max_frame > UINT32_MAX ? UINT32_MAX : (uint32_t)u->max_frame;
    msgc__frame_put(&f, buf);
    msgc_tmsg t = {.buf = buf, .len = MSGC__HDR_SIZE, .cap = sizeof buf};
    size_t done = 0;
    int rc = send_frames(u, u->fd, &t, 1, &done, deadline);
    if (!rc)
        rc = u_recv(u, &t, 1, &done, deadline, 0);
    if (rc == MSGC_ECLOSED && !msgc_last_error()->sys_errno)
        return msgc__fail(MSGC_ECLOSED, "unix: listener at %s hung up during the handshake",
                          addr);
    if (rc == MSGC_ETIMEDOUT)
        return msgc__fail(MSGC_ETIMEDOUT, "unix: listener at %s did not answer the handshake",
                          addr);
    if (!rc)
        rc = msgc__frame_parse(&f, buf, t.len);
    if (rc)
        return rc;
    if (f.kind != MSGC__FRAME_WELCOME)
        return msgc__fail(MSGC_EPROTO, "unix: listener at %s answered HELLO with kind %u", addr,
                          f.kind);
    if (f.status == MSGC_EPERM)
        return msgc__fail(MSGC_EPERM, "unix: listener at %s does not accept uid %u", addr,
                          (unsigned)geteuid());
    if (f.status != 0)
        return msgc__fail(msgc_errname(f.status) && f.status < 0 ? f.status : MSGC_EPROTO,
                          "unix: listener at %s refused the connection (status %d)", addr,
                          (int)f.status);
    if (f.aux < MSGC__HDR_SIZE)
        return msgc__fail(MSGC_EPROTO, "unix: listener offers frames of %u bytes", f.aux);
    if (f.aux < u->max_frame)
        u->max_frame = f.aux;
    u->peer_minor = f.minor;
    return 0;
}

static int
u_dial(void *priv, const char *addr, const msgc_tparams *p)
{
    unix_priv *u = priv;
    u->fd = u->ep = -1;
    u->opts = p->opts;
    u->stop_fd = p->stop_fd;
    u->stopped = p->stopped;
    u->max_frame = frame_limit(p->opts);
    int64_t deadline = msgc__deadline(p->opts->dial_timeout_ms);
    int rc = u_connect(u, addr, deadline);
    if (rc)
        return rc;
    int64_t hs = deadline < 0 ? -1 : msgc__now_ms() + HANDSHAKE_MS;
    rc = handshake(u, addr, deadline > hs ? deadline : hs);
    if (rc)
        return rc;
    /* Without it the dialer still works, waiting in poll. */
    int fl = fcntl(u->fd, F_GETFL);
    u->blocking = fl >= 0 && fcntl(u->fd, F_SETFL, fl & ~O_NONBLOCK) == 0;
    return 0;
}

static void
u_stop(void *priv)
{
    unix_priv *u = priv;
    /* Wakes a recvmsg sleeping without a deadline; shutdown is async-signal-safe. */
    if (!u->listener && u->fd >= 0)
        shutdown(u->fd, SHUT_RD);
}

/* --- the rest of the vtable --- */

static int
u_fileno(void *priv)
{
    unix_priv *u = priv;
    return u->listener ? u->ep : u->fd;
}

static size_t
u_max_frame(void *priv)
{
    return ((unix_priv *)priv)->max_frame;
}

static unsigned
u_peer_minor(void *priv)
{
    return ((unix_priv *)priv)->peer_minor;
}

static int
u_peer_cred(void *priv, uint64_t peer, uid_t *uid, gid_t *gid, pid_t *pid)
{
    conn *c = conn_find(priv, peer);
    if (!c)
        return msgc__fail(MSGC_ECLOSED, "unix: the caller has hung up");
    if (uid)
        *uid = c->uid;
    if (gid)
        *gid = c->gid;
    if (pid)
        *pid = c->pid;
    return 0;
}

static void
u_close(void *priv)
{
    unix_priv *u = priv;
    for (size_t i = 0; i < u->n_conns; i++)
        if (u->conns[i].fd >= 0)
            close(u->conns[i].fd);
    free(u->conns);
    if (u->fd >= 0)
        close(u->fd);
    if (u->ep >= 0)
        close(u->ep);
    /* Only the socket file this process created, if it is still that file. */
    struct stat st;
    if (u->path[0] && u->owner == getpid() && lstat(u->path, &st) == 0 &&
        st.st_dev == u->dev && st.st_ino == u->ino)
        unlink(u->path);
}

const msgc_transport msgc__transport_unix = {
    .scheme = "unix",
    .priv_size = sizeof(unix_priv),
    .caps = MSGC__TCAP_PEERCRED | MSGC__TCAP_UIDS | MSGC__TCAP_READAHEAD,
    .t_listen = u_listen,
    .t_dial = u_dial,
    .t_send = u_send,
    .t_recv = u_recv,
    .t_fileno = u_fileno,
    .t_max_frame = u_max_frame,
    .t_peer_minor = u_peer_minor,
    .t_peer_cred = u_peer_cred,
    .t_stop = u_stop,
    .t_close = u_close,
};
