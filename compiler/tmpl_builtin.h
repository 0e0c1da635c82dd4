/* tmpl_builtin.h - the templates built into msgc: compiler/embed.sh writes the table from
 * the template files into build/gen/templates.c. */
#ifndef MC_TMPL_BUILTIN_H
#define MC_TMPL_BUILTIN_H

#include <stddef.h>

typedef struct mc_builtin_template {
    const char *name; /* the file's base name, such as "msg.h.tmpl" */
    const char *text; /* NUL-terminated; text[len] == '\0' */
    size_t len;
} mc_builtin_template;

/* In file order, followed by one { NULL, NULL, 0 } entry that is not counted. */
extern const mc_builtin_template mc_builtin_templates[];
extern const size_t mc_n_builtin_templates;

/* The text of the built-in template name (its length in *len when len is not NULL),
 * or NULL when there is none of that name. */
const char *mc_builtin_template_find(const char *name, size_t *len);

#endif
