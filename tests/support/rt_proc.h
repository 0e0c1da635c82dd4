/* rt_proc.h - process and name helpers for the runtime's IPC tests.
 *
 * Children report through their exit status (a cmocka assert in a child would jump into
 * the child's copy of the runner): RT_CHECK(cond) exits the child with the line number.
 */
#ifndef RT_PROC_H
#define RT_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Exits a child with a status naming the failed line (1..250; 251 for larger lines). */
#define RT_CHECK(cond)                                                                       \
    do {                                                                                     \
        if (!(cond))                                                                         \
            rt_child_fail(__LINE__, #cond);                                                  \
    } while (0)

void rt_child_fail(int line, const char *what) __attribute__((noreturn));

/* A name unique to this process and call: "<prefix>/msgc-test-<pid>-<n>" style. */
void rt_mq_name(char *buf, size_t cap);         /* "/msgc-test-<pid>-<n>" */
void rt_sock_path(char *buf, size_t cap);       /* "/tmp/msgc-test-<pid>-<n>.sock" */
void rt_abstract_name(char *buf, size_t cap);   /* "@msgc-test-<pid>-<n>" */

/* Open descriptors of this process. */
int rt_count_fds(void);

/* Runs fn(arg) in a child that exits with fn's return value. */
pid_t rt_spawn(int (*fn)(void *arg), void *arg);
/* Waits for pid: its exit status, or 128 + the signal that killed it. */
int rt_wait(pid_t pid);
/* Kills pid with sig and reaps it. */
void rt_kill(pid_t pid, int sig);

/* Whether a POSIX queue of that name exists. */
bool rt_mq_exists(const char *name);
/* Sleeps ms milliseconds, resuming after signals. */
void rt_sleep_ms(long ms);
/* CLOCK_MONOTONIC milliseconds. */
long long rt_now_ms(void);

#endif
