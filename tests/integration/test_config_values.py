"""Values as a user types them (issue 12, defects 10-12): Go's durations
everywhere a duration is read, lists with spaces after the commas, and
configuration errors as JSON when JSON logs are asked for."""

import json
import os
import subprocess
import unittest

from harness import BINARY, Daemon


def run(*args, env=None, timeout=5):
    full = {k: v for k, v in os.environ.items()
            if not k.startswith("HEALTHGATE_")}
    full.update(env or {})
    return subprocess.run([BINARY, *args], capture_output=True, text=True,
                          env=full, timeout=timeout)


def fields(line):
    """key=value fields of a text log line (values without spaces)."""
    return dict(w.split("=", 1) for w in line.split() if "=" in w)


class Durations(unittest.TestCase):

    def test_flags_variables_and_check_params_take_go_durations(self):
        with Daemon("--interval", "1.5s", "--timeout", "0.5",
                    "--check", "a=exec?interval=1m30s&timeout=1.5s:/bin/true",
                    env={"HEALTHGATE_DRAIN_TIMEOUT": "1m30s",
                         "HEALTHGATE_DRAIN_WINDOW": "0.25m"}) as d:
            start = fields(d.wait_log(r" start "))
            check = fields(d.wait_log(r" check name=a"))
        self.assertEqual(start["interval_ms"], "1500")
        self.assertEqual(start["timeout_ms"], "500")
        self.assertEqual(start["drain_timeout_ms"], "90000")
        self.assertEqual(start["drain_window_ms"], "15000")
        self.assertEqual(check["interval_ms"], "90000")
        self.assertEqual(check["timeout_ms"], "1500")

    def test_probe_timeout_takes_a_decimal(self):
        with Daemon() as d:
            r = run("probe", "--timeout", "1.5s", d.url("/live"))
            self.assertEqual(r.returncode, 0, r.stderr)
            r = run("probe", "--timeout=0.5", d.url("/live"))
            self.assertEqual(r.returncode, 0, r.stderr)

    def test_plan_reads_what_it_prints(self):
        r = run("plan", "--deregistration-delay", "300s", "--alb-interval",
                "30s", "--alb-healthy", "5")
        self.assertIn("2m33s", r.stdout)
        # The figure plan prints is a duration plan (and the daemon) read.
        r = run("plan", "--stop-timeout", "2m33s", "--alb-interval", "0.5m",
                "--interval", "1.5s", "--format", "json")
        self.assertIn(r.returncode, (0, 1), r.stderr)
        inputs = json.loads(r.stdout)["inputs"]
        self.assertEqual(inputs["stop_timeout_ms"], 153000)
        self.assertEqual(inputs["alb_interval_ms"], 30000)
        self.assertEqual(inputs["interval_ms"], 1500)
        r = run("plan", "--interval", "1234ms", "--timeout", "0.5")
        self.assertIn("checks every 1.234s, timeout 500ms", r.stdout)

    def test_refusals_still_name_flag_and_value(self):
        for args, msg in [
                (["--interval", "1m30"], '--interval: "1m30" is not a duration'),
                (["--interval", "1.5ms"],
                 '--interval: "1.5ms" is finer than a millisecond'),
                (["--interval", "25h"], '--interval: "25h" is too long'),
                (["--check", "exec?timeout=1.5x:/bin/true"],
                 'timeout is not a duration')]:
            r = run(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn(msg, r.stderr)


class Lists(unittest.TestCase):

    def test_spaces_after_commas_are_fine(self):
        with Daemon(env={"HEALTHGATE_CHECKS":
                         "a=exec:/bin/true, b = exec:/bin/true ,",
                         "HEALTHGATE_DRAIN_IGNORE":
                         "127.0.0.0/8, ::1/128, 10.0.0.0/8"}) as d:
            start = fields(d.wait_log(r" start "))
            self.assertIsNotNone(d.wait_log(r" check name=b "))
        self.assertEqual(start["checks"], "2")
        self.assertEqual(start["drain_ignore"], "127.0.0.0/8,::1/128,10.0.0.0/8")

    def test_a_name_with_a_colon_is_refused_for_its_name(self):
        r = run(env={"HEALTHGATE_CHECKS":
                     "a=exec:/bin/true, my:app=http://127.0.0.1:1/"})
        self.assertEqual(r.returncode, 2)
        self.assertIn('HEALTHGATE_CHECKS: " my:app=http://127.0.0.1:1/" has '
                      'a name that is not one', r.stderr)
        self.assertNotIn("scheme", r.stderr)


class JsonRefusals(unittest.TestCase):
    """A refusal to start is one JSON line when JSON logs are asked for,
    by the flag or the variable, wherever the bad value is."""

    def refusal(self, *args, env=None):
        r = run(*args, env=env)
        self.assertEqual(r.returncode, 2, r.stderr)
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        return lines[0]

    def test_json_asked_by_flag_or_variable(self):
        for args, env, msg in [
                (["--interval", "abc", "--log-format", "json"], None,
                 '--interval: "abc" is not a duration'),
                (["--log-format=json", "--frobnicate"], None,
                 'unknown option "--frobnicate"'),
                (["--check", "my:app=http://127.0.0.1:1/"],
                 {"HEALTHGATE_LOG_FORMAT": "json"},
                 '--check: "my:app=http://127.0.0.1:1/" has a name'),
                ([], {"HEALTHGATE_LOG_FORMAT": "json",
                      "HEALTHGATE_TIMEOUT": "x"},
                 'HEALTHGATE_TIMEOUT: "x" is not a duration'),
                # The format flag itself is bad: the variable's still holds.
                (["--log-format", "xml"], {"HEALTHGATE_LOG_FORMAT": "json"},
                 '--log-format: "xml" is not text or json')]:
            obj = json.loads(self.refusal(*args, env=env))
            self.assertEqual(obj["level"], "error")
            self.assertEqual(obj["event"], "config_error")
            self.assertIn(msg, obj["msg"])
            self.assertRegex(obj["ts"], r"^\d{4}-\d\d-\d\dT")

    def test_text_when_no_valid_format_asks_for_json(self):
        self.assertEqual(self.refusal("--log-format", "jsn"),
                         'healthgate: --log-format: "jsn" is not text or json')
        self.assertEqual(self.refusal("--interval", "abc"),
                         'healthgate: --interval: "abc" is not a duration')
        # The flag wins over the variable, as for the daemon's own lines.
        self.assertEqual(self.refusal("--log-format", "text", "--rise", "0",
                                      env={"HEALTHGATE_LOG_FORMAT": "json"}),
                         'healthgate: --rise: "0" is not within 1-100')


if __name__ == "__main__":
    unittest.main()
