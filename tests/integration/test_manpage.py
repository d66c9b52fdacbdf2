"""The man page and docs/options.md say what the options table says.

healthgate --help is printed from the daemon's options table (flag,
argument, variable, default). docs/healthgate.8 lists each option as
`.It Fl \\-flag Ar ARG` with `.Pq Ev VARIABLE , default Ql VALUE` under it;
docs/options.md has a table row per option. A default changed in the table
and not in the pages fails here; so does an option one of them lacks. The
page is also mandoc -Tlint clean (warnings included)."""

import os
import re
import shutil
import subprocess
import unittest

from harness import BINARY

ROOT = os.path.normpath(os.path.join(os.path.dirname(
    os.path.abspath(__file__)), "..", ".."))
MAN = os.path.join(ROOT, "docs", "healthgate.8")
OPTIONS_MD = os.path.join(ROOT, "docs", "options.md")

HELP_OPT = re.compile(r"^  (--[a-z][a-z0-9-]*)(?: (\S+))?\s+(HEALTHGATE_\w+)$")
HELP_DEFAULT = re.compile(r"\(default ([^;)]*)")
MAN_IT = re.compile(r"^\.It Fl \\(-[a-z][a-z0-9-]*)(?: Ar (\S+))?$")
MAN_PQ = re.compile(r"^\.Pq Ev (HEALTHGATE_\w+) , default Ql (.*)$")
MD_ROW = re.compile(r"^\| `(--[a-z][a-z0-9-]*)(?: ([^`]+))?` \| `(HEALTHGATE_\w+)`"
                    r" \| `?([^|`]*?)`? \|")


def from_help():
    """{flag: (argument, variable, default)} from --help."""
    out = subprocess.run([BINARY, "--help"], capture_output=True, text=True,
                         timeout=10).stdout
    opts, flag, text = {}, None, ""

    def close():
        if flag:
            m = HELP_DEFAULT.search(" ".join(text.split()))
            arg, var = opts[flag][:2]
            opts[flag] = (arg, var, m.group(1).strip() if m else "none")

    for line in out.splitlines():
        m = HELP_OPT.match(line)
        if m:
            close()
            flag, text = m.group(1), ""
            opts[flag] = (m.group(2) or "", m.group(3), None)
        elif flag and line.startswith("      "):
            text += " " + line
        else:
            close()
            flag = None
    close()
    return opts


def from_man():
    opts, lines = {}, open(MAN, encoding="utf-8").read().splitlines()
    for i, line in enumerate(lines):
        m = MAN_IT.match(line)
        if m and i + 1 < len(lines):
            q = MAN_PQ.match(lines[i + 1])
            opts["-" + m.group(1)] = (m.group(2) or "",
                                      q.group(1) if q else None,
                                      q.group(2) if q else None)
    return opts


def from_options_md():
    opts = {}
    for line in open(OPTIONS_MD, encoding="utf-8"):
        m = MD_ROW.match(line.replace("\\|", "|"))
        if m:
            opts[m.group(1)] = (m.group(2) or "", m.group(3), m.group(4))
    return opts


class ManPage(unittest.TestCase):

    def setUp(self):
        self.table = from_help()
        self.assertGreater(len(self.table), 10, "--help lists the options")

    def same(self, page, got):
        self.assertEqual(sorted(got), sorted(self.table),
                         "%s lists other options than --help" % page)
        for flag, want in self.table.items():
            self.assertEqual(got[flag], want, "%s: %s (argument, variable, "
                             "default) differs from --help" % (page, flag))

    def test_man_page_options_are_the_table(self):
        self.same("docs/healthgate.8", from_man())

    def test_options_md_is_the_table(self):
        self.same("docs/options.md", from_options_md())

    def test_mandoc_lint_clean(self):
        if shutil.which("mandoc") is None:
            self.fail("mandoc is not installed (scripts/deps.sh installs it)")
        p = subprocess.run(["mandoc", "-Tlint", "-W", "warning", MAN],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


if __name__ == "__main__":
    unittest.main()
