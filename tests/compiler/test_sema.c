/* test_sema.c - name resolution and the checks of SPEC section 1 (compiler/sema.c).
 *
 * Schemas are parsed from strings with mc_parse, imports are linked by path as the
 * loader would, and every diagnostic is compared whole: location, text, quoted line,
 * caret and notes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc.h"
#include "names.h"
#include "sema.h"
#include "tmpl_builtin.h"

typedef struct fixture {
    mc_arena *arena;
    mc_program prog;
    mc_diag *diag;
    char *out;
    size_t len, cap;
} fixture;

typedef struct schema {
    const char *path;
    const char *text;
} schema;

static void
capture(void *ctx, const char *text)
{
    fixture *fx = ctx;
    size_t n = strlen(text);
    if (fx->len + n + 1 > fx->cap) {
        fx->cap = (fx->len + n + 1) * 2;
        fx->out = realloc(fx->out, fx->cap);
        assert_non_null(fx->out);
    }
    memcpy(fx->out + fx->len, text, n + 1);
    fx->len += n;
}

static int
setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->arena = mc_arena_new();
    fx->prog.arena = fx->arena;
    fx->diag = mc_diag_new(fx->arena, capture, fx);
    fx->out = calloc(1, 1);
    fx->cap = 1;
    *state = fx;
    return 0;
}

static int
teardown(void **state)
{
    fixture *fx = *state;
    mc_arena_free(fx->arena);
    free(fx->out);
    free(fx);
    return 0;
}

/* Parses the schemas (which must be free of syntax errors), links each import to the
 * schema of that path, runs sema and returns what it reported. */
static const char *
check(fixture *fx, const schema *files, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_non_null(
            mc_parse(&fx->prog, fx->diag, files[i].path, files[i].text, strlen(files[i].text)));
    assert_string_equal(fx->out, "");
    for (mc_file *f = fx->prog.files; f; f = f->next) {
        for (mc_import *imp = f->imports; imp; imp = imp->next) {
            for (mc_file *g = fx->prog.files; g; g = g->next) {
                if (strcmp(g->path, imp->path) == 0)
                    imp->file = g;
            }
        }
    }
    mc_sema_check(&fx->prog, fx->diag);
    return fx->out;
}

static void
expect_diags(fixture *fx, const schema *files, size_t n, const char *expected)
{
    assert_string_equal(check(fx, files, n), expected);
}

static void
expect_clean(fixture *fx, const char *text)
{
    schema s = {"a.msg", text};
    assert_string_equal(check(fx, &s, 1), "");
}

static mc_message *
find_message(mc_message *list, const char *name)
{
    for (mc_message *m = list; m; m = m->next) {
        if (strcmp(m->name, name) == 0)
            return m;
    }
    fail_msg("no message '%s'", name);
    return NULL;
}

static mc_field *
find_field(mc_message *m, const char *name)
{
    for (mc_field *f = m->fields; f; f = f->next) {
        if (strcmp(f->name, name) == 0)
            return f;
    }
    fail_msg("no field '%s' in '%s'", name, m->name);
    return NULL;
}

/* --- what sema fills in --- */

static void
test_names_of_nested_declarations_are_filled(void **state)
{
    fixture *fx = *state;
    expect_clean(fx, "package a.b;\n"
                     "message Outer {\n"
                     "  message Inner { int32 x = 1; }\n"
                     "  enum Kind { K0 = 0; }\n"
                     "}\n"
                     "enum Level { L0 = 0; }\n"
                     "service Sensor { oneway Put(Outer); }\n");
    mc_file *f = fx->prog.files;
    mc_message *outer = find_message(f->messages, "Outer");
    assert_string_equal(outer->full_name, "a.b.Outer");
    assert_string_equal(outer->c_name, "a_b_Outer");
    assert_string_equal(outer->nested->full_name, "a.b.Outer.Inner");
    assert_string_equal(outer->nested->c_name, "a_b_Outer_Inner");
    assert_ptr_equal(outer->nested->parent, outer);
    assert_string_equal(outer->enums->full_name, "a.b.Outer.Kind");
    assert_string_equal(outer->enums->c_name, "a_b_Outer_Kind");
    assert_string_equal(f->enums->full_name, "a.b.Level");
    assert_string_equal(f->enums->c_name, "a_b_Level");
    assert_string_equal(f->services->c_name, "a_b_Sensor");
}

static void
test_keyword_type_names_are_escaped_without_a_package(void **state)
{
    fixture *fx = *state;
    expect_clean(fx, "message union { message class { } }\n"
                     "enum register { R0 = 0; }\n"
                     "service new { oneway delete(union); }\n"
                     "message static { message assert { } }\n");
    mc_file *f = fx->prog.files;
    assert_string_equal(f->messages->full_name, "union");
    assert_string_equal(f->messages->c_name, "union_");
    assert_string_equal(f->messages->nested->c_name, "union__class");
    assert_string_equal(f->enums->c_name, "register_");
    assert_string_equal(f->services->c_name, "new_");
    assert_string_equal(f->messages->next->nested->c_name, "static__assert");
}

static void
test_keyword_components_inside_longer_names_are_kept(void **state)
{
    fixture *fx = *state;
    expect_clean(fx, "package int.class;\n"
                     "message for { message while { } }\n");
    mc_message *m = fx->prog.files->messages;
    assert_string_equal(m->full_name, "int.class.for");
    assert_string_equal(m->c_name, "int_class_for");
    assert_string_equal(m->nested->c_name, "int_class_for_while");
}

static void
test_types_resolve_from_the_innermost_message_outwards(void **state)
{
    fixture *fx = *state;
    expect_clean(fx, "package p;\n"
                     "message T { }\n"
                     "message Outer {\n"
                     "  message T { }\n"
                     "  message In {\n"
                     "    T inner = 1;\n"
                     "    .p.T top = 2;\n"
                     "    Outer.T dotted = 3;\n"
                     "    p.T qualified = 4;\n"
                     "    Level level = 5;\n"
                     "  }\n"
                     "}\n"
                     "enum Level { L0 = 0; }\n");
    mc_file *f = fx->prog.files;
    mc_message *top = find_message(f->messages, "T");
    mc_message *outer = find_message(f->messages, "Outer");
    mc_message *outer_t = find_message(outer->nested, "T");
    mc_message *in = find_message(outer->nested, "In");
    mc_field *inner = find_field(in, "inner");
    assert_int_equal(inner->kind, MC_T_MESSAGE);
    assert_ptr_equal(inner->msg_type, outer_t);
    assert_ptr_equal(find_field(in, "top")->msg_type, top);
    assert_ptr_equal(find_field(in, "dotted")->msg_type, outer_t);
    assert_ptr_equal(find_field(in, "qualified")->msg_type, top);
    mc_field *level = find_field(in, "level");
    assert_int_equal(level->kind, MC_T_ENUM);
    assert_ptr_equal(level->enum_type, f->enums);
    assert_null(level->msg_type);
}

static void
test_lookup_skips_fields_named_like_a_type(void **state)
{
    fixture *fx = *state;
    expect_clean(fx, "message Point { }\n"
                     "message M {\n"
                     "  int32 Point = 1;\n"
                     "  Point p = 2;\n"
                     "}\n");
    mc_message *point = find_message(fx->prog.files->messages, "Point");
    mc_message *m = find_message(fx->prog.files->messages, "M");
    assert_ptr_equal(find_field(m, "p")->msg_type, point);
}

static void
test_types_resolve_across_packages_through_imports(void **state)
{
    fixture *fx = *state;
    static const schema files[] = {
        {"common.msg", "package base.common;\nmessage Point { int32 x = 1; }\n"
                       "const N = 4;\n"},
        {"a.msg", "package base.app;\nimport \"common.msg\";\n"
                  "message M {\n"
                  "  common.Point a = 1;\n"
                  "  base.common.Point b = 2;\n"
                  "  repeated int32 c = 3 [max = common.N];\n"
                  "}\n"},
    };
    assert_string_equal(check(fx, files, 2), "");
    mc_message *point = fx->prog.files->messages;
    mc_message *m = fx->prog.files->next->messages;
    assert_ptr_equal(find_field(m, "a")->msg_type, point);
    assert_ptr_equal(find_field(m, "b")->msg_type, point);
    assert_int_equal(find_field(m, "c")->max.value, 4);
}

static void
test_constants_fill_max_and_max_len(void **state)
{
    fixture *fx = *state;
    expect_clean(fx, "package p;\n"
                     "const COUNT = 4;\n"
                     "const LEN = 31;\n"
                     "message M {\n"
                     "  repeated string labels = 1 [max = COUNT, max_len = p.LEN];\n"
                     "  string host = 2 [max = 63];\n"
                     "  bytes big = 3 [max = 4294967295];\n"
                     "}\n");
    mc_message *m = fx->prog.files->messages;
    mc_field *labels = find_field(m, "labels");
    assert_int_equal(labels->max.value, 4);
    assert_int_equal(labels->max_len.value, 31);
    assert_int_equal(find_field(m, "host")->max.value, 63);
    assert_int_equal(find_field(m, "big")->max.value, 4294967295);
}

static void
test_methods_resolve_their_messages(void **state)
{
    fixture *fx = *state;
    expect_clean(fx, "package p;\n"
                     "message Req { }\n"
                     "message Rep { }\n"
                     "service S {\n"
                     "  rpc Get(Req) returns (.p.Rep);\n"
                     "  oneway Put(p.Req);\n"
                     "}\n");
    mc_file *f = fx->prog.files;
    mc_method *get = f->services->methods, *put = get->next;
    assert_ptr_equal(get->req, f->messages);
    assert_ptr_equal(get->rep, f->messages->next);
    assert_ptr_equal(put->req, f->messages);
    assert_null(put->rep);
}

