"""Kill trials: `facilitator serve` is killed with SIGKILL at random moments while phones
mark wishes and assistants post flip-overs over HTTP, and restarted each time.

Every submission carries an Idempotency-Key; one that got no answer (the server died) is
sent again with the same key once the server is back, as the pages do. At the end:

- every acknowledged flip-over is in the database exactly once, with the id it was given;
- every phone has exactly the marks it was told it has (none lost, none twice), never more
  than the vote phase's budget;
- the vote phase's clock, started before the first kill, is within one second of the
  truth (it runs on while the process is dead).

    .venv/bin/python bench/crash.py                 # 100 kills on a temporary SQLite file
    .venv/bin/python bench/crash.py --kills 30 --pg # on FACILITATOR_TEST_PG (its schema is emptied)

tests/test_crash.py runs the same trial with fewer kills on both databases.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

VOTE_PHASE = 4  # dialogmoede-1: "Udvælgelse af vigtige drømme", 3 marks, 15 minutes
MARKS = 3
WISHES = 6  # written before the vote; the phones mark these
HOST = "127.0.0.1"


# ---------------------------------------------------------------------- the tally
@dataclass
class Tally:
    database: str = ""
    kills: int = 0
    kills_while_starting: int = 0  # killed before its port answered
    aimed_kills: int = 0  # killed a few milliseconds after a submission was sent
    startup_s: list[float] = field(default_factory=list)
    flipovers_sent: int = 0
    flipovers_acked: int = 0
    marks_sent: int = 0  # marks and take-backs
    marks_acked: int = 0  # 200: stored (or taken back)
    marks_refused: int = 0  # 409: budget spent, nothing to take back (definitive answers)
    retried: int = 0  # submissions that needed at least one resend with the same key
    resends: int = 0
    phones: int = 0
    doubles: int = 0  # a submission stored twice
    missing: int = 0  # an acknowledged submission not stored
    budget_violations: int = 0  # a device with more marks than the phase allows
    unresolved: int = 0  # a submission that never got an answer before the deadline
    clock_error_s: float = float("nan")
    server_tracebacks: int = 0
    wall_s: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        startup = sorted(self.startup_s) or [0.0]
        return [
            f"database              {self.database}",
            f"kills (SIGKILL)       {self.kills} ({self.kills_while_starting} while starting, "
            f"{self.aimed_kills} aimed at a submission in flight)",
            f"restart to first answer  median {startup[len(startup) // 2]:.2f} s, "
            f"max {startup[-1]:.2f} s",
            f"flip-overs            {self.flipovers_acked} acknowledged of {self.flipovers_sent}",
            f"marks, take-backs     {self.marks_acked} acknowledged, {self.marks_refused} "
            f"refused (409) of {self.marks_sent}, from {self.phones} phones",
            f"retried (same key)    {self.retried} submissions, {self.resends} resends",
            f"doubles found         {self.doubles}",
            f"missing               {self.missing}",
            f"budget violations     {self.budget_violations}",
            f"unresolved            {self.unresolved}",
            f"clock error           {self.clock_error_s:.3f} s",
            f"server tracebacks     {self.server_tracebacks}",
            f"wall time             {self.wall_s:.1f} s",
        ] + [f"PROBLEM: {p}" for p in self.problems[:20]]

    def summary(self) -> str:
        return (
            f"{self.database}: {self.kills} kills, {self.flipovers_acked} flip-overs and "
            f"{self.marks_acked} marks acknowledged, {self.retried} retried, "
            f"{self.doubles} doubles, {self.missing} missing, "
            f"{self.budget_violations} budget violations, clock error "
            f"{self.clock_error_s:.2f} s, {self.wall_s:.0f} s"
        )


# ---------------------------------------------------------------------- helpers
def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def cli(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "facilitator", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"facilitator {' '.join(args[:2])}: {done.stderr.strip()}")
    return done.stdout


def phone_address(n: int) -> str:
    """Each simulated phone has its own loopback address (never an exemption)."""
    return f"127.42.{n // 250}.{n % 250 + 2}"


def new_key(rng: random.Random, prefix: str) -> str:
    return f"{prefix}-{rng.getrandbits(64):016x}"


class Server:
    """One `facilitator serve` process at a time, killed and started again."""

    def __init__(self, url: str, meeting: int, port: int, env: dict[str, str], log: Path):
        self.url, self.meeting, self.port, self.env, self.log = url, meeting, port, env, log
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "facilitator", "serve", str(self.meeting), "--host", HOST]
                + ["--port", str(self.port), "--db", self.url],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                start_new_session=True,
            )
        self.started_at = time.monotonic()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM (a clean stop), SIGKILL if it does not go within 5 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()

    async def wait_up(self, session: aiohttp.ClientSession, timeout: float = 30.0) -> float:
        """Seconds from start until /api/state answers (the port is taken over at once)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"serve exited with {self.proc.returncode}: {self.tail()}")
            try:
                async with session.get(f"http://{HOST}:{self.port}/api/state") as response:
                    if response.status == 200:
                        return time.monotonic() - self.started_at
            except (TimeoutError, aiohttp.ClientError, OSError):
                pass
            await asyncio.sleep(0.02)
        raise RuntimeError(f"serve did not answer within {timeout:.0f} s: {self.tail()}")

    def tail(self, lines: int = 15) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def session_for(address: str | None = None) -> aiohttp.ClientSession:
    """A client with its own cookie jar (the host is an IP: unsafe=True keeps cookies)."""
    connector = aiohttp.TCPConnector(local_addr=(address, 0) if address else None, force_close=True)
    return aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        timeout=aiohttp.ClientTimeout(total=5),
    )


