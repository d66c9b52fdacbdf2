#!/usr/bin/env python3
"""Holds deploy/kubernetes/ to Kubernetes' schema and to healthgate plan.

    python3 tests/deploy/check_kubernetes.py build/healthgate VALIDATOR

VALIDATOR is tests/deploy/k8s-schema/validate.mjs (its packages installed
by scripts/npm-deps.sh tests/deploy/k8s-schema): Kubernetes' published API
schema (kubernetes-models' ajv validators), strict on unknown fields.

- Every manifest in deploy/kubernetes/ and every broken copy in
  tests/deploy/kubernetes/ passes the schema: the broken copies are valid
  Kubernetes whose timing contradicts itself, not bad YAML.
- Each kit file whose header names a "healthgate plan --manifest ..."
  command: that command, run as written, finds no contradiction and no
  slow setting, reads the form the file's name says, and every
  "healthgate plan: KEY Xs typical, Ys worst" comment in the kit is what
  plan prints. The EKS Ingress gives the ALB settings the kit promises.
- Each broken copy's "# plan finds: KEY, ..." line lists exactly the
  contradictions plan must find in it (exit 1), each naming its object.

Python 3 standard library only. Ends with "N passed, M failed"; exit 1 if
anything failed.
"""
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KIT = ROOT / "deploy" / "kubernetes"
BROKEN = ROOT / "tests" / "deploy" / "kubernetes"
INGRESS = KIT / "eks-ingress.yaml"


class Report:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, name, why=""):
        if ok:
            self.passed += 1
            print("ok   - %s" % name)
        else:
            self.failed += 1
            print("FAIL - %s%s" % (name, ": " + why if why else ""))
        return ok

    def equal(self, got, want, name):
        return self.check(got == want, name, "%r, want %r" % (got, want))


