#!/usr/bin/env python3
"""A Kubernetes-shaped stop of healthgate's sidecar form, on one host.

    python3 tests/lb/k8s_sidecar.py build/healthgate [--quick] [--lag S]

Two "pods", each an app (tests/integration/app.py: answers in 300 ms, dies
at once on SIGTERM) and beside it, as a separate process sharing loopback,
healthgate with the options of deploy/kubernetes/sidecar.yaml (its check,
its token file; on a free port). A real HAProxy routes to the apps and
checks nothing, as kube-proxy and most ingresses do; eight clients send
through it without pause. A "kubelet" polls each healthgate's /health with
`User-Agent: kube-probe/1.31` from its own address (127.0.0.3) every
PERIOD s, as the manifest's readiness probe says.

The stop of pod 0, as the kubelet does it:
- at t0, the "endpoints controller" is told, and takes the pod out of
  HAProxy (runtime API: set server be/b0 state maint) LAG s later;
- at t0, the preStop: a GET of the manifest's path and port with the
  manifest's header (read from deploy/kubernetes/sidecar.yaml);
- when it returns, or at the grace period, SIGTERM to the app; once the app
  has exited, SIGTERM to healthgate (a native sidecar is signalled after
  the app's containers).
As root it all runs in a network namespace of its own (unshare --net), the
"node" at 192.0.2.11 and the "pod" at 192.0.2.10 on its lo: the preStop
comes from outside loopback and needs the manifest's token (the Secret's
text is the token file); elsewhere on the host's loopback. A baseline run
without the preStop (the app signalled at once) shows what the hook saves.
It counts failed requests (non-2xx, connection errors) from t0 on, how long
the preStop took, how long after the router stopped sending to the pod
(its last request to b0) it returned, and when healthgate exited. Exit 1
unless no request failed, the preStop returned within FEW s of the router's
last request to the pod, and healthgate exited 0 within a second of its
SIGTERM. Loopback only; every process started is stopped by pid; bounded.
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
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
from haproxy_e2e import APP, Client, Proc  # noqa: E402

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 and
                      not sys.argv[1].startswith("-") else "build/healthgate")
QUICK = "--quick" in sys.argv
MANIFEST = os.path.join(ROOT, "deploy", "kubernetes", "sidecar.yaml")
CLIENTS = 8
DELAY = 0.3         # the app's answer time
PERIOD = 0.5        # the kubelet's readiness period, scaled down
FEW = 3.0           # preStop's return after the router let go, at most
# Where the kubelet's requests come from and go to. In a network namespace
# of the test's own (the default, as root): the node's address and the
# pod's, documentation addresses on that namespace's lo, neither loopback
# to healthgate, so the preStop needs the manifest's token as in a cluster.
# Without one: loopback (127.0.0.3 to 127.0.0.1), and the token is not
# needed.
NETNS = os.environ.get("K8S_SIDECAR_NETNS") == "1"
NODE, POD = ("192.0.2.11", "192.0.2.10") if NETNS else \
    ("127.0.0.3", "127.0.0.1")


def secret_file(docs, spec, hg, path):
    """The text the kubelet mounts at path in healthgate's container: the
    key named by the file's name, of the Secret behind its volume."""
    for mnt in hg.get("volumeMounts", []):
        if os.path.dirname(path) != mnt["mountPath"].rstrip("/"):
            continue
        vol = next(v for v in spec["volumes"] if v["name"] == mnt["name"])
        name = vol["secret"]["secretName"]
        sec = next(d for d in docs if d["kind"] == "Secret" and
                   d["metadata"]["name"] == name)
        return sec["stringData"][os.path.basename(path)]
    raise ValueError("nothing mounted at %s" % path)


def manifest():
    """What the kubelet and healthgate take from the manifest: the
    preStop's path, port and headers, healthgate's check, the token file's
    text (from the Secret mounted there), the grace period."""
    import yaml
    with open(MANIFEST) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    dep = next(d for d in docs if d["kind"] == "Deployment")
    spec = dep["spec"]["template"]["spec"]
    hg = next(c for c in spec["initContainers"] if c["name"] == "healthgate")
    app = next(c for c in spec["containers"]
               if c.get("lifecycle", {}).get("preStop"))
    get = app["lifecycle"]["preStop"]["httpGet"]
    headers = {h["name"]: h["value"] for h in get.get("httpHeaders", [])}
    env = {e["name"]: e.get("value") for e in hg.get("env", [])}
    args = [str(a) for a in hg.get("args", [])]
    check = env.get("HEALTHGATE_CHECKS")
    if "--check" in args:
        check = args[args.index("--check") + 1]
    token_path = env.get("HEALTHGATE_ADMIN_TOKEN_FILE")
    return {
        "path": get["path"], "port": get["port"], "headers": headers,
        "check": check, "token_env": token_path is not None,
        "token": secret_file(docs, spec, hg, token_path) if token_path
        else None,
        "grace": spec["terminationGracePeriodSeconds"],
        "restart": hg.get("restartPolicy"),
    }


