/* rt_msgs.c - hand-written codecs and a service table standing in for generated code. */
#include "rt_msgs.h"

#include <stdlib.h>
#include <time.h>

/* --- wire helpers --- */

static size_t
vlen(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static uint8_t *
put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static int
get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
    uint64_t r = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (*pp >= end)
            return MSGC_ETRUNC;
        uint8_t b = *(*pp)++;
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = r;
            return 0;
        }
    }
    return MSGC_EVARINT;
}

static int
skip_field(const uint8_t **pp, const uint8_t *end, unsigned wt)
{
    uint64_t v;
    switch (wt) {
    case 0:
        return get_varint(pp, end, &v);
    case 1:
        v = 8;
        break;
    case 5:
        v = 4;
        break;
    case 2: {
        int rc = get_varint(pp, end, &v);
        if (rc)
            return rc;
        break;
    }
    default:
        return MSGC_EWIRE;
    }
    if (v > (uint64_t)(end - *pp))
        return MSGC_ETRUNC;
    *pp += v;
    return 0;
}

/* --- Num --- */

static void
num_init(void *m)
{
    memset(m, 0, sizeof(rt_Num));
}

static void
num_free(void *m)
{
    num_init(m);
}

static size_t
num_size(const void *mv)
{
    const rt_Num *m = mv;
    size_t n = 0, sl = strlen(m->s);
    if (m->a)
        n += 1 + vlen(m->a);
    if (sl)
        n += 1 + vlen(sl) + sl;
    return n;
}

static int
num_encode(const void *mv, uint8_t *buf, size_t cap, size_t *len)
{
    const rt_Num *m = mv;
    size_t need = num_size(m), sl = strlen(m->s);
    if (need > cap)
        return MSGC_ENOSPC;
    uint8_t *p = buf;
    if (m->a) {
        *p++ = 0x08;
        p = put_varint(p, m->a);
    }
    if (sl) {
        *p++ = 0x12;
        p = put_varint(p, sl);
        memcpy(p, m->s, sl);
        p += sl;
    }
    *len = (size_t)(p - buf);
    return 0;
}

static int
num_decode(void *mv, const uint8_t *buf, size_t len, const msgc_limits *lim)
{
    rt_Num *m = mv;
    const uint8_t *p = buf, *end = buf + len;
    int rc = 0;
    (void)lim;
    num_init(m);
    while (!rc && p < end) {
        uint64_t tag, v;
        if ((rc = get_varint(&p, end, &tag)))
            break;
        unsigned wt = (unsigned)(tag & 7);
        if (tag >> 3 == 1) {
            rc = wt != 0 ? MSGC_EWIRE : get_varint(&p, end, &m->a);
        } else if (tag >> 3 == 2) {
            if (wt != 2 || (rc = get_varint(&p, end, &v)))
                rc = rc ? rc : MSGC_EWIRE;
            else if (v > (uint64_t)(end - p))
                rc = MSGC_ETRUNC;
            else if (v > 63)
                rc = MSGC_EBOUNDS;
            else if (memchr(p, 0, v))
                rc = MSGC_EUTF8;
            else {
                memcpy(m->s, p, v);
                m->s[v] = '\0';
                p += v;
            }
        } else {
            rc = skip_field(&p, end, wt);
        }
    }
    if (rc)
        num_init(m);
    return rc;
}

/* --- Blob --- */

static void
blob_init(void *m)
{
    memset(m, 0, sizeof(rt_Blob));
}

static void
blob_free(void *mv)
{
    rt_Blob *m = mv;
    free(m->data.data);
    blob_init(m);
}

static size_t
blob_size(const void *mv)
{
    const rt_Blob *m = mv;
    return m->data.len ? 1 + vlen(m->data.len) + m->data.len : 0;
}

static int
blob_encode(const void *mv, uint8_t *buf, size_t cap, size_t *len)
{
    const rt_Blob *m = mv;
    size_t need = blob_size(m);
    if (need > cap)
        return MSGC_ENOSPC;
    uint8_t *p = buf;
    if (m->data.len) {
        *p++ = 0x0a;
        p = put_varint(p, m->data.len);
        memcpy(p, m->data.data, m->data.len);
        p += m->data.len;
    }
    *len = (size_t)(p - buf);
    return 0;
}

static int
blob_decode(void *mv, const uint8_t *buf, size_t len, const msgc_limits *lim)
{
    rt_Blob *m = mv;
    const uint8_t *p = buf, *end = buf + len;
    int rc = 0;
    (void)lim;
    blob_free(m);
    while (!rc && p < end) {
        uint64_t tag, v;
        if ((rc = get_varint(&p, end, &tag)))
            break;
        unsigned wt = (unsigned)(tag & 7);
        if (tag >> 3 != 1) {
            rc = skip_field(&p, end, wt);
            continue;
        }
        if (wt != 2 || (rc = get_varint(&p, end, &v))) {
            rc = rc ? rc : MSGC_EWIRE;
        } else if (v > (uint64_t)(end - p)) {
            rc = MSGC_ETRUNC;
        } else {
            free(m->data.data);
            m->data.data = v ? malloc(v) : NULL;
            if (v && !m->data.data) {
                rc = MSGC_ENOMEM;
                break;
            }
            memcpy(m->data.data, p, v);
            m->data.len = v;
            p += v;
        }
    }
    if (rc)
        blob_free(m);
    return rc;
}

