/* test_load.c - reading inputs and imports (compiler/load.c) and the file system mc_io. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mc.h"
#include "memfs.h"
#include "text_sink.h"

typedef struct fx {
    mc_program prog;
    mc_diag *diag;
    memfs *fs;
    mc_io io;
    char out[16384];
    size_t len;
    text_sink sink;
} fx;

static int
setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->prog.arena = mc_arena_new();
    f->sink = (text_sink){f->out, sizeof f->out, &f->len, NULL};
    f->diag = mc_diag_new(f->prog.arena, text_sink_write, &f->sink);
    f->fs = memfs_new();
    f->io = memfs_io(f->fs);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fx *f = *state;
    memfs_free(f->fs);
    mc_arena_free(f->prog.arena);
    free(f);
    return 0;
}

static int
load(fx *f, const char *const *inputs, size_t n_inputs, const char *const *dirs, size_t n_dirs)
{
    mc_options o = {
        .inputs = inputs,
        .n_inputs = n_inputs,
        .include_dirs = dirs,
        .n_include_dirs = n_dirs,
        .io = &f->io,
    };
    return mc_load(&f->prog, f->diag, &o);
}

/* The files of the program in order, as "path=rel" or "path=rel*" when generated. */
static const char *
files(fx *f)
{
    static char buf[1024];
    size_t n = 0;
    buf[0] = '\0';
    for (mc_file *file = f->prog.files; file; file = file->next)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s=%s%s", n ? " " : "", file->path,
                              file->rel, file->generate ? "*" : "");
    return buf;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void
test_single_input_is_generated_under_its_bare_name(void **state)
{
    fx *f = *state;
    memfs_add(f->fs, "src/a.msg", "message A {}\n");
    const char *in[] = {"src/a.msg"};
    assert_int_equal(load(f, in, 1, NULL, 0), 0);
    assert_string_equal(files(f), "src/a.msg=a.msg*");
    assert_string_equal(f->prog.files->messages->name, "A");
    assert_string_equal(f->out, "");
}

static void
test_imports_come_before_their_importers(void **state)
{
    fx *f = *state;
    memfs_add(f->fs, "a.msg", "import \"b.msg\";\n");
    memfs_add(f->fs, "b.msg", "import \"c.msg\";\n");
    memfs_add(f->fs, "c.msg", "message C {}\n");
    const char *in[] = {"a.msg"};
    assert_int_equal(load(f, in, 1, NULL, 0), 0);
    assert_string_equal(files(f), "c.msg=c.msg b.msg=b.msg a.msg=a.msg*");
    mc_file *c = f->prog.files, *b = c->next, *a = b->next;
    assert_ptr_equal(a->imports->file, b);
    assert_ptr_equal(b->imports->file, c);
}

static void
test_import_is_found_beside_its_importer_before_the_include_dirs(void **state)
{
    fx *f = *state;
    memfs_add(f->fs, "src/a.msg", "import \"x.msg\";\n");
    memfs_add(f->fs, "src/x.msg", "message Near {}\n");
    memfs_add(f->fs, "inc/x.msg", "message Far {}\n");
    const char *in[] = {"src/a.msg"}, *dirs[] = {"inc"};
    assert_int_equal(load(f, in, 1, dirs, 1), 0);
    assert_string_equal(files(f), "src/x.msg=x.msg src/a.msg=a.msg*");
    assert_string_equal(f->prog.files->messages->name, "Near");
    assert_int_equal(memfs_reads(f->fs, "inc/x.msg"), 0);
}

static void
test_include_dirs_are_searched_in_order(void **state)
{
    fx *f = *state;
    memfs_add(f->fs, "src/a.msg", "import \"y.msg\";\nimport \"z.msg\";\n");
    memfs_add(f->fs, "inc1/y.msg", "message Y1 {}\n");
    memfs_add(f->fs, "inc2/y.msg", "message Y2 {}\n");
    memfs_add(f->fs, "inc2/z.msg", "message Z2 {}\n");
    const char *in[] = {"src/a.msg"}, *dirs[] = {"inc1", "inc2/"};
    assert_int_equal(load(f, in, 1, dirs, 2), 0);
    assert_string_equal(files(f), "inc1/y.msg=y.msg inc2/z.msg=z.msg src/a.msg=a.msg*");
    assert_string_equal(f->prog.files->messages->name, "Y1");
    assert_int_equal(memfs_reads(f->fs, "src/y.msg"), 1);
    assert_int_equal(memfs_reads(f->fs, "inc2/y.msg"), 0);
    assert_int_equal(memfs_reads(f->fs, "inc1/z.msg"), 1);
}

