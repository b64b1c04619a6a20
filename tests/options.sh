#!/bin/sh
# Zeek options given as NAME=VALUE (cmd/options.c's zeek_options[]): each
# run is compared with what Zeek's scripts and writer make of the option,
# derived here from the default run of the same capture (a separator
# swapped in, the #-lines dropped, the .gz decompressed, a set cut to the
# limit ...). Captures: testdata/ and tools/gen_hostile optmail. Each check
# is one line; the last line is "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
S=${SMTPLOG:-./smtplog}
GEN=build/tools/gen_hostile
T=testdata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tests/checks.sh
# run OUT CAPTURE ARGS...: a seeded run, so that UIDs and set order are fixed
run() {
	out=$1 cap=$2; shift 2
	$S -q -G $T/golden.seed -r "$cap" -o "$out" "$@" 2>"$tmp/err"
}
# canon FILE: the wall-clock #open/#close times masked, whatever the separator
canon() {
	sed -e 's/^\(#open[^0-9]*\)[0-9][0-9-]*$/\1XXXX/' -e 's/^\(#close[^0-9]*\)[0-9][0-9-]*$/\1XXXX/' "$1"
}
same() { # A B: equal after canon
	canon "$1" >"$tmp/a" && canon "$2" >"$tmp/b" && cmp -s "$tmp/a" "$tmp/b"
}
# expect_usage DESCRIPTION ARGS...: exit status 1 with a "smtplog: " message
expect_usage() {
	what=$1; shift
	$S -q -r $T/smtp-swaks.pcap -o "$tmp/never" "$@" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc = 1 ] && grep -q '^smtplog: ' "$tmp/err" && [ ! -e "$tmp/never" ]; then ok
	else bad "$what: exit $rc ($(head -1 "$tmp/err"))"; fi
}

SW=$T/smtp-swaks.pcap
run "$tmp/def" $SW -C
run "$tmp/defx" $SW -C -x
run "$tmp/defj" $SW -C --json
LOGS="conn smtp files"

# --help-options lists every option this file tests.
$S --help-options >"$tmp/help"
for o in LogAscii::include_meta LogAscii::separator LogAscii::set_separator LogAscii::empty_field \
	LogAscii::unset_field LogAscii::gzip_level LogAscii::gzip_file_extension Log::default_logdir \
	FileExtract::prefix ignore_checksums SMTP::max_invalid_mail_transactions \
	SMTP::mail_transaction_validation SMTP::max_rcptto_addresses SMTP::max_to_addresses \
	SMTP::max_cc_addresses SMTP::max_path_length SMTP::bdat_max_line_length MIME::max_depth \
	MIME::max_header_bytes; do
	grep -q "^$o " "$tmp/help" && ok || bad "--help-options lists $o"
done

# --- LogAscii::include_meta: Ascii::WriteHeader and the #close line go --
run "$tmp/nometa" $SW -C LogAscii::include_meta=F
for l in $LOGS; do
	grep -v '^#' "$tmp/def/$l.log" >"$tmp/e"
	check "include_meta=F: $l.log is the default's data lines" -- cmp -s "$tmp/e" "$tmp/nometa/$l.log"
done
# JSON has no meta lines either way (InitFormatter turns include_meta off).
run "$tmp/metaj" $SW -C --json LogAscii::include_meta=T
check "include_meta=T with JSON: no header" -- cmp -s "$tmp/defj/conn.log" "$tmp/metaj/conn.log"

# --- LogAscii::separator: between fields, in #fields/#types, after each
# key; line 1 shows it escaped after a space. The capture has no '|' in
# its data, so nothing else changes.
run "$tmp/bar" $SW -C 'LogAscii::separator=|'
for l in $LOGS; do
	grep -q '|' "$tmp/def/$l.log" && bad "precondition: $l.log has no |"
	sed -e '1s/^#separator \\x09$/#separator |/' -e '2,$s/\t/|/g' "$tmp/def/$l.log" >"$tmp/e"
	check "separator=|: $l.log" -- same "$tmp/e" "$tmp/bar/$l.log"
