/* test_parser.c - the grammar of compiler/parser.y and the AST it builds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "diag.h"
#include "mc.h"
#include "text_sink.h"

typedef struct fx {
    mc_program prog;
    mc_diag *diag;
    char out[16384];
    size_t len;
    int calls;
    text_sink sink;
} fx;

static int
setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->prog.arena = mc_arena_new();
    f->sink = (text_sink){f->out, sizeof f->out, &f->len, &f->calls};
    f->diag = mc_diag_new(f->prog.arena, text_sink_write, &f->sink);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fx *f = *state;
    mc_arena_free(f->prog.arena);
    free(f);
    return 0;
}

static mc_file *
parse(fx *f, const char *text)
{
    mc_file *file = mc_parse(&f->prog, f->diag, "t.msg", text, strlen(text));
    assert_non_null(file);
    return file;
}

static mc_file *
parse_ok(fx *f, const char *text)
{
    mc_file *file = parse(f, text);
    assert_string_equal(f->out, "");
    assert_int_equal(mc_diag_errors(f->diag), 0);
    return file;
}

#define assert_loc(l, line_, col_)                                                                 \
    do {                                                                                           \
        assert_string_equal((l).file, "t.msg");                                                    \
        assert_int_equal((l).line, (line_));                                                       \
        assert_int_equal((l).col, (col_));                                                         \
    } while (0)

static mc_field *
field_at(mc_message *m, int i)
{
    mc_field *f = m->fields;
    while (f && i-- > 0)
        f = f->next;
    assert_non_null(f);
    return f;
}

static int
count_fields(const mc_message *m)
{
    int n = 0;
    for (const mc_field *f = m->fields; f; f = f->next)
        n++;
    return n;
}

/* --- the example of SPEC section 1, verbatim --- */

static const char spec_example[] =
    "// telemetry.msg\n"
    "package telemetry;              // C prefix \"telemetry_\"; dotted names join with \"_\"\n"
    "import \"common.msg\";            // relative to this file, then each -I dir in order\n"
    "\n"
    "const MAX_SAMPLES = 16;         // -> #define telemetry_MAX_SAMPLES 16\n"
    "\n"
    "/// Severity of a reading.      (/// doc comments are copied into the generated header)\n"
    "enum Level { LEVEL_DEBUG = 0; LEVEL_INFO = 1; LEVEL_WARN = 2; }\n"
    "\n"
    "message Point { sint32 x = 1; sint32 y = 2; }\n"
    "message ReadRequest { string host = 1 [max = 63]; }\n"
    "\n"
    "message Reading {\n"
    "    uint64          timestamp = 1;\n"
    "    string          host      = 2 [max = 63];          // bounded: inline char[64]\n"
    "    Level           level     = 3;\n"
    "    double          value     = 4;\n"
    "    repeated int32  samples   = 5 [max = MAX_SAMPLES]; // bounded: inline array + count\n"
    "    Point           origin    = 6;                     // inline, has_origin\n"
    "    optional bool   flag      = 7;                     // explicit presence: has_flag\n"
    "    bytes           tag       = 8 [max = 8];\n"
    "    repeated string labels    = 9 [max = 4, max_len = 31]; // char labels[4][32]\n"
    "    oneof payload { string text = 10; int64 code = 11; }\n"
    "    reserved 12, 15 to 20;\n"
    "    reserved \"old_name\";\n"
    "    message Inner { int32 a = 1; }                     // nested type: "
    "telemetry_Reading_Inner\n"
    "    optional Reading previous = 21;                    // pointer: telemetry_Reading "
    "*previous\n"
    "}\n"
    "\n"
    "service Sensor {\n"
    "    rpc    Read(ReadRequest) returns (Reading);       // request/reply\n"
    "    oneway Publish(Reading);                          // fire and forget\n"
    "}\n";

