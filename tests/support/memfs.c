/* memfs.c - an in-memory file system behind an mc_io, for compiler tests. */
#include "memfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mfile {
    char *path; /* normalised */
    char *data; /* NULL: no contents (only a failure or a read count) */
    size_t len;
    int fail; /* errno for every read and write, 0 for none */
    int reads;
    long written_seq; /* order of the first write, -1 when never written */
} mfile;

struct memfs {
    mfile *files;
    size_t n, cap;
    long n_written;
};

static void *
xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("memfs: out of memory\n", stderr);
        abort();
    }
    return p;
}

/* Paths are compared as the compiler resolves them. */
static char *
normalise(const char *path)
{
    char *out = xmalloc(strlen(path) + 2);
    mc_path_normalise_into(out, path);
    return out;
}

static mfile *
find(const memfs *fs, const char *path)
{
    char *key = normalise(path);
    mfile *found = NULL;
    for (size_t i = 0; i < fs->n && !found; i++)
        if (strcmp(fs->files[i].path, key) == 0)
            found = &fs->files[i];
    free(key);
    return found;
}

static mfile *
find_or_add(memfs *fs, const char *path)
{
    mfile *f = find(fs, path);
    if (f)
        return f;
    if (fs->n == fs->cap) {
        fs->cap = fs->cap ? fs->cap * 2 : 8;
        mfile *bigger = realloc(fs->files, fs->cap * sizeof *bigger);
        if (!bigger) {
            fputs("memfs: out of memory\n", stderr);
            abort();
        }
        fs->files = bigger;
    }
    f = &fs->files[fs->n++];
    memset(f, 0, sizeof *f);
    f->path = normalise(path);
    f->written_seq = -1;
    return f;
}

static void
set_data(mfile *f, const void *data, size_t len)
{
    free(f->data);
    f->data = xmalloc(len + 1);
    if (len)
        memcpy(f->data, data, len);
    f->data[len] = '\0';
    f->len = len;
}

memfs *
memfs_new(void)
{
    memfs *fs = xmalloc(sizeof *fs);
    memset(fs, 0, sizeof *fs);
    return fs;
}

void
memfs_free(memfs *fs)
{
    if (!fs)
        return;
    for (size_t i = 0; i < fs->n; i++) {
        free(fs->files[i].path);
        free(fs->files[i].data);
    }
    free(fs->files);
    free(fs);
}

void
memfs_add(memfs *fs, const char *path, const char *text)
{
    memfs_add_bytes(fs, path, text, strlen(text));
}

void
memfs_add_bytes(memfs *fs, const char *path, const void *data, size_t len)
{
    set_data(find_or_add(fs, path), data, len);
}

void
memfs_fail(memfs *fs, const char *path, int err)
{
    find_or_add(fs, path)->fail = err;
}

static int
io_read(void *ctx, const char *path, char **text, size_t *len)
{
    memfs *fs = ctx;
    mfile *f = find_or_add(fs, path);
    f->reads++;
    if (f->fail)
        return f->fail;
    if (!f->data)
        return ENOENT;
    *text = xmalloc(f->len + 1);
    memcpy(*text, f->data, f->len + 1);
    *len = f->len;
    return 0;
}

static int
io_write(void *ctx, const char *path, const char *data, size_t len)
{
    memfs *fs = ctx;
    mfile *f = find_or_add(fs, path);
    if (f->fail)
        return f->fail;
    set_data(f, data, len);
    if (f->written_seq < 0)
        f->written_seq = fs->n_written++;
    return 0;
}

mc_io
memfs_io(memfs *fs)
{
    return (mc_io){.read_file = io_read, .write_file = io_write, .ctx = fs};
}

const char *
memfs_get(const memfs *fs, const char *path, size_t *len)
{
    mfile *f = find(fs, path);
    if (!f || !f->data)
        return NULL;
    if (len)
        *len = f->len;
    return f->data;
}

bool
memfs_written(const memfs *fs, const char *path)
{
    mfile *f = find(fs, path);
    return f && f->written_seq >= 0;
}

size_t
memfs_n_written(const memfs *fs)
{
    return (size_t)fs->n_written;
}

const char *
memfs_written_path(const memfs *fs, size_t i)
{
    for (size_t k = 0; k < fs->n; k++)
        if (fs->files[k].written_seq == (long)i)
            return fs->files[k].path;
    return NULL;
}

int
memfs_reads(const memfs *fs, const char *path)
{
    mfile *f = find(fs, path);
    return f ? f->reads : 0;
}
