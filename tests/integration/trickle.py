#!/usr/bin/env python3
# trickle.py [--mysql-login|--pg-login] PREFIX: a TCP server on a free
# loopback port (printed as "port P") that answers every connection with
# PREFIX and then "a" forever, one byte a second, whatever the client sends:
# a peer that is alive but never done. PREFIX may hold \r, \n and \xNN
# escapes. With --mysql-login or --pg-login it first lets a MySQL or
# PostgreSQL client log in at once (any user, no password asked) and
# trickles only the answer to its first query. Every connection has a
# thread of its own; the server runs until it is killed.
import codecs, socket, struct, sys, threading, time

args = sys.argv[1:]
mode = args.pop(0) if args[:1] in (["--mysql-login"], ["--pg-login"]) else None
prefix = codecs.decode(args[0] if args else "", "unicode_escape").encode("latin-1")


def packet(seq, payload):
    return struct.pack("<I", len(payload))[:3] + bytes([seq]) + payload


def recv_exactly(c, n):
    data = b""
    while len(data) < n:
        more = c.recv(n - len(data))
        if not more:
            raise OSError("closed")
        data += more
    return data


def read_packet(c):
    n = struct.unpack("<I", recv_exactly(c, 4)[:3] + b"\0")[0]
    return recv_exactly(c, n)


def pg_login(c):
    # StartupMessage (sslmode=disable: no SSLRequest first), then
    # AuthenticationOk, the server's version and ReadyForQuery; then the
    # first query.
    n = struct.unpack(">I", recv_exactly(c, 4))[0]
    recv_exactly(c, n - 4)
    version = b"server_version\0" + b"16.0\0"
    c.sendall(b"R\0\0\0\x08\0\0\0\0" + b"S" + struct.pack(">I", 4 + len(version)) + version
              + b"Z\0\0\0\x05I")
    recv_exactly(c, 1)
    n = struct.unpack(">I", recv_exactly(c, 4))[0]
    recv_exactly(c, n - 4)


def mysql_login(c):
    # Protocol 10 greeting: 4.1 protocol, secure connection, plugin auth,
    # multi statements and results, transactions; no TLS.
    caps = 0x1 | 0x200 | 0x2000 | 0x8000 | 0x10000 | 0x20000 | 0x80000
    greeting = (b"\x0a" + b"5.5.5-10.11.0-MariaDB-trickle\0" + struct.pack("<I", 7) + b"12345678\0"
                + struct.pack("<H", caps & 0xFFFF) + b"\x2d" + struct.pack("<H", 2)
                + struct.pack("<H", caps >> 16) + bytes([21]) + b"\0" * 10 + b"123456789012\0"
                + b"mysql_native_password\0")
    c.sendall(packet(0, greeting))
    read_packet(c)
    c.sendall(packet(2, b"\x00\x00\x00\x02\x00\x00\x00"))
    read_packet(c)


def drain(c):
    try:
        while c.recv(4096):
            pass
    except OSError:
        pass


def serve(c):
    try:
        if mode == "--mysql-login":
            mysql_login(c)
        elif mode == "--pg-login":
            pg_login(c)
        threading.Thread(target=drain, args=(c,), daemon=True).start()
        data = prefix
        while True:
            for b in data:
                c.sendall(bytes([b]))
                time.sleep(1)
            data = b"a"
    except OSError:
        c.close()


s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(64)
print("port", s.getsockname()[1], flush=True)
while True:
    threading.Thread(target=serve, args=(s.accept()[0],), daemon=True).start()
