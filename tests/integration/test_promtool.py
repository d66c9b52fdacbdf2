"""promtool (Debian's prometheus package) checks /metrics in every state
the daemon can be in: checks up and down, an exec check timing out, names
resolving and failing (a DNS server on loopback in a mount namespace, as
test_resolve.py does), draining, and after evictions and refusals
(test_admission.py checks that one alone). Every text must pass
`promtool check metrics` and also parse as exposition format with
promtool's own parser (`promtool check metrics` lints; a parse error is an
error too)."""

import re
import shutil
import signal
import socket
import subprocess
import time
import unittest

from harness import Daemon, Upstream, free_port, wait_until
import test_resolve as tr

PROMTOOL = shutil.which("promtool")


def check(tc, d, what):
    _, _, text = d.get("/metrics")
    r = subprocess.run([PROMTOOL, "check", "metrics"], input=text,
                       capture_output=True, timeout=20)
    out = (r.stdout + r.stderr).decode()
    tc.assertEqual(r.returncode, 0, "%s: %s\n%s" % (what, out,
                                                     text.decode()))
    return text.decode()


@unittest.skipIf(PROMTOOL is None, "promtool not installed (scripts/deps.sh)")
class Promtool(unittest.TestCase):

    def test_up_down_timeout_and_draining(self):
        with Upstream() as up:
            with Daemon("--interval", "200ms", "--timeout", "150ms",
                        "--drain-timeout", "3s", "--drain-ignore", "none",
                        "--check", "app=http://127.0.0.1:%d/" % up.port,
                        "--check", "tcp=tcp://127.0.0.1:%d" % up.port,
                        "--check", "slow=exec:sleep 5",
                        "--check", "name=http://localhost:%d/" % up.port) \
                    as d:
                wait_until(lambda: "slow" in str(d.health()[1]) and
                           d.health()[1]["checks"]["slow:responseTime"][0]
                           .get("output", "") != "not run yet", 3)
                check(self, d, "app up, exec timing out")
                up.mode = 500
                self.assertIsNotNone(wait_until(
                    lambda: d.health()[1]["checks"]["app:responseTime"][0]
                    ["status"] == "fail", 3))
                check(self, d, "app down")
                # A watched prober, then SIGTERM: draining.
                d.get("/health", source="127.0.0.2")
                d.signal(signal.SIGTERM)
                self.assertIsNotNone(d.wait_log("drain_start"), d.log())
                text = check(self, d, "draining")
                self.assertIn("healthgate_draining 1", text)
                d.signal(signal.SIGTERM)
                self.assertIsNotNone(d.wait(5))

    def test_conventions_from_the_start(self):
        """Issue 29: before any check has failed, every result its kind
        can have is a series at 0, process_* and the verdict are there,
        and the Content-Type names the charset."""
        port = free_port()      # nothing listens: refused
        with Daemon("--interval", "300ms", "--timeout", "200ms",
                    "--check", "web=http://127.0.0.1:%d/" % port,
                    "--check", "db=tcp://127.0.0.1:%d" % port,
                    "--check", "cmd=exec:false") as d:
            _, headers, _ = d.get("/metrics")
            self.assertEqual(headers["content-type"],
                             "text/plain; version=0.0.4; charset=utf-8")
            text = check(self, d, "at start")
            for name, results in (
                    ("web", "pass timeout refused connect status malformed "
                            "resolve"),
                    ("db", "pass timeout refused connect resolve reply"),
                    ("cmd", "pass timeout exit spawn")):
                for r in results.split():
                    self.assertRegex(text, r'healthgate_check_results_total'
                                     r'\{check="%s",result="%s"\} \d+\n'
                                     % (name, r))
            for family in ("process_cpu_seconds_total", "process_open_fds",
                           "process_max_fds", "process_virtual_memory_bytes",
                           "process_virtual_memory_max_bytes",
                           "process_resident_memory_bytes",
                           "process_start_time_seconds"):
                self.assertRegex(text, r"\n%s [0-9.e+-]+\n" % family)
            start = float(re.search(r"\nprocess_start_time_seconds (\S+)",
                                    text).group(1))
            self.assertLess(abs(start - time.time()), 60)
            # All down by now: one reason is 1, the others 0.
            self.assertIsNotNone(wait_until(
                lambda: b'healthgate_health_status{reason="checks_down"} 1'
                in d.get("/metrics")[2], 3))
            d.signal(signal.SIGUSR1)
            self.assertIsNotNone(wait_until(
                lambda: b'healthgate_health_status{reason="maintenance"} 1'
                in d.get("/metrics")[2], 3))
            text = check(self, d, "maintenance")
            self.assertEqual(len(re.findall(
                r"\nhealthgate_health_status\{reason=\"\w+\"\} 1\n",
                text)), 1, text)

    def test_requests_and_grpc_answers_from_the_start(self):
        """Every path and code pair a route can answer, HTTP and gRPC, is a
        series from the first scrape (0 until it happens), so rate() and
        an alert on /health's 503s see the first one; pairs no route
        answers are not."""
        from test_grpc_listen import grpc_port
        with Daemon("--grpc-listen", "127.0.0.1:0") as d:
            grpc_port(d)
            text = check(self, d, "at start")
            pairs = {
                "/health": "200 400 405 413 503", "/live": "200 400 405 413",
                "/metrics": "200 400 405 413",
                "/admin/": "200 202 400 403 404 405 413 503",
                "other": "400 404 405 413"}
            for path, codes in pairs.items():
                for code in codes.split():
                    self.assertRegex(text, r'\nhealthgate_requests_total\{'
                                     r'path="%s",code="%s"\} \d+\n'
                                     % (re.escape(path), code))
            self.assertIn('\nhealthgate_requests_total{path="/health",'
                          'code="503"} 0\n', text)
            self.assertEqual(len(re.findall(
                r"\nhealthgate_requests_total\{", text)), 25, text)
            answers = {
                "/grpc.health.v1.Health/Check": "0 3 14",
                "/AWS.ALB/healthcheck": "12 14",
                "/grpc.health.v1.Health/Watch": "12", "other": "12 14"}
            for path, codes in answers.items():
                for code in codes.split():
                    self.assertIn('\nhealthgate_grpc_answers_total{path="%s",'
                                  'grpc_status="%s"} 0\n' % (path, code),
                                  text)
            self.assertEqual(len(re.findall(
                r"\nhealthgate_grpc_answers_total\{", text)), 8, text)

    def test_after_evictions_and_refusals(self):
        with Daemon("--max-connections", "4", "--max-connections-per-ip",
                    "3", "--request-timeout", "1s") as d:
            socks = []
            for i in range(10):
                s = socket.socket()
                s.bind(("127.0.0.%d" % (20 + i % 3), 0))
                s.connect(("127.0.0.1", d.port))
                s.send(b"GET /health HTTP/1.1\r\nHo")
                socks.append(s)
            time.sleep(1.5)
            text = check(self, d, "evicted, refused, timed out")
            for s in socks:
                s.close()
            self.assertIn('reason="request_timeout"', text)

    @unittest.skipUnless(tr.CAN, "needs root and unshare -m")
    def test_names_resolving_and_failing(self):
        dns = tr.DNS()
        app = tr.App("127.0.0.1", 0)
        box = tr.Box(["127.0.0.1 app.hosts"], dns.ip)
        mute = tr.DNS(mode="mute")
        box2 = tr.Box([], mute.ip)
        try:
            with box.daemon("--interval", "300ms", "--timeout", "250ms",
                            "--check", "a=http://app.hosts:%d/" % app.port,
                            "--check", "b=http://gone.test:%d/" % app.port) \
                    as d:
                self.assertIsNotNone(wait_until(
                    lambda: tr.output(d.health()[1], "b") != "not run yet",
                    5))
                text = check(self, d, "a resolving, b NXDOMAIN")
                self.assertIn('healthgate_check_lookup_failures_total'
                              '{check="b"}', text)
            with box2.daemon("--interval", "300ms", "--timeout", "250ms",
                             "--check", "m=tcp://mute.test:1") as d:
                self.assertIsNotNone(wait_until(
                    lambda: tr.output(d.health()[1], "m") != "not run yet",
                    5))
                check(self, d, "a lookup never answered")
        finally:
            for o in (box2, mute, box, app, dns):
                o.close()


if __name__ == "__main__":
    unittest.main()
