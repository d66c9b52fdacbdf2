"""The gRPC side under a hanging gRPC upstream and under bad HTTP/2:
/health and the gRPC answer stay fast while a grpc check's upstream hangs;
floods from nghttp2-client's h2load, connections that send a preface and
nothing more, and malformed frames take down neither port. Each test
prints what it measured."""

import os
import random
import socket
import struct
import subprocess
import tempfile
import threading
import time
import unittest

from grpcpeer import CHECK, HealthServer, Request, Response, Silent, grpc, ask
from harness import rss_kib, wait_until
from test_grpc_listen import PREFACE, grpc_daemon
from test_robust import bounded, metric, raise_nofile

# A framed empty HealthCheckRequest, for h2load's body.
EMPTY_REQUEST = b"\0\0\0\0\0"


def p99(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * 0.99))]


def health_times(d, n, source="127.0.0.5"):
    out = []
    for _ in range(n):
        t = time.monotonic()
        status, _, _ = d.get("/health", source=source, timeout=2)
        out.append(time.monotonic() - t)
        if status not in (200, 503):
            raise AssertionError("status %d" % status)
    return out


def grpc_times(port, n):
    """Check over one kept channel, as a prober that keeps its connection;
    the first call, which connects, is not counted."""
    out = []
    with grpc.insecure_channel("127.0.0.1:%d" % port) as ch:
        call = ch.unary_unary(CHECK,
                              request_serializer=Request.SerializeToString,
                              response_deserializer=Response.FromString)
        try:
            call(Request(), timeout=2)
        except grpc.RpcError:
            pass
        for _ in range(n):
            t = time.monotonic()
            try:
                call(Request(), timeout=2)
            except grpc.RpcError as e:
                if e.code() != grpc.StatusCode.UNAVAILABLE:
                    raise
            out.append(time.monotonic() - t)
    return out


