"""Supervisor mode, `healthgate [options] -- COMMAND`: the app as a child,
signals, exit statuses, reaping, and a stop that waits for the drain. The
app is tests/integration/app.py, which records the signals it gets with
their CLOCK_MONOTONIC time."""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from harness import (BINARY, Daemon, Prober, SIGINT, SIGTERM, SIGUSR1,
                     children, wait_until)

APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "app.py")
FAST = ["--drain-window", "2s", "--drain-timeout", "5s", "--drain-fall", "2"]


class Supervised(Daemon):
    """healthgate -- app.py ARGS; the app's pid from the app_start line.
    On exit the app is killed too, should healthgate have left it."""

    def __init__(self, *flags, app=(), env=None, stdin=None):
        self.record = tempfile.NamedTemporaryFile(prefix="hg-app-",
                                                  delete=False).name
        super().__init__(*flags, "--", sys.executable, APP, "--record",
                         self.record, *app, env=env)
        line = self.wait_log(r"app_start pid=(\d+)", 5)
        self.app_pid = int(re.search(r"pid=(\d+)", line).group(1)) \
            if line else None

    def signals(self):
        """[(name, monotonic)] the app has recorded so far."""
        with open(self.record) as f:
            return [(n, float(t)) for n, t in
                    (line.split() for line in f if line.strip())]

    def ready(self, timeout=5):
        return wait_until(lambda: any(n == "READY" for n, _ in
                                      self.signals()), timeout)

    def kill(self):
        super().kill()
        if self.app_pid:
            try:
                with open("/proc/%d/cmdline" % self.app_pid, "rb") as f:
                    if APP.encode() in f.read():
                        os.kill(self.app_pid, signal.SIGKILL)
            except OSError:
                pass
        os.unlink(self.record)


def zombies(pid):
    out = []
    for child, _ in children(pid):
        try:
            with open("/proc/%d/stat" % child) as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    out.append(child)
        except OSError:
            pass
    return out


