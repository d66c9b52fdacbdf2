#!/usr/bin/env python3
"""healthgate under a real systemd (PID 1 of a container), as installed by
`make install`: the second half of `make systemd-check`.

Boots a Debian bookworm root (scripts/systemd-rootfs.sh makes it once and
keeps it) with `systemd-nspawn -b --private-network --register=no
--keep-unit`; there is no machined on the host, so every command inside
runs through `nsenter -t <the container's PID 1> -a`. The container has
only its own loopback: the app, the prober and healthgate talk on it and
nowhere else. Each step prints what it ran and what it saw; the closing
line is "systemd: N passed, M failed". The container is powered off (or
its processes killed by PID) on every way out.

usage: nspawn_check.py BUILD_DIR
"""

import json
import os
import re
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
WORK = os.path.join(BUILD, "systemd")
ROOTFS = os.path.join(WORK, "rootfs")    # made once, never booted
ROOT = os.path.join(WORK, "run")         # a fresh copy per run
CONSOLE = os.path.join(WORK, "console.log")
PIDFILE = os.path.join(WORK, "nspawn.pid")
TOTAL_LIMIT = 600                         # seconds for the whole run

UNIT = "healthgate"
LIVE = "http://127.0.0.1:8081/live"
HEALTH = "http://127.0.0.1:8081/health"
APP_PORT = 8080
# What every configuration here shares: checks every second, and the
# test's own requests (from 127.0.0.1) never held up a drain; the
# prober comes from 127.0.0.2.
BASE = """HEALTHGATE_INTERVAL=1s
HEALTHGATE_TIMEOUT=800ms
HEALTHGATE_DRAIN_IGNORE=127.0.0.1/32,::1/128
"""
# http, tcp and exec checks (a binary, curl, a script), all on the app.
CHECKS_APP = ("app=http://127.0.0.1:8080/healthz,"
              "port=tcp://127.0.0.1:8080,"
              "true=exec:/bin/true,"
              "curl=exec:curl -fsS -o /dev/null http://127.0.0.1:8080/healthz,"
              "script=exec:/usr/local/bin/hg-test-check")
CONFIG_APP = 'HEALTHGATE_CHECKS="%s"\n%s' % (CHECKS_APP, BASE)
# What the unit's comments say about commands in its sandbox.
CONFIG_SANDBOX = ('HEALTHGATE_CHECKS="ip=exec:ip -br link,'
                  'nice=exec:nice -n 5 /bin/true,'
                  'pgrep=exec:pgrep -x healthgate,'
                  'pgrep1=exec:pgrep -x systemd,'
                  'taskset=exec:taskset -c 0 /bin/true,'
                  'ionice=exec:ionice -c 3 /bin/true"\n'
                  "HEALTHGATE_DRAIN_FALL=1000\n"
                  "HEALTHGATE_DRAIN_TIMEOUT=2s\n" + BASE)
CHECK_SCRIPT = """#!/bin/sh
# An exec: check that is a script (tests/systemd/nspawn_check.py).
body=$(curl -fsS --max-time 1 http://127.0.0.1:8080/healthz) || exit 1
[ "$body" = ok ]
"""
ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
       "LANG": "C.UTF-8", "SYSTEMD_PAGER": "", "SYSTEMD_COLORS": "0",
       "TERM": "dumb"}

passed = 0
failed = 0


def say(msg):
    print(msg, flush=True)


