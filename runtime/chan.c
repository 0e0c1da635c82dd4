/* chan.c - channels: open by URL, stop, poll, the inbox of received frames. */
#define _GNU_SOURCE
#include "transport.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* A batch's inbox never takes more than this many bytes of buffers, nor more than
 * MAX_BATCH frames. */
#define BATCH_BYTES ((size_t)512 << 10)
#define MAX_BATCH 64u
/* Outgoing batches take at most this many bytes of frames: a BATCH frame carries many
 * messages, and more frames per send would save system calls only where frames are small
 * (then MAX_BATCH of them still fit), while their memory would crowd the caches. */
#define OUT_BYTES ((size_t)64 << 10)
/* A listener whose transport reads ahead gets inbox slots for this many bytes of frames
 * beyond the first, and at most READAHEAD_MAX slots. */
#define READAHEAD_BYTES ((size_t)64 << 10)
#define READAHEAD_MAX 16u
/* Tags of the descriptors in a channel's epoll set. */
#define TAG_STOP 1u
#define TAG_PEND 2u
#define TAG_TRANSPORT 3u

static int
copy_opts(msgc_chan *ch, const msgc_opts *opts)
{
    msgc_opts def = MSGC_OPTS_INIT;
    ch->opts = def;
    if (opts) {
        if (opts->size < offsetof(msgc_opts, allow_uids))
            return msgc__fail(MSGC_EINVAL, "msgc_opts.size %zu: start from MSGC_OPTS_INIT",
                              opts->size);
        memcpy(&ch->opts, opts, opts->size < sizeof def ? opts->size : sizeof def);
        ch->opts.size = sizeof def;
    }
    if (ch->opts.limits.size == 0)
        ch->opts.limits = def.limits;
    if (ch->opts.mode > 07777)
        return msgc__fail(MSGC_EINVAL, "mode 0%o is not a file mode", ch->opts.mode);
    if (ch->opts.n_allow_uids > 0) {
        if (!ch->opts.allow_uids)
            return msgc__fail(MSGC_EINVAL, "allow_uids is NULL with n_allow_uids %zu",
                              ch->opts.n_allow_uids);
        if (ch->opts.n_allow_uids > 4096)
            return msgc__fail(MSGC_EINVAL, "n_allow_uids %zu > 4096", ch->opts.n_allow_uids);
        ch->uids = malloc(ch->opts.n_allow_uids * sizeof *ch->uids);
        if (!ch->uids)
            return msgc__fail(MSGC_ENOMEM, "allow_uids copy");
        memcpy(ch->uids, ch->opts.allow_uids, ch->opts.n_allow_uids * sizeof *ch->uids);
        ch->opts.allow_uids = ch->uids;
    } else {
        ch->opts.allow_uids = NULL;
    }
    return 0;
}

static int
check_caps(const msgc_chan *ch)
{
    if (ch->opts.n_allow_uids > 0 && !(ch->tp->caps & MSGC__TCAP_UIDS))
        return msgc__fail(MSGC_ENOTSUP, "%s: access is by file mode only, no uid allowlist",
                          ch->tp->scheme);
    if (ch->opts.priority > 0 && !(ch->tp->caps & MSGC__TCAP_PRIORITY))
        return msgc__fail(MSGC_ENOTSUP, "%s: no message priorities", ch->tp->scheme);
    if (ch->opts.priority > 32767)
        return msgc__fail(MSGC_EINVAL, "priority %u > 32767", ch->opts.priority);
    return 0;
}

static int
ep_add(int ep, int fd, uint32_t tag)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = tag};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
        return msgc__fail_sys(errno, "epoll_ctl", NULL);
    return 0;
}

static int
make_fds(msgc_chan *ch)
{
    ch->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (ch->stop_fd < 0)
        return msgc__fail_sys(errno, "eventfd", NULL);
    ch->pend_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (ch->pend_fd < 0)
        return msgc__fail_sys(errno, "eventfd", NULL);
    ch->ep_fd = epoll_create1(EPOLL_CLOEXEC);
    if (ch->ep_fd < 0)
        return msgc__fail_sys(errno, "epoll_create1", NULL);
    int rc = ep_add(ch->ep_fd, ch->stop_fd, TAG_STOP);
    return rc ? rc : ep_add(ch->ep_fd, ch->pend_fd, TAG_PEND);
}

/* One inbox slot, or on a listener that reads ahead enough slots for a burst of small
 * frames: one system call then brings several requests or messages. */
