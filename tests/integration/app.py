#!/usr/bin/env python3
"""A stand-in app for supervisor mode: what healthgate runs after "--".

    app.py [--port N] [--delay S] [--on-term exit|ignore|CODE]
           [--record FILE] [--orphans N] [--exit CODE]

Serves GET on 127.0.0.1:PORT (any path: 200 "ok" after DELAY seconds) from
a thread per request. Every signal it gets is appended to FILE as
"NAME MONOTONIC" (CLOCK_MONOTONIC is one clock for every process on the
host, so the test can order it against its own observations). On SIGTERM:
exit  - die at once, as many apps do (the default);
ignore - keep running (for --stop-timeout);
CODE  - exit with that status.
--orphans N forks N short-lived grandchildren whose parent exits at once,
so they are reparented to the nearest reaper. --exit CODE exits right away
with that status. Loopback only."""

import argparse
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

a = argparse.ArgumentParser()
a.add_argument("--port", type=int, default=0)
a.add_argument("--delay", type=float, default=0.0)
a.add_argument("--on-term", default="exit")
a.add_argument("--record")
a.add_argument("--orphans", type=int, default=0)
a.add_argument("--orphan-life", type=float, default=0.2)
a.add_argument("--exit", type=int)
a.add_argument("--fds", action="store_true",
               help="print the open descriptors and the environment")
args = a.parse_args()


def record(name):
    if args.record:
        with open(args.record, "a") as f:
            f.write("%s %.6f\n" % (name, time.monotonic()))


def on_signal(signum, frame):
    name = signal.Signals(signum).name
    record(name)
    if signum == signal.SIGTERM:
        if args.on_term == "exit":
            os._exit(128 + signum)
        elif args.on_term != "ignore":
            os._exit(int(args.on_term))
    if signum == signal.SIGINT:
        os._exit(128 + signum)


for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1,
          signal.SIGUSR2, signal.SIGWINCH, signal.SIGQUIT):
    signal.signal(s, on_signal)

if args.fds:
    fds = sorted(int(x) for x in os.listdir("/proc/self/fd"))
    print("fds=%s" % ",".join(map(str, fds)), flush=True)
    print("env=%s" % ",".join(sorted(os.environ)), flush=True)
    print("pgid=%d pid=%d" % (os.getpgid(0), os.getpid()), flush=True)

for _ in range(args.orphans):
    if os.fork() == 0:
        if os.fork() == 0:
            record("ORPHAN%d" % os.getpid())
            time.sleep(args.orphan_life)
            os._exit(0)
        os._exit(0)
    os.wait()

if args.exit is not None:
    sys.exit(args.exit)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        time.sleep(args.delay)
        body = b"ok\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
srv.daemon_threads = True
srv.request_queue_size = 128
record("READY")
threading.Thread(target=srv.serve_forever, daemon=True).start()
while True:
    time.sleep(3600)