static void
test_file_reached_by_several_paths_is_loaded_once(void **state)
{
    fx *f = *state;
    memfs_add(f->fs, "a.msg", "import \"b.msg\";\nimport \"sub/../b.msg\";\nimport \"./b.msg\";\n");
    memfs_add(f->fs, "c.msg", "import \"b.msg\";\n");
    memfs_add(f->fs, "b.msg", "message B {}\n");
    const char *in[] = {"a.msg", "c.msg", "./a.msg"};
    assert_int_equal(load(f, in, 3, NULL, 0), 0);
    assert_string_equal(files(f), "b.msg=b.msg a.msg=a.msg* c.msg=c.msg*");
    assert_int_equal(memfs_reads(f->fs, "b.msg"), 1);
    assert_int_equal(memfs_reads(f->fs, "a.msg"), 1);
    mc_file *b = f->prog.files, *a = b->next, *c = a->next;
    assert_ptr_equal(a->imports->file, b);
    assert_ptr_equal(a->imports->next->file, b);
    assert_ptr_equal(a->imports->next->next->file, b);
    assert_ptr_equal(c->imports->file, b);
}

static void
test_input_imported_by_another_input_is_loaded_once_and_generated(void **state)
{
    fx *f = *state;
    memfs_add(f->fs, "a.msg", "import \"b.msg\";\n");
    memfs_add(f->fs, "b.msg", "message B {}\n");
    const char *in[] = {"a.msg", "b.msg"};
    assert_int_equal(load(f, in, 2, NULL, 0), 0);
    assert_string_equal(files(f), "b.msg=b.msg* a.msg=a.msg*");
    assert_int_equal(memfs_reads(f->fs, "b.msg"), 1);
}

static void
test_import_cycle_is_refused_at_the_import_that_closes_it(void **state)
{
    fx *f = *state;
    memfs_add(f->fs, "a.msg", "import \"b.msg\";\n");
    memfs_add(f->fs, "b.msg", "import \"c.msg\";\n");
    memfs_add(f->fs, "c.msg", "package c;\nimport \"a.msg\";\n");
    const char *in[] = {"a.msg"};
    assert_int_equal(load(f, in, 1, NULL, 0), -1);
    assert_string_equal(f->out, "c.msg:2:8: error: import cycle: a.msg -> b.msg -> c.msg -> "
                                "a.msg\n"
                                "import \"a.msg\";\n"
                                "       ^\n");
    assert_string_equal(files(f), "c.msg=c.msg b.msg=b.msg a.msg=a.msg*");
    assert_null(f->prog.files->imports->file);
}

static void
test_file_importing_itself_is_a_cycle(void **state)
{
    fx *f = *state;
    memfs_add(f->fs, "d/a.msg", "import \"../d/a.msg\";\n");
    const char *in[] = {"d/a.msg"};
    assert_int_equal(load(f, in, 1, NULL, 0), -1);
    assert_string_equal(f->out, "d/a.msg:1:8: error: import cycle: d/a.msg -> d/a.msg\n"
                                "import \"../d/a.msg\";\n"
                                "       ^\n");
}

static void
test_missing_import_is_an_error_at_the_import(void **state)
{
    fx *f = *state;
    memfs_add(f->fs, "a.msg", "import \"nope.msg\";\nmessage A {}\n");
    const char *in[] = {"a.msg"}, *dirs[] = {"inc"};
    assert_int_equal(load(f, in, 1, dirs, 1), -1);
    assert_string_equal(f->out, "a.msg:1:8: error: cannot find import \"nope.msg\"\n"
                                "import \"nope.msg\";\n"
                                "       ^\n");
    assert_string_equal(files(f), "a.msg=a.msg*");
    assert_null(f->prog.files->imports->file);
    assert_int_equal(memfs_reads(f->fs, "nope.msg"), 1);
    assert_int_equal(memfs_reads(f->fs, "inc/nope.msg"), 1);
}

