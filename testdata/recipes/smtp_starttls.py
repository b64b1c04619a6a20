#!/usr/bin/env python3
"""A minimal SMTP sink with STARTTLS, for recording test captures on loopback.

Speaks enough ESMTP for swaks --tls: EHLO (STARTTLS and 8BITMIME before TLS,
8BITMIME only after it), HELO, STARTTLS (220, then TLS with Python's ssl
module using CERT, which holds the server certificate followed by its chain,
and KEY), MAIL, RCPT, DATA, RSET, NOOP, QUIT. It stores nothing.
Usage: smtp_starttls.py PORT CERT KEY
"""
import socket
import ssl
import sys
import threading


def handle(conn, ctx):
    tls = False
    f = conn.makefile("rb")
    out = conn.makefile("wb")

    def reply(text):
        out.write(text.encode() + b"\r\n")
        out.flush()

    reply("220 tls.smtplog.test ESMTP ready")
    queued = 0
    while True:
        line = f.readline()
        if not line:
            break
        cmd = line.rstrip(b"\r\n").decode("latin-1")
        verb = cmd.split(" ", 1)[0].upper()
        if verb == "EHLO":
            reply("250-tls.smtplog.test")
            if not tls:
                reply("250-STARTTLS")
            reply("250 8BITMIME")
        elif verb == "HELO":
            reply("250 tls.smtplog.test")
        elif verb == "STARTTLS" and not tls:
            reply("220 2.0.0 Ready to start TLS")
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
        elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
            reply("250 2.0.0 OK")
        elif verb == "DATA":
            reply("354 End data with <CR><LF>.<CR><LF>")
            while True:
                d = f.readline()
                if not d or d in (b".\r\n", b".\n"):
                    break
            queued += 1
            reply("250 2.0.0 Ok: queued as %05d" % queued)
        elif verb == "QUIT":
            reply("221 2.0.0 Bye")
            break
        else:
            reply("500 5.5.2 Error: command not recognized")
    # No close_notify: it would race swaks's own close into a RST.
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
        c, _ = srv.accept()
        threading.Thread(target=handle, args=(c, ctx), daemon=True).start()


if __name__ == "__main__":
    main()
