/* proc_run.c - runs a program and captures its output and exit status. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "proc_run.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "files.h"

static long long
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child: wires stdin to /dev/null and stdout, stderr to the pipes, then execs. */
static void
exec_child(int out_fd, int err_fd, int close_fd, const char *cwd, char *const argv[])
{
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
        _exit(126);
    close(close_fd);
    if (cwd && chdir(cwd) != 0)
        _exit(126);
    execvp(argv[0], argv);
    _exit(127);
}

/* Reads fds[0] into r->out and fds[1] (when open) into r->err until both end or the
 * deadline (no deadline when timeout_ms <= 0) passes; then it kills pid. */
static void
collect(proc_result *r, struct pollfd fds[2], pid_t pid, int timeout_ms)
{
    int open_fds = (fds[0].fd >= 0) + (fds[1].fd >= 0);
    long long deadline = now_ms() + timeout_ms;
    while (open_fds > 0) {
        long long left = timeout_ms > 0 ? deadline - now_ms() : -1;
        if (timeout_ms > 0 && left <= 0) {
            r->timed_out = true;
            kill(pid, SIGKILL);
            break;
        }
        int n = poll(fds, 2, (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        assert_true(n >= 0);
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[65536];
            ssize_t got = read(fds[i].fd, buf, sizeof buf);
            if (got > 0) {
                if (i == 0)
                    files_append(&r->out, &r->out_len, buf, (size_t)got);
                else
                    files_append(&r->err, &r->err_len, buf, (size_t)got);
            } else if (got == 0 || errno != EINTR) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
}

static void
run(proc_result *r, const char *cwd, int timeout_ms, bool merged, char *const argv[])
{
    int out[2], err[2] = {-1, -1};
    memset(r, 0, sizeof *r);
    files_append(&r->out, &r->out_len, "", 0);
    files_append(&r->err, &r->err_len, "", 0);
    assert_int_equal(pipe(out), 0);
    if (!merged)
        assert_int_equal(pipe(err), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!merged)
            close(err[0]);
        exec_child(out[1], merged ? out[1] : err[1], out[0], cwd, argv);
    }
    close(out[1]);
    if (!merged)
        close(err[1]);
    struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    collect(r, fds, pid, timeout_ms);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        assert_int_equal(errno, EINTR);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void
proc_run(proc_result *r, const char *cwd, int timeout_ms, char *const argv[])
{
    run(r, cwd, timeout_ms, false, argv);
}

void
proc_run_merged(proc_result *r, const char *cwd, char *const argv[])
{
    run(r, cwd, 0, true, argv);
}

void
proc_result_free(proc_result *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

void
proc_resolve(char *buf, const char *env, const char *fallback, const char *who)
{
    const char *p = getenv(env);
    if (!p || !*p)
        p = fallback;
    if (!realpath(p, buf)) {
        fprintf(stderr, "%s: %s (%s): %s\n", who, p, env, strerror(errno));
        exit(1);
    }
}
