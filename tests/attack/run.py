"""make attack: runs every tests/attack/test_*.py (outside tools against
the real binary in argv[1]) and prints one closing line:
"attack: N passed, M failed". The integration tests' harness is shared."""

import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
os.environ["HEALTHGATE_BIN"] = os.path.abspath(sys.argv[1] if len(sys.argv) > 1
                                               else "build/healthgate")
sys.path.insert(0, os.path.join(here, "..", "integration"))
sys.path.insert(0, here)

pattern = sys.argv[2] if len(sys.argv) > 2 else "test_*.py"
suite = unittest.defaultTestLoader.discover(here, pattern=pattern)
result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
failed = len(result.failures) + len(result.errors)
passed = result.testsRun - failed - len(result.skipped)
print("attack: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed or result.testsRun == 0 else 0)