static void
test_spec_example_file_level(void **state)
{
    fx *f = *state;
    mc_file *file = parse_ok(f, spec_example);
    assert_string_equal(file->path, "t.msg");
    assert_int_equal(file->text_len, strlen(spec_example));
    assert_memory_equal(file->text, spec_example, sizeof spec_example);
    assert_string_equal(file->package, "telemetry");
    assert_loc(file->package_loc, 2, 9);
    assert_null(file->doc);

    assert_non_null(file->imports);
    assert_string_equal(file->imports->path, "common.msg");
    assert_loc(file->imports->loc, 3, 8);
    assert_null(file->imports->file);
    assert_null(file->imports->next);

    assert_non_null(file->consts);
    assert_string_equal(file->consts->name, "MAX_SAMPLES");
    assert_int_equal(file->consts->value, 16);
    assert_loc(file->consts->loc, 5, 7);
    assert_null(file->consts->next);

    mc_enum *e = file->enums;
    assert_non_null(e);
    assert_string_equal(e->name, "Level");
    assert_loc(e->loc, 8, 6);
    assert_string_equal(e->doc, "Severity of a reading.      (/// doc comments are copied into "
                                "the generated header)");
    assert_null(e->parent);
    assert_ptr_equal(e->file, file);
    assert_null(e->next);
    const char *names[] = {"LEVEL_DEBUG", "LEVEL_INFO", "LEVEL_WARN"};
    const int cols[] = {14, 31, 47}, num_cols[] = {28, 44, 60};
    int i = 0;
    for (mc_enum_value *v = e->values; v; v = v->next, i++) {
        assert_true(i < 3);
        assert_string_equal(v->name, names[i]);
        assert_int_equal(v->number, i);
        assert_loc(v->loc, 8, cols[i]);
        assert_loc(v->number_loc, 8, num_cols[i]);
        assert_null(v->doc);
    }
    assert_int_equal(i, 3);

    assert_string_equal(file->messages->name, "Point");
    assert_loc(file->messages->loc, 10, 9);
    assert_string_equal(file->messages->next->name, "ReadRequest");
    assert_string_equal(file->messages->next->next->name, "Reading");
    assert_null(file->messages->next->next->next);
    assert_false(file->generate);
    assert_null(file->rel);
    assert_ptr_equal(f->prog.files, file);
    assert_null(file->next);
}

static void
test_spec_example_simple_messages(void **state)
{
    fx *f = *state;
    mc_file *file = parse_ok(f, spec_example);
    mc_message *point = file->messages;
    assert_int_equal(count_fields(point), 2);
    mc_field *x = field_at(point, 0), *y = field_at(point, 1);
    assert_string_equal(x->name, "x");
    assert_int_equal(x->kind, MC_T_SINT32);
    assert_null(x->type_name);
    assert_int_equal(x->label, MC_L_NONE);
    assert_int_equal(x->number, 1);
    assert_loc(x->loc, 10, 17);
    assert_loc(x->type_loc, 10, 17);
    assert_loc(x->name_loc, 10, 24);
    assert_loc(x->number_loc, 10, 28);
    assert_ptr_equal(x->owner, point);
    assert_null(x->oneof);
    assert_false(x->max.set);
    assert_false(x->max_len.set);
    assert_string_equal(y->name, "y");
    assert_int_equal(y->number, 2);
    assert_null(point->parent);
    assert_ptr_equal(point->file, file);
    assert_null(point->nested);
    assert_null(point->enums);
    assert_null(point->oneofs);
    assert_null(point->reserved);

    mc_message *req = point->next;
    mc_field *host = req->fields;
    assert_string_equal(host->name, "host");
    assert_int_equal(host->kind, MC_T_STRING);
    assert_true(host->max.set);
    assert_null(host->max.const_name);
    assert_int_equal(host->max.value, 63);
    assert_loc(host->max.loc, 11, 40);
    assert_false(host->max_len.set);
}

