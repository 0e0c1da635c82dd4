/* test_cli.c - the msgc binary as users run it: options, outputs, exit statuses and
 * diagnostics (SPEC section 3).
 *
 * Every test runs the real binary (fork and exec) in a fresh temporary directory and
 * captures its stdout, stderr and exit status. MSGC names the binary (`make check` sets
 * it; default build/msgc) and MSGC_RUNTIME the directory of msgc.h (default runtime),
 * both relative to the working directory the test starts in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "proc_run.h"

static char msgc_path[PATH_MAX];
static char runtime_dir[PATH_MAX];
static char templates_dir[PATH_MAX];

/* --- running a program --- */

/* Runs msgc with the NULL-terminated arguments in directory cwd (10 s timeout). */
static void
run_msgc_in(proc_result *r, const char *cwd, int timeout_ms, const char *const *args)
{
    char *argv[64];
    size_t n = 0;
    argv[n++] = msgc_path;
    for (; *args; args++) {
        assert_true(n < 63);
        argv[n++] = (char *)*args;
    }
    argv[n] = NULL;
    proc_run(r, cwd, timeout_ms, argv);
    assert_false(r->timed_out);
}

#define MSGC(r, cwd, ...) run_msgc_in((r), (cwd), 10000, (const char *const[]){__VA_ARGS__, NULL})

/* --- files --- */

typedef struct fixture {
    char dir[64];
} fixture;

static int
setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    strcpy(f->dir, "/tmp/msgc-cli-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture *f = *state;
    files_remove_tree(f->dir);
    free(f);
    return 0;
}

static const char *
dir_of(void **state)
{
    return ((fixture *)*state)->dir;
}

static void
path_in(char *buf, size_t cap, const char *dir, const char *rel)
{
    int n = snprintf(buf, cap, "%s/%s", dir, rel);
    assert_true(n > 0 && (size_t)n < cap);
}

