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
[ -n "$ALL_ARGS" ] || ALL_ARGS="smtp-swaks tls-openssl http-curl smtp-features tls-chain tls-clientcert tls-resume tls-alert smtp-starttls imap-starttls xmpp-starttls pop3-starttls"
recipes=$(cd "$(dirname "$0")/recipes" && pwd)
certs=$(cd "$(dirname "$0")/certs/tls" && pwd)
out=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

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

# The TLS captures below use the certificates of certs/tls/ (made by
# "sh testdata/certs/make.sh tls"; root -> ECDSA intermediate -> leaves).
# What openssl itself reports for each connection (s_client -brief) goes to
# $RECORD_LOG when set, to compare with ssl.log.
log=${RECORD_LOG:-/dev/null}
servers=""
serve() { # port [s_server options...]: an s_server in the background
	port=$1; shift
	openssl s_server -accept "127.0.0.1:$port" -quiet "$@" >/dev/null 2>&1 &
	servers="$servers $!"
}
stop_servers() {
	# shellcheck disable=SC2086
	kill $servers 2>/dev/null || true
	# shellcheck disable=SC2086
	wait $servers 2>/dev/null || true
	servers=""
}
tlsc() { # port [s_client options...]: one connection that says hello
	port=$1; shift
	echo "== s_client -connect 127.0.0.1:$port $*" >>"$log"
	(sleep 0.3; echo hello) | openssl s_client -connect "127.0.0.1:$port" -brief \
		-CAfile "$certs/root.pem" -verify_return_error "$@" >>"$log" 2>&1 || true
	sleep 0.2
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

if want tls-chain; then
# 5. TLS certificate chains: an RSA leaf served with its whole chain
# (leaf, ECDSA intermediate, root) and an ECDSA leaf with its intermediate,
# each over TLS 1.2 and 1.3 with SNI; one SNI that the certificate lacks.
cat "$certs/inter.pem" "$certs/root.pem" >"$work/chain-rsa.pem"
serve 4441 -cert "$certs/leaf-rsa.pem" -key "$certs/leaf-rsa.key" -cert_chain "$work/chain-rsa.pem"
serve 4442 -cert "$certs/leaf-ec.pem" -key "$certs/leaf-ec.key" -cert_chain "$certs/inter.pem"
sleep 1
capture tls-chain "tcp port 4441 or tcp port 4442"
tlsc 4441 -tls1_2 -servername mail.example.org
tlsc 4441 -tls1_3 -servername smtp.example.org
tlsc 4441 -tls1_2 -servername www.example.net
tlsc 4442 -tls1_2 -servername ec.example.org -cipher ECDHE-ECDSA-CHACHA20-POLY1305 -groups P-256
tlsc 4442 -tls1_3 -servername ec.example.org -ciphersuites TLS_AES_128_GCM_SHA256 -groups P-384
stop_capture tls-chain
stop_servers
fi

if want tls-clientcert; then
# 6. Client certificates: the server demands one (-Verify), the client sends
# its certificate and the intermediate; TLS 1.2 (in clear) and TLS 1.3.
serve 4443 -cert "$certs/leaf-rsa.pem" -key "$certs/leaf-rsa.key" -cert_chain "$certs/inter.pem" \
	-Verify 2 -CAfile "$certs/root.pem"
sleep 1
capture tls-clientcert "tcp port 4443"
tlsc 4443 -tls1_2 -servername mail.example.org \
	-cert "$certs/client.pem" -key "$certs/client.key" -cert_chain "$certs/inter.pem"
tlsc 4443 -tls1_3 -servername mail.example.org \
	-cert "$certs/client.pem" -key "$certs/client.key" -cert_chain "$certs/inter.pem"
stop_capture tls-clientcert
stop_servers
fi

if want tls-resume; then
# 7. Resumed sessions: TLS 1.2 by session ID (server without tickets), TLS 1.2
# by session ticket, TLS 1.3 by PSK; each a full handshake, then a resumed one.
serve 4451 -cert "$certs/leaf-rsa.pem" -key "$certs/leaf-rsa.key" -cert_chain "$certs/inter.pem" -no_ticket
serve 4452 -cert "$certs/leaf-rsa.pem" -key "$certs/leaf-rsa.key" -cert_chain "$certs/inter.pem"
sleep 1
capture tls-resume "tcp port 4451 or tcp port 4452"
tlsc 4451 -tls1_2 -servername mail.example.org -sess_out "$work/id.sess"
tlsc 4451 -tls1_2 -servername mail.example.org -sess_in "$work/id.sess"
tlsc 4452 -tls1_2 -servername mail.example.org -sess_out "$work/ticket.sess"
tlsc 4452 -tls1_2 -servername mail.example.org -sess_in "$work/ticket.sess"
tlsc 4452 -tls1_3 -servername mail.example.org -sess_out "$work/psk.sess"
tlsc 4452 -tls1_3 -servername mail.example.org -sess_in "$work/psk.sess"
stop_capture tls-resume
stop_servers
fi

if want tls-alert; then
# 8. Failed handshakes that end in an alert: the client rejects an untrusted
# certificate (unknown_ca, over TLS 1.2 and 1.3: the client sends it before
# switching to handshake keys, so it is in clear either way), the server
# misses the client certificate it demands (handshake_failure), and no
# common protocol version (protocol_version).
serve 4461 -cert "$certs/rogue.pem" -key "$certs/rogue.key"
serve 4462 -cert "$certs/leaf-rsa.pem" -key "$certs/leaf-rsa.key" -cert_chain "$certs/inter.pem" \
	-Verify 1 -CAfile "$certs/root.pem"
serve 4463 -cert "$certs/leaf-rsa.pem" -key "$certs/leaf-rsa.key" -cert_chain "$certs/inter.pem" -tls1_3
sleep 1
capture tls-alert "tcp port 4461 or tcp port 4462 or tcp port 4463"
tlsc 4461 -tls1_2 -servername mail.example.org
tlsc 4461 -tls1_3 -servername mail.example.org
tlsc 4462 -tls1_2 -servername mail.example.org
tlsc 4463 -tls1_2 -servername mail.example.org
stop_capture tls-alert
stop_servers
fi

if want smtp-starttls; then
# 9. SMTP STARTTLS: swaks --tls against recipes/smtp_starttls.py, which
# serves certs/tls/leaf-rsa with its intermediate; TLS 1.2 and TLS 1.3.
cat "$certs/leaf-rsa.pem" "$certs/inter.pem" >"$work/smtp-chain.pem"
python3 "$recipes/smtp_starttls.py" 2527 "$work/smtp-chain.pem" "$certs/leaf-rsa.key" &
sink=$!
sleep 1
capture smtp-starttls "tcp port 2527"
swaks --server 127.0.0.1:2527 --helo client.smtplog.test --from ann@example.org --to ben@example.net \
	--tls --tls-protocol tlsv1_2 --tls-sni mail.example.org \
	--header "Subject: over TLS 1.2" --body "sent after STARTTLS" >>"$log" 2>&1
swaks --server 127.0.0.1:2527 --helo client.smtplog.test --from cy@example.org --to di@example.net \
	--tls --tls-protocol tlsv1_3 --tls-sni mail.example.org \
	--header "Subject: over TLS 1.3" --body "sent after STARTTLS" >>"$log" 2>&1
stop_capture smtp-starttls
kill "$sink" 2>/dev/null || true
fi
if want imap-starttls; then
# 10. IMAP STARTTLS: openssl s_client -starttls imap against
# recipes/imap_starttls.py on port 143 (IMAP is found by port only), TLS 1.2
# with a login and TLS 1.3; then a client whose STARTTLS is refused.
cat "$certs/leaf-rsa.pem" "$certs/inter.pem" >"$work/imap-chain.pem"
python3 "$recipes/imap_starttls.py" 143 "$work/imap-chain.pem" "$certs/leaf-rsa.key" &
imapd=$!
sleep 1
capture imap-starttls "tcp port 143"
printf 'a1 LOGIN bob secret\na2 LOGOUT\n' | openssl s_client -connect 127.0.0.1:143 -starttls imap \
	-servername mail.example.org -CAfile "$certs/root.pem" -tls1_2 -crlf -quiet >>"$log" 2>&1 || true
printf 'a2 LOGOUT\n' | openssl s_client -connect 127.0.0.1:143 -starttls imap \
	-servername mail.example.org -CAfile "$certs/root.pem" -tls1_3 -crlf -quiet >>"$log" 2>&1 || true
python3 - <<'PY' >>"$log" 2>&1
import socket
s = socket.create_connection(("127.0.0.1", 143))
f = s.makefile("rb")
print(f.readline())
for line in (b"a1 CAPABILITY\r\n", b"REFUSE STARTTLS\r\n", b"a3 LOGOUT\r\n"):
    s.sendall(line)
    while True:
        reply = f.readline()
        print(reply)
        if not reply or not reply.startswith(b"*"):
            break
s.close()
PY
stop_capture imap-starttls
kill "$imapd" 2>/dev/null || true
fi
if want xmpp-starttls; then
# 11. XMPP STARTTLS: openssl s_client -starttls xmpp against
# recipes/xmpp_starttls.py on 5222 (TLS 1.2 and 1.3), and on port 15222,
# found by the dpd_xmpp signature only, a server that refuses STARTTLS.
cat "$certs/leaf-rsa.pem" "$certs/inter.pem" >"$work/xmpp-chain.pem"
python3 "$recipes/xmpp_starttls.py" 5222 "$work/xmpp-chain.pem" "$certs/leaf-rsa.key" &
xmppd=$!
python3 "$recipes/xmpp_starttls.py" 15222 "$work/xmpp-chain.pem" "$certs/leaf-rsa.key" refuse &
xmppr=$!
sleep 1
capture xmpp-starttls "tcp port 5222 or tcp port 15222"
for v in -tls1_2 -tls1_3; do
	printf '</stream:stream>' | timeout 10 openssl s_client -connect 127.0.0.1:5222 \
		-starttls xmpp -xmpphost example.org -servername mail.example.org \
		-CAfile "$certs/root.pem" "$v" -brief >>"$log" 2>&1 || true
done
printf '</stream:stream>' | timeout 10 openssl s_client -connect 127.0.0.1:15222 -starttls xmpp \
	-xmpphost example.org -brief >>"$log" 2>&1 || true
stop_capture xmpp-starttls
kill "$xmppd" "$xmppr" 2>/dev/null || true
fi
if want pop3-starttls; then
# 12. POP3 STLS: openssl s_client -starttls pop3 against
# recipes/pop3_starttls.py on 110 (POP3 is found by its signatures only;
# TLS 1.2 and 1.3); a mailbox session in clear text (USER, PASS, STAT,
# LIST, RETR, QUIT) on 8110; and on 8111 a server that refuses STLS.
cat "$certs/leaf-rsa.pem" "$certs/inter.pem" >"$work/pop3-chain.pem"
python3 "$recipes/pop3_starttls.py" 110 "$work/pop3-chain.pem" "$certs/leaf-rsa.key" 8111 &
pop3d=$!
python3 "$recipes/pop3_starttls.py" 8110 "$work/pop3-chain.pem" "$certs/leaf-rsa.key" &
pop3clear=$!
sleep 1
capture pop3-starttls "tcp port 110 or tcp port 8110 or tcp port 8111"
printf 'USER bob\nPASS secret\nQUIT\n' | openssl s_client -connect 127.0.0.1:110 -starttls pop3 \
	-servername mail.example.org -CAfile "$certs/root.pem" -tls1_2 -crlf -quiet >>"$log" 2>&1 || true
printf 'QUIT\n' | openssl s_client -connect 127.0.0.1:110 -starttls pop3 \
	-servername mail.example.org -CAfile "$certs/root.pem" -tls1_3 -crlf -quiet >>"$log" 2>&1 || true
python3 - <<'PY' >>"$log" 2>&1
import socket
def session(port, lines):
    s = socket.create_connection(("127.0.0.1", port))
    f = s.makefile("rb")
    print(f.readline())
    for line, multi in lines:
        s.sendall(line)
        while True:
            reply = f.readline()
            print(reply)
            if not reply or not multi or reply == b".\r\n" or reply.startswith(b"-ERR"):
                break
    s.close()
session(8110, [(b"CAPA\r\n", True), (b"USER bob\r\n", False), (b"PASS secret\r\n", False),
               (b"STAT\r\n", False), (b"LIST\r\n", True), (b"RETR 1\r\n", True),
               (b"QUIT\r\n", False)])
session(8111, [(b"CAPA\r\n", True), (b"STLS\r\n", False), (b"QUIT\r\n", False)])
PY
stop_capture pop3-starttls
kill "$pop3d" "$pop3clear" 2>/dev/null || true
fi
echo "recorded: $ALL_ARGS"
