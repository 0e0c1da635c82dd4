/* main.c - the msgc command line: argv to mc_options, diagnostics to stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc.h"

static const char usage[] =
    "usage: msgc [OPTIONS] FILE.msg...\n"
    "  -o, --out DIR         write generated files into DIR (default: .)\n"
    "  -I, --include DIR     add an import search directory (repeatable)\n"
    "      --proto           also write NAME.proto\n"
    "      --no-stubs        generate the codec only: no send/recv/RPC stubs\n"
    "  -M, --deps FILE       write a make rule of the schemas read into FILE\n"
    "      --templates DIR   use the templates in DIR instead of the built-in ones\n"
    "      --check           parse and check only; write nothing\n"
    "  -h, --help            show this help\n"
    "      --version         show the version\n";

static void
to_stderr(void *ctx, const char *text)
{
    (void)ctx;
    fputs(text, stderr);
}

static int
usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "msgc: error: %s%s%s%s\n", what, arg ? " '" : "", arg ? arg : "",
            arg ? "'" : "");
    fputs(usage, stderr);
    return 2;
}

/* Matches "-o", "--out", "--out=VALUE" and "-oVALUE" forms; sets *value (NULL when the
 * value is the next argument). */
static int
match(const char *arg, const char *shortopt, const char *longopt, const char **value)
{
    size_t n = strlen(longopt);
    *value = NULL;
    if (strcmp(arg, longopt) == 0 || (shortopt && strcmp(arg, shortopt) == 0))
        return 1;
    if (strncmp(arg, longopt, n) == 0 && arg[n] == '=') {
        *value = arg + n + 1;
        return 1;
    }
    if (shortopt && strncmp(arg, shortopt, 2) == 0 && arg[2] != '\0') {
        *value = arg + 2;
        return 1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    const char **inputs = calloc((size_t)argc, sizeof *inputs);
    const char **incs = calloc((size_t)argc, sizeof *incs);
    mc_options o = {0};
    int status = 2;
    if (!inputs || !incs) {
        fputs("msgc: error: out of memory\n", stderr);
        goto done;
    }
    o.inputs = inputs;
    o.include_dirs = incs;
    bool only_files = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        const char **slot = NULL;
        if (only_files || a[0] != '-' || strcmp(a, "-") == 0) {
            inputs[o.n_inputs++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0)
            only_files = true;
        else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            status = 0;
            goto done;
        } else if (strcmp(a, "--version") == 0) {
            printf("msgc %s\n", MC_VERSION);
            status = 0;
            goto done;
        } else if (strcmp(a, "--proto") == 0)
            o.proto = true;
        else if (strcmp(a, "--no-stubs") == 0)
            o.no_stubs = true;
        else if (strcmp(a, "--check") == 0)
            o.check_only = true;
        else if (match(a, "-o", "--out", &v))
            slot = &o.out_dir;
        else if (match(a, "-I", "--include", &v))
            slot = &incs[o.n_include_dirs++];
        else if (match(a, "-M", "--deps", &v))
            slot = &o.deps_file;
        else if (match(a, NULL, "--templates", &v))
            slot = &o.templates_dir;
        else {
            status = usage_error("unknown option", a);
            goto done;
        }
        if (slot) {
            if (!v && i + 1 >= argc) {
                status = usage_error("missing value after", a);
                goto done;
            }
            *slot = v ? v : argv[++i];
        }
    }
    if (o.n_inputs == 0) {
        status = usage_error("no input files", NULL);
        goto done;
    }
    status = mc_compile(&o, to_stderr, NULL);
done:
    free(inputs);
    free(incs);
    return status;
}
