/* test_golden.c - the generated files of every tests/golden/<case>.msg, byte for byte.
 *
 * Each case is compiled through mc_compile as `msgc --proto -I tests/golden -o TMP
 * tests/golden/<case>.msg` would compile it, and each output is compared with the reviewed
 * <case>.msg.h.expected, <case>.msg.c.expected and <case>.proto.expected. The cases are
 * found at run time, so a new .msg file is a new test. After an intended change to the
 * generator, `make regen-golden` rewrites the expected files; review that diff like code.
 *
 * GOLDEN_DIR overrides the case directory (default tests/golden, relative to the working
 * directory, which is the source root under `make check`).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "mc.h"
#include "memfs.h"

static const char *const outputs[] = {".msg.h", ".msg.c", ".proto"};
#define N_OUTPUTS (sizeof outputs / sizeof *outputs)

/* --- helpers --- */

static const char *
golden_dir(void)
{
    const char *d = getenv("GOLDEN_DIR");
    return d && *d ? d : "tests/golden";
}

/* buf = a + b, asserting that it fits. */
static void
cat2(char *buf, size_t cap, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    assert_true(la + lb < cap);
    memcpy(buf, a, la);
    memcpy(buf + la, b, lb + 1);
}

/* Temporary directories of the running test; the teardown removes what a failed test
 * left behind. */
static char *tmpdirs[8];

static char *
make_tmpdir(void)
{
    for (size_t i = 0; i < sizeof tmpdirs / sizeof *tmpdirs; i++) {
        if (tmpdirs[i])
            continue;
        tmpdirs[i] = strdup("/tmp/msgc-golden-XXXXXX");
        assert_non_null(tmpdirs[i]);
        assert_non_null(mkdtemp(tmpdirs[i]));
        return tmpdirs[i];
    }
    fail_msg("too many temporary directories");
    return NULL;
}

static void
drop_tmpdir(char *dir)
{
    for (size_t i = 0; i < sizeof tmpdirs / sizeof *tmpdirs; i++)
        if (tmpdirs[i] == dir)
            tmpdirs[i] = NULL;
    files_remove_tree(dir);
    free(dir);
}

static int
drop_tmpdirs(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof tmpdirs / sizeof *tmpdirs; i++)
        if (tmpdirs[i])
            drop_tmpdir(tmpdirs[i]);
    return 0;
}

/* Counts the files below dir, directories not counted. */
static int
count_files(const char *dir)
{
    return files_count(dir, false);
}

/* Diagnostics of one mc_compile, collected. */
typedef struct diags {
    char text[8192];
    size_t len;
} diags;

static void
collect(void *ctx, const char *text)
{
    diags *d = ctx;
    size_t n = strlen(text);
    if (n > sizeof d->text - 1 - d->len)
        n = sizeof d->text - 1 - d->len;
    memcpy(d->text + d->len, text, n);
    d->len += n;
    d->text[d->len] = '\0';
}

/* Compiles one schema as the golden cases are compiled; returns the exit status. */
static int
compile_run(const char *schema, const char *include_dir, const char *out_dir, const mc_io *io,
            diags *d)
{
    const char *inputs[] = {schema};
    const char *incs[] = {include_dir};
    mc_options o = {0};
    o.inputs = inputs;
    o.n_inputs = 1;
    o.include_dirs = incs;
    o.n_include_dirs = include_dir ? 1 : 0;
    o.out_dir = out_dir;
    o.proto = true;
    o.io = io;
    d->len = 0;
    d->text[0] = '\0';
    return mc_compile(&o, collect, d);
}

static void
check_ok(const char *schema, const char *include_dir, int status, const diags *d)
{
    if (status != 0 || d->len != 0)
        fail_msg("msgc %s (-I %s) exited %d:\n%s", schema, include_dir ? include_dir : "(none)",
                 status, d->text);
}

/* Compiles one schema; asserts success and silence. */
static void
compile_ok(const char *schema, const char *include_dir, const char *out_dir, const mc_io *io)
{
    diags d;
    int status = compile_run(schema, include_dir, out_dir, io, &d);
    check_ok(schema, include_dir, status, &d);
}

