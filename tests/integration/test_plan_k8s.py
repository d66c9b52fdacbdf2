"""healthgate plan --manifest as a user runs it: the real binary on the
Kubernetes kit, on copies broken one setting at a time, on the AWS Load
Balancer Controller's annotations against the same values in a target
group JSON, and on bad YAML; what it prints and how it exits. Under make
valgrind the binary runs under memcheck too."""

import json
import os
import re
import subprocess
import tempfile
import unittest
from pathlib import Path

from harness import BINARY

ROOT = Path(__file__).resolve().parents[2]
KIT = ROOT / "deploy" / "kubernetes"
SUP = KIT / "supervisor.yaml"
SIDE = KIT / "sidecar.yaml"
ING = KIT / "eks-ingress.yaml"


def plan(*args, stdin=None):
    cmd = os.environ.get("HEALTHGATE_WRAP", "").split() + [BINARY, "plan"]
    p = subprocess.run(cmd + list(args), input=stdin, capture_output=True,
                       text=True, timeout=60, cwd=ROOT,
                       env={"PATH": "/usr/bin:/bin"})
    return p.returncode, p.stdout, p.stderr


def plan_json(*args, **kw):
    rc, out, err = plan("--format", "json", *args, **kw)
    return rc, json.loads(out) if out else None, err


def contradictions(doc):
    return {c["key"]: c for c in doc["contradictions"]}


