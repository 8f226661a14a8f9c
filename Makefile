# VXE build. `make` builds build/vxe; `make asan` the same with ASan+UBSan in
# build-asan/; `make check` runs the whole suite (see tests/run); `make fuzz`
# builds the libFuzzer targets with clang.
CC       ?= cc
BUILD    ?= build
PREFIX   ?= /usr/local
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-unused-parameter -Wformat=2 -Wvla
XCFLAGS  := -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc $(WARN) -fno-strict-aliasing \
            -fstack-protector-strong -D_FORTIFY_SOURCE=2 $(EXTRA_CFLAGS)
LDLIBS   := -lseccomp -lpthread

# One folder per part; the CLI links them all through libvxe.a.
LIB_SRC  := $(wildcard src/lisp/*.c src/policy/*.c src/compile/*.c src/supervisor/*.c src/log/*.c \
                      src/trace/*.c)
CLI_SRC  := $(wildcard src/cli/*.c)
UNIT_SRC := $(wildcard tests/unit/*.c)
HELP_SRC := $(wildcard tests/helpers/*.c)

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HELP_BIN := $(HELP_SRC:tests/helpers/%.c=$(BUILD)/helpers/%)

all: $(BUILD)/vxe $(UNIT_BIN) $(HELP_BIN)

$(BUILD)/%.o: %.c $(wildcard include/vxe/*.h) $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) -c -o $@ $<

$(BUILD)/libvxe.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/vxe: $(CLI_OBJ) $(BUILD)/libvxe.a
	$(CC) $(CFLAGS) $(XCFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libvxe.a $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/lib/tap.h $(BUILD)/libvxe.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) -Itests/lib -o $@ $< $(BUILD)/libvxe.a $(LDLIBS)

# The corpus replay compiles the fuzz target's entry point in.
$(BUILD)/tests/test_fuzz_replay: fuzz/fuzz_lisp.c

HELPER_LDLIBS_kcount := -lpthread

# Programs the live and end-to-end tests run inside a VXE (attackers, probes).
# Built without sanitizers: they are the confined side, not the code under test.
$(BUILD)/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -std=gnu11 -D_GNU_SOURCE -Iinclude -Wall -Werror -o $@ $< $(HELPER_LDLIBS_$*)

asan:
	$(MAKE) BUILD=build-asan CC=clang \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  EXTRA_CFLAGS="-U_FORTIFY_SOURCE -DVXE_FREE_AT_EXIT"

fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang \
	  CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
	  EXTRA_CFLAGS="-U_FORTIFY_SOURCE" build-fuzz/libvxe.a
	clang -O1 -g -fsanitize=fuzzer,address,undefined -Iinclude -o build-fuzz/fuzz_lisp \
	  fuzz/fuzz_lisp.c build-fuzz/libvxe.a $(LDLIBS)

check:
	tests/run

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

install: $(BUILD)/vxe
	install -D -m 0755 $(BUILD)/vxe $(DESTDIR)$(PREFIX)/bin/vxe
	install -D -m 0644 man/vxe.1 $(DESTDIR)$(PREFIX)/share/man/man1/vxe.1

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all asan fuzz check format install clean