/* The start of line number line (1-based) in text, or the end of text. */
static const char *
line_start(const char *text, size_t len, size_t line)
{
    const char *p = text, *end = text + len;
    for (size_t i = 1; i < line && p < end; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    return p;
}

static void
print_lines(const char *mark, const char *text, size_t len, size_t from, size_t n)
{
    const char *end = text + len;
    const char *p = line_start(text, len, from);
    for (size_t i = 0; i < n && p < end; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        print_message("%s%.*s\n", mark, (int)l, p);
        p = nl ? nl + 1 : end;
    }
}

/* Prints a unified-diff-like hint at the first differing line. */
static void
diff_hint(const char *exp_path, const char *exp, size_t exp_len, const char *act_path,
          const char *act, size_t act_len)
{
    size_t line = 1, i = 0;
    while (i < exp_len && i < act_len && exp[i] == act[i]) {
        if (exp[i] == '\n')
            line++;
        i++;
    }
    size_t ctx = line > 3 ? 3 : line - 1;
    print_message("--- %s\n+++ %s\n@@ first difference at line %zu (byte %zu) @@\n", exp_path,
                  act_path, line, i);
    print_lines(" ", exp, exp_len, line - ctx, ctx);
    print_lines("-", exp, exp_len, line, 6);
    print_lines("+", act, act_len, line, 6);
    print_message("(expected %zu bytes, got %zu; if the change is intended, run "
                  "`make regen-golden` and review the diff)\n",
                  exp_len, act_len);
}

/* Asserts that file actual holds exactly the bytes of file expected. */
static void
assert_same_file(const char *expected, const char *actual)
{
    size_t exp_len, act_len;
    char *exp = files_read(expected, &exp_len);
    char *act = files_read(actual, &act_len);
    if (!exp)
        fail_msg("cannot read %s: %s", expected, strerror(errno));
    if (!act)
        fail_msg("%s was not written", actual);
    bool same = exp_len == act_len && memcmp(exp, act, exp_len) == 0;
    if (!same)
        diff_hint(expected, exp, exp_len, actual, act, act_len);
    free(exp);
    free(act);
    if (!same)
        fail_msg("%s differs from %s", actual, expected);
}

/* Asserts that out_dir holds the outputs of case name, equal to the expected files. */
static void
assert_outputs_expected(const char *name, const char *out_dir)
{
    for (size_t i = 0; i < N_OUTPUTS; i++) {
        char exp[PATH_MAX], act[PATH_MAX];
        snprintf(exp, sizeof exp, "%s/%s%s.expected", golden_dir(), name, outputs[i]);
        snprintf(act, sizeof act, "%s/%s%s", out_dir, name, outputs[i]);
        assert_same_file(exp, act);
    }
}

static void
assert_dirs_equal(const char *name, const char *a, const char *b)
{
    for (size_t i = 0; i < N_OUTPUTS; i++) {
        char pa[PATH_MAX], pb[PATH_MAX];
        snprintf(pa, sizeof pa, "%s/%s%s", a, name, outputs[i]);
        snprintf(pb, sizeof pb, "%s/%s%s", b, name, outputs[i]);
        assert_same_file(pa, pb);
    }
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The case names (file names without ".msg"), sorted; *n set. */
static char **
list_cases(size_t *n)
{
    DIR *d = opendir(golden_dir());
    if (!d) {
        fprintf(stderr, "test_golden: cannot open %s: %s\n", golden_dir(), strerror(errno));
        exit(1);
    }
    size_t cap = 16;
    char **names = malloc(cap * sizeof *names);
    *n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l <= 4 || strcmp(e->d_name + l - 4, ".msg") != 0)
            continue;
        if (*n == cap) {
            cap *= 2;
            names = realloc(names, cap * sizeof *names);
        }
        names[(*n)++] = strndup(e->d_name, l - 4);
    }
    closedir(d);
    qsort(names, *n, sizeof *names, cmp_names);
    return names;
}

static void
free_cases(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* --- the cases --- */

/* One test per case: state is the case name. */
static void
test_case_matches_expected_files(void **state)
{
    const char *name = *state;
    char schema[PATH_MAX];
    snprintf(schema, sizeof schema, "%s/%s.msg", golden_dir(), name);
    char *out = make_tmpdir();
    compile_ok(schema, golden_dir(), out, NULL);
    assert_outputs_expected(name, out);
    /* Only the named file is generated, never its imports. */
    assert_int_equal(count_files(out), (int)N_OUTPUTS);
    drop_tmpdir(out);
}

static void
test_every_case_has_its_three_expected_files(void **state)
{
    (void)state;
    size_t n;
    char **names = list_cases(&n);
    assert_true(n >= 10);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < N_OUTPUTS; j++) {
            char p[PATH_MAX];
            struct stat st;
            snprintf(p, sizeof p, "%s/%s%s.expected", golden_dir(), names[i], outputs[j]);
            if (stat(p, &st) != 0)
                fail_msg("%s is missing: run `make regen-golden` and review it", p);
        }
    free_cases(names, n);
}

