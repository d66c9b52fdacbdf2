"""tcp:// with send= and expect= against real servers from Debian on
loopback: redis-server (PING, +PONG) and aiosmtpd's SMTP server (a 220
banner, expect= alone). Each runs as this test's own child on a free port,
in a temporary directory, and is stopped by its pid."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from harness import Daemon, free_port, wait_until

FAST = ["--interval", "200ms", "--timeout", "150ms"]
PYTHON = "/usr/bin/python3"     # Debian's, which python3-aiosmtpd is for


def accepting(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        return True
    except OSError:
        return False


class Server:
    """A real server as a child: started, waited for, stopped by pid."""

    def __init__(self, argv, port, cwd):
        self.port = port
        self.proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        if wait_until(lambda: accepting(port), 10) is None:
            self.stop()
            raise AssertionError("%s never listened" % argv[0])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def check(d, name):
    return d.health()[1]["checks"]["%s:responseTime" % name][0]


@unittest.skipUnless(shutil.which("redis-server"),
                     "redis-server missing: scripts/deps.sh installs it")
class Redis(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="hg-redis-")
        self.port = free_port()
        self.redis = Server(["redis-server", "--port", str(self.port),
                             "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", self.dir],
                            self.port, self.dir)

    def tearDown(self):
        self.redis.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_ping_pong_up_then_down_when_stopped(self):
        with Daemon(*FAST, "--check",
                    "redis=tcp://127.0.0.1:%d?send=PING%%0D%%0A&"
                    "expect=%%2BPONG" % self.port) as d:
            self.assertIsNotNone(wait_until(lambda: d.health()[0] == 200,
                                            3), d.log())
            self.redis.stop()
            self.assertIsNotNone(wait_until(lambda: d.health()[0] == 503,
                                            3), d.log())
            self.assertIn("Connection refused", check(d, "redis")["output"])

    def test_a_different_reply_is_down_with_both_in_the_reason(self):
        with Daemon(*FAST, "--check",
                    "redis=tcp://127.0.0.1:%d?send=FOO%%0D%%0A&"
                    "expect=%%2BPONG" % self.port) as d:
            self.assertIsNotNone(wait_until(
                lambda: "reply" in check(d, "redis").get("output", ""), 3),
                d.log())
            self.assertEqual(d.health()[0], 503)
            out = check(d, "redis")["output"]
            self.assertTrue(out.startswith(
                "reply does not start with +PONG: -ERR unknown command "
                "'FOO'"), out)
            self.assertIsNotNone(d.wait_log(
                r"check_down name=redis result=reply reason=\"reply does "
                r"not start with \+PONG: -ERR unknown command"))

    def test_reply_to_a_wrong_expectation_is_shown(self):
        with Daemon(*FAST, "--check",
                    "r=tcp://127.0.0.1:%d?send=PING%%0D%%0A&expect=%%2BPANG"
                    % self.port) as d:
            self.assertIsNotNone(wait_until(
                lambda: check(d, "r").get("output", "").startswith("reply"),
                3), d.log())
            self.assertEqual(check(d, "r")["output"],
                             "reply does not start with +PANG: +PONG%0D%0A")


class Banner(unittest.TestCase):
    """An SMTP server speaks first: expect= alone reads its banner."""

    def setUp(self):
        r = subprocess.run([PYTHON, "-c", "import aiosmtpd"],
                           capture_output=True)
        if r.returncode != 0:
            self.skipTest("python3-aiosmtpd missing: scripts/deps.sh "
                          "installs it")
        self.dir = tempfile.mkdtemp(prefix="hg-smtp-")
        self.port = free_port()
        self.smtp = Server([PYTHON, "-m", "aiosmtpd", "-n", "-l",
                            "127.0.0.1:%d" % self.port], self.port, self.dir)

    def tearDown(self):
        self.smtp.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_smtp_banner_up_wrong_banner_down(self):
        with Daemon(*FAST, "--check",
                    "smtp=tcp://127.0.0.1:%d?expect=220%%20" % self.port,
                    "--check",
                    "not554=tcp://127.0.0.1:%d?expect=554" % self.port) as d:
            self.assertIsNotNone(wait_until(
                lambda: check(d, "smtp")["status"] == "pass" and
                "reply" in check(d, "not554").get("output", ""), 3), d.log())
            out = check(d, "not554")["output"]
            self.assertRegex(out, r"^reply does not start with 554: 220 ")
            self.smtp.stop()
            self.assertIsNotNone(wait_until(
                lambda: "refused" in check(d, "smtp").get("output", ""), 3))


class Closing(unittest.TestCase):
    """A peer that accepts and closes at once, or says too little."""

    def test_closed_without_a_reply(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        port = s.getsockname()[1]
        stop = time.monotonic() + 5
        with Daemon(*FAST, "--check", "c=tcp://127.0.0.1:%d?expect=HELLO" %
                    port) as d:
            s.settimeout(0.1)
            said = False
            while time.monotonic() < stop and not said:
                try:
                    conn, _ = s.accept()
                    conn.sendall(b"HEL")
                    conn.close()
                except socket.timeout:
                    pass
                said = "ended after 3 bytes" in check(d, "c").get(
                    "output", "")
            self.assertTrue(said, d.health())
            self.assertEqual(check(d, "c")["output"],
                             "reply ended after 3 bytes, expected HELLO: HEL")
        s.close()


if __name__ == "__main__":
    unittest.main()