static void
test_spec_example_is_clean(void **state)
{
    fixture *fx = *state;
    expect_clean(fx, "package telemetry;\n"
                     "const MAX_SAMPLES = 16;\n"
                     "/// Severity of a reading.\n"
                     "enum Level { LEVEL_DEBUG = 0; LEVEL_INFO = 1; LEVEL_WARN = 2; }\n"
                     "message Point { sint32 x = 1; sint32 y = 2; }\n"
                     "message ReadRequest { string host = 1 [max = 63]; }\n"
                     "message Reading {\n"
                     "    uint64          timestamp = 1;\n"
                     "    string          host      = 2 [max = 63];\n"
                     "    Level           level     = 3;\n"
                     "    double          value     = 4;\n"
                     "    repeated int32  samples   = 5 [max = MAX_SAMPLES];\n"
                     "    Point           origin    = 6;\n"
                     "    optional bool   flag      = 7;\n"
                     "    bytes           tag       = 8 [max = 8];\n"
                     "    repeated string labels    = 9 [max = 4, max_len = 31];\n"
                     "    oneof payload { string text = 10; int64 code = 11; }\n"
                     "    reserved 12, 15 to 20;\n"
                     "    reserved \"old_name\";\n"
                     "    message Inner { int32 a = 1; }\n"
                     "    optional Reading previous = 21;\n"
                     "}\n"
                     "service Sensor {\n"
                     "    rpc    Read(ReadRequest) returns (Reading);\n"
                     "    oneway Publish(Reading);\n"
                     "}\n");
    mc_message *reading = find_message(fx->prog.files->messages, "Reading");
    assert_int_equal(find_field(reading, "samples")->max.value, 16);
    assert_false(reading->bounded);
}

static void
test_optional_and_unbounded_repeated_fields_break_cycles(void **state)
{
    fixture *fx = *state;
    expect_clean(fx, "message A { optional B b = 1; repeated A children = 2; }\n"
                     "message B { A a = 1; oneof u { C c = 2; } }\n"
                     "message C { repeated B bs = 1; }\n");
}

/* --- MAX_SIZE --- */

static void
test_max_size_counts_tags_and_worst_case_varints(void **state)
{
    fixture *fx = *state;
    expect_clean(fx, "enum E { Z = 0; }\n"
                     "message Point { sint32 x = 1; sint32 y = 2; }\n"
                     "message Scalars {\n"
                     "  bool b = 1; int32 i32 = 2; int64 i64 = 3; uint32 u32 = 4;\n"
                     "  uint64 u64 = 5; sint64 s64 = 6; fixed32 f32 = 7; fixed64 f64 = 8;\n"
                     "  sfixed32 sf32 = 9; sfixed64 sf64 = 10; float fl = 11; double db = 12;\n"
                     "  E e = 13; optional int32 o = 16;\n"
                     "}\n");
    mc_file *f = fx->prog.files;
    mc_message *point = find_message(f->messages, "Point");
    assert_true(point->bounded);
    assert_int_equal(point->max_size, 12);
    /* Tags 1..15 take one byte, 16 takes two. */
    mc_message *s = find_message(f->messages, "Scalars");
    assert_true(s->bounded);
    assert_int_equal(s->max_size, (1 + 1) + (1 + 10) + (1 + 10) + (1 + 5) + (1 + 10) + (1 + 10) +
                                      (1 + 4) + (1 + 8) + (1 + 4) + (1 + 8) + (1 + 4) + (1 + 8) +
                                      (1 + 10) + (2 + 10));
}

static void
test_max_size_of_bounded_strings_arrays_messages_and_oneofs(void **state)
{
    fixture *fx = *state;
    expect_clean(fx, "message Point { sint32 x = 1; sint32 y = 2; }\n"
                     "message M {\n"
                     "  string s = 1 [max = 200];\n"
                     "  bytes b = 2 [max = 8];\n"
                     "  repeated fixed32 r = 3 [max = 40];\n"
                     "  repeated string l = 4 [max = 4, max_len = 31];\n"
                     "  Point p = 5;\n"
                     "  optional Point q = 6;\n"
                     "  repeated Point ps = 7 [max = 3];\n"
                     "  oneof u { int32 small = 8; string big = 9 [max = 300]; }\n"
                     "}\n");
    mc_message *m = find_message(fx->prog.files->messages, "M");
    assert_true(m->bounded);
    assert_int_equal(m->max_size, (1 + 2 + 200) + (1 + 1 + 8) + (1 + 2 + 160) + 4 * (1 + 1 + 31) +
                                      (1 + 1 + 12) + (1 + 1 + 12) + 3 * (1 + 1 + 12) +
                                      (1 + 2 + 300));
}

static void
test_unbounded_fields_leave_a_message_without_max_size(void **state)
{
    fixture *fx = *state;
    expect_clean(fx, "message S { string s = 1; }\n"
                     "message B { bytes b = 1; }\n"
                     "message R { repeated int32 r = 1; }\n"
                     "message L { repeated string l = 1 [max = 3]; }\n"
                     "message Self { optional Self next = 1; }\n"
                     "message Holder { S s = 1; }\n"
                     "message InOneof { oneof u { int32 a = 1; string b = 2; } }\n"
                     "message Empty { }\n");
    mc_message *list = fx->prog.files->messages;
    static const char *const unbounded[] = {"S", "B", "R", "L", "Self", "Holder", "InOneof"};
    for (size_t i = 0; i < sizeof unbounded / sizeof unbounded[0]; i++) {
        mc_message *m = find_message(list, unbounded[i]);
        if (m->bounded)
            fail_msg("'%s' is bounded", unbounded[i]);
        assert_int_equal(m->max_size, 0);
    }
    mc_message *empty = find_message(list, "Empty");
    assert_true(empty->bounded);
    assert_int_equal(empty->max_size, 0);
}

static void
test_max_size_over_2_gib_means_unbounded(void **state)
{
    fixture *fx = *state;
    expect_clean(fx, "message Big { repeated bytes b = 1 [max = 65536, max_len = 32768]; }\n"
                     "message Fits { repeated bytes b = 1 [max = 65535, max_len = 32760]; }\n");
    mc_message *big = find_message(fx->prog.files->messages, "Big");
    mc_message *fits = find_message(fx->prog.files->messages, "Fits");
    assert_false(big->bounded);
    assert_true(fits->bounded);
    assert_int_equal(fits->max_size, 65535ull * (1 + 3 + 32760));
}

static void
test_field_flags_follow_the_struct_layout(void **state)
{
    fixture *fx = *state;
    expect_clean(fx, "message P { }\n"
                     "message M {\n"
                     "  int32 a = 1; optional int32 b = 2; P c = 3; optional P d = 4;\n"
                     "  repeated P e = 5; repeated P f = 6 [max = 2]; optional string g = 7;\n"
                     "  oneof u { P h = 8; }\n"
                     "}\n");
    mc_message *m = find_message(fx->prog.files->messages, "M");
    static const struct {
        const char *name;
        bool flag, inline_message;
    } want[] = {
        {"a", false, false}, {"b", true, false}, {"c", true, true},  {"d", false, false},
        {"e", false, false}, {"f", false, true}, {"g", true, false}, {"h", false, true},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        mc_field *f = find_field(m, want[i].name);
        if (mc_field_has_flag(f) != want[i].flag)
            fail_msg("has flag of '%s'", want[i].name);
        if (mc_field_is_inline_message(f) != want[i].inline_message)
            fail_msg("inline message '%s'", want[i].name);
    }
}

static void
test_more_than_twenty_errors_end_with_too_many(void **state)
{
    fixture *fx = *state;
    char text[2048] = "message M {\n";
    for (int i = 0; i < 22; i++) {
        char line[64];
        snprintf(line, sizeof line, "  int32 f%d = 0;\n", i);
        strcat(text, line);
    }
    strcat(text, "}\n");
    schema s = {"a.msg", text};
    const char *out = check(fx, &s, 1);
    assert_int_equal(mc_diag_errors(fx->diag), 22);
    const char *last = strstr(out, "a.msg:21:");
    assert_non_null(last);
    assert_string_equal(last,
                        "a.msg:21:15: error: field number 0 is out of range (1 to 536870911)\n"
                        "  int32 f19 = 0;\n"
                        "              ^\n"
                        "msgc: error: too many errors\n");
}

static void
test_nesting_deeper_than_the_limit_is_refused(void **state)
{
    fixture *fx = *state;
    static char text[102 * 20];
    size_t len = 0;
    for (int i = 0; i <= MC_NESTING_MAX + 1; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "message m%d {\n", i);
    for (int i = 0; i <= MC_NESTING_MAX + 1; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "}\n");
    schema s = {"a.msg", text};
    assert_string_equal(check(fx, &s, 1),
                        "a.msg:102:9: error: message 'm101' is nested more than 100 levels deep\n"
                        "message m101 {\n"
                        "        ^\n");
    mc_message *m = fx->prog.files->messages;
    for (int i = 0; i < MC_NESTING_MAX; i++)
        m = m->nested;
    assert_non_null(m->full_name);
    assert_null(m->nested->full_name);
}

/* --- diagnostics --- */

