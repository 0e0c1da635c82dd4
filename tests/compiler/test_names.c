/* test_names.c - C identifier rules (compiler/names.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "names.h"

static int
setup(void **state)
{
    *state = mc_arena_new();
    return 0;
}

static int
teardown(void **state)
{
    mc_arena_free(*state);
    return 0;
}

static void
test_keyword_table_is_sorted_without_duplicates(void **state)
{
    (void)state;
    size_t n;
    const char *const *k = mc_c_keyword_table(&n);
    assert_int_equal(n, 113);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(k[i - 1], k[i]) >= 0)
            fail_msg("'%s' before '%s'", k[i - 1], k[i]);
    }
}

static void
test_every_c11_keyword_gets_an_underscore(void **state)
{
    static const char *const c11[] = {
        "auto",       "break",     "case",           "char",
        "const",      "continue",  "default",        "do",
        "double",     "else",      "enum",           "extern",
        "float",      "for",       "goto",           "if",
        "inline",     "int",       "long",           "register",
        "restrict",   "return",    "short",          "signed",
        "sizeof",     "static",    "struct",         "switch",
        "typedef",    "union",     "unsigned",       "void",
        "volatile",   "while",     "_Alignas",       "_Alignof",
        "_Atomic",    "_Bool",     "_Complex",       "_Generic",
        "_Imaginary", "_Noreturn", "_Static_assert", "_Thread_local",
    };
    for (size_t i = 0; i < sizeof c11 / sizeof c11[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "%s_", c11[i]);
        assert_string_equal(mc_c_ident(*state, c11[i]), want);
    }
}

static void
test_every_cxx20_keyword_gets_an_underscore(void **state)
{
    static const char *const cxx[] = {
        "alignas",
        "alignof",
        "and",
        "and_eq",
        "asm",
        "bitand",
        "bitor",
        "bool",
        "catch",
        "char16_t",
        "char32_t",
        "char8_t",
        "class",
        "co_await",
        "co_return",
        "co_yield",
        "compl",
        "concept",
        "const_cast",
        "consteval",
        "constexpr",
        "constinit",
        "decltype",
        "delete",
        "dynamic_cast",
        "explicit",
        "export",
        "false",
        "friend",
        "mutable",
        "namespace",
        "new",
        "noexcept",
        "not",
        "not_eq",
        "nullptr",
        "operator",
        "or",
        "or_eq",
        "private",
        "protected",
        "public",
        "reinterpret_cast",
        "requires",
        "static_assert",
        "static_cast",
        "template",
        "this",
        "thread_local",
        "throw",
        "true",
        "try",
        "typeid",
        "typename",
        "using",
        "virtual",
        "wchar_t",
        "xor",
        "xor_eq",
    };
    for (size_t i = 0; i < sizeof cxx / sizeof cxx[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "%s_", cxx[i]);
        assert_string_equal(mc_c_ident(*state, cxx[i]), want);
    }
}

static void
test_c23_keywords_and_library_macros_get_an_underscore(void **state)
{
    static const char *const more[] = {
        "typeof",      "typeof_unqual", "_BitInt", "_Decimal32", "_Decimal64",
        "_Decimal128", "NULL",          "errno",   "unix",       "linux",
    };
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "%s_", more[i]);
        assert_string_equal(mc_c_ident(*state, more[i]), want);
    }
}

static void
test_ordinary_names_are_kept_as_they_are(void **state)
{
    const char *name = "Reading";
    assert_ptr_equal(mc_c_ident(*state, name), name);
    assert_string_equal(mc_c_ident(*state, "int_"), "int_");
    assert_string_equal(mc_c_ident(*state, "Int"), "Int");
    assert_string_equal(mc_c_ident(*state, "integer"), "integer");
    assert_string_equal(mc_c_ident(*state, "classes"), "classes");
    assert_string_equal(mc_c_ident(*state, "null"), "null");
    assert_false(mc_c_is_keyword("main"));
    assert_true(mc_c_is_keyword("class"));
}

static void
test_prefix_joins_package_components_with_underscores(void **state)
{
    assert_string_equal(mc_c_prefix(*state, "telemetry"), "telemetry_");
    assert_string_equal(mc_c_prefix(*state, "a.b.c"), "a_b_c_");
    assert_string_equal(mc_c_prefix(*state, "int.class"), "int_class_");
}

static void
test_prefix_is_empty_without_a_package(void **state)
{
    assert_string_equal(mc_c_prefix(*state, NULL), "");
    assert_string_equal(mc_c_prefix(*state, ""), "");
}

static void
test_join_escapes_a_joined_keyword(void **state)
{
    assert_string_equal(mc_c_join(*state, "p_M", "init"), "p_M_init");
    assert_string_equal(mc_c_join(*state, "wchar", "t"), "wchar_t_");
    assert_string_equal(mc_c_join(*state, "co", "await"), "co_await_");
    assert_string_equal(mc_c_join(*state, "union_", "init"), "union__init");
}

static const mc_c_reserved reserved_kinds[] = {MC_C_USED_BY_CODE, MC_C_LIBRARY, MC_C_LIBRARY_MACRO,
                                               MC_C_LIBRARY_FUNCTION_MACRO};

static void
test_reserved_tables_are_sorted_and_disjoint(void **state)
{
    (void)state;
    size_t total = 0;
    for (size_t k = 0; k < sizeof reserved_kinds / sizeof reserved_kinds[0]; k++) {
        size_t n;
        const char *const *t = mc_c_reserved_table(reserved_kinds[k], &n);
        assert_non_null(t);
        assert_true(n > 0);
        total += n;
        for (size_t i = 0; i < n; i++) {
            if (i > 0 && strcmp(t[i - 1], t[i]) >= 0)
                fail_msg("'%s' before '%s'", t[i - 1], t[i]);
            /* A name in two tables would be found only in the first; a keyword is escaped
             * before the check, so listing it would be dead. */
            assert_int_equal(mc_c_reserved_by(t[i]), reserved_kinds[k]);
            if (mc_c_is_keyword(t[i]))
                fail_msg("'%s' is a keyword", t[i]);
            assert_true(strncmp(t[i], "msgc_", 5) != 0 && strncmp(t[i], "MSGC_", 5) != 0);
        }
    }
    assert_int_equal(total, 479);
    size_t n = 1;
    assert_null(mc_c_reserved_table(MC_C_UNRESERVED, &n));
    assert_int_equal(n, 0);
}

