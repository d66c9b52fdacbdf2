"""A check's command that escapes its process group (setsid, a double
fork): what it leaves behind must not outlive its check nor healthgate.
Processes are counted by this test's own marker (a sleep length no one
else uses) and only those are ever killed here."""

import os
import signal
import tempfile
import time
import unittest

from harness import SIGTERM, Daemon, procs_with, wait_until


class Strays(unittest.TestCase):

    def setUp(self):
        # "20.0NNNNNN": a sleep of about 20 s, unique to this test run.
        self.marker = "20.0%06d" % (os.getpid() % 1000000)
        self.app_marker = "21.0%06d" % (os.getpid() % 1000000)
        self.scripts = []

    def tearDown(self):
        for pid in procs_with(self.marker) + procs_with(self.app_marker):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for s in self.scripts:
            os.unlink(s)

    def script(self, body):
        with tempfile.NamedTemporaryFile("w", suffix=".sh",
                                         delete=False) as f:
            f.write("#!/bin/sh\n" + body)
        os.chmod(f.name, 0o755)
        self.scripts.append(f.name)
        return f.name

    def count(self):
        """The marked sleeps: only the strays themselves. The shell that
        forks one carries the marker in its -c text too, and seen in the
        instant between its fork and its exit it made "two" (seen once
        in a clean-clone make check)."""
        def is_sleep(pid):
            try:
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                return False
            return os.path.basename(argv[0]) == b"sleep"
        return len([p for p in procs_with(self.marker) if is_sleep(p)])

    def watch(self, d, seconds):
        """The most marked processes seen at once over seconds."""
        worst = 0
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            worst = max(worst, self.count())
            time.sleep(0.05)
        return worst

    def test_setsid_child_of_a_passing_check_dies_with_its_run(self):
        # The short sleep lets setsid run before the run ends (else the
        # group kill may catch the child still in the group).
        cmd = self.script("setsid sleep %s &\nsleep 0.1\nexit 0\n"
                          % self.marker)
        with Daemon("--interval", "300ms", "--timeout", "200ms",
                    "--check", "bg=exec:%s" % cmd) as d:
            self.assertIsNotNone(d.wait_log(r"check_up name=bg"), d.log())
            worst = self.watch(d, 2.0)      # six or seven runs
            # A run's stray may be seen in the instant before its run
            # ends; never two, never one run's stray in the next.
            self.assertLessEqual(worst, 1, d.log())
            self.assertTrue(wait_until(lambda: self.count() == 0, 0.3))
            self.assertEqual(d.get("/health")[0], 200)
            d.signal(SIGTERM)
            self.assertEqual(d.wait(5), 0)
        self.assertEqual(self.count(), 0)

    def test_double_fork_past_a_timeout_is_gone_after_the_run(self):
        # The intermediate shell leaves the group, forks the sleep and
        # exits; the command itself hangs until its timeout kills it.
        cmd = self.script("setsid sh -c 'sleep %s & exit 0' &\n"
                          "exec sleep 5\n" % self.marker)
        with Daemon("--interval", "400ms", "--timeout", "150ms",
                    "--check", "hang=exec:%s" % cmd) as d:
            self.assertIsNotNone(wait_until(
                lambda: "timeout after 150 ms" in str(d.health()[1]), 3))
            worst = self.watch(d, 2.0)
            self.assertLessEqual(worst, 1, d.log())
            d.signal(SIGTERM)
            self.assertEqual(d.wait(5), 0)
        self.assertEqual(self.count(), 0)

    def test_nothing_a_check_started_outlives_healthgate(self):
        # A run that is still going when healthgate exits: its command
        # and the stray it left are both gone once healthgate is.
        cmd = self.script("setsid sleep %s &\nexec sleep 5\n" % self.marker)
        with Daemon("--interval", "3s", "--timeout", "2500ms",
                    "--check", "slow=exec:%s" % cmd) as d:
            self.assertTrue(wait_until(lambda: self.count() == 1, 3))
            d.signal(SIGTERM)
            self.assertEqual(d.wait(5), 0)
        self.assertEqual(self.count(), 0, procs_with(self.marker))

    def test_supervisor_kills_a_checks_stray_but_not_the_apps_orphan(self):
        # healthgate -- APP is the app's PID 1: the app's own orphan is
        # reparented to healthgate as a check's stray is, but carries no
        # HEALTHGATE_CHECK mark, so it is reaped, never killed.
        app = self.script("sh -c 'setsid sleep %s & exit 0'\n"
                          "exec sleep %s\n" % (self.app_marker,
                                                self.app_marker))
        cmd = self.script("setsid sleep %s &\nsleep 0.1\nexit 0\n"
                          % self.marker)
        with Daemon("--interval", "300ms", "--timeout", "200ms",
                    "--check", "bg=exec:%s" % cmd, "--", app) as d:
            self.assertIsNotNone(d.wait_log(r"check_up name=bg"), d.log())
            self.assertTrue(wait_until(
                lambda: len(procs_with(self.app_marker)) == 2, 3),
                procs_with(self.app_marker))
            worst = self.watch(d, 1.5)
            self.assertLessEqual(worst, 1, d.log())
            # The app and its orphan both live on.
            self.assertEqual(len(procs_with(self.app_marker)), 2, d.log())


if __name__ == "__main__":
    unittest.main()
