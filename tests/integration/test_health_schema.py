"""The /health body against a JSON Schema of the health-check draft's
fields (tests/schema/health.schema.json), checked with a real validator,
ajv-cli (make check installs it: scripts/npm-deps.sh), in every state the
daemon has, with reasons that try to break the JSON: quotes, backslashes,
control bytes and bytes that are not UTF-8 from an exec command."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import (SIGTERM, SIGUSR1, Daemon, Prober, wait_until)

ROOT = os.path.normpath(os.path.join(os.path.dirname(
    os.path.abspath(__file__)), "..", ".."))
SCHEMA = os.path.join(ROOT, "tests", "schema", "health.schema.json")
AJV = os.path.join(ROOT, "tests", "schema", "node_modules", ".bin", "ajv")
FAST = ["--interval", "200ms", "--timeout", "150ms"]
SERVICE = ["--service-version", "2.1", "--release-id", "2.1.7-\"rc\"\\1",
           "--service-id", "orders", "--description",
           "Orders API \u00fcber \"alles\" \\ \u2603"]
# Quotes, a backslash, control bytes, a lone continuation byte, a cut
# sequence, an overlong NUL, a surrogate, then a line after a newline.
HOSTILE = (b'"q" \\ \x01\x02\x1b[31m\x7f \xff\xfe \xc3( \xe2\x82 '
           b'\xc0\x80 \xed\xa0\x80 caf\xc3\xa9 tab\there\nsecond line')


def ajv(*paths):
    return subprocess.run([AJV, "validate", "-s", SCHEMA, "-c",
                           "ajv-formats", "--all-errors"] +
                          sum((["-d", p] for p in paths), []),
                          capture_output=True, text=True, timeout=60)


class HealthSchema(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not os.access(AJV, os.X_OK):
            raise AssertionError("no %s: make check installs it "
                                 "(scripts/npm-deps.sh)" % AJV)
        cls.dir = tempfile.mkdtemp(prefix="hg-schema-")
        cls.script = os.path.join(cls.dir, "hostile.sh")
        with open(cls.script, "wb") as f:
            f.write(b"#!/bin/sh\nprintf '%s' >&2\nexit 3\n" %
                    HOSTILE.replace(b"\\", b"\\\\").replace(b"'", b"")
                    .replace(b"%", b"%%").replace(b"\n", b"\\n")
                    .replace(b"\t", b"\\t"))
        os.chmod(cls.script, 0o755)
        cls.bodies = {}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def keep(self, state, d, code):
        """The body now, as bytes: strict UTF-8 and JSON, and kept."""
        st, _, raw = d.get("/health")
        self.assertEqual(st, code, raw)
        text = raw.decode("utf-8")          # strict: no invalid UTF-8
        body = json.loads(text)
        path = os.path.join(self.dir, state + ".json")
        with open(path, "wb") as f:
            f.write(raw)
        self.bodies[state] = path
        return body

    def test_every_state_and_hostile_reasons_pass_the_schema(self):
        with Daemon(*FAST, *SERVICE) as d:
            self.keep("no_checks", d, 200)
        with Daemon(*FAST, *SERVICE, "--check", "ok=exec:/bin/true") as d:
            self.assertIsNotNone(wait_until(lambda: d.health()[0] == 200, 3))
            b = self.keep("healthy", d, 200)
            self.assertEqual(b["status"], "pass")
            self.assertEqual(b["releaseId"], '2.1.7-"rc"\\1')
            d.signal(SIGUSR1)
            self.assertIsNotNone(wait_until(lambda: d.health()[0] == 503, 3))
            self.assertIn("maintenance", self.keep("maintenance", d, 503)
                          ["notes"])
        with Daemon(*FAST, "--check", "ok=exec:/bin/true", "--check",
                    "dep=exec?severity=warn:%s" % self.script) as d:
            self.assertIsNotNone(wait_until(
                lambda: d.health()[1]["status"] == "warn" and
                "exit status 3" in str(d.health()[1]), 3), d.log())
            b = self.keep("warn", d, 200)
            out = b["checks"]["dep:responseTime"][0]["output"]
            self.assertTrue(out.startswith('exit status 3: "q" \\ \x01\x02'),
                            out)
            self.assertIn("\ufffd", out)
            self.assertIn("caf\u00e9", out)       # UTF-8 stays as it is
            self.assertIn("\nsecond line", out)
            # The text log line keeps no terminal escape.
            line = d.wait_log("check_down name=dep")
            self.assertIsNotNone(line)
            self.assertNotIn("\x1b", line)
            self.assertNotIn("\x01", line)
        with Daemon(*FAST, "--check", "bad=exec:%s" % self.script,
                    "--check", "slow=exec?interval=5s&timeout=3s:/bin/sleep 2"
                    ) as d:
            self.assertIsNotNone(wait_until(
                lambda: "exit status 3" in str(d.health()[1]), 3), d.log())
            b = self.keep("down_and_not_run_yet", d, 503)
            self.assertEqual(b["checks"]["slow:responseTime"][0],
                             {"componentType": "component", "status": "fail",
                              "output": "not run yet"})
        with Daemon(*FAST, "--drain-fall", "50", "--drain-timeout", "3s",
                    "--drain-ignore", "none",
                    "--check", "ok=exec:/bin/true") as d:
            self.assertIsNotNone(wait_until(lambda: d.health()[0] == 200, 3))
            p = Prober(d, "127.0.0.2", period=0.2)
            p.start()
            try:
                self.assertTrue(wait_until(lambda: len(p.results) >= 2, 3))
                d.signal(SIGTERM)
                self.assertIsNotNone(wait_until(
                    lambda: "draining" in str(d.health()[1]), 3), d.log())
                self.keep("draining", d, 503)
            finally:
                p.stop()
        r = ajv(*sorted(self.bodies.values()))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        for state, path in self.bodies.items():
            self.assertIn("%s valid" % path, r.stdout + r.stderr, state)
        self.assertEqual(len(self.bodies), 6)

    def test_the_validator_refuses_what_the_draft_lacks(self):
        """The check above can fail: a body with a field outside the
        draft, a status it does not know, or a time that is not one."""
        bad = [{"status": "pass", "uptime": 1},
               {"status": "degraded"},
               {"status": "pass", "checks": {"a:responseTime": [
                   {"status": "pass", "time": "yesterday"}]}},
               {"status": "pass", "checks": {"a:responseTime": [
                   {"status": "pass", "severity": "warn"}]}}]
        for i, body in enumerate(bad):
            path = os.path.join(self.dir, "bad%d.json" % i)
            with open(path, "w") as f:
                json.dump(body, f)
            r = ajv(path)
            self.assertNotEqual(r.returncode, 0, body)
            self.assertIn("invalid", r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
