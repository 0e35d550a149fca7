"""What every route answers with: JSON bodies and Danish errors, request bodies read
safely, idempotency keys, and the one way the routes call an engine command.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from facilitator.engine import EngineError, TextRefused
from facilitator.web.security import (
    IDEMPOTENCY_HEADER,
    BadBody,
    bounded_int,
    parse_json_body,
    valid_idempotency_key,
)

MAX_BODY = 64 * 1024


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def reply(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=dumps)


def error(status: int, message: str, **extra: Any) -> web.Response:
    return reply({"error": message, **extra}, status=status)


def as_int(value: Any) -> int | None:
    """An integer a database column can hold, else None (bools are not integers)."""
    return bounded_int(value)


def refusal_status(exc: EngineError) -> int:
    """400 for text that cannot be stored at all, 422 for a refused command."""
    return 400 if isinstance(exc, TextRefused) else 422


async def command(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run one engine command and give its result; a command that is a coroutine is
    awaited (the engine's commands are becoming async)."""
    result = call(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


async def read_body(request: web.Request) -> dict[str, Any] | web.Response:
    """The request's JSON object ({} when it has no body), or the 400/413 to answer."""
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return error(413, "For meget data på én gang.")
    if not raw:
        return {}
    try:
        data = parse_json_body(raw)
    except (BadBody, TextRefused) as exc:
        return error(400, str(exc))
    if not isinstance(data, dict):
        return error(400, "Forventede et JSON-objekt.")
    return data


# ---------------------------------------------------------------------- idempotency
def idempotency_key(request: web.Request) -> str | None | web.Response:
    """The submission's Idempotency-Key, if it sent one (the pages always do)."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not valid_idempotency_key(key):
        return error(400, "Idempotency-Key skal være 8–128 tegn af A–Z, a–z, 0–9, - og _.")
    return key


def idempotent(
    request: web.Request,
    engine: Any,
    scope: str,
    replay: Callable[[str], web.Response],
) -> tuple[str | None, web.Response | None]:
    """(the submission's key, an answer to give at once): a malformed key's 400, a key
    used for another kind of write (422), or ``replay(stored result)`` when this key's
    write is already stored (a retry after a lost answer). No answer: the key is new."""
    key = idempotency_key(request)
    if isinstance(key, web.Response):
        return None, key
    if key is None:
        return None, None
    prior = engine.idempotent(key)
    if prior is None:
        return key, None
    done, result = prior
    if done != scope:
        return key, error(422, "Den Idempotency-Key er allerede brugt til noget andet.")
    return key, replay(result)
