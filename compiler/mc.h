/* mc.h - the msgc compiler as a library. main.c only turns argv into mc_options. */
#ifndef MC_H
#define MC_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/* The version of msgc; generated code names it, and it matches MSGC_VERSION of msgc.h. */
#define MC_VERSION "0.1.0"

/* File access, replaceable so tests compile schemas held in memory. */
typedef struct mc_io {
    /* Reads a whole file into memory from malloc, NUL-terminated. 0 or an errno value. */
    int (*read_file)(void *ctx, const char *path, char **text, size_t *len);
    /* Writes (replaces) a file, creating missing directories. 0 or an errno value. */
    int (*write_file)(void *ctx, const char *path, const char *data, size_t len);
    void *ctx;
} mc_io;

typedef struct mc_options {
    const char *const *inputs; /* schema paths named on the command line */
    size_t n_inputs;
    const char *const *include_dirs; /* -I, in order */
    size_t n_include_dirs;
    const char *out_dir;       /* -o; NULL means "." */
    const char *templates_dir; /* --templates; NULL: the built-in templates */
    const char *deps_file;     /* -M; NULL: none */
    bool proto;                /* --proto */
    bool no_stubs;             /* --no-stubs */
    bool check_only;           /* --check */
    const mc_io *io;           /* NULL: the real file system */
} mc_options;

/* Compiles the inputs. Returns the exit status: 0 success, 1 schema errors, 2 usage or
 * I/O errors. Every diagnostic goes to diag (whole, newline-terminated lines). */
int mc_compile(const mc_options *o, mc_diag_fn diag, void *ctx);

/* Resolves ".", ".." and repeated '/' of path without touching the file system (a ".."
 * at the start of a relative path stays; the empty path is ".") into out, which has room
 * for strlen(path) + 2 bytes. */
void mc_path_normalise_into(char *out, const char *path);

/* The file system mc_io. */
extern const mc_io mc_io_posix;

/* --- the stages, for mc_compile and the tests --- */

/* Parses one schema text into a file of prog. Syntax errors go to d; the result is
 * NULL only when nothing could be parsed at all. */
mc_file *mc_parse(mc_program *prog, mc_diag *d, const char *path, const char *text,
                  size_t len);
/* Reads the inputs and, recursively, their imports (relative to the importer, then each
 * include dir), refuses cycles, fills prog->files (imports first) and each file's rel
 * path. Returns 0, or -1 after reporting errors to d. */
int mc_load(mc_program *prog, mc_diag *d, const mc_options *o);
/* Resolves names and checks every rule of SPEC section 1. Errors go to d. */
void mc_sema_check(mc_program *prog, mc_diag *d);
/* Writes the outputs of every file with generate set. 0, or -1 after reporting to d. */
int mc_gen(mc_program *prog, mc_diag *d, const mc_options *o);

#endif