done
# A Zeek string: "\t" escapes work; two bytes; a value's own copy is \xNN.
run "$tmp/tab" $SW -C 'LogAscii::separator=\t'
check "separator=\\t is the default" -- same "$tmp/def/smtp.log" "$tmp/tab/smtp.log"
run "$tmp/two" $SW -C 'LogAscii::separator=\x20+'
head -1 "$tmp/two/conn.log" >"$tmp/h"
check "separator=\\x20+: line 1 escapes the space" -- grep -qx '#separator \\x20+' "$tmp/h"
grep -v '^#' "$tmp/two/smtp.log" | head -1 >"$tmp/l"
check "separator ' +': a date's ' +' becomes \\x20\\x2b, its other spaces stay" -- \
	grep -q ' +Thu, 26 Nov 2026 21:51:39\\x20\\x2b0000 +' "$tmp/l"

# --- LogAscii::set_separator: between set and vector elements only -----
run "$tmp/semi" $SW -C 'LogAscii::set_separator=;'
for l in $LOGS; do
	awk -F'\t' -v OFS='\t' '
		/^#set_separator\t/ { print "#set_separator\t;"; next }
		/^#types\t/ { for (i = 2; i <= NF; i++) if ($i ~ /^(set|vector)\[/) set[i - 1] = 1 }
		/^#/ { print; next }
		{ for (i in set) gsub(/,/, ";", $i); print }' "$tmp/def/$l.log" >"$tmp/e"
	check "set_separator=;: $l.log" -- same "$tmp/e" "$tmp/semi/$l.log"
done

# --- LogAscii::empty_field / unset_field: the markers, and a value equal
# to one has its first byte as \xNN (escapeReservedContent).
run "$tmp/mark" $SW -C LogAscii::empty_field=EMPTY LogAscii::unset_field=NONE
for l in $LOGS; do
	awk -F'\t' -v OFS='\t' '
		/^#empty_field\t/ { print "#empty_field\tEMPTY"; next }
		/^#unset_field\t/ { print "#unset_field\tNONE"; next }
		/^#/ { print; next }
		{ for (i = 1; i <= NF; i++) {
			if ($i == "-") $i = "NONE"; else if ($i == "(empty)") $i = "EMPTY"
			else if ($i == "EMPTY") $i = "\\x45MPTY"; else if ($i == "NONE") $i = "\\x4eONE" }
		  print }' "$tmp/def/$l.log" >"$tmp/e"
	check "empty_field=EMPTY unset_field=NONE: $l.log" -- same "$tmp/e" "$tmp/mark/$l.log"
done

# --- LogAscii::gzip_level / gzip_file_extension: NAME.log.gz, the same
# text inside (headers included); JSON too.
run "$tmp/gz" $SW -C LogAscii::gzip_level=6
for l in $LOGS; do
	[ ! -e "$tmp/gz/$l.log" ] && ok || bad "gzip: no plain $l.log"
	check "gzip_level=6: $l.log.gz is gzip" -- gzip -t "$tmp/gz/$l.log.gz"
	gzip -dc "$tmp/gz/$l.log.gz" >"$tmp/u"
	check "gzip_level=6: $l.log.gz holds the default $l.log" -- same "$tmp/def/$l.log" "$tmp/u"
done
run "$tmp/gz" $SW -C LogAscii::gzip_level=6
[ $? = 3 ] && grep -q 'conn.log.gz: already exists' "$tmp/err" && ok || bad "gzip: an existing .gz is refused without --force"
run "$tmp/gzj" $SW -C --json LogAscii::gzip_level=9 LogAscii::gzip_file_extension=gzip
gzip -dc <"$tmp/gzj/smtp.log.gzip" >"$tmp/u"
check "gzip_level=9 gzip_file_extension=gzip with JSON" -- cmp -s "$tmp/defj/smtp.log" "$tmp/u"
run "$tmp/gz0" $SW -C LogAscii::gzip_level=0 LogAscii::gzip_file_extension=zz
check "gzip_level=0: plain files" -- same "$tmp/def/conn.log" "$tmp/gz0/conn.log"
run "$tmp/gze" $SW -C LogAscii::gzip_level=1 LogAscii::gzip_file_extension=
check "gzip_file_extension empty: .gz, as Zeek" -- gzip -t "$tmp/gze/conn.log.gz"

