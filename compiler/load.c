/* load.c - reads the inputs and their imports, and the file system mc_io.
 *
 * Files are identified by their normalised path ("a/./b/../c.msg" is "a/c.msg"), so a
 * file reached by two spellings of its path is read once. Imports are loaded depth
 * first; a file is appended to the program when all its imports are, which puts the
 * files in dependency order and finds cycles (an import of a file still being loaded).
 */
#include "mc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How a file's rel path was found; a better way replaces a worse one. */
typedef enum rel_rank {
    REL_BASENAME = 1,   /* no -I dir holds it: its bare name */
    REL_IMPORT = 2,     /* imported relative to its importer: the importer's rel dir */
    REL_INCLUDE_DIR = 3 /* under an -I dir: relative to the first that holds it */
} rel_rank;

typedef enum load_state {
    LOADING, /* its imports are being loaded */
    LOADED
} load_state;

typedef struct entry {
    const char *key; /* normalised path */
    mc_file *file;
    load_state state;
    rel_rank rank;
    struct entry *next;       /* every entry */
    struct entry *loading_up; /* the importer, while LOADING */
    struct entry *order_next; /* dependency order */
} entry;

/* An import found beside its importer: the imported file's rel may follow the importer's. */
typedef struct edge {
    entry *importer, *imported;
    const char *path; /* as written */
    struct edge *next;
} edge;

typedef struct loader {
    mc_program *prog;
    mc_diag *diag;
    const mc_options *opts;
    const mc_io *io;
    const char **include_dirs; /* normalised */
    entry *entries;
    entry **order_tail;
    entry *order;
    size_t n_order;
    edge *edges;
} loader;

/* --- paths --- */

void
mc_path_normalise_into(char *out, const char *path)
{
    bool absolute = path[0] == '/';
    size_t n = 0;
    if (absolute)
        out[n++] = '/';
    size_t root = n;  /* where the parts start */
    size_t fixed = n; /* the end of the leading ".." parts, which stay */
    for (const char *s = path; *s;) {
        while (*s == '/')
            s++;
        const char *e = s;
        while (*e && *e != '/')
            e++;
        size_t part = (size_t)(e - s);
        bool dot = part == 1 && s[0] == '.';
        bool dotdot = part == 2 && s[0] == '.' && s[1] == '.';
        if (part == 0 || dot || (dotdot && absolute && n == fixed)) {
            /* nothing: "/.." is "/" */
        } else if (dotdot && n > fixed) {
            while (n > fixed && out[n - 1] != '/')
                n--;
            if (n > fixed)
                n--;
        } else {
            if (n > root)
                out[n++] = '/';
            memcpy(out + n, s, part);
            n += part;
            if (dotdot)
                fixed = n;
        }
        s = e;
    }
    if (n == 0)
        out[n++] = '.';
    out[n] = '\0';
}

static char *
path_normalise(mc_arena *a, const char *path)
{
    char *out = mc_arena_alloc(a, strlen(path) + 2);
    mc_path_normalise_into(out, path);
    return out;
}

/* The directory part of a normalised path: "." for a bare name, "/" for the root. */
static char *
path_dir(mc_arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return mc_arena_strdup(a, ".");
    if (slash == path)
        return mc_arena_strdup(a, "/");
    return mc_arena_strndup(a, path, (size_t)(slash - path));
}

static const char *
path_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static char *
path_join(mc_arena *a, const char *dir, const char *path)
{
    if (path[0] == '/' || strcmp(dir, ".") == 0 || dir[0] == '\0')
        return path_normalise(a, path);
    return path_normalise(a, mc_arena_printf(a, "%s/%s", dir, path));
}

/* The part of key below dir, or NULL when dir does not hold key. Both are normalised. */
static const char *
path_below(const char *key, const char *dir)
{
    if (strcmp(dir, ".") == 0)
        return key[0] != '/' && strncmp(key, "../", 3) != 0 && strcmp(key, "..") != 0 ? key : NULL;
    if (strcmp(dir, "/") == 0)
        return key[0] == '/' ? key + 1 : NULL;
    size_t n = strlen(dir);
    if (strncmp(key, dir, n) == 0 && key[n] == '/')
        return key + n + 1;
    return NULL;
}

