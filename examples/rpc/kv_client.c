/* kv_client.c - one client process of the kv.Store service: puts KEYS keys of its own,
 * reads each back, asks for one key nobody stored, and checks every reply (2 x KEYS + 1
 * calls).
 *
 *     kv_client URL ID KEYS    e.g.  kv_client unix:/tmp/kv.sock 1 500
 *     kv_client URL stats      prints the server's counters
 *
 * Each call is one generated function, kv_Store_Put or kv_Store_Get, which sends the
 * request and waits for its own reply (at most 5 s here); the server answers each client
 * on its own connection, so clients running at the same time never see each other's
 * replies.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kv.msg.h"

#define TIMEOUT_MS 5000

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
fail(const char *what, int rc)
{
    if (rc < 0)
        fprintf(stderr, "kv_client: %s: %s (%s)\n", what, msgc_strerror(rc),
                msgc_last_error()->detail);
    else
        fprintf(stderr, "kv_client: %s: unexpected reply (status %d)\n", what, rc);
    return 1;
}

/* Puts key k of client id, reads it back and checks both replies. */
static int
put_and_get(msgc_chan *ch, unsigned id, unsigned k)
{
    kv_Entry e = kv_Entry_INIT;
    snprintf(e.key, sizeof e.key, "client%u/key%u", id, k);
    int n = snprintf((char *)e.value.data, sizeof e.value.data, "value %u of client %u", k, id);
    e.value.len = (size_t)n;
    kv_Stored st = kv_Stored_INIT;
    int rc = kv_Store_Put(ch, &e, &st, TIMEOUT_MS);
    if (rc != 0 || st.version == 0)
        return fail("Put", rc);
    kv_Key key = kv_Key_INIT;
    memcpy(key.key, e.key, sizeof key.key);
    kv_Value v = kv_Value_INIT;
    rc = kv_Store_Get(ch, &key, &v, TIMEOUT_MS);
    if (rc != 0 || v.version != st.version || v.value.len != e.value.len ||
        memcmp(v.value.data, e.value.data, e.value.len) != 0)
        return fail("Get", rc);
    return 0;
}

static int
run_client(msgc_chan *ch, unsigned id, unsigned keys)
{
    double t0 = now_s();
    unsigned done = 0;
    for (unsigned k = 0; k < keys; k++, done += 2)
        if (put_and_get(ch, id, k) != 0)
            return 1;
    /* A key nobody stored: the handler's positive status comes back as the return value. */
    kv_Key key = kv_Key_INIT;
    snprintf(key.key, sizeof key.key, "client%u/missing", id);
    kv_Value v = kv_Value_INIT;
    int rc = kv_Store_Get(ch, &key, &v, TIMEOUT_MS);
    if (rc != kv_NOT_FOUND)
        return fail("Get of a missing key", rc);
    done++;
    double dt = now_s() - t0;
    printf("kv_client %u: %u calls in %.0f ms (%.0f calls/s, %.1f us each), every reply "
           "checked, missing key -> status kv_NOT_FOUND\n",
           id, done, dt * 1e3, done / dt, dt * 1e6 / done);
    return 0;
}

static int
print_stats(msgc_chan *ch)
{
    kv_StatsRequest req = kv_StatsRequest_INIT;
    kv_Stats s = kv_Stats_INIT;
    int rc = kv_Store_Stat(ch, &req, &s, TIMEOUT_MS);
    if (rc != 0)
        return fail("Stat", rc);
    printf("kv_client: server counts %llu puts, %llu gets (%llu misses), %u keys, "
           "%u client processes\n",
           (unsigned long long)s.puts, (unsigned long long)s.gets, (unsigned long long)s.misses,
           s.keys, s.clients);
    return 0;
}

int
main(int argc, char **argv)
{
    bool stats = argc == 3 && strcmp(argv[2], "stats") == 0;
    if (!stats && (argc != 4 || atoi(argv[2]) < 1 || atoi(argv[3]) < 1)) {
        fprintf(stderr, "usage: kv_client URL ID KEYS | kv_client URL stats\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    msgc_opts o = MSGC_OPTS_INIT;
    o.dial_timeout_ms = 5000; /* the server may still be starting */
    msgc_chan *ch = NULL;
    int rc = msgc_dial(&ch, argv[1], &o);
    if (rc != 0)
        return fail("dial", rc);
    rc = stats ? print_stats(ch) : run_client(ch, (unsigned)atoi(argv[2]), (unsigned)atoi(argv[3]));
    msgc_close(ch);
    return rc;
}
