"""make image-test, the part for an image this machine cannot run: the
binary taken out of the linux/arm64 image, run here under qemu-user
(HEALTHGATE_WRAP=qemu-aarch64-static, which runs it directly: no binfmt
needed). It answers --version, serves /health, runs a check against an app
on loopback and follows it, drains on SIGTERM until a prober has seen its
503s, runs an https:// check (BearSSL built for arm64) against
openssl s_server with a certificate from a CA made here, and a grpc://
check that follows a grpcio server while --grpc-listen answers a grpcio
client (nghttp2 built for arm64). The same harness as tests/integration;
loopback only, every wait bounded.

usage: HEALTHGATE_BIN=... HEALTHGATE_WRAP=qemu-aarch64-static \
       python3 tests/image/test_qemu.py VERSION"""

import os
import signal
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..",
                                "integration"))
from harness import BINARY, Daemon, Prober, Upstream, wait_until  # noqa
from grpcpeer import HealthServer, ask  # noqa
from test_tls import Pki, SServer, now  # noqa
import datetime  # noqa

VERSION = sys.argv.pop(1) if len(sys.argv) > 1 else None
WRAP = os.environ.get("HEALTHGATE_WRAP", "").split()


class Emulated(unittest.TestCase):
    def test_version(self):
        out = subprocess.run(WRAP + [BINARY, "--version"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.strip(), "healthgate %s" % VERSION)

    def test_health_a_check_and_a_drain(self):
        with Upstream() as app, Daemon(
                "--check", "app=http://127.0.0.1:%d/ok?interval=300ms"
                "&timeout=250ms" % app.port,
                "--drain-ignore", "none", "--drain-fall", "2",
                "--drain-window", "5s", "--drain-timeout", "10s") as d:
            self.assertIsNotNone(
                wait_until(lambda: d.health()[0] == 200, 5),
                "/health never 200 with the app up:\n" + d.log())
            app.mode = 500
            self.assertIsNotNone(
                wait_until(lambda: d.health()[0] == 503, 5),
                "/health never 503 with the app answering 500:\n" + d.log())
            self.assertIsNotNone(d.wait_log(r"check_down name=app", 1),
                                 d.log())
            app.mode = 200
            self.assertIsNotNone(
                wait_until(lambda: d.health()[0] == 200, 5),
                "/health never 200 again:\n" + d.log())

            # A load balancer's prober, watched (--drain-ignore none), then
            # SIGTERM: the drain ends once it has been served two 503s.
            prober = Prober(d, "127.0.0.1", period=0.1)
            prober.start()
            try:
                self.assertIsNotNone(
                    wait_until(lambda: prober.results.count(200) >= 2, 5))
                d.signal(signal.SIGTERM)
                status = d.wait(10)
            finally:
                prober.stop()
            self.assertEqual(status, 0, d.log())
            # evidence: the prober's 503s; quiet: those and the app's
            # traffic, where the binary can read it (libmnl linked).
            self.assertIsNotNone(
                d.wait_log(r"drain_end reason=(evidence|quiet)", 1), d.log())
            self.assertGreaterEqual(prober.results.count(503), 2,
                                    prober.results)

    def test_grpc_check_and_grpc_listen(self):
        with HealthServer({"": "SERVING"}) as app, Daemon(
                "--grpc-listen", "127.0.0.1:0", "--check",
                "app=grpc://127.0.0.1:%d?interval=500ms&timeout=400ms"
                % app.port) as d:
            line = d.wait_log(r"grpc_listen listen=", 5)
            self.assertIsNotNone(line, d.log())
            gport = int(line.rsplit(":", 1)[1])
            self.assertIsNotNone(
                wait_until(lambda: ask(gport)[0] == "OK", 8),
                "gRPC never SERVING with the app serving:\n" + d.log())
            self.assertEqual(ask(gport), ("OK", "", "SERVING"))
            app.status[""] = "NOT_SERVING"
            self.assertIsNotNone(
                wait_until(lambda: d.health()[0] == 503, 8),
                "/health never 503 with the app NOT_SERVING:\n" + d.log())
            self.assertIsNotNone(d.wait_log(
                r"check_down name=app result=not_serving", 1), d.log())
            code, details, _ = ask(gport)
            self.assertEqual(code, "UNAVAILABLE")
            self.assertIn("NOT_SERVING: 1 of 1 checks down", details)


    def test_https_check(self):
        pki = Pki()
        t = now()
        crt, key = pki.cert("srv", "localhost", ["localhost"],
                            t - datetime.timedelta(days=1),
                            t + datetime.timedelta(days=5))
        srv = SServer(crt, key)
        try:
            # An emulated handshake is slow: a generous deadline.
            with Daemon("--interval", "3s", "--timeout", "2500ms",
                        "--check", "good=https://localhost:%d/?ca=%s" % (
                            srv.port, pki.ca),
                        "--check", "bad=https://localhost:%d/?ca=%s&sni="
                        "other.example" % (srv.port, pki.ca)) as d:
                self.assertIsNotNone(
                    wait_until(lambda: d.health()[1]["checks"][
                        "good:responseTime"][0]["status"] == "pass", 20),
                    "https check never up under qemu:\n" + d.log())
                self.assertIsNotNone(d.wait_log(
                    r"check_down name=bad result=tls reason=\"tls: name "
                    r"mismatch \(wanted other.example\)", 20), d.log())
        finally:
            srv.close()
            pki.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
