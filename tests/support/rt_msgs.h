/* rt_msgs.h - two tiny message types and a service, with hand-written descriptors, for
 * the runtime's channel and RPC tests (they need no generated code).
 *
 *   message Num  { uint64 a = 1; string s = 2 [max = 63]; }     package "rt"
 *   message Blob { bytes data = 1; }
 *   service Calc {
 *       rpc Add(Num) returns (Num);     rep.a = req.a + 1, rep.s = req.s
 *       rpc Status(Num) returns (Num);  returns (int)req.a as the handler status
 *       rpc Sleep(Num) returns (Num);   sleeps req.a ms, then rep.a = req.a
 *       rpc Big(Num) returns (Blob);    a reply of req.a bytes
 *       rpc Missing(Num) returns (Num); no handler in rt_calc_handlers
 *       oneway Note(Num);               counts into rt_ctx
 *   }
 */
#ifndef RT_MSGS_H
#define RT_MSGS_H

#include "msgc.h"

typedef struct rt_Num {
    uint64_t a;
    char s[64];
} rt_Num;

typedef struct rt_Blob {
    msgc_bytes data;
} rt_Blob;

extern const msgc_desc rt_Num_desc;
extern const msgc_desc rt_Blob_desc;

typedef struct rt_Calc_handlers {
    int (*Add)(void *ctx, const msgc_call *call, const rt_Num *req, rt_Num *rep);
    int (*Status)(void *ctx, const msgc_call *call, const rt_Num *req, rt_Num *rep);
    int (*Sleep)(void *ctx, const msgc_call *call, const rt_Num *req, rt_Num *rep);
    int (*Big)(void *ctx, const msgc_call *call, const rt_Num *req, rt_Blob *rep);
    int (*Missing)(void *ctx, const msgc_call *call, const rt_Num *req, rt_Num *rep);
    void (*Note)(void *ctx, const msgc_call *call, const rt_Num *m);
} rt_Calc_handlers;

enum { RT_ADD, RT_STATUS, RT_SLEEP, RT_BIG, RT_MISSING, RT_NOTE, RT_N_METHODS };

extern const msgc_service_desc rt_Calc_service;
/* The same service as a client that sends Add with a Blob request (undecodable by the
 * server) and a method the server does not know ("rt.Calc/Unknown", index RT_ADD+1). */
extern const msgc_service_desc rt_Bad_service;

/* What the handlers below record. */
typedef struct rt_ctx {
    unsigned notes;
    uint64_t last_note;
    uid_t uid;
    pid_t pid;
    int64_t deadline;
} rt_ctx;

extern const rt_Calc_handlers rt_calc_handlers;

/* Calls method number method of rt.Calc with a request of a, reply in *rep. */
int rt_call_num(msgc_chan *ch, size_t method, uint64_t a, rt_Num *rep, int timeout_ms);

#endif
