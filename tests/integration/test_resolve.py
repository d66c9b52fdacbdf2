"""Check hosts by name: healthgate in a mount namespace of its own with its
own /etc/hosts and /etc/resolv.conf bind-mounted over the system's, as a
container runtime sets them up, against a small DNS server this test runs
on a loopback address of its own (127.53.x.y:53). Loopback only; every
wait is bounded. Needs root (unshare -m, port 53)."""

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness import Daemon, wait_until, BINARY

try:
    import dnslib
except ImportError:
    # Debian's python3-dnslib, for a python3 that is not Debian's.
    sys.path.append("/usr/lib/python3/dist-packages")
    import dnslib

UNDER_TOOL = bool(os.environ.get("HEALTHGATE_WRAP") or
                  os.environ.get("HEALTHGATE_SANITIZED"))
CAN = os.geteuid() == 0 and subprocess.run(
    ["unshare", "-m", "true"], capture_output=True).returncode == 0

_next_ip = [os.getpid() % 200 + 2, 0]


def loopback_ip():
    """A loopback address no other test uses: 127.53.<pid>.<n>."""
    _next_ip[1] += 1
    return "127.53.%d.%d" % (_next_ip[0], _next_ip[1])


class DNS:
    """A DNS server on ip:53 (UDP) that answers from zone, a dict of
    name -> {"A": [...], "AAAA": [...], "ttl": s}, NXDOMAIN for the rest.
    mode "mute": the socket is bound but never read, so no query is ever
    answered. Counts the queries for each name."""

    def __init__(self, zone=None, mode="answer"):
        self.ip = loopback_ip()
        self.zone = zone or {}
        self.mode = mode
        self.queries = {}
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((self.ip, 53))
        self.sock.settimeout(0.1)
        self._halt = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        if mode == "answer":
            self.thread.start()

    def set(self, name, **rec):
        with self.lock:
            if rec:
                self.zone[name] = rec
            else:
                self.zone.pop(name, None)

    def asked(self, name):
        with self.lock:
            return self.queries.get(name, 0)

    def _serve(self):
        while not self._halt.is_set():
            try:
                data, peer = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                q = dnslib.DNSRecord.parse(data)
            except Exception:
                continue
            name = str(q.q.qname).rstrip(".").lower()
            qtype = dnslib.QTYPE[q.q.qtype]
            with self.lock:
                self.queries[name] = self.queries.get(name, 0) + 1
                rec = self.zone.get(name)
                r = q.reply()
                if rec is None:
                    r.header.rcode = dnslib.RCODE.NXDOMAIN
                else:
                    for ip in rec.get(qtype, []):
                        rd = dnslib.A(ip) if qtype == "A" else dnslib.AAAA(ip)
                        r.add_answer(dnslib.RR(q.q.qname, q.q.qtype,
                                               rdata=rd, ttl=rec["ttl"]))
            self.sock.sendto(r.pack(), peer)

    def close(self):
        self._halt.set()
        if self.thread.is_alive():
            self.thread.join(2)
        self.sock.close()


