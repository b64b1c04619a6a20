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
# Then the scanners of wire bytes, each against its worst case: smtplog
# runs five times on a hostile capture and five times on a benign twin
# of the same size and structure (gen_hostile KIND / KIND-benign), in
# pairs, and the hostile least CPU time (user + system, runmeasure -c) may
# be at most a fixed multiple of the benign one (4x unless said). What each guards:
#   ipscan     Received / X-Originating-IP: split_string_all with
#              ip_addr_regex on text that is an address prefix at every
#              offset and an address nowhere (the DFAs, one pass)
#   rcptset    RCPT TO cycling through 999 recipients: the set lookups
#              (a linear member search costs ~2x here; bound 1.5x)
#   toset      To: lists of quoted phrases with commas, the same 560
#              addresses in every header: the MIME address pattern and the
#              to set's lookups (bound 1.5x)
#   mimebound  100 nested 8 KiB boundaries sharing their kept 1 KiB, body
#              lines every level checks to the end: one hash pass per line
#   decoders   quoted-printable of control bytes and bad escapes, base64
#              with a junk byte after every character
#   lines      one 16 MiB command line growing segment by segment
#   mimeheader Content-Type / Content-Disposition folding hundreds of
#              parameters, nested comments, "filename" and "name"
#   magic      files whose first 4 KiB are blanks (MIME-type detection;
#              every rule looks at every byte: bound 6x)
#   escape     smtp.log strings of backslashes, tabs and spoilt UTF-8
#              (escaped, they are 4x as long: bound 6x)
#   dpd        DPD on port 2525 with a client buffer of CR LF matched again
#              at each of 99 segments (a rescan per line start was
#              quadratic)
#   tlsext     ClientHellos of 16,377 empty extensions
#   tlsrec     64 KiB TLS records arriving one byte per TCP segment
#   x509name   certificates whose subject is 1,900 RDNs
#   imapxmpp   IMAP capability lines of one-byte words, XMPP tokens padded
#              with blanks, a whole run of tokens per segment
#   pop3       POP3 AUTH lines of near misses of its method names
#
#   sh tests/limits.sh          scaled-down captures in a temporary folder
#   sh tests/limits.sh --full   full size (2,000,000 SYNs, 2 GiB lines, ...),
#                               streamed through a pipe, never stored (the
#                               CPU-ratio captures, up to 8x larger, are stored);
#                               ends with a table of input size, time (the
#                               hostile least CPU time for the ratio cases) and
#                               peak RSS
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

# (a) SYN flood: Zeek keeps every connection until its timers fire (5 s
# for an unanswered SYN), so memory grows with live connections; each must
# stay under 1,000 bytes while it carries no payload (its record, its three
# timers, its table slot), and 2,000,000 of them under 2 GB.
n=$(size 200000 2000000)
run synflood "$n"
per=$(((kb - base_kb) * 1024 / n))
why=""
[ "$(lines "$tmp/out/conn.log")" = "$n" ] || why="conn.log has $(lines "$tmp/out/conn.log") lines, want $n"
[ -z "$why" ] && [ "$(field "$tmp/out/conn.log" conn_state | sort -u)" != S0 ] && why="conn_state not all S0"
[ -z "$why" ] && [ "$per" -gt 1000 ] && why="$per bytes per connection, more than 1000"
verdict "synflood($n SYNs to port 25)" $((base_kb + n * 1000 / 1024)) "$why" "bytes/conn=$per"

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

# ---- CPU time of the scanners of wire bytes ------------------------------
# Each case below runs smtplog five times on a hostile capture and five
# times on its benign twin of the same size and structure (gen_hostile
# KIND and KIND-benign), alternating, and bounds the least CPU time (user
# + system) of the hostile runs as a multiple of the benign runs' (the
# least, because load on the machine only ever adds time; alternating, so
# that a burst of load falls on both). Work that grows
# faster than the input (rescans, quadratic buffers, searches of growing
# sets) shows as a ratio far above 1; a ratio, not an absolute time, so
# that a slow or busy machine does not matter.

