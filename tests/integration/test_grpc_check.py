"""grpc:// checks against a real gRPC server (Debian's python3-grpcio,
grpcpeer.HealthServer) whose answers the test flips: up on SERVING, down
within fall x interval on NOT_SERVING, an unknown service, a stopped
server and one that accepts and never answers, each with its reason."""

import re
import subprocess
import time
import unittest

from grpcpeer import HealthServer, Silent
from harness import BINARY, Daemon, free_port, wait_until
from test_robust import bounded

INTERVAL = 0.4
FAST = ["--interval", "400ms", "--timeout", "300ms", "--rise", "2",
        "--fall", "2"]
# Down within fall x interval, plus a run's timeout and the test's poll.
DOWN_WITHIN = 2 * INTERVAL + 0.3 + 0.3


def output(d, name):
    return d.health()[1]["checks"][name + ":responseTime"][0].get(
        "output", "")


def status(d):
    return d.get("/health")[0]


class GrpcCheck(unittest.TestCase):

    def test_follows_serving_and_not_serving(self):
        with HealthServer({"": "SERVING"}) as app, Daemon(
                *FAST, "--check", "app=grpc://127.0.0.1:%d" % app.port) as d:
            took = wait_until(lambda: status(d) == 200, 3)
            self.assertIsNotNone(took, d.log())
            bounded(self, took, 2 * INTERVAL + 0.3, "up")
            app.status[""] = "NOT_SERVING"
            took = wait_until(lambda: status(d) == 503, 3)
            self.assertIsNotNone(took, d.log())
            bounded(self, took, DOWN_WITHIN, "down")
            self.assertIsNotNone(wait_until(
                lambda: output(d, "app") == "NOT_SERVING", 2), d.log())
            self.assertIsNotNone(d.wait_log(
                r'check_down name=app result=not_serving '
                r'reason="NOT_SERVING"'))
            app.status[""] = "SERVING"
            self.assertIsNotNone(wait_until(lambda: status(d) == 200, 3))
            # grpc-timeout went with every call: the server saw a deadline
            # no later than the check's timeout.
            self.assertTrue(app.calls)
            for service, left in app.calls:
                self.assertEqual(service, "")
                self.assertIsNotNone(left)
                self.assertLessEqual(left, 0.3)
            _, _, metrics = d.get("/metrics")
            self.assertRegex(metrics.decode(), r'healthgate_check_results_'
                             r'total\{check="app",result="not_serving"\} \d')

    def test_every_result_of_the_grpc_kind_is_a_series(self):
        # grpc_call.c ends a run in "status" (an answer not HTTP 200) and
        # check_grpc.c in "tls" (grpcs): both are grpc results, counted,
        # and so in /metrics from the first scrape, beside not_serving.
        with HealthServer({"": "NOT_SERVING"}) as app, Daemon(
                *FAST, "--check", "app=grpc://127.0.0.1:%d" % app.port) as d:
            series = r'healthgate_check_results_total\{check="app",' \
                r'result="%s"\} (\d+)'

            def count(result):
                m = re.search(series % result, d.get("/metrics")[2].decode())
                return int(m.group(1)) if m else None
            self.assertIsNotNone(wait_until(
                lambda: (count("not_serving") or 0) >= 1, 3), d.log())
            for result in ("pass", "timeout", "refused", "connect",
                           "resolve", "status", "malformed", "grpc_status",
                           "reset", "tls"):
                self.assertEqual(count(result), 0, result)

    def test_named_service_and_unknown_service(self):
        with HealthServer({"": "SERVING", "shop.Cart": "SERVING"}) as app, \
                Daemon(*FAST, "--check",
                       "cart=grpc://127.0.0.1:%d/shop.Cart" % app.port,
                       "--check",
                       "nope=grpc://127.0.0.1:%d/shop.Nope" % app.port) as d:
            self.assertIsNotNone(wait_until(
                lambda: "NOT_FOUND" in output(d, "nope"), 3), d.log())
            self.assertEqual(output(d, "nope"),
                             "grpc-status 5 NOT_FOUND: unknown service")
            self.assertIsNotNone(wait_until(
                lambda: d.health()[1]["checks"]["cart:responseTime"][0]
                ["status"] == "pass", 3))
            self.assertIn("shop.Cart", [c[0] for c in app.calls])
            app.status["shop.Cart"] = "SERVICE_UNKNOWN"
            self.assertIsNotNone(wait_until(
                lambda: output(d, "cart") == "SERVICE_UNKNOWN", DOWN_WITHIN))

    def test_stopped_server_is_refused(self):
        app = HealthServer({"": "SERVING"})
        try:
            with Daemon(*FAST, "--check",
                        "app=grpc://127.0.0.1:%d" % app.port) as d:
                self.assertIsNotNone(wait_until(lambda: status(d) == 200, 3))
                app.stop()
                took = wait_until(lambda: status(d) == 503, 3)
                self.assertIsNotNone(took)
                bounded(self, took, DOWN_WITHIN, "down")
                self.assertIsNotNone(wait_until(
                    lambda: "Connection refused" in output(d, "app"), 1))
                self.assertIsNotNone(d.wait_log(
                    r'check_down name=app result=refused'))
        finally:
            app.stop()

    def test_server_that_never_answers_times_out(self):
        with Silent() as hang, Daemon(
                *FAST, "--check",
                "app=grpc://127.0.0.1:%d" % hang.port) as d:
            self.assertIsNotNone(wait_until(
                lambda: output(d, "app") == "timeout after 300 ms", 3),
                d.log())
            self.assertIsNotNone(d.wait_log(
                r'check_down name=app result=timeout'))

    def test_handler_that_hangs_times_out_and_health_stays_fast(self):
        with HealthServer({"": "SERVING"}) as app, Daemon(
                *FAST, "--check", "app=grpc://127.0.0.1:%d" % app.port) as d:
            self.assertIsNotNone(wait_until(lambda: status(d) == 200, 3))
            app.mode = "hang"
            self.assertIsNotNone(wait_until(
                lambda: output(d, "app").startswith("timeout"), 3))
            times = []
            for _ in range(50):
                t = time.monotonic()
                d.get("/health")
                times.append(time.monotonic() - t)
            times.sort()
            bounded(self, times[-1], 0.2, "slowest /health")

    def test_names_resolve_as_for_other_checks(self):
        with HealthServer({"": "SERVING"}) as app, Daemon(
                *FAST, "--check", "app=grpc://localhost:%d" % app.port) as d:
            self.assertIsNotNone(wait_until(lambda: status(d) == 200, 3),
                                 d.log())

    def test_bad_grpc_specs_are_refused_with_their_name(self):
        port = free_port()
        for spec, why in [
                ("grpc://127.0.0.1", "missing :PORT"),
                ("grpc://127.0.0.1:%d/a b" % port, "not a plain name"),
                ("grpc://127.0.0.1:%d?expect=200" % port,
                 "unknown parameter")]:
            p = subprocess.run([BINARY, "--check", spec], capture_output=True,
                               text=True, timeout=5)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertTrue(re.search(r"--check: .*" + why, p.stderr),
                            p.stderr)


if __name__ == "__main__":
    unittest.main()
