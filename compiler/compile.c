/* compile.c - the compiler's pipeline: load, check, generate. */
#include "mc.h"

int
mc_compile(const mc_options *o, mc_diag_fn diag, void *ctx)
{
    mc_program prog = {mc_arena_new(), NULL};
    mc_diag *d = mc_diag_new(prog.arena, diag, ctx);
    int status = 0;
    if (mc_load(&prog, d, o) == 0 && mc_diag_errors(d) == 0)
        mc_sema_check(&prog, d);
    if (mc_diag_errors(d) == 0 && !mc_diag_had_fatal(d) && !o->check_only)
        mc_gen(&prog, d, o);
    if (mc_diag_had_fatal(d))
        status = 2;
    else if (mc_diag_errors(d) > 0)
        status = 1;
    mc_arena_free(prog.arena);
    return status;
}
