/* test_tmpl.c - the template engine (compiler/tmpl.c) and the built-in template table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"
#include "tmpl_builtin.h"

/* --- helpers --- */

typedef struct fixture {
    mc_arena *arena;
    mc_view *root;
} fixture;

static int
setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->arena = mc_arena_new();
    f->root = mc_view_new(f->arena);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture *f = *state;
    mc_arena_free(f->arena);
    free(f);
    return 0;
}

static mc_view *
root_of(void **state)
{
    return ((fixture *)*state)->root;
}

static void
assert_renders(const mc_view *v, const char *text, const char *want)
{
    mc_buf out = {0};
    char err[256] = "unchanged";
    int rc = mc_tmpl_render("t.tmpl", text, v, &out, err, sizeof err);
    if (rc != 0)
        fail_msg("render failed: %s", err);
    assert_int_equal(rc, 0);
    assert_string_equal(err, "");
    assert_non_null(out.data);
    assert_int_equal(out.len, strlen(want));
    assert_string_equal(out.data, want);
    mc_buf_free(&out);
}

/* Rendering fails with exactly want_err and leaves the buffer as it was. */
static void
assert_render_fails(const mc_view *v, const char *text, const char *want_err)
{
    mc_buf out = {0};
    mc_buf_puts(&out, "before");
    char err[256] = "";
    assert_int_equal(mc_tmpl_render("t.tmpl", text, v, &out, err, sizeof err), -1);
    assert_string_equal(err, want_err);
    assert_int_equal(out.len, 6);
    assert_string_equal(out.data, "before");
    mc_buf_free(&out);
}

/* --- substitution --- */

static void
test_variable_is_replaced_by_its_string(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set(v, "name", "Reading");
    mc_view_set(v, "pkg", "telemetry");
    assert_renders(v, "typedef struct {{pkg}}_{{name}} {{pkg}}_{{name}};\n",
                   "typedef struct telemetry_Reading telemetry_Reading;\n");
}

static void
test_blanks_around_a_name_are_ignored(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set(v, "x", "1");
    mc_view_set_bool(v, "on", true);
    mc_view_set_list(v, "l");
    assert_renders(v, "a{{ x }}b{{#\tl }}{{/ l}}{{? on }}c{{/on\t}}", "a1bc");
}

static void
test_text_without_tags_is_copied_byte_for_byte(void **state)
{
    const char *text = "int a[] = { {1}, {2} };\r\n\t} } { x }\xc3\xa9\xff\n\n  \n";
    assert_renders(root_of(state), text, text);
    assert_renders(root_of(state), "", "");
}

static void
test_empty_string_renders_nothing(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set(v, "e", "");
    assert_renders(v, "[{{e}}]", "[]");
}

static void
test_set_copies_the_value(void **state)
{
    mc_view *v = root_of(state);
    char value[] = "first";
    mc_view_set(v, "x", value);
    strcpy(value, "later");
    assert_renders(v, "{{x}}", "first");
}

static void
test_set_again_replaces_the_value(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set(v, "x", "one");
    mc_view_set(v, "x", "two");
    assert_renders(v, "{{x}}", "two");
    mc_view_set_bool(v, "x", true);
    assert_renders(v, "{{?x}}yes{{/x}}", "yes");
}

static void
test_setf_formats_the_value(void **state)
{
    mc_view *v = root_of(state);
    mc_view_setf(v, "size", "%d + %s", 42, "n");
    assert_renders(v, "{{size}}", "42 + n");
}

static void
test_values_may_hold_braces(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set(v, "init", "{{0}}");
    assert_renders(v, "x = {{init}};", "x = {{0}};");
}

static void
test_render_appends_to_the_buffer(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set(v, "x", "b");
    mc_buf out = {0};
    mc_buf_puts(&out, "a");
    char err[64];
    assert_int_equal(mc_tmpl_render("t.tmpl", "{{x}}c", v, &out, err, sizeof err), 0);
    assert_string_equal(out.data, "abc");
    assert_int_equal(out.len, 3);
    mc_buf_free(&out);
}

/* --- lists --- */

static void
test_list_renders_its_body_once_per_item_in_order(void **state)
{
    mc_view *v = root_of(state);
    const char *names[] = {"id", "temp", "battery"};
    for (int i = 0; i < 3; i++)
        mc_view_set(mc_view_add(v, "fields"), "name", names[i]);
    assert_renders(v, "{{#fields}}<{{name}}>{{/fields}}", "<id><temp><battery>");
}

