/* transport.h - the frame between stubs and transports, and the transport vtable.
 *
 * A transport moves frames: a fixed header (frame.c, docs/protocol.md) followed by the
 * encoded message. Transports never look inside the body, and the channel layer
 * (chan.c, rpc.c) never looks at a file descriptor other than the one a transport
 * reports for poll. Internal to libmsgc.
 */
#ifndef MSGC_TRANSPORT_H
#define MSGC_TRANSPORT_H

#include "msgc_internal.h"

#include <signal.h>

/* --- the frame header --- */

#define MSGC__FRAME_MAGIC0 0x6du /* 'm' */
#define MSGC__FRAME_MAGIC1 0x63u /* 'c' */
#define MSGC__FRAME_MAJOR 1u
#define MSGC__FRAME_MINOR 1u
/* The first minor version whose readers take BATCH frames. A 1.0 reader refuses them as
 * an unknown kind (MSGC_EPROTO), so a sender packs batches only for peers that announced
 * this version or a later one. */
#define MSGC__FRAME_MINOR_BATCH 1u
/* Bytes of the version 1.x header. A later minor version may append fields and announce
 * the longer header in hdr_len; readers skip what they do not know. */
#define MSGC__HDR_SIZE 48u

typedef enum msgc_frame_kind {
    MSGC__FRAME_MESSAGE = 1, /* a plain message; id is the type id */
    MSGC__FRAME_CALL = 2,    /* a request expecting a reply; id is the method id */
    MSGC__FRAME_REPLY = 3,   /* the reply to call_id; status says how the call went */
    MSGC__FRAME_ONEWAY = 4,  /* a request without reply; id is the method id */
    MSGC__FRAME_HELLO = 5,   /* dialer -> listener, first frame of a connection */
    MSGC__FRAME_WELCOME = 6, /* listener -> dialer, answers HELLO with a status */
    MSGC__FRAME_BATCH = 7    /* 1.1: aux records, each a message of type id (see below) */
} msgc_frame_kind;

typedef struct msgc_frame {
    unsigned major, minor;
    unsigned kind;      /* msgc_frame_kind */
    size_t hdr_len;     /* where the body starts */
    uint64_t id;        /* type id or method id */
    uint64_t call_id;   /* CALL and REPLY; 0 otherwise */
    int32_t status;     /* REPLY and WELCOME: 0, a positive application status or msgc_err */
    uint32_t aux;       /* HELLO/WELCOME: the largest frame the sender accepts; BATCH: the
                           number of records */
    uint64_t reply_to;  /* transport-owned return address (mq: reply queue token), else 0 */
    int64_t deadline;   /* CLOCK_MONOTONIC ms of the caller's deadline, -1 for none */
} msgc_frame;

/* Fills f with a version 1.0 header of the given kind; other fields zero, deadline -1. */
void msgc__frame_init(msgc_frame *f, unsigned kind);
/* Writes f's header into buf (MSGC__HDR_SIZE bytes, little-endian). */
void msgc__frame_put(const msgc_frame *f, uint8_t *buf);
/* Parses the header at the start of buf[0..len). Trusts nothing in it: returns
 * MSGC_EPROTO (with a detail) for a short frame, a bad magic, another major version, a
 * header length outside [MSGC__HDR_SIZE, len], an unknown kind, or a BATCH frame whose
 * body is not exactly aux records (msgc__batch_check). */
MSGC_NODISCARD int msgc__frame_parse(msgc_frame *f, const uint8_t *buf, size_t len);
/* Whether a dialer may send frames of this kind once its handshake is done: message,
 * call, oneway and batch. Hello comes only first, reply and welcome only from a
 * listener. */
bool msgc__kind_from_dialer(unsigned kind);
/* Whether buf[0..len) starts with a header msgc__frame_parse accepts (its batch records
 * aside, which belong to the body) of a kind msgc__kind_from_dialer accepts. A listener
 * drops a connection that sends anything else. When it is false, msgc_last_error may
 * say why. */
bool msgc__frame_from_dialer(const uint8_t *buf, size_t len);