static void
test_generated_c_stays_within_100_columns(void **state)
{
    (void)state;
    size_t n;
    char **names = list_cases(&n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < N_OUTPUTS; j++) {
            if (strcmp(outputs[j], ".proto") == 0)
                continue;
            char p[PATH_MAX];
            snprintf(p, sizeof p, "%s/%s%s.expected", golden_dir(), names[i], outputs[j]);
            size_t len;
            char *text = files_read(p, &len);
            assert_non_null(text);
            size_t line = 1, col = 0;
            for (size_t k = 0; k < len; k++) {
                if (text[k] != '\n' && ++col > 100)
                    fail_msg("%s:%zu is longer than 100 columns", p, line);
                if (text[k] == '\n') {
                    line++;
                    col = 0;
                }
            }
            free(text);
        }
    free_cases(names, n);
}

static void
test_no_expected_file_without_its_schema(void **state)
{
    (void)state;
    DIR *d = opendir(golden_dir());
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l <= 9 || strcmp(e->d_name + l - 9, ".expected") != 0)
            continue;
        char base[NAME_MAX + 1];
        snprintf(base, sizeof base, "%.*s", (int)(l - 9), e->d_name);
        char *dot = strstr(base, ".msg.");
        if (!dot)
            dot = strstr(base, ".proto");
        assert_non_null(dot);
        char schema[PATH_MAX];
        struct stat st;
        snprintf(schema, sizeof schema, "%s/%.*s.msg", golden_dir(), (int)(dot - base), base);
        if (stat(schema, &st) != 0)
            fail_msg("%s has no schema %s", e->d_name, schema);
    }
    closedir(d);
}

static void
test_two_runs_give_identical_bytes(void **state)
{
    (void)state;
    size_t n;
    char **names = list_cases(&n);
    for (size_t i = 0; i < n; i++) {
        char schema[PATH_MAX];
        snprintf(schema, sizeof schema, "%s/%s.msg", golden_dir(), names[i]);
        char *a = make_tmpdir(), *b = make_tmpdir();
        compile_ok(schema, golden_dir(), a, NULL);
        compile_ok(schema, golden_dir(), b, NULL);
        assert_dirs_equal(names[i], a, b);
        drop_tmpdir(a);
        drop_tmpdir(b);
    }
    free_cases(names, n);
}

/* The output never mentions where the schema was found, only its relative path. */
static void
test_outputs_hold_no_invocation_path(void **state)
{
    (void)state;
    size_t n;
    char **names = list_cases(&n);
    char abs[PATH_MAX];
    assert_non_null(realpath(golden_dir(), abs));
    for (size_t i = 0; i < n; i++) {
        char schema[PATH_MAX + 64];
        snprintf(schema, sizeof schema, "%s/%s.msg", abs, names[i]);
        char *out = make_tmpdir();
        compile_ok(schema, abs, out, NULL);
        for (size_t j = 0; j < N_OUTPUTS; j++) {
            char p[PATH_MAX];
            snprintf(p, sizeof p, "%s/%s%s", out, names[i], outputs[j]);
            char *text = files_read(p, NULL);
            assert_non_null(text);
            if (strstr(text, abs) || strstr(text, out) || strstr(text, "tests/golden"))
                fail_msg("%s names the invocation path", p);
            free(text);
        }
        assert_outputs_expected(names[i], out);
        drop_tmpdir(out);
    }
    free_cases(names, n);
}

/* One way to name imports.msg: from working directory cwd (NULL: the source root),
 * `msgc -I include schema` (include NULL: no -I). */
typedef struct spelling {
    const char *cwd;
    char schema[PATH_MAX];
    char include[PATH_MAX];
    bool has_include;
} spelling;

/* schema = dir + schema_tail; include = dir + include_tail, or none when it is NULL. */
static void
spell(spelling *s, const char *cwd, const char *dir, const char *schema_tail,
      const char *include_tail)
{
    s->cwd = cwd;
    cat2(s->schema, sizeof s->schema, dir, schema_tail);
    s->has_include = include_tail != NULL;
    if (include_tail)
        cat2(s->include, sizeof s->include, dir, include_tail);
}

/* imports.msg (which imports sub/x.msg, which imports its sibling y.msg) reached by many
 * spellings of its path and of the include dir, from several working directories. */
