/* tmpl.h - a small logic-less template engine and the view model it renders.
 *
 * Template syntax:
 *   {{name}}              the string value of name
 *   {{#list}}...{{/list}} the body once per item of list, in order
 *   {{?flag}}...{{/flag}} the body when flag is true (a string: non-empty; a list:
 *                         non-empty)
 *   {{^flag}}...{{/flag}} the body when flag is false
 *   {{! comment}}         nothing
 * Inside a list body, @first and @last are true on the first and last item and @index
 * is the 0-based position. A name is looked up in the current item, then in each
 * enclosing item outwards to the root. A line that holds only one section tag (and
 * blanks) is dropped whole, so sections do not leave blank lines behind.
 * An unknown name, an unbalanced or mismatched section and an unterminated tag are
 * errors that name "template:line".
 */
#ifndef MC_TMPL_H
#define MC_TMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

/* A growable byte buffer (malloc'd). */
typedef struct mc_buf {
    char *data;
    size_t len, cap;
} mc_buf;

void mc_buf_put(mc_buf *b, const char *s, size_t n);
void mc_buf_puts(mc_buf *b, const char *s);
void mc_buf_printf(mc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mc_buf_free(mc_buf *b);

typedef struct mc_view mc_view; /* a dictionary of names to strings, bools and lists */

mc_view *mc_view_new(mc_arena *a);
void mc_view_set(mc_view *v, const char *key, const char *value); /* value copied */
void mc_view_setf(mc_view *v, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void mc_view_set_bool(mc_view *v, const char *key, bool value);
/* Appends a new empty item to the list key (creating the list) and returns it. */
mc_view *mc_view_add(mc_view *v, const char *key);
/* Makes key an empty list if it is not set yet, so a section over it renders nothing. */
void mc_view_set_list(mc_view *v, const char *key);

/* Renders text (named name in errors) with root into out (appended). Returns 0, or -1
 * with a message "name:line: what" in err (errlen bytes, NUL-terminated). */
int mc_tmpl_render(const char *name, const char *text, const mc_view *root, mc_buf *out,
                   char *err, size_t errlen);

#endif
