#!/bin/sh
# Command-line behaviour: exit statuses, messages, options that change the
# output. Each check is one line; the last line is "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
S=${SMTPLOG:-./smtplog}
T=testdata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
# expect_status WANT DESCRIPTION -- command...
expect_status() {
	want=$1 what=$2; shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" = "$want" ]; then ok; else bad "$what: exit $got, want $want ($(head -1 "$tmp/err"))"; fi
}
lines() { grep -vc '^#' "$1" 2>/dev/null || echo 0; }

expect_status 0 "--help" -- $S --help
grep -q -- "--json-timestamps" "$tmp/out" && ok || bad "--help lists --json-timestamps"
expect_status 0 "--version" -- $S -V
expect_status 0 "--help-scripts" -- $S --help-scripts
grep -q "policy/protocols/conn/vlan-logging" "$tmp/out" && ok || bad "--help-scripts lists vlan-logging"
expect_status 0 "--help-options" -- $S --help-options
grep -q "Site::local_nets" "$tmp/out" && ok || bad "--help-options lists Site::local_nets"
expect_status 1 "no input" -- $S -o "$tmp/a"
expect_status 1 "unknown option" -- $S --bogus -r $T/http-curl.pcap
expect_status 1 "unknown script" -- $S -r $T/http-curl.pcap base/protocols/nope
grep -q "^smtplog: unsupported script 'base/protocols/nope'" "$tmp/err" && ok || bad "unknown script message"
expect_status 1 "unknown NAME=VALUE" -- $S -r $T/http-curl.pcap Foo::bar=T
expect_status 1 "bad bool value" -- $S -r $T/http-curl.pcap LogAscii::use_json=maybe
expect_status 1 "bad subnet" -- $S -r $T/http-curl.pcap --local-nets 10.0.0.0/99
expect_status 1 "bad filter" -- $S -r $T/http-curl.pcap -f "port nonsense" -o "$tmp/f"
expect_status 1 "-G missing file" -- $S -G "$tmp/none.seed" -r $T/http-curl.pcap -o "$tmp/gx"
printf '1 2 3\n' > "$tmp/short.seed"
expect_status 1 "-G malformed file" -- $S -G "$tmp/short.seed" -r $T/http-curl.pcap -o "$tmp/gy"
grep -q "short.seed" "$tmp/err" && ok || bad "-G message names the file"

# UIDs: random without a seed (and different per run), fixed with one.
uids() { grep -v '^#' "$1" | cut -f2 | sort; }
$S -C -r $T/http-curl.pcap -o "$tmp/r1" 2>/dev/null; $S -C -r $T/http-curl.pcap -o "$tmp/r2" 2>/dev/null
[ -n "$(uids "$tmp/r1/conn.log")" ] && [ "$(uids "$tmp/r1/conn.log")" != "$(uids "$tmp/r2/conn.log")" ] && ok || bad "two unseeded runs give different UIDs"
[ "$(uids "$tmp/r1/conn.log" | uniq -d)" = "" ] && ok || bad "UIDs never repeat within a run"
seq 1 21 | tr '\n' ' ' > "$tmp/my.seed"
$S -C -G "$tmp/my.seed" -r $T/http-curl.pcap -o "$tmp/s1" 2>/dev/null
ZEEK_SEED_FILE="$tmp/my.seed" $S -C -r $T/http-curl.pcap -o "$tmp/s2" 2>/dev/null
grep -v '^#[oc]' "$tmp/s1/conn.log" > "$tmp/s1n"; grep -v '^#[oc]' "$tmp/s2/conn.log" > "$tmp/s2n"
cmp -s "$tmp/s1n" "$tmp/s2n" && ok || bad "-G and ZEEK_SEED_FILE with the same seed give identical logs"
expect_status 2 "missing input" -- $S -r "$tmp/none.pcap" -o "$tmp/m"
[ ! -e "$tmp/m" ] && ok || bad "missing input leaves no output folder"
expect_status 2 "not a capture" -- $S -r README.md -o "$tmp/n"
grep -q "README.md.*not a pcap" "$tmp/err" && ok || bad "not-a-capture message names the file"

# --force
expect_status 0 "first run" -- $S -C -r $T/http-curl.pcap -o "$tmp/o"
expect_status 3 "existing log without --force" -- $S -C -r $T/http-curl.pcap -o "$tmp/o"
grep -q "conn.log: already exists" "$tmp/err" && ok || bad "--force message"
expect_status 0 "--force" -- $S -C -r $T/http-curl.pcap -o "$tmp/o" --force
[ "$(lines "$tmp/o/conn.log")" = 3 ] && ok || bad "http-curl has 3 connections with -C"

