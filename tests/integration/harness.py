"""Helpers for the integration tests: the real healthgate binary, real
clients, and small upstreams the tests control. Loopback only; every wait
is bounded."""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BINARY = os.environ.get("HEALTHGATE_BIN", "build/healthgate")


class Daemon:
    """healthgate started with the given flags, listening on a free port
    (--listen ADDR:0; the port is read from its start line)."""

    def __init__(self, *args, env=None, listen="127.0.0.1:0", prefix=()):
        full_env = {k: v for k, v in os.environ.items()
                    if not k.startswith("HEALTHGATE_")}
        full_env.update(env or {})
        # A preloaded library (libfaketime) comes before ASan's runtime in
        # a sanitized build: tell ASan that is fine.
        if "LD_PRELOAD" in (env or {}):
            full_env["ASAN_OPTIONS"] = ":".join(filter(None, [
                full_env.get("ASAN_OPTIONS"), "verify_asan_link_order=0"]))
        # HEALTHGATE_WRAP runs the daemon under a tool (make valgrind);
        # prefix goes before it (prlimit --nofile=...).
        cmd = list(prefix) + \
            os.environ.get("HEALTHGATE_WRAP", "").split() + [BINARY]
        if listen is not None:
            cmd += ["--listen", listen]
        cmd += list(args)
        self.lines = []
        self._cv = threading.Condition()
        self.proc = subprocess.Popen(cmd, env=full_env,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.port = None
        self.host = "127.0.0.1"
        line = self.wait_log(r'( start |"event":"start").*listen', timeout=5)
        if line is None:
            self.kill()
            raise AssertionError("no start line: %r" % self.lines)
        where = re.search(r'listen"?[=:]"?([^\s"]+)', line).group(1)
        self.host, self.port = where.rsplit(":", 1)
        self.host = self.host.strip("[]")
        if self.host in ("::", "0.0.0.0"):
            self.host = "127.0.0.1"
        self.port = int(self.port)

    def _read(self):
        for line in self.proc.stderr:
            with self._cv:
                self.lines.append(line.rstrip("\n"))
                self._cv.notify_all()

    def wait_log(self, pattern, timeout=5.0):
        """The first log line matching pattern, or None after timeout."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        with self._cv:
            while True:
                for line in self.lines:
                    if rx.search(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cv.wait(left)

    def log(self):
        with self._cv:
            return "\n".join(self.lines)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout):
        """Exit status, or None if still running after timeout."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self._reader.join(2)

    def url(self, path="/health"):
        return "http://%s:%d%s" % (self.host, self.port, path)

    def get(self, path="/health", method="GET", source=None, timeout=2.0,
            headers=None, body=None):
        """One request on a new connection: (status, headers, body).
        Without a source it is the test's own look, as `healthgate probe`
        takes one: it says so in its User-Agent and never holds a drain
        (loopback is watched). With a source it is a load balancer's."""
        conn = http.client.HTTPConnection(
            self.host, self.port, timeout=timeout,
            source_address=(source, 0) if source else None)
        headers = dict(headers or {})
        if source is None:
            headers.setdefault("User-Agent", "healthgate-probe/test")
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, \
                r.read()
        finally:
            conn.close()

    def health(self, **kw):
        status, _, body = self.get("/health", **kw)
        return status, json.loads(body)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


def raw(port, data, host="127.0.0.1", timeout=2.0, read_all=True):
    """Sends exact bytes, returns what came back until close or timeout."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
                if not read_all:
                    break
        except socket.timeout:
            pass
        return b"".join(chunks)


HTTP_STATUS = re.compile(rb"HTTP/1\.1 ([1-5][0-9][0-9]) [ -~]*")


def http_answer(buf, head_only=False):
    """The first whole HTTP/1.1 answer in buf (status line, fields, a body
    of its Content-Length; none for 1xx or, with head_only, a HEAD's):
    (its status, the bytes after it). Raises ValueError where buf stops
    being that."""
    head, sep, rest = buf.partition(b"\r\n\r\n")
    if not sep:
        raise ValueError("unterminated head %r" % buf[:120])
    lines = head.split(b"\r\n")
    m = HTTP_STATUS.fullmatch(lines[0])
    if not m:
        raise ValueError("bad status line %r" % lines[0][:120])
    status, length = int(m.group(1)), 0
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not name or b" " in name:
            raise ValueError("bad field %r" % line[:120])
        if name.lower() == b"content-length":
            length = int(value.strip())
    if status < 200 or head_only:
        length = 0
    if len(rest) < length:
        raise ValueError("body cut: %d of %d" % (len(rest), length))
    return status, rest[length:]


class Prober(threading.Thread):
    """A load-balancer-like prober: GET /health on a new connection every
    period from a given source address, recording every outcome."""

    def __init__(self, daemon, source, period=0.2):
        super().__init__(daemon=True)
        self.d, self.source, self.period = daemon, source, period
        self.results = []          # status codes, or the exception name
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            try:
                status, _, _ = self.d.get("/health", source=self.source,
                                          timeout=1.0)
                self.results.append(status)
            except OSError as e:
                self.results.append(type(e).__name__)
                if self.d.proc.poll() is not None:
                    return
            self._halt.wait(self.period)

    def stop(self):
        self._halt.set()
        self.join(3)


class Upstream:
    """An HTTP app on loopback whose answer the test sets: a status code,
    'hang' (accept, read, never answer) or 'close' (close at once); the
    body (bytes), sent chunked in pieces of `chunk` bytes when that is set.
    The last request's method and header fields are kept, and when each
    request came (time.monotonic(), path) in `times`."""

    def __init__(self):
        self.mode = 200
        self.hits = 0
        self.body = b"ok\n"
        self.chunk = None
        self.last = None        # (method, path, [(name, value)...])
        self.times = []
        up = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                up.hits += 1
                up.times.append((time.monotonic(), self.path))
                up.last = (self.command, self.path,
                           list(self.headers.items()))
                mode = up.mode
                if mode == "hang":
                    time.sleep(3)
                    return
                if mode == "close":
                    self.close_connection = True
                    return
                body, chunk = up.body, up.chunk
                self.send_response(mode)
                if chunk:
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command == "HEAD":
                    return
                try:
                    self.write_body(body, chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass    # a check that read enough closes early

            def write_body(self, body, chunk):
                if not chunk:
                    self.wfile.write(body)
                    return
                for i in range(0, len(body), chunk):
                    part = body[i:i + chunk]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.write(b"0\r\n\r\n")

            do_HEAD = do_GET

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def free_port():
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(pred, timeout, step=0.02):
    """Polls pred until it is true; returns the seconds it took or None.
    A connection error counts as false: the daemon may be busy recovering."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if pred():
                return time.monotonic() - start
        except OSError:
            pass
        time.sleep(step)
    return None


def rss_kib(pid):
    """The resident memory of process pid, in KiB (VmRSS)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fds(pid):
    """How many descriptors process pid holds open."""
    return len(os.listdir("/proc/%d/fd" % pid))


def children(pid):
    """Pids of the direct children of pid, from /proc."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append((int(entry), fields[0]))
    return out


def procs_with(marker):
    """Pids whose command line contains marker."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                if marker.encode() in f.read():
                    out.append(int(entry))
        except OSError:
            continue
    return out


SIGTERM, SIGINT, SIGUSR1, SIGUSR2 = (signal.SIGTERM, signal.SIGINT,
                                     signal.SIGUSR1, signal.SIGUSR2)
