# msgc - schema-driven message and RPC code generator for C.
#
#   make            msgc, libmsgc.a, libmsgc.so (into build/)
#   make check      every test
#   make demo       the examples, run
#   make deps       installs the Debian packages the build needs
#   make asan       the tests under ASan+UBSan (build/asan)
#   make valgrind   the tests under valgrind
#   make fuzz       the fuzz targets (clang, libFuzzer)
#   make bench      the benchmarks
#   make install    msgc, libmsgc, msgc.h and msgc.pc into $(DESTDIR)$(PREFIX)
#   make regen-golden   rewrites tests/golden/*.expected from the current generator
#
# Objects and generated sources go to $(BUILD), never into the tree.

BUILD ?= build
CC ?= cc
OPT ?= -O2
SAN ?=
TEST_WRAP ?=
FUZZ_SECONDS ?= 60

ifeq ($(origin CC),default)
CC := cc
endif

WARN := -Wall -Wextra -Wpedantic -Wshadow -Werror -Wstrict-prototypes \
        -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wundef
BASE := -std=c11 -g $(OPT) $(SAN) -fPIC -D_POSIX_C_SOURCE=200809L -MMD -MP
CFLAGS_COMPILER := $(BASE) $(WARN) -Icompiler -I$(BUILD)/gen
CFLAGS_RUNTIME := $(BASE) $(WARN) -Wconversion -Iruntime
# Generated code must pass these, as users will compile it.
GEN_WARN := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Werror
CFLAGS_GENERATED := $(BASE) $(GEN_WARN) -Iruntime
# flex and bison output: the only code built with relaxed flags.
CFLAGS_FLEXBISON := $(BASE) -Wall -Wno-unused-function -Wno-sign-compare -Werror \
                    -Icompiler -I$(BUILD)/gen
CFLAGS_TEST := $(BASE) $(WARN) -Wno-missing-prototypes -Icompiler -Iruntime \
               -I$(BUILD)/gen -Itests/support -I$(BUILD)/tests/gen
LDLIBS_RUNTIME := -lrt -lpthread

DEB_PKGS := make gcc g++ clang flex bison pkg-config libcmocka-dev protobuf-c-compiler \
            libprotobuf-c-dev libclang-rt-14-dev valgrind libzmq3-dev gnuplot-nox

