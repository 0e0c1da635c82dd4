/* test_gencompile.c - generated code compiles cleanly wherever users compile it.
 *
 * For every schema in schemas/, tests/schemas/ and tests/golden/ (subdirectories
 * included), with and without --no-stubs, the generated code must:
 *   - compile under gcc and clang with -std=c11 -Wall -Wextra -Wpedantic -Wshadow
 *     -Wconversion -Wsign-conversion -Werror (and -O2, which enables more warnings);
 *   - have headers that compile as C++11 (g++ -Wall -Wextra -Werror);
 *   - have a p_M_INIT that initialises a variable in C and in C++ without a warning;
 *   - include only <msgc.h>, the headers of imported schemas, its own header and libc.
 * Each set is generated in one msgc run (-I DIR, every file of the set named), which also
 * covers several inputs in one run.
 *
 * MSGC names the msgc binary (default build/msgc) and MSGC_RUNTIME the directory of
 * msgc.h (default runtime), relative to the starting directory (the source root).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "files.h"
#include "proc_run.h"

static char msgc_path[PATH_MAX];
static char runtime_dir[PATH_MAX];

#define MAX_ARGS 512

/* --- running a program --- */

/* A growable argv. */
typedef struct args {
    char *v[MAX_ARGS];
    size_t n;
} args;

static void
add(args *a, const char *s)
{
    assert_true(a->n + 1 < MAX_ARGS);
    a->v[a->n++] = strdup(s);
    a->v[a->n] = NULL;
}

static void
args_free(args *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    a->n = 0;
}

/* Runs a and fails the test with its output when it does not exit 0. */
static void
run_ok(args *a, const char *cwd, const char *what)
{
    proc_result r;
    proc_run_merged(&r, cwd, a->v);
    if (r.status != 0) {
        print_message("$");
        for (size_t i = 0; i < a->n; i++)
            print_message(" %s", a->v[i]);
        print_message("\n%.8000s\n", r.out);
        int status = r.status;
        proc_result_free(&r);
        fail_msg("%s failed (status %d)", what, status);
    }
    proc_result_free(&r);
}

/* --- files --- */

static bool
ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the files below root/rel (recursively) whose names end with suffix, as paths
 * relative to root. */
static void
find_files(args *out, const char *root, const char *rel, const char *suffix)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char sub_rel[PATH_MAX], sub[2 * PATH_MAX];
        struct stat st;
        snprintf(sub_rel, sizeof sub_rel, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        snprintf(sub, sizeof sub, "%s/%s", root, sub_rel);
        if (stat(sub, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            find_files(out, root, sub_rel, suffix);
        else if (ends_with(e->d_name, suffix))
            add(out, sub_rel);
    }
    closedir(d);
    qsort(out->v, out->n, sizeof *out->v, cmp_str);
}

/* --- the generated set --- */

typedef enum check {
    CHECK_GCC,
    CHECK_CLANG,
    CHECK_CXX_HEADERS,
    CHECK_INIT_C,
    CHECK_INIT_CXX,
    CHECK_INCLUDES,
    N_CHECKS
} check;

static const char *const check_names[] = {
    "compiles with gcc",     "compiles with clang",     "headers compile as C++",
    "INIT macros work in C", "INIT macros work in C++", "includes only allowed headers"};

typedef struct config {
    const char *dir; /* schema set, relative to the source root */
    bool no_stubs;
    check what;
    char title[128];
} config;

typedef struct gen {
    char tmp[64];
    char out[PATH_MAX];
    args schemas; /* relative to the set dir */
} gen;

/* Generates every schema of the set into a fresh directory. Returns false when the set
 * has no schema. */
static bool
generate(gen *g, const config *c)
{
    memset(g, 0, sizeof *g);
    find_files(&g->schemas, c->dir, "", ".msg");
    if (g->schemas.n == 0)
        return false;
    strcpy(g->tmp, "/tmp/msgc-gencompile-XXXXXX");
    assert_non_null(mkdtemp(g->tmp));
    snprintf(g->out, sizeof g->out, "%s/out", g->tmp);
    args a = {{0}, 0};
    add(&a, msgc_path);
    if (c->no_stubs)
        add(&a, "--no-stubs");
    add(&a, "-I");
    add(&a, c->dir);
    add(&a, "-o");
    add(&a, g->out);
    for (size_t i = 0; i < g->schemas.n; i++) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", c->dir, g->schemas.v[i]);
        add(&a, p);
    }
    run_ok(&a, NULL, "msgc");
    args_free(&a);
    return true;
}

