"""?severity=warn: a dependency that fails shows in the body, /metrics and
the log, and never makes /health 503 by itself; ?severity=fail (the
default) does. The health draft's service fields in the body."""

import json
import socket
import unittest

from harness import Daemon, Upstream, wait_until

FAST = ["--interval", "200ms", "--timeout", "100ms"]


def listener(port=0):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(64)
    return s


class Severity(unittest.TestCase):

    def dependency_goes_down(self, severity):
        """(status, body, metrics, log) after the db listener closes."""
        db = listener()
        port = db.getsockname()[1]
        with Upstream() as app, Daemon(
                *FAST, "--check", "app=http://127.0.0.1:%d/" % app.port,
                "--check", "db=tcp://127.0.0.1:%d?severity=%s" %
                (port, severity)) as d:
            self.assertIsNotNone(wait_until(
                lambda: d.health()[1]["status"] == "pass", 3), d.log())
            db.close()
            self.assertIsNotNone(wait_until(
                lambda: d.health()[1]["checks"]["db:responseTime"][0]
                ["status"] == "fail", 3), d.log())
            st, body = d.health()
            _, _, metrics = d.get("/metrics")
            self.assertIsNotNone(d.wait_log("check_down name=db"))
            return st, body, metrics.decode(), d.log()

    def test_warn_dependency_down_is_200_warn_and_shown(self):
        st, body, metrics, log = self.dependency_goes_down("warn")
        self.assertEqual(st, 200, body)
        self.assertEqual(body["status"], "warn")
        self.assertEqual(body["notes"], ["1 of 2 checks down, severity warn"])
        db = body["checks"]["db:responseTime"][0]
        self.assertEqual(db["status"], "fail")
        self.assertIn("Connection refused", db["output"])
        self.assertEqual(body["checks"]["app:responseTime"][0]["status"],
                         "pass")
        self.assertIn('healthgate_check_up{check="db",severity="warn"} 0',
                      metrics)
        self.assertIn('healthgate_check_up{check="app",severity="fail"} 1',
                      metrics)
        self.assertRegex(log, r" warn check_down name=db result=refused "
                         r'reason="connect: Connection refused" '
                         r"severity=warn")

    def test_fail_dependency_down_is_503_one_flag_apart(self):
        st, body, metrics, log = self.dependency_goes_down("fail")
        self.assertEqual(st, 503, body)
        self.assertEqual(body["status"], "fail")
        self.assertEqual(body["notes"], ["1 of 2 checks down"])
        self.assertIn('healthgate_check_up{check="db",severity="fail"} 0',
                      metrics)
        self.assertIn("severity=fail", log)

    def test_warn_check_never_hides_a_failing_one(self):
        with Daemon(*FAST, "--check", "a=exec?severity=warn:/bin/false",
                    "--check", "b=exec:/bin/false") as d:
            self.assertIsNotNone(wait_until(
                lambda: "exit status 1" in str(d.health()[1]
                                               ["checks"]["b:responseTime"]),
                3))
            st, body = d.health()
            self.assertEqual(st, 503)
            self.assertEqual(body["status"], "fail")

    def test_json_log_line_is_at_warning_level(self):
        with Daemon(*FAST, "--log-format", "json",
                    "--check", "db=exec?severity=warn:/bin/false") as d:
            line = d.wait_log(r'"event":"check_down"', 3)
            self.assertIsNotNone(line, d.log())
            ev = json.loads(line)
            self.assertEqual(ev["level"], "warn")
            self.assertEqual(ev["severity"], "warn")
            self.assertEqual(d.health()[0], 200)


class DraftFields(unittest.TestCase):

    def test_service_fields_from_flags_and_variables(self):
        with Daemon("--service-version", "2.1", "--service-id", "orders",
                    "--description", 'orders "API"',
                    env={"HEALTHGATE_RELEASE_ID": "2.1.7-abc"}) as d:
            st, body = d.health()
            self.assertEqual(st, 200)
            self.assertEqual(body, {"status": "pass", "version": "2.1",
                                    "releaseId": "2.1.7-abc",
                                    "serviceId": "orders",
                                    "description": 'orders "API"'})

    def test_flag_wins_over_variable(self):
        with Daemon("--release-id", "from-flag",
                    env={"HEALTHGATE_RELEASE_ID": "from-env"}) as d:
            self.assertEqual(d.health()[1]["releaseId"], "from-flag")

    def test_per_check_fields(self):
        with Daemon(*FAST, "--check", "ok=exec:/bin/true") as d:
            self.assertIsNotNone(wait_until(lambda: d.health()[0] == 200, 3))
            c = d.health()[1]["checks"]["ok:responseTime"][0]
            self.assertEqual(c["componentType"], "component")
            self.assertEqual(c["observedUnit"], "ms")
            self.assertIsInstance(c["observedValue"], float)
            self.assertRegex(c["time"],
                             r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


if __name__ == "__main__":
    unittest.main()
