#!/bin/sh
# Bounded resources (issue 6): smtplog on pathological captures made by
# tools/gen_hostile (a SYN flood, gigabytes without a newline, MIME nested
# thousands deep or with megabyte boundaries, a million RCPT TO, megabyte
# headers, a TLS handshake message claiming 16 MiB, thousands of
# certificates, shuffled one-byte TCP segments above a hole). Each check runs
# smtplog under build/tools/runmeasure and wants exit 0, the expected log
# lines, and a peak RSS below a fixed bound. Each check is one line; the
# last line is "N passed, N failed".
#
#   sh tests/limits.sh          scaled-down captures in a temporary folder
#   sh tests/limits.sh --full   full size (2,000,000 SYNs, 2 GiB lines, ...),
#                               streamed through a pipe, never stored; ends
#                               with a table of input size, time and peak RSS
#
# SMTPLOG overrides the binary (default ./smtplog).
set -u
cd "$(dirname "$0")/.." || exit 2
S=${SMTPLOG:-./smtplog}
G=build/tools/gen_hostile
M=build/tools/runmeasure
full=0
case "${1:-}" in
--full) full=1 ;;
"") ;;
*) echo "usage: sh tests/limits.sh [--full]" >&2; exit 1 ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/smtplog-limits.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
lines() {
	n=$(grep -vc '^#' "$1" 2>/dev/null)
	echo "${n:-0}"
}
# field LOG NAME: the column NAME of every line of LOG.
field() {
	awk -F '\t' -v want="$2" '/^#fields/ { for (i = 2; i <= NF; i++) if ($i == want) col = i - 1; next }
		/^#/ { next } col { print $col }' "$1" 2>/dev/null
}

if [ ! -x "$G" ] || [ ! -x "$M" ]; then
	make -s "$G" "$M" >/dev/null 2>&1
fi
for f in "$S" "$G" "$M"; do
	if [ ! -x "$f" ]; then
		bad "$f is not built"
		echo "$passed passed, $failed failed"
		exit 1
	fi
done

# A run that never ends (quadratic work) fails instead of hanging; the
# peak RSS runmeasure reports includes timeout's child.
limit=""
if command -v timeout >/dev/null 2>&1; then
	if [ $full = 1 ]; then limit="timeout 1800"; else limit="timeout 60"; fi
fi

# run KIND SIZE: makes the capture and runs smtplog on it, logs in
# $tmp/out. Sets secs, kb (peak RSS), rc, in_bytes, in_pkts.
run() {
	rm -rf "$tmp/out" "$tmp/in.pcap"
	echo "0 0 125" >"$tmp/rep"
	if [ $full = 1 ]; then
		"$G" "$1" - "$2" 2>"$tmp/gen.err" |
			"$M" "$tmp/rep" $limit "$S" -r - -o "$tmp/out" >/dev/null 2>"$tmp/err"
	elif "$G" "$1" "$tmp/in.pcap" "$2" 2>"$tmp/gen.err"; then
		"$M" "$tmp/rep" $limit "$S" -r "$tmp/in.pcap" -o "$tmp/out" >/dev/null 2>"$tmp/err"
	else
		echo "gen_hostile failed: $(head -1 "$tmp/gen.err")" >"$tmp/err"
	fi
	read -r secs kb rc <"$tmp/rep"
	in_pkts=$(sed -n 's/.*: \([0-9]*\) packets, [0-9]* bytes$/\1/p' "$tmp/gen.err")
	in_bytes=$(sed -n 's/.*packets, \([0-9]*\) bytes$/\1/p' "$tmp/gen.err")
	rm -f "$tmp/in.pcap"
}