static void
test_duplicate_message_in_package_is_reported_at_the_second(void **state)
{
    static const schema files[] = {
        {"a.msg", "package p;\n"
                  "message M { int32 a = 1; }\n"
                  "message M { int32 b = 1; }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:9: error: 'M' is already defined in package 'p'\n"
                 "message M { int32 b = 1; }\n"
                 "        ^\n"
                 "a.msg:2:9: note: previous definition of 'M' is here\n"
                 "message M { int32 a = 1; }\n"
                 "        ^\n");
}

static void
test_duplicate_without_package_names_no_scope(void **state)
{
    static const schema files[] = {
        {"a.msg", "enum E { A = 0; }\n"
                  "message E { int32 b = 1; }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:9: error: 'E' is already defined\n"
                 "message E { int32 b = 1; }\n"
                 "        ^\n"
                 "a.msg:1:6: note: previous definition of 'E' is here\n"
                 "enum E { A = 0; }\n"
                 "     ^\n");
}

static void
test_enum_values_of_two_enums_clash_in_the_package(void **state)
{
    static const schema files[] = {
        {"a.msg", "package p;\n"
                  "enum E1 { A = 0; }\n"
                  "enum E2 { B = 0; A = 1; }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:18: error: 'A' is already defined in package 'p' (enum values are "
                 "siblings of their enum, not members of it)\n"
                 "enum E2 { B = 0; A = 1; }\n"
                 "                 ^\n"
                 "a.msg:2:11: note: previous definition of 'A' is here\n"
                 "enum E1 { A = 0; }\n"
                 "          ^\n");
}

static void
test_enum_value_clashes_with_a_message(void **state)
{
    static const schema files[] = {
        {"a.msg", "package p;\n"
                  "message NONE { }\n"
                  "enum E { NONE = 0; }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:10: error: 'NONE' is already defined in package 'p' (enum values are "
                 "siblings of their enum, not members of it)\n"
                 "enum E { NONE = 0; }\n"
                 "         ^\n"
                 "a.msg:2:9: note: previous definition of 'NONE' is here\n"
                 "message NONE { }\n"
                 "        ^\n");
}

static void
test_nested_enum_values_clash_in_their_message(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  enum E1 { A = 0; }\n"
                  "  enum E2 { A = 0; }\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:13: error: 'A' is already defined in message 'M' (enum values are "
                 "siblings of their enum, not members of it)\n"
                 "  enum E2 { A = 0; }\n"
                 "            ^\n"
                 "a.msg:2:13: note: previous definition of 'A' is here\n"
                 "  enum E1 { A = 0; }\n"
                 "            ^\n");
}

static void
test_duplicate_field_name_is_reported(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  int32 a = 1;\n"
                  "  string a = 2;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:10: error: 'a' is already defined in message 'M'\n"
                 "  string a = 2;\n"
                 "         ^\n"
                 "a.msg:2:9: note: previous definition of 'a' is here\n"
                 "  int32 a = 1;\n"
                 "        ^\n");
}

static void
test_oneof_named_like_a_field_is_a_duplicate(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  int32 u = 1;\n"
                  "  oneof u { int32 x = 2; }\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:9: error: 'u' is already defined in message 'M'\n"
                 "  oneof u { int32 x = 2; }\n"
                 "        ^\n"
                 "a.msg:2:9: note: previous definition of 'u' is here\n"
                 "  int32 u = 1;\n"
                 "        ^\n");
}

static void
test_nested_message_named_like_a_field_is_a_duplicate(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  message a { }\n"
                  "  int32 a = 1;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:9: error: 'a' is already defined in message 'M'\n"
                 "  int32 a = 1;\n"
                 "        ^\n"
                 "a.msg:2:11: note: previous definition of 'a' is here\n"
                 "  message a { }\n"
                 "          ^\n");
}

static void
test_duplicate_method_is_reported_in_its_service(void **state)
{
    static const schema files[] = {
        {"a.msg", "package p;\n"
                  "message M { }\n"
                  "service S {\n"
                  "  rpc Get(M) returns (M);\n"
                  "  oneway Get(M);\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:5:10: error: 'Get' is already defined in service 'p.S'\n"
                 "  oneway Get(M);\n"
                 "         ^\n"
                 "a.msg:4:7: note: previous definition of 'Get' is here\n"
                 "  rpc Get(M) returns (M);\n"
                 "      ^\n");
}

static void
test_duplicate_const_is_reported(void **state)
{
    static const schema files[] = {
        {"a.msg", "const N = 1;\n"
                  "const N = 2;\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:7: error: 'N' is already defined\n"
                 "const N = 2;\n"
                 "      ^\n"
                 "a.msg:1:7: note: previous definition of 'N' is here\n"
                 "const N = 1;\n"
                 "      ^\n");
}

static void
test_duplicate_service_is_reported(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M { }\n"
                  "service S { oneway A(M); }\n"
                  "service S { oneway B(M); }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:9: error: 'S' is already defined\n"
                 "service S { oneway B(M); }\n"
                 "        ^\n"
                 "a.msg:2:9: note: previous definition of 'S' is here\n"
                 "service S { oneway A(M); }\n"
                 "        ^\n");
}

static void
test_duplicate_across_files_of_a_package_is_reported(void **state)
{
    static const schema files[] = {
        {"b.msg", "package p;\n"
                  "message M { }\n"},
        {"a.msg", "package p;\n"
                  "import \"b.msg\";\n"
                  "message M { }\n"},
    };
    expect_diags(*state, files, 2,
                 "a.msg:3:9: error: 'M' is already defined in package 'p'\n"
                 "message M { }\n"
                 "        ^\n"
                 "b.msg:2:9: note: previous definition of 'M' is here\n"
                 "message M { }\n"
                 "        ^\n");
}

static void
test_message_named_like_a_package_is_a_duplicate(void **state)
{
    static const schema files[] = {
        {"b.msg", "package a.b;\n"},
        {"a.msg", "package a;\n"
                  "message b { }\n"},
    };
    expect_diags(*state, files, 2,
                 "a.msg:2:9: error: 'b' is already defined in package 'a'\n"
                 "message b { }\n"
                 "        ^\n"
                 "b.msg:1:9: note: package 'a.b' is declared here\n"
                 "package a.b;\n"
                 "        ^\n");
}

static void
test_contents_of_a_duplicate_are_not_reported_again(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M { int32 a = 1; }\n"
                  "message M { int32 a = 1; oneof u { int32 b = 2; } }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:9: error: 'M' is already defined\n"
                 "message M { int32 a = 1; oneof u { int32 b = 2; } }\n"
                 "        ^\n"
                 "a.msg:1:9: note: previous definition of 'M' is here\n"
                 "message M { int32 a = 1; }\n"
                 "        ^\n");
}

static void
test_reserved_range_ending_before_its_start_is_an_error(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  reserved 9 to 3;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:12: error: reserved range 9 to 3 ends before it starts\n"
                 "  reserved 9 to 3;\n"
                 "           ^\n");
}

static void
test_reserved_number_out_of_range_is_an_error(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  reserved 0, 536870911 to 536870912;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:12: error: reserved number 0 is out of range (1 to 536870911)\n"
                 "  reserved 0, 536870911 to 536870912;\n"
                 "           ^\n"
                 "a.msg:2:15: error: reserved number 536870912 is out of range (1 to 536870911)\n"
                 "  reserved 0, 536870911 to 536870912;\n"
                 "              ^\n");
}

static void
test_overlapping_reserved_ranges_are_reported_at_the_later(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  reserved 10 to 20;\n"
                  "  reserved 4, 15;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:15: error: reserved 15 overlaps 10 to 20\n"
                 "  reserved 4, 15;\n"
                 "              ^\n"
                 "a.msg:2:12: note: 10 to 20 is reserved here\n"
                 "  reserved 10 to 20;\n"
                 "           ^\n");
}

static void
test_reserved_range_covering_an_earlier_number_overlaps_it(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  reserved 30, 100 to max;\n"
                  "  reserved 2 to 40;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:12: error: reserved 2 to 40 overlaps 30\n"
                 "  reserved 2 to 40;\n"
                 "           ^\n"
                 "a.msg:2:12: note: 30 is reserved here\n"
                 "  reserved 30, 100 to max;\n"
                 "           ^\n");
}

static void
test_name_reserved_twice_is_an_error(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  reserved \"x\", \"y\";\n"
                  "  reserved \"x\";\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:12: error: 'x' is already reserved\n"
                 "  reserved \"x\";\n"
                 "           ^\n"
                 "a.msg:2:12: note: previous reservation of 'x' is here\n"
                 "  reserved \"x\", \"y\";\n"
                 "           ^\n");
}

static void
test_field_number_zero_is_out_of_range(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  int32 a = 0;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:13: error: field number 0 is out of range (1 to 536870911)\n"
                 "  int32 a = 0;\n"
                 "            ^\n");
}

static void
test_field_number_above_the_maximum_is_out_of_range(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  int32 a = 536870912;\n"
                  "  int32 b = -1;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:13: error: field number 536870912 is out of range (1 to 536870911)\n"
                 "  int32 a = 536870912;\n"
                 "            ^\n"
                 "a.msg:3:13: error: field number -1 is out of range (1 to 536870911)\n"
                 "  int32 b = -1;\n"
                 "            ^\n");
}

static void
test_field_numbers_of_the_protobuf_implementation_are_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  int32 a = 19000;\n"
                  "  int32 b = 19999;\n"
                  "  int32 c = 18999;\n"
                  "  int32 d = 20000;\n"
                  "}\n"},
    };
    expect_diags(
        *state, files, 1,
        "a.msg:2:13: error: field number 19000 is reserved for the protobuf implementation\n"
        "  int32 a = 19000;\n"
        "            ^\n"
        "a.msg:3:13: error: field number 19999 is reserved for the protobuf implementation\n"
        "  int32 b = 19999;\n"
        "            ^\n");
}

static void
test_reserved_field_number_is_an_error_with_a_note(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  reserved 2, 5 to 9;\n"
                  "  int32 a = 7;\n"
                  "  int32 b = 2;\n"
                  "  int32 c = 10;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:13: error: field number 7 is reserved\n"
                 "  int32 a = 7;\n"
                 "            ^\n"
                 "a.msg:2:15: note: reserved here\n"
                 "  reserved 2, 5 to 9;\n"
                 "              ^\n"
                 "a.msg:4:13: error: field number 2 is reserved\n"
                 "  int32 b = 2;\n"
                 "            ^\n"
                 "a.msg:2:12: note: reserved here\n"
                 "  reserved 2, 5 to 9;\n"
                 "           ^\n");
}

static void
test_duplicate_field_number_counts_oneof_members(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  int32 a = 3;\n"
                  "  oneof u { string b = 3; }\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:24: error: field number 3 is already used by 'a'\n"
                 "  oneof u { string b = 3; }\n"
                 "                       ^\n"
                 "a.msg:2:13: note: 'a' uses number 3 here\n"
                 "  int32 a = 3;\n"
                 "            ^\n");
}

static void
test_reserved_field_name_is_an_error_with_a_note(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  reserved \"old\";\n"
                  "  int32 old = 1;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:9: error: field name 'old' is reserved\n"
                 "  int32 old = 1;\n"
                 "        ^\n"
                 "a.msg:2:12: note: reserved here\n"
                 "  reserved \"old\";\n"
                 "           ^\n");
}

static void
test_unknown_type_is_reported_at_the_type(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  repeated Point p = 1;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:12: error: unknown type 'Point'\n"
                 "  repeated Point p = 1;\n"
                 "           ^\n");
}

