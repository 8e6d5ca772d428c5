# rawhttp.py PORT REQUEST: send REQUEST (a Python bytes literal,
# b"GET / HTTP/1.1\r\n...") as written to 127.0.0.1:PORT on a fresh
# connection, read what comes back until the server closes (or for at most
# 10 s), and print the status of every whole answer in order, then "eof"
# when the server closed or "open" when it did not. An answer that does not
# parse as HTTP/1.x with a Content-Length body (two status lines in one
# answer, say) prints "garbage".
import ast
import socket
import sys
import time

DEADLINE = 10.0


def read_all(port, request):
    s = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
    s.sendall(request)
    data, closed = b"", False
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        s.settimeout(max(0.01, end - time.monotonic()))
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            closed = True
            break
        if not chunk:
            closed = True
            break
        data += chunk
    s.close()
    return data, closed


def answers(data):
    """The statuses of the whole answers in data, and whether bytes are left over."""
    out = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        if not sep or not lines[0].startswith(b"HTTP/1."):
            return out, True
        length = None
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        if length is None or len(rest) < length:
            return out, True
        out.append(lines[0].split(b" ")[1].decode())
        data = rest[length:]
    return out, False


def main():
    port = int(sys.argv[1])
    request = ast.literal_eval(sys.argv[2])
    data, closed = read_all(port, request)
    statuses, garbage = answers(data)
    words = statuses + (["garbage"] if garbage else []) + ["eof" if closed else "open"]
    print(" ".join(words))


main()
