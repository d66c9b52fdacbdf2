"""Wall-clock steps in the middle of a drain, for real: the daemon runs
under libfaketime with its monotonic clock left alone
(DONT_FAKE_MONOTONIC=1), and the test rewrites the timestamp file that
libfaketime reads at every call. A drain must end for the same reason at
the same time as without the step: every duration is CLOCK_MONOTONIC."""

import glob
import os
import tempfile
import time
import unittest

from harness import Daemon, Prober, SIGTERM, wait_until

LIB = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))
# A prober that can never see 50 503s: only the 3 s cap ends the drain.
CAP = ["--drain-fall", "50", "--drain-window", "1s", "--drain-ignore",
       "none", "--drain-timeout", "3s"]
# A prober that sees 2 503s ends the drain on evidence, well before the cap.
EVIDENCE = ["--drain-fall", "2", "--drain-window", "1s", "--drain-ignore",
            "none", "--drain-timeout", "3s"]


@unittest.skipUnless(LIB, "libfaketime not installed (scripts/deps.sh)")
class WallClockStep(unittest.TestCase):

    def drain(self, flags, step):
        """Runs one drain with a prober on 127.0.0.2; the wall clock steps
        by `step` (libfaketime's "+1h", "-30s"; None: no step) 0.3 s into
        the drain. Returns (seconds from SIGTERM to exit, the end line)."""
        with tempfile.TemporaryDirectory() as tmp:
            ts = os.path.join(tmp, "faketime")
            with open(ts, "w") as f:
                f.write("+0\n")
            env = {"LD_PRELOAD": LIB[0], "FAKETIME_TIMESTAMP_FILE": ts,
                   "FAKETIME_NO_CACHE": "1", "DONT_FAKE_MONOTONIC": "1"}
            with Daemon(*flags, env=env) as d:
                p = Prober(d, "127.0.0.2", period=0.2)
                p.start()
                self.assertTrue(wait_until(lambda: len(p.results) >= 2, 3),
                                p.results)
                t0 = time.monotonic()
                d.signal(SIGTERM)
                time.sleep(0.3)
                if step is not None:
                    with open(ts + ".new", "w") as f:
                        f.write(step + "\n")
                    os.rename(ts + ".new", ts)
                rc = d.wait(10)
                took = time.monotonic() - t0
                p.stop()
                self.assertEqual(rc, 0, d.log())
                end = d.wait_log(r"drain_(end|capped) reason=", timeout=1)
                self.assertIsNotNone(end, d.log())
                return took, end.split(" ", 2)[2]

    def reason(self, line):
        return line.split()[0]

    def test_cap_is_three_seconds_whatever_the_wall_clock_does(self):
        took, end = self.drain(CAP, None)
        self.assertEqual(self.reason(end), "drain_capped", end)
        self.assertIn("reason=cap", end)
        for step in ("+1h", "-30s", "-1h"):
            with self.subTest(step=step):
                t, e = self.drain(CAP, step)
                self.assertEqual(self.reason(e), "drain_capped", e)
                self.assertIn("reason=cap", e)
                self.assertLess(abs(t - took), 0.7,
                                "step %s: %.2f s, without a step %.2f s"
                                % (step, t, took))

    def test_evidence_still_ends_it_after_a_step(self):
        took, end = self.drain(EVIDENCE, None)
        self.assertIn("reason=evidence", end)
        for step in ("+1h", "-1h"):
            with self.subTest(step=step):
                t, e = self.drain(EVIDENCE, step)
                self.assertIn("reason=evidence", e)
                self.assertIn("served=1", e)
                self.assertLess(abs(t - took), 0.7,
                                "step %s: %.2f s, without a step %.2f s"
                                % (step, t, took))


if __name__ == "__main__":
    unittest.main()