static void
test_unknown_dotted_type_is_reported(void **state)
{
    static const schema files[] = {
        {"a.msg", "message Outer { message Inner { } }\n"
                  "message M {\n"
                  "  Outer.Other o = 1;\n"
                  "  .Inner i = 2;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:3: error: unknown type 'Outer.Other'\n"
                 "  Outer.Other o = 1;\n"
                 "  ^\n"
                 "a.msg:4:3: error: unknown type '.Inner'\n"
                 "  .Inner i = 2;\n"
                 "  ^\n");
}

static void
test_field_used_as_a_type_is_not_a_type(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  int32 a = 1;\n"
                  "  M.a b = 2;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:3: error: 'M.a' is not a type\n"
                 "  M.a b = 2;\n"
                 "  ^\n");
}

static void
test_type_of_a_file_not_imported_is_refused(void **state)
{
    static const schema files[] = {
        {"c.msg", "package q;\n"
                  "message Z { }\n"},
        {"b.msg", "package q;\n"
                  "import \"c.msg\";\n"
                  "message Y { }\n"},
        {"a.msg", "package p;\n"
                  "import \"b.msg\";\n"
                  "message M {\n"
                  "  q.Y y = 1;\n"
                  "  q.Z z = 2;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 3,
                 "a.msg:5:3: error: 'q.Z' is declared in 'c.msg', which this file does not import\n"
                 "  q.Z z = 2;\n"
                 "  ^\n");
}

static void
test_same_package_file_must_be_imported_too(void **state)
{
    static const schema files[] = {
        {"b.msg", "package p;\n"
                  "message Y { }\n"},
        {"a.msg", "package p;\n"
                  "message M {\n"
                  "  Y y = 1;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 2,
                 "a.msg:3:3: error: 'Y' is declared in 'b.msg', which this file does not import\n"
                 "  Y y = 1;\n"
                 "  ^\n");
}

static void
test_unknown_constant_is_reported_at_the_option(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  string s = 1 [max = LEN];\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:17: error: unknown constant 'LEN'\n"
                 "  string s = 1 [max = LEN];\n"
                 "                ^\n");
}

static void
test_constant_lookup_skips_other_kinds(void **state)
{
    static const schema files[] = {
        {"a.msg", "message LEN { }\n"
                  "message M {\n"
                  "  string s = 1 [max = LEN];\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:17: error: unknown constant 'LEN'\n"
                 "  string s = 1 [max = LEN];\n"
                 "                ^\n");
}

static void
test_dotted_name_of_a_field_is_not_a_constant(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  int32 a = 1;\n"
                  "  string s = 2 [max = M.a];\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:17: error: 'M.a' is not a constant\n"
                 "  string s = 2 [max = M.a];\n"
                 "                ^\n");
}

static void
test_constant_of_a_file_not_imported_is_refused(void **state)
{
    static const schema files[] = {
        {"b.msg", "package p;\n"
                  "const LEN = 8;\n"},
        {"a.msg", "package p;\n"
                  "message M {\n"
                  "  string s = 1 [max = LEN];\n"
                  "}\n"},
    };
    expect_diags(
        *state, files, 2,
        "a.msg:3:17: error: 'LEN' is declared in 'b.msg', which this file does not import\n"
        "  string s = 1 [max = LEN];\n"
        "                ^\n");
}

static void
test_max_zero_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  string s = 1 [max = 0];\n"
                  "  repeated int32 r = 2 [max = -3];\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:17: error: 'max' must be between 1 and 4294967295, not 0\n"
                 "  string s = 1 [max = 0];\n"
                 "                ^\n"
                 "a.msg:3:25: error: 'max' must be between 1 and 4294967295, not -3\n"
                 "  repeated int32 r = 2 [max = -3];\n"
                 "                        ^\n");
}

static void
test_max_from_a_constant_must_be_positive(void **state)
{
    static const schema files[] = {
        {"a.msg", "const NONE = 0;\n"
                  "message M {\n"
                  "  bytes b = 1 [max = NONE];\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:16: error: 'max' must be between 1 and 4294967295, but 'NONE' is 0\n"
                 "  bytes b = 1 [max = NONE];\n"
                 "               ^\n");
}

static void
test_max_must_fit_uint32(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  bytes b = 1 [max = 4294967296];\n"
                  "  bytes c = 2 [max = 4294967295];\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:16: error: 'max' must be between 1 and 4294967295, not 4294967296\n"
                 "  bytes b = 1 [max = 4294967296];\n"
                 "               ^\n");
}

static void
test_max_on_a_scalar_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  int32 a = 1 [max = 3];\n"
                  "  optional double d = 2 [max = 3];\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:16: error: 'max' applies only to string, bytes and repeated fields\n"
                 "  int32 a = 1 [max = 3];\n"
                 "               ^\n"
                 "a.msg:3:26: error: 'max' applies only to string, bytes and repeated fields\n"
                 "  optional double d = 2 [max = 3];\n"
                 "                         ^\n");
}

static void
test_max_on_a_message_or_enum_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "enum E { Z = 0; }\n"
                  "message N { }\n"
                  "message M {\n"
                  "  N n = 1 [max = 3];\n"
                  "  E e = 2 [max = 3];\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:4:12: error: 'max' applies only to string, bytes and repeated fields\n"
                 "  N n = 1 [max = 3];\n"
                 "           ^\n"
                 "a.msg:5:12: error: 'max' applies only to string, bytes and repeated fields\n"
                 "  E e = 2 [max = 3];\n"
                 "           ^\n");
}

static void
test_max_len_on_a_singular_string_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  string s = 1 [max = 4, max_len = 3];\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:26: error: 'max_len' applies only to repeated string and bytes fields\n"
                 "  string s = 1 [max = 4, max_len = 3];\n"
                 "                         ^\n");
}

static void
test_max_len_on_repeated_scalars_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  repeated int32 r = 1 [max = 4, max_len = 3];\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:34: error: 'max_len' applies only to repeated string and bytes fields\n"
                 "  repeated int32 r = 1 [max = 4, max_len = 3];\n"
                 "                                 ^\n");
}

static void
test_max_len_needs_max(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  repeated string r = 1 [max_len = 3];\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:26: error: 'max_len' requires 'max'\n"
                 "  repeated string r = 1 [max_len = 3];\n"
                 "                         ^\n");
}

static void
test_max_len_must_be_positive(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  repeated bytes r = 1 [max = 2, max_len = 0];\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:34: error: 'max_len' must be between 1 and 4294967295, not 0\n"
                 "  repeated bytes r = 1 [max = 2, max_len = 0];\n"
                 "                                 ^\n");
}

static void
test_oneof_without_fields_is_an_error(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  oneof u { }\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:9: error: oneof 'u' has no fields\n"
                 "  oneof u { }\n"
                 "        ^\n");
}

static void
test_enum_without_values_is_an_error(void **state)
{
    static const schema files[] = {
        {"a.msg", "enum E { }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:1:6: error: enum 'E' has no values\n"
                 "enum E { }\n"
                 "     ^\n");
}

static void
test_first_enum_value_must_be_zero(void **state)
{
    static const schema files[] = {
        {"a.msg", "enum E {\n"
                  "  A = 1;\n"
                  "  B = 0;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:7: error: the first value of enum 'E' must be 0\n"
                 "  A = 1;\n"
                 "      ^\n");
}

static void
test_enum_values_must_fit_int32(void **state)
{
    static const schema files[] = {
        {"a.msg", "enum E {\n"
                  "  A = 0;\n"
                  "  B = 2147483648;\n"
                  "  C = -2147483649;\n"
                  "  D = -2147483648;\n"
                  "  F = 2147483647;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:7: error: 'B' = 2147483648 does not fit in int32\n"
                 "  B = 2147483648;\n"
                 "      ^\n"
                 "a.msg:4:7: error: 'C' = -2147483649 does not fit in int32\n"
                 "  C = -2147483649;\n"
                 "      ^\n");
}

static void
test_duplicate_enum_value_is_reported_with_a_note(void **state)
{
    static const schema files[] = {
        {"a.msg", "enum E {\n"
                  "  A = 0;\n"
                  "  B = 1;\n"
                  "  C = 1;\n"
                  "  D = 1;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:4:7: error: enum value 1 is already used by 'B'\n"
                 "  C = 1;\n"
                 "      ^\n"
                 "a.msg:3:7: note: 'B' uses value 1 here\n"
                 "  B = 1;\n"
                 "      ^\n"
                 "a.msg:5:7: error: enum value 1 is already used by 'B'\n"
                 "  D = 1;\n"
                 "      ^\n"
                 "a.msg:3:7: note: 'B' uses value 1 here\n"
                 "  B = 1;\n"
                 "      ^\n");
}

static void
test_method_with_an_unknown_type_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M { }\n"
                  "service S {\n"
                  "  rpc Get(M) returns (Missing);\n"
                  "  oneway Put(Nope);\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:23: error: unknown type 'Missing'\n"
                 "  rpc Get(M) returns (Missing);\n"
                 "                      ^\n"
                 "a.msg:4:14: error: unknown type 'Nope'\n"
                 "  oneway Put(Nope);\n"
                 "             ^\n");
}

static void
test_method_with_an_enum_type_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "enum E { Z = 0; }\n"
                  "message M { }\n"
                  "service S {\n"
                  "  rpc Get(E) returns (M);\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:4:11: error: 'E' is not a message\n"
                 "  rpc Get(E) returns (M);\n"
                 "          ^\n");
}

static void
test_message_containing_itself_is_a_cycle(void **state)
{
    static const schema files[] = {
        {"a.msg", "package p;\n"
                  "message Node {\n"
                  "  Node next = 1;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:8: error: message 'p.Node' contains itself through inline fields: "
                 "Node.next -> Node; make one of them optional or an unbounded repeated\n"
                 "  Node next = 1;\n"
                 "       ^\n");
}

static void
test_cycle_through_a_oneof_and_a_bounded_repeated_is_reported(void **state)
{
    static const schema files[] = {
        {"a.msg", "package p;\n"
                  "message A { B b = 1; }\n"
                  "message B { repeated C c = 1 [max = 2]; }\n"
                  "message C {\n"
                  "  oneof u { A a = 1; }\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:5:15: error: message 'p.A' contains itself through inline fields: A.b -> "
                 "B.c -> C.a -> A; make one of them optional or an unbounded repeated\n"
                 "  oneof u { A a = 1; }\n"
                 "              ^\n");
}

static void
test_cycle_of_nested_messages_names_them_within_the_package(void **state)
{
    static const schema files[] = {
        {"a.msg", "package p;\n"
                  "message Outer {\n"
                  "  message Inner { Outer o = 1; }\n"
                  "  Inner i = 1;\n"
                  "}\n"},
    };
    expect_diags(
        *state, files, 1,
        "a.msg:3:25: error: message 'p.Outer' contains itself through inline fields: Outer.i -> "
        "Outer.Inner.o -> Outer; make one of them optional or an unbounded repeated\n"
        "  message Inner { Outer o = 1; }\n"
        "                        ^\n");
}

static void
test_nested_message_clashing_with_a_generated_function_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "package p;\n"
                  "message Foo {\n"
                  "  message init { }\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:11: error: message 'p.Foo.init' would generate the C identifier "
                 "'p_Foo_init', which message 'p.Foo' also generates\n"
                 "  message init { }\n"
                 "          ^\n"
                 "a.msg:2:9: note: message 'p.Foo' is declared here\n"
                 "message Foo {\n"
                 "        ^\n");
}

