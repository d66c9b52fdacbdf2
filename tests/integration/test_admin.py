"""The admin API on the listener (issue 23): maintenance by request and in
order, the drain by request, /admin/prestop held until the drain ends
(whatever ends it) and answered to many waiters, /admin/status, methods,
the token file, and /metrics keeping admin calls apart from /health.
Loopback only; every wait bounded."""

import json
import os
import socket
import re
import struct
import tempfile
import threading
import time
import unittest

from harness import Daemon, Prober, SIGTERM, SIGUSR1, wait_until
from test_grpc_listen import PREFACE, grpc_daemon

FAST = ["--drain-fall", "2", "--drain-window", "1s", "--drain-timeout", "5s"]


def polling(test, d, source="127.0.0.2", period=0.1, n=2):
    """A Prober on source, started, once it has been answered n times."""
    p = Prober(d, source, period=period)
    p.start()
    test.assertTrue(wait_until(lambda: len(p.results) >= n, 3), p.results)
    return p


class Waiter(threading.Thread):
    """GET /admin/prestop from source; keeps (status, body, seconds)."""

    def __init__(self, d, source=None, timeout=15.0):
        super().__init__(daemon=True)
        self.d, self.source, self.timeout = d, source, timeout
        self.result = None

    def run(self):
        t0 = time.monotonic()
        try:
            status, _, body = self.d.get("/admin/prestop",
                                         source=self.source,
                                         timeout=self.timeout)
            self.result = (status, body, time.monotonic() - t0)
        except OSError as e:
            self.result = (type(e).__name__, b"", time.monotonic() - t0)


def post(d, path, **kw):
    return d.get(path, method="POST", **kw)


def status(d):
    code, _, body = d.get("/admin/status")
    assert code == 200, code
    return json.loads(body)