static void
test_path_spellings_give_the_same_output(void **state)
{
    (void)state;
    char abs[PATH_MAX], cwd[PATH_MAX], sub[PATH_MAX], dotted[PATH_MAX];
    assert_non_null(realpath(golden_dir(), abs));
    assert_non_null(getcwd(cwd, sizeof cwd));
    cat2(sub, sizeof sub, abs, "/sub");
    cat2(dotted, sizeof dotted, "./", golden_dir());
    const char *g = golden_dir();
    spelling runs[12];
    size_t n = 0;
    spell(&runs[n++], NULL, g, "/imports.msg", "");
    spell(&runs[n++], NULL, dotted, "/imports.msg", "/");
    spell(&runs[n++], NULL, g, "//sub/../imports.msg", "/sub/..");
    spell(&runs[n++], NULL, g, "/imports.msg", NULL);
    spell(&runs[n++], NULL, abs, "/imports.msg", "");
    spell(&runs[n++], NULL, abs, "/./imports.msg", NULL);
    spell(&runs[n++], abs, "", "imports.msg", ".");
    spell(&runs[n++], abs, "", "./imports.msg", NULL);
    spell(&runs[n++], abs, "", "sub/../imports.msg", "sub/..");
    spell(&runs[n++], sub, "", "../imports.msg", "..");
    spell(&runs[n++], sub, "", "../imports.msg", NULL);
    spell(&runs[n++], "/", abs + 1, "/imports.msg", "");
    for (size_t i = 0; i < n; i++) {
        char *out = make_tmpdir();
        const char *inc = runs[i].has_include ? runs[i].include : NULL;
        diags d;
        int status = -1;
        /* No assert between the two chdir calls: a failure must not strand the runner. */
        if (!runs[i].cwd || chdir(runs[i].cwd) == 0)
            status = compile_run(runs[i].schema, inc, out, NULL, &d);
        assert_int_equal(chdir(cwd), 0);
        if (status != 0)
            print_message("run %zu: cd %s && msgc -o %s %s%s%s%s\n", i,
                          runs[i].cwd ? runs[i].cwd : ".", out, inc ? "-I " : "", inc ? inc : "",
                          inc ? " " : "", runs[i].schema);
        check_ok(runs[i].schema, inc, status, &d);
        assert_outputs_expected("imports", out);
        drop_tmpdir(out);
    }
}

/* The same case through the in-memory mc_io gives the bytes the file system gives. */
static void
test_memfs_and_files_give_the_same_output(void **state)
{
    (void)state;
    static const char *const files[] = {"imports.msg", "sub/x.msg", "sub/y.msg"};
    memfs *fs = memfs_new();
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char p[PATH_MAX], mp[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", golden_dir(), files[i]);
        snprintf(mp, sizeof mp, "golden/%s", files[i]);
        char *text = files_read(p, NULL);
        assert_non_null(text);
        memfs_add(fs, mp, text);
        free(text);
    }
    mc_io io = memfs_io(fs);
    compile_ok("golden/imports.msg", "golden", "out", &io);
    assert_int_equal(memfs_n_written(fs), N_OUTPUTS);
    for (size_t i = 0; i < N_OUTPUTS; i++) {
        char exp[PATH_MAX], mp[PATH_MAX];
        snprintf(exp, sizeof exp, "%s/imports%s.expected", golden_dir(), outputs[i]);
        snprintf(mp, sizeof mp, "out/imports%s", outputs[i]);
        size_t exp_len, got_len;
        char *want = files_read(exp, &exp_len);
        const char *got = memfs_get(fs, mp, &got_len);
        assert_non_null(want);
        if (!got)
            fail_msg("%s was not written", mp);
        if (exp_len != got_len || memcmp(want, got, exp_len) != 0) {
            diff_hint(exp, want, exp_len, mp, got, got_len);
            fail_msg("%s differs from %s", mp, exp);
        }
        free(want);
    }
    memfs_free(fs);
}

int
main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_every_case_has_its_three_expected_files),
        cmocka_unit_test(test_no_expected_file_without_its_schema),
        cmocka_unit_test(test_generated_c_stays_within_100_columns),
        cmocka_unit_test(test_two_runs_give_identical_bytes),
        cmocka_unit_test(test_outputs_hold_no_invocation_path),
        cmocka_unit_test(test_path_spellings_give_the_same_output),
        cmocka_unit_test(test_memfs_and_files_give_the_same_output),
    };
    size_t n_fixed = sizeof fixed / sizeof *fixed;
    size_t n;
    char **names = list_cases(&n);
    struct CMUnitTest *tests = calloc(n + n_fixed, sizeof *tests);
    char **titles = calloc(n + 1, sizeof *titles);
    assert_non_null(tests);
    assert_non_null(titles);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]) + sizeof "golden_matches_expected: ";
        titles[i] = malloc(len);
        snprintf(titles[i], len, "golden_matches_expected: %s", names[i]);
        tests[i].name = titles[i];
        tests[i].test_func = test_case_matches_expected_files;
        tests[i].initial_state = names[i];
        tests[i].teardown_func = drop_tmpdirs;
    }
    memcpy(tests + n, fixed, sizeof fixed);
    for (size_t i = n; i < n + n_fixed; i++)
        tests[i].teardown_func = drop_tmpdirs;
    /* cmocka_run_group_tests_name needs an array of static size; the cases are counted at
     * run time, so this calls the function that macro expands to. */
    int failed = _cmocka_run_group_tests("golden", tests, n + n_fixed, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        free(titles[i]);
    free(titles);
    free(tests);
    free_cases(names, n);
    return failed;
}