static void
test_unreadable_input_is_fatal_and_the_others_still_load(void **state)
{
    fx *f = *state;
    memfs_add(f->fs, "ok.msg", "message A {}\n");
    memfs_add(f->fs, "locked.msg", "message B {}\n");
    memfs_fail(f->fs, "locked.msg", EACCES);
    const char *in[] = {"nope.msg", "locked.msg", "ok.msg"};
    assert_int_equal(load(f, in, 3, NULL, 0), -1);
    assert_string_equal(f->out, "msgc: error: cannot read nope.msg: No such file or directory\n"
                                "msgc: error: cannot read locked.msg: Permission denied\n");
    assert_true(mc_diag_had_fatal(f->diag));
    assert_int_equal(mc_diag_errors(f->diag), 0);
    assert_string_equal(files(f), "ok.msg=ok.msg*");
}

static void
test_syntax_error_in_an_import_fails_the_load_and_names_that_file(void **state)
{
    fx *f = *state;
    memfs_add(f->fs, "a.msg", "import \"sub/b.msg\";\n");
    memfs_add(f->fs, "sub/b.msg", "message B { int32 x }\n");
    const char *in[] = {"a.msg"};
    assert_int_equal(load(f, in, 1, NULL, 0), -1);
    assert_string_equal(f->out, "sub/b.msg:1:21: error: syntax error, unexpected '}', expecting "
                                "'='\n"
                                "message B { int32 x }\n"
                                "                    ^\n");
    assert_string_equal(files(f), "sub/b.msg=sub/b.msg a.msg=a.msg*");
}

static void
test_rel_paths_follow_include_dirs_then_importers(void **state)
{
    fx *f = *state;
    memfs_add(f->fs, "schemas/a.msg", "import \"d/y.msg\";\nimport \"w.msg\";\n");
    memfs_add(f->fs, "schemas/d/y.msg", "import \"z.msg\";\n");
    memfs_add(f->fs, "schemas/d/z.msg", "");
    memfs_add(f->fs, "lib/w.msg", "");
    memfs_add(f->fs, "other/q.msg", "import \"r/s.msg\";\n");
    memfs_add(f->fs, "other/r/s.msg", "import \"t.msg\";\n");
    memfs_add(f->fs, "other/r/t.msg", "");
    const char *in[] = {"schemas/a.msg", "other/q.msg"}, *dirs[] = {"schemas", "./lib"};
    assert_int_equal(load(f, in, 2, dirs, 2), 0);
    assert_string_equal(files(f), "schemas/d/z.msg=d/z.msg schemas/d/y.msg=d/y.msg "
                                  "lib/w.msg=w.msg schemas/a.msg=a.msg* "
                                  "other/r/t.msg=r/t.msg other/r/s.msg=r/s.msg "
                                  "other/q.msg=q.msg*");
}

static void
test_rel_is_taken_from_the_first_include_dir_that_holds_the_file(void **state)
{
    fx *f = *state;
    memfs_add(f->fs, "a/b/x.msg", "");
    memfs_add(f->fs, "s/t.msg", "");
    memfs_add(f->fs, "/abs/u.msg", "");
    const char *in[] = {"a/b/x.msg", "./s//t.msg", "/abs/u.msg"};
    const char *dirs[] = {"a/", "a/b", ".", "/"};
    assert_int_equal(load(f, in, 3, dirs, 4), 0);
    assert_string_equal(files(f), "a/b/x.msg=b/x.msg* ./s//t.msg=s/t.msg* /abs/u.msg=abs/u.msg*");
}

static void
test_rel_from_an_importer_beats_a_bare_name(void **state)
{
    fx *f = *state;
    memfs_add(f->fs, "d/x.msg", "import \"y.msg\";\n");
    memfs_add(f->fs, "d/y.msg", "");
    memfs_add(f->fs, "a.msg", "import \"d/x.msg\";\n");
    const char *in[] = {"d/x.msg", "a.msg"};
    assert_int_equal(load(f, in, 2, NULL, 0), 0);
    assert_string_equal(files(f), "d/y.msg=d/y.msg d/x.msg=d/x.msg* a.msg=a.msg*");
}

