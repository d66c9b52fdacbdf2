"""A real Prometheus (Debian's prometheus) scrapes a daemon every second,
and Prometheus' blackbox exporter probes its /health, through a check
outage, maintenance (SIGUSR1, SIGUSR2) and a drain (SIGTERM), a few
seconds each (issue 29). Then Prometheus' HTTP API, on loopback, says
what it stored: every result series of every check existed at 0 before
its first failure, no scrape failed, process_* and the verdict metric were
there, and probe_success followed the app, the maintenance and the drain.
`promtool check metrics` passes on the text of each state, and the blackbox
exporter's probes do not hold the drain (it is a prober that routes
nothing). Every process here is started by the test and killed by pid."""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

from harness import Daemon, Prober, Upstream, free_port, wait_until
from test_promtool import check as promtool_check

PROMETHEUS = shutil.which("prometheus")
BLACKBOX = shutil.which("prometheus-blackbox-exporter")
PROMTOOL = shutil.which("promtool")
STATE_S = 4.0           # each state lasts this long: four scrapes or more

PROMETHEUS_YML = """
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
  evaluation_interval: 1s
scrape_configs:
  - job_name: healthgate
    static_configs:
      - targets: ["127.0.0.1:%(hg)d"]
  - job_name: blackbox
    metrics_path: /probe
    params:
      module: [http_2xx]
    static_configs:
      - targets: ["http://127.0.0.1:%(hg)d/health"]
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: 127.0.0.1:%(bb)d
"""

BLACKBOX_YML = """
modules:
  http_2xx:
    prober: http
    timeout: 900ms
    http:
      preferred_ip_protocol: ip4
"""


class Service:
    """A tool run by the test on loopback, killed by its pid."""

    def __init__(self, args, ready_url, log):
        self.log = log
        self.proc = subprocess.Popen(args, stdout=log, stderr=log)
        ok = wait_until(lambda: urllib.request.urlopen(
            ready_url, timeout=1).status == 200, 20, step=0.1)
        if ok is None:
            self.stop()
            raise AssertionError("%s never answered %s" % (args[0],
                                                           ready_url))

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)


class Prometheus:
    """Prometheus' HTTP API: instant and range queries."""

    def __init__(self, port):
        self.base = "http://127.0.0.1:%d/api/v1/" % port

    def get(self, path, **params):
        url = self.base + path + "?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=10) as r:
            body = json.load(r)
        assert body["status"] == "success", body
        return body["data"]["result"]

    def series(self, query, start, end):
        """{labels as a sorted tuple: [(t, value), ...]} at 1 s steps."""
        out = {}
        for s in self.get("query_range", query=query, start="%.3f" % start,
                          end="%.3f" % end, step="1"):
            key = tuple(sorted((k, v) for k, v in s["metric"].items()
                               if k not in ("instance", "job")))
            out[key] = [(float(t), float(v)) for t, v in s["values"]]
        return out


def values_between(series, t0, t1):
    return [v for t, v in series if t0 <= t <= t1]


@unittest.skipIf(not (PROMETHEUS and BLACKBOX and PROMTOOL),
                 "needs prometheus and prometheus-blackbox-exporter "
                 "(scripts/deps.sh)")
@unittest.skipIf(os.environ.get("HEALTHGATE_WRAP"),
                 "under memcheck a scrape can outlast its 900 ms timeout")
