/* wrap.c - breaks the long lines of generated C as clang-format would, so that generated
 * code reads like hand-formatted code: long prototypes and calls are the usual culprits,
 * since their width grows with the names in the schema. */
#include "wrap.h"

#include <stdbool.h>
#include <string.h>

typedef struct span {
    const char *s;
    size_t n;
} span;

/* More parentheses than this on one line: the line is kept as it is. */
#define MAX_PARENS 64
/* How far a list broken after its opening parenthesis is indented past its line. */
#define CONTINUATION_INDENT 4

static size_t
indent_of(span l)
{
    size_t i = 0;
    while (i < l.n && l.s[i] == ' ')
        i++;
    return i;
}

/* Called at every byte of a scanned line: the first character decides most calls. */
static bool
starts_with(span l, size_t at, const char *word)
{
    if (at >= l.n || l.s[at] != word[0])
        return false;
    size_t n = strlen(word);
    return at + n <= l.n && memcmp(l.s + at, word, n) == 0;
}

static void
put_spaces(mc_buf *out, size_t n)
{
    static const char spaces[] = "                                ";
    while (n > 0) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        mc_buf_put(out, spaces, k);
        n -= k;
    }
}

/* The index after the string or character literal that opens at l.s[i]. */
static size_t
skip_literal(span l, size_t i)
{
    char quote = l.s[i++];
    while (i < l.n && l.s[i] != quote)
        i += l.s[i] == '\\' ? 2 : 1;
    return i < l.n ? i + 1 : l.n;
}

/* Whether a block comment is still open at the end of l, given whether one was open at
 * its start. Sets *has_comment when any part of l is comment text. */
static bool
comment_open_after(span l, bool in_comment, bool *has_comment)
{
    *has_comment = in_comment;
    size_t i = 0;
    while (i < l.n) {
        if (in_comment) {
            if (starts_with(l, i, "*/")) {
                in_comment = false;
                i += 2;
            } else {
                i++;
            }
        } else if (l.s[i] == '"' || l.s[i] == '\'') {
            i = skip_literal(l, i);
        } else if (starts_with(l, i, "//")) {
            *has_comment = true;
            return false;
        } else if (starts_with(l, i, "/*")) {
            in_comment = *has_comment = true;
            i += 2;
        } else {
            i++;
        }
    }
    return in_comment;
}

/* --- comments --- */

/* Whether l is comment text alone: a line inside a block comment that starts with "* ",
 * or a line that opens one with "/" "* ", either ending the comment at its very end or
 * not at all. Sets *body to where the words start. */
static bool
is_comment_line(span l, bool in_comment, size_t *body)
{
    size_t at = indent_of(l);
    if (!starts_with(l, at, in_comment ? "* " : "/* "))
        return false;
    *body = at + (in_comment ? 2 : 3);
    const char *end = NULL;
    for (size_t i = *body; i + 1 < l.n && !end; i++)
        if (l.s[i] == '*' && l.s[i + 1] == '/')
            end = l.s + i;
    return !end || end + 2 == l.s + l.n;
}

/* Fills the words of l after body into lines of at most limit columns, each continued
 * with " * " under the comment's opening. A word longer than a line gets a line alone. */
static void
reflow_comment(span l, size_t body, size_t limit, mc_buf *out)
{
    size_t indent = indent_of(l);
    /* A line inside a comment has its "*" one column in from the opening "/". */
    size_t star = l.s[indent] == '*' ? indent - (indent > 0) : indent;
    mc_buf_put(out, l.s, body);
    size_t col = body;
    bool first = true;
    size_t i = body;
    while (i < l.n) {
        size_t w = i;
        while (w < l.n && l.s[w] != ' ')
            w++;
        if (w > i) {
            if (!first && col + 1 + (w - i) > limit) {
                mc_buf_puts(out, "\n");
                put_spaces(out, star);
                mc_buf_puts(out, " *");
                col = star + 2;
            }
            mc_buf_puts(out, " ");
            if (first) {
                /* The prefix already ends with its space. */
                out->len--;
            }
            mc_buf_put(out, l.s + i, w - i);
            col += (first ? 0 : 1) + (w - i);
            first = false;
        }
        i = w + 1;
    }
    mc_buf_puts(out, "\n");
}

/* --- code --- */

/* The open parentheses of l in order, each with the index of its match on the line;
 * false when the line has a comment, is a preprocessor line or has too many. */
