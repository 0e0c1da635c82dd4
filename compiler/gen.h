/* gen.h - code generation helpers shared by gen.c and proto.c. */
#ifndef MC_GEN_H
#define MC_GEN_H

#include <stdint.h>

#include "ast.h"
#include "tmpl.h"

/* 64-bit FNV-1a: type ids ("p.M") and method ids ("p.S/Read"). */
uint64_t mc_fnv1a64(const char *s);
/* The .proto output name of a schema: "d/x.msg" gives "d/x.proto". */
const char *mc_proto_rel(mc_arena *a, const char *rel);
/* Writes the proto3 equivalent of f (SPEC section 2) into out. */
void mc_gen_proto(mc_arena *a, const mc_file *f, mc_buf *out);

#endif