static size_t
inbox_slots(const msgc_chan *ch)
{
    if (!ch->listener || !(ch->tp->caps & MSGC__TCAP_READAHEAD))
        return 1;
    size_t n = 1 + READAHEAD_BYTES / ch->max_frame;
    return n > READAHEAD_MAX ? READAHEAD_MAX : n;
}

static int
alloc_buffers(msgc_chan *ch)
{
    ch->max_frame = ch->tp->t_max_frame(ch->priv);
    size_t n = inbox_slots(ch);
    ch->slots = calloc(n, sizeof *ch->slots);
    ch->tmsgs = calloc(n, sizeof *ch->tmsgs);
    if (!ch->slots || !ch->tmsgs)
        return msgc__fail(MSGC_ENOMEM, "channel inbox");
    for (; ch->n_slots < n; ch->n_slots++) {
        ch->slots[ch->n_slots].buf = malloc(ch->max_frame);
        if (!ch->slots[ch->n_slots].buf)
            return msgc__fail(MSGC_ENOMEM, "channel buffers of %zu bytes", ch->max_frame);
    }
    ch->out = malloc(ch->max_frame);
    ch->out_t = calloc(1, sizeof *ch->out_t);
    ch->out_msgs = calloc(1, sizeof *ch->out_msgs);
    if (!ch->out || !ch->out_t || !ch->out_msgs)
        return msgc__fail(MSGC_ENOMEM, "channel buffers of %zu bytes", ch->max_frame);
    ch->n_out = 1;
    return 0;
}

static int
chan_open(msgc_chan **out, const char *url, const msgc_opts *opts, bool listener)
{
    if (!out)
        return msgc__fail(MSGC_EINVAL, "NULL channel pointer");
    *out = NULL;
    if (!url)
        return msgc__fail(MSGC_EINVAL, "NULL URL");
    const char *addr;
    const msgc_transport *tp = msgc__transport_find(url, &addr);
    if (!tp)
        return msgc_last_error()->code;
    msgc_chan *ch = calloc(1, sizeof *ch);
    if (!ch)
        return msgc__fail(MSGC_ENOMEM, "channel");
    ch->stop_fd = ch->pend_fd = ch->ep_fd = -1;
    ch->tp = tp;
    ch->listener = listener;
    int rc = copy_opts(ch, opts);
    if (!rc)
        rc = check_caps(ch);
    if (!rc)
        rc = make_fds(ch);
    if (!rc && !(ch->priv = calloc(1, tp->priv_size)))
        rc = msgc__fail(MSGC_ENOMEM, "transport state");
    if (rc)
        goto fail;
    ch->prio = ch->opts.priority;
    msgc_tparams p = {.opts = &ch->opts, .stop_fd = ch->stop_fd, .stopped = &ch->stopped};
    rc = listener ? tp->t_listen(ch->priv, addr, &p) : tp->t_dial(ch->priv, addr, &p);
    if (rc)
        goto fail;
    rc = alloc_buffers(ch);
    ch->batches =
        !listener && (!tp->t_peer_minor || tp->t_peer_minor(ch->priv) >= MSGC__FRAME_MINOR_BATCH);
    int tfd = tp->t_fileno(ch->priv);
    if (!rc && tfd >= 0)
        rc = ep_add(ch->ep_fd, tfd, TAG_TRANSPORT);
    if (rc)
        goto fail;
    *out = ch;
    return 0;
fail:
    msgc_close(ch);
    return rc;
}

int
msgc_listen(msgc_chan **ch, const char *url, const msgc_opts *opts)
{
    return chan_open(ch, url, opts, true);
}

int
msgc_dial(msgc_chan **ch, const char *url, const msgc_opts *opts)
{
    return chan_open(ch, url, opts, false);
}

void
msgc_close(msgc_chan *ch)
{
    if (!ch)
        return;
    /* The transport goes first: its close may still need the stop descriptor's state. */
    if (ch->priv)
        ch->tp->t_close(ch->priv);
    free(ch->priv);
    if (ch->ep_fd >= 0)
        close(ch->ep_fd);
    if (ch->pend_fd >= 0)
        close(ch->pend_fd);
    if (ch->stop_fd >= 0)
        close(ch->stop_fd);
    for (size_t i = 0; ch->slots && i < ch->n_slots; i++)
        free(ch->slots[i].buf);
    free(ch->slots);
    free(ch->tmsgs);
    free(ch->out);
    free(ch->out_t);
    free(ch->out_msgs);
    free(ch->scratch);
    free(ch->uids);
    free(ch);
}