/* --- batch records ---
 *
 * The body of a BATCH frame is aux >= 1 records back to back, filling it exactly. A record
 * is the length of one encoded message as a varint (protobuf's base-128, at most 5 bytes,
 * below 2^31) followed by that many bytes of the message. */

/* The largest record length: a message is below 2 GiB. */
#define MSGC__RECORD_MAX MSGC_MAX_MESSAGE_SIZE
/* Bytes of the varint of a record of len bytes. */
size_t msgc__record_len_size(size_t len);
/* Writes the varint of len at p; returns its size. */
size_t msgc__record_put_len(uint8_t *p, size_t len);
/* Checks that body[0..len) is exactly count records, each length within what is left.
 * MSGC_EPROTO, with the record's number in the detail, for no records, a truncated or
 * too long varint, a length past the end, fewer records than count or bytes after the
 * last one. Reads nothing outside body[0..len). */
MSGC_NODISCARD int msgc__batch_check(const uint8_t *body, size_t len, uint32_t count);
/* The record at p, inside a body msgc__batch_check accepted: its bytes start at the
 * returned pointer and take *len bytes. */
const uint8_t *msgc__batch_record(const uint8_t *p, size_t *len);

/* The transport-owned return address of a frame, read or written in place (buf holds at
 * least MSGC__HDR_SIZE bytes). */
uint64_t msgc__frame_reply_to(const uint8_t *buf);
void msgc__frame_set_reply_to(uint8_t *buf, uint64_t reply_to);

/* --- time --- */

/* CLOCK_MONOTONIC in milliseconds. */
int64_t msgc__now_ms(void);
/* The absolute deadline of a timeout given at entry: -1 for a negative timeout. */
int64_t msgc__deadline(int timeout_ms);
/* Milliseconds left until deadline for poll(): -1 for none, 0 when passed, capped at
 * cap_ms when cap_ms >= 0. */
int msgc__remaining(int64_t deadline, int cap_ms);

/* --- the transport vtable --- */

/* Peer handles name the other end of one frame. 0 is "the listener this dialer
 * reached"; a listener gets a non-zero handle with every received frame and passes it
 * back to send the reply to the dialer that asked. MSGC__PEER_ALL is reserved for the
 * fan-out of publish/subscribe. */
#define MSGC__PEER_NONE 0u
#define MSGC__PEER_ALL UINT64_MAX

/* One frame in a batch. Send: buf[0..len) is the header and body, written in place (the
 * header's reply_to bytes may be rewritten by the transport), peer and prio say where and
 * how. Recv: the transport writes up to cap bytes into buf and sets len, peer and prio. */
typedef struct msgc_tmsg {
    uint8_t *buf;
    size_t len;
    size_t cap;
    uint64_t peer;
    unsigned prio;
} msgc_tmsg;

/* What a transport gets when it opens. */
typedef struct msgc_tparams {
    const msgc_opts *opts; /* never NULL: defaults filled in */
    int stop_fd;           /* readable once msgc_stop ran: every wait polls it too */
    const volatile sig_atomic_t *stopped;
} msgc_tparams;

/* Transport capabilities (caps). */
#define MSGC__TCAP_PRIORITY 1u  /* per-message priority */
#define MSGC__TCAP_PEERCRED 2u  /* t_peer_cred can name a caller */
#define MSGC__TCAP_UIDS 4u      /* the uid allowlist of msgc_opts is enforced */
#define MSGC__TCAP_READAHEAD 8u /* t_recv brings several waiting frames in one system
                                   call, so a listener offers it every free inbox slot */

/* Hints of t_recv (flags). */
#define MSGC__RECV_IDLE 1u /* a wait is likely (a server between requests): wait for the
                              descriptor first rather than try a receive that would fail */

/* Deadlines are absolute CLOCK_MONOTONIC milliseconds (msgc__deadline): -1 waits for
 * ever, a deadline already passed never blocks. Every op that waits also returns
 * MSGC_ECLOSED as soon as stop_fd becomes readable, and restarts after EINTR. Every
 * failing op records msgc_last_error. Ops get the priv area that transport.c allocated
 * (priv_size bytes, zeroed) and must not keep pointers into the caller's buffers. */