# --- Log::default_logdir: relative to the current folder, as -o --------
mkdir "$tmp/cwd"
abs_s=$(cd "$(dirname "$S")" && pwd)/$(basename "$S")
(cd "$tmp/cwd" && "$abs_s" -q -C -G "$OLDPWD/$T/golden.seed" -r "$OLDPWD/$SW" Log::default_logdir=ld 2>/dev/null)
for l in $LOGS; do
	check "default_logdir=ld: ld/$l.log" -- same "$tmp/def/$l.log" "$tmp/cwd/ld/$l.log"
done
expect_usage "default_logdir with -o" Log::default_logdir=elsewhere

# --- FileExtract::prefix: the folder inside the output folder ----------
run "$tmp/pre" $SW -C -x FileExtract::prefix=./carved/
(cd "$tmp/defx/extract_files" && ls) >"$tmp/e"
(cd "$tmp/pre/carved" 2>/dev/null && ls) >"$tmp/o"
check "prefix=./carved/: the same files in carved/" -- cmp -s "$tmp/e" "$tmp/o"
[ -s "$tmp/o" ] && [ ! -e "$tmp/pre/extract_files" ] && ok || bad "prefix: carved/ only"
check "prefix: files.log unchanged (extracted is the name only)" -- same "$tmp/defx/files.log" "$tmp/pre/files.log"
for v in ../up /abs a/b . "" ./ ..; do
	expect_usage "FileExtract::prefix='$v' refused" -x "FileExtract::prefix=$v"
done

# --- ignore_checksums=T is -C ------------------------------------------
run "$tmp/chk1" $T/http-curl.pcap -C
run "$tmp/chk2" $T/http-curl.pcap ignore_checksums=T
run "$tmp/chk3" $T/http-curl.pcap
check "ignore_checksums=T equals -C" -- same "$tmp/chk1/conn.log" "$tmp/chk2/conn.log"
same "$tmp/chk1/conn.log" "$tmp/chk3/conn.log" && bad "precondition: http-curl differs with -C" || ok
run "$tmp/chk4" $T/http-curl.pcap -C ignore_checksums=F
check "ignore_checksums=F does not undo -C" -- same "$tmp/chk1/conn.log" "$tmp/chk4/conn.log"

# --- SMTP and MIME limits, on optmail: 30 recipients in RCPT TO, To:, Cc:,
# 30 Received addresses, 4 nested multiparts, then 30 invalid RCPT TO.
OM="$tmp/optmail.pcap"
"$GEN" optmail "$OM" 30 2>/dev/null
run "$tmp/om" "$OM"
col() { # LOG COLUMN LINE: one field of one data line
	awk -F'\t' -v c="$2" -v n="$3" '/^#fields/ { for (i = 2; i <= NF; i++) if ($i == c) k = i - 1 }
		!/^#/ && ++seen == n { print $k }' "$1"
}
elems() { tr ',' '\n' | sort; }
[ "$(col "$tmp/om/smtp.log" rcptto 1 | elems | wc -l)" = 30 ] && ok || bad "optmail: 30 rcptto by default"
run "$tmp/r5" "$OM" SMTP::max_rcptto_addresses=5
# One address per RCPT TO: the first five commands' addresses.
printf 'user%s@example.net\n' 0 1 2 3 4 | sort >"$tmp/e"
col "$tmp/r5/smtp.log" rcptto 1 | elems >"$tmp/o"
check "max_rcptto_addresses=5: user0..user4" -- cmp -s "$tmp/e" "$tmp/o"
for h in to cc; do
	run "$tmp/$h" "$OM" "SMTP::max_${h}_addresses=3"
	col "$tmp/$h/smtp.log" $h 1 | elems >"$tmp/o"
	col "$tmp/om/smtp.log" $h 1 | elems >"$tmp/all"
	# Which three depends on Zeek's set order of the header's addresses.
	[ "$(wc -l <"$tmp/o")" = 3 ] && [ -z "$(comm -23 "$tmp/o" "$tmp/all")" ] && ok || bad "max_${h}_addresses=3: three of the $h addresses"
	other=$( [ $h = to ] && echo cc || echo to )
	[ "$(col "$tmp/$h/smtp.log" $other 1 | elems | wc -l)" = 30 ] && ok || bad "max_${h}_addresses leaves $other alone"
