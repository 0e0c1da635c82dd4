/* fnv.c - 64-bit FNV-1a, the type and method ids. */
#include "msgc.h"

uint64_t
msgc_fnv1a64(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}
