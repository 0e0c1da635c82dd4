/* fuzz_parse.c - schema text into the msgc compiler (mc_compile over an in-memory file
 * system), once as `msgc --check` and once generating everything.
 *
 * Input: the text of fz/in.msg. If it holds the line "%%", the text after that line is a
 * second schema fz/b.msg (so imports, import cycles and cross-file names are reached).
 * A fixed lib/lib.msg is importable through the include path. Inputs over 64 KiB are
 * ignored (schemas are small; the cap keeps a run fast, not correct).
 *
 * Oracles (any failure aborts; an internal error's exit(2) is a crash for libFuzzer):
 *   - the exit status is 0, 1 or 2; status 1 comes with at least one "error:" line and
 *     status 0 with none; at most MC_DIAG_MAX_ERRORS errors are shown; every diagnostic
 *     ends with a newline;
 *   - generating gives the status and the diagnostics of --check when the check fails,
 *     and succeeds when the check succeeds;
 *   - on success every named schema has its .msg.h, .msg.c and .proto, and the deps
 *     file exists; each generated C file opens with the banner and is lexically sound
 *     C after translation phases 1 and 2 (trigraphs, line splices): comments, string
 *     and character literals close, brackets balance, no struct or union is empty, and
 *     outside comments and literals there is only printable ASCII and white space.
 */
#include "mc.h"
#include "memfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT (64u * 1024u)

static const char lib_schema[] = "package lib;\n"
                                 "const K = 4;\n"
                                 "enum E { E_ZERO = 0; E_ONE = 1; }\n"
                                 "message L { int32 x = 1; string s = 2 [max = K]; E e = 3; }\n";

/* --- diagnostics --- */

typedef struct diags {
    char *text;
    size_t len, cap;
    int errors;
    int too_many;
    int unterminated;
} diags;

/* Where word first occurs in text[0..n), or n when it does not. A plain loop rather than
 * strstr, which would measure the whole diagnostic (quoted source line included). */
static size_t
find_word(const char *text, size_t n, const char *word)
{
    size_t w = strlen(word);
    for (size_t i = 0; i + w <= n; i++) {
        size_t k = 0;
        while (k < w && text[i + k] == word[k])
            k++;
        if (k == w)
            return i;
    }
    return n;
}

static void
on_diag(void *ctx, const char *text)
{
    diags *d = ctx;
    size_t n = strlen(text);
    if (n == 0 || text[n - 1] != '\n')
        d->unterminated = 1;
    if (d->len + n + 1 > d->cap) {
        size_t cap = d->cap ? d->cap : 4096;
        while (cap < d->len + n + 1)
            cap *= 2;
        char *t = realloc(d->text, cap);
        if (!t)
            abort();
        d->text = t;
        d->cap = cap;
    }
    memcpy(d->text + d->len, text, n + 1);
    d->len += n;
    /* Only the first line of a diagnostic says what it is; quoted source lines follow. */
    const char *eol = memchr(text, '\n', n);
    size_t first = eol ? (size_t)(eol - text) : n;
    static const char too_many[] = "msgc: error: too many errors";
    if (first >= sizeof too_many - 1 && memcmp(text, too_many, sizeof too_many - 1) == 0)
        d->too_many++;
    else if (find_word(text, first, ": error: ") < find_word(text, first, ": note: "))
        d->errors++;
}

static void
fail(const char *what, const diags *d)
{
    fprintf(stderr, "fuzz_parse: %s\n--- diagnostics ---\n%s", what,
            d && d->text ? d->text : "(none)\n");
    abort();
}

#define CHECK(cond, d)                                                                             \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fail(#cond, (d));                                                                      \
    } while (0)

/* --- a lexical check of generated C --- */

static char
trigraph(char c)
{
    switch (c) {
    case '=':
        return '#';
    case '(':
        return '[';
    case '/':
        return '\\';
    case ')':
        return ']';
    case '\'':
        return '^';
    case '<':
        return '{';
    case '!':
        return '|';
    case '>':
        return '}';
    case '-':
        return '~';
    default:
        return 0;
    }
}