void
msgc_stop(msgc_chan *ch)
{
    /* Only async-signal-safe operations: a flag and one write(2). */
    if (!ch)
        return;
    ch->stopped = 1;
    uint64_t one = 1;
    ssize_t r = write(ch->stop_fd, &one, sizeof one);
    (void)r;
    if (ch->priv && ch->tp->t_stop)
        ch->tp->t_stop(ch->priv);
}

int
msgc_fd(const msgc_chan *ch)
{
    if (!ch)
        return -1;
    /* From now on the caller may poll the channel: frames already waiting in the inbox
     * must make it readable. The channel is never defined const, so the cast is sound. */
    msgc_chan *m = (msgc_chan *)ch;
    if (!m->fd_exported) {
        m->fd_exported = true;
        msgc__chan_settle(m);
    }
    return ch->ep_fd;
}

size_t
msgc_max_msg(const msgc_chan *ch)
{
    return ch ? ch->max_frame - MSGC__HDR_SIZE : 0;
}

int
msgc_set_priority(msgc_chan *ch, unsigned prio)
{
    if (!ch)
        return msgc__fail(MSGC_EINVAL, "NULL channel");
    if (!(ch->tp->caps & MSGC__TCAP_PRIORITY))
        return msgc__fail(MSGC_ENOTSUP, "%s: no message priorities", ch->tp->scheme);
    if (prio > 32767)
        return msgc__fail(MSGC_EINVAL, "priority %u > 32767", prio);
    ch->prio = prio;
    return 0;
}

int
msgc_call_peer(const msgc_call *call, uid_t *uid, gid_t *gid, pid_t *pid)
{
    if (!call)
        return msgc__fail(MSGC_EINVAL, "NULL call");
    const msgc_chan *ch = call->ch;
    if (!ch->tp->t_peer_cred)
        return msgc__fail(MSGC_ENOTSUP, "%s: callers are not authenticated", ch->tp->scheme);
    return ch->tp->t_peer_cred(ch->priv, call->peer, uid, gid, pid);
}

int64_t
msgc_call_deadline(const msgc_call *call)
{
    return call ? call->deadline : -1;
}

int
msgc_next_type(msgc_chan *ch, uint64_t *type_id, int timeout_ms)
{
    if (!ch || !type_id)
        return msgc__fail(MSGC_EINVAL, "NULL argument");
    if (!ch->listener)
        return msgc__fail(MSGC_ENOTSUP, "a dialer receives nothing but replies");
    int rc = msgc__chan_fetch(ch, 1, msgc__deadline(timeout_ms), 0);
    if (rc == 0)
        *type_id = msgc__chan_head(ch)->f.id;
    msgc__chan_settle(ch);
    return rc;
}

/* --- the inbox --- */

/* Makes the next record of a batch the head message of slot s. */
static void
next_record(msgc_slot *s)
{
    const uint8_t *r = msgc__batch_record(s->buf + s->next, &s->body_len);
    s->body = (size_t)(r - s->buf);
    s->next = s->body + s->body_len;
    s->left--;
}

/* Sets up a parsed frame for delivery: its body, or the first record of a batch. */
static void
start_slot(msgc_slot *s)
{
    s->body = s->f.hdr_len;
    s->body_len = s->len - s->f.hdr_len;
    s->left = 0;
    if (s->f.kind != MSGC__FRAME_BATCH)
        return;
    s->f.kind = MSGC__FRAME_MESSAGE;
    s->next = s->f.hdr_len;
    s->left = s->f.aux;
    next_record(s);
}

/* Parses a received frame. A listener also refuses the kinds no dialer sends (a reply,
 * a hello after the handshake, a welcome): left in the inbox, such a frame would stay
 * first in line for ever, each recv answering MSGC_ETYPE. */
static int
check_frame(const msgc_chan *ch, msgc_slot *s)
{
    int rc = msgc__frame_parse(&s->f, s->buf, s->len);
    if (rc || !ch->listener || msgc__kind_from_dialer(s->f.kind))
        return rc;
    return msgc__fail(MSGC_EPROTO, "frame of kind %u, which dialers never send", s->f.kind);
}