static void
expect_reserved(const char *const *names, size_t n, mc_c_reserved why)
{
    for (size_t i = 0; i < n; i++) {
        if (mc_c_reserved_by(names[i]) != why)
            fail_msg("'%s' is not reserved as %d", names[i], (int)why);
    }
}

static void
test_names_of_the_generated_code_are_reserved(void **state)
{
    (void)state;
    static const char *const names[] = {
        "m",     "buf",   "cap",        "len", "lim",  "d",    "p",    "pp",  "end",
        "at",    "tag",   "rc",         "v",   "n",    "k",    "se",   "i",   "s",
        "depth", "grown", "len_at",     "ch",  "ms",   "sent", "got",  "req", "rep",
        "h",     "hp",    "timeout_ms", "ctx", "call", "data", "name", "max", "type_id",
    };
    expect_reserved(names, sizeof names / sizeof names[0], MC_C_USED_BY_CODE);
}

static void
test_names_of_the_c_library_are_reserved(void **state)
{
    (void)state;
    static const char *const declared[] = {
        "size_t",   "ptrdiff_t", "int8_t",   "int16_t",  "int32_t",   "int64_t",  "uint8_t",
        "uint16_t", "uint32_t",  "uint64_t", "intptr_t", "uintptr_t", "intmax_t", "uintmax_t",
        "memcpy",   "memset",    "memmove",  "memchr",   "memcmp",    "strlen",   "strcmp",
        "strncpy",  "ssize_t",   "off_t",    "pid_t",    "uid_t",     "gid_t",    "mode_t",
        "FILE",     "malloc",    "free",     "exit",     "abort",     "printf",   "index",
    };
    static const char *const macros[] = {
        "EOF",   "BUFSIZ", "INT32_MAX", "INT64_MIN",    "UINT8_MAX", "SIZE_MAX",
        "stdin", "stdout", "stderr",    "EXIT_FAILURE", "CHAR_BIT",  "EINVAL",
    };
    static const char *const function_macros[] = {"offsetof", "assert", "UINT64_C", "INT8_C"};
    expect_reserved(declared, sizeof declared / sizeof declared[0], MC_C_LIBRARY);
    expect_reserved(macros, sizeof macros / sizeof macros[0], MC_C_LIBRARY_MACRO);
    expect_reserved(function_macros, sizeof function_macros / sizeof function_macros[0],
                    MC_C_LIBRARY_FUNCTION_MACRO);
    /* These are keywords, so they are escaped instead. */
    static const char *const escaped[] = {"NULL", "bool", "true", "false", "errno"};
    for (size_t i = 0; i < sizeof escaped / sizeof escaped[0]; i++) {
        assert_true(mc_c_is_keyword(escaped[i]));
        assert_int_equal(mc_c_reserved_by(escaped[i]), MC_C_UNRESERVED);
    }
}

static void
test_other_names_are_not_reserved(void **state)
{
    (void)state;
    static const char *const names[] = {"p_len", "Len",  "LEN",     "lens", "Size_t",
                                        "eof",   "file", "Reading", "",     "msgc_x"};
    expect_reserved(names, sizeof names / sizeof names[0], MC_C_UNRESERVED);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyword_table_is_sorted_without_duplicates),
        cmocka_unit_test(test_every_c11_keyword_gets_an_underscore),
        cmocka_unit_test(test_every_cxx20_keyword_gets_an_underscore),
        cmocka_unit_test(test_c23_keywords_and_library_macros_get_an_underscore),
        cmocka_unit_test(test_ordinary_names_are_kept_as_they_are),
        cmocka_unit_test(test_prefix_joins_package_components_with_underscores),
        cmocka_unit_test(test_prefix_is_empty_without_a_package),
        cmocka_unit_test(test_join_escapes_a_joined_keyword),
        cmocka_unit_test(test_reserved_tables_are_sorted_and_disjoint),
        cmocka_unit_test(test_names_of_the_generated_code_are_reserved),
        cmocka_unit_test(test_names_of_the_c_library_are_reserved),
        cmocka_unit_test(test_other_names_are_not_reserved),
    };
    return cmocka_run_group_tests_name("names", tests, setup, teardown);
}