done
run "$tmp/p4" "$OM" SMTP::max_path_length=4
check "max_path_length=4: the two peers and the first two Received" -- \
	[ "$(col "$tmp/p4/smtp.log" path 1)" = "192.0.2.25,10.1.2.3,10.1.0.1,10.1.0.2" ]
[ "$(col "$tmp/om/smtp.log" path 1 | elems | wc -l)" = 32 ] && ok || bad "optmail: path of 32 by default"
# 30 refused RCPT TO before MAIL FROM: past 25 Zeek disables the analyzer,
# so the mail after them is not logged.
has_after() { grep -q 'after invalid' "$1/smtp.log"; }
has_after "$tmp/om" && bad "default: the mail after 30 invalid transactions is not logged" || ok
for a in SMTP::max_invalid_mail_transactions=30 SMTP::max_invalid_mail_transactions=0 \
	SMTP::mail_transaction_validation=F; do
	run "$tmp/inv" "$OM" $a
	check "$a: the mail after 30 invalid transactions is logged" -- has_after "$tmp/inv"
	rm -rf "$tmp/inv"
done
run "$tmp/inv" "$OM" SMTP::max_invalid_mail_transactions=29
has_after "$tmp/inv" && bad "max_invalid_mail_transactions=29: analysis stops" || ok
# MIME::max_depth=2: entities at levels 0-2, the one at level 2 has no
# children: the text parts of levels 0 and 1 remain (of 5).
[ "$(grep -vc '^#' "$tmp/om/files.log")" = 5 ] && ok || bad "optmail: 5 files by default"
run "$tmp/d2" "$OM" MIME::max_depth=2
check "MIME::max_depth=2: two files" -- [ "$(grep -vc '^#' "$tmp/d2/files.log")" = 2 ]
# MIME::max_header_bytes=60: the Subject stops growing once 60 bytes are
# kept, so the first line and one continuation remain.
run "$tmp/hb" "$OM" MIME::max_header_bytes=60
check "MIME::max_header_bytes=60: subject of two lines" -- \
	[ "$(col "$tmp/hb/smtp.log" subject 1)" = "folded subject 0123456789 continuation line 1 of the subject, 0123456789" ]
# SMTP::bdat_max_line_length=10 on smtp-features' BDAT mail: each header
# line is cut after 10 bytes.
run "$tmp/bd" $T/smtp-features.pcap -C SMTP::bdat_max_line_length=10
check "bdat_max_line_length=10: From: chun" -- [ "$(col "$tmp/bd/smtp.log" from 3)" = chun ]
check "bdat_max_line_length=10: To: bdat@e" -- [ "$(col "$tmp/bd/smtp.log" to 3)" = bdat@e ]
check "bdat_max_line_length=10: Subject: c" -- [ "$(col "$tmp/bd/smtp.log" subject 3)" = c ]

