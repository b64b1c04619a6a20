#!/bin/sh
# Command-line behaviour: exit statuses, messages, options that change the
# output. Each check is one line; the last line is "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
S=${SMTPLOG:-./smtplog}
T=testdata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tests/checks.sh
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
$S -q -C -r - -o "$tmp/s" < $T/http-curl.pcap && ok || bad "stdin exit"
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
expect_status 1 "bad --extract-limit" -- $S -r $T/http-curl.pcap --extract-limit 12q
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
	grep -q "extract_files/extract-1254722770.692743-SMTP-Fqrb1K5DWEfgy4WU2: already exists (use --force" "$tmp/err" && ok || bad "-x: existing file message names it"
	expect_status 0 "-x --force" -- $S $X -x -o "$tmp/x4" --force
	[ -s "$tmp/x4/extract_files/extract-1254722770.692743-SMTP-Fqrb1K5DWEfgy4WU2" ] && ok || bad "--force overwrites an extracted file"
	mkdir -p "$tmp/x5" && : >"$tmp/x5/extract_files"
	expect_status 3 "-x: extract_files not a folder" -- $S $X -x -o "$tmp/x5"
	grep -q "x5/extract_files: Not a directory" "$tmp/err" && [ ! -e "$tmp/x5/conn.log" ] && ok || bad "-x: extract_files not a folder is refused before reading ($(cat "$tmp/err"))"
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
! grep "incomplete" "$tmp/err" | grep -q "conn.log" && ok || bad "full disk: a complete log is not called incomplete"
# Incomplete logs never take the final names, and nothing is left behind.
[ -z "$(ls -A "$tmp/full")" ] && grep -q "no log of this run was put in place" "$tmp/err" && ok || bad "full disk: no log in place ($(ls -A "$tmp/full"))"
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
# ---- Runs that never fail silently ----
# A loopback capture without -C: Zeek's checksum-offloading warning.
expect_status 0 "no -C on loopback" -- $S -r $T/smtp-swaks.pcap -o "$tmp/w1"
grep -q "warning: Your trace file likely has invalid TCP checksums.*-C command-line option" "$tmp/err" && ok || bad "checksum offloading warning ($(head -1 "$tmp/err"))"
expect_status 0 "-C: no checksum warning" -- $S -C -r $T/smtp-swaks.pcap -o "$tmp/w2"
! grep -q "checksums, most likely" "$tmp/err" && ok || bad "no checksum warning with -C"
cp "$tmp/err" "$tmp/w2.err"
# A capture filtered down to TCP control packets: find-filtered-trace's warning.
expect_status 0 "SYN/FIN/RST only" -- $S -C -r $T/smtp-swaks.pcap -f "tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0" -o "$tmp/w2a"
grep -q "warning: The analyzed trace file was determined to contain only TCP control packets.*'detect_filtered_trace'" "$tmp/err" && ok || bad "filtered-trace warning"
! grep -q "only TCP control packets" "$tmp/w2.err" 2>/dev/null && ok || bad "no filtered-trace warning on a whole capture"
# The summary on stderr, not with -q; --stats as JSON.
grep -q "^smtplog: read 1 capture, .* 48 packets" "$tmp/w2.err" && grep -q "logs: conn.log 2, files.log 3, smtp.log 2" "$tmp/w2.err" && ok || bad "summary ($(cat "$tmp/w2.err"))"
expect_status 0 "--stats" -- $S -q -C -r $T/smtp-swaks.pcap -o "$tmp/w3" --stats "$tmp/w3.json"
[ ! -s "$tmp/err" ] && ok || bad "-q: no summary ($(cat "$tmp/err"))"
grep -q '"packets_read":48,.*"connections":2,.*"logs":{"conn.log":2,"files.log":3,"smtp.log":2}' "$tmp/w3.json" && ok || bad "--stats JSON ($(cat "$tmp/w3.json"))"
# A filter that matches nothing, a capture with nothing to decode.
expect_status 0 "filter matching nothing" -- $S -C -r $T/smtp-swaks.pcap -f "port 9" -o "$tmp/w4"
grep -q "warning: the filter 'port 9' matched none of the 48 packets" "$tmp/err" && ok || bad "filter warning ($(head -1 "$tmp/err"))"
head -c 24 $T/smtp-swaks.pcap > "$tmp/hdronly.pcap"
expect_status 0 "capture without packets" -- $S -C -r "$tmp/hdronly.pcap" -o "$tmp/w5"
grep -q "warning: the capture held no packets" "$tmp/err" && ok || bad "empty capture warning ($(head -1 "$tmp/err"))"

