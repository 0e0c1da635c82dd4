/* files.c - reading, counting and removing real files, for the compiler tests. */
#include "files.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
files_append(char **buf, size_t *len, const void *data, size_t n)
{
    char *b = realloc(*buf, *len + n + 1);
    assert_non_null(b);
    if (n)
        memcpy(b + *len, data, n);
    *len += n;
    b[*len] = '\0';
    *buf = b;
}

char *
files_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL, chunk[65536];
    size_t n = 0, got;
    files_append(&buf, &n, "", 0);
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        files_append(&buf, &n, chunk, got);
    fclose(f);
    if (len)
        *len = n;
    return buf;
}

static bool
is_dot_or_dotdot(const char *name)
{
    return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

int
files_count(const char *dir, bool count_dirs)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (is_dot_or_dotdot(e->d_name))
            continue;
        char sub[PATH_MAX];
        struct stat st;
        snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
        bool known = lstat(sub, &st) == 0;
        if (known && S_ISDIR(st.st_mode))
            n += (count_dirs ? 1 : 0) + files_count(sub, count_dirs);
        else if (known || count_dirs)
            n++;
    }
    closedir(d);
    return n;
}

void
files_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        unlink(path);
        return;
    }
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (is_dot_or_dotdot(e->d_name))
                continue;
            char sub[PATH_MAX];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            files_remove_tree(sub);
        }
        closedir(d);
    }
    rmdir(path);
}
