"""The sweep of slow request heads under wall-clock steps, for real: the
daemon runs under libfaketime with its monotonic clock left alone
(DONT_FAKE_MONOTONIC=1), and the test rewrites the timestamp file that
libfaketime reads at every call. A slow head must still be cut at its
timeout, and a healthy one must not be cut early: the sweep measures on
CLOCK_MONOTONIC. Each test prints what it held."""

import glob
import os
import socket
import tempfile
import time
import unittest

from harness import Daemon

LIB = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))
FLAGS = ["--request-timeout", "2s", "--idle-timeout", "2s"]


@unittest.skipUnless(LIB, "libfaketime not installed (scripts/deps.sh)")
class SweepUnderWallClockSteps(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.ts = os.path.join(self.tmp.name, "faketime")
        self.step("+0")
        env = {"LD_PRELOAD": LIB[0], "FAKETIME_TIMESTAMP_FILE": self.ts,
               "FAKETIME_NO_CACHE": "1", "DONT_FAKE_MONOTONIC": "1"}
        self.d = Daemon(*FLAGS, env=env)

    def tearDown(self):
        self.d.kill()
        self.tmp.cleanup()

    def step(self, offset):
        with open(self.ts + ".new", "w") as f:
            f.write(offset + "\n")
        os.rename(self.ts + ".new", self.ts)

    def half_head(self):
        s = socket.create_connection(("127.0.0.1", self.d.port), 5)
        s.sendall(b"GET /health HTTP/1.1\r\nHo")
        return s

    def closed_after(self, s, limit):
        """Seconds until the daemon closes s, or None within limit."""
        t0 = time.monotonic()
        s.settimeout(limit)
        try:
            while s.recv(4096):
                pass
        except socket.timeout:
            return None
        except OSError:
            pass
        return time.monotonic() - t0

    def test_slow_head_is_still_cut_at_its_timeout(self):
        for offset in ("-1h", "+1h"):
            with self.subTest(step=offset):
                self.step("+0")
                s = self.half_head()
                t0 = time.monotonic()
                time.sleep(0.3)
                self.step(offset)
                closed = self.closed_after(s, 5)
                took = time.monotonic() - t0
                s.close()
                print("\n  wall step %s 0.3 s into a slow head: %s "
                      "(timeout 2 s)" % (offset, "cut after %.2f s" % took
                                         if closed is not None else
                                         "not cut in 5 s"))
                self.assertIsNotNone(closed, "slow head never cut")
                self.assertGreater(took, 1.9)
                self.assertLess(took, 2.9)   # timeout + one sweep period + slack

    def test_healthy_head_is_not_cut_early(self):
        for offset in ("+1h", "-1h"):
            with self.subTest(step=offset):
                self.step("+0")
                s = self.half_head()
                time.sleep(0.3)
                self.step(offset)
                # The sweep runs every 0.5 s: two rounds before the rest.
                time.sleep(1.2)
                s.sendall(b"st: x\r\n\r\n")
                s.settimeout(3)
                try:
                    reply = s.recv(4096)
                except OSError as e:
                    reply = repr(e).encode()
                s.close()
                print("\n  wall step %s 0.3 s into a head finished at 1.5 s:"
                      " %r" % (offset, reply.split(b"\r\n", 1)[0]))
                self.assertTrue(reply.startswith(b"HTTP/1.1 200"), reply)

    def test_idle_keep_alive_is_not_cut_early(self):
        s = socket.create_connection(("127.0.0.1", self.d.port), 5)
        s.sendall(b"GET /live HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 200"))
        self.step("+1h")
        time.sleep(1.2)
        s.sendall(b"GET /live HTTP/1.1\r\nHost: x\r\n\r\n")
        s.settimeout(3)
        try:
            reply = s.recv(4096)
        except OSError as e:
            reply = repr(e).encode()
        s.close()
        print("\n  wall step +1h on an idle keep-alive connection, next "
              "request at 1.2 s: %r" % reply.split(b"\r\n", 1)[0])
        self.assertTrue(reply.startswith(b"HTTP/1.1 200"), reply)
