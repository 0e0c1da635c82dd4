/* test_stubs.c - the generated stubs (templates/msg.c.tmpl) through real generated code
 * (tests/schemas/svc_calc.msg, svc_next.msg, all_types.msg) between real processes, each
 * scenario over both transports. Children report through their exit status. */
#define _GNU_SOURCE
#include "all_types.msg.h"
#include "rt_proc.h"
#include "svc_calc.msg.h"
#include "svc_next.msg.h"

#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

typedef rt_fixture fixture;

static bool
is_mq(const fixture *f)
{
    return strcmp(f->kind, "mq") == 0;
}

static msgc_chan *
dial_url(const char *url)
{
    msgc_opts o = MSGC_OPTS_INIT;
    o.dial_timeout_ms = 5000;
    msgc_chan *ch = NULL;
    int rc = msgc_dial(&ch, url, &o);
    if (rc)
        fprintf(stderr, "dial %s: %s (%s)\n", url, msgc_errname(rc), msgc_last_error()->detail);
    return ch;
}

static msgc_chan *
dial(const fixture *f)
{
    msgc_chan *ch = dial_url(f->url);
    assert_non_null(ch);
    return ch;
}

/* Listeners take small queues (4 x 2 KiB frames rather than 8 x 8 KiB): every queue of the
 * user counts against one RLIMIT_MSGQUEUE budget of 819,200 bytes, which parallel test
 * runs share. The largest message here, at.All as make_all fills it, is under 1 KiB. */
static msgc_opts
listen_opts(void)
{
    msgc_opts o = MSGC_OPTS_INIT;
    o.max_msg = 2048;
    o.depth = 4;
    return o;
}

static msgc_chan *
listen_here(const fixture *f)
{
    msgc_opts o = listen_opts();
    msgc_chan *ch = NULL;
    int rc = msgc_listen(&ch, f->url, &o);
    if (rc)
        fprintf(stderr, "listen %s: %s (%s)\n", f->url, msgc_errname(rc),
                msgc_last_error()->detail);
    assert_int_equal(rc, 0);
    return ch;
}

static char *
dup_text(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* --- a Path with nested, repeated and string fields, number i of a series --- */

/* The storage a sent Path points into: a sender owns it, never the stubs. */
typedef struct path_store {
    char name[32];
    char labels[4][16];
    svc_Point end;
    svc_Point points[3];
    char tag_text[2][24];
    char *tags[2];
    uint8_t blob[5];
} path_store;

static void
make_path(svc_Path *p, path_store *s, unsigned i)
{
    svc_Path_init(p);
    snprintf(s->name, sizeof s->name, "path-%u", i);
    p->name = s->name;
    p->has_origin = true;
    p->origin = (svc_Point){.x = -(int32_t)i, .y = INT32_MAX, .label = NULL};
    if (i % 2 == 0) {
        snprintf(s->labels[3], sizeof s->labels[3], "end-%u", i);
        s->end = (svc_Point){.x = INT32_MIN, .y = 7, .label = s->labels[3]};
        p->end = &s->end;
    }
    p->points_count = i % 4;
    p->points = p->points_count ? s->points : NULL;
    for (unsigned k = 0; k < p->points_count; k++) {
        snprintf(s->labels[k], sizeof s->labels[k], "p%u.%u", i, k);
        s->points[k] =
            (svc_Point){.x = (int32_t)(k * 1000), .y = -(int32_t)k, .label = s->labels[k]};
    }
    snprintf(s->tag_text[0], sizeof s->tag_text[0], "héllo-%u", i);
    s->tag_text[1][0] = '\0';
    s->tags[0] = s->tag_text[0];
    s->tags[1] = s->tag_text[1];
    p->tags = s->tags;
    p->tags_count = 2;
    for (unsigned k = 0; k < 8 && k < i; k++)
        p->hops[p->hops_count++] = UINT32_MAX - k;
    snprintf(p->code, sizeof p->code, "C%013u", i);
    p->shape = i % 3 == 0 ? svc_Shape_SHAPE_RING : svc_Shape_SHAPE_LINE;
    memcpy(s->blob, (const uint8_t[]){0, 0xff, 0x80, 1, (uint8_t)i}, sizeof s->blob);
    p->blob = (msgc_bytes){.data = s->blob, .len = sizeof s->blob};
}

/* Prints the first field that differs, so a failure names it. */
#define SAME(cond)                                                                                 \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: differs: %s\n", __FILE__, __LINE__, #cond);                    \
            return false;                                                                          \
        }                                                                                          \
    } while (0)

static bool
same_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool
same_point(const svc_Point *a, const svc_Point *b)
{
    SAME(a->x == b->x && a->y == b->y);
    SAME(same_str(a->label, b->label));
    return true;
}

static bool
same_path(const svc_Path *a, const svc_Path *b)
{
    SAME(same_str(a->name, b->name));
    SAME(a->has_origin == b->has_origin);
    SAME(same_point(&a->origin, &b->origin));
    SAME((a->end == NULL) == (b->end == NULL));
    SAME(a->end == NULL || same_point(a->end, b->end));
    SAME(a->points_count == b->points_count);
    for (size_t k = 0; k < a->points_count; k++)
        SAME(same_point(&a->points[k], &b->points[k]));
    SAME(a->tags_count == b->tags_count);
    for (size_t k = 0; k < a->tags_count; k++)
        SAME(same_str(a->tags[k], b->tags[k]));
    SAME(a->hops_count == b->hops_count);
    SAME(memcmp(a->hops, b->hops, a->hops_count * sizeof a->hops[0]) == 0);
    SAME(strcmp(a->code, b->code) == 0);
    SAME(a->shape == b->shape);
    SAME(a->blob.len == b->blob.len);
    SAME(a->blob.len == 0 || memcmp(a->blob.data, b->blob.data, a->blob.len) == 0);
    return true;
}

/* Whether got equals Path number i of the series. */
static bool
is_path(const svc_Path *got, unsigned i)
{
    path_store s;
    svc_Path want;
    make_path(&want, &s, i);
    return same_path(got, &want);
}

/* --- an at.All value with every part of all_types.msg in use --- */

typedef struct all_store {
    char *rs[3];
    msgc_bytes rb[2];
    at_Inner opt, rep[3];
    at_Tree left, kid[2], kid_left;
    at_Choice choices[4];
    bool r_bool[3];
    int32_t r_int32[4];
    int64_t r_int64[3];
    uint32_t r_uint32[2];
    uint64_t r_uint64[2];
    float r_float[2];
    double r_double[2];
    at_Color r_enum[3];
} all_store;

static void
fill_scalars(at_Scalars *s)
{
    *s = (at_Scalars){
        .f_bool = true,
        .f_int32 = INT32_MIN,
        .f_int64 = INT64_MIN,
        .f_uint32 = UINT32_MAX,
        .f_uint64 = UINT64_MAX,
        .f_sint32 = -1,
        .f_sint64 = INT64_MAX,
        .f_fixed32 = 0x80000000u,
        .f_fixed64 = 0x0123456789abcdefu,
        .f_sfixed32 = -2,
        .f_sfixed64 = -3,
        .f_float = -0.5f,
        .f_double = 1e300,
        .f_enum = at_Color_COLOR_LOW,
        .f_string = "scalars",
        .f_bytes = {(uint8_t *)"\0\1\2", 3},
    };
}

