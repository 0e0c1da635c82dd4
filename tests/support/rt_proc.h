/* rt_proc.h - process and name helpers for the runtime's IPC tests.
 *
 * Children report through their exit status (a cmocka assert in a child would jump into
 * the child's copy of the runner): RT_CHECK(cond) exits the child with the line number.
 *
 * Tests that run one scenario over each transport take an rt_fixture: register them with
 * RT_BOTH(test_fn), which gives each run a fresh address and checks that it leaves no
 * descriptor, queue or socket file behind.
 */
#ifndef RT_PROC_H
#define RT_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "msgc.h"

/* Exits a child with a status naming the failed line (1..250; 251 for larger lines). */
#define RT_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond))                                                                               \
            rt_child_fail(__LINE__, #cond);                                                        \
    } while (0)

void rt_child_fail(int line, const char *what) __attribute__((noreturn));

/* A name unique to this process and call: "<prefix>/msgc-test-<pid>-<n>" style. */
void rt_mq_name(char *buf, size_t cap);       /* "/msgc-test-<pid>-<n>" */
void rt_sock_path(char *buf, size_t cap);     /* "/tmp/msgc-test-<pid>-<n>.sock" */
void rt_abstract_name(char *buf, size_t cap); /* "@msgc-test-<pid>-<n>" */

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

/* Makes fn the handler of sig, with no flags (a system call it interrupts fails with
 * EINTR) and no signal blocked while it runs. */
void rt_catch_signal(int sig, void (*fn)(int));

/* --- a scenario over one transport --- */

typedef struct rt_fixture {
    const char *kind; /* "unix" or "mq" */
    char url[160];
    int fds;      /* descriptors open before the test */
    pid_t server; /* a serving child, or 0 */
} rt_fixture;

/* cmocka setup: *state, the transport's name, becomes an rt_fixture with a fresh url. */
int rt_fixture_setup(void **state);
/* cmocka teardown: kills a server still running; fails when the test left a descriptor
 * open or its queue or socket file behind (and removes that file). */
int rt_fixture_teardown(void **state);

/* The test fn once over each transport. */
#define RT_BOTH(fn)                                                                                \
    cmocka_unit_test_prestate_setup_teardown(fn, rt_fixture_setup, rt_fixture_teardown, "unix"),   \
        cmocka_unit_test_prestate_setup_teardown(fn, rt_fixture_setup, rt_fixture_teardown, "mq")

/* Stops f's server with SIGTERM: its serve must end with 0 and the child exit 0. */
void rt_stop_server(rt_fixture *f);

/* In a serving child: rt_stop_on_sigterm makes SIGTERM stop (msgc_stop) the channel
 * rt_stop_target names, also when the signal comes before the channel is named; name
 * NULL before closing the channel. */
void rt_stop_on_sigterm(void);
void rt_stop_target(msgc_chan *ch);

#endif