/* Writes len bytes to dir/rel, creating the directories on the way. */
static void
put_bytes(const char *dir, const char *rel, const void *data, size_t len)
{
    char p[PATH_MAX];
    path_in(p, sizeof p, dir, rel);
    for (char *s = p + strlen(dir) + 1; (s = strchr(s, '/')) != NULL; s++) {
        *s = '\0';
        mkdir(p, 0755);
        *s = '/';
    }
    FILE *fp = fopen(p, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static void
put(const char *dir, const char *rel, const char *text)
{
    put_bytes(dir, rel, text, strlen(text));
}

/* The contents of dir/rel (NUL-terminated, malloc'd), or NULL when it cannot be read. */
static char *
get(const char *dir, const char *rel)
{
    char p[PATH_MAX];
    path_in(p, sizeof p, dir, rel);
    return files_read(p, NULL);
}

static bool
exists(const char *dir, const char *rel)
{
    char p[PATH_MAX];
    struct stat st;
    path_in(p, sizeof p, dir, rel);
    return stat(p, &st) == 0;
}

/* The number of directory entries below dir (recursively), dir itself not counted. */
static int
count_entries(const char *dir)
{
    return files_count(dir, true);
}

static bool
starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int
count_substr(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static const char point_msg[] = "package demo;\nmessage Point { sint32 x = 1; sint32 y = 2; }\n";

static const char service_msg[] = "package demo;\n"
                                  "message Req { string q = 1 [max = 15]; }\n"
                                  "message Rep { repeated int32 v = 1; }\n"
                                  "service Search {\n"
                                  "    rpc Find(Req) returns (Rep);\n"
                                  "    oneway Forget(Req);\n"
                                  "}\n";

/* --- help, version, usage errors --- */

static const char usage_line[] = "usage: msgc [OPTIONS] FILE.msg...\n";

static void
assert_full_usage(const char *text)
{
    assert_true(starts_with(text, usage_line));
    static const char *const options[] = {
        "-o, --out DIR",   "-I, --include DIR", "--proto",    "--no-stubs", "-M, --deps FILE",
        "--templates DIR", "--check",           "-h, --help", "--version",
    };
    for (size_t i = 0; i < sizeof options / sizeof *options; i++)
        if (!strstr(text, options[i]))
            fail_msg("usage lacks %s:\n%s", options[i], text);
}

static void
test_help_prints_usage_on_stdout_and_exits_0(void **state)
{
    static const char *const spellings[] = {"-h", "--help"};
    for (size_t i = 0; i < 2; i++) {
        proc_result r;
        MSGC(&r, dir_of(state), spellings[i]);
        assert_int_equal(r.status, 0);
        assert_full_usage(r.out);
        assert_string_equal(r.err, "");
        proc_result_free(&r);
    }
    assert_int_equal(count_entries(dir_of(state)), 0);
}

static void
test_version_prints_the_version_the_banner_names(void **state)
{
    proc_result r;
    MSGC(&r, dir_of(state), "--version");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    unsigned a, b, c;
    char nl;
    assert_int_equal(sscanf(r.out, "msgc %u.%u.%u%c", &a, &b, &c, &nl), 4);
    assert_int_equal(nl, '\n');
    char want[128];
    snprintf(want, sizeof want, "/* Generated by msgc %u.%u.%u from a.msg. DO NOT EDIT. */\n", a, b,
             c);
    char wproto[128];
    snprintf(wproto, sizeof wproto, "// Generated by msgc %u.%u.%u from a.msg. DO NOT EDIT.\n", a,
             b, c);
    proc_result_free(&r);

    put(dir_of(state), "a.msg", point_msg);
    MSGC(&r, dir_of(state), "--proto", "a.msg");
    assert_int_equal(r.status, 0);
    char *h = get(dir_of(state), "a.msg.h"), *cc = get(dir_of(state), "a.msg.c");
    char *proto = get(dir_of(state), "a.proto");
    assert_true(starts_with(h, want));
    assert_true(starts_with(cc, want));
    assert_true(starts_with(proto, wproto));
    free(h);
    free(cc);
    free(proto);
    proc_result_free(&r);
}

static void
test_unknown_option_exits_2_with_message_and_usage(void **state)
{
    put(dir_of(state), "a.msg", point_msg);
    proc_result r;
    MSGC(&r, dir_of(state), "--frobnicate", "a.msg");
    assert_int_equal(r.status, 2);
    assert_string_equal(r.out, "");
    assert_true(starts_with(r.err, "msgc: error: unknown option '--frobnicate'\n"));
    assert_full_usage(r.err + strlen("msgc: error: unknown option '--frobnicate'\n"));
    assert_int_equal(count_entries(dir_of(state)), 1);
    proc_result_free(&r);
}

static void
test_option_without_its_value_exits_2(void **state)
{
    static const char *const opts[] = {"-o", "--out",  "-I",         "--include",
                                       "-M", "--deps", "--templates"};
    put(dir_of(state), "a.msg", point_msg);
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++) {
        proc_result r;
        MSGC(&r, dir_of(state), "a.msg", opts[i]);
        char want[128];
        snprintf(want, sizeof want, "msgc: error: missing value after '%s'\n", opts[i]);
        assert_int_equal(r.status, 2);
        assert_string_equal(r.out, "");
        if (!starts_with(r.err, want))
            fail_msg("msgc a.msg %s: stderr is\n%s", opts[i], r.err);
        proc_result_free(&r);
    }
    assert_int_equal(count_entries(dir_of(state)), 1);
}

static void
test_no_input_file_exits_2(void **state)
{
    proc_result r;
    MSGC(&r, dir_of(state), "-o", "out");
    assert_int_equal(r.status, 2);
    assert_string_equal(r.out, "");
    assert_true(starts_with(r.err, "msgc: error: no input files\n"));
    assert_false(exists(dir_of(state), "out"));
    proc_result_free(&r);

    char *argv[] = {msgc_path, NULL};
    proc_run(&r, dir_of(state), 10000, argv);
    assert_int_equal(r.status, 2);
    assert_true(starts_with(r.err, "msgc: error: no input files\n"));
    proc_result_free(&r);
}

static void
test_unreadable_input_exits_2(void **state)
{
    proc_result r;
    MSGC(&r, dir_of(state), "-o", "out", "nope.msg");
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, "msgc: error: cannot read nope.msg: No such file or directory\n");
    proc_result_free(&r);

    char d[PATH_MAX];
    path_in(d, sizeof d, dir_of(state), "adir.msg");
    assert_int_equal(mkdir(d, 0755), 0);
    MSGC(&r, dir_of(state), "-o", "out", "adir.msg");
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, "msgc: error: cannot read adir.msg: Is a directory\n");
    assert_false(exists(dir_of(state), "out"));
    proc_result_free(&r);
}

