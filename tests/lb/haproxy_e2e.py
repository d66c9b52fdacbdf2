#!/usr/bin/env python3
"""healthgate behind a real load balancer: Debian's HAProxy, two backends,
traffic from several clients, and a stop of one backend.

    python3 tests/lb/haproxy_e2e.py build/healthgate [--quick]

Each backend is `healthgate --listen 127.0.0.1:H --check http://.../ --
app.py --port A --delay 0.3`: an app that answers in 300 ms and dies at
once on SIGTERM (tests/integration/app.py). HAProxy routes to A and checks
GET /health on H every 1 s, fall 2, rise 2, retries 0 — an ALB at a tenth of
its time. Eight clients send requests through HAProxy without pause. Once
both backends are up, backend 1's healthgate gets SIGTERM at a chosen point
of HAProxy's check cycle (so many ms after a check reached it); the run
counts non-2xx answers and connection errors (a reset, a refused or cut
connection, a timeout) until the backend is gone and a second after.

Scenarios, with healthgate's defaults unless said:
  healthgate        IPv4 checks from 127.0.0.1, four points of the cycle
  healthgate-ipv6   checks from ::1 (healthgate on [::1]), once
  linger-0          --drain-linger 0: the linger's worth
  fixed-503-3s      /health 503 for a fixed 3 s (cap only), no evidence
  sleep-3s          no healthgate; the app gets SIGTERM 3 s after the stop
  none              no healthgate; the app gets SIGTERM at once
It prints one line per run and a table, and fails (exit 1) unless every
healthgate run with the defaults lost nothing and ended well before the
cap. Loopback only; every process it starts is stopped by pid; bounded.
"""

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.join(HERE, "..", "integration", "app.py")
BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                      "build/healthgate")
QUICK = "--quick" in sys.argv
CLIENTS = 8
DELAY = 0.3             # the app's answer time
CAP = 30.0              # healthgate's default --drain-timeout
RUN_LIMIT = 25.0        # one run, SIGTERM to gone, at most


def free_port(family=socket.AF_INET, host="127.0.0.1"):
    with socket.socket(family) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class Proc:
    """A process this script started, its stderr kept with arrival times
    on the monotonic clock."""

    def __init__(self, cmd, name):
        self.name = name
        self.lines = []
        # A session of its own, so that stop() reaches whatever it
        # started (the sleep-3s wrapper's app) and nothing else.
        self.p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True,
                                  start_new_session=True)
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for line in self.p.stderr:
            self.lines.append((time.monotonic(), line.rstrip("\n")))

    def when(self, pattern):
        rx = re.compile(pattern)
        for t, line in list(self.lines):
            if rx.search(line):
                return t
        return None

    def wait_for(self, pattern, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            t = self.when(pattern)
            if t is not None:
                return t
            time.sleep(0.01)
        return None

    def stop(self):
        try:
            os.killpg(self.p.pid, signal.SIGKILL)
        except OSError:
            pass
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait(5)
        self.t.join(2)


def app_pid_of(hg):
    t = hg.wait_for(r"app_start pid=\d+", 5)
    if t is None:
        return None
    for _, line in hg.lines:
        m = re.search(r"app_start pid=(\d+)", line)
        if m:
            return int(m.group(1))
    return None


def kill_app(pid):
    """The app a healthgate started, if that healthgate was killed first;
    only when its command line is still our app's."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            if b"app.py" in f.read():
                os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def haproxy_cfg(front, servers, stats):
    lines = [
        "global", "    maxconn 512", "    stats socket %s mode 600" % stats,
        "defaults", "    mode http", "    retries 0",
        "    timeout connect 1s", "    timeout client 10s",
        "    timeout server 10s", "    timeout check 1s",
        "frontend fe", "    bind 127.0.0.1:%d" % front,
        "    default_backend be",
        "backend be", "    balance roundrobin",
        "    option httpchk GET %s" % servers[0]["path"],
        "    http-response set-header X-Backend %s" % "%s",
    ]
    for i, s in enumerate(servers):
        where = ""
        if s.get("check_addr"):
            # HAProxy reads "::1" as host:port; brackets keep it whole.
            where += " addr [%s]" % s["check_addr"]
        if s.get("check_port"):
            where += " port %d" % s["check_port"]
        lines.append("    server b%d 127.0.0.1:%d check inter 1s fall 2 "
                     "rise 2%s" % (i, s["port"], where))
    return "\n".join(lines) + "\n"


def haproxy_state(stats):
    """{server: 'UP'|'DOWN'|...} from HAProxy's stats socket."""
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(1)
            s.connect(stats)
            s.sendall(b"show stat\n")
            data = b""
            while True:
                b = s.recv(65536)
                if not b:
                    break
                data += b
    except OSError:
        return {}
    out = {}
    for line in data.decode().splitlines():
        f = line.split(",")
        if len(f) > 17 and f[0] == "be" and f[1].startswith("b"):
            out[f[1]] = f[17]
    return out


class Client(threading.Thread):
    """Requests through HAProxy, one after another, keep-alive."""

    def __init__(self, port, halt):
        super().__init__(daemon=True)
        self.port, self.halt = port, halt
        self.log = []       # (start, end, outcome, backend)

    def run(self):
        conn = None
        while not self.halt.is_set():
            t0 = time.monotonic()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1",
                                                      self.port, timeout=5)
                conn.request("GET", "/")
                r = conn.getresponse()
                r.read()
                outcome = r.status
                backend = r.getheader("X-Backend", "")
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as e:
                outcome, backend = type(e).__name__, ""
                if conn:
                    conn.close()
                conn = None
            self.log.append((t0, time.monotonic(), outcome, backend))