static void
test_packages_that_meet_in_c_are_refused(void **state)
{
    static const schema files[] = {
        {"b.msg", "package a.b;\n"
                  "message C { }\n"},
        {"a.msg", "package a;\n"
                  "message b_C { }\n"},
    };
    expect_diags(*state, files, 2,
                 "a.msg:2:9: error: message 'a.b_C' would generate the C identifier 'a_b_C', which "
                 "message 'a.b.C' also generates\n"
                 "message b_C { }\n"
                 "        ^\n"
                 "b.msg:2:9: note: message 'a.b.C' is declared here\n"
                 "message C { }\n"
                 "        ^\n");
}

static void
test_keyword_escape_can_collide(void **state)
{
    static const schema files[] = {
        {"a.msg", "message int { }\n"
                  "message int_ { }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:9: error: message 'int_' would generate the C identifier 'int_', which "
                 "message 'int' also generates\n"
                 "message int_ { }\n"
                 "        ^\n"
                 "a.msg:1:9: note: message 'int' is declared here\n"
                 "message int { }\n"
                 "        ^\n");
}

static void
test_enum_constant_clashing_with_a_message_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "package p;\n"
                  "enum E { X = 0; }\n"
                  "message E_X { }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:9: error: message 'p.E_X' would generate the C identifier 'p_E_X', which "
                 "enum value 'p.E.X' also generates\n"
                 "message E_X { }\n"
                 "        ^\n"
                 "a.msg:2:10: note: enum value 'p.E.X' is declared here\n"
                 "enum E { X = 0; }\n"
                 "         ^\n");
}

static void
test_oneof_case_clashing_with_a_message_function_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "package p;\n"
                  "message M {\n"
                  "  oneof u { int32 init = 1; }\n"
                  "}\n"
                  "message M_u { }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:5:9: error: message 'p.M_u' would generate the C identifier 'p_M_u_init', "
                 "which field 'p.M.init' also generates\n"
                 "message M_u { }\n"
                 "        ^\n"
                 "a.msg:3:19: note: field 'p.M.init' is declared here\n"
                 "  oneof u { int32 init = 1; }\n"
                 "                  ^\n");
}

static void
test_const_clashing_with_a_message_macro_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "package p;\n"
                  "message M { }\n"
                  "const M_INIT = 3;\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:7: error: const 'p.M_INIT' would generate the C identifier 'p_M_INIT', "
                 "which message 'p.M' also generates\n"
                 "const M_INIT = 3;\n"
                 "      ^\n"
                 "a.msg:2:9: note: message 'p.M' is declared here\n"
                 "message M { }\n"
                 "        ^\n");
}

static void
test_method_stub_clashing_with_a_service_function_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "package p;\n"
                  "message M { }\n"
                  "service S {\n"
                  "  oneway serve(M);\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:4:10: error: method 'p.S.serve' would generate the C identifier "
                 "'p_S_serve', which service 'p.S' also generates\n"
                 "  oneway serve(M);\n"
                 "         ^\n"
                 "a.msg:3:9: note: service 'p.S' is declared here\n"
                 "service S {\n"
                 "        ^\n");
}

static void
test_count_member_clash_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  repeated int32 x = 1;\n"
                  "  int32 x_count = 2;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:9: error: field 'x_count' would generate the member 'x_count' of struct "
                 "'M', which field 'x' also generates\n"
                 "  int32 x_count = 2;\n"
                 "        ^\n"
                 "a.msg:2:18: note: field 'x' is declared here\n"
                 "  repeated int32 x = 1;\n"
                 "                 ^\n");
}

static void
test_presence_member_clash_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  int32 has_p = 1;\n"
                  "  M.P p = 2;\n"
                  "  message P { }\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:7: error: field 'p' would generate the member 'has_p' of struct 'M', "
                 "which field 'has_p' also generates\n"
                 "  M.P p = 2;\n"
                 "      ^\n"
                 "a.msg:2:9: note: field 'has_p' is declared here\n"
                 "  int32 has_p = 1;\n"
                 "        ^\n");
}

static void
test_oneof_case_member_clash_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  oneof u { int32 a = 1; }\n"
                  "  bool u_case = 2;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:8: error: field 'u_case' would generate the member 'u_case' of struct "
                 "'M', which oneof 'u' also generates\n"
                 "  bool u_case = 2;\n"
                 "       ^\n"
                 "a.msg:2:9: note: oneof 'u' is declared here\n"
                 "  oneof u { int32 a = 1; }\n"
                 "        ^\n");
}

static void
test_escaped_field_clash_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  int32 class_ = 1;\n"
                  "  int32 class = 2;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:9: error: field 'class' would generate the member 'class_' of struct "
                 "'M', which field 'class_' also generates\n"
                 "  int32 class = 2;\n"
                 "        ^\n"
                 "a.msg:2:9: note: field 'class_' is declared here\n"
                 "  int32 class_ = 1;\n"
                 "        ^\n");
}

static void
test_escaped_union_member_clash_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  oneof u {\n"
                  "    int32 new = 1;\n"
                  "    int32 new_ = 2;\n"
                  "  }\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:4:11: error: field 'new_' would generate the member 'new_' of the union "
                 "'u' of 'M', which field 'new' also generates\n"
                 "    int32 new_ = 2;\n"
                 "          ^\n"
                 "a.msg:3:11: note: field 'new' is declared here\n"
                 "    int32 new = 1;\n"
                 "          ^\n");
}

static void
test_escaped_handler_clash_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M { }\n"
                  "service S {\n"
                  "  oneway delete(M);\n"
                  "  oneway delete_(M);\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:4:10: error: method 'delete_' would generate the member 'delete_' of "
                 "'S_handlers', which method 'delete' also generates\n"
                 "  oneway delete_(M);\n"
                 "         ^\n"
                 "a.msg:3:10: note: method 'delete' is declared here\n"
                 "  oneway delete(M);\n"
                 "         ^\n"
                 "a.msg:4:10: error: method 'S.delete_' would generate the C identifier "
                 "'S_delete_', which method 'S.delete' also generates\n"
                 "  oneway delete_(M);\n"
                 "         ^\n"
                 "a.msg:3:10: note: method 'S.delete' is declared here\n"
                 "  oneway delete(M);\n"
                 "         ^\n");
}

static void
test_nested_message_clashing_with_an_internal_table_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "package p;\n"
                  "message M { int32 x = 1; }\n"
                  "message M_ {\n"
                  "  message fields { }\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:4:11: error: message 'p.M_.fields' would generate the C identifier "
                 "'p_M__fields', which message 'p.M' also generates\n"
                 "  message fields { }\n"
                 "          ^\n"
                 "a.msg:2:9: note: message 'p.M' is declared here\n"
                 "message M { int32 x = 1; }\n"
                 "        ^\n");
}

static void
test_internal_function_names_of_a_message_are_reserved(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M { }\n"
                  "enum M_ {\n"
                  "  write = 0;\n"
                  "  read = 1;\n"
                  "  init_any = 2;\n"
                  "  free_any = 3;\n"
                  "  size_any = 4;\n"
                  "  encode_any = 5;\n"
                  "  decode_any = 6;\n"
                  "}\n"},
    };
    const char *got = check(*state, files, 1);
    static const char *const idents[] = {"M__write",     "M__read",     "M__init_any",
                                         "M__free_any",  "M__size_any", "M__encode_any",
                                         "M__decode_any"};
    for (size_t i = 0; i < sizeof idents / sizeof idents[0]; i++) {
        char line[160];
        snprintf(line, sizeof line,
                 ": error: enum value 'M_.%s' would generate the C identifier '%s', which "
                 "message 'M' also generates\n",
                 idents[i] + 3, idents[i]);
        if (!strstr(got, line))
            fail_msg("no error for %s in:\n%s", idents[i], got);
    }
    assert_int_equal(mc_diag_errors(((fixture *)*state)->diag), 7);
}

static void
test_enum_value_clashing_with_the_range_constants_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "package p;\n"
                  "enum E { _MIN = 0; _MAX = 1; }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:10: error: enum value 'p.E._MIN' would generate the C identifier "
                 "'p_E__MIN', which enum 'p.E' also generates\n"
                 "enum E { _MIN = 0; _MAX = 1; }\n"
                 "         ^\n"
                 "a.msg:2:6: note: enum 'p.E' is declared here\n"
                 "enum E { _MIN = 0; _MAX = 1; }\n"
                 "     ^\n"
                 "a.msg:2:20: error: enum value 'p.E._MAX' would generate the C identifier "
                 "'p_E__MAX', which enum 'p.E' also generates\n"
                 "enum E { _MIN = 0; _MAX = 1; }\n"
                 "                   ^\n"
                 "a.msg:2:6: note: enum 'p.E' is declared here\n"
                 "enum E { _MIN = 0; _MAX = 1; }\n"
                 "     ^\n");
}

static void
test_message_clashing_with_an_enum_value_table_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "enum E { Z = 0; }\n"
                  "message E_ {\n"
                  "  message values { }\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:11: error: message 'E_.values' would generate the C identifier "
                 "'E__values', which enum 'E' also generates\n"
                 "  message values { }\n"
                 "          ^\n"
                 "a.msg:1:6: note: enum 'E' is declared here\n"
                 "enum E { Z = 0; }\n"
                 "     ^\n");
}