/* --- rel paths (SPEC section 3) --- */

/* A file under an -I dir is named relative to the first that holds it; a file without
 * one gets its bare name later, unless an importer names it first (rel_finish). */
static void
rel_set_initial(loader *l, entry *e)
{
    for (size_t i = 0; i < l->opts->n_include_dirs; i++) {
        const char *below = path_below(e->key, l->include_dirs[i]);
        if (below) {
            e->rank = REL_INCLUDE_DIR;
            e->file->rel = below;
            return;
        }
    }
}

/* Gives a file imported beside its importer the importer's rel dir, so that the
 * importer's `#include "d/x.msg.h"` finds it, and every other file its bare name.
 * Importers come before their imports in reverse dependency order, so each importer's
 * rel is final when its imports get theirs. */
static void
rel_finish(loader *l)
{
    mc_arena *a = l->prog->arena;
    entry **order = mc_arena_alloc(a, (l->n_order + 1) * sizeof *order);
    size_t n = 0;
    for (entry *e = l->order; e; e = e->order_next)
        order[n++] = e;
    while (n-- > 0) {
        entry *e = order[n];
        if (e->rank == 0) {
            e->rank = REL_BASENAME;
            e->file->rel = path_base(e->key);
        }
        for (edge *g = l->edges; g; g = g->next) {
            if (g->importer != e || g->imported->rank >= REL_IMPORT)
                continue;
            g->imported->rank = REL_IMPORT;
            g->imported->file->rel = path_join(a, path_dir(a, e->file->rel), g->path);
        }
    }
}

/* --- loading --- */

