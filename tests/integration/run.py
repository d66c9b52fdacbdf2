"""Runs every tests/integration/test_*.py against the binary in argv[1] and
prints one closing line: "integration: N passed, M failed"."""

import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from suite import main  # noqa: E402

main(here, "integration")
