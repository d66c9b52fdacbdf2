"""https:// and tls:// checks against TLS servers nobody on the project
wrote: `openssl s_server` and Python's ssl module, with certificates this
test makes with `openssl req` and `openssl ca` (a local CA): valid,
expired, not yet valid, wrong name, self-signed, a server that wants a
client certificate, one that accepts TCP and never reads the ClientHello,
ones that answer garbage. Then `healthgate probe https://...` against the
same. Loopback only; every server is this test's, stopped by its pid or
its socket; every wait bounded."""

import datetime
import os
import re
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness import BINARY, SIGTERM, Daemon, free_port, wait_until

WRAPPED = bool(os.environ.get("HEALTHGATE_WRAP"))
# Under valgrind a handshake's ECDHE and signature checks take a second.
TIMEOUT = "3s" if WRAPPED else "1s"
INTERVAL = "4s" if WRAPPED else "1500ms"
SETTLE = 25 if WRAPPED else 8          # s for a first verdict


def run(*cmd, **kw):
    subprocess.run(cmd, check=True, capture_output=True, timeout=60, **kw)


class Pki:
    """A CA and certificates signed by it, in a temporary directory."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="healthgate-tls-")
        self.dir = self.tmp.name
        self.ca = self.path("ca.pem")
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-keyout", self.path("ca.key"), "-out", self.ca, "-days", "3650",
            "-subj", "/CN=healthgate test CA")
        with open(self.path("index.txt"), "w"):
            pass
        with open(self.path("serial"), "w") as f:
            f.write("1000\n")
        with open(self.path("ca.cnf"), "w") as f:
            f.write("[ca]\ndefault_ca = d\n[d]\n"
                    "database = %s\nnew_certs_dir = %s\nserial = %s\n"
                    "default_md = sha256\npolicy = p\n"
                    "copy_extensions = copy\nunique_subject = no\n"
                    "[p]\ncommonName = supplied\n" % (
                        self.path("index.txt"), self.dir,
                        self.path("serial")))

    def path(self, name):
        return os.path.join(self.dir, name)

    def cert(self, name, cn, sans, start, end, key="rsa:2048", client=False):
        """A key and a certificate for cn and sans (DNS names), valid from
        start to end (datetimes, UTC), signed by the CA: (cert, key)."""
        key_path, csr, crt = (self.path(name + s)
                              for s in (".key", ".csr", ".pem"))
        newkey = ["-newkey", key] if key.startswith("rsa") else \
            ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        ext = ["-addext", "subjectAltName=" + ",".join(
            "DNS:" + n for n in sans)] if sans else []
        if client:
            ext += ["-addext", "extendedKeyUsage=clientAuth"]
        run("openssl", "req", "-new", *newkey, "-nodes", "-keyout", key_path,
            "-out", csr, "-subj", "/CN=" + cn, *ext)
        fmt = "%Y%m%d%H%M%SZ"
        run("openssl", "ca", "-batch", "-notext", "-config",
            self.path("ca.cnf"), "-cert", self.ca, "-keyfile",
            self.path("ca.key"), "-in", csr, "-out", crt,
            "-startdate", start.strftime(fmt), "-enddate", end.strftime(fmt))
        return crt, key_path

    def self_signed(self, name, cn):
        crt, key = self.path(name + ".pem"), self.path(name + ".key")
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-keyout", key, "-out", crt, "-days", "30", "-subj", "/CN=" + cn,
            "-addext", "subjectAltName=DNS:" + cn)
        return crt, key

    def close(self):
        self.tmp.cleanup()


def now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def wait_port(port, timeout=10):
    def up():
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    if wait_until(up, timeout) is None:
        raise AssertionError("nothing listens on %d" % port)


class SServer:
    """openssl s_server -www on a free loopback port (HTTP/1.0 200 to any
    GET). verify: the CA file it asks a client certificate of."""

    def __init__(self, cert, key, verify=None):
        self.port = free_port()
        cmd = ["openssl", "s_server", "-quiet", "-www", "-accept",
               "127.0.0.1:%d" % self.port, "-cert", cert, "-key", key]
        if verify:
            cmd += ["-Verify", "1", "-CAfile", verify]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_port(self.port)

    def close(self):
        self.proc.kill()
        self.proc.wait(5)


class PyTLS:
    """Python's ssl module serving HTTPS: 200 "ok" to any GET. With
    client_ca it requires a client certificate signed by it."""

    def __init__(self, cert, key, client_ca=None):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        if client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(client_ca)
        self.handshakes = 0
        me = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", "3")
                self.end_headers()
                self.wfile.write(b"ok\n")

            def log_message(self, *a):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def get_request(self):
                # The handshake in the handler's thread, not in accept.
                sock, addr = self.socket.accept()
                return ctx.wrap_socket(sock, server_side=True,
                                       do_handshake_on_connect=False), addr

            def finish_request(self, request, addr):
                request.settimeout(5)
                try:
                    request.do_handshake()
                except (OSError, ssl.SSLError):
                    return
                me.handshakes += 1
                super().finish_request(request, addr)

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class RawServer:
    """Accepts TCP on loopback and does to each connection what it is told:
    'silent' holds it open and never reads (the ClientHello goes
    unanswered); bytes are sent as the answer, then the connection closed."""

    def __init__(self, what):
        self.what = what
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.held = []
        self.stop = threading.Event()
        self.sock.settimeout(0.2)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            if self.what == "silent":
                self.held.append(conn)
                continue
            # Then a FIN, and the client's bytes read to its own close:
            # closed with the ClientHello unread, the kernel sent a reset
            # instead whenever the hello came first, a race the reason
            # showed ("recv: Connection reset by peer", seen once).
            try:
                conn.sendall(self.what)
                conn.shutdown(socket.SHUT_WR)
                conn.settimeout(1.0)
                while conn.recv(65536):
                    pass
            except OSError:
                pass
            conn.close()

    def close(self):
        self.stop.set()
        self.thread.join(2)
        for c in self.held:
            c.close()
        self.sock.close()


def check_output(d, name):
    """(up, output) of check name in /health's body."""
    _, body = d.health()
    entry = body["checks"][name + ":responseTime"][0]
    return entry["status"] == "pass", entry.get("output", "")


