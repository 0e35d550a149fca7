"""Fuzzing: hostile and clumsy requests to every endpoint, and hostile agenda files.

- Every route of ``WebServer.make_app`` gets hypothesis-made requests: random JSON, wrong
  types, huge and empty bodies, invalid UTF-8, control characters, RTL and emoji, HTML/JS,
  JSON nested 2,000 deep, 5,000-digit numbers and ids, lone surrogates, with and without
  valid tokens, cookies, idempotency keys, origins and hosts. Never a 5xx, never a
  traceback in the log, every error a JSON ``{"error": …}`` in Danish (not an HTTP reason
  phrase), every JSON answer strict JSON (no NaN), and accepted text comes back, and is
  stored, as ``clean_text`` of what was sent.
- A fixed sweep sends each hostile body to each route, with each token.
- Raw bytes (invalid UTF-8 in the Authorization header and elsewhere, broken request
  lines) go through a real socket to the test server's port.
- ``parse_agenda`` gets random text, mangled built-in agendas and random TOML structures:
  it returns an agenda or raises ``AgendaError`` with a message, nothing else.

The HTTP tests run on SQLite and on PostgreSQL (conftest.py). Each prints a tally of the
requests by status (visible without ``-s``); ``bench/fuzz.py`` runs many more examples.
The number of hypothesis-made requests per database is ``FACILITATOR_FUZZ_EXAMPLES``
(default: 40 × the hypothesis profile's max_examples, at most 2,000: 1,000 in CI).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import re
import string
import urllib.parse
from collections import Counter
from http import HTTPStatus
from typing import Any

import pytest
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitator.agenda import AgendaError, load_agenda, parse_agenda
from facilitator.engine import MeetingEngine, create_meeting
from facilitator.text import clean_text
from facilitator.web.server import DEVICE_COOKIE, RateLimiter, WebServer
from facilitator.web.settings import WebSettings
from storage.repo import Store
from tests.conftest import FakeClock, report_tally

HTTP_EXAMPLES = int(
    os.environ.get("FACILITATOR_FUZZ_EXAMPLES") or min(40 * settings.default.max_examples, 2000)
)
RAW_EXAMPLES = max(20, HTTP_EXAMPLES // 4)
AGENDA_EXAMPLES = max(50, HTTP_EXAMPLES // 2)
FUZZ = settings(
    max_examples=HTTP_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
ENGLISH_REASONS = {s.phrase for s in HTTPStatus}
TALLY: dict[str, Counter] = {}  # test id -> requests by status, printed by the tests

# ---------------------------------------------------------------------- hostile text
HOSTILE = [
    "Mindre støj [/ bedre akustik]",
    "Mere tid [min. 30 min] til sparring",
    "[link=https://example.com]klik[/link] [bold red]rød[/]",
    "\x1b]2;Ejet\x07Titel",
    "\x1b[31;1mrød\x1b[0m og \x9b31m8-bit",
    "\x1bP+q\x1b\\ DCS",
    "<script>alert('æøå')</script>",
    "<img src=x onerror=alert(1)>",
    "\"'><svg/onload=alert(1)>",
    "javascript:alert(1)",
    "\u202egnirts desrever\u202c og \u2066isoleret\u2069",
    "مرحبا بالعالم — عربى",
    "שלום עולם",
    "👩‍👩‍👧‍👦🔥🇩🇰 emoji",
    "e\u0301 og A\u030a (NFD)",
    "NUL\x00midt\x00i",
    "linje 1\r\nlinje 2\u2028linje 3\x85slut",
    "\t  mellemrum  \t ",
    "",
    "   ",
    "\x07\x08\x7f\x80\x9f",
    "x" * 201,
    "y" * 501,
    "\ufeffBOM",
    "\U0010ffff\U000e0001",
    "%00%ff",
    "{{7*7}} ${7*7}",
    "Robert'); DROP TABLE flipover;--",
]
SURROGATES = ["\ud800", "\udfff slut", "før \ud83d efter"]

CONTROL_ALPHABET = [chr(c) for c in range(0x20)] + [chr(c) for c in range(0x7F, 0xA0)]
ODD_ALPHABET = (
    CONTROL_ALPHABET
    + list("[]/<>&\"'\\`{}$%;=")
    + ["\u202e", "\u202d", "\u2066", "\u2069", "\u200f", "\u200d", "\ufeff", "\u2028"]
    + ["ا", "ע", "😀", "🇩🇰", "\u0301", "\u030a", "Å", "ø", " "]
)
texts = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=60),
    st.lists(st.sampled_from(ODD_ALPHABET), max_size=40).map("".join),
    st.lists(st.sampled_from(HOSTILE), min_size=2, max_size=4).map(" ".join),
)
texts_with_surrogates = st.one_of(texts, st.sampled_from(SURROGATES))

numbers = st.one_of(
    st.integers(-3, 12),
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 2**31 - 1, 2**31, 2**63, -(2**63) - 1, 1e308, -0.0, 0.5]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts_with_surrogates)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(["group", "heading", "proposals", "flipover_id"]), texts),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=10,
)
anything = st.one_of(json_values, scalars)

ACTIONS = ["start", "pause", "toggle", "next", "previous", "extend", "goto"]


def shaped(path: str) -> st.SearchStrategy[dict[str, Any]]:
    """A body with the route's own fields, filled with odd values."""
    if path.startswith("/api/flipovers"):
        return st.fixed_dictionaries(
            {
                "group": st.one_of(st.integers(1, 4), anything),
                "heading": st.one_of(texts_with_surrogates, anything),
                "proposals": st.one_of(
                    st.lists(texts_with_surrogates, max_size=6), anything, st.just([])
                ),
            },
            optional={"kind": st.one_of(st.sampled_from(["wish", "strength", "x"]), anything)},
        )
    if path == "/api/votes":
        return st.fixed_dictionaries({"flipover_id": st.one_of(st.integers(0, 12), anything)})
    if path == "/api/choice":
        return st.fixed_dictionaries(
            {
                "key": st.one_of(
                    st.none(), st.sampled_from(["f1", "f2", "t1", "f0", "f99"]), anything
                )
            }
        )
    if path.startswith("/api/control"):
        return st.fixed_dictionaries(
            {},
            optional={
                "minutes": st.one_of(st.sampled_from([1, 5, -5, 0]), numbers, anything),
                "index": st.one_of(st.integers(-1, 7), numbers, anything),
            },
        )
    return st.dictionaries(texts, anything, max_size=3)