def frame(ftype, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + \
        struct.pack(">I", stream) + payload


# Frames no peer should send: each must end its connection, never the
# daemon. (type, flags, stream, payload)
BAD_FRAMES = [
    frame(1, 0x5, 0, b"\x82"),                  # HEADERS on stream 0
    frame(4, 0, 1, b""),                        # SETTINGS on a stream
    frame(4, 0, 0, b"\0\x04\xff\xff\xff\xff"),  # window over 2^31-1
    frame(1, 0x5, 1, b"\xff\xff\xff\xff\xff"),  # HPACK that is not
    frame(0, 0x1, 3, b"x" * 10),                # DATA on an idle stream
    frame(8, 0, 0, b"\0\0\0\0"),                # WINDOW_UPDATE of 0
    frame(3, 0, 0, b"\0\0\0\x08"),              # RST_STREAM on stream 0
    b"\xff\xff\xff" + bytes([0, 0]) + b"\0\0\0\0",  # 16 MiB DATA frame
    frame(6, 0, 0, b"1234567"),                 # PING of 7 bytes
    frame(1, 0x4, 1, b"\x82\x86\x84"),          # HEADERS, no END_STREAM,
                                                # then nothing more
]


class GrpcRobust(unittest.TestCase):

    def test_hanging_grpc_upstream_slows_neither_answer(self):
        with HealthServer({"": "SERVING"}) as app, Silent() as silent, \
                grpc_daemon("--interval", "200ms", "--timeout", "150ms",
                            "--check", "app=grpc://127.0.0.1:%d" % app.port,
                            "--check",
                            "mute=grpc://127.0.0.1:%d" % silent.port) as d:
            app.mode = "hang"
            self.assertIsNotNone(wait_until(
                lambda: "timeout" in str(d.health()[1]), 3))
            h = health_times(d, 300)
            g = grpc_times(d.gport, 300)
            print("\n  upstreams hung: /health p99 %.2f ms max %.2f ms; "
                  "gRPC Check p99 %.2f ms max %.2f ms"
                  % (p99(h) * 1e3, max(h) * 1e3, p99(g) * 1e3,
                     max(g) * 1e3))
            # test_robust's bound for /health under a flood: 50 ms.
            bounded(self, p99(h), 0.050, "/health p99")
            bounded(self, p99(g), 0.050, "gRPC p99")

    def test_h2load_flood_then_still_serving(self):
        raise_nofile(4000)
        with grpc_daemon("--max-connections-per-ip", "200") as d, \
                tempfile.NamedTemporaryFile() as body:
            body.write(EMPTY_REQUEST)
            body.flush()
            rss0 = rss_kib(d.proc.pid)
            out = subprocess.run(
                ["h2load", "-n", "20000", "-c", "100", "-m", "8",
                 "-d", body.name, "-H", "content-type: application/grpc",
                 "-H", "te: trailers",
                 "http://127.0.0.1:%d/grpc.health.v1.Health/Check" %
                 d.gport], capture_output=True, text=True, timeout=120)
            self.assertEqual(out.returncode, 0, out.stderr)
            done = [l for l in out.stdout.splitlines()
                    if l.startswith(("finished in", "requests:"))]
            print("\n  h2load: " + " | ".join(done))
            self.assertIn("20000 succeeded", out.stdout)
            self.assertEqual(ask(d.gport), ("OK", "", "SERVING"))
            self.assertEqual(d.get("/health")[0], 200)
            bounded(self, rss_kib(d.proc.pid), rss0 + 8192, "RSS")

    def test_prefaces_and_nothing_more_are_cut_and_answers_go_on(self):
        raise_nofile(4000)
        with grpc_daemon("--request-timeout", "3s") as d:
            socks = []
            for i in range(600):
                s = socket.socket()
                s.bind(("127.0.2.%d" % (i % 250 + 1), 0))
                s.connect(("127.0.0.1", d.gport))
                s.sendall(PREFACE)
                socks.append(s)
            try:
                # Accepted as fast as they come in (64 a turn of the loop).
                wait_until(lambda: metric(
                    d, "healthgate_grpc_connections") >= 550, 3)
                held = metric(d, "healthgate_grpc_connections")
                g = grpc_times(d.gport, 100)
                h = health_times(d, 100)
                took = wait_until(lambda: metric(
                    d, "healthgate_grpc_connections") <= 1, 8)
                print("\n  600 prefaces from 250 addresses: %d held, gRPC "
                      "p99 %.1f ms, /health p99 %.1f ms, cut after %.2f s"
                      % (held, p99(g) * 1e3, p99(h) * 1e3, took or -1))
                # Most at once (under a sanitizer some are cut first).
                self.assertGreater(held, 400)
                self.assertIsNotNone(took)
                bounded(self, p99(g), 0.050, "gRPC p99")
                bounded(self, p99(h), 0.050, "/health p99")
            finally:
                for s in socks:
                    s.close()
            self.assertEqual(ask(d.gport), ("OK", "", "SERVING"))

    def test_malformed_frames_end_their_connection_only(self):
        rng = random.Random(25)
        with grpc_daemon() as d:
            stop = threading.Event()
            answers = []

            def prober():
                while not stop.is_set():
                    answers.append(ask(d.gport, timeout=1)[0])
                    stop.wait(0.05)

            t = threading.Thread(target=prober, daemon=True)
            t.start()
            sent = 0
            for i in range(400):
                payload = PREFACE + frame(4, 0, 0, b"")
                if i % 4 == 3:      # random bytes after a preface
                    payload += bytes(rng.randrange(256)
                                     for _ in range(rng.randrange(1, 200)))
                else:
                    payload += BAD_FRAMES[i % len(BAD_FRAMES)]
                with socket.create_connection(("127.0.0.1", d.gport),
                                              timeout=2) as s:
                    s.sendall(payload)
                    sent += 1
                    s.settimeout(0.5)
                    try:
                        while s.recv(4096):
                            pass
                    except (socket.timeout, ConnectionResetError):
                        pass
            stop.set()
            t.join(3)
            print("\n  %d malformed connections; the prober got %d answers, "
                  "%s" % (sent, len(answers), sorted(set(answers))))
            self.assertEqual(set(answers), {"OK"})
            self.assertIsNone(d.proc.poll())
            self.assertEqual(ask(d.gport), ("OK", "", "SERVING"))
            self.assertEqual(d.get("/health")[0], 200)


if __name__ == "__main__":
    unittest.main()