# JSON, both spellings, and timestamps
expect_status 0 "--json" -- $S -C -r $T/http-curl.pcap -o "$tmp/j1" --json
expect_status 0 "use_json" -- $S -C -r $T/http-curl.pcap -o "$tmp/j2" LogAscii::use_json=T
sed 's/"uid":"[^"]*"//' "$tmp/j1/conn.log" > "$tmp/j1n"; sed 's/"uid":"[^"]*"//' "$tmp/j2/conn.log" > "$tmp/j2n"
cmp -s "$tmp/j1n" "$tmp/j2n" && ok || bad "--json equals LogAscii::use_json=T"
head -c 1 "$tmp/j1/conn.log" | grep -q '{' && ok || bad "JSON log has no header"
expect_status 0 "iso8601" -- $S -C -r $T/http-curl.pcap -o "$tmp/j3" --json --json-timestamps iso8601
grep -q '"ts":"20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:.]*Z"' "$tmp/j3/conn.log" && ok || bad "iso8601 ts"
expect_status 0 "TS_MILLIS" -- $S -C -r $T/http-curl.pcap -o "$tmp/j4" LogAscii::use_json=T LogAscii::json_timestamps=JSON::TS_MILLIS
grep -q '"ts":[0-9]\{13\},' "$tmp/j4/conn.log" && ok || bad "millis ts"

# Zeek's log field limits
expect_status 0 "field string limit" -- $S -C -r $T/http-curl.pcap -o "$tmp/lim" Log::default_max_field_string_bytes=3
grep -v '^#' "$tmp/lim/conn.log" | cut -f2 | awk 'length($0) != 3 { bad = 1 } END { exit bad }' && ok || bad "uids cut to 3 bytes"
expect_status 1 "bad limit" -- $S -C -r $T/http-curl.pcap Log::default_max_total_string_bytes=x

# MIME engine
expect_status 0 "--mime-engine libmagic" -- $S -C --mime-engine libmagic -r $T/smtp-features.pcap -o "$tmp/mg"
grep -q "application/octet-stream" "$tmp/mg/files.log" && ok || bad "libmagic names the broken-base64 attachment octet-stream"
expect_status 0 "--mime-engine zeek" -- $S -C --mime-engine zeek -r $T/smtp-features.pcap -o "$tmp/mz"
grep -q "application/octet-stream" "$tmp/mz/files.log" && bad "Zeek's rules have no octet-stream" || ok
expect_status 1 "--mime-engine bogus" -- $S --mime-engine bogus -r $T/smtp-features.pcap

# Damaged captures: complete logs for what could be read, exit 2, and a
# message naming the file, packet and byte offset.
full=$(wc -c < $T/smtp-features.pcap)
head -c $((full - 5)) $T/smtp-features.pcap > "$tmp/cut.pcap"
expect_status 2 "truncated last packet" -- $S -C -G testdata/golden.seed -r "$tmp/cut.pcap" -o "$tmp/cut"
off=$(sed -n 's/.*byte offset \([0-9]*\).*/\1/p' "$tmp/err")
grep -q "cut.pcap: packet [0-9]* (byte offset [0-9]*)" "$tmp/err" && ok || bad "damage message names packet and offset"
head -c "${off:-0}" $T/smtp-features.pcap > "$tmp/whole.pcap"
expect_status 0 "capture without the last packet" -- $S -C -G testdata/golden.seed -r "$tmp/whole.pcap" -o "$tmp/whole"
for l in conn smtp files; do
	grep -v '^#[oc]' "$tmp/cut/$l.log" > "$tmp/a"; grep -v '^#[oc]' "$tmp/whole/$l.log" > "$tmp/b"
	cmp -s "$tmp/a" "$tmp/b" && ok || bad "truncated last packet: $l.log equals the capture without it"
done
: > "$tmp/empty.pcap"
expect_status 2 "empty file" -- $S -r "$tmp/empty.pcap" -o "$tmp/e"
grep -q "empty file" "$tmp/err" && ok || bad "empty file message"
head -c 3000 $T/smtp-features.pcap > "$tmp/g.pcap"; yes "garbage bytes" | head -c 700 >> "$tmp/g.pcap"
tail -c +3001 $T/smtp-features.pcap >> "$tmp/g.pcap"
expect_status 2 "garbage in the middle" -- $S -C -r "$tmp/g.pcap" -o "$tmp/garb"
[ -s "$tmp/garb/conn.log" ] && ok || bad "garbage in the middle: logs of what was read are written"

