#!/bin/sh
# make bench: throughput and peak memory of ./smtplog, as a ratio to a bare
# libpcap read loop timed in the same run.
#
# 1. Realistic traffic: mix-1g.pcap and mail-256m.pcap of ../shared/bench
#    (built into $BENCH_DIR by its make-inputs.sh when missing, about 30 s),
#    against its baseline "pcaploop -m read". Three configurations: conn.log
#    only, the default mode, the default mode with every hash and -x.
# 2. Stress case: the synthetic captures of tools/gen_pcap (mixed traffic;
#    TLS with full certificate chains) against build/tools/pcap_loop.
#
# Both time pairs: baseline, smtplog, baseline, smtplog, ... The speed of a
# shared machine drifts by +-20% between calls, so each pair's ratio
# (baseline time / smtplog time) is taken while both saw the same machine,
# and the median ratio counts; times are medians too, peak RSS the largest.
#
#   BENCH_PAIRS=5          pairs per configuration
#   BENCH_STRESS=1         0 skips the stress case
#   BENCH_HASHES=0         1: one more run per realistic configuration with
#                          the corpus seed file, and the SHA-256 of its logs
#                          (tools/loghash.sh) as a table for the README
#   BENCH_PROFILE=0        1: perf record -g of mix-1g.pcap in default mode,
#                          and the top 15 entries of perf report
#   BENCH_PLATEAU=0        1: peak RSS of the default mode against capture
#                          time on long-4g.pcap, 4 GiB and 10.5 minutes of
#                          the mix-1g traffic, longer than Zeek's timeouts
#                          (built into $BENCH_DIR by mkbench.py when missing,
#                          about a minute; tools/rss_timeline.c samples)
#   BENCH_MB=300           size of the synthetic mixed capture
#   BENCH_TLS=1000         TLS connections in the synthetic TLS capture
#   BENCH_DIR=build/bench  inputs, timings and output folders (out-*)
#   BENCH_OUT=$BENCH_DIR   where the output folders go instead: -x writes
#                          ~100,000 files, and on a slow disk the runs then
#                          measure the disk (e.g. BENCH_OUT=/dev/shm/bench)
#   SMTPLOG_BENCH_INPUTS   the realistic inputs (default ../shared/bench)
#   SMTPLOG_CONFORMANCE    the corpus whose random.seed BENCH_HASHES uses
#                          (default ../shared/conformance)
#
# Wall time and peak RSS come from build/tools/runmeasure (fork, exec,
# wait4). MB are 2^20 bytes. Results go to stdout, progress to stderr.
set -eu
cd "$(dirname "$0")/.."
repo=$(pwd)

B=build
MEASURE=$B/tools/runmeasure
GEN=$B/tools/gen_pcap
SMTPLOG=./smtplog
DIR=${BENCH_DIR:-$B/bench}
OUTROOT=${BENCH_OUT:-$DIR}
INPUTS=${SMTPLOG_BENCH_INPUTS:-$(dirname "$repo")/shared/bench}
INPUTS_NAME=${SMTPLOG_BENCH_INPUTS:-../shared/bench}
SEED=${SMTPLOG_CONFORMANCE:-$(dirname "$repo")/shared/conformance}/random.seed
PCAPLOOP=$DIR/pcaploop
PAIRS=${BENCH_PAIRS:-5}
MB=${BENCH_MB:-300}
TLS_N=${BENCH_TLS:-1000}

die() {
	echo "bench: $*" >&2
	exit 1
}

note() {
	echo "bench: $*" >&2
}

# positive NAME VALUE: dies unless VALUE is a whole number above 0.
positive() {
	case $2 in
	'' | *[!0-9]* | 0*) die "$1 must be a whole number above 0, not '$2'" ;;
	esac
}

