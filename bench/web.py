"""The web side under a room of phones, against bare aiohttp apps in the same run.

`facilitator serve` (the real command, default limits) on a meeting made by
`facilitator new`, with 12 wishes written through the assistants' API:

- **Throughput.** 100 keep-alive clients (each its own address and issued device id) ask
  for `GET /`, then `GET /api/state` in the intro phase and in the vote phase, for a few
  seconds each. Floor: bench/baselines/bare_http.py serving the bytes the app served.
- **Joining.** 1,000 phones open the page (`GET /`, device id issued) and its event stream,
  100 at a time, as fast as they can; each counts the `state` events it gets until the room
  has joined (plus 1 s). The server's memory (VmRSS) before and with the room.
- **Phase change.** Alternately `POST /api/control/next` and `.../previous` (control
  token); the time from sending it until each phone has the new phase's event. Floor:
  bench/baselines/bare_sse.py, one ``asyncio.Event`` wakes every stream, same bytes.

    .venv/bin/python -m bench --only web
"""

from __future__ import annotations

import json
import sys
import time
from http.client import HTTPConnection
from pathlib import Path

from bench.common import (
    HOST,
    LoadProcess,
    Process,
    Row,
    http_json,
    new_meeting,
    prepare_vote,
    rss_mib,
    serve,
    tokens,
)
from bench.common import free_port as port_

INTRO_PHASE = 0


def fetch(port: int, path: str) -> tuple[bytes, str]:
    conn = HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": f"{HOST}:{port}"})
        response = conn.getresponse()
        return response.read(), response.getheader("Content-Type", "")
    finally:
        conn.close()


def throughput(port: int, pid: int, block: int, paths: list[str], seconds: float, log: Path):
    """100 keep-alive clients asking for each path in turn, one ``go`` per path. Each
    result also has the server's CPU share over the window ("cpu", 1.0 = one core busy)
    and its requests per CPU-second ("per_cpu_s")."""
    return LoadProcess(
        ["throughput", "--port", str(port), "--block", str(block), "--seconds", str(seconds)]
        + ["--server-pid", str(pid)]
        + [arg for path in paths for arg in ("--path", path)],
        log,
    )


def room(port: int, block: int, phones: int, changes: int, token: str, log: Path):
    """Phones joining, then one phase change per ``go``."""
    return LoadProcess(
        ["sse", "--port", str(port), "--block", str(block), "--phones", str(phones)]
        + ["--changes", str(changes), "--token", token],
        log,
    )