# Local networks
expect_status 0 "no-private-local" -- $S -C -r $T/http-curl.pcap -o "$tmp/l1" --no-private-local
grep -v '^#' "$tmp/l1/conn.log" | cut -f13,14 | grep -qv -- '-	-' && bad "unset local_orig without local nets" || ok
expect_status 0 "local-nets" -- $S -C -r $T/http-curl.pcap -o "$tmp/l2" --no-private-local --local-nets 127.0.0.0/8
grep -v '^#' "$tmp/l2/conn.log" | cut -f13,14 | sort -u | grep -qx 'T	T' && ok || bad "--local-nets marks loopback local"

# Inputs: gzip, stdin, several files, a filter
gzip -c $T/http-curl.pcap > "$tmp/h.pcap.gz"
expect_status 0 "gzip" -- $S -C -r "$tmp/h.pcap.gz" -o "$tmp/g"
[ "$(lines "$tmp/g/conn.log")" = 3 ] && ok || bad "gzip input"
$S -C -r - -o "$tmp/s" < $T/http-curl.pcap && ok || bad "stdin exit"
[ "$(lines "$tmp/s/conn.log")" = 3 ] && ok || bad "stdin input"
expect_status 0 "two -r" -- $S -C -r $T/http-curl.pcap -r $T/smtp-swaks.pcap -o "$tmp/two"
[ "$(lines "$tmp/two/conn.log")" = 5 ] && ok || bad "two inputs merged"
expect_status 0 "-f" -- $S -C -r $T/http-curl.pcap -r $T/smtp-swaks.pcap -f "tcp port 2525" -o "$tmp/flt"
[ "$(lines "$tmp/flt/conn.log")" = 2 ] && ok || bad "filter keeps only port 2525"

# Bare mode writes conn.log only when a script asks for it
expect_status 0 "bare, nothing loaded" -- $S -b -C -r $T/http-curl.pcap -o "$tmp/b0"
[ ! -e "$tmp/b0/conn.log" ] && ok || bad "bare mode without base/protocols/conn writes no conn.log"
expect_status 0 "bare + community-id" -- $S -b -C -r $T/http-curl.pcap -o "$tmp/b1" protocols/conn/community-id-logging.zeek
grep -q "^#fields.*ip_proto	community_id$" "$tmp/b1/conn.log" && ok || bad "community_id column"

