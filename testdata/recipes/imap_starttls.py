#!/usr/bin/env python3
"""A minimal IMAP server with STARTTLS, for recording test captures on loopback.

Speaks enough IMAP4rev1 for openssl s_client -starttls imap and a login over
TLS: the greeting, CAPABILITY (STARTTLS and LOGINDISABLED before TLS), NOOP,
STARTTLS (OK, then TLS with Python's ssl module using CERT, which holds the
server certificate followed by its chain, and KEY), LOGIN (accepts anyone
after TLS), LOGOUT. A client that asks STARTTLS with REFUSE as its tag gets
NO. It stores nothing. Usage: imap_starttls.py PORT CERT KEY
"""
import socket
import ssl
import sys
import threading


def handle(conn, ctx):
    tls = False
    f = conn.makefile("rb")
    out = conn.makefile("wb")

    def say(text):
        out.write(text.encode() + b"\r\n")
        out.flush()

    say("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] imap.smtplog.test ready")
    while True:
        line = f.readline()
        if not line:
            break
        parts = line.rstrip(b"\r\n").decode("latin-1").split(" ")
        if len(parts) < 2:
            say("* BAD missing command")
            continue
        tag, cmd = parts[0], parts[1].upper()
        if cmd == "CAPABILITY":
            say("* CAPABILITY IMAP4rev1 " + ("AUTH=PLAIN" if tls else "STARTTLS LOGINDISABLED"))
            say(tag + " OK CAPABILITY completed")
        elif cmd == "NOOP":
            say(tag + " OK NOOP completed")
        elif cmd == "STARTTLS" and not tls:
            if tag == "REFUSE":
                say(tag + " NO TLS not available now")
                continue
            say(tag + " OK Begin TLS negotiation now")
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
        elif cmd == "LOGIN" and tls:
            say(tag + " OK LOGIN completed")
        elif cmd == "LOGOUT":
            say("* BYE imap.smtplog.test logging out")
            say(tag + " OK LOGOUT completed")
            break
        else:
            say(tag + " BAD command not allowed now")
    f.close()
    out.close()
    conn.close()


def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[2], sys.argv[3])
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", int(sys.argv[1])))
    srv.listen(8)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn, ctx), daemon=True).start()


if __name__ == "__main__":
    main()