# Only ARP: packets, but no connection to log.
{ printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\001\000\000\000'
  printf '\000\000\000\000\000\000\000\000\052\000\000\000\052\000\000\000'
  printf '\377\377\377\377\377\377\002\000\000\000\000\001\010\006'
  printf '\000\001\010\000\006\004\000\001\002\000\000\000\000\001\012\000\000\001\000\000\000\000\000\000\012\000\000\002'; } > "$tmp/arp.pcap"
expect_status 0 "a capture of ARP only" -- $S -C -r "$tmp/arp.pcap" -o "$tmp/w5a"
grep -q "warning: no connection in 1 packet (0 not decoded, 1 not IP): no logs to write" "$tmp/err" && ok || bad "nothing-decoded warning ($(cat "$tmp/err"))"

# Options that have no effect, MIME types no file can get, and hints.
expect_status 0 "--extract-limit without -x" -- $S -C -r $T/http-curl.pcap -o "$tmp/w6" --extract-limit 10M
grep -q "warning: --extract-limit has no effect without -x" "$tmp/err" && ok || bad "--extract-limit warning"
expect_status 0 "--json-timestamps without --json" -- $S -C -r $T/http-curl.pcap -o "$tmp/w7" --json-timestamps iso8601
grep -q "warning: --json-timestamps has no effect without --json" "$tmp/err" && ok || bad "--json-timestamps warning"
# A script whose log smtplog does not write is accepted, says so, and
# changes no other log.
expect_status 0 "base/frameworks/notice/weird" -- $S -G $T/golden.seed -C -b -r $T/smtp-swaks.pcap base/protocols/conn base/frameworks/notice/weird -o "$tmp/w6w"
grep -q "warning: base/frameworks/notice/weird: smtplog does not write weird.log" "$tmp/err" && ok || bad "weird.log warning"
[ ! -e "$tmp/w6w/weird.log" ] && ok || bad "no weird.log pretends to be written"
expect_status 0 "the same without it" -- $S -G $T/golden.seed -C -b -r $T/smtp-swaks.pcap base/protocols/conn -o "$tmp/w6n"
grep -q "weird" "$tmp/err" && bad "no weird.log warning without the script" || ok
grep -v '^#open\|^#close' "$tmp/w6w/conn.log" >"$tmp/w6w.c"; grep -v '^#open\|^#close' "$tmp/w6n/conn.log" >"$tmp/w6n.c"
cmp -s "$tmp/w6w.c" "$tmp/w6n.c" && ok || bad "base/frameworks/notice/weird changes conn.log"
expect_status 0 "-q and the weird script" -- $S -q -C -b -r $T/smtp-swaks.pcap base/protocols/conn base/frameworks/notice/weird -o "$tmp/w6q"
[ -s "$tmp/err" ] && bad "-q still warns about weird.log" || ok
expect_status 0 "-x in bare conn-only mode" -- $S -C -b -r $T/http-curl.pcap base/protocols/conn -o "$tmp/w7a" -x
grep -q "warning: -x has no effect: no loaded script analyses files" "$tmp/err" && ok || bad "-x without a file-analysing script warns"
expect_status 0 "-x with a typo" -- $S -C -r $T/http-curl.pcap -o "$tmp/w8" -x application/pfd
grep -q "warning: -x application/pfd: no file gets this type .*(did you mean application/pdf?)" "$tmp/err" && ok || bad "-x typo warning ($(head -1 "$tmp/err"))"
expect_status 0 "-x glob" -- $S -C -r $T/http-curl.pcap -o "$tmp/w9" -x 'text/*'
! grep -q "no file gets this type" "$tmp/err" && ok || bad "-x text/* is a known pattern"
expect_status 1 "-x pdf" -- $S -C -r $T/http-curl.pcap -o "$tmp/w10" -x pdf
grep -q "give their MIME type: -x application/pdf" "$tmp/err" && ok || bad "-x pdf hint ($(head -1 "$tmp/err"))"
expect_status 1 "a second capture without -r" -- $S -C -r $T/http-curl.pcap $T/smtp-swaks.pcap -o "$tmp/w11"
grep -q "is not a script but a file: use -r for each capture" "$tmp/err" && ok || bad "positional capture hint ($(head -1 "$tmp/err"))"
if [ -n "${X:-}" ]; then
	expect_status 0 "--extract-limit with a suffix" -- $S $X -x --extract-limit 1k -o "$tmp/w12"
	[ "$(grep -c '	T	1024$' "$tmp/w12/files.log")" = 2 ] && ok || bad "--extract-limit 1k cuts the two big files at 1024 bytes"
