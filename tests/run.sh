#!/bin/sh
# The driver "make test" runs once everything is built: unit tests, golden
# tests, the Zeek conformance corpus (TSV and JSON), a sanitizer pass and a
# short run of every fuzz target.
# Each stage prints its own summary; the very last line is the total
# "N passed, N failed", and the exit status is 0 iff nothing failed.
#
# SMTPLOG_CONFORMANCE overrides the corpus folder (default: the shared
# folder beside the repository, ../shared/conformance).
set -u
cd "$(dirname "$0")/.." || exit 2
repo=$(pwd)
conf=${SMTPLOG_CONFORMANCE:-$(dirname "$repo")/shared/conformance}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/smtplog-test.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

if command -v timeout >/dev/null 2>&1; then
	tmo="timeout"
else
	tmo=""
fi
# run_limited SECS CMD...: CMD with a time limit when timeout(1) exists.
run_limited() {
	secs=$1
	shift
	if [ -n "$tmo" ]; then
		timeout "$secs" "$@"
	else
		"$@"
	fi
}

total_pass=0
total_fail=0
: >"$tmp/summary"

# stage NAME PASSED FAILED [NOTE]: records one stage's result.
stage() {
	total_pass=$((total_pass + $2))
	total_fail=$((total_fail + $3))
	printf '  %-22s %5d passed, %d failed%s\n' "$1" "$2" "$3" "${4:+  ($4)}" >>"$tmp/summary"
}

# counts FILE: prints "P F" from a final "N passed, N failed" line, or nothing.
counts() {
	tail -n 1 "$1" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2/p'
}

