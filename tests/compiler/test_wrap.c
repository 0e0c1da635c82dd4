/* test_wrap.c - breaking long lines of generated C (compiler/wrap.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wrap.h"

/* Wraps in at limit and checks the result is exactly want. */
static void
check_wrap(const char *in, size_t limit, const char *want)
{
    mc_buf out = {0};
    mc_wrap_c(in, strlen(in), limit, &out);
    const char *got = out.data ? out.data : "";
    if (strcmp(got, want) != 0)
        fprintf(stderr, "--- got ---\n%s--- want ---\n%s", got, want);
    assert_string_equal(got, want);
    mc_buf_free(&out);
}

static void
test_lines_within_the_limit_are_kept(void **state)
{
    (void)state;
    const char *in = "int f(int a, int b);\n    x = g(1, 2);\n";
    check_wrap(in, 20, in);
    check_wrap("", 10, "");
    /* The last line may have no newline; it is kept as it is. */
    check_wrap("int f(int aaaa, int bbbb)", 10, "int f(int aaaa, int bbbb)");
}

static void
test_parameter_list_is_filled_and_aligned_under_the_first(void **state)
{
    (void)state;
    check_wrap("int name(const char *a, size_t bb, int *ccc, int d);\n", 30,
               "int name(const char *a,\n"
               "         size_t bb, int *ccc,\n"
               "         int d);\n");
}

static void
test_the_first_list_whose_arguments_fit_is_broken(void **state)
{
    (void)state;
    /* The if and the macro have one argument each: the call inside them is broken. */
    check_wrap("    if (LIKELY(!(p = read_it(d, p, end, &m->field))))\n", 44,
               "    if (LIKELY(!(p = read_it(d, p, end,\n"
               "                             &m->field))))\n");
}

static void
test_nested_lists_stay_whole_in_their_argument(void **state)
{
    (void)state;
    check_wrap("x = f(g(1, 2), h(3, 4), k);\n", 16,
               "x = f(g(1, 2),\n"
               "      h(3, 4),\n"
               "      k);\n");
}

static void
test_commas_and_parentheses_in_literals_are_not_breaks(void **state)
{
    (void)state;
    check_wrap("fail(d, \"a, b (c\", ',', x);\n", 20,
               "fail(d, \"a, b (c\",\n"
               "     ',', x);\n");
    check_wrap("fail(\"\\\", (\", y);\n", 13,
               "fail(\"\\\", (\",\n"
               "     y);\n");
}

static void
test_a_list_too_wide_to_align_starts_on_a_line_of_its_own(void **state)
{
    (void)state;
    check_wrap("        s += size_of(some_long_name, other_long_name);\n", 32,
               "        s += size_of(\n"
               "            some_long_name,\n"
               "            other_long_name);\n");
}

static void
test_unbreakable_lines_are_kept(void **state)
{
    (void)state;
    /* A preprocessor line, a line with a trailing comment, one argument only, and an
     * argument wider than the limit. */
    const char *in = "#define LONG_MACRO(a, b) ((a) + (b))\n"
                     "x = f(a, b); /* note */\n"
                     "result = function_name(only_argument);\n"
                     "y = f(a_very_long_argument_name, b);\n";
    check_wrap(in, 16, in);
}

static void
test_single_line_comment_is_reflowed_at_spaces(void **state)
{
    (void)state;
    check_wrap("/* Plain: a(1) b(2) c(3) d(4) */\n", 20,
               "/* Plain: a(1) b(2)\n"
               " * c(3) d(4) */\n");
    check_wrap("    /* one two three four */\n", 20,
               "    /* one two three\n"
               "     * four */\n");
}

static void
test_lines_inside_a_block_comment_are_reflowed_with_their_star(void **state)
{
    (void)state;
    check_wrap("    /*\n"
               "     * alpha beta gamma delta\n"
               "     */\n"
               "int x(int aaaa, int bbbb);\n",
               20,
               "    /*\n"
               "     * alpha beta\n"
               "     * gamma delta\n"
               "     */\n"
               "int x(int aaaa,\n"
               "      int bbbb);\n");
}

static void
test_code_after_a_comment_closes_is_not_taken_for_comment(void **state)
{
    (void)state;
    /* The comment closes before the line ends: neither comment text nor plain code. */
    const char *in = "/* a */ int f(int aaaa, int bbbb);\n";
    check_wrap(in, 20, in);
    /* A long word gets a line of its own rather than being cut. */
    check_wrap("/* a_word_longer_than_the_limit b */\n", 10,
               "/* a_word_longer_than_the_limit\n"
               " * b */\n");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_within_the_limit_are_kept),
        cmocka_unit_test(test_parameter_list_is_filled_and_aligned_under_the_first),
        cmocka_unit_test(test_the_first_list_whose_arguments_fit_is_broken),
        cmocka_unit_test(test_nested_lists_stay_whole_in_their_argument),
        cmocka_unit_test(test_commas_and_parentheses_in_literals_are_not_breaks),
        cmocka_unit_test(test_a_list_too_wide_to_align_starts_on_a_line_of_its_own),
        cmocka_unit_test(test_unbreakable_lines_are_kept),
        cmocka_unit_test(test_single_line_comment_is_reflowed_at_spaces),
        cmocka_unit_test(test_lines_inside_a_block_comment_are_reflowed_with_their_star),
        cmocka_unit_test(test_code_after_a_comment_closes_is_not_taken_for_comment),
    };
    return cmocka_run_group_tests_name("wrap", tests, NULL, NULL);
}