fi

# Inputs as incidents arrive: a bad input among good ones, folders, twice.
: > "$tmp/empty.pcap"
printf 'not a capture at all\n' > "$tmp/text.pcap"
head -c 10 $T/smtp-swaks.pcap > "$tmp/cuthdr.pcap"
for second in "$tmp/empty.pcap" "$tmp/missing.pcap" "$tmp/text.pcap" "$tmp/cuthdr.pcap"; do
	rm -rf "$tmp/in1"
	expect_status 2 "a bad second input ($(basename "$second"))" -- $S -C -r $T/smtp-swaks.pcap -r "$second" -o "$tmp/in1"
	grep -q "$(basename "$second")" "$tmp/err" && [ "$(lines "$tmp/in1/smtp.log")" = 2 ] && tail -n 1 "$tmp/in1/conn.log" | grep -q '^#close' && ok || bad "the good input is read completely beside $(basename "$second") ($(head -1 "$tmp/err"))"
done
mkdir -p "$tmp/caps/sub" && cp $T/smtp-swaks.pcap "$tmp/caps/a.pcap" && cp $T/http-curl.pcap "$tmp/caps/b.pcap" && cp $T/tls-alert.pcap "$tmp/caps/sub/c.pcap" && printf 'notes\n' > "$tmp/caps/README"
expect_status 0 "-r DIR" -- $S -C -r "$tmp/caps" -o "$tmp/in2"
[ "$(lines "$tmp/in2/conn.log")" = 5 ] && grep -q "README: not a pcap or pcapng capture.*; skipped" "$tmp/err" && grep -q "1 subfolder not read (use --recursive)" "$tmp/err" && ok || bad "-r DIR reads the captures, skips the rest ($(cat "$tmp/err"))"
expect_status 0 "-r DIR --recursive" -- $S -C -r "$tmp/caps" --recursive -o "$tmp/in3"
[ "$(lines "$tmp/in3/conn.log")" -gt 5 ] && [ -s "$tmp/in3/ssl.log" ] && ok || bad "--recursive reads subfolders"
expect_status 0 "the same capture twice" -- $S -C -r $T/smtp-swaks.pcap -r "$tmp/caps/../caps/a.pcap" -r $T/smtp-swaks.pcap -o "$tmp/in4"
grep -q "warning: .*smtp-swaks.pcap is the same file as .*; read once" "$tmp/err" && [ "$(lines "$tmp/in4/conn.log")" = 2 ] && ok || bad "a capture named twice is read once ($(head -1 "$tmp/err"))"