/* --- schema errors --- */

static void
test_schema_error_exits_1_with_file_line_col(void **state)
{
    put(dir_of(state), "s/bad.msg",
        "package p;\n"
        "message A {\n"
        "    int32 a = 1;\n"
        "    int32 b = 1;\n"
        "}\n");
    proc_result r;
    MSGC(&r, dir_of(state), "-o", "out", "s/bad.msg");
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, "s/bad.msg:4:15: error: field number 1 is already used by 'a'\n"
                               "    int32 b = 1;\n"
                               "              ^\n"
                               "s/bad.msg:3:15: note: 'a' uses number 1 here\n"
                               "    int32 a = 1;\n"
                               "              ^\n");
    assert_false(exists(dir_of(state), "out"));
    proc_result_free(&r);
}

static void
test_every_error_is_reported_up_to_20_then_too_many_errors(void **state)
{
    char text[4096] = "";
    for (int i = 1; i <= 25; i++) {
        char line[128];
        snprintf(line, sizeof line, "message M%d { Missing%d f = 1; }\n", i, i);
        strcat(text, line);
    }
    put(dir_of(state), "many.msg", text);
    proc_result r;
    MSGC(&r, dir_of(state), "many.msg");
    assert_int_equal(r.status, 1);
    assert_int_equal(count_substr(r.err, ": error: "), 21);
    for (int i = 1; i <= 25; i++) {
        char where[64];
        snprintf(where, sizeof where, "many.msg:%d:", i);
        if ((strstr(r.err, where) != NULL) != (i <= 20))
            fail_msg("line %d %s reported:\n%s", i, i <= 20 ? "not" : "", r.err);
    }
    const char *last = "msgc: error: too many errors\n";
    assert_true(r.err_len >= strlen(last));
    assert_string_equal(r.err + r.err_len - strlen(last), last);
    assert_int_equal(count_entries(dir_of(state)), 1);
    proc_result_free(&r);
}

/* --- outputs and paths --- */

static void
test_out_dir_receives_the_header_and_the_source(void **state)
{
    put(dir_of(state), "a.msg", point_msg);
    proc_result r;
    MSGC(&r, dir_of(state), "-o", "out", "a.msg");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, "");
    assert_true(exists(dir_of(state), "out/a.msg.h"));
    assert_true(exists(dir_of(state), "out/a.msg.c"));
    assert_false(exists(dir_of(state), "out/a.proto"));
    assert_int_equal(count_entries(dir_of(state)), 4); /* a.msg out out/a.msg.{h,c} */
    proc_result_free(&r);

    MSGC(&r, dir_of(state), "--out=o2", "a.msg");
    assert_int_equal(r.status, 0);
    assert_true(exists(dir_of(state), "o2/a.msg.h"));
    proc_result_free(&r);

    /* Without -o, the working directory. */
    MSGC(&r, dir_of(state), "a.msg");
    assert_int_equal(r.status, 0);
    assert_true(exists(dir_of(state), "a.msg.h"));
    assert_true(exists(dir_of(state), "a.msg.c"));
    proc_result_free(&r);
}

