/* wrap.h - keeps generated C within a column limit. */
#ifndef MC_WRAP_H
#define MC_WRAP_H

#include "tmpl.h"

#include <stddef.h>

/* The column limit of generated C, that of the project's .clang-format. */
#define MC_WRAP_COLUMNS 100

/* Appends text[0..len) to out with every line longer than limit broken the way
 * clang-format breaks it: an argument or parameter list at its commas, continued under
 * the first argument, and a comment at its spaces, continued with " * ". Only white
 * space changes. A line that cannot be broken so (a long word, a preprocessor line, a
 * line mixing code and a comment) is kept as it is. */
void mc_wrap_c(const char *text, size_t len, size_t limit, mc_buf *out);

#endif