# median: the median of the numbers on stdin, one a line.
median() {
	sort -n | awk '{ v[NR] = $1 }
		END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# measure NAME CMD...: one run of CMD under runmeasure; sets RUN_S (wall
# seconds) and RUN_KB (peak RSS). Its output goes to $DIR/NAME.{out,err};
# a failure stops the benchmark with the end of its stderr.
measure() {
	name=$1
	shift
	if ! "$MEASURE" "$DIR/$name.time" "$@" >"$DIR/$name.out" 2>"$DIR/$name.err"; then
		status=$(cut -d' ' -f3 "$DIR/$name.time" 2>/dev/null || echo '?')
		echo "bench: FAILED: $name exited with status $status: $*" >&2
		echo "bench: last lines of its stderr ($DIR/$name.err):" >&2
		tail -n 15 "$DIR/$name.err" >&2
		exit 1
	fi
	read -r RUN_S RUN_KB _ <"$DIR/$name.time"
}

# check_logs DIR WHAT ENTRY...: dies unless every ENTRY is a non-empty file
# in DIR (NAME/: a folder holding at least one file). An exit status of 0
# with a log missing would otherwise pass as a fast run.
check_logs() {
	out=$1
	what=$2
	shift 2
	for entry in "$@"; do
		case $entry in
		*/) [ -n "$(find "$out/$entry" -type f 2>/dev/null | head -n 1)" ] ||
			die "FAILED: $what: smtplog exited with 0 but wrote no file into $out/$entry" ;;
		*) [ -s "$out/$entry" ] ||
			die "FAILED: $what: smtplog exited with 0 but $out/$entry is missing or empty" ;;
		esac
	done
}

# begin_capture PCAP LOOP: starts the table of one capture, timed against
# the baseline program LOOP.
begin_capture() {
	PCAP=$1
	LOOP=$2
	PACKETS=""
	LOOP_KB=0
	: >"$DIR/looptimes.txt"
	: >"$DIR/results.txt"
}

# loop_once: one timed run of the baseline over $PCAP; the first one gives
# the packet count ("packets=N" from pcaploop, "packets N" from pcap_loop).
loop_once() {
	if [ "$LOOP" = "$PCAPLOOP" ]; then
		measure loop "$LOOP" -m read "$PCAP"
	else
		measure loop "$LOOP" "$PCAP"
	fi
	echo "$RUN_S" >>"$DIR/looptimes.txt"
	if [ "$RUN_KB" -gt "$LOOP_KB" ]; then
		LOOP_KB=$RUN_KB
	fi
	if [ -z "$PACKETS" ]; then
		PACKETS=$(sed -n 's/.*packets[= ]\([0-9][0-9]*\).*/\1/p' "$DIR/loop.out")
		[ -n "$PACKETS" ] || die "$LOOP printed no packet count (see $DIR/loop.out)"
	fi
}

# pairs CONFIG LABEL "ENTRY..." SMTPLOG-ARG...: $PAIRS pairs of (baseline,
# smtplog with -r $PCAP -o $OUTROOT/out-CONFIG --force and the ARGs); after each
# smtplog run, check_logs with the ENTRYs. Adds a row to the capture's table
# and sets PAIR_S, the median smtplog time.
pairs() {
	config=$1
	label=$2
	entries=$3
	shift 3
	out=$OUTROOT/out-$config
	what="${PCAP##*/}, $label"
	note "$what: $PAIRS pairs of ${LOOP##*/} and smtplog${*:+ $*}"
	: >"$DIR/pairs.txt"
	peak=0
	i=0
	while [ "$i" -lt "$PAIRS" ]; do
		i=$((i + 1))
		# Outside the timing, and before the baseline so that the two runs
		# of a pair follow each other: -x leaves ~100k files to delete.
		rm -rf "$out"
		loop_once
		loop_s=$RUN_S
		measure "smtplog-$config" "$SMTPLOG" -r "$PCAP" -o "$out" --force "$@"
		# shellcheck disable=SC2086 # the list of log names, split on purpose
		check_logs "$out" "$what" $entries
		echo "$loop_s $RUN_S" >>"$DIR/pairs.txt"
		if [ "$RUN_KB" -gt "$peak" ]; then
			peak=$RUN_KB
		fi
	done
	# A run shorter than runmeasure's resolution counts as 1 ms.
	awk '{ print $1 / ($2 > 0.001 ? $2 : 0.001) }' "$DIR/pairs.txt" >"$DIR/ratios.txt"
	PAIR_S=$(cut -d' ' -f2 "$DIR/pairs.txt" | median)
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$PAIR_S" "$peak" \
		"$(median <"$DIR/ratios.txt")" \
		"$(sort -n "$DIR/ratios.txt" | head -n 1)" \
		"$(sort -n "$DIR/ratios.txt" | tail -n 1)" >>"$DIR/results.txt"
}