static void
test_empty_list_renders_nothing(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set_list(v, "fields");
    assert_renders(v, "a{{#fields}}{{undefined}}{{/fields}}b", "ab");
}

static void
test_set_list_keeps_existing_items(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set(mc_view_add(v, "l"), "x", "1");
    mc_view_set_list(v, "l");
    mc_view_set(mc_view_add(v, "l"), "x", "2");
    assert_renders(v, "{{#l}}{{x}}{{/l}}", "12");
}

static void
test_names_are_looked_up_outwards_to_the_root(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set(v, "pkg", "p");
    mc_view_set(v, "name", "root");
    mc_view *m1 = mc_view_add(v, "msgs");
    mc_view_set(m1, "name", "A");
    mc_view_set(mc_view_add(m1, "fields"), "fname", "x");
    mc_view_set(mc_view_add(m1, "fields"), "fname", "y");
    mc_view *m2 = mc_view_add(v, "msgs");
    mc_view_set(m2, "name", "B");
    mc_view *f = mc_view_add(m2, "fields");
    mc_view_set(f, "fname", "z");
    mc_view_set(f, "name", "shadow");
    assert_renders(v,
                   "{{#msgs}}{{#fields}}{{pkg}}_{{name}}.{{fname}};{{/fields}}{{/msgs}}"
                   "{{name}}",
                   "p_A.x;p_A.y;p_shadow.z;root");
}

static void
test_inner_list_restarts_for_each_outer_item(void **state)
{
    mc_view *v = root_of(state);
    for (int i = 0; i < 2; i++) {
        mc_view *o = mc_view_add(v, "outer");
        mc_view_setf(o, "o", "%d", i);
        for (int j = 0; j < 3; j++)
            mc_view_setf(mc_view_add(o, "inner"), "i", "%d", j);
    }
    assert_renders(v, "{{#outer}}{{#inner}}{{o}}{{i}}{{@index}} {{/inner}}|{{/outer}}",
                   "000 011 022 |100 111 122 |");
}

static void
test_first_last_and_index_describe_the_item(void **state)
{
    mc_view *v = root_of(state);
    const char *names[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++)
        mc_view_set(mc_view_add(v, "l"), "n", names[i]);
    assert_renders(v, "({{#l}}{{n}}{{^@last}}, {{/@last}}{{/l}})", "(a, b, c)");
    assert_renders(v, "{{#l}}{{?@first}}[{{/@first}}{{@index}}{{?@last}}]{{/@last}}{{/l}}",
                   "[012]");
}

static void
test_single_item_is_first_and_last(void **state)
{
    mc_view *v = root_of(state);
    mc_view_add(v, "l");
    assert_renders(v, "{{#l}}{{?@first}}F{{/@first}}{{?@last}}L{{/@last}}{{@index}}{{/l}}", "FL0");
}

static void
test_first_and_last_belong_to_the_innermost_list(void **state)
{
    mc_view *v = root_of(state);
    for (int i = 0; i < 2; i++) {
        mc_view *o = mc_view_add(v, "o");
        for (int j = 0; j < 2; j++)
            mc_view_add(o, "i");
    }
    assert_renders(v,
                   "{{#o}}{{#i}}{{@index}}{{?@last}}L{{/@last}} {{/i}}"
                   "{{@index}}{{?@first}}F{{/@first}};{{/o}}",
                   "0 1L 0F;0 1L 1;");
}

static void
test_nested_sections_many_levels_deep(void **state)
{
    mc_buf text = {0}, want = {0};
    mc_view *v = root_of(state);
    for (int i = 0; i < 100; i++) {
        v = mc_view_add(v, "l");
        mc_view_setf(v, "d", "%d", i);
        mc_buf_puts(&text, "{{#l}}{{d}}.");
        mc_buf_printf(&want, "%d.", i);
    }
    for (int i = 0; i < 100; i++)
        mc_buf_puts(&text, "{{/l}}");
    assert_renders(root_of(state), text.data, want.data);
    mc_buf_free(&text);
    mc_buf_free(&want);
}

static void
test_long_list_renders_every_item(void **state)
{
    mc_view *v = root_of(state);
    mc_buf want = {0};
    for (int i = 0; i < 20000; i++) {
        mc_view_setf(mc_view_add(v, "l"), "n", "%d", i);
        mc_buf_printf(&want, "%d\n", i);
    }
    assert_renders(v, "{{#l}}\n{{n}}\n{{/l}}\n", want.data);
    mc_buf_free(&want);
}

/* --- conditionals and comments --- */