typedef struct msgc_transport {
    const char *scheme; /* "mq", "unix": the part of the URL before the first ':' */
    size_t priv_size;
    unsigned caps;
    /* Creates the endpoint at addr (the URL after "scheme:") and starts accepting
     * dialers. t_close must be safe after a failed t_listen. */
    int (*t_listen)(void *priv, const char *addr, const msgc_tparams *p);
    /* Reaches the listener at addr, waiting up to opts->dial_timeout_ms for it to appear;
     * completes the transport's handshake (MSGC_EPERM, MSGC_EPROTO). */
    int (*t_dial)(void *priv, const char *addr, const msgc_tparams *p);
    /* Sends msgs[0..n) in order; *done counts the frames sent, also on failure. Returns 0
     * when all went, else the error that stopped the batch: MSGC_ETIMEDOUT (no room
     * before the deadline), MSGC_ETOOBIG, MSGC_ECLOSED (peer gone; for a listener's reply
     * the frame is dropped and 0 returned instead, since a dead caller must never fail
     * its server). */
    int (*t_send)(void *priv, msgc_tmsg *msgs, size_t n, size_t *done, int64_t deadline);
    /* Waits until at least one frame is there (or the deadline), then receives up to n
     * frames that are available without waiting. *done counts them. A listener accepts
     * dialers and handles their handshakes and hang-ups inside this call; only a failure
     * of the channel itself is returned. A connection-oriented listener drops a dialer
     * that breaks the protocol (msgc__frame_from_dialer), after handing over the frames
     * it sent before, the offending one included so the channel can refuse it.
     * MSGC_ECLOSED: the listener is gone (dialer).
     * flags (MSGC__RECV_*) are hints that change no result, only the system calls. */
    int (*t_recv)(void *priv, msgc_tmsg *msgs, size_t n, size_t *done, int64_t deadline,
                  unsigned flags);
    /* A descriptor that polls readable when t_recv would not block, or -1. */
    int (*t_fileno)(void *priv);
    /* The largest frame (header included) this connection carries in either direction. */
    size_t (*t_max_frame)(void *priv);
    /* Optional. The frame minor version the peer announced (unix: in its WELCOME). Without
     * it the peer is taken to speak this runtime's version. */
    unsigned (*t_peer_minor)(void *priv);
    /* Optional. Prepares a dialer for replies of up to max_frame bytes (mq creates its
     * reply queue here, on the first call). */
    int (*t_expect_replies)(void *priv, size_t max_frame);
    /* Optional (MSGC__TCAP_PEERCRED). Credentials of the sender of a frame. */
    int (*t_peer_cred)(void *priv, uint64_t peer, uid_t *uid, gid_t *gid, pid_t *pid);
    /* Optional. Called by msgc_stop after the stop flag is set and stop_fd written:
     * wakes an op that waits in a blocking system call rather than in poll (a dialer
     * waiting for its reply, an mq listener waiting for a frame). Async-signal-safe; may
     * run on any thread. */
    void (*t_stop)(void *priv);
    /* Releases everything and removes what this process created. Never blocks, never
     * fails. */
    void (*t_close)(void *priv);
} msgc_transport;

extern const msgc_transport msgc__transport_mq;
extern const msgc_transport msgc__transport_unix;

/* The transport for url's scheme, and in *addr the rest of the URL. NULL (with
 * msgc_last_error set to MSGC_EINVAL or MSGC_ENOTSUP) when there is none. */
const msgc_transport *msgc__transport_find(const char *url, const char **addr);

/* --- helpers shared by the transports --- */

/* Waits until fd has any of events (POLLIN/POLLOUT) or stop_fd fires or the deadline
 * passes, retrying EINTR. Returns 0 (ready), MSGC_ETIMEDOUT, MSGC_ECLOSED (stopped), or
 * MSGC_ESYS. tick_ms >= 0 caps the wait so the caller can run a periodic check: then 1
 * means "tick_ms have passed since entry, nothing ready". Signals do not postpone the
 * tick: it ends tick_ms after entry however often poll is interrupted. The clock is read
 * only when the deadline or the tick needs it. */
