#!/usr/bin/env python3
"""Sends the hand-made mails that swaks cannot: BDAT chunks, a MIME tree
nested 40 levels deep, and a body with broken base64. Loopback only.
Usage: smtp_client.py PORT
"""
import socket
import sys


def session(port, steps):
    s = socket.create_connection(("127.0.0.1", port))
    f = s.makefile("rb")

    def read_reply():
        while True:
            line = f.readline()
            if not line or line[3:4] != b"-":
                return line

    read_reply()
    for kind, data in steps:
        s.sendall(data)
        if kind == "cmd":
            read_reply()
    s.close()


def cmd(text):
    return ("cmd", text.encode() + b"\r\n")


def nested_mail(depth):
    lines = ["From: nest@example.org", "To: deep@example.net", "Subject: nested",
             "MIME-Version: 1.0"]
    for i in range(depth):
        lines.append('Content-Type: multipart/mixed; boundary="b%d"' % i)
        lines.append("")
        lines.append("--b%d" % i)
    lines += ["Content-Type: text/plain", "", "the innermost part", ""]
    for i in reversed(range(depth)):
        lines.append("--b%d--" % i)
    return "\r\n".join(lines) + "\r\n"


BROKEN = "\r\n".join([
    "From: b64@example.org", "To: broken@example.net", "Subject: broken base64",
    "MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="zz"', "",
    "--zz", "Content-Type: text/plain", "", "body text", "",
    "--zz", "Content-Type: application/octet-stream",
    "Content-Transfer-Encoding: base64",
    'Content-Disposition: attachment; filename="../../etc/passwd"', "",
    "SGVsbG8gd29ybGQh*&^%$", "QUJD=RE==", "RUZH", "--zz--", ""])


def main():
    port = int(sys.argv[1])
    body = ("From: chunky@example.org\r\nTo: bdat@example.net\r\n"
            "Subject: chunked\r\n\r\nfirst chunk line\r\nsecond line\r\n").encode()
    half = len(body) // 2
    session(port, [
        cmd("EHLO client.smtplog.test"),
        cmd("MAIL FROM:<chunky@example.org>"),
        cmd("RCPT TO:<bdat@example.net>"),
        ("cmd", b"BDAT %d\r\n" % half + body[:half]),
        ("cmd", b"BDAT %d LAST\r\n" % (len(body) - half) + body[half:]),
        cmd("QUIT"),
    ])
    for mail in (nested_mail(40), BROKEN):
        session(port, [
            cmd("EHLO client.smtplog.test"),
            cmd("MAIL FROM:<maker@example.org>"),
            cmd("RCPT TO:<sink@example.net>"),
            cmd("DATA"),
            ("cmd", mail.encode() + b".\r\n"),
            cmd("QUIT"),
        ])


if __name__ == "__main__":
    main()