static void
test_oneof_clear_function_clash_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  oneof class { int32 a = 1; }\n"
                  "}\n"
                  "message M_ {\n"
                  "  message clear_class_ { }\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:5:11: error: message 'M_.clear_class_' would generate the C identifier "
                 "'M__clear_class_', which oneof 'M.class' also generates\n"
                 "  message clear_class_ { }\n"
                 "          ^\n"
                 "a.msg:2:9: note: oneof 'M.class' is declared here\n"
                 "  oneof class { int32 a = 1; }\n"
                 "        ^\n");
}

static void
test_service_tables_clash_with_methods(void **state)
{
    static const schema files[] = {
        {"a.msg", "package p;\n"
                  "message M { }\n"
                  "service S {\n"
                  "  oneway _methods(M);\n"
                  "  oneway _dispatch(M);\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:4:10: error: method 'p.S._methods' would generate the C identifier "
                 "'p_S__methods', which service 'p.S' also generates\n"
                 "  oneway _methods(M);\n"
                 "         ^\n"
                 "a.msg:3:9: note: service 'p.S' is declared here\n"
                 "service S {\n"
                 "        ^\n"
                 "a.msg:5:10: error: method 'p.S._dispatch' would generate the C identifier "
                 "'p_S__dispatch', which service 'p.S' also generates\n"
                 "  oneway _dispatch(M);\n"
                 "         ^\n"
                 "a.msg:3:9: note: service 'p.S' is declared here\n"
                 "service S {\n"
                 "        ^\n");
}

static void
test_method_stub_escapes_the_method_name(void **state)
{
    static const schema files[] = {
        {"a.msg", "package p;\n"
                  "message M { }\n"
                  "service S { oneway delete(M); }\n"
                  "message S_delete_ { }\n"
                  "message S_delete { }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:4:9: error: message 'p.S_delete_' would generate the C identifier "
                 "'p_S_delete_', which method 'p.S.delete' also generates\n"
                 "message S_delete_ { }\n"
                 "        ^\n"
                 "a.msg:3:20: note: method 'p.S.delete' is declared here\n"
                 "service S { oneway delete(M); }\n"
                 "                   ^\n");
}

static void
test_names_near_internal_ones_are_clean(void **state)
{
    expect_clean(*state, "message M { int32 x = 1; oneof u { int32 a = 2; } }\n"
                         "message M_ {\n"
                         "  message Fields { }\n"
                         "  message clear_v { }\n"
                         "  message write_ { }\n"
                         "}\n"
                         "enum E { MIN = 0; values_ = 1; }\n");
}

/* --- the templates against the collision check --- */

/* The kind whose C name a {{c_name}} stands for: that of the innermost open section that
 * sets one. Returns false inside enum values and consts, whose c_name is whole. */
static bool
c_name_kind(char stack[][32], size_t depth, mc_c_kind *kind)
{
    while (depth-- > 0) {
        if (strcmp(stack[depth], "messages") == 0)
            *kind = MC_C_MESSAGE;
        else if (strcmp(stack[depth], "enums") == 0)
            *kind = MC_C_ENUM;
        else if (strcmp(stack[depth], "services") == 0)
            *kind = MC_C_SERVICE;
        else if (strcmp(stack[depth], "values") == 0 || strcmp(stack[depth], "consts") == 0)
            return false;
        else
            continue;
        return true;
    }
    return false;
}

static bool
is_checked_suffix(mc_c_kind kind, const char *suffix, size_t len)
{
    size_t n;
    const char *const *table = mc_sema_c_suffixes(kind, &n);
    for (size_t i = 0; i < n; i++) {
        if (strlen(table[i]) == len && strncmp(table[i], suffix, len) == 0)
            return true;
    }
    return false;
}

/* Checks every "{{c_name}}_SUFFIX" of a template; counts them by kind. */
static void
check_template_suffixes(const char *name, size_t found[3])
{
    const char *text = mc_builtin_template_find(name, NULL);
    assert_non_null(text);
    char stack[32][32];
    size_t depth = 0;
    for (const char *t = strstr(text, "{{"); t; t = strstr(t, "{{")) {
        const char *end = strstr(t, "}}");
        assert_non_null(end);
        const char *tag = t + 2;
        size_t len = (size_t)(end - tag);
        t = end + 2;
        if (*tag == '#' || *tag == '?' || *tag == '^') {
            assert_true(depth < 32 && len < 32);
            memcpy(stack[depth], tag + 1, len - 1);
            stack[depth++][len - 1] = '\0';
        } else if (*tag == '/') {
            assert_true(depth > 0);
            depth--;
        } else if (len == 6 && strncmp(tag, "c_name", 6) == 0 && *t == '_') {
            size_t n = strspn(t + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_");
            mc_c_kind kind;
            if (n == 0 || !c_name_kind(stack, depth, &kind))
                continue;
            if (!is_checked_suffix(kind, t + 1, n))
                fail_msg("%s: '{{c_name}}_%.*s' is not in the collision check", name, (int)n,
                         t + 1);
            found[kind]++;
        }
    }
    assert_int_equal(depth, 0);
}

static void
test_every_suffix_the_templates_add_is_checked(void **state)
{
    (void)state;
    size_t found[3] = {0};
    check_template_suffixes("msg.h.tmpl", found);
    check_template_suffixes("msg.c.tmpl", found);
    /* Enough of each kind that the scan cannot pass by finding nothing. */
    assert_true(found[MC_C_MESSAGE] >= 20);
    assert_true(found[MC_C_ENUM] >= 4);
    assert_true(found[MC_C_SERVICE] >= 5);
}

/* --- the templates against the names the generated code uses --- */

#define IDENT_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789"

/* The identifiers of generated code found in a template, each at most 63 characters. */
typedef struct ident_list {
    char names[256][64];
    size_t n;
} ident_list;

static void
ident_list_add(ident_list *l, const char *name, size_t len)
{
    assert_true(len < sizeof l->names[0]);
    for (size_t i = 0; i < l->n; i++) {
        if (strlen(l->names[i]) == len && strncmp(l->names[i], name, len) == 0)
            return;
    }
    assert_true(l->n < sizeof l->names / sizeof l->names[0]);
    memcpy(l->names[l->n], name, len);
    l->names[l->n++][len] = '\0';
}

/* Past the comment, string or character literal at t (which is one). */
static const char *
skip_literal(const char *t)
{
    if (t[0] == '/') {
        const char *end = strstr(t + 2, "*/");
        assert_non_null(end);
        return end + 2;
    }
    char quote = *t++;
    while (*t != quote) {
        assert_true(*t != '\0' && *t != '\n');
        t += *t == '\\' ? 2 : 1;
    }
    return t + 1;
}

/* Adds the identifiers that a template writes as they are: outside {{...}} tags and not
 * glued to one ("{{c_name}}_init" is a generated name, not "_init"), outside comments and
 * literals, and not the name of a preprocessor directive nor an #include line. */
static void
collect_template_identifiers(const char *name, ident_list *out)
{
    const char *t = mc_builtin_template_find(name, NULL);
    assert_non_null(t);
    while (*t) {
        if (strncmp(t, "{{", 2) == 0) {
            const char *end = strstr(t, "}}");
            assert_non_null(end);
            t = end + 2;
            t += strspn(t, IDENT_CHARS);
        } else if (strncmp(t, "/*", 2) == 0 || *t == '"' || *t == '\'') {
            t = skip_literal(t);
        } else if (*t == '#') {
            t++;
            t += strspn(t, " ");
            bool include = strncmp(t, "include", 7) == 0;
            t += strspn(t, IDENT_CHARS);
            if (include)
                t += strcspn(t, "\n");
        } else if (strchr(IDENT_CHARS, *t)) {
            size_t n = strspn(t, IDENT_CHARS);
            bool number = *t >= '0' && *t <= '9';
            if (!number && strncmp(t + n, "{{", 2) != 0)
                ident_list_add(out, t, n);
            t += n;
        } else {
            t++;
        }
    }
}

/* Whether a name of the templates is the runtime's, a keyword or the C library's: those
 * are refused as generated names for their own reasons. */
static bool
is_foreign_name(const char *name)
{
    if (strncmp(name, "msgc_", 5) == 0 || strncmp(name, "MSGC_", 5) == 0 || mc_c_is_keyword(name))
        return true;
    mc_c_reserved why = mc_c_reserved_by(name);
    return why == MC_C_LIBRARY || why == MC_C_LIBRARY_MACRO || why == MC_C_LIBRARY_FUNCTION_MACRO;
}

static void
test_every_name_the_templates_use_is_refused(void **state)
{
    (void)state;
    ident_list *used = calloc(1, sizeof *used);
    assert_non_null(used);
    collect_template_identifiers("msg.h.tmpl", used);
    collect_template_identifiers("msg.c.tmpl", used);
    size_t own = 0;
    for (size_t i = 0; i < used->n; i++) {
        if (is_foreign_name(used->names[i]))
            continue;
        if (mc_c_reserved_by(used->names[i]) != MC_C_USED_BY_CODE)
            fail_msg("the templates use '%s', which sema does not refuse", used->names[i]);
        own++;
    }
    /* Enough that the scan cannot pass by finding nothing. */
    assert_true(own >= 60);
    size_t n;
    const char *const *table = mc_c_reserved_table(MC_C_USED_BY_CODE, &n);
    for (size_t i = 0; i < n; i++) {
        /* MSGC_NODISCARD, in the templates' prototypes, expands to this attribute. */
        if (strcmp(table[i], "warn_unused_result") == 0)
            continue;
        bool found = false;
        for (size_t j = 0; j < used->n && !found; j++)
            found = strcmp(table[i], used->names[j]) == 0;
        if (!found)
            fail_msg("'%s' is refused as used by the generated code, but no template uses it",
                     table[i]);
    }
    free(used);
}

/* --- names the generated code or the C library already use --- */

static void
test_const_named_like_a_parameter_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "const len = 3;\n"
                  "message M { bytes b = 1 [max = len]; }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:1:7: error: 'len' would be generated for const 'len', which the "
                 "generated code uses itself; give the schema a package or rename it\n"
                 "const len = 3;\n"
                 "      ^\n");
}

static void
test_every_kind_of_declaration_is_checked_without_a_package(void **state)
{
    static const schema files[] = {
        {"a.msg", "const m = 1;\n"
                  "enum buf { B0 = 0; }\n"
                  "message cap { }\n"
                  "service timeout { oneway ms(cap); }\n"
                  "enum len { at = 0; }\n"
                  "message Outer { message d { } }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:1:7: error: 'm' would be generated for const 'm', which the generated "
                 "code uses itself; give the schema a package or rename it\n"
                 "const m = 1;\n"
                 "      ^\n"
                 "a.msg:2:6: error: 'buf' would be generated for enum 'buf', which the generated "
                 "code uses itself; give the schema a package or rename it\n"
                 "enum buf { B0 = 0; }\n"
                 "     ^\n"
                 "a.msg:3:9: error: 'cap' would be generated for message 'cap', which the "
                 "generated code uses itself; give the schema a package or rename it\n"
                 "message cap { }\n"
                 "        ^\n"
                 "a.msg:4:26: error: 'timeout_ms' would be generated for method 'timeout.ms', "
                 "which the generated code uses itself; give the schema a package or rename it\n"
                 "service timeout { oneway ms(cap); }\n"
                 "                         ^\n"
                 "a.msg:5:6: error: 'len' would be generated for enum 'len', which the generated "
                 "code uses itself; give the schema a package or rename it\n"
                 "enum len { at = 0; }\n"
                 "     ^\n"
                 "a.msg:5:12: error: 'len_at' would be generated for enum value 'len.at', which "
                 "the generated code uses itself; give the schema a package or rename it\n"
                 "enum len { at = 0; }\n"
                 "           ^\n");
}

static void
test_c_library_types_functions_and_macros_are_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "const EOF = -1;\n"
                  "const SIZE_MAX = 1;\n"
                  "message size_t { }\n"
                  "enum int32_t { Z = 0; }\n"
                  "message memcpy { }\n"
                  "enum ssize_t { S0 = 0; }\n"
                  "message UINT64 { message C { } }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:1:7: error: 'EOF' would be generated for const 'EOF', which the C "
                 "library defines as a macro; give the schema a package or rename it\n"
                 "const EOF = -1;\n"
                 "      ^\n"
                 "a.msg:2:7: error: 'SIZE_MAX' would be generated for const 'SIZE_MAX', which the "
                 "C library defines as a macro; give the schema a package or rename it\n"
                 "const SIZE_MAX = 1;\n"
                 "      ^\n"
                 "a.msg:3:9: error: 'size_t' would be generated for message 'size_t', which the C "
                 "library declares; give the schema a package or rename it\n"
                 "message size_t { }\n"
                 "        ^\n"
                 "a.msg:4:6: error: 'int32_t' would be generated for enum 'int32_t', which the C "
                 "library declares; give the schema a package or rename it\n"
                 "enum int32_t { Z = 0; }\n"
                 "     ^\n"
                 "a.msg:5:9: error: 'memcpy' would be generated for message 'memcpy', which the C "
                 "library declares; give the schema a package or rename it\n"
                 "message memcpy { }\n"
                 "        ^\n"
                 "a.msg:6:6: error: 'ssize_t' would be generated for enum 'ssize_t', which the C "
                 "library declares; give the schema a package or rename it\n"
                 "enum ssize_t { S0 = 0; }\n"
                 "     ^\n"
                 "a.msg:7:26: error: 'UINT64_C' would be generated for message 'UINT64.C', which "
                 "the C library defines as a macro; give the schema a package or rename it\n"
                 "message UINT64 { message C { } }\n"
                 "                         ^\n");
}

