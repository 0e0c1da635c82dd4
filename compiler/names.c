/* names.c - C identifier rules: keyword escaping, package prefixes and the names the
 * generated code or the C library already take (see names.h). */
#include "names.h"

#include <stdlib.h>
#include <string.h>

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

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

/* --- names taken by the generated code or the C library (names.h rule 8) ---
 *
 * Each table is sorted for bsearch (strcmp order, test_names checks it), and no name is in
 * two of them.
 */

/* clang-format off */
/* Identifiers the generated code uses itself: parameters and locals of the templates, the members and designators it names (a const is a macro, so it would rewrite
 * "m->b.data" or ".name =" too), and warn_unused_result, which MSGC_NODISCARD expands to in
 * every prototype. A file-scope name equal to one of them is shadowed by the parameter or
 * rewritten by the macro: "const len = 3;" gives "#define len 3", and every "size_t len"
 * after it no longer compiles. test_sema derives this list from the built-in templates. */
static const char *const used_by_code[] = {
    "__cplusplus",
    "at",
    "buf",
    "call", "cap", "ch", "ctx",
    "d", "data", "decode_ex", "depth", "dispatch",
    "encode", "encoded_size", "end", "enum_desc", "err", "err_at",
    "fields", "flags",
    "got", "grown",
    "h", "hp",
    "i", "id", "init",
    "k",
    "label", "len", "len_at", "lim",
    "m", "max", "max_len", "max_size", "message", "methods", "ms",
    "n", "n_fields", "n_methods", "n_values", "name", "number",
    "offset", "oneway",
    "p", "pp", "presence_offset",
    "rc", "rep", "req",
    "s", "se", "sent", "struct_size",
    "tag", "timeout_ms", "type", "type_id",
    "v", "values",
    "warn_unused_result",
};

/* Types, functions and objects that the headers of the generated code declare (<msgc.h>
 * includes <stdbool.h>, <stddef.h>, <stdint.h>, <string.h> and <sys/types.h>, which on
 * glibc also declares <strings.h>, <sys/select.h> and the pthread types), and those of
 * <stdio.h> and <stdlib.h>, which the programs that use the generated code include beside
 * it. A generated type or macro of one of these names redeclares it. bool, true, false,
 * NULL, errno and wchar_t are missing: the keyword table escapes them. */
