"""The HTTP contract, seen by real clients: curl, http.client, raw bytes."""

import json
import socket
import subprocess
import unittest

from harness import Daemon, raw


class HttpContract(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.d = Daemon()

    @classmethod
    def tearDownClass(cls):
        cls.d.kill()

    def test_health_200_with_health_json_and_no_store(self):
        status, headers, body = self.d.get("/health")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "application/health+json")
        self.assertEqual(headers["cache-control"], "no-store")
        self.assertEqual(json.loads(body), {"status": "pass"})

    def test_curl_sees_the_contract(self):
        out = subprocess.run(
            ["curl", "-sS", "-i", "--max-time", "2", self.d.url()],
            capture_output=True, text=True, timeout=5)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout, r"^HTTP/1.1 200 OK\s")
        self.assertIn("Content-Type: application/health+json", out.stdout)
        self.assertIn("Cache-Control: no-store", out.stdout)

    def test_head_has_no_body(self):
        reply = raw(self.d.port, b"HEAD /health HTTP/1.1\r\nHost: x\r\n"
                    b"Connection: close\r\n\r\n")
        head, _, body = reply.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 200"), head)
        self.assertIn(b"Content-Length: 18", head)
        self.assertEqual(body, b"")

    def test_live_200(self):
        status, headers, body = self.d.get("/live")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["status"], "pass")

    def test_unknown_path_404(self):
        status, _, _ = self.d.get("/nope")
        self.assertEqual(status, 404)
        status, _, _ = self.d.get("/health/")
        self.assertEqual(status, 404)

    def test_other_methods_405_with_allow(self):
        for method in ("POST", "PUT", "DELETE", "OPTIONS"):
            status, headers, _ = self.d.get("/health", method=method)
            self.assertEqual(status, 405, method)
            self.assertEqual(headers["allow"], "GET, HEAD")

    def test_request_body_refused(self):
        status, headers, _ = self.d.get("/health", body=b"x" * 100,
                                        headers={"Content-Type": "x/y"})
        self.assertIn(status, (405, 413))
        reply = raw(self.d.port, b"GET /health HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Length: 5\r\n\r\nhello")
        self.assertTrue(reply.startswith(b"HTTP/1.1 413"), reply[:40])

    def test_keep_alive_two_requests_one_connection(self):
        with socket.create_connection(("127.0.0.1", self.d.port), 2) as s:
            f = s.makefile("rb")
            for path in (b"/health", b"/live"):
                s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
                status = f.readline()
                self.assertTrue(status.startswith(b"HTTP/1.1 200"), status)
                length = None
                while True:
                    line = f.readline()
                    self.assertNotEqual(line, b"", "closed early")
                    if line.lower().startswith(b"connection: close"):
                        self.fail("server asked to close")
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                    if line == b"\r\n":
                        break
                f.read(length)

    def test_curl_reuses_the_connection(self):
        out = subprocess.run(
            ["curl", "-sS", "-v", "--max-time", "2", self.d.url(),
             self.d.url("/live")], capture_output=True, text=True, timeout=5)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("Re-using existing connection", out.stderr)

    def test_http_1_0_works(self):
        reply = raw(self.d.port, b"GET /health HTTP/1.0\r\n\r\n")
        self.assertRegex(reply, rb"^HTTP/1\.[01] 200 ")
        self.assertTrue(reply.endswith(b'{"status":"pass"}\n'))

    def test_any_host_header_is_fine(self):
        for host in (b"10.0.3.7:8081", b"[fd00::1]:8081", b"example"):
            reply = raw(self.d.port, b"GET /health HTTP/1.1\r\nHost: " +
                        host + b"\r\nConnection: close\r\n\r\n")
            self.assertTrue(reply.startswith(b"HTTP/1.1 200"), host)

    def test_query_string_is_ignored(self):
        status, _, _ = self.d.get("/health?x=1")
        self.assertEqual(status, 200)

    def test_metrics_prometheus_text(self):
        self.d.get("/health")
        self.d.get("/nope")
        status, headers, body = self.d.get("/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/plain"))
        text = body.decode()
        self.assertRegex(text, r'healthgate_requests_total\{path="/health",'
                         r'code="200"\} [1-9]')
        self.assertRegex(text, r'healthgate_requests_total\{path="other",'
                         r'code="404"\} [1-9]')
        self.assertIn("healthgate_draining 0", text)
        self.assertIn("healthgate_maintenance 0", text)
        # Ours, and process_* under the client libraries' names.
        for line in text.splitlines():
            if line and not line.startswith("#"):
                self.assertRegex(line, r"^(healthgate|process)_", line)

    def test_garbage_gets_an_error_not_a_hang(self):
        reply = raw(self.d.port, b"\x00\x01garbage\r\n\r\n", timeout=3)
        self.assertTrue(reply == b"" or reply.startswith(b"HTTP/1.1 400"),
                        reply[:60])
        status, _, _ = self.d.get("/health")
        self.assertEqual(status, 200)


class Listen(unittest.TestCase):

    def test_ipv6_loopback(self):
        try:
            socket.socket(socket.AF_INET6).close()
        except OSError:
            self.skipTest("no IPv6")
        with Daemon(listen="[::1]:0") as d:
            reply = raw(d.port, b"GET /health HTTP/1.1\r\nHost: x\r\n"
                        b"Connection: close\r\n\r\n", host="::1")
            self.assertTrue(reply.startswith(b"HTTP/1.1 200"))

    def test_dual_stack_any_serves_ipv4_too(self):
        with Daemon(listen=":0") as d:
            self.assertRegex(d.wait_log(" start "), r"listen=(\[::\]|0\.0\.0\.0):")
            reply = raw(d.port, b"GET /health HTTP/1.1\r\nHost: x\r\n"
                        b"Connection: close\r\n\r\n")
            self.assertTrue(reply.startswith(b"HTTP/1.1 200"))


if __name__ == "__main__":
    unittest.main()
