#!/usr/bin/env python3
"""notify_listen.py SOCKET LOG: the receiving end of sd_notify(3), as
systemd's manager is for a Type=notify service: bind an AF_UNIX datagram
socket at SOCKET (a path, or after '@' an abstract name) and append every
datagram to LOG, one per line with its newlines shown as '|'. Runs until
killed."""
import socket
import sys

name, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + name[1:] if name.startswith("@") else name)
with open(log, "a", encoding="utf-8") as out:
    print("listening", file=out, flush=True)
    while True:
        data = s.recv(4096)
        print(data.decode("utf-8", "replace").replace("\n", "|"), file=out, flush=True)