static void
fill_optionals(at_Optionals *o)
{
    at_Optionals_init(o);
    o->has_o_bool = true; /* present and false */
    o->has_o_int32 = true;
    o->o_int32 = -7;
    o->has_o_uint64 = true;
    o->o_uint64 = 1u << 20;
    o->has_o_sint64 = true;
    o->o_sint64 = INT64_MIN;
    o->has_o_double = true;
    o->o_double = -0.0;
    o->has_o_enum = true;
    o->o_enum = at_Color_COLOR_NEG;
    o->has_o_string = true; /* present and empty */
    o->has_o_bytes = true;
    o->o_bytes = (msgc_bytes){(uint8_t *)"ob", 2};
    o->has_o_string_b = true;
    strcpy(o->o_string_b, "12345678");
    o->has_o_bytes_b = true;
    o->o_bytes_b.len = 8;
    memset(o->o_bytes_b.data, 0xee, 8);
}

static void
fill_repeats(at_Repeats *r, all_store *s)
{
    at_Repeats_init(r);
    memcpy(s->r_bool, (const bool[]){true, false, true}, sizeof s->r_bool);
    memcpy(s->r_int32, (const int32_t[]){0, -1, INT32_MAX, INT32_MIN}, sizeof s->r_int32);
    memcpy(s->r_int64, (const int64_t[]){1, INT64_MIN, 300}, sizeof s->r_int64);
    memcpy(s->r_uint32, (const uint32_t[]){UINT32_MAX, 128}, sizeof s->r_uint32);
    memcpy(s->r_uint64, (const uint64_t[]){UINT64_MAX, 0}, sizeof s->r_uint64);
    memcpy(s->r_float, (const float[]){1.5f, -INFINITY}, sizeof s->r_float);
    memcpy(s->r_double, (const double[]){-2.25, 1e-300}, sizeof s->r_double);
    memcpy(s->r_enum, (const at_Color[]){at_Color_COLOR_RED, at_Color_COLOR_HIGH, 12345},
           sizeof s->r_enum);
    r->r_bool = s->r_bool;
    r->r_bool_count = 3;
    r->r_int32 = r->r_sint32 = r->r_sfixed32 = s->r_int32;
    r->r_int32_count = r->r_sint32_count = r->r_sfixed32_count = 4;
    r->r_int64 = r->r_sint64 = r->r_sfixed64 = s->r_int64;
    r->r_int64_count = r->r_sint64_count = r->r_sfixed64_count = 3;
    r->r_uint32 = r->r_fixed32 = s->r_uint32;
    r->r_uint32_count = r->r_fixed32_count = 2;
    r->r_uint64 = r->r_fixed64 = s->r_uint64;
    r->r_uint64_count = r->r_fixed64_count = 2;
    r->r_float = s->r_float;
    r->r_float_count = 2;
    r->r_double = s->r_double;
    r->r_double_count = 2;
    r->r_enum = s->r_enum;
    r->r_enum_count = 3;
}

static void
fill_bounded(at_Bounded *b)
{
    at_Bounded_init(b);
    b->b_bool[0] = true;
    b->b_bool_count = 1;
    b->b_sint64[0] = INT64_MIN;
    b->b_sint64[1] = INT64_MAX;
    b->b_sint64[2] = 0;
    b->b_sint64_count = 3;
    b->b_fixed32[0] = 9;
    b->b_fixed32_count = 1;
    b->b_double[0] = 0.125;
    b->b_double[1] = -1.0;
    b->b_double_count = 2;
    b->b_enum[0] = at_Color_COLOR_HIGH;
    b->b_enum_count = 1;
}

static void
fill_texts(at_Texts *t, all_store *s)
{
    at_Texts_init(t);
    t->s = "texts ✓";
    strcpy(t->s_b, "eightchr");
    t->b = (msgc_bytes){(uint8_t *)"bytes", 5};
    t->b_b.len = 3;
    memcpy(t->b_b.data, "b_b", 3);
    s->rs[0] = "first";
    s->rs[1] = "";
    s->rs[2] = "third";
    t->rs = s->rs;
    t->rs_count = 3;
    t->rs_b[0] = "slot0";
    t->rs_b[1] = "slot1";
    t->rs_b_count = 2;
    strcpy(t->rs_bl[0], "abcde");
    strcpy(t->rs_bl[1], "x");
    t->rs_bl_count = 2;
    s->rb[0] = (msgc_bytes){(uint8_t *)"\xff\xfe", 2};
    s->rb[1] = (msgc_bytes){NULL, 0};
    t->rb = s->rb;
    t->rb_count = 2;
    t->rb_b[0] = (msgc_bytes){(uint8_t *)"rb_b", 4};
    t->rb_b_count = 1;
    t->rb_bl[0].len = 5;
    memcpy(t->rb_bl[0].data, "12345", 5);
    t->rb_bl[1].len = 0;
    t->rb_bl[2].len = 1;
    t->rb_bl[2].data[0] = 0;
    t->rb_bl_count = 3;
}

static void
fill_nested(at_Nested *n, all_store *s)
{
    at_Nested_init(n);
    n->has_inl = true;
    n->inl = (at_Inner){.a = 1, .s = "inline"};
    s->opt = (at_Inner){.a = -2, .s = "optional"};
    n->opt = &s->opt;
    for (int k = 0; k < 3; k++)
        s->rep[k] = (at_Inner){.a = 10 + k, .s = k == 1 ? NULL : "rep"};
    n->rep = s->rep;
    n->rep_count = 3;
    n->rep_b[0] = (at_Inner){.a = 20, .s = "rep_b"};
    n->rep_b_count = 1;
    n->has_stamp = true;
    n->stamp = (imp_Stamp){.secs = 1718000000, .unit = imp_Unit_UNIT_SECOND, .zone = "UTC"};
    n->has_sc = true;
    fill_scalars(&n->sc);
    n->has_local = true;
    n->local.z = -99;
}

static void
fill_tree(at_Tree *t, all_store *s)
{
    s->kid_left = (at_Tree){.v = 4};
    s->kid[0] = (at_Tree){.v = 2, .left = &s->kid_left};
    s->kid[1] = (at_Tree){.v = 3};
    s->left = (at_Tree){.v = 1, .kids = s->kid, .kids_count = 2};
    *t = (at_Tree){.v = 0, .left = &s->left};
}

static void
fill_choices(at_All *a, all_store *s)
{
    a->has_choice = true;
    a->choice = (at_Choice){.before = 1, .u_case = at_Choice_u_m, .after = 2};
    a->choice.u.m = (at_Inner){.a = 5, .s = "member"};
    s->choices[0] = (at_Choice){.u_case = at_Choice_u_s, .u.s = "c0"};
    s->choices[1] = (at_Choice){.u_case = at_Choice_u_b, .u.b = {(uint8_t *)"c1", 2}};
    s->choices[2] = (at_Choice){.u_case = at_Choice_u_d, .u.d = -1.5, .before = -1};
    s->choices[3] = (at_Choice){.u_case = at_Choice_u_e, .u.e = at_Color_COLOR_NEG};
    a->choices = s->choices;
    a->choices_count = 4;
}

static void
fill_box(at_Box *b)
{
    at_Box_init(b);
    strcpy(b->name, "box");
    b->key.len = 2;
    b->key.data[1] = 0xab;
    b->has_flag = true;
    b->color = at_Color_COLOR_RED;
    b->has_cell = true;
    strcpy(b->cell.s, "cell");
    b->cell.z = -5;
    b->cells_count = 1;
    b->cells[0].z = 6;
    b->pick_case = at_Box_pick_word;
    strcpy(b->pick.word, "word");
    strcpy(b->tags[0], "tag");
    b->tags_count = 1;
    b->blobs[0].len = 3;
    memcpy(b->blobs[0].data, "abc", 3);
    b->blobs_count = 1;
    b->has_hue = true;
    b->hue = at_Color_COLOR_ZERO;
    b->f = UINT64_MAX;
    b->d = 2.5;
    b->ff = 0.25f;
    b->nums[0] = -1;
    b->nums_count = 1;
}

