"""Upstream checks against real upstreams on loopback: an HTTP app the test
steers, TCP listeners that come and go, and commands that pass, fail,
hang and fork."""

import os
import re
import socket
import tempfile
import time
import unittest

from harness import (SIGTERM, Daemon, Upstream, children, free_port,
                     procs_with, wait_until)

FAST = ["--interval", "200ms", "--timeout", "100ms", "--rise", "2",
        "--fall", "2"]


def status(d):
    return d.get("/health")[0]


class HttpCheck(unittest.TestCase):

    def test_rise_fall_and_recovery_follow_the_app(self):
        with Upstream() as app, Daemon(
                *FAST, "--check",
                "app=http://127.0.0.1:%d/healthz" % app.port) as d:
            # Starts down; up after rise (2) passes: about 0.2 s.
            took = wait_until(lambda: status(d) == 200, 3)
            self.assertIsNotNone(took, d.log())
            self.assertLess(took, 0.2 * 2 + 0.3)
            app.mode = 500
            took = wait_until(lambda: status(d) == 503, 3)
            self.assertIsNotNone(took)
            self.assertLess(took, 0.2 * 2 + 0.1 + 0.3)
            st, body = d.health()
            check = body["checks"]["app:responseTime"][0]
            self.assertEqual(check["status"], "fail")
            self.assertIn("status 500", check["output"])
            self.assertEqual(check["observedUnit"], "ms")
            app.mode = 200
            self.assertIsNotNone(wait_until(lambda: status(d) == 200, 3))
            self.assertIsNotNone(d.wait_log(r"check_down name=app "
                                            r"result=status"))
            self.assertIsNotNone(d.wait_log(r"check_up name=app"))
            # Transitions are logged once each, not every run. (A first
            # run that failed, as under valgrind, is logged before the
            # check_up as its first verdict: count from the check_up on.)
            log = d.log()
            after = log[log.index("check_up name=app"):]
            self.assertEqual(after.count("check_down name=app"), 1, log)

    def test_hanging_app_never_slows_health(self):
        with Upstream() as app, Daemon(
                *FAST, "--check",
                "app=http://127.0.0.1:%d/" % app.port) as d:
            self.assertIsNotNone(wait_until(lambda: status(d) == 200, 3))
            app.mode = "hang"
            worst = 0.0
            deadline = time.monotonic() + 1.5
            while time.monotonic() < deadline:
                t0 = time.monotonic()
                st, _, _ = d.get("/health")
                worst = max(worst, time.monotonic() - t0)
            self.assertLess(worst, 0.05, "a /health answer waited")
            st, body = d.health()
            self.assertEqual(st, 503)
            self.assertIn("timeout after 100 ms",
                          body["checks"]["app:responseTime"][0]["output"])

    def test_app_gone_or_closing_is_down(self):
        port = free_port()
        with Daemon(*FAST, "--check", "gone=http://127.0.0.1:%d/" % port) as d:
            self.assertIsNotNone(d.wait_log("check_up|check_down", 0.1) or
                                 wait_until(lambda: "refused" in str(
                                     d.health()[1]), 3))
            st, body = d.health()
            self.assertEqual(st, 503)
            self.assertIn("Connection refused",
                          body["checks"]["gone:responseTime"][0]["output"])
        with Upstream() as app, Daemon(
                *FAST, "--check", "c=http://127.0.0.1:%d/" % app.port) as d:
            app.mode = "close"
            self.assertIsNotNone(wait_until(lambda: "closed without" in str(
                d.health()[1]), 3), d.log())
            self.assertEqual(status(d), 503)

    def test_expect_range(self):
        with Upstream() as app, Daemon(
                *FAST, "--check",
                "r=http://127.0.0.1:%d/?expect=200-399" % app.port) as d:
            app.mode = 302
            self.assertIsNotNone(wait_until(lambda: status(d) == 200, 3))
            app.mode = 404
            self.assertIsNotNone(wait_until(lambda: status(d) == 503, 3))


class TcpCheck(unittest.TestCase):

    def test_listener_that_comes_and_goes(self):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        s.listen(64)
        port = s.getsockname()[1]
        with Daemon(*FAST, "--check", "tcp://127.0.0.1:%d" % port) as d:
            self.assertIsNotNone(wait_until(lambda: status(d) == 200, 3))
            s.close()
            self.assertIsNotNone(wait_until(lambda: status(d) == 503, 3))
            st, body = d.health()
            out = body["checks"]["tcp-127.0.0.1-%d:responseTime" % port][0]
            self.assertIn("refused", out["output"])
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
            s.listen(64)
            self.assertIsNotNone(wait_until(lambda: status(d) == 200, 3))
            s.close()


