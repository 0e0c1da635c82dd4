/* text_sink.h - collects the text a compiler diagnostic callback (mc_diag_fn) writes into
 * a fixed buffer of the test's fixture, for the compiler's unit tests.
 *
 *   f->sink = (text_sink){f->out, sizeof f->out, &f->len, &f->calls};
 *   f->diag = mc_diag_new(arena, text_sink_write, &f->sink);
 *
 * The buffer stays NUL-terminated; text that does not fit fails the running cmocka test.
 */
#ifndef TEXT_SINK_H
#define TEXT_SINK_H

#include <stddef.h>

typedef struct text_sink {
    char *buf;   /* the text collected, NUL-terminated */
    size_t cap;  /* the size of buf */
    size_t *len; /* its length */
    int *calls;  /* counts the writes; NULL: not counted */
} text_sink;

/* Appends text to the sink ctx (a text_sink *). */
void text_sink_write(void *ctx, const char *text);

#endif