static void
test_flag_section_renders_only_when_true(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set_bool(v, "yes", true);
    mc_view_set_bool(v, "no", false);
    assert_renders(v, "{{?yes}}A{{/yes}}{{?no}}B{{/no}}", "A");
}

static void
test_inverted_section_renders_only_when_false(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set_bool(v, "yes", true);
    mc_view_set_bool(v, "no", false);
    assert_renders(v, "{{^yes}}A{{/yes}}{{^no}}B{{/no}}", "B");
}

static void
test_string_is_true_when_not_empty(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set(v, "full", "x");
    mc_view_set(v, "empty", "");
    assert_renders(v, "{{?full}}F{{/full}}{{?empty}}E{{/empty}}{{^empty}}e{{/empty}}", "Fe");
}

static void
test_list_is_true_when_not_empty(void **state)
{
    mc_view *v = root_of(state);
    mc_view_add(v, "full");
    mc_view_set_list(v, "empty");
    assert_renders(v, "{{?full}}F{{/full}}{{?empty}}E{{/empty}}{{^empty}}e{{/empty}}", "Fe");
}

static void
test_false_section_skips_unknown_names_in_its_body(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set_bool(v, "has_x", false);
    assert_renders(v, "[{{?has_x}}{{x}}{{#xs}}{{/xs}}{{/has_x}}]", "[]");
}

static void
test_comment_renders_nothing(void **state)
{
    assert_renders(root_of(state), "a{{! a note }}b{{!x{y}z}}c{{!}}d", "abcd");
    assert_renders(root_of(state), "a{{! spans\ntwo lines }}b", "ab");
}

/* --- standalone lines --- */

static void
test_standalone_section_lines_are_dropped_whole(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set(mc_view_add(v, "fields"), "n", "a");
    mc_view_set(mc_view_add(v, "fields"), "n", "b");
    mc_view_set_bool(v, "on", true);
    mc_view_set_bool(v, "off", false);
    assert_renders(v,
                   "struct s {\n"
                   "    {{#fields}}\n"
                   "    int {{n}};\n"
                   "    {{/fields}}\n"
                   "\t{{?off}}  \n"
                   "    int off;\n"
                   "{{/off}}\n"
                   "  {{! note }}\n"
                   "{{^off}}\n"
                   "    int on;\n"
                   "{{/off}}\n"
                   "};\n",
                   "struct s {\n"
                   "    int a;\n"
                   "    int b;\n"
                   "    int on;\n"
                   "};\n");
}

static void
test_standalone_line_may_end_in_crlf_or_the_text(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set_bool(v, "on", true);
    assert_renders(v, "a\r\n{{?on}}\r\nb\r\n  {{/on}}", "a\r\nb\r\n");
    assert_renders(v, "{{?on}}\n{{/on}}", "");
    assert_renders(v, "{{! only a comment }}\n", "");
}

static void
test_standalone_multiline_comment_is_dropped_whole(void **state)
{
    assert_renders(root_of(state), "a\n  {{! one\ntwo }}  \nb\n", "a\nb\n");
}

static void
test_section_tags_among_text_keep_their_line(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set_bool(v, "on", true);
    assert_renders(v, "x {{?on}}\n{{/on}}", "x \n");
    assert_renders(v, "  {{?on}}y{{/on}}\n", "  y\n");
    assert_renders(v, "{{?on}}{{/on}}\n", "\n");
    assert_renders(v, "{{?on}} z\n{{/on}}\n", " z\n");
}

static void
test_variable_line_is_not_standalone(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set(v, "e", "");
    assert_renders(v, "a\n  {{e}}  \nb\n", "a\n    \nb\n");
}

/* --- errors --- */

static void
test_unknown_name_is_an_error_with_its_line(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set(v, "x", "1");
    assert_render_fails(v, "{{x}}\n\n{{y}}\n", "t.tmpl:3: unknown name 'y'");
}

static void
test_unknown_name_in_a_section_tag_is_an_error(void **state)
{
    mc_view *v = root_of(state);
    assert_render_fails(v, "{{?nope}}{{/nope}}", "t.tmpl:1: unknown name 'nope'");
    assert_render_fails(v, "\n{{^nope}}{{/nope}}", "t.tmpl:2: unknown name 'nope'");
    assert_render_fails(v, "\n\n{{#nope}}{{/nope}}", "t.tmpl:3: unknown name 'nope'");
}

static void
test_unknown_name_inside_a_list_is_an_error(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set(mc_view_add(v, "l"), "a", "1");
    mc_view_set(mc_view_add(v, "l"), "b", "2");
    assert_render_fails(v, "{{#l}}\n{{a}}\n{{/l}}\n", "t.tmpl:2: unknown name 'a'");
}

