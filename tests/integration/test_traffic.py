"""The drain on the app's own traffic (traffic.c, quiet.c): what the app's
sockets show through inet_diag decides when the drain ends.

The app here is a small HTTP server in this process, healthgate a sidecar
whose check points at it (so its port is the app port by default). The
clients are real TCP clients on loopback; every wait is bounded."""

import http.client
import json
import re
import subprocess
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness import BINARY, Daemon, SIGTERM, free_port, wait_until


class App:
    """An HTTP app on loopback that answers /slow after delay seconds
    (anything else at once); records when each answer was sent
    (time.monotonic)."""

    def __init__(self, delay=0.0):
        self.delay = delay
        self.answered = []
        app = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                if self.path == "/slow":
                    time.sleep(app.delay)
                body = b"ok\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                app.answered.append(time.monotonic())

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A client gone before its answer is no error of the test's.
        self.server.handle_error = lambda *a: None
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Client(threading.Thread):
    """Keep-alive GETs to the app every period until stopped; records the
    end of each request and any failure."""

    def __init__(self, port, period=0.05):
        super().__init__(daemon=True)
        self.port, self.period = port, period
        self.ends, self.errors = [], []
        self.halt = threading.Event()

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        while not self.halt.is_set():
            try:
                conn.request("GET", "/")
                conn.getresponse().read()
                self.ends.append(time.monotonic())
            except (OSError, http.client.HTTPException) as e:
                self.errors.append(repr(e))
                conn.close()
            self.halt.wait(self.period)
        conn.close()


def when(d, pattern, timeout=10):
    """The monotonic time a log line matching pattern was seen (polled)."""
    found = []

    def seen():
        if d.wait_log(pattern, 0) is not None:
            found.append(time.monotonic())
            return True
        return False
    wait_until(seen, timeout, step=0.005)
    return found[0] if found else None