/* Translation phases 1 and 2: trigraphs replaced, backslash-newlines removed. */
static char *
phases_1_2(const char *s, size_t len, size_t *out_len)
{
    char *t = malloc(len + 1), *o = t;
    if (!t)
        abort();
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '?' && i + 2 < len && s[i + 1] == '?' && trigraph(s[i + 2])) {
            *o++ = trigraph(s[i + 2]);
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    size_t n = (size_t)(o - t), w = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] == '\\' && i + 1 < n && t[i + 1] == '\n')
            i++;
        else
            t[w++] = t[i];
    }
    t[w] = '\0';
    *out_len = w;
    return t;
}

static bool
is_ident_char(char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Steps back from s[i] over white space and then one identifier; returns the identifier's
 * start and sets *n to its length (0 when there is none). */
static size_t
word_before(const char *s, size_t i, size_t *n)
{
    while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == '\n'))
        i--;
    size_t end = i;
    while (i > 0 && is_ident_char(s[i - 1]))
        i--;
    *n = end - i;
    return i;
}

static bool
is_struct_word(const char *s, size_t start, size_t n)
{
    return (n == 6 && memcmp(s + start, "struct", 6) == 0) ||
           (n == 5 && memcmp(s + start, "union", 5) == 0);
}

/* Whether the '{' at s[i] opens a struct or union body with no members, which ISO C
 * forbids (-Wpedantic: "struct has no members"). Only white space and comments may sit
 * between the braces for this to hold. */
static bool
empty_struct_at(const char *s, size_t len, size_t i)
{
    size_t n, w = word_before(s, i, &n);
    if (!is_struct_word(s, w, n)) {
        if (n == 0)
            return false;
        w = word_before(s, w, &n);
        if (!is_struct_word(s, w, n))
            return false;
    }
    for (size_t j = i + 1; j < len; j++) {
        if (s[j] == ' ' || s[j] == '\t' || s[j] == '\n')
            continue;
        if (s[j] == '/' && j + 1 < len && s[j + 1] == '*') {
            size_t k = j + 2;
            while (k + 1 < len && !(s[k] == '*' && s[k + 1] == '/'))
                k++;
            if (k + 1 >= len)
                return false;
            j = k + 1;
            continue;
        }
        return s[j] == '}';
    }
    return false;
}

/* Why the text is not lexically sound C, or NULL. */
static const char *
c_lex_problem(const char *src, size_t src_len)
{
    size_t len;
    char *s = phases_1_2(src, src_len, &len);
    const char *why = NULL;
    char stack[256];
    size_t depth = 0;
    for (size_t i = 0; i < len && !why; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '/' && i + 1 < len && s[i + 1] == '*') {
            char *end = NULL;
            for (size_t j = i + 2; j + 1 < len; j++)
                if (s[j] == '*' && s[j + 1] == '/') {
                    end = s + j;
                    break;
                }
            if (!end)
                why = "unterminated comment";
            else
                i = (size_t)(end - s) + 1;
        } else if (c == '/' && i + 1 < len && s[i + 1] == '/') {
            while (i < len && s[i] != '\n')
                i++;
        } else if (c == '"' || c == '\'') {
            size_t j = i + 1;
            while (j < len && s[j] != (char)c && s[j] != '\n') {
                if ((unsigned char)s[j] < 0x20 || (unsigned char)s[j] > 0x7e)
                    why = "non-printable byte in a literal";
                j += s[j] == '\\' ? 2 : 1;
            }
            if (j >= len || s[j] != (char)c)
                why = "unterminated literal";
            i = j;
        } else if (c == '(' || c == '[' || c == '{') {
            if (c == '{' && empty_struct_at(s, len, i))
                why = "struct or union with no members";
            else if (depth == sizeof stack)
                why = "brackets nested too deep";
            else
                stack[depth++] = c == '(' ? ')' : c == '[' ? ']' : '}';
        } else if (c == ')' || c == ']' || c == '}') {
            if (depth == 0 || stack[depth - 1] != (char)c)
                why = "unbalanced brackets";
            else
                depth--;
        } else if (!(c == '\n' || c == '\t' || c == ' ' || (c >= 0x21 && c <= 0x7e))) {
            why = "byte outside comments and literals that is not printable ASCII";
        }
    }
    if (!why && depth != 0)
        why = "unclosed brackets";
    free(s);
    return why;
}