static void
test_unknown_at_name_is_an_error(void **state)
{
    mc_view *v = root_of(state);
    mc_view_add(v, "l");
    assert_render_fails(v, "{{#l}}{{@count}}{{/l}}", "t.tmpl:1: unknown name '@count'");
}

static void
test_at_names_outside_a_list_are_errors(void **state)
{
    mc_view *v = root_of(state);
    assert_render_fails(v, "{{?@first}}{{/@first}}", "t.tmpl:1: '@first' outside a list");
    assert_render_fails(v, "{{?@last}}{{/@last}}", "t.tmpl:1: '@last' outside a list");
    assert_render_fails(v, "{{@index}}", "t.tmpl:1: '@index' outside a list");
}

static void
test_bool_or_list_as_text_is_an_error(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set_bool(v, "b", true);
    mc_view_set_list(v, "l");
    assert_render_fails(v, "{{b}}", "t.tmpl:1: 'b' is not a string");
    assert_render_fails(v, "{{l}}", "t.tmpl:1: 'l' is not a string");
    mc_view_add(v, "items");
    assert_render_fails(v, "{{#items}}{{@first}}{{/items}}", "t.tmpl:1: '@first' is not a string");
}

static void
test_string_or_bool_as_list_is_an_error(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set(v, "s", "x");
    mc_view_set_bool(v, "b", true);
    assert_render_fails(v, "{{#s}}{{/s}}", "t.tmpl:1: 's' is not a list");
    assert_render_fails(v, "{{#b}}{{/b}}", "t.tmpl:1: 'b' is not a list");
}

static void
test_close_without_open_is_an_error(void **state)
{
    assert_render_fails(root_of(state), "a\n{{/x}}\n",
                        "t.tmpl:2: '{{/x}}' without an open section");
}

static void
test_mismatched_close_is_an_error(void **state)
{
    assert_render_fails(root_of(state), "{{#a}}\n{{?b}}\n{{/a}}\n",
                        "t.tmpl:3: '{{/a}}' does not match '{{?b}}' from line 2");
}

static void
test_unclosed_section_is_an_error(void **state)
{
    assert_render_fails(root_of(state), "{{#a}}\n{{^b}}\n{{/b}}\n",
                        "t.tmpl:1: '{{#a}}' is not closed");
}

static void
test_structure_is_checked_before_anything_renders(void **state)
{
    /* The section is never entered (its name is unknown), yet the stray close is found. */
    assert_render_fails(root_of(state), "{{?x}}{{/x}}{{/y}}",
                        "t.tmpl:1: '{{/y}}' without an open section");
}

static void
test_unterminated_tag_is_an_error(void **state)
{
    mc_view *v = root_of(state);
    assert_render_fails(v, "a\nb {{x", "t.tmpl:2: unterminated tag");
    assert_render_fails(v, "a\n{{x\n}}", "t.tmpl:2: unterminated tag");
    assert_render_fails(v, "\n\n{{! never closed\n", "t.tmpl:3: unterminated tag");
    assert_render_fails(v, "{{x}", "t.tmpl:1: unterminated tag");
}

static void
test_empty_tag_is_an_error(void **state)
{
    assert_render_fails(root_of(state), "{{}}", "t.tmpl:1: empty tag");
    assert_render_fails(root_of(state), "{{# }}", "t.tmpl:1: empty tag");
}

static void
test_bad_name_is_an_error(void **state)
{
    mc_view *v = root_of(state);
    assert_render_fails(v, "{{a b}}", "t.tmpl:1: bad name 'a b'");
    assert_render_fails(v, "{{>partial}}", "t.tmpl:1: bad name '>partial'");
    assert_render_fails(v, "{{{x}}}", "t.tmpl:1: bad name '{x'");
    assert_render_fails(v, "{{1x}}", "t.tmpl:1: bad name '1x'");
    assert_render_fails(v, "{{@}}", "t.tmpl:1: bad name '@'");
}

static void
test_error_lines_count_dropped_lines_and_comments(void **state)
{
    mc_view *v = root_of(state);
    mc_view_set_bool(v, "on", true);
    assert_render_fails(v, "{{?on}}\n{{! a\nb\n}}\n\n{{/on}}\n{{z}}\n",
                        "t.tmpl:7: unknown name 'z'");
}

