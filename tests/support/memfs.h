/* memfs.h - an in-memory file system behind an mc_io, for compiler tests.
 *
 *   memfs *fs = memfs_new();
 *   memfs_add(fs, "schemas/a.msg", "message A {}");
 *   mc_io io = memfs_io(fs);           (valid while fs lives)
 *   ... mc_compile with o.io = &io ...
 *   size_t len; const char *h = memfs_get(fs, "out/a.msg.h", &len);
 *   memfs_free(fs);
 *
 * Paths are compared after normalisation ("./a//b/../c" is "a/c"), so a file reads the
 * same under any spelling of its path. Files written through the mc_io can be read back.
 */
#ifndef MEMFS_H
#define MEMFS_H

#include <stdbool.h>
#include <stddef.h>

#include "mc.h"

typedef struct memfs memfs;

memfs *memfs_new(void);
void memfs_free(memfs *fs); /* NULL-safe */

/* Adds or replaces a file (text: up to its NUL; bytes: any bytes). */
void memfs_add(memfs *fs, const char *path, const char *text);
void memfs_add_bytes(memfs *fs, const char *path, const void *data, size_t len);
/* Makes every later read and write of path fail with err (an errno value). */
void memfs_fail(memfs *fs, const char *path, int err);

/* The mc_io that reads and writes fs. */
mc_io memfs_io(memfs *fs);

/* The contents of a file (added or written), NUL-terminated; NULL when there is none.
 * len may be NULL. */
const char *memfs_get(const memfs *fs, const char *path, size_t *len);
/* Whether the file was written through the mc_io. */
bool memfs_written(const memfs *fs, const char *path);
/* Files written through the mc_io, in order of their first write; i < memfs_n_written. */
size_t memfs_n_written(const memfs *fs);
const char *memfs_written_path(const memfs *fs, size_t i);
/* How many times read_file was called for path (successful or not). */
int memfs_reads(const memfs *fs, const char *path);

#endif
