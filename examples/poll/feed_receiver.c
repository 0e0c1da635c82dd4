/* feed_receiver.c - listens on several channels at once and waits on all of them with
 * one poll(2), using msgc_fd.
 *
 *     feed_receiver URL...      e.g.  feed_receiver mq:/feed unix:/tmp/feed.sock
 *
 * msgc_fd gives a descriptor that is readable whenever a recv on that channel would not
 * block, whatever the transport (a POSIX queue, a Unix socket listener with any number
 * of connections). msgc_next_type says which message type waits, so one loop handles
 * samples and alarms on every channel. One sender feeds each channel here: the receiver
 * stops once every channel has brought a last sample, or after 10 s of silence.
 */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <stdio.h>

#include "feed.msg.h"

#define MAX_CHANS 8

typedef struct totals {
    unsigned samples, alarms, done; /* done: channels whose sender sent its last sample */
} totals;

/* Receives what waits on ch, each message by its type. Returns 0 or an msgc error. */
static int
drain(msgc_chan *ch, const char *url, totals *t)
{
    for (;;) {
        uint64_t type = 0;
        int rc = msgc_next_type(ch, &type, 0);
        if (rc == MSGC_ETIMEDOUT)
            return 0; /* nothing (more) to read: e.g. a dialer's handshake woke us */
        if (rc != 0)
            return rc;
        if (type == feed_Sample_TYPE_ID) {
            feed_Sample s = feed_Sample_INIT;
            if ((rc = feed_Sample_recv(ch, &s, 0)) != 0)
                return rc;
            printf("feed_receiver: %-30s sample %-8s #%u = %.2f%s\n", url, s.source, s.seq, s.value,
                   s.last ? " (last)" : "");
            t->samples++;
            t->done += s.last;
        } else if (type == feed_Alarm_TYPE_ID) {
            feed_Alarm a = feed_Alarm_INIT;
            if ((rc = feed_Alarm_recv(ch, &a, 0)) != 0)
                return rc;
            printf("feed_receiver: %-30s ALARM  %-8s %s\n", url, a.source, a.text);
            t->alarms++;
        } else {
            fprintf(stderr, "feed_receiver: unknown type 0x%016llx\n", (unsigned long long)type);
            return MSGC_ETYPE;
        }
    }
}

int
main(int argc, char **argv)
{
    int n = argc - 1;
    if (n < 1 || n > MAX_CHANS) {
        fprintf(stderr, "usage: feed_receiver URL... (1 to %d)\n", MAX_CHANS);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* Queues sized for these messages, not the 8 KiB default: every queue counts against
     * the user's RLIMIT_MSGQUEUE budget. Sockets take the same option as their limit. */
    msgc_opts o = MSGC_OPTS_INIT;
    o.max_msg =
        feed_Alarm_MAX_SIZE > feed_Sample_MAX_SIZE ? feed_Alarm_MAX_SIZE : feed_Sample_MAX_SIZE;
    msgc_chan *ch[MAX_CHANS] = {NULL};
    struct pollfd pfd[MAX_CHANS];
    int rc = 0;
    for (int i = 0; i < n; i++) {
        rc = msgc_listen(&ch[i], argv[i + 1], &o);
        if (rc != 0) {
            fprintf(stderr, "feed_receiver: listen %s: %s (%s)\n", argv[i + 1], msgc_strerror(rc),
                    msgc_last_error()->detail);
            while (i-- > 0)
                msgc_close(ch[i]);
            return 1;
        }
        pfd[i] = (struct pollfd){.fd = msgc_fd(ch[i]), .events = POLLIN};
    }
    printf("feed_receiver: waiting on %d channels with poll()\n", n);
    totals t = {0};
    unsigned wakeups = 0;
    while (rc == 0 && t.done < (unsigned)n) {
        int ready = poll(pfd, (nfds_t)n, 10000);
        if (ready <= 0) {
            fprintf(stderr, "feed_receiver: %s\n",
                    ready == 0 ? "10 s without a message" : "poll failed");
            rc = 1;
            break;
        }
        wakeups++;
        for (int i = 0; i < n && rc == 0; i++)
            if (pfd[i].revents & POLLIN)
                rc = drain(ch[i], argv[i + 1], &t);
    }
    if (rc < 0)
        fprintf(stderr, "feed_receiver: %s (%s)\n", msgc_strerror(rc), msgc_last_error()->detail);
    printf("feed_receiver: %u samples and %u alarms on %d channels in %u wakeups of poll()\n",
           t.samples, t.alarms, n, wakeups);
    for (int i = 0; i < n; i++)
        msgc_close(ch[i]); /* removes the queue and the socket file it created */
    return rc != 0;
}
