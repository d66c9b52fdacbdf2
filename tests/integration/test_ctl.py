"""healthgate ctl as a user runs it (issue 23): found from
HEALTHGATE_LISTEN with no flag, 50 rapid maintenance on/off pairs each
ending in the last call's state with /health following at once, drain and
drain --wait, and its exit statuses (0, 1 on a refusal or no answer, 2 on
bad usage). Loopback only."""

import json
import os
import subprocess
import tempfile
import time
import unittest

from harness import BINARY, Daemon, free_port


def ctl(*args, listen=None, env=None, timeout=10):
    full = {k: v for k, v in os.environ.items()
            if not k.startswith("HEALTHGATE_")}
    if listen:
        full["HEALTHGATE_LISTEN"] = listen
    full.update(env or {})
    return subprocess.run([BINARY, "ctl"] + list(args), env=full,
                          capture_output=True, text=True, timeout=timeout)


class Ctl(unittest.TestCase):

    def test_fifty_rapid_pairs_end_in_the_last_state(self):
        with Daemon() as d:
            listen = "127.0.0.1:%d" % d.port
            wrong = []
            for i in range(50):
                last = "on" if i % 2 else "off"
                first = "off" if last == "on" else "on"
                a = ctl("maintenance", first, listen=listen)
                b = ctl("maintenance", last, listen=listen)
                self.assertEqual((a.returncode, b.returncode), (0, 0),
                                 a.stderr + b.stderr)
                # No wait: the answer came after the change.
                code = d.health()[0]
                want = 503 if last == "on" else 200
                if code != want:
                    wrong.append((i, last, code))
                self.assertEqual(json.loads(b.stdout)["state"],
                                 "maintenance" if last == "on" else
                                 "serving")
            self.assertEqual(wrong, [])
            st = json.loads(ctl("status", listen=listen).stdout)
            self.assertEqual(st["state"], "maintenance")   # i = 49: on

    def test_any_address_listen_is_reached_through_loopback(self):
        # Port 0: the daemon picks a free one and says which (a port
        # picked here first was taken by another process before a slow
        # start under valgrind bound it).
        with Daemon(listen="0.0.0.0:0") as d:
            r = ctl("status", listen="0.0.0.0:%d" % d.port)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(json.loads(r.stdout)["state"], "serving")
            # --url wins over the variable.
            r = ctl("status", "--url", "http://127.0.0.1:%d" % d.port,
                    listen="127.0.0.1:1")
            self.assertEqual(r.returncode, 0, r.stderr)

    def test_drain_wait_returns_when_the_drain_has_ended(self):
        with Daemon("--drain-timeout", "1500ms", "--drain-fall", "50",
                    "--drain-window", "10s") as d:
            # A load balancer's probe, so the drain has someone to wait for.
            d.get("/health", source="127.0.0.2")
            t0 = time.monotonic()
            r = ctl("drain", "--wait", listen="127.0.0.1:%d" % d.port)
            took = time.monotonic() - t0
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertGreater(took, 1.3)
            self.assertLess(took, 4.0)
            self.assertIn('"state":"draining"', r.stdout)
            # The held /admin/prestop was answered before the exit, with
            # the drain's end (not "healthgate has exited").
            self.assertIn('"drain":"ended","reason":"cap"', r.stdout)
            self.assertEqual(d.wait(3), 0)

    def test_exit_statuses(self):
        with Daemon() as d:
            listen = "127.0.0.1:%d" % d.port
            for args in (["maintenance"], ["maintenance", "maybe"],
                         ["bogus"], [], ["status", "extra"],
                         ["status", "--wait"], ["--timeout", "x", "status"],
                         ["--url"], ["status", "--frobnicate"]):
                r = ctl(*args, listen=listen)
                self.assertEqual(r.returncode, 2, (args, r.stderr))
                self.assertIn("healthgate ctl:", r.stderr)
            self.assertEqual(ctl("--help").returncode, 0)
            # No daemon there: 1, with the reason.
            r = ctl("status", listen="127.0.0.1:%d" % free_port())
            self.assertEqual(r.returncode, 1)
            self.assertIn("connect", r.stderr)
            # A token file that cannot be read is bad usage.
            r = ctl("status", "--admin-token-file", "/nonexistent/tok",
                    listen=listen)
            self.assertEqual(r.returncode, 2)
            self.assertIn("/nonexistent/tok", r.stderr)
            # With a readable one it sends it; loopback needs none anyway.
            with tempfile.NamedTemporaryFile("w") as f:
                f.write("tok\n")
                f.flush()
                r = ctl("status", listen=listen,
                        env={"HEALTHGATE_ADMIN_TOKEN_FILE": f.name})
                self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