static const char *const library_names[] = {
    "FILE",
    "_Exit",
    "abort", "abs", "aligned_alloc", "at_quick_exit", "atexit", "atof", "atoi", "atol", "atoll",
    "bcmp", "bcopy", "blkcnt_t", "blksize_t", "bsearch", "bzero",
    "caddr_t", "calloc", "clearerr", "clock_t", "clockid_t",
    "daddr_t", "dev_t", "div", "div_t", "dprintf",
    "exit", "explicit_bzero",
    "fclose", "fd_mask", "fd_set", "fdopen", "feof", "ferror", "fflush", "ffs", "fgetc",
    "fgetpos", "fgets", "fileno", "fopen", "fpos_t", "fprintf", "fputc", "fputs", "fread",
    "free", "freopen", "fsblkcnt_t", "fscanf", "fseek", "fsetpos", "fsfilcnt_t", "fsid_t",
    "ftell", "fwrite",
    "getc", "getchar", "getdelim", "getenv", "getline", "gets", "gid_t",
    "id_t", "index", "ino_t", "int16_t", "int32_t", "int64_t", "int8_t", "int_fast16_t",
    "int_fast32_t", "int_fast64_t", "int_fast8_t", "int_least16_t", "int_least32_t",
    "int_least64_t", "int_least8_t", "intmax_t", "intptr_t",
    "key_t",
    "labs", "ldiv", "ldiv_t", "llabs", "lldiv", "lldiv_t", "loff_t",
    "malloc", "max_align_t", "mblen", "mbstowcs", "mbtowc", "memccpy", "memchr", "memcmp",
    "memcpy", "memmem", "memmove", "mempcpy", "memset", "mkstemp", "mode_t",
    "nlink_t",
    "off_t",
    "pclose", "perror", "pid_t", "popen", "posix_memalign", "printf", "pselect",
    "pthread_attr_t", "pthread_barrier_t", "pthread_barrierattr_t", "pthread_cond_t",
    "pthread_condattr_t", "pthread_key_t", "pthread_mutex_t", "pthread_mutexattr_t",
    "pthread_once_t", "pthread_rwlock_t", "pthread_rwlockattr_t", "pthread_spinlock_t",
    "pthread_t", "ptrdiff_t", "putc", "putchar", "putenv", "puts",
    "qsort", "quad_t", "quick_exit",
    "rand", "random", "realloc", "realpath", "register_t", "remove", "rename", "rewind",
    "rindex",
    "scanf", "select", "setbuf", "setenv", "setvbuf", "sigset_t", "size_t", "snprintf",
    "sprintf", "srand", "srandom", "sscanf", "ssize_t", "stpcpy", "stpncpy", "strcasecmp",
    "strcat", "strchr", "strcmp", "strcoll", "strcoll_l", "strcpy", "strcspn", "strdup",
    "strerror", "strerror_l", "strerror_r", "strlcat", "strlcpy", "strlen", "strncasecmp",
    "strncat", "strncmp", "strncpy", "strndup", "strnlen", "strpbrk", "strrchr", "strsep",
    "strsignal", "strspn", "strstr", "strtod", "strtof", "strtok", "strtok_r", "strtol",
    "strtold", "strtoll", "strtoul", "strtoull", "strxfrm", "strxfrm_l", "suseconds_t",
    "system",
    "time_t", "timer_t", "tmpfile", "tmpnam",
    "u_char", "u_int", "u_int16_t", "u_int32_t", "u_int64_t", "u_int8_t", "u_long", "u_quad_t",
    "u_short", "uid_t", "uint", "uint16_t", "uint32_t", "uint64_t", "uint8_t", "uint_fast16_t",
    "uint_fast32_t", "uint_fast64_t", "uint_fast8_t", "uint_least16_t", "uint_least32_t",
    "uint_least64_t", "uint_least8_t", "uintmax_t", "uintptr_t", "ulong", "ungetc", "unsetenv",
    "useconds_t", "ushort",
    "vfprintf", "vfscanf", "vprintf", "vscanf", "vsnprintf", "vsprintf", "vsscanf",
    "wcstombs", "wctomb",
};

/* Object-like macros of the same headers and of <limits.h> and <errno.h>. Besides
 * clashing at file scope, they rewrite a struct member of their name. */