# Output folders that cannot mix runs: without --force any earlier log
# refuses the run; with it, every log and extracted file smtplog owns goes,
# and nothing else is touched.
expect_status 0 "a TLS run with -x" -- $S -q -C -r $T/tls-chain.pcap -x -o "$tmp/mix" X509::log_x509_in_files_log=T
[ -s "$tmp/mix/ssl.log" ] && [ -s "$tmp/mix/x509.log" ] && [ -n "$(ls "$tmp/mix/extract_files")" ] && ok || bad "TLS run wrote ssl.log, x509.log and files"
printf 'mine\n' > "$tmp/mix/notes.txt" && printf 'mine\n' > "$tmp/mix/extract_files/my-notes.txt"
expect_status 3 "another capture without --force" -- $S -q -C -b -r $T/http-curl.pcap base/protocols/conn -o "$tmp/mix"
grep -q "already exists (use --force" "$tmp/err" && ok || bad "an earlier run's log refuses the run"
expect_status 0 "another capture with --force" -- $S -q -C -b -r $T/http-curl.pcap base/protocols/conn -o "$tmp/mix" --force
[ ! -e "$tmp/mix/ssl.log" ] && [ ! -e "$tmp/mix/x509.log" ] && [ ! -e "$tmp/mix/files.log" ] && [ "$(ls "$tmp/mix/extract_files")" = my-notes.txt ] && [ -s "$tmp/mix/notes.txt" ] && [ "$(lines "$tmp/mix/conn.log")" = 3 ] && ok || bad "--force replaces every owned file and only those ($(ls -A "$tmp/mix" "$tmp/mix/extract_files" | tr '\n' ' '))"
[ -z "$(ls -A "$tmp/mix" | grep smtplog-run)" ] && ok || bad "no staging folder left"
# Gzipped logs of an earlier run count as well.
expect_status 0 "gzipped logs" -- $S -q -C -r $T/http-curl.pcap -o "$tmp/gz" LogAscii::gzip_level=6
expect_status 3 "over gzipped logs without --force" -- $S -q -C -r $T/http-curl.pcap -o "$tmp/gz"
grep -q "gz/conn.log.gz: already exists" "$tmp/err" && ok || bad "an earlier run's conn.log.gz refuses the run"
expect_status 0 "over gzipped logs with --force" -- $S -q -C -r $T/http-curl.pcap -o "$tmp/gz" --force
[ -s "$tmp/gz/conn.log" ] && [ ! -e "$tmp/gz/conn.log.gz" ] && ok || bad "--force replaces conn.log.gz by conn.log"