static entry *
entry_find(loader *l, const char *key)
{
    for (entry *e = l->entries; e; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

static entry *
entry_parse(loader *l, const char *key, const char *path, char *text, size_t len)
{
    mc_arena *a = l->prog->arena;
    entry *e = mc_arena_alloc(a, sizeof *e);
    e->key = key;
    e->file = mc_parse(l->prog, l->diag, path, text, len);
    free(text);
    e->next = l->entries;
    l->entries = e;
    rel_set_initial(l, e);
    return e;
}

static void load_imports(loader *l, entry *e);

static void
report_cycle(loader *l, entry *from, entry *to, mc_loc loc)
{
    /* The importers lead from `from` up to `to`; the message reads the other way. */
    mc_arena *a = l->prog->arena;
    const char *tail = mc_arena_printf(a, " -> %s", to->file->path);
    for (entry *e = from; e != to; e = e->loading_up)
        tail = mc_arena_printf(a, " -> %s%s", e->file->path, tail);
    mc_diag_error(l->diag, loc, "import cycle: %s%s", to->file->path, tail);
}

/* Finds an import relative to the importer, then in each include dir in order. */
static void
load_import(loader *l, entry *importer, mc_import *imp)
{
    mc_arena *a = l->prog->arena;
    size_t n_dirs = l->opts->n_include_dirs;
    for (size_t i = 0; i <= n_dirs; i++) {
        const char *dir = i == 0 ? path_dir(a, importer->key) : l->include_dirs[i - 1];
        const char *key = path_join(a, dir, imp->path);
        entry *e = entry_find(l, key);
        if (!e) {
            char *text = NULL;
            size_t len = 0;
            if (l->io->read_file(l->io->ctx, key, &text, &len) != 0)
                continue;
            e = entry_parse(l, key, key, text, len);
            e->loading_up = importer;
            load_imports(l, e);
        } else if (e->state == LOADING) {
            report_cycle(l, importer, e, imp->loc);
            return;
        }
        if (i == 0) {
            edge *g = mc_arena_alloc(a, sizeof *g);
            *g = (edge){.importer = importer, .imported = e, .path = imp->path, .next = l->edges};
            l->edges = g;
        }
        imp->file = e->file;
        return;
    }
    mc_diag_error(l->diag, imp->loc, "cannot find import \"%s\"", imp->path);
}

static void
load_imports(loader *l, entry *e)
{
    e->state = LOADING;
    for (mc_import *imp = e->file->imports; imp; imp = imp->next)
        load_import(l, e, imp);
    e->state = LOADED;
    e->loading_up = NULL;
    *l->order_tail = e;
    l->order_tail = &e->order_next;
    l->n_order++;
}

static void
load_input(loader *l, const char *path)
{
    const char *key = path_normalise(l->prog->arena, path);
    entry *e = entry_find(l, key);
    if (!e) {
        char *text = NULL;
        size_t len = 0;
        int err = l->io->read_file(l->io->ctx, path, &text, &len);
        if (err != 0) {
            mc_diag_fatal(l->diag, "cannot read %s: %s", path, strerror(err));
            return;
        }
        e = entry_parse(l, key, path, text, len);
        load_imports(l, e);
    }
    e->file->generate = true;
}

int
mc_load(mc_program *prog, mc_diag *d, const mc_options *o)
{
    loader l = {.prog = prog, .diag = d, .opts = o, .io = o->io ? o->io : &mc_io_posix};
    l.order_tail = &l.order;
    l.include_dirs = mc_arena_alloc(prog->arena, (o->n_include_dirs + 1) * sizeof(char *));
    for (size_t i = 0; i < o->n_include_dirs; i++)
        l.include_dirs[i] = path_normalise(prog->arena, o->include_dirs[i]);
    int errors = mc_diag_errors(d);
    bool fatal = mc_diag_had_fatal(d);
    size_t n_before = 0;
    for (mc_file *f = prog->files; f; f = f->next)
        n_before++;

    for (size_t i = 0; i < o->n_inputs; i++)
        load_input(&l, o->inputs[i]);
    rel_finish(&l);

    /* mc_parse appended the files in reading order; relink them imports first, after
     * whatever the program held before. */
    mc_file **tail = &prog->files;
    for (size_t i = 0; i < n_before; i++)
        tail = &(*tail)->next;
    for (entry *e = l.order; e; e = e->order_next) {
        *tail = e->file;
        tail = &e->file->next;
    }
    *tail = NULL;
    return mc_diag_errors(d) > errors || (mc_diag_had_fatal(d) && !fatal) ? -1 : 0;
}

/* --- the file system --- */

static int
posix_read_file(void *ctx, const char *path, char **text, size_t *len)
{
    (void)ctx;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
        close(fd);
        return err;
    }
    size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            close(fd);
            return ENOMEM;
        }
        if (n + 1 >= cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger)
                free(buf);
            buf = bigger;
            cap *= 2;
            continue;
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int err = errno;
            free(buf);
            close(fd);
            return err;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

/* Creates every missing directory above path. */
static int
make_parents(const char *path)
{
    size_t len = strlen(path);
    char *dir = malloc(len + 1);
    if (!dir)
        return ENOMEM;
    memcpy(dir, path, len + 1);
    for (char *s = dir + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            int err = errno;
            free(dir);
            return err;
        }
        *s = '/';
    }
    free(dir);
    return 0;
}

static int
write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return errno;
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Writes a temporary file beside path and renames it over path, so a reader sees the
 * old or the new contents, never a part. */
static int
posix_write_file(void *ctx, const char *path, const char *data, size_t len)
{
    (void)ctx;
    static unsigned counter;
    int err = make_parents(path);
    if (err)
        return err;
    size_t n = strlen(path) + 64;
    char *tmp = malloc(n);
    if (!tmp)
        return ENOMEM;
    snprintf(tmp, n, "%s.tmp.%ld.%u", path, (long)getpid(), counter++);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        err = errno;
        free(tmp);
        return err;
    }
    err = write_all(fd, data, len);
    if (close(fd) != 0 && !err)
        err = errno;
    if (!err && rename(tmp, path) != 0)
        err = errno;
    if (err)
        unlink(tmp);
    free(tmp);
    return err;
}

const mc_io mc_io_posix = {
    .read_file = posix_read_file,
    .write_file = posix_write_file,
    .ctx = NULL,
};
