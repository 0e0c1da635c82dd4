/* rpc.c - what generated stubs call: typed send/receive, batches, calls and serving. */
#include "transport.h"

#include <stdlib.h>

/* --- helpers --- */

static int
check_chan(const msgc_chan *ch, bool want_listener, const char *what)
{
    if (ch->listener != want_listener)
        return msgc__fail(MSGC_ENOTSUP, "%s on a %s", what, ch->listener ? "listener" : "dialer");
    if (ch->dead)
        return msgc__fail(MSGC_ECLOSED, "the listener went away; dial again");
    if (ch->stopped)
        return msgc__fail(MSGC_ECLOSED, "channel stopped");
    return 0;
}

/* Encodes m behind a header of the given kind into buf (max_frame bytes). */
static int
encode_frame(const msgc_chan *ch, const msgc_frame *f, const msgc_desc *d, const void *m,
             uint8_t *buf, size_t *len)
{
    size_t cap = ch->max_frame - MSGC__HDR_SIZE;
    size_t body = 0;
    int rc = d->encode(m, buf + MSGC__HDR_SIZE, cap, &body);
    if (rc == MSGC_ENOSPC)
        return msgc__fail(MSGC_ETOOBIG, "%s of %zu bytes > %zu, the largest this channel carries",
                          d->name, d->encoded_size(m), cap);
    if (rc)
        return rc;
    msgc__frame_put(f, buf);
    *len = MSGC__HDR_SIZE + body;
    return 0;
}

static int
decode_body(msgc_chan *ch, const msgc_desc *d, void *m, const msgc_slot *s)
{
    return d->decode_ex(m, s->buf + s->f.hdr_len, s->len - s->f.hdr_len, &ch->opts.limits);
}

static int
wrong_type(const msgc_slot *s, const msgc_desc *d)
{
    return msgc__fail(MSGC_ETYPE, "pending %s 0x%016llx, not %s 0x%016llx",
                      s->f.kind == MSGC__FRAME_MESSAGE ? "message of type" : "request for method",
                      (unsigned long long)s->f.id, d->name, (unsigned long long)d->type_id);
}

/* --- messages --- */

int
msgc__send(msgc_chan *ch, const msgc_desc *d, const void *m, int timeout_ms)
{
    size_t sent = 0;
    return msgc__send_many(ch, d, m, 1, &sent, timeout_ms);
}

int
msgc__send_many(msgc_chan *ch, const msgc_desc *d, const void *ms, size_t n, size_t *sent,
                int timeout_ms)
{
    if (!ch || !d || (!ms && n) || !sent)
        return msgc__fail(MSGC_EINVAL, "NULL argument");
    *sent = 0;
    int rc = check_chan(ch, false, "send");
    if (rc)
        return rc;
    int64_t deadline = msgc__deadline(timeout_ms);
    msgc_frame f;
    msgc__frame_init(&f, MSGC__FRAME_MESSAGE);
    f.id = d->type_id;
    while (*sent < n) {
        size_t k = n - *sent > 1 ? msgc__chan_batch(ch, n - *sent) : 1;
        size_t ready = 0;
        for (; ready < k; ready++) {
            const char *m = (const char *)ms + (*sent + ready) * d->struct_size;
            msgc_tmsg *t = &ch->tmsgs[ready];
            *t = (msgc_tmsg){.buf = ch->out + ready * ch->max_frame, .prio = ch->prio};
            rc = encode_frame(ch, &f, d, m, t->buf, &t->len);
            if (rc)
                break;
        }
        size_t done = 0;
        int src = ready ? ch->tp->t_send(ch->priv, ch->tmsgs, ready, &done, deadline) : 0;
        *sent += done;
        if (src)
            return msgc__chan_error(ch, src);
        if (rc)
            return rc;
    }
    return 0;
}

int
msgc__recv(msgc_chan *ch, const msgc_desc *d, void *m, int timeout_ms)
{
    size_t got = 0;
    return msgc__recv_many(ch, d, m, 1, &got, timeout_ms);
}

int
msgc__recv_many(msgc_chan *ch, const msgc_desc *d, void *ms, size_t n, size_t *got,
                int timeout_ms)
{
    if (!ch || !d || (!ms && n) || !got)
        return msgc__fail(MSGC_EINVAL, "NULL argument");
    *got = 0;
    int rc = check_chan(ch, true, "recv");
    if (rc || n == 0)
        return rc;
    size_t k = n > 1 ? msgc__chan_batch(ch, n) : 1;
    rc = msgc__chan_fetch(ch, k, msgc__deadline(timeout_ms), 0);
    msgc_slot *s;
    while (!rc && *got < n && (s = msgc__chan_head(ch)) != NULL) {
        if (s->f.kind != MSGC__FRAME_MESSAGE || s->f.id != d->type_id) {
            /* The mismatch stays pending; what came before it is delivered first. */
            if (*got == 0)
                rc = wrong_type(s, d);
            break;
        }
        rc = decode_body(ch, d, (char *)ms + *got * d->struct_size, s);
        msgc__chan_pop(ch);
        if (!rc)
            ++*got;
    }
    msgc__chan_settle(ch);
    return rc;
}

