"""The servers under test (healthgate, nginx, HAProxy), each started in its
own process group on the server CPU, and the tools the bench installs."""

import os
import shutil
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

from . import settings as S
from .procs import children
from .settings import BODY, say, which


TOOLS = {  # command -> Debian package
    "wrk": "wrk", "nginx": "nginx", "haproxy": "haproxy",
    "gnuplot": "gnuplot-nox", "taskset": "util-linux", "cc": "gcc",
    "strip": "binutils",
}


def ensure_tools():
    """Installs what is missing with apt-get, without starting services."""
    missing = sorted({pkg for cmd, pkg in TOOLS.items() if not which(cmd)})
    if not missing:
        return
    say(f"installing missing packages: {' '.join(missing)}")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    if sudo and not shutil.which("sudo"):
        sys.exit("bench: need root or sudo to install: " + " ".join(missing))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    # Debian starts nginx and haproxy as services on install; policy-rc.d
    # stops that (we start our own, on our own ports). Only ours is removed.
    policy = "/usr/sbin/policy-rc.d"
    ours = False
    if not os.path.exists(policy):
        subprocess.run(sudo + ["sh", "-c", f"printf '#!/bin/sh\\nexit 101\\n'"
                               f" > {policy} && chmod 755 {policy}"],
                       check=True)
        ours = True
    try:
        install = sudo + ["apt-get", "install", "-y", "-qq",
                          "--no-install-recommends"] + missing
        quiet = {"env": env, "stdout": subprocess.DEVNULL}
        if subprocess.run(install, **quiet).returncode:
            subprocess.run(sudo + ["apt-get", "update", "-qq"], env=env,
                           check=True)
            subprocess.run(install, check=True, **quiet)
    finally:
        if ours:
            subprocess.run(sudo + ["rm", "-f", policy])
    still = [cmd for cmd in TOOLS if not which(cmd)]
    if still:
        sys.exit(f"bench: still missing after install: {' '.join(still)}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_health(port, timeout=0.5):
    """One GET /health; the status code, or None if it could not be had."""
    try:
        with socket.create_connection(("127.0.0.1", port),
                                      timeout=timeout) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n"
                      b"Connection: close\r\n\r\n")
            data = s.recv(64)
        m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
        return int(m.group(1)) if m else None
    except OSError:
        return None


class Server:
    """One server under test, started in its own process group on CPU 0."""

    def __init__(self, name, tmp):
        self.name, self.tmp = name, tmp
        self.proc = None
        self.port = None
        self.worker = None	# the process that serves (nginx: the worker)

    def argv(self, port, extra):
        raise NotImplementedError

    def clone(self):
        """A new, unstarted instance of the same server."""
        return type(self)(self.tmp)

    def start(self, extra=(), wait=True):
        self.port = free_port()
        argv = ["taskset", "-c", S.SERVER_CPU] + self.argv(self.port, extra)
        self.log = open(os.path.join(self.tmp, f"{self.name}.log"), "ab")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=self.log,
                                     stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        LIVE.append(self)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, limit=10.0):
        """Polls for the first 200; returns the seconds since start()."""
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < limit:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: see {self.log.name}")
            if get_health(self.port) == 200:
                self.worker = self.find_worker()
                return time.perf_counter() - t0
            time.sleep(0.0005)
        raise RuntimeError(f"{self.name} gave no 200 within {limit} s")

    def find_worker(self):
        return self.proc.pid

    def pids(self):
        return [self.proc.pid] + children(self.proc.pid)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        if self in LIVE:
            LIVE.remove(self)
            self.log.close()


class Healthgate(Server):
    def __init__(self, tmp, binary, name="healthgate", args=()):
        super().__init__(name, tmp)
        self.binary, self.args = binary, list(args)

    def clone(self):
        return Healthgate(self.tmp, self.binary, self.name, self.args)

    def argv(self, port, extra):
        return [self.binary, "--listen", f"127.0.0.1:{port}", *self.args,
                *extra]

    def program(self):
        return self.binary


class Nginx(Server):
    def __init__(self, tmp):
        super().__init__("nginx", tmp)

    def argv(self, port, extra):
        prefix = tempfile.mkdtemp(prefix="nginx.", dir=self.tmp)
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile 20000;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 10240; }}
http {{
    access_log off;
    server {{
        listen 127.0.0.1:{port} backlog=1024;
        location = /health {{
            default_type application/health+json;
            add_header Cache-Control no-store;
            return 200 '{BODY}';
        }}
    }}
}}
""")
        return [which("nginx"), "-p", prefix, "-c", conf, "-e",
                f"{prefix}/error.log"]

    def find_worker(self):
        kids = children(self.proc.pid)
        return kids[0] if kids else self.proc.pid

    def program(self):
        return which("nginx")


class HAProxy(Server):
    def __init__(self, tmp):
        super().__init__("haproxy", tmp)

    def argv(self, port, extra):
        conf = os.path.join(self.tmp, f"haproxy.{port}.cfg")
        with open(conf, "w") as f:
            f.write(f"""global
    nbthread 1
    maxconn 9000
defaults
    mode http
    timeout connect 5s
    timeout client 10s
    timeout server 10s
    timeout http-keep-alive 10s
frontend health
    bind 127.0.0.1:{port}
    monitor-uri /health
""")
        return [which("haproxy"), "-db", "-f", conf]

    def program(self):
        return which("haproxy")


LIVE = []


def stop_all(*_):
    for s in list(LIVE):
        s.stop()


def on_signal(signum, _frame):
    stop_all()
    sys.exit(128 + signum)
