"""What a run writes: the markdown table, the second build's table, the
chart (gnuplot, SVG and PNG) and the versions of everything measured."""

import os
import platform
import re
import subprocess

from .figures import ROWS, budget_text, med, ratio_row, verdict
from .settings import HOLD, IDLE_SECS, which


def table(t):
    lines = ["| figure | healthgate | nginx | HAProxy | ratio vs best | "
             "budget | verdict |", "|---|---:|---:|---:|---:|---|---|"]
    for key, label, fmt, higher, budget in ROWS:
        vals = t[key]
        _, ratio = ratio_row(vals, higher)
        cells = [fmt.format(vals[n]) for n in ("healthgate", "nginx",
                                                 "haproxy")]
        rtxt = "—" if ratio != ratio or ratio == float("inf") \
            else f"{ratio:.2f}×"
        lines.append(f"| {label} | {' | '.join(cells)} | {rtxt} | "
                     f"{budget_text(budget, higher)} | "
                     f"{verdict(key, vals, higher, budget, ratio)} |")
    ic = t["idle.wakeups"]["healthgate+check"]
    lines.append(f"| idle {IDLE_SECS} s, one exec check every 2 s: wakeups "
                 f"| {ic:.0f} ({ic / (IDLE_SECS / 2):.1f} per check run) "
                 f"| | | | | — |")
    cc = t["idle.cpu_ms"]["healthgate+check"]
    lines.append(f"| idle {IDLE_SECS} s, one exec check every 2 s: CPU (ms)"
                 f" | {cc:.2f} | | | | | — |")
    return "\n".join(lines)


def also_table(raw, path):
    """The footprint of a second healthgate build (BENCH_ALSO)."""
    f = raw["footprint"]["healthgate-also"]
    size = raw["sizes"]["healthgate-also"]["stripped"]
    start = med(raw["startup_ms"]["healthgate-also"])
    ok = "PASS" if f["rss_100k_kb"] <= 2048 else "SHORT"
    return "\n".join([
        f"Footprint of `{path}` (BENCH_ALSO), the same figures for a "
        "second build:", "",
        "| figure | healthgate (second build) | budget | verdict |",
        "|---|---:|---|---|",
        f"| RSS after start (KiB) | {f['rss_start_kb']:,} | | — |",
        f"| RSS after 100k requests (KiB) | {f['rss_100k_kb']:,} | "
        f"≤ 2 MiB | {ok} |",
        f"| …of which private (RssAnon, KiB) | {f['anon_100k_kb']:,} "
        "| | — |",
        f"| RSS with {HOLD:,} idle connections (KiB) | {f['rss_hold_kb']:,} "
        f"| | — |",
        f"| binary size, stripped (bytes) | {size:,} | | — |",
        f"| start-up to first 200 (ms) | {start:.1f} | | — |"])


def chart(t, path, tmp):
    """Four small grouped-bar panels, one colour per server."""
    names = ("healthgate", "nginx", "haproxy")
    panels = [
        ("requests/s (thousands), higher is better",
         [("keep-alive", t["keepalive.rps"], 1e-3),
          ("new conn.", t["close.rps"], 1e-3)]),
        ("server CPU per request (µs), lower is better",
         [("keep-alive", t["keepalive.cpu_us_per_req"], 1),
          ("new conn.", t["close.cpu_us_per_req"], 1),
          ("ALB-shaped", t["alb.cpu_us_per_req"], 1)]),
        ("p99 latency (µs), lower is better",
         [("keep-alive", t["keepalive.p99_us"], 1),
          ("new conn.", t["close.p99_us"], 1),
          ("ALB-shaped", t["alb.p99_us"], 1)]),
        ("RSS of the serving process (MiB), lower is better",
         [("start", t["foot.rss_start_kb"], 1 / 1024),
          ("100k req.", t["foot.rss_100k_kb"], 1 / 1024),
          (f"{HOLD} conns", t["foot.rss_hold_kb"], 1 / 1024)]),
    ]
    script = ["set multiplot layout 2,2 margins 0.06,0.98,0.05,0.9 "
              "spacing 0.07,0.14 title 'healthgate (green) vs nginx (blue) "
              "vs HAProxy (orange): this machine, medians' font ',13'",
              "set style data histograms", "set style histogram cluster gap 1",
              "set style fill solid 0.85 border -1", "set boxwidth 0.9",
              "unset key", "set grid ytics",
              "set yrange [0:*]",
              "set xtics nomirror"]
    for i, (title, groups) in enumerate(panels):
        dat = os.path.join(tmp, f"panel{i}.dat")
        with open(dat, "w") as f:
            for label, vals, scale in groups:
                f.write(f'"{label}" ' + " ".join(
                    f"{vals[n] * scale:.4f}" for n in names) + "\n")
        script.append(f"set title '{title}'")
        script.append(
            f"plot '{dat}' using 2:xtic(1) title 'healthgate' lc rgb "
            f"'#2b8a3e', '' using 3 title 'nginx' lc rgb '#1c7ed6', "
            f"'' using 4 title 'HAProxy' lc rgb '#e8590c'")
    script.append("unset multiplot")
    # The same plot twice: SVG for the repository, PNG for any viewer.
    for term, out in (("svg size 1000,700 dynamic font 'sans,11'", path),
                      ("pngcairo size 1000,700 font 'sans,10'",
                       path[:-4] + ".png")):
        gp = os.path.join(tmp, "chart.gp")
        with open(gp, "w") as f:
            f.write(f"set terminal {term}\nset output '{out}'\n" +
                    "\n".join(script) + "\n")
        subprocess.run([which("gnuplot"), gp], check=True)


def version(argv, pattern):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        m = re.search(pattern, p.stdout + p.stderr)
        return m.group(1) if m else "?"
    except OSError:
        return "?"


def mhd_version(binary):
    """libmicrohttpd under binary: scripts/static.sh's build, else Debian's."""
    try:
        with open(os.path.join(os.path.dirname(binary), "mhd",
                               ".version")) as f:
            return f"{f.read().strip()} (Debian's source, static, no HTTPS)"
    except OSError:
        pass
    return subprocess.run(["dpkg-query", "-W", "-f=${Version}",
                           "libmicrohttpd12"], capture_output=True,
                          text=True).stdout or "?"


def machine(binary):
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu, "cpus": os.cpu_count(), "kernel": platform.release(),
        "nginx": version([which("nginx"), "-v"], r"nginx/(\S+)"),
        "haproxy": version([which("haproxy"), "-v"], r"version (\S+)"),
        "wrk": version([which("wrk"), "-v"], r"wrk (\S+)"),
        "libmicrohttpd": mhd_version(binary),
    }