/* Fills a (an uninitialised struct) with every feature; a points into s. */
static void
make_all(at_All *a, all_store *s)
{
    at_All_init(a);
    a->has_scalars = true;
    fill_scalars(&a->scalars);
    a->has_optionals = true;
    fill_optionals(&a->optionals);
    a->has_repeats = true;
    fill_repeats(&a->repeats, s);
    a->has_bounded = true;
    fill_bounded(&a->bounded);
    a->has_texts = true;
    fill_texts(&a->texts, s);
    a->has_nested = true;
    fill_nested(&a->nested, s);
    fill_choices(a, s);
    a->has_tree = true;
    fill_tree(&a->tree, s);
    a->has_empty = true;
    a->has_keywords = true;
    a->keywords = (at_Keywords){.class_ = 3, .default_ = "kw", .register_ = true, .new_ = 4};
    a->has_box = true;
    fill_box(&a->box);
    a->big_number = UINT64_MAX - 1;
}

/* The encoding of m in a buffer of its own (freed by the caller), or NULL. */
static uint8_t *
encode_all(const at_All *m, size_t *len)
{
    size_t cap = at_All_encoded_size(m);
    uint8_t *buf = malloc(cap ? cap : 1);
    if (buf && at_All_encode(m, buf, cap, len) != 0) {
        free(buf);
        buf = NULL;
    }
    return buf;
}

/* Whether got equals make_all's value: the same encoding, and a few fields read back. */
static bool
is_all(const at_All *got)
{
    all_store s;
    at_All *want = malloc(sizeof *want); /* about 2 KiB of inline arrays */
    SAME(want != NULL);
    make_all(want, &s);
    size_t n_got = 0, n_want = 0;
    uint8_t *b_got = encode_all(got, &n_got), *b_want = encode_all(want, &n_want);
    bool same = b_got && b_want && n_got == n_want && memcmp(b_got, b_want, n_got) == 0;
    free(b_got);
    free(b_want);
    free(want);
    SAME(same);
    SAME(got->scalars.f_int64 == INT64_MIN && got->scalars.f_uint64 == UINT64_MAX);
    SAME(got->optionals.has_o_bool && !got->optionals.o_bool);
    SAME(got->optionals.has_o_string && same_str(got->optionals.o_string, ""));
    SAME(got->optionals.has_o_double && signbit(got->optionals.o_double));
    SAME(got->repeats.r_float_count == 2 && isinf(got->repeats.r_float[1]));
    SAME(got->repeats.r_enum_count == 3 && got->repeats.r_enum[2] == 12345);
    SAME(got->bounded.b_sint64_count == 3 && got->bounded.b_sint64[0] == INT64_MIN);
    SAME(same_str(got->texts.s, "texts ✓") && same_str(got->texts.rs[1], ""));
    SAME(got->texts.rb_bl_count == 3 && got->texts.rb_bl[1].len == 0);
    SAME(got->nested.opt && same_str(got->nested.opt->s, "optional"));
    SAME(got->nested.rep_count == 3 && same_str(got->nested.rep[1].s, ""));
    SAME(same_str(got->nested.stamp.zone, "UTC") && got->nested.local.z == -99);
    SAME(got->choice.u_case == at_Choice_u_m && same_str(got->choice.u.m.s, "member"));
    SAME(got->choices_count == 4 && got->choices[3].u.e == at_Color_COLOR_NEG);
    SAME(got->tree.left && got->tree.left->kids_count == 2);
    SAME(got->tree.left->kids[0].left && got->tree.left->kids[0].left->v == 4);
    SAME(got->has_empty && got->keywords.new_ == 4 && same_str(got->keywords.default_, "kw"));
    SAME(got->box.pick_case == at_Box_pick_word && strcmp(got->box.pick.word, "word") == 0);
    SAME(got->big_number == UINT64_MAX - 1);
    return true;
}

/* --- the service's handlers --- */

typedef struct calc_ctx {
    unsigned adds, notes;
    int64_t last_note;
} calc_ctx;

static int
on_add(void *ctx, const msgc_call *call, const svc_Args *req, svc_Result *rep)
{
    (void)call;
    if (ctx)
        ((calc_ctx *)ctx)->adds++;
    rep->value = req->a + req->b;
    rep->text = dup_text("sum");
    return rep->text ? 0 : MSGC_ENOMEM;
}

/* Fills rep whatever it returns: a nonzero status must keep it from travelling. */
static int
on_status(void *ctx, const msgc_call *call, const svc_Args *req, svc_Result *rep)
{
    (void)ctx;
    (void)call;
    rep->value = 99;
    rep->text = dup_text("filled by the handler");
    return req->status;
}

static int
on_who(void *ctx, const msgc_call *call, const svc_Args *req, svc_Caller *rep)
{
    (void)ctx;
    (void)req;
    uid_t uid = (uid_t)-1;
    gid_t gid = (gid_t)-1;
    pid_t pid = -1;
    rep->peer_rc = msgc_call_peer(call, &uid, &gid, &pid);
    rep->uid = (uint32_t)uid;
    rep->gid = (uint32_t)gid;
    rep->pid = (int32_t)pid;
    rep->deadline = msgc_call_deadline(call);
    return 0;
}

/* Copies req into rep through the generated codec. */
static int
on_echo(void *ctx, const msgc_call *call, const svc_Path *req, svc_Path *rep)
{
    (void)ctx;
    (void)call;
    size_t cap = svc_Path_encoded_size(req), len = 0;
    uint8_t *buf = malloc(cap ? cap : 1);
    if (!buf)
        return MSGC_ENOMEM;
    int rc = svc_Path_encode(req, buf, cap, &len);
    if (!rc)
        rc = svc_Path_decode(rep, buf, len);
    free(buf);
    return rc;
}

static int
on_mirror(void *ctx, const msgc_call *call, const at_All *req, at_All *rep)
{
    (void)ctx;
    (void)call;
    size_t len = 0;
    uint8_t *buf = encode_all(req, &len);
    if (!buf)
        return MSGC_ENOMEM;
    int rc = at_All_decode(rep, buf, len);
    free(buf);
    return rc;
}

static void
on_note(void *ctx, const msgc_call *call, const svc_Args *m)
{
    (void)call;
    calc_ctx *c = ctx;
    c->notes++;
    c->last_note = m->a;
}

static const svc_Calc_handlers calc_handlers = {
    .Add = on_add,
    .Status = on_status,
    .Who = on_who,
    .Echo = on_echo,
    .Mirror = on_mirror,
    .Note = on_note,
};

/* The same service with no handler for Who. */
static const svc_Calc_handlers calc_handlers_without_who = {
    .Add = on_add,
    .Status = on_status,
    .Echo = on_echo,
    .Mirror = on_mirror,
    .Note = on_note,
};

/* --- a serving child, stopped by SIGTERM through msgc_stop --- */

typedef struct server_arg {
    const char *url;
    const svc_Calc_handlers *h;
} server_arg;