# --- the compiler ---
COMPILER_SRC := $(filter-out compiler/main.c,$(wildcard compiler/*.c))
COMPILER_OBJ := $(COMPILER_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/lexer.o $(BUILD)/gen/parser.o \
                $(BUILD)/gen/templates.o
TEMPLATES := $(sort $(wildcard templates/*.tmpl))
MSGC := $(BUILD)/msgc
LIBMC := $(BUILD)/libmc.a

# --- the runtime ---
RUNTIME_SRC := $(wildcard runtime/*.c)
RUNTIME_OBJ := $(RUNTIME_SRC:%.c=$(BUILD)/%.o)
LIBMSGC := $(BUILD)/libmsgc.a
LIBMSGC_SO := $(BUILD)/libmsgc.so

# --- tests ---
TEST_SUPPORT_SRC := $(wildcard tests/support/*.c)
TEST_SUPPORT_OBJ := $(TEST_SUPPORT_SRC:%.c=$(BUILD)/%.o)
# An archive, so each test links only the support code it uses.
TEST_SUPPORT := $(BUILD)/libtestsupport.a
COMPILER_TESTS := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/compiler/test_*.c))
RUNTIME_TESTS := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/runtime/test_*.c))
TEST_SCHEMAS := $(sort $(wildcard tests/schemas/*.msg))
TEST_GEN_C := $(TEST_SCHEMAS:tests/schemas/%.msg=$(BUILD)/tests/gen/%.msg.c)
TEST_GEN_OBJ := $(TEST_GEN_C:%.c=%.o)
# protobuf-c's side of the interop tests, from the .proto files msgc writes.
TEST_PB_C := $(TEST_SCHEMAS:tests/schemas/%.msg=$(BUILD)/tests/gen/%.pb-c.c)
TEST_PB_OBJ := $(TEST_PB_C:%.c=%.o)
TESTS := $(COMPILER_TESTS) $(RUNTIME_TESTS)

HAVE_DEPS := $(shell command -v flex >/dev/null && command -v bison >/dev/null && \
               command -v protoc-c >/dev/null && test -f /usr/include/cmocka.h && echo yes)
ifneq ($(HAVE_DEPS),yes)
NEED_DEPS := deps
endif

.PHONY: all check demo deps asan valgrind fuzz bench clean regen-golden tests install
.DELETE_ON_ERROR:
# Generated test code is kept: other targets link it.
.SECONDARY:

all: $(MSGC) $(LIBMSGC) $(LIBMSGC_SO)

deps:
	@if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PKGS); \
	else \
	    echo "run as root: apt-get install -y $(DEB_PKGS)"; \
	fi

# --- build rules ---

$(BUILD)/compiler/%.o: compiler/%.c | $(BUILD)/gen/parser.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMPILER) -c $< -o $@

$(BUILD)/gen/parser.c: compiler/parser.y
	@mkdir -p $(@D)
	bison -Wall -Werror --defines=$(BUILD)/gen/parser.h -o $@ $<

$(BUILD)/gen/parser.h: $(BUILD)/gen/parser.c

$(BUILD)/gen/lexer.c: compiler/lexer.l $(BUILD)/gen/parser.c
	@mkdir -p $(@D)
	flex --header-file=$(BUILD)/gen/lexer.h -o $@ $<

$(BUILD)/gen/lexer.h: $(BUILD)/gen/lexer.c

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(CFLAGS_FLEXBISON) -c $< -o $@

$(BUILD)/gen/templates.c: $(TEMPLATES) compiler/embed.sh
	@mkdir -p $(@D)
	sh compiler/embed.sh $(TEMPLATES) > $@

$(BUILD)/gen/templates.o: $(BUILD)/gen/templates.c
	$(CC) $(CFLAGS_COMPILER) -c $< -o $@

$(LIBMC): $(COMPILER_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(MSGC): $(BUILD)/compiler/main.o $(LIBMC)
	$(CC) $(SAN) -o $@ $^

$(BUILD)/runtime/%.o: runtime/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_RUNTIME) -c $< -o $@

$(LIBMSGC): $(RUNTIME_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(LIBMSGC_SO): $(RUNTIME_OBJ)
	$(CC) $(SAN) -shared -Wl,-soname,libmsgc.so.0 -o $@ $^ $(LDLIBS_RUNTIME)

# --- tests ---

$(BUILD)/tests/support/%.o: tests/support/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TEST) -c $< -o $@

$(BUILD)/tests/gen/.stamp: $(TEST_SCHEMAS) $(MSGC)
	@rm -rf $(@D) && mkdir -p $(@D)
	$(MSGC) --proto -I tests/schemas -o $(@D) $(TEST_SCHEMAS)
	@touch $@

$(TEST_GEN_C): $(BUILD)/tests/gen/.stamp

$(BUILD)/tests/gen/%.msg.o: $(BUILD)/tests/gen/%.msg.c
	$(CC) $(CFLAGS_GENERATED) -I$(BUILD)/tests/gen -c $< -o $@

$(TEST_PB_C): $(BUILD)/tests/gen/%.pb-c.c: $(BUILD)/tests/gen/.stamp
	cd $(BUILD)/tests/gen && protoc-c --c_out=. $*.proto

# A .pb-c.c includes the headers of the schemas it imports: make them all first.
$(TEST_PB_OBJ): $(TEST_PB_C)

$(BUILD)/tests/gen/%.pb-c.o: $(BUILD)/tests/gen/%.pb-c.c
	$(CC) $(BASE) -w -I$(BUILD)/tests/gen -c $< -o $@

$(TEST_SUPPORT): $(TEST_SUPPORT_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/tests/compiler/%: tests/compiler/%.c $(LIBMC) $(TEST_SUPPORT)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TEST) -o $@ $< $(TEST_SUPPORT) $(LIBMC) -lcmocka

$(BUILD)/tests/runtime/%: tests/runtime/%.c $(LIBMSGC) $(TEST_SUPPORT) $(TEST_GEN_OBJ) \
                          $(TEST_PB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TEST) -o $@ $< $(TEST_SUPPORT) $(TEST_GEN_OBJ) $(TEST_PB_OBJ) \
	    $(LIBMSGC) -lcmocka -lprotobuf-c $(LDLIBS_RUNTIME)

tests: $(TESTS)

check: $(NEED_DEPS)
	@$(MAKE) --no-print-directory all tests
	@MSGC=$(MSGC) TEST_WRAP="$(TEST_WRAP)" sh tests/run.sh $(TESTS)

asan:
	@$(MAKE) --no-print-directory BUILD=build/asan OPT="-O1 -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" check

valgrind:
	@$(MAKE) --no-print-directory BUILD=build/valgrind OPT=-O1 \
	    TEST_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --trace-children=no" check

bench: $(NEED_DEPS)
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory -s -C bench MSGC_ROOT=$(CURDIR) \
	    BUILD=$(CURDIR)/$(BUILD)/bench run
	@$(MAKE) --no-print-directory -s -C bench/codec MSGC_ROOT=$(CURDIR) \
	    BUILD=$(abspath $(BUILD))/bench/codec MSGC=$(abspath $(MSGC)) \
	    LIBMSGC=$(abspath $(LIBMSGC)) run

EXAMPLES := $(sort $(dir $(wildcard examples/*/Makefile)))

demo: $(NEED_DEPS)
	@$(MAKE) --no-print-directory all
	@set -e; for ex in $(EXAMPLES); do \
	    echo "== $$ex: $$(sed -n 's/^# //p;q' $$ex/README.md)"; \
	    $(MAKE) --no-print-directory -s -C $$ex MSGC_ROOT=$(CURDIR) \
	        BUILD=$(CURDIR)/$(BUILD)/$$ex run; \
	done

PREFIX ?= /usr/local
DESTDIR ?=

# Rewritten on every install, since it holds PREFIX.
.PHONY: $(BUILD)/msgc.pc
$(BUILD)/msgc.pc:
	@mkdir -p $(@D)
	printf '%s\n' 'prefix=$(PREFIX)' 'includedir=$${prefix}/include' 'libdir=$${prefix}/lib' '' \
	    'Name: msgc' 'Description: typed messages and RPC between C programs' \
	    'Version: 0.1.0' 'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -lmsgc' \
	    'Libs.private: -lrt -lpthread' > $@

install: all $(BUILD)/msgc.pc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 0755 $(MSGC) $(DESTDIR)$(PREFIX)/bin/msgc
	install -m 0644 runtime/msgc.h runtime/msgc_wire.h $(DESTDIR)$(PREFIX)/include/
	install -m 0644 $(LIBMSGC) $(DESTDIR)$(PREFIX)/lib/libmsgc.a
	install -m 0755 $(LIBMSGC_SO) $(DESTDIR)$(PREFIX)/lib/libmsgc.so.0
	ln -sf libmsgc.so.0 $(DESTDIR)$(PREFIX)/lib/libmsgc.so
	install -m 0644 $(BUILD)/msgc.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/msgc.pc

regen-golden: $(MSGC)
	sh tests/golden/regen.sh $(MSGC)

clean:
	rm -rf $(BUILD)

-include fuzz/fuzz.mk
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
