#!/usr/bin/env python3
"""A minimal POP3 server with STLS, for recording test captures on loopback.

Speaks enough POP3 (RFC 1939, RFC 2595) for openssl s_client -starttls pop3
and a mailbox session in clear text: the greeting, CAPA (STLS and USER
before TLS), STLS (+OK, then TLS with Python's ssl module using CERT, which
holds the server certificate followed by its chain, and KEY), USER and PASS
(anyone), STAT, LIST, RETR of its one message, QUIT. On the port given as
REFUSE_PORT (optional) STLS is answered with -ERR. It stores nothing.
Usage: pop3_starttls.py PORT CERT KEY [REFUSE_PORT]
"""
import socket
import ssl
import sys
import threading

MESSAGE = (
    "From: alice@example.org\r\n"
    "To: bob@example.net\r\n"
    "Subject: fetched over POP3\r\n"
    "\r\n"
    "Hello Bob.\r\n"
    "..a line that starts with a dot\r\n"
)


def handle(conn, ctx, refuse):
    tls = False
    f = conn.makefile("rb")
    out = conn.makefile("wb")

    def say(text):
        out.write(text.encode() + b"\r\n")
        out.flush()

    say("+OK pop3.smtplog.test ready")
    while True:
        line = f.readline()
        if not line:
            break
        parts = line.rstrip(b"\r\n").decode("latin-1").split(" ", 1)
        cmd = parts[0].upper()
        if cmd == "CAPA":
            say("+OK Capability list follows")
            say("USER")
            if not tls:
                say("STLS")
            say(".")
        elif cmd == "STLS" and not tls:
            if refuse:
                say("-ERR TLS not available")
                continue
            say("+OK Begin TLS negotiation")
            f.close()
            out.close()
            try:
                conn = ctx.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError):
                conn.close()
                return
            tls = True
            f = conn.makefile("rb")
            out = conn.makefile("wb")
        elif cmd == "USER":
            say("+OK send PASS")
        elif cmd == "PASS":
            say("+OK mailbox locked and ready")
        elif cmd == "STAT":
            say("+OK 1 %d" % len(MESSAGE))
        elif cmd == "LIST":
            say("+OK 1 messages")
            say("1 %d" % len(MESSAGE))
            say(".")
        elif cmd == "RETR":
            say("+OK %d octets" % len(MESSAGE))
            out.write(MESSAGE.encode())
            say(".")
        elif cmd == "QUIT":
            say("+OK bye")
            break
        else:
            say("-ERR unknown command")
    f.close()
    out.close()
    conn.close()


def serve(port, ctx, refuse):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(8)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn, ctx, refuse), daemon=True).start()


def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[2], sys.argv[3])
    if len(sys.argv) > 4:
        threading.Thread(target=serve, args=(int(sys.argv[4]), ctx, True), daemon=True).start()
    serve(int(sys.argv[1]), ctx, False)


if __name__ == "__main__":
    main()
