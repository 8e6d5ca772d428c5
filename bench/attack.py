#!/usr/bin/env python3
"""Attack a vaktd on loopback while a legitimate client asks it for /health.

Usage: bench/attack.py --port PORT --mode MODE [options]

Modes (each from the loopback addresses 127.0.0.FIRST .. FIRST+ADDRS-1):
  slowloris  keep CONNS connections open, each sending its request one byte
             every INTERVAL seconds and never finishing it; a connection the
             agent closes is opened again at once, as an attacker would
  halfsent   open CONNS connections at once, send part of a request on each
             and close them; again and again until the attack ends
  idle       keep CONNS connections open without sending a byte

The legitimate client asks GET PATH from 127.0.0.1 every PERIOD seconds,
one request per connection (as check_vakt does), with a time-out of
TIMEOUT seconds, before (--before), during (--duration) and after
(--after) the attack. It prints one line per phase:

  PHASE: N requests, A answered, OK with 200, p50 X ms, p99 Y ms, max Z ms

(answered: any HTTP status; latencies are of every request, answered or not)

and a last line "attack: ..." saying what the attacker did. With --check
it exits 1 unless every request of every phase was answered 200 within
TIMEOUT (latency goals are for the benchmark to report, not to assert).

Loopback only: the script refuses any other address.
"""
import argparse
import errno
import multiprocessing
import resource
import selectors
import socket
import sys
import time

REQUEST = b"GET /health HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slow\r\nX-a: "


def raise_nofile(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))


