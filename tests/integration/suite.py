"""The runner both suites share (tests/integration/run.py, make check;
tests/attack/run.py, make attack): every test_*.py of a directory (or those
matching argv[2]) against the binary in argv[1], one closing line
"LABEL: N passed, M failed", and an exit status that fails on a failure or
on no test at all."""

import os
import sys
import unittest


def main(here, label):
    os.environ["HEALTHGATE_BIN"] = os.path.abspath(
        sys.argv[1] if len(sys.argv) > 1 else "build/healthgate")
    sys.path.insert(0, here)
    pattern = sys.argv[2] if len(sys.argv) > 2 else "test_*.py"
    suite = unittest.defaultTestLoader.discover(here, pattern=pattern)
    result = unittest.TextTestRunner(verbosity=2,
                                     stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors)
    passed = result.testsRun - failed - len(result.skipped)
    print("%s: %d passed, %d failed" % (label, passed, failed))
    sys.exit(1 if failed or result.testsRun == 0 else 0)