static int
server_main(void *argv)
{
    const server_arg *a = argv;
    rt_stop_on_sigterm();
    msgc_opts o = listen_opts();
    msgc_chan *ch = NULL;
    RT_CHECK(msgc_listen(&ch, a->url, &o) == 0);
    rt_stop_target(ch);
    calc_ctx ctx = {0};
    int rc = svc_Calc_serve(ch, a->h, &ctx);
    rt_stop_target(NULL);
    msgc_close(ch);
    RT_CHECK(rc == 0);
    return 0;
}

static void
start_server_with(fixture *f, const svc_Calc_handlers *h)
{
    server_arg a = {.url = f->url, .h = h};
    f->server = rt_spawn(server_main, &a);
    assert_true(f->server > 0);
}

static void
start_server(fixture *f)
{
    start_server_with(f, &calc_handlers);
}

/* --- messages --- */

static int
path_sender_main(void *argv)
{
    msgc_chan *ch = dial_url(argv);
    RT_CHECK(ch != NULL);
    path_store s;
    svc_Path p;
    for (unsigned i = 0; i < 3; i++) {
        make_path(&p, &s, i);
        RT_CHECK(svc_Path_send(ch, &p, 5000) == 0);
    }
    msgc_close(ch);
    return 0;
}

/* Starts a dialing child, then listens here: the child dials with a timeout, and holds
 * no copy of the listener. */
static msgc_chan *
listen_and_spawn(fixture *f, int (*fn)(void *), void *arg, pid_t *pid)
{
    *pid = rt_spawn(fn, arg);
    assert_true(*pid > 0);
    return listen_here(f);
}

static void
test_message_with_nested_repeated_and_string_fields_arrives_equal(void **state)
{
    fixture *f = *state;
    pid_t pid;
    msgc_chan *ch = listen_and_spawn(f, path_sender_main, f->url, &pid);
    svc_Path p = svc_Path_INIT;
    /* The same struct three times: each recv first releases what the last one left. */
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(svc_Path_recv(ch, &p, 5000), 0);
        assert_true(is_path(&p, i));
    }
    assert_string_equal(p.name, "path-2");
    assert_int_equal(p.points_count, 2);
    assert_string_equal(p.points[1].label, "p2.1");
    assert_non_null(p.end);
    assert_int_equal(p.end->x, INT32_MIN);
    assert_string_equal(p.tags[0], "héllo-2");
    assert_true(same_str(p.tags[1], "")); /* NULL is the empty string */
    assert_int_equal(p.hops_count, 2);
    assert_true(p.hops[1] == UINT32_MAX - 1);
    assert_string_equal(p.code, "C0000000000002");
    assert_int_equal(p.blob.len, 5);
    assert_int_equal(p.blob.data[1], 0xff);
    svc_Path_free(&p);
    assert_null(p.name);
    assert_null(p.points);
    assert_int_equal(p.points_count, 0);
    assert_int_equal(rt_wait(pid), 0);
    assert_int_equal(svc_Path_recv(ch, &p, 0), MSGC_ETIMEDOUT);
    msgc_close(ch);
}

#define BATCH 40

static int
batch_sender_main(void *argv)
{
    msgc_chan *ch = dial_url(argv);
    RT_CHECK(ch != NULL);
    path_store *s = calloc(BATCH, sizeof *s);
    svc_Path *ps = calloc(BATCH, sizeof *ps);
    RT_CHECK(s && ps);
    for (unsigned i = 0; i < BATCH; i++)
        make_path(&ps[i], &s[i], i);
    size_t sent = 99;
    RT_CHECK(svc_Path_send_many(ch, ps, BATCH, &sent, 10000) == 0);
    RT_CHECK(sent == BATCH);
    /* An empty batch sends nothing and succeeds. */
    RT_CHECK(svc_Path_send_many(ch, ps, 0, &sent, 0) == 0);
    RT_CHECK(sent == 0);
    free(ps);
    free(s);
    msgc_close(ch);
    return 0;
}

static void
test_send_many_and_recv_many_deliver_every_message_in_order(void **state)
{
    fixture *f = *state;
    pid_t pid;
    msgc_chan *ch = listen_and_spawn(f, batch_sender_main, f->url, &pid);
    svc_Path ps[16];
    for (size_t k = 0; k < 16; k++)
        svc_Path_init(&ps[k]);
    unsigned next = 0, batches = 0;
    while (next < BATCH) {
        size_t got = 99;
        assert_int_equal(svc_Path_recv_many(ch, ps, 16, &got, 5000), 0);
        assert_true(got >= 1 && got <= 16 && next + got <= BATCH);
        for (size_t k = 0; k < got; k++)
            assert_true(is_path(&ps[k], next++));
        batches++;
    }
    assert_true(batches >= 3); /* 40 messages never come in fewer than three batches of 16 */
    size_t got = 99;
    assert_int_equal(svc_Path_recv_many(ch, ps, 16, &got, 0), MSGC_ETIMEDOUT);
    assert_int_equal(got, 0);
    for (size_t k = 0; k < 16; k++)
        svc_Path_free(&ps[k]);
    assert_int_equal(rt_wait(pid), 0);
    msgc_close(ch);
}

static int
point_then_path_main(void *argv)
{
    msgc_chan *ch = dial_url(argv);
    RT_CHECK(ch != NULL);
    svc_Point pt = {.x = 3, .y = 4, .label = "first"};
    RT_CHECK(svc_Point_send(ch, &pt, 5000) == 0);
    path_store s;
    svc_Path p;
    make_path(&p, &s, 5);
    RT_CHECK(svc_Path_send(ch, &p, 5000) == 0);
    msgc_close(ch);
    return 0;
}

/* A Path recv on ch, whose next message is a Point, is MSGC_ETYPE naming both types, and
 * loses nothing: msgc_fd stays readable and msgc_next_type names the Point. */
static void
expect_point_pending(msgc_chan *ch, svc_Path *p)
{
    assert_int_equal(svc_Path_recv(ch, p, 5000), MSGC_ETYPE);
    char want[160];
    snprintf(want, sizeof want, "pending message of type 0x%016llx, not svc.Path 0x%016llx",
             (unsigned long long)svc_Point_TYPE_ID, (unsigned long long)svc_Path_TYPE_ID);
    assert_string_equal(msgc_last_error()->detail, want);
    struct pollfd pfd = {.fd = msgc_fd(ch), .events = POLLIN};
    assert_int_equal(poll(&pfd, 1, 0), 1);
    uint64_t id = 0;
    assert_int_equal(msgc_next_type(ch, &id, 0), 0);
    assert_true(id == svc_Point_TYPE_ID);
}

static void
test_wrong_type_leaves_the_message_pending_for_its_own_stub(void **state)
{
    fixture *f = *state;
    pid_t pid;
    msgc_chan *ch = listen_and_spawn(f, point_then_path_main, f->url, &pid);
    svc_Path p = svc_Path_INIT;
    expect_point_pending(ch, &p);
    assert_null(p.name);
    assert_int_equal(svc_Path_recv(ch, &p, 0), MSGC_ETYPE);
    svc_Point pt = svc_Point_INIT;
    assert_int_equal(svc_Point_recv(ch, &pt, 0), 0);
    assert_int_equal(pt.x, 3);
    assert_int_equal(pt.y, 4);
    assert_string_equal(pt.label, "first");
    svc_Point_free(&pt);
    assert_int_equal(svc_Path_recv(ch, &p, 5000), 0);
    assert_true(is_path(&p, 5));
    svc_Path_free(&p);
    assert_int_equal(rt_wait(pid), 0);
    msgc_close(ch);
}