static void
test_spec_example_reading_fields(void **state)
{
    fx *f = *state;
    mc_file *file = parse_ok(f, spec_example);
    mc_message *r = file->messages->next->next;
    assert_loc(r->loc, 13, 9);
    assert_int_equal(count_fields(r), 12);

    static const struct {
        const char *name;
        int64_t number;
        mc_label label;
        mc_type_kind kind;
        const char *type_name;
        int line;
    } want[] = {
        {"timestamp", 1, MC_L_NONE, MC_T_UINT64, NULL, 14},
        {"host", 2, MC_L_NONE, MC_T_STRING, NULL, 15},
        {"level", 3, MC_L_NONE, MC_T_NONE, "Level", 16},
        {"value", 4, MC_L_NONE, MC_T_DOUBLE, NULL, 17},
        {"samples", 5, MC_L_REPEATED, MC_T_INT32, NULL, 18},
        {"origin", 6, MC_L_NONE, MC_T_NONE, "Point", 19},
        {"flag", 7, MC_L_OPTIONAL, MC_T_BOOL, NULL, 20},
        {"tag", 8, MC_L_NONE, MC_T_BYTES, NULL, 21},
        {"labels", 9, MC_L_REPEATED, MC_T_STRING, NULL, 22},
        {"text", 10, MC_L_NONE, MC_T_STRING, NULL, 23},
        {"code", 11, MC_L_NONE, MC_T_INT64, NULL, 23},
        {"previous", 21, MC_L_OPTIONAL, MC_T_NONE, "Reading", 27},
    };
    for (int i = 0; i < 12; i++) {
        mc_field *fl = field_at(r, i);
        assert_string_equal(fl->name, want[i].name);
        assert_int_equal(fl->number, want[i].number);
        assert_int_equal(fl->label, want[i].label);
        assert_int_equal(fl->kind, want[i].kind);
        if (want[i].type_name)
            assert_string_equal(fl->type_name, want[i].type_name);
        else
            assert_null(fl->type_name);
        assert_int_equal(fl->loc.line, want[i].line);
        assert_ptr_equal(fl->owner, r);
        assert_null(fl->doc);
    }
    /* Labelled fields start at the label, their type after it. */
    mc_field *samples = field_at(r, 4);
    assert_loc(samples->loc, 18, 5);
    assert_loc(samples->type_loc, 18, 14);
    assert_loc(samples->name_loc, 18, 21);
    assert_loc(samples->number_loc, 18, 33);
    assert_true(samples->max.set);
    assert_string_equal(samples->max.const_name, "MAX_SAMPLES");
    assert_loc(samples->max.loc, 18, 36);

    mc_field *labels = field_at(r, 8);
    assert_true(labels->max.set);
    assert_int_equal(labels->max.value, 4);
    assert_null(labels->max.const_name);
    assert_true(labels->max_len.set);
    assert_int_equal(labels->max_len.value, 31);
    assert_loc(labels->max_len.loc, 22, 45);

    mc_field *tag = field_at(r, 7);
    assert_int_equal(tag->max.value, 8);
    assert_false(field_at(r, 0)->max.set);
}