class Supervise(unittest.TestCase):

    def test_double_dash_without_command_is_exit_2(self):
        r = subprocess.run([BINARY, "--listen", "127.0.0.1:0", "--"],
                           capture_output=True, text=True, timeout=5)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--: needs a command after it", r.stderr)

    def test_missing_command_is_127(self):
        r = subprocess.run([BINARY, "--listen", "127.0.0.1:0", "--",
                            "/nonexistent/app"], capture_output=True,
                           text=True, timeout=5)
        self.assertEqual(r.returncode, 127, r.stderr)
        self.assertIn("cannot run /nonexistent/app", r.stderr)

    def test_app_exit_status_7_is_healthgates_at_once(self):
        with Supervised(app=["--exit", "7"]) as d:
            t0 = time.monotonic()
            self.assertEqual(d.wait(5), 7, d.log())
            self.assertLess(time.monotonic() - t0, 2)
            self.assertIsNotNone(d.wait_log(r"warn app_exit .*status=7 "
                                            r"code=7"))
            # /health went 503 as the app went, before the exit.
            log = d.log()
            self.assertLess(log.index("app_exit"),
                            log.index("state from=200 to=503"))
            self.assertLess(log.index("state from=200 to=503"),
                            log.index("exit status=7"))

    def test_app_dying_of_a_signal_is_128_plus_n(self):
        with Supervised() as d:
            self.assertTrue(d.ready())
            os.kill(d.app_pid, signal.SIGKILL)
            self.assertEqual(d.wait(5), 137)

    def test_sigterm_without_prober_stops_the_app_at_once(self):
        with Supervised(*FAST) as d:
            self.assertTrue(d.ready())
            t0 = time.monotonic()
            d.signal(SIGTERM)
            self.assertEqual(d.wait(5), 143, d.log())
            got = [t for n, t in d.signals() if n == "SIGTERM"]
            self.assertEqual(len(got), 1)
            self.assertLess(got[0] - t0, 0.5)
            self.assertIsNotNone(d.wait_log(r"app_linger .*linger_ms=0"))

    def test_app_gets_sigterm_only_after_every_prober_saw_its_503s(self):
        # ALB-like: one prober per load balancer node, each on its own
        # address, every 0.2 s; drain-fall 3; no linger, to be strict.
        with Supervised(*FAST, "--drain-fall", "3", "--drain-linger",
                        "0") as d:
            self.assertTrue(d.ready())
            probers = [StampedProber(d, "127.0.0.%d" % i,
                                     period=0.2 + 0.05 * i)
                       for i in (2, 3, 4)]
            for p in probers:
                p.start()
            self.assertTrue(wait_until(lambda: all(len(p.results) >= 2
                                                   for p in probers), 3))
            d.signal(SIGTERM)
            self.assertEqual(d.wait(8), 143, d.log())
            for p in probers:
                p.stop()
            term = [t for n, t in d.signals() if n == "SIGTERM"]
            self.assertEqual(len(term), 1, d.signals())
            for p in probers:
                # Requests sent before the app's SIGTERM that got a 503
                # (the answer is read a moment after healthgate sent it).
                before = [s for s, t in p.stamps if t < term[0]]
                self.assertGreaterEqual(before.count(503), 3,
                                        (p.source, p.stamps, term))
            log = d.log()
            for p in probers:
                self.assertLess(log.index("prober_done addr=%s " % p.source),
                                log.index("app_stop"))
            self.assertIsNotNone(d.wait_log(r"drain_end reason=evidence "
                                            r"watched=3 served=3"))

    def test_linger_delays_the_stop_signal(self):
        with Supervised(*FAST, "--drain-linger", "700ms") as d:
            self.assertTrue(d.ready())
            p = Prober(d, "127.0.0.2", period=0.1)
            p.start()
            self.assertTrue(wait_until(lambda: len(p.results) >= 2, 3))
            d.signal(SIGTERM)
            end = d.wait_log("drain_end", 5)
            t_end = time.monotonic()
            self.assertIsNotNone(end, d.log())
            self.assertEqual(d.wait(5), 143)
            p.stop()
            term = [t for n, t in d.signals() if n == "SIGTERM"][0]
            self.assertGreater(term - t_end, 0.5)
            self.assertLess(term - t_end, 1.5)
            # During the linger /health is still 503 for the prober.
            self.assertNotIn(200, p.results[p.results.index(503):])

    def test_stop_timeout_then_sigkill_is_137(self):
        with Supervised(*FAST, "--stop-timeout", "600ms",
                        app=["--on-term", "ignore"]) as d:
            self.assertTrue(d.ready())
            t0 = time.monotonic()
            d.signal(SIGTERM)
            self.assertEqual(d.wait(5), 137, d.log())
            took = time.monotonic() - t0
            self.assertGreater(took, 0.55)
            self.assertLess(took, 2.5)
            self.assertIsNotNone(d.wait_log(r"warn app_kill "))

    def test_stop_signal_is_configurable(self):
        with Supervised(*FAST, env={"HEALTHGATE_STOP_SIGNAL": "SIGHUP",
                                    "HEALTHGATE_STOP_TIMEOUT": "700ms"},
                        app=["--on-term", "ignore"]) as d:
            self.assertTrue(d.ready())
            d.signal(SIGTERM)
            self.assertEqual(d.wait(5), 137)
            names = [n for n, _ in d.signals()]
            self.assertIn("SIGHUP", names)
            self.assertNotIn("SIGTERM", names)

    def test_app_exit_status_after_its_own_sigterm_handler(self):
        with Supervised(*FAST, app=["--on-term", "7"]) as d:
            self.assertTrue(d.ready())
            d.signal(SIGTERM)
            self.assertEqual(d.wait(5), 7)

    def test_second_sigterm_goes_to_the_app_at_once(self):
        with Supervised("--drain-fall", "50", "--drain-timeout", "10s",
                        "--drain-window", "2s") as d:
            self.assertTrue(d.ready())
            p = Prober(d, "127.0.0.2", period=0.1)
            p.start()
            self.assertTrue(wait_until(lambda: len(p.results) >= 2, 3))
            d.signal(SIGTERM)
            self.assertIsNotNone(d.wait_log("drain_start"))
            time.sleep(0.3)
            self.assertEqual([n for n, _ in d.signals()], ["READY"])
            t0 = time.monotonic()
            d.signal(SIGINT)
            self.assertEqual(d.wait(3), 130, d.log())
            self.assertLess(time.monotonic() - t0, 1)
            p.stop()
            self.assertEqual([n for n, _ in d.signals()][1:], ["SIGINT"])

    def test_forwards_the_apps_signals_keeps_usr1_usr2(self):
        with Supervised(*FAST) as d:
            self.assertTrue(d.ready())
            for sig in (signal.SIGHUP, signal.SIGWINCH, signal.SIGQUIT):
                d.signal(sig)
                name = sig.name
                self.assertTrue(wait_until(lambda: name in
                                           [n for n, _ in d.signals()], 3),
                                (name, d.log()))
            d.signal(SIGUSR1)
            self.assertIsNotNone(d.wait_log("maintenance_on"))
            self.assertEqual(d.health()[0], 503)
            time.sleep(0.2)
            names = [n for n, _ in d.signals()]
            self.assertNotIn("SIGUSR1", names)
            self.assertIsNone(d.proc.poll())
            self.assertIsNotNone(d.wait_log(r"signal_forward signal=SIGHUP"))
            # The sidecar's "SIGHUP ignored" is not the supervisor's.
            self.assertIsNone(d.wait_log("sighup action=ignored", 0))

    def test_reaps_orphans_no_zombie_stays(self):
        # Each orphan lives 3 s: long enough to be seen alive on a busy
        # machine (1 s was not: one had gone before the look).
        with Supervised(app=["--orphans", "5", "--orphan-life", "3"]) as d:
            self.assertTrue(d.ready())
            # The grandchildren are reparented to healthgate (subreaper):
            # the app's, so they are left to live (never taken for a
            # check's strays), then reaped when they exit: no zombie.
            orphans = [int(n[6:]) for n, _ in d.signals()
                       if n.startswith("ORPHAN")]
            self.assertEqual(len(orphans), 5)

            def kids():
                return [pid for pid, _ in children(d.proc.pid)]
            self.assertTrue(wait_until(
                lambda: set(orphans) <= set(kids()), 2), (orphans, kids()))
            self.assertTrue(wait_until(lambda: kids() == [d.app_pid], 6),
                            kids())
            self.assertEqual(zombies(d.proc.pid), [])

    def test_same_env_stdio_and_own_process_group(self):
        r = subprocess.run(
            [BINARY, "--listen", "127.0.0.1:0", "--", sys.executable, APP,
             "--fds", "--exit", "0"], capture_output=True, text=True,
            timeout=10, env=dict(os.environ, HG_TEST_MARK="1"),
            input="")
        self.assertEqual(r.returncode, 0, r.stderr)
        fds = re.search(r"fds=(\S+)", r.stdout).group(1).split(",")
        # 0, 1, 2 and the one listdir opened: nothing of healthgate's.
        self.assertEqual(len(fds), 4, r.stdout)
        env = re.search(r"env=(\S+)", r.stdout).group(1).split(",")
        self.assertIn("HG_TEST_MARK", env)
        m = re.search(r"pgid=(\d+) pid=(\d+)", r.stdout)
        self.assertEqual(m.group(1), m.group(2))


class StampedProber(Prober):
    """A Prober that also keeps when each request was sent."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.stamps = []        # (status or exception name, sent at)

    def run(self):
        while not self._halt.is_set():
            sent = time.monotonic()
            try:
                status, _, _ = self.d.get("/health", source=self.source,
                                          timeout=1.0)
            except OSError as e:
                status = type(e).__name__
            self.results.append(status)
            self.stamps.append((status, sent))
            if self.d.proc.poll() is not None:
                return
            self._halt.wait(self.period)


if __name__ == "__main__":
    unittest.main()
