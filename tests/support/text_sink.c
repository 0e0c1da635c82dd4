/* text_sink.c - collects diagnostic text into a fixed buffer. */
#include "text_sink.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <string.h>

void
text_sink_write(void *ctx, const char *text)
{
    text_sink *s = ctx;
    size_t n = strlen(text);
    assert_true(*s->len + n < s->cap);
    memcpy(s->buf + *s->len, text, n + 1);
    *s->len += n;
    if (s->calls)
        (*s->calls)++;
}
