"""exec checks against commands nobody on the project wrote: ones that
write far more than is kept (`head -c 100M`, `dd`), one that never stops
writing (`yes`), and what the logs say of a check's first verdict."""

import os
import tempfile
import time
import unittest

from harness import Daemon, wait_until


def status(d):
    return d.get("/health")[0]


class ChattyCommands(unittest.TestCase):

    def test_head_100_megabytes_of_zeros_is_up(self):
        with Daemon("--interval", "3s", "--timeout", "2s", "--check",
                    "zeros=exec:head -c 100000000 /dev/zero") as d:
            self.assertIsNotNone(wait_until(lambda: status(d) == 200, 4),
                                 d.log() + str(d.health()))
            self.assertIsNotNone(d.wait_log(r"check_up name=zeros"))
            self.assertNotIn("Resource temporarily unavailable", d.log())

    def test_dd_in_megabyte_blocks_is_up(self):
        with Daemon("--interval", "3s", "--timeout", "2s", "--check",
                    "dd=exec:dd if=/dev/zero bs=1M count=64") as d:
            self.assertIsNotNone(wait_until(lambda: status(d) == 200, 4),
                                 d.log() + str(d.health()))

    def test_yes_is_bounded_by_its_timeout_and_health_stays_fast(self):
        with Daemon("--interval", "1s", "--timeout", "500ms", "--check",
                    "yes=exec:yes") as d:
            self.assertIsNotNone(d.wait_log(
                r'check_down name=yes result=timeout reason="timeout '
                r'after 500 ms', timeout=3), d.log())
            worst = 0.0
            deadline = time.monotonic() + 1.5
            while time.monotonic() < deadline:
                t0 = time.monotonic()
                self.assertEqual(status(d), 503)
                worst = max(worst, time.monotonic() - t0)
                time.sleep(0.05)
            self.assertLess(worst, 0.25, "the loop was held by yes' output")
            body = d.health()[1]["checks"]["yes:responseTime"][0]
            self.assertTrue(body["output"].startswith(
                "timeout after 500 ms: y\ny\ny"), body)
            self.assertNotIn("Resource temporarily unavailable", d.log())


class FirstVerdict(unittest.TestCase):

    def test_a_check_down_from_its_first_run_is_logged_once(self):
        with tempfile.NamedTemporaryFile("w", suffix=".sh",
                                         delete=False) as f:
            f.write('#!/bin/sh\necho "replica \\"db2\\" lag 42s" >&2\n'
                    "echo second line\nexit 3\n")
        os.chmod(f.name, 0o755)
        try:
            with Daemon("--interval", "200ms", "--timeout", "150ms",
                        "--check", "lag=exec:%s" % f.name) as d:
                line = d.wait_log(r"check_down name=lag", timeout=3)
                self.assertIsNotNone(line, d.log())
                self.assertIn("result=exit", line)
                self.assertIn(r'reason="exit status 3: replica \"db2\" '
                              r'lag 42s\nsecond line"', line)
                time.sleep(1.0)          # four more failed runs
                self.assertEqual(d.log().count("check_down name=lag"), 1,
                                 d.log())
        finally:
            os.unlink(f.name)

    def test_a_check_up_from_its_first_run_is_logged_once(self):
        with Daemon("--interval", "200ms", "--timeout", "150ms",
                    "--check", "ok=exec:/bin/true") as d:
            self.assertIsNotNone(d.wait_log(r"check_up name=ok", timeout=3))
            time.sleep(0.6)
            self.assertEqual(d.log().count("check_up name=ok"), 1)
            self.assertNotIn("check_down name=ok", d.log())

    def test_an_http_check_down_from_the_start_is_logged(self):
        with Daemon("--interval", "200ms", "--timeout", "150ms",
                    "--check", "app=tcp://127.0.0.1:1") as d:
            line = d.wait_log(r"check_down name=app", timeout=3)
            self.assertIsNotNone(line, d.log())
            self.assertIn("result=refused", line)


if __name__ == "__main__":
    unittest.main()
