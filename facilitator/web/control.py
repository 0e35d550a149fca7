"""The remote control: ``POST /api/control/ACTION`` with the control token.

Each action is one row of ``ACTIONS``: the engine command it calls and how its
arguments are read from the body. Reopening a vote asks first, so only the TUI does it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from facilitator.engine import EngineError
from facilitator.web.access import CONTROL, needs
from facilitator.web.replies import as_int, command, error, read_body, reply

if TYPE_CHECKING:
    from facilitator.web.server import WebServer


class BadArgument(ValueError):
    """An action's argument that cannot be used; the message is Danish (answered 400)."""


def no_arguments(body: dict[str, Any]) -> tuple[Any, ...]:
    return ()


def minutes(body: dict[str, Any]) -> tuple[Any, ...]:
    value = body.get("minutes", 1)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise BadArgument("minutes skal være et tal.")
    return (value,)


def index(body: dict[str, Any]) -> tuple[Any, ...]:
    value = as_int(body.get("index"))
    if value is None:
        raise BadArgument("index skal være et heltal.")
    return (value,)


@dataclass(frozen=True)
class Action:
    command: str  # the MeetingEngine method it calls
    arguments: Callable[[dict[str, Any]], tuple[Any, ...]] = no_arguments


ACTIONS: dict[str, Action] = {
    "start": Action("start"),
    "pause": Action("pause"),
    "toggle": Action("toggle"),
    "next": Action("next_phase"),
    "previous": Action("previous_phase"),
    "extend": Action("extend", minutes),
    "goto": Action("goto", index),
    "reveal": Action("reveal_now"),  # end the vote now and show the totals
}


class ControlRoutes:
    def __init__(self, server: WebServer) -> None:
        self.engine = server.engine

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/api/control/{action}", self.api_control)]

    @needs(CONTROL)
    async def api_control(self, request: web.Request) -> web.Response:
        name = request.match_info["action"]
        body: Any = {}
        if request.can_read_body:
            body = await read_body(request)
            if isinstance(body, web.Response):
                return body
        action = ACTIONS.get(name)
        if action is None:
            return error(404, f"Ukendt handling: {name}")
        try:
            arguments = action.arguments(body)
        except BadArgument as exc:
            return error(400, str(exc))
        try:
            await command(getattr(self.engine, action.command), *arguments)
        except EngineError as exc:
            return error(409, str(exc))
        return reply(self.engine.state())