static void
test_a_package_prefix_keeps_the_names_apart(void **state)
{
    expect_clean(*state, "package p;\n"
                         "const len = 3;\n"
                         "const EOF = -1;\n"
                         "message size_t { bytes b = 1 [max = len]; }\n"
                         "enum m { buf = 0; }\n"
                         "service FILE { rpc free(size_t) returns (size_t); }\n");
}

static void
test_a_prefixed_name_that_is_still_taken_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "package INT32;\n"
                  "const MAX = 1;\n"},
        {"b.msg", "package len;\n"
                  "const at = 1;\n"},
    };
    expect_diags(*state, files, 2,
                 "a.msg:2:7: error: 'INT32_MAX' would be generated for const 'INT32.MAX', which "
                 "the C library defines as a macro; rename it\n"
                 "const MAX = 1;\n"
                 "      ^\n"
                 "b.msg:2:7: error: 'len_at' would be generated for const 'len.at', which the "
                 "generated code uses itself; rename it\n"
                 "const at = 1;\n"
                 "      ^\n");
}

static void
test_names_differing_in_case_or_escaped_are_accepted(void **state)
{
    /* The keyword table escapes NULL and errno: "NULL_", "errno_". */
    expect_clean(*state, "const Len = 3;\n"
                         "const LEN = 4;\n"
                         "message Size_t { }\n"
                         "message NULL { }\n"
                         "enum errno { E0 = 0; }\n"
                         "message lens { }\n"
                         "message Outer { message d { } }\n");
}

static void
test_member_named_like_a_c_library_macro_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "package p;\n"
                  "message M {\n"
                  "  int32 EOF = 1;\n"
                  "  oneof stdout { int32 a = 2; }\n"
                  "  oneof u { int32 INT8_MAX = 3; }\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:9: error: 'EOF' would be generated for field 'p.M.EOF', which the C "
                 "library defines as a macro; rename it\n"
                 "  int32 EOF = 1;\n"
                 "        ^\n"
                 "a.msg:4:9: error: 'stdout' would be generated for oneof 'p.M.stdout', which "
                 "the C library defines as a macro; rename it\n"
                 "  oneof stdout { int32 a = 2; }\n"
                 "        ^\n"
                 "a.msg:5:19: error: 'INT8_MAX' would be generated for field 'p.M.INT8_MAX', which "
                 "the C library defines as a macro; rename it\n"
                 "  oneof u { int32 INT8_MAX = 3; }\n"
                 "                  ^\n");
}

static void
test_members_may_take_other_reserved_names(void **state)
{
    expect_clean(*state, "package p;\n"
                         "message M {\n"
                         "  int32 len = 1;\n"
                         "  int32 size_t = 2;\n"
                         "  int32 offsetof = 3;\n"
                         "  repeated int32 free = 4;\n"
                         "  optional int32 m = 5;\n"
                         "  oneof buf { int32 FILE = 6; int32 assert = 7; }\n"
                         "}\n"
                         "service S { oneway len(M); rpc size_t(M) returns (M); }\n");
}

static void
test_handler_named_like_a_function_macro_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "package p;\n"
                  "message M { }\n"
                  "service S { oneway assert(M); rpc UINT64_C(M) returns (M); }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:20: error: 'assert' would be generated for method 'p.S.assert', which "
                 "the C library defines as a macro; rename it\n"
                 "service S { oneway assert(M); rpc UINT64_C(M) returns (M); }\n"
                 "                   ^\n"
                 "a.msg:3:35: error: 'UINT64_C' would be generated for method 'p.S.UINT64_C', "
                 "which the C library defines as a macro; rename it\n"
                 "service S { oneway assert(M); rpc UINT64_C(M) returns (M); }\n"
                 "                                  ^\n");
}