def fmt_ms(ms):
    """plan_format_ms, so comments compare as plan prints them."""
    ms = max(ms, 0)
    whole = int(ms + 0.5)
    if 0 < ms < 1000:
        return "%.0fms" % ms
    if ms < 120000:
        if whole % 1000 == 0:
            return "%ds" % (whole // 1000)
        if whole % 100 == 0:
            return "%.1fs" % (ms / 1000)
        return "%.2fs" % (ms / 1000)
    whole = int(ms / 1000 + 0.5)
    return "%dm%02ds" % (whole // 60, whole % 60)


def plan(binary, args):
    """(exit status, JSON document or None, stderr) of healthgate plan
    ARGS --format json, from the top of the tree, with no environment."""
    p = subprocess.run([binary, "plan"] + args + ["--format", "json"],
                       cwd=ROOT, env={"PATH": os.environ.get("PATH", "/bin")},
                       capture_output=True, text=True, timeout=30)
    try:
        return p.returncode, json.loads(p.stdout), p.stderr
    except ValueError:
        return p.returncode, None, p.stderr


def header_command(path):
    """The plan command a file's header comment names, as arguments."""
    text = path.read_text()
    m = re.search(r"^#\s+healthgate plan (.*?)\n#\s*\n", text, re.M | re.S)
    if not m:
        return None
    return shlex.split(re.sub(r"\n#\s*", " ", m.group(1)))


def check_schema(rep, validator, files):
    p = subprocess.run(["node", validator] + [str(f) for f in files],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    lines = [x for x in p.stdout.splitlines() if x.strip()]
    for line in lines:
        rep.check(line.startswith("ok "), "schema: %s" % line[5:].strip(),
                  line)
    seen = {x.split(":")[0][5:].strip() for x in lines}
    for f in files:
        rel = str(f)
        rep.check(rel in seen, "schema: %s was validated" % f.relative_to(
            ROOT), p.stderr.strip()[-300:])
    rep.check(p.returncode == 0 and lines, "the validator passes every "
              "manifest (exit %d)" % p.returncode, p.stderr.strip()[-300:])


def check_markers(rep, path, figures):
    pat = re.compile(r"healthgate plan: ([a-z_0-9]+) (\S+) typical, "
                     r"(\S+) worst")
    for m in pat.finditer(path.read_text()):
        key, typ, worst = m.groups()
        f = figures.get(key)
        rel = path.relative_to(ROOT)
        if not rep.check(f is not None, "%s: plan has a figure %s" % (
                rel, key)):
            continue
        want = (fmt_ms(f["typical_ms"]), fmt_ms(f["worst_ms"]))
        rep.equal((typ.rstrip(";,."), worst.rstrip(";,.")), want,
                  "%s: %s is plan's %s typical, %s worst" % (
                      rel, key, want[0], want[1]))


FORMS = {"supervisor.yaml": "supervisor", "sidecar.yaml": "native sidecar"}


def check_kit(rep, binary):
    commands = 0
    for path in sorted(KIT.glob("*.yaml")):
        rel = path.relative_to(ROOT)
        args = header_command(path)
        if args is None:
            continue
        commands += 1
        rc, doc, err = plan(binary, args)
        if not rep.check(doc is not None, "%s: plan runs its header's "
                         "command" % rel, err.strip()):
            continue
        rep.check(rc == 0 and doc["ok"] and not doc["contradictions"],
                  "%s: no contradiction (exit %d)" % (rel, rc),
                  "; ".join(c["problem"] for c in doc["contradictions"]))
        slow = [f["problem"] for f in doc["findings"] if f["level"] == "slow"]
        rep.check(not slow, "%s: no slow setting" % rel, "; ".join(slow))
        k = doc["inputs"].get("kubernetes") or {}
        if path.name in FORMS:
            rep.equal(k.get("form"), FORMS[path.name],
                      "%s: plan reads the %s form" % (rel, FORMS[path.name]))
        if "--manifest" in args and str(INGRESS.relative_to(ROOT)) in args:
            d = doc["inputs"]
            rep.equal((d["alb_interval_ms"], d["alb_timeout_ms"],
                       d["alb_healthy"], d["alb_unhealthy"],
                       d["deregistration_delay_ms"]),
                      (10000, 5000, 2, 2, 30000),
                      "%s: the EKS Ingress's ALB is 10s / 5s / 2 / 2, 30s "
                      "delay" % rel)
            rep.check(k.get("ip_mode") and k.get("readiness_gate"),
                      "%s: IP targets and the readiness gate" % rel, repr(k))
        check_markers(rep, path, {f["key"]: f for f in doc["figures"]})
        # Without the ALB: in-cluster routing only, no contradiction either.
        alone = ["--manifest", str(rel)]
        rc, doc, err = plan(binary, alone)
        rep.check(doc is not None and rc == 0 and doc["ok"],
                  "%s alone (no ALB): no contradiction (exit %d)" % (rel, rc),
                  err.strip() or "; ".join(
                      c["problem"] for c in (doc or {}).get(
                          "contradictions", [])))
    rep.check(commands >= 2, "the kit's two forms name their plan command",
              "%d found" % commands)


def check_broken(rep, binary):
    files = sorted(BROKEN.glob("*.yaml"))
    rep.check(len(files) >= 2, "tests/deploy/kubernetes has broken copies")
    found = set()
    for path in files:
        rel = path.relative_to(ROOT)
        m = re.search(r"^# plan finds: (.*)$", path.read_text(), re.M)
        if not rep.check(m is not None, "%s says what plan finds" % rel):
            continue
        want = {w.strip() for w in m.group(1).split(",") if w.strip()}
        args = header_command(path) or ["--manifest", str(rel)]
        rc, doc, err = plan(binary, args)
        if not rep.check(doc is not None, "%s: plan runs" % rel, err):
            continue
        got = {c["key"] for c in doc["contradictions"]}
        rep.equal((rc, sorted(got)), (1, sorted(want)),
                  "%s: exit 1 and exactly its contradictions" % rel)
        obj = doc["inputs"]["kubernetes"]["object"]
        for c in doc["contradictions"]:
            if c["platform"] == "kubernetes":
                rep.check(re.search(r"(Deployment|StatefulSet|DaemonSet|Pod"
                                    r"|Ingress|TargetGroupBinding)/\S+ \S",
                                    c["problem"]) is not None,
                          "%s: %s names its object and field" % (
                              rel, c["key"]), c["problem"])
        rep.check(obj in " ".join(c["problem"] for c in doc["findings"]),
                  "%s: the findings name %s" % (rel, obj))
        found |= got
    return found


def main(argv):
    if len(argv) != 3:
        print("usage: check_kubernetes.py PATH/TO/healthgate VALIDATOR",
              file=sys.stderr)
        return 2
    binary, validator = str(Path(argv[1]).resolve()), argv[2]
    rep = Report()
    try:
        kit = sorted(KIT.glob("*.yaml"))
        rep.check(len(kit) >= 3, "deploy/kubernetes has the two forms and "
                  "the EKS Ingress", ", ".join(p.name for p in kit))
        check_schema(rep, validator, kit + sorted(BROKEN.glob("*.yaml")))
        check_kit(rep, binary)
        found = check_broken(rep, binary)
        rc, doc, _ = plan(binary, ["--manifest", str(INGRESS)])
        rep.check(rc == 2, "plan refuses manifests without a workload "
                  "(exit %d)" % rc)
        # Every Kubernetes contradiction in plan's table is shown by a copy.
        rows = (ROOT / "src" / "plan" / "plan_rules.c").read_text()
        known = set(re.findall(r"\{ PLAN_FINDING_\w+, CONTRA, K8S,\s*"
                               r"\"([a-z_0-9]+)\"", rows))
        rep.check(known and known <= found, "the broken copies find every "
                  "Kubernetes contradiction in plan's table",
                  "missing: %s" % ", ".join(sorted(known - found)))
    except Exception as e:  # a file too broken to check any further
        rep.check(False, "the checks ran to the end", "%s: %s" % (
            type(e).__name__, e))
    print("%d passed, %d failed" % (rep.passed, rep.failed))
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
