/* proc_run.h - runs a program (fork and exec) and captures its output and exit status,
 * for the tests that run the msgc binary or a C compiler (test_cli, test_gencompile).
 *
 *   proc_result r;
 *   char *argv[] = {"/usr/bin/nm", "-u", "s.o", NULL};
 *   proc_run(&r, dir, 60000, argv);
 *   ... r.status, r.out, r.err ...
 *   proc_result_free(&r);
 *
 * The program reads /dev/null as its standard input. A failed pipe, fork or wait fails the
 * running cmocka test.
 */
#ifndef PROC_RUN_H
#define PROC_RUN_H

#include <stdbool.h>
#include <stddef.h>

typedef struct proc_result {
    int status; /* exit status; 128 + signal when killed */
    bool timed_out;
    char *out, *err; /* NUL-terminated, never NULL after a run */
    size_t out_len, err_len;
} proc_result;

/* Runs argv (argv[0]: a path, or a name searched in PATH) in directory cwd (NULL: this
 * one), killing it after timeout_ms; stdout and stderr are kept apart. */
void proc_run(proc_result *r, const char *cwd, int timeout_ms, char *const argv[]);

/* The same without a timeout, stdout and stderr together in r->out (r->err stays ""). */
void proc_run_merged(proc_result *r, const char *cwd, char *const argv[]);

void proc_result_free(proc_result *r);

/* Sets buf (PATH_MAX bytes) to the absolute path of the file the environment variable env
 * names, or of fallback when env is unset or empty; exits the program who with status 1
 * when there is no such file. */
void proc_resolve(char *buf, const char *env, const char *fallback, const char *who);

#endif
