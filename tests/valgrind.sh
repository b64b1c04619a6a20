#!/bin/sh
# Valgrind memcheck over every capture in testdata/ and the conformance
# traces, in the default mode with every optional feature on (hashes,
# extraction, certificates in files.log, known-certs, the ssl.log options):
# no memory error, no leak. One line per capture, then "N passed, N failed".
#
#   sh tests/valgrind.sh [CONFORMANCE_DIR]
set -u
cd "$(dirname "$0")/.." || exit 2
conf=${1:-}
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind: SKIPPED (valgrind is not installed)"
	echo "0 passed, 0 failed"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/smtplog-vg.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/one.sh" <<'ONE'
f=$1
out=$(mktemp -d "$VG_TMP/run.XXXXXX") || { echo "FAIL $f: mktemp"; exit 0; }
timeout 600 valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite,indirect \
	--error-exitcode=99 --quiet --log-file="$out.vg" \
	./smtplog -C -r "$f" -o "$out/logs" -x policy/frameworks/files/hash-all-files \
	protocols/ssl/known-certs protocols/ssl/certificate-request-info \
	X509::log_x509_in_files_log=T SSL::log_include_server_certificate_subject_issuer=T \
	SSL::log_include_client_certificate_subject_issuer=T >/dev/null 2>"$out.err"
rc=$?
if [ "$rc" -eq 99 ] || [ -s "$out.vg" ]; then
	echo "FAIL $f: $(grep -m 1 -E '== [A-Z].*(Invalid|uninitialised|definitely|indirectly|Mismatched)' "$out.vg" || head -n 1 "$out.vg")"
elif [ "$rc" -eq 124 ]; then
	echo "FAIL $f: timed out"
elif [ "$rc" -gt 128 ]; then
	echo "FAIL $f: killed by signal $((rc - 128))"
else
	echo "PASS $f"
fi
rm -rf "$out" "$out.vg" "$out.err"
ONE
VG_TMP=$tmp
export VG_TMP
: >"$tmp/list"
find testdata -maxdepth 1 -type f -name '*.pcap' >>"$tmp/list"
[ -n "$conf" ] && [ -d "$conf/traces" ] && find "$conf/traces" -type f >>"$tmp/list"
sort "$tmp/list" | tr '\n' '\0' | xargs -0 -n 1 -P 2 sh "$tmp/one.sh" >"$tmp/out" 2>&1
grep -v '^PASS ' "$tmp/out"
p=$(grep -c '^PASS ' "$tmp/out")
f=$(grep -c -v '^PASS ' "$tmp/out")
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
