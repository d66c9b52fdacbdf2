"""healthgate probe against real servers: healthy, draining, gone, mute."""

import os
import shutil
import socket
import subprocess
import time
import unittest

from harness import BINARY, Daemon, Prober, SIGTERM, Upstream, free_port, \
    wait_until


def probe(*args, env=None, timeout=10):
    full = {k: v for k, v in os.environ.items()
            if not k.startswith("HEALTHGATE_")}
    full.update(env or {})
    t0 = time.monotonic()
    out = subprocess.run([BINARY, "probe", *args], capture_output=True,
                         text=True, env=full, timeout=timeout)
    return out.returncode, out.stdout, out.stderr, time.monotonic() - t0


class Probe(unittest.TestCase):

    def test_exit_0_against_a_healthy_daemon(self):
        with Daemon() as d:
            rc, out, err, _ = probe(d.url())
            self.assertEqual(rc, 0, err)
            self.assertIn(": 200", out)

    def test_default_url_comes_from_healthgate_listen(self):
        port = free_port()
        env = {"HEALTHGATE_LISTEN": "127.0.0.1:%d" % port}
        with Daemon(env=env, listen=None) as d:
            self.assertEqual(d.port, port)
            rc, out, err, _ = probe(env=env)
            self.assertEqual(rc, 0, err)
            self.assertIn("http://127.0.0.1:%d/health" % port, out)
            # A bare path asks the same daemon for that path.
            rc, out, err, _ = probe("/live", env=env)
            self.assertEqual(rc, 0, err)
            self.assertIn("http://127.0.0.1:%d/live" % port, out)

    def test_exit_1_against_a_draining_daemon(self):
        with Daemon("--drain-fall", "50", "--drain-ignore", "none",
                    "--drain-timeout", "5s") as d:
            p = Prober(d, "127.0.0.2", period=0.2)
            p.start()
            self.assertTrue(wait_until(lambda: len(p.results) >= 2, 3))
            d.signal(SIGTERM)
            self.assertIsNotNone(d.wait_log("drain_start"))
            rc, out, err, _ = probe(d.url())
            self.assertEqual(rc, 1)
            self.assertIn(": 503", err)
            # /live is what a container health check should use instead.
            rc, _, err, _ = probe(d.url("/live"))
            self.assertEqual(rc, 0, err)
            p.stop()

    def test_exit_1_with_a_message_against_a_closed_port(self):
        rc, out, err, took = probe("http://127.0.0.1:%d/health" % free_port())
        self.assertEqual(rc, 1)
        self.assertIn("Connection refused", err)
        self.assertLess(took, 1.0)

    def test_gives_up_on_a_server_that_never_answers(self):
        with socket.socket() as mute:
            mute.bind(("127.0.0.1", 0))
            mute.listen(8)      # the kernel accepts; nobody ever answers
            url = "http://127.0.0.1:%d/health" % mute.getsockname()[1]
            rc, out, err, took = probe("--timeout", "500ms", url)
            self.assertEqual(rc, 1)
            self.assertIn("within 500 ms", err)
            self.assertGreater(took, 0.45)
            self.assertLess(took, 1.5)

    def test_non_2xx_and_bad_usage_exit_1(self):
        with Daemon() as d:
            rc, _, err, _ = probe(d.url("/nope"))
            self.assertEqual(rc, 1)
            self.assertIn(": 404", err)
        rc, _, err, _ = probe("--timeout", "abc")
        self.assertEqual(rc, 1)
        self.assertIn('--timeout: "abc" is not a duration', err)
        rc, _, err, _ = probe("https://127.0.0.1/")
        self.assertEqual(rc, 1)

    def test_version_as_plan_prints_it(self):
        """Issue 29: probe --version said "unexpected" and exited 1."""
        rc, out, err, _ = probe("--version")
        plan = subprocess.run([BINARY, "plan", "--version"],
                              capture_output=True, text=True, timeout=10)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, plan.stdout)
        self.assertRegex(out, r"^healthgate \d+\.\d+\.\d+")

    def test_a_redirect_fails_where_curl_f_would_pass(self):
        """Issue 29's decision: a 3xx fails (curl -f passes it), is not
        followed, and the message says so. The 302 comes from harness's
        Upstream on loopback."""
        with Upstream() as up:
            up.mode = 302
            url = "http://127.0.0.1:%d/health" % up.port
            rc, out, err, _ = probe(url)
            self.assertEqual(rc, 1, out)
            self.assertIn(": 302, a redirect", err)
            self.assertIn("does not follow redirects", err)
            if shutil.which("curl"):
                curl = subprocess.run(["curl", "-fsS", "-o", "/dev/null",
                                       url], capture_output=True,
                                      timeout=10)
                self.assertEqual(curl.returncode, 0, curl.stderr)


if __name__ == "__main__":
    unittest.main()
