#!/bin/sh
# Golden tests: runs smtplog on the captures of tests/golden.list and compares
# every log with testdata/expected/NAME/. The #open/#close times and the UIDs
# (random without a seed) are masked on both sides. Last line: N passed, N failed.
set -u
cd "$(dirname "$0")/.."
update=0
[ "${1:-}" = "--update" ] && update=1
SMTPLOG=${SMTPLOG:-./smtplog}
GEN=build/tools/gen_pcap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

canon() { # file -> stdout
	sed -e 's/^#open\t.*/#open\tXXXX/' -e 's/^#close\t.*/#close\tXXXX/' "$1" |
		awk '{
			out = ""; s = $0
			# A UID is C + 10..20 base62 characters, a whole token.
			while (match(s, /C[0-9A-Za-z]+/)) {
				u = substr(s, RSTART, RLENGTH)
				if (RLENGTH >= 11 && RLENGTH <= 21) {
					if (!(u in id)) id[u] = "UID" (++n)
					u = id[u]
				}
				out = out substr(s, 1, RSTART - 1) u; s = substr(s, RSTART + RLENGTH)
			}
			print out s
		}'
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
	$SMTPLOG -q -r "$input" -o "$out" $args 2>"$tmp/err-$name"
	rc=$?
	exp="testdata/expected/$name"
	if [ $update = 1 ]; then
		rm -rf "$exp"; mkdir -p "$exp"
		cp "$out"/*.log "$exp"/ 2>/dev/null
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
