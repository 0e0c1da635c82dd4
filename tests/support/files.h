/* files.h - reading, counting and removing real files, for the compiler tests that work in
 * temporary directories (test_cli, test_gencompile, test_golden).
 *
 * Allocation failures fail the running cmocka test.
 */
#ifndef FILES_H
#define FILES_H

#include <stdbool.h>
#include <stddef.h>

/* Appends data[0..n) to the malloc'd *buf of *len bytes and keeps it NUL-terminated. */
void files_append(char **buf, size_t *len, const void *data, size_t n);

/* The whole contents of path, NUL-terminated and malloc'd; NULL when it cannot be opened.
 * len, when not NULL, receives the size. */
char *files_read(const char *path, size_t *len);

/* Counts what lies below dir, recursively: every entry, directories included, with
 * count_dirs; otherwise only what is not a directory. dir itself is not counted. */
int files_count(const char *dir, bool count_dirs);

/* Removes path and, for a directory, everything below it (as rm -rf, errors ignored). */
void files_remove_tree(const char *path);

#endif
