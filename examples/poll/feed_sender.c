/* feed_sender.c - dials one channel and sends samples, with an alarm in the middle.
 *
 *     feed_sender URL NAME COUNT    e.g.  feed_sender mq:/feed sensor-a 5
 *
 * The same program talks to a POSIX queue or a Unix socket: only the URL differs.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "feed.msg.h"

int
main(int argc, char **argv)
{
    if (argc != 4 || atoi(argv[3]) < 1) {
        fprintf(stderr, "usage: feed_sender URL NAME COUNT\n");
        return 2;
    }
    const char *url = argv[1], *name = argv[2];
    unsigned count = (unsigned)atoi(argv[3]);
    msgc_opts o = MSGC_OPTS_INIT;
    o.dial_timeout_ms = 5000; /* the receiver may start later */
    msgc_chan *ch = NULL;
    int rc = msgc_dial(&ch, url, &o);
    for (unsigned i = 1; i <= count && rc == 0; i++) {
        feed_Sample s = feed_Sample_INIT;
        snprintf(s.source, sizeof s.source, "%s", name);
        s.seq = i;
        s.value = 20.0 + i * 0.25;
        s.last = i == count;
        rc = feed_Sample_send(ch, &s, 2000);
        if (rc == 0 && i == (count + 1) / 2) {
            feed_Alarm a = feed_Alarm_INIT;
            snprintf(a.source, sizeof a.source, "%s", name);
            snprintf(a.text, sizeof a.text, "value above %.2f", s.value - 0.01);
            rc = feed_Alarm_send(ch, &a, 2000);
        }
        /* Senders take turns, so the receiver's poll sees both channels come and go. */
        struct timespec pause = {0, 20 * 1000000L};
        nanosleep(&pause, NULL);
    }
    if (rc != 0)
        fprintf(stderr, "feed_sender %s: %s: %s (%s)\n", name, url, msgc_strerror(rc),
                msgc_last_error()->detail);
    msgc_close(ch);
    return rc != 0;
}
