#!/bin/sh
# Driver of the libFuzzer targets (tests/fuzz/fuzz_*.c, built into build/fuzz/
# by "make fuzz-build"):
#
#   fuzz.sh toolchain        exit 0 when $FUZZ_CC (clang) links a libFuzzer
#                            target with ASan+UBSan; else prints why
#   fuzz.sh run SECS [JOBS]  runs every target for SECS seconds on its
#                            corpus (JOBS targets at a time, default 1), then
#                            replays its regression inputs, testdata/fuzz-regress/NAME/*;
#                            one PASS/FAIL line per target, then "N passed, N failed"
#
# The seeds (tests/fuzz/seeds.sh) are in build/fuzz/corpus/NAME/, which a run
# only reads. With FUZZ_KEEP_CORPUS=1 (make fuzz) what a run finds is kept in
# build/fuzz/work/NAME/ and read again by the next run; otherwise (make test)
# it goes to a temporary folder, so that a short run starts from the seeds
# alone, whatever long runs found. Crashes are saved in
# build/fuzz/artifacts/NAME/, the libFuzzer output in build/fuzz/logs/NAME.log.
set -u
cd "$(dirname "$0")/../.." || exit 2
cc=${FUZZ_CC:-clang}

# Longest input per target: captures and streams need room, the small
# decoders do not (smaller inputs mean more executions).
max_len() {
	case $1 in
	capture | pcap_reader) echo 65536 ;;
	smtp | tls | packet) echo 16384 ;;
	mime | x509) echo 8192 ;;
	*) echo 4096 ;;
	esac
}

toolchain() {
	if ! command -v "$cc" >/dev/null 2>&1; then
		echo "$cc not found (Debian: apt-get install clang libclang-rt-dev)"
		return 1
	fi
	t=$(mktemp -d "${TMPDIR:-/tmp}/smtplog-fuzzcheck.XXXXXX") || return 1
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
		>"$t/probe.c"
	if ! "$cc" -fsanitize=fuzzer,address,undefined -o "$t/probe" "$t/probe.c" >"$t/err" 2>&1; then
		echo "$cc cannot link a libFuzzer target (Debian: apt-get install libclang-rt-dev): $(head -n 1 "$t/err")"
		rm -rf "$t"
		return 1
	fi
	rm -rf "$t"
	return 0
}

# one NAME SECS: fuzzes one target, replays its regressions, prints one line.
one() {
	name=$1
	secs=$2
	bin=build/fuzz/fuzz_$name
	corpus=build/fuzz/corpus/$name
	art=build/fuzz/artifacts/$name
	log=build/fuzz/logs/$name.log
	mkdir -p "$art" "$corpus" build/fuzz/logs
	rm -f "$log.regress"
	# The targets write logs into a scratch folder under TMPDIR.
	scratch=$(mktemp -d "${TMPDIR:-/tmp}/smtplog-fuzz-$name.XXXXXX") || exit 2
	if [ "${FUZZ_KEEP_CORPUS:-0}" = 1 ]; then
		mkdir -p "build/fuzz/work/$name"
		dirs="build/fuzz/work/$name $corpus"
	else
		mkdir -p "$scratch/new"
		dirs="$scratch/new $corpus"
	fi
	set -- -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 \
		-max_len="$(max_len "$name")" -artifact_prefix="$art/" -print_final_stats=1
	[ -f "tests/fuzz/$name.dict" ] && set -- "$@" -dict="tests/fuzz/$name.dict"
	# shellcheck disable=SC2086
	TMPDIR=$scratch ASAN_OPTIONS=detect_leaks=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$bin" "$@" $dirs >"$log" 2>&1
	rc=$?
	# The regression inputs, each run once.
	regress=0
	rfail=0
	if [ -d "testdata/fuzz-regress/$name" ]; then
		for f in testdata/fuzz-regress/"$name"/*; do
			[ -f "$f" ] || continue
			regress=$((regress + 1))
			if ! TMPDIR=$scratch ASAN_OPTIONS=detect_leaks=1 \
				UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
				"$bin" -timeout=25 "$f" >>"$log.regress" 2>&1; then
				rfail=$((rfail + 1))
				echo "    regression input fails again: $f (see $log.regress)"
			fi
		done
	fi
	rm -rf "$scratch"
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	last=$(grep -a -E '^#[0-9]+' "$log" | tail -n 1)
	cov=$(printf '%s\n' "$last" | sed -n 's/.*cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\).*/cov \1, ft \2, corpus \3/p')
	summary="${runs:-0} runs in ${secs}s, ${cov:-no coverage line}, $regress regression inputs"
	if [ "$rc" -ne 0 ]; then
		crash=$(ls -t "$art" 2>/dev/null | head -n 1)
		echo "FAIL $name (exit $rc): $summary; crash input: $art/$crash"
		grep -a -m 3 -E 'ERROR|runtime error|fuzz check failed|SUMMARY' "$log" | sed 's/^/    /'
	elif [ "$rfail" -ne 0 ]; then
		echo "FAIL $name: $rfail of $regress regression inputs fail; $summary"
	else
		echo "PASS $name: $summary"
	fi
}

case ${1:-} in
toolchain)
	why=$(toolchain) || {
		echo "fuzz: SKIPPED ($why)"
		exit 1
	}
	exit 0
	;;
one)
	one "$2" "$3"
	;;
run)
	secs=${2:-60}
	jobs=${3:-1}
	names=$(ls tests/fuzz/fuzz_*.c | sed 's|tests/fuzz/fuzz_||; s|\.c$||')
	missing=0
	for n in $names; do
		if [ ! -x "build/fuzz/fuzz_$n" ]; then
			echo "FAIL $n: build/fuzz/fuzz_$n not built (make fuzz-build)"
			missing=$((missing + 1))
		fi
	done
	if [ "$missing" -ne 0 ]; then
		echo "0 passed, $missing failed"
		exit 1
	fi
	out=$(mktemp "${TMPDIR:-/tmp}/smtplog-fuzzrun.XXXXXX") || exit 2
	printf '%s\n' $names | xargs -P "$jobs" -I NAME sh tests/fuzz/fuzz.sh one NAME "$secs" >"$out"
	cat "$out"
	p=$(grep -c '^PASS ' "$out")
	f=$(grep -c '^FAIL ' "$out")
	rm -f "$out"
	echo "$p passed, $f failed"
	[ "$f" -eq 0 ]
	;;
*)
	echo "usage: fuzz.sh toolchain | run SECS [JOBS]" >&2
	exit 1
	;;
esac