int msgc__wait_fd(int fd, short events, int stop_fd, int64_t deadline, int tick_ms);

#endif

/* --- channels (chan.c, rpc.c) --- */

/* One received frame waiting in a channel's inbox. A BATCH frame hands out its records one
 * at a time, each as if it were a MESSAGE frame of the batch's type id: f.kind says
 * MESSAGE, and body, body_len name the record at the head. */
typedef struct msgc_slot {
    uint8_t *buf; /* max_frame bytes */
    size_t len;
    uint64_t peer;
    msgc_frame f;
    size_t body, body_len; /* the message at the head: buf[body .. body + body_len) */
    size_t next;           /* BATCH: offset of the record after the head one */
    size_t left;           /* BATCH: records after the head one */
} msgc_slot;

struct msgc_chan {
    const msgc_transport *tp;
    void *priv;
    bool listener;
    bool dead; /* a dialer that saw MSGC_ECLOSED stays closed */
    volatile sig_atomic_t stopped;
    int stop_fd; /* eventfd written by msgc_stop, never drained */
    int pend_fd; /* eventfd readable while frames wait in the inbox after a return */
    bool pend_signalled;
    /* msgc_fd was called. Until then nobody can poll the channel, so frames waiting in
     * the inbox need not be signalled (two system calls saved per waiting frame). */
    bool fd_exported;
    int ep_fd; /* msgc_fd: stop_fd, pend_fd and the transport's descriptor */
    unsigned prio;
    msgc_opts opts;
    uid_t *uids; /* owned copy of opts.allow_uids */
    size_t max_frame;
    /* Received frames not consumed yet, in arrival order: slots[head..tail). */
    msgc_slot *slots;
    size_t n_slots, head, tail;
    msgc_tmsg *tmsgs; /* n_slots entries, for batches */
    /* Outgoing frames: n_out buffers of max_frame bytes, their transport entries, and the
     * messages each holds (a BATCH frame holds several). */
    uint8_t *out;
    msgc_tmsg *out_t;
    size_t *out_msgs;
    size_t n_out;
    bool batches; /* the peer reads BATCH frames: send_many packs messages into them */
    uint64_t next_call_id;
    void *scratch; /* serve: decoded request and reply structs */
    size_t scratch_size;
    size_t dropped; /* plain messages and expired requests serve dropped */
};

struct msgc_call {
    msgc_chan *ch;
    uint64_t peer;
    uint64_t call_id;
    int64_t deadline;
};

/* Makes sure the inbox holds at least one frame, receiving up to want frames (at most
 * n_slots; on a listener of a MSGC__TCAP_READAHEAD transport, every slot) when it is
 * empty. flags are t_recv's hints. Malformed frames, and on a listener frames of a kind
 * no dialer sends, are dropped: MSGC_EPROTO when a receive brought nothing else. */
int msgc__chan_fetch(msgc_chan *ch, size_t want, int64_t deadline, unsigned flags);
/* The frame at the head of the inbox, or NULL. */
msgc_slot *msgc__chan_head(msgc_chan *ch);
/* Drops the message at the head: the next record of a batch, or else the head frame. */
void msgc__chan_pop(msgc_chan *ch);
/* Called before returning to the user: keeps msgc_fd readable while frames wait. */
void msgc__chan_settle(msgc_chan *ch);
/* Grows the inbox to want frames, within the batch limits; returns the slots it has. */
size_t msgc__chan_inbox(msgc_chan *ch, size_t want);
/* Grows the outgoing buffers to want frames, within the batch limits, keeping the frames
 * already in them (out_t[i].buf follows a move); returns the buffers it has. */
size_t msgc__chan_out(msgc_chan *ch, size_t want);
/* Records a transport error on ch: MSGC_ECLOSED makes a dialer dead. Returns err. */
int msgc__chan_error(msgc_chan *ch, int err);

/* Test hook: the name of a mq dialer's reply queue ("" before its first call). */
const char *msgc__mq_reply_name(const msgc_chan *ch);