class Traffic(unittest.TestCase):
    def setUp(self):
        self.apps, self.daemons, self.clients = [], [], []

    def tearDown(self):
        for c in self.clients:
            c.halt.set()
            c.join(3)
        for d in self.daemons:
            d.kill()
        for a in self.apps:
            a.close()

    def start(self, *flags, delay=0.0):
        app = App(delay)
        self.apps.append(app)
        d = Daemon("--check", "http://127.0.0.1:%d/" % app.port, *flags)
        self.daemons.append(d)
        self.assertIsNotNone(d.wait_log(r"traffic_seen ports=%d\b" % app.port,
                                        10), d.log())
        return app, d

    def test_idle_app_with_one_curl_is_gone_within_a_second(self):
        """Acceptance 3: nothing routes to the app; one curl /health just
        before the stop does not hold it."""
        app, d = self.start()
        status, _, _ = d.get("/health", headers={"User-Agent": "curl/8.5.0"})
        self.assertEqual(status, 200)
        t0 = time.monotonic()
        d.signal(SIGTERM)
        self.assertEqual(d.wait(3), 0, d.log())
        gone = time.monotonic() - t0
        self.assertLess(gone, 1.0, d.log())
        self.assertIsNotNone(d.wait_log(
            r"drain_not_waiting probers=127.0.0.1/curl", 2), d.log())
        self.assertIsNotNone(d.wait_log(
            r"drain_end reason=quiet watched=0 .* arrivals=0", 2), d.log())

    def test_own_checks_are_not_the_apps_traffic(self):
        """A check ten times a second never looks like traffic."""
        app, d = self.start("--interval", "100ms", "--timeout", "80ms")
        time.sleep(1.0)
        t0 = time.monotonic()
        d.signal(SIGTERM)
        # The quiet floor (0.5 s): on a loaded machine, give it room.
        self.assertEqual(d.wait(10), 0, d.log())
        self.assertLess(time.monotonic() - t0, 3.0, d.log())
        self.assertIsNotNone(d.wait_log(
            r"drain_end reason=quiet .*conns=0 .*arrivals=0", 2), d.log())

    def test_an_exec_checks_requests_are_not_the_apps_traffic(self):
        """An exec check that asks the app itself (curl, a client): its
        connections are not healthgate's own sockets, and they kept the
        traffic from ever being quiet: the drain ran to its cap (seen
        under systemd, 30 s). The checks stop when the drain begins."""
        app = App()
        self.apps.append(app)
        d = Daemon("--interval", "200ms", "--timeout", "150ms",
                   "--drain-timeout", "10s", "--app-port", str(app.port),
                   "--check", "ask=exec:curl -fsS -o /dev/null "
                   "http://127.0.0.1:%d/" % app.port)
        self.daemons.append(d)
        self.assertIsNotNone(d.wait_log(r"check_up name=ask", 10), d.log())
        time.sleep(1.0)
        t0 = time.monotonic()
        d.signal(SIGTERM)
        self.assertEqual(d.wait(12), 0, d.log())
        self.assertLess(time.monotonic() - t0, 3.0, d.log())
        self.assertIsNotNone(d.wait_log(r"drain_end reason=quiet", 2),
                             d.log())

    def test_busy_app_drains_until_its_traffic_stops(self):
        """Requests every 50 ms go on for 1.5 s after SIGTERM (the router's
        lag): the drain outlasts them, and ends soon after the last."""
        app, d = self.start()
        c = Client(app.port)
        self.clients.append(c)
        c.start()
        time.sleep(0.5)
        d.signal(SIGTERM)
        time.sleep(1.5)
        self.assertIsNone(d.proc.poll(), d.log())
        c.halt.set()
        c.join(3)
        last = c.ends[-1]
        self.assertEqual(d.wait(5), 0, d.log())
        end = time.monotonic()
        self.assertEqual(c.errors, [])
        # Quiet for at least the floor after the last request, and not
        # much more than the period its gaps give (8 x ~55 ms).
        self.assertGreater(end - last, 0.45, d.log())
        self.assertLess(end - last, 2.0, d.log())
        line = d.wait_log(r"drain_end reason=quiet", 2)
        self.assertIsNotNone(line, d.log())
        n = int(re.search(r"arrivals=(\d+)", line).group(1))
        self.assertGreater(n, 10, line)

    def test_request_in_flight_holds_the_drain_until_answered(self):
        """A request the app answers 1.5 s later: the drain waits for it,
        though the quiet period (fixed at 0.5 s here) runs out first."""
        app, d = self.start("--drain-quiet", "500ms", delay=1.5)
        result = []

        def one():
            conn = http.client.HTTPConnection("127.0.0.1", app.port,
                                              timeout=5)
            conn.request("GET", "/slow")
            result.append(conn.getresponse().status)
            conn.close()
        t = threading.Thread(target=one, daemon=True)
        t.start()
        # The request is in before the stop.
        wait_until(lambda: d.get("/metrics") is not None, 1)
        time.sleep(0.2)
        d.signal(SIGTERM)
        time.sleep(0.7)
        _, _, body = d.get("/metrics")
        body = body.decode()
        self.assertIn("healthgate_app_connections 1\n", body)
        self.assertIn("healthgate_app_pending_connections 1\n", body)
        # /admin/status says what the drain waits for: this answer.
        _, _, body = d.get("/admin/status")
        app_traffic = json.loads(body)["drain"]["waiting_for"]["app"]
        self.assertEqual(app_traffic["connections"], 1, body)
        self.assertEqual(app_traffic["pending"], 1, body)
        self.assertEqual(app_traffic["quiet_period_ms"], 500, body)
        self.assertGreaterEqual(app_traffic["last_arrival_ms_ago"], 500, body)
        self.assertEqual(d.wait(5), 0, d.log())
        end = time.monotonic()
        t.join(3)
        self.assertEqual(result, [200])
        self.assertGreaterEqual(end, app.answered[-1], d.log())

    def test_port_nobody_listens_on_warns_once_and_drains_as_before(self):
        """Acceptance 4: the app's port shows no listener here (another
        network namespace, as an ECS bridge-mode sidecar sees it): one
        warning naming the port and the fallback, and today's drain."""
        port = free_port()
        app = App()
        self.apps.append(app)
        d = Daemon("--check", "http://127.0.0.1:%d/" % app.port,
                   "--app-port", str(port))
        self.daemons.append(d)
        line = d.wait_log(r"warn traffic_unseen", 10)
        self.assertIsNotNone(line, d.log())
        self.assertIn("port=%d " % port, line)
        self.assertIn("fallback=", line)
        d.signal(SIGTERM)
        self.assertEqual(d.wait(3), 0, d.log())
        self.assertIsNotNone(d.wait_log(
            r"drain_start .*traffic=unseen", 2), d.log())
        self.assertIsNotNone(d.wait_log(r"drain_end reason=idle", 2))
        d.kill()    # its stderr read to the end
        self.assertEqual(d.log().count("traffic_unseen"), 1, d.log())

    def test_no_local_check_warns_at_start(self):
        """No http, tcp or tls check on this host and no --app-port: said once,
        at start; --app-port none says nothing."""
        d = Daemon("--check", "exec:true")
        self.daemons.append(d)
        self.assertIsNotNone(d.wait_log(
            r"warn traffic_unseen reason=\"no app port", 5), d.log())
        d.signal(SIGTERM)
        self.assertEqual(d.wait(3), 0)
        d.kill()    # its stderr read to the end
        self.assertEqual(d.log().count("traffic_unseen"), 1, d.log())
        quiet = Daemon("--check", "exec:true", "--app-port", "none")
        self.daemons.append(quiet)
        quiet.signal(SIGTERM)
        self.assertEqual(quiet.wait(3), 0)
        quiet.kill()
        self.assertNotIn("traffic_unseen", quiet.log())

    def test_kubelet_probes_are_seen_never_waited_for(self):
        """kube-probe/ on /health: logged by name, counted in /metrics."""
        app, d = self.start()
        for _ in range(2):
            d.get("/health", headers={"User-Agent": "kube-probe/1.31"})
        _, _, body = d.get("/metrics")
        self.assertIn("healthgate_drain_nonrouting_probers 1\n",
                      body.decode())
        d.signal(SIGTERM)
        self.assertEqual(d.wait(3), 0, d.log())
        self.assertIsNotNone(d.wait_log(
            r"drain_start .*watched=0 nonrouting=1 .*traffic=seen", 2))
        self.assertIsNotNone(d.wait_log(
            r"drain_not_waiting probers=127.0.0.1/kube-probe", 2))

    def test_app_port_and_drain_quiet_values_are_checked(self):
        bad = [("--app-port", v) for v in (
            "0", "65536", "80,", "a", ",80", "80 81",
            ",".join(str(p) for p in range(1, 18)))]
        bad += [("--drain-quiet", v) for v in ("0", "-1s", "soon", "2d")]
        for flag, v in bad:
            r = subprocess.run([BINARY, flag, v], capture_output=True,
                               text=True, timeout=5)
            self.assertEqual(r.returncode, 2, (flag, v))
            self.assertIn('%s: "%s"' % (flag, v), r.stderr)


if __name__ == "__main__":
    unittest.main()
