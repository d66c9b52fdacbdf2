"""SIGHUP, as a closed terminal or a stray kill -HUP sends it: logged, and
/health keeps answering (it is not a reload)."""

import signal
import time
import unittest

from harness import Daemon, SIGTERM


class Hangup(unittest.TestCase):

    def test_sighup_is_logged_and_health_keeps_answering(self):
        with Daemon() as d:
            self.assertEqual(d.get("/health")[0], 200)
            for _ in range(3):
                d.signal(signal.SIGHUP)
                time.sleep(0.1)
            self.assertIsNone(d.proc.poll(), d.log())
            self.assertEqual(d.get("/health")[0], 200)
            self.assertIsNotNone(d.wait_log(r"sighup action=ignored"),
                                 d.log())
            self.assertEqual(d.log().count("sighup action=ignored"), 3)
            # Still drains and exits as usual afterwards.
            d.signal(SIGTERM)
            self.assertEqual(d.wait(5), 0, d.log())

    def test_sighup_during_a_drain_does_not_end_it(self):
        with Daemon("--drain-ignore", "none", "--drain-window", "1s",
                    "--drain-fall", "50", "--drain-timeout", "2s") as d:
            self.assertEqual(d.get("/health", source="127.0.0.2")[0], 200)
            d.signal(SIGTERM)
            self.assertIsNotNone(d.wait_log(r"drain_start"))
            d.signal(signal.SIGHUP)
            time.sleep(0.3)
            self.assertIsNone(d.proc.poll(), d.log())
            self.assertEqual(d.get("/health", source="127.0.0.2")[0], 503)
            self.assertEqual(d.wait(5), 0)
            self.assertIsNone(d.wait_log(r"drain_abort", timeout=0.1))


if __name__ == "__main__":
    unittest.main()