class App:
    """An HTTP app on ip:port answering status, counting its hits."""

    def __init__(self, ip, port, status=200):
        self.hits = 0
        app = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                app.hits += 1
                self.send_response(status)
                self.send_header("Content-Length", "3")
                self.end_headers()
                self.wfile.write(b"ok\n")

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer((ip, port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Box:
    """What a container runtime gives a container: an /etc/hosts and an
    /etc/resolv.conf, bind-mounted in a mount namespace of its own."""

    def __init__(self, hosts_lines, nameserver):
        self.dir = tempfile.TemporaryDirectory(prefix="hg-resolve-")
        self.hosts = os.path.join(self.dir.name, "hosts")
        self.resolv = os.path.join(self.dir.name, "resolv.conf")
        with open(self.hosts, "w") as f:
            f.write("127.0.0.1 localhost\n::1 localhost\n")
            f.write("".join(l + "\n" for l in hosts_lines))
        with open(self.resolv, "w") as f:
            f.write("nameserver %s\noptions timeout:1 attempts:2\n"
                    % nameserver)
        self.prefix = ["unshare", "-m", "sh", "-c",
                       'mount --bind "$1" /etc/hosts && '
                       'mount --bind "$2" /etc/resolv.conf && '
                       'shift 2 && exec "$@"', "sh", self.hosts, self.resolv]

    def daemon(self, *args):
        return Daemon(*args, prefix=self.prefix)

    def probe(self, *args):
        return subprocess.run(self.prefix + [BINARY, "probe"] + list(args),
                              capture_output=True, text=True, timeout=10)

    def close(self):
        self.dir.cleanup()


def output(body, check):
    return body["checks"][check + ":responseTime"][0].get("output", "")


def status_of(body, check):
    return body["checks"][check + ":responseTime"][0]["status"]


def metric(d, name, check):
    _, _, text = d.get("/metrics")
    for line in text.decode().splitlines():
        if line.startswith('%s{check="%s"} ' % (name, check)):
            return int(line.split()[-1])
    return None


@unittest.skipUnless(CAN, "needs root and unshare -m (mount namespaces)")
class TestResolve(unittest.TestCase):

    def setUp(self):
        self.cleanup = []

    def tearDown(self):
        for f in reversed(self.cleanup):
            f()

    def keep(self, obj):
        self.cleanup.append(obj.close)
        return obj

    def test_names_from_the_hosts_file(self):
        dns = self.keep(DNS())
        app = self.keep(App("127.0.0.1", 0))
        box = self.keep(Box(["127.0.0.1 app.hosts db.hosts"], dns.ip))
        with box.daemon("--interval", "300ms", "--timeout", "250ms",
                        "--check", "web=http://app.hosts:%d/health" % app.port,
                        "--check", "db=tcp://db.hosts:%d" % app.port) as d:
            took = wait_until(lambda: d.health()[0] == 200, 5)
            self.assertIsNotNone(took, d.log())
            self.assertIn("check_address name=web host=app.hosts "
                          "addr=127.0.0.1", d.log())
            r = box.probe("--timeout", "1s",
                          "http://app.hosts:%d/health" % app.port)
            self.assertEqual(r.returncode, 0, r.stderr)
        # The hosts file answered: the nameserver was never asked.
        self.assertEqual(dns.asked("app.hosts") + dns.asked("db.hosts"), 0)
        print("\n  hosts file: http and tcp checks up after %.2f s, probe "
              "200, 0 queries to the nameserver" % took)

    def test_names_the_server_answers_a_and_aaaa(self):
        dns = self.keep(DNS({"web.test": {"A": ["127.0.0.1"], "ttl": 30},
                             "v6.test": {"AAAA": ["::1"], "ttl": 30}}))
        app = self.keep(App("127.0.0.1", 0))
        v6 = socket.socket(socket.AF_INET6)
        v6.bind(("::1", 0))
        v6.listen(16)
        self.cleanup.append(v6.close)
        box = self.keep(Box([], dns.ip))
        with box.daemon("--interval", "300ms", "--timeout", "250ms",
                        "--check", "web=http://web.test:%d/" % app.port,
                        "--check", "v6=tcp://v6.test:%d"
                        % v6.getsockname()[1]) as d:
            took = wait_until(lambda: d.health()[0] == 200, 5)
            self.assertIsNotNone(took, d.log())
            self.assertIn("host=v6.test addr=::1", d.log())
            # TTL 30: one lookup each, then the kept answer.
            time.sleep(1.0)
            self.assertEqual(metric(d, "healthgate_check_lookups_total",
                                    "web"), 1)
            self.assertEqual(metric(
                d, "healthgate_check_lookup_failures_total", "web"), 0)
            r = box.probe("--timeout", "1s", "http://web.test:%d/" % app.port)
            self.assertEqual(r.returncode, 0, r.stderr)
        self.assertGreaterEqual(dns.asked("web.test"), 2)   # A and AAAA
        print("\n  nameserver: A-only http and AAAA-only tcp checks up "
              "after %.2f s, 1 lookup each within the TTL, probe 200" % took)

    def test_a_changed_answer_is_followed_within_ttl_and_interval(self):
        ttl, interval = 2, 0.5
        old_ip, new_ip = loopback_ip(), loopback_ip()
        old = self.keep(App(old_ip, 0))
        new = self.keep(App(new_ip, old.port))
        dns = self.keep(DNS({"app.test": {"A": [old_ip], "ttl": ttl}}))
        box = self.keep(Box([], dns.ip))
        with box.daemon("--interval", "500ms", "--timeout", "400ms",
                        "--check", "app=http://app.test:%d/" % old.port) as d:
            self.assertIsNotNone(wait_until(lambda: old.hits > 0, 5),
                                 d.log())
            dns.set("app.test", A=[new_ip], ttl=ttl)
            took = wait_until(lambda: new.hits > 0, ttl + interval + 3)
            self.assertIsNotNone(took, d.log())
            self.assertLessEqual(took, ttl + interval + 0.5, d.log())
            hits = old.hits
            time.sleep(2 * interval)
            self.assertEqual(old.hits, hits)        # left for good
            self.assertEqual(d.health()[0], 200)
            lines = [l for l in d.log().splitlines()
                     if "check_address" in l and "was=" in l]
            self.assertEqual(len(lines), 1, d.log())
            self.assertIn("addr=%s was=%s" % (new_ip, old_ip), lines[0])
        print("\n  changed answer followed after %.2f s (TTL %d s + "
              "interval %.1f s allowed), logged once: %s"
              % (took, ttl, interval, lines[0].split(" info ")[-1]))

    def test_a_failed_connect_looks_the_name_up_again_at_once(self):
        # TTL 300: only the failed connect can make it ask again so soon.
        dead_ip, live_ip = loopback_ip(), loopback_ip()
        live = self.keep(App(live_ip, 0))
        dns = self.keep(DNS({"moved.test": {"A": [dead_ip], "ttl": 300}}))
        box = self.keep(Box([], dns.ip))
        with box.daemon("--interval", "300ms", "--timeout", "250ms",
                        "--check", "app=tcp://moved.test:%d" % live.port) as d:
            self.assertIsNotNone(wait_until(
                lambda: "refused" in output(d.health()[1], "app"), 5),
                d.log())
            dns.set("moved.test", A=[live_ip], ttl=300)
            took = wait_until(lambda: d.health()[0] == 200, 3)
            self.assertIsNotNone(took, d.log())
            n = metric(d, "healthgate_check_lookups_total", "app")
            self.assertGreaterEqual(n, 2)
        print("\n  refused at the old address (TTL 300 s): asked again, up "
              "at the new one %.2f s after the change, %d lookups" % (took, n))

    def test_nxdomain_fails_the_check_with_why_and_recovers(self):
        dns = self.keep(DNS())
        app = self.keep(App("127.0.0.1", 0))
        box = self.keep(Box([], dns.ip))
        with box.daemon("--interval", "300ms", "--timeout", "250ms",
                        "--check", "app=http://late.test:%d/" % app.port) as d:
            self.assertIsNotNone(wait_until(
                lambda: output(d.health()[1], "app") != "not run yet", 5))
            status, body = d.health()
            self.assertEqual(status, 503)
            self.assertEqual(output(body, "app"),
                             "resolve late.test: no such name")
            r = box.probe("--timeout", "1s", "http://late.test:%d/" % app.port)
            self.assertEqual(r.returncode, 1)
            self.assertIn("resolve late.test: no such name", r.stderr)
            # The name appears: the next run finds it.
            dns.set("late.test", A=["127.0.0.1"], ttl=30)
            took = wait_until(lambda: d.health()[0] == 200, 3)
            self.assertIsNotNone(took, d.log())
            self.assertGreaterEqual(metric(
                d, "healthgate_check_lookup_failures_total", "app"), 1)
            self.assertGreater(metric(d, "healthgate_check_lookups_total",
                                      "app"),
                               metric(d, "healthgate_check_lookup_failures_total",
                                      "app"))
        print("\n  NXDOMAIN: 503 with \"resolve late.test: no such name\", "
              "probe exit 1; up %.2f s after the name appeared" % took)

    def test_a_server_that_never_answers_never_slows_health(self):
        dns = self.keep(DNS(mode="mute"))
        app = self.keep(App("127.0.0.1", 0))
        box = self.keep(Box([], dns.ip))
        start = time.monotonic()
        with box.daemon("--interval", "500ms", "--timeout", "400ms",
                        "--check", "app=http://app.test:%d/" % app.port) as d:
            started = time.monotonic() - start
            lat = []
            bodies = []
            end = time.monotonic() + 3.0
            while time.monotonic() < end:
                t0 = time.monotonic()
                status, body = d.health(timeout=1.0)
                lat.append((time.monotonic() - t0) * 1000)
                bodies.append((status, output(body, "app")))
                time.sleep(0.02)
            self.assertTrue(all(s == 503 for s, _ in bodies))
            whys = {o for _, o in bodies}
            self.assertIn("resolve app.test: no answer within 400 ms", whys)
            self.assertEqual(d.get("/live")[0], 200)
            p0 = time.monotonic()
            r = box.probe("--timeout", "700ms", "http://app.test:%d/"
                          % app.port)
            probe_took = time.monotonic() - p0
            self.assertEqual(r.returncode, 1)
            self.assertIn("resolve app.test: no answer within", r.stderr)
        lat.sort()
        p50, p99, worst = (lat[len(lat) // 2], lat[int(len(lat) * .99)],
                           lat[-1])
        if not UNDER_TOOL:
            self.assertLess(worst, 50.0)
            self.assertLess(p50, 5.0)
        print("\n  mute nameserver: started in %.2f s; %d /health polls, "
              "latency p50 %.2f ms, p99 %.2f ms, max %.2f ms; check says "
              "\"resolve app.test: no answer within 400 ms\"; probe gave up "
              "in %.2f s (deadline 0.7 s)"
              % (started, len(lat), p50, p99, worst, probe_took))


if __name__ == "__main__":
    unittest.main()