static void
test_stub_roles_send_on_listener_and_recv_on_dialer_are_enotsup(void **state)
{
    fixture *f = *state;
    start_server(f);
    msgc_chan *d = dial(f);
    svc_Point pt = svc_Point_INIT;
    assert_int_equal(svc_Point_recv(d, &pt, 0), MSGC_ENOTSUP);
    assert_string_equal(msgc_last_error()->detail, "recv on a dialer");
    size_t got = 99;
    assert_int_equal(svc_Point_recv_many(d, &pt, 1, &got, 0), MSGC_ENOTSUP);
    assert_int_equal(got, 0);
    calc_ctx ctx = {0};
    assert_int_equal(svc_Calc_serve_one(d, &calc_handlers, &ctx, 0), MSGC_ENOTSUP);
    msgc_close(d);
    rt_stop_server(f);

    msgc_chan *l = listen_here(f);
    pt.x = 1;
    assert_int_equal(svc_Point_send(l, &pt, 0), MSGC_ENOTSUP);
    assert_string_equal(msgc_last_error()->detail, "send on a listener");
    size_t sent = 99;
    assert_int_equal(svc_Point_send_many(l, &pt, 1, &sent, 0), MSGC_ENOTSUP);
    assert_int_equal(sent, 0);
    svc_Args a = {.a = 1};
    svc_Result r = svc_Result_INIT;
    assert_int_equal(svc_Calc_Add(l, &a, &r, 0), MSGC_ENOTSUP);
    assert_string_equal(msgc_last_error()->detail, "call on a listener");
    assert_int_equal(svc_Calc_Note(l, &a, 0), MSGC_ENOTSUP);
    msgc_close(l);
}

/* --- batch frames: several messages in one frame --- */

/* Point number i of a series: x, y and a 10-character label, 18 bytes encoded, so a
 * record takes 19 bytes and a frame of listen_opts (2048 bytes of body) holds 107. */
#define POINT_SIZE 18
#define POINTS_PER_FRAME 107

typedef struct point_store {
    char label[16];
} point_store;

static void
make_point(svc_Point *p, point_store *s, unsigned i)
{
    snprintf(s->label, sizeof s->label, "pt-%07u", i);
    int32_t v = 1000 + (int32_t)(i % 4096);
    *p = (svc_Point){.x = v, .y = -v, .label = s->label};
}

static bool
is_point(const svc_Point *got, unsigned i)
{
    point_store s;
    svc_Point want;
    make_point(&want, &s, i);
    SAME(got->x == want.x && got->y == want.y);
    SAME(same_str(got->label, want.label));
    return true;
}

/* Sends points first .. first + n - 1 with one send_many. */
static int
send_points(msgc_chan *ch, unsigned first, size_t n, size_t *sent, int timeout_ms)
{
    point_store *s = calloc(n ? n : 1, sizeof *s);
    svc_Point *ps = calloc(n ? n : 1, sizeof *ps);
    RT_CHECK(s && ps);
    for (size_t i = 0; i < n; i++)
        make_point(&ps[i], &s[i], first + (unsigned)i);
    int rc = svc_Point_send_many(ch, ps, n, sent, timeout_ms);
    free(ps);
    free(s);
    return rc;
}

/* Receives points first .. first + n - 1 with recv_many calls of at most step. */
static void
expect_points(msgc_chan *ch, unsigned first, size_t n, size_t step)
{
    svc_Point *ps = calloc(step, sizeof *ps);
    assert_non_null(ps);
    for (size_t k = 0; k < step; k++)
        svc_Point_init(&ps[k]);
    for (size_t done = 0; done < n;) {
        size_t got = 0, want = n - done < step ? n - done : step;
        assert_int_equal(svc_Point_recv_many(ch, ps, want, &got, 5000), 0);
        assert_true(got >= 1 && got <= want);
        for (size_t k = 0; k < got; k++)
            assert_true(is_point(&ps[k], first + (unsigned)(done + k)));
        done += got;
    }
    for (size_t k = 0; k < step; k++)
        svc_Point_free(&ps[k]);
    free(ps);
}

static int
batch_sizes_main(void *argv)
{
    msgc_chan *ch = dial_url(argv);
    RT_CHECK(ch != NULL);
    point_store s;
    svc_Point p;
    make_point(&p, &s, 0);
    RT_CHECK(svc_Point_encoded_size(&p) == POINT_SIZE);
    RT_CHECK(msgc_max_msg(ch) / (POINT_SIZE + 1) == POINTS_PER_FRAME);
    static const size_t sizes[] = {1, 2, POINTS_PER_FRAME, POINTS_PER_FRAME + 1, 3 * 107 + 5};
    unsigned next = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t sent = 99;
        RT_CHECK(send_points(ch, next, sizes[i], &sent, 5000) == 0);
        RT_CHECK(sent == sizes[i]);
        next += (unsigned)sizes[i];
    }
    msgc_close(ch);
    return 0;
}

static void
test_batches_of_one_two_a_full_frame_and_more_arrive_equal_and_in_order(void **state)
{
    fixture *f = *state;
    pid_t pid;
    msgc_chan *ch = listen_and_spawn(f, batch_sizes_main, f->url, &pid);
    expect_points(ch, 0, 1 + 2 + 107 + 108 + 326, 64);
    assert_int_equal(rt_wait(pid), 0);
    svc_Point p = svc_Point_INIT;
    assert_int_equal(svc_Point_recv(ch, &p, 0), MSGC_ETIMEDOUT);
    msgc_close(ch);
}

/* Labels of these lengths make Points of 1 + varint + length bytes: 2048, the most a frame
 * of listen_opts carries, only without a record's length prefix. */
static const size_t mixed_labels[] = {10, 1500, 600, 2045, 5, 5, 2000, 0, 3, 7, 9};

static void
make_labelled(svc_Point *p, char *buf, size_t k)
{
    memset(buf, 'a' + (int)(k % 26), mixed_labels[k]);
    buf[mixed_labels[k]] = '\0';
    *p = (svc_Point){.label = buf};
}

static int
mixed_sizes_main(void *argv)
{
    msgc_chan *ch = dial_url(argv);
    RT_CHECK(ch != NULL);
    enum { N = sizeof mixed_labels / sizeof mixed_labels[0] };
    static char bufs[N + 1][2100];
    svc_Point ps[N + 1];
    for (size_t k = 0; k < N; k++)
        make_labelled(&ps[k], bufs[k], k);
    RT_CHECK(svc_Point_encoded_size(&ps[3]) == 2048);
    size_t sent = 99;
    RT_CHECK(svc_Point_send_many(ch, ps, 9, &sent, 5000) == 0);
    RT_CHECK(sent == 9);
    /* One byte more than a frame carries: those before it go, nothing after it. */
    ps[10] = ps[9];
    memset(bufs[N], 'z', 2046);
    bufs[N][2046] = '\0';
    ps[9] = (svc_Point){.label = bufs[N]};
    RT_CHECK(svc_Point_send_many(ch, &ps[8], 3, &sent, 5000) == MSGC_ETOOBIG);
    RT_CHECK(sent == 1);
    RT_CHECK(strcmp(msgc_last_error()->detail,
                    "svc.Point of 2049 bytes > 2048, the largest this channel carries") == 0);
    RT_CHECK(svc_Point_send_many(ch, &ps[10], 1, &sent, 5000) == 0);
    RT_CHECK(sent == 1);
    msgc_close(ch);
    return 0;
}

