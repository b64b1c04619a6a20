#!/bin/sh
# Records the loopback captures in testdata/ from real software. Needs root
# (tcpdump), swaks, openssl, curl and python3. Run from the repo root:
#   sh testdata/record.sh
# Loopback captures carry offloaded (wrong) TCP checksums, so they are read
# with -C, as Zeek's own tests do with such traces.
set -eu
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

# 3. HTTP with curl against Python's http.server, plus a refused port.
mkdir -p "$work/www" && echo "hello web" > "$work/www/index.html"
(cd "$work/www" && python3 -m http.server 8099 --bind 127.0.0.1 >/dev/null 2>&1) &
sleep 1
capture http-curl "tcp port 8099 or tcp port 8098"
curl -s http://127.0.0.1:8099/ >/dev/null
curl -s http://127.0.0.1:8099/missing >/dev/null || true
curl -s http://127.0.0.1:8098/ >/dev/null || true
stop_capture http-curl
echo "recorded: smtp-swaks.pcap tls-openssl.pcap http-curl.pcap"
