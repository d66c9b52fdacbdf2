"""Start-up: bad flags and variables are refused by name, nothing starts
half-configured, and the log says what runs."""

import json
import os
import socket
import subprocess
import unittest

from harness import BINARY, Daemon, free_port


def run(*args, env=None):
    full = {k: v for k, v in os.environ.items()
            if not k.startswith("HEALTHGATE_")}
    full.update(env or {})
    return subprocess.run([BINARY, *args], capture_output=True, text=True,
                          env=full, timeout=5)


class Flags(unittest.TestCase):

    def test_bad_values_exit_2_naming_flag_and_value(self):
        cases = [
            (["--interval", "abc"], {},
             'healthgate: --interval: "abc" is not a duration'),
            (["--drain-timeout=forever"], {},
             'healthgate: --drain-timeout: "forever" is not a duration'),
            ([], {"HEALTHGATE_TIMEOUT": "x"},
             'healthgate: HEALTHGATE_TIMEOUT: "x" is not a duration'),
            (["--check", "ftp://127.0.0.1/"], {},
             'healthgate: --check: "ftp://127.0.0.1/" has an unknown scheme'),
            (["--listen", "nowhere"], {},
             'healthgate: --listen: "nowhere" is not ADDR:PORT'),
            (["--drain-ignore", "1.2.3.4/40"], {},
             'healthgate: --drain-ignore: "1.2.3.4/40"'),
            (["--frobnicate"], {}, 'healthgate: unknown option "--frobnicate"'),
            (["--rise", "0"], {}, 'healthgate: --rise: "0" is not within'),
        ]
        for args, env, msg in cases:
            out = run(*args, env=env)
            self.assertEqual(out.returncode, 2, (args, env, out.stderr))
            self.assertTrue(out.stderr.startswith(msg), (msg, out.stderr))
            self.assertEqual(out.stderr.count("\n"), 1, out.stderr)

    def test_a_refused_start_binds_nothing(self):
        port = free_port()
        out = run("--listen", "127.0.0.1:%d" % port, "--fall", "x")
        self.assertEqual(out.returncode, 2)
        with socket.socket() as s:
            self.assertNotEqual(s.connect_ex(("127.0.0.1", port)), 0)

    def test_flag_wins_over_variable(self):
        port = free_port()
        with Daemon("--listen", "127.0.0.1:%d" % port,
                    env={"HEALTHGATE_LISTEN": "127.0.0.1:1",
                         "HEALTHGATE_DRAIN_FALL": "7"}, listen=None) as d:
            self.assertEqual(d.port, port)
            self.assertRegex(d.wait_log(" start "), r"drain_fall=7 ")

    def test_busy_port_is_an_error_with_the_reason(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen(1)
            out = run("--listen", "127.0.0.1:%d" % s.getsockname()[1])
        self.assertEqual(out.returncode, 1)
        # The C library's strerror(EADDRINUSE): glibc's words, or musl's
        # (the static build).
        self.assertRegex(out.stderr, r"Address (already )?in use")

    def test_help_and_version(self):
        out = run("--help")
        self.assertEqual(out.returncode, 0)
        for flag in ("--listen", "--check", "--drain-timeout", "--drain-fall",
                     "--drain-window", "--drain-ignore", "--log-format",
                     "HEALTHGATE_DRAIN_IGNORE", "probe"):
            self.assertIn(flag, out.stdout)
        out = run("--version")
        self.assertEqual(out.returncode, 0)
        self.assertRegex(out.stdout,
                         r"^healthgate \d+\.\d+\.\d+( \(commit \w+\))?\n$")

    def test_json_log_lines_parse(self):
        with Daemon("--log-format", "json") as d:
            pass
        lines = [l for l in d.lines if l.strip()]
        self.assertTrue(lines)
        for line in lines:
            obj = json.loads(line)
            self.assertTrue({"ts", "level", "event"} <= obj.keys(), obj)
        start = json.loads(next(l for l in lines if '"start"' in l))
        self.assertEqual(start["drain_timeout_ms"], 30000)


if __name__ == "__main__":
    unittest.main()