def indent(text, n=30):
    lines = text.rstrip("\n").splitlines()
    if len(lines) > n:
        lines = lines[:n // 2] + ["    ..."] + lines[-n // 2:]
    return "\n".join("    | " + line for line in lines)


def result(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
    say("%s %s%s" % ("PASS" if ok else "FAIL", name,
                      (": " + detail) if detail else ""))


class Container:
    """A booted systemd-nspawn container and its PID 1."""

    def __init__(self):
        self.nspawn = None
        self.pid1 = None

    def boot(self):
        log = open(CONSOLE, "wb")
        # Its own session, so a ^C at the terminal reaches only this
        # script, which then powers the container off.
        self.nspawn = subprocess.Popen(
            ["systemd-nspawn", "-D", ROOT, "-b",
             "--machine=hgtest-%d" % os.getpid(),
             "--private-network", "--register=no", "--keep-unit",
             "--console=pipe"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()
        with open(PIDFILE, "w") as f:
            f.write("%d\n" % self.nspawn.pid)
        deadline = time.monotonic() + 30
        while self.pid1 is None and time.monotonic() < deadline:
            if self.nspawn.poll() is not None:
                break
            self.pid1 = child_of(self.nspawn.pid)
            time.sleep(0.1)
        if self.pid1 is None:
            raise RuntimeError("no container init under nspawn %d" %
                               self.nspawn.pid)
        state = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = self.run("systemctl", "is-system-running",
                             quiet=True).stdout.strip()
            if state in ("running", "degraded"):
                break
            time.sleep(0.3)
        return state

    def run(self, *argv, timeout=30, quiet=False, input=None):
        """argv inside the container; never longer than timeout."""
        cmd = ["nsenter", "-t", str(self.pid1), "-a"] + list(argv)
        # Its own session: nothing it signals can reach this script.
        try:
            p = subprocess.run(cmd, env=ENV, capture_output=True,
                               text=True, timeout=timeout, input=input,
                               start_new_session=True)
        except subprocess.TimeoutExpired as e:
            p = subprocess.CompletedProcess(cmd, 124,
                                            (e.stdout or b"").decode()
                                            if isinstance(e.stdout, bytes)
                                            else (e.stdout or ""),
                                            "timed out after %ss" % timeout)
        if not quiet:
            say("  $ %s  (exit %d)" % (" ".join(argv), p.returncode))
            out = (p.stdout + p.stderr).strip()
            if out:
                say(indent(out))
        return p

    def show(self, *props):
        p = self.run("systemctl", "show", UNIT, "-p", ",".join(props),
                     quiet=True)
        vals = dict(line.split("=", 1) for line in p.stdout.splitlines()
                    if "=" in line)
        return vals

    def poweroff(self):
        """Ends the container whatever state it is in; returns how."""
        if self.nspawn is None:
            return "never started"
        if self.nspawn.poll() is None and self.pid1 is not None:
            self.run("systemctl", "poweroff", "--no-block", timeout=10,
                     quiet=True)
            try:
                self.nspawn.wait(timeout=30)
                return "powered off (nspawn exit %d)" % self.nspawn.returncode
            except subprocess.TimeoutExpired:
                pass
        how = "powered off"
        if self.nspawn.poll() is None:
            # Its init first: that ends every process of the container.
            if self.pid1 is not None:
                kill(self.pid1, signal.SIGKILL)
            kill(self.nspawn.pid, signal.SIGKILL)
            self.nspawn.wait(timeout=10)
            how = "killed by PID (init %s, nspawn %d)" % (self.pid1,
                                                          self.nspawn.pid)
        try:
            os.unlink(PIDFILE)
        except FileNotFoundError:
            pass
        return how + " (nspawn exit %d)" % self.nspawn.returncode


def kill(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def child_of(ppid):
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may hold spaces.
        if int(stat.rsplit(")", 1)[1].split()[1]) == ppid:
            return int(d)
    return None


def end_stale_run():
    """A run killed hard (SIGKILL) left its container: end it by PID."""
    try:
        with open(PIDFILE) as f:
            pid = int(f.read())
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            cmdline = f.read().split(b"\0")
    except (OSError, ValueError):
        return
    if os.path.basename(cmdline[0]) != b"systemd-nspawn" or \
            ROOT.encode() not in cmdline:
        return
    say("ending the container a killed run left (nspawn %d)" % pid)
    init = child_of(pid)
    if init is not None:
        kill(init, signal.SIGKILL)
    kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while os.path.exists("/proc/%d" % pid) and time.monotonic() < deadline:
        time.sleep(0.1)


def wait_for(what, fn, limit, step=0.2):
    """fn() until it is true or limit seconds pass; returns (value, s)."""
    start = time.monotonic()
    while True:
        v = fn()
        took = time.monotonic() - start
        if v or took >= limit:
            return v, took
        time.sleep(step)


def write(path, text, mode=0o644):
    full = os.path.join(ROOT, path.lstrip("/"))
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        f.write(text)
    os.chmod(full, mode)


# --- steps --------------------------------------------------------------

def seqnum(entry):
    """An entry's sequence number: the i= of its cursor, in hex."""
    m = re.search(r"(?:^|;)i=([0-9a-f]+)", entry.get("__CURSOR", ""))
    return int(m.group(1), 16) if m else None


def cursor(c):
    """The journal's last sequence number: later entries are above it.
    (journalctl --after-cursor with -u skips the first match when the
    cursor's own entry is another unit's, so entries are filtered here.)"""
    p = c.run("journalctl", "-q", "-n", "1", "-o", "json", quiet=True)
    try:
        n = seqnum(json.loads(p.stdout))
    except ValueError:
        n = None
    if n is None:
        raise RuntimeError("no journal sequence number: %r" % p.stdout)
    return n


def journal(c, cur, *args, unit=UNIT):
    """unit's messages logged after cursor cur, one a line."""
    p = c.run(*(["journalctl", "-q", "--no-pager", "-o", "json", "-u", unit] +
                list(args)), quiet=True)
    lines = []
    for line in p.stdout.splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        msg = e.get("MESSAGE")
        if (seqnum(e) or 0) > cur and isinstance(msg, str):
            lines.append(msg)
    return "\n".join(lines) + ("\n" if lines else "")


def http_get(c, url, src=None):
    argv = ["curl", "-s", "--max-time", "2", "-w", "\n%{http_code}"]
    if src:
        argv += ["--interface", src]
    p = c.run(*(argv + [url]), quiet=True)
    body, _, code = p.stdout.rpartition("\n")
    return code, body


def health(c):
    code, body = http_get(c, HEALTH)
    try:
        return code, json.loads(body)
    except ValueError:
        return code, None


def check_states(doc):
    """{name: (status, output)} from a /health body."""
    out = {}
    for key, runs in (doc or {}).get("checks", {}).items():
        name = key.split(":", 1)[0]
        out[name] = (runs[0].get("status"), runs[0].get("output", ""))
    return out


def configure(text):
    write("/etc/default/healthgate", text)
    say("  /etc/default/healthgate:")
    say(indent(text))


def start_app(c):
    c.run("systemd-run", "--unit=hg-app", "--property=Restart=no",
          "python3", "-m", "http.server", str(APP_PORT), "--bind",
          "127.0.0.1", "--directory", "/srv/app")
    up, took = wait_for("app", lambda: http_get(
        c, "http://127.0.0.1:%d/healthz" % APP_PORT)[0] == "200", 10)
    say("  app on 127.0.0.1:%d %s after %.1fs" % (APP_PORT,
        "answers" if up else "does NOT answer", took))
    return up


def start_prober(c):
    # A load balancer's prober from a second loopback address: /health
    # every 0.5 s, printing each status (its journal keeps them); at most
    # 240 requests, so it ends by itself. It says it is an ALB's: curl's
    # own User-Agent routes nothing, and the drain never waits for it.
    c.run("systemd-run", "--unit=hg-prober", "--property=Restart=no", "sh",
          "-c", "for i in $(seq 240); do curl -s -o /dev/null --max-time 1 "
          "-A ELB-HealthChecker/2.0 "
          "-w 'status=%{http_code}\\n' --interface 127.0.0.2 " + HEALTH +
          "; sleep 0.5; done")


def prober_codes(c, cur):
    return re.findall(r"status=(\d+)", journal(c, cur, unit="hg-prober"))


def stop_unit(c):
    """systemctl stop, timed; returns (exit status, seconds)."""
    t = time.monotonic()
    p = c.run("systemctl", "stop", UNIT, timeout=60)
    return p.returncode, time.monotonic() - t


def fresh_start(c):
    # Counted starts begin again: each phase below starts the unit a few
    # times, and StartLimitBurst counts manual starts too.
    c.run("systemctl", "reset-failed", UNIT, quiet=True)
    return c.run("systemctl", "restart", UNIT, timeout=60)


def step_ready(c):
    say("\n== systemctl start returns once healthgate serves (Type=notify)")
    configure(CONFIG_APP)
    c.run("systemctl", "daemon-reload")
    t = time.monotonic()
    p = c.run("systemctl", "start", UNIT, timeout=60)
    took = time.monotonic() - t
    # At once, one try: READY=1 is sent once the listener is open.
    code, _ = http_get(c, LIVE)
    v = c.show("ActiveState", "SubState", "Type", "MainPID")
    say("  start took %.2fs; then GET /live (one try) -> %s; %s" %
        (took, code, v))
    ok = p.returncode == 0 and code == "200" and \
        v.get("ActiveState") == "active"
    result("start returns when serving", ok, "exit %d, /live %s, %s" % (
        p.returncode, code, v.get("ActiveState")))
    if not ok:
        # Every later step needs a running healthgate; say why not.
        c.run("journalctl", "-u", UNIT, "--no-pager", "-n", "20")
        raise RuntimeError("healthgate did not start under systemd")


def step_status_and_checks(c):
    say("\n== systemctl status shows the STATUS line; http, tcp and exec "
        "checks in the sandbox")
    ok, took = wait_for("healthy", lambda: health(c)[0] == "200", 10)
    code, doc = health(c)
    states = check_states(doc)
    say("  /health after %.1fs: %s %s" % (took, code, states))
    p = c.run("systemctl", "status", UNIT, "--no-pager", "-n", "0")
    m = re.search(r'Status: "([^"]*)"', p.stdout)
    status = m.group(1) if m else None
    result("systemctl status shows STATUS", status is not None and
           status.startswith("healthy: 5 checks up"), repr(status))
    for name in ("app", "port", "true", "curl", "script"):
        st = states.get(name, ("missing", ""))
        result("check %s (%s) up inside the sandbox" % (name, {
            "app": "http", "port": "tcp", "true": "exec /bin/true",
            "curl": "exec curl", "script": "exec a script"}[name]),
               st[0] == "pass", "%s %s" % st)


def step_journal_priority(c):
    say("\n== journalctl -p warning shows a failing check, and only "
        "warnings")
    ok, _ = wait_for("healthy", lambda: health(c)[0] == "200", 10)
    cur = cursor(c)
    c.run("systemctl", "stop", "hg-app")
    names = ("app", "port", "curl", "script")
    states, took = wait_for("down", lambda: (lambda s: all(
        s.get(n, ("",))[0] == "fail" for n in names) and s)(
            check_states(health(c)[1])), 10)
    # The journal has the lines a moment after /health changed.
    warn, _ = wait_for("logged", lambda: (lambda w: all(
        " warn check_down name=%s " % n in w for n in names) and w)(
            journal(c, cur, "-p", "warning")), 5)
    warn = warn or journal(c, cur, "-p", "warning")
    alls = journal(c, cur)
    say("  app stopped: every app check down after %.1fs; "
        "journalctl -u healthgate -p warning:" % took)
    say(indent(warn))
    result("journalctl -p warning shows check_down",
           all(" warn check_down name=%s " % n in warn for n in names))
    infos = [line for line in alls.splitlines() if " info " in line]
    result("info lines stay out of -p warning",
           infos != [] and not any(" info " in line
                                   for line in warn.splitlines()),
           "%d info lines in all, %d in -p warning" % (
               len(infos), sum(" info " in x for x in warn.splitlines())))
    start_app(c)
    ok, took = wait_for("up", lambda: health(c)[0] == "200", 10)
    say("  app back: /health %s after %.1fs" % ("200" if ok else "NOT 200",
                                                 took))


def main_pid(v):
    """MainPID from systemctl show, only if it is a process's (kill 0
    or -1 would signal far more than healthgate)."""
    pid = v.get("MainPID", "")
    if not pid.isdigit() or int(pid) <= 1:
        raise RuntimeError("healthgate has no main process: %s" % v)
    return pid


def step_watchdog(c):
    say("\n== a frozen healthgate (kill -STOP) is killed by the watchdog "
        "and restarted")
    cur = cursor(c)
    v = c.show("MainPID", "NRestarts", "WatchdogUSec")
    pid = main_pid(v)
    say("  before: %s" % v)
    c.run("kill", "-STOP", pid)
    t = time.monotonic()
    # WatchdogSec=20s: killed 10-20 s after the freeze, restarted 2 s on.
    new, took = wait_for("restarted", lambda: (
        lambda s: s.get("MainPID") not in (pid, "0", None) and
        s.get("ActiveState") == "active" and s)(c.show(
            "MainPID", "ActiveState", "NRestarts")), 40, step=0.5)
    log = journal(c, cur)
    say("  after %.1fs: %s" % (time.monotonic() - t, new))
    say(indent("\n".join(line for line in log.splitlines()
                         if "healthgate.service" in line or
                         " start " in line)))
    result("watchdog kills a frozen process and systemd restarts it",
           bool(new) and "Watchdog timeout" in log and
           int(new.get("NRestarts", 0)) == int(v.get("NRestarts", 0)) + 1,
           "%.1fs" % took)
    code, _ = http_get(c, LIVE)
    result("the restarted healthgate serves", code == "200", "/live " + code)


def step_kill9(c):
    say("\n== kill -9 restarts it")
    cur = cursor(c)
    v = c.show("MainPID", "NRestarts")
    pid = main_pid(v)
    c.run("kill", "-KILL", pid)
    new, took = wait_for("restarted", lambda: (
        lambda s: s.get("MainPID") not in (pid, "0", None) and
        s.get("ActiveState") == "active" and s)(c.show(
            "MainPID", "ActiveState", "NRestarts")), 15, step=0.2)
    log = journal(c, cur)
    say("  after %.1fs: %s" % (took, new))
    result("kill -9 restarts", bool(new) and "status=9/KILL" in log and
           int(new.get("NRestarts", 0)) == int(v.get("NRestarts", 0)) + 1,
           "%.1fs" % took)


def step_stop_idle(c):
    say("\n== systemctl stop with no prober: immediate, exit 0")
    cur = cursor(c)
    rc, took = stop_unit(c)
    v = c.show("Result", "ExecMainCode", "ExecMainStatus", "ActiveState")
    log = journal(c, cur)
    say("  stop took %.2fs; %s" % (took, v))
    say(indent("\n".join(x for x in log.splitlines() if "drain" in x or
                         " exit " in x)))
    result("stop without probers is immediate and clean",
           rc == 0 and took < 1.5 and v.get("Result") == "success" and
           v.get("ExecMainStatus") == "0" and "watched=0" in log and
           "exit status=0" in log, "%.2fs, %s" % (took, v.get("Result")))


def step_stop_drain(c):
    say("\n== systemctl stop with a prober (127.0.0.2) drains")
    cur = cursor(c)
    p = fresh_start(c)
    start_prober(c)
    seen, took = wait_for("prober", lambda: prober_codes(c, cur).count(
        "200") >= 2, 10)
    say("  prober got %s after %.1fs" % (prober_codes(c, cur), took))
    rc, took = stop_unit(c)
    time.sleep(0.6)      # the prober's next request, refused
    codes = prober_codes(c, cur)
    c.run("systemctl", "stop", "hg-prober", quiet=True)
    v = c.show("Result", "ExecMainStatus")
    log = journal(c, cur)
    say("  stop took %.2fs; %s; prober saw %s" % (took, v, codes))
    say(indent("\n".join(x for x in log.splitlines() if "drain" in x or
                         " exit " in x)))
    result("stop with a prober drains it (by evidence)",
           p.returncode == 0 and rc == 0 and
           "drain_start signal=SIGTERM watched=1" in log and
           re.search(r"drain_end reason=(evidence|quiet) watched=1 "
                     r"served=1", log) is not None and
           codes.count("503") >= 2 and v.get("ExecMainStatus") == "0",
           "%.2fs, %d 503s to the prober" % (took, codes.count("503")))
    # The unit lets the drain read the app's sockets (AF_NETLINK).
    result("the drain sees the app's traffic under the unit",
           "traffic_unseen" not in log and "traffic=seen" in log,
           "; ".join(x for x in log.splitlines() if "traffic" in x)[:300])


def step_sandbox(c):
    say("\n== what the unit's comments say about commands in its sandbox")
    configure(CONFIG_SANDBOX)
    p = fresh_start(c)

    def all_ran():
        s = check_states(health(c)[1])
        return len(s) == 6 and all(o != "not run yet"
                                   for _, o in s.values()) and s
    states, took = wait_for("ran", all_ran, 10)
    states = states or {}
    say("  after %.1fs: %s" % (took, json.dumps(states)))
    ip = states.get("ip", ("missing", ""))
    result("ip fails silently (capset denied by ~@privileged)",
           p.returncode == 0 and ip == ("fail", "exit status 1"),
           "%s %r" % ip)
    nice = states.get("nice", ("missing", ""))
    result("nice runs the command un-niced, with a warning",
           nice[0] == "pass" and "cannot set niceness" in nice[1],
           "%s %r" % nice)
    pg = states.get("pgrep", ("missing", ""))
    result("pgrep works (sees the unit's own processes)", pg[0] == "pass",
           "%s %r" % pg)
    pg = states.get("pgrep1", ("missing", ""))
    result("pgrep does not see PID 1 (root's; ProtectProc=invisible)",
           pg == ("fail", "exit status 1"), "%s %r" % pg)
    ts = states.get("taskset", ("missing", ""))
    result("taskset is refused (~@resources)", ts[0] == "fail" and
           "Operation not permitted" in ts[1], "%s %r" % ts)
    io = states.get("ionice", ("missing", ""))
    result("ionice is refused (~@resources)", io[0] == "fail" and
           "Operation not permitted" in io[1], "%s %r" % io)

    # AF_NETLINK alone does not bring ip back; with capset allowed too,
    # it runs: the loosening the unit's comment gives.
    dropin = "/etc/systemd/system/healthgate.service.d/ip.conf"
    # The filter without ~@resources (the comment's drop-in) lets nice,
    # ionice and taskset take effect.
    for lines, names, want in (
            (["RestrictAddressFamilies=AF_NETLINK"], ["ip"], "fail"),
            (["RestrictAddressFamilies=AF_NETLINK",
              "SystemCallFilter=capset"], ["ip"], "pass"),
            (["SystemCallFilter=", "SystemCallFilter=@system-service",
              "SystemCallFilter=~@privileged"],
             ["nice", "ionice", "taskset"], "pass")):
        write(dropin, "[Service]\n" + "\n".join(lines) + "\n")
        say("  drop-in %s: %s" % (dropin, "; ".join(lines)))
        c.run("systemctl", "daemon-reload", quiet=True)
        c.run("systemctl", "reset-failed", UNIT, quiet=True)
        c.run("systemctl", "restart", UNIT, timeout=60)
        s, _ = wait_for("ran", all_ran, 10)
        got = {n: (s or {}).get(n, ("missing", "")) for n in names}
        # A nice that took effect has nothing to say.
        result("%s with %s: %s" % (", ".join(names), " + ".join(lines),
                                   want),
               all(v[0] == want and "not permitted" not in v[1]
                   for v in got.values()), str(got))
    os.unlink(os.path.join(ROOT, dropin.lstrip("/")))
    c.run("systemctl", "daemon-reload", quiet=True)
    c.run("systemctl", "reset-failed", UNIT, quiet=True)
    c.run("systemctl", "restart", UNIT, timeout=60)


def step_drain_capped(c):
    say("\n== a drain the cap ends is a warning in the journal")
    cur = cursor(c)
    start_prober(c)
    seen, _ = wait_for("prober", lambda: len(prober_codes(c, cur)) >= 2, 10)
    rc, took = stop_unit(c)
    c.run("systemctl", "stop", "hg-prober", quiet=True)
    warn = journal(c, cur, "-p", "warning")
    say("  stop took %.2fs (HEALTHGATE_DRAIN_TIMEOUT=2s); -p warning:" % took)
    say(indent(warn))
    result("drain_capped in journalctl -p warning",
           rc == 0 and 1.5 <= took < 6 and
           " warn drain_capped reason=cap watched=1" in warn,
           "%.2fs" % took)


def step_bad_config(c):
    say("\n== a bad value in /etc/default/healthgate: one failed start, "
        "no restart loop")
    c.run("systemctl", "stop", UNIT, quiet=True)
    configure(CONFIG_APP + "HEALTHGATE_INTERVAL=abc\n")
    c.run("systemctl", "reset-failed", UNIT, quiet=True)
    cur = cursor(c)
    p = c.run("systemctl", "start", UNIT, timeout=60)
    # Three RestartSec=2s periods: a restart loop would show by now.
    time.sleep(7)
    v = c.show("ActiveState", "Result", "ExecMainStatus", "NRestarts")
    log = journal(c, cur)
    err = journal(c, cur, "-p", "err")
    say("  after 7s: %s; journal:" % v)
    say(indent(log))
    starts = log.count("Starting healthgate.service")
    result("configuration error: one failed start, no restart",
           p.returncode != 0 and v.get("ActiveState") == "failed" and
           v.get("ExecMainStatus") == "2" and v.get("NRestarts") == "0" and
           starts == 1, "%d start(s), %s" % (starts, v))
    result("the configuration error is at priority err",
           "HEALTHGATE_INTERVAL" in err and "abc" in err, err.strip().splitlines()[0]
           if err.strip() else "nothing at -p err")
    # The same refusal as JSON, when JSON is asked for: still one line
    # at priority err (the <3> comes before the object).
    configure(CONFIG_APP + "HEALTHGATE_LOG_FORMAT=json\n"
              "HEALTHGATE_INTERVAL=abc\n")
    cur = cursor(c)
    c.run("systemctl", "start", UNIT, timeout=60)
    err = journal(c, cur, "-p", "err")
    line = next((x for x in err.splitlines() if x.startswith("{")), "")
    say("  with HEALTHGATE_LOG_FORMAT=json, -p err: %s" % line)
    try:
        doc = json.loads(line)
    except ValueError:
        doc = {}
    result("the JSON refusal is one object at priority err",
           doc.get("level") == "error" and
           "HEALTHGATE_INTERVAL" in json.dumps(doc), line)
    configure(CONFIG_APP)
    p = c.run("systemctl", "start", UNIT, timeout=60)
    result("fixed, it starts again without reset-failed",
           p.returncode == 0 and c.show("ActiveState").get(
               "ActiveState") == "active")


def step_start_limit(c):
    say("\n== a failure that repeats at once stops at the start limit")
    c.run("systemctl", "stop", UNIT, quiet=True)
    # Another process (the app) holds the port: exit 1, a runtime
    # failure, so it is restarted, until 5 starts within 60 s.
    configure(CONFIG_APP + "HEALTHGATE_LISTEN=127.0.0.1:%d\n" % APP_PORT)
    c.run("systemctl", "reset-failed", UNIT, quiet=True)
    cur = cursor(c)
    c.run("systemctl", "start", UNIT, timeout=60)
    # "activating (auto-restart)" until systemd gives up.
    v, took = wait_for("limit", lambda: (lambda s: s.get("ActiveState") ==
                                         "failed" and s)(c.show(
        "ActiveState", "SubState", "Result", "NRestarts")), 30, step=0.5)
    v = v or c.show("ActiveState", "SubState", "Result", "NRestarts")
    log = journal(c, cur)
    starts = log.count("cannot listen on")
    say("  after %.1fs: %s, %d starts" % (took, v, starts))
    say(indent("\n".join(x for x in log.splitlines()
                         if "cannot listen" in x or "repeated" in x or
                         "Failed" in x)))
    result("start limit ends a crash loop after 5 starts",
           v.get("ActiveState") == "failed" and starts == 5 and
           "Start request repeated too quickly" in log,
           "%d starts in %.1fs" % (starts, took))
    configure(CONFIG_APP)
    p = c.run("systemctl", "start", UNIT, timeout=60)
    p2 = fresh_start(c)
    result("after the limit: start refused until reset-failed",
           p.returncode != 0 and p2.returncode == 0)
    c.run("systemctl", "stop", UNIT, quiet=True)


STEPS = [step_ready, step_status_and_checks, step_journal_priority,
         step_watchdog, step_kill9, step_stop_idle, step_stop_drain,
         step_sandbox, step_drain_capped, step_bad_config, step_start_limit]


def runtime_packages(binary):
    """The Debian packages of the shared libraries binary loads, sorted."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True,
                         check=True).stdout
    pkgs = set()
    for lib in re.findall(r"=> (/\S+)", out):
        # dpkg knows a file by the path its package ships it under:
        # /lib or /usr/lib (merged /usr), or the real file of a link.
        tries = [lib, os.path.realpath(lib)]
        tries += ["/usr" + t for t in tries if not t.startswith("/usr/")]
        for path in tries:
            r = subprocess.run(["dpkg", "-S", path], capture_output=True,
                               text=True)
            if r.returncode == 0:
                pkgs.add(r.stdout.split(":", 1)[0].strip())
                break
        else:
            raise RuntimeError("no Debian package ships %s" % lib)
    return sorted(pkgs)


def prepare():
    say("== root file system")
    binary = os.path.join(BUILD, "healthgate")
    pkgs = runtime_packages(binary)
    say("  %s loads libraries from: %s" % (binary, " ".join(pkgs)))
    r = subprocess.run([os.path.join(REPO, "scripts", "systemd-rootfs.sh"),
                        ROOTFS] + pkgs, cwd=REPO)
    if r.returncode != 0:
        raise RuntimeError("no root file system")
    end_stale_run()
    t = time.monotonic()
    subprocess.run(["rm", "-rf", ROOT], check=True)
    subprocess.run(["cp", "-a", "--reflink=auto", ROOTFS, ROOT], check=True)
    say("  fresh copy at %s in %.1fs" % (ROOT, time.monotonic() - t))
    say("== make install DESTDIR=%s" % ROOT)
    r = subprocess.run([os.environ.get("MAKE", "make"), "--no-print-directory",
                        "install", "BUILD=" + BUILD, "DESTDIR=" + ROOT],
                       cwd=REPO, capture_output=True, text=True)
    say(indent(r.stdout + r.stderr))
    if r.returncode != 0:
        raise RuntimeError("make install failed")
    # The installed binary runs in that root (its libraries are there).
    r = subprocess.run(["chroot", ROOT, "/usr/local/bin/healthgate",
                        "--version"], capture_output=True, text=True)
    say("  chroot: healthgate --version -> %s" % (r.stdout + r.stderr).strip())
    if r.returncode != 0:
        raise RuntimeError("the installed healthgate does not run in the "
                           "container's root (exit %d)" % r.returncode)
    write("/usr/local/bin/hg-test-check", CHECK_SCRIPT, 0o755)
    write("/srv/app/healthz", "ok")


def main():
    def on_signal(signum, frame):
        raise SystemExit("stopped by signal %d" % signum)
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM):
        signal.signal(s, on_signal)
    signal.alarm(TOTAL_LIMIT)
    os.makedirs(WORK, exist_ok=True)
    start = time.monotonic()
    c = Container()
    try:
        prepare()
        say("== boot: systemd-nspawn -D %s -b --private-network "
            "--register=no --keep-unit" % ROOT)
        t = time.monotonic()
        state = c.boot()
        say("  init PID %s, is-system-running: %s after %.1fs" %
            (c.pid1, state, time.monotonic() - t))
        if state not in ("running", "degraded"):
            raise RuntimeError("the container did not boot: %r" % state)
        c.run("systemctl", "--failed", "--no-pager", "--no-legend")
        c.run("systemctl", "--version", quiet=True)
        if not start_app(c):
            raise RuntimeError("the test app does not answer")
        # HEALTHGATE_SYSTEMD_STEPS=ready,bad_config runs only those.
        only = os.environ.get("HEALTHGATE_SYSTEMD_STEPS")
        for step in STEPS:
            if not only or step.__name__[5:] in only.split(","):
                step(c)
    except (Exception, SystemExit) as e:
        result("run", False, "%s: %s" % (type(e).__name__, e))
        if os.path.exists(CONSOLE):
            with open(CONSOLE, errors="replace") as f:
                say("  console (last lines):\n" + indent(f.read(), 20))
    finally:
        signal.alarm(0)
        say("\n== container: %s" % c.poweroff())
    say("took %.0fs" % (time.monotonic() - start))
    say("systemd: %d passed, %d failed" % (passed, failed))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