# once PCAP OUT: smtplog once on PCAP, logs in OUT; sets cpu, kb, rc and
# appends cpu to $tmp/cpus.OUT's name.
once() {
	rm -rf "$2"
	echo "0 0 125 0" >"$tmp/rep"
	"$M" -c "$tmp/rep" $limit "$S" -r "$1" -o "$2" >/dev/null 2>"$tmp/err"
	read -r secs kb rc cpu <"$tmp/rep"
	echo "$cpu" >>"$tmp/cpus.$(basename "$2")"
}

# twins KIND SIZE: makes both captures and runs them five times each, in
# pairs (benign, hostile, benign, ...), so that a burst of load on the
# machine falls on both; sets bcpu and hcpu (the least CPU time of each:
# noise only ever adds time), their logs in $tmp/benign and $tmp/out,
# ratio, kb and rc of the last hostile run, and secs (hcpu here).
twins() {
	rm -rf "$tmp/out" "$tmp/benign" "$tmp/cpus.out" "$tmp/cpus.benign"
	bcpu=0 hcpu=0 ratio=0 secs=0 kb=0
	if ! "$G" "$1-benign" "$tmp/b.pcap" "$2" 2>"$tmp/gen.err" ||
		! "$G" "$1" "$tmp/h.pcap" "$2" 2>"$tmp/gen.err"; then
		rc=125
		echo "gen_hostile failed: $(head -1 "$tmp/gen.err")" >"$tmp/err"
	else
		for r in 1 2 3 4 5; do
			once "$tmp/b.pcap" "$tmp/benign"
			[ "$rc" = 0 ] || break
			once "$tmp/h.pcap" "$tmp/out"
			[ "$rc" = 0 ] || break
		done
		bcpu=$(sort -n "$tmp/cpus.benign" | sed -n 1p)
		[ -f "$tmp/cpus.out" ] && hcpu=$(sort -n "$tmp/cpus.out" | sed -n 1p)
	fi
	secs=$hcpu
	ratio=$(awk -v h="$hcpu" -v b="$bcpu" 'BEGIN { printf "%.2f", (b > 0 ? h / b : 0) }')
	in_pkts=$(sed -n 's/.*: \([0-9]*\) packets, [0-9]* bytes$/\1/p' "$tmp/gen.err")
	in_bytes=$(sed -n 's/.*packets, \([0-9]*\) bytes$/\1/p' "$tmp/gen.err")
	rm -f "$tmp/b.pcap" "$tmp/h.pcap"
}

# twin_verdict NAME BOUND PROBLEM: verdict with the CPU ratio checked
# against BOUND (peak RSS bound: 96 MB, these are about time).
twin_verdict() {
	w=$3
	if [ -z "$w" ] && awk -v r="$ratio" -v m="$2" 'BEGIN { exit !(r > m) }'; then
		w="hostile CPU ${hcpu}s is ${ratio}x the benign ${bcpu}s, above ${2}x"
	fi
	verdict "$1" $((96 * MB)) "$w" "cpu=${hcpu}s/${bcpu}s ratio=${ratio} (bound ${2}x)"
}

# (i) Received / X-Originating-IP values of seven hextets and an 'x' over
# and over: a prefix of an address at every offset, no address anywhere
# (split_string_all with ip_addr_regex tried at each offset costs up to
# 45 steps a byte; the reverse DFA one).
n=$(size 4194304 33554432)
twins ipscan "$n"
why=""
[ "$(field "$tmp/out/smtp.log" path)" = "192.0.2.25,10.1.2.3,203.0.113.7" ] ||
	why="smtp.log path is '$(field "$tmp/out/smtp.log" path)'"
[ -z "$why" ] && [ "$(field "$tmp/out/smtp.log" x_originating_ip)" != 198.51.100.9 ] &&
	why="x_originating_ip is not 198.51.100.9"
twin_verdict "ipscan($n header bytes)" 4 "$why"

