"""zzuf against the real daemon: valid requests (an ALB's GET /health, a
keep-alive pipeline, HTTP/1.0, headers of every kind) mutated by zzuf with
many seeds, sent over loopback. Every answer must be well-formed HTTP/1.1
(a status line, headers, a body of its Content-Length) or a close, within
the timeouts; the daemon never crashes, and afterwards /health answers 200
at once, its fds are back and its memory has not grown. Under make valgrind
(HEALTHGATE_WRAP) a leak or memory error makes its exit status 99."""

import os
import selectors
import shutil
import signal
import socket
import subprocess
import time
import unittest

from harness import Daemon, fds, http_answer, rss_kib

UNDER_TOOL = bool(os.environ.get("HEALTHGATE_WRAP") or
                  os.environ.get("HEALTHGATE_SANITIZED"))
SEEDS = int(os.environ.get("ATTACK_ZZUF_SEEDS", "600"))
BATCH = 40
TIMEOUT = 1.0            # --request-timeout and --idle-timeout

ALB = (b"GET /health HTTP/1.1\r\nHost: 10.0.1.17:8081\r\n"
       b"Connection: close\r\nUser-Agent: ELB-HealthChecker/2.0\r\n"
       b"Accept-Encoding: gzip, compressed\r\n\r\n")
SAMPLES = [
    ALB,
    b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
    b"GET /live HTTP/1.1\r\nHost: x\r\n\r\n"
    b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
    b"GET /health?verbose=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /health HTTP/1.0\r\nUser-Agent: kube-probe/1.29\r\n\r\n",
    b"GET /health HTTP/1.1\r\nHost: [::1]:8081\r\nAccept: */*\r\n"
    b"Content-Length: 0\r\nX-Forwarded-For: 203.0.113.9, 10.0.0.1\r\n"
    b"Cookie: a=b; c=d\r\nIf-None-Match: \"x\"\r\nConnection: keep-alive"
    b"\r\n\r\nGET /live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET http://x/health HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
    b"Connection: close\r\n\r\n",
]


def mutate(sample, seed):
    """zzuf as a filter: sample's bytes with bits flipped, ratio 0.4..4%
    (zzuf picks it from the seed)."""
    r = subprocess.run(["zzuf", "-s", str(seed), "-r", "0.004:0.04"],
                       input=sample, capture_output=True, timeout=10)
    if r.returncode != 0:
        raise AssertionError("zzuf: %r" % r.stderr)
    return r.stdout


def answers(buf, sent, known):
    """buf as whole HTTP/1.1 responses: their statuses, or raises saying
    where it stopped being one. A truncated last response is a defect too:
    the daemon closes only between answers.

    One defect of libmicrohttpd 0.9.75 is let through, and counted in
    known: a Content-Length it cannot parse (not digits, or past 2^64) gets
    its 400/413 head twice, then the body (parse_connection_headers queues
    the error, and the state machine builds the head again). healthgate
    never sees that request, so it cannot answer it better; the test
    accepts exactly that shape, and only when the request had such a
    field. README's "Limits" says so."""
    statuses = []
    while buf:
        first, _, after = buf.partition(b"\r\n")
        if (first in (b"HTTP/1.1 400 Bad Request",
                      b"HTTP/1.1 413 Content Too Large") and
                b"content-length:" in sent.lower()):
            head = buf.partition(b"\r\n\r\n")[0] + b"\r\n\r\n"
            again = buf[len(head):]
            if again.startswith(first + b"\r\n") and \
                    again.partition(b"\r\n\r\n")[0].endswith(
                        head[:-4].rsplit(b"\r\n", 1)[1]):
                known.append(sent)
                buf = again
        status, buf = http_answer(buf)
        statuses.append(status)
    return statuses