def h2_frame(ftype, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + \
        struct.pack(">I", stream) + payload


def hpack_literal(name, value):
    """A header literal without indexing, new name, no Huffman."""
    return bytes([0, len(name)]) + name + bytes([len(value)]) + value


def grpc_held(port):
    """A Check whose answer cannot be sent: the client's window is 0, so
    healthgate's gRPC side holds it in flight until the socket closes."""
    s = socket.create_connection(("127.0.0.1", port), timeout=2)
    head = b"\x83\x86" + hpack_literal(b":path",
                                       b"/grpc.health.v1.Health/Check") + \
        hpack_literal(b":authority", b"127.0.0.1") + \
        hpack_literal(b"content-type", b"application/grpc") + \
        hpack_literal(b"te", b"trailers")
    s.sendall(PREFACE + h2_frame(4, 0, 0, b"\0\x04\0\0\0\0") +
              h2_frame(1, 0x4, 1, head) +
              h2_frame(0, 0x1, 1, b"\0\0\0\0\0"))
    # In flight once answered: wait for the answer's HEADERS on stream 1.
    buf = b""
    while True:
        while len(buf) < 9 or len(buf) < 9 + int.from_bytes(buf[:3], "big"):
            got = s.recv(4096)
            if not got:
                raise AssertionError("closed before an answer")
            buf += got
        n = 9 + int.from_bytes(buf[:3], "big")
        if buf[3] == 1 and int.from_bytes(buf[5:9], "big") == 1:
            return s
        buf = buf[n:]


class Admin(unittest.TestCase):

    def test_maintenance_on_off_answered_after_the_change(self):
        with Daemon() as d:
            code, hdrs, body = post(d, "/admin/maintenance/on")
            self.assertEqual(code, 200)
            self.assertEqual(hdrs["content-type"], "application/json")
            self.assertEqual(json.loads(body)["state"], "maintenance")
            # No wait: the answer came after the change.
            self.assertEqual(d.health()[0], 503)
            self.assertEqual(status(d)["state"], "maintenance")
            self.assertEqual(post(d, "/admin/maintenance/off")[0], 200)
            self.assertEqual(d.health()[0], 200)
            # Signals keep working beside it.
            d.signal(SIGUSR1)
            self.assertTrue(wait_until(lambda: d.health()[0] == 503, 2))
            self.assertEqual(post(d, "/admin/maintenance/off")[0], 200)
            self.assertEqual(d.health()[0], 200)
            self.assertIsNotNone(d.wait_log(
                r"admin source=127\.0\.0\.1 method=POST "
                r"path=/admin/maintenance/on access=loopback result=200"))

    def test_methods_paths_and_bodies(self):
        with Daemon() as d:
            code, hdrs, _ = d.get("/admin/maintenance/on")
            self.assertEqual((code, hdrs.get("allow")), (405, "POST"))
            code, hdrs, _ = post(d, "/admin/status")
            self.assertEqual((code, hdrs.get("allow")), (405, "GET, HEAD"))
            code, hdrs, _ = post(d, "/admin/prestop")
            self.assertEqual((code, hdrs.get("allow")), (405, "GET"))
            self.assertEqual(d.get("/admin/nothing")[0], 404)
            self.assertEqual(d.get("/admin/status", method="HEAD")[0], 200)
            # Bodies stay refused; nothing changes.
            code, _, _ = post(d, "/admin/maintenance/on", body=b"x")
            self.assertEqual(code, 413)
            self.assertEqual(d.health()[0], 200)
            # A wrong method on a verb changes nothing either.
            self.assertEqual(d.get("/admin/drain")[0], 405)
            self.assertEqual(d.health()[0], 200)
            self.assertIsNone(d.wait(0.3))

    def test_status_shows_checks_probers_and_the_drain(self):
        with Daemon("--check", "gone=tcp://127.0.0.1:1", *FAST) as d:
            p = polling(self, d)
            self.assertTrue(wait_until(
                lambda: status(d)["checks"][0]["verdict"] == "down", 3))
            st = status(d)
            self.assertEqual(st["state"], "serving")
            self.assertEqual(st["health"], 503)
            self.assertEqual(st["drain"]["state"], "off")
            self.assertIn({"addr": "127.0.0.2"},
                          [{"addr": x["addr"]} for x in st["probers"]])
            p.stop()

    def test_status_inflight_is_what_the_drain_waits_for(self):
        # The drain waits for HTTP and gRPC requests in flight; /admin/status
        # showed the HTTP ones only, so a drain held by gRPC said 0.
        with grpc_daemon(*FAST) as d:
            held = grpc_held(d.gport)
            try:
                self.assertEqual(post(d, "/admin/drain")[0], 202)
                self.assertTrue(wait_until(
                    lambda: status(d)["drain"]["state"] == "running", 2),
                    d.log())
                self.assertIsNone(d.wait(0.3), d.log())
                st = status(d)["drain"]
                self.assertEqual(st["waiting_for"]["inflight"], 1, st)
            finally:
                held.close()
            # Let go, the drain has nothing left to wait for.
            self.assertEqual(d.wait(3), 0, d.log())

    def test_prestop_answers_when_the_probers_have_let_go(self):
        with Daemon(*FAST) as d:
            p = polling(self, d, n=3)
            w = Waiter(d)
            w.start()
            self.assertTrue(wait_until(
                lambda: status(d)["drain"]["state"] == "running", 2))
            st = status(d)["drain"]
            self.assertEqual(st["started_by"], "/admin/prestop")
            self.assertEqual(st["waiting_for"]["probers"], ["127.0.0.2"])
            self.assertEqual(st["prestop_waiters"], 1)
            w.join(8)
            code, body, took = w.result
            self.assertEqual(code, 200, d.log())
            end = json.loads(body)
            self.assertEqual(end["reason"], "evidence")
            self.assertEqual(end["started_by"], "/admin/prestop")
            self.assertLess(took, 3.0)
            # The prober saw its two 503s before the answer.
            self.assertGreaterEqual(p.results.count(503), 2)
            # Held: still running, still 503, until its own SIGTERM.
            self.assertIsNone(d.wait(0.5))
            self.assertEqual(d.health()[0], 503)
            self.assertEqual(status(d)["drain"]["state"], "ended")
            # Asked again after the end: answered at once.
            t0 = time.monotonic()
            code, _, body = d.get("/admin/prestop")
            self.assertEqual(code, 200)
            self.assertLess(time.monotonic() - t0, 0.5)
            self.assertEqual(json.loads(body)["reason"], "evidence")
            d.signal(SIGTERM)
            self.assertEqual(d.wait(3), 0, d.log())
            p.stop()
            self.assertIsNotNone(d.wait_log(r"drain_exit signal=SIGTERM "
                                            r"when=now"))

    def test_prestop_with_nothing_to_wait_for_answers_at_once(self):
        with Daemon(*FAST) as d:
            t0 = time.monotonic()
            code, _, body = d.get("/admin/prestop")
            self.assertEqual(code, 200)
            self.assertLess(time.monotonic() - t0, 1.0)
            self.assertEqual(json.loads(body)["reason"], "idle")
            self.assertIsNone(d.wait(0.5))
            d.signal(SIGTERM)
            self.assertEqual(d.wait(3), 0)

    def test_prestop_answers_at_the_cap(self):
        # A prober that never sees enough 503s: only the cap ends it.
        with Daemon("--drain-fall", "50", "--drain-window", "10s",
                    "--drain-timeout", "1500ms") as d:
            p = polling(self, d)
            w = Waiter(d)
            w.start()
            w.join(6)
            p.stop()
            code, body, took = w.result
            self.assertEqual(code, 200)
            self.assertEqual(json.loads(body)["reason"], "cap")
            self.assertGreater(took, 1.3)
            self.assertLess(took, 3.0)
            self.assertIsNone(d.wait(0.2))

    def test_sigterm_during_prestop_is_the_first_signal(self):
        with Daemon(*FAST) as d:
            p = polling(self, d, n=3)
            w = Waiter(d)
            w.start()
            self.assertTrue(wait_until(
                lambda: status(d)["drain"]["state"] == "running", 2))
            d.signal(SIGTERM)       # not an abort: the drain goes on
            rc = d.wait(8)
            w.join(2)
            p.stop()
            self.assertEqual(rc, 0)
            self.assertEqual(w.result[0], 200, d.log())
            self.assertEqual(json.loads(w.result[1])["reason"], "evidence")
            self.assertIsNone(re.search("drain_abort", d.log()))

    def test_second_signal_aborts_and_still_answers_the_waiters(self):
        with Daemon("--drain-fall", "50", "--drain-window", "10s",
                    "--drain-timeout", "20s") as d:
            p = polling(self, d)
            w = Waiter(d)
            w.start()
            self.assertTrue(wait_until(
                lambda: status(d)["drain"]["prestop_waiters"] == 1, 2))
            d.signal(SIGTERM)
            time.sleep(0.2)
            d.signal(SIGTERM)
            rc = d.wait(3)
            w.join(2)
            p.stop()
            self.assertEqual(rc, 0, d.log())
            self.assertEqual(w.result[0], 200, d.log())
            self.assertEqual(json.loads(w.result[1])["reason"], "aborted")

    def test_waiters_held_when_the_app_exits_get_503_not_a_crash(self):
        # Supervisor mode: the app's exit ends the loop with a waiter
        # held; libmicrohttpd must not be stopped with it suspended.
        with Daemon("--drain-fall", "50", "--drain-window", "10s",
                    "--drain-timeout", "20s", "--", "sh", "-c",
                    "sleep 1.5") as d:
            p = polling(self, d)
            w = Waiter(d)
            w.start()
            rc = d.wait(6)
            w.join(2)
            p.stop()
            self.assertEqual(rc, 0, d.log())
            self.assertEqual(w.result[0], 503, d.log())

    def test_fifty_waiters_all_answered(self):
        # 50 sources, as --max-connections-per-ip is 32 by default; a
        # prober that keeps the drain running until the cap, so that all
        # fifty are in before it ends.
        with Daemon("--drain-fall", "50", "--drain-window", "10s",
                    "--drain-timeout", "4s") as d:
            p = polling(self, d, n=3)
            ws = [Waiter(d, source="127.0.1.%d" % (i + 1))
                  for i in range(50)]
            for w in ws:
                w.start()
            self.assertTrue(wait_until(
                lambda: status(d)["drain"]["prestop_waiters"] == 50, 5),
                status(d))
            # The held requests hold no drain and stall nothing.
            t0 = time.monotonic()
            self.assertEqual(d.health()[0], 503)
            self.assertLess(time.monotonic() - t0, 0.5)
            for w in ws:
                w.join(8)
            p.stop()
            self.assertEqual([w.result[0] for w in ws], [200] * 50)
            self.assertEqual(len({w.result[1] for w in ws}), 1)
            self.assertIsNotNone(d.wait_log(r"prestop_answered waiters=50 "
                                            r"reason=cap"))

    def test_post_drain_is_sigterm(self):
        with Daemon(*FAST) as d:
            p = polling(self, d, n=3)
            code, _, body = post(d, "/admin/drain")
            self.assertEqual(code, 202)
            rc = d.wait(6)
            p.stop()
            self.assertEqual(rc, 0, d.log())
            self.assertIsNotNone(d.wait_log(
                r"drain_start request=/admin/drain"))
            self.assertIsNotNone(d.wait_log(r"drain_end reason=evidence"))

    def test_post_drain_with_nothing_to_wait_for_still_answers(self):
        # The drain ends at once and the process with it: the 202 is
        # sent before the exit.
        with Daemon() as d:
            code, _, _ = post(d, "/admin/drain")
            self.assertEqual(code, 202)
            self.assertEqual(d.wait(3), 0)

    def test_admin_calls_are_not_health_in_metrics(self):
        with Daemon() as d:
            for _ in range(3):
                d.get("/admin/status", source="127.0.0.3")
            post(d, "/admin/maintenance/on", source="127.0.0.3")
            _, _, m = d.get("/metrics")
            text = m.decode()
            # /health's series are there from the start, all at 0.
            self.assertRegex(text, r'path="/health",code="200"\} 0\n')
            self.assertNotRegex(text, r'path="/health",code="\d+"\} [1-9]')
            self.assertIn('healthgate_requests_total{path="/admin/",'
                          'code="200"} 4', text)
            # Never a prober: nothing watched when the drain starts.
            self.assertEqual(status(d)["probers"], [])


class TokenFile(unittest.TestCase):

    def start_fails(self, path):
        import subprocess
        from harness import BINARY
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("HEALTHGATE_")}
        r = subprocess.run([BINARY, "--listen", "127.0.0.1:0",
                            "--admin-token-file", path], env=env,
                           capture_output=True, text=True, timeout=5)
        return r.returncode, r.stderr

    def test_unreadable_empty_or_missing_token_file_exits_2_naming_it(self):
        with tempfile.TemporaryDirectory() as tmp:
            missing = os.path.join(tmp, "missing-token")
            empty = os.path.join(tmp, "empty-token")
            spaced = os.path.join(tmp, "spaced-token")
            with open(empty, "w") as f:
                f.write("\n")
            with open(spaced, "w") as f:
                f.write("two words\n")
            for path, why in ((missing, "No such file"),
                              (empty, "is empty"), (tmp, "directory"),
                              (spaced, "space")):
                rc, err = self.start_fails(path)
                self.assertEqual(rc, 2, err)
                self.assertIn(path, err)
                self.assertIn("--admin-token-file", err)
                self.assertIn(why, err)
            # From the variable too.
            env = {"HEALTHGATE_ADMIN_TOKEN_FILE": missing}
            import subprocess
            from harness import BINARY
            r = subprocess.run([BINARY, "--listen", "127.0.0.1:0"],
                               env=env, capture_output=True, text=True,
                               timeout=5)
            self.assertEqual(r.returncode, 2)
            self.assertIn(missing, r.stderr)

    def test_a_good_token_file_starts_and_loopback_needs_no_token(self):
        with tempfile.NamedTemporaryFile("w", suffix=".token") as f:
            f.write("s3cret\n")
            f.flush()
            with Daemon("--admin-token-file", f.name) as d:
                self.assertEqual(post(d, "/admin/maintenance/on")[0], 200)
                self.assertNotIn("s3cret", d.log())