static void
check_c_file(const memfs *fs, const char *path, const diags *d)
{
    size_t len = 0;
    const char *text = memfs_get(fs, path, &len);
    if (!text) {
        fprintf(stderr, "fuzz_parse: %s was not written\n", path);
        fail("generated file missing", d);
    }
    static const char banner[] = "/* Generated by msgc ";
    CHECK(len >= sizeof banner - 1 && memcmp(text, banner, sizeof banner - 1) == 0, d);
    const char *why = c_lex_problem(text, len);
    if (why) {
        fprintf(stderr, "fuzz_parse: %s: %s\n--- %s ---\n%s\n", path, why, path, text);
        fail("generated C is not lexically sound", d);
    }
}

/* --- the target --- */

typedef struct run {
    int status;
    diags d;
} run;

static void
compile(run *r, const uint8_t *data, size_t size, const char *split, bool check_only, bool no_stubs,
        memfs **out_fs)
{
    memfs *fs = memfs_new();
    size_t main_len = split ? (size_t)((const uint8_t *)split - data) + 1 : size;
    memfs_add_bytes(fs, "fz/in.msg", data, main_len);
    if (split)
        memfs_add_bytes(fs, "fz/b.msg", split + 4, size - main_len - 3);
    memfs_add(fs, "lib/lib.msg", lib_schema);
    mc_io io = memfs_io(fs);
    const char *inputs[] = {"fz/in.msg", "fz/b.msg"};
    const char *incs[] = {"fz", "lib"};
    mc_options o = {
        .inputs = inputs,
        .n_inputs = split ? 2 : 1,
        .include_dirs = incs,
        .n_include_dirs = 2,
        .out_dir = "out",
        .deps_file = check_only ? NULL : "out/deps.mk",
        .proto = !check_only,
        .no_stubs = no_stubs,
        .check_only = check_only,
        .io = &io,
    };
    memset(r, 0, sizeof *r);
    r->status = mc_compile(&o, on_diag, &r->d);
    *out_fs = fs;
}

static void
check_run(const run *r)
{
    CHECK(r->status >= 0 && r->status <= 2, &r->d);
    CHECK(!r->d.unterminated, &r->d);
    CHECK(r->d.errors <= MC_DIAG_MAX_ERRORS, &r->d);
    CHECK(r->d.too_many <= 1, &r->d);
    if (r->status == 1)
        CHECK(r->d.errors > 0, &r->d);
    if (r->status == 0)
        CHECK(r->d.errors == 0 && r->d.too_many == 0, &r->d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    /* The main schema keeps the newline before "%%"; fz/b.msg starts after "%%\n". */
    const char *split = NULL;
    for (size_t i = 0; i + 4 <= size; i++)
        if (memcmp(data + i, "\n%%\n", 4) == 0) {
            split = (const char *)data + i;
            break;
        }
    bool no_stubs = size % 2 == 1;

    run check, gen;
    memfs *fs_check, *fs_gen;
    compile(&check, data, size, split, true, no_stubs, &fs_check);
    check_run(&check);
    CHECK(memfs_n_written(fs_check) == 0, &check.d);
    memfs_free(fs_check);

    compile(&gen, data, size, split, false, no_stubs, &fs_gen);
    check_run(&gen);
    if (check.status != 0) {
        CHECK(gen.status == check.status, &gen.d);
        CHECK(gen.d.len == check.d.len, &gen.d);
        CHECK(gen.d.len == 0 || memcmp(gen.d.text, check.d.text, gen.d.len) == 0, &gen.d);
    } else {
        CHECK(gen.status == 0, &gen.d);
        CHECK(memfs_get(fs_gen, "out/deps.mk", NULL) != NULL, &gen.d);
        check_c_file(fs_gen, "out/in.msg.h", &gen.d);
        check_c_file(fs_gen, "out/in.msg.c", &gen.d);
        CHECK(memfs_get(fs_gen, "out/in.proto", NULL) != NULL, &gen.d);
        if (split) {
            check_c_file(fs_gen, "out/b.msg.h", &gen.d);
            check_c_file(fs_gen, "out/b.msg.c", &gen.d);
            CHECK(memfs_get(fs_gen, "out/b.proto", NULL) != NULL, &gen.d);
        }
    }
    memfs_free(fs_gen);
    free(check.d.text);
    free(gen.d.text);
    return 0;
}