class ScrapedThroughEveryState(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="hg-prom-")
        self.services = []

    def tearDown(self):
        for s in reversed(self.services):
            s.stop()
            s.log.close()
        self.tmp.cleanup()

    def start_tools(self, hg_port):
        bb_port, prom_port = free_port(), free_port()
        d = self.tmp.name
        with open(os.path.join(d, "blackbox.yml"), "w") as f:
            f.write(BLACKBOX_YML)
        with open(os.path.join(d, "prometheus.yml"), "w") as f:
            f.write(PROMETHEUS_YML % {"hg": hg_port, "bb": bb_port})
        self.services.append(Service(
            [BLACKBOX, "--config.file=%s/blackbox.yml" % d,
             "--web.listen-address=127.0.0.1:%d" % bb_port],
            "http://127.0.0.1:%d/-/healthy" % bb_port,
            open(os.path.join(d, "blackbox.log"), "w")))
        self.services.append(Service(
            [PROMETHEUS, "--config.file=%s/prometheus.yml" % d,
             "--storage.tsdb.path=%s/data" % d,
             "--web.listen-address=127.0.0.1:%d" % prom_port,
             "--log.level=warn"],
            "http://127.0.0.1:%d/-/ready" % prom_port,
            open(os.path.join(d, "prometheus.log"), "w")))
        return Prometheus(prom_port)

    def test_outage_maintenance_and_drain(self):
        marks = {}
        texts = {}
        with Upstream() as app:
            with Daemon("--interval", "500ms", "--timeout", "450ms",
                        "--drain-ignore", "none", "--drain-fall", "20",
                        "--drain-timeout", "20s",
                        "--check", "app=http://127.0.0.1:%d/" % app.port,
                        "--check", "port=tcp://127.0.0.1:%d" % app.port,
                        "--check", "cmd=exec:true") as d:
                prom = self.start_tools(d.port)
                # A load balancer's prober, from another loopback address:
                # the drain waits for it to see its 503s.
                lb = Prober(d, "127.0.0.2", period=0.2)
                lb.start()
                try:
                    # Both jobs stored once before the clock starts.
                    self.assertIsNotNone(wait_until(
                        lambda: prom.get("query", query="healthgate_"
                                         "check_results_total") and
                        prom.get("query", query="probe_success"), 20,
                        step=0.2), "no first scrape")
                    marks["up"] = time.time()
                    time.sleep(STATE_S)
                    texts["up"] = promtool_check(self, d, "up")
                    app.mode = 500
                    marks["outage"] = time.time()
                    time.sleep(STATE_S)
                    texts["outage"] = promtool_check(self, d, "outage")
                    app.mode = 200
                    marks["recovered"] = time.time()
                    time.sleep(STATE_S)
                    d.signal(signal.SIGUSR1)
                    marks["maintenance"] = time.time()
                    time.sleep(STATE_S)
                    texts["maintenance"] = promtool_check(self, d,
                                                          "maintenance")
                    d.signal(signal.SIGUSR2)
                    marks["back"] = time.time()
                    time.sleep(STATE_S)
                    d.signal(signal.SIGTERM)
                    marks["drain"] = time.time()
                    self.assertIsNotNone(d.wait_log(" drain_start "),
                                         d.log())
                    time.sleep(1.5)
                    texts["drain"] = promtool_check(self, d, "draining")
                    rc = d.wait(25)
                    marks["exit"] = time.time()
                finally:
                    lb.stop()
                self.assertEqual(rc, 0, d.log())
                drain = d.wait_log(" drain_start ")
                drain_end = d.wait_log(" drain_(end|capped) ")
        self.check_store(prom, marks)
        self.check_drain(drain, drain_end, marks)
        for state, text in texts.items():
            self.assertIn("process_resident_memory_bytes", text, state)

    def check_store(self, prom, m):
        t0, t1 = m["up"], m["exit"]
        # Every scrape until the exit worked.
        up = prom.series('up{job="healthgate"}', t0, m["drain"] + 1)
        self.assertTrue(up)
        for key, vals in up.items():
            self.assertEqual(set(v for _, v in vals), {1.0}, vals)
        # Every result series of every check: there from the first
        # scrape, and at 0 before its first failure.
        results = prom.series("healthgate_check_results_total", t0, t1)
        # A failure before the first scrape (a slow start on a busy
        # machine) is stored above 0 from the start, as it should be; the
        # outage's is the one the test makes after it.
        failed = []
        for key, vals in results.items():
            labels = dict(key)
            self.assertLess(vals[0][0], m["outage"], (key, vals))
            if labels["result"] != "pass" and vals[-1][1] > vals[0][1]:
                failed.append((labels["check"], labels["result"],
                               vals[0][1]))
        self.assertIn(("app", "status", 0.0), failed)
        want = {("app", r) for r in "pass timeout refused connect status "
                "malformed resolve".split()}
        want |= {("cmd", r) for r in "pass timeout exit spawn".split()}
        have = {(dict(k)["check"], dict(k)["result"]) for k in results}
        self.assertLessEqual(want, have)
        # Requests by path and code: the pairs a route can answer are
        # stored from the first scrape, so increase() sees the outage's
        # 503s and a pair that never happens stays at 0.
        reqs = prom.series("healthgate_requests_total", t0, t1)
        by_pair = {(dict(k)["path"], dict(k)["code"]): v
                   for k, v in reqs.items()}
        for pair in (("/health", "503"), ("other", "404"),
                     ("/admin/", "403")):
            self.assertIn(pair, by_pair, sorted(by_pair))
            self.assertLess(by_pair[pair][0][0], m["outage"], pair)
        self.assertEqual({v for _, v in by_pair[("other", "404")]}, {0.0})
        before = values_between(by_pair[("/health", "503")], t0,
                                m["outage"])
        during = values_between(by_pair[("/health", "503")], m["outage"],
                                m["recovered"])
        self.assertTrue(before and during, by_pair[("/health", "503")])
        self.assertGreater(during[-1], before[-1],
                           by_pair[("/health", "503")])
        # process_* and the verdict were stored.
        for name in ("process_cpu_seconds_total", "process_open_fds",
                     "process_max_fds", "process_resident_memory_bytes",
                     "process_virtual_memory_bytes",
                     "process_start_time_seconds"):
            self.assertTrue(prom.series('%s{job="healthgate"}' % name,
                                        t0, t1), name)
        verdict = prom.series("healthgate_health_status", t0, t1)
        reason = {dict(k)["reason"]: v for k, v in verdict.items()}
        for state, want_reason, t_end in (
                ("up", "pass", m["outage"]),
                ("outage", "checks_down", m["recovered"]),
                ("maintenance", "maintenance", m["back"]),
                ("drain", "draining", m["exit"] - 0.5)):
            # The state's last two seconds: settled by then.
            vals = values_between(reason[want_reason], t_end - 2, t_end)
            self.assertTrue(vals and all(v == 1.0 for v in vals),
                            (state, want_reason, reason[want_reason]))
        # The blackbox exporter's view of /health followed the app,
        # the maintenance and the drain.
        probe = list(prom.series('probe_success{job="blackbox"}', t0,
                                 t1).values())
        self.assertEqual(len(probe), 1, probe)
        for state, want, t_end in (("up", 1.0, m["outage"]),
                                   ("outage", 0.0, m["recovered"]),
                                   ("recovered", 1.0, m["maintenance"]),
                                   ("maintenance", 0.0, m["back"]),
                                   ("back", 1.0, m["drain"]),
                                   ("drain", 0.0, m["exit"] - 0.5)):
            vals = values_between(probe[0], t_end - 2, t_end)
            self.assertTrue(vals and all(v == want for v in vals),
                            (state, want, probe[0]))
        print("\n  Prometheus stored %d result series (%d failed during "
              "the test, each at 0 before); probe_success %s"
              % (len(results), len(failed),
                 "".join("%d" % v for _, v in probe[0])))

    def check_drain(self, start, end, m):
        """Only the load balancer's prober was watched: the blackbox
        exporter, on 127.0.0.1, probes and routes nothing (its User-Agent
        says so: issue 22), so it does not hold the drain."""
        self.assertRegex(start, r" watched=1 ", start)
        took = m["exit"] - m["drain"]
        print("  %s\n  %s (%.1f s)" % (start.split(" ", 2)[2],
                                      end.split(" ", 2)[2], took))


if __name__ == "__main__":
    unittest.main()
