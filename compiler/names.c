/* names.c - C identifier rules: keyword escaping and package prefixes (see names.h). */
#include "names.h"

#include <stdlib.h>
#include <string.h>

/* Sorted for bsearch; test_names checks the order. */
/* clang-format off */
static const char *const keywords[] = {
    "NULL",
    "_Alignas", "_Alignof", "_Atomic", "_BitInt", "_Bool", "_Complex",
    "_Decimal128", "_Decimal32", "_Decimal64", "_Generic", "_Imaginary",
    "_Noreturn", "_Static_assert", "_Thread_local",
    "alignas", "alignof", "and", "and_eq", "asm", "auto",
    "bitand", "bitor", "bool", "break",
    "case", "catch", "char", "char16_t", "char32_t", "char8_t", "class", "co_await",
    "co_return", "co_yield", "compl", "concept", "const", "const_cast", "consteval",
    "constexpr", "constinit", "continue",
    "decltype", "default", "delete", "do", "double", "dynamic_cast",
    "else", "enum", "errno", "explicit", "export", "extern",
    "false", "float", "for", "friend",
    "goto",
    "if", "inline", "int",
    "linux", "long",
    "mutable",
    "namespace", "new", "noexcept", "not", "not_eq", "nullptr",
    "operator", "or", "or_eq",
    "private", "protected", "public",
    "register", "reinterpret_cast", "requires", "restrict", "return",
    "short", "signed", "sizeof", "static", "static_assert", "static_cast", "struct",
    "switch",
    "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid",
    "typename", "typeof", "typeof_unqual",
    "union", "unix", "unsigned", "using",
    "virtual", "void", "volatile",
    "wchar_t", "while",
    "xor", "xor_eq",
};
/* clang-format on */

static int
compare_names(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

bool
mc_c_is_keyword(const char *name)
{
    return bsearch(name, keywords, sizeof keywords / sizeof keywords[0], sizeof keywords[0],
                   compare_names) != NULL;
}

const char *
mc_c_ident(mc_arena *a, const char *name)
{
    if (!mc_c_is_keyword(name))
        return name;
    return mc_arena_printf(a, "%s_", name);
}

const char *
mc_c_prefix(mc_arena *a, const char *package)
{
    if (!package || !*package)
        return "";
    char *p = mc_arena_printf(a, "%s_", package);
    for (char *c = p; *c; c++) {
        if (*c == '.')
            *c = '_';
    }
    return p;
}

const char *const *
mc_c_keyword_table(size_t *n)
{
    *n = sizeof keywords / sizeof keywords[0];
    return keywords;
}

const char *
mc_c_join(mc_arena *a, const char *base, const char *suffix)
{
    return mc_c_ident(a, mc_arena_printf(a, "%s_%s", base, suffix));
}
