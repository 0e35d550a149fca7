"""`facilitator export` of a big meeting against a stdlib writer of the same bytes.

A meeting made by `facilitator new` gets 10,000 flip-overs × 3 proposals (9,000 wishes,
1,000 interview strengths, 50 of the wishes in særskilt spor), 200 themes and 20,000 marks,
inserted with plain SQL into its SQLite file (10,000 commits through the app would take
minutes). Some headings and proposals start or contain what Markdown or a spreadsheet would
read as syntax, so the escaping is part of the work. Each format is written by
`facilitator export … -o FILE` and by bench/baselines/export_floor.py (a process each, the
same way; the wall time of the whole command is the figure, the best of 5 runs, taken in
turns) and the bytes must be equal.

    .venv/bin/python -m bench --only export
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from bench.common import FACILITATOR, ROOT, Row, new_meeting, secs

FLIPOVERS = 10_000
STRENGTHS = 1_000
PROPOSALS = 3
FLOOR = ROOT / "bench" / "baselines" / "export_floor.py"

WORDS = (
    "bedre akustik i frokoststuen, faste møder om fredagen, plads til fordybelse, "
    "tid til de nye kolleger, ærlig feedback på vagtplanen, færre afbrydelser, "
    "mere grønt på legepladsen, et køleskab der virker, øvelse i svære samtaler"
).split(", ")
SYNTAX = (
    "= SUM(A1)",
    "# ikke en overskrift",
    "*vigtigt*",
    "&amp; mere",
    "<b>fed</b>",
    "1. først",
    "- punkt",
    "+ plus",
    "@alle",
    "[link](x)",
    "a | b",
    "~streg~",
    "under_score",
)


def fill_meeting(db_file: Path, meeting: int, seed: int = 8) -> None:
    """10,000 flip-overs × 3 proposals, themes and marks, straight into the app's tables
    (adapt here if the schema changes)."""
    rng = random.Random(seed)
    now = datetime(2026, 11, 25, 12, 0, 0).isoformat(sep=" ")

    def text(n: int) -> str:
        base = f"{rng.choice(WORDS).capitalize()} ({n})"
        return f"{rng.choice(SYNTAX)} {base}" if n % 7 == 0 else base

    db = sqlite3.connect(db_file)
    db.execute("PRAGMA synchronous=OFF")
    with db:
        groups = {}
        for grouping, count in (("fours", 10), ("interview", 14)):
            for number in range(1, count + 1):
                cur = db.execute(
                    'INSERT INTO "group" (meeting_id, grouping, number, label) VALUES (?, ?, ?, ?)',
                    (meeting, grouping, number, ""),
                )
                groups[grouping, number] = cur.lastrowid
        themes = [
            db.execute(
                "INSERT INTO theme (meeting_id, name, priority, created_at) VALUES (?, ?, ?, ?)",
                (meeting, f"Tema {n}: {rng.choice(WORDS)}", None, now),
            ).lastrowid
            for n in range(200)
        ]
        wishes = []
        for n in range(FLIPOVERS):
            strength = n >= FLIPOVERS - STRENGTHS
            key = ("interview", n % 14 + 1) if strength else ("fours", n % 10 + 1)
            cur = db.execute(
                "INSERT INTO flipover (meeting_id, group_id, phase_index, kind, heading,"
                " confidential, created_at, updated_at, theme_id, priority)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    meeting,
                    groups[key],
                    1 if strength else 2,
                    "strength" if strength else "wish",
                    text(n),
                    not strength and n % 180 == 0,
                    now,
                    now,
                    None if strength or n % 5 else rng.choice(themes),
                    None,
                ),
            )
            if not strength:
                wishes.append(cur.lastrowid)
            db.executemany(
                "INSERT INTO proposal (flipover_id, position, text) VALUES (?, ?, ?)",
                [(cur.lastrowid, p, text(n * 3 + p)) for p in range(PROPOSALS)],
            )
        db.executemany(
            "INSERT INTO vote (meeting_id, flipover_id, device_id, created_at, phase_index)"
            " VALUES (?, ?, ?, ?, ?)",
            [(meeting, rng.choice(wishes), f"d{n // 3}", now, 4) for n in range(20_000)],
        )
    db.close()


def timed(args: list[str]) -> float:
    began = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, capture_output=True)
    took = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"{args[:3]}: {done.stderr.decode()[-500:]}")
    return took


def run(workdir: Path, quick: bool) -> list[Row]:
    db_file = workdir / "export.db"
    url = f"sqlite:///{db_file}"
    meeting = new_meeting(url, "Eksport-bench: 10.000 flip-overs")
    fill_meeting(db_file, meeting)
    runs = 1 if quick else 5
    rows = []
    for fmt in ("md", "csv", "json"):
        app_out, floor_out = workdir / f"app.{fmt}", workdir / f"floor.{fmt}"
        app_args = [FACILITATOR, "export", str(meeting), "--what", "bruttoliste"]
        app_args += ["--format", fmt, "-o", str(app_out), "--db", url]
        floor_args = [sys.executable, str(FLOOR), str(db_file), str(meeting), fmt]
        floor_args += ["-o", str(floor_out)]
        if not quick:
            timed(app_args), timed(floor_args)  # warm the page cache
        app_s, floor_s = [], []
        for _ in range(runs):
            app_s.append(timed(app_args))
            floor_s.append(timed(floor_args))
        same = app_out.read_bytes() == floor_out.read_bytes()
        a, f = min(app_s), min(floor_s)
        size = app_out.stat().st_size
        rows.append(
            Row(
                f"export 10,000 flip-overs × 3 proposals, {fmt} ({size / 1e6:.1f} MB)",
                secs(a),
                f"{secs(f)} stdlib writer" + ("" if same else " (BYTES DIFFER)"),
                a / f,
                "≤ 2×",
                a / f <= 2 and same,
                note=f"best of {runs}, whole command",
            )
        )
    # What the command spends before it writes a byte: its imports.
    imports = [
        timed([sys.executable, "-c", "import facilitator.cli, facilitator.export, storage.repo"])
        for _ in range(runs)
    ]
    bare = [timed([sys.executable, "-c", "import sqlite3, csv, json, re, tomllib"])]
    rows.append(
        Row(
            "  of which: importing the CLI, export and storage modules",
            secs(min(imports)),
            f"{secs(min(bare))} stdlib imports",
            note="process start + imports, nothing read",
        )
    )
    return rows
