"""The http check's method, header fields and body match against a real
HTTP server on loopback (Python's http.server, which the test steers)."""

import subprocess
import unittest

from harness import BINARY, Daemon, Upstream, wait_until
import test_tls as tls   # its Pki and SServer (a module: not run twice)

FAST = ["--interval", "200ms", "--timeout", "150ms"]


def check(d, name):
    return d.health()[1]["checks"]["%s:responseTime" % name][0]


class BodyMatch(unittest.TestCase):

    def body_follows(self, spec_tail, chunk=None):
        with Upstream() as app:
            app.chunk = chunk
            app.body = b'{"status":"down","db":"ok"}'
            return self.body_follows_app(app, spec_tail)

    def body_follows_app(self, app, spec_tail):
        with Daemon(*FAST, "--check", "app=http://127.0.0.1:%d/health?%s" %
                    (app.port, spec_tail)) as d:
            self.assertIsNotNone(wait_until(
                lambda: "body lacks" in check(d, "app").get("output", ""),
                3), d.log())
            st, body = d.health()
            self.assertEqual(st, 503)
            out = check(d, "app")["output"]
            # The reason names what was expected and what came.
            self.assertEqual(out, 'body lacks "status":"up" in its first '
                             '27 bytes: {"status":"down","db":"ok"}')
            app.body = b'{"status":"up","db":"ok"}'
            self.assertIsNotNone(wait_until(lambda: d.health()[0] == 200,
                                            3), d.log())
            self.assertIsNotNone(d.wait_log(
                r'check_down name=app result=body reason="body lacks'))
            return d.log()

    def test_status_in_the_body_as_typed(self):
        self.body_follows('body="status":"up"')

    def test_status_in_the_body_percent_encoded(self):
        self.body_follows("body=%22status%22%3A%22up%22")

    def test_chunked_body_split_mid_text(self):
        # 5-byte chunks: "status" and "up" are cut across chunks.
        self.body_follows('body="status":"up"', chunk=5)

    def test_past_64_kib_is_not_searched(self):
        with Upstream() as app:
            app.body = b"." * (64 * 1024 - 4) + b"MARK"
            self.last_64_kib(app)

    def last_64_kib(self, app):
        with Daemon(*FAST, "--check", "app=http://127.0.0.1:%d/?body=MARK" %
                    app.port) as d:
            self.assertIsNotNone(wait_until(lambda: d.health()[0] == 200,
                                            3), d.log())
            app.body = b"." * (64 * 1024 - 3) + b"MARK"
            self.assertIsNotNone(wait_until(lambda: d.health()[0] == 503,
                                            3), d.log())
            self.assertIn("in its first 65536 bytes",
                          check(d, "app")["output"])

    def test_a_status_outside_expect_says_so_before_the_body(self):
        with Upstream() as app, Daemon(
                *FAST, "--check", "app=http://127.0.0.1:%d/?body=ok" %
                app.port) as d:
            app.mode = 500
            self.assertIsNotNone(wait_until(
                lambda: "status 500" in check(d, "app").get("output", ""),
                3), d.log())


class MethodAndHeaders(unittest.TestCase):

    def test_head_with_host_and_a_header(self):
        with Upstream() as app, Daemon(
                *FAST, "--check", "app=http://127.0.0.1:%d/h?method=HEAD&"
                "header=Host:app.example&header=X-Token:%%20s3cr%%26t&q=1"
                % app.port) as d:
            self.assertIsNotNone(wait_until(lambda: d.health()[0] == 200,
                                            3), d.log())
            method, path, fields = app.last
            self.assertEqual(method, "HEAD")
            self.assertEqual(path, "/h?q=1")
            names = [k.lower() for k, _ in fields]
            self.assertEqual(names.count("host"), 1, fields)
            self.assertIn(("Host", "app.example"), fields)
            self.assertIn(("X-Token", "s3cr&t"), fields)
            self.assertIn("user-agent", names)

    def test_default_is_get_with_its_own_host(self):
        with Upstream() as app, Daemon(
                *FAST, "--check", "app=http://127.0.0.1:%d/" % app.port) as d:
            self.assertIsNotNone(wait_until(lambda: d.health()[0] == 200,
                                            3), d.log())
            method, _, fields = app.last
            self.assertEqual(method, "GET")
            self.assertIn(("Host", "127.0.0.1:%d" % app.port), fields)


class OverTLS(unittest.TestCase):
    """body= reads an https answer's body the same way: openssl s_server
    -www answers any GET with a page that names itself."""

    def test_https_body_match_and_miss(self):
        pki = tls.Pki()
        t = tls.now()
        cert, key = pki.cert("web", "localhost", ["localhost"],
                             t - tls.datetime.timedelta(days=1),
                             t + tls.datetime.timedelta(days=10))
        srv = tls.SServer(cert, key)
        try:
            with Daemon(*FAST, "--check",
                        "yes=https://localhost:%d/?ca=%s&body=s_server" %
                        (srv.port, pki.ca), "--check",
                        "no=https://localhost:%d/?ca=%s&body=NOPE" %
                        (srv.port, pki.ca)) as d:
                self.assertIsNotNone(wait_until(
                    lambda: check(d, "yes")["status"] == "pass" and
                    "body lacks" in check(d, "no").get("output", ""),
                    5, step=0.1), d.log())
                self.assertRegex(check(d, "no")["output"],
                                 r"^body lacks NOPE in its first \d+ bytes: ")
        finally:
            srv.close()
            pki.close()


class Refusals(unittest.TestCase):

    def test_bad_parameters_are_refused_at_start_by_name(self):
        for spec, msg in [
                ("app=http://127.0.0.1:1/?method=PUT",
                 'healthgate: --check: "app=http://127.0.0.1:1/?method=PUT"'
                 ' parameter method is not GET or HEAD'),
                ("app=http://127.0.0.1:1/?body=%ZZ",
                 "parameter body has a '%' without two hex digits"),
                ("app=http://127.0.0.1:1/?header=X:a%0Ab",
                 "parameter header holds a NUL, CR or LF")]:
            r = subprocess.run([BINARY, "--check", spec], capture_output=True,
                               text=True, timeout=10)
            self.assertEqual(r.returncode, 2, spec)
            self.assertIn(msg, r.stderr)


if __name__ == "__main__":
    unittest.main()
