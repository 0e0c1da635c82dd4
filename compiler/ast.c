/* ast.c - small queries on the syntax tree. */
#include "ast.h"

const char *
mc_type_kind_name(mc_type_kind k)
{
    switch (k) {
    case MC_T_NONE:
        return "unresolved";
    case MC_T_BOOL:
        return "bool";
    case MC_T_INT32:
        return "int32";
    case MC_T_INT64:
        return "int64";
    case MC_T_UINT32:
        return "uint32";
    case MC_T_UINT64:
        return "uint64";
    case MC_T_SINT32:
        return "sint32";
    case MC_T_SINT64:
        return "sint64";
    case MC_T_FIXED32:
        return "fixed32";
    case MC_T_FIXED64:
        return "fixed64";
    case MC_T_SFIXED32:
        return "sfixed32";
    case MC_T_SFIXED64:
        return "sfixed64";
    case MC_T_FLOAT:
        return "float";
    case MC_T_DOUBLE:
        return "double";
    case MC_T_STRING:
        return "string";
    case MC_T_BYTES:
        return "bytes";
    case MC_T_ENUM:
        return "enum";
    case MC_T_MESSAGE:
        return "message";
    }
    return "unknown";
}

bool
mc_type_is_scalar(mc_type_kind k)
{
    switch (k) {
    case MC_T_BOOL:
    case MC_T_INT32:
    case MC_T_INT64:
    case MC_T_UINT32:
    case MC_T_UINT64:
    case MC_T_SINT32:
    case MC_T_SINT64:
    case MC_T_FIXED32:
    case MC_T_FIXED64:
    case MC_T_SFIXED32:
    case MC_T_SFIXED64:
    case MC_T_FLOAT:
    case MC_T_DOUBLE:
    case MC_T_ENUM:
        return true;
    case MC_T_NONE:
    case MC_T_STRING:
    case MC_T_BYTES:
    case MC_T_MESSAGE:
        break;
    }
    return false;
}

unsigned
mc_varint_size(uint64_t v)
{
    unsigned n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}