static void
gen_free(gen *g)
{
    if (g->tmp[0])
        files_remove_tree(g->tmp);
    args_free(&g->schemas);
}

static void
add_c_flags(args *a)
{
    static const char *const flags[] = {
        "-std=c11",          "-O2",    "-Wall", "-Wextra", "-Wpedantic", "-Wshadow", "-Wconversion",
        "-Wsign-conversion", "-Werror"};
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
        add(a, flags[i]);
}

static void
add_includes(args *a, const gen *g)
{
    char inc[PATH_MAX + 2];
    snprintf(inc, sizeof inc, "-I%s", runtime_dir);
    add(a, inc);
    snprintf(inc, sizeof inc, "-I%s", g->out);
    add(a, inc);
}

/* Every generated file of kind suffix (".msg.c", ".msg.h"), as paths under g->out. */
static void
add_generated(args *a, const gen *g, const char *suffix)
{
    for (size_t i = 0; i < g->schemas.n; i++) {
        char p[PATH_MAX + 16];
        snprintf(p, sizeof p, "%s/%s%s", g->out, g->schemas.v[i], suffix + 4);
        add(a, p);
    }
}

static void
compile_sources(const gen *g, const char *cc)
{
    args a = {{0}, 0};
    add(&a, cc);
    add_c_flags(&a);
    add_includes(&a, g);
    add(&a, "-c");
    add_generated(&a, g, ".msg.c");
    run_ok(&a, g->tmp, cc);
    args_free(&a);
}

static void
compile_headers_as_cxx(const gen *g)
{
    args a = {{0}, 0};
    static const char *const flags[] = {"g++",   "-x",      "c++",     "-std=c++11",
                                        "-Wall", "-Wextra", "-Werror", "-fsyntax-only"};
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
        add(&a, flags[i]);
    add_includes(&a, g);
    add_generated(&a, g, ".msg.h");
    run_ok(&a, g->tmp, "g++");
    args_free(&a);
}

/* Writes a translation unit that includes every header and initialises one variable of
 * each message type with its _INIT macro. */
static void
write_init_unit(const gen *g, const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t i = 0; i < g->schemas.n; i++)
        fprintf(f, "#include \"%s.h\"\n", g->schemas.v[i]);
    fprintf(f, "void msgc_test_use_inits(void);\nvoid\nmsgc_test_use_inits(void)\n{\n");
    size_t n = 0;
    for (size_t i = 0; i < g->schemas.n; i++) {
        char p[PATH_MAX + 16];
        snprintf(p, sizeof p, "%s/%s.h", g->out, g->schemas.v[i]);
        char *text = files_read(p, NULL);
        assert_non_null(text);
        for (char *line = text; line && *line;
             line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
            char name[512];
            if (sscanf(line, "typedef struct %511s ", name) != 1)
                continue;
            char *end = line + strcspn(line, "\n");
            size_t nl = strlen(name);
            /* Only "typedef struct N N;", not "typedef struct N_handlers {". */
            if ((size_t)(end - line) != strlen("typedef struct  ;") + 2 * nl)
                continue;
            fprintf(f, "    %s v%zu = %s_INIT;\n    (void)v%zu;\n", name, n, name, n);
            n++;
        }
        free(text);
    }
    fprintf(f, "}\n");
    assert_int_equal(fclose(f), 0);
    assert_true(n > 0);
}

static void
compile_init_unit(const gen *g, bool cxx)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/init_use.c", g->tmp);
    write_init_unit(g, path);
    static const char *const compilers[] = {"gcc", "clang"};
    static const char *const cxx_compilers[] = {"g++", "clang++"};
    for (size_t i = 0; i < 2; i++) {
        args a = {{0}, 0};
        add(&a, cxx ? cxx_compilers[i] : compilers[i]);
        if (cxx) {
            static const char *const flags[] = {"-x",    "c++",     "-std=c++11",
                                                "-Wall", "-Wextra", "-Werror"};
            for (size_t k = 0; k < sizeof flags / sizeof *flags; k++)
                add(&a, flags[k]);
        } else {
            add_c_flags(&a);
        }
        add_includes(&a, g);
        add(&a, "-fsyntax-only");
        add(&a, path);
        run_ok(&a, g->tmp, a.v[0]);
        args_free(&a);
    }
}