def free_ports(n):
    """n distinct free loopback ports: all bound at once, then released
    (one at a time, the kernel may hand the same port out twice)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def haproxy_cfg(front, ports, stats):
    lines = [
        "global", "    maxconn 512",
        "    stats socket %s mode 600 level admin" % stats,
        "defaults", "    mode http", "    retries 0",
        "    timeout connect 1s", "    timeout client 10s",
        "    timeout server 10s",
        "frontend fe", "    bind 127.0.0.1:%d" % front,
        "    default_backend be",
        "backend be", "    balance roundrobin",
        "    http-response set-header X-Backend %s",
    ]
    # No "check": the router learns of a stop only from the controller.
    for i, port in enumerate(ports):
        lines.append("    server b%d 127.0.0.1:%d" % (i, port))
    return "\n".join(lines) + "\n"


def runtime(stats, command):
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(2)
        s.connect(stats)
        s.sendall(command.encode() + b"\n")
        out = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
    return out.decode()


class Kubelet(threading.Thread):
    """Readiness probes of one pod's /health from the kubelet's address."""

    def __init__(self, port, halt):
        super().__init__(daemon=True)
        self.port, self.halt = port, halt
        self.results = []

    def run(self):
        while not self.halt.is_set():
            c = http.client.HTTPConnection(POD, self.port, timeout=1,
                                           source_address=(NODE, 0))
            try:
                c.request("GET", "/health",
                          headers={"User-Agent": "kube-probe/1.31"})
                self.results.append(c.getresponse().status)
            except OSError as e:
                self.results.append(type(e).__name__)
            finally:
                c.close()
            self.halt.wait(PERIOD)


def prestop(m, port, deadline):
    """The kubelet's preStop GET: (status or error, seconds)."""
    t0 = time.monotonic()
    c = http.client.HTTPConnection(POD, port,
                                   timeout=max(0.1, deadline - t0),
                                   source_address=(NODE, 0))
    try:
        headers = dict(m["headers"])
        headers["User-Agent"] = "kube-lifecycle/1.31"
        c.request("GET", m["path"], headers=headers)
        r = c.getresponse()
        r.read()
        return r.status, time.monotonic() - t0
    except OSError as e:
        return type(e).__name__, time.monotonic() - t0
    finally:
        c.close()


def run(lag, hook=True):
    m = manifest()
    tmp = tempfile.mkdtemp(prefix="hg-k8s-")
    procs, halt = [], threading.Event()
    res = {"lag": lag, "ok": 0, "non2xx": 0, "errors": 0, "note": ""}
    token = os.path.join(tmp, "token")
    with open(token, "w") as f:
        f.write(m["token"] + "\n")
    try:
        apps, hgs, aports = [], [], []
        ports = free_ports(5)
        for i in range(2):
            aport, hport = ports[2 * i], ports[2 * i + 1]
            app = Proc([sys.executable, APP, "--port", str(aport),
                        "--delay", str(DELAY)], "app%d" % i)
            # The manifest's check and token file, on this pod's ports.
            check = m["check"].replace(":8080", ":%d" % aport)
            # The manifest's listen address (":8081", any), this port.
            cmd = [BIN, "--listen", ":%d" % hport, "--check", check,
                   "--admin-token-file", token]
            hg = Proc(cmd, "hg%d" % i)
            apps.append(app)
            hgs.append((hg, hport))
            aports.append(aport)
            procs += [app, hg]
        stats = os.path.join(tmp, "stats.sock")
        cfg = os.path.join(tmp, "haproxy.cfg")
        front = ports[4]
        with open(cfg, "w") as f:
            f.write(haproxy_cfg(front, aports, stats))
        ha = Proc(["haproxy", "-db", "-f", cfg], "haproxy")
        procs.append(ha)
        kubelets = [Kubelet(p, halt) for _, p in hgs]
        for k in kubelets:
            k.start()
        # Ready: both healthgates' /health 200 to the kubelet.
        end = time.monotonic() + 10
        while time.monotonic() < end and not all(
                k.results[-2:] == [200, 200] for k in kubelets):
            time.sleep(0.05)
        if not all(k.results[-2:] == [200, 200] for k in kubelets):
            res["note"] = "pods never ready: %s" % [k.results[-3:]
                                                    for k in kubelets]
            return res
        clients = [Client(front, halt) for _ in range(CLIENTS)]
        for c in clients:
            c.start()
        time.sleep(2.0)
        hg0, hport0 = hgs[0]
        t0 = time.monotonic()
        # The endpoints controller, LAG s late.
        t_maint = threading.Timer(lag, runtime,
                                  (stats, "set server be/b0 state maint"))
        t_maint.start()
        # Without the hook (the baseline), the kubelet signals at once.
        status, took = prestop(m, hport0, t0 + m["grace"]) if hook else \
            (None, 0.0)
        t_pre = time.monotonic()
        res["prestop_status"], res["prestop_s"] = status, took
        apps[0].p.send_signal(signal.SIGTERM)
        apps[0].p.wait(5)
        t_app = time.monotonic()
        hg0.p.send_signal(signal.SIGTERM)
        try:
            res["hg_status"] = hg0.p.wait(5)
            res["hg_exit_s"] = time.monotonic() - t_app
        except subprocess.TimeoutExpired:
            res["note"] = "healthgate still running 5 s after its SIGTERM"
        t_maint.join(lag + 2)
        time.sleep(1.0)
        halt.set()
        for c in clients:
            c.join(10)
        last_b0 = None
        for c in clients:
            for start, end_, outcome, backend in c.log:
                if start < t0:
                    continue
                if isinstance(outcome, int) and 200 <= outcome < 300:
                    res["ok"] += 1
                elif isinstance(outcome, int):
                    res["non2xx"] += 1
                else:
                    res["errors"] += 1
                if backend == "b0":
                    last_b0 = max(last_b0 or start, start)
        res["router_let_go_s"] = (last_b0 - t0) if last_b0 else 0.0
        res["after_let_go_s"] = t_pre - (last_b0 or t0)
        res["end"] = hg0.when(r"drain_end|drain_capped") is not None
        res["log"] = [line for _, line in hg0.lines
                      if re.search(r"drain|prestop|admin", line)]
        m = re.search(r"path=/admin/prestop access=(\w+)",
                      "\n".join(res["log"]))
        res["access"] = m.group(1) if m else "-"
        return res
    finally:
        halt.set()
        for p in procs:
            p.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def netns_setup():
    for cmd in (["ip", "link", "set", "lo", "up"],
                ["ip", "addr", "add", NODE + "/32", "dev", "lo"],
                ["ip", "addr", "add", POD + "/32", "dev", "lo"]):
        subprocess.run(cmd, check=True, capture_output=True, timeout=10)