DEEP_ARRAY = b"[" * 2000 + b"]" * 2000
DEEP_OBJECT = b'{"a":' * 2000 + b"1" + b"}" * 2000
DIGITS = b"9" * 5000


def special_bodies(path: str) -> list[bytes]:
    field = {
        "/api/votes": b"flipover_id",
        "/api/choice": b"key",
        "/api/control/goto": b"index",
        "/api/control/extend": b"minutes",
    }.get(path, b"group")
    return [
        DEEP_ARRAY,
        DEEP_OBJECT,
        b'{"' + field + b'": ' + DEEP_ARRAY + b"}",
        b'{"' + field + b'": ' + DIGITS + b"}",
        b'{"' + field + b'": -' + DIGITS + b"}",
        b'{"' + field + b'": 1e99999}',
        b'{"' + field + b'": NaN, "minutes": Infinity}',
        b'{"group": 1, "heading": "\xff\xfe\xc3\x28", "proposals": []}',  # invalid UTF-8
        b'{"group": 1, "heading": "lone \\ud800", "proposals": ["\\udfff"]}',
        b'{"group": 1, "heading": "nul \\u0000 her", "proposals": ["a\\u0000b"]}',
        b"\xef\xbb\xbf{}",  # a BOM
        b"",
        b"null",
        b"[]",
        b'"text"',
        b"{not json",
        b"\x00" * 64,
        b"x" * (70 * 1024),  # over the body limit
        ('{"group": 1, "heading": "' + "å" * 40_000 + '"}').encode(),
    ]