const msgc_desc rt_Num_desc = {
    .name = "rt.Num",
    .type_id = 0xd38a48aa96762895ULL, /* checked against msgc_fnv1a64 in test_frame */
    .struct_size = sizeof(rt_Num),
    .max_size = 1 + 10 + 1 + 1 + 63,
    .init = num_init,
    .free = num_free,
    .encoded_size = num_size,
    .encode = num_encode,
    .decode_ex = num_decode,
};

const msgc_desc rt_Blob_desc = {
    .name = "rt.Blob",
    .type_id = 0xdccdd7bf67d75f70ULL,
    .struct_size = sizeof(rt_Blob),
    .max_size = 0,
    .init = blob_init,
    .free = blob_free,
    .encoded_size = blob_size,
    .encode = blob_encode,
    .decode_ex = blob_decode,
};

/* --- the service --- */

static int
dispatch(const void *hv, void *ctx, const msgc_call *call, size_t i, const void *req, void *rep)
{
    const rt_Calc_handlers *h = hv;
    switch (i) {
    case RT_ADD:
        return h->Add ? h->Add(ctx, call, req, rep) : MSGC_ENOTSUP;
    case RT_STATUS:
        return h->Status ? h->Status(ctx, call, req, rep) : MSGC_ENOTSUP;
    case RT_SLEEP:
        return h->Sleep ? h->Sleep(ctx, call, req, rep) : MSGC_ENOTSUP;
    case RT_BIG:
        return h->Big ? h->Big(ctx, call, req, rep) : MSGC_ENOTSUP;
    case RT_MISSING:
        return h->Missing ? h->Missing(ctx, call, req, rep) : MSGC_ENOTSUP;
    case RT_NOTE:
        if (!h->Note)
            return MSGC_ENOTSUP;
        h->Note(ctx, call, req);
        return 0;
    }
    return MSGC_ENOTSUP;
}

#define METHOD(n, id_, ow, rq, rp) {.name = n, .id = id_, .oneway = ow, .req = rq, .rep = rp}

/* Method ids are the FNV-1a of "rt.Calc/<name>"; test_frame checks them. */
static const msgc_method_desc calc_methods[RT_N_METHODS] = {
    METHOD("Add", 0x9dfe55ecdd6b5cdeULL, false, &rt_Num_desc, &rt_Num_desc),
    METHOD("Status", 0x1fc85c77dfed8eddULL, false, &rt_Num_desc, &rt_Num_desc),
    METHOD("Sleep", 0x1c113d2e9a9ee9ceULL, false, &rt_Num_desc, &rt_Num_desc),
    METHOD("Big", 0x92b71becd64a2133ULL, false, &rt_Num_desc, &rt_Blob_desc),
    METHOD("Missing", 0xf2523ee31ab86019ULL, false, &rt_Num_desc, &rt_Num_desc),
    METHOD("Note", 0x634027525853450bULL, true, &rt_Num_desc, NULL),
};

const msgc_service_desc rt_Calc_service = {
    .name = "rt.Calc",
    .n_methods = RT_N_METHODS,
    .methods = calc_methods,
    .dispatch = dispatch,
};

static const msgc_method_desc bad_methods[] = {
    METHOD("Add", 0x9dfe55ecdd6b5cdeULL, false, &rt_Blob_desc, &rt_Num_desc),
    METHOD("Unknown", 0x83aec1db6d1482cbULL, false, &rt_Num_desc, &rt_Num_desc),
};

const msgc_service_desc rt_Bad_service = {
    .name = "rt.Calc",
    .n_methods = 2,
    .methods = bad_methods,
    .dispatch = dispatch,
};

/* --- handlers --- */

static int
h_add(void *ctx, const msgc_call *call, const rt_Num *req, rt_Num *rep)
{
    rt_ctx *c = ctx;
    if (c) {
        c->deadline = msgc_call_deadline(call);
        if (msgc_call_peer(call, &c->uid, NULL, &c->pid) != 0)
            c->pid = -1;
    }
    rep->a = req->a + 1;
    memcpy(rep->s, req->s, sizeof rep->s);
    return 0;
}

static int
h_status(void *ctx, const msgc_call *call, const rt_Num *req, rt_Num *rep)
{
    (void)ctx;
    (void)call;
    rep->a = 99; /* must not reach the caller unless the status is 0 */
    return (int)(int64_t)req->a;
}

static int
h_sleep(void *ctx, const msgc_call *call, const rt_Num *req, rt_Num *rep)
{
    (void)ctx;
    (void)call;
    struct timespec ts = {(time_t)(req->a / 1000), (long)(req->a % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
    rep->a = req->a;
    return 0;
}

static int
h_big(void *ctx, const msgc_call *call, const rt_Num *req, rt_Blob *rep)
{
    (void)ctx;
    (void)call;
    rep->data.data = malloc(req->a ? req->a : 1);
    if (!rep->data.data)
        return 1;
    memset(rep->data.data, 'x', req->a);
    rep->data.len = req->a;
    return 0;
}

static void
h_note(void *ctx, const msgc_call *call, const rt_Num *m)
{
    rt_ctx *c = ctx;
    (void)call;
    if (c) {
        c->notes++;
        c->last_note = m->a;
    }
}

const rt_Calc_handlers rt_calc_handlers = {
    .Add = h_add,
    .Status = h_status,
    .Sleep = h_sleep,
    .Big = h_big,
    .Missing = NULL,
    .Note = h_note,
};

int
rt_call_num(msgc_chan *ch, size_t method, uint64_t a, rt_Num *rep, int timeout_ms)
{
    rt_Num req;
    rt_Num_desc.init(&req);
    req.a = a;
    rt_Num_desc.init(rep);
    return msgc__call(ch, &rt_Calc_service, method, &req, rep, timeout_ms);
}
