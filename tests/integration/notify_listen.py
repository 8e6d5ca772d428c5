#!/usr/bin/env python3
"""notify_listen.py SOCKET LOG: the receiving end of sd_notify(3), as
systemd's manager is for a Type=notify service: bind an AF_UNIX datagram
socket at SOCKET (a path, or after '@' an abstract name) and append every
datagram to LOG, one per line with its newlines shown as '|'. Runs until
killed."""
import os
import socket
import sys

name, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
if name.startswith("@"):
    s.bind("\0" + name[1:])
else:
    s.bind(name)
    # As systemd's own /run/systemd/notify: a service that dropped root
    # (User=vakt) must still reach it.
    os.chmod(name, 0o777)
with open(log, "a", encoding="utf-8") as out:
    print("listening", file=out, flush=True)
    while True:
        data = s.recv(4096)
        print(data.decode("utf-8", "replace").replace("\n", "|"), file=out, flush=True)
