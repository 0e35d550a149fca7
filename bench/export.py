"""`facilitator export` of a big meeting against a stdlib writer of the same bytes.

A meeting made by `facilitator new` gets 10,000 flip-overs × 3 proposals (9,000 wishes,
1,000 interview strengths, 50 of the wishes in særskilt spor and 10 more through the wish
they name), 200 themes (3 of them prioritised), 5 prioritised lone wishes, a vurdering on
every third wish (a status and a begrundelse, some of several lines), proposals with a
level, a workplace, and 20,000 marks, inserted with plain SQL into its SQLite file (10,000
commits through the app would take minutes). Some headings, proposals and begrundelser
start or contain what Markdown or a spreadsheet would read as syntax, so the escaping is
part of the work. md, csv and json are each written by `facilitator export … --what
bruttoliste -o FILE` (the bruttoliste ranked by marks, themes summed, ties shared) and by
bench/baselines/export_floor.py (a process each, the same way; the wall time of the whole
command is the figure, the best of 5 runs, taken in turns; beside it the least CPU time,
user + system, of the runs, since a shared machine stretches the wall time) and the bytes
must be equal. xlsx and docx are the app's figures alone (no floor; the best of 3 runs).

    .venv/bin/python -m bench --only export
"""

from __future__ import annotations

import random
import resource
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


STATUSES = ("work_on", "in_progress", "cannot_now", "separate_track", "")
LEVELS = ("personalegruppe", "leder", "samarbejdspartnere")
REASONS = (
    "",
    "Ledelsen tager det op i MED-udvalget",
    "- budgettet er brugt i år\n= vi ser på det igen til foråret",
    "Kræver en *ny* aftale med kommunen & <b>HR</b>",
)


def fill_meeting(db_file: Path, meeting: int, seed: int = 8) -> None:
    """10,000 flip-overs × 3 proposals, themes, vurderinger and marks, straight into the
    app's tables (adapt here if the schema changes: every NOT NULL column without a
    server default is given)."""
    rng = random.Random(seed)
    now = datetime(2026, 11, 25, 12, 0, 0).isoformat(sep=" ")

    def text(n: int) -> str:
        base = f"{rng.choice(WORDS).capitalize()} ({n})"
        return f"{rng.choice(SYNTAX)} {base}" if n % 7 == 0 else base

    db = sqlite3.connect(db_file)
    db.execute("PRAGMA synchronous=OFF")
    with db:
        db.execute(
            "UPDATE forloeb SET workplace = ?, unit = ?, name = ?"
            " WHERE id = (SELECT forloeb_id FROM meeting WHERE id = ?)",
            (
                "Børnehuset Mælkebøtten",
                "Vuggestuen",
                "Børnehuset Mælkebøtten – Vuggestuen",
                meeting,
            ),
        )
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
                (meeting, f"Tema {n}: {rng.choice(WORDS)}", n + 1 if n < 3 else None, now),
            ).lastrowid
            for n in range(200)
        ]
        # Lone wishes prioritised after the three themes; one wish in a theme with a
        # priority of its own (the theme's counts, not its own).
        priorities = {11: 4, 2222: 5, 3333: 6, 4444: 7, 5551: 8, 10: 9}
        wishes, ids = [], {}
        for n in range(FLIPOVERS):
            strength = n >= FLIPOVERS - STRENGTHS
            key = ("interview", n % 14 + 1) if strength else ("fours", n % 10 + 1)
            # Ten wishes name a wish in særskilt spor (wish_id): hidden with it.
            named = ids.get(n - 1) if not strength and n % 180 == 1 and n < 1800 else None
            cur = db.execute(
                "INSERT INTO flipover (meeting_id, group_id, phase_index, kind, heading,"
                " confidential, created_at, updated_at, theme_id, priority, wish_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    None if strength else priorities.get(n),
                    named,
                ),
            )
            fid = ids[n] = cur.lastrowid
            if not strength:
                wishes.append(fid)
            db.executemany(
                "INSERT INTO proposal (flipover_id, position, text, level) VALUES (?, ?, ?, ?)",
                [
                    (fid, p, text(n * 3 + p), LEVELS[n % 3] if p == 2 and n % 4 == 0 else "")
                    for p in range(PROPOSALS)
                ],
            )
            if not strength and n % 3 == 0:
                db.execute(
                    "INSERT INTO assessment (flipover_id, status, reason, updated_at)"
                    " VALUES (?, ?, ?, ?)",
                    (fid, STATUSES[n % 5], REASONS[n % 4], now),
                )
        db.executemany(
            "INSERT INTO vote (meeting_id, flipover_id, device_id, created_at, phase_index)"
            " VALUES (?, ?, ?, ?, ?)",
            [(meeting, rng.choice(wishes), f"d{n // 3}", now, 4) for n in range(20_000)],
        )
    db.close()