# print_table: the table of the capture begun last, then one summary line
# per configuration. Markdown, so that it can be pasted as it is.
print_table() {
	size=$(wc -c <"$PCAP" | tr -d ' ')
	awk -F '\t' -v path="$PCAP" -v cap="${PCAP##*/}" -v size="$size" -v pk="$PACKETS" -v pairs="$PAIRS" \
		-v loop="${LOOP##*/}" -v loopkb="$LOOP_KB" -v loops="$(median <"$DIR/looptimes.txt")" '
	function row(name, s, kb, ratio) {
		if (s < 0.001) s = 0.001
		printf "%-24s | %8.3f | %8.1f | %9.0f | %11.1f | %s\n", name, s,
			size / 1048576 / s, pk / s, kb / 1024, ratio
	}
	BEGIN {
		printf "capture: %s, %.1f MB (%d bytes), %d packets; median of %d pair%s\n",
			path, size / 1048576, size, pk, pairs, pairs == 1 ? "" : "s"
		printf "%-24s | %8s | %8s | %9s | %11s | %s\n", "program", "time s", "MB/s",
			"packets/s", "peak RSS MB", "ratio to loop"
		print "-------------------------|----------|----------|-----------|-------------|--------------"
		row(loop (loop == "pcaploop" ? " -m read" : ""), loops, loopkb, "1")
	}
	{
		n++
		label[n] = $1; s[n] = $2; kb[n] = $3; r[n] = $4; lo[n] = $5; hi[n] = $6
		row("smtplog, " $1, $2, $3, sprintf("%.3f", $4))
	}
	END {
		for (i = 1; i <= n; i++)
			printf "%s, %s: throughput %.3f of %s (pairs: %.3f to %.3f), peak RSS %.1f MB (%.1f x %s)\n",
				cap, label[i], r[i], loop, lo[i], hi[i], kb[i] / 1024, kb[i] / loopkb, loop
	}' "$DIR/results.txt"
	echo
}

# realistic_inputs: makes sure $DIR holds the captures and pcaploop of
# $INPUTS, building them when one is missing.
realistic_inputs() {
	# Absolute: the checksum check runs inside $DIR.
	INPUTS=$(cd "$INPUTS" && pwd)
	if [ ! -s "$DIR/mix-1g.pcap" ] || [ ! -s "$DIR/mail-256m.pcap" ] || [ ! -x "$PCAPLOOP" ]; then
		note "building the realistic inputs into $DIR (about 30 s): sh $INPUTS/make-inputs.sh $DIR"
		if ! sh "$INPUTS/make-inputs.sh" "$DIR" >"$DIR/make-inputs.log" 2>&1; then
			tail -n 15 "$DIR/make-inputs.log" >&2
			die "$INPUTS/make-inputs.sh failed (log: $DIR/make-inputs.log)"
		fi
	fi
	# On every run, not only after a build: a truncated or stale capture
	# gives plausible numbers that mean nothing. Reading the 1.3 GB also
	# puts them into the page cache before the first timed run.
	if ! (cd "$DIR" && sha256sum -c "$INPUTS/SHA256SUMS") >"$DIR/sha256sums.log" 2>&1; then
		cat "$DIR/sha256sums.log" >&2
		die "the captures in $DIR do not match $INPUTS/SHA256SUMS; delete" \
			"$DIR/mix-1g.pcap $DIR/mail-256m.pcap $PCAPLOOP to rebuild them"
	fi
}

# The three realistic configurations, as "CONFIG|LABEL|ENTRIES|ARGS" (no
# argument contains a space). Checksums are not verified (-C), so that the
# analyzers' cost stands out; the stress case verifies them.
DEFAULT_LOGS="conn.log smtp.log files.log ssl.log x509.log"
CONFIGS="conn|conn.log only|conn.log|-C -b base/protocols/conn
default|default mode|$DEFAULT_LOGS|-C
extract|hashes + -x|$DEFAULT_LOGS extract_files/|-C policy/frameworks/files/hash-all-files -x"

# each_config FUNCTION: calls FUNCTION CONFIG LABEL ENTRIES ARG... once for
# each line of $CONFIGS, in this shell (a pipe into "while read" would run
# the loop in a subshell and lose the packet count and peak RSS it sets).
each_config() {
	fn=$1
	while IFS='|' read -r config label entries args; do
		# shellcheck disable=SC2086 # ARGS split into smtplog's arguments
		"$fn" "$config" "$label" "$entries" $args </dev/null
	done <<EOF
$CONFIGS
EOF
}