class ExecCheck(unittest.TestCase):

    def test_exit_0_up_exit_1_down_with_output(self):
        with Daemon(*FAST, "--check", "ok=exec:/bin/true") as d:
            self.assertIsNotNone(wait_until(lambda: status(d) == 200, 3))
        with tempfile.NamedTemporaryFile("w", suffix=".sh",
                                         delete=False) as f:
            f.write("#!/bin/sh\necho 'db lag 42s' >&2\nexit 1\n")
        os.chmod(f.name, 0o755)
        try:
            with Daemon(*FAST, "--check", "lag=exec:%s" % f.name) as d:
                self.assertIsNotNone(wait_until(
                    lambda: "exit status 1" in str(d.health()[1]), 3))
                st, body = d.health()
                self.assertEqual(st, 503)
                self.assertEqual(body["checks"]["lag:responseTime"][0]
                                 ["output"], "exit status 1: db lag 42s")
        finally:
            os.unlink(f.name)

    def test_missing_command_is_down_not_fatal(self):
        with Daemon(*FAST, "--check", "x=exec:/nonexistent/cmd") as d:
            # glibc's posix_spawn reports a failed exec itself; under
            # valgrind the child exits 127 instead. Both are "down".
            self.assertIsNotNone(wait_until(
                lambda: re.search(r"No such file|exit status 127",
                                  str(d.health()[1])), 3), d.log())
            self.assertIsNone(d.proc.poll())

    def test_command_outliving_its_timeout_leaves_nothing_behind(self):
        marker = "hgmark%d" % os.getpid()
        with tempfile.NamedTemporaryFile("w", suffix=".sh",
                                         delete=False) as f:
            # A grandchild in the background, a child that hangs.
            f.write("#!/bin/sh\nsh -c 'sleep 30; true' %s &\n"
                    "sh -c 'sleep 31; true' %s\n" % (marker, marker))
        os.chmod(f.name, 0o755)
        try:
            with Daemon("--interval", "300ms", "--timeout", "100ms",
                        "--check", "hang=exec:%s" % f.name) as d:
                self.assertIsNotNone(wait_until(
                    lambda: "timeout after 100 ms" in str(d.health()[1]), 3))
                time.sleep(1.5)     # several runs, each killed
                self.assertEqual(status(d), 503)
                # Between runs: no zombie and nothing left of old runs.
                time.sleep(0.15)
                kids = children(d.proc.pid)
                self.assertFalse([k for k in kids if k[1] == "Z"], kids)
                self.assertLessEqual(len(kids), 1, kids)
                stray = [p for p in procs_with(marker)
                         if p not in [k[0] for k in kids]]
                self.assertLessEqual(len(stray), 2, stray)
                d.signal(SIGTERM)
                self.assertEqual(d.wait(5), 0)
            # After exit nothing of it remains at all.
            self.assertTrue(wait_until(lambda: not procs_with(marker), 3),
                            procs_with(marker))
        finally:
            os.unlink(f.name)


class Several(unittest.TestCase):

    def test_one_failing_check_is_enough_and_the_body_says_which(self):
        port = free_port()
        with Upstream() as app, Daemon(
                *FAST, "--check", "app=http://127.0.0.1:%d/" % app.port,
                "--check", "db=tcp://127.0.0.1:%d" % port) as d:
            self.assertIsNotNone(wait_until(
                lambda: d.health()[1]["checks"]["app:responseTime"][0]
                ["status"] == "pass", 3))
            st, body = d.health()
            self.assertEqual(st, 503)
            self.assertEqual(body["notes"], ["1 of 2 checks down"])
            self.assertEqual(body["checks"]["db:responseTime"][0]["status"],
                             "fail")
            self.assertIn("refused",
                          body["checks"]["db:responseTime"][0]["output"])
            _, _, metrics = d.get("/metrics")
            self.assertIn(b'healthgate_check_up{check="app",'
                          b'severity="fail"} 1', metrics)
            self.assertIn(b'healthgate_check_up{check="db",'
                          b'severity="fail"} 0', metrics)
            self.assertRegex(metrics, rb'healthgate_check_results_total'
                             rb'\{check="db",result="refused"\} [1-9]')


if __name__ == "__main__":
    unittest.main()
