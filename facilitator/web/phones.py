"""The phones' API: the state and its event stream, the flip-overs to mark, a phone's
marks and its "brænder for" pick.

A phone is known by the anonymous device id in the httpOnly cookie ``fac_device`` (see
``WebServer.device_id``); marks and picks are rate-limited per device here, the budget
itself is enforced by the engine.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from aiohttp import web

from facilitator.engine import VoteRefused
from facilitator.engine.course import wish_json
from facilitator.web.access import ASSISTANT, CONTROL, STAFF, needs
from facilitator.web.hub import RETRY, sse_message
from facilitator.web.replies import as_int, command, dumps, error, idempotent, read_body, reply

if TYPE_CHECKING:
    from facilitator.web.server import WebServer


STATE_TICKS = 10  # /api/state is re-encoded at most this often a second (and on change)


class PhoneRoutes:
    def __init__(self, server: WebServer) -> None:
        self.server = server
        self.engine = server.engine
        self._phones: dict[str, int] = {}  # device id (or connection key) -> open streams
        self._flip_cache: tuple[tuple[Any, ...], list[dict[str, Any]]] | None = None
        self._state_cache: tuple[tuple[int, int], bytes] | None = None
        self._brutto_cache: tuple[Any, str | None, bytes] | None = None

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/api/state", self.api_state),
            web.get("/api/events", self.api_events),
            web.get("/api/flipovers", self.api_flipovers),
            web.post("/api/votes", self.api_vote),
            web.delete("/api/votes", self.api_unvote),
            web.get("/api/votes/mine", self.api_votes_mine),
            web.get("/api/bruttoliste", self.api_bruttoliste),
            web.get("/api/ranking", self.api_ranking),
            web.get("/api/choice", self.api_choice),
            web.post("/api/choice", self.api_choose),
        ]

    # ------------------------------------------------------------------ state, events
    async def api_state(self, request: web.Request) -> web.Response:
        """The state, serialised at most once per change and tenth of a second (a room of
        phones asking at once shares one encoding; the clock in it is ≤ 0.1 s old)."""
        now = self.engine.now()
        key = (self.engine.latest.event.version, int(now * STATE_TICKS))
        cached = self._state_cache
        if cached is None or cached[0] != key:
            cached = self._state_cache = (key, dumps(self.engine.state(now)).encode())
        return web.Response(body=cached[1], content_type="application/json", charset="utf-8")

    async def api_bruttoliste(self, request: web.Request) -> web.Response:
        """The forløb's previous meeting's open wishes, ranked: what the bruttoliste phase
        shows the room (never særskilt spor). Encoded once per list the engine holds."""
        engine = self.engine
        brutto, missing = engine.bruttoliste(), engine.bruttoliste_missing()
        cached = self._brutto_cache
        if cached is None or cached[0] is not brutto or cached[1] != missing:
            body = {
                "wishes": [wish_json(w) for w in brutto.wishes] if brutto is not None else [],
                "meeting": brutto.title if brutto is not None else None,
                "missing": missing,
            }
            cached = self._brutto_cache = (brutto, missing, dumps(body).encode())
        return web.Response(body=cached[2], content_type="application/json", charset="utf-8")

    async def api_ranking(self, request: web.Request) -> web.Response:
        """The prioritering as the projector shows it: the open wishes by marks (a theme
        as one), the prioritised marked. While a vote hides its totals, no marks, places
        or order that would give the result away. Never særskilt spor."""
        engine = self.engine
        visible = engine.marks_visible()
        items = engine.ranking()
        if not visible:
            items.sort(key=lambda i: (min(f.group for f in i.flipovers), i.key))
        rows = [
            {
                "key": item.key,
                "title": item.title,
                "theme": item.is_theme,
                "wishes": len(item.flipovers),
                "groups": list(item.groups),
                "marks": item.marks if visible else None,
                "rank": item.rank if visible else None,
                "tied": item.tied if visible else False,
                "priority": item.priority,
            }
            for item in items
        ]
        return reply({"visible": visible, "items": rows, "version": self._board_version()})

    async def api_events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream; charset=utf-8",
                "Cache-Control": "no-store",
                "X-Accel-Buffering": "no",
            }
        )
        await response.prepare(request)
        # The assistants', the remote and the wall page (role=staff, role=wall) are not
        # phones in the room: not counted, and they get every event at once.
        staff = request.query.get("role") in ("staff", "wall")
        phone = None
        if not staff:
            phone = self.server.device_id(request) or f"conn-{id(response)}"
            self._phone_joined(phone)
        hub = self.server.hub
        stream = hub.open(response, staff=staff)
        first = sse_message(dumps(self.engine.state()))  # fresh: the clock as of now
        try:
            await response.write(RETRY + first)
            await stream.run()
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            hub.close(stream)
            if phone is not None:
                self._phone_left(phone)
        return response

    def _phone_joined(self, phone: str) -> None:
        self._phones[phone] = self._phones.get(phone, 0) + 1
        self.engine.set_phones(len(self._phones))

    def _phone_left(self, phone: str) -> None:
        left = self._phones.get(phone, 1) - 1
        if left <= 0:
            self._phones.pop(phone, None)
        else:
            self._phones[phone] = left
        self.engine.set_phones(len(self._phones))

    # ------------------------------------------------------------------ flip-overs
    def _board_version(self) -> int | None:
        board = self.engine.latest.state.get("board")
        return board.get("version") if isinstance(board, dict) else None

    def _flip_rows(self, visible: bool, staff: bool) -> list[dict[str, Any]]:
        """The flip-overs as JSON-ready rows, built once per board version."""
        version = self._board_version()
        key = (version, visible, staff)
        if version is not None and self._flip_cache is not None and self._flip_cache[0] == key:
            return self._flip_cache[1]
        themes = {t.id: t for t in self.engine.themes()}
        rows = []
        for flip in self.engine.flipovers():
            theme = themes.get(flip.theme_id) if flip.theme_id is not None else None
            row = {
                "id": flip.id,
                "group": flip.group,
                "kind": flip.kind,
                "heading": flip.heading,
                "proposals": list(flip.proposals),
                "marks": flip.marks if visible else None,
                "theme": theme.name if theme else None,
                # A themed wish is prioritised with its theme.
                "priority": theme.priority if theme else flip.priority,
                "has_photo": flip.has_photo,
            }
            if staff:
                row["grouping"] = flip.grouping
                row["phase_index"] = flip.phase_index
                row["wish"] = flip.wish_id
                row["levels"] = [level for _text, level in flip.lines]
            rows.append(row)
        self._flip_cache = (key, rows)
        return rows

    @needs(ASSISTANT, CONTROL, optional=True)
    async def api_flipovers(self, request: web.Request) -> web.Response:
        staff = request[STAFF]
        engine = self.engine
        rows = self._flip_rows(engine.marks_visible(), staff)
        device = self.server.device_id(request)
        mine: dict[int, int] = {}
        left = None
        if engine.phase.kind == "vote":  # a closed vote still shows a phone its marks
            mine, left = engine.device_marks(device) if device else ({}, engine.phase.marks)
        listed = [{**row, "mine": mine.get(row["id"], 0)} for row in rows]
        response = reply({"flipovers": listed, "version": self._board_version(), "left": left})
        if device is None and not staff:
            self.server.set_device_cookie(request, response)
        return response

    # ------------------------------------------------------------------ marks
    async def _phone_action(self, request: web.Request) -> tuple[str, dict] | web.Response:
        """The common checks of a phone's mark or pick: body, device cookie, rate."""
        body = await read_body(request)
        if isinstance(body, web.Response):
            return body
        server = self.server
        device = server.device_id(request)
        if device is None:
            response = error(
                400, "Telefonen mangler sin anonyme nøgle – prøv igen.", code="no_device"
            )
            if not server.set_device_cookie(request, response):
                response = error(429, "For mange nye telefoner fra samme adresse – vent lidt.")
                response.headers["Retry-After"] = str(
                    server.device_limiter.retry_after(request.remote or "?")
                )
            return response
        if not server.vote_limiter.allow(device):
            response = error(429, "Du trykker for hurtigt – vent et øjeblik og prøv igen.")
            response.headers["Retry-After"] = str(server.vote_limiter.retry_after(device))
            return response
        return device, body

    @staticmethod
    def _marks(mine: dict[int, int], left: int) -> dict[str, Any]:
        """A phone's own marks: all a mark is answered with (not the meeting's state)."""
        return {"mine": {str(k): v for k, v in mine.items()}, "left": left}

    def _marks_json(self, device: str) -> dict[str, Any]:
        return self._marks(*self.engine.device_marks(device))

    async def _mark(self, request: web.Request, add: bool) -> web.Response:
        checked = await self._phone_action(request)
        if isinstance(checked, web.Response):
            return checked
        device, body = checked
        flipover_id = as_int(body.get("flipover_id"))
        if flipover_id is None:
            return error(400, "flipover_id skal være et heltal.")
        key, answer = idempotent(
            request,
            self.engine,
            "vote" if add else "unvote",
            lambda _: reply({**self._marks_json(device), "replayed": True}),
        )
        if answer is not None:
            return answer
        act = self.engine.vote if add else self.engine.unvote
        try:
            mine, left = await command(act, device, flipover_id, key=key)
        except VoteRefused as exc:
            return error(exc.status, str(exc), **self._marks_json(device))
        return reply(self._marks(mine, left))

    async def api_vote(self, request: web.Request) -> web.Response:
        return await self._mark(request, add=True)

    async def api_unvote(self, request: web.Request) -> web.Response:
        return await self._mark(request, add=False)

    async def api_votes_mine(self, request: web.Request) -> web.Response:
        device = self.server.device_id(request)
        if device is not None:
            return reply(self._marks_json(device))
        engine = self.engine
        response = reply({"mine": {}, "left": engine.phase.marks if engine.voting else 0})
        self.server.set_device_cookie(request, response)
        return response

    # ------------------------------------------------------------------ "brænder for"
    def _choice_json(self, device: str | None) -> dict[str, Any]:
        engine = self.engine
        return {
            "open": engine.phase.kind == "choose",
            "options": [
                {"key": item.key, "title": item.title, "count": count}
                for item, count in engine.choice_counts()
            ],
            "mine": engine.device_choice(device) if device else None,
        }

    async def api_choice(self, request: web.Request) -> web.Response:
        device = self.server.device_id(request)
        response = reply(self._choice_json(device))
        if device is None:
            self.server.set_device_cookie(request, response)
        return response

    async def api_choose(self, request: web.Request) -> web.Response:
        checked = await self._phone_action(request)
        if isinstance(checked, web.Response):
            return checked
        device, body = checked
        key = body.get("key")
        if key is not None and not (isinstance(key, str) and 2 <= len(key) <= 24):
            return error(400, "key skal være et ønskes nøgle eller null.")
        if key is not None and (key[0] not in "ft" or not key[1:].isdigit()):
            return error(404, "Det ønske kan ikke vælges.")
        idem, answer = idempotent(
            request,
            self.engine,
            "choice",
            lambda _: reply({**self._choice_json(device), "replayed": True}),
        )
        if answer is not None:
            return answer
        try:
            await command(self.engine.choose, device, key, idem_key=idem)
        except VoteRefused as exc:
            return error(exc.status, str(exc), **self._choice_json(device))
        return reply(self._choice_json(device))
