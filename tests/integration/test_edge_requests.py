"""Requests at the edges of HTTP/1.x, sent raw and by curl (found by
attacking the daemon with zzuf and hand-made requests): every answer is
whole HTTP/1.1 (status line, fields, a body of its Content-Length), a
4xx/5xx for what is not a plain GET or HEAD of a route, and the daemon's
health is unharmed. An HTTP/1.1 request without Host used to get
libmicrohttpd 0.9.75's 400 head twice, the first with no body: a client
read the second head as the first's body."""

import shutil
import signal
import socket
import subprocess
import time
import unittest

from harness import Daemon, http_answer

def answers(buf, head_only=()):
    """buf cut into whole HTTP/1.1 answers: their status codes. Raises
    ValueError where it stops being that. head_only: indexes of answers to
    HEAD requests (a Content-Length, no body)."""
    statuses = []
    while buf:
        status, buf = http_answer(buf, len(statuses) in head_only)
        statuses.append(status)
    return statuses


def exchange(port, data, timeout=3.0):
    """data on one connection; everything until the daemon closes (a reset
    after an answer, from unread bytes, is a close too)."""
    with socket.create_connection(("127.0.0.1", port), timeout) as s:
        s.sendall(data)
        got = b""
        while True:
            try:
                b = s.recv(65536)
            except ConnectionResetError:
                return got
            if not b:
                return got
            got += b


H = b"Host: x\r\n"
CLOSE = b"Connection: close\r\n"
CASES = [
    # (what, bytes, the statuses wanted, in order)
    ("HTTP/1.1 without Host", b"GET /health HTTP/1.1\r\n" + CLOSE + b"\r\n",
     [400]),
    # The method is judged first: 405, whole, and a close.
    ("HTTP/1.1 without Host, other method",
     b"PUT /health HTTP/1.1\r\nUser-Agent: x\r\n\r\n", [405]),
    ("two Host fields", b"GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n" +
     CLOSE + b"\r\n", [400]),
    ("HTTP/1.0 without Host", b"GET /health HTTP/1.0\r\n\r\n", [200]),
    ("OPTIONS *", b"OPTIONS * HTTP/1.1\r\n" + H + b"\r\n", [405]),
    ("absolute-form URI", b"GET http://x/health HTTP/1.1\r\n" + H + CLOSE +
     b"\r\n", [404]),
    ("HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", [505]),
    ("h2c upgrade is not taken", b"GET /health HTTP/1.1\r\n" + H +
     b"Connection: Upgrade, HTTP2-Settings, close\r\nUpgrade: h2c\r\n"
     b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n", [200]),
    ("HTTP/0.9", b"GET /health\r\n", [400]),
    ("1400-byte header", b"GET /health HTTP/1.1\r\n" + H + b"X: " +
     b"a" * 1400 + b"\r\n" + CLOSE + b"\r\n", [200]),
    ("300 headers", b"GET /health HTTP/1.1\r\n" + H + b"A: b\r\n" * 300 +
     CLOSE + b"\r\n", [431]),
    ("pipeline of four", (b"GET /health HTTP/1.1\r\n" + H + b"\r\n") * 2 +
     b"GET /nope HTTP/1.1\r\n" + H + b"\r\n" +
     b"GET /live HTTP/1.1\r\n" + H + CLOSE + b"\r\n", [200, 200, 404, 200]),
    ("pipeline, no Host in the second", b"GET /live HTTP/1.1\r\n" + H +
     b"\r\nGET /live HTTP/1.1\r\n\r\n", [200, 400]),
    ("Expect: 100-continue", b"GET /health HTTP/1.1\r\n" + H +
     b"Expect: 100-continue\r\n" + CLOSE + b"\r\n", [200]),
]


class EdgeRequests(unittest.TestCase):

    def test_every_answer_is_whole_http(self):
        with Daemon("--request-timeout", "1s", "--idle-timeout", "1s") as d:
            for what, data, want in CASES:
                got = exchange(d.port, data)
                try:
                    statuses = answers(got)
                except ValueError as e:
                    self.fail("%s: %s in %r" % (what, e, got))
                if statuses and statuses[0] == 100:
                    statuses = statuses[1:]
                self.assertEqual(statuses, want, (what, got))
                self.assertEqual(d.get("/health")[0], 200, what)
            self.assertIsNone(d.proc.poll())

    @unittest.skipIf(shutil.which("curl") is None, "curl not installed")
    def test_curl_http2_prior_knowledge_and_http1_0(self):
        with Daemon() as d:
            url = d.url()
            # An HTTP/2 client that does not ask first gets HTTP/1.1's 505
            # and a close, which curl reports as an error: never a hang.
            t0 = time.monotonic()
            r = subprocess.run(["curl", "-sS", "--http2-prior-knowledge",
                                "-m", "3", "-o", "/dev/null", url],
                               capture_output=True, timeout=10)
            self.assertNotEqual(r.returncode, 0)
            self.assertNotEqual(r.returncode, 28, "curl timed out")
            self.assertLess(time.monotonic() - t0, 2.0)
            for flags, want in ((["--http1.0"], "200 1.1"),
                                (["--http1.0", "-H", "Host:"], "200 1.1"),
                                (["--http1.1", "-H", "Host:"], "400 1.1"),
                                (["--http2"], "200 1.1")):
                r = subprocess.run(["curl", "-s", "-m", "3", "-o",
                                    "/dev/null", "-w",
                                    "%{http_code} %{http_version}"] +
                                   flags + [url], capture_output=True,
                                   text=True, timeout=10)
                self.assertEqual(r.stdout, want, flags)

    def test_pipeline_across_sigterm_drains(self):
        """Requests pipelined on one connection while SIGTERM arrives: the
        three before it get whole 200s; of three sent after it, the first
        gets a whole 503 with Connection: close and the rest a close (an
        answer after close would be a lie). The source is a watched prober
        (it fetched /health): its next connection's 503 is its second, and
        the drain ends then, not at the cap."""
        with Daemon("--drain-timeout", "5s", "--drain-ignore", "none") as d:
            s = socket.create_connection(("127.0.0.1", d.port), 3)
            s.sendall((b"GET /health HTTP/1.1\r\n" + H + b"\r\n") * 3)
            got = b""
            while got.count(b"HTTP/1.1 ") < 3:
                b = s.recv(65536)
                self.assertTrue(b, got)
                got += b
            d.signal(signal.SIGTERM)
            self.assertIsNotNone(d.wait_log(r"drain_start.*watched=1"),
                                 d.log())
            s.sendall((b"GET /health HTTP/1.1\r\n" + H + b"\r\n") * 3)
            while True:
                try:
                    b = s.recv(65536)
                except ConnectionResetError:
                    break
                if not b:
                    break
                got += b
            s.close()
            self.assertEqual(answers(got), [200, 200, 200, 503], got)
            self.assertIn(b"Connection: close", got.rsplit(b"HTTP/1.1 ", 1)[1])
            t0 = time.monotonic()
            self.assertEqual(exchange(d.port, b"GET /health HTTP/1.1\r\n" +
                                      H + b"\r\n").split(b" ")[1], b"503")
            self.assertEqual(d.wait(5), 0, d.log())
            self.assertLess(time.monotonic() - t0, 1.0)
            self.assertIsNotNone(d.wait_log(r"drain_end .*503s=2"), d.log())


if __name__ == "__main__":
    unittest.main()