# ---------------------------------------------------------------------- the server
class Fuzzed:
    """A meeting in its vote phase behind a WebServer, and what the fuzz needs to know."""

    def __init__(self, db_url: str) -> None:
        self.store = Store(db_url)
        mid = create_meeting(
            self.store, load_agenda("dialogmoede-1"), "dialogmoede-1", "Fuzz på Ærø", groups=4
        )
        self.clock = FakeClock()
        self.engine = MeetingEngine(self.store, mid, clock=self.clock)
        # Generous per-address and per-device limits: the fuzz wants answers, not 429s
        # (the limits themselves are tested in test_web_security.py).
        self.server = WebServer(
            self.engine,
            lan_address="127.0.0.1",
            settings=WebSettings(new_devices_per_minute=1_000_000),
        )
        self.server.vote_limiter = RateLimiter(burst=1_000_000, window_s=1.0)
        self.client: TestClient | None = None
        self.device = ""
        self.statuses: Counter = Counter()
        self.routes_hit: set[tuple[str, str]] = set()
        self.accepted_text = 0
        self.english: set[str] = set()  # errors that answered with an HTTP reason phrase

    async def start(self) -> None:
        await self.engine.goto(2)
        for group in (1, 2, 3):
            await self.engine.add_flipover(group, f"Ønske {group}", ["Et forslag"])
        await self.engine.goto(4)
        await self.engine.start()
        # No cookie jar: each request says itself which device it is (or none).
        self.client = TestClient(TestServer(self.server.app), cookie_jar=DummyCookieJar())
        await self.client.start_server()
        response = await self.client.get("/")
        self.device = response.cookies[DEVICE_COOKIE].value
        self.origin = f"http://127.0.0.1:{self.client.server.port}"

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()
        self.engine.release()
        self.store.close()

    def routes(self) -> list[tuple[str, str]]:
        return sorted(
            {
                (route.method, route.resource.canonical)
                for route in self.server.app.router.routes()
                if route.method != "HEAD"
            }
        )