realistic() {
	for name in mix-1g mail-256m; do
		begin_capture "$DIR/$name.pcap" "$PCAPLOOP"
		each_config pairs
		print_table
	done
}

# hash_config CONFIG LABEL ENTRIES ARG...: one run with the seed file, then
# the fingerprints of its logs as table rows.
hash_config() {
	config=$1
	label=$2
	entries=$3
	shift 3
	out=$OUTROOT/out-$config
	rm -rf "$out"
	"$SMTPLOG" -G "$SEED" -r "$PCAP" -o "$out" --force "$@" >"$DIR/hash.out" 2>"$DIR/hash.err" ||
		die "FAILED: ${PCAP##*/}, $label with -G: exit status $? (see $DIR/hash.err)"
	# shellcheck disable=SC2086 # the list of log names, split on purpose
	check_logs "$out" "${PCAP##*/}, $label with -G" $entries
	sh tools/loghash.sh "$out" | awk -F '\t' -v cap="${PCAP##*/}" -v label="$label" \
		'{ printf "| %s | %s | %s | %s | %s |\n", cap, label, $1, $2, $3 }'
}

hashes() {
	[ -f "$SEED" ] || die "BENCH_HASHES=1 needs the seed file $SEED (set SMTPLOG_CONFORMANCE)"
	note "log hashes: one run per configuration with -G $SEED"
	echo "log hashes: smtplog -G $SEED; SHA-256 without the #open and #close lines;"
	echo "extract_files/: SHA-256 of its sorted sha256sum lines (tools/loghash.sh)"
	echo
	echo "| capture | configuration | log | lines (files) | SHA-256 |"
	echo "|---|---|---|---|---|"
	for name in mix-1g mail-256m; do
		PCAP=$DIR/$name.pcap
		each_config hash_config
	done
	echo
}

# profile: where the default mode spends its time on mix-1g.pcap.
profile() {
	if ! command -v perf >/dev/null 2>&1; then
		echo "bench: perf not found: profile SKIPPED"
		return
	fi
	out=$OUTROOT/out-profile
	rm -rf "$out"
	note "profile: perf record -g, mix-1g.pcap, default mode"
	if ! perf record -g -o "$DIR/perf.data" -- "$SMTPLOG" -C -r "$DIR/mix-1g.pcap" -o "$out" --force \
		>"$DIR/perf.out" 2>"$DIR/perf.err"; then
		echo "bench: perf record failed ($(tail -n 1 "$DIR/perf.err"); see $DIR/perf.err," \
			"kernel.perf_event_paranoid): profile SKIPPED"
		return
	fi
	echo "profile: perf record -g ./smtplog -C -r $DIR/mix-1g.pcap (default mode);"
	echo "top 15 of perf report --no-children --stdio (flat: -g none)"
	# -g none: the entries alone, without the call chains under each one.
	perf report -i "$DIR/perf.data" --no-children --stdio -g none 2>/dev/null |
		awk '/^# Overhead/ { sub(/^# /, "  "); print }
			/^ *[0-9.]+%/ && n++ < 15'
	echo
}

# plateau: does memory stop growing once the capture is longer than Zeek's
# timeouts (5 minutes of inactivity)? Peak RSS per minute of capture time.
plateau() {
	long=$DIR/long-4g.pcap
	if [ ! -s "$long" ]; then
		note "building $long (about a minute): mkbench.py --size-mb 4096 --seed 2 --concurrency 2500"
		if ! python3 "$INPUTS/mkbench.py" --out "$long.tmp" --size-mb 4096 \
			--mix "@$INPUTS/mix-1g.txt" --seed 2 --concurrency 2500 \
			"$INPUTS/templates/src" "$INPUTS/templates/zeek" 2>"$DIR/long-4g.gen.txt"; then
			tail -n 15 "$DIR/long-4g.gen.txt" >&2
			die "mkbench.py failed (log: $DIR/long-4g.gen.txt)"
		fi
		mv "$long.tmp" "$long"
	fi
	out=$OUTROOT/out-plateau
	rm -rf "$out"
	note "plateau: default mode on long-4g.pcap, peak RSS per minute of capture time"
	"$B/tools/rss_timeline" "$long" 60 "$SMTPLOG" -C -r "$long" -o "$out" --force \
		>"$DIR/plateau.txt" 2>"$DIR/plateau.err" ||
		die "smtplog failed on $long: $(tail -n 1 "$DIR/plateau.err")"
	echo "plateau: ./smtplog -C -r $long ($(du -m "$long" | cut -f1) MB); peak RSS by capture time"
	echo
	echo "| capture time | $(awk '{ printf "%s%d s", (NR > 1 ? " | " : ""), $1 }' "$DIR/plateau.txt") |"
	echo "|---$(awk '{ printf "|---" }' "$DIR/plateau.txt")|"
	echo "| peak RSS MB | $(awk '{ printf "%s%.0f", (NR > 1 ? " | " : ""), $2 }' "$DIR/plateau.txt") |"
	echo
}