static void
test_spec_example_reading_oneof_members_reserved_nested(void **state)
{
    fx *f = *state;
    mc_file *file = parse_ok(f, spec_example);
    mc_message *r = file->messages->next->next;

    mc_oneof *o = r->oneofs;
    assert_non_null(o);
    assert_null(o->next);
    assert_string_equal(o->name, "payload");
    assert_loc(o->loc, 23, 11);
    assert_ptr_equal(o->owner, r);
    assert_ptr_equal(o->members, field_at(r, 9));
    assert_ptr_equal(o->members->next_in_oneof, field_at(r, 10));
    assert_null(o->members->next_in_oneof->next_in_oneof);
    for (int i = 0; i < 12; i++)
        assert_ptr_equal(field_at(r, i)->oneof, i == 9 || i == 10 ? o : NULL);

    /* The members: every field outside the oneof, the oneof in its place. */
    const char *order[] = {"timestamp", "host", "level",  "value", "samples", "origin",
                           "flag",      "tag",  "labels", NULL,    "previous"};
    int i = 0;
    for (mc_member *m = r->members; m; m = m->next, i++) {
        assert_true(i < 11);
        if (order[i]) {
            assert_int_equal(m->kind, MC_M_FIELD);
            assert_string_equal(m->field->name, order[i]);
            assert_null(m->oneof);
        } else {
            assert_int_equal(m->kind, MC_M_ONEOF);
            assert_ptr_equal(m->oneof, o);
            assert_null(m->field);
        }
    }
    assert_int_equal(i, 11);

    mc_reserved *res = r->reserved;
    assert_int_equal(res->kind, MC_RES_RANGE);
    assert_int_equal(res->lo, 12);
    assert_int_equal(res->hi, 12);
    assert_loc(res->loc, 24, 14);
    res = res->next;
    assert_int_equal(res->kind, MC_RES_RANGE);
    assert_int_equal(res->lo, 15);
    assert_int_equal(res->hi, 20);
    assert_loc(res->loc, 24, 18);
    res = res->next;
    assert_int_equal(res->kind, MC_RES_NAME);
    assert_string_equal(res->name, "old_name");
    assert_loc(res->loc, 25, 14);
    assert_null(res->next);

    mc_message *inner = r->nested;
    assert_non_null(inner);
    assert_string_equal(inner->name, "Inner");
    assert_loc(inner->loc, 26, 13);
    assert_ptr_equal(inner->parent, r);
    assert_ptr_equal(inner->file, file);
    assert_null(inner->next);
    assert_string_equal(inner->fields->name, "a");
    assert_int_equal(inner->fields->kind, MC_T_INT32);
    assert_ptr_equal(inner->fields->owner, inner);
    assert_null(r->enums);
}

static void
test_spec_example_service(void **state)
{
    fx *f = *state;
    mc_file *file = parse_ok(f, spec_example);
    mc_service *s = file->services;
    assert_non_null(s);
    assert_null(s->next);
    assert_string_equal(s->name, "Sensor");
    assert_loc(s->loc, 30, 9);
    assert_ptr_equal(s->file, file);

    mc_method *read = s->methods;
    assert_string_equal(read->name, "Read");
    assert_int_equal(read->kind, MC_RPC);
    assert_loc(read->loc, 31, 12);
    assert_string_equal(read->req_name, "ReadRequest");
    assert_loc(read->req_loc, 31, 17);
    assert_string_equal(read->rep_name, "Reading");
    assert_loc(read->rep_loc, 31, 39);

    mc_method *pub = read->next;
    assert_string_equal(pub->name, "Publish");
    assert_int_equal(pub->kind, MC_ONEWAY);
    assert_loc(pub->loc, 32, 12);
    assert_string_equal(pub->req_name, "Reading");
    assert_loc(pub->req_loc, 32, 20);
    assert_null(pub->rep_name);
    assert_null(pub->next);
}

/* --- doc comments --- */

