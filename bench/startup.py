"""Time from `facilitator demo` to its first frame, against a bare import of textual + sqlmodel.

Runs the real command in tmux at 160×45 (fresh data and cache folders each time, web off so
no port is needed) and polls the screen until the phase title is drawn.

    .venv/bin/python bench/startup.py [runs]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
MARKER = "Fælles intro"


def first_frame_seconds(fresh: bool) -> float:
    home = tempfile.mkdtemp(prefix="fac-bench-")
    env_prefix = (
        f"XDG_DATA_HOME={home}/data XDG_CACHE_HOME={home}/cache XDG_CONFIG_HOME={home}/config "
    )
    if not fresh:  # a second start on the same demo database (the everyday case)
        subprocess.run(
            f"{env_prefix}{BIN}/python -c 'from facilitator.cli import open_store;"
            "from facilitator.demo import ensure_demo;from facilitator import paths;"
            "ensure_demo(open_store(paths.demo_db_url()))'",
            shell=True,
            check=True,
        )
    session = f"bench{os.getpid()}"
    start = time.perf_counter()
    subprocess.run(
        [
            "tmux",
            "new-session",
            "-d",
            "-s",
            session,
            "-x",
            "160",
            "-y",
            "45",
            f"{env_prefix}{BIN}/facilitator demo --no-web",
        ],
        check=True,
    )
    try:
        while True:
            screen = subprocess.run(
                ["tmux", "capture-pane", "-pt", session], capture_output=True, text=True
            ).stdout
            if MARKER in screen:
                return time.perf_counter() - start
            if time.perf_counter() - start > 30:
                raise RuntimeError("no first frame within 30 s:\n" + screen)
            time.sleep(0.005)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


def bare_import_seconds() -> float:
    start = time.perf_counter()
    subprocess.run([f"{BIN}/python", "-c", "import textual.app, sqlmodel"], check=True)
    return time.perf_counter() - start


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    bare = [bare_import_seconds() for _ in range(runs)]
    fresh = [first_frame_seconds(True) for _ in range(runs)]
    warm = [first_frame_seconds(False) for _ in range(runs)]
    print(f"runs: {runs} each, machine: {os.cpu_count()} cores")
    print(f"python -c 'import textual.app, sqlmodel': median {statistics.median(bare):.3f} s")
    print(f"facilitator demo → first frame (new demo DB): median {statistics.median(fresh):.3f} s")
    print(f"facilitator demo → first frame (existing DB): median {statistics.median(warm):.3f} s")


if __name__ == "__main__":
    main()
