#!/bin/sh
# make bench: throughput and peak memory of ./smtplog against a bare libpcap
# read loop (build/tools/pcap_loop) on the same generated capture.
#
#   BENCH_MB=300    size of build/bench/mixed.pcap when it has to be made
#   BENCH_RUNS=3    runs of each program; the fastest counts
#   BENCH_TLS=1000  TLS connections in build/bench/tls.pcap (each with the
#                   full chain of testdata/certs/tls: leaf, intermediate, root)
#
# Wall time and peak RSS come from build/tools/runmeasure (fork, exec,
# wait4), so /usr/bin/time is not needed. Delete build/bench/mixed.pcap to
# regenerate it (gen_pcap is deterministic: same bytes every time).
set -eu

B=build
GEN=$B/tools/gen_pcap
LOOP=$B/tools/pcap_loop
MEASURE=$B/tools/runmeasure
SMTPLOG=./smtplog
DIR=$B/bench
PCAP=$DIR/mixed.pcap
OUT=$DIR/out
MB=${BENCH_MB:-300}
RUNS=${BENCH_RUNS:-3}

die() {
	echo "bench: $*" >&2
	exit 1
}

for t in "$GEN" "$LOOP" "$MEASURE"; do
	[ -x "$t" ] || die "$t is missing; run 'make $t' (or 'make bench')"
done
[ -x "$SMTPLOG" ] || die "$SMTPLOG is missing; run 'make smtplog'"
mkdir -p "$DIR"

if [ ! -s "$PCAP" ]; then
	echo "bench: generating $PCAP (${MB} MB)" >&2
	"$GEN" mixed "$PCAP.tmp" "$MB" || die "gen_pcap failed"
	mv "$PCAP.tmp" "$PCAP"
fi
SIZE=$(wc -c <"$PCAP" | tr -d ' ')
TLS_N=${BENCH_TLS:-1000}
TLS_PCAP=$DIR/tls-$TLS_N.pcap
if [ ! -s "$TLS_PCAP" ]; then
	echo "bench: generating $TLS_PCAP ($TLS_N TLS connections)" >&2
	"$GEN" tls "$TLS_PCAP.tmp" testdata/certs/tls "$TLS_N" || die "gen_pcap tls failed"
	mv "$TLS_PCAP.tmp" "$TLS_PCAP"
fi
TLS_SIZE=$(wc -c <"$TLS_PCAP" | tr -d ' ')

# best NAME CMD...: runs CMD $RUNS times; sets BEST_S (fastest wall time)
# and BEST_KB (largest peak RSS seen). Output goes to $DIR/NAME.{out,err}.
best() {
	name=$1
	shift
	BEST_S=""
	BEST_KB=0
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		i=$((i + 1))
		case "$name" in smtplog*) rm -rf "$OUT" ;; esac
		if ! "$MEASURE" "$DIR/$name.time" "$@" >"$DIR/$name.out" 2>"$DIR/$name.err"; then
			status=$(cut -d' ' -f3 "$DIR/$name.time" 2>/dev/null || echo '?')
			echo "bench: $name failed (exit status $status): $*" >&2
			echo "bench: last lines of its stderr ($DIR/$name.err):" >&2
			tail -n 15 "$DIR/$name.err" >&2
			exit 1
		fi
		read -r s kb _ <"$DIR/$name.time"
		if [ -z "$BEST_S" ] || awk "BEGIN { exit !($s < $BEST_S) }"; then
			BEST_S=$s
		fi
		if [ "$kb" -gt "$BEST_KB" ]; then
			BEST_KB=$kb
		fi
	done
}

best pcap_loop "$LOOP" "$PCAP"
LOOP_S=$BEST_S
LOOP_KB=$BEST_KB
PACKETS=$(awk '/^packets/ { print $2 }' "$DIR/pcap_loop.out")
[ -n "$PACKETS" ] || die "pcap_loop printed no packet count"