def timed(args: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system) of a command run to its end."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, capture_output=True)
    took = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{args[:3]}: {done.stderr.decode()[-500:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return took, cpu


def best(times: list[tuple[float, float]]) -> tuple[float, str]:
    """The best wall time, and it with the least CPU time as text."""
    wall = min(t for t, _ in times)
    return wall, f"{secs(wall)} (CPU {min(c for _, c in times):.2f} s)"


def run(workdir: Path, quick: bool) -> list[Row]:
    db_file = workdir / "export.db"
    url = f"sqlite:///{db_file}"
    meeting = new_meeting(url, "Eksport-bench: 10.000 flip-overs")
    fill_meeting(db_file, meeting)
    runs = 1 if quick else 5
    rows = []

    def app_args(fmt: str, out: Path) -> list[str]:
        args = [FACILITATOR, "export", str(meeting), "--what", "bruttoliste"]
        return args + ["--format", fmt, "-o", str(out), "--db", url]

    for fmt in ("md", "csv", "json"):
        app_out, floor_out = workdir / f"app.{fmt}", workdir / f"floor.{fmt}"
        floor_args = [sys.executable, str(FLOOR), str(db_file), str(meeting), fmt]
        floor_args += ["-o", str(floor_out)]
        if not quick:
            timed(app_args(fmt, app_out)), timed(floor_args)  # warm the page cache
        app_s, floor_s = [], []
        for _ in range(runs):
            app_s.append(timed(app_args(fmt, app_out)))
            floor_s.append(timed(floor_args))
        same = app_out.read_bytes() == floor_out.read_bytes()
        (a, a_text), (f, f_text) = best(app_s), best(floor_s)
        size = app_out.stat().st_size
        rows.append(
            Row(
                f"export 10,000 flip-overs × 3 proposals, {fmt} ({size / 1e6:.1f} MB)",
                a_text,
                f"{f_text} stdlib writer" + ("" if same else " (BYTES DIFFER)"),
                a / f,
                "≤ 2×",
                a / f <= 2 and same,
                note=f"best of {runs}, whole command; ratio of wall times",
            )
        )
    # XLSX and DOCX: the app alone (a stdlib floor would be a zip writer of the same
    # parts, not worth its weight here).
    binary_runs = 1 if quick else 3
    for fmt in ("xlsx", "docx"):
        out = workdir / f"app.{fmt}"
        _, took = best([timed(app_args(fmt, out)) for _ in range(binary_runs)])
        size = out.stat().st_size
        rows.append(
            Row(
                f"export 10,000 flip-overs × 3 proposals, {fmt} ({size / 1e6:.1f} MB)",
                took,
                "",
                note=f"best of {binary_runs}, whole command; no floor",
            )
        )
    # What the command spends before it writes a byte: its imports.
    imports = [
        timed(
            [
                sys.executable,
                "-c",
                "import facilitator.cli, facilitator.export.command,"
                " facilitator.course.service, storage.repo",
            ]
        )
        for _ in range(runs)
    ]
    bare = [timed([sys.executable, "-c", "import sqlite3, csv, json, re, tomllib"])]
    rows.append(
        Row(
            "  of which: importing the CLI, export, course and storage modules",
            best(imports)[1],
            f"{best(bare)[1]} stdlib imports",
            note="process start + imports, nothing read",
        )
    )
    return rows