static void
test_error_message_is_cut_to_the_buffer(void **state)
{
    char err[8];
    mc_buf out = {0};
    assert_int_equal(mc_tmpl_render("t.tmpl", "{{nope}}", root_of(state), &out, err, sizeof err),
                     -1);
    assert_string_equal(err, "t.tmpl:");
    assert_int_equal(out.len, 0);
    assert_int_equal(mc_tmpl_render("t.tmpl", "{{nope}}", root_of(state), &out, NULL, 0), -1);
    mc_buf_free(&out);
}

/* --- buffers --- */

static void
test_buf_grows_and_stays_nul_terminated(void **state)
{
    (void)state;
    mc_buf b = {0};
    mc_buf_put(&b, "", 0);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    for (int i = 0; i < 1000; i++)
        mc_buf_printf(&b, "%03d,", i);
    assert_int_equal(b.len, 4000);
    assert_memory_equal(b.data + 3996, "999,", 5);
    mc_buf_put(&b, "xyz", 2);
    mc_buf_puts(&b, "!");
    assert_int_equal(b.len, 4003);
    assert_string_equal(b.data + 4000, "xy!");
    mc_buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    mc_buf_free(&b);
}

/* --- built-in templates --- */

static void
test_builtin_find_of_an_unknown_name_returns_null(void **state)
{
    (void)state;
    size_t len = 12345;
    assert_null(mc_builtin_template_find("no-such.tmpl", &len));
    assert_int_equal(len, 12345);
    assert_null(mc_builtin_template_find("", NULL));
}

static void
test_builtin_find_returns_each_embedded_template(void **state)
{
    (void)state;
    for (size_t i = 0; i < mc_n_builtin_templates; i++) {
        const mc_builtin_template *t = &mc_builtin_templates[i];
        size_t len = 0;
        assert_ptr_equal(mc_builtin_template_find(t->name, &len), t->text);
        assert_int_equal(len, t->len);
        assert_int_equal(t->text[t->len], '\0');
        assert_null(strchr(t->name, '/'));
    }
    assert_null(mc_builtin_templates[mc_n_builtin_templates].name);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_variable_is_replaced_by_its_string),
        T(test_blanks_around_a_name_are_ignored),
        T(test_text_without_tags_is_copied_byte_for_byte),
        T(test_empty_string_renders_nothing),
        T(test_set_copies_the_value),
        T(test_set_again_replaces_the_value),
        T(test_setf_formats_the_value),
        T(test_values_may_hold_braces),
        T(test_render_appends_to_the_buffer),
        T(test_list_renders_its_body_once_per_item_in_order),
        T(test_empty_list_renders_nothing),
        T(test_set_list_keeps_existing_items),
        T(test_names_are_looked_up_outwards_to_the_root),
        T(test_inner_list_restarts_for_each_outer_item),
        T(test_first_last_and_index_describe_the_item),
        T(test_single_item_is_first_and_last),
        T(test_first_and_last_belong_to_the_innermost_list),
        T(test_nested_sections_many_levels_deep),
        T(test_long_list_renders_every_item),
        T(test_flag_section_renders_only_when_true),
        T(test_inverted_section_renders_only_when_false),
        T(test_string_is_true_when_not_empty),
        T(test_list_is_true_when_not_empty),
        T(test_false_section_skips_unknown_names_in_its_body),
        T(test_comment_renders_nothing),
        T(test_standalone_section_lines_are_dropped_whole),
        T(test_standalone_line_may_end_in_crlf_or_the_text),
        T(test_standalone_multiline_comment_is_dropped_whole),
        T(test_section_tags_among_text_keep_their_line),
        T(test_variable_line_is_not_standalone),
        T(test_unknown_name_is_an_error_with_its_line),
        T(test_unknown_name_in_a_section_tag_is_an_error),
        T(test_unknown_name_inside_a_list_is_an_error),
        T(test_unknown_at_name_is_an_error),
        T(test_at_names_outside_a_list_are_errors),
        T(test_bool_or_list_as_text_is_an_error),
        T(test_string_or_bool_as_list_is_an_error),
        T(test_close_without_open_is_an_error),
        T(test_mismatched_close_is_an_error),
        T(test_unclosed_section_is_an_error),
        T(test_structure_is_checked_before_anything_renders),
        T(test_unterminated_tag_is_an_error),
        T(test_empty_tag_is_an_error),
        T(test_bad_name_is_an_error),
        T(test_error_lines_count_dropped_lines_and_comments),
        T(test_error_message_is_cut_to_the_buffer),
        T(test_buf_grows_and_stays_nul_terminated),
        T(test_builtin_find_of_an_unknown_name_returns_null),
        T(test_builtin_find_returns_each_embedded_template),
    };
    return cmocka_run_group_tests_name("tmpl", tests, NULL, NULL);
}
