#!/usr/bin/env python3
"""A Kubernetes-shaped stop of healthgate's supervisor form, on one host.

    python3 tests/lb/k8s_e2e.py build/healthgate [--quick]

Two "pods", each `healthgate --check app=http://127.0.0.1:A/healthz -- app`
with the defaults as shipped (only that check on the app's local port),
the app tests/integration/app.py: it answers in 300 ms and dies at once on
SIGTERM. A real HAProxy routes to the apps and checks nothing, as
kube-proxy and most ingresses do. Paced clients send a request every
~100 ms through it (keep-alive, as an ingress's upstream pool). A
"kubelet" polls each healthgate's /health every PERIOD s with
`User-Agent: kube-probe/1.31` from its own address (127.0.0.3), before and
after the stop, as a readiness probe on /health does.

The stop of pod 0, as Kubernetes does it: at t0 SIGTERM to healthgate (the
container's PID 1), and the "endpoints controller" takes the pod out of
HAProxy (runtime API: set server be/b0 state maint) LAG s later. Runs:
  lag-short    LAG 0.5 s, shorter than the kubelet's period
  lag-long     LAG 4 s, longer than two of its probes and a linger
  no-kubelet   LAG 2 s, nobody polls /health (readiness on /live)
  app-alone    no healthgate: the app gets SIGTERM at t0 (the baseline,
               which must lose requests, or the test could not fail)
Each run counts non-2xx answers and connection errors from a second
before t0 to a second after the pod is gone, and prints how long after
t0, and after the router stopped sending to the pod (the maint command),
the pod was gone. Exit 1 unless every healthgate run lost nothing, its pod
was gone within GONE s of the router's stop, and the baseline lost some.
Loopback only; every process started is stopped by pid; bounded.
"""

import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from haproxy_e2e import APP, Proc, app_pid_of, free_port, kill_app  # noqa
from k8s_sidecar import haproxy_cfg, runtime  # noqa: E402

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 and
                      not sys.argv[1].startswith("-") else "build/healthgate")
QUICK = "--quick" in sys.argv
DELAY = 0.3         # the app's answer time
PACERS = 8          # clients, each: a request, then PAUSE s
PAUSE = 0.1         # 8 x 1/(0.3 + 0.1): ~20 a second, ~10 per pod
PERIOD = 1.0        # the kubelet's readiness period, scaled down
KUBELET = "127.0.0.3"
GONE = 3.0          # the pod gone after the router's stop, at most
RUN_LIMIT = 40.0    # one run's stop, at most


class Pacer(threading.Thread):
    """Requests through the router on one keep-alive connection, PAUSE s
    apart; records (start, end, outcome, backend)."""

    def __init__(self, port, halt):
        super().__init__(daemon=True)
        self.port, self.halt = port, halt
        self.log = []

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
                outcome, backend = r.status, r.getheader("X-Backend", "")
            except (OSError, http.client.HTTPException) as e:
                outcome, backend = type(e).__name__, ""
                if conn:
                    conn.close()
                conn = None
            self.log.append((t0, time.monotonic(), outcome, backend))
            self.halt.wait(PAUSE)
        if conn:
            conn.close()


class Kubelet(threading.Thread):
    """Readiness probes of one pod's /health from the kubelet's address,
    every PERIOD s."""

    def __init__(self, port, halt):
        super().__init__(daemon=True)
        self.port, self.halt = port, halt
        self.results = []

    def run(self):
        while not self.halt.is_set():
            c = http.client.HTTPConnection("127.0.0.1", self.port,
                                           timeout=1,
                                           source_address=(KUBELET, 0))
            try:
                c.request("GET", "/health",
                          headers={"User-Agent": "kube-probe/1.31"})
                r = c.getresponse()
                r.read()
                self.results.append(r.status)
            except OSError as e:
                self.results.append(type(e).__name__)
            finally:
                c.close()
            self.halt.wait(PERIOD)