def run(workdir: Path, quick: bool) -> list[Row]:
    """The app and its floors run side by side and take turns, so a machine that gets busier
    half-way (other work) weighs on both alike."""
    phones = 300 if quick else 1000
    changes = 4 if quick else 10
    seconds = 1.0 if quick else 3.0
    url = f"sqlite:///{workdir / 'web.db'}"
    meeting = new_meeting(url, "Web-bench")
    assistant, control = tokens(url, meeting)
    log = workdir / "load.log"
    port = port_()
    server = serve(url, meeting, port, workdir / "serve.log")
    bares: list[Process] = []
    try:
        prepare_vote(port, assistant, control)
        http_json(port, "POST", "/api/control/goto", {"index": INTRO_PHASE}, control)
        page, page_type = fetch(port, "/")
        state0, state_type = fetch(port, "/api/state")
        http_json(port, "POST", "/api/control/goto", {"index": 4}, control)
        vote_state = fetch(port, "/api/state")[0]
        http_json(port, "POST", "/api/control/goto", {"index": INTRO_PHASE}, control)
        state1 = json.dumps(http_json(port, "POST", "/api/control/next", {}, control)).encode()
        http_json(port, "POST", "/api/control/previous", {}, control)
        files = {}
        for name, data in (("page", page), ("state0", state0), ("state1", state1)):
            files[name] = workdir / f"{name}.bytes"
            files[name].write_bytes(data)
        files["vote"] = workdir / "vote.bytes"
        files["vote"].write_bytes(vote_state)
        http_port, sse_port = port_(), port_()
        pages = {
            "/": [str(files["page"]), page_type],
            "/api/state": [str(files["state0"]), state_type],
            "/api/state?phase=vote": [str(files["vote"]), state_type],
        }
        bare_http = Process(
            [sys.executable, "-m", "bench.baselines.bare_http", "--port", str(http_port)]
            + ["--pages", json.dumps(pages)],
            workdir / "bare_http.log",
            "bare_http",
        )
        bares.append(bare_http)
        bare_sse = Process(
            [sys.executable, "-m", "bench.baselines.bare_sse", "--port", str(sse_port)]
            + ["--state0", str(files["state0"]), "--state1", str(files["state1"])],
            workdir / "bare_sse.log",
            "bare_sse",
        )
        bares.append(bare_sse)
        bare_http.wait_http(http_port)
        bare_sse.wait_http(sse_port)

        # Throughput: app and floor take turns, path by path.
        app_load = throughput(port, server.pid, 20, ["/", "/api/state", "/api/state"], seconds, log)
        bare_load = throughput(
            http_port,
            bare_http.pid,
            21,
            ["/", "/api/state", "/api/state?phase=vote"],
            seconds,
            log,
        )
        app_load.expect("ready")
        bare_load.expect("ready")
        app_rps, bare_rps = [], []
        for step in range(3):
            if step == 2:  # the vote phase
                http_json(port, "POST", "/api/control/goto", {"index": 4}, control)
            app_load.send("go")
            app_rps.append(app_load.expect("rps"))
            bare_load.send("go")
            bare_rps.append(bare_load.expect("rps"))
        for load in (app_load, bare_load):
            load.send("done")
            load.finish()
        http_json(port, "POST", "/api/control/goto", {"index": INTRO_PHASE}, control)

        # The rooms join, one after the other; then phase changes, taking turns.
        idle = rss_mib(server.pid)
        app_room = room(port, 30, phones, changes, control, log)
        app_join = app_room.expect("joined")
        app_memory = rss_mib(server.pid)
        bare_room = room(sse_port, 31, phones, changes, "none", log)
        bare_join = bare_room.expect("joined")
        bare_memory = rss_mib(bare_sse.pid)
        for _ in range(changes):
            for load in (app_room, bare_room):
                load.send("go")
                load.expect("changed")
                time.sleep(0.2)
        app_moved = app_room.expect("changes")
        bare_moved = bare_room.expect("changes")
        for load in (app_room, bare_room):
            load.send("done")
            load.finish()
    finally:
        server.stop()
        for bare in bares:
            bare.stop()

    rows = []
    names = ["`GET /`", "`GET /api/state`, intro phase", "`GET /api/state`, vote phase"]
    for name, a, b in zip(names, app_rps, bare_rps, strict=True):
        ratio = a["per_cpu_s"] / b["per_cpu_s"]
        failed = f", {a['failures']} failed" if a["failures"] else ""
        rows.append(
            Row(
                f"{name}, 100 keep-alive clients",
                f"{a['per_cpu_s']:,.0f} req/CPU-s ({a['rps']:,.0f} req/s, {a['cpu']:.0%} CPU)"
                + failed,
                f"{b['per_cpu_s']:,.0f} req/CPU-s ({b['rps']:,.0f} req/s, {b['cpu']:.0%} CPU)"
                " bare aiohttp, same bytes",
                ratio,
                "≥ 0.7×",
                ratio >= 0.7 and not a["failures"],
            )
        )
    p99, bare_p99 = app_moved["p99_ms"], bare_moved["p99_ms"]
    missing = f", {app_moved['missing']} never got it" if app_moved["missing"] else ""
    rows.append(
        Row(
            f"phase change reaching {phones:,} SSE phones, p99",
            f"{p99:.0f} ms (p50 {app_moved['p50_ms']:.0f}){missing}",
            f"{bare_p99:.0f} ms (p50 {bare_moved['p50_ms']:.0f}) bare SSE broadcast",
            p99 / bare_p99,
            "≤ 1.5× and ≤ 100 ms",
            p99 / bare_p99 <= 1.5 and p99 <= 100 and not app_moved["missing"],
            note=f"{changes} changes",
        )
    )
    rows.append(
        Row(
            f"state events per phone while {phones:,} phones join, max",
            f"{app_join['events_max']} (median {app_join['events_p50']:.0f}; "
            f"{app_join['over_two']} phones got > 2)",
            f"{bare_join['events_max']} bare",
            None,
            "≤ 2",
            app_join["events_max"] <= 2,
        )
    )
    rows.append(
        Row(
            f"{phones:,} phones join (page + event stream, 100 at a time)",
            f"{app_join['seconds']:.1f} s",
            f"{bare_join['seconds']:.1f} s bare",
            app_join["seconds"] / bare_join["seconds"],
        )
    )
    rows.append(
        Row(
            f"server memory with {phones:,} phones (VmRSS)",
            f"{app_memory:.0f} MiB ({idle:.0f} MiB before they joined)",
            f"{bare_memory:.0f} MiB bare",
            app_memory / bare_memory,
            "reported",
        )
    )
    return rows
