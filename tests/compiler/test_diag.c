/* test_diag.c - the diagnostics of compiler/diag.c: format, quoting, the error limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "text_sink.h"

typedef struct fx {
    mc_arena *arena;
    mc_diag *diag;
    char out[16384];
    size_t len;
    int calls;
    text_sink sink;
} fx;

static int
setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->arena = mc_arena_new();
    f->sink = (text_sink){f->out, sizeof f->out, &f->len, &f->calls};
    f->diag = mc_diag_new(f->arena, text_sink_write, &f->sink);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fx *f = *state;
    mc_arena_free(f->arena);
    free(f);
    return 0;
}

static mc_loc
at(const char *file, int line, int col)
{
    return (mc_loc){file, line, col};
}

static const char src[] = "message A {\n"
                          "\tuint32 battery = 3;\n"
                          "  int32 x = 1;\r\n"
                          "}\n";

static void
test_error_shows_location_source_line_and_caret(void **state)
{
    fx *f = *state;
    mc_diag_add_source(f->diag, "s.msg", src, sizeof src - 1);
    mc_diag_error(f->diag, at("s.msg", 1, 9), "duplicate message %s", "A");
    assert_string_equal(f->out, "s.msg:1:9: error: duplicate message A\n"
                                "message A {\n"
                                "        ^\n");
    assert_int_equal(f->calls, 1);
    assert_int_equal(mc_diag_errors(f->diag), 1);
    assert_false(mc_diag_had_fatal(f->diag));
}

static void
test_caret_line_repeats_tabs_so_it_lines_up(void **state)
{
    fx *f = *state;
    mc_diag_add_source(f->diag, "s.msg", src, sizeof src - 1);
    mc_diag_error(f->diag, at("s.msg", 2, 18), "duplicate field number 3");
    assert_string_equal(f->out, "s.msg:2:18: error: duplicate field number 3\n"
                                "\tuint32 battery = 3;\n"
                                "\t                ^\n");
}

static void
test_note_has_the_same_shape_and_does_not_count(void **state)
{
    fx *f = *state;
    mc_diag_add_source(f->diag, "s.msg", src, sizeof src - 1);
    mc_diag_error(f->diag, at("s.msg", 3, 9), "duplicate field x");
    mc_diag_note(f->diag, at("s.msg", 1, 1), "previous definition of %s is here", "x");
    assert_string_equal(f->out, "s.msg:3:9: error: duplicate field x\n"
                                "  int32 x = 1;\n"
                                "        ^\n"
                                "s.msg:1:1: note: previous definition of x is here\n"
                                "message A {\n"
                                "^\n");
    assert_int_equal(f->calls, 2);
    assert_int_equal(mc_diag_errors(f->diag), 1);
}

static void
test_column_past_the_end_of_the_line_gets_a_caret_there(void **state)
{
    fx *f = *state;
    mc_diag_add_source(f->diag, "s.msg", "abc", 3);
    mc_diag_error(f->diag, at("s.msg", 1, 6), "here");
    assert_string_equal(f->out, "s.msg:1:6: error: here\n"
                                "abc\n"
                                "     ^\n");
}

static void
test_no_source_line_for_unknown_files_and_impossible_lines(void **state)
{
    fx *f = *state;
    mc_diag_add_source(f->diag, "s.msg", src, sizeof src - 1);
    mc_diag_error(f->diag, at("other.msg", 1, 1), "a");
    mc_diag_error(f->diag, at("s.msg", 5, 1), "b"); /* after the last newline */
    mc_diag_error(f->diag, at("s.msg", 9, 1), "c"); /* past the end */
    mc_diag_error(f->diag, at("s.msg", 0, 0), "d"); /* no place */
    mc_diag_error(f->diag, at(NULL, 0, 0), "e");    /* no file */
    assert_string_equal(f->out, "other.msg:1:1: error: a\n"
                                "s.msg:5:1: error: b\n"
                                "s.msg:9:1: error: c\n"
                                "s.msg:0:0: error: d\n"
                                "msgc: error: e\n");
    assert_int_equal(mc_diag_errors(f->diag), 5);
}

static void
test_control_bytes_show_as_blanks_and_utf8_takes_one_place(void **state)
{
    fx *f = *state;
    static const char text[] = "a\0b\x01 \xc3\xa9t\xe2\x82\xact x";
    mc_diag_add_source(f->diag, "s.msg", text, sizeof text - 1);
    mc_diag_error(f->diag, at("s.msg", 1, 14), "x");
    assert_string_equal(f->out, "s.msg:1:14: error: x\n"
                                "a b  \xc3\xa9t\xe2\x82\xact x\n"
                                "          ^\n");
}

static void
test_after_twenty_errors_one_too_many_line_and_the_rest_dropped(void **state)
{
    fx *f = *state;
    mc_diag_add_source(f->diag, "s.msg", src, sizeof src - 1);
    for (int i = 1; i <= 20; i++)
        mc_diag_error(f->diag, at("s.msg", 4, 1), "e%d", i);
    size_t before = f->len;
    assert_int_equal(f->calls, 20);
    mc_diag_note(f->diag, at("s.msg", 4, 1), "kept note");
    assert_int_equal(f->calls, 21);
    mc_diag_error(f->diag, at("s.msg", 4, 1), "e21");
    mc_diag_note(f->diag, at("s.msg", 4, 1), "dropped note");
    mc_diag_error(f->diag, at("s.msg", 4, 1), "e22");
    assert_string_equal(f->out + before, "s.msg:4:1: note: kept note\n"
                                         "}\n"
                                         "^\n"
                                         "msgc: error: too many errors\n");
    assert_int_equal(f->calls, 22);
    assert_int_equal(mc_diag_errors(f->diag), 22);
    assert_non_null(strstr(f->out, "s.msg:4:1: error: e20\n}\n^\n"));
    assert_null(strstr(f->out, "e21"));
    /* A place-less fatal error still gets through. */
    mc_diag_fatal(f->diag, "cannot write %s", "x.h");
    assert_string_equal(f->out + f->len - strlen("msgc: error: cannot write x.h\n"),
                        "msgc: error: cannot write x.h\n");
}

static void
test_fatal_has_no_place_and_is_remembered(void **state)
{
    fx *f = *state;
    mc_diag_fatal(f->diag, "cannot read %s: %s", "x.msg", "No such file or directory");
    assert_string_equal(f->out, "msgc: error: cannot read x.msg: No such file or directory\n");
    assert_true(mc_diag_had_fatal(f->diag));
    assert_int_equal(mc_diag_errors(f->diag), 0);
}

static void
test_latest_registration_of_a_path_wins(void **state)
{
    fx *f = *state;
    mc_diag_add_source(f->diag, "s.msg", "old\n", 4);
    mc_diag_add_source(f->diag, "s.msg", "new\n", 4);
    mc_diag_error(f->diag, at("s.msg", 1, 2), "x");
    assert_string_equal(f->out, "s.msg:1:2: error: x\n"
                                "new\n"
                                " ^\n");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_error_shows_location_source_line_and_caret, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_caret_line_repeats_tabs_so_it_lines_up, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_note_has_the_same_shape_and_does_not_count, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_column_past_the_end_of_the_line_gets_a_caret_there,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_source_line_for_unknown_files_and_impossible_lines,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_bytes_show_as_blanks_and_utf8_takes_one_place,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_after_twenty_errors_one_too_many_line_and_the_rest_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fatal_has_no_place_and_is_remembered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_latest_registration_of_a_path_wins, setup, teardown),
    };
    return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