static int
receive(msgc_chan *ch, size_t want, int64_t deadline, unsigned flags)
{
    if (want > ch->n_slots || (ch->listener && (ch->tp->caps & MSGC__TCAP_READAHEAD)))
        want = ch->n_slots;
    for (size_t i = 0; i < want; i++)
        ch->tmsgs[i] = (msgc_tmsg){.buf = ch->slots[i].buf, .cap = ch->max_frame};
    size_t got = 0;
    int rc = ch->tp->t_recv(ch->priv, ch->tmsgs, want, &got, deadline, flags);
    int bad = 0;
    ch->head = ch->tail = 0;
    for (size_t i = 0; i < got; i++) {
        msgc_slot *s = &ch->slots[ch->tail];
        if (s->buf != ch->tmsgs[i].buf) {
            /* Compaction after a dropped frame: the transport wrote into slot i. */
            uint8_t *t = s->buf;
            s->buf = ch->slots[i].buf;
            ch->slots[i].buf = t;
        }
        s->len = ch->tmsgs[i].len;
        s->peer = ch->tmsgs[i].peer;
        int prc = check_frame(ch, s);
        if (prc) {
            bad = prc;
            continue;
        }
        start_slot(s);
        ch->tail++;
    }
    if (ch->tail > 0)
        return 0;
    return rc ? msgc__chan_error(ch, rc) : bad ? bad : msgc__fail(MSGC_EPROTO, "no frame");
}

int
msgc__chan_fetch(msgc_chan *ch, size_t want, int64_t deadline, unsigned flags)
{
    if (ch->head < ch->tail)
        return 0;
    if (ch->dead)
        return msgc__fail(MSGC_ECLOSED, "the listener went away; dial again");
    if (ch->stopped)
        return msgc__fail(MSGC_ECLOSED, "channel stopped");
    return receive(ch, want ? want : 1, deadline, flags);
}

msgc_slot *
msgc__chan_head(msgc_chan *ch)
{
    return ch->head < ch->tail ? &ch->slots[ch->head] : NULL;
}

void
msgc__chan_pop(msgc_chan *ch)
{
    if (ch->head < ch->tail) {
        msgc_slot *s = &ch->slots[ch->head];
        if (s->left > 0) {
            next_record(s);
            return;
        }
        ch->head++;
    }
    if (ch->head == ch->tail)
        ch->head = ch->tail = 0;
}

void
msgc__chan_settle(msgc_chan *ch)
{
    bool waiting = ch->head < ch->tail && ch->fd_exported;
    if (waiting == ch->pend_signalled)
        return;
    uint64_t v = 1;
    ssize_t r = waiting ? write(ch->pend_fd, &v, sizeof v) : read(ch->pend_fd, &v, sizeof v);
    (void)r;
    ch->pend_signalled = waiting;
}

/* How many frames a batch may buffer: at most MAX_BATCH and bytes, at least one. */
static size_t
batch_cap(const msgc_chan *ch, size_t want, size_t bytes)
{
    size_t cap = bytes / ch->max_frame;
    if (cap > MAX_BATCH)
        cap = MAX_BATCH;
    if (cap < 1)
        cap = 1;
    return want > cap ? cap : want;
}

size_t
msgc__chan_inbox(msgc_chan *ch, size_t want)
{
    want = batch_cap(ch, want, BATCH_BYTES);
    if (want <= ch->n_slots)
        return want;
    msgc_slot *s = realloc(ch->slots, want * sizeof *s);
    if (s)
        ch->slots = s;
    msgc_tmsg *t = s ? realloc(ch->tmsgs, want * sizeof *t) : NULL;
    if (t)
        ch->tmsgs = t;
    for (size_t i = ch->n_slots; s && t && i < want; i++) {
        s[i] = (msgc_slot){.buf = malloc(ch->max_frame)};
        if (!s[i].buf)
            break;
        ch->n_slots = i + 1;
    }
    /* Out of memory leaves smaller batches, which still work. */
    return ch->n_slots;
}

size_t
msgc__chan_out(msgc_chan *ch, size_t want)
{
    want = batch_cap(ch, want, OUT_BYTES);
    if (want <= ch->n_out)
        return ch->n_out;
    msgc_tmsg *t = realloc(ch->out_t, want * sizeof *t);
    if (t)
        ch->out_t = t;
    size_t *m = t ? realloc(ch->out_msgs, want * sizeof *m) : NULL;
    if (m)
        ch->out_msgs = m;
    uint8_t *o = m ? realloc(ch->out, want * ch->max_frame) : NULL;
    if (!o)
        return ch->n_out; /* out of memory: fewer frames per send, which still works */
    for (size_t i = 0; i < ch->n_out; i++)
        ch->out_t[i].buf = o + i * ch->max_frame;
    ch->out = o;
    ch->n_out = want;
    return want;
}

int
msgc__chan_error(msgc_chan *ch, int err)
{
    if (err == MSGC_ECLOSED && !ch->listener && !ch->stopped)
        ch->dead = true;
    return err;
}
