/* transport_mq.c - POSIX message queues: "mq:/NAME".
 *
 * The listener owns the request queue /NAME; dialers write to it. A dialer that calls
 * creates a private reply queue /NAME.r<token> on its first call and puts the token in
 * every frame's reply_to. The kernel says nothing when a process holding a queue dies,
 * so liveness rides on flock(2), which works on queue descriptors on Linux: a listener
 * holds LOCK_SH on its request queue, a dialer LOCK_EX on its reply queue. A lock that
 * can be taken belongs to nobody alive.
 */
#define _GNU_SOURCE
#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NAME_MAX_BYTES 200 /* SPEC: mq:/NAME with NAME 1-200 bytes */
#define DEFAULT_DEPTH 8u
#define DEFAULT_MSGSIZE 8192u
#define REPLY_DEPTH 4u
/* A waiting caller re-tests its listener's lock this often. */
#define LIVENESS_MS 100
/* A listener looks for reply queues of dead dialers this often while it waits. */
#define RECLAIM_MS 1000
#define KNOWN_MAX 32

/* A dialer this listener has answered. */
typedef struct known {
    uint64_t token; /* 0: free */
    mqd_t q;        /* its reply queue, open for writing, or -1 */
    size_t msgsize;
    uint64_t used;  /* mq_priv.uses at the last reply */
} known;

typedef struct mq_priv {
    bool listener;
    mqd_t q;  /* listener: the request queue (read); dialer: the same (write) */
    /* The request queue again, blocking, so that a wait is one system call where poll and
     * a receive or send take two (q stays non-blocking for msgc_fd and for timeouts of 0).
     * A listener receives in mq_timedreceive on it, and opens it for writing too, so that
     * msgc_stop can wake it with an empty message; a dialer whose queue is full sends in
     * mq_timedsend on it. -1: none (poll). */
    mqd_t qb;
    /* A listener is in, or about to enter, its blocking receive: msgc_stop must wake it. */
    volatile sig_atomic_t waiting;
    mqd_t rq; /* dialer: its reply queue, -1 before the first call */
    /* The reply queue again, blocking and open for writing too: a dialer waits for its
     * reply in mq_timedreceive itself, one system call where poll and a receive take
     * two, and msgc_stop wakes it with an empty message through it. -1: none (poll). */
    mqd_t rqb;
    const volatile sig_atomic_t *stopped;
    int stop_fd;
    const msgc_opts *opts;
    char name[NAME_MAX_BYTES + 2];
    char rname[NAME_MAX_BYTES + 24];
    uint64_t token;
    size_t max_frame; /* mq_msgsize of the request queue */
    size_t rmax;      /* mq_msgsize of the reply queue */
    known known[KNOWN_MAX];
    uint64_t uses; /* a clock for the least recently used reply queue */
    int64_t next_reclaim;
    pid_t owner; /* a forked child shares the descriptors and their locks: it only closes */
} mq_priv;

/* --- names and limits --- */

static int
check_name(const char *addr)
{
    if (addr[0] != '/')
        return msgc__fail(MSGC_EINVAL, "mq: name \"%.64s\" does not start with '/'", addr);
    size_t n = strlen(addr + 1);
    if (n == 0)
        return msgc__fail(MSGC_EINVAL, "mq: empty queue name");
    if (n > NAME_MAX_BYTES)
        return msgc__fail(MSGC_ENAMETOOLONG, "mq: queue name of %zu bytes > %d", n,
                          NAME_MAX_BYTES);
    if (strchr(addr + 1, '/'))
        return msgc__fail(MSGC_EINVAL, "mq: queue name \"%.64s\" has a second '/'", addr);
    return 0;
}

static long
proc_limit(const char *file, long fallback)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/sys/fs/mqueue/%s", file);
    FILE *f = fopen(path, "re");
    long v = fallback;
    if (f) {
        if (fscanf(f, "%ld", &v) != 1)
            v = fallback;
        fclose(f);
    }
    return v;
}

/* Checks a queue's shape against the system's limits before mq_open, so the error can
 * name the limit. */