static void
test_doc_comments_attach_to_every_kind_of_declaration(void **state)
{
    fx *f = *state;
    mc_file *file = parse_ok(f, "/// the package\n"
                                "package a.b;\n"
                                "/// a const\n"
                                "const N = 1;\n"
                                "/// an enum\n"
                                "enum E {\n"
                                "  /// a value\n"
                                "  V = 0;\n"
                                "}\n"
                                "/// a message\n"
                                "message M {\n"
                                "  /// a field\n"
                                "  int32 f = 1;\n"
                                "  /// a repeated field\n"
                                "  repeated .a.b.M r = 2;\n"
                                "  /// a oneof\n"
                                "  oneof u {\n"
                                "    /// a member\n"
                                "    .a.b.M m = 3;\n"
                                "  }\n"
                                "}\n"
                                "/// a service\n"
                                "service S {\n"
                                "  /// an rpc\n"
                                "  rpc R(M) returns (M);\n"
                                "  /// a oneway\n"
                                "  oneway O(M);\n"
                                "}\n");
    assert_string_equal(file->doc, "the package");
    assert_string_equal(file->package, "a.b");
    assert_string_equal(file->consts->doc, "a const");
    assert_string_equal(file->enums->doc, "an enum");
    assert_string_equal(file->enums->values->doc, "a value");
    mc_message *m = file->messages;
    assert_string_equal(m->doc, "a message");
    assert_string_equal(field_at(m, 0)->doc, "a field");
    assert_string_equal(field_at(m, 1)->doc, "a repeated field");
    assert_string_equal(field_at(m, 1)->type_name, ".a.b.M");
    assert_string_equal(m->oneofs->doc, "a oneof");
    assert_string_equal(field_at(m, 2)->doc, "a member");
    assert_string_equal(field_at(m, 2)->type_name, ".a.b.M");
    assert_loc(field_at(m, 2)->type_loc, 19, 5);
    assert_string_equal(file->services->doc, "a service");
    assert_string_equal(file->services->methods->doc, "an rpc");
    assert_string_equal(file->services->methods->next->doc, "a oneway");
}

static void
test_doc_comment_lines_join_and_survive_blank_lines_and_comments(void **state)
{
    fx *f = *state;
    mc_file *file = parse_ok(f, "///first line\n"
                                "///  indented\n"
                                "///\n"
                                "/// last\r\n"
                                "\n"
                                "// an ordinary comment\n"
                                "/* a block comment */\n"
                                "message A {}\n"
                                "message B {}\n");
    assert_string_equal(file->messages->doc, "first line\n indented\n\nlast");
    assert_null(file->messages->next->doc);
}

static void
test_doc_comment_group_after_a_gap_replaces_the_earlier_one(void **state)
{
    fx *f = *state;
    mc_file *file = parse_ok(f, "/// stale\n"
                                "\n"
                                "/// fresh\n"
                                "message A { int32 x = 1; /// for y\n"
                                "  int32 y = 2; }\n"
                                "//// four slashes: an ordinary comment\n"
                                "message B {}\n"
                                "/// dropped: nothing follows\n");
    assert_string_equal(file->messages->doc, "fresh");
    assert_null(field_at(file->messages, 0)->doc);
    assert_string_equal(field_at(file->messages, 1)->doc, "for y");
    assert_null(file->messages->next->doc);
}

/* --- nested declarations and the rest of the grammar --- */

static void
test_nested_messages_and_enums_keep_their_parents(void **state)
{
    fx *f = *state;
    mc_file *file = parse_ok(f, "message A {\n"
                                "  message B {\n"
                                "    enum E { X = 0; }\n"
                                "    message C { B.E e = 1; }\n"
                                "  };\n"
                                "  enum F { Y = 0; Z = -1; };\n"
                                "  message D {}\n"
                                "};\n");
    mc_message *a = file->messages;
    mc_message *b = a->nested;
    mc_message *c = b->nested;
    assert_string_equal(b->name, "B");
    assert_string_equal(c->name, "C");
    assert_string_equal(b->next->name, "D");
    assert_null(b->next->next);
    assert_ptr_equal(b->parent, a);
    assert_ptr_equal(c->parent, b);
    assert_ptr_equal(b->next->parent, a);
    assert_string_equal(b->enums->name, "E");
    assert_ptr_equal(b->enums->parent, b);
    assert_string_equal(a->enums->name, "F");
    assert_ptr_equal(a->enums->parent, a);
    assert_int_equal(a->enums->values->next->number, -1);
    assert_loc(a->enums->values->next->number_loc, 6, 23);
    assert_string_equal(c->fields->type_name, "B.E");
    assert_null(a->fields);
    assert_null(file->enums);
    assert_null(a->next);
}