static void
test_proto_writes_the_proto3_file(void **state)
{
    put(dir_of(state), "a.msg", point_msg);
    proc_result r;
    MSGC(&r, dir_of(state), "--proto", "-o", "out", "a.msg");
    assert_int_equal(r.status, 0);
    char *proto = get(dir_of(state), "out/a.proto");
    assert_non_null(proto);
    assert_non_null(strstr(proto, "\nsyntax = \"proto3\";\n"));
    assert_non_null(strstr(proto, "\npackage demo;\n"));
    assert_non_null(strstr(proto, "message Point {\n  sint32 x = 1;\n  sint32 y = 2;\n}\n"));
    free(proto);
    proc_result_free(&r);
}

static void
test_output_path_is_relative_to_the_first_include_dir_holding_the_file(void **state)
{
    const char *d = dir_of(state);
    put(d, "root/d/x.msg", "package p;\nimport \"d/y.msg\";\nmessage X { Y y = 1; }\n");
    put(d, "root/d/y.msg", "package p;\nmessage Y { int32 v = 1; }\n");
    put(d, "other/z.msg", "message Z { int32 v = 1; }\n");
    proc_result r;
    MSGC(&r, d, "-I", "other", "-I", "root", "-o", "out", "root/d/x.msg");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    char *h = get(d, "out/d/x.msg.h"), *c = get(d, "out/d/x.msg.c");
    assert_non_null(h);
    assert_non_null(c);
    assert_true(starts_with(h, "/* Generated by msgc "));
    assert_non_null(strstr(h, " from d/x.msg. DO NOT EDIT. */\n"));
    assert_non_null(strstr(h, "\n#include <msgc.h>\n#include \"d/y.msg.h\"\n"));
    assert_non_null(strstr(c, "\n#include \"x.msg.h\"\n"));
    /* Only the files named on the command line are generated. */
    assert_false(exists(d, "out/d/y.msg.h"));
    free(h);
    free(c);
    proc_result_free(&r);

    /* --include=DIR and -IDIR spellings; the first dir holding the file wins. */
    MSGC(&r, d, "--include=root/d", "-Iroot", "-o", "out2", "root/d/x.msg");
    assert_int_equal(r.status, 0);
    h = get(d, "out2/x.msg.h");
    assert_non_null(h);
    assert_non_null(strstr(h, " from x.msg. DO NOT EDIT. */\n"));
    free(h);
    proc_result_free(&r);

    /* No -I dir holds it: its bare name. */
    MSGC(&r, d, "-I", "root", "-o", "out3", "other/z.msg");
    assert_int_equal(r.status, 0);
    assert_true(exists(d, "out3/z.msg.h"));
    assert_true(exists(d, "out3/z.msg.c"));
    proc_result_free(&r);
}

static bool
mentions_transport(const char *text, const char **which)
{
    static const char *const symbols[] = {
        "msgc_chan", "msgc_call", "msgc__send", "msgc__recv", "msgc__call",  "msgc__serve",
        "_handlers", "_send(",    "_recv(",     "_serve(",    "_serve_one(", "msgc_service_desc"};
    for (size_t i = 0; i < sizeof symbols / sizeof *symbols; i++)
        if (strstr(text, symbols[i])) {
            *which = symbols[i];
            return true;
        }
    return false;
}

/* Compiles dir/src.c and returns the undefined symbols nm lists (malloc'd). */
static char *
undefined_symbols(const char *dir, const char *include_dir)
{
    char inc[PATH_MAX + 2], rt[PATH_MAX + 2], src[PATH_MAX], obj[PATH_MAX];
    snprintf(inc, sizeof inc, "-I%s", include_dir);
    snprintf(rt, sizeof rt, "-I%s", runtime_dir);
    path_in(src, sizeof src, dir, "out/s.msg.c");
    path_in(obj, sizeof obj, dir, "s.o");
    char *cc[] = {"/usr/bin/cc", "-std=c11", "-c", rt, inc, src, "-o", obj, NULL};
    proc_result r;
    proc_run(&r, dir, 60000, cc);
    if (r.status != 0)
        fail_msg("cc failed:\n%s", r.err);
    proc_result_free(&r);
    char *nm[] = {"/usr/bin/nm", "-u", obj, NULL};
    proc_run(&r, dir, 60000, nm);
    assert_int_equal(r.status, 0);
    char *syms = r.out;
    r.out = NULL;
    proc_result_free(&r);
    return syms;
}

