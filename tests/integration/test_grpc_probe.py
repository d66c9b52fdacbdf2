"""`healthgate probe grpc://...`, the container HEALTHCHECK of a gRPC app,
against a real grpcio health server: exit 0 on SERVING, 1 with the reason
on anything else, within its --timeout."""

import subprocess
import time
import unittest

from grpcpeer import HealthServer, Silent
from harness import BINARY, free_port
from test_robust import bounded


def probe(*args):
    t = time.monotonic()
    p = subprocess.run([BINARY, "probe", *args], capture_output=True,
                       text=True, timeout=10)
    return p.returncode, p.stdout + p.stderr, time.monotonic() - t


class GrpcProbe(unittest.TestCase):

    def test_serving_passes_and_the_rest_fails_with_why(self):
        with HealthServer({"": "SERVING", "shop.Cart": "NOT_SERVING"}) as app:
            url = "grpc://127.0.0.1:%d" % app.port
            rc, out, _ = probe(url)
            self.assertEqual(rc, 0, out)
            self.assertIn("SERVING", out)
            rc, out, _ = probe(url + "/shop.Cart")
            self.assertEqual(rc, 1)
            self.assertIn("NOT_SERVING", out)
            rc, out, _ = probe(url + "/shop.Nope")
            self.assertEqual(rc, 1)
            self.assertIn("grpc-status 5 NOT_FOUND: unknown service", out)
            rc, out, _ = probe("grpc://localhost:%d" % app.port)
            self.assertEqual(rc, 0, out)
            self.assertEqual(app.calls[0][0], "")
            self.assertEqual(app.calls[1][0], "shop.Cart")

    def test_refused_and_silent_fail_within_the_timeout(self):
        rc, out, _ = probe("grpc://127.0.0.1:%d" % free_port())
        self.assertEqual(rc, 1)
        self.assertIn("Connection refused", out)
        with Silent() as hang:
            rc, out, took = probe("--timeout", "300ms",
                                  "grpc://127.0.0.1:%d" % hang.port)
            self.assertEqual(rc, 1)
            self.assertIn("no answer within 300 ms", out)
            bounded(self, took, 1.5, "probe time")

    def test_bad_url_is_refused(self):
        rc, out, _ = probe("grpc://127.0.0.1")
        self.assertEqual(rc, 1)
        self.assertIn("missing :PORT", out)


if __name__ == "__main__":
    unittest.main()