def main():
    if not NETNS and os.environ.get("K8S_SIDECAR_NETNS") != "0":
        if shutil.which("unshare") and subprocess.run(
                ["unshare", "--net", "true"], capture_output=True,
                timeout=10).returncode == 0:
            env = dict(os.environ, K8S_SIDECAR_NETNS="1")
            return subprocess.run(["unshare", "--net", sys.executable] +
                                  sys.argv, env=env).returncode
        print("k8s-sidecar: no network namespace here; on the host's "
              "loopback (the token goes unchecked)")
    if NETNS:
        netns_setup()
        print("k8s-sidecar: in a network namespace of its own: the "
              "kubelet at %s, the pod at %s" % (NODE, POD))
    if shutil.which("haproxy") is None:
        print("k8s-sidecar: haproxy is not installed (scripts/deps.sh "
              "haproxy)")
        return 1
    m = manifest()
    if m["restart"] != "Always" or not m["token_env"]:
        print("k8s-sidecar: the manifest's healthgate is not a native "
              "sidecar (restartPolicy: Always) with a token file")
        return 1
    lags = [float(sys.argv[sys.argv.index("--lag") + 1])] \
        if "--lag" in sys.argv else ([2.0] if QUICK else [1.0, 3.0, 6.0])
    failed = 0
    if not QUICK and "--lag" not in sys.argv:
        # What the hook saves: the same stop without it (not judged).
        r = run(3.0, hook=False)
        print("k8s-sidecar: baseline, no preStop, lag=3.0s: ok=%d "
              "non2xx=%d errors=%d" % (r["ok"], r["non2xx"], r["errors"]),
              flush=True)
    for lag in lags:
        r = run(lag)
        bad = (r["note"] or r["non2xx"] or r["errors"] or r["ok"] == 0 or
               r.get("prestop_status") != 200 or
               r.get("after_let_go_s", 99) > FEW or
               r.get("hg_status") != 0 or r.get("hg_exit_s", 99) > 1.0 or
               (NETNS and r.get("access") != "token"))
        failed += bool(bad)
        print("k8s-sidecar: lag=%.1fs ok=%d non2xx=%d errors=%d "
              "prestop=%s in %.2fs router_let_go=%.2fs "
              "prestop_after_let_go=%.2fs (access=%s) hg_exit=%s in %s "
              "%s%s" % (
                  lag, r["ok"], r["non2xx"], r["errors"],
                  r.get("prestop_status"), r.get("prestop_s", -1),
                  r.get("router_let_go_s", -1), r.get("after_let_go_s", -1),
                  r.get("access"), r.get("hg_status"),
                  "%.2fs" % r["hg_exit_s"] if "hg_exit_s" in r else "-",
                  "FAILED " if bad else "", r["note"]), flush=True)
        if bad:
            for line in r.get("log", []):
                print("    " + line)
    print("k8s-sidecar: %d runs, %d failed" % (len(lags), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