static void
test_no_stubs_leaves_no_transport_symbol(void **state)
{
    const char *d = dir_of(state);
    char out[PATH_MAX];
    path_in(out, sizeof out, d, "out");
    put(d, "s.msg", service_msg);
    proc_result r;

    /* With stubs (the control): the code does call the transport. */
    MSGC(&r, d, "-o", "out", "s.msg");
    assert_int_equal(r.status, 0);
    proc_result_free(&r);
    char *syms = undefined_symbols(d, out);
    assert_non_null(strstr(syms, " msgc__send\n"));
    assert_non_null(strstr(syms, " msgc__call\n"));
    free(syms);

    MSGC(&r, d, "--no-stubs", "-o", "out", "s.msg");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    proc_result_free(&r);
    static const char *const files[] = {"out/s.msg.h", "out/s.msg.c"};
    for (size_t i = 0; i < 2; i++) {
        char *text = get(d, files[i]);
        const char *which;
        assert_non_null(text);
        if (mentions_transport(text, &which))
            fail_msg("%s mentions %s under --no-stubs", files[i], which);
        free(text);
    }
    syms = undefined_symbols(d, out);
    static const char *const banned[] = {"msgc__send",     "msgc__recv",      "msgc__call",
                                         "msgc__serve",    "msgc__send_many", "msgc__recv_many",
                                         "msgc__serve_one"};
    for (size_t i = 0; i < sizeof banned / sizeof *banned; i++) {
        char line[64];
        snprintf(line, sizeof line, " %s\n", banned[i]);
        if (strstr(syms, line))
            fail_msg("--no-stubs code needs %s:\n%s", banned[i], syms);
    }
    free(syms);
}

static void
test_deps_writes_a_make_rule_with_phony_targets(void **state)
{
    const char *d = dir_of(state);
    put(d, "a.msg", "import \"b.msg\";\nmessage A { B b = 1; }\n");
    put(d, "b.msg", "message B { int32 v = 1; }\n");
    proc_result r;
    MSGC(&r, d, "-M", "deps.mk", "-o", "out", "a.msg");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    char *mk = get(d, "deps.mk");
    assert_non_null(mk);
    assert_string_equal(mk, "out/a.msg.h out/a.msg.c: b.msg a.msg\n"
                            "\n"
                            "b.msg:\n"
                            "\n"
                            "a.msg:\n");
    free(mk);
    proc_result_free(&r);

    MSGC(&r, d, "--deps=deps2.mk", "-o", "out", "a.msg");
    assert_int_equal(r.status, 0);
    assert_true(exists(d, "deps2.mk"));
    proc_result_free(&r);
}

/* With --proto the .proto file is generated too, so it is a target of the rule. */
static void
test_deps_names_the_proto_file_among_the_targets(void **state)
{
    const char *d = dir_of(state);
    put(d, "a.msg", point_msg);
    proc_result r;
    MSGC(&r, d, "--proto", "-M", "deps.mk", "-o", "out", "a.msg");
    assert_int_equal(r.status, 0);
    char *mk = get(d, "deps.mk");
    assert_non_null(mk);
    char *colon = strchr(mk, ':');
    assert_non_null(colon);
    *colon = '\0';
    bool named = strstr(mk, "out/a.proto") != NULL;
    if (!named)
        print_message("targets: %s\n", mk);
    free(mk);
    proc_result_free(&r);
    assert_true(named);
}

/* --- templates --- */

static void
copy_template(const char *dir, const char *name, const char *prefix)
{
    char src[PATH_MAX], rel[PATH_MAX];
    path_in(src, sizeof src, templates_dir, name);
    size_t body_len;
    char *body = files_read(src, &body_len);
    assert_non_null(body);
    char *text = NULL;
    size_t len = 0;
    files_append(&text, &len, prefix, strlen(prefix));
    files_append(&text, &len, body, body_len);
    free(body);
    path_in(rel, sizeof rel, "t", name);
    put(dir, rel, text);
    free(text);
}