def exchange(port, payloads, deadline):
    """Sends each payload on its own connection, all at once, and reads
    until each closes or the deadline: [(bytes, closed)]."""
    sel = selectors.DefaultSelector()
    conns = []
    for i, data in enumerate(payloads):
        s = socket.socket()
        # Spread over 127.0.0.x so the per-address limit is not what answers.
        s.bind(("127.0.0.%d" % (10 + i % 200), 0))
        s.connect(("127.0.0.1", port))
        try:
            s.sendall(data)
        except OSError:
            pass
        s.setblocking(False)
        conns.append([s, b"", False])
        sel.register(s, selectors.EVENT_READ, len(conns) - 1)
    open_ = len(conns)
    while open_ and time.monotonic() < deadline:
        for key, _ in sel.select(max(0.0, deadline - time.monotonic())):
            c = conns[key.data]
            try:
                b = c[0].recv(65536)
            except (ConnectionResetError, BlockingIOError) as e:
                b = b"" if isinstance(e, ConnectionResetError) else None
            if b is None:
                continue
            if b:
                c[1] += b
            else:
                c[2] = True
                sel.unregister(c[0])
                open_ -= 1
    for c in conns:
        c[0].close()
    sel.close()
    return [(c[1], c[2]) for c in conns]


@unittest.skipIf(shutil.which("zzuf") is None, "zzuf not installed")
class Zzuf(unittest.TestCase):

    def test_mutated_requests_get_whole_answers_or_a_close(self):
        with Daemon("--request-timeout", "1s", "--idle-timeout", "1s",
                    "--max-connections-per-ip", "64") as d:
            pid = d.proc.pid
            d.get("/health")
            fd0, rss0 = fds(pid), rss_kib(pid)
            cases = [(seed, SAMPLES[seed % len(SAMPLES)])
                     for seed in range(SEEDS)]
            seen = {}
            known = []
            worst = 0.0
            for at in range(0, len(cases), BATCH):
                batch = cases[at:at + BATCH]
                payloads = [mutate(s, seed) for seed, s in batch]
                # An answer or a close within the request timeout plus the
                # idle timeout (a kept-alive pipeline's end), with margin.
                margin = 4.0 if UNDER_TOOL else 1.5
                t0 = time.monotonic()
                got = exchange(d.port, payloads, t0 + 2 * TIMEOUT + margin)
                for (seed, _), data, (buf, closed) in zip(batch, payloads,
                                                          got):
                    why = "seed %d: sent %r, got %r" % (seed, data, buf[-300:])
                    self.assertTrue(closed, "not closed in time: " + why)
                    try:
                        for st in answers(buf, data, known):
                            seen[st] = seen.get(st, 0) + 1
                    except ValueError as e:
                        self.fail("%s: %s" % (e, why))
                self.assertIsNone(d.proc.poll(), "daemon died at seed %d\n%s"
                                  % (batch[0][0], d.log()))
                t0 = time.monotonic()
                self.assertEqual(d.get("/health")[0], 200)
                worst = max(worst, time.monotonic() - t0)
            time.sleep(0.3)
            fd1, rss1 = fds(pid), rss_kib(pid)
            print("\n  zzuf: %d mutated requests, answers %s (%d with "
                  "libmicrohttpd's doubled head for a Content-Length it "
                  "cannot parse); /health after each batch worst %.1f ms; "
                  "fds %d -> %d; RSS %d -> %d KiB"
                  % (len(cases), dict(sorted(seen.items())), len(known),
                     worst * 1000, fd0, fd1, rss0, rss1))
            self.assertLessEqual(fd1, fd0, "fds leaked")
            if not UNDER_TOOL:
                self.assertLess(worst, 0.050)
                self.assertLess(rss1, rss0 + 512)
            # Malformed input was answered with errors, not all 200s.
            self.assertTrue(any(400 <= st < 600 for st in seen), seen)
            d.signal(signal.SIGTERM)
            self.assertEqual(d.wait(15), 0, d.log())


if __name__ == "__main__":
    unittest.main()
