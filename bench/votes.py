"""A room marking wishes while the mødeleder works the projector, against the floor.

The app: the TUI with its web server (as `facilitator run` builds it), headless at 160×45,
started by bench/launch.py with two probes on its loop (loop lag; key to frame). A meeting
made by `facilitator new` gets 12 wishes through the assistants' API and its vote phase
(3 marks a phone, reveal at the end) is started through the control API. Then, from a load
process of its own:

1. 1,000 phones join: the page (`GET /`, the server issues each its device id) and the
   event stream, each phone from its own loopback address.
2. Per round, 300 of them mark at once: each opens a connection and sends its 3 marks one
   after the other (`POST /api/votes`, JSON, an Idempotency-Key each, as the page does),
   the 1,000 streams staying open. The figure is the round's wall time, first request to
   last answer; the full run has 3 rounds (new phones each) and takes the median.
3. Meanwhile the space key (start/pause) is pressed every 0.1 s in the app and timed to the
   frame that shows its effect; the loop's lag is sampled every 10 ms.

The floor (bench/baselines/bare_votes.py): a bare aiohttp handler doing one SQLite insert
and commit per request, synchronous=FULL; the same load generator and rounds, no streams.
Its rounds take turns with the app's (one of the floor after each of the app's), so a
machine that gets busier half-way weighs on both alike. The full run also times one round
against `facilitator serve` (no TUI), for what the TUI costs.

    .venv/bin/python -m bench --only votes
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from bench.common import (
    LoadProcess,
    Process,
    Row,
    http_json,
    median,
    new_meeting,
    percentile,
    prepare_vote,
    tokens,
)
from bench.common import free_port as port_


class Floor:
    """The floor's server (bench/baselines/bare_votes.py) and its own load process, idle
    until asked for a round; the app's rounds and the floor's take turns."""

    def __init__(self, workdir: Path, voters: int, rounds: int) -> None:
        port = port_()
        self.server = Process(
            [sys.executable, "-m", "bench.baselines.bare_votes", "--port", str(port)]
            + ["--db", str(workdir / "floor.db")],
            workdir / "bare_votes.log",
            "bare_votes",
        )
        self.server.wait_http(port, "/api/state")
        self.load = LoadProcess(
            ["votes", "--port", str(port), "--block", "41", "--voters", str(voters)]
            + ["--rounds", str(rounds), "--ids", json.dumps(list(range(1, 13)))],
            workdir / "load.log",
        )
        self.results: list[dict] = []

    def round(self) -> None:
        self.load.expect("ready")
        self.load.send("go")
        self.results.append(self.load.expect("round"))

    def close(self) -> None:
        if self.load.proc.poll() is None:
            self.load.send("done")
            self.load.finish()
        self.server.stop()


def app_side(
    mode: str,
    workdir: Path,
    phones: int,
    voters: int,
    rounds: int,
    idle_s: float,
    floor: Floor | None = None,
) -> tuple[list[dict], dict, dict]:
    """The app (``run``: headless TUI + web; ``serve``) under the room, a round of the
    floor after each of its own: (rounds' figures, the probes' figures, the join's)."""
    url = f"sqlite:///{workdir / f'votes-{mode}.db'}"
    meeting = new_meeting(url, "Afstemnings-bench")
    assistant, control = tokens(url, meeting)
    port = port_()
    out = workdir / f"probes-{mode}.json"
    launcher = Process(
        [sys.executable, "-m", "bench.launch", mode, "--db", url, "--meeting", str(meeting)]
        + ["--port", str(port), "--out", str(out)],
        workdir / f"launch-{mode}.log",
        f"bench.launch {mode}",
        stdin=True,
    )
    try:
        launcher.wait_http(port)
        ids = prepare_vote(port, assistant, control)
        http_json(port, "POST", "/api/control/start", {}, control)
        if mode == "run":
            launcher.send("start idle keys")
            time.sleep(idle_s)
            launcher.send("end idle")
        load = LoadProcess(
            ["votes", "--port", str(port), "--block", "40", "--phones", str(phones)]
            + ["--voters", str(voters), "--rounds", str(rounds), "--ids", json.dumps(ids)],
            workdir / "load.log",
        )
        launcher.send("start join")
        joined = load.expect("joined")
        launcher.send("end join")
        keys = " keys" if mode == "run" else ""
        results = []
        for _ in range(rounds):
            load.expect("ready")
            launcher.send(f"start burst{keys}")
            load.send("go")
            results.append(load.expect("round"))
            launcher.send("end burst")
            if floor is not None:
                floor.round()
        load.send("done")
        load.finish()
        launcher.send("quit")
        launcher.proc.wait(timeout=60)
    finally:
        launcher.stop()
    return results, json.loads(out.read_text()), joined


def run(workdir: Path, quick: bool) -> list[Row]:
    phones, voters, rounds = (300, 100, 1) if quick else (1000, 300, 3)
    idle_s = 2.0 if quick else 4.0
    floor = Floor(workdir, voters, rounds)
    try:
        app, probes, joined = app_side("run", workdir, phones, voters, rounds, idle_s, floor)
    finally:
        floor.close()
    served = None if quick else app_side("serve", workdir, phones, voters, 1, idle_s)
    app_s = median([r["seconds"] for r in app])
    floor_s = median([r["seconds"] for r in floor.results])
    statuses: dict[str, int] = {}
    for r in app:
        for status, count in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    refused = sum(c for s, c in statuses.items() if s not in ("200", "resent"))
    resent = statuses.get("resent", 0)
    each = " / ".join(f"{r['seconds']:.1f}" for r in app)
    burst, idle, join = probes["burst"], probes["idle"], probes["join"]
    keys = burst["keys_ms"]
    key_p95 = percentile(keys, 0.95)
    what = f"{voters} phones × 3 marks at once, {phones:,} SSE phones connected"
    runs = f"median of {rounds} rounds" if rounds > 1 else "1 round"
    rows = [
        Row(
            what + " (`run`, headless)",
            f"{app_s:.2f} s (p95 mark {percentile([r['p95_ms'] for r in app], 0.5):.0f} ms"
            + (f"; rounds {each} s" if rounds > 1 else "")
            + ")"
            + (f", {resent} resent after a dropped connection" if resent else "")
            + (f", {refused} not 200: {statuses}" if refused else ""),
            f"{floor_s:.2f} s bare aiohttp + SQLite insert/commit, FULL",
            app_s / floor_s,
            "≤ 2×",
            app_s / floor_s <= 2 and not refused,
            note=runs,
        ),
        Row(
            "  event-loop lag meanwhile, p99 (10 ms probe)",
            f"{burst['lag_p99_ms']:.0f} ms (max {burst['lag_max_ms']:.0f})",
            target="≤ 50 ms",
            ok=burst["lag_p99_ms"] <= 50,
        ),
        Row(
            "  key (space) → frame meanwhile, p95",
            f"{key_p95:.0f} ms ({len(keys)} keys"
            + (f", {burst['key_misses']} not drawn in 5 s)" if burst["key_misses"] else ")"),
            f"{percentile(idle['keys_ms'], 0.95):.0f} ms at rest",
            target="≤ 50 ms",
            ok=key_p95 <= 50 and not burst["key_misses"],
        ),
        Row(
            f"  {phones:,} phones joining: event-loop lag p99",
            f"{join['lag_p99_ms']:.0f} ms (max {join['lag_max_ms']:.0f}; "
            f"joined in {joined['seconds']:.1f} s)",
        ),
    ]
    if served is not None:
        result, probe = served[0][0], served[1]["burst"]
        rows.append(
            Row(
                "  the same with `serve` (no TUI; 1 round)",
                f"{result['seconds']:.2f} s; loop lag p99 {probe['lag_p99_ms']:.0f} ms",
                f"{floor_s:.2f} s (the floor above)",
                result["seconds"] / floor_s,
            )
        )
    return rows