# Two configurations: connection tracking alone (conn.log: the foundation's
# budget) and the default mode with every analyzer smtplog has (SMTP + MIME).
best smtplog-conn "$SMTPLOG" -b -r "$PCAP" -o "$OUT" --force base/protocols/conn
SC_S=$BEST_S
SC_KB=$BEST_KB
best smtplog "$SMTPLOG" -r "$PCAP" -o "$OUT" --force
SL_S=$BEST_S
SL_KB=$BEST_KB
# Mail forensics in full: all three hashes on every file, every file carved.
best smtplog-mail "$SMTPLOG" -r "$PCAP" -o "$OUT" --force policy/frameworks/files/hash-all-files -x
SM_S=$BEST_S
SM_KB=$BEST_KB

# TLS with full chains against plain TCP handling of the same packets.
best tls_loop "$LOOP" "$TLS_PCAP"
TL_S=$BEST_S
TL_KB=$BEST_KB
best smtplog-tls-conn "$SMTPLOG" -b -r "$TLS_PCAP" -o "$OUT" --force base/protocols/conn
TC_S=$BEST_S
TC_KB=$BEST_KB
best smtplog-tls "$SMTPLOG" -r "$TLS_PCAP" -o "$OUT" --force
TS_S=$BEST_S
TS_KB=$BEST_KB
[ "$(grep -vc '^#' "$OUT/ssl.log")" = "$TLS_N" ] || die "smtplog-tls: ssl.log does not have $TLS_N lines"

awk -v size="$SIZE" -v pk="$PACKETS" -v runs="$RUNS" -v ls="$LOOP_S" -v lkb="$LOOP_KB" \
	-v cs="$SC_S" -v ckb="$SC_KB" -v ss="$SL_S" -v skb="$SL_KB" -v ms="$SM_S" -v mkb="$SM_KB" '
function rate(x, s) { return s > 0 ? x / s : 0 }
function row(name, s, kb) {
	printf "%-24s %9.3f %10.1f %12.0f %13.1f\n", name, s,
		rate(size / 1048576, s), rate(pk, s), kb / 1024
}
BEGIN {
	if (ls <= 0) ls = 0.001
	if (cs <= 0) cs = 0.001
	if (ss <= 0) ss = 0.001
	if (ms <= 0) ms = 0.001
	printf "capture: %s, %.1f MB, %d packets; best of %d runs\n",
		"build/bench/mixed.pcap", size / 1048576, pk, runs
	printf "%-24s %9s %10s %12s %13s\n", "program", "time s", "MB/s", "packets/s", "peak RSS MB"
	row("pcap_loop", ls, lkb)
	row("smtplog (conn.log only)", cs, ckb)
	row("smtplog (default mode)", ss, skb)
	row("smtplog (+hashes, -x)", ms, mkb)
	printf "smtplog/loop, conn.log only: throughput %.3f, memory %.2f\n", ls / cs, ckb / lkb
	printf "smtplog/loop, default mode:  throughput %.3f, memory %.2f\n", ls / ss, skb / lkb
	printf "smtplog/loop, hashes + -x:   throughput %.3f, memory %.2f\n", ls / ms, mkb / lkb
}'
awk -v size="$TLS_SIZE" -v n="$TLS_N" -v ls="$TL_S" -v lkb="$TL_KB" -v cs="$TC_S" -v ckb="$TC_KB" \
	-v ss="$TS_S" -v skb="$TS_KB" -v path="$TLS_PCAP" '
function row(name, s, kb) {
	printf "%-24s %9.3f %10.1f %12.0f %13.1f\n", name, s, size / 1048576 / s, n / s, kb / 1024
}
BEGIN {
	if (ls <= 0) ls = 0.001
	if (cs <= 0) cs = 0.001
	if (ss <= 0) ss = 0.001
	printf "\ncapture: %s, %.1f MB, %d TLS connections with full chains\n", path, size / 1048576, n
	printf "%-24s %9s %10s %12s %13s\n", "program", "time s", "MB/s", "conns/s", "peak RSS MB"
	row("pcap_loop", ls, lkb)
	row("smtplog (conn.log only)", cs, ckb)
	row("smtplog (default mode)", ss, skb)
	printf "TLS default mode / plain TCP (conn.log only): throughput %.3f\n", cs / ss
	printf "TLS default mode / loop:                      throughput %.3f, memory %.2f\n", ls / ss, skb / lkb
}'
