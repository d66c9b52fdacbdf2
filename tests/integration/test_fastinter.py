"""?fastinter=D and the jitter of every interval, measured on the real
binary: the times a real HTTP server on loopback (the harness's
Upstream) sees the check's requests arrive."""

import os
import statistics
import sys
import time
import unittest

from harness import Daemon, Upstream, wait_until

JITTER = 0.10           # each gap is 90-110 % of its interval
# Under valgrind the daemon's timers run late by more than the jitter it
# measures; the spread is a property of the scheduler, checked without it.
UNDER_TOOL = bool(os.environ.get("HEALTHGATE_WRAP"))
SLACK = 0.06            # the loop's and the upstream's own delays


def report(*a):
    print("    measured:", *a, file=sys.stderr)


class Fastinter(unittest.TestCase):

    def test_fall_3_confirms_in_about_interval_plus_2_fastinter(self):
        iv, fi = 1.0, 0.15
        with Upstream() as app, Daemon(
                "--check", "app=http://127.0.0.1:%d/?interval=1s&"
                "timeout=100ms&fall=3&fastinter=150ms" % app.port) as d:
            self.assertIsNotNone(wait_until(lambda: d.health()[0] == 200,
                                            3), d.log())
            time.sleep(0.3)         # somewhere inside an interval
            t0 = time.monotonic()
            app.mode = 500
            took = wait_until(lambda: d.health()[0] == 503, 5, step=0.005)
            self.assertIsNotNone(took, d.log())
            down = t0 + took
            runs = [t for t, _ in app.times if t >= t0]
            self.assertGreaterEqual(len(runs), 3, runs)
            r1, r2, r3 = runs[:3]
            report("first failing run %.3f s after the failure, then "
                   "%.3f s and %.3f s apart (fastinter %.3f); 503 %.3f s "
                   "after the failure, %.3f s after the third run" %
                   (r1 - t0, r2 - r1, r3 - r2, fi, down - t0, down - r3))
            # The first failing run: within one interval (jittered).
            self.assertLess(r1 - t0, iv * (1 + JITTER) + SLACK)
            # The next two: fastinter apart, not the interval.
            for gap in (r2 - r1, r3 - r2):
                self.assertGreater(gap, fi * (1 - JITTER) - 0.01)
                self.assertLess(gap, fi * (1 + JITTER) + SLACK)
            # Confirmed after the third: interval + 2 x fastinter at most.
            self.assertLess(down - t0, (iv + 2 * fi) * (1 + JITTER) +
                            2 * SLACK)
            # Down and settled: back to the interval.
            time.sleep(1.5)
            later = [t for t, _ in app.times if t > r3 + 0.05]
            self.assertTrue(later, app.times)
            gaps = [b - a for a, b in zip([r3] + later, later)]
            self.assertGreater(min(gaps), iv * (1 - JITTER) - 0.02, gaps)

    def test_rise_uses_fastinter_too(self):
        with Upstream() as app, Daemon(
                "--check", "app=http://127.0.0.1:%d/?interval=1s&"
                "timeout=100ms&rise=3&fastinter=100ms" % app.port) as d:
            # Starts down: three passes 100 ms apart make it up.
            took = wait_until(lambda: d.health()[0] == 200, 3, step=0.005)
            self.assertIsNotNone(took, d.log())
            report("rise 3 from the start: up after %.3f s" % took)
            self.assertLess(took, 0.1 * 2 * (1 + JITTER) + 0.3)


@unittest.skipIf(UNDER_TOOL, "timing statistics, not memory: without valgrind")
class Jitter(unittest.TestCase):

    def test_jitter_spreads_50_checks_started_together(self):
        """50 checks with the same interval start together (10 ms apart).
        Without jitter each would run at its first start + k intervals, in
        lockstep with the others for ever; with it, each gap is 90-110 % of
        the interval and the checks drift apart."""
        iv, n = 0.3, 50
        with Upstream() as app:
            checks = []
            for i in range(n):
                checks += ["--check", "c%d=http://127.0.0.1:%d/c%d?"
                           "interval=300ms&timeout=200ms" % (i, app.port, i)]
            with Daemon(*checks) as d:
                time.sleep(4.5)
                self.assertIsNone(d.proc.poll())
        starts = {}
        for t, path in app.times:
            starts.setdefault(path, []).append(t)
        self.assertEqual(len(starts), n)
        gaps, drift = [], []
        for path, ts in starts.items():
            self.assertGreaterEqual(len(ts), 9, (path, ts))
            gaps += [b - a for a, b in zip(ts, ts[1:])]
            drift.append(ts[8] - ts[0] - 8 * iv)
        below = sum(g < iv * 0.97 for g in gaps) / len(gaps)
        above = sum(g > iv * 1.03 for g in gaps) / len(gaps)
        spread = statistics.pstdev(drift)
        report("%d gaps: %.3f-%.3f s, %.0f %% below 97 %% of the interval, "
               "%.0f %% above 103 %%; after 8 runs the checks' offsets "
               "have a standard deviation of %.1f ms (lockstep: 0)" %
               (len(gaps), min(gaps), max(gaps), 100 * below, 100 * above,
                1000 * spread))
        # Never much below 90 % (a late request makes its next gap short:
        # the bound itself is test_checks.c's, on a fake clock).
        self.assertGreater(sorted(gaps)[len(gaps) // 50],
                           iv * (1 - JITTER) - 0.02)
        # Uniform in 90-110 %: about 35 % of gaps on each side of +-3 %.
        self.assertGreater(below, 0.15)
        self.assertGreater(above, 0.15)
        # A random walk of 8 steps of +-10 %: sqrt(8) * 0.3 s * 5.8 % = 49 ms.
        self.assertGreater(spread, 0.025)


if __name__ == "__main__":
    unittest.main()