class Attacker:
    """The attack, run in a process of its own so that it does not slow the client down."""

    def __init__(self, a, stop):
        self.a = a
        self.stop = stop
        self.opened = 0
        self.closed_by_agent = 0
        self.refused = 0
        self.bytes = 0
        self.sel = selectors.DefaultSelector()
        self.socks = {}  # socket -> bytes of REQUEST sent
        self.next_addr = 0

    def source(self):
        a = self.a
        addr = "127.0.0.%d" % (a.first + self.next_addr % a.addrs)
        self.next_addr += 1
        return addr

    def open_one(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.bind((self.source(), 0))
            s.connect_ex((self.a.host, self.a.port))
        except OSError:
            s.close()
            self.refused += 1
            return None
        self.opened += 1
        return s

    def forget(self, s):
        try:
            self.sel.unregister(s)
        except (KeyError, ValueError):
            pass
        self.socks.pop(s, None)
        s.close()

    def send_byte(self, s):
        sent = self.socks[s]
        try:
            n = s.send(REQUEST[sent:sent + 1] if sent < len(REQUEST) else b"a")
        except BlockingIOError:
            return True
        except OSError:
            return False
        self.socks[s] = sent + n
        self.bytes += n
        return True

    def keep_open(self, send):
        """slowloris and idle: CONNS open, refilled as the agent closes them."""
        a = self.a
        last = 0.0
        while not self.stop.is_set():
            while len(self.socks) < a.conns and not self.stop.is_set():
                s = self.open_one()
                if s is None:
                    break
                self.socks[s] = 0
                self.sel.register(s, selectors.EVENT_READ)
            for key, _ in self.sel.select(timeout=0.05):
                s = key.fileobj
                try:
                    data = s.recv(4096)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:
                    self.closed_by_agent += 1
                    self.forget(s)
            now = time.monotonic()
            if send and now - last >= a.interval:
                last = now
                for s in list(self.socks):
                    if not self.send_byte(s):
                        self.closed_by_agent += 1
                        self.forget(s)

    def half_sent(self):
        a = self.a
        while not self.stop.is_set():
            burst = []
            for _ in range(a.conns):
                s = self.open_one()
                if s is not None:
                    burst.append(s)
            # Wait for the connects, send a part of a request, close.
            deadline = time.monotonic() + 1.0
            for s in burst:
                while True:
                    try:
                        s.send(REQUEST[:20])
                        self.bytes += 20
                        break
                    except BlockingIOError:
                        if time.monotonic() > deadline:
                            break
                        time.sleep(0.001)
                    except OSError as e:
                        if e.errno in (errno.ENOTCONN,) and time.monotonic() < deadline:
                            time.sleep(0.001)
                            continue
                        break
                s.close()
            self.stop.wait(a.interval)

    def run(self, out):
        if self.a.mode == "halfsent":
            self.half_sent()
        else:
            self.keep_open(self.a.mode == "slowloris")
        for s in list(self.socks):
            self.forget(s)
        out.put(self.summary())

    def summary(self):
        return ("attack: %s, %d connections opened from %d addresses, %d closed by the agent, "
                "%d could not be opened, %d bytes sent" %
                (self.a.mode, self.opened, self.a.addrs, self.closed_by_agent, self.refused,
                 self.bytes))


def attack(a, stop, out):
    Attacker(a, stop).run(out)


def ask(a):
    """One legitimate request: (answered 200, answered at all, seconds)."""
    t0 = time.monotonic()
    try:
        with socket.create_connection((a.host, a.port), timeout=a.timeout,
                                      source_address=("127.0.0.1", 0)) as s:
            s.settimeout(max(0.001, a.timeout - (time.monotonic() - t0)))
            s.sendall(b"GET " + a.path.encode() + b" HTTP/1.1\r\nHost: localhost\r\n"
                      b"Connection: close\r\n" + a.header + b"\r\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
                s.settimeout(max(0.001, a.timeout - (time.monotonic() - t0)))
            ok = data.startswith(b"HTTP/1.1 200 ")
            answered = data.startswith(b"HTTP/1.1 ")
    except OSError:
        ok = answered = False
    return ok, answered, time.monotonic() - t0


def phase(a, name, seconds, results):
    end = time.monotonic() + seconds
    rows = []
    while time.monotonic() < end:
        t0 = time.monotonic()
        rows.append(ask(a))
        time.sleep(max(0.0, a.period - (time.monotonic() - t0)))
    results.append((name, rows))


def report(name, rows):
    lat = sorted(r[2] * 1000 for r in rows)
    ok = sum(1 for r in rows if r[0])
    answered = sum(1 for r in rows if r[1])

    def pct(p):
        return lat[min(len(lat) - 1, int(p * len(lat)))] if lat else 0.0

    print("%s: %d requests, %d answered, %d with 200, p50 %.1f ms, p99 %.1f ms, max %.1f ms" %
          (name, len(rows), answered, ok, pct(0.50), pct(0.99), lat[-1] if lat else 0.0),
          flush=True)
    return ok == len(rows) and len(rows) > 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--mode", choices=("slowloris", "halfsent", "idle"), required=True)
    p.add_argument("--conns", type=int, default=2000)
    p.add_argument("--addrs", type=int, default=250)
    p.add_argument("--first", type=int, default=2, help="first source address 127.0.0.FIRST")
    p.add_argument("--interval", type=float, default=3.0)
    p.add_argument("--before", type=float, default=1.0)
    p.add_argument("--duration", type=float, default=20.0)
    p.add_argument("--after", type=float, default=5.0)
    p.add_argument("--period", type=float, default=0.05)
    p.add_argument("--timeout", type=float, default=2.0)
    p.add_argument("--path", default="/health")
    p.add_argument("--token-file", help="send its content as the bearer token")
    p.add_argument("--check", action="store_true")
    a = p.parse_args()
    if not a.host.startswith("127.") or a.first < 1 or a.first + a.addrs - 1 > 255:
        p.error("loopback only: --host 127.x.y.z and source addresses within 127.0.0.1-255")
    a.header = b""
    if a.token_file:
        with open(a.token_file, "rb") as f:
            a.header = b"Authorization: Bearer " + f.read().strip() + b"\r\n"
    raise_nofile(a.conns * 2 + 256)

    results = []
    phase(a, "before", a.before, results)
    stop = multiprocessing.Event()
    out = multiprocessing.Queue()
    attacker = multiprocessing.Process(target=attack, args=(a, stop, out), daemon=True)
    attacker.start()
    # The first second belongs to the attack's build-up; measure from then on.
    time.sleep(min(1.0, a.duration / 4))
    phase(a, "during", a.duration - min(1.0, a.duration / 4), results)
    stop.set()
    summary = out.get()
    attacker.join()
    phase(a, "first second after", 1.0, results)
    phase(a, "after", max(0.0, a.after - 1.0), results)
    good = True
    for name, rows in results:
        good &= report(name, rows) or (name == "after" and not rows)
    print(summary, flush=True)
    return 0 if good or not a.check else 1


if __name__ == "__main__":
    sys.exit(main())
