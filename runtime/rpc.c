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
    return d->decode_ex(m, s->buf + s->body, s->body_len, &ch->opts.limits);
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

/* The width of the length prefix to reserve before encoding m into room bytes, or 0 when
 * m does not fit. A message that surely fits (its type's largest encoding does), or that
 * is likely to (no record so far was larger than the room), gets the width of the largest
 * that could, and is encoded at once; any other message is measured first, so a frame
 * that is nearly full costs one size pass rather than a wasted encoding. */
static size_t
prefix_width(const msgc_desc *d, const void *m, size_t room, size_t largest, bool first)
{
    size_t most = d->max_size && d->max_size < room ? d->max_size : room;
    size_t w = msgc__record_len_size(most);
    if (room < w)
        return 0;
    if (first || (d->max_size && d->max_size + w <= room) || largest + w <= room)
        return w;
    size_t need = d->encoded_size(m);
    w = msgc__record_len_size(need);
    return need <= room && w <= room - need ? w : 0;
}

/* Encodes messages ms[0..n) as records behind a BATCH header's room in buf, as many as
 * fit in the channel's frame; *k counts them and *len is the frame's length. A record's
 * length prefix moves up to its own width when the message came out shorter than the
 * width reserved. Running out of room ends the frame, and is no error; any other encoding
 * error is returned after the records before it. */
static int
pack_records(const msgc_chan *ch, const msgc_desc *d, const char *ms, size_t n, uint8_t *buf,
             size_t *len, size_t *k)
{
    uint8_t *p = buf + MSGC__HDR_SIZE, *end = buf + ch->max_frame;
    size_t largest = 0;
    int rc = 0;
    for (*k = 0; *k < n; ++*k) {
        const char *m = ms + *k * d->struct_size;
        size_t room = (size_t)(end - p);
        size_t w = prefix_width(d, m, room, largest, *k == 0);
        if (w == 0)
            break;
        size_t body = 0;
        rc = d->encode(m, p + w, room - w, &body);
        if (rc)
            break;
        size_t v = msgc__record_put_len(p, body);
        if (v < w)
            memmove(p + v, p + w, body);
        p += v + body;
        largest = body > largest ? body : largest;
    }
    *len = (size_t)(p - buf);
    return rc == MSGC_ENOSPC ? 0 : rc;
}

/* Builds outgoing frame i from ms[0..n): a BATCH frame when the peer reads them and more
 * than one message fits, else a MESSAGE frame of the first message, with MSGC_ETOOBIG
 * when it fits no frame. *k counts the messages in the frame (0: no frame). */
static int
pack_frame(msgc_chan *ch, const msgc_desc *d, const char *ms, size_t n, size_t i, size_t *k)
{
    msgc_tmsg *t = &ch->out_t[i];
    *t = (msgc_tmsg){.buf = ch->out + i * ch->max_frame, .prio = ch->prio};
    msgc_frame f;
    msgc__frame_init(&f, MSGC__FRAME_MESSAGE);
    f.id = d->type_id;
    *k = 0;
    int rc = 0;
    if (ch->batches && n > 1) {
        rc = pack_records(ch, d, ms, n, t->buf, &t->len, k);
        if (*k == 1) {
            /* A batch of one is sent as the message it holds. */
            size_t body = 0;
            const uint8_t *r = msgc__batch_record(t->buf + MSGC__HDR_SIZE, &body);
            memmove(t->buf + MSGC__HDR_SIZE, r, body);
            t->len = MSGC__HDR_SIZE + body;
        } else if (*k > 1) {
            f.kind = MSGC__FRAME_BATCH;
            f.aux = (uint32_t)*k;
        }
        if (*k > 0)
            msgc__frame_put(&f, t->buf);
        if (*k > 0 || rc)
            return rc;
    }
    /* One message, or one that fits a frame only without a record's length prefix. */
    rc = encode_frame(ch, &f, d, ms, t->buf, &t->len);
    *k = rc ? 0 : 1;
    return rc;
}

/* Packs ms[0..n) into as many outgoing frames as the channel has buffers for (growing them
 * up to the batch limits); *frames and *packed count the frames and their messages. The
 * error that stopped the packing comes after the frames before it. */
static int
pack_frames(msgc_chan *ch, const msgc_desc *d, const char *ms, size_t n, size_t *frames,
            size_t *packed)
{
    *frames = *packed = 0;
    while (*packed < n) {
        if (*frames == ch->n_out && msgc__chan_out(ch, 2 * ch->n_out) <= *frames)
            return 0;
        size_t k = 0;
        int rc = pack_frame(ch, d, ms + *packed * d->struct_size, n - *packed, *frames, &k);
        if (k > 0) {
            ch->out_msgs[*frames] = k;
            ++*frames;
            *packed += k;
        }
        if (rc)
            return rc;
    }
    return 0;
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
    while (*sent < n) {
        size_t frames = 0, packed = 0, done = 0;
        rc = pack_frames(ch, d, (const char *)ms + *sent * d->struct_size, n - *sent, &frames,
                         &packed);
        int src = frames ? ch->tp->t_send(ch->priv, ch->out_t, frames, &done, deadline) : 0;
        /* Frames go whole or not at all: a partial send counts the messages of those
         * that went. */
        for (size_t i = 0; i < done; i++)
            *sent += ch->out_msgs[i];
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
    size_t k = n > 1 ? msgc__chan_inbox(ch, n) : 1;
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
