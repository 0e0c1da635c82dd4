/* sender.c - sends a few typed notes to a POSIX message queue and exits.
 *
 *     sender URL COUNT        e.g.  sender mq:/greetings 3
 *
 * The typed version of the seed example's sender.c: instead of a raw mq_send of a C
 * string, it sends note.Note messages through the generated note_Note_send. It dials
 * with a dial timeout, so it may start before its receiver has created the queue.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "note.msg.h"

static uint64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int
main(int argc, char **argv)
{
    if (argc != 3 || atoi(argv[2]) < 1) {
        fprintf(stderr, "usage: sender URL COUNT\n");
        return 2;
    }
    const char *url = argv[1];
    setvbuf(stdout, NULL, _IOLBF, 0); /* lines in order when two programs share a terminal */
    unsigned count = (unsigned)atoi(argv[2]);

    msgc_opts o = MSGC_OPTS_INIT;
    o.dial_timeout_ms = 5000; /* the receiver may start up to 5 s later */
    msgc_chan *ch = NULL;
    int rc = msgc_dial(&ch, url, &o);
    if (rc != 0) {
        fprintf(stderr, "sender: dial %s: %s (%s)\n", url, msgc_strerror(rc),
                msgc_last_error()->detail);
        return 1;
    }
    for (unsigned i = 1; i <= count && rc == 0; i++) {
        note_Note n = note_Note_INIT;
        n.seq = i;
        snprintf(n.from, sizeof n.from, "sender %ld", (long)getpid());
        snprintf(n.text, sizeof n.text, "Hello from the sender! (%u of %u)", i, count);
        n.sent_ms = now_ms();
        n.last = i == count;
        rc = note_Note_send(ch, &n, 2000); /* waits at most 2 s for room in the queue */
        if (rc == 0)
            printf("sender: sent #%u \"%s\"\n", n.seq, n.text);
        else
            fprintf(stderr, "sender: send: %s (%s)\n", msgc_strerror(rc),
                    msgc_last_error()->detail);
    }
    msgc_close(ch);
    return rc != 0;
}