# Signals: a run stopped at a random moment leaves complete logs whose
# files.log names every extracted file, or nothing under the final names.
# check_stopped DIR: every log ends with #close, files and files.log agree.
check_stopped() {
	for l in "$1"/*.log; do
		[ -e "$l" ] || continue
		tail -n 1 "$l" | grep -q '^#close' || return 1
	done
	[ -z "$(ls -A "$1" | grep smtplog-run)" ] || return 1
	[ -d "$1/extract_files" ] || return 0
	awk -F'\t' '/^#fields/ { for (i = 2; i <= NF; i++) if ($i == "extracted") col = i - 1 }
		!/^#/ && col && $col != "-" { print $col }' "$1/files.log" | sort > "$tmp/named"
	ls "$1/extract_files" | sort > "$tmp/ondisk"
	cmp -s "$tmp/named" "$tmp/ondisk"
}
if [ -x build/tools/gen_pcap ] && build/tools/gen_pcap mixed "$tmp/big.pcap" 120 >/dev/null 2>&1; then
	for at in 0.05 0.2 0.4 0.7; do
		rm -rf "$tmp/sig"
		$S -C -r "$tmp/big.pcap" -x -o "$tmp/sig" policy/frameworks/files/hash-all-files 2>"$tmp/err" &
		pid=$!
		sleep $at
		kill -INT $pid 2>/dev/null
		wait $pid
		rc=$?
		if [ $rc = 130 ]; then
			grep -q "stopped by SIGINT after .*big.pcap, packet [0-9]* (byte offset [0-9]*); the logs are complete up to there" "$tmp/err" && ok || bad "SIGINT at ${at}s: message ($(head -1 "$tmp/err"))"
		else
			[ $rc = 0 ] && ok || bad "SIGINT at ${at}s: exit $rc"
		fi
		check_stopped "$tmp/sig" && ok || bad "SIGINT at ${at}s: logs not complete or files.log does not name every extracted file"
	done
	# A second signal ends the run at once: nothing under the final names.
	rm -rf "$tmp/sig2"
	$S -C -r "$tmp/big.pcap" -x -o "$tmp/sig2" policy/frameworks/files/hash-all-files 2>"$tmp/err" &
	pid=$!
	sleep 0.3
	kill -TERM $pid 2>/dev/null; kill -TERM $pid 2>/dev/null
	wait $pid
	rc=$?
	if [ $rc = 143 ] && grep -q "second signal: stopped at once" "$tmp/err"; then
		[ -z "$(ls "$tmp/sig2")" ] && ok || bad "second signal: logs under their final names"
	else
		check_stopped "$tmp/sig2" && ok || bad "SIGTERM twice: exit $rc, logs incomplete"
	fi
fi

# Diffing against other logs without masking by hand: #open/#close never
# count, --mask-ts and --rename-ids take care of the rest.
expect_status 0 "a run to diff" -- $S -q -C -r $T/smtp-swaks.pcap -o "$tmp/d1"
mkdir -p "$tmp/d2" && for l in "$tmp"/d1/*.log; do sed -e 's/^#open.*/#open\t1999-01-01-00-00-00/' -e 's/^#close.*/#close\t1999-01-01-00-00-01/' "$l" > "$tmp/d2/$(basename "$l")"; done
expect_status 0 "smtplog diff masks #open/#close" -- $S diff "$tmp/d1" "$tmp/d2"
expect_status 0 "a second run with other UIDs" -- $S -q -C -r $T/smtp-swaks.pcap -o "$tmp/d3" --json
expect_status 1 "random UIDs differ" -- $S diff -q "$tmp/d1" "$tmp/d3"
expect_status 0 "smtplog diff --rename-ids, TSV against JSON" -- $S diff --rename-ids "$tmp/d1" "$tmp/d3"

# Ecosystem habits: versions, aligned help tables, completions.
expect_status 0 "--version" -- $S --version
grep -q "^smtplog .*Zeek 9" "$tmp/out" && grep -q "^libpcap version" "$tmp/out" && grep -q "^OpenSSL" "$tmp/out" && grep -q "^zlib " "$tmp/out" && grep -q "^jansson " "$tmp/out" && grep -q "^libmagic " "$tmp/out" && ok || bad "--version names the libraries ($(cat "$tmp/out"))"
expect_status 0 "--help-options" -- $S --help-options
[ "$(awk '{ match($0, /  +[^ ]/); print RSTART + RLENGTH }' "$tmp/out" | sort -u | wc -l)" = 1 ] && ok || bad "--help-options columns aligned"
expect_status 0 "--completion bash" -- $S --completion bash
if command -v bash >/dev/null 2>&1; then
	[ "$(bash -c ". '$tmp/out'; COMP_WORDS=(smtplog --extract-l); COMP_CWORD=1; _smtplog; echo \"\${COMPREPLY[*]}\"")" = "--extract-limit" ] && ok || bad "bash completion completes --extract-l"
fi
expect_status 1 "--completion fish" -- $S --completion fish

echo "$passed passed, $failed failed"
[ $failed = 0 ]
