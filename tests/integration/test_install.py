"""make install and make uninstall, as a packager runs them: DESTDIR,
PREFIX=/usr and SYSCONFDIR=/etc. Install puts a stripped binary, the man
page (man(1) finds it), the docs, the unit with its paths following PREFIX
and SYSCONFDIR, and the options file; uninstall leaves nothing. Also:
--version names CHANGELOG.md's top version, and the commit when built
from a checkout."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import BINARY

ROOT = os.path.normpath(os.path.join(os.path.dirname(
    os.path.abspath(__file__)), "..", ".."))
VARS = ["PREFIX=/usr", "SYSCONFDIR=/etc"]


def make(*args):
    build = os.path.dirname(os.path.abspath(BINARY))
    return subprocess.run(["make", "-s", "--no-print-directory",
                           "BUILD=" + build] + list(args), cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def tree(top):
    return sorted(os.path.relpath(os.path.join(d, f), top)
                  for d, _, fs in os.walk(top) for f in fs)


class Install(unittest.TestCase):

    def setUp(self):
        self.dest = tempfile.mkdtemp(prefix="hg-install-")
        self.addCleanup(shutil.rmtree, self.dest, True)

    def test_install_then_uninstall_leaves_nothing(self):
        p = make("install", "DESTDIR=" + self.dest, *VARS)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        files = tree(self.dest)
        for want in ("usr/bin/healthgate", "usr/share/man/man8/healthgate.8",
                     "usr/share/doc/healthgate/README.md",
                     "usr/share/doc/healthgate/LICENSE",
                     "usr/share/doc/healthgate/CHANGELOG.md",
                     "usr/share/doc/healthgate/docs/options.md",
                     "usr/lib/systemd/system/healthgate.service",
                     "etc/default/healthgate"):
            self.assertIn(want, files)
        binary = os.path.join(self.dest, "usr/bin/healthgate")
        sections = subprocess.run(["readelf", "-SW", binary],
                                  capture_output=True, text=True).stdout
        self.assertNotIn(".symtab", sections, "the binary is not stripped")
        unit = open(os.path.join(
            self.dest, "usr/lib/systemd/system/healthgate.service")).read()
        self.assertIn("\nExecStart=/usr/bin/healthgate\n", unit)
        self.assertIn("\nEnvironmentFile=-/etc/default/healthgate\n", unit)
        self.assertIn("\nDocumentation=man:healthgate(8)\n", unit)
        if shutil.which("man"):
            m = subprocess.run(["man", "-M", os.path.join(
                self.dest, "usr/share/man"), "-w", "healthgate"],
                capture_output=True, text=True, timeout=30)
            self.assertEqual(m.returncode, 0, m.stderr)
            self.assertTrue(m.stdout.strip().endswith("man8/healthgate.8"))
        p = make("uninstall", "DESTDIR=" + self.dest, *VARS)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(os.listdir(self.dest), [],
                         "left behind: %s" % tree(self.dest))

    def test_changed_options_file_is_kept(self):
        self.assertEqual(make("install", "DESTDIR=" + self.dest,
                              *VARS).returncode, 0)
        opts = os.path.join(self.dest, "etc/default/healthgate")
        with open(opts, "a") as f:
            f.write("HEALTHGATE_LISTEN=127.0.0.1:9000\n")
        p = make("uninstall", "DESTDIR=" + self.dest, *VARS)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("kept", p.stdout)
        self.assertEqual(tree(self.dest), ["etc/default/healthgate"])


class Version(unittest.TestCase):

    def test_version_is_the_changelogs_and_the_commit(self):
        top = subprocess.run([os.path.join(ROOT, "scripts/version.sh")],
                             capture_output=True, text=True).stdout.strip()
        self.assertRegex(top, r"^\d+\.\d+\.\d+$")
        for args in (["--version"], ["plan", "--version"]):
            out = subprocess.run([BINARY] + args, capture_output=True,
                                 text=True, timeout=10).stdout
            m = re.match(r"^healthgate (\S+)(?: \(commit (\w+)\))?\n$", out)
            self.assertTrue(m, out)
            self.assertEqual(m.group(1), top)
            head = subprocess.run(["git", "rev-parse", "--short=7", "HEAD"],
                                  cwd=ROOT, capture_output=True, text=True)
            if head.returncode == 0 and m.group(2):
                # Built from this checkout: its commit, or an older one
                # only if the binary predates HEAD (never a made-up one).
                ok = subprocess.run(["git", "cat-file", "-e",
                                     m.group(2) + "^{commit}"], cwd=ROOT)
                self.assertEqual(ok.returncode, 0, out)


if __name__ == "__main__":
    unittest.main()