# --- a) unit tests ---------------------------------------------------------
echo "== unit tests"
u_pass=0
u_fail=0
u_bins=0
if [ -d build/tests ]; then
	for bin in $(find build/tests -type f -perm -u+x -name 'test_*' | sort); do
		u_bins=$((u_bins + 1))
		run_limited 300 "./$bin" >"$tmp/unit.out" 2>&1
		rc=$?
		set -- $(counts "$tmp/unit.out")
		if [ $# -eq 2 ]; then
			p=$1
			f=$2
			# A binary that reports no failure but exits non-zero broke later.
			[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
		else
			p=0
			f=1
		fi
		u_pass=$((u_pass + p))
		u_fail=$((u_fail + f))
		if [ "$f" -ne 0 ]; then
			echo "FAIL $bin (exit $rc):"
			tail -n 20 "$tmp/unit.out" | sed 's/^/    /'
		else
			echo "ok   $bin: $p passed"
		fi
	done
fi
stage "unit tests" "$u_pass" "$u_fail" "$u_bins binaries"

# --- b) golden tests -------------------------------------------------------
echo "== golden tests"
if [ -f tests/golden.sh ]; then
	sh tests/golden.sh >"$tmp/golden.out" 2>&1
	rc=$?
	cat "$tmp/golden.out"
	set -- $(counts "$tmp/golden.out")
	if [ $# -eq 2 ]; then
		g_fail=$2
		[ "$rc" -ne 0 ] && [ "$g_fail" -eq 0 ] && g_fail=1
		stage "golden" "$1" "$g_fail"
	else
		echo "FAIL tests/golden.sh exited $rc without a summary line"
		stage "golden" 0 1
	fi
else
	echo "golden: SKIPPED (tests/golden.sh not found)"
	stage "golden" 0 0 "skipped"
fi

# --- b2) command line, bounded resources ------------------------------------
# script_stage LABEL SCRIPT [ARGS...]: a test script that ends with the line
# "N passed, N failed"; its counts become the stage's.
script_stage() {
	label=$1
	shift
	echo "== $label"
	sh "$@" >"$tmp/script.out" 2>&1
	rc=$?
	cat "$tmp/script.out"
	set -- $(counts "$tmp/script.out")
	if [ $# -eq 2 ]; then
		s_fail=$2
		[ "$rc" -ne 0 ] && [ "$s_fail" -eq 0 ] && s_fail=1
		stage "$label" "$1" "$s_fail"
	else
		echo "FAIL $label: exited $rc without a summary line"
		stage "$label" 0 1
	fi
}
script_stage "command line" tests/cli.sh
script_stage "zeek options" tests/options.sh
script_stage "diff" tests/diff.sh
script_stage "encapsulation" tests/encap.sh
script_stage "bounded resources" tests/limits.sh

# --- c) conformance --------------------------------------------------------
# conform_stage LABEL CORPUS OUTFILE [conform options...]: runs build/conform,
# shows everything but the PASS lines, and records its counts.
conform_stage() {
	label=$1
	corpus=$2
	out=$3
	shift 3
	if [ ! -d "$corpus" ]; then
		echo "$label: SKIPPED ($corpus not found)"
		stage "$label" 0 0 "skipped"
		return
	fi
	build/conform "$@" "$corpus" >"$out" 2>&1
	rc=$?
	grep -v '^PASS ' "$out"
	last=$(tail -n 1 "$out")
	p=$(printf '%s\n' "$last" | sed -n 's/^conformance([^)]*): \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed, \([0-9][0-9]*\) unsupported, \([0-9][0-9]*\) known-fail$/\1 \2 \3 \4/p')
	case "$p" in
	"" | *SKIPPED*)
		if printf '%s\n' "$last" | grep -q '^conformance: SKIPPED'; then
			stage "$label" 0 0 "skipped"
		else
			echo "FAIL $label: build/conform exited $rc without a summary"
			stage "$label" 0 1
		fi
		;;
	*)
		set -- $p
		f=$2
		[ "$rc" -ne 0 ] && [ "$rc" -ne 1 ] && f=$((f + 1))
		stage "$label" "$1" "$f" "$3 unsupported, $4 known-fail"
		;;
	esac
}

# Byte-exact: the corpus seed file gives Zeek's UIDs, set and line order.
echo "== conformance (TSV)"
conform_stage "conformance tsv" "$conf" "$tmp/conf-tsv.out" \
	--smtplog ./smtplog --seed --exact --expect tests/conform/expect-tsv.txt --lacking tests/conform/lacking.txt
echo "== conformance (JSON)"
conform_stage "conformance json" "$conf/json" "$tmp/conf-json.out" \
	--smtplog ./smtplog --seed --exact --expect tests/conform/expect-json.txt --lacking tests/conform/lacking.txt
# The cases refused only for a lacking analyzer's script: service aside, Zeek's.
script_stage "conformance lacking" tests/lacking.sh "$conf"

# --- d) sanitizer pass -----------------------------------------------------
echo "== sanitizer"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS UBSAN_OPTIONS
if [ ! -x ./smtplog-sanitize ]; then
	echo "FAIL sanitizer: ./smtplog-sanitize not built"
	stage "sanitizer" 0 1
else
	conform_stage "sanitizer corpus" "$conf" "$tmp/conf-san.out" \
		--sanitizer --seed --smtplog ./smtplog-sanitize

	# Every capture we have, with -C, just checking for sanitizer reports.
	# One small script per capture so that xargs can run two at a time.
	cat >"$tmp/san1.sh" <<'EOF'
f=$1
out=$(mktemp -d "$SAN_TMP/run.XXXXXX") || { echo "FAIL $f: mktemp"; exit 0; }
if command -v timeout >/dev/null 2>&1; then
	timeout 300 ./smtplog-sanitize -C -r "$f" -o "$out" $SAN_EXTRA >/dev/null 2>"$out.err"
else
	./smtplog-sanitize -C -r "$f" -o "$out" $SAN_EXTRA >/dev/null 2>"$out.err"
fi
rc=$?
report=$(grep -m 1 -E 'ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|runtime error:' "$out.err")
if [ -n "$report" ]; then
	echo "FAIL $f: $report"
elif [ "$rc" -eq 124 ]; then
	echo "FAIL $f: timed out"
elif [ "$rc" -gt 128 ]; then
	echo "FAIL $f: killed by signal $((rc - 128))"
else
	echo "PASS $f"
fi
rm -rf "$out" "$out.err"
EOF
	SAN_TMP=$tmp
	# Every optional feature on, so that its code sees hostile input too.
	SAN_EXTRA="-x policy/frameworks/files/hash-all-files protocols/ssl/known-certs
		protocols/ssl/certificate-request-info X509::log_x509_in_files_log=T
		SSL::log_include_server_certificate_subject_issuer=T
		SSL::log_include_client_certificate_subject_issuer=T"
	export SAN_TMP SAN_EXTRA
	: >"$tmp/captures"
	for d in testdata "$conf/traces" "$conf/extra-traces"; do
		[ -d "$d" ] || continue
		find "$d" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.gz' \) \
			-print >>"$tmp/captures"
	done
	# Mutated copies (tools/mutate.c: bit flips, cuts, lying record
	# lengths, spliced garbage: one of each) of our captures and the
	# corpus traces, with deterministic seeds.
	mkdir -p "$tmp/mutated"
	if [ -x build/tools/mutate ]; then
		k=0
		for f in testdata/*.pcap $(find "$conf/traces" -type f 2>/dev/null | sort); do
			[ -f "$f" ] || continue
			k=$((k + 1))
			for seed in 0 1 2 3; do
				m="$tmp/mutated/$k-$seed-$(basename "$f")"
				build/tools/mutate "$((k * 4 + seed))" "$f" "$m" && echo "$m" >>"$tmp/captures"
			done
		done
	fi
	n=$(wc -l <"$tmp/captures" | tr -d ' ')
	if [ "$n" -eq 0 ]; then
		echo "sanitizer captures: SKIPPED (no captures found)"
		stage "sanitizer captures" 0 0 "skipped"
	else
		sort "$tmp/captures" | tr '\n' '\0' |
			xargs -0 -n 1 -P 2 sh "$tmp/san1.sh" >"$tmp/san.out" 2>&1
		grep -v '^PASS ' "$tmp/san.out"
		p=$(grep -c '^PASS ' "$tmp/san.out")
		f=$(grep -c -v '^PASS ' "$tmp/san.out")
		stage "sanitizer captures" "$p" "$f" "$n captures"
	fi
fi

# Valgrind's memcheck over our captures and the corpus traces, every
# optional feature on: no error, no leak.
if [ -d "$conf/traces" ]; then
	script_stage "valgrind" tests/valgrind.sh "$conf"
else
	script_stage "valgrind" tests/valgrind.sh
fi

# --- e) fuzzing -------------------------------------------------------------
# A short run of every libFuzzer target (tests/fuzz/, "make fuzz" for long
# runs) and a replay of its regression inputs: one pass per target.
# FUZZ_TEST_SECONDS sets the time per target (two targets run at a time).
echo "== fuzz"
if ! why=$(sh tests/fuzz/fuzz.sh toolchain); then
	echo "$why"
	stage "fuzz" 0 0 "skipped"
else
	fsecs=${FUZZ_TEST_SECONDS:-10}
	TMPDIR=$tmp sh tests/fuzz/fuzz.sh run "$fsecs" 2 >"$tmp/fuzz.out" 2>&1
	rc=$?
	cat "$tmp/fuzz.out"
	set -- $(counts "$tmp/fuzz.out")
	if [ $# -eq 2 ]; then
		f=$2
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
		stage "fuzz" "$1" "$f" "$fsecs s per target"
	else
		echo "FAIL tests/fuzz/fuzz.sh exited $rc without a summary line"
		stage "fuzz" 0 1
	fi
fi

# --- f) summary ------------------------------------------------------------
echo "== summary"
cat "$tmp/summary"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
