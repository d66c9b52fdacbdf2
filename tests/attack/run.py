"""make attack: runs every tests/attack/test_*.py (outside tools against
the real binary in argv[1]) and prints one closing line:
"attack: N passed, M failed". The integration tests' harness and runner
are shared."""

import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "integration"))
from suite import main  # noqa: E402

main(here, "attack")
