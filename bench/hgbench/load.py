"""The loads and what is read around them: wrk keep-alive and new-connection
runs, the ALB-shaped probers of hgload, the idle reading and the footprint
(start-up, RSS, idle connections, binary size)."""

import os
import re
import subprocess
import time

from . import settings as S
from .procs import (ctx_switches, open_sockets, run_ns, status_kb,
                    steal_ticks, user_sys_ticks)
from .servers import HAProxy, Healthgate, Nginx
from .settings import (ALB, CLK_TCK, FOOT_REQUESTS, HOLD, IDLE_SECS, ROUNDS,
                       SECS, STARTS, say, which)


def parse_duration_us(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    scale = {"us": 1, "ms": 1e3, "s": 1e6, "m": 60e6}[m.group(2)]
    return float(m.group(1)) * scale


def wrk(port, secs, close=False, conns=32):
    argv = ["taskset", "-c", S.LOAD_CPU, which("wrk"), "-t1", f"-c{conns}",
            f"-d{secs}s", "--latency"]
    if close:
        argv += ["-H", "Connection: close"]
    argv.append(f"http://127.0.0.1:{port}/health")
    out = subprocess.run(argv, capture_output=True, text=True,
                         timeout=secs + 30).stdout
    r = {"requests": int(re.search(r"(\d+) requests in", out).group(1)),
         "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M)
        r[f"p{pct}_us"] = parse_duration_us(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                  r"timeout (\d+)", out)
    r["errors"] = sum(map(int, m.groups())) if m else 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    r["errors"] += int(m.group(1)) if m else 0
    return r


def hgload(tmp, *args, **kw):
    return subprocess.Popen(["taskset", "-c", S.LOAD_CPU,
                             os.path.join(tmp, "hgload"), *map(str, args)],
                            stdout=subprocess.PIPE, text=True, **kw)


def alb(tmp, port, secs):
    p = hgload(tmp, "alb", port, ALB[0], ALB[1], secs)
    out, _ = p.communicate(timeout=secs + 30)
    r = {k: float(v) for k, v in re.findall(r"(\w+)=(-?\d+)", out)}
    r["rps"] = r["ok"] / secs
    return r


def measured(server, load):
    """Runs load(); adds the server's CPU time per request (µs), its user
    and system ticks (compare sums those over rounds before dividing: one
    run's are too few) and the steal during the run (ms)."""
    pids = server.pids()
    ticks0 = [user_sys_ticks(p) for p in pids]
    ns0 = sum(run_ns(p) for p in pids)
    steal0 = steal_ticks()
    r = load()
    r["steal_ms"] = (steal_ticks() - steal0) * 1e3 / CLK_TCK
    ns1 = sum(run_ns(p) for p in pids)
    ticks1 = [user_sys_ticks(p) for p in pids]
    r["user_ticks"] = sum(b[0] - a[0] for a, b in zip(ticks0, ticks1))
    r["sys_ticks"] = sum(b[1] - a[1] for a, b in zip(ticks0, ticks1))
    n = r.get("requests", r.get("ok", 0))
    ticks = r["user_ticks"] + r["sys_ticks"]
    r["cpu_us_per_req"] = ticks / CLK_TCK * 1e6 / n if n else None
    # The same time from schedstat, in ns rather than 10 ms ticks.
    r["sched_us_per_req"] = (ns1 - ns0) / 1e3 / n if n else None
    return r


SCENARIOS = {
    "keepalive": lambda s, tmp: measured(s, lambda: wrk(s.port, SECS)),
    "close": lambda s, tmp: measured(s, lambda: wrk(s.port, SECS, True)),
    "alb": lambda s, tmp: measured(s, lambda: alb(tmp, s.port, SECS)),
}


def steal_summary(raw):
    """Load runs with any steal, per server: "healthgate 8/21, ..."."""
    out = []
    for n, label in (("healthgate", "healthgate"), ("nginx", "nginx"),
                     ("haproxy", "HAProxy")):
        runs = [r for scen in SCENARIOS for r in raw[scen].get(n, [])]
        out.append(f"{label} {sum(r['steal_ms'] > 0 for r in runs)}"
                   f"/{len(runs)}")
    return ", ".join(out)


def loads(servers, tmp, raw):
    say(f"warming up, then {ROUNDS} round(s) of {len(SCENARIOS)} scenarios "
        f"x {len(servers)} servers, {SECS} s each")
    for s in servers:
        wrk(s.port, 1)
    for rnd in range(ROUNDS):
        k = rnd % len(servers)
        order = servers[k:] + servers[:k]
        for scen, fn in SCENARIOS.items():
            for s in order:
                r = fn(s, tmp)
                raw.setdefault(scen, {}).setdefault(s.name, []).append(r)
                say(f"round {rnd + 1} {scen:9} {s.name:10} "
                    f"{r['rps']:9.0f} req/s  p99 {r['p99_us']:7.0f} us  "
                    f"cpu {r['cpu_us_per_req'] or 0:6.2f} us/req  "
                    f"errors {int(r['errors'])}  "
                    f"steal {r['steal_ms']:.0f} ms")


def idle(servers, hg, tmp, raw):
    """CPU time and wakeups of idle servers over IDLE_SECS, all at once."""
    say(f"idle: {IDLE_SECS} s with no connection")
    fresh = [hg.clone().start(),
             hg.clone().start(["--check", "exec:/bin/true", "--interval",
                               "2s"]),
             Nginx(tmp).start(), HAProxy(tmp).start()]
    names = ["healthgate", "healthgate_check", "nginx", "haproxy"]
    try:
        time.sleep(1.0)		# let start-up (and the first check) settle
        before = [(sum(ctx_switches(p) for p in s.pids()),
                   sum(run_ns(p) for p in s.pids())) for s in fresh]
        time.sleep(IDLE_SECS)
        after = [(sum(ctx_switches(p) for p in s.pids()),
                  sum(run_ns(p) for p in s.pids())) for s in fresh]
    finally:
        for s in fresh:
            s.stop()
    for name, b, a in zip(names, before, after):
        raw.setdefault("idle", {})[name] = {
            "wakeups": a[0] - b[0], "cpu_ms": (a[1] - b[1]) / 1e6}
    say("idle: " + ", ".join(f"{n} {raw['idle'][n]['wakeups']} wakeups "
                             f"{raw['idle'][n]['cpu_ms']:.2f} ms"
                             for n in names))


def footprint(servers, tmp, raw):
    say("footprint: start-up, RSS after start, after "
        f"{FOOT_REQUESTS} requests, with {HOLD} idle connections")
    hg_extra = []
    if "--max-connections-per-ip" in subprocess.run(
            [servers[0].binary, "--help"], capture_output=True,
            text=True).stdout:
        # Its defaults (1000 in all, 32 per address) would refuse most of
        # the 5,000: lift them as nginx and HAProxy are configured to.
        hg_extra = ["--max-connections", str(HOLD * 2),
                    "--max-connections-per-ip", str(HOLD * 2),
                    "--request-timeout", "60s"]
    raw["foot_extra_args"] = hg_extra
    for i in range(STARTS):
        for s in servers:
            fresh = s.clone()
            fresh.start(wait=False)
            try:
                t = fresh.wait_ready()
            finally:
                fresh.stop()
            raw.setdefault("startup_ms", {}).setdefault(s.name, []).append(
                t * 1e3)
    for s in servers:
        fresh = s.clone()
        fresh.start(hg_extra if isinstance(s, Healthgate) else ())
        f = {}
        try:
            time.sleep(0.2)
            w = fresh.worker
            f["rss_start_kb"] = status_kb(w, "VmRSS")
            f["anon_start_kb"] = status_kb(w, "RssAnon")
            done = 0
            for _ in range(50):		# bounded: 50 s at most
                done += wrk(fresh.port, 1)["requests"]
                if done >= FOOT_REQUESTS:
                    break
            f["requests"] = done
            time.sleep(0.2)
            f["rss_100k_kb"] = status_kb(w, "VmRSS")
            f["anon_100k_kb"] = status_kb(w, "RssAnon")
            base = open_sockets(w)
            holder = hgload(tmp, "hold", fresh.port, HOLD,
                            stdin=subprocess.PIPE)
            try:
                line = holder.stdout.readline()
                f["hold"] = {k: int(v) for k, v in
                             re.findall(r"(\w+)=(\d+)", line)}
                # A server may accept silent connections late (Linux's
                # TCP_DEFER_ACCEPT does, a second or more later): wait until
                # it holds them all, or the count stands still for 2 s
                # (it refuses some), 10 s at most.
                want = f["hold"].get("opened", HOLD)
                held, still, t0 = -1, 0, time.monotonic()
                while held < want and still < 8 and \
                        time.monotonic() - t0 < 10:
                    time.sleep(0.25)
                    n = open_sockets(w) - base
                    still = still + 1 if n == held else 0
                    held = n
                f["held_by_server"] = held
                f["rss_hold_kb"] = status_kb(w, "VmRSS")
                f["anon_hold_kb"] = status_kb(w, "RssAnon")
            finally:
                holder.stdin.close()
                holder.wait(10)
            f["pids"] = len(fresh.pids())
            f["rss_all_procs_kb"] = sum(status_kb(p, "VmRSS")
                                        for p in fresh.pids())
        finally:
            fresh.stop()
        raw.setdefault("footprint", {})[s.name] = f
        say(f"footprint {s.name}: {f['rss_start_kb']} / {f['rss_100k_kb']} "
            f"/ {f['rss_hold_kb']} kB, holding {f['held_by_server']}")
    for s in servers:
        path = s.program()
        stripped = os.path.join(tmp, "stripped")
        subprocess.run([which("strip"), "-o", stripped, path], check=True)
        raw.setdefault("sizes", {})[s.name] = {
            "bytes": os.path.getsize(path),
            "stripped": os.path.getsize(stripped)}
