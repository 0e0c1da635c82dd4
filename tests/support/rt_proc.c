/* rt_proc.c - process and name helpers for the runtime's IPC tests. */
#include "rt_proc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned counter;

void
rt_child_fail(int line, const char *what)
{
    fprintf(stderr, "child %ld: check failed at line %d: %s\n", (long)getpid(), line, what);
    _exit(line > 250 ? 251 : line);
}

void
rt_mq_name(char *buf, size_t cap)
{
    snprintf(buf, cap, "/msgc-test-%ld-%u", (long)getpid(), ++counter);
}

void
rt_sock_path(char *buf, size_t cap)
{
    snprintf(buf, cap, "/tmp/msgc-test-%ld-%u.sock", (long)getpid(), ++counter);
}

void
rt_abstract_name(char *buf, size_t cap)
{
    snprintf(buf, cap, "@msgc-test-%ld-%u", (long)getpid(), ++counter);
}

int
rt_count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; /* the directory stream's own descriptor */
}

pid_t
rt_spawn(int (*fn)(void *arg), void *arg)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        _exit(fn(arg));
    return pid;
}

int
rt_wait(pid_t pid)
{
    int st = 0;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
}

void
rt_kill(pid_t pid, int sig)
{
    kill(pid, sig);
    rt_wait(pid);
}

bool
rt_mq_exists(const char *name)
{
    mqd_t q = mq_open(name, O_RDONLY | O_NONBLOCK);
    if (q < 0)
        return errno != ENOENT;
    mq_close(q);
    return true;
}

void
rt_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

long long
rt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
rt_catch_signal(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* --- a scenario over one transport --- */

static bool
is_mq(const rt_fixture *f)
{
    return strcmp(f->kind, "mq") == 0;
}

int
rt_fixture_setup(void **state)
{
    rt_fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->kind = *state;
    char name[128];
    if (is_mq(f))
        rt_mq_name(name, sizeof name);
    else
        rt_sock_path(name, sizeof name);
    snprintf(f->url, sizeof f->url, "%s:%s", f->kind, name);
    f->fds = rt_count_fds();
    *state = f;
    return 0;
}

int
rt_fixture_teardown(void **state)
{
    rt_fixture *f = *state;
    if (f->server > 0)
        rt_kill(f->server, SIGKILL);
    int fds = rt_count_fds();
    const char *addr = strchr(f->url, ':') + 1;
    bool mq = is_mq(f);
    bool left = mq ? rt_mq_exists(addr) : access(addr, F_OK) == 0;
    if (fds != f->fds)
        fprintf(stderr, "descriptors: %d before, %d after\n", f->fds, fds);
    if (left) {
        fprintf(stderr, "%s left behind\n", addr);
        if (mq)
            mq_unlink(addr);
        else
            unlink(addr);
    }
    int want = f->fds;
    free(f);
    return fds == want && !left ? 0 : -1;
}

void
rt_stop_server(rt_fixture *f)
{
    kill(f->server, SIGTERM);
    assert_int_equal(rt_wait(f->server), 0);
    f->server = 0;
}

/* The channel a serving child stops on SIGTERM, and whether SIGTERM came before it. */
static msgc_chan *stop_chan;
static volatile sig_atomic_t stop_early;

static void
on_stop_signal(int sig)
{
    (void)sig;
    if (stop_chan)
        msgc_stop(stop_chan);
    else
        stop_early = 1;
}

void
rt_stop_on_sigterm(void)
{
    rt_catch_signal(SIGTERM, on_stop_signal);
}

void
rt_stop_target(msgc_chan *ch)
{
    stop_chan = ch;
    if (ch && stop_early)
        msgc_stop(ch);
}
