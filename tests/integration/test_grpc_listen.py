"""--grpc-listen against a real gRPC client (Debian's python3-grpcio,
grpcpeer.ask), read as an ALB code matcher (the status code) and as
Kubernetes' gRPC probe and grpc_health_probe (the message's status) read
it: SERVING while /health is 200; a failure by code and by body while a
check is down, in maintenance and draining; /AWS.ALB/healthcheck 12 only
when healthy. Plus the HTTP side's admission rules on the gRPC port."""

import re
import socket
import subprocess
import time
import unittest

from grpcpeer import HealthServer, ask, ask_stream
from harness import (BINARY, Daemon, Prober, SIGTERM, SIGUSR1, SIGUSR2,
                     wait_until)
from test_robust import bounded

ALB = "/AWS.ALB/healthcheck"
WATCH = "/grpc.health.v1.Health/Watch"
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def grpc_port(d):
    line = d.wait_log(r"grpc_listen listen=", 5)
    return int(re.search(r"listen=\S*:(\d+)", line).group(1))


def closed(sock, timeout):
    """True once the peer closed (or reset) sock within timeout."""
    sock.settimeout(timeout)
    try:
        while sock.recv(4096):
            pass
    except ConnectionResetError:
        pass
    except socket.timeout:
        return False
    return True


def grpc_daemon(*args, **kw):
    d = Daemon("--grpc-listen", "127.0.0.1:0", *args, **kw)
    d.gport = grpc_port(d)
    return d