static void
test_templates_dir_replaces_the_builtin_templates(void **state)
{
    const char *d = dir_of(state);
    put(d, "a.msg", point_msg);
    copy_template(d, "msg.h.tmpl", "/* custom header template for {{schema}} */\n");
    copy_template(d, "msg.c.tmpl", "/* custom source template */\n");
    proc_result r;
    MSGC(&r, d, "--templates", "t", "-o", "out", "a.msg");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    char *h = get(d, "out/a.msg.h"), *c = get(d, "out/a.msg.c");
    assert_true(starts_with(h, "/* custom header template for a.msg */\n/* Generated by msgc"));
    assert_true(starts_with(c, "/* custom source template */\n/* Generated by msgc"));
    free(h);
    free(c);
    proc_result_free(&r);
}

static void
test_missing_template_file_exits_2(void **state)
{
    const char *d = dir_of(state);
    put(d, "a.msg", point_msg);
    copy_template(d, "msg.h.tmpl", "");
    proc_result r;
    MSGC(&r, d, "--templates", "t", "-o", "out", "a.msg");
    assert_int_equal(r.status, 2);
    assert_string_equal(
        r.err, "msgc: error: cannot read template t/msg.c.tmpl: No such file or directory\n");
    proc_result_free(&r);

    MSGC(&r, d, "--templates=nowhere", "-o", "out", "a.msg");
    assert_int_equal(r.status, 2);
    assert_true(starts_with(r.err, "msgc: error: cannot read template nowhere/msg.h.tmpl: "));
    proc_result_free(&r);
}

static void
test_template_with_unknown_variable_exits_2_naming_template_and_line(void **state)
{
    const char *d = dir_of(state);
    put(d, "a.msg", point_msg);
    copy_template(d, "msg.h.tmpl", "");
    copy_template(d, "msg.c.tmpl", "/* one */\n/* two */\n{{no_such_variable}}\n");
    proc_result r;
    MSGC(&r, d, "--templates", "t", "-o", "out", "a.msg");
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, "msgc: error: template error: msg.c.tmpl:3: unknown name "
                               "'no_such_variable'\n");
    proc_result_free(&r);
}

/* --- --check --- */

static void
test_check_writes_nothing(void **state)
{
    const char *d = dir_of(state);
    put(d, "a.msg", point_msg);
    proc_result r;
    MSGC(&r, d, "--check", "--proto", "-M", "deps.mk", "-o", "out", "a.msg");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, "");
    assert_int_equal(count_entries(d), 1);
    proc_result_free(&r);

    put(d, "bad.msg", "message B { int32 x = 0; }\n");
    MSGC(&r, d, "--check", "-o", "out", "bad.msg");
    assert_int_equal(r.status, 1);
    assert_true(starts_with(r.err, "bad.msg:1:23: error: "));
    assert_int_equal(count_entries(d), 2);
    proc_result_free(&r);
}

/* --- hostile input --- */

typedef struct nasty {
    const char *what;
    char *data;
    size_t len;
    int want; /* expected exit status */
} nasty;

static char *
repeat(const char *unit, size_t times, const char *tail, size_t *len)
{
    size_t u = strlen(unit), t = strlen(tail);
    char *s = malloc(u * times + t + 1);
    assert_non_null(s);
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * u, unit, u);
    memcpy(s + u * times, tail, t + 1);
    *len = u * times + t;
    return s;
}

