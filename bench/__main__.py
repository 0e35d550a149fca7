"""Every benchmark, one table: figure, baseline measured in the same run, ratio, target.

    .venv/bin/python -m bench                 # all of them (about 5 minutes on 2 cores)
    .venv/bin/python -m bench --quick         # smaller rooms, fewer repeats (under a minute)
    .venv/bin/python -m bench --only votes    # one of: votes, web, export, startup

The full run writes the table, the date and the machine to bench/RESULTS.md (``--write``
makes a quick or partial run write it too). The benchmarks:

- votes   (bench/votes.py)   marks from a room, loop lag and key latency in the TUI
- web     (bench/web.py)     throughput, phones joining, a phase change reaching them, memory
- export  (bench/export.py)  10,000 flip-overs × 3 proposals: md, csv, json (vs a floor), xlsx, docx
- startup (bench/startup.py) `facilitator demo` and `run` to their first frame

The robustness trials are separate commands: bench/crash.py (SIGKILL while phones vote),
bench/flood.py (half-sent requests), bench/fuzz.py (hostile requests).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import datetime
from pathlib import Path

from bench import export, startup, votes, web
from bench.common import ROOT, Row, load_average, machine, stop_loads, table

BENCHMARKS = {"votes": votes.run, "web": web.run, "export": export.run, "startup": startup.run}
RESULTS = ROOT / "bench" / "RESULTS.md"


def revision() -> str:
    """The tree's git revision (BENCH_REVISION names it for a copy of the tree)."""
    if os.environ.get("BENCH_REVISION"):
        return os.environ["BENCH_REVISION"]
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return done.stdout.strip() or "?"
    except OSError:
        return "?"


NOTES = "## Notes"


def write_results(rows: list[Row], info: dict[str, str], quick: bool, took: float) -> None:
    """The table and the machine; a hand-written "## Notes" section at the end of the old
    file (what limits a missed target) is kept."""
    notes = ""
    if RESULTS.exists():
        old = RESULTS.read_text(encoding="utf-8")
        if NOTES in old:
            notes = old[old.index(NOTES) :]
    kind = "quick run (`--quick`: smaller rooms, fewer repeats)" if quick else "full run"
    text = [
        "# Benchmark results",
        "",
        "Written by `.venv/bin/python -m bench`; every baseline is measured in the same run",
        "(bench/baselines/). Ratio = measured ÷ baseline.",
        "",
        table(rows, markdown=True),
        "",
        f"- Date: {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; {kind}, {took / 60:.1f} min",
        f"- Revision: {revision()}",
        f"- CPU: {info['cpu']}",
        f"- RAM: {info['ram']}",
        f"- {info['python']}; {info['libraries']}",
        f"- OS: {info['os']}",
        f"- Load average (1 min) at the start: {info['load']}, at the end: {load_average()}"
        " (other work on the machine shows in every figure)",
        "",
        "How each figure is measured: the docstrings of bench/votes.py, bench/web.py,",
        "bench/export.py and bench/startup.py. Load generators (bench/load.py) run in a",
        "process of their own; each simulated phone has its own loopback address and the",
        "device id the server issued it.",
        "",
    ]
    RESULTS.write_text("\n".join(text) + ("\n" + notes if notes else ""), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller rooms, fewer repeats")
    parser.add_argument("--only", action="append", choices=list(BENCHMARKS), metavar="NAME")
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md anyway")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, dbs)")
    args = parser.parse_args()
    names = args.only or list(BENCHMARKS)
    workdir = Path(tempfile.mkdtemp(prefix="fac-bench-"))
    info = machine()
    began = time.perf_counter()
    rows: list[Row] = []
    failed = False
    for name in names:
        print(f"[bench] {name} …", file=sys.stderr, flush=True)
        started = time.perf_counter()
        folder = workdir / name
        folder.mkdir()
        try:
            rows += BENCHMARKS[name](folder, args.quick)
        except Exception as exc:  # noqa: BLE001 - one failed benchmark leaves the others
            failed = True
            traceback.print_exc()
            rows.append(Row(f"{name}: FAILED", f"{type(exc).__name__}: {exc}"[:160], ok=False))
        finally:
            stop_loads()
        print(f"[bench] {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    took = time.perf_counter() - began
    print()
    print(table(rows, markdown=False))
    print()
    print(f"{info['cpu']}, {info['ram']} RAM; {info['python']}; {info['os']}")
    print(
        f"{'quick' if args.quick else 'full'} run, {took / 60:.1f} min; load average "
        f"{info['load']} at the start, {load_average()} at the end"
    )
    if args.write or (not args.quick and not args.only):
        write_results(rows, info, args.quick, took)
        print(f"written: {RESULTS.relative_to(ROOT)}")
    if args.keep or failed:
        print(f"work folder kept: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
