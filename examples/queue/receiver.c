/* receiver.c - creates a POSIX message queue and prints the typed notes it receives.
 *
 *     receiver URL            e.g.  receiver mq:/greetings
 *
 * The typed version of the seed example's receiver.c. msgc_listen creates the queue if
 * it does not exist yet (mode 0600 whatever the umask), so the receiver may start first;
 * if a sender started first, its dial is waiting for the queue to appear. It stops after
 * the note marked last, and msgc_close removes the queue it created.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "note.msg.h"

static uint64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Whether the queue is gone from the system after close (the queue's name is the part
 * of the URL after "mq:"). */
static bool
queue_removed(const char *url)
{
    if (strncmp(url, "mq:", 3) != 0)
        return true;
    mqd_t q = mq_open(url + 3, O_RDONLY);
    if (q != (mqd_t)-1) {
        mq_close(q);
        return false;
    }
    return errno == ENOENT;
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: receiver URL\n");
        return 2;
    }
    const char *url = argv[1];
    setvbuf(stdout, NULL, _IOLBF, 0); /* lines in order when two programs share a terminal */
    /* A queue sized for notes, not the 8 KiB default: every queue counts against the
     * user's RLIMIT_MSGQUEUE budget (819,200 bytes by default). */
    msgc_opts o = MSGC_OPTS_INIT;
    o.max_msg = note_Note_MAX_SIZE;
    msgc_chan *ch = NULL;
    int rc = msgc_listen(&ch, url, &o);
    if (rc != 0) {
        fprintf(stderr, "receiver: listen %s: %s (%s)\n", url, msgc_strerror(rc),
                msgc_last_error()->detail);
        return 1;
    }
    printf("receiver: listening on %s (largest message %zu bytes, a note at most %u)\n", url,
           msgc_max_msg(ch), (unsigned)note_Note_MAX_SIZE);

    note_Note n = note_Note_INIT;
    unsigned got = 0;
    /* 10 s without a note means the sender is not coming: give up rather than hang. */
    while ((rc = note_Note_recv(ch, &n, 10000)) == 0) {
        got++;
        printf("receiver: got #%u from %s after %llu ms: \"%s\"\n", n.seq, n.from,
               (unsigned long long)(now_ms() - n.sent_ms), n.text);
        if (n.last)
            break;
    }
    if (rc != 0)
        fprintf(stderr, "receiver: recv: %s (%s)\n", msgc_strerror(rc), msgc_last_error()->detail);
    msgc_close(ch);
    bool removed = queue_removed(url);
    printf("receiver: %u notes; queue %s\n", got, removed ? "removed" : "STILL THERE");
    return rc != 0 || !removed;
}
