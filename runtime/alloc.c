/* alloc.c - the allocator hook and the decoder's budgeted allocations. */
#include "msgc_internal.h"

#include <stdlib.h>

static msgc_allocator current;

void
msgc_set_allocator(const msgc_allocator *a)
{
    /* Both hooks or neither: memory from one allocator must go back to it. */
    if (a && a->alloc && a->free)
        current = *a;
    else
        current = (msgc_allocator){0};
}

void *
msgc__alloc(msgc__dec *d, size_t n)
{
    if (n > d->alloc_left)
        return NULL;
    void *p = current.alloc ? current.alloc(current.ctx, n) : malloc(n);
    if (p)
        d->alloc_left -= n;
    return p;
}

void
msgc__free(void *p)
{
    if (!p)
        return;
    if (current.free)
        current.free(current.ctx, p);
    else
        free(p);
}

/* The capacity an array of count elements has: the power of two at or above it. count is
 * at most SIZE_MAX / 2 + 1, so the result fits. */
static size_t
capacity_of(size_t count)
{
    if (count <= 1)
        return count;
#if defined(__GNUC__) || defined(__clang__)
    return (size_t)1 << (64 - __builtin_clzll((unsigned long long)(count - 1)));
#else
    size_t c = 1;
    while (c < count)
        c <<= 1;
    return c;
#endif
}

/* n * elem in *bytes, or false when it does not fit in a size_t. */
static bool
bytes_of(size_t n, size_t elem, size_t *bytes)
{
#if defined(__GNUC__) || defined(__clang__)
    return !__builtin_mul_overflow(n, elem, bytes);
#else
    if (elem && n > SIZE_MAX / elem)
        return false;
    *bytes = n * elem;
    return true;
#endif
}

int
msgc__grow(msgc__dec *d, void **arr, size_t count, size_t add, size_t elem)
{
    size_t old_cap = capacity_of(count);
    if (add > SIZE_MAX / 2 - count)
        return MSGC_ENOMEM;
    size_t new_cap = capacity_of(count + add);
    if (new_cap <= old_cap)
        return 0;
    size_t bytes = 0;
    if (!bytes_of(new_cap, elem, &bytes))
        return MSGC_ENOMEM;
    unsigned char *p = msgc__alloc(d, bytes);
    if (!p)
        return MSGC_ENOMEM;
    if (count)
        memcpy(p, *arr, count * elem);
    msgc__free(*arr);
    *arr = p;
    /* The replaced array is gone: only what is live counts against the budget. */
    d->alloc_left += old_cap * elem;
    return 0;
}
