"""The systemd notify protocol end to end: the real daemon with
NOTIFY_SOCKET pointing at a datagram socket the test binds, playing
systemd. READY=1 once it serves, STATUS= on changes, WATCHDOG=1 at least
every WATCHDOG_USEC/2, STOPPING=1 on SIGTERM."""

import os
import socket
import tempfile
import threading
import time
import unittest

from harness import Daemon, SIGTERM, SIGUSR1, SIGUSR2, wait_until


class Systemd:
    """A bound SOCK_DGRAM socket; every datagram with its arrival time."""

    def __init__(self, abstract=False):
        self.dir = tempfile.mkdtemp(prefix="hg-notify.")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if abstract:
            name = "healthgate-it-%d" % os.getpid()
            self.sock.bind("\0" + name)
            self.address = "@" + name
        else:
            self.address = os.path.join(self.dir, "notify")
            self.sock.bind(self.address)
        self.sock.settimeout(0.1)
        self.msgs = []          # (monotonic time, text)
        self._halt = threading.Event()
        self._t = threading.Thread(target=self._read, daemon=True)
        self._t.start()

    def _read(self):
        while not self._halt.is_set():
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            self.msgs.append((time.monotonic(), data.decode()))

    def texts(self):
        return [m for _, m in self.msgs]

    def has(self, text):
        return any(text in m.split("\n") for m in self.texts())

    def settle(self):
        """Lets the reader take what was sent before now (it wakes at
        least every 0.1 s): for checks that something was not sent."""
        time.sleep(0.3)

    def close(self):
        self._halt.set()
        self._t.join(2)
        self.sock.close()
        if os.path.exists(os.path.join(self.dir, "notify")):
            os.unlink(os.path.join(self.dir, "notify"))
        os.rmdir(self.dir)


class Notify(unittest.TestCase):

    def setUp(self):
        self.sd = Systemd()

    def tearDown(self):
        self.sd.close()

    def test_ready_after_serving_watchdog_and_stopping(self):
        env = {"NOTIFY_SOCKET": self.sd.address, "WATCHDOG_USEC": "400000"}
        with Daemon(env=env) as d:
            self.assertTrue(wait_until(lambda: self.sd.has("READY=1"), 3),
                            self.sd.texts())
            # READY=1 means serving: /health answers at once.
            self.assertEqual(d.get("/health")[0], 200)
            self.assertTrue(self.sd.has(
                "STATUS=healthy: 0 checks up, /health answers 200"),
                self.sd.texts())
            time.sleep(1.1)
            ready = [t for t, m in self.sd.msgs if "READY=1" in m][0]
            pings = [t for t, m in self.sd.msgs
                     if m == "WATCHDOG=1" and t > ready]
            self.assertGreaterEqual(len(pings), 4, self.sd.texts())
            # From READY=1 on, never longer than WATCHDOG_USEC/2 (with
            # slack for a loaded machine), and never a burst.
            gaps = [b - a for a, b in zip([ready] + pings, pings)]
            self.assertLess(max(gaps), 0.2 + 0.1, gaps)
            self.assertGreater(min(gaps[1:]), 0.1, gaps)
            d.signal(SIGTERM)
            self.assertEqual(d.wait(5), 0, d.log())
        # Sent before the exit, but maybe not read by the thread yet.
        self.assertTrue(wait_until(lambda: self.sd.has("STOPPING=1"), 2),
                        self.sd.texts())
        self.assertTrue(wait_until(lambda: self.sd.has(
            "STATUS=draining: /health answers 503"), 2), self.sd.texts())
        self.assertIsNotNone(d.wait_log(r"notify socket=.*watchdog=on "
                                        r"watchdog_interval_ms=200"))

    def test_status_follows_checks_and_maintenance(self):
        # The check fails if it inherits the notify socket: exec: checks
        # must not be able to speak for the unit.
        env = {"NOTIFY_SOCKET": self.sd.address}
        with Daemon("--check", "leak=exec:printenv NOTIFY_SOCKET",
                    "--interval", "200ms", "--timeout", "150ms",
                    env=env) as d:
            self.assertTrue(wait_until(lambda: self.sd.has(
                "STATUS=1 of 1 checks down: /health answers 503"), 3),
                self.sd.texts())
            d.signal(SIGUSR1)
            self.assertTrue(wait_until(lambda: self.sd.has(
                "STATUS=maintenance: /health answers 503"), 3),
                self.sd.texts())
            d.signal(SIGUSR2)
            time.sleep(0.5)
            # One STATUS per change, not one per check run.
            statuses = [m for m in self.sd.texts()
                        if m.startswith("STATUS=")]
            self.assertEqual(len(statuses), len(set(statuses)) + 1,
                             statuses)
            self.assertFalse(any("WATCHDOG" in m for m in self.sd.texts()))

    def test_abstract_socket(self):
        sd = Systemd(abstract=True)
        try:
            with Daemon(env={"NOTIFY_SOCKET": sd.address}) as d:
                self.assertTrue(wait_until(lambda: sd.has("READY=1"), 3))
                d.signal(SIGTERM)
                self.assertEqual(d.wait(5), 0)
            self.assertTrue(wait_until(lambda: sd.has("STOPPING=1"), 2),
                            sd.texts())
        finally:
            sd.close()

    def test_watchdog_for_another_pid_sends_no_pings(self):
        env = {"NOTIFY_SOCKET": self.sd.address, "WATCHDOG_USEC": "200000",
               "WATCHDOG_PID": "1"}
        with Daemon(env=env):
            self.assertTrue(wait_until(lambda: self.sd.has("READY=1"), 3))
            time.sleep(0.5)
        self.sd.settle()
        self.assertNotIn("WATCHDOG=1", self.sd.texts())

    def test_no_notify_socket_sends_nothing(self):
        with Daemon() as d:
            self.assertEqual(d.get("/health")[0], 200)
            self.assertIsNone(d.wait_log(r" notify ", timeout=0.2))
        self.sd.settle()
        self.assertEqual(self.sd.texts(), [])