static int
check_limits(long depth, long msgsize)
{
    long msg_max = proc_limit("msg_max", 10);
    long size_max = proc_limit("msgsize_max", 8192);
    if (depth > msg_max)
        return msgc__fail(MSGC_EINVAL, "mq depth %ld > /proc/sys/fs/mqueue/msg_max %ld", depth,
                          msg_max);
    if (msgsize > size_max)
        return msgc__fail(MSGC_ETOOBIG, "mq_msgsize %ld > /proc/sys/fs/mqueue/msgsize_max %ld",
                          msgsize, size_max);
    return 0;
}

static int
open_err(int err, const char *name, long depth, long msgsize)
{
    if (err == EMFILE) {
        struct rlimit rl = {0, 0};
        getrlimit(RLIMIT_MSGQUEUE, &rl);
        return msgc__fail_errno(MSGC_ESYS, err,
                                "mq_open %s: over RLIMIT_MSGQUEUE %llu bytes per user "
                                "(this queue: %ld x %ld bytes) or the descriptor limit",
                                name, (unsigned long long)rl.rlim_cur, depth, msgsize);
    }
    if (err == EINVAL)
        return msgc__fail_errno(MSGC_EINVAL, err,
                                "mq_open %s: %ld x %ld bytes refused "
                                "(/proc/sys/fs/mqueue/msg_max, msgsize_max)",
                                name, depth, msgsize);
    return msgc__fail_sys(err, "mq_open", name);
}

static int
lock_fd(int fd, int op)
{
    int r;
    while ((r = flock(fd, op)) < 0 && errno == EINTR)
        ;
    return r;
}

/* Whether a lock conflicting with LOCK_EX is held on fd's queue: someone is alive. */
static bool
held_by_other(int fd)
{
    if (lock_fd(fd, LOCK_EX | LOCK_NB) < 0)
        return errno == EWOULDBLOCK;
    lock_fd(fd, LOCK_UN);
    return false;
}

static size_t
msgsize_of(mqd_t q)
{
    struct mq_attr a;
    return mq_getattr(q, &a) == 0 && a.mq_msgsize > 0 ? (size_t)a.mq_msgsize : 0;
}

/* The queue of q opened again, blocking, or -1 (the caller then waits in poll). A queue
 * unlinked and created anew in between is not the same queue: -1 too. */
static mqd_t
open_blocking(mqd_t q, const char *name, int flags)
{
    mqd_t b = mq_open(name, flags | O_CLOEXEC);
    if (b < 0)
        return -1;
    struct stat a, c;
    if (fstat(q, &a) == 0 && fstat(b, &c) == 0 && a.st_ino == c.st_ino && a.st_dev == c.st_dev)
        return b;
    mq_close(b);
    return -1;
}

/* --- listener --- */