if __name__ == "__main__":
    unittest.main()


class DrainStartedInsideARequest(unittest.TestCase):
    """/admin/prestop and /admin/drain start the drain from inside
    libmicrohttpd's run, where a connection it has just closed is not yet
    cleaned up: shortening every connection's timeout there put a closing
    connection back on MHD's timeout list, and MHD used it after freeing
    it (seen: a SIGSEGV in the Kubernetes-shaped stop; valgrind: invalid
    reads in MHD_get_timeout). Here thirty kept-alive connections each send
    a request that closes them in the same instant as the drain's request,
    so that MHD closes them in the run that starts the drain."""

    def burst(self, d, request):
        idle = []
        for i in range(31):
            s = socket.create_connection((d.host, d.port), 2)
            s.sendall(b"GET /live HTTP/1.1\r\nHost: x\r\n\r\n")
            idle.append(s)
        for s in idle:
            s.recv(4096)
        closing = b"GET /live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        for s in idle[:30]:
            s.send(closing)
        idle[30].send(request)
        idle[30].settimeout(5)
        answer = idle[30].recv(4096)
        for s in idle:
            s.close()
        return answer

    def test_drain_start_beside_closing_connections(self):
        for verb in ("prestop", "drain") * 5:
            with Daemon("--drain-ignore", "127.0.0.0/8",
                        "--max-connections-per-ip", "64") as d:
                req = (b"GET /admin/prestop HTTP/1.1\r\nHost: x\r\n\r\n"
                       if verb == "prestop" else
                       b"POST /admin/drain HTTP/1.1\r\nHost: x\r\n\r\n")
                answer = self.burst(d, req)
                self.assertRegex(answer, rb"^HTTP/1.1 20[02]", d.log())
                # Keep MHD busy a little with fresh connections.
                for _ in range(20):
                    try:
                        d.get("/live", timeout=2)
                    except OSError:
                        break
                if verb == "prestop":
                    d.signal(SIGTERM)
                rc = d.wait(8)
                self.assertEqual(rc, 0, "%s: %s" % (verb, d.log()[-2000:]))