static void
test_literals_ranges_and_const_bounds(void **state)
{
    fx *f = *state;
    mc_file *file = parse_ok(f, "const BIG = 9223372036854775807;\n"
                                "const SMALL = -9223372036854775808;\n"
                                "const HEX = 0x7fFFffFF;\n"
                                "message M {\n"
                                "  reserved 1 to max, 0x10, 3 to 4;\n"
                                "  reserved \"a\", \"b\\\"q\\\\\";\n"
                                "  repeated bytes b = 5 [max_len = .p.LEN, max = q.N];\n"
                                "}\n");
    mc_const *c = file->consts;
    assert_int_equal(c->value, INT64_MAX);
    assert_int_equal(c->next->value, INT64_MIN);
    assert_int_equal(c->next->next->value, 0x7fffffff);
    mc_reserved *r = file->messages->reserved;
    assert_int_equal(r->lo, 1);
    assert_int_equal(r->hi, 536870911);
    assert_int_equal(r->next->lo, 16);
    assert_int_equal(r->next->hi, 16);
    assert_int_equal(r->next->next->lo, 3);
    assert_int_equal(r->next->next->hi, 4);
    assert_string_equal(r->next->next->next->name, "a");
    assert_string_equal(r->next->next->next->next->name, "b\"q\\");
    mc_field *b = file->messages->fields;
    assert_string_equal(b->max.const_name, "q.N");
    assert_loc(b->max.loc, 7, 43);
    assert_string_equal(b->max_len.const_name, ".p.LEN");
    assert_loc(b->max_len.loc, 7, 25);
}

static void
test_empty_file_and_empty_statements_parse_to_nothing(void **state)
{
    fx *f = *state;
    mc_file *file = parse_ok(f, "");
    assert_null(file->package);
    assert_null(file->messages);
    assert_null(file->imports);
    assert_string_equal(file->text, "");
    assert_int_equal(file->text_len, 0);
    file = parse_ok(f, ";;\nmessage A { ; }; enum E { ; }\nservice S { ; }\n");
    assert_null(file->messages->fields);
    assert_null(file->messages->members);
    assert_null(file->enums->values);
    assert_null(file->services->methods);
}

static void
test_parse_appends_each_file_to_the_program(void **state)
{
    fx *f = *state;
    mc_file *a = parse_ok(f, "message A {}");
    mc_file *b = parse_ok(f, "message B {}");
    assert_ptr_equal(f->prog.files, a);
    assert_ptr_equal(a->next, b);
    assert_null(b->next);
}

/* --- diagnostics --- */

static void
test_syntax_errors_recover_at_semicolons_and_braces(void **state)
{
    fx *f = *state;
    mc_file *file = parse(f, "message A {\n"
                             "  int32 x = 1\n"
                             "}\n"
                             "message B { int32 = 2; int32 ok = 3; }\n"
                             "mesage C { int32 y = 4; }\n"
                             "enum E { V 0; W = 1; }\n"
                             "service S { rpc R(A) returns B; oneway O(A); }\n"
                             "message D { int32 z = 5; }\n");
    assert_string_equal(f->out, "t.msg:3:1: error: syntax error, unexpected '}', expecting ';' "
                                "or '['\n"
                                "}\n"
                                "^\n"
                                "t.msg:4:19: error: syntax error, unexpected '=', expecting "
                                "identifier\n"
                                "message B { int32 = 2; int32 ok = 3; }\n"
                                "                  ^\n"
                                "t.msg:5:1: error: syntax error, unexpected identifier\n"
                                "mesage C { int32 y = 4; }\n"
                                "^\n"
                                "t.msg:6:12: error: syntax error, unexpected integer, "
                                "expecting '='\n"
                                "enum E { V 0; W = 1; }\n"
                                "           ^\n"
                                "t.msg:7:30: error: syntax error, unexpected identifier, "
                                "expecting '('\n"
                                "service S { rpc R(A) returns B; oneway O(A); }\n"
                                "                             ^\n");
    assert_int_equal(mc_diag_errors(f->diag), 5);
    /* What parsed around the errors is kept. */
    mc_message *a = file->messages, *b = a->next, *d = b->next;
    assert_string_equal(a->name, "A");
    assert_null(a->fields);
    assert_string_equal(b->fields->name, "ok");
    assert_null(b->fields->next);
    assert_string_equal(d->name, "D");
    assert_string_equal(d->fields->name, "z");
    assert_string_equal(file->enums->values->name, "W");
    assert_string_equal(file->services->methods->name, "O");
}