static bool
same_queue(mqd_t q, const char *name)
{
    mqd_t q2 = mq_open(name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (q2 < 0)
        return false;
    struct stat a, b;
    bool same = fstat(q, &a) == 0 && fstat(q2, &b) == 0 && a.st_ino == b.st_ino &&
                a.st_dev == b.st_dev;
    mq_close(q2);
    return same;
}

/* Joins an existing request queue: another live listener shares it, or a dead one left
 * it (its messages wait for us). */
static int
join_queue(mq_priv *m, size_t want)
{
    m->q = mq_open(m->name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (m->q < 0)
        return errno == ENOENT ? 1 : msgc__fail_sys(errno, "mq_open", m->name);
    /* A closing listener may unlink the queue while we wait for the lock. */
    if (lock_fd(m->q, LOCK_SH) < 0 || !same_queue(m->q, m->name)) {
        mq_close(m->q);
        m->q = -1;
        return 1;
    }
    size_t have = msgsize_of(m->q);
    if (want && have < want)
        return msgc__fail(MSGC_EADDRINUSE,
                          "mq: queue %s exists with %zu-byte messages, %zu wanted", m->name,
                          have, want);
    return 0;
}

static int
mq_listen(void *priv, const char *addr, const msgc_tparams *p)
{
    mq_priv *m = priv;
    m->q = m->qb = m->rq = m->rqb = -1;
    m->owner = getpid();
    m->listener = true;
    m->stopped = p->stopped;
    for (size_t i = 0; i < KNOWN_MAX; i++)
        m->known[i].q = -1;
    m->stop_fd = p->stop_fd;
    m->opts = p->opts;
    int rc = check_name(addr);
    if (rc)
        return rc;
    snprintf(m->name, sizeof m->name, "%s", addr);
    long depth = p->opts->depth ? (long)p->opts->depth : DEFAULT_DEPTH;
    long msg_max = proc_limit("msg_max", 10);
    if (!p->opts->depth && depth > msg_max)
        depth = msg_max;
    size_t want = p->opts->max_msg ? p->opts->max_msg + MSGC__HDR_SIZE : 0;
    if (p->opts->max_msg > MSGC_MAX_MESSAGE_SIZE)
        return msgc__fail(MSGC_ETOOBIG, "max_msg %zu > %zu", p->opts->max_msg,
                          MSGC_MAX_MESSAGE_SIZE);
    long msgsize = want ? (long)want : DEFAULT_MSGSIZE;
    long size_max = proc_limit("msgsize_max", 8192);
    if (!want && msgsize > size_max)
        msgsize = size_max;
    if ((rc = check_limits(depth, msgsize)))
        return rc;
    struct mq_attr a = {.mq_maxmsg = depth, .mq_msgsize = msgsize};
    mode_t mode = (mode_t)(p->opts->mode & 0777);
    for (int tries = 0; tries < 100; tries++) {
        m->q = mq_open(m->name, O_RDONLY | O_CREAT | O_EXCL | O_NONBLOCK | O_CLOEXEC, mode, &a);
        if (m->q >= 0) {
            /* The umask narrowed the mode given to mq_open; fchmod sets it exactly. */
            if (fchmod(m->q, mode) < 0 || lock_fd(m->q, LOCK_SH) < 0)
                return msgc__fail_sys(errno, "fchmod/flock", m->name);
            break;
        }
        if (errno != EEXIST)
            return open_err(errno, m->name, depth, msgsize);
        rc = join_queue(m, want);
        if (rc <= 0) {
            if (rc)
                return rc;
            break;
        }
    }
    if (m->q < 0)
        return msgc__fail(MSGC_EADDRINUSE, "mq: could not settle queue %s", m->name);
    m->max_frame = msgsize_of(m->q);
    m->next_reclaim = msgc__now_ms() + RECLAIM_MS;
    m->qb = open_blocking(m->q, m->name, O_RDWR);
    return 0;
}

static void
reply_name(const mq_priv *m, uint64_t token, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s.r%016llx", m->name, (unsigned long long)token);
}

static void
forget(known *k)
{
    if (k->q >= 0)
        mq_close(k->q);
    *k = (known){.q = -1};
}

/* Removes the reply queues of dialers that died: their lock can be taken. */
static void
reclaim(mq_priv *m)
{
    for (size_t i = 0; i < KNOWN_MAX; i++) {
        known *k = &m->known[i];
        if (!k->token)
            continue;
        char name[sizeof m->rname];
        reply_name(m, k->token, name, sizeof name);
        if (k->q < 0)
            k->q = mq_open(name, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (k->q < 0) {
            if (errno == ENOENT)
                forget(k);
            continue;
        }
        if (held_by_other(k->q))
            continue;
        mq_unlink(name);
        forget(k);
    }
    m->next_reclaim = msgc__now_ms() + RECLAIM_MS;
}

/* The reply queue of token, opened once and kept among the recently used. */
static known *
lookup(mq_priv *m, uint64_t token)
{
    known *lru = &m->known[0];
    for (size_t i = 0; i < KNOWN_MAX; i++) {
        known *k = &m->known[i];
        if (k->token == token) {
            k->used = ++m->uses;
            return k;
        }
        if (!k->token || (lru->token && k->used < lru->used))
            lru = k;
    }
    if (lru->token) {
        /* Before forgetting a dialer, make sure a dead one's queue does not stay. */
        if (lru->q >= 0 && !held_by_other(lru->q)) {
            char name[sizeof m->rname];
            reply_name(m, lru->token, name, sizeof name);
            mq_unlink(name);
        }
        forget(lru);
    }
    lru->token = token;
    lru->used = ++m->uses;
    return lru;
}

static int
send_reply(mq_priv *m, const msgc_tmsg *t)
{
    if (!t->peer)
        return 0;
    known *k = lookup(m, t->peer);
    if (k->q < 0) {
        char name[sizeof m->rname];
        reply_name(m, t->peer, name, sizeof name);
        k->q = mq_open(name, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (k->q < 0) {
            if (errno == ENOENT)
                forget(k); /* the dialer closed: the reply has nobody to go to */
            return 0;
        }
        k->msgsize = msgsize_of(k->q);
    }
    if (t->len > k->msgsize)
        return msgc__fail(MSGC_ETOOBIG, "mq: reply of %zu bytes > %zu, the caller's reply queue",
                          t->len, k->msgsize);
    /* Never blocks: a dead or slow caller must not hold up its server. */
    int r;
    while ((r = mq_send(k->q, (const char *)t->buf, t->len, 0)) < 0 && errno == EINTR)
        ;
    return 0;
}

/* --- dialer --- */

static int
nap(int stop_fd, int64_t deadline, int ms)
{
    struct pollfd p = {.fd = stop_fd, .events = POLLIN};
    if (poll(&p, 1, msgc__remaining(deadline, ms)) > 0)
        return msgc__fail(MSGC_ECLOSED, "channel stopped");
    return 0;
}

static int
mq_dial(void *priv, const char *addr, const msgc_tparams *p)
{
    mq_priv *m = priv;
    m->q = m->qb = m->rq = m->rqb = -1;
    m->owner = getpid();
    m->stopped = p->stopped;
    m->stop_fd = p->stop_fd;
    m->opts = p->opts;
    int rc = check_name(addr);
    if (rc)
        return rc;
    snprintf(m->name, sizeof m->name, "%s", addr);
    int64_t deadline = msgc__deadline(p->opts->dial_timeout_ms);
    for (;;) {
        m->q = mq_open(m->name, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (m->q >= 0)
            break;
        int err = errno;
        if (err != ENOENT && err != EINTR)
            return msgc__fail_sys(err, "mq_open", m->name);
        if (deadline >= 0 && msgc__now_ms() >= deadline)
            return msgc__fail_errno(MSGC_ENOENT, err, "mq: no queue %s", m->name);
        if ((rc = nap(m->stop_fd, deadline, 10)))
            return rc;
    }
    m->max_frame = msgsize_of(m->q);
    m->qb = open_blocking(m->q, m->name, O_WRONLY);
    return 0;
}

static void
drop_reply_queue(mq_priv *m)
{
    if (m->rqb >= 0) {
        /* msgc_stop reads rqb: it never sees a descriptor after its close. */
        mqd_t b = m->rqb;
        m->rqb = -1;
        mq_close(b);
    }
    if (m->rq < 0)
        return;
    mq_close(m->rq);
    if (m->owner == getpid())
        mq_unlink(m->rname);
    m->rq = -1;
    m->token = 0;
    m->rname[0] = '\0';
}

static int
mq_expect_replies(void *priv, size_t max_frame)
{
    mq_priv *m = priv;
    if (m->rq >= 0 && m->rmax >= max_frame)
        return 0;
    drop_reply_queue(m);
    long depth = REPLY_DEPTH;
    long msg_max = proc_limit("msg_max", 10);
    if (depth > msg_max)
        depth = msg_max;
    int rc = check_limits(depth, (long)max_frame);
    if (rc)
        return rc;
    struct mq_attr a = {.mq_maxmsg = depth, .mq_msgsize = (long)max_frame};
    mode_t mode = (mode_t)((m->opts->mode & 0666) | 0600);
    for (int tries = 0; tries < 16 && m->rq < 0; tries++) {
        uint64_t token = 0;
        if (getrandom(&token, sizeof token, 0) != (ssize_t)sizeof token || token == 0)
            continue;
        reply_name(m, token, m->rname, sizeof m->rname);
        m->rq = mq_open(m->rname, O_RDONLY | O_CREAT | O_EXCL | O_NONBLOCK | O_CLOEXEC, mode,
                        &a);
        if (m->rq < 0 && errno != EEXIST)
            return open_err(errno, m->rname, depth, (long)max_frame);
        m->token = token;
    }
    if (m->rq < 0)
        return msgc__fail(MSGC_EADDRINUSE, "mq: no free reply queue name for %s", m->name);
    if (fchmod(m->rq, mode) < 0 || lock_fd(m->rq, LOCK_EX | LOCK_NB) < 0) {
        rc = msgc__fail_sys(errno, "fchmod/flock", m->rname);
        drop_reply_queue(m);
        return rc;
    }
    m->rmax = msgsize_of(m->rq);
    /* Without it the dialer still works, waiting in poll. */
    m->rqb = mq_open(m->rname, O_RDWR | O_CLOEXEC);
    return 0;
}

/* Waits for fd, re-testing every LIVENESS_MS that a listener still holds the request
 * queue. */
static int
wait_live(mq_priv *m, int fd, short events, int64_t deadline)
{
    for (;;) {
        int rc = msgc__wait_fd(fd, events, m->stop_fd, deadline, LIVENESS_MS);
        if (rc != 1)
            return rc;
        if (!held_by_other(m->q))
            return msgc__fail(MSGC_ECLOSED, "mq: no listener holds %s any more", m->name);
    }
}

/* Waits for a request, removing the reply queues of dead dialers every RECLAIM_MS on the
 * way. The schedule is fixed (next_reclaim), so neither signals nor a caller that
 * receives with short timeouts can postpone it. */
static int
wait_reclaiming(mq_priv *m, int64_t deadline)
{
    for (;;) {
        if (msgc__now_ms() >= m->next_reclaim)
            reclaim(m);
        int rc =
            msgc__wait_fd(m->q, POLLIN, m->stop_fd, deadline, msgc__remaining(m->next_reclaim, -1));
        if (rc != 1)
            return rc;
    }
}

/* --- moving frames --- */

/* The absolute CLOCK_REALTIME time ms from now, as mq_timedreceive and mq_timedsend take
 * it. */
static struct timespec
realtime_after(int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* Sends t into a full request queue, asleep in mq_timedsend on the blocking descriptor:
 * when the listener takes a frame, the kernel moves this one into the queue and wakes the
 * sender, one system call where poll and a second send would take two. Each wait ends at
 * the deadline or LIVENESS_MS after the last liveness check, whichever is first, and the
 * listener's lock is re-tested every LIVENESS_MS. After a signal the wait starts again
 * with the same absolute time, so signals cannot put the re-test off. Nothing but room in
 * the queue ends such a wait early, so msgc_stop is seen at once after a signal that is
 * not restarted, and otherwise when the wait ends, within LIVENESS_MS. */
static int
send_blocking(mq_priv *m, const msgc_tmsg *t, int64_t deadline)
{
    int64_t check = msgc__now_ms() + LIVENESS_MS;
    for (;;) {
        if (*m->stopped)
            return msgc__fail(MSGC_ECLOSED, "channel stopped");
        int left = msgc__remaining(deadline, -1);
        if (left == 0)
            return msgc__fail(MSGC_ETIMEDOUT, "deadline passed");
        int ms = msgc__remaining(check, left);
        if (ms > 0) {
            struct timespec ts = realtime_after(ms);
            int r;
            while ((r = mq_timedsend(m->qb, (const char *)t->buf, t->len, t->prio, &ts)) < 0 &&
                   errno == EINTR && !*m->stopped)
                ;
            if (r == 0)
                return 0;
            if (errno == EINTR)
                continue;
            if (errno != ETIMEDOUT)
                return msgc__fail_sys(errno, "mq_timedsend", m->name);
        }
        int64_t now = msgc__now_ms();
        if (now >= check) {
            if (!held_by_other(m->q))
                return msgc__fail(MSGC_ECLOSED, "mq: no listener holds %s any more", m->name);
            check = now + LIVENESS_MS;
        }
    }
}

/* Sends one frame into the request queue, waiting for room until the deadline. The first
 * try never blocks: a queue with room (the usual case) costs one system call. */
static int
send_frame(mq_priv *m, const msgc_tmsg *t, int64_t deadline)
{
    for (;;) {
        if (mq_send(m->q, (const char *)t->buf, t->len, t->prio) == 0)
            return 0;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN)
            return msgc__fail_sys(errno, "mq_send", m->name);
        int rc = m->qb >= 0 ? send_blocking(m, t, deadline) : wait_live(m, m->q, POLLOUT, deadline);
        if (rc == MSGC_ETIMEDOUT)
            return msgc__fail(MSGC_ETIMEDOUT, "mq: queue %s stayed full", m->name);
        if (rc || m->qb >= 0)
            return rc;
    }
}

static int
mq_send_frames(void *priv, msgc_tmsg *msgs, size_t n, size_t *done, int64_t deadline)
{
    mq_priv *m = priv;
    *done = 0;
    for (; *done < n; ++*done) {
        msgc_tmsg *t = &msgs[*done];
        if (m->listener) {
            int rc = send_reply(m, t);
            if (rc)
                return rc;
            continue;
        }
        if (t->len > m->max_frame)
            return msgc__fail(MSGC_ETOOBIG, "mq: frame of %zu bytes > mq_msgsize %zu of %s",
                              t->len, m->max_frame, m->name);
        msgc__frame_set_reply_to(t->buf, m->token);
        int rc = send_frame(m, t, deadline);
        if (rc)
            return rc;
    }
    return 0;
}

/* Records in t a frame of r bytes that a receive brought. */
static void
got_frame(const mq_priv *m, msgc_tmsg *t, ssize_t r, unsigned prio)
{
    t->len = (size_t)r;
    t->prio = prio;
    t->peer = m->listener && (size_t)r >= MSGC__HDR_SIZE ? msgc__frame_reply_to(t->buf)
                                                          : MSGC__PEER_NONE;
}

/* Receives what is there without waiting; returns the count or a negative error. */
static int
take(mq_priv *m, mqd_t q, msgc_tmsg *msgs, size_t n)
{
    size_t got = 0;
    while (got < n) {
        unsigned prio = 0;
        ssize_t r = mq_receive(q, (char *)msgs[got].buf, msgs[got].cap, &prio);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                break;
            return msgc__fail_sys(errno, "mq_receive", m->listener ? m->name : m->rname);
        }
        /* An empty message is a stopping listener's wake-up call (mq_stop), maybe one
         * meant for another listener of the same queue: no frame is empty. */
        if (m->listener && r == 0)
            continue;
        got_frame(m, &msgs[got], r, prio);
        got++;
    }
    return (int)got;
}

/* One mq_timedreceive on q until the absolute time ts. After a signal it starts again with
 * the same ts, so signals cannot stretch the wait (without SA_RESTART every signal ends
 * it): the periodic check that follows it comes on time however often they arrive. */
static ssize_t
receive_until(mq_priv *m, mqd_t q, msgc_tmsg *t, unsigned *prio, const struct timespec *ts)
{
    ssize_t r;
    while ((r = mq_timedreceive(q, (char *)t->buf, t->cap, prio, ts)) < 0 && errno == EINTR &&
           !*m->stopped)
        ;
    return r;
}

/* Receives one reply, sleeping in mq_timedreceive. The kernel takes an absolute
 * CLOCK_REALTIME time, so each wait lasts at most LIVENESS_MS, computed from the
 * CLOCK_MONOTONIC time left when it starts: the deadline stays monotonic, and after each
 * wait that runs out the listener's lock is re-tested. */
static int
recv_reply(mq_priv *m, msgc_tmsg *t, size_t *done, int64_t deadline)
{
    for (;;) {
        if (*m->stopped)
            return msgc__fail(MSGC_ECLOSED, "channel stopped");
        struct timespec ts = realtime_after(msgc__remaining(deadline, LIVENESS_MS));
        unsigned prio = 0;
        ssize_t r = receive_until(m, m->rqb, t, &prio, &ts);
        if (r > 0) {
            *t = (msgc_tmsg){.buf = t->buf, .cap = t->cap, .len = (size_t)r, .prio = prio};
            *done = 1;
            return 0;
        }
        /* An empty message is msgc_stop's wake-up call, and a signal may come with a
         * stop: the loop sees the flag. */
        if (r == 0 || errno == EINTR)
            continue;
        if (errno != ETIMEDOUT)
            return msgc__fail_sys(errno, "mq_timedreceive", m->rname);
        if (deadline >= 0 && msgc__now_ms() >= deadline)
            return msgc__fail(MSGC_ETIMEDOUT, "deadline passed");
        if (!held_by_other(m->q))
            return msgc__fail(MSGC_ECLOSED, "mq: no listener holds %s any more", m->name);
    }
}

/* A listener's one blocking receive until ts. waiting tells msgc_stop to send its wake-up;
 * the fences order the flag against the stop flag, so either the stop is seen here or the
 * wake-up is sent (msgc_stop may run on another thread). */
static ssize_t
listen_once(mq_priv *m, msgc_tmsg *t, unsigned *prio, const struct timespec *ts)
{
    m->waiting = 1;
    atomic_thread_fence(memory_order_seq_cst);
    ssize_t r = -1;
    errno = EINTR;
    if (!*m->stopped)
        r = receive_until(m, m->qb, t, prio, ts);
    int err = errno;
    m->waiting = 0;
    errno = err;
    return r;
}

/* A listener's receive, asleep in mq_timedreceive on the blocking descriptor: one system
 * call per frame, as a hand-written receiver takes, whether a frame waits already or not.
 * Each wait ends at the deadline, at the next look for the reply queues of dead dialers
 * (next_reclaim) or after LIVENESS_MS, whichever is first; after a signal it starts again
 * with the same absolute time, so neither the deadline nor the look is put off. msgc_stop
 * wakes it with an empty message (mq_stop); the LIVENESS_MS bound covers a wake-up that
 * another listener of the same queue took. Frames behind the first come without waiting.
 * A deadline already passed never blocks. */
static int
listen_blocking(mq_priv *m, msgc_tmsg *msgs, size_t n, size_t *done, int64_t deadline)
{
    for (;;) {
        /* One clock read per wait: this runs for every frame a listener receives. */
        int64_t now = msgc__now_ms();
        if (now >= m->next_reclaim) {
            reclaim(m);
            now = msgc__now_ms();
        }
        if (deadline >= 0 && now >= deadline)
            break;
        int64_t end = now + LIVENESS_MS;
        if (m->next_reclaim < end)
            end = m->next_reclaim;
        if (deadline >= 0 && deadline < end)
            end = deadline;
        struct timespec ts = realtime_after((int)(end - now));
        unsigned prio = 0;
        ssize_t r = listen_once(m, &msgs[0], &prio, &ts);
        if (r == 0 && !*m->stopped)
            continue; /* the wake-up call of another listener of this queue */
        if (r > 0) {
            got_frame(m, &msgs[0], r, prio);
            int more = n > 1 ? take(m, m->q, msgs + 1, n - 1) : 0;
            *done = 1 + (more > 0 ? (size_t)more : 0);
            return 0;
        }
        if (*m->stopped)
            return msgc__fail(MSGC_ECLOSED, "channel stopped");
        if (errno != ETIMEDOUT && errno != EINTR)
            return msgc__fail_sys(errno, "mq_timedreceive", m->name);
    }
    if (*m->stopped)
        return msgc__fail(MSGC_ECLOSED, "channel stopped");
    int r = take(m, m->q, msgs, n);
    if (r > 0)
        *done = (size_t)r;
    return r > 0 ? 0 : r < 0 ? r : msgc__fail(MSGC_ETIMEDOUT, "deadline passed");
}

static void
mq_stop(void *priv)
{
    mq_priv *m = priv;
    /* A past time: never blocks. A full queue needs no wake-up, its reader is awake. */
    static const struct timespec past = {0, 0};
    if (m->listener) {
        /* Only a listener that waits is woken: an empty message left in a queue that
         * outlives this listener would reach the next one as a malformed frame. */
        atomic_thread_fence(memory_order_seq_cst);
        mqd_t b = m->qb;
        if (m->waiting && b >= 0)
            mq_timedsend(b, "", 0, 0, &past);
        return;
    }
    mqd_t b = m->rqb;
    if (b >= 0)
        mq_timedsend(b, "", 0, 0, &past);
}

static int
mq_recv_frames(void *priv, msgc_tmsg *msgs, size_t n, size_t *done, int64_t deadline,
               unsigned flags)
{
    mq_priv *m = priv;
    *done = 0;
    mqd_t q = m->listener ? m->q : m->rq;
    if (q < 0)
        return msgc__fail(MSGC_ENOTSUP, "mq: a dialer receives only replies to its calls");
    if (n > 0 && m->listener && m->qb >= 0)
        return listen_blocking(m, msgs, n, done, deadline);
    if (!m->listener && m->rqb >= 0 && n > 0)
        return recv_reply(m, msgs, done, deadline);
    /* A reply never precedes its call, and a server between requests usually has none
     * waiting: those wait first, which saves a receive that would fail with EAGAIN. A
     * queue that is ready makes the wait return at once. */
    bool wait_first = !m->listener || (flags & MSGC__RECV_IDLE);
    for (;;) {
        if (!wait_first) {
            int r = take(m, q, msgs, n);
            if (r != 0) {
                *done = r > 0 ? (size_t)r : 0;
                return r > 0 ? 0 : r;
            }
        }
        wait_first = false;
        int rc = m->listener ? wait_reclaiming(m, deadline) : wait_live(m, q, POLLIN, deadline);
        if (rc)
            return rc;
    }
}

/* --- the rest of the vtable --- */

static int
mq_fileno(void *priv)
{
    mq_priv *m = priv;
    return m->listener ? m->q : -1;
}

static size_t
mq_max_frame(void *priv)
{
    return ((mq_priv *)priv)->max_frame;
}

static void
mq_close_all(void *priv)
{
    mq_priv *m = priv;
    bool owner = m->owner == getpid();
    if (m->listener && owner)
        reclaim(m);
    for (size_t i = 0; m->listener && i < KNOWN_MAX; i++)
        if (m->known[i].token)
            forget(&m->known[i]);
    drop_reply_queue(m);
    if (m->qb >= 0) {
        /* msgc_stop reads qb: it never sees a descriptor after its close. */
        mqd_t b = m->qb;
        m->qb = -1;
        mq_close(b);
    }
    if (m->q < 0)
        return;
    if (m->listener && owner) {
        /* Other listeners may share the queue: it goes only with the last one. A dialer's
         * liveness probe holds LOCK_EX for a moment, hence a few tries. */
        for (int i = 0; i < 20; i++) {
            if (lock_fd(m->q, LOCK_EX | LOCK_NB) == 0) {
                mq_unlink(m->name);
                break;
            }
            struct timespec ts = {0, 200000};
            nanosleep(&ts, NULL);
        }
    }
    mq_close(m->q);
}

const char *
msgc__mq_reply_name(const msgc_chan *ch)
{
    if (ch->tp != &msgc__transport_mq)
        return "";
    return ((const mq_priv *)ch->priv)->rname;
}

const msgc_transport msgc__transport_mq = {
    .scheme = "mq",
    .priv_size = sizeof(mq_priv),
    .caps = MSGC__TCAP_PRIORITY,
    .t_listen = mq_listen,
    .t_dial = mq_dial,
    .t_send = mq_send_frames,
    .t_recv = mq_recv_frames,
    .t_fileno = mq_fileno,
    .t_max_frame = mq_max_frame,
    .t_expect_replies = mq_expect_replies,
    .t_stop = mq_stop,
    .t_close = mq_close_all,
};
