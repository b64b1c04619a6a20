#!/usr/bin/env python3
"""A minimal XMPP server with STARTTLS, for recording test captures on loopback.

Speaks enough of RFC 6120's stream set-up for openssl s_client -starttls xmpp:
it answers the client's stream header with its own and stream features
offering <starttls/>, answers <starttls/> with <proceed/> and then speaks TLS
(Python's ssl module, CERT holding the server certificate followed by its
chain, and KEY). Over TLS it answers the new stream header with empty
features and closes the stream when the client closes its own. With
"refuse" as the 4th argument it answers <starttls/> with <failure/>.
Usage: xmpp_starttls.py PORT CERT KEY [refuse]
"""
import socket
import ssl
import sys
import threading

NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls"


def header(stream_id):
    return ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
            "xmlns:stream='http://etherx.jabber.org/streams' id='%s' "
            "from='example.org' version='1.0'>" % stream_id)


def read_until(conn, marker):
    data = b""
    while marker not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
    return data


def handle(conn, ctx, refuse):
    if read_until(conn, b">") is None:
        return conn.close()
    conn.sendall((header("s1") + "<stream:features><starttls xmlns='%s'><required/>"
                  "</starttls></stream:features>" % NS_TLS).encode())
    if read_until(conn, b"starttls") is None:
        return conn.close()
    if refuse:
        conn.sendall(("<failure xmlns='%s'/></stream:stream>" % NS_TLS).encode())
        read_until(conn, b"</stream:stream>")
        return conn.close()
    conn.sendall(("<proceed xmlns='%s'/>" % NS_TLS).encode())
    try:
        conn = ctx.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError):
        return conn.close()
    if read_until(conn, b">") is not None:
        conn.sendall((header("s2") + "<stream:features/>").encode())
        read_until(conn, b"</stream:stream>")
        try:
            conn.sendall(b"</stream:stream>")
        except OSError:
            pass
    conn.close()


def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[2], sys.argv[3])
    refuse = len(sys.argv) > 4 and sys.argv[4] == "refuse"
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", int(sys.argv[1])))
    srv.listen(8)
    while True:
        c, _ = srv.accept()
        threading.Thread(target=handle, args=(c, ctx, refuse), daemon=True).start()


if __name__ == "__main__":
    main()
