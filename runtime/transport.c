/* transport.c - the transport registry (by URL scheme) and helpers the transports share. */
#include "transport.h"

#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <time.h>

static const msgc_transport *const transports[] = {
    &msgc__transport_mq,
    &msgc__transport_unix,
};

static void
check_ops(const msgc_transport *t)
{
    /* A transport missing a mandatory op is a programming error, not a user error. */
    assert(t->scheme && t->priv_size > 0);
    assert(t->t_listen && t->t_dial && t->t_send && t->t_recv);
    assert(t->t_fileno && t->t_max_frame && t->t_close);
    (void)t;
}

const msgc_transport *
msgc__transport_find(const char *url, const char **addr)
{
    const char *colon = strchr(url, ':');
    if (!colon)
        return msgc__fail(MSGC_EINVAL, "URL \"%.64s\" has no scheme (\"mq:/NAME\", \"unix:PATH\")",
                          url),
               NULL;
    size_t n = (size_t)(colon - url);
    for (size_t i = 0; i < sizeof transports / sizeof transports[0]; i++) {
        const msgc_transport *t = transports[i];
        check_ops(t);
        if (strlen(t->scheme) == n && memcmp(t->scheme, url, n) == 0) {
            *addr = colon + 1;
            return t;
        }
    }
    msgc__fail(MSGC_ENOTSUP, "no transport for URL scheme \"%.*s\"", (int)(n > 32 ? 32 : n),
               url);
    return NULL;
}

/* --- time --- */

int64_t
msgc__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
msgc__deadline(int timeout_ms)
{
    return timeout_ms < 0 ? -1 : msgc__now_ms() + timeout_ms;
}

int
msgc__remaining(int64_t deadline, int cap_ms)
{
    int64_t left;
    if (deadline < 0) {
        left = -1;
    } else {
        left = deadline - msgc__now_ms();
        if (left < 0)
            left = 0;
        if (left > INT32_MAX)
            left = INT32_MAX;
    }
    if (cap_ms >= 0 && (left < 0 || left > cap_ms))
        left = cap_ms;
    return (int)left;
}

int
msgc__wait_fd(int fd, short events, int stop_fd, int64_t deadline, int tick_ms)
{
    /* The tick is measured from entry, not from the last wake: a signal may interrupt
     * every poll long before a full tick, and the caller's periodic check must come all
     * the same. */
    int64_t tick_end = tick_ms >= 0 ? msgc__now_ms() + tick_ms : -1;
    for (int tick_left = tick_ms;; tick_left = msgc__remaining(tick_end, -1)) {
        struct pollfd p[2] = {{.fd = fd, .events = events}, {.fd = stop_fd, .events = POLLIN}};
        int left = msgc__remaining(deadline, -1);
        bool tick = tick_ms >= 0 && (left < 0 || left > tick_left);
        int r = poll(p, 2, tick ? tick_left : left);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return msgc__fail_sys(errno, "poll", NULL);
        }
        if (p[1].revents)
            return msgc__fail(MSGC_ECLOSED, "channel stopped");
        if (p[0].revents)
            return 0;
        if (left == 0)
            return msgc__fail(MSGC_ETIMEDOUT, "deadline passed");
        if (tick && r == 0 && msgc__remaining(tick_end, -1) == 0)
            return 1;
        /* poll counts whole milliseconds and may wake a little early: look again. */
    }
}
