"""slowhttptest (Debian's package) against the real daemon on loopback:
slowloris (-H), slow body (-B), slow read (-X) and the range attack (-R),
400 connections each from 127.0.0.1, while a load balancer's prober polls
/health from 127.0.0.2. The prober must be served every time, quickly; the
daemon's memory and open files stay within what README's limits promise;
when the attack ends, its connections are gone within the timeouts."""

import os
import shutil
import subprocess
import threading
import time
import unittest

from harness import Daemon, fds, rss_kib

UNDER_TOOL = bool(os.environ.get("HEALTHGATE_WRAP") or
                  os.environ.get("HEALTHGATE_SANITIZED"))
SECONDS = int(os.environ.get("ATTACK_SLOW_SECONDS", "8"))
CONNS = 400
# BENCHMARKS.md: about 2.6 KiB a connection at --conn-memory 2048; 4 KiB
# leaves room for the allocator (the same bound as test_admission.py).
KIB_PER_CONN = 4


class Prober(threading.Thread):
    """GET /health on a new connection every 50 ms from 127.0.0.2, timed;
    also samples the daemon's RSS and fds as it goes."""

    def __init__(self, d):
        super().__init__(daemon=True)
        self.d = d
        self.ok, self.failed, self.times = 0, [], []
        self.max_rss = self.max_fds = 0
        self._halt = threading.Event()

    def run(self):
        pid = self.d.proc.pid
        while not self._halt.is_set():
            t0 = time.monotonic()
            try:
                status = self.d.get("/health", source="127.0.0.2",
                                    timeout=1.0)[0]
                if status == 200:
                    self.ok += 1
                else:
                    self.failed.append(status)
            except OSError as e:
                self.failed.append(type(e).__name__)
            self.times.append(time.monotonic() - t0)
            try:
                self.max_rss = max(self.max_rss, rss_kib(pid))
                self.max_fds = max(self.max_fds, fds(pid))
            except OSError:
                return
            self._halt.wait(0.05)

    def stop(self):
        self._halt.set()
        self.join(3)

    def p99(self):
        t = sorted(self.times)
        return t[int(len(t) * 0.99)] if t else 0.0


@unittest.skipIf(shutil.which("slowhttptest") is None,
                 "slowhttptest not installed (scripts/deps.sh)")
class SlowHttp(unittest.TestCase):

    def attack(self, mode, path, flags=(), extra=()):
        """One slowhttptest run against a fresh daemon: the prober's
        outcome, and the daemon's figures."""
        with Daemon(*flags) as d:
            pid = d.proc.pid
            # The prober is known (it served /health) before the attack.
            self.assertEqual(d.get("/health", source="127.0.0.2")[0], 200)
            fd0, rss0 = fds(pid), rss_kib(pid)
            p = Prober(d)
            p.start()
            cmd = ["slowhttptest", mode, "-c", str(CONNS), "-r", "200",
                   "-i", "1", "-l", str(SECONDS), "-p", "2",
                   "-u", "http://127.0.0.1:%d%s" % (d.port, path)] + \
                list(extra)
            r = subprocess.run(cmd, capture_output=True, text=True,
                               timeout=SECONDS + 60)
            p.stop()
            # The attack's connections go within the request (5 s) or idle
            # (10 s) timeout; slowhttptest closes its own when it ends.
            gone = None
            t0 = time.monotonic()
            while time.monotonic() - t0 < 12:
                if fds(pid) <= fd0:
                    gone = time.monotonic() - t0
                    break
                time.sleep(0.1)
            self.assertIsNone(d.proc.poll(), d.log())
            t1 = time.monotonic()
            self.assertEqual(d.get("/health")[0], 200)
            after = time.monotonic() - t1
            tail = [l for l in r.stdout.splitlines() if l.strip()][-8:]
            admissions = [l for l in d.lines if " admission " in l]
            print("\n  slowhttptest %s %s: %s\n  prober 127.0.0.2: %d/%d "
                  "answered 200, p99 %.1f ms, max %.1f ms; daemon RSS %d -> "
                  "max %d KiB, fds %d -> max %d, back in %s s; /health after "
                  "%.1f ms\n  %s"
                  % (mode, path, " ".join(tail[-3:]), p.ok,
                     p.ok + len(p.failed), p.p99() * 1000,
                     max(p.times or [0]) * 1000, rss0, p.max_rss, fd0,
                     p.max_fds, "%.1f" % gone if gone is not None else "never",
                     after * 1000, admissions[:2]))
            self.assertGreater(p.ok, 20, "prober barely ran")
            self.assertEqual(p.failed, [], "prober failed")
            self.assertIsNotNone(gone, "attack's connections stayed")
            if not UNDER_TOOL:
                self.assertLess(p.p99(), 0.050)
                self.assertLess(after, 0.050)
            return d, p, rss0, fd0

    def bounded(self, p, rss0, fd0, conns):
        """README: --max-connections bounds memory, ~2.6 KiB each, and the
        open-file limit fits the table (plus MHD's headroom)."""
        if not UNDER_TOOL:
            self.assertLess(p.max_rss, rss0 + conns * KIB_PER_CONN + 1024)
        self.assertLess(p.max_fds, fd0 + conns * 2 + 16)

    # One address holding the table: --max-connections-per-ip high and a
    # small table, so eviction (not the per-address limit) is what keeps
    # the prober served. The attack asks for /live, so 127.0.0.1 never
    # becomes a known prober, whose connections are not evicted.
    SMALL = ("--max-connections", "100", "--max-connections-per-ip", "1000")

    def test_slowloris_fills_the_table_prober_still_served(self):
        _, p, rss0, fd0 = self.attack("-H", "/live", self.SMALL)
        self.bounded(p, rss0, fd0, 100)

    def test_slow_body_is_refused_and_prober_served(self):
        _, p, rss0, fd0 = self.attack("-B", "/live", self.SMALL,
                                      ["-s", "8192"])
        self.bounded(p, rss0, fd0, 100)

    def test_slow_read_of_metrics_prober_served(self):
        # Keep-alive repeats of /metrics read a byte at a time, a window of
        # 32 bytes: the answers sit in the daemon's send buffers.
        _, p, rss0, fd0 = self.attack("-X", "/metrics", self.SMALL,
                                      ["-k", "3", "-n", "1", "-w", "32",
                                       "-y", "64", "-z", "1"])
        self.bounded(p, rss0, fd0, 100)

    def test_range_attack_prober_served(self):
        _, p, rss0, fd0 = self.attack("-R", "/live", self.SMALL,
                                      ["-a", "10", "-b", "3000"])
        self.bounded(p, rss0, fd0, 100)

    def test_slowloris_on_health_at_the_defaults(self):
        # The attacker fetches /health itself, so 127.0.0.1 is a known
        # prober and never evicted: what bounds it is the per-address limit
        # (README, "One limit to know"), 32 of its 400.
        d, p, rss0, fd0 = self.attack("-H", "/health")
        self.bounded(p, rss0, fd0, 32)
        self.assertLess(p.max_fds, fd0 + 32 + 16)


if __name__ == "__main__":
    unittest.main()
