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

.PHONY: all deps run test unit golden conform sanitize bench install clean lint

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

# The bundled sample was recorded on loopback (testdata/record.sh), where
# checksums are offloaded, hence -C.
run: deps
	@$(MAKE) --no-print-directory smtplog
	./smtplog -C -r testdata/smtp-swaks.pcap -o logs --force
	@echo "logs written to logs/:"; ls -l logs

test: deps
	@$(MAKE) --no-print-directory smtplog smtplog-sanitize $(TEST_BIN) $(TOOL_BIN) $(B)/conform
	@sh tests/run.sh

bench: deps
	@$(MAKE) --no-print-directory smtplog $(TOOL_BIN)
	@sh tools/bench.sh

lint:
	@sh tools/lint.sh

install: smtplog
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 smtplog $(DESTDIR)$(PREFIX)/bin/smtplog
	install -m 644 man/smtplog.1 $(DESTDIR)$(PREFIX)/share/man/man1/smtplog.1

clean:
	rm -rf $(B) smtplog smtplog-sanitize

-include $(shell find $(B) -name '*.d' 2>/dev/null)
