#!/bin/sh
# make lint: the include rule (STYLE.md) and clang-format/cppcheck when present.
set -u
cd "$(dirname "$0")/.."
bad=0
# core/ includes only core/; proto/ and output/ include core/ and themselves.
for dir in core proto output; do
	for f in $dir/*.c $dir/*.h; do
		[ -e "$f" ] || continue
		grep -n '#include "' "$f" | while IFS= read -r line; do
			inc=$(printf '%s' "$line" | sed 's/.*#include "\([^"]*\)".*/\1/')
			top=${inc%%/*}
			case "$dir:$top" in
			core:core | proto:core | proto:proto | output:core | output:output) ;;
			*) echo "lint: $f includes $inc (against the include rule)"; exit 1 ;;
			esac
		done || bad=1
	done
done
# core/ and cmd/ name no protocol: protocol knowledge lives in proto/ and the
# registry (README, "Adding an analyzer"). Comments and strings do not count.
# Allowed: the OpenSSL library (core/files.c hashes with it).
if command -v gcc >/dev/null 2>&1; then
	for f in core/*.[ch] cmd/*.[ch]; do
		[ -e "$f" ] || continue
		gcc -fpreprocessed -dD -E -P "$f" 2>/dev/null |
			sed 's/"\([^"\\]\|\\.\)*"/""/g' |
			grep -oiE '\b[a-z_0-9]*(smtp|tls|ssl|imap|xmpp|x509|mime_hdr)[a-z_0-9]*\b' |
			grep -viE '^(smtplog.*|openssl|openssl_version)$' |
			sort -u | sed "s|^|lint: $f names a protocol: |" | grep . && bad=1
	done
fi
if command -v clang-format >/dev/null 2>&1 && [ -f .clang-format ]; then
	for f in core/*.[ch] proto/*.[ch] output/*.[ch] cmd/*.[ch]; do
		[ -e "$f" ] || continue
		clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || echo "lint: $f is not clang-formatted (advisory)"
	done
fi
# Generated tables that are committed: the generator must still make them.
if command -v python3 >/dev/null 2>&1; then
	python3 tools/gen_ip_dfa.py | cmp -s - proto/smtp_addr_ip_dfa.inc ||
		{ echo "lint: proto/smtp_addr_ip_dfa.inc differs from tools/gen_ip_dfa.py's output"; bad=1; }
fi
if command -v cppcheck >/dev/null 2>&1; then
	cppcheck -q --error-exitcode=1 --enable=warning,portability --std=c11 -I. core proto output cmd || bad=1
fi
[ $bad = 0 ] && echo "lint: ok"
exit $bad