static void
test_unexpected_end_of_file_is_reported_at_the_end(void **state)
{
    fx *f = *state;
    mc_file *file = parse(f, "message A {\n  int32 x = 1;");
    assert_string_equal(f->out, "t.msg:2:15: error: syntax error, unexpected end of file\n"
                                "  int32 x = 1;\n"
                                "              ^\n");
    assert_string_equal(file->messages->fields->name, "x");
}

static void
test_keyword_used_as_a_name_is_a_syntax_error(void **state)
{
    fx *f = *state;
    parse(f, "message M { int32 max = 1; }\n");
    assert_string_equal(f->out, "t.msg:1:19: error: syntax error, unexpected 'max', expecting "
                                "identifier\n"
                                "message M { int32 max = 1; }\n"
                                "                  ^\n");
}

static void
test_integer_literals_out_of_int64_range_are_errors(void **state)
{
    fx *f = *state;
    mc_file *file = parse(f, "const A = 9223372036854775808;\n"
                             "enum E { V = -9223372036854775809; }\n"
                             "message M { int32 x = 0x10000000000000000; }\n");
    assert_string_equal(f->out, "t.msg:1:11: error: integer literal 9223372036854775808 is out "
                                "of range\n"
                                "const A = 9223372036854775808;\n"
                                "          ^\n"
                                "t.msg:2:14: error: integer literal -9223372036854775809 is out "
                                "of range\n"
                                "enum E { V = -9223372036854775809; }\n"
                                "             ^\n"
                                "t.msg:3:23: error: integer literal 0x10000000000000000 is out "
                                "of range\n"
                                "message M { int32 x = 0x10000000000000000; }\n"
                                "                      ^\n");
    assert_int_equal(file->consts->value, 0);
    assert_string_equal(file->messages->fields->name, "x");
}

static void
test_options_duplicate_or_unknown_are_errors(void **state)
{
    fx *f = *state;
    mc_file *file = parse(f, "message M {\n"
                             "  string s = 1 [max = 1, max = 2, size = 3];\n"
                             "}\n");
    assert_string_equal(f->out, "t.msg:2:26: error: duplicate option 'max'\n"
                                "  string s = 1 [max = 1, max = 2, size = 3];\n"
                                "                         ^\n"
                                "t.msg:2:17: note: previous 'max' is here\n"
                                "  string s = 1 [max = 1, max = 2, size = 3];\n"
                                "                ^\n"
                                "t.msg:2:35: error: unknown option 'size'\n"
                                "  string s = 1 [max = 1, max = 2, size = 3];\n"
                                "                                  ^\n");
    assert_int_equal(file->messages->fields->max.value, 1);
    assert_false(file->messages->fields->max_len.set);
}

static void
test_labelled_oneof_members_and_second_package_are_errors(void **state)
{
    fx *f = *state;
    mc_file *file =
        parse(f, "package a;\n"
                 "package b;\n"
                 "message M { oneof u { repeated int32 r = 1; optional int32 o = 2; } }\n");
    assert_string_equal(f->out, "t.msg:2:9: error: duplicate package statement\n"
                                "package b;\n"
                                "        ^\n"
                                "t.msg:1:9: note: previous package statement is here\n"
                                "package a;\n"
                                "        ^\n"
                                "t.msg:3:23: error: a oneof member cannot be repeated\n"
                                "message M { oneof u { repeated int32 r = 1; optional int32 o = "
                                "2; } }\n"
                                "                      ^\n"
                                "t.msg:3:45: error: a oneof member cannot be optional\n"
                                "message M { oneof u { repeated int32 r = 1; optional int32 o = "
                                "2; } }\n"
                                "                                            ^\n");
    assert_string_equal(file->package, "a");
    mc_field *r = file->messages->fields;
    assert_int_equal(r->label, MC_L_NONE);
    assert_int_equal(r->next->label, MC_L_NONE);
    assert_ptr_equal(r->oneof, file->messages->oneofs);
}

