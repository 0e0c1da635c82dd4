/* kv_server.c - serves the kv.Store service (kv.msg) on one channel until SIGTERM/SIGINT.
 *
 *     kv_server URL           e.g.  kv_server unix:/tmp/kv.sock
 *
 * The generated kv_Store_serve receives each call, decodes the request, runs the handler
 * from the kv_Store_handlers table and sends its reply back to the client that called,
 * however many clients are connected. The signal handler calls msgc_stop, which is
 * async-signal-safe: serve then returns 0, and msgc_close removes the socket file.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kv.msg.h"

#define SLOTS 4096 /* open addressing; a power of two */
#define MAX_CLIENTS 64

typedef struct slot {
    bool used;
    char key[sizeof((kv_Entry *)0)->key];
    kv_Value value;
} slot;

typedef struct store {
    slot slots[SLOTS];
    kv_Stats stats;
    pid_t clients[MAX_CLIENTS];
} store;

/* The slot of key: the one holding it, else the empty one where it would go; NULL when
 * the table is full. The hash is msgc's own 64-bit FNV-1a. */
static slot *
find(store *s, const char *key)
{
    uint64_t h = msgc_fnv1a64(key);
    for (size_t i = 0; i < SLOTS; i++) {
        slot *sl = &s->slots[(h + i) & (SLOTS - 1)];
        if (!sl->used || strcmp(sl->key, key) == 0)
            return sl;
    }
    return NULL;
}

/* Counts distinct callers: on a Unix socket the server knows each caller's pid. */
static void
note_caller(store *s, const msgc_call *call)
{
    uid_t uid;
    gid_t gid;
    pid_t pid;
    if (msgc_call_peer(call, &uid, &gid, &pid) != 0)
        return;
    for (uint32_t i = 0; i < s->stats.clients; i++)
        if (s->clients[i] == pid)
            return;
    if (s->stats.clients < MAX_CLIENTS)
        s->clients[s->stats.clients++] = pid;
}

static int
on_put(void *ctx, const msgc_call *call, const kv_Entry *req, kv_Stored *rep)
{
    store *s = ctx;
    note_caller(s, call);
    slot *sl = find(s, req->key);
    if (!sl)
        return kv_FULL;
    if (!sl->used) {
        sl->used = true;
        memcpy(sl->key, req->key, sizeof sl->key);
        s->stats.keys++;
    }
    sl->value.value.len = req->value.len;
    memcpy(sl->value.value.data, req->value.data, req->value.len);
    sl->value.version = ++s->stats.puts;
    rep->version = sl->value.version;
    return 0;
}

static int
on_get(void *ctx, const msgc_call *call, const kv_Key *req, kv_Value *rep)
{
    store *s = ctx;
    note_caller(s, call);
    s->stats.gets++;
    slot *sl = find(s, req->key);
    if (!sl || !sl->used) {
        s->stats.misses++;
        return kv_NOT_FOUND; /* a positive status: no reply body travels */
    }
    *rep = sl->value;
    return 0;
}

static int
on_stat(void *ctx, const msgc_call *call, const kv_StatsRequest *req, kv_Stats *rep)
{
    (void)req;
    store *s = ctx;
    note_caller(s, call);
    *rep = s->stats;
    return 0;
}

static const kv_Store_handlers handlers = {.Put = on_put, .Get = on_get, .Stat = on_stat};

static msgc_chan *g_chan;
static volatile sig_atomic_t g_signal;

static void
on_signal(int sig)
{
    g_signal = sig;
    msgc_stop(g_chan);
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: kv_server URL\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    static store s; /* about 1.3 MB: not on the stack */
    int rc = msgc_listen(&g_chan, argv[1], NULL);
    if (rc != 0) {
        fprintf(stderr, "kv_server: listen %s: %s (%s)\n", argv[1], msgc_strerror(rc),
                msgc_last_error()->detail);
        return 1;
    }
    /* Installed once the channel exists, so the handler always has one to stop. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    printf("kv_server: serving kv.Store on %s (pid %ld)\n", argv[1], (long)getpid());

    rc = kv_Store_serve(g_chan, &handlers, &s);
    if (rc != 0)
        fprintf(stderr, "kv_server: serve: %s (%s)\n", msgc_strerror(rc),
                msgc_last_error()->detail);
    printf("kv_server: stopped by %s: %llu puts, %llu gets (%llu misses) from %u client "
           "processes, %u keys stored\n",
           g_signal == SIGINT    ? "SIGINT"
           : g_signal == SIGTERM ? "SIGTERM"
                                 : "an error",
           (unsigned long long)s.stats.puts, (unsigned long long)s.stats.gets,
           (unsigned long long)s.stats.misses, s.stats.clients, s.stats.keys);
    msgc_close(g_chan);
    return rc != 0;
}