class GrpcListen(unittest.TestCase):

    def assert_failed(self, port, why):
        """Failed for every reader: not OK, not SERVING, and its body (read
        as a stream) says NOT_SERVING; the ALB's path is not 12."""
        code, details, status = ask(port)
        self.assertEqual(code, "UNAVAILABLE")
        self.assertIsNone(status)
        self.assertIn("NOT_SERVING: " + why, details)
        got, code, _ = ask_stream(port)
        self.assertEqual((got, code), (["NOT_SERVING"], "UNAVAILABLE"))
        self.assertEqual(ask(port, path=ALB)[0], "UNAVAILABLE")
        self.assertEqual(ask(port, service="any.Service")[0], "UNAVAILABLE")

    def assert_serving(self, port):
        self.assertEqual(ask(port), ("OK", "", "SERVING"))
        self.assertEqual(ask_stream(port), (["SERVING"], "OK", ""))
        self.assertEqual(ask(port, path=ALB)[0], "UNIMPLEMENTED")
        # One verdict for every service name.
        self.assertEqual(ask(port, service="any.Service"),
                         ("OK", "", "SERVING"))

    def test_healthy_serving_watch_unimplemented(self):
        with grpc_daemon() as d:
            self.assert_serving(d.gport)
            code, details, _ = ask(d.gport, path=WATCH)
            self.assertEqual(code, "UNIMPLEMENTED")
            self.assertIn("use Check", details)
            _, _, metrics = d.get("/metrics")
            text = metrics.decode()
            self.assertIn('healthgate_grpc_answers_total{path="/grpc.health.'
                          'v1.Health/Check",grpc_status="0"} 3', text)
            self.assertIn('healthgate_grpc_answers_total{path="/AWS.ALB/'
                          'healthcheck",grpc_status="12"} 1', text)

    def test_check_down_fails_by_code_and_body(self):
        with HealthServer({"": "SERVING"}) as app, grpc_daemon(
                "--interval", "200ms", "--timeout", "150ms", "--check",
                "app=grpc://127.0.0.1:%d" % app.port) as d:
            self.assertIsNotNone(wait_until(
                lambda: ask(d.gport)[0] == "OK", 3), d.log())
            self.assert_serving(d.gport)
            app.status[""] = "NOT_SERVING"
            self.assertIsNotNone(wait_until(
                lambda: ask(d.gport)[0] == "UNAVAILABLE", 3))
            self.assertEqual(d.get("/health")[0], 503)
            self.assert_failed(d.gport, "1 of 1 checks down")
            app.status[""] = "SERVING"
            self.assertIsNotNone(wait_until(
                lambda: ask(d.gport)[0] == "OK", 3))

    def test_maintenance_fails_and_ends(self):
        with grpc_daemon() as d:
            d.signal(SIGUSR1)
            self.assertIsNotNone(wait_until(
                lambda: ask(d.gport)[0] == "UNAVAILABLE", 3))
            self.assert_failed(d.gport, "maintenance")
            d.signal(SIGUSR2)
            self.assertIsNotNone(wait_until(
                lambda: ask(d.gport)[0] == "OK", 3))
            self.assert_serving(d.gport)

    def test_draining_fails_until_exit(self):
        # An HTTP prober that can never see 50 failures holds the drain
        # open until the cap; the gRPC answers fail throughout.
        with grpc_daemon("--drain-fall", "50", "--drain-window", "1s",
                         "--drain-ignore", "none",
                         "--drain-timeout", "3s") as d:
            p = Prober(d, "127.0.0.2", period=0.2)
            p.start()
            self.assertTrue(wait_until(lambda: len(p.results) >= 2, 3))
            d.signal(SIGTERM)
            self.assertIsNotNone(d.wait_log(r"drain_start", 3))
            self.assert_failed(d.gport, "draining")
            self.assertEqual(d.wait(6), 0, d.log())
            p.stop()

    def test_healthgate_probe_reads_the_grpc_port(self):
        with grpc_daemon() as d:
            url = "grpc://127.0.0.1:%d" % d.gport
            p = subprocess.run([BINARY, "probe", url], capture_output=True,
                               text=True, timeout=10)
            self.assertEqual(p.returncode, 0, p.stderr)
            d.signal(SIGUSR1)
            self.assertIsNotNone(wait_until(
                lambda: ask(d.gport)[0] == "UNAVAILABLE", 3))
            p = subprocess.run([BINARY, "probe", url], capture_output=True,
                               text=True, timeout=10)
            self.assertEqual(p.returncode, 1)
            self.assertIn("grpc-status 14 UNAVAILABLE: NOT_SERVING: "
                          "maintenance", p.stderr)

    def test_probe_is_never_a_prober(self):
        # Only healthgate probe asked: SIGTERM finds no one to wait for.
        with grpc_daemon("--drain-timeout", "5s") as d:
            url = "grpc://127.0.0.1:%d" % d.gport
            for _ in range(3):
                subprocess.run([BINARY, "probe", url], capture_output=True,
                               timeout=10)
            t0 = time.monotonic()
            d.signal(SIGTERM)
            self.assertEqual(d.wait(4), 0)
            # No one watched: not the 5 s cap.
            self.assertLess(time.monotonic() - t0, 3.0)
            self.assertIsNotNone(d.wait_log(r"drain_start .*watched=0"))

    def test_per_address_limit_and_request_timeout(self):
        with grpc_daemon("--max-connections-per-ip", "2",
                         "--request-timeout", "1s") as d:
            socks = []
            for _ in range(3):
                s = socket.create_connection(("127.0.0.1", d.gport), 2)
                s.sendall(PREFACE)
                socks.append(s)
            # The third is closed at once; the first two after 1 s.
            self.assertTrue(closed(socks[2], 0.5))
            t0 = time.monotonic()
            for s in socks[:2]:
                self.assertTrue(closed(s, 3))
            took = time.monotonic() - t0
            self.assertGreater(took, 0.5)
            bounded(self, took, 2.0, "cut after the 1 s request timeout")
            for s in socks:
                s.close()
            text = d.get("/metrics")[2].decode()
            self.assertIn('healthgate_grpc_connections_refused_total'
                          '{reason="per_ip"} 1', text)
            self.assertIn('healthgate_grpc_connections_cut_total'
                          '{reason="request_timeout"} 2', text)
            self.assert_serving(d.gport)


if __name__ == "__main__":
    unittest.main()