/* --- the file system mc_io --- */

static char dir[64];

static int
setup_dir(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/msgc-test-load-%ld", (long)getpid());
    return setup(state);
}

static int
teardown_dir(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    return teardown(state);
}

static int
count_entries(const char *path)
{
    DIR *d = opendir(path);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void
test_posix_write_creates_directories_and_replaces_whole_files(void **state)
{
    (void)state;
    char path[128], sub[128];
    snprintf(path, sizeof path, "%s/out/d/x.msg.h", dir);
    snprintf(sub, sizeof sub, "%s/out/d", dir);
    assert_int_equal(mc_io_posix.write_file(NULL, path, "first version", 13), 0);
    assert_int_equal(mc_io_posix.write_file(NULL, path, "second\0x", 8), 0);
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(mc_io_posix.read_file(NULL, path, &text, &len), 0);
    assert_int_equal(len, 8);
    assert_memory_equal(text, "second\0x", 9);
    free(text);
    assert_int_equal(count_entries(sub), 1); /* no temporary file left */
}

static void
test_posix_io_returns_errno_values(void **state)
{
    (void)state;
    char path[128], blocked[128];
    char *text = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/missing.msg", dir);
    assert_int_equal(mc_io_posix.read_file(NULL, path, &text, &len), ENOENT);
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(mc_io_posix.read_file(NULL, dir, &text, &len), EISDIR);
    snprintf(path, sizeof path, "%s/file", dir);
    assert_int_equal(mc_io_posix.write_file(NULL, path, "", 0), 0);
    snprintf(blocked, sizeof blocked, "%s/file/x.h", dir);
    assert_int_equal(mc_io_posix.write_file(NULL, blocked, "x", 1), ENOTDIR);
    assert_null(text);
}

static void
test_load_without_an_io_reads_the_file_system(void **state)
{
    fx *f = *state;
    char a[128], b[128];
    snprintf(a, sizeof a, "%s/a.msg", dir);
    snprintf(b, sizeof b, "%s/b.msg", dir);
    const char *ta = "import \"b.msg\";\nmessage A {}\n", *tb = "message B {}\n";
    assert_int_equal(mc_io_posix.write_file(NULL, a, ta, strlen(ta)), 0);
    assert_int_equal(mc_io_posix.write_file(NULL, b, tb, strlen(tb)), 0);
    const char *in[] = {a};
    mc_options o = {.inputs = in, .n_inputs = 1};
    assert_int_equal(mc_load(&f->prog, f->diag, &o), 0);
    assert_string_equal(f->prog.files->path, b);
    assert_string_equal(f->prog.files->rel, "b.msg");
    assert_string_equal(f->prog.files->messages->name, "B");
    assert_string_equal(f->prog.files->next->messages->name, "A");
    assert_string_equal(f->out, "");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_single_input_is_generated_under_its_bare_name, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_imports_come_before_their_importers, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_import_is_found_beside_its_importer_before_the_include_dirs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_include_dirs_are_searched_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_reached_by_several_paths_is_loaded_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_input_imported_by_another_input_is_loaded_once_and_generated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_cycle_is_refused_at_the_import_that_closes_it,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_importing_itself_is_a_cycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_import_is_an_error_at_the_import, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_input_is_fatal_and_the_others_still_load,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_syntax_error_in_an_import_fails_the_load_and_names_that_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rel_paths_follow_include_dirs_then_importers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_rel_is_taken_from_the_first_include_dir_that_holds_the_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rel_from_an_importer_beats_a_bare_name, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_posix_write_creates_directories_and_replaces_whole_files, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_posix_io_returns_errno_values, setup_dir,
                                        teardown_dir),
        cmocka_unit_test_setup_teardown(test_load_without_an_io_reads_the_file_system, setup_dir,
                                        teardown_dir),
    };
    return cmocka_run_group_tests_name("load", tests, NULL, NULL);
}
