"""The long fuzzing run: tests/test_fuzz_web.py with many more hypothesis-made requests.

Prints, per database, the requests by status ("[fuzz] … by status 200: …, 400: …") for the
hypothesis run, the fixed sweep of hostile bodies and the raw-bytes run; any 5xx, any
traceback, any English error message or any accepted text that does not come back cleaned
fails the run (exit status 1).

    .venv/bin/python bench/fuzz.py                  # 20,000 requests per database
    .venv/bin/python bench/fuzz.py 5000             # fewer
    FACILITATOR_TEST_PG=postgresql+psycopg://… .venv/bin/python bench/fuzz.py   # PostgreSQL too
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    env = {**os.environ, "FACILITATOR_FUZZ_EXAMPLES": str(examples)}
    env.setdefault("HYPOTHESIS_PROFILE", "dev")  # random, not the CI's fixed examples
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--show-capture=no",
        "--tb=short",
        str(ROOT / "tests" / "test_fuzz_web.py"),
    ]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