/* The C11 library headers generated code may include. */
static bool
is_libc_header(const char *name)
{
    static const char *const libc[] = {
        "assert.h",   "complex.h",  "ctype.h",  "errno.h",       "fenv.h",    "float.h",
        "inttypes.h", "iso646.h",   "limits.h", "locale.h",      "math.h",    "setjmp.h",
        "signal.h",   "stdalign.h", "stdarg.h", "stdatomic.h",   "stdbool.h", "stddef.h",
        "stdint.h",   "stdio.h",    "stdlib.h", "stdnoreturn.h", "string.h",  "tgmath.h",
        "threads.h",  "time.h",     "uchar.h",  "wchar.h",       "wctype.h"};
    for (size_t i = 0; i < sizeof libc / sizeof *libc; i++)
        if (strcmp(name, libc[i]) == 0)
            return true;
    return false;
}

/* Checks the #include lines of one generated file (rel: its schema's path in the set). */
static void
check_includes_of(const gen *g, const char *rel, const char *suffix)
{
    char p[PATH_MAX + 16];
    snprintf(p, sizeof p, "%s/%s%s", g->out, rel, suffix + 4);
    char *text = files_read(p, NULL);
    assert_non_null(text);
    const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        const char *s = line;
        while (*s == ' ')
            s++;
        if (*s == '#') {
            s++;
            while (*s == ' ')
                s++;
        }
        if (s != line && strncmp(s, "include", 7) == 0) {
            s += 7;
            while (*s == ' ')
                s++;
            char name[PATH_MAX];
            bool ok = false;
            if (sscanf(s, "<%4095[^>]>", name) == 1) {
                ok = strcmp(name, "msgc.h") == 0 || is_libc_header(name);
            } else if (sscanf(s, "\"%4095[^\"]\"", name) == 1) {
                char own[PATH_MAX];
                snprintf(own, sizeof own, "%s.h", base);
                char imported[2 * PATH_MAX + 8];
                struct stat st;
                snprintf(imported, sizeof imported, "%s/%s", g->out, name);
                /* Its own header (from the .c), or the header of a schema of the set,
                 * named relative to the output root. */
                ok = (strcmp(suffix, ".msg.c") == 0 && strcmp(name, own) == 0) ||
                     (ends_with(name, ".msg.h") && stat(imported, &st) == 0 &&
                      strcmp(name, own) != 0);
            }
            if (!ok)
                fail_msg("%s includes a header it may not: %s", p, line);
        }
        line = nl ? nl + 1 : NULL;
    }
    free(text);
}

/* The set being checked: global so the teardown removes it after a failed check. */
static gen g;

static int
teardown(void **state)
{
    (void)state;
    gen_free(&g);
    memset(&g, 0, sizeof g);
    return 0;
}

static void
test_generated_code(void **state)
{
    const config *c = *state;
    if (!generate(&g, c)) {
        print_message("no schema in %s\n", c->dir);
        skip();
    }
    switch (c->what) {
    case CHECK_GCC:
        compile_sources(&g, "gcc");
        break;
    case CHECK_CLANG:
        compile_sources(&g, "clang");
        break;
    case CHECK_CXX_HEADERS:
        compile_headers_as_cxx(&g);
        break;
    case CHECK_INIT_C:
        compile_init_unit(&g, false);
        break;
    case CHECK_INIT_CXX:
        compile_init_unit(&g, true);
        break;
    case CHECK_INCLUDES:
        for (size_t i = 0; i < g.schemas.n; i++) {
            check_includes_of(&g, g.schemas.v[i], ".msg.h");
            check_includes_of(&g, g.schemas.v[i], ".msg.c");
        }
        break;
    case N_CHECKS:
        break;
    }
}

int
main(void)
{
    proc_resolve(msgc_path, "MSGC", "build/msgc", "test_gencompile");
    proc_resolve(runtime_dir, "MSGC_RUNTIME", "runtime", "test_gencompile");
    static const char *const sets[] = {"schemas", "tests/schemas", "tests/golden"};
    enum { N_SETS = sizeof sets / sizeof *sets, N_TESTS = N_SETS * 2 * N_CHECKS };
    static config configs[N_TESTS];
    static struct CMUnitTest tests[N_TESTS];
    size_t n = 0;
    for (size_t s = 0; s < N_SETS; s++)
        for (int stubs = 1; stubs >= 0; stubs--)
            for (int k = 0; k < N_CHECKS; k++, n++) {
                config *c = &configs[n];
                c->dir = sets[s];
                c->no_stubs = !stubs;
                c->what = (check)k;
                snprintf(c->title, sizeof c->title, "%s%s: %s", sets[s], stubs ? "" : " --no-stubs",
                         check_names[k]);
                tests[n].name = c->title;
                tests[n].test_func = test_generated_code;
                tests[n].initial_state = c;
                tests[n].teardown_func = teardown;
            }
    return cmocka_run_group_tests_name("gencompile", tests, NULL, NULL);
}