/* --- calls --- */

/* The largest reply frame any method of s can bring, within the channel's limit. */
static size_t
reply_frame_max(const msgc_chan *ch, const msgc_service_desc *s)
{
    size_t max = 0;
    for (size_t i = 0; i < s->n_methods; i++) {
        const msgc_method_desc *md = &s->methods[i];
        if (md->oneway || !md->rep)
            continue;
        if (md->rep->max_size == 0 || md->rep->max_size > ch->max_frame - MSGC__HDR_SIZE)
            return ch->max_frame;
        if (md->rep->max_size > max)
            max = md->rep->max_size;
    }
    return MSGC__HDR_SIZE + max;
}

/* Waits for the reply to call_id, discarding late replies to earlier calls. */
static int
await_reply(msgc_chan *ch, const msgc_method_desc *md, uint64_t call_id, void *rep,
            int64_t deadline)
{
    for (;;) {
        int rc = msgc__chan_fetch(ch, 1, deadline, MSGC__RECV_IDLE);
        if (rc == MSGC_EPROTO)
            continue;
        if (rc)
            return rc;
        msgc_slot *s = msgc__chan_head(ch);
        if (s->f.kind != MSGC__FRAME_REPLY || s->f.call_id != call_id) {
            msgc__chan_pop(ch);
            continue;
        }
        int status = s->f.status;
        if (status == 0)
            rc = decode_body(ch, md->rep, rep, s);
        msgc__chan_pop(ch);
        if (status == 0)
            return rc;
        md->rep->free(rep);
        if (status > 0)
            return status;
        if (!msgc_errname(status) || status == MSGC_EREMOTE)
            return msgc__fail(MSGC_EREMOTE, "%s: the server failed the call (status %d)",
                              md->name, status);
        return msgc__fail(status, "%s: the server answered %s", md->name,
                          msgc_errname(status));
    }
}

int
msgc__call(msgc_chan *ch, const msgc_service_desc *s, size_t i, const void *req, void *rep,
           int timeout_ms)
{
    if (!ch || !s || i >= s->n_methods || !req)
        return msgc__fail(MSGC_EINVAL, "bad call arguments");
    const msgc_method_desc *md = &s->methods[i];
    if (!md->oneway && !rep)
        return msgc__fail(MSGC_EINVAL, "NULL reply for %s", md->name);
    int64_t deadline = msgc__deadline(timeout_ms);
    int rc = check_chan(ch, false, "call");
    if (!rc && !md->oneway && ch->tp->t_expect_replies)
        rc = ch->tp->t_expect_replies(ch->priv, reply_frame_max(ch, s));
    msgc_frame f;
    msgc__frame_init(&f, md->oneway ? MSGC__FRAME_ONEWAY : MSGC__FRAME_CALL);
    f.id = md->id;
    f.call_id = md->oneway ? 0 : ++ch->next_call_id;
    f.deadline = deadline;
    msgc_tmsg t = {.buf = ch->out, .prio = ch->prio};
    if (!rc)
        rc = encode_frame(ch, &f, md->req, req, t.buf, &t.len);
    size_t done = 0;
    if (!rc)
        rc = msgc__chan_error(ch, ch->tp->t_send(ch->priv, &t, 1, &done, deadline));
    if (!rc && !md->oneway)
        rc = msgc__chan_error(ch, await_reply(ch, md, f.call_id, rep, deadline));
    return rc;
}

/* --- serving --- */

#define ALIGN_UP(n) (((n) + 15u) & ~(size_t)15u)

static int
grow_scratch(msgc_chan *ch, const msgc_service_desc *s)
{
    size_t need = 0;
    for (size_t i = 0; i < s->n_methods; i++) {
        const msgc_method_desc *md = &s->methods[i];
        size_t n = ALIGN_UP(md->req->struct_size) + (md->rep ? md->rep->struct_size : 0);
        if (n > need)
            need = n;
    }
    if (need <= ch->scratch_size)
        return 0;
    void *p = realloc(ch->scratch, need);
    if (!p)
        return msgc__fail(MSGC_ENOMEM, "serve scratch of %zu bytes", need);
    ch->scratch = p;
    ch->scratch_size = need;
    return 0;
}