static void
test_hostile_input_neither_crashes_nor_hangs(void **state)
{
    const char *d = dir_of(state);
    nasty cases[8];
    size_t n = 0;

    /* Binary garbage, NUL bytes included (a fixed generator: the test repeats). */
    cases[n].what = "binary garbage";
    cases[n].len = 100000;
    cases[n].data = malloc(cases[n].len);
    assert_non_null(cases[n].data);
    unsigned x = 12345;
    for (size_t i = 0; i < cases[n].len; i++) {
        x = x * 1103515245u + 12345u;
        cases[n].data[i] = (char)(x >> 16);
    }
    cases[n++].want = 1;

    cases[n].what = "100000 opening braces";
    cases[n].data = repeat("{", 100000, "\n", &cases[n].len);
    cases[n++].want = 1;

    cases[n].what = "100000 nested messages";
    cases[n].data = repeat("message A { ", 100000, "\n", &cases[n].len);
    cases[n++].want = 1;

    cases[n].what = "1 MB identifiers";
    {
        size_t l;
        char *id = repeat("a", 1000000, "", &l);
        size_t cap = 2 * l + 64;
        cases[n].data = malloc(cap);
        assert_non_null(cases[n].data);
        cases[n].len =
            (size_t)snprintf(cases[n].data, cap, "message M%s { int32 %s = 1; }\n", id, id);
        free(id);
    }
    cases[n++].want = 0;

    cases[n].what = "a 100000-line file";
    {
        size_t cap = 100000 * 40, len = 0;
        char *s = malloc(cap);
        assert_non_null(s);
        for (int i = 0; i < 100000; i++)
            len += (size_t)snprintf(s + len, cap - len, "const C%d = %d; // line\n", i, i);
        cases[n].data = s;
        cases[n].len = len;
    }
    cases[n++].want = 0;

    cases[n].what = "an unterminated comment";
    cases[n].data = repeat("message A { /* ", 1, "", &cases[n].len);
    cases[n++].want = 1;

    cases[n].what = "an unterminated string";
    cases[n].data = repeat("import \"abc", 1, "", &cases[n].len);
    cases[n++].want = 1;

    cases[n].what = "an empty file";
    cases[n].data = repeat("", 1, "", &cases[n].len);
    cases[n++].want = 0;

    for (size_t i = 0; i < n; i++) {
        put_bytes(d, "nasty.msg", cases[i].data, cases[i].len);
        proc_result r;
        char *argv[] = {msgc_path, "-o", "out", "nasty.msg", NULL};
        proc_run(&r, d, 30000, argv);
        if (r.timed_out || r.status != cases[i].want)
            fail_msg("%s: %s, status %d (want %d)", cases[i].what,
                     r.timed_out ? "timed out" : "finished", r.status, cases[i].want);
        if (cases[i].want != 0 && !starts_with(r.err, "nasty.msg:1:"))
            fail_msg("%s: stderr starts %.200s", cases[i].what, r.err);
        proc_result_free(&r);
        free(cases[i].data);
    }
}

int
main(void)
{
    proc_resolve(msgc_path, "MSGC", "build/msgc", "test_cli");
    proc_resolve(runtime_dir, "MSGC_RUNTIME", "runtime", "test_cli");
    proc_resolve(templates_dir, "MSGC_TEMPLATES", "templates", "test_cli");
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_help_prints_usage_on_stdout_and_exits_0),
        T(test_version_prints_the_version_the_banner_names),
        T(test_unknown_option_exits_2_with_message_and_usage),
        T(test_option_without_its_value_exits_2),
        T(test_no_input_file_exits_2),
        T(test_unreadable_input_exits_2),
        T(test_schema_error_exits_1_with_file_line_col),
        T(test_every_error_is_reported_up_to_20_then_too_many_errors),
        T(test_out_dir_receives_the_header_and_the_source),
        T(test_proto_writes_the_proto3_file),
        T(test_output_path_is_relative_to_the_first_include_dir_holding_the_file),
        T(test_no_stubs_leaves_no_transport_symbol),
        T(test_deps_writes_a_make_rule_with_phony_targets),
        T(test_deps_names_the_proto_file_among_the_targets),
        T(test_templates_dir_replaces_the_builtin_templates),
        T(test_missing_template_file_exits_2),
        T(test_template_with_unknown_variable_exits_2_naming_template_and_line),
        T(test_check_writes_nothing),
        T(test_hostile_input_neither_crashes_nor_hangs),
    };
#undef T
    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