def metric(d, name):
    _, _, text = d.get("/metrics")
    m = re.search(r'^%s (\S+)$' % re.escape(name), text.decode(), re.M)
    return float(m.group(1)) if m else None


def clean_exit(test, d):
    """SIGTERM, then exit 0: under make valgrind or the sanitizers a leak
    or a memory error makes it something else (valgrind 99, LeakSanitizer
    23), which a SIGKILL at the end of a test would never show."""
    d.signal(SIGTERM)
    test.assertEqual(d.wait(60 if WRAPPED else 10), 0, d.log())


def checks(*specs):
    out = ["--interval", INTERVAL, "--timeout", TIMEOUT]
    for s in specs:
        out += ["--check", s]
    return out


class TLSChecks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pki = Pki()
        t = now()
        cls.good, cls.good_key = cls.pki.cert(
            "good", "localhost", ["localhost", "app.internal"],
            t - datetime.timedelta(days=1), t + datetime.timedelta(days=10))
        cls.expired_end = t - datetime.timedelta(days=2)
        cls.expired, cls.expired_key = cls.pki.cert(
            "expired", "localhost", ["localhost"],
            t - datetime.timedelta(days=30), cls.expired_end)
        cls.early_start = t + datetime.timedelta(days=3)
        cls.early, cls.early_key = cls.pki.cert(
            "early", "localhost", ["localhost"], cls.early_start,
            t + datetime.timedelta(days=60))
        cls.other, cls.other_key = cls.pki.cert(
            "other", "other.example", ["other.example"],
            t - datetime.timedelta(days=1), t + datetime.timedelta(days=10))
        cls.client, cls.client_key = cls.pki.cert(
            "client", "healthgate", [], t - datetime.timedelta(days=1),
            t + datetime.timedelta(days=10), key="ec", client=True)
        cls.selfsigned, cls.selfsigned_key = cls.pki.self_signed(
            "self", "localhost")

    @classmethod
    def tearDownClass(cls):
        cls.pki.close()

    def verdict(self, d, name, up, reason=None):
        """Waits for check name's verdict; returns its output."""
        def seen():
            u, out = check_output(d, name)
            return u == up and (reason is None or reason in out)
        took = wait_until(seen, SETTLE, step=0.1)
        u, out = check_output(d, name)
        self.assertIsNotNone(took, "%s: up=%s %r, wanted up=%s %r\n%s" % (
            name, u, out, up, reason, d.log()))
        return out

    def test_ca_given_is_up_none_is_unknown_authority_insecure_warns(self):
        srv = SServer(self.good, self.good_key)
        try:
            with Daemon(*checks(
                    "ca=https://localhost:%d/health?ca=%s" % (srv.port,
                                                           self.pki.ca),
                    "none=https://localhost:%d/health" % srv.port,
                    "skip=tls://localhost:%d?insecure" % srv.port,
                    "sni=tls://127.0.0.1:%d?sni=app.internal&ca=%s" % (
                        srv.port, self.pki.ca))) as d:
                self.verdict(d, "ca", True)
                self.verdict(d, "none", False, "tls: unknown authority")
                self.verdict(d, "skip", True)
                self.verdict(d, "sni", True)
                time.sleep(2 * float(INTERVAL.rstrip("ms")) /
                           (1000 if INTERVAL.endswith("ms") else 1))
                warns = [ln for ln in d.lines if "check_insecure" in ln]
                self.assertEqual(len(warns), 1, d.log())
                self.assertIn("name=skip", warns[0])
                start = [i for i, ln in enumerate(d.lines)
                         if " start " in ln or '"start"' in ln][0]
                self.assertLess(d.lines.index(warns[0]), start + 2,
                                "the warning is not at start:\n" + d.log())
        finally:
            srv.close()

    def test_expired_early_wrong_name_self_signed_each_say_why(self):
        servers = [PyTLS(self.expired, self.expired_key),
                   PyTLS(self.early, self.early_key),
                   PyTLS(self.other, self.other_key),
                   PyTLS(self.selfsigned, self.selfsigned_key)]
        exp, early, other, selfs = (s.port for s in servers)
        ca = self.pki.ca
        try:
            with Daemon(*checks(
                    "exp=https://localhost:%d/?ca=%s" % (exp, ca),
                    "early=https://localhost:%d/?ca=%s" % (early, ca),
                    "name=https://localhost:%d/?ca=%s" % (other, ca),
                    "wanted=tls://127.0.0.1:%d?ca=%s&sni=app.internal" % (
                        other, ca),
                    "self=https://localhost:%d/" % selfs,
                    "selfca=https://localhost:%d/?ca=%s" % (
                        selfs, self.selfsigned))) as d:
                self.verdict(d, "exp", False, "tls: certificate expired %s" %
                             self.expired_end.strftime("%Y-%m-%d"))
                self.verdict(d, "early", False,
                             "tls: certificate not valid before %s" %
                             self.early_start.strftime("%Y-%m-%d"))
                self.verdict(d, "name", False,
                             "tls: name mismatch (wanted localhost)")
                self.verdict(d, "wanted", False,
                             "tls: name mismatch (wanted app.internal)")
                self.verdict(d, "self", False, "tls: unknown authority")
                self.verdict(d, "selfca", True)
                # The expired one's figure is below zero: days ago.
                left = metric(d, 'healthgate_check_tls_expiry_seconds'
                              '{check="exp"}')
                want = (self.expired_end - now()).total_seconds()
                self.assertIsNotNone(left, "no expiry figure for exp")
                self.assertLess(abs(left - want), 30, (left, want))
                d.wait_log(r'check_down name=exp result=tls', 1)
                clean_exit(self, d)
        finally:
            for s in servers:
                s.close()

    def test_expiry_metric_counts_the_seconds_left(self):
        srv = SServer(self.good, self.good_key)
        out = subprocess.run(["openssl", "x509", "-noout", "-enddate", "-in",
                              self.good], capture_output=True, text=True,
                             check=True).stdout
        end = datetime.datetime.strptime(out.strip().split("=", 1)[1],
                                         "%b %d %H:%M:%S %Y %Z").replace(
            tzinfo=datetime.timezone.utc)
        try:
            with Daemon(*checks("app=https://localhost:%d/?ca=%s" % (
                    srv.port, self.pki.ca))) as d:
                self.verdict(d, "app", True)
                left = metric(d, 'healthgate_check_tls_expiry_seconds'
                              '{check="app"}')
                want = (end - now()).total_seconds()
                self.assertIsNotNone(left, d.get("/metrics")[2].decode())
                # Whole seconds, read a moment apart.
                self.assertLess(abs(left - want), 5, (left, want))
                self.assertGreater(left, 9 * 86400)
        finally:
            srv.close()

    def test_mtls_down_without_a_client_cert_up_with_one(self):
        servers = [PyTLS(self.good, self.good_key, client_ca=self.pki.ca),
                   SServer(self.good, self.good_key, verify=self.pki.ca)]
        py, s = (x.port for x in servers)
        ca = self.pki.ca
        cert = "cert=%s&key=%s" % (self.client, self.client_key)
        try:
            with Daemon(*checks(
                    "pyno=https://localhost:%d/?ca=%s" % (py, ca),
                    "pyyes=https://localhost:%d/?ca=%s&%s" % (py, ca, cert),
                    "sno=tls://localhost:%d?ca=%s" % (s, ca),
                    "syes=https://localhost:%d/?ca=%s&%s" % (s, ca,
                                                            cert))) as d:
                self.verdict(d, "pyyes", True)
                self.verdict(d, "syes", True)
                # TLS 1.2 servers say handshake_failure (40) to a client
                # that sends no certificate.
                self.verdict(d, "pyno", False, "tls: the server refused the "
                             "handshake: alert 40 (handshake failure)")
                self.verdict(d, "sno", False, "tls: the server refused the "
                             "handshake: alert 40")
                clean_exit(self, d)
        finally:
            for x in servers:
                x.close()

    def test_unreadable_or_bad_files_refuse_the_start_naming_them(self):
        missing = self.pki.path("nope.key")
        cases = [
            ("key=%s" % missing, "tls://localhost:1?ca=%s&cert=%s&key=%s" % (
                self.pki.ca, self.client, missing)),
            ("key=%s: Is a directory" % self.pki.dir,
             "tls://localhost:1?ca=%s&cert=%s&key=%s" % (
                 self.pki.ca, self.client, self.pki.dir)),
            ("key=%s: holds no private key" % self.client,
             "tls://localhost:1?ca=%s&cert=%s&key=%s" % (
                 self.pki.ca, self.client, self.client)),
            ("ca=%s: holds no certificate" % self.good_key,
             "tls://localhost:1?ca=%s" % self.good_key),
            ("cert=%s" % missing,
             "tls://localhost:1?insecure&cert=%s&key=%s" % (
                 missing, self.client_key)),
        ]
        if os.geteuid() != 0:       # root reads a mode-000 file
            locked = self.pki.path("locked.key")
            with open(self.client_key) as f, open(locked, "w") as g:
                g.write(f.read())
            os.chmod(locked, 0)
            cases.append(("key=%s: Permission denied" % locked,
                          "tls://localhost:1?ca=%s&cert=%s&key=%s" % (
                              self.pki.ca, self.client, locked)))
        for want, spec in cases:
            p = subprocess.run(
                (os.environ.get("HEALTHGATE_WRAP", "").split() +
                 [BINARY, "--listen", "127.0.0.1:0", "--check",
                  "app=" + spec]),
                capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 2, (spec, p.stderr))
            self.assertIn("config_error", p.stderr)
            self.assertIn("check app: " + want, p.stderr)

    def test_no_ca_bundle_refuses_the_start(self):
        p = subprocess.run(
            (os.environ.get("HEALTHGATE_WRAP", "").split() +
             [BINARY, "--listen", "127.0.0.1:0", "--check",
              "app=https://localhost:1/"]),
            capture_output=True, text=True, timeout=60,
            env=dict(os.environ, SSL_CERT_FILE=self.pki.path("none.pem")))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("check app: the system's CA bundle %s: No such file" %
                      self.pki.path("none.pem"), p.stderr)

    def test_silent_server_times_out_health_stays_fast(self):
        silent = RawServer("silent")
        try:
            with Daemon("--interval", INTERVAL, "--timeout", TIMEOUT,
                        "--check", "hang=tls://localhost:%d?ca=%s" % (
                            silent.port, self.pki.ca),
                        "--check", "hangs=https://localhost:%d/?ca=%s" % (
                            silent.port, self.pki.ca)) as d:
                self.verdict(d, "hang", False,
                             "tls: handshake timeout after %d ms" %
                             (3000 if WRAPPED else 1000))
                self.verdict(d, "hangs", False, "tls: handshake timeout")
                self.assertEqual(d.health()[0], 503)
                # /health while handshakes hang (a new one every interval).
                took = []
                for _ in range(400):
                    t0 = time.monotonic()
                    self.assertEqual(d.get("/health")[0], 503)
                    took.append(time.monotonic() - t0)
                took.sort()
                p50, p99 = took[len(took) // 2], took[int(len(took) * .99)]
                print("\n  /health with handshakes hanging: p50 %.2f ms, "
                      "p99 %.2f ms (400 requests)" % (p50 * 1e3, p99 * 1e3))
                if not WRAPPED:
                    self.assertLess(p99, 0.050, took[-5:])
                clean_exit(self, d)
        finally:
            silent.close()

    def test_garbage_is_down_with_a_reason_and_the_daemon_lives(self):
        servers = [RawServer(b"HTTP/1.1 400 Bad Request\r\n"
                             b"Content-Length: 0\r\n\r\n"),
                   RawServer(bytes(range(256)) * 64),
                   RawServer(b"\x16\x03\x03\x40\x00" + b"\x02" * 300),
                   RawServer(b"")]
        try:
            with Daemon(*checks(*["g%d=tls://localhost:%d?ca=%s" % (
                    i, s.port, self.pki.ca) for i, s in enumerate(servers)])
                    ) as d:
                self.verdict(d, "g0", False, "tls: not a TLS server")
                self.verdict(d, "g1", False, "tls: ")
                self.verdict(d, "g2", False, "tls: ")
                self.verdict(d, "g3", False,
                             "tls: connection closed during the handshake")
                # A few more rounds of it: still there, still answering.
                time.sleep(3 if WRAPPED else 2)
                self.assertIsNone(d.proc.poll(), d.log())
                self.assertEqual(d.health()[0], 503)
                clean_exit(self, d)
        finally:
            for s in servers:
                s.close()


class GRPCS(unittest.TestCase):
    """grpcs:// against grpcio's own TLS server (grpc-core's handshake,
    which wants ALPN h2), the check and the probe."""

    @classmethod
    def setUpClass(cls):
        import grpcpeer
        cls.grpcpeer = grpcpeer
        cls.pki = Pki()
        t = now()
        cls.good, cls.good_key = cls.pki.cert(
            "good", "localhost", ["localhost", "app.internal"],
            t - datetime.timedelta(days=1), t + datetime.timedelta(days=10))
        cls.client, cls.client_key = cls.pki.cert(
            "client", "healthgate", [], t - datetime.timedelta(days=1),
            t + datetime.timedelta(days=10), key="ec", client=True)

    @classmethod
    def tearDownClass(cls):
        cls.pki.close()

    def test_grpcs_check_verified_and_mtls(self):
        ca = self.pki.ca
        cert = "cert=%s&key=%s" % (self.client, self.client_key)
        with self.grpcpeer.HealthServer(
                {"": "SERVING", "db": "NOT_SERVING"},
                tls=(self.good, self.good_key)) as srv, \
                self.grpcpeer.HealthServer(
                    tls=(self.good, self.good_key, ca)) as mtls:
            with Daemon(*checks(
                    "up=grpcs://localhost:%d?ca=%s" % (srv.port, ca),
                    "db=grpcs://localhost:%d/db?ca=%s" % (srv.port, ca),
                    "noca=grpcs://localhost:%d" % srv.port,
                    "sni=grpcs://127.0.0.1:%d?ca=%s&sni=app.internal" % (
                        srv.port, ca),
                    "m=grpcs://localhost:%d?ca=%s&%s" % (mtls.port, ca,
                                                         cert),
                    "mno=grpcs://localhost:%d?ca=%s" % (mtls.port, ca),
                    "plain=grpc://localhost:%d" % srv.port)) as d:
                self.verdict(d, "up", True)
                self.verdict(d, "sni", True)
                self.verdict(d, "m", True)
                self.verdict(d, "db", False, "NOT_SERVING")
                self.verdict(d, "noca", False, "tls: unknown authority")
                self.verdict(d, "mno", False, "tls: ")
                self.verdict(d, "plain", False)
                self.assertIsNotNone(metric(
                    d, 'healthgate_check_tls_expiry_seconds{check="up"}'))
                clean_exit(self, d)

    def test_grpcs_probe(self):
        with self.grpcpeer.HealthServer(tls=(self.good, self.good_key)) as s:
            url = "grpcs://localhost:%d" % s.port
            p = subprocess.run(
                (os.environ.get("HEALTHGATE_WRAP", "").split() +
                 [BINARY, "probe", "--timeout", TIMEOUT, url + "?ca=" +
                  self.pki.ca]), capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("SERVING", p.stdout)
            p = subprocess.run(
                (os.environ.get("HEALTHGATE_WRAP", "").split() +
                 [BINARY, "probe", "--timeout", TIMEOUT, url]),
                capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 1)
            self.assertIn("tls: unknown authority", p.stderr)

    verdict = TLSChecks.verdict


class TLSProbe(unittest.TestCase):
    """healthgate probe https://... with the checks' TLS parameters."""

    @classmethod
    def setUpClass(cls):
        cls.pki = Pki()
        t = now()
        cls.good, cls.good_key = cls.pki.cert(
            "good", "localhost", ["localhost"], t - datetime.timedelta(days=1),
            t + datetime.timedelta(days=10))
        cls.srv = PyTLS(cls.good, cls.good_key)

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()
        cls.pki.close()

    def probe(self, url, *flags):
        return subprocess.run(
            (os.environ.get("HEALTHGATE_WRAP", "").split() +
             [BINARY, "probe", "--timeout", TIMEOUT, *flags, url]),
            capture_output=True, text=True, timeout=60)

    def test_probe_verifies_like_a_check(self):
        base = "https://localhost:%d/health" % self.srv.port
        p = self.probe(base + "?ca=" + self.pki.ca)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(": 200", p.stdout)
        p = self.probe(base)
        self.assertEqual(p.returncode, 1)
        self.assertIn("tls: unknown authority", p.stderr)
        p = self.probe(base + "?insecure")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.probe("https://127.0.0.1:%d/?ca=%s&sni=nothere.example" % (
            self.srv.port, self.pki.ca))
        self.assertEqual(p.returncode, 1)
        self.assertIn("tls: name mismatch (wanted nothere.example)",
                      p.stderr)

    def test_probe_times_out_in_a_silent_handshake(self):
        silent = RawServer("silent")
        try:
            t0 = time.monotonic()
            p = self.probe("https://localhost:%d/?ca=%s" % (silent.port,
                                                           self.pki.ca))
            took = time.monotonic() - t0
        finally:
            silent.close()
        self.assertEqual(p.returncode, 1)
        self.assertIn("tls: handshake timeout", p.stderr)
        self.assertLess(took, 10 if WRAPPED else 3)


if __name__ == "__main__":
    unittest.main(verbosity=2)
