"""The load generators, each run in a process of its own by the benchmarks:

    python -m bench.load votes --port N --block B --phones 1000 --voters 300 --marks 3 --rounds R
    python -m bench.load sse --port N --block B --phones 1000 --changes K --token T
    python -m bench.load throughput --port N --block B --clients 100 --seconds S --path P ...

Every simulated phone has its own loopback address and the device id the server issued it
(see bench/common.py). They report to the orchestrator as JSON lines on stdout and wait for
its ``go`` on stdin before each timed part.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from bench.common import (
    Conn,
    EventStream,
    HttpError,
    Phone,
    cpu_seconds,
    emit,
    join_room,
    percentile,
    phone_address,
    raise_open_files,
    read_line,
)

SETTLE_S = 1.0  # after the last phone joined: updates still on their way count as the join's


def join_figures(streams: list[EventStream], joined_at: float) -> dict:
    """State events each phone got from its connection until the room had joined."""
    until = joined_at + SETTLE_S
    counts = [sum(1 for at, _ in s.events if at <= until) for s in streams]
    return {
        "phones": len(streams),
        "events_max": max(counts, default=0),
        "events_p50": percentile(counts, 0.5) if counts else 0,
        "over_two": sum(1 for c in counts if c > 2),
    }


# ---------------------------------------------------------------------- votes
async def vote(phone: Phone, marks: list[int], latencies: list[float], statuses: dict) -> None:
    """One phone's marks, one after the other on a connection of its own. ``statuses``
    counts the answers by status, and the resends (a dropped connection) as "resent"."""
    phone.conn = Conn(phone.port, phone.address)
    for flipover_id in marks:
        began = time.perf_counter()
        answer, resent = await phone.mark(flipover_id)
        latencies.append(time.perf_counter() - began)
        statuses[str(answer.status)] = statuses.get(str(answer.status), 0) + 1
        if resent:
            statuses["resent"] = statuses.get("resent", 0) + resent
    phone.conn.close()


async def votes(args: argparse.Namespace) -> None:
    streams: list[EventStream] = []
    phones: list[Phone] = []
    if args.phones:
        phones, streams, took = await join_room(args.port, args.block, args.phones)
        await asyncio.sleep(SETTLE_S)
        emit("joined", {"seconds": took, **join_figures(streams, time.perf_counter() - SETTLE_S)})
    ids = json.loads(args.ids)
    for round_ in range(args.rounds):
        if args.phones:
            voters = phones[round_ * args.voters : (round_ + 1) * args.voters]
        else:  # no room: the voters open the page themselves (untimed)
            voters = [
                Phone(args.port, phone_address(args.block, round_ * args.voters + n))
                for n in range(args.voters)
            ]
            await asyncio.gather(*(p.open_page() for p in voters))
        if len(voters) < args.voters:
            raise SystemExit(f"only {len(voters)} phones left for round {round_ + 1}")
        emit("ready", round_)
        await read_line()  # go
        latencies: list[float] = []
        statuses: dict[str, int] = {}
        began = time.perf_counter()
        choices = [[ids[(n + k) % len(ids)] for k in range(args.marks)] for n in range(len(voters))]
        await asyncio.gather(
            *(vote(p, marks, latencies, statuses) for p, marks in zip(voters, choices, strict=True))
        )
        took = time.perf_counter() - began
        emit(
            "round",
            {
                "seconds": took,
                "marks": len(latencies),
                "statuses": statuses,
                "p50_ms": percentile(latencies, 0.5) * 1000,
                "p95_ms": percentile(latencies, 0.95) * 1000,
                "max_ms": max(latencies) * 1000,
            },
        )
    await read_line()  # done
    for stream in streams:
        stream.close()


# ---------------------------------------------------------------------- phase changes
async def sse(args: argparse.Namespace) -> None:
    phones, streams, took = await join_room(args.port, args.block, args.phones)
    joined_at = time.perf_counter()
    await asyncio.sleep(SETTLE_S)
    emit("joined", {"seconds": took, **join_figures(streams, joined_at)})
    control = Conn(args.port, phone_address(args.block, args.phones + 1))
    latencies: list[float] = []
    per_change: list[float] = []
    missing = 0
    for change in range(args.changes):
        await read_line()  # go: one change
        target = 1 if change % 2 == 0 else 0
        action = "next" if target == 1 else "previous"
        seen = [len(s.events) for s in streams]  # events before the command do not count
        began = time.perf_counter()
        answer = await control.request(
            "POST",
            f"/api/control/{action}",
            b"{}",
            {"Authorization": f"Bearer {args.token}", "Content-Type": "application/json"},
        )
        if answer.status != 200:
            raise SystemExit(f"control {action}: {answer.status} {answer.body[:200]!r}")
        deadline = began + 10.0
        arrived: list[float | None] = [None] * len(streams)
        waiting = set(range(len(streams)))
        while waiting and time.perf_counter() < deadline:
            await asyncio.sleep(0.005)
            for n in list(waiting):
                events = streams[n].events
                for at, index in events[seen[n] :]:
                    if index == target:
                        arrived[n] = at - began
                        waiting.discard(n)
                        break
                seen[n] = len(events)
        got = [a for a in arrived if a is not None]
        missing += len(arrived) - len(got)
        latencies.extend(got)
        per_change.append(percentile(got, 0.99))
        control.close()  # an idle kept-alive connection would be closed by the server
        emit("changed", change)
    emit(
        "changes",
        {
            "changes": args.changes,
            "samples": len(latencies),
            "missing": missing,
            "p50_ms": percentile(latencies, 0.5) * 1000,
            "p99_ms": percentile(latencies, 0.99) * 1000,
            "max_ms": max(latencies, default=float("nan")) * 1000,
            "per_change_p99_ms": [p * 1000 for p in per_change],
        },
    )
    await read_line()  # done
    control.close()
    for stream in streams:
        stream.close()


# ---------------------------------------------------------------------- throughput
async def throughput(args: argparse.Namespace) -> None:
    clients = [Phone(args.port, phone_address(args.block, n)) for n in range(args.clients)]
    await asyncio.gather(*(c.open_page() for c in clients))
    emit("ready", len(clients))
    for path in args.path:
        await read_line()  # go
        step = Step(time.perf_counter() + args.warmup + args.seconds)
        tasks = [asyncio.create_task(step.client(phone, path)) for phone in clients]
        await asyncio.sleep(args.warmup)
        step.measuring = True
        began, cpu = time.perf_counter(), cpu_seconds(args.server_pid)
        await asyncio.sleep(args.seconds)
        step.measuring = False
        took, cpu = time.perf_counter() - began, cpu_seconds(args.server_pid) - cpu
        answered = step.answered
        await asyncio.gather(*tasks)
        emit(
            "rps",
            {
                "path": path,
                "rps": answered / took,
                "per_cpu_s": answered / cpu if cpu else float("nan"),
                "cpu": cpu / took,
                "failures": step.failures,
            },
        )
    await read_line()  # done


class Step:
    """One path asked for by every client until ``stop_at``; answers counted while measuring."""

    def __init__(self, stop_at: float) -> None:
        self.stop_at = stop_at
        self.measuring = False
        self.answered = 0
        self.failures = 0

    async def client(self, phone: Phone, path: str) -> None:
        conn = Conn(phone.port, phone.address)
        headers = phone.headers()
        while time.perf_counter() < self.stop_at:
            try:
                answer = await conn.request("GET", path, headers=headers)
            except (HttpError, OSError):
                conn.close()
                self.failures += 1
                continue
            if answer.status != 200:
                self.failures += 1
            elif self.measuring:
                self.answered += 1
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("kind", choices=["votes", "sse", "throughput"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--block", type=int, required=True, help="address block 127.B.x.y")
    parser.add_argument("--phones", type=int, default=0)
    parser.add_argument("--voters", type=int, default=300)
    parser.add_argument("--marks", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--ids", default="[]", help="flip-over ids to mark (JSON list)")
    parser.add_argument("--changes", type=int, default=5)
    parser.add_argument("--token", default="")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--warmup", type=float, default=0.5)
    parser.add_argument("--path", action="append", default=[])
    parser.add_argument("--server-pid", type=int, default=0, help="whose CPU time to read")
    args = parser.parse_args()
    raise_open_files()
    asyncio.run({"votes": votes, "sse": sse, "throughput": throughput}[args.kind](args))


if __name__ == "__main__":
    main()