static void
test_mixed_sizes_arrive_whole_and_a_message_too_big_is_etoobig_after_those_before(void **state)
{
    fixture *f = *state;
    pid_t pid;
    msgc_chan *ch = listen_and_spawn(f, mixed_sizes_main, f->url, &pid);
    svc_Point ps[4];
    for (size_t k = 0; k < 4; k++)
        svc_Point_init(&ps[k]);
    static const size_t order[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 10};
    size_t next = 0;
    while (next < sizeof order / sizeof order[0]) {
        size_t got = 0;
        assert_int_equal(svc_Point_recv_many(ch, ps, 4, &got, 5000), 0);
        for (size_t k = 0; k < got; k++, next++) {
            /* The last one sent is the first one after the refused message. */
            size_t want = next == 10 ? 10 : order[next];
            size_t len = want == 10 ? mixed_labels[9] : mixed_labels[want];
            char letter = (char)('a' + (int)((want == 10 ? 9 : want) % 26));
            assert_int_equal(strlen(ps[k].label ? ps[k].label : ""), len);
            if (len > 0)
                assert_int_equal(ps[k].label[len - 1], letter);
        }
    }
    assert_int_equal(next, 11);
    assert_int_equal(rt_wait(pid), 0);
    assert_int_equal(svc_Point_recv(ch, ps, 0), MSGC_ETIMEDOUT);
    for (size_t k = 0; k < 4; k++)
        svc_Point_free(&ps[k]);
    msgc_close(ch);
}

static int
points_then_path_main(void *argv)
{
    msgc_chan *ch = dial_url(argv);
    RT_CHECK(ch != NULL);
    size_t sent = 0;
    RT_CHECK(send_points(ch, 0, 3, &sent, 5000) == 0 && sent == 3);
    path_store s;
    svc_Path p;
    make_path(&p, &s, 5);
    RT_CHECK(svc_Path_send(ch, &p, 5000) == 0);
    msgc_close(ch);
    return 0;
}

static void
test_recv_of_another_type_after_a_batch_is_etype_with_the_record_first_in_line(void **state)
{
    fixture *f = *state;
    pid_t pid;
    msgc_chan *ch = listen_and_spawn(f, points_then_path_main, f->url, &pid);
    svc_Path path = svc_Path_INIT;
    expect_point_pending(ch, &path);
    struct pollfd pfd = {.fd = msgc_fd(ch), .events = POLLIN};
    svc_Point ps[2] = {svc_Point_INIT, svc_Point_INIT};
    size_t got = 0;
    assert_int_equal(svc_Point_recv_many(ch, ps, 2, &got, 0), 0);
    assert_int_equal(got, 2);
    assert_true(is_point(&ps[0], 0) && is_point(&ps[1], 1));
    /* The third record is still first in line, ahead of the Path. */
    assert_int_equal(svc_Path_recv(ch, &path, 5000), MSGC_ETYPE);
    assert_int_equal(poll(&pfd, 1, 0), 1);
    assert_int_equal(svc_Point_recv(ch, &ps[0], 0), 0);
    assert_true(is_point(&ps[0], 2));
    assert_int_equal(svc_Path_recv(ch, &path, 5000), 0);
    assert_true(is_path(&path, 5));
    svc_Path_free(&path);
    svc_Point_free(&ps[0]);
    svc_Point_free(&ps[1]);
    assert_int_equal(rt_wait(pid), 0);
    msgc_close(ch);
}

static int
ten_points_main(void *argv)
{
    msgc_chan *ch = dial_url(argv);
    RT_CHECK(ch != NULL);
    size_t sent = 0;
    RT_CHECK(send_points(ch, 0, 10, &sent, 5000) == 0 && sent == 10);
    msgc_close(ch);
    return 0;
}

static void
test_recv_many_smaller_than_a_batch_leaves_the_rest_pending_and_msgc_fd_readable(void **state)
{
    fixture *f = *state;
    pid_t pid;
    msgc_chan *ch = listen_and_spawn(f, ten_points_main, f->url, &pid);
    svc_Point ps[3] = {svc_Point_INIT, svc_Point_INIT, svc_Point_INIT};
    size_t got = 0;
    /* Ten records of one frame: three taken before anyone asked for msgc_fd. */
    assert_int_equal(svc_Point_recv_many(ch, ps, 3, &got, 5000), 0);
    assert_int_equal(got, 3);
    assert_int_equal(rt_wait(pid), 0);
    struct pollfd pfd = {.fd = msgc_fd(ch), .events = POLLIN};
    for (unsigned next = 3; next < 10; next += 3) {
        assert_int_equal(poll(&pfd, 1, 0), 1);
        assert_int_equal(svc_Point_recv_many(ch, ps, 3, &got, 0), 0);
        assert_int_equal(got, next < 9 ? 3 : 1);
        for (size_t k = 0; k < got; k++)
            assert_true(is_point(&ps[k], next + (unsigned)k));
    }
    /* Everything taken: quiet again (a unix listener may still see the sender's hang-up,
     * which a recv consumes). */
    if (poll(&pfd, 1, 0) == 1)
        assert_int_equal(svc_Point_recv(ch, ps, 0), MSGC_ETIMEDOUT);
    assert_int_equal(poll(&pfd, 1, 0), 0);
    for (size_t k = 0; k < 3; k++)
        svc_Point_free(&ps[k]);
    msgc_close(ch);
}

static int
points_then_add_main(void *argv)
{
    msgc_chan *ch = dial_url(argv);
    RT_CHECK(ch != NULL);
    size_t sent = 0;
    RT_CHECK(send_points(ch, 0, 5, &sent, 5000) == 0 && sent == 5);
    svc_Args a = {.a = 2, .b = 3};
    svc_Result r = svc_Result_INIT;
    RT_CHECK(svc_Calc_Add(ch, &a, &r, 5000) == 0);
    RT_CHECK(r.value == 5);
    svc_Result_free(&r);
    msgc_close(ch);
    return 0;
}

static void
test_serve_drops_each_record_of_a_batch_and_counts_it(void **state)
{
    fixture *f = *state;
    pid_t pid;
    msgc_chan *ch = listen_and_spawn(f, points_then_add_main, f->url, &pid);
    calc_ctx ctx = {0};
    assert_int_equal(svc_Calc_serve_one(ch, &calc_handlers, &ctx, 5000), 0);
    assert_int_equal(msgc_dropped(ch), 5);
    assert_int_equal(ctx.adds, 1);
    assert_int_equal(rt_wait(pid), 0);
    msgc_close(ch);
}

typedef struct partial_arg {
    const char *url;
    int report; /* a pipe: the sender writes how many points went */
} partial_arg;

/* Fills the channel with batches sent without waiting, then reports how many points went
 * and sends a Path, waiting for room. */
static int
partial_main(void *argv)
{
    const partial_arg *a = argv;
    msgc_chan *ch = dial_url(a->url);
    RT_CHECK(ch != NULL);
    path_store s;
    svc_Path p;
    make_path(&p, &s, 0);
    RT_CHECK(svc_Path_send(ch, &p, 5000) == 0);
    unsigned total = 0;
    int rc = 0;
    for (int round = 0; rc == 0 && round < 1000; round++) {
        size_t sent = 99;
        rc = send_points(ch, total, 500, &sent, 0);
        RT_CHECK(rc == 0 || rc == MSGC_ETIMEDOUT);
        /* Frames go whole: a partial batch ends at a frame's end. */
        RT_CHECK(rc == 0 ? sent == 500 : sent % POINTS_PER_FRAME == 0);
        total += (unsigned)sent;
    }
    RT_CHECK(rc == MSGC_ETIMEDOUT);
    RT_CHECK(write(a->report, &total, sizeof total) == (ssize_t)sizeof total);
    make_path(&p, &s, 1);
    RT_CHECK(svc_Path_send(ch, &p, 10000) == 0);
    msgc_close(ch);
    return 0;
}

