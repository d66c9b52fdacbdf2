"""healthgate plan as a user runs it: the real binary on the deploy kit's
files, on AWS's defaults, on broken files, from stdin; what it prints and
how it exits. Under make valgrind the binary runs under memcheck too."""

import json
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

from harness import BINARY

ROOT = Path(__file__).resolve().parents[2]
TD = ROOT / "deploy" / "ecs" / "task-definition.json"
TG = ROOT / "deploy" / "alb" / "describe-target-groups.json"
ATTRS = ROOT / "deploy" / "alb" / "describe-target-group-attributes.json"
KIT = ["--task-definition", str(TD), "--target-group", str(TG),
       "--target-group", str(ATTRS)]
SEED = ["--deregistration-delay", "300s", "--alb-interval", "30s",
        "--alb-timeout", "5s", "--alb-healthy", "5", "--alb-unhealthy", "2"]


def plan(*args, stdin=None, env=None):
    cmd = os.environ.get("HEALTHGATE_WRAP", "").split() + [BINARY, "plan"]
    p = subprocess.run(cmd + list(args), input=stdin, capture_output=True,
                       text=True, timeout=60,
                       env=env if env is not None else {"PATH": "/usr/bin:/bin"})
    return p.returncode, p.stdout, p.stderr


def plan_json(*args, **kw):
    rc, out, err = plan("--format", "json", *args, **kw)
    return rc, json.loads(out) if out else None, err


def keys(doc, level=None):
    return {f["key"] for f in doc["findings"]
            if level is None or f["level"] == level}


def figure(doc, key):
    return next(f for f in doc["figures"] if f["key"] == key)


class Plan(unittest.TestCase):
    def test_seed_names_every_slow_setting_and_exits_1(self):
        rc, out, err = plan(*SEED)
        self.assertEqual(rc, 1, err)
        for words in ("deregistration delay 300s", "ALB interval 30s",
                      "ALB healthy threshold 5",
                      "HealthyThresholdCount to 2",
                      "deregistration_delay.timeout_seconds",
                      "HealthCheckIntervalSeconds to 10"):
            self.assertIn(words, " ".join(out.split()))
        rc, doc, _ = plan_json(*SEED)
        self.assertEqual(keys(doc, "slow"), {
            "deregistration_delay_slow", "alb_interval_slow",
            "alb_healthy_threshold_slow"})

    def test_told_nothing_plan_is_the_seed(self):
        self.assertEqual(plan_json()[1]["figures"], plan_json(*SEED)[1]["figures"])

    def test_tuned_ecs_figures_count_no_drain_after_the_delay(self):
        rc, doc, err = plan_json(*KIT)
        self.assertEqual(rc, 0, err)
        self.assertEqual(figure(doc, "ecs_sigterm_to_drain_end")["worst_ms"], 0)
        self.assertEqual(figure(doc, "ecs_task_replacement")["typical_ms"],
                         doc["inputs"]["deregistration_delay_ms"])
        self.assertEqual({f["platform"] for f in doc["figures"]},
                         {"any", "ecs", "routed"})

    def test_files_agree_with_the_same_settings_as_flags(self):
        _, files, _ = plan_json(*KIT)
        _, flags, _ = plan_json(
            "--alb-interval", "10s", "--alb-timeout", "5s", "--alb-healthy",
            "2", "--alb-unhealthy", "2", "--deregistration-delay", "30s",
            "--stop-timeout", "45s")
        self.assertEqual(files["figures"], flags["figures"])
        self.assertEqual(files["contradictions"], flags["contradictions"])

    def test_flags_override_the_files(self):
        _, doc, _ = plan_json(*KIT, "--alb-interval", "20s",
                              "--drain-window", "25s")
        self.assertEqual(doc["inputs"]["alb_interval_ms"], 20000)
        self.assertEqual(doc["inputs"]["drain_window_ms"], 25000)
        self.assertEqual(doc["inputs"]["alb_healthy"], 2)   # from the file

    def test_missing_stop_timeout_is_30s_and_fights_a_30s_cap(self):
        td = json.loads(TD.read_text())
        for c in td["containerDefinitions"]:
            del c["stopTimeout"]
        described = json.dumps({"taskDefinition": td, "tags": []})
        rc, doc, err = plan_json("--task-definition", "-", "--target-group",
                                 str(TG), "--target-group", str(ATTRS),
                                 stdin=described)
        self.assertEqual(rc, 1, err)
        self.assertEqual(doc["inputs"]["stop_timeout_ms"], 30000)
        self.assertIn("drain_cap_not_below_stop_timeout",
                      keys(doc, "contradiction"))
        self.assertIn("stop_timeout_defaulted", keys(doc, "note"))

    def test_stop_timeout_200s_on_fargate_is_flagged(self):
        rc, doc, _ = plan_json(*KIT, "--stop-timeout", "200s")
        self.assertEqual(rc, 1)
        self.assertIn("stop_timeout_above_fargate_max",
                      keys(doc, "contradiction"))
        rc, doc, _ = plan_json(*KIT, "--stop-timeout", "200s",
                               "--launch-type", "ec2")
        self.assertNotIn("stop_timeout_above_fargate_max", keys(doc))

    def test_bad_json_is_one_line_naming_the_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            cut = Path(tmp) / "cut.json"
            cut.write_text(TD.read_text()[:300])
            rc, out, err = plan("--task-definition", str(cut))
            self.assertEqual((rc, out), (2, ""))
            self.assertEqual(err.count("\n"), 1, err)
            self.assertIn(str(cut), err)
            wrong = Path(tmp) / "tg.json"
            wrong.write_text('{"TargetGroups": [{"HealthyThresholdCount": 1}]}')
            rc, out, err = plan("--target-group", str(wrong))
            self.assertEqual(rc, 2)
            self.assertEqual(err, "healthgate: plan: %s: TargetGroups[0]."
                             "HealthyThresholdCount: 1 is not within 2-10\n"
                             % wrong)
        rc, out, err = plan("--task-definition", "/nonexistent/td.json")
        self.assertEqual(rc, 2)
        self.assertIn("/nonexistent/td.json: cannot open", err)

    def test_task_definition_environment_is_what_the_daemon_reads(self):
        td = json.loads(TD.read_text())
        hg = next(c for c in td["containerDefinitions"]
                  if c["name"] == "healthgate")
        for e in hg["environment"]:
            if e["name"] == "HEALTHGATE_DRAIN_FALL":
                e["value"] = "lots"
        rc, out, err = plan("--task-definition", "-", stdin=json.dumps(td))
        self.assertEqual(rc, 2)
        self.assertTrue(err.startswith("healthgate: plan: stdin: container "
                                       "healthgate: HEALTHGATE_DRAIN_FALL: "
                                       "\"lots\""), err)
        self.assertEqual(err.count("\n"), 1, err)
        # Our own environment is not the container's.
        rc, doc, _ = plan_json(*KIT, env={"PATH": "/usr/bin:/bin",
                                          "HEALTHGATE_DRAIN_FALL": "7"})
        self.assertEqual(doc["inputs"]["drain_fall"], 2)

    def test_dashdash_is_supervisor_mode_and_its_budget(self):
        rc, doc, _ = plan_json(*KIT, "--", "app", "--port", "8080")
        self.assertTrue(doc["inputs"]["supervisor"])
        self.assertEqual(rc, 0)
        rc, doc, _ = plan_json(*KIT, "--app-stop-timeout", "14s", "--",
                               "app")
        self.assertEqual(rc, 1)
        sig = next(f for f in doc["contradictions"]
                   if f["key"] == "drain_cap_not_below_stop_timeout")
        self.assertIn("= 46s", sig["problem"])

    def test_bad_flags_exit_2(self):
        for args in (["--launch-type", "lambda"],
                     ["--stop-timeout", "1.5s"],
                     ["--wait-for-service-stability", "maybe"],
                     ["--no-such-flag"]):
            rc, out, err = plan(*args)
            self.assertEqual(rc, 2, args)
            self.assertEqual(err.count("\n"), 1, err)


