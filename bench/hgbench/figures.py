"""From raw samples to figures: medians, the table's rows and their budgets,
and the verdict of each against the better of nginx and HAProxy."""

import math
import statistics

from .load import SCENARIOS
from .settings import HOLD, IDLE_SECS


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else float("nan")


def paired(before, after):
    """The change from before to after of runs taken side by side (round i
    of each, minutes apart at most): the median of the per-round ratios,
    and a distribution-free interval of at least 95 % around it (order
    statistics of the ratios, the sign test's), as fractions: (-0.01,
    -0.03, +0.02). Pairing takes out the drift a shared machine has over a
    run; None with fewer than 6 rounds, too few for an interval."""
    ratios = sorted(a / b for b, a in zip(before, after)
                    if a is not None and b)
    n = len(ratios)
    if n < 6:
        return None
    # The largest k with P(Binomial(n, 1/2) < k) <= 2.5 %.
    k, tail = 0, 0.0
    while tail + math.comb(n, k) / 2 ** n <= 0.025:
        tail += math.comb(n, k) / 2 ** n
        k += 1
    return (statistics.median(ratios) - 1, ratios[k - 1] - 1,
            ratios[n - k] - 1)


def summary(raw, names):
    """figure -> {server: value}; medians over rounds."""
    t = {}
    for scen in SCENARIOS:
        for key in ("rps", "p50_us", "p99_us", "cpu_us_per_req", "errors"):
            t[f"{scen}.{key}"] = {n: med([r[key] for r in raw[scen][n]])
                                  for n in names}
    for key in ("wakeups", "cpu_ms"):
        t[f"idle.{key}"] = {n: raw["idle"][n][key] for n in names}
        t[f"idle.{key}"]["healthgate+check"] = \
            raw["idle"]["healthgate_check"][key]
    for key in ("rss_start_kb", "rss_100k_kb", "rss_hold_kb", "anon_100k_kb",
                "anon_hold_kb", "held_by_server"):
        t[f"foot.{key}"] = {n: raw["footprint"][n][key] for n in names}
    t["foot.per_conn_kb"] = {
        n: (raw["footprint"][n]["rss_hold_kb"] -
            raw["footprint"][n]["rss_100k_kb"]) /
        max(1, raw["footprint"][n]["held_by_server"]) for n in names}
    t["binary.stripped"] = {n: raw["sizes"][n]["stripped"] for n in names}
    t["startup_ms"] = {n: med(raw["startup_ms"][n]) for n in names}
    return t


# (key, label, unit/format, higher is better?, budget)
# budget: None (shown only), ("ratio", x) or ("abs", limit, "<="/"==").
ROWS = [
    ("keepalive.rps", "keep-alive: requests/s", "{:,.0f}", True,
     ("ratio", 1.0)),
    ("keepalive.p50_us", "keep-alive: p50 latency (µs)", "{:,.0f}", False,
     None),
    ("keepalive.p99_us", "keep-alive: p99 latency (µs)", "{:,.0f}", False,
     ("ratio", 1.0)),
    ("keepalive.cpu_us_per_req", "keep-alive: server CPU per request (µs)",
     "{:.2f}", False, ("ratio", 1.0)),
    ("close.rps", "new connection: requests/s", "{:,.0f}", True,
     ("ratio", 1.0)),
    ("close.p50_us", "new connection: p50 latency (µs)", "{:,.0f}", False,
     None),
    ("close.p99_us", "new connection: p99 latency (µs)", "{:,.0f}", False,
     ("ratio", 1.0)),
    ("close.cpu_us_per_req", "new connection: server CPU per request (µs)",
     "{:.2f}", False, ("ratio", 1.0)),
    ("alb.p50_us", "ALB-shaped, 50 probers: p50 latency (µs)", "{:,.0f}",
     False, None),
    ("alb.p99_us", "ALB-shaped, 50 probers: p99 latency (µs)", "{:,.0f}",
     False, None),
    ("alb.cpu_us_per_req", "ALB-shaped: server CPU per request (µs)",
     "{:.2f}", False, None),
    ("alb.errors", "ALB-shaped: failed probes", "{:.0f}", False, None),
    ("idle.wakeups", f"idle {IDLE_SECS} s, no checks: wakeups", "{:.0f}",
     False, ("abs", 0, "==")),
    ("idle.cpu_ms", f"idle {IDLE_SECS} s, no checks: CPU (ms)", "{:.3f}",
     False, None),
    ("foot.rss_start_kb", "RSS after start (KiB)", "{:,.0f}", False, None),
    ("foot.rss_100k_kb", "RSS after 100k requests (KiB)", "{:,.0f}", False,
     ("abs", 2048, "<=")),
    ("foot.anon_100k_kb", "…of which private (RssAnon, KiB)", "{:,.0f}",
     False, None),
    ("foot.rss_hold_kb", f"RSS with {HOLD:,} idle connections (KiB)",
     "{:,.0f}", False, None),
    ("foot.per_conn_kb", "…per idle connection (KiB)", "{:.2f}", False,
     None),
    ("foot.held_by_server", "idle connections the server held", "{:,.0f}",
     True, None),
    ("binary.stripped", "binary size, stripped (bytes)", "{:,.0f}", False,
     None),
    ("startup_ms", "start-up to first 200 (ms)", "{:.1f}", False, None),
]


def ratio_row(vals, higher):
    hg = vals["healthgate"]
    others = [vals[n] for n in ("nginx", "haproxy")]
    best = max(others) if higher else min(others)
    if best == 0:
        return best, (1.0 if hg == 0 else float("inf"))
    return best, hg / best


def verdict(key, vals, higher, budget, ratio):
    if budget is None:
        return "—"
    if budget[0] == "ratio":
        ok = ratio >= budget[1] if higher else ratio <= budget[1]
        return "PASS" if ok else "SHORT"
    limit, op = budget[1], budget[2]
    hg = vals["healthgate"]
    ok = hg == limit if op == "==" else hg <= limit
    return "PASS" if ok else "SHORT"


def budget_text(budget, higher):
    if budget is None:
        return ""
    if budget[0] == "ratio":
        return f"{'≥' if higher else '≤'} {budget[1]:.1f}×"
    if budget[2] == "==":
        return f"= {budget[1]}"
    return f"≤ {budget[1] / 1024:.0f} MiB" if budget[1] >= 1024 else \
        f"≤ {budget[1]}"