def wait_ready(port, timeout):
    """The app answers on port (its own check would say so too)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return True
        except OSError:
            pass
        finally:
            c.close()
        time.sleep(0.1)
    return False


def run(kind, lag, kubelet):
    """One stop of pod 0; a dict of figures."""
    tmp = tempfile.mkdtemp(prefix="hg-k8s-")
    procs, apps = [], []
    halt = threading.Event()
    res = {"kind": kind, "lag": lag, "ok": 0, "non2xx": 0, "errors": 0,
           "gone_s": None, "after_router_s": None, "note": "", "end": ""}
    try:
        aports = [free_port() for _ in range(2)]
        pods = []
        for i, aport in enumerate(aports):
            app = [sys.executable, APP, "--port", str(aport), "--delay",
                   str(DELAY)]
            if kind == "app-alone":
                p = Proc(app, "app%d" % i)
                pods.append((p, None))
            else:
                hport = free_port()
                p = Proc([BIN, "--listen", "127.0.0.1:%d" % hport,
                          "--check", "app=http://127.0.0.1:%d/healthz"
                          % aport, "--"] + app, "pod%d" % i)
                pid = app_pid_of(p)
                if pid:
                    apps.append(pid)
                pods.append((p, hport))
            procs.append(p)
        for aport in aports:
            if not wait_ready(aport, 15):
                res["note"] = "app on %d never answered" % aport
                return res
        stats = os.path.join(tmp, "stats.sock")
        cfg = os.path.join(tmp, "haproxy.cfg")
        front = free_port()
        with open(cfg, "w") as f:
            f.write(haproxy_cfg(front, aports, stats))
        procs.append(Proc(["haproxy", "-db", "-f", cfg], "haproxy"))
        if not wait_ready(front, 10):
            res["note"] = "haproxy never answered"
            return res
        kubelets = [Kubelet(h, halt) for _, h in pods
                    if kubelet and h is not None]
        pacers = [Pacer(front, halt) for _ in range(PACERS)]
        for t in kubelets + pacers:
            t.start()
        time.sleep(2.5)     # the kubelet's probes seen; traffic going
        victim = pods[0][0]
        t0 = time.monotonic()
        victim.p.send_signal(signal.SIGTERM)
        time.sleep(lag)
        t_maint = time.monotonic()
        runtime(stats, "set server be/b0 state maint")
        try:
            victim.p.wait(RUN_LIMIT)
            t_gone = time.monotonic()
            res["gone_s"] = t_gone - t0
            res["after_router_s"] = t_gone - t_maint
        except subprocess.TimeoutExpired:
            res["note"] = "still running after %.0f s" % RUN_LIMIT
            t_gone = time.monotonic()
        time.sleep(1.0)
        halt.set()
        for t in kubelets + pacers:
            t.join(6)
        for c in pacers:
            for start, end, outcome, backend in c.log:
                if start < t0 - 1.0 or start > t_gone + 1.0:
                    continue
                if isinstance(outcome, int) and 200 <= outcome < 300:
                    res["ok"] += 1
                elif isinstance(outcome, int):
                    res["non2xx"] += 1
                else:
                    res["errors"] += 1
        for t, line in victim.lines:
            if "drain_end" in line or "drain_capped" in line:
                res["end"] = line.split(" ", 2)[2]
        if kubelets:
            res["kubelet"] = "".join("." if r == 200 else "x"
                                     for r in kubelets[0].results)
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
        print("k8s-e2e: haproxy is not installed (scripts/deps.sh haproxy)")
        return 1
    plan = [("lag-short", 0.5, True), ("lag-long", 4.0, True),
            ("no-kubelet", 2.0, False), ("app-alone", 2.0, False)]
    if QUICK:
        plan = plan[:2]
    results = []
    for kind, lag, kubelet in plan:
        r = run(kind, lag, kubelet)
        results.append(r)
        print("k8s-e2e: %-10s lag=%.1fs ok=%3d non2xx=%2d errors=%2d "
              "gone=%s after_router=%s %s %s" % (
                  kind, lag, r["ok"], r["non2xx"], r["errors"],
                  "%.2fs" % r["gone_s"] if r["gone_s"] is not None else "-",
                  "%+.2fs" % r["after_router_s"]
                  if r["after_router_s"] is not None else "-",
                  r["note"], r["end"]), flush=True)
    failed = []
    for r in results:
        if r["kind"] == "app-alone":
            if r["note"] or r["non2xx"] + r["errors"] == 0:
                failed.append(r)
            continue
        if r["note"] or r["non2xx"] or r["errors"] or r["ok"] == 0 or \
                r["after_router_s"] is None or \
                r["after_router_s"] > GONE:
            failed.append(r)
    print("k8s-e2e: %d runs, %d failed" % (len(results), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