class PlanKubernetes(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        path = self.dir / name
        path.write_text(text)
        return str(path)

    def test_kit_supervisor_with_the_eks_ingress_has_no_contradiction(self):
        rc, out, err = plan("--manifest", str(SUP), "--manifest", str(ING))
        self.assertEqual(rc, 0, out + err)
        self.assertIn("no contradictions", out)
        self.assertIn("Deployment/shop", out)
        rc, doc, _ = plan_json("--manifest", str(SUP), "--manifest",
                               str(ING))
        k = doc["inputs"]["kubernetes"]
        self.assertEqual(k["form"], "supervisor")
        self.assertEqual(k["grace_period_ms"], 45000)
        self.assertTrue(k["ip_mode"] and k["readiness_gate"])
        keys = {f["key"] for f in doc["figures"]}
        self.assertLessEqual({"k8s_deleted_to_drain_end",
                              "k8s_deleted_to_gone"}, keys)
        # The ECS figures are not the pod's: not shown for a manifest.
        self.assertFalse(any(f["platform"] in ("ecs", "routed")
                             for f in doc["figures"]))

    def test_kit_sidecar_reads_the_native_sidecar_and_its_prestop(self):
        rc, doc, err = plan_json("--manifest", str(SIDE), "--manifest",
                                 str(ING))
        self.assertEqual(rc, 0, err)
        k = doc["inputs"]["kubernetes"]
        self.assertEqual(k["form"], "native sidecar")
        self.assertEqual(k["prestop"], "drain")

    def test_grace_below_cap_plus_app_stop_is_a_contradiction(self):
        text = SUP.read_text().replace("terminationGracePeriodSeconds: 45",
                                       "terminationGracePeriodSeconds: 35")
        rc, out, err = plan("--manifest", self.write("web.yaml", text))
        self.assertEqual(rc, 1, out + err)
        rc, doc, _ = plan_json("--manifest", self.write("web.yaml", text))
        c = contradictions(doc)["k8s_grace_period_below_stop"]
        self.assertIn("Deployment/shop spec.template.spec."
                      "terminationGracePeriodSeconds 35s", c["problem"])
        self.assertIn("42s", c["problem"])
        self.assertIn("terminationGracePeriodSeconds to 57", c["fix"])

    def test_sidecar_without_a_waiting_prestop_is_a_contradiction(self):
        text = re.sub(r"          lifecycle:\n(            .*\n|"
                      r"              .*\n|                .*\n|"
                      r"                  .*\n)*", "", SIDE.read_text())
        self.assertNotIn("lifecycle", text)
        rc, doc, err = plan_json("--manifest", self.write("side.yaml", text))
        self.assertEqual(rc, 1, err)
        c = contradictions(doc)["k8s_sidecar_prestop_does_not_wait"]
        self.assertIn("Deployment/shop-sidecar spec.template.spec."
                      "containers[0].lifecycle.preStop", c["problem"])
        self.assertIn("/admin/prestop", c["fix"])

    def test_liveness_on_health_is_a_contradiction(self):
        text = SUP.read_text().replace("httpGet: {path: /live",
                                       "httpGet: {path: /health")
        rc, doc, err = plan_json("--manifest", self.write("web.yaml", text))
        self.assertEqual(rc, 1, err)
        c = contradictions(doc)["k8s_liveness_on_health"]
        self.assertIn("Deployment/shop spec.template.spec.containers[0]."
                      "livenessProbe.httpGet.path", c["problem"])
        self.assertIn("/live", c["fix"])

    def ingress(self, interval, healthy, delay, explicit_delay=True):
        attrs = ("    alb.ingress.kubernetes.io/target-group-attributes: "
                 "deregistration_delay.timeout_seconds=%d\n" % delay
                 if explicit_delay else "")
        return self.write("ing.yaml", (
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\n"
            "metadata:\n  name: shop\n  namespace: shop\n  annotations:\n"
            "    alb.ingress.kubernetes.io/target-type: ip\n"
            "    alb.ingress.kubernetes.io/healthcheck-interval-seconds: "
            "'%d'\n"
            "    alb.ingress.kubernetes.io/healthy-threshold-count: '%d'\n"
            "%sspec: {ingressClassName: alb}\n") % (interval, healthy, attrs))

    def test_aws_defaults_in_annotations_give_the_target_groups_slow_findings(
            self):
        tg = self.write("tg.json", json.dumps({"TargetGroups": [{
            "HealthCheckIntervalSeconds": 15, "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 5, "UnhealthyThresholdCount": 2}],
            "Attributes": [{"Key": "deregistration_delay.timeout_seconds",
                            "Value": "300"}]}))
        _, from_tg, err = plan_json("--target-group", tg)
        self.assertIsNotNone(from_tg, err)
        for explicit in (True, False):
            ing = self.ingress(15, 5, 300, explicit)
            _, from_k8s, err = plan_json("--manifest", str(SUP),
                                         "--manifest", ing)
            self.assertIsNotNone(from_k8s, err)
            d = from_k8s["inputs"]
            self.assertEqual((d["alb_interval_ms"], d["alb_healthy"],
                              d["deregistration_delay_ms"]),
                             (15000, 5, 300000))

            def slow(doc):
                return {f["key"]: f for f in doc["findings"]
                        if f["level"] == "slow"}
            want = {"alb_interval_slow", "alb_healthy_threshold_slow",
                    "deregistration_delay_slow"}
            self.assertEqual(set(slow(from_tg)), want)
            self.assertEqual(set(slow(from_k8s)), want)
            # The interval's finding is the ALB's alone: word for word,
            # after the annotation that sets it.
            pod, tg = (slow(from_k8s)["alb_interval_slow"],
                       slow(from_tg)["alb_interval_slow"])
            self.assertEqual(pod["problem"], "Ingress/shop metadata."
                             "annotations[alb.ingress.kubernetes.io/"
                             "healthcheck-interval-seconds]: " +
                             tg["problem"])
            self.assertEqual(pod["fix"], tg["fix"])

    def test_bad_yaml_exits_2_with_one_line_naming_file_document_field(self):
        good = SUP.read_text()
        cases = [
            (good + "---\nkind: Service\nmetadata: {name: x\n",
             r"web\.yaml: document 2: line \d+, column \d+: "),
            ("kind: Service\nmetadata: {name: s}\n---\n- a\n- b\n",
             r"web\.yaml: document 2: is a list, not an object"),
            (good.replace("terminationGracePeriodSeconds: 45",
                          "terminationGracePeriodSeconds: \"45\""),
             r"web\.yaml: document 1: spec\.template\.spec\."
             r"terminationGracePeriodSeconds: \"45\" is a string, not a "
             r"whole number"),
        ]
        for text, want in cases:
            path = self.write("web.yaml", text)
            rc, out, err = plan("--manifest", path)
            self.assertEqual(rc, 2, err)
            self.assertEqual(out, "")
            self.assertEqual(err.count("\n"), 1, err)
            self.assertRegex(err, r"^healthgate: plan: " + re.escape(
                str(self.dir)) + "/" + want)

    def test_reads_stdin_and_refuses_two_kinds_of_input(self):
        rc, out, err = plan("--manifest", "-", stdin=SUP.read_text())
        self.assertEqual(rc, 0, err)
        self.assertIn("stdin", out)
        rc, out, err = plan("--manifest", str(SUP), "--task-definition",
                            str(ROOT / "deploy" / "ecs" /
                                "task-definition.json"))
        self.assertEqual(rc, 2)
        self.assertIn("--manifest", err)

    def test_a_daemon_option_refused_names_the_container(self):
        text = SUP.read_text().replace('value: "2"}',
                                       'value: "two"}', 1)
        rc, out, err = plan("--manifest", self.write("web.yaml", text))
        self.assertEqual(rc, 2, out)
        self.assertIn("Deployment/shop", err)
        self.assertIn("HEALTHGATE_DRAIN_FALL", err)


if __name__ == "__main__":
    unittest.main()
