"""Who may call the admin API (issue 23, acceptance 3), from a source that
is not loopback: a network namespace this test makes (unshare --net) with
192.0.2.1 and 2001:db8::1 on its lo, which exist only there
(netns_admin.py does the requests). No token, a wrong one, another scheme,
a prefix of the right one: 403, nothing changes, one log line each. The
right token works, from IPv4 and IPv6, through healthgate ctl too; the
token is never logged; without a token file nobody outside loopback gets
in."""

import json
import os
import shutil
import subprocess
import sys
import unittest

from harness import BINARY

HERE = os.path.dirname(os.path.abspath(__file__))


def netns_reason():
    """Why a network namespace cannot be made here, or None."""
    if not shutil.which("unshare") or not shutil.which("ip"):
        return "unshare(1) or ip(8) missing"
    r = subprocess.run(["unshare", "--net", "ip", "addr", "add",
                        "192.0.2.1/32", "dev", "lo"], capture_output=True,
                       text=True, timeout=10)
    if r.returncode != 0:
        return "unshare --net, then an address on lo: " + r.stderr.strip()
    return None


class AdminAccess(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        why = netns_reason()
        if why:
            raise unittest.SkipTest("needs a network namespace for a "
                                    "non-loopback source (run as root): "
                                    + why)
        r = subprocess.run(["unshare", "--net", sys.executable,
                            os.path.join(HERE, "netns_admin.py"), BINARY],
                           capture_output=True, text=True, timeout=90)
        if r.returncode != 0:
            raise AssertionError("netns_admin.py: %s" % r.stderr)
        cls.r = json.loads(r.stdout)

    def test_refusals_are_403_change_nothing_and_log_one_line(self):
        for fam in ("v4", "v6"):
            for name in ("none", "wrong", "basic", "prefix"):
                got = self.r["%s_%s" % (fam, name)]
                self.assertEqual(got["status"], 403, (fam, name))
                self.assertEqual(got["health"], 200, (fam, name))
                self.assertEqual(len(got["refusal_lines"]), 1, got)
                line = got["refusal_lines"][0]
                self.assertIn("path=/admin/maintenance/on", line)
                self.assertIn("result=403", line)
                self.assertRegex(line, r"source=(192\.0\.2\.1|2001:db8::1)")
            self.assertEqual(self.r["%s_drain_refused" % fam]["status"], 403)
            self.assertEqual(self.r["%s_drain_refused" % fam]["health"], 200)
        self.assertIn("reason=no_token",
                      self.r["v4_none"]["refusal_lines"][0])
        self.assertIn("reason=bad_token",
                      self.r["v4_wrong"]["refusal_lines"][0])

    def test_the_right_token_works_from_outside_loopback(self):
        for fam in ("v4", "v6"):
            self.assertEqual(self.r["%s_right" % fam],
                             {"status": 200, "health": 503})
            self.assertEqual(self.r["%s_right_off" % fam],
                             {"status": 200, "health": 200})
        self.assertEqual(self.r["loopback"], 200)
        self.assertTrue(any("access=token" in x for x in self.r["log"]))

    def test_ctl_sends_the_token_file(self):
        rc, _, err = self.r["ctl_no_token"]
        self.assertEqual(rc, 1)
        self.assertIn("403", err)
        rc, out, err = self.r["ctl_token"]
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.r["ctl_token_health"], 503)

    def test_the_token_is_never_logged(self):
        self.assertFalse(self.r["token_in_log"])

    def test_without_a_token_file_nobody_outside_gets_in(self):
        self.assertEqual(self.r["no_file"]["status"], 403)
        self.assertEqual(self.r["no_file"]["health"], 200)
        self.assertEqual(self.r["no_file"]["reason"], ["not_enabled"])


if __name__ == "__main__":
    unittest.main()