@dataclass
class Submission:
    method: str
    path: str
    body: dict
    key: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int | None = None
    answer: dict | None = None
    attempts: int = 0


class Trial:
    def __init__(
        self,
        url: str,
        kills: int,
        seed: int,
        workdir: Path,
        *,
        phones_per_kill: int,
        fresh_keys: bool = False,
    ):
        self.url = url
        self.kills = kills
        self.rng = random.Random(seed)
        self.workdir = workdir
        self.phones_per_kill = phones_per_kill
        self.tally = Tally(database=url.split(":", 1)[0].split("+", 1)[0])
        self.env = {
            k: v for k, v in os.environ.items() if k not in ("FACILITATOR_DB", "XDG_CONFIG_HOME")
        }
        self.env["XDG_CONFIG_HOME"] = str(workdir / "config")  # no user agendas
        self.env["FACILITATOR_DEBUG"] = "1"  # an unexpected error shows its traceback
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.deadline = 0.0
        self.stopping = False
        self.flipovers: list[Submission] = []
        self.phone_plans: list[tuple[aiohttp.ClientSession, list[Submission]]] = []
        self.fresh_keys = fresh_keys
        self.in_flight = asyncio.Event()

    # ------------------------------------------------------------------ submissions
    async def submit(self, session: aiohttp.ClientSession, sub: Submission) -> Submission:
        """Send until a definitive answer; resend with the same key after a lost one."""
        while time.monotonic() < self.deadline:
            sub.attempts += 1
            if self.fresh_keys and sub.attempts > 1:  # the old pages: a new key per try
                sub.key = new_key(self.rng, "again")
            self.in_flight.set()  # a kill may be aimed at this request
            try:
                async with session.request(
                    sub.method,
                    self.base + sub.path,
                    json=sub.body,
                    headers={"Idempotency-Key": sub.key, **sub.headers},
                ) as response:
                    status = response.status
                    try:
                        answer = await response.json(content_type=None)
                    except ValueError:
                        answer = None
                    retry_after = response.headers.get("Retry-After")
            except (TimeoutError, aiohttp.ClientError, OSError):
                await asyncio.sleep(0.05)  # the server is down (or coming up): try again
                continue
            if status == 429 or status >= 500:  # busy or not stored: the same key again
                await asyncio.sleep(min(2.0, float(retry_after or 0.2)))
                continue
            sub.status, sub.answer = status, answer
            break
        if sub.attempts > 1:
            self.tally.retried += 1
            self.tally.resends += sub.attempts - 1
        if sub.status is None:
            self.tally.unresolved += 1
            self.tally.problems.append(f"no answer for {sub.method} {sub.path} {sub.key}")
        return sub

    async def get_json(self, session: aiohttp.ClientSession, path: str, **kw) -> dict:
        while time.monotonic() < self.deadline:
            try:
                async with session.get(self.base + path, **kw) as response:
                    if response.status == 200:
                        return await response.json()
            except (TimeoutError, aiohttp.ClientError, OSError):
                pass
            await asyncio.sleep(0.05)
        raise RuntimeError(f"GET {path}: no answer before the deadline")

    # ------------------------------------------------------------------ actors
    async def assistant(self, n: int, token: str, wishes: list[int] | None = None) -> None:
        rng = random.Random(self.rng.random())
        async with session_for(phone_address(10_000 + n)) as session:
            count = 0
            while not self.stopping:
                count += 1
                heading = f"Ønske {n}-{count}: mere ro [og tid] æøå"
                sub = Submission(
                    "POST",
                    "/api/flipovers",
                    {
                        "group": rng.randint(1, 4),
                        "heading": heading,
                        "proposals": [f"Forslag {count}"],
                    },
                    new_key(rng, f"a{n}"),
                    {"Authorization": f"Bearer {token}"},
                )
                self.flipovers.append(sub)
                self.tally.flipovers_sent += 1
                await self.submit(session, sub)
                if sub.status == 201:
                    self.tally.flipovers_acked += 1
                elif sub.status is not None:
                    self.tally.problems.append(f"flip-over {heading!r}: {sub.status} {sub.answer}")
                await asyncio.sleep(rng.uniform(0.05, 0.4))

    async def phone(self, n: int, wishes: list[int]) -> None:
        rng = random.Random(self.rng.random())
        session = session_for(phone_address(n))
        plan: list[Submission] = []
        self.phone_plans.append((session, plan))
        self.tally.phones += 1
        if not await self._get_page(session):  # the server issues the device id with the page
            return
        # Four marks (the fourth is refused), a take-back, two more (the last refused).
        steps = ["vote"] * (MARKS + 1) + ["unvote"] + ["vote", "vote"]
        mine: Counter[int] = Counter()
        for step in steps:
            if step == "vote":
                card = rng.choice(wishes)
                sub = Submission("POST", "/api/votes", {"flipover_id": card}, new_key(rng, f"p{n}"))
            else:
                card = rng.choice(sorted(mine)) if mine else rng.choice(wishes)
                sub = Submission(
                    "DELETE", "/api/votes", {"flipover_id": card}, new_key(rng, f"p{n}")
                )
            plan.append(sub)
            self.tally.marks_sent += 1
            await self.submit(session, sub)
            if sub.status == 200:
                self.tally.marks_acked += 1
                if step == "vote":
                    mine[card] += 1
                else:
                    mine[card] -= 1
                    if not mine[card]:
                        del mine[card]
            elif sub.status == 409:
                self.tally.marks_refused += 1
            elif sub.status is not None:
                self.tally.problems.append(f"phone {n} {step}: {sub.status} {sub.answer}")
            await asyncio.sleep(rng.uniform(0.02, 0.25))

    async def _get_page(self, session: aiohttp.ClientSession) -> bool:
        while time.monotonic() < self.deadline:
            try:
                async with session.get(self.base + "/") as response:
                    if response.status == 200:
                        return True
            except (TimeoutError, aiohttp.ClientError, OSError):
                pass
            await asyncio.sleep(0.05)
        return False

    # ------------------------------------------------------------------ the trial
    async def run(self) -> Tally:
        began = time.monotonic()
        self.deadline = began + 60 + self.kills * 6.0
        env = self.env
        (self.workdir / "config").mkdir(parents=True, exist_ok=True)
        out = cli("new", "--db", self.url, "--agenda", "dialogmoede-1", "--title", "Kill", env=env)
        meeting = int(out.strip().splitlines()[-1])
        cli("new", "--db", self.url, "--agenda", "dialogmoede-1", "--title", "Andet", env=env)
        links = cli("links", str(meeting), "--db", self.url, "--host", HOST, env=env)
        assist = re.search(r"/assist\?token=(\S+)", links).group(1)
        control = re.search(r"/remote\?token=(\S+)", links).group(1)
        server = Server(self.url, meeting, self.port, env, self.workdir / "serve.log")
        watcher = session_for()
        tasks: list[asyncio.Task] = []
        try:
            server.start()
            await server.wait_up(watcher)
            staff = {"Authorization": f"Bearer {control}"}
            async with watcher.post(
                self.base + "/api/control/goto", json={"index": 2}, headers=staff
            ) as r:
                assert r.status == 200, await r.text()
            wishes: list[int] = []
            async with session_for(phone_address(9_999)) as first:
                for i in range(WISHES):
                    sub = Submission(
                        "POST",
                        "/api/flipovers",
                        {
                            "group": i % 4 + 1,
                            "heading": f"Ønske før afstemningen {i}",
                            "proposals": [],
                        },
                        new_key(self.rng, "w"),
                        {"Authorization": f"Bearer {assist}"},
                    )
                    await self.submit(first, sub)
                    assert sub.status == 201, sub.answer
                    wishes.append(sub.answer["id"])
            async with watcher.post(
                self.base + "/api/control/goto", json={"index": VOTE_PHASE}, headers=staff
            ) as r:
                assert r.status == 200, await r.text()
            sent = time.time()
            async with watcher.post(self.base + "/api/control/start", headers=staff) as r:
                assert r.status == 200, await r.text()
                state = await r.json()
            started = (sent + time.time()) / 2 - (
                state["phase"]["duration_s"] - state["phase"]["remaining_s"]
            )
            duration = state["phase"]["duration_s"]

            tasks += [asyncio.create_task(self.assistant(n, assist)) for n in range(3)]
            phone_no = 0
            for _kill in range(self.kills):
                for _ in range(self.phones_per_kill):
                    tasks.append(asyncio.create_task(self.phone(phone_no, wishes)))
                    phone_no += 1
                if self.rng.random() < 0.15:  # now and then: killed while it starts
                    await asyncio.sleep(self.rng.uniform(0.0, 0.4))
                    if server.proc.poll() is None:
                        try:
                            async with watcher.get(self.base + "/api/state") as r:
                                up = r.status == 200
                        except (TimeoutError, aiohttp.ClientError, OSError):
                            up = False
                        self.tally.kills_while_starting += not up
                else:
                    self.tally.startup_s.append(await server.wait_up(watcher))
                    await asyncio.sleep(self.rng.uniform(0.02, 0.6))
                    if self.rng.random() < 0.5:  # aimed: a few ms after a submission left
                        self.in_flight.clear()
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self.in_flight.wait(), 2.0)
                        await asyncio.sleep(self.rng.uniform(0.0, 0.006))
                        self.tally.aimed_kills += 1
                server.kill()
                self.tally.kills += 1
                server.start()
            self.tally.startup_s.append(await server.wait_up(watcher))
            self.stopping = True
            await asyncio.wait_for(
                asyncio.gather(*tasks), max(5.0, self.deadline - time.monotonic())
            )

            # The clock ran on while the process was dead.
            sent = time.time()
            async with watcher.get(self.base + "/api/state") as r:
                state = await r.json()
            now = (sent + time.time()) / 2
            shown = state["phase"]["remaining_s"] - state["phase"]["overrun_s"]
            truth = duration - (now - started)
            self.tally.clock_error_s = abs(shown - truth)
            if state["phase"]["index"] != VOTE_PHASE or not state["phase"]["started"]:
                self.tally.problems.append(
                    f"the meeting is not on the running vote: {state['phase']}"
                )
            if self.tally.clock_error_s > 1.0:
                self.tally.problems.append(
                    f"clock: shows {shown:.1f} s left, the truth is {truth:.1f} s"
                )
            # What each phone is told it has (the server's view of the database).
            told = []
            for session, _plan in self.phone_plans:
                mine = await self.get_json(session, "/api/votes/mine")
                told.append(sum(mine["mine"].values()))
            server.stop()
            self.check_database(meeting, told)
        finally:
            self.stopping = True
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            server.kill()
            await watcher.close()
            for session, _ in self.phone_plans:
                await session.close()
            log = (
                server.log.read_text(encoding="utf-8", errors="replace")
                if server.log.exists()
                else ""
            )
            self.tally.server_tracebacks = log.count("Traceback")
            if self.tally.server_tracebacks:
                self.tally.problems.append("traceback in the server's output:\n" + log[-3000:])
            self.tally.wall_s = time.monotonic() - began
        return self.tally

    # ------------------------------------------------------------------ the verdict
    def check_database(self, meeting: int, told: list[int]) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(
                    text("SELECT id, heading FROM flipover WHERE meeting_id = :m"), {"m": meeting}
                ).all()
                votes = conn.execute(
                    text(
                        "SELECT device_id, count(*) FROM vote WHERE meeting_id = :m "
                        "AND phase_index = :p AND device_id <> '' GROUP BY device_id"
                    ),
                    {"m": meeting, "p": VOTE_PHASE},
                ).all()
        finally:
            engine.dispose()
        t = self.tally
        by_heading: dict[str, list[int]] = {}
        for flip_id, heading in rows:
            by_heading.setdefault(heading, []).append(flip_id)
        for sub in self.flipovers:
            ids = by_heading.get(sub.body["heading"], [])
            if len(ids) > 1:
                t.doubles += len(ids) - 1
                t.problems.append(f"flip-over {sub.body['heading']!r} stored {len(ids)} times")
            if sub.status == 201:
                if not ids:
                    t.missing += 1
                    t.problems.append(f"acknowledged flip-over {sub.body['heading']!r} is missing")
                elif sub.answer["id"] not in ids:
                    t.problems.append(f"flip-over {sub.body['heading']!r}: answered id differs")
        stored = {device: count for device, count in votes}
        for device, count in stored.items():
            if count > MARKS:
                t.budget_violations += 1
                t.problems.append(f"device {device[:8]}… has {count} marks (budget {MARKS})")
        for (session, plan), said in zip(self.phone_plans, told, strict=True):
            expected = sum((1 if s.method == "POST" else -1) for s in plan if s.status == 200)
            cookie = next((c.value for c in session.cookie_jar if c.key == "fac_device"), None)
            in_db = stored.get(cookie, 0) if cookie else None
            for what, got in (("the server says", said), ("the database has", in_db)):
                if got is None:
                    continue
                if got > expected:
                    t.doubles += got - expected
                    t.problems.append(f"a phone was told {expected} marks, {what} {got}")
                elif got < expected:
                    t.missing += expected - got
                    t.problems.append(f"a phone was told {expected} marks, {what} {got}")
        # Every device in the database is one of our phones.
        cookies = {
            c.value
            for session, _ in self.phone_plans
            for c in session.cookie_jar
            if c.key == "fac_device"
        }
        strangers = set(stored) - cookies
        if strangers:
            t.problems.append(f"{len(strangers)} devices in the database that no phone holds")


