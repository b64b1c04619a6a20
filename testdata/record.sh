#!/bin/sh
# Records the loopback captures in testdata/ from real software. Needs root
# (tcpdump), swaks, openssl, curl and python3. Run from the repo root:
#   sh testdata/record.sh
# Loopback captures carry offloaded (wrong) TCP checksums, so they are read
# with -C, as Zeek's own tests do with such traces.
# Give capture names to record only those (default: all), e.g.
#   sh testdata/record.sh smtp-features
set -eu
want() { [ $# -eq 0 ] && return 0; for w in $ALL_ARGS; do [ "$w" = "$1" ] && return 0; done; return 1; }
ALL_ARGS="$*"
[ -n "$ALL_ARGS" ] || ALL_ARGS="smtp-swaks tls-openssl http-curl smtp-features"
recipes=$(cd "$(dirname "$0")/recipes" && pwd)
out=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

capture() { # name filter
	tcpdump -i lo -s 0 -U -w "$work/$1.pcap" "$2" >/dev/null 2>&1 &
	echo $! > "$work/tcpdump.pid"
	sleep 1
}
stop_capture() { # name
	sleep 1
	kill "$(cat "$work/tcpdump.pid")"
	wait "$(cat "$work/tcpdump.pid")" 2>/dev/null || true
	cp "$work/$1.pcap" "$out/$1.pcap"
}

if want smtp-swaks; then
# 1. SMTP: swaks against Python's debugging SMTP sink, with an attachment.
python3 -W ignore -m smtpd -n -c DebuggingServer 127.0.0.1:2525 >/dev/null 2>&1 &
sleep 1
printf 'Quarterly numbers attached.\r\n' > "$work/report.txt"
capture smtp-swaks "tcp port 2525"
swaks --server 127.0.0.1:2525 --from alice@example.org --to bob@example.net \
	--header "Subject: numbers" --body "Hello Bob" --attach @"$work/report.txt" >/dev/null
swaks --server 127.0.0.1:2525 --from carol@example.org --to dave@example.net \
	--to erin@example.net --pipeline --body "second mail" >/dev/null
stop_capture smtp-swaks
fi

if want tls-openssl; then
# 2. TLS: openssl s_server / s_client with a self-made certificate.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
	-days 3650 -subj "/CN=smtplog.test" >/dev/null 2>&1
openssl s_server -accept 127.0.0.1:4433 -cert "$work/cert.pem" -key "$work/key.pem" \
	-quiet >/dev/null 2>&1 &
sleep 1
capture tls-openssl "tcp port 4433"
echo hello | openssl s_client -connect 127.0.0.1:4433 -servername smtplog.test \
	-tls1_2 >/dev/null 2>&1 || true
echo hello | openssl s_client -connect 127.0.0.1:4433 -tls1_3 >/dev/null 2>&1 || true
stop_capture tls-openssl
fi

if want http-curl; then
# 3. HTTP with curl against Python's http.server, plus a refused port.
mkdir -p "$work/www" && echo "hello web" > "$work/www/index.html"
(cd "$work/www" && python3 -m http.server 8099 --bind 127.0.0.1 >/dev/null 2>&1) &
sleep 1
capture http-curl "tcp port 8099 or tcp port 8098"
curl -s http://127.0.0.1:8099/ >/dev/null
curl -s http://127.0.0.1:8099/missing >/dev/null || true
curl -s http://127.0.0.1:8098/ >/dev/null || true
stop_capture http-curl
fi

if want smtp-features; then
# 4. Mail features against our own sink (recipes/smtp_sink.py): swaks with
# AUTH LOGIN and PLAIN, pipelining, attachments of several types; then
# recipes/smtp_client.py for BDAT chunks, 40-deep MIME nesting and broken
# base64 with a hostile attachment name.
python3 "$recipes/smtp_sink.py" 2526 &
sink=$!
sleep 1
printf 'plain text attachment\r\nsecond line\r\n' > "$work/notes.txt"
printf '<html><body><p>hello</p></body></html>\n' > "$work/page.html"
printf '%%PDF-1.4\n%%smtplog test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%%%EOF\n' > "$work/doc.pdf"
python3 -c 'import zlib,struct,sys
def chunk(t,d): return struct.pack(">I",len(d))+t+d+struct.pack(">I",zlib.crc32(t+d)&0xffffffff)
png=b"\x89PNG\r\n\x1a\n"+chunk(b"IHDR",struct.pack(">IIBBBBB",1,1,8,0,0,0,0))+chunk(b"IDAT",zlib.compress(b"\x00\x00"))+chunk(b"IEND",b"")
open(sys.argv[1],"wb").write(png)' "$work/dot.png"
python3 -c 'import zipfile,sys
z=zipfile.ZipFile(sys.argv[1],"w"); z.writestr("a.txt","zipped text\n"); z.close()' "$work/pack.zip"
capture smtp-features "tcp port 2526"
swaks --server 127.0.0.1:2526 --from ann@example.org --to ben@example.net \
	--auth LOGIN --auth-user ann --auth-password secret --pipeline \
	--header "Subject: several attachments" --body "see attached" \
	--attach @"$work/notes.txt" --attach @"$work/page.html" --attach @"$work/doc.pdf" \
	--attach @"$work/dot.png" --attach @"$work/pack.zip" >/dev/null
swaks --server 127.0.0.1:2526 --from cy@example.org --to di@example.net \
	--auth PLAIN --auth-user cy --auth-password secret \
	--header "Subject: plain auth" --body "short" >/dev/null
python3 "$recipes/smtp_client.py" 2526
stop_capture smtp-features
kill "$sink" 2>/dev/null || true
fi
echo "recorded: $ALL_ARGS"
