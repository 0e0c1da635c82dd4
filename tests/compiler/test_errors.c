/* test_errors.c - the error cases: each tests/errors/CASE.msg, compiled with --check from
 * the repository root, must print exactly tests/errors/CASE.err and exit with status 1
 * (or the number in tests/errors/CASE.status, when that file exists).
 *
 * The directory is scanned at run time, so a new case needs no change here; each case is
 * one cmocka test named after it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc.h"

#define ERRORS_DIR "tests/errors"

typedef struct error_case {
    char *name; /* "duplicate_definition" */
    char *msg;  /* "tests/errors/duplicate_definition.msg" */
} error_case;

typedef struct buffer {
    char *data;
    size_t len, cap;
} buffer;

static void
buffer_append(buffer *b, const char *text, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->data = realloc(b->data, b->cap);
        assert_non_null(b->data);
    }
    memcpy(b->data + b->len, text, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void
collect(void *ctx, const char *text)
{
    buffer_append(ctx, text, strlen(text));
}

/* The whole file, or NULL when it cannot be opened. */
static char *
read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    buffer b = {0};
    buffer_append(&b, "", 0);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buffer_append(&b, chunk, n);
    fclose(f);
    return b.data;
}

static char *
sibling(const error_case *c, const char *ext)
{
    size_t n = strlen(ERRORS_DIR) + strlen(c->name) + strlen(ext) + 2;
    char *path = malloc(n);
    assert_non_null(path);
    snprintf(path, n, "%s/%s%s", ERRORS_DIR, c->name, ext);
    return path;
}

static int
expected_status(const error_case *c)
{
    char *path = sibling(c, ".status");
    char *text = read_text(path);
    free(path);
    int status = text ? atoi(text) : 1;
    free(text);
    return status;
}

static void
test_error_case(void **state)
{
    const error_case *c = *state;
    char *err_path = sibling(c, ".err");
    char *expected = read_text(err_path);
    if (!expected)
        fail_msg("%s is missing", err_path);
    free(err_path);

    const char *inputs[] = {c->msg};
    mc_options o = {.inputs = inputs, .n_inputs = 1, .check_only = true};
    buffer got = {0};
    buffer_append(&got, "", 0);
    int status = mc_compile(&o, collect, &got);

    assert_string_equal(got.data, expected);
    assert_int_equal(status, expected_status(c));
    free(got.data);
    free(expected);
}

static int
compare_cases(const void *a, const void *b)
{
    return strcmp(((const error_case *)a)->name, ((const error_case *)b)->name);
}

/* Every CASE.msg directly in the directory, sorted by name. */
static error_case *
find_cases(size_t *n)
{
    DIR *dir = opendir(ERRORS_DIR);
    if (!dir) {
        perror(ERRORS_DIR);
        exit(1);
    }
    error_case *cases = NULL;
    size_t count = 0;
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len <= 4 || strcmp(e->d_name + len - 4, ".msg") != 0)
            continue;
        cases = realloc(cases, (count + 1) * sizeof *cases);
        assert_non_null(cases);
        error_case *c = &cases[count++];
        c->name = malloc(len - 3);
        c->msg = malloc(strlen(ERRORS_DIR) + len + 2);
        assert_non_null(c->name);
        assert_non_null(c->msg);
        memcpy(c->name, e->d_name, len - 4);
        c->name[len - 4] = '\0';
        sprintf(c->msg, "%s/%s", ERRORS_DIR, e->d_name);
    }
    closedir(dir);
    if (count)
        qsort(cases, count, sizeof *cases, compare_cases);
    *n = count;
    return cases;
}

int
main(void)
{
    size_t n;
    error_case *cases = find_cases(&n);
    if (n == 0) {
        fprintf(stderr, "no error cases in %s (run from the repository root)\n", ERRORS_DIR);
        return 1;
    }
    struct CMUnitTest tests[n];
    for (size_t i = 0; i < n; i++) {
        tests[i] = (struct CMUnitTest){
            .name = cases[i].name,
            .test_func = test_error_case,
            .initial_state = &cases[i],
        };
    }
    int failed = cmocka_run_group_tests_name("errors", tests, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        free(cases[i].name);
        free(cases[i].msg);
    }
    free(cases);
    return failed;
}
