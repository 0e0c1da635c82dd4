/* test_lexer.c - the tokens of compiler/lexer.l, read straight from the scanner. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mc.h"
#include "parser.h"
#include "text_sink.h"

#define YYSTYPE MC_YYSTYPE
#define YYLTYPE MC_YYLTYPE
#include "lexer.h"

typedef struct fx {
    mc_arena *arena;
    mc_diag *diag;
    mc_parser p;
    yyscan_t scanner;
    bool scanning;
    MC_YYSTYPE val;
    MC_YYLTYPE loc;
    char out[8192];
    size_t len;
    text_sink sink;
} fx;

static int
setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->arena = mc_arena_new();
    f->sink = (text_sink){f->out, sizeof f->out, &f->len, NULL};
    f->diag = mc_diag_new(f->arena, text_sink_write, &f->sink);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fx *f = *state;
    if (f->scanning)
        mc_yylex_destroy(f->scanner);
    free(f->p.doc);
    mc_arena_free(f->arena);
    free(f);
    return 0;
}

static void
start_bytes(fx *f, const char *text, size_t len)
{
    f->p = (mc_parser){.arena = f->arena, .diag = f->diag, .path = "t.msg", .line = 1, .col = 1};
    mc_diag_add_source(f->diag, "t.msg", text, len);
    assert_int_equal(mc_yylex_init_extra(&f->p, &f->scanner), 0);
    f->scanning = true;
    mc_yy_scan_bytes(text, (int)len, f->scanner);
}

static void
start(fx *f, const char *text)
{
    start_bytes(f, text, strlen(text));
}

/* Reads the next token and checks its kind and place. */
static mc_tok *
expect(fx *f, int kind, int line, int col)
{
    int got = mc_yylex(&f->val, &f->loc, f->scanner);
    assert_int_equal(got, kind);
    assert_int_equal(f->loc.first_line, line);
    assert_int_equal(f->loc.first_column, col);
    return &f->val.tok;
}

static void
expect_ident(fx *f, const char *text, int line, int col)
{
    mc_tok *t = expect(f, IDENT, line, col);
    assert_string_equal(t->text, text);
}

static void
test_keywords_are_tokens_and_longer_words_are_identifiers(void **state)
{
    fx *f = *state;
    start(f, "package import const enum message service rpc oneway returns repeated optional "
             "oneof reserved to max max_len\n"
             "messages _x max_length a1 Int32 to_\n");
    const int kinds[] = {PACKAGE, IMPORT,   CONST,    ENUM,  MESSAGE,  SERVICE, RPC, ONEWAY,
                         RETURNS, REPEATED, OPTIONAL, ONEOF, RESERVED, TO,      MAX, MAX_LEN};
    const int cols[] = {1, 9, 16, 22, 27, 35, 43, 47, 54, 62, 71, 80, 86, 95, 98, 102};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        expect(f, kinds[i], 1, cols[i]);
    expect_ident(f, "messages", 2, 1);
    expect_ident(f, "_x", 2, 10);
    expect_ident(f, "max_length", 2, 13);
    expect_ident(f, "a1", 2, 24);
    expect_ident(f, "Int32", 2, 27);
    expect_ident(f, "to_", 2, 33);
    expect(f, 0, 3, 1);
    assert_string_equal(f->out, "");
}

static void
test_scalar_type_names_carry_their_kind(void **state)
{
    fx *f = *state;
    start(f, "bool int32 int64 uint32 uint64 sint32 sint64 fixed32 fixed64 sfixed32 sfixed64 "
             "float double string bytes");
    for (mc_type_kind k = MC_T_BOOL; k <= MC_T_BYTES; k++) {
        int got = mc_yylex(&f->val, &f->loc, f->scanner);
        assert_int_equal(got, SCALAR);
        assert_int_equal(f->val.tok.kind, k);
    }
    expect(f, 0, 1, 105);
}

static void
test_integers_decimal_and_hex_with_overflow_flag(void **state)
{
    fx *f = *state;
    start(f, "0 42 0x1F 0XfF 007 18446744073709551615 18446744073709551616 0x10000000000000000");
    const uint64_t want[] = {0, 42, 31, 255, 7, UINT64_MAX};
    const char *text[] = {"0", "42", "0x1F", "0XfF", "007", "18446744073709551615"};
    for (int i = 0; i < 6; i++) {
        mc_tok *t = mc_yylex(&f->val, &f->loc, f->scanner) == INT ? &f->val.tok : NULL;
        assert_non_null(t);
        assert_int_equal(t->num, want[i]);
        assert_string_equal(t->text, text[i]);
        assert_false(t->overflow);
    }
    assert_true(expect(f, INT, 1, 41)->overflow);
    assert_true(expect(f, INT, 1, 62)->overflow);
    assert_string_equal(f->out, "");
}