static void
test_batch_cut_short_by_its_timeout_reports_the_messages_that_went(void **state)
{
    fixture *f = *state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    partial_arg a = {.url = f->url, .report = fds[1]};
    pid_t pid;
    msgc_chan *ch = listen_and_spawn(f, partial_main, &a, &pid);
    close(fds[1]);
    svc_Path path = svc_Path_INIT;
    assert_int_equal(svc_Path_recv(ch, &path, 5000), 0);
    assert_true(is_path(&path, 0));
    unsigned total = 0;
    assert_int_equal(read(fds[0], &total, sizeof total), (ssize_t)sizeof total);
    close(fds[0]);
    assert_true(total > 0);
    /* Exactly the points reported, in order, then the Path. */
    expect_points(ch, 0, total, 256);
    assert_int_equal(svc_Path_recv(ch, &path, 5000), 0);
    assert_true(is_path(&path, 1));
    svc_Path_free(&path);
    assert_int_equal(rt_wait(pid), 0);
    svc_Point pt = svc_Point_INIT;
    assert_int_equal(svc_Point_recv(ch, &pt, 0), MSGC_ETIMEDOUT);
    msgc_close(ch);
}

/* --- calls --- */

static void
test_call_returns_the_handlers_reply(void **state)
{
    fixture *f = *state;
    start_server(f);
    msgc_chan *ch = dial(f);
    svc_Result r = svc_Result_INIT;
    for (int64_t i = 0; i < 50; i++) {
        svc_Args a = {.a = i, .b = INT64_MIN + 1000};
        assert_int_equal(svc_Calc_Add(ch, &a, &r, 5000), 0);
        assert_true(r.value == i + INT64_MIN + 1000);
        assert_string_equal(r.text, "sum");
    }
    svc_Result_free(&r);
    /* A reply with nested, repeated and string fields. */
    path_store s;
    svc_Path p, back = svc_Path_INIT;
    for (unsigned i = 0; i < 4; i++) {
        make_path(&p, &s, i);
        assert_int_equal(svc_Calc_Echo(ch, &p, &back, 5000), 0);
        assert_true(is_path(&back, i));
    }
    svc_Path_free(&back);
    msgc_close(ch);
    rt_stop_server(f);
}

static void
test_handler_statuses_reach_the_caller(void **state)
{
    fixture *f = *state;
    start_server(f);
    msgc_chan *ch = dial(f);
    svc_Result r = svc_Result_INIT;
    /* 0: the reply travels. */
    svc_Args a = {.status = 0};
    assert_int_equal(svc_Calc_Status(ch, &a, &r, 5000), 0);
    assert_true(r.value == 99);
    assert_string_equal(r.text, "filled by the handler");
    /* Positive: only the status travels, and rep is as after init, although it held the
     * last reply's heap parts and the handler filled its own copy. */
    a.status = 7;
    assert_int_equal(svc_Calc_Status(ch, &a, &r, 5000), 7);
    assert_true(r.value == 0);
    assert_null(r.text);
    a.status = INT32_MAX;
    assert_int_equal(svc_Calc_Status(ch, &a, &r, 5000), INT32_MAX);
    /* Negative: the server failed the call, whatever the value. */
    a.status = -1;
    assert_int_equal(svc_Calc_Status(ch, &a, &r, 5000), MSGC_EREMOTE);
    assert_null(r.text);
    a.status = MSGC_ETYPE;
    assert_int_equal(svc_Calc_Status(ch, &a, &r, 5000), MSGC_EREMOTE);
    a.status = INT32_MIN;
    assert_int_equal(svc_Calc_Status(ch, &a, &r, 5000), MSGC_EREMOTE);
    /* The channel carries on. */
    a = (svc_Args){.a = 40, .b = 2};
    assert_int_equal(svc_Calc_Add(ch, &a, &r, 5000), 0);
    assert_true(r.value == 42);
    svc_Result_free(&r);
    msgc_close(ch);
    rt_stop_server(f);
}

static void
test_method_missing_from_the_servers_schema_is_enotsup(void **state)
{
    fixture *f = *state;
    start_server(f);
    msgc_chan *ch = dial(f);
    svc_Args a = {.a = 5, .b = 3};
    svc_Result r = svc_Result_INIT;
    assert_int_equal(svcnext_Calc_Sub(ch, &a, &r, 5000), MSGC_ENOTSUP);
    assert_string_equal(msgc_last_error()->detail, "Sub: the server answered MSGC_ENOTSUP");
    assert_null(r.text);
    /* An unknown oneway has no reply to carry the refusal: it is sent, and ignored. */
    assert_int_equal(svcnext_Calc_Forget(ch, &a, 5000), 0);
    /* The methods both schemas share still work on the same channel. */
    assert_int_equal(svc_Calc_Add(ch, &a, &r, 5000), 0);
    assert_true(r.value == 8);
    svc_Result_free(&r);
    msgc_close(ch);
    rt_stop_server(f);
}

static void
test_method_without_handler_is_enotsup(void **state)
{
    fixture *f = *state;
    start_server_with(f, &calc_handlers_without_who);
    msgc_chan *ch = dial(f);
    svc_Args a = {.a = 1, .b = 1};
    svc_Caller c = svc_Caller_INIT;
    assert_int_equal(svc_Calc_Who(ch, &a, &c, 5000), MSGC_ENOTSUP);
    assert_string_equal(msgc_last_error()->detail, "Who: the server answered MSGC_ENOTSUP");
    svc_Result r = svc_Result_INIT;
    assert_int_equal(svc_Calc_Add(ch, &a, &r, 5000), 0);
    assert_true(r.value == 2);
    svc_Result_free(&r);
    msgc_close(ch);
    rt_stop_server(f);
}

static void
test_handler_sees_the_callers_identity_and_deadline(void **state)
{
    fixture *f = *state;
    start_server(f);
    msgc_chan *ch = dial(f);
    svc_Args a = svc_Args_INIT;
    svc_Caller c = svc_Caller_INIT;
    long long t0 = rt_now_ms();
    assert_int_equal(svc_Calc_Who(ch, &a, &c, 5000), 0);
    long long t1 = rt_now_ms();
    /* The deadline is the caller's CLOCK_MONOTONIC entry time plus its timeout. */
    assert_true(c.deadline >= t0 + 5000 && c.deadline <= t1 + 5000);
    if (is_mq(f)) {
        /* Queues do not authenticate senders. */
        assert_int_equal(c.peer_rc, MSGC_ENOTSUP);
    } else {
        assert_int_equal(c.peer_rc, 0);
        assert_int_equal(c.uid, geteuid());
        assert_int_equal(c.gid, getegid());
        assert_int_equal(c.pid, getpid());
    }
    /* A call that waits for ever carries no deadline. */
    assert_int_equal(svc_Calc_Who(ch, &a, &c, -1), 0);
    assert_true(c.deadline == -1);
    msgc_close(ch);
    rt_stop_server(f);
}