# File extraction (-x): options, and the bytes against files.log's sha256.
expect_status 0 "--help lists --extract" -- $S --help
grep -q -- "--extract-naming" "$tmp/out" && grep -q -- "--extract-limit" "$tmp/out" && ok || bad "--help lists the extraction options"
expect_status 1 "bad --extract-naming" -- $S -r $T/http-curl.pcap --extract-naming nope
expect_status 1 "bad --extract-limit" -- $S -r $T/http-curl.pcap --extract-limit 12k
expect_status 1 "bad FileExtract::default_limit" -- $S -r $T/http-curl.pcap FileExtract::default_limit=-1
conf=../shared/conformance
if [ -f "$conf/traces/smtp.pcap" ] && [ -f "$conf/random.seed" ] && command -v sha256sum >/dev/null 2>&1; then
	X="-b -G $conf/random.seed -r $conf/traces/smtp.pcap base/protocols/smtp policy/frameworks/files/hash-all-files"
	expect_status 0 "-x" -- $S $X -x -o "$tmp/x1"
	n=0 good=0
	for row in $(grep -v '^#' "$tmp/x1/files.log" | awk -F'\t' '{print $24 "|" $25}'); do
		n=$((n + 1))
		sum=${row%%|*} name=${row#*|}
		[ -f "$tmp/x1/extract_files/$name" ] && [ "$(sha256sum <"$tmp/x1/extract_files/$name" | cut -d' ' -f1)" = "$sum" ] && good=$((good + 1))
	done
	[ "$n" = 4 ] && [ "$good" = 4 ] && ok || bad "-x: every extracted file's sha256 equals files.log's ($good of $n)"
	[ "$(ls "$tmp/x1/extract_files" | wc -l | tr -d ' ')" = 4 ] && ok || bad "-x: four files extracted"
	head -c 5 "$tmp/x1/extract_files/extract-1254722770.692743-SMTP-FmFp351N5nhsMmAfQg" | grep -qx Hello && ok || bad "-x: text body begins Hello"
	head -c 15 "$tmp/x1/extract_files/extract-1254722770.692804-SMTP-FEFYSd1s8Onn9LynKj" | grep -qx "Version 4.9.9.1" && ok || bad "-x: NEWS.txt begins Version 4.9.9.1"
	grep -q '^#fields.*	sha256	extracted	extracted_cutoff	extracted_size$' "$tmp/x1/files.log" && ok || bad "-x: bare mode gains the extract columns after the hashes"
	# By type, source naming, a limit.
	expect_status 0 "-x text/plain --extract-naming source" -- $S $X -x text/plain,application/pdf --extract-naming source --extract-limit 100 -o "$tmp/x2"
	[ "$(ls "$tmp/x2/extract_files" | tr '\n' ' ')" = "SMTP-FEFYSd1s8Onn9LynKj.txt SMTP-Fc5KpS3kUYqDLwWSMf.txt SMTP-FmFp351N5nhsMmAfQg.txt " ] && ok || bad "-x text/plain extracts the three text/plain files as SOURCE-FUID.txt"
	grep -q '	SMTP-FEFYSd1s8Onn9LynKj.txt	T	100$' "$tmp/x2/files.log" && ok || bad "--extract-limit: cut-off logged"
	grep -q '	SMTP-FmFp351N5nhsMmAfQg.txt	F	-$' "$tmp/x2/files.log" && ok || bad "--extract-limit: whole file logged F"
	[ "$(wc -c <"$tmp/x2/extract_files/SMTP-FEFYSd1s8Onn9LynKj.txt" | tr -d ' ')" = 100 ] && ok || bad "--extract-limit: file cut at 100 bytes"
	grep -v '^#' "$tmp/x2/files.log" | grep 'text/html' | grep -q '	-	-	-$' && ok || bad "-x list: other types not extracted"
	expect_status 0 "FileExtract::default_limit" -- $S $X -x FileExtract::default_limit=1000 -o "$tmp/x3"
	[ "$(grep -c '	T	1000$' "$tmp/x3/files.log")" = 2 ] && ok || bad "FileExtract::default_limit cuts the two big files"
	# No silent overwrite; --force overwrites; a write error names the file.
	mkdir -p "$tmp/x4/extract_files" && : >"$tmp/x4/extract_files/extract-1254722770.692743-SMTP-Fqrb1K5DWEfgy4WU2"
	expect_status 3 "-x: existing extracted file" -- $S $X -x -o "$tmp/x4"
	grep -q "extract_files/extract-1254722770.692743-SMTP-Fqrb1K5DWEfgy4WU2: File exists" "$tmp/err" && ok || bad "-x: existing file message names it"
	expect_status 0 "-x --force" -- $S $X -x -o "$tmp/x4" --force
	[ -s "$tmp/x4/extract_files/extract-1254722770.692743-SMTP-Fqrb1K5DWEfgy4WU2" ] && ok || bad "--force overwrites an extracted file"
	mkdir -p "$tmp/x5" && : >"$tmp/x5/extract_files"
	expect_status 3 "-x: extract_files not a folder" -- $S $X -x -o "$tmp/x5"
	grep -q "x5/extract_files/extract-.*SMTP-F" "$tmp/err" && ok || bad "-x: write error message names the file"
else
	echo "skip: extraction checks need $conf (smtp.pcap, random.seed) and sha256sum"
fi

# Certificates: carved by MIME type (the leaf's bytes hash to x509.log's
# fingerprint), in files.log only with X509::log_x509_in_files_log, and the
# SSL options that add columns.
expect_status 0 "-x a certificate type" -- $S -C -r $T/tls-openssl.pcap -x application/x-x509-user-cert -o "$tmp/c1"
leaf=$(ls "$tmp/c1/extract_files" 2>/dev/null | head -1)
[ -n "$leaf" ] && [ "$(sha256sum <"$tmp/c1/extract_files/$leaf" | cut -c1-64)" = "$(grep -v '^#' "$tmp/c1/x509.log" | cut -f2 | head -1)" ] && ok || bad "-x: the carved certificate hashes to x509.log's fingerprint"
[ ! -e "$tmp/c1/files.log" ] && ok || bad "certificates stay out of files.log by default"
expect_status 0 "X509::log_x509_in_files_log=T" -- $S -C -r $T/tls-openssl.pcap X509::log_x509_in_files_log=T -o "$tmp/c2"
grep -v '^#' "$tmp/c2/files.log" | cut -f8,11 | grep -qx 'SSL	application/x-x509-user-cert' && ok || bad "X509::log_x509_in_files_log: the leaf's files.log line"
expect_status 0 "SSL::log_include_server_certificate_subject_issuer=T" -- $S -C -r $T/tls-openssl.pcap SSL::log_include_server_certificate_subject_issuer=T -o "$tmp/c3"
grep -q '^#fields.*	client_cert_chain_fps	subject	issuer	sni_matches_cert$' "$tmp/c3/ssl.log" && ok || bad "subject/issuer columns before sni_matches_cert"
grep -v '^#' "$tmp/c3/ssl.log" | grep -q '	CN=smtplog.test	CN=smtplog.test	' && ok || bad "subject/issuer of the server certificate"
expect_status 0 "log-hostcerts-only" -- $S -C -r $T/tls-chain.pcap protocols/ssl/log-hostcerts-only -o "$tmp/c4"
[ "$(grep -v '^#' "$tmp/c4/x509.log" | awk -F'\t' '{ print $(NF-1) }' | sort | uniq -c | tr -s ' ')" = " 2 T" ] && ok || bad "log-hostcerts-only: only the two leaves, not the CA certificates"
expect_status 0 "known-certs" -- $S -C -r $T/tls-openssl.pcap protocols/ssl/known-certs -o "$tmp/c5"
[ "$(grep -v '^#' "$tmp/c5/known_certs.log" | cut -f2-4)" = "127.0.0.1	4433	CN=smtplog.test" ] && ok || bad "known-certs: loopback counts as local, one line"
expect_status 0 "known-certs REMOTE_HOSTS" -- $S -C -r $T/tls-openssl.pcap protocols/ssl/known-certs Known::cert_tracking=REMOTE_HOSTS -o "$tmp/c6"
[ ! -e "$tmp/c6/known_certs.log" ] && ok || bad "known-certs: REMOTE_HOSTS skips a local server"
expect_status 1 "bad Known::cert_tracking" -- $S -r $T/tls-openssl.pcap Known::cert_tracking=SOME_HOSTS
expect_status 1 "hex interval" -- $S -r $T/tls-openssl.pcap X509::relog_known_certificates_after=0x10secs
expect_status 1 "infinite interval" -- $S -r $T/tls-openssl.pcap X509::relog_known_certificates_after=1e999days
expect_status 1 "bad bool for disable_analyzer_after_detection" -- $S -r $T/tls-openssl.pcap SSL::disable_analyzer_after_detection=maybe
expect_status 1 "bad interval" -- $S -r $T/tls-openssl.pcap X509::relog_known_certificates_after=soon

# A full disk (a file-size limit stands in for it; root is bound too):
# exit 3, and the message names the failing log and every incomplete one.
sh -c 'ulimit -f 4; trap "" XFSZ; exec "$@"' sh $S -C -r $T/smtp-features.pcap -o "$tmp/full" >/dev/null 2>"$tmp/err"
[ $? = 3 ] && ok || bad "full disk: exit 3"
# The logs are written as they fill a buffer, so this one fails at the end,
# when the last lines go out: smtp.log and files.log are cut, conn.log not.
grep -q "full/[a-z]*\.log: File too large; incomplete: .*smtp.log" "$tmp/err" && ok || bad "full disk: message names the incomplete logs ($(cat "$tmp/err"))"
! grep -q "conn.log" "$tmp/err" && tail -n 1 "$tmp/full/conn.log" | grep -q '^#close' && ok || bad "full disk: a complete log is not called incomplete"
# A log that fills its buffer mid-run hits the limit then: the run stops
# there, and every log written so far is cut short.
if [ -x build/tools/gen_pcap ] && build/tools/gen_pcap mixed "$tmp/m5.pcap" 5 2>/dev/null; then
	sh -c 'ulimit -f 64; trap "" XFSZ; exec "$@"' sh $S -r "$tmp/m5.pcap" -o "$tmp/full2" >/dev/null 2>"$tmp/err"
	[ $? = 3 ] && ok || bad "full disk mid-run: exit 3"
	grep -q "full2/conn.log: File too large; the run stopped there and these logs are incomplete: conn.log, smtp.log" "$tmp/err" && ok || bad "full disk mid-run: message ($(cat "$tmp/err"))"
fi

# An unwritable output folder: exit 3 (skipped as root, who may write anyway)
if [ "$(id -u)" != 0 ]; then
	mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
	expect_status 3 "read-only output" -- $S -C -r $T/http-curl.pcap -o "$tmp/ro"
fi
echo "$passed passed, $failed failed"
[ $failed = 0 ]