static void
test_unterminated_block_at_end_of_file_reports_both_errors(void **state)
{
    fx *f = *state;
    parse(f, "message A { /* open\n");
    assert_string_equal(f->out, "t.msg:1:13: error: unterminated comment\n"
                                "message A { /* open\n"
                                "            ^\n"
                                "t.msg:2:1: error: syntax error, unexpected end of file\n");
}

static void
test_nesting_past_the_parser_stack_is_one_error(void **state)
{
    fx *f = *state;
    static char text[5000 * 12 + 1];
    for (int i = 0; i < 5000; i++)
        memcpy(text + i * 12, "message A {\n", 12);
    mc_file *file = parse(f, text);
    assert_string_equal(f->out, "t.msg:4999:9: error: declarations nested too deeply\n"
                                "message A {\n"
                                "        ^\n");
    assert_int_equal(mc_diag_errors(f->diag), 1);
    assert_string_equal(file->messages->nested->nested->name, "A");
}

static void
test_type_kind_names_and_scalar_kinds(void **state)
{
    (void)state;
    assert_string_equal(mc_type_kind_name(MC_T_NONE), "unresolved");
    assert_string_equal(mc_type_kind_name(MC_T_BOOL), "bool");
    assert_string_equal(mc_type_kind_name(MC_T_SFIXED64), "sfixed64");
    assert_string_equal(mc_type_kind_name(MC_T_BYTES), "bytes");
    assert_string_equal(mc_type_kind_name(MC_T_ENUM), "enum");
    assert_string_equal(mc_type_kind_name(MC_T_MESSAGE), "message");
    for (mc_type_kind k = MC_T_BOOL; k <= MC_T_DOUBLE; k++)
        assert_true(mc_type_is_scalar(k));
    assert_true(mc_type_is_scalar(MC_T_ENUM));
    assert_false(mc_type_is_scalar(MC_T_NONE));
    assert_false(mc_type_is_scalar(MC_T_STRING));
    assert_false(mc_type_is_scalar(MC_T_BYTES));
    assert_false(mc_type_is_scalar(MC_T_MESSAGE));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_spec_example_file_level, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spec_example_simple_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spec_example_reading_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spec_example_reading_oneof_members_reserved_nested,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_spec_example_service, setup, teardown),
        cmocka_unit_test_setup_teardown(test_doc_comments_attach_to_every_kind_of_declaration,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_doc_comment_lines_join_and_survive_blank_lines_and_comments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_doc_comment_group_after_a_gap_replaces_the_earlier_one,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_messages_and_enums_keep_their_parents, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_literals_ranges_and_const_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_file_and_empty_statements_parse_to_nothing,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_appends_each_file_to_the_program, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_syntax_errors_recover_at_semicolons_and_braces, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unexpected_end_of_file_is_reported_at_the_end, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_keyword_used_as_a_name_is_a_syntax_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_integer_literals_out_of_int64_range_are_errors, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_options_duplicate_or_unknown_are_errors, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_labelled_oneof_members_and_second_package_are_errors,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_unterminated_block_at_end_of_file_reports_both_errors,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_nesting_past_the_parser_stack_is_one_error, setup,
                                        teardown),
        cmocka_unit_test(test_type_kind_names_and_scalar_kinds),
    };
    return cmocka_run_group_tests_name("parser", tests, NULL, NULL);
}
