/* rt_proc.c - process and name helpers for the runtime's IPC tests. */
#include "rt_proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
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