static void
test_malformed_integers_are_errors_and_read_as_zero(void **state)
{
    fx *f = *state;
    start(f, "12ab 0x 0x1g\n");
    assert_int_equal(expect(f, INT, 1, 1)->num, 0);
    expect(f, INT, 1, 6);
    expect(f, INT, 1, 9);
    expect(f, 0, 2, 1);
    assert_string_equal(f->out, "t.msg:1:1: error: invalid integer literal '12ab'\n"
                                "12ab 0x 0x1g\n"
                                "^\n"
                                "t.msg:1:6: error: invalid integer literal '0x'\n"
                                "12ab 0x 0x1g\n"
                                "     ^\n"
                                "t.msg:1:9: error: invalid integer literal '0x1g'\n"
                                "12ab 0x 0x1g\n"
                                "        ^\n");
}

static void
test_punctuation_is_returned_as_characters(void **state)
{
    fx *f = *state;
    start(f, "{}()[];=,.-");
    const char *p = "{}()[];=,.-";
    for (int i = 0; p[i]; i++)
        expect(f, p[i], 1, i + 1);
    expect(f, 0, 1, 12);
}

static void
test_columns_count_bytes_and_tabs_as_one(void **state)
{
    fx *f = *state;
    start(f, "message\tA {\r\n\t\tint32 x;\n}");
    expect(f, MESSAGE, 1, 1);
    expect_ident(f, "A", 1, 9);
    expect(f, '{', 1, 11);
    expect(f, SCALAR, 2, 3);
    expect_ident(f, "x", 2, 9);
    expect(f, ';', 2, 10);
    expect(f, '}', 3, 1);
    expect(f, 0, 3, 2);
}

static void
test_strings_unescape_quote_and_backslash(void **state)
{
    fx *f = *state;
    start(f, "\"a\\\"b\\\\c\" \"\" \"d/x.msg\"");
    assert_string_equal(expect(f, STRING, 1, 1)->text, "a\"b\\c");
    assert_string_equal(expect(f, STRING, 1, 11)->text, "");
    assert_string_equal(expect(f, STRING, 1, 14)->text, "d/x.msg");
    assert_string_equal(f->out, "");
}

static void
test_other_escapes_and_nul_bytes_in_strings_are_errors(void **state)
{
    fx *f = *state;
    static const char src[] = "x \"a\\nb\" \"c\0d\"\n";
    start_bytes(f, src, sizeof src - 1);
    expect_ident(f, "x", 1, 1);
    assert_string_equal(expect(f, STRING, 1, 3)->text, "ab");
    assert_string_equal(expect(f, STRING, 1, 10)->text, "cd");
    assert_string_equal(f->out, "t.msg:1:5: error: invalid escape sequence '\\n' in string "
                                "literal\n"
                                "x \"a\\nb\" \"c d\"\n"
                                "    ^\n"
                                "t.msg:1:12: error: invalid character '\\x00' in string literal\n"
                                "x \"a\\nb\" \"c d\"\n"
                                "           ^\n");
}

static void
test_unterminated_string_is_an_error_at_its_opening_quote(void **state)
{
    fx *f = *state;
    start(f, "import \"abc\nx \"tail\\");
    expect(f, IMPORT, 1, 1);
    assert_string_equal(expect(f, STRING, 1, 8)->text, "abc");
    expect_ident(f, "x", 2, 1);
    assert_string_equal(expect(f, STRING, 2, 3)->text, "tail");
    expect(f, 0, 2, 9);
    assert_string_equal(f->out, "t.msg:1:8: error: unterminated string literal\n"
                                "import \"abc\n"
                                "       ^\n"
                                "t.msg:2:3: error: unterminated string literal\n"
                                "x \"tail\\\n"
                                "  ^\n");
}

