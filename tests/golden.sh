#!/bin/sh
# Golden tests: runs smtplog on the captures of tests/golden.list, with our own
# seed file (testdata/golden.seed) so that UIDs are fixed, and compares every
# log with testdata/expected/NAME/. Only the #open/#close wall-clock times are
# masked. Last line: N passed, N failed.
set -u
cd "$(dirname "$0")/.."
update=0
[ "${1:-}" = "--update" ] && update=1
SMTPLOG=${SMTPLOG:-./smtplog}
GEN=build/tools/gen_pcap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

canon() { # file -> stdout; the times after any separator (LogAscii::separator)
	sed -e 's/^\(#open[^0-9]*\)[0-9][0-9-]*$/\1XXXX/' -e 's/^\(#close[^0-9]*\)[0-9][0-9-]*$/\1XXXX/' "$1"
}

while IFS='|' read -r name capture args; do
	name=$(echo "$name" | tr -d ' ')
	case "$name" in ''|'#'*) continue ;; esac
	capture=$(echo "$capture" | tr -d ' ')
	case "$capture" in
	gen:*)
		kind=${capture#gen:}
		input="$tmp/$kind.pcap"
		[ -f "$input" ] || "$GEN" "$kind" "$input" >/dev/null 2>&1 ;;
	*) input="testdata/$capture" ;;
	esac
	out="$tmp/out-$name"
	# shellcheck disable=SC2086
	$SMTPLOG -q -G testdata/golden.seed -r "$input" -o "$out" $args 2>"$tmp/err-$name"
	rc=$?
	exp="testdata/expected/$name"
	if [ $update = 1 ]; then
		rm -rf "$exp"; mkdir -p "$exp"
		for f in "$out"/*.log; do
			[ -e "$f" ] && canon "$f" > "$exp/$(basename "$f")"
		done
		echo "$rc" > "$exp/exit-status"
		echo "updated $name"
		continue
	fi
	ok=1
	[ "$(cat "$exp/exit-status" 2>/dev/null)" = "$rc" ] || { echo "FAIL $name: exit status $rc"; ok=0; }
	for f in "$exp"/*.log "$out"/*.log; do
		[ -e "$f" ] || continue
		b=$(basename "$f")
		if [ ! -e "$exp/$b" ] || [ ! -e "$out/$b" ]; then
			echo "FAIL $name: $b present on one side only"; ok=0; continue
		fi
		canon "$exp/$b" > "$tmp/e"; canon "$out/$b" > "$tmp/o"
		if ! cmp -s "$tmp/e" "$tmp/o"; then
			echo "FAIL $name: $b differs"; diff "$tmp/e" "$tmp/o" | head -10; ok=0
		fi
	done
	if [ $ok = 1 ]; then passed=$((passed + 1)); echo "PASS $name"; else failed=$((failed + 1)); fi
done < tests/golden.list
echo "$passed passed, $failed failed"
[ $failed = 0 ]