def empty_pg_schema(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def run_trial(
    url: str,
    kills: int,
    seed: int = 6,
    *,
    workdir: Path,
    phones_per_kill: int = 2,
    fresh_keys: bool = False,
) -> Tally:
    """One kill trial against URL (an existing, empty database); its tally."""
    trial = Trial(url, kills, seed, workdir, phones_per_kill=phones_per_kill, fresh_keys=fresh_keys)
    return asyncio.run(trial.run())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--phones-per-kill", type=int, default=2)
    parser.add_argument(
        "--pg", action="store_true", help="on FACILITATOR_TEST_PG (its public schema is emptied)"
    )
    parser.add_argument(
        "--fresh-keys",
        action="store_true",
        help="resend with a new key each time (as the old pages did): shows the doubles it finds",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fac-crash-") as folder:
        workdir = Path(folder)
        if args.pg:
            url = os.environ.get("FACILITATOR_TEST_PG")
            if not url:
                print("set FACILITATOR_TEST_PG=postgresql+psycopg://…", file=sys.stderr)
                return 2
            empty_pg_schema(url)
        else:
            url = f"sqlite:///{workdir}/crash.db"
        tally = run_trial(
            url,
            args.kills,
            args.seed,
            workdir=workdir,
            phones_per_kill=args.phones_per_kill,
            fresh_keys=args.fresh_keys,
        )
    print("\n".join(tally.lines()))
    return 0 if tally.ok else 1


if __name__ == "__main__":
    sys.exit(main())