# --- bad values: exit 1 with a message, nothing read or written ---------
expect_usage "include_meta=maybe" LogAscii::include_meta=maybe
expect_usage "separator with an unescaped quote" 'LogAscii::separator=a"b'
expect_usage "separator with a bad \\x" 'LogAscii::separator=\x'
expect_usage "separator ending in a backslash" 'LogAscii::separator=a\'
expect_usage "separator over 64 bytes" "LogAscii::separator=$(printf '%065d' 0)"
expect_usage "gzip_level=10" LogAscii::gzip_level=10
expect_usage "gzip_level=-1" LogAscii::gzip_level=-1
expect_usage "gzip_file_extension with /" LogAscii::gzip_file_extension=a/b
expect_usage "ignore_checksums=1" ignore_checksums=1
expect_usage "max_invalid_mail_transactions=x" SMTP::max_invalid_mail_transactions=x
expect_usage "mail_transaction_validation=yes" SMTP::mail_transaction_validation=yes
for o in SMTP::max_rcptto_addresses SMTP::max_to_addresses SMTP::max_cc_addresses SMTP::max_path_length; do
	expect_usage "$o=0 (no limit) refused" $o=0
	expect_usage "$o=100001 refused" $o=100001
done
expect_usage "bdat_max_line_length=0" SMTP::bdat_max_line_length=0
expect_usage "bdat_max_line_length=16777117" SMTP::bdat_max_line_length=16777117
expect_usage "MIME::max_depth=0" MIME::max_depth=0
expect_usage "MIME::max_depth=101" MIME::max_depth=101
expect_usage "MIME::max_header_bytes=65537" MIME::max_header_bytes=65537
grep -q "1 to 65536" "$tmp/err" && ok || bad "the range is in the message"

# --- POP3:: options (their effect: tests/proto/test_pop3) ---------------
for o in POP3::max_pending_commands POP3::max_unknown_client_commands; do
	grep -q "^$o " "$tmp/help" && ok || bad "--help-options lists $o"
done
run "$tmp/pop3" $SW -C POP3::max_pending_commands=1000 POP3::max_unknown_client_commands=0
check "POP3:: options on a capture without POP3 change nothing" -- same "$tmp/def/smtp.log" "$tmp/pop3/smtp.log"
expect_usage "POP3::max_pending_commands=0" POP3::max_pending_commands=0
grep -q "1 to 1000" "$tmp/err" && ok || bad "POP3::max_pending_commands: the range is in the message"
expect_usage "POP3::max_pending_commands=1001" POP3::max_pending_commands=1001
expect_usage "POP3::max_unknown_client_commands=some" POP3::max_unknown_client_commands=some

# --- Tunnel:: options (their effect: tests/encap.sh, test_tunnel) --------
for o in Tunnel::max_depth Tunnel::delay_teredo_confirmation Tunnel::delay_gtp_confirmation \
	Tunnel::validate_vxlan_checksums Tunnel::ip_tunnel_timeout Tunnel::expiration_interval \
	Tunnel::max_changes_per_connection; do
	grep -q "^$o " "$tmp/help" && ok || bad "--help-options lists $o"
done
run "$tmp/tun" $SW -C Tunnel::max_depth=2 Tunnel::delay_teredo_confirmation=F \
	Tunnel::delay_gtp_confirmation=T Tunnel::validate_vxlan_checksums=F \
	Tunnel::ip_tunnel_timeout=1hr Tunnel::expiration_interval=10mins Tunnel::max_changes_per_connection=0
check "Tunnel:: options on a capture without tunnels change nothing" -- same "$tmp/def/smtp.log" "$tmp/tun/smtp.log"
expect_usage "Tunnel::max_depth=9" Tunnel::max_depth=9
grep -q "0 to 8" "$tmp/err" && ok || bad "Tunnel::max_depth: the range is in the message"
expect_usage "Tunnel::expiration_interval=0secs" Tunnel::expiration_interval=0secs
expect_usage "Tunnel::ip_tunnel_timeout=soon" Tunnel::ip_tunnel_timeout=soon
expect_usage "Tunnel::delay_teredo_confirmation=maybe" Tunnel::delay_teredo_confirmation=maybe
expect_usage "Tunnel::max_changes_per_connection=256" Tunnel::max_changes_per_connection=256
grep -q "0 to 255" "$tmp/err" && ok || bad "Tunnel::max_changes_per_connection: the range is in the message"
expect_usage "Tunnel::max_changes_per_connection=-1" Tunnel::max_changes_per_connection=-1

echo "$passed passed, $failed failed"
[ $failed = 0 ]