static bool
find_parens(span l, size_t open[], size_t close[], size_t *n)
{
    size_t stack[MAX_PARENS], depth = 0;
    *n = 0;
    if (starts_with(l, indent_of(l), "#"))
        return false;
    for (size_t i = 0; i < l.n; i++) {
        char c = l.s[i];
        if (c == '"' || c == '\'') {
            i = skip_literal(l, i) - 1;
        } else if (starts_with(l, i, "/*") || starts_with(l, i, "//")) {
            return false;
        } else if (c == '(') {
            if (*n == MAX_PARENS)
                return false;
            stack[depth++] = *n;
            open[*n] = i;
            close[(*n)++] = 0;
        } else if (c == ')' && depth > 0) {
            close[stack[--depth]] = i;
        }
    }
    return true;
}

/* The end of the argument that starts at i inside a list ending at close: the next comma
 * at the list's own depth, or close. */
static size_t
argument_end(span l, size_t i, size_t close)
{
    int depth = 0;
    for (; i < close; i++) {
        char c = l.s[i];
        if (c == '"' || c == '\'')
            i = skip_literal(l, i) - 1;
        else if (c == '(' || c == '[' || c == '{')
            depth++;
        else if (c == ')' || c == ']' || c == '}')
            depth--;
        else if (c == ',' && depth == 0)
            return i;
    }
    return close;
}

/* Lays l out with the list in parentheses open..close broken at its commas, each line
 * filled as far as the limit allows. The arguments continue under the first one, or, when
 * hang is given, start on a line of their own indented by hang past the line's indent.
 * The last argument keeps the rest of the line. False, with nothing written, unless the
 * list has two arguments or more and every line fits. */
static bool
break_list(span l, size_t open, size_t close, size_t hang, size_t limit, mc_buf *out)
{
    if (argument_end(l, open + 1, close) == close)
        return false;
    mc_buf b = {0};
    mc_buf_put(&b, l.s, open + 1);
    size_t cont = hang ? indent_of(l) + hang : open + 1;
    size_t col = open + 1;
    bool fits = col <= limit, first = true;
    if (hang) {
        mc_buf_puts(&b, "\n");
        put_spaces(&b, cont);
        col = cont;
    }
    for (size_t a = open + 1; a < close && fits;) {
        while (a < close && l.s[a] == ' ')
            a++;
        size_t e = argument_end(l, a, close);
        size_t piece_end = e < close ? e + 1 : l.n;
        size_t len = piece_end - a;
        if (!first && col + 1 + len > limit) {
            mc_buf_puts(&b, "\n");
            put_spaces(&b, cont);
            col = cont;
        } else if (!first) {
            mc_buf_puts(&b, " ");
            col++;
        }
        mc_buf_put(&b, l.s + a, len);
        col += len;
        fits = col <= limit;
        first = false;
        a = piece_end;
    }
    if (fits) {
        mc_buf_put(out, b.data, b.len);
        mc_buf_puts(out, "\n");
    }
    mc_buf_free(&b);
    return fits;
}

/* Breaks a long code line at the first parenthesised list, from the left, whose
 * arguments then fit under the first one; failing that, at the first whose arguments
 * fit on lines of their own, indented one step past the line (as clang-format's
 * continuation indent). */
static bool
wrap_code(span l, size_t limit, mc_buf *out)
{
    size_t open[MAX_PARENS], close[MAX_PARENS], n = 0;
    if (!find_parens(l, open, close, &n))
        return false;
    for (size_t hang = 0; hang <= CONTINUATION_INDENT; hang += CONTINUATION_INDENT)
        for (size_t i = 0; i < n; i++)
            if (close[i] > open[i] && break_list(l, open[i], close[i], hang, limit, out))
                return true;
    return false;
}

void
mc_wrap_c(const char *text, size_t len, size_t limit, mc_buf *out)
{
    bool in_comment = false;
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        span l = {text + at, nl ? (size_t)(nl - (text + at)) : len - at};
        size_t with_nl = l.n + (nl ? 1 : 0);
        if (!in_comment && l.n <= limit && !memchr(l.s, '/', l.n)) {
            /* Most lines: short, and neither in nor opening a comment. */
            mc_buf_put(out, l.s, with_nl);
            at += with_nl;
            continue;
        }
        bool has_comment = false;
        bool open_after = comment_open_after(l, in_comment, &has_comment);
        size_t body = 0;
        bool done = false;
        if (l.n > limit && nl) {
            if (has_comment && is_comment_line(l, in_comment, &body)) {
                reflow_comment(l, body, limit, out);
                done = true;
            } else if (!has_comment) {
                done = wrap_code(l, limit, out);
            }
        }
        if (!done)
            mc_buf_put(out, l.s, with_nl);
        in_comment = open_after;
        at += with_nl;
    }
}
