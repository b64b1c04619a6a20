# smtplog: non-recursive build. Objects go to build/, the binary to ./smtplog.

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
PKGS     = libpcap libcrypto zlib jansson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# libpcap and libmagic ship no .pc file on some Debian releases.
LIBS     = $(if $(findstring -lpcap,$(PKG_LIBS)),$(PKG_LIBS),$(PKG_LIBS) -lpcap) -lmagic -lm

WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) $(CFLAGS) -I. $(PKG_CFLAGS) -MMD -MP

LIB_SRC  = $(sort $(wildcard core/*.c proto/*.c output/*.c))
CMD_SRC  = $(sort $(wildcard cmd/*.c))
TEST_SRC = $(sort $(wildcard tests/core/test_*.c tests/proto/test_*.c tests/output/test_*.c))
TOOL_SRC = $(sort $(wildcard tools/*.c))

B = build
LIB_OBJ  = $(LIB_SRC:%.c=$(B)/%.o)
CMD_OBJ  = $(CMD_SRC:%.c=$(B)/%.o)
TEST_BIN = $(TEST_SRC:%.c=$(B)/%)
TOOL_BIN = $(TOOL_SRC:tools/%.c=$(B)/tools/%)

# Sanitizer build: same sources, separate objects.
SB = build/sanitize
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_LIB_OBJ = $(LIB_SRC:%.c=$(SB)/%.o)
SAN_CMD_OBJ = $(CMD_SRC:%.c=$(SB)/%.o)

.PHONY: all deps run test unit golden conform sanitize bench install clean lint fuzz fuzz-build

all: smtplog

deps:
	@sh tools/deps.sh

smtplog: $(LIB_OBJ) $(CMD_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/tests/%: tests/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJ) $(LIBS)

$(B)/tools/%: tools/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJ) $(LIBS)

# The conformance runner needs only jansson and libc.
$(B)/conform: tests/conform/conform.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBS)

sanitize: smtplog-sanitize
smtplog-sanitize: $(SAN_LIB_OBJ) $(SAN_CMD_OBJ)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS)
$(SB)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) $(SAN_FLAGS) -I. $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

# libFuzzer targets (tests/fuzz/): clang with ASan+UBSan, objects of their
# own in build/fuzz/obj, seed corpora made from testdata/ by seeds.sh.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
export FUZZ_CC
FB = $(B)/fuzz
FUZZ_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -g -O1 -fno-omit-frame-pointer \
	-fno-sanitize-recover=all -I. $(PKG_CFLAGS) -MMD -MP
FUZZ_LIB_OBJ = $(LIB_SRC:%.c=$(FB)/obj/%.o)
FUZZ_BIN = $(patsubst tests/fuzz/%.c,$(FB)/%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))

$(FB)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<
$(FB)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_LIB_OBJ) $(LIBS)
# The seed extractor is an ordinary program on the ordinary objects.
$(FB)/seedgen: tests/fuzz/seedgen.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJ) $(LIBS)
$(FB)/corpus.stamp: tests/fuzz/seeds.sh $(FB)/seedgen $(wildcard testdata/*.pcap testdata/certs/*.der)
	@sh tests/fuzz/seeds.sh
	@touch $@
fuzz-build: $(FUZZ_BIN) $(FB)/corpus.stamp
# Made by a pattern rule only: keep them between builds.
.SECONDARY: $(FUZZ_LIB_OBJ)

# Every target for FUZZ_SECONDS each, one after the other; fails on a crash.
fuzz: deps
	@if sh tests/fuzz/fuzz.sh toolchain; then \
		$(MAKE) --no-print-directory fuzz-build && \
		FUZZ_KEEP_CORPUS=1 sh tests/fuzz/fuzz.sh run $(FUZZ_SECONDS) 1; \
	fi

# The bundled sample was recorded on loopback (testdata/record.sh), where
# checksums are offloaded, hence -C.
run: deps
	@$(MAKE) --no-print-directory smtplog
	./smtplog -C -r testdata/smtp-swaks.pcap -o logs --force
	@echo "logs written to logs/:"; ls -l logs

test: deps
	@$(MAKE) --no-print-directory smtplog smtplog-sanitize $(TEST_BIN) $(TOOL_BIN) $(B)/conform
	@if sh tests/fuzz/fuzz.sh toolchain >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory fuzz-build; fi
	@sh tests/run.sh

bench: deps
	@$(MAKE) --no-print-directory smtplog $(TOOL_BIN)
	@sh tools/bench.sh

lint:
	@sh tools/lint.sh

# The completions come from the binary's own option table.
install: smtplog
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 755 smtplog $(DESTDIR)$(PREFIX)/bin/smtplog
	install -m 644 man/smtplog.1 $(DESTDIR)$(PREFIX)/share/man/man1/smtplog.1
	./smtplog --completion bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/smtplog
	./smtplog --completion zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_smtplog

clean:
	rm -rf $(B) smtplog smtplog-sanitize

-include $(shell find $(B) -name '*.d' 2>/dev/null)