# (j) RCPT TO cycling through 999 addresses of one length (the recipient
# set's lookups; a linear search of the members costs ~2x here, so the
# bound is tight).
n=$(size 200000 1000000)
twins rcptset "$n"
why=""
[ "$(field "$tmp/out/smtp.log" rcptto | tr ',' '\n' | wc -l | tr -d ' ')" = 100 ] ||
	why="rcptto does not list 100 addresses"
[ -z "$why" ] && [ "$(field "$tmp/benign/smtp.log" rcptto)" != \
	"recipient.with.a.long.shared.prefix.000@example.net" ] && why="benign rcptto is not the one address"
twin_verdict "rcptset($n RCPT TO)" 1.5 "$why"

# (k) To: lists of quoted phrases with commas, the same 560 addresses in
# every header (the MIME address pattern, then the to set's lookups).
n=$(size 4194304 33554432)
twins toset "$n"
why=""
[ "$(field "$tmp/out/smtp.log" to | tr ',' '\n' | wc -l | tr -d ' ')" = 100 ] ||
	why="to does not list 100 addresses"
twin_verdict "toset($n To bytes)" 1.5 "$why"

# (l) 100 nested 8 KiB boundaries sharing the 1024 bytes kept of each,
# then body lines that every level must check to the end (one hashing
# pass per line, not one per level).
n=$(size 4194304 33554432)
twins mimebound "$n"
why=""
[ "$(field "$tmp/out/smtp.log" subject)" = "almost boundaries" ] || why="smtp.log subject is not 'almost boundaries'"
[ -z "$why" ] && [ "$(lines "$tmp/out/files.log")" != 1 ] && why="files.log has $(lines "$tmp/out/files.log") lines, want 1"
twin_verdict "mimebound($n body bytes)" 4 "$why"

# (m) Quoted-printable full of control bytes and bad escapes, base64 with
# a junk byte after every character.
n=$(size 8388608 67108864)
twins decoders "$n"
why=""
[ "$(lines "$tmp/out/files.log")" = 2 ] || why="files.log has $(lines "$tmp/out/files.log") lines, want 2"
twin_verdict "decoders($n QP and base64 bytes)" 4 "$why"

# (n) One command line of SIZE bytes, growing in the line buffer segment
# by segment (benign: the same bytes as 1000-byte NOOPs).
n=$(size 16777216 16777216)
twins lines "$n"
why=""
[ "$(field "$tmp/out/conn.log" service)" = smtp ] || why="conn.log service is not smtp"
twin_verdict "lines($n bytes in one line)" 4 "$why"

# (o) MIME parts whose Content-Type and Content-Disposition fold hundreds
# of parameters, nested comments, "filename" and "name" over 8 KiB
# (benign: the same bytes under X- names, which nothing parses).
n=$(size 8388608 67108864)
twins mimeheader "$n"
why=""
want=$(((n + 8255) / 8256))
[ "$(lines "$tmp/out/files.log")" = "$want" ] || why="files.log has $(lines "$tmp/out/files.log") lines, want $want"
twin_verdict "mimeheader($n header bytes)" 4 "$why"

# (p) Files whose first 4 KiB are blanks and line ends: every offset is
# one the markup rules' prologue reaches (MIME-type detection). Each of
# the ~200 rules looks at the buffer, blanks are the slowest bytes for
# several: 6x.
n=$(size 4194304 33554432)
twins magic "$n"
why=""
[ "$(lines "$tmp/out/files.log")" = $((n / 4096)) ] || why="files.log has $(lines "$tmp/out/files.log") lines, want $((n / 4096))"
[ -z "$why" ] && [ "$(field "$tmp/out/files.log" mime_type | sort -u)" != text/plain ] && why="mime_type is not text/plain"
twin_verdict "magic($n file bytes)" 6 "$why"

# (q) smtp.log strings that need escaping: seven 4,000-byte header values
# a mail of backslashes, tabs and UTF-8 spoilt by a bad byte (their
# escaped form is 4x as long, hence 6x).
n=$(size 4194304 33554432)
twins escape "$n"
why=""
want=$(((n + 27999) / 28000))
[ "$(lines "$tmp/out/smtp.log")" = "$want" ] || why="smtp.log has $(lines "$tmp/out/smtp.log") lines, want $want"
[ -z "$why" ] && ! field "$tmp/out/smtp.log" subject | head -1 | grep -q '^\\xc3\\xa9' && why="subject is not escaped"
twin_verdict "escape($n header bytes)" 6 "$why"