if __name__ == "__main__":
    unittest.main()


class PlanGrpc(unittest.TestCase):
    """A gRPC target group (ProtocolVersion GRPC, Matcher GrpcCode), as
    describe-target-groups prints it, against the daemon's --grpc-listen."""

    def group(self, codes="12", path="/AWS.ALB/healthcheck"):
        doc = json.loads(TG.read_text())
        g = doc["TargetGroups"][0]
        g["ProtocolVersion"] = "GRPC"
        g["HealthCheckPath"] = path
        g["Matcher"] = {"GrpcCode": codes}
        return json.dumps(doc)

    def test_grpc_group_needs_grpc_listen(self):
        rc, doc, err = plan_json("--target-group", "-", stdin=self.group())
        self.assertEqual(rc, 1, err)
        self.assertIn("grpc_target_group_without_grpc_listen",
                      keys(doc, "contradiction"))
        rc, doc, err = plan_json("--target-group", "-", "--grpc-listen",
                                 ":8082", stdin=self.group())
        self.assertNotIn("grpc_target_group_without_grpc_listen", keys(doc))
        self.assertNotIn("grpc_matcher_misreads_healthgate", keys(doc))

    def test_matcher_that_takes_14_or_misses_the_healthy_code(self):
        for codes, path in [("0-99", "/AWS.ALB/healthcheck"),
                            ("12", "/grpc.health.v1.Health/Check")]:
            rc, doc, err = plan_json("--target-group", "-", "--grpc-listen",
                                     ":8082", stdin=self.group(codes, path))
            self.assertEqual(rc, 1, err)
            self.assertIn("grpc_matcher_misreads_healthgate",
                          keys(doc, "contradiction"), (codes, path))
        rc, doc, _ = plan_json("--target-group", "-", "--grpc-listen",
                               ":8082", stdin=self.group(
                                   "0", "/grpc.health.v1.Health/Check"))
        self.assertNotIn("grpc_matcher_misreads_healthgate", keys(doc))

    def test_bad_grpc_code_names_the_field(self):
        rc, out, err = plan("--target-group", "-", stdin=self.group("1x"))
        self.assertEqual(rc, 2)
        self.assertIn("TargetGroups[0].Matcher: GrpcCode \"1x\" is not "
                      "gRPC codes", err)