: >"$tmp/table"
# verdict NAME BOUND_KB PROBLEM [NOTE]: one line for the check just run;
# PROBLEM is empty when the logs are as expected.
verdict() {
	mb=$(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "${in_bytes:-?}" "${in_pkts:-?}" "$secs" "$mb" \
		"${4:-}" >>"$tmp/table"
	if [ "$rc" = 124 ] && [ -n "$limit" ]; then
		bad "$1: still running after ${limit#timeout } s"
	elif [ "$rc" != 0 ]; then
		bad "$1: exit $rc ($(head -1 "$tmp/err"))"
	elif [ "$kb" -gt "$2" ]; then
		bad "$1: peak ${mb}MB above the bound of $(($2 / 1024))MB"
	elif [ -n "$3" ]; then
		bad "$1: $3"
	else
		ok "$1 peak=${mb}MB (bound $(($2 / 1024))MB) time=${secs}s${4:+ $4}"
	fi
}

# size SCALED FULL
size() { if [ $full = 1 ]; then echo "$2"; else echo "$1"; fi; }
MB=1024 # KB

# The process itself (libmagic, OpenSSL, buffers): the SYN flood's
# per-connection figure is measured above it.
run synflood 1
base_kb=$kb

# (a) SYN flood: Zeek keeps every connection until its inactivity timer
# (5 min), so memory grows with live connections; each must stay small.
n=$(size 20000 2000000)
run synflood "$n"
per=$(((kb - base_kb) * 1024 / n))
why=""
[ "$(lines "$tmp/out/conn.log")" = "$n" ] || why="conn.log has $(lines "$tmp/out/conn.log") lines, want $n"
[ -z "$why" ] && [ "$(field "$tmp/out/conn.log" conn_state | sort -u)" != S0 ] && why="conn_state not all S0"
[ -z "$why" ] && [ "$per" -gt 8192 ] && why="$per bytes per connection, more than 8192"
verdict "synflood($n SYNs to port 25)" $((base_kb + n * 8)) "$why" "bytes/conn=$per"

# (b) SMTP: the client sends SIZE bytes without a newline, as a command
# and as a body line (ContentLine's 16 MiB line limit cuts them).
n=$(size 64M 2G)
run longline "$n"
why=""
[ "$(field "$tmp/out/conn.log" service)" = smtp ] || why="conn.log service is not smtp"
verdict "longline($n command bytes)" $((48 * MB)) "$why"
run longbody "$n"
why=""
[ "$(lines "$tmp/out/smtp.log")" = 1 ] || why="no smtp.log line"
[ "$(lines "$tmp/out/files.log")" = 1 ] || why="no files.log line"
verdict "longbody($n body bytes)" $((48 * MB)) "$why"

# (c) MIME nested thousands deep (MIME::max_depth is 100).
n=$(size 5000 5000)
run mimedepth "$n"
why=""
[ "$(field "$tmp/out/smtp.log" subject)" = nested ] || why="smtp.log subject is not 'nested'"
verdict "mimedepth($n levels)" $((32 * MB)) "$why"

# 100 levels (MIME::max_depth) whose boundaries are each SIZE bytes long:
# only a prefix and a digest of each is kept, so the bound is the line and
# header buffers that one such line needs, not 100 of them.
n=$(size 262144 8388608)
run bigboundary "$n"
why=""
[ "$(field "$tmp/out/smtp.log" subject)" = "long boundaries" ] || why="smtp.log subject is not 'long boundaries'"
[ "$(lines "$tmp/out/files.log")" = 1 ] || why="files.log has $(lines "$tmp/out/files.log") lines, want 1"
verdict "bigboundary(100 x $n bytes)" $((16 * MB + 4 * n / 1024)) "$why"

# (d) RCPT TO: distinct addresses (the set stops at 1000, the log shows
# 100), and one 1000-byte address repeated (stored once).
n=$(size 200000 1000000)
run rcpt "$n"
why=""
[ "$(lines "$tmp/out/smtp.log")" = 1 ] || why="no smtp.log line"
[ "$(field "$tmp/out/smtp.log" rcptto | tr ',' '\n' | wc -l | tr -d ' ')" = 100 ] ||
	why="rcptto does not list 100 addresses"
verdict "rcpt($n distinct)" $((32 * MB)) "$why"
n=$(size 100000 200000)
run rcptdup "$n"
why=""
[ "$(field "$tmp/out/smtp.log" rcptto | wc -c | tr -d ' ')" = 1001 ] || why="rcptto is not the one address"
verdict "rcptdup($n x 1000 bytes)" $((32 * MB)) "$why"

# (e) An 8 MiB folded Subject, a 4 MiB header line, 262,144 headers
# (MIME::max_header_bytes is 64 KiB).
n=$(size 8M 8M)
run bigheader "$n"
why=""
field "$tmp/out/smtp.log" subject | grep -q '^big x' || why="smtp.log subject does not start with 'big x'"
verdict "bigheader($n)" $((48 * MB)) "$why"

# (f) TLS: a handshake message claiming 16 MiB, then SIZE bytes.
n=$(size 32M 1G)
run tlsbig "$n"
why=""
[ "$(lines "$tmp/out/ssl.log")" = 1 ] || why="no ssl.log line"
[ "$(field "$tmp/out/conn.log" service)" = ssl ] || why="conn.log service is not ssl"
verdict "tlsbig($n handshake bytes)" $((48 * MB)) "$why"

# (g) Thousands of certificates in one Certificate message, and many
# connections each with its own certificate.
n=$(size 5000 20000)
run tlscerts "$n"
why=""
[ "$(field "$tmp/out/ssl.log" established)" = T ] || why="ssl.log not established"
[ "$(lines "$tmp/out/x509.log")" = "$n" ] || why="x509.log has $(lines "$tmp/out/x509.log") lines, want $n"
verdict "tlscerts($n in one message)" $((48 * MB)) "$why"
n=$(size 5000 100000)
run tlsconns "$n"
why=""
[ "$(lines "$tmp/out/ssl.log")" = "$n" ] || why="ssl.log has $(lines "$tmp/out/ssl.log") lines, want $n"
[ "$(lines "$tmp/out/x509.log")" = "$n" ] || why="x509.log has $(lines "$tmp/out/x509.log") lines, want $n"
# Each distinct certificate is remembered for x509.log's once-a-day rule
# (X509_DEDUP_MAX entries, Zeek's known_log_certs_maximum_size): allow
# 1 KB apiece above a fixed 64 MB.
verdict "tlsconns($n connections)" $((64 * MB + n)) "$why"

# (h) TCP: one-byte segments above a hole that is never filled, in
# shuffled order (REASM_MAX_UNACKED, Zeek's
# tcp_excessive_data_without_further_acks, bounds what is kept).
n=$(size 200000 1000000)
run holes "$n"
why=""
[ "$(field "$tmp/out/conn.log" conn_state)" = S1 ] || why="conn_state is not S1"
verdict "holes($n out-of-order segments)" $((64 * MB)) "$why"

if [ $full = 1 ]; then
	echo
	echo "| capture | input bytes | packets | time (s) | peak RSS (MB) | note |"
	echo "|---|---:|---:|---:|---:|---|"
	awk -F '\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' \
		"$tmp/table"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
