# fuzz.mk - the fuzz targets (included by the top Makefile after its own rules).
#
#   make fuzz [FUZZ_SECONDS=60]   builds fuzz_decode, fuzz_parse and fuzz_frame with clang,
#                                 libFuzzer, ASan and UBSan into $(BUILD)/fuzz/ and runs
#                                 each for FUZZ_SECONDS, one after the other
#   make check                    also replays fuzz/corpus/<target>/ through replay_<target>,
#                                 built with $(CC) and the normal (or asan) flags
#
# libFuzzer writes what it finds into $(BUILD)/fuzz/corpus/<target>/ (fuzz/corpus/ is
# only read) and crash reproducers into $(BUILD)/fuzz/artifacts/. Copy a reproducer into
# fuzz/corpus/<target>/ once it is understood, so `make check` replays it for good.

FUZZ_TARGETS := decode parse frame
FUZZ_CC ?= clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_BASE := -std=c11 -g -O2 -fno-omit-frame-pointer -D_POSIX_C_SOURCE=200809L -MMD -MP
# Everything linked into a fuzzer is instrumented for coverage; only the link adds main().
# Warnings are shown but do not stop a fuzz build: the normal builds enforce them.
FUZZ_CFLAGS := $(FUZZ_BASE) $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(WARN) -Wno-error
FUZZ_CFLAGS_FLEXBISON := $(FUZZ_BASE) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -Wall \
                         -Wno-unused-function -Wno-sign-compare -Werror
FUZZ_LDFLAGS := $(FUZZ_SAN) -fsanitize=fuzzer
FUZZ_OPTS ?= -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
FUZZ_DIR := $(BUILD)/fuzz
# The flags live here, so the fuzz objects are rebuilt when this file changes.
FUZZ_MK := fuzz/fuzz.mk
FUZZ_OBJ_DIR := $(FUZZ_DIR)/obj
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_REPLAY := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/replay_%)

# Comparison tracing (which feeds libFuzzer's mutations with the operands of every
# comparison) is left out where the operands are not decisions about the input: the
# flex and bison tables, the embedded templates, and the code that formats
# diagnostics, renders templates, lays out or writes output, allocates, or checks the
# output (fuzz_parse's oracle and the in-memory file system). Edge coverage and the
# sanitizers stay on everywhere; fuzz_parse runs more than twice as fast this way.
FUZZ_NO_CMP := -fno-sanitize-coverage=trace-cmp
FUZZ_NO_CMP_OBJ := $(addprefix $(FUZZ_OBJ_DIR)/,gen/lexer.o gen/parser.o gen/templates.o \
                   compiler/diag.o compiler/tmpl.o compiler/gen.o compiler/wrap.o \
                   compiler/proto.o compiler/arena.o tests/support/memfs.o fuzz/fuzz_parse.o)

FUZZ_RUNTIME_OBJ := $(RUNTIME_SRC:%.c=$(FUZZ_OBJ_DIR)/%.o)
FUZZ_COMPILER_OBJ := $(COMPILER_SRC:%.c=$(FUZZ_OBJ_DIR)/%.o) $(FUZZ_OBJ_DIR)/gen/lexer.o \
                     $(FUZZ_OBJ_DIR)/gen/parser.o $(FUZZ_OBJ_DIR)/gen/templates.o
FUZZ_GEN_OBJ := $(FUZZ_OBJ_DIR)/tests/gen/all_types.msg.o $(FUZZ_OBJ_DIR)/tests/gen/a_common.msg.o
FUZZ_GEN_C := $(BUILD)/tests/gen/all_types.msg.c $(BUILD)/tests/gen/a_common.msg.c

TESTS += $(FUZZ_REPLAY)
# `tests: $(TESTS)` was read before this file added to TESTS.
tests: $(FUZZ_REPLAY)

.PHONY: fuzz fuzz-build

fuzz-build: $(FUZZ_BINS)

# Options of one target: the schema fuzzer gets the schema words and inputs of up to 8 KiB
# (its seeds hold one of 60 KB, which would otherwise set the limit).
FUZZ_OPTS_decode :=
FUZZ_OPTS_parse := -dict=fuzz/parse.dict -max_len=8192
FUZZ_OPTS_frame :=

# Runs target $(1) for FUZZ_SECONDS and prints its executions and seconds.
define fuzz_run
	@mkdir -p $(FUZZ_DIR)/corpus/$(1) $(FUZZ_DIR)/artifacts
	@echo "== fuzz_$(1): $(FUZZ_SECONDS) s"
	@if ! $(FUZZ_DIR)/fuzz_$(1) $(FUZZ_OPTS) $(FUZZ_OPTS_$(1)) -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=$(FUZZ_DIR)/artifacts/$(1)- $(FUZZ_DIR)/corpus/$(1) fuzz/corpus/$(1) \
	    > $(FUZZ_DIR)/fuzz_$(1).log 2>&1; then \
	    tail -n 60 $(FUZZ_DIR)/fuzz_$(1).log; \
	    echo "fuzz_$(1): FAILED, reproducer in $(FUZZ_DIR)/artifacts/"; exit 1; \
	fi
	@runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(FUZZ_DIR)/fuzz_$(1).log); \
	secs=$$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' $(FUZZ_DIR)/fuzz_$(1).log); \
	echo "fuzz_$(1): $$runs executions in $$secs s, no finding"