# (r) Dynamic protocol detection on port 2525: the server greets like
# SMTP, the client sends 99 segments of CR LF (the buffer is matched
# again at each; a whitespace rescan from every line start was
# quadratic).
n=$(size 1048576 8388608)
twins dpd "$n"
why=""
[ "$(lines "$tmp/out/conn.log")" = $((n / 990)) ] || why="conn.log has $(lines "$tmp/out/conn.log") lines, want $((n / 990))"
[ -z "$why" ] && [ "$(field "$tmp/out/conn.log" service | sort -u)" != - ] && why="a service was detected"
twin_verdict "dpd($((n / 990)) connections)" 4 "$why"

# (s) ClientHellos with 16,377 empty extensions each (benign: one padding
# extension of the same size).
n=$(size 8388608 67108864)
twins tlsext "$n"
why=""
[ "$(lines "$tmp/out/ssl.log")" = $((n / 65536)) ] || why="ssl.log has $(lines "$tmp/out/ssl.log") lines, want $((n / 65536))"
[ -z "$why" ] && [ "$(field "$tmp/out/ssl.log" server_name | sort -u)" != mail.example.net ] && why="server_name is not mail.example.net"
twin_verdict "tlsext($n handshake bytes)" 4 "$why"

# (t) 64 KiB records of certificates sent one byte per TCP segment (the
# record buffer; benign: the parser gave up on the first bytes).
n=$(size 65536 65536)
twins tlsrec "$n"
why=""
[ "$(field "$tmp/out/ssl.log" established)" = T ] || why="ssl.log not established"
[ -z "$why" ] && [ "$(lines "$tmp/out/x509.log")" -lt 10 ] && why="x509.log has $(lines "$tmp/out/x509.log") lines"
twin_verdict "tlsrec($n bytes in 1-byte segments)" 4 "$why"

# (u) Certificates whose subject is 1,900 RDNs (OpenSSL's name parsing
# and printing; benign: one common name as long).
n=$(size 4194304 33554432)
twins x509name "$n"
why=""
[ "$(lines "$tmp/out/x509.log")" -gt 10 ] || why="x509.log has $(lines "$tmp/out/x509.log") lines"
[ -z "$why" ] && ! field "$tmp/out/x509.log" certificate.subject | head -1 | grep -q '^CN=x01899,CN=x01898,' &&
	why="certificate.subject is not the RDN list"
twin_verdict "x509name($n certificate bytes)" 4 "$why"

# (v) IMAP capability lines of one-byte words and XMPP tokens padded with
# blanks, a whole run of tokens per segment (benign: one long word or
# token per segment).
n=$(size 8388608 67108864)
twins imapxmpp "$n"
why=""
[ "$(field "$tmp/out/conn.log" service | sort | tr '\n' ' ')" = "imap xmpp " ] ||
	why="conn.log services are '$(field "$tmp/out/conn.log" service | tr '\n' ' ')'"
twin_verdict "imapxmpp($n bytes)" 4 "$why"

# (w) POP3 AUTH arguments of near misses of LOGIN, PLAIN and CRAM-MD5 at
# every offset, each answered -ERR (benign: one long word).
n=$(size 4194304 33554432)
twins pop3 "$n"
why=""
[ "$(field "$tmp/out/conn.log" service)" = pop3 ] ||
	why="conn.log service is '$(field "$tmp/out/conn.log" service)'"
twin_verdict "pop3($n bytes)" 4 "$why"

if [ $full = 1 ]; then
	echo
	echo "| capture | input bytes | packets | time (s) | peak RSS (MB) | note |"
	echo "|---|---:|---:|---:|---:|---|"
	awk -F '\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' \
		"$tmp/table"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
