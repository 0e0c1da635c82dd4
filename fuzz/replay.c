/* replay.c - runs a fuzz target's LLVMFuzzerTestOneInput over every file of its corpus,
 * without libFuzzer, so `make check` replays the corpus and every crash reproducer.
 *
 *   replay_decode [DIR|FILE]...     (default: the FUZZ_CORPUS directory it was built with)
 *
 * Files run in name order, each from an allocation of exactly its size so that ASan
 * builds catch any read past the end. A target reports a failure by aborting; the shim
 * ends with a cmocka-style summary line that tests/run.sh counts.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef FUZZ_CORPUS
#error "build with -DFUZZ_CORPUS=\"fuzz/corpus/<target>\""
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads path whole into a new allocation of exactly its size (1 byte for an empty file,
 * which the target never reads). Returns 0 or an errno value. */
static int
read_all(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno;
    uint8_t *buf = NULL;
    size_t len = 0;
    int err = 0;
    for (;;) {
        uint8_t chunk[4096];
        size_t n = fread(chunk, 1, sizeof chunk, f);
        if (n > 0) {
            uint8_t *b = realloc(buf, len + n);
            if (!b) {
                err = ENOMEM;
                break;
            }
            buf = b;
            memcpy(buf + len, chunk, n);
            len += n;
        }
        if (n < sizeof chunk) {
            if (ferror(f))
                err = EIO;
            break;
        }
    }
    fclose(f);
    if (err == 0 && !buf && !(buf = malloc(1)))
        err = ENOMEM;
    if (err != 0) {
        free(buf);
        return err;
    }
    *data = buf;
    *size = len;
    return 0;
}

static int
run_file(const char *path)
{
    uint8_t *data;
    size_t size;
    int err = read_all(path, &data, &size);
    if (err != 0) {
        fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(err));
        return -1;
    }
    printf("[ RUN      ] %s\n", path);
    fflush(stdout);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    printf("[       OK ] %s\n", path);
    return 0;
}

static int
skip_entry(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

/* Runs every file of dir in name order; returns how many ran, or -1. */
static long
run_dir(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, skip_entry, alphasort);
    if (n < 0) {
        fprintf(stderr, "replay: cannot list %s: %s\n", dir, strerror(errno));
        return -1;
    }
    long ran = 0;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(dir) + strlen(names[i]->d_name) + 2;
        char *path = malloc(len);
        if (!path || run_file(strcat(strcat(strcpy(path, dir), "/"), names[i]->d_name)) != 0)
            ran = -1;
        else if (ran >= 0)
            ran++;
        free(path);
        free(names[i]);
    }
    free(names);
    return ran;
}

static long
run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode))
        return run_dir(path);
    return run_file(path) == 0 ? 1 : -1;
}

int
main(int argc, char **argv)
{
    const char *dflt[] = {FUZZ_CORPUS};
    const char *const *paths = argc > 1 ? (const char *const *)argv + 1 : dflt;
    int n_paths = argc > 1 ? argc - 1 : 1;
    long total = 0;
    int failed = 0;
    printf("[==========] replaying %s\n", argc > 1 ? "the named inputs" : FUZZ_CORPUS);
    for (int i = 0; i < n_paths; i++) {
        long n = run_path(paths[i]);
        if (n < 0)
            failed = 1;
        else
            total += n;
    }
    if (failed) {
        printf("[  FAILED  ] 1 test(s), listed above.\n");
        return 1;
    }
    if (total == 0) {
        printf("[  FAILED  ] 1 test(s): no corpus file found.\n");
        return 1;
    }
    printf("[  PASSED  ] %ld test(s).\n", total);
    return 0;
}
