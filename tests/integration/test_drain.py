"""The drain, with real signals and a real prober on its own loopback
address: 503s instead of refusals, and an exit as soon as it is safe."""

import json
import socket
import time
import unittest

from harness import (BINARY, Daemon, Prober, SIGINT, SIGTERM, SIGUSR1, SIGUSR2,
                     wait_until)

FAST = ["--drain-fall", "2", "--drain-window", "1s", "--drain-ignore",
        "none", "--drain-timeout", "3s"]
# The same, with a prober that can never see enough 503s: only the cap ends.
NEVER = ["--drain-fall", "50"] + FAST[2:]


def polling(test, d, source="127.0.0.2", period=0.2, n=2):
    """A Prober on source, started, once it has been answered n times."""
    p = Prober(d, source, period=period)
    p.start()
    test.assertTrue(wait_until(lambda: len(p.results) >= n, 3), p.results)
    return p


class Drain(unittest.TestCase):

    def test_prober_sees_503s_and_daemon_exits_on_evidence(self):
        with Daemon(*FAST) as d:
            p = polling(self, d, n=3)
            t0 = time.monotonic()
            d.signal(SIGTERM)
            rc = d.wait(5)
            took = time.monotonic() - t0
            p.stop()
            self.assertEqual(rc, 0, d.log())
            self.assertLess(took, 2.0, "should end on evidence, not the cap")
            after = p.results[p.results.index(503):]
            self.assertGreaterEqual(after.count(503), 2)
            # Every answer before exit was a clean 200 or 503: no refusal
            # while the daemon still ran (only the very last may fail).
            self.assertNotIn("ConnectionRefusedError", after[:-1], p.results)
            self.assertIsNotNone(d.wait_log(r"drain_end reason=evidence "
                                            r"watched=1 served=1"), d.log())
            self.assertIsNotNone(d.wait_log(r"prober_done addr=127\.0\.0\.2"))

    def test_drain_fall_50_exits_at_the_cap(self):
        with Daemon(*NEVER) as d:
            p = polling(self, d)
            t0 = time.monotonic()
            d.signal(SIGTERM)
            rc = d.wait(8)
            took = time.monotonic() - t0
            p.stop()
            self.assertEqual(rc, 0)
            self.assertGreater(took, 2.8)
            self.assertLess(took, 4.5)
            self.assertIsNotNone(d.wait_log(r"drain_capped reason=cap"))

    def test_no_prober_exits_at_once(self):
        with Daemon(*FAST) as d:
            t0 = time.monotonic()
            d.signal(SIGTERM)
            rc = d.wait(3)
            self.assertEqual(rc, 0)
            self.assertLess(time.monotonic() - t0, 0.5)
            self.assertIsNotNone(d.wait_log(r"drain_end reason=idle"))

    def test_loopback_prober_is_watched_by_default(self):
        # A load balancer on the same host probes from loopback: with the
        # defaults it holds the drain until it has seen its 503s.
        with Daemon("--drain-timeout", "3s") as d:
            p = polling(self, d, "127.0.0.1", period=0.1)
            d.signal(SIGTERM)
            rc = d.wait(3)
            p.stop()
            self.assertEqual(rc, 0)
            self.assertIsNotNone(d.wait_log(r"drain_end reason=evidence "
                                            r"watched=1 served=1"), d.log())
            after = p.results[p.results.index(503):]
            self.assertGreaterEqual(after.count(503), 2, p.results)
            self.assertIsNone(d.wait_log("drain_ignoring", timeout=0))

    def test_healthgate_probe_never_counts(self):
        # A container's own health check (healthgate probe, even of
        # /health) is not a load balancer: the drain does not wait for it.
        import subprocess
        with Daemon("--drain-timeout", "3s") as d:
            for _ in range(2):
                r = subprocess.run([BINARY, "probe", d.url()],
                                   capture_output=True, timeout=5)
                self.assertEqual(r.returncode, 0, r.stderr)
            t0 = time.monotonic()
            d.signal(SIGTERM)
            self.assertEqual(d.wait(3), 0)
            self.assertLess(time.monotonic() - t0, 0.5)
            self.assertIsNotNone(d.wait_log(r"drain_end reason=idle"))

    def test_ignored_prober_is_named_at_warning_level(self):
        with Daemon("--drain-ignore", "127.0.0.0/8", "--drain-timeout",
                    "3s") as d:
            p = polling(self, d, "127.0.0.5", period=0.1)
            d.signal(SIGTERM)
            self.assertEqual(d.wait(3), 0)
            p.stop()
            self.assertIsNotNone(d.wait_log(
                r"warn drain_ignoring sources=127\.0\.0\.5 "), d.log())
            self.assertIsNotNone(d.wait_log(r"drain_end reason=idle"))

    def test_ignore_list_narrower_than_loopback(self):
        with Daemon("--drain-ignore", "127.0.0.1/32", "--drain-window", "1s",
                    "--drain-timeout", "3s") as d:
            ignored = Prober(d, "127.0.0.1", period=0.1)
            watched = Prober(d, "127.0.0.3", period=0.1)
            ignored.start()
            watched.start()
            self.assertTrue(wait_until(lambda: len(watched.results) >= 2, 3))
            d.signal(SIGTERM)
            self.assertEqual(d.wait(5), 0)
            ignored.stop()
            watched.stop()
            self.assertIsNotNone(d.wait_log(r"drain_start .*watched=1 "))

    def test_silent_prober_ends_drain_after_window(self):
        with Daemon(*FAST) as d:
            p = polling(self, d, period=0.1)
            p.stop()
            t0 = time.monotonic()
            d.signal(SIGTERM)
            rc = d.wait(5)
            took = time.monotonic() - t0
            self.assertEqual(rc, 0)
            self.assertLess(took, 1.5)
            self.assertIsNotNone(d.wait_log(r"drain_end reason=silence"))

    def test_second_signal_exits_at_once(self):
        with Daemon(*NEVER) as d:
            p = polling(self, d)
            d.signal(SIGTERM)
            time.sleep(0.3)
            self.assertIsNone(d.proc.poll())
            t0 = time.monotonic()
            d.signal(SIGINT)
            rc = d.wait(3)
            p.stop()
            self.assertEqual(rc, 0)
            self.assertLess(time.monotonic() - t0, 0.5)
            self.assertIsNotNone(d.wait_log(r"drain_abort signal=SIGINT"))

    def test_while_draining_live_200_health_503_and_connection_close(self):
        with Daemon(*NEVER) as d:
            p = polling(self, d)
            d.signal(SIGTERM)
            self.assertIsNotNone(d.wait_log("drain_start"))
            status, headers, body = d.get("/health")
            self.assertEqual(status, 503)
            self.assertEqual(json.loads(body),
                             {"status": "fail", "notes": ["draining"]})
            self.assertEqual(headers.get("connection"), "close")
            status, headers, _ = d.get("/live")
            self.assertEqual(status, 200)
            self.assertEqual(headers.get("connection"), "close")
            status, _, body = d.get("/metrics")
            self.assertIn(b"healthgate_draining 1", body)
            self.assertIn(b"healthgate_drain_watched_probers 1", body)
            p.stop()

    def test_idle_keepalive_connection_is_let_go(self):
        with Daemon(*NEVER) as d:
            p = polling(self, d)
            s = socket.create_connection(("127.0.0.1", d.port), 2)
            s.sendall(b"GET /live HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 200"))
            d.signal(SIGTERM)
            self.assertIsNotNone(d.wait_log("drain_start"))
            s.settimeout(2.5)
            t0 = time.monotonic()
            self.assertEqual(s.recv(100), b"")      # closed by the server
            self.assertLess(time.monotonic() - t0, 2.5)
            s.close()
            p.stop()


class Maintenance(unittest.TestCase):

    def test_sigusr1_enters_and_sigusr2_leaves(self):
        with Daemon() as d:
            d.signal(SIGUSR1)
            self.assertIsNotNone(d.wait_log("maintenance_on"))
            status, body = d.health()
            self.assertEqual(status, 503)
            self.assertEqual(body["notes"], ["maintenance"])
            self.assertEqual(d.get("/live")[0], 200)
            d.signal(SIGUSR2)
            self.assertIsNotNone(d.wait_log("maintenance_off"))
            self.assertEqual(d.health()[0], 200)
            self.assertIsNone(d.proc.poll())


if __name__ == "__main__":
    unittest.main()
