#!/bin/sh
# smtplog diff: Zeek's baselines against smtplog's output (every case
# build/conform passes, TSV, JSON and across the two), altered copies,
# the options, errors and long lines. Each check is one line; the last
# line is "N passed, N failed".
#
# SMTPLOG_CONFORMANCE overrides the corpus folder (default: the shared
# folder beside the repository, ../shared/conformance).
set -u
cd "$(dirname "$0")/.." || exit 2
repo=$(pwd)
S=${SMTPLOG:-./smtplog}
T=testdata
conf=${SMTPLOG_CONFORMANCE:-$(dirname "$repo")/shared/conformance}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/smtplog-diff.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
. tests/checks.sh
# expect_status WANT DESCRIPTION -- command...
expect_status() {
	want=$1 what=$2; shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" = "$want" ]; then ok; else bad "$what: exit $got, want $want ($(head -1 "$tmp/err"))"; fi
}
has() { grep -qF -- "$1" "$tmp/out" && ok || bad "$2: output lacks '$1'"; }
has_err() { grep -qF -- "$1" "$tmp/err" && ok || bad "$2: message lacks '$1'"; }

# --- Zeek's baselines against smtplog's output --------------------------
# build/conform --keep leaves smtplog's output of each case in a folder and
# names it after the case's PASS line; the case's own logs (not its
# zeek-cut selections) are linked into A, the same names of smtplog's
# output into B.
# conform_outputs CORPUS EXPECT OUT: "case folder" lines of the passes.
conform_outputs() {
	mkdir -p "$tmp/conf"
	TMPDIR=$tmp/conf build/conform --smtplog ./smtplog --seed --exact --keep \
		--expect "$2" --lacking tests/conform/lacking.txt "$1" >"$tmp/conform.out" 2>&1
	awk '/^[A-Z-]+ /{n=$2} /^PASS /{p=$2}
	     /^# output kept in /{if (n == p) print n, $5}' "$tmp/conform.out" >"$3"
}
# baseline_vs CASES LIST LABEL: one check per case.
baseline_vs() {
	n=0
	while read -r name dir; do
		c=$1/$name
		[ -d "$c" ] || continue	# a cut-case: its baselines are column cuts
		# A handler that re-sorts files.log's analyzers before logging.
		sort=
		grep -q 'normalises set order' "$c/case.json" && sort="--sort files:analyzers"
		rm -rf "$tmp/A" "$tmp/B"
		mkdir "$tmp/A" "$tmp/B"
		for f in "$c"/*.log; do
			b=$(basename "$f")
			grep -q "\"$b\": *{" "$c/case.json" && continue	# a cut
			cp "$f" "$tmp/A/$b"
			[ -f "$dir/$b" ] && cp "$dir/$b" "$tmp/B/$b"
		done
		n=$((n + 1))
		if $S diff --mask-ts $sort "$tmp/A" "$tmp/B" >"$tmp/out" 2>&1; then
			ok
		else
			bad "$3 $name: $(grep -v ' 0 differing, 0 missing from B, 0 extra in B$' "$tmp/out" | head -3 | tr '\n' ' ')"
		fi
	done <"$2"
	echo "$3: $n cases compared"
}
if [ ! -d "$conf/cases" ]; then
	echo "conformance baselines: SKIPPED ($conf/cases not found)"
else
	[ -x build/conform ] || ${MAKE:-make} --no-print-directory build/conform >/dev/null
	if [ ! -x build/conform ]; then
		bad "build/conform could not be built"
	else
		conform_outputs "$conf" tests/conform/expect-tsv.txt "$tmp/tsv.list"
		conform_outputs "$conf/json" tests/conform/expect-json.txt "$tmp/json.list"
		baseline_vs "$conf/cases" "$tmp/tsv.list" "TSV baseline vs TSV output"
		baseline_vs "$conf/json/cases" "$tmp/json.list" "JSON baseline vs JSON output"
		# The JSON baselines against smtplog's TSV output of the same case.
		baseline_vs "$conf/json/cases" "$tmp/tsv.list" "JSON baseline vs TSV output"
		[ -s "$tmp/tsv.list" ] && ok || bad "build/conform passed no TSV case"
		# And the reverse direction, one case.
		c=scripts.base.protocols.smtp.attachment
		d=$(awk -v c=$c '$1 == c {print $2}' "$tmp/json.list")
		if [ -n "$d" ]; then
			expect_status 0 "TSV baseline vs JSON output" -- $S diff --mask-ts "$conf/cases/$c/smtp.log" "$d/smtp.log"
		fi
		# Without --mask-ts the masked ts of the baseline differs.
		d=$(awk -v c=$c '$1 == c {print $2}' "$tmp/tsv.list")
		if [ -n "$d" ]; then
			expect_status 1 "baseline without --mask-ts" -- $S diff "$conf/cases/$c/smtp.log" "$d/smtp.log"
			has 'smtp.log line 1: ts "XXXXXXXXXX.XXXXXX" vs "' "baseline without --mask-ts"
		fi
	fi
fi

# --- Our own runs --------------------------------------------------------
seed=$T/golden.seed
$S -C -G $seed -r $T/smtp-features.pcap -o "$tmp/t" 2>/dev/null
$S -C -G $seed -r $T/smtp-features.pcap --json -o "$tmp/j" 2>/dev/null
$S -C -G $seed -r $T/smtp-features.pcap --json --json-timestamps iso8601 -o "$tmp/ji" 2>/dev/null
expect_status 0 "a folder against itself" -- $S diff "$tmp/t" "$tmp/t"
has "conn.log: 5 equal, 0 differing, 0 missing from B, 0 extra in B" "counts line"
has "3 logs: 3 the same, 0 different" "summary line"
expect_status 0 "TSV vs JSON" -- $S diff "$tmp/t" "$tmp/j"
expect_status 0 "TSV vs JSON with ISO 8601 times" -- $S diff "$tmp/t" "$tmp/ji"
expect_status 0 "JSON ISO 8601 vs JSON epoch" -- $S diff "$tmp/ji" "$tmp/j"
mkdir "$tmp/gz"
for f in "$tmp/t"/*.log; do gzip -c "$f" >"$tmp/gz/$(basename "$f").gz"; done
expect_status 0 ".log.gz against .log" -- $S diff "$tmp/gz" "$tmp/t"

# One field of one line changed: exit 1, naming log, line, field, values.
col() { awk -F'\t' -v n="$2" '/^#fields/ {for (i = 2; i <= NF; i++) if ($i == n) print i - 1}' "$1"; }
svc=$(col "$tmp/t/conn.log" service)
mkdir "$tmp/alt"
cp "$tmp/t"/*.log "$tmp/alt/"
awk -F'\t' -v OFS='\t' -v c="$svc" '!/^#/ {n++; if (n == 2) {old = $c; $c = "dns"}} {print}' \
	"$tmp/t/conn.log" >"$tmp/alt/conn.log"
old=$(grep -v '^#' "$tmp/t/conn.log" | sed -n 2p | cut -f"$svc")
expect_status 1 "one field altered" -- $S diff "$tmp/t" "$tmp/alt"
has "conn.log line 2: service \"$old\" vs \"dns\"" "one field altered"
has "conn.log: 4 equal, 1 differing, 0 missing from B, 0 extra in B" "one field altered: counts"
has "smtp.log: 5 equal, 0 differing" "one field altered: other logs equal"
expect_status 1 "altered TSV vs JSON" -- $S diff "$tmp/alt" "$tmp/j"
has "conn.log line 2: service \"dns\" vs \"$old\"" "altered TSV vs JSON"
expect_status 1 "-q" -- $S diff -q "$tmp/t" "$tmp/alt"
grep -q "line 2" "$tmp/out" && bad "-q prints no differences" || ok
expect_status 1 "--max-diffs 0" -- $S diff --max-diffs 0 "$tmp/t" "$tmp/alt"
grep -q "line 2" "$tmp/out" && bad "--max-diffs 0 prints no differences" || ok

# A log on one side only; lines missing from B and extra in B.
rm "$tmp/alt/files.log"
expect_status 1 "a log only in A" -- $S diff "$tmp/t" "$tmp/alt"
has "files.log: only in A" "a log only in A"
grep -v '^#' "$tmp/t/smtp.log" | head -3 >"$tmp/short.body"
{ grep '^#' "$tmp/t/smtp.log" | grep -v '^#close'; cat "$tmp/short.body"; } >"$tmp/short.log"
expect_status 1 "lines missing from B" -- $S diff "$tmp/t/smtp.log" "$tmp/short.log"
has "smtp.log: 3 equal, 0 differing, 2 missing from B, 0 extra in B" "lines missing from B"
has "smtp.log line 4: missing from B: " "lines missing from B"
expect_status 1 "lines extra in B" -- $S diff "$tmp/short.log" "$tmp/t/smtp.log"
has "short.log B line 4: extra in B: " "lines extra in B"

# A header line that differs.
sed 's/^#path	conn$/#path	other/' "$tmp/t/conn.log" >"$tmp/hdr.log"
expect_status 1 "#path differs" -- $S diff "$tmp/t/conn.log" "$tmp/hdr.log"
has 'conn.log header: #path "conn" vs "other"' "#path differs"
sed 's/^#open.*/#open	2001-01-01-00-00-00/' "$tmp/t/conn.log" >"$tmp/open.log"
expect_status 0 "#open is masked" -- $S diff "$tmp/t/conn.log" "$tmp/open.log"

# --rename-ids: two runs without a seed have different random UIDs.
$S -C -r $T/smtp-features.pcap -o "$tmp/r1" 2>/dev/null
$S -C -r $T/smtp-features.pcap -o "$tmp/r2" 2>/dev/null
expect_status 1 "random UIDs differ" -- $S diff "$tmp/r1" "$tmp/r2"
has "conn.log line 1: uid " "random UIDs differ"
expect_status 0 "--rename-ids" -- $S diff --rename-ids "$tmp/r1" "$tmp/r2"
$S -C -r $T/smtp-features.pcap --json -o "$tmp/r3" 2>/dev/null
expect_status 0 "--rename-ids, TSV vs JSON (fuids, conn_uids)" -- $S diff --rename-ids "$tmp/r1" "$tmp/r3"
expect_status 0 "--rename-ids --unordered" -- $S diff --rename-ids --unordered "$tmp/r1" "$tmp/r2"

# --unordered: the same lines in another order.
{ grep '^#' "$tmp/t/files.log"; grep -v '^#' "$tmp/t/files.log" | sort -r; } >"$tmp/rev.log"
expect_status 1 "reordered lines, in order" -- $S diff "$tmp/t/files.log" "$tmp/rev.log"
expect_status 0 "reordered lines, --unordered" -- $S diff --unordered "$tmp/t/files.log" "$tmp/rev.log"
has "files.log: 11 equal, 0 differing, 0 missing from B, 0 extra in B" "--unordered counts"
{ grep '^#' "$tmp/t/smtp.log"; grep -v '^#' "$tmp/t/smtp.log" | sed -n '2,5p'; grep -v '^#' "$tmp/t/smtp.log" | sed -n 2p; } >"$tmp/dup.log"
expect_status 1 "--unordered, a line missing, a duplicate extra" -- $S diff --unordered "$tmp/t/smtp.log" "$tmp/dup.log"
has "smtp.log: 4 equal, 0 differing, 1 missing from B, 1 extra in B" "--unordered multiset counts"
has "smtp.log line 1: missing from B: " "--unordered names A's line"
has "smtp.log B line " "--unordered names B's line"

# --skip and --mask-ts.
dur=$(col "$tmp/t/conn.log" duration)
awk -F'\t' -v OFS='\t' -v c="$dur" '!/^#/ {n++; if (n == 1) $c = "9.999999"} {print}' \
	"$tmp/t/conn.log" >"$tmp/dur.log"
expect_status 1 "duration changed" -- $S diff "$tmp/t/conn.log" "$tmp/dur.log"
has 'conn.log line 1: duration "' "duration changed"
expect_status 0 "--skip duration" -- $S diff --skip duration "$tmp/t/conn.log" "$tmp/dur.log"
expect_status 0 "--skip conn:duration" -- $S diff --skip uid,conn:duration "$tmp/t/conn.log" "$tmp/dur.log"
expect_status 1 "--skip smtp:duration leaves conn.log" -- $S diff --skip=smtp:duration "$tmp/t/conn.log" "$tmp/dur.log"
awk -F'\t' -v OFS='\t' '!/^#/ {n++; if (n == 3) $1 = "1000000000.000001"} {print}' \
	"$tmp/t/conn.log" >"$tmp/ts.log"
expect_status 1 "ts changed" -- $S diff "$tmp/t/conn.log" "$tmp/ts.log"
has 'conn.log line 3: ts "' "ts changed"
expect_status 0 "--mask-ts" -- $S diff --mask-ts "$tmp/t/conn.log" "$tmp/ts.log"

# --sort: a set's elements in another order.
printf '#separator \\x09\n#fields\tts\tanalyzers\n#types\ttime\tset[string]\n1.000000\tMD5,SHA1,X509\n' >"$tmp/s1.log"
printf '#separator \\x09\n#fields\tts\tanalyzers\n#types\ttime\tset[string]\n1.000000\tX509,MD5,SHA1\n' >"$tmp/s2.log"
expect_status 1 "set order differs" -- $S diff "$tmp/s1.log" "$tmp/s2.log"
expect_status 0 "--sort analyzers" -- $S diff --sort analyzers "$tmp/s1.log" "$tmp/s2.log"
expect_status 1 "--sort for another log" -- $S diff --sort conn:analyzers "$tmp/s1.log" "$tmp/s2.log"
expect_status 2 "--sort without a field" -- $S diff --sort "" "$tmp/s1.log" "$tmp/s2.log"

# Numbers at microsecond precision; booleans; escapes.
printf '#separator \\x09\n#fields\tts\td\tb\ts\tv\n#types\ttime\tinterval\tbool\tstring\tvector[string]\n1234.567890\t0.000061\tT\ta\\x01b\\\\c\tx\\x2cy,z\n' >"$tmp/n.log"
printf '{"ts":1234.56789,"d":0.00006103515625,"b":true,"s":"a\\\\x01b\\\\c","v":["x,y","z"]}\n' >"$tmp/n.json.log"
expect_status 0 "TSV and JSON values canonicalised alike" -- $S diff "$tmp/n.log" "$tmp/n.json.log"
printf '{"ts":1234.567891,"d":0.00006103515625,"b":false,"v":["x","y,z"]}\n' >"$tmp/n2.json.log"
expect_status 1 "TSV and JSON values that differ" -- $S diff "$tmp/n.log" "$tmp/n2.json.log"
has 'ts "1234.567890" vs "1234.567891"' "a microsecond differs"
has 'b "T" vs "F"' "booleans"
has 's "a\x01b\x5cc" vs "-"' "absent JSON field is unset"
has 'v "x\x2cy,z" vs "x,y\x2cz"' "vector elements"

# --- Errors and hostile input --------------------------------------------
expect_status 2 "missing folder" -- $S diff "$tmp/none" "$tmp/t"
has_err "smtplog: $tmp/none: " "missing folder"
expect_status 2 "a folder and a file" -- $S diff "$tmp/t" "$tmp/t/conn.log"
expect_status 2 "one argument" -- $S diff "$tmp/t"
expect_status 2 "unknown option" -- $S diff --bogus "$tmp/t" "$tmp/t"
expect_status 2 "bad --max-diffs" -- $S diff --max-diffs x "$tmp/t" "$tmp/t"
expect_status 0 "diff --help" -- $S diff --help
has "--rename-ids" "diff --help"
expect_status 0 "smtplog --help mentions diff" -- $S --help
has "smtplog diff [OPTIONS] A B" "smtplog --help mentions diff"
mkdir "$tmp/badj"
cp "$tmp/j/conn.log" "$tmp/badj/conn.log"
sed -i '3s/^{/{"x"::/' "$tmp/badj/conn.log"
expect_status 2 "malformed JSON line" -- $S diff "$tmp/j" "$tmp/badj"
has_err "smtplog: $tmp/badj/conn.log: line 3: bad JSON" "malformed JSON line names file and line"
printf 'hello\n' >"$tmp/x.log"
expect_status 2 "not a log" -- $S diff "$tmp/x.log" "$tmp/x.log"
printf '#separator \\x09\n#fields\ta\tb\n#types\tstring\tstring\n1\t2\t3\n' >"$tmp/wide.log"
expect_status 2 "a TSV line with too many fields" -- $S diff "$tmp/wide.log" "$tmp/wide.log"
has_err "line 4:" "too many fields names the line"
# A 1 MiB line (non-UTF-8 bytes included) works; one past 64 MiB is an error.
{
	printf '#separator \\x09\n#fields\tts\ts\n#types\ttime\tstring\n1.0\t'
	head -c 1048576 /dev/zero | tr '\0' 'a'
	printf '\377\376\n'
} >"$tmp/long.log"
cp "$tmp/long.log" "$tmp/long2.log"
expect_status 0 "a 1 MiB line" -- $S diff "$tmp/long.log" "$tmp/long2.log"
printf '2.0\tb\n' >>"$tmp/long2.log"
expect_status 1 "after a 1 MiB line" -- $S diff "$tmp/long.log" "$tmp/long2.log"
has "long.log B line 2: extra in B: 2.0 b" "after a 1 MiB line"
{
	printf '#separator \\x09\n#fields\ts\n#types\tstring\n'
	head -c 67108870 /dev/zero | tr '\0' 'a'
	printf '\n'
} >"$tmp/huge.log"
expect_status 2 "a line past 64 MiB" -- $S diff "$tmp/huge.log" "$tmp/long.log"
has_err "huge.log: line 4: longer than 64 MiB" "a line past 64 MiB"
rm -f "$tmp/huge.log"

echo "$passed passed, $failed failed"
[ $failed = 0 ]