static void
test_a_refused_name_causes_no_other_error(void **state)
{
    static const schema files[] = {
        {"a.msg", "const len = 3;\n"
                  "message m { bytes b = 1 [max = len]; }\n"
                  "message Outer { m inner = 1; repeated m all = 2 [max = len]; }\n"
                  "service S { rpc Get(m) returns (m); }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:1:7: error: 'len' would be generated for const 'len', which the "
                 "generated code uses itself; give the schema a package or rename it\n"
                 "const len = 3;\n"
                 "      ^\n"
                 "a.msg:2:9: error: 'm' would be generated for message 'm', which the generated "
                 "code uses itself; give the schema a package or rename it\n"
                 "message m { bytes b = 1 [max = len]; }\n"
                 "        ^\n");
}

/* --- the runtime's namespace --- */

static void
test_package_msgc_is_refused_once_per_declaration(void **state)
{
    static const schema files[] = {
        {"a.msg", "package msgc;\n"
                  "const N = 3;\n"
                  "enum Kind { K0 = 0; }\n"
                  "message chan {\n"
                  "  int32 x = 1;\n"
                  "}\n"
                  "service S { oneway Send(chan); }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:7: error: 'msgc_N' would be generated for const 'msgc.N'; names "
                 "starting with 'msgc_' belong to the msgc runtime\n"
                 "const N = 3;\n"
                 "      ^\n"
                 "a.msg:3:6: error: 'msgc_Kind' would be generated for enum 'msgc.Kind'; names "
                 "starting with 'msgc_' belong to the msgc runtime\n"
                 "enum Kind { K0 = 0; }\n"
                 "     ^\n"
                 "a.msg:3:13: error: 'msgc_Kind_K0' would be generated for enum value "
                 "'msgc.Kind.K0'; names starting with 'msgc_' belong to the msgc runtime\n"
                 "enum Kind { K0 = 0; }\n"
                 "            ^\n"
                 "a.msg:4:9: error: 'msgc_chan' would be generated for message 'msgc.chan'; names "
                 "starting with 'msgc_' belong to the msgc runtime\n"
                 "message chan {\n"
                 "        ^\n"
                 "a.msg:7:9: error: 'msgc_S_handlers' would be generated for service 'msgc.S'; "
                 "names starting with 'msgc_' belong to the msgc runtime\n"
                 "service S { oneway Send(chan); }\n"
                 "        ^\n"
                 "a.msg:7:20: error: 'msgc_S_Send' would be generated for method 'msgc.S.Send'; "
                 "names starting with 'msgc_' belong to the msgc runtime\n"
                 "service S { oneway Send(chan); }\n"
                 "                   ^\n");
}

static void
test_generated_function_in_the_runtime_namespace_is_refused(void **state)
{
    static const schema files[] = {
        {"a.msg", "message msgc { }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:1:9: error: 'msgc_INIT' would be generated for message 'msgc'; names "
                 "starting with 'msgc_' belong to the msgc runtime\n"
                 "message msgc { }\n"
                 "        ^\n");
}

static void
test_upper_case_runtime_prefix_is_refused_for_types_and_members(void **state)
{
    static const schema files[] = {
        {"a.msg", "package p;\n"
                  "message M {\n"
                  "  int32 MSGC_H = 1;\n"
                  "  oneof u { int32 msgc_a = 2; }\n"
                  "}\n"
                  "const MSGC_MAX = 1;\n"
                  "message MSGC { }\n"},
        {"b.msg", "message MSGC_OK { }\n"},
    };
    expect_diags(*state, files, 2,
                 "a.msg:3:9: error: 'MSGC_H' would be generated for field 'p.M.MSGC_H'; names "
                 "starting with 'MSGC_' belong to the msgc runtime\n"
                 "  int32 MSGC_H = 1;\n"
                 "        ^\n"
                 "a.msg:4:19: error: 'msgc_a' would be generated for field 'p.M.msgc_a'; names "
                 "starting with 'msgc_' belong to the msgc runtime\n"
                 "  oneof u { int32 msgc_a = 2; }\n"
                 "                  ^\n"
                 "b.msg:1:9: error: 'MSGC_OK' would be generated for message 'MSGC_OK'; names "
                 "starting with 'MSGC_' belong to the msgc runtime\n"
                 "message MSGC_OK { }\n"
                 "        ^\n");
}

static void
test_runtime_prefix_is_case_sensitive_and_needs_the_underscore(void **state)
{
    expect_clean(*state, "package Msgc;\n"
                         "message msgcx { int32 Msgc_a = 1; int32 mSGC_b = 2; }\n"
                         "enum E { msgc = 0; }\n");
}

static void
test_reserved_to_max_covers_the_largest_number(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M {\n"
                  "  reserved 1000 to max;\n"
                  "  int32 a = 536870911;\n"
                  "}\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:3:13: error: field number 536870911 is reserved\n"
                 "  int32 a = 536870911;\n"
                 "            ^\n"
                 "a.msg:2:12: note: reserved here\n"
                 "  reserved 1000 to max;\n"
                 "           ^\n");
}

static void
test_only_whole_identifiers_are_escaped(void **state)
{
    static const schema files[] = {
        {"a.msg", "message co {\n"
                  "  oneof await { int32 x = 1; }\n"
                  "}\n"
                  "message co_await_case { }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:4:9: error: message 'co_await_case' would generate the C identifier "
                 "'co_await_case', which oneof 'co.await' also generates\n"
                 "message co_await_case { }\n"
                 "        ^\n"
                 "a.msg:2:9: note: oneof 'co.await' is declared here\n"
                 "  oneof await { int32 x = 1; }\n"
                 "        ^\n");
}

static void
test_long_cycles_show_their_ends(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M0 { M1 n = 1; }\n"
                  "message M1 { M2 n = 1; }\n"
                  "message M2 { M3 n = 1; }\n"
                  "message M3 { M4 n = 1; }\n"
                  "message M4 { M5 n = 1; }\n"
                  "message M5 { M6 n = 1; }\n"
                  "message M6 { M7 n = 1; }\n"
                  "message M7 { M8 n = 1; }\n"
                  "message M8 { M9 n = 1; }\n"
                  "message M9 { M10 n = 1; }\n"
                  "message M10 { M11 n = 1; }\n"
                  "message M11 { M12 n = 1; }\n"
                  "message M12 { M13 n = 1; }\n"
                  "message M13 { M0 n = 1; }\n"},
    };
    expect_diags(
        *state, files, 1,
        "a.msg:14:18: error: message 'M0' contains itself through inline fields: M0.n -> M1.n -> "
        "M2.n -> M3.n -> M4.n -> M5.n -> ... (2 more) -> M8.n -> M9.n -> M10.n -> M11.n -> M12.n "
        "-> M13.n -> M0; make one of them optional or an unbounded repeated\n"
        "message M13 { M0 n = 1; }\n"
        "                 ^\n");
}

static void
test_lookups_inside_a_duplicate_find_its_members(void **state)
{
    static const schema files[] = {
        {"a.msg", "message M { message In { } In i = 1; }\n"
                  "message M { message In { } In i = 1; }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:2:9: error: 'M' is already defined\n"
                 "message M { message In { } In i = 1; }\n"
                 "        ^\n"
                 "a.msg:1:9: note: previous definition of 'M' is here\n"
                 "message M { message In { } In i = 1; }\n"
                 "        ^\n");
}

static void
test_diagnostics_come_in_source_order(void **state)
{
    static const schema files[] = {
        {"a.msg", "message A { A a = 1; }\n"
                  "message B { int32 x = 0; }\n"
                  "message A { }\n"},
    };
    expect_diags(*state, files, 1,
                 "a.msg:1:15: error: message 'A' contains itself through inline fields: A.a -> A; "
                 "make one of them optional or an unbounded repeated\n"
                 "message A { A a = 1; }\n"
                 "              ^\n"
                 "a.msg:2:23: error: field number 0 is out of range (1 to 536870911)\n"
                 "message B { int32 x = 0; }\n"
                 "                      ^\n"
                 "a.msg:3:9: error: 'A' is already defined\n"
                 "message A { }\n"
                 "        ^\n"
                 "a.msg:1:9: note: previous definition of 'A' is here\n"
                 "message A { A a = 1; }\n"
                 "        ^\n");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_names_of_nested_declarations_are_filled, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_keyword_type_names_are_escaped_without_a_package,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyword_components_inside_longer_names_are_kept, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_types_resolve_from_the_innermost_message_outwards,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup_skips_fields_named_like_a_type, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_types_resolve_across_packages_through_imports, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_constants_fill_max_and_max_len, setup, teardown),
        cmocka_unit_test_setup_teardown(test_methods_resolve_their_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spec_example_is_clean, setup, teardown),
        cmocka_unit_test_setup_teardown(test_optional_and_unbounded_repeated_fields_break_cycles,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_size_counts_tags_and_worst_case_varints, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_max_size_of_bounded_strings_arrays_messages_and_oneofs,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_unbounded_fields_leave_a_message_without_max_size,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_size_over_2_gib_means_unbounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_field_flags_follow_the_struct_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_more_than_twenty_errors_end_with_too_many, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_nesting_deeper_than_the_limit_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_message_in_package_is_reported_at_the_second,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_without_package_names_no_scope, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_enum_values_of_two_enums_clash_in_the_package, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_enum_value_clashes_with_a_message, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_enum_values_clash_in_their_message, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_field_name_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oneof_named_like_a_field_is_a_duplicate, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_nested_message_named_like_a_field_is_a_duplicate,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_method_is_reported_in_its_service, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_const_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_service_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_across_files_of_a_package_is_reported, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_message_named_like_a_package_is_a_duplicate, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_contents_of_a_duplicate_are_not_reported_again, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reserved_range_ending_before_its_start_is_an_error,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_reserved_number_out_of_range_is_an_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_overlapping_reserved_ranges_are_reported_at_the_later,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_reserved_range_covering_an_earlier_number_overlaps_it,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_name_reserved_twice_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_field_number_zero_is_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_field_number_above_the_maximum_is_out_of_range, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_field_numbers_of_the_protobuf_implementation_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reserved_field_number_is_an_error_with_a_note, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_field_number_counts_oneof_members, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reserved_field_name_is_an_error_with_a_note, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unknown_type_is_reported_at_the_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_dotted_type_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_field_used_as_a_type_is_not_a_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_type_of_a_file_not_imported_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_same_package_file_must_be_imported_too, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unknown_constant_is_reported_at_the_option, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_constant_lookup_skips_other_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dotted_name_of_a_field_is_not_a_constant, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_constant_of_a_file_not_imported_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_max_zero_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_from_a_constant_must_be_positive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_must_fit_uint32, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_on_a_scalar_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_on_a_message_or_enum_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_len_on_a_singular_string_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_max_len_on_repeated_scalars_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_max_len_needs_max, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_len_must_be_positive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oneof_without_fields_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enum_without_values_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_enum_value_must_be_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enum_values_must_fit_int32, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_enum_value_is_reported_with_a_note, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_method_with_an_unknown_type_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_method_with_an_enum_type_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_message_containing_itself_is_a_cycle, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_cycle_through_a_oneof_and_a_bounded_repeated_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cycle_of_nested_messages_names_them_within_the_package,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_nested_message_clashing_with_a_generated_function_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_packages_that_meet_in_c_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyword_escape_can_collide, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enum_constant_clashing_with_a_message_is_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_oneof_case_clashing_with_a_message_function_is_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_const_clashing_with_a_message_macro_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_method_stub_clashing_with_a_service_function_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_count_member_clash_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_presence_member_clash_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oneof_case_member_clash_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escaped_field_clash_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escaped_union_member_clash_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_escaped_handler_clash_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_nested_message_clashing_with_an_internal_table_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_internal_function_names_of_a_message_are_reserved,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_enum_value_clashing_with_the_range_constants_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_message_clashing_with_an_enum_value_table_is_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_oneof_clear_function_clash_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_service_tables_clash_with_methods, setup, teardown),
        cmocka_unit_test_setup_teardown(test_method_stub_escapes_the_method_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names_near_internal_ones_are_clean, setup, teardown),
        cmocka_unit_test(test_every_suffix_the_templates_add_is_checked),
        cmocka_unit_test(test_every_name_the_templates_use_is_refused),
        cmocka_unit_test_setup_teardown(test_const_named_like_a_parameter_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_every_kind_of_declaration_is_checked_without_a_package,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_c_library_types_functions_and_macros_are_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_package_prefix_keeps_the_names_apart, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_prefixed_name_that_is_still_taken_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_names_differing_in_case_or_escaped_are_accepted, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_member_named_like_a_c_library_macro_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_members_may_take_other_reserved_names, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_handler_named_like_a_function_macro_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_refused_name_causes_no_other_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_package_msgc_is_refused_once_per_declaration, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_generated_function_in_the_runtime_namespace_is_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_upper_case_runtime_prefix_is_refused_for_types_and_members, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_runtime_prefix_is_case_sensitive_and_needs_the_underscore, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reserved_to_max_covers_the_largest_number, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_only_whole_identifiers_are_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_cycles_show_their_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookups_inside_a_duplicate_find_its_members, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_diagnostics_come_in_source_order, setup, teardown),
    };
    return cmocka_run_group_tests_name("sema", tests, NULL, NULL);
}