static void
test_comments_of_all_kinds_are_skipped(void **state)
{
    fx *f = *state;
    start(f, "// line comment\n"
             "/* block\n"
             "   comment */ A /* x */ B /**/ C /***/ D /* ** / */ E\n"
             "//// not a doc\n"
             "F // trailing");
    expect_ident(f, "A", 3, 15);
    assert_null(f->val.tok.doc);
    expect_ident(f, "B", 3, 25);
    expect_ident(f, "C", 3, 32);
    expect_ident(f, "D", 3, 40);
    expect_ident(f, "E", 3, 53);
    expect_ident(f, "F", 5, 1);
    assert_null(f->val.tok.doc);
    expect(f, 0, 5, 14);
    assert_string_equal(f->out, "");
}

static void
test_unterminated_block_comment_is_an_error_at_its_start(void **state)
{
    fx *f = *state;
    start(f, "A\n  /* never\n closed *");
    expect_ident(f, "A", 1, 1);
    expect(f, 0, 3, 10);
    assert_string_equal(f->out, "t.msg:2:3: error: unterminated comment\n"
                                "  /* never\n"
                                "  ^\n");
}

static void
test_invalid_characters_are_reported_and_skipped(void **state)
{
    fx *f = *state;
    start(f, "@A \x01 \xc3\xa9 \xff\tB");
    expect_ident(f, "A", 1, 2);
    expect_ident(f, "B", 1, 11);
    expect(f, 0, 1, 12);
    assert_string_equal(f->out, "t.msg:1:1: error: unexpected character '@'\n"
                                "@A   \xc3\xa9 \xff\tB\n"
                                "^\n"
                                "t.msg:1:4: error: unexpected character '\\x01'\n"
                                "@A   \xc3\xa9 \xff\tB\n"
                                "   ^\n"
                                "t.msg:1:6: error: unexpected character '\xc3\xa9'\n"
                                "@A   \xc3\xa9 \xff\tB\n"
                                "     ^\n"
                                "t.msg:1:9: error: unexpected character '\\xff'\n"
                                "@A   \xc3\xa9 \xff\tB\n"
                                "       ^\n");
}

static void
test_nul_byte_is_an_invalid_character_and_scanning_goes_on(void **state)
{
    fx *f = *state;
    static const char src[] = "message\0A\0\0{";
    start_bytes(f, src, sizeof src - 1);
    expect(f, MESSAGE, 1, 1);
    expect_ident(f, "A", 1, 9);
    expect(f, '{', 1, 12);
    expect(f, 0, 1, 13);
    assert_string_equal(f->out, "t.msg:1:8: error: unexpected character '\\x00'\n"
                                "message A  {\n"
                                "       ^\n"
                                "t.msg:1:10: error: unexpected character '\\x00'\n"
                                "message A  {\n"
                                "         ^\n"
                                "t.msg:1:11: error: unexpected character '\\x00'\n"
                                "message A  {\n"
                                "          ^\n");
}

static void
test_doc_comment_goes_to_the_next_token_only(void **state)
{
    fx *f = *state;
    start(f, "/// one\n"
             "///two\n"
             "\n"
             "// plain\n"
             "message /// inner\n"
             "A B\n");
    assert_string_equal(expect(f, MESSAGE, 5, 1)->doc, "one\ntwo");
    assert_string_equal(expect(f, IDENT, 6, 1)->doc, "inner");
    assert_null(expect(f, IDENT, 6, 3)->doc);
    expect(f, 0, 7, 1);
}

static void
test_empty_input_is_end_of_file_at_line_one(void **state)
{
    fx *f = *state;
    start(f, "");
    expect(f, 0, 1, 1);
    assert_null(f->val.tok.doc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keywords_are_tokens_and_longer_words_are_identifiers,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_scalar_type_names_carry_their_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_integers_decimal_and_hex_with_overflow_flag, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_malformed_integers_are_errors_and_read_as_zero, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_punctuation_is_returned_as_characters, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_columns_count_bytes_and_tabs_as_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strings_unescape_quote_and_backslash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_escapes_and_nul_bytes_in_strings_are_errors,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_unterminated_string_is_an_error_at_its_opening_quote,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_comments_of_all_kinds_are_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unterminated_block_comment_is_an_error_at_its_start,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_characters_are_reported_and_skipped, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_nul_byte_is_an_invalid_character_and_scanning_goes_on,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_doc_comment_goes_to_the_next_token_only, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_empty_input_is_end_of_file_at_line_one, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("lexer", tests, NULL, NULL);
}
