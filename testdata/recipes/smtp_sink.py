#!/usr/bin/env python3
"""A minimal SMTP sink for recording test captures on loopback.

Speaks enough ESMTP for the clients in record.sh: EHLO (PIPELINING, AUTH
PLAIN LOGIN, CHUNKING, 8BITMIME), AUTH PLAIN and LOGIN (any password),
MAIL, RCPT, DATA, BDAT (with LAST), RSET, NOOP, QUIT. It stores nothing.
Usage: smtp_sink.py PORT
"""
import socket
import sys
import threading


def handle(conn):
    f = conn.makefile("rb")
    out = conn.makefile("wb")

    def reply(text):
        out.write(text.encode() + b"\r\n")
        out.flush()

    reply("220 sink.smtplog.test ESMTP ready")
    queued = 0
    while True:
        line = f.readline()
        if not line:
            break
        cmd = line.rstrip(b"\r\n").decode("latin-1")
        verb = cmd.split(" ", 1)[0].upper()
        if verb == "EHLO":
            reply("250-sink.smtplog.test")
            reply("250-PIPELINING")
            reply("250-8BITMIME")
            reply("250-CHUNKING")
            reply("250 AUTH PLAIN LOGIN")
        elif verb == "HELO":
            reply("250 sink.smtplog.test")
        elif verb == "AUTH":
            parts = cmd.split()
            if len(parts) >= 2 and parts[1].upper() == "LOGIN":
                reply("334 VXNlcm5hbWU6")
                f.readline()
                reply("334 UGFzc3dvcmQ6")
                f.readline()
            elif len(parts) == 2:
                reply("334 ")
                f.readline()
            reply("235 2.7.0 Authentication successful")
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
        elif verb == "BDAT":
            parts = cmd.split()
            size = int(parts[1])
            f.read(size)
            if len(parts) > 2 and parts[2].upper() == "LAST":
                queued += 1
                reply("250 2.0.0 Ok: %d bytes queued as %05d" % (size, queued))
            else:
                reply("250 2.0.0 Ok: %d bytes received" % size)
        elif verb == "QUIT":
            reply("221 2.0.0 Bye")
            break
        else:
            reply("500 5.5.2 Error: command not recognized")
    conn.close()


def main():
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", int(sys.argv[1])))
    srv.listen(8)
    while True:
        c, _ = srv.accept()
        threading.Thread(target=handle, args=(c,), daemon=True).start()


if __name__ == "__main__":
    main()