# gen NAME ARG...: makes $DIR/NAME with gen_pcap ARG... unless it exists
# (gen_pcap is deterministic: same bytes every time).
gen() {
	file=$DIR/$1
	kind=$2
	shift 2
	if [ -s "$file" ]; then
		return
	fi
	note "generating $file"
	"$GEN" "$kind" "$file.tmp" "$@" || die "gen_pcap $kind $* failed"
	mv "$file.tmp" "$file"
}

# Stress case: synthetic captures, checksums verified (no -C).
stress() {
	gen mixed.pcap mixed "$MB"
	gen "tls-$TLS_N.pcap" tls testdata/certs/tls "$TLS_N"
	echo "stress case: synthetic captures (tools/gen_pcap), checksums verified"
	echo
	begin_capture "$DIR/mixed.pcap" "$B/tools/pcap_loop"
	pairs stress-conn "conn.log only" conn.log -b base/protocols/conn
	pairs stress-default "default mode" conn.log
	pairs stress-extract "hashes + -x" "conn.log extract_files/" \
		policy/frameworks/files/hash-all-files -x
	print_table

	begin_capture "$DIR/tls-$TLS_N.pcap" "$B/tools/pcap_loop"
	pairs stress-conn "conn.log only" conn.log -b base/protocols/conn
	conn_s=$PAIR_S
	pairs stress-default "default mode" "conn.log ssl.log x509.log"
	tls_s=$PAIR_S
	lines=$(grep -vc '^#' "$OUTROOT/out-stress-default/ssl.log" || true)
	[ "$lines" = "$TLS_N" ] || die "FAILED: ssl.log of $PCAP has $lines lines, not $TLS_N"
	print_table
	awk -v n="$TLS_N" -v c="$conn_s" -v t="$tls_s" 'BEGIN {
		if (t < 0.001) t = 0.001
		printf "TLS with full chains: %.0f connections/s; default mode / conn.log only" \
			" (plain TCP): throughput %.3f (median times)\n", n / t, c / t }'
	echo
}

positive BENCH_PAIRS "$PAIRS"
positive BENCH_MB "$MB"
positive BENCH_TLS "$TLS_N"
[ -x "$SMTPLOG" ] || die "$SMTPLOG is missing; run 'make smtplog'"
for t in "$MEASURE" "$GEN" "$B/tools/pcap_loop" "$B/tools/rss_timeline"; do
	[ -x "$t" ] || die "$t is missing; run 'make $t' (or 'make bench')"
done
mkdir -p "$DIR" "$OUTROOT"
# What was measured, for numbers copied into the README.
commit=$(git describe --always --dirty 2>/dev/null || echo 'not a git checkout')
echo "bench: $("$SMTPLOG" -V), commit $commit, $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') cores"
echo

if [ -f "$INPUTS/make-inputs.sh" ] && [ -f "$INPUTS/SHA256SUMS" ]; then
	realistic_inputs
	echo "realistic traffic ($INPUTS_NAME); every configuration also -r CAPTURE -o $OUTROOT/out-NAME --force:"
	printf '%s\n' "$CONFIGS" | awk -F '|' '{ printf "  %-14s %s\n", $2, $4 }'
	echo
	realistic
	if [ "${BENCH_HASHES:-0}" = 1 ]; then
		hashes
	fi
	if [ "${BENCH_PROFILE:-0}" = 1 ]; then
		profile
	fi
	if [ "${BENCH_PLATEAU:-0}" = 1 ]; then
		plateau
	fi
else
	echo "bench: $INPUTS_NAME not found: realistic benchmark SKIPPED"
	echo
fi

if [ "${BENCH_STRESS:-1}" = 0 ]; then
	echo "bench: BENCH_STRESS=0: stress case skipped"
else
	stress
fi