class LogWatch(logging.Handler):
    """Every log record of the run; the fuzz allows no error and no traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def bad(self) -> list[str]:
        """Records that carry a traceback (an error line without one is allowed: aiohttp
        says so when it refuses a malformed request)."""
        out = []
        for record in self.records:
            text = record.getMessage()
            if record.exc_info or record.exc_text or record.stack_info or "Traceback" in text:
                out.append(f"{record.name} {record.levelname}: {text[:300]}")
        return out

    def errors(self) -> int:
        return sum(record.levelno >= logging.ERROR for record in self.records)


@pytest.fixture
def log_watch():
    watch = LogWatch()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(watch)
    root.setLevel(logging.DEBUG)
    try:
        yield watch
    finally:
        root.removeHandler(watch)
        root.setLevel(old_level)


@pytest.fixture
def fuzzed(db_url, user_agenda_dir):
    loop = asyncio.new_event_loop()
    target = Fuzzed(db_url)
    target.loop = loop  # type: ignore[attr-defined]
    loop.run_until_complete(target.start())
    try:
        yield target
    finally:
        loop.run_until_complete(target.close())
        loop.close()


def strict_json(text: str) -> Any:
    def no_constant(name: str) -> Any:
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=no_constant)


def loose_json(data: bytes) -> Any:
    """What a body says, if it is JSON at all (to check what the server made of it)."""
    try:
        return json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return None


def expected_flipover(body: Any) -> tuple[str, list[str]]:
    heading = clean_text(body["heading"])
    proposals = [clean_text(p) for p in body.get("proposals") or []]
    return heading, [p for p in proposals if p]


async def check_answer(target: Fuzzed, method: str, path: str, body: Any, response) -> None:
    """The invariants of one answer (an AssertionError names what broke)."""
    status = response.status
    target.statuses[status] += 1
    where = f"{method} {path[:80]} -> {status}"
    assert status < 500, f"{where}: {(await response.read())[:300]!r}"
    if path.startswith("/api/events"):
        return
    raw = await response.read()
    if response.content_type == "application/json":
        data = strict_json(raw.decode("utf-8"))
    else:
        data = None
        assert not path.startswith("/api/") or status in (204,) or "photo" in path, where
    if status >= 400 and path.startswith("/api/"):
        assert isinstance(data, dict) and isinstance(data.get("error"), str), where
        message = data["error"].strip()
        assert message, where
        if message in ENGLISH_REASONS:  # collected, asserted after the run (see english())
            target.english.add(
                f"{method} {re.sub(r'/[0-9]{2,}', '/N', path)[:60]} -> {status}: {message}"
            )
    if (
        status in (200, 201)
        and path.startswith("/api/flipovers")
        and method in ("POST", "PUT")
        and not path.endswith("/photo")
        and not data.get("replayed")  # a key seen before: the first answer, by design
    ):
        heading, proposals = expected_flipover(body)
        assert data["heading"] == heading, where
        assert data["proposals"] == proposals, where
        stored = next(f for f in target.engine.flipovers(True) if f.id == data["id"])
        assert (stored.heading, list(stored.proposals)) == (heading, proposals), where
        target.accepted_text += 1


def url_for(canonical: str, flip_id: str, action: str, query: str) -> str:
    path = canonical.replace("{id}", flip_id).replace("{action}", action)
    return path + query


ids = st.one_of(
    st.integers(1, 8).map(str),
    st.sampled_from(["0", "999999999", "1" * 10, "9" * 5000, "-1", "abc", "١٢", "1.0", "%00"]),
    st.integers(min_value=0).map(str),
)
actions = st.one_of(
    st.sampled_from(ACTIONS),
    st.text(alphabet=string.ascii_letters + string.digits + "-_.~", min_size=1, max_size=20),
    st.text(min_size=1, max_size=10).map(lambda t: urllib.parse.quote(t, safe="")),
)
header_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)


def well_formed(path: str) -> st.SearchStrategy[dict[str, Any]]:
    """A body of the right shape and types (its text still hostile)."""
    if path.startswith("/api/flipovers"):
        return st.fixed_dictionaries(
            {
                "group": st.integers(1, 4),
                "heading": texts_with_surrogates,
                "proposals": st.lists(texts_with_surrogates, max_size=4),
            }
        )
    if path == "/api/votes":
        return st.fixed_dictionaries({"flipover_id": st.integers(1, 8)})
    if path == "/api/choice":
        return st.fixed_dictionaries({"key": st.sampled_from([None, "f1", "f2", "f3"])})
    if path == "/api/control/goto":
        return st.fixed_dictionaries({"index": st.integers(0, 5)})
    if path == "/api/control/extend":
        return st.fixed_dictionaries({"minutes": st.sampled_from([1, 5])})
    return st.just({})


def right_token(path: str) -> str:
    if path.startswith("/api/control") or path == "/remote":
        return "Bearer @CONTROL@"
    return "Bearer @ASSISTANT@"


@st.composite
def requests(draw, routes: list[tuple[str, str]]):
    """One request: either a well-formed one (the right token, JSON, this phone's cookie,
    hostile text in the right fields) or one that is wrong in any way at all."""
    method, canonical = draw(st.sampled_from(routes))
    if draw(st.integers(0, 2)) == 0:  # a third are well-formed, most of them writes
        writes = [r for r in routes if r[0] in ("POST", "PUT", "DELETE") and "photo" not in r[1]]
        method, canonical = draw(st.sampled_from(routes + writes * 3))
        plain = canonical.replace("{id}", str(draw(st.integers(1, 8))))
        plain = plain.replace("{action}", draw(st.sampled_from(ACTIONS)))
        body = draw(well_formed(plain))
        data = json.dumps(body, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
        headers = {
            "Authorization": right_token(plain),
            "Content-Type": "application/json",
            "Cookie": "device",
            "Idempotency-Key": draw(
                st.none()
                | st.text(alphabet=string.ascii_letters + string.digits, min_size=8, max_size=24)
            ),
            "Origin": draw(st.sampled_from([None, "own"])),
        }
        return method, plain, body, data, {k: v for k, v in headers.items() if v is not None}
    method = draw(st.one_of(st.just(method), st.just(method), st.sampled_from(["PATCH", "GET"])))
    path = url_for(
        canonical,
        draw(ids),
        draw(actions),
        draw(
            st.sampled_from(
                ["", "", "", "?token=@ASSISTANT@", "?token=@CONTROL@", "?token=%FF%FE", "?token=x"]
            )
        ),
    )
    kind = draw(st.sampled_from(["shaped", "shaped", "json", "special", "bytes", "none"]))
    plain = canonical.replace("{action}", path.split("/")[-1].split("?")[0])
    body: Any = None
    data: bytes | None
    if kind == "shaped":
        body = draw(shaped(plain))
        data = json.dumps(body, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    elif kind == "json":
        body = draw(anything)
        data = json.dumps(body).encode()
    elif kind == "special":
        data = draw(st.sampled_from(special_bodies(plain)))
        body = loose_json(data)
    elif kind == "bytes":
        data = draw(st.binary(max_size=200))
    else:
        data = None
    headers = {}
    auth = draw(
        st.sampled_from(
            ["none", "assistant", "control", "assistant", "control", "garbage", "basic", "empty"]
        )
    )
    headers["Authorization"] = {
        "none": None,
        "assistant": "Bearer @ASSISTANT@",
        "control": "Bearer @CONTROL@",
        "garbage": "Bearer " + draw(header_text),
        "basic": "Basic " + draw(header_text),
        "empty": "Bearer ",
    }[auth]
    headers["Content-Type"] = draw(
        st.sampled_from(
            [
                "application/json",
                "application/json",
                "application/json; charset=utf-8",
                None,
                "text/plain",
                "application/x-www-form-urlencoded",
                "image/jpeg",
                "multipart/form-data; boundary=x",
            ]
        )
        | header_text
    )
    headers["Cookie"] = draw(
        st.sampled_from(
            [
                "device",
                "device",
                None,
                f"{DEVICE_COOKIE}=abc",
                f"{DEVICE_COOKIE}={'A' * 22}.{'B' * 22}",
                f"{DEVICE_COOKIE}=" + "x" * 45,
            ]
        )
        | header_text.map(lambda t: f"{DEVICE_COOKIE}={t}")
    )
    headers["Idempotency-Key"] = draw(
        st.one_of(
            st.none(),
            st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=8, max_size=40),
            st.sampled_from(["reused-key-0001", "reused-key-0002", "short", "bad key!", "k" * 200]),
            header_text,
        )
    )
    headers["Origin"] = draw(
        st.sampled_from([None, None, None, "own", "http://evil.example", "null"])
    )
    headers["Host"] = draw(
        st.sampled_from([None, None, None, None, "evil.example", "localhost", "127.0.0.1:1"])
    )
    headers["X-Fuzz"] = draw(st.one_of(st.none(), header_text))
    return method, path, body, data, {k: v for k, v in headers.items() if v is not None}


async def send(target: Fuzzed, method: str, path: str, body, data, headers) -> None:
    engine = target.engine

    def tokens(text: str) -> str:
        text = text.replace("@ASSISTANT@", engine.assistant_token)
        return text.replace("@CONTROL@", engine.control_token)

    path = tokens(path)
    filled = {}
    for name, value in headers.items():
        value = tokens(value)
        if name == "Cookie" and value == "device":
            value = f"{DEVICE_COOKIE}={target.device}"
        if name == "Origin" and value == "own":
            value = target.origin
        filled[name] = value
    async with target.client.request(
        method, path, data=data, headers=filled, allow_redirects=False
    ) as response:
        await check_answer(target, method, path.split("?")[0], body, response)


def print_tally(capsys, title: str, statuses: Counter, extra: str = "") -> None:
    total = sum(statuses.values())
    table = ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items()))
    report_tally(capsys.request, f"[fuzz] {title}: {total} requests; by status {table}{extra}")


# ---------------------------------------------------------------------- the HTTP tests
def test_fuzzed_requests_to_every_route_never_get_a_5xx(fuzzed, log_watch, capsys, db_backend):
    routes = fuzzed.routes()
    assert len(routes) >= 18, routes  # the route table is what is fuzzed: keep it in view

    @FUZZ
    @given(request=requests(routes))
    def one(request):
        method, path, body, data, headers = request
        canonical = next(
            (
                (m, c)
                for m, c in routes
                if m == method and re.fullmatch(re.sub(r"\{\w+\}", "[^/]+", c), path.split("?")[0])
            ),
            None,
        )
        if canonical:
            fuzzed.routes_hit.add(canonical)
        fuzzed.loop.run_until_complete(send(fuzzed, method, path, body, data, headers))

    one()
    print_tally(
        capsys,
        f"hypothesis, {db_backend}",
        fuzzed.statuses,
        f"; accepted text checked {fuzzed.accepted_text}×; routes hit "
        f"{len(fuzzed.routes_hit)}/{len(routes)}",
    )
    assert log_watch.bad() == []
    assert any(code < 300 for code in fuzzed.statuses), "nothing was ever accepted"
    if HTTP_EXAMPLES >= 200:
        missing = set(routes) - fuzzed.routes_hit
        assert not missing, f"routes not fuzzed: {sorted(missing)}"
    assert not fuzzed.english, "errors must say in Danish what is wrong:\n" + "\n".join(
        sorted(fuzzed.english)
    )


def test_every_hostile_body_to_every_route_with_every_token(fuzzed, log_watch, capsys, db_backend):
    """The fixed sweep: each special body and each hostile text, to each route."""
    engine = fuzzed.engine

    async def sweep() -> None:
        for method, canonical in fuzzed.routes():
            for auth in (None, engine.assistant_token, engine.control_token):
                path = canonical.replace("{id}", "1").replace("{action}", "goto")
                bodies: list[tuple[Any, bytes]] = [(loose_json(b), b) for b in special_bodies(path)]
                for text in HOSTILE + SURROGATES:
                    body = {
                        "group": 1,
                        "heading": text,
                        "proposals": [text, "ok"],
                        "flipover_id": 1,
                        "key": text,
                        "index": 4,
                        "minutes": 1,
                    }
                    bodies.append((body, json.dumps(body).encode()))
                for n, (body, data) in enumerate(bodies):
                    headers = {"Content-Type": "application/json", "Origin": fuzzed.origin}
                    headers["Cookie"] = f"{DEVICE_COOKIE}={fuzzed.device}"
                    headers["Idempotency-Key"] = f"sweep-{method}-{n}-{auth is None}-{path}"[:128]
                    headers["Idempotency-Key"] = re.sub(
                        r"[^A-Za-z0-9_-]", "_", headers["Idempotency-Key"]
                    )
                    if auth:
                        headers["Authorization"] = f"Bearer {auth}"
                    async with fuzzed.client.request(
                        method, path, data=data, headers=headers
                    ) as response:
                        await check_answer(fuzzed, method, path, body, response)
                # Put the meeting back on the vote (the control routes move it).
                if engine.index != 4:
                    await engine.goto(4)

    fuzzed.loop.run_until_complete(sweep())
    print_tally(
        capsys,
        f"sweep, {db_backend}",
        fuzzed.statuses,
        f"; accepted text checked {fuzzed.accepted_text}×",
    )
    assert log_watch.bad() == []
    assert fuzzed.accepted_text > 0
    assert not fuzzed.english, "errors must say in Danish what is wrong:\n" + "\n".join(
        sorted(fuzzed.english)
    )


# ---------------------------------------------------------------------- raw bytes
RAW_HEADERS = [
    b"Authorization",
    b"Cookie",
    b"Idempotency-Key",
    b"Origin",
    b"Content-Type",
    b"Host",
    b"X-Forwarded-For",
    b"Accept",
    b"Cookie2",
]
BAD_BYTES = [
    b"Bearer \xff\xfe\xc3\x28",
    b"Bearer \xed\xa0\x80",  # a UTF-8-encoded surrogate
    b"Bearer \xc0\xaf",  # overlong
    b"\x00",
    b"Bearer a\x00b",
    b"\x1b]2;x\x07",
    b"\x80\x81\x82",
    "Bearer æøå".encode("latin-1"),
    "Bearer æøå".encode(),
    b"fac_device=\xff\xfe",
    b"chunked, \xff",
    b"-1",
    b"99999999999999999999999",
]


async def raw_exchange(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(reader.read(65536), 3)
    except (ConnectionResetError, BrokenPipeError, TimeoutError):
        return b""  # dropped, or still waiting for a body that never comes: no answer
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except (ConnectionResetError, BrokenPipeError):
            pass


def raw_status(answer: bytes) -> int:
    """The status of an HTTP/1.x answer; 0 when the server closed without one."""
    match = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
    return int(match.group(1)) if match else 0


@st.composite
def raw_requests(draw, routes: list[tuple[str, str]]):
    method, canonical = draw(st.sampled_from(routes))
    path = canonical.replace("{id}", "1").replace("{action}", "goto").encode()
    path += draw(
        st.sampled_from([b"", b"?token=\xff\xfe", b"?token=%FF", b"\xff", b"?\x00", b"/../.."])
    )
    name = draw(st.sampled_from(RAW_HEADERS) | st.binary(min_size=1, max_size=12))
    value = draw(st.sampled_from(BAD_BYTES) | st.binary(max_size=40))
    body = draw(
        st.sampled_from(
            [b"", b'{"flipover_id": 1}', b'{"heading": "\xff"}', DEEP_ARRAY, b"\xff" * 10]
        )
    )
    version = draw(st.sampled_from([b"HTTP/1.1", b"HTTP/1.0", b"HTTP/1.1", b"HTTP/9.9"]))
    lines = [method.encode() + b" " + path + b" " + version, b"Host: {host}"]
    lines.append(name + b": " + value)
    lines.append(b"Content-Type: application/json")
    lines.append(b"Content-Length: " + str(len(body)).encode())
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def test_raw_bytes_in_headers_and_request_lines_never_get_a_5xx(
    fuzzed, log_watch, capsys, db_backend
):
    port = fuzzed.client.server.port
    host = f"127.0.0.1:{port}".encode()
    statuses: Counter = Counter()
    engine = fuzzed.engine

    def run(request: bytes) -> int:
        request = request.replace(b"{host}", host)
        status = raw_status(fuzzed.loop.run_until_complete(raw_exchange(port, request)))
        statuses[status] += 1
        assert status < 500, request[:300]
        return status

    # The one the issue found: a non-UTF-8 byte in the Authorization header, no token needed.
    for path in (b"/api/groups", b"/api/flipovers", b"/assist", b"/api/control/next"):
        for value in BAD_BYTES:
            status = run(
                b"POST "
                + path
                + b" HTTP/1.1\r\nHost: {host}\r\nAuthorization: "
                + value
                + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            assert status != 0, (path, value)  # an answer, not a dropped connection
    # A valid token with a bad byte elsewhere still never gets a 5xx.
    token = engine.assistant_token.encode()
    run(
        b"POST /api/flipovers HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer "
        + token
        + b"\r\nContent-Type: application/json\r\nContent-Length: 43\r\nConnection: close"
        + b"\r\n\r\n"
        + b'{"group": 1, "heading": "\xff\xfe", "p": []}  '
    )

    @settings(FUZZ, max_examples=RAW_EXAMPLES)
    @given(request=raw_requests(fuzzed.routes()))
    def one(request):
        run(request)

    one()
    assert log_watch.bad() == []
    print_tally(
        capsys,
        f"raw bytes, {db_backend}",
        statuses,
        f" (0: no answer); {log_watch.errors()} error lines logged, no traceback",
    )


# ---------------------------------------------------------------------- the agenda loader
def check_agenda(text: str) -> None:
    try:
        agenda = parse_agenda(text, "fuzz.toml")
    except AgendaError as exc:
        assert exc.problems and all(isinstance(p, str) and p.strip() for p in exc.problems)
        assert str(exc).strip()
        return
    assert agenda.phases


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string is close enough to a JSON string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def toml_document(top: dict[str, Any], phases: list[dict[str, Any]]) -> str:
    lines = [f"{json.dumps(k)} = {toml_value(v)}" for k, v in top.items()]
    for phase in phases:
        lines.append("")
        lines.append("[[phase]]")
        lines.extend(f"{json.dumps(k)} = {toml_value(v)}" for k, v in phase.items())
    return "\n".join(lines) + "\n"


KINDS = ["info", "bruttoliste", "interview", "rounds", "flipover", "gallery", "vote", "choose"]
KINDS += ["present", "break", "", "Vote", "ukendt"]
PHASE_FIELDS = [
    "kind",
    "title",
    "minutes",
    "text",
    "questions",
    "turn_seconds",
    "speakers",
    "marks",
    "cap_per_card",
    "reveal",
    "max_proposals",
    "flipover_kind",
    "warning_minutes",
    "help_contacts",
    "turns",
]
toml_scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, 1, 3, 5, 15, 300, -1, 10**9]),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
)
toml_values = st.one_of(toml_scalars, st.lists(toml_scalars, max_size=4))


@st.composite
def agenda_structures(draw):
    top = {
        "format": draw(st.one_of(st.just(1), toml_scalars)),
        "title": draw(st.one_of(texts, toml_scalars)),
        "method": draw(st.one_of(st.just("anerkendende-interview"), texts)),
        "language": draw(st.one_of(st.just("da"), texts)),
    }
    for key in draw(st.lists(st.sampled_from(list(top) + ["description", "ukendt"]), max_size=2)):
        top.pop(key, None) if draw(st.booleans()) else top.__setitem__(key, draw(toml_values))
    phases = []
    for _ in range(draw(st.integers(0, 4))):
        phase = {
            "kind": draw(st.one_of(st.sampled_from(KINDS), toml_scalars)),
            "title": draw(st.one_of(texts, toml_scalars)),
            "minutes": draw(st.one_of(st.integers(-5, 60), toml_scalars)),
        }
        for key in draw(st.lists(st.sampled_from(PHASE_FIELDS), max_size=5)):
            phase[key] = draw(toml_values)
        phases.append(phase)
    return toml_document(top, phases)


BUILTIN = load_agenda("dialogmoede-1").source


@st.composite
def mangled_builtin(draw):
    lines = BUILTIN.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "replace", "duplicate", "cut", "value"]))
        if action == "drop":
            lines.pop(i)
        elif action == "replace":
            lines[i] = draw(st.text(max_size=40))
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "cut":
            lines[i] = lines[i][: draw(st.integers(0, max(0, len(lines[i]) - 1)))]
        elif "=" in lines[i]:
            key = lines[i].split("=", 1)[0]
            lines[i] = f"{key}= {toml_value(draw(toml_values))}"
        if not lines:
            break
    return "\n".join(lines)


@settings(FUZZ, max_examples=AGENDA_EXAMPLES)
@given(text=st.one_of(st.text(), st.binary().map(lambda b: b.decode("latin-1"))))
def test_random_text_is_an_agenda_error_or_an_agenda(text):
    check_agenda(text)


@settings(FUZZ, max_examples=AGENDA_EXAMPLES)
@given(text=agenda_structures())
def test_random_agenda_structures_are_an_agenda_error_or_an_agenda(text):
    check_agenda(text)


@settings(FUZZ, max_examples=AGENDA_EXAMPLES)
@given(text=mangled_builtin())
def test_a_mangled_builtin_agenda_is_an_agenda_error_or_an_agenda(text):
    check_agenda(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00",
        "format = 1\n" * 2,
        'format = 1\ntitle = "x"\nmethod = "m"\nlanguage = "da"\nphase = []\n',
        'format = 1\ntitle = "x"\nmethod = "m"\nlanguage = "da"\nphase = [1, 2]\n',
        'format = 1\ntitle = "x"\nmethod = "m"\nlanguage = "da"\nphase = {kind = "info"}\n',
        'format = 1\ntitle = "x"\nmethod = "m"\nlanguage = "da"\n[[phase]]\nkind = "vote"\n'
        "minutes = 1e308\nmarks = 9223372036854775807\n",
        'format = 1\ntitle = "x"\nmethod = "m"\nlanguage = "da"\n[[phase]]\nkind = "interview"\n'
        'title = "i"\nminutes = nan\nturn_seconds = inf\n',
        'format = 1\ntitle = "x"\nmethod = "m"\nlanguage = "da"\n[[phase]]\nkind = "rounds"\n'
        'title = "r"\nminutes = 10\nspeakers = -3\nturn_seconds = 0\n',
        "[[phase]]\n" * 500,
        "a = " + "[" * 2000 + "]" * 2000,
        "a = " + "{b = " * 200 + "1" + "}" * 200,
        "format = " + "9" * 5000,
    ],
    ids=lambda text: repr(text[:24]),
)
def test_known_hostile_agendas_are_an_agenda_error_or_an_agenda(text):
    check_agenda(text)