static const char *const library_macros[] = {
    "BIG_ENDIAN", "BUFSIZ", "BYTE_ORDER",
    "CHAR_BIT", "CHAR_MAX", "CHAR_MIN",
    "EACCES", "EAGAIN", "EBADF", "EDOM", "EEXIST", "EILSEQ", "EINTR", "EINVAL", "EIO", "ENOENT",
    "ENOMEM", "ENOSPC", "EOF", "EPERM", "EPIPE", "ERANGE", "ETIMEDOUT", "EWOULDBLOCK",
    "EXIT_FAILURE", "EXIT_SUCCESS",
    "FD_SETSIZE", "FILENAME_MAX", "FOPEN_MAX",
    "INT16_MAX", "INT16_MIN", "INT16_WIDTH", "INT32_MAX", "INT32_MIN", "INT32_WIDTH",
    "INT64_MAX", "INT64_MIN", "INT64_WIDTH", "INT8_MAX", "INT8_MIN", "INT8_WIDTH", "INTMAX_MAX",
    "INTMAX_MIN", "INTMAX_WIDTH", "INTPTR_MAX", "INTPTR_MIN", "INTPTR_WIDTH", "INT_FAST16_MAX",
    "INT_FAST16_MIN", "INT_FAST16_WIDTH", "INT_FAST32_MAX", "INT_FAST32_MIN",
    "INT_FAST32_WIDTH", "INT_FAST64_MAX", "INT_FAST64_MIN", "INT_FAST64_WIDTH", "INT_FAST8_MAX",
    "INT_FAST8_MIN", "INT_FAST8_WIDTH", "INT_LEAST16_MAX", "INT_LEAST16_MIN",
    "INT_LEAST16_WIDTH", "INT_LEAST32_MAX", "INT_LEAST32_MIN", "INT_LEAST32_WIDTH",
    "INT_LEAST64_MAX", "INT_LEAST64_MIN", "INT_LEAST64_WIDTH", "INT_LEAST8_MAX",
    "INT_LEAST8_MIN", "INT_LEAST8_WIDTH", "INT_MAX", "INT_MIN",
    "LITTLE_ENDIAN", "LLONG_MAX", "LLONG_MIN", "LONG_MAX", "LONG_MIN", "L_tmpnam",
    "MB_CUR_MAX", "MB_LEN_MAX",
    "NAME_MAX", "NFDBITS",
    "PATH_MAX", "PDP_ENDIAN", "PTRDIFF_MAX", "PTRDIFF_MIN", "PTRDIFF_WIDTH",
    "RAND_MAX",
    "SCHAR_MAX", "SCHAR_MIN", "SEEK_CUR", "SEEK_END", "SEEK_SET", "SHRT_MAX", "SHRT_MIN",
    "SIG_ATOMIC_MAX", "SIG_ATOMIC_MIN", "SIG_ATOMIC_WIDTH", "SIZE_MAX", "SIZE_WIDTH",
    "SSIZE_MAX",
    "TMP_MAX",
    "UCHAR_MAX", "UINT16_MAX", "UINT16_WIDTH", "UINT32_MAX", "UINT32_WIDTH", "UINT64_MAX",
    "UINT64_WIDTH", "UINT8_MAX", "UINT8_WIDTH", "UINTMAX_MAX", "UINTMAX_WIDTH", "UINTPTR_MAX",
    "UINTPTR_WIDTH", "UINT_FAST16_MAX", "UINT_FAST16_WIDTH", "UINT_FAST32_MAX",
    "UINT_FAST32_WIDTH", "UINT_FAST64_MAX", "UINT_FAST64_WIDTH", "UINT_FAST8_MAX",
    "UINT_FAST8_WIDTH", "UINT_LEAST16_MAX", "UINT_LEAST16_WIDTH", "UINT_LEAST32_MAX",
    "UINT_LEAST32_WIDTH", "UINT_LEAST64_MAX", "UINT_LEAST64_WIDTH", "UINT_LEAST8_MAX",
    "UINT_LEAST8_WIDTH", "UINT_MAX", "ULLONG_MAX", "ULONG_MAX", "USHRT_MAX",
    "WCHAR_MAX", "WCHAR_MIN", "WCHAR_WIDTH", "WINT_MAX", "WINT_MIN", "WINT_WIDTH",
    "__bool_true_false_are_defined",
    "stderr", "stdin", "stdout",
};

/* Function-like macros of the same headers: they rewrite a name only when a '(' follows,
 * which for a member happens only to a service's handler, called as "h->Name(ctx, ...)". */
static const char *const library_function_macros[] = {
    "FD_CLR", "FD_ISSET", "FD_SET", "FD_ZERO",
    "INT16_C", "INT32_C", "INT64_C", "INT8_C", "INTMAX_C",
    "UINT16_C", "UINT32_C", "UINT64_C", "UINT8_C", "UINTMAX_C",
    "assert",
    "be16toh", "be32toh", "be64toh",
    "htobe16", "htobe32", "htobe64", "htole16", "htole32", "htole64",
    "le16toh", "le32toh", "le64toh",
    "offsetof",
};
/* clang-format on */

static const struct reserved_table {
    const char *const *names;
    size_t n;
} reserved_tables[] = {
    [MC_C_USED_BY_CODE] = {used_by_code, COUNT_OF(used_by_code)},
    [MC_C_LIBRARY] = {library_names, COUNT_OF(library_names)},
    [MC_C_LIBRARY_MACRO] = {library_macros, COUNT_OF(library_macros)},
    [MC_C_LIBRARY_FUNCTION_MACRO] = {library_function_macros, COUNT_OF(library_function_macros)},
};

mc_c_reserved
mc_c_reserved_by(const char *ident)
{
    for (size_t i = MC_C_USED_BY_CODE; i < COUNT_OF(reserved_tables); i++) {
        const struct reserved_table *t = &reserved_tables[i];
        if (bsearch(ident, t->names, t->n, sizeof t->names[0], compare_names))
            return (mc_c_reserved)i;
    }
    return MC_C_UNRESERVED;
}

const char *const *
mc_c_reserved_table(mc_c_reserved why, size_t *n)
{
    if (why == MC_C_UNRESERVED || (size_t)why >= COUNT_OF(reserved_tables)) {
        *n = 0;
        return NULL;
    }
    *n = reserved_tables[why].n;
    return reserved_tables[why].names;
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
