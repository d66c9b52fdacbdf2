"""Requests whose body could be read two ways (issue 12, defect 5): a
second Content-Length that disagrees, a space before the colon, and both
Content-Length and Transfer-Encoding. A proxy in front may frame such a
request differently from healthgate, and what one reads as a body the
other reads as a second request (request smuggling). Each gets 400 and a
close, and nothing after its head is answered. Raw sockets, loopback."""

import socket
import time
import unittest

from harness import Daemon

# What would be smuggled: a second request, hidden in the first's "body".
INNER = b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
N = str(len(INNER)).encode()

CASES = [
    ("Content-Length 0 then 34", b"Content-Length: 0\r\nContent-Length: " +
     N + b"\r\n"),
    ("Content-Length 34 then 0", b"Content-Length: " + N +
     b"\r\nContent-Length: 0\r\n"),
    ("space before the colon", b"Content-Length : " + N + b"\r\n"),
    ("tab before the colon", b"Content-Length\t: " + N + b"\r\n"),
    ("Content-Length and chunked", b"Content-Length: " + N +
     b"\r\nTransfer-Encoding: chunked\r\n"),
    ("chunked and Content-Length", b"Transfer-Encoding: chunked\r\n"
     b"Content-Length: " + N + b"\r\n"),
    ("Content-Length 0 and chunked", b"Content-Length: 0\r\n"
     b"Transfer-Encoding: chunked\r\n"),
    ("second Content-Length not a number", b"Content-Length: 0\r\n"
     b"Content-Length: x\r\n"),
]


def exchange(port, data, timeout=3.0):
    """Sends data; returns (what came back, closed by the daemon?)."""
    with socket.create_connection(("127.0.0.1", port), timeout) as s:
        s.sendall(data)
        got = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                b = s.recv(65536)
            except socket.timeout:
                return got, False
            except ConnectionResetError:
                return got, True
            if not b:
                return got, True
            got += b
        return got, False


class Smuggling(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.d = Daemon("--request-timeout", "2s", "--idle-timeout", "5s")

    @classmethod
    def tearDownClass(cls):
        cls.d.kill()

    def test_ambiguous_framing_gets_400_and_a_close(self):
        for what, fields in CASES:
            with self.subTest(what):
                req = (b"GET /health HTTP/1.1\r\nHost: x\r\n" + fields +
                       b"\r\n" + INNER)
                got, closed = exchange(self.d.port, req)
                answers = got.count(b"HTTP/1.1 ")
                print("\n  %s: %r, %d answer(s), %s" % (
                    what, got.split(b"\r\n", 1)[0], answers,
                    "closed" if closed else "left open"))
                self.assertTrue(got.startswith(b"HTTP/1.1 400"), got[:80])
                self.assertEqual(answers, 1, got)
                self.assertIn(b"Connection: close", got.split(b"\r\n\r\n")[0])
                self.assertTrue(closed)

    def test_identical_content_length_twice_is_one_body(self):
        # RFC 9112 6.3 lets a recipient take repeated identical values as
        # one; it is a body all the same, refused as any body is.
        req = (b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
               b"Content-Length: 5\r\n\r\nhello")
        got, closed = exchange(self.d.port, req)
        self.assertTrue(got.startswith(b"HTTP/1.1 413"), got[:80])
        self.assertTrue(closed)

    def test_plain_requests_still_keep_alive(self):
        # Content-Length: 0 once, and a header with an odd but legal name.
        req = (b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
               b"X-A.b_c~!: 1\r\n\r\nGET /live HTTP/1.1\r\nHost: x\r\n"
               b"Connection: close\r\n\r\n")
        got, closed = exchange(self.d.port, req)
        self.assertEqual(got.count(b"HTTP/1.1 200"), 2, got)

    def test_nothing_smuggled_reached_the_router(self):
        # After every case above, /nope was never answered.
        for what, fields in CASES:
            exchange(self.d.port, b"GET /health HTTP/1.1\r\nHost: x\r\n" +
                     fields + b"\r\n" + INNER)
        _, _, body = self.d.get("/metrics")
        # Its series are there from the start, at 0.
        self.assertNotRegex(body.decode(), r'path="other".* [1-9]')