static int
note_then_add_main(void *argv)
{
    msgc_chan *ch = dial_url(argv);
    RT_CHECK(ch != NULL);
    svc_Args a = {.a = -77, .b = 1};
    RT_CHECK(svc_Calc_Note(ch, &a, 5000) == 0);
    svc_Result r = svc_Result_INIT;
    RT_CHECK(svc_Calc_Add(ch, &a, &r, 5000) == 0);
    RT_CHECK(r.value == -76);
    svc_Result_free(&r);
    msgc_close(ch);
    return 0;
}

static void
test_oneway_reaches_its_handler_and_sends_no_reply(void **state)
{
    fixture *f = *state;
    pid_t pid;
    msgc_chan *ch = listen_and_spawn(f, note_then_add_main, f->url, &pid);
    calc_ctx ctx = {0};
    assert_int_equal(svc_Calc_serve_one(ch, &calc_handlers, &ctx, 5000), 0);
    assert_int_equal(ctx.notes, 1);
    assert_true(ctx.last_note == -77);
    assert_int_equal(ctx.adds, 0);
    /* The Add that follows is served; had the oneway been answered, the caller would
     * have discarded that reply as late, and it still checks its own. */
    assert_int_equal(svc_Calc_serve_one(ch, &calc_handlers, &ctx, 5000), 0);
    assert_int_equal(ctx.adds, 1);
    assert_int_equal(rt_wait(pid), 0);
    assert_int_equal(svc_Calc_serve_one(ch, &calc_handlers, &ctx, 0), MSGC_ETIMEDOUT);
    assert_int_equal(msgc_dropped(ch), 0);
    msgc_close(ch);
}

/* --- stopping serve from a signal handler --- */

/* The listener a signal handler stops. */
static msgc_chan *g_chan;

static void
on_usr1_stop(int sig)
{
    (void)sig;
    msgc_stop(g_chan);
}

static int
three_adds(const char *url)
{
    msgc_chan *ch = dial_url(url);
    RT_CHECK(ch != NULL);
    svc_Result r = svc_Result_INIT;
    for (int64_t i = 0; i < 3; i++) {
        svc_Args a = {.a = i, .b = 10};
        RT_CHECK(svc_Calc_Add(ch, &a, &r, 5000) == 0);
        RT_CHECK(r.value == i + 10);
    }
    svc_Result_free(&r);
    msgc_close(ch);
    return 0;
}

/* Signals the parent whatever happened, so its serve never waits for a failed child. */
static int
three_adds_then_signal_main(void *argv)
{
    pid_t child = fork();
    if (child == 0)
        _exit(three_adds(argv));
    int st = child > 0 ? rt_wait(child) : 1;
    kill(getppid(), SIGUSR1);
    return st;
}

static void
test_stop_from_a_signal_handler_ends_serve_with_zero(void **state)
{
    fixture *f = *state;
    /* The handler is in place before the child can signal. */
    rt_catch_signal(SIGUSR1, on_usr1_stop);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    pid_t pid;
    g_chan = listen_and_spawn(f, three_adds_then_signal_main, f->url, &pid);
    sigprocmask(SIG_SETMASK, &old, NULL);
    calc_ctx ctx = {0};
    long long t0 = rt_now_ms();
    assert_int_equal(svc_Calc_serve(g_chan, &calc_handlers, &ctx), 0);
    assert_true(rt_now_ms() - t0 < 5000);
    assert_int_equal(rt_wait(pid), 0);
    assert_int_equal(ctx.adds, 3);
    /* Stopped for good: a later serve returns 0 at once, a recv sees the channel closed. */
    assert_int_equal(svc_Calc_serve(g_chan, &calc_handlers, &ctx), 0);
    svc_Point pt = svc_Point_INIT;
    assert_int_equal(svc_Point_recv(g_chan, &pt, -1), MSGC_ECLOSED);
    signal(SIGUSR1, SIG_DFL);
    msgc_close(g_chan);
    g_chan = NULL;
}

/* --- every feature of all_types.msg --- */

static int
all_sender_main(void *argv)
{
    msgc_chan *ch = dial_url(argv);
    RT_CHECK(ch != NULL);
    all_store s;
    at_All *a = malloc(sizeof *a);
    RT_CHECK(a != NULL);
    make_all(a, &s);
    RT_CHECK(at_All_send(ch, a, 5000) == 0);
    free(a);
    msgc_close(ch);
    return 0;
}

static void
test_all_types_message_round_trips(void **state)
{
    fixture *f = *state;
    pid_t pid;
    msgc_chan *ch = listen_and_spawn(f, all_sender_main, f->url, &pid);
    at_All *got = malloc(sizeof *got);
    assert_non_null(got);
    at_All_init(got);
    assert_int_equal(at_All_recv(ch, got, 5000), 0);
    assert_true(is_all(got));
    at_All_free(got);
    free(got);
    assert_int_equal(rt_wait(pid), 0);
    msgc_close(ch);
}

static void
test_all_types_message_round_trips_through_a_call(void **state)
{
    fixture *f = *state;
    start_server(f);
    msgc_chan *ch = dial(f);
    all_store s;
    at_All *req = malloc(sizeof *req), *rep = malloc(sizeof *rep);
    assert_non_null(req);
    assert_non_null(rep);
    make_all(req, &s);
    at_All_init(rep);
    assert_int_equal(svc_Calc_Mirror(ch, req, rep, 5000), 0);
    assert_true(is_all(rep));
    /* Again into the reply of the first call, which the second one releases. */
    assert_int_equal(svc_Calc_Mirror(ch, req, rep, 5000), 0);
    assert_true(is_all(rep));
    at_All_free(rep);
    free(rep);
    free(req);
    msgc_close(ch);
    rt_stop_server(f);
}

int
main(void)
{
    signal(SIGPIPE, SIG_DFL); /* SIGPIPE must never be raised, so it may stay fatal */
    const struct CMUnitTest tests[] = {
        RT_BOTH(test_message_with_nested_repeated_and_string_fields_arrives_equal),
        RT_BOTH(test_send_many_and_recv_many_deliver_every_message_in_order),
        RT_BOTH(test_wrong_type_leaves_the_message_pending_for_its_own_stub),
        RT_BOTH(test_batches_of_one_two_a_full_frame_and_more_arrive_equal_and_in_order),
        RT_BOTH(test_mixed_sizes_arrive_whole_and_a_message_too_big_is_etoobig_after_those_before),
        RT_BOTH(test_recv_of_another_type_after_a_batch_is_etype_with_the_record_first_in_line),
        RT_BOTH(test_recv_many_smaller_than_a_batch_leaves_the_rest_pending_and_msgc_fd_readable),
        RT_BOTH(test_serve_drops_each_record_of_a_batch_and_counts_it),
        RT_BOTH(test_batch_cut_short_by_its_timeout_reports_the_messages_that_went),
        RT_BOTH(test_stub_roles_send_on_listener_and_recv_on_dialer_are_enotsup),
        RT_BOTH(test_call_returns_the_handlers_reply),
        RT_BOTH(test_handler_statuses_reach_the_caller),
        RT_BOTH(test_method_missing_from_the_servers_schema_is_enotsup),
        RT_BOTH(test_method_without_handler_is_enotsup),
        RT_BOTH(test_handler_sees_the_callers_identity_and_deadline),
        RT_BOTH(test_oneway_reaches_its_handler_and_sends_no_reply),
        RT_BOTH(test_stop_from_a_signal_handler_ends_serve_with_zero),
        RT_BOTH(test_all_types_message_round_trips),
        RT_BOTH(test_all_types_message_round_trips_through_a_call),
    };
    return cmocka_run_group_tests_name("stubs", tests, NULL, NULL);
}