/* Sends a reply without waiting: a dead or slow caller must never block its server. */
static void
send_reply(msgc_chan *ch, const msgc_slot *req, int32_t status, const msgc_desc *d,
           const void *rep)
{
    msgc_frame f;
    msgc__frame_init(&f, MSGC__FRAME_REPLY);
    f.id = req->f.id;
    f.call_id = req->f.call_id;
    f.status = status;
    msgc_tmsg t = {.buf = ch->out, .len = MSGC__HDR_SIZE, .peer = req->peer};
    if (status == 0) {
        int rc = encode_frame(ch, &f, d, rep, t.buf, &t.len);
        if (rc) {
            f.status = rc == MSGC_ETOOBIG ? MSGC_ETOOBIG : MSGC_EREMOTE;
            t.len = MSGC__HDR_SIZE;
        }
    }
    if (f.status != 0)
        msgc__frame_put(&f, t.buf);
    size_t done = 0;
    int rc = ch->tp->t_send(ch->priv, &t, 1, &done, 0);
    if (rc == MSGC_ETOOBIG && f.status == 0) {
        f.status = MSGC_ETOOBIG;
        msgc__frame_put(&f, t.buf);
        t.len = MSGC__HDR_SIZE;
        rc = ch->tp->t_send(ch->priv, &t, 1, &done, 0);
    }
    (void)rc;
}

static void
handle(msgc_chan *ch, const msgc_service_desc *s, const void *h, void *ctx, const msgc_slot *sl)
{
    bool oneway = sl->f.kind == MSGC__FRAME_ONEWAY;
    size_t i = 0;
    while (i < s->n_methods && s->methods[i].id != sl->f.id)
        i++;
    if (i == s->n_methods || s->methods[i].oneway != oneway) {
        if (!oneway)
            send_reply(ch, sl, MSGC_ENOTSUP, NULL, NULL);
        return;
    }
    const msgc_method_desc *md = &s->methods[i];
    void *req = ch->scratch;
    void *rep = oneway ? NULL : (char *)ch->scratch + ALIGN_UP(md->req->struct_size);
    md->req->init(req);
    if (decode_body(ch, md->req, req, sl)) {
        if (!oneway)
            send_reply(ch, sl, MSGC_EREMOTE, NULL, NULL);
        return;
    }
    msgc_call call = {.ch = ch, .peer = sl->peer, .call_id = sl->f.call_id,
                      .deadline = sl->f.deadline};
    if (rep)
        md->rep->init(rep);
    int st = s->dispatch(h, ctx, &call, i, req, rep);
    if (!oneway) {
        int32_t status = st >= 0 ? st : st == MSGC_ENOTSUP ? MSGC_ENOTSUP : MSGC_EREMOTE;
        send_reply(ch, sl, status, md->rep, rep);
        md->rep->free(rep);
    }
    md->req->free(req);
}

int
msgc__serve_one(msgc_chan *ch, const msgc_service_desc *s, const void *h, void *ctx,
                int timeout_ms)
{
    if (!ch || !s || !h)
        return msgc__fail(MSGC_EINVAL, "NULL argument");
    int rc = check_chan(ch, true, "serve");
    if (!rc)
        rc = grow_scratch(ch, s);
    int64_t deadline = msgc__deadline(timeout_ms);
    while (!rc) {
        rc = msgc__chan_fetch(ch, 1, deadline, MSGC__RECV_IDLE);
        if (rc == MSGC_EPROTO) {
            rc = 0;
            continue;
        }
        if (rc)
            break;
        msgc_slot *sl = msgc__chan_head(ch);
        bool request = sl->f.kind == MSGC__FRAME_CALL || sl->f.kind == MSGC__FRAME_ONEWAY;
        if (!request || (sl->f.deadline >= 0 && msgc__now_ms() > sl->f.deadline)) {
            /* Plain messages are not calls, and a caller past its deadline has gone. */
            ch->dropped++;
            msgc__chan_pop(ch);
            continue;
        }
        handle(ch, s, h, ctx, sl);
        msgc__chan_pop(ch);
        break;
    }
    msgc__chan_settle(ch);
    return rc;
}

int
msgc__serve(msgc_chan *ch, const msgc_service_desc *s, const void *h, void *ctx)
{
    for (;;) {
        int rc = msgc__serve_one(ch, s, h, ctx, -1);
        if (rc == 0)
            continue;
        if (ch && ch->stopped && rc == MSGC_ECLOSED)
            return 0;
        return rc;
    }
}

size_t
msgc_dropped(const msgc_chan *ch)
{
    return ch ? ch->dropped : 0;
}