endef

fuzz: fuzz-build
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_run,$(t)))

# --- the libFuzzer binaries (clang) ---

$(FUZZ_NO_CMP_OBJ): private FUZZ_OBJ_FLAGS := $(FUZZ_NO_CMP)

$(FUZZ_DIR)/fuzz_decode: $(FUZZ_OBJ_DIR)/fuzz/fuzz_decode.o $(FUZZ_GEN_OBJ) $(FUZZ_RUNTIME_OBJ)
	$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $^ $(LDLIBS_RUNTIME)

$(FUZZ_DIR)/fuzz_frame: $(FUZZ_OBJ_DIR)/fuzz/fuzz_frame.o $(FUZZ_RUNTIME_OBJ)
	$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $^ $(LDLIBS_RUNTIME)

$(FUZZ_DIR)/fuzz_parse: $(FUZZ_OBJ_DIR)/fuzz/fuzz_parse.o $(FUZZ_OBJ_DIR)/tests/support/memfs.o \
                        $(FUZZ_COMPILER_OBJ)
	$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $^

$(FUZZ_OBJ_DIR)/runtime/%.o: runtime/%.c $(FUZZ_MK)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wconversion -Iruntime -c $< -o $@

$(FUZZ_OBJ_DIR)/compiler/%.o: compiler/%.c $(FUZZ_MK) | $(BUILD)/gen/parser.c $(BUILD)/gen/lexer.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_OBJ_FLAGS) $(FUZZ_CFLAGS) -Icompiler -I$(BUILD)/gen -c $< -o $@

$(FUZZ_OBJ_DIR)/gen/templates.o: $(BUILD)/gen/templates.c $(FUZZ_MK)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_OBJ_FLAGS) $(FUZZ_CFLAGS) -Icompiler -I$(BUILD)/gen -c $< -o $@

$(FUZZ_OBJ_DIR)/gen/%.o: $(BUILD)/gen/%.c $(FUZZ_MK)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_OBJ_FLAGS) $(FUZZ_CFLAGS_FLEXBISON) -Icompiler -I$(BUILD)/gen -c $< -o $@

$(FUZZ_OBJ_DIR)/tests/gen/%.msg.o: $(BUILD)/tests/gen/%.msg.c $(FUZZ_MK)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wconversion -Wsign-conversion -Iruntime -I$(BUILD)/tests/gen \
	    -c $< -o $@

$(FUZZ_OBJ_DIR)/tests/support/%.o: tests/support/%.c $(FUZZ_MK)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_OBJ_FLAGS) $(FUZZ_CFLAGS) -Icompiler -I$(BUILD)/gen -Itests/support -c $< -o $@

$(FUZZ_OBJ_DIR)/fuzz/%.o: fuzz/%.c $(FUZZ_GEN_C) $(FUZZ_MK)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_OBJ_FLAGS) $(FUZZ_CFLAGS) -Icompiler -Iruntime -I$(BUILD)/gen -Itests/support \
	    -I$(BUILD)/tests/gen -c $< -o $@

# --- the corpus replay programs ($(CC), the normal flags), run by `make check` ---

$(BUILD)/fuzz/%.o: fuzz/%.c $(FUZZ_GEN_C)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TEST) -c $< -o $@

$(FUZZ_DIR)/replay_decode: $(BUILD)/fuzz/replay_decode.o $(BUILD)/fuzz/fuzz_decode.o \
                           $(TEST_GEN_OBJ) $(LIBMSGC)
	$(CC) $(SAN) -o $@ $^ $(LDLIBS_RUNTIME)

$(FUZZ_DIR)/replay_frame: $(BUILD)/fuzz/replay_frame.o $(BUILD)/fuzz/fuzz_frame.o $(LIBMSGC)
	$(CC) $(SAN) -o $@ $^ $(LDLIBS_RUNTIME)

$(FUZZ_DIR)/replay_parse: $(BUILD)/fuzz/replay_parse.o $(BUILD)/fuzz/fuzz_parse.o \
                          $(TEST_SUPPORT) $(LIBMC)
	$(CC) $(SAN) -o $@ $^

# One object of replay.c per target, each naming its corpus.
$(BUILD)/fuzz/replay_%.o: fuzz/replay.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TEST) -DFUZZ_CORPUS='"fuzz/corpus/$*"' -c $< -o $@