def on_check(hg_port, timeout=3.0, family_host="127.0.0.1"):
    """The moment the next HAProxy check reaches healthgate, from its
    /metrics count of /health answers (the test's own /metrics GETs do not
    count there)."""

    def count():
        c = http.client.HTTPConnection(family_host, hg_port, timeout=1)
        try:
            c.request("GET", "/metrics")
            body = c.getresponse().read().decode()
        finally:
            c.close()
        return sum(int(m.group(1)) for m in re.finditer(
            r'healthgate_requests_total\{path="/health",code="\d+"\} (\d+)',
            body))

    first = count()
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if count() != first:
            return time.monotonic()
        time.sleep(0.005)
    return None


def run(kind, phase=0.0, flags=(), ipv6=False):
    """One stop of backend 0; returns a dict of figures."""
    tmp = tempfile.mkdtemp(prefix="hg-lb-")
    procs, apps = [], []
    halt = threading.Event()
    res = {"kind": kind, "phase_ms": int(phase * 1000), "non2xx": 0,
           "errors": 0, "gone_s": None, "ok": 0, "note": ""}
    try:
        servers = []
        backends = []
        for i in range(2):
            aport = free_port()
            app = [sys.executable, APP, "--port", str(aport), "--delay",
                   str(DELAY)]
            if kind in ("none", "sleep-3s"):
                if kind == "sleep-3s":
                    # The app's SIGTERM 3 s after the stop began.
                    app = ["sh", "-c", "trap 'sleep 3; kill -TERM \"$c\"; "
                           "wait \"$c\"; exit 143' TERM; \"$@\" & c=$!; "
                           "wait \"$c\"", "sleep3"] + app
                p = Proc(app, "app%d" % i)
                servers.append({"port": aport, "path": "/"})
                backends.append((p, None))
            else:
                host = "::1" if ipv6 else "127.0.0.1"
                fam = socket.AF_INET6 if ipv6 else socket.AF_INET
                hport = free_port(fam, host)
                listen = "[::1]:%d" % hport if ipv6 else \
                    "127.0.0.1:%d" % hport
                cmd = [BIN, "--listen", listen, "--check",
                       "app=http://127.0.0.1:%d/" % aport] + list(flags) + \
                    ["--"] + app
                p = Proc(cmd, "hg%d" % i)
                pid = app_pid_of(p)
                if pid:
                    apps.append(pid)
                servers.append({"port": aport, "path": "/health",
                                "check_port": hport,
                                "check_addr": host if ipv6 else None,
                                "hg_port": hport, "hg_host": host})
                backends.append((p, pid))
            procs.append(p)
        stats = os.path.join(tmp, "stats.sock")
        cfg = os.path.join(tmp, "haproxy.cfg")
        front = free_port()
        with open(cfg, "w") as f:
            f.write(haproxy_cfg(front, servers, stats))
        ha = Proc(["haproxy", "-db", "-f", cfg], "haproxy")
        procs.append(ha)
        # Both up (rise 2 at 1 s), with the app answering.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            st = haproxy_state(stats)
            if st.get("b0") == "UP" and st.get("b1") == "UP":
                break
            time.sleep(0.1)
        else:
            res["note"] = "backends never up: %s" % haproxy_state(stats)
            return res
        clients = [Client(front, halt) for _ in range(CLIENTS)]
        for c in clients:
            c.start()
        time.sleep(2.0)
        victim, _ = backends[0]
        if "hg_port" in servers[0]:
            t = on_check(servers[0]["hg_port"],
                         family_host=servers[0]["hg_host"])
            if t is None:
                res["note"] = "no check seen"
                return res
            time.sleep(max(0.0, t + phase - time.monotonic()))
        else:
            time.sleep(phase)
        t_term = time.monotonic()
        victim.p.send_signal(signal.SIGTERM)
        try:
            victim.p.wait(RUN_LIMIT)
            res["gone_s"] = time.monotonic() - t_term
        except subprocess.TimeoutExpired:
            res["note"] = "still running after %.0f s" % RUN_LIMIT
        time.sleep(1.0)
        halt.set()
        for c in clients:
            c.join(10)
        t_end = victim.when(r"drain_end|drain_capped")
        last_start = last_end = None
        for c in clients:
            for start, end, outcome, backend in c.log:
                if start < t_term - 1.0:
                    continue
                if isinstance(outcome, int):
                    if 200 <= outcome < 300:
                        res["ok"] += 1
                    else:
                        res["non2xx"] += 1
                else:
                    res["errors"] += 1
                if backend == "b0" and t_end is not None:
                    last_start = max(last_start or start, start)
                    last_end = max(last_end or end, end)
        if t_end is not None:
            res["drain_s"] = t_end - t_term
            if last_start is not None:
                # Requests routed to the stopped backend after its drain
                # ended, and when the last one finished: what the linger
                # must cover.
                res["last_start_ms"] = int((last_start - t_end) * 1000)
                res["last_end_ms"] = int((last_end - t_end) * 1000)
        if victim.p.returncode is not None:
            res["status"] = victim.p.returncode
        return res
    finally:
        halt.set()
        for p in procs:
            p.stop()
        for pid in apps:
            kill_app(pid)
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    if shutil.which("haproxy") is None:
        print("haproxy-e2e: haproxy is not installed (scripts/deps.sh "
              "haproxy)")
        return 1
    phases = [0.05, 0.3, 0.55, 0.8]
    plan = [("healthgate", p, (), False) for p in phases]
    plan.append(("healthgate-ipv6", 0.3, (), True))
    if not QUICK:
        plan += [("linger-0", p, ("--drain-linger", "0"), False)
                 for p in (0.05, 0.55)]
        plan.append(("fixed-503-3s", 0.3, ("--drain-fall", "1000",
                                          "--drain-timeout", "3s",
                                          "--drain-linger", "0"), False))
        plan += [("sleep-3s", 0.3, (), False), ("none", 0.3, (), False)]
    only = os.environ.get("HAPROXY_ONLY")
    if only:
        plan = [p for p in plan if p[0] == only]
    results = []
    for kind, phase, flags, ipv6 in plan:
        r = run(kind, phase, flags, ipv6)
        results.append(r)
        print("haproxy-e2e: %-16s phase=%3dms ok=%4d non2xx=%3d errors=%3d "
              "gone=%s drain=%s last_routed=%s last_done=%s status=%s %s" % (
                  r["kind"], r["phase_ms"], r["ok"], r["non2xx"],
                  r["errors"],
                  "%.2fs" % r["gone_s"] if r["gone_s"] is not None else "-",
                  "%.2fs" % r["drain_s"] if "drain_s" in r else "-",
                  "%+dms" % r["last_start_ms"] if "last_start_ms" in r
                  else "-",
                  "%+dms" % r["last_end_ms"] if "last_end_ms" in r else "-",
                  r.get("status", "-"), r["note"]), flush=True)
    failed = []
    for r in results:
        if not r["kind"].startswith("healthgate"):
            continue
        if r["note"] or r["non2xx"] or r["errors"] or r["ok"] == 0:
            failed.append(r)
        elif r["gone_s"] is None or r["gone_s"] > CAP / 3:
            failed.append(r)
        elif r.get("status") != 143:
            failed.append(r)
    print("haproxy-e2e: %d runs, %d with healthgate's defaults failed" % (
        len(results), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
