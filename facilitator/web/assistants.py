"""The assistants' API: the room's groups, flip-overs typed in and corrected, and their
photos. Every route needs the assistant token (the groups and a photo open to the
control token too)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from facilitator.course.model import LEVELS
from facilitator.engine import MAX_PHOTO, MAX_PROPOSALS, EngineError, default_flipover_kind
from facilitator.web.access import ASSISTANT, CONTROL, needs
from facilitator.web.replies import (
    as_int,
    command,
    error,
    idempotent,
    read_body,
    refusal_status,
    reply,
)

if TYPE_CHECKING:
    from facilitator.web.server import WebServer

PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
GROUPING_LABELS = {
    "interview": "3-mandsgrupper (interview)",
    "fours": "Grupper på 4",
    "wishes": "Grupper pr. ønske",
}
FLIPOVER = r"/api/flipovers/{id:\d{1,9}}"


def flip_json(flip: Any) -> dict[str, Any]:
    return {
        "id": flip.id,
        "group": flip.group,
        "grouping": flip.grouping,
        "kind": flip.kind,
        "heading": flip.heading,
        "proposals": list(flip.proposals),
        "levels": [level for _text, level in flip.lines],
        "wish": flip.wish_id,
    }


BAD_PROPOSALS = (
    'Forslagene skal være en liste af tekster eller af {"text": …, "level": '
    '"personalegruppe", "leder" eller "samarbejdspartnere"}.'
)


def proposal_lines(raw: Any) -> list[str | tuple[str, str]] | None:
    """The proposals as sent: texts, or {"text", "level"} objects (None: a bad shape)."""
    if not isinstance(raw, list):
        return None
    lines: list[str | tuple[str, str]] = []
    for item in raw:
        if isinstance(item, str):
            lines.append(item)
        elif isinstance(item, dict) and isinstance(item.get("text"), str):
            level = item.get("level") or ""
            if not isinstance(level, str) or (level and level not in LEVELS):
                return None
            lines.append((item["text"], level))
        else:
            return None
    return lines


def flipover_fields(body: dict[str, Any]) -> tuple[int, str, list, int | None] | web.Response:
    """(group, heading, proposals, wish) from a POST or PUT body, or the 400 to answer."""
    group, heading, proposals = body.get("group"), body.get("heading"), body.get("proposals", [])
    wish = body.get("wish")
    if as_int(group) is None:
        return error(400, "Vælg en gruppe (et nummer fra 1).")
    if wish is not None and as_int(wish) is None:
        return error(400, "Ønsket skal angives med sit nummer (id) eller udelades.")
    if heading is None and wish is not None:
        heading = ""  # the wish's heading
    if not isinstance(heading, str):
        return error(400, "Overskriften mangler.")
    lines = proposal_lines(proposals)
    if lines is None:
        return error(400, BAD_PROPOSALS)
    return group, heading, lines, wish


class AssistantRoutes:
    def __init__(self, server: WebServer) -> None:
        self.engine = server.engine

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/api/flipovers", self.api_add_flipover),
            web.put(FLIPOVER, self.api_edit_flipover),
            web.post(FLIPOVER + "/photo", self.api_set_photo),
            web.get(FLIPOVER + "/photo", self.api_photo),
            web.get("/api/groups", self.api_groups),
        ]

    def _replay(self, scope: str) -> Any:
        """The first answer again, for a save whose answer was lost."""

        def answer(result: str) -> web.Response:
            flipover_id = int(result)
            flips = self.engine.flipovers(include_confidential=True)
            flip = next((f for f in flips if f.id == flipover_id), None)
            body = flip_json(flip) if flip is not None else {"id": flipover_id}
            return reply({**body, "replayed": True}, status=201 if scope == "flipover_add" else 200)

        return answer

    def _open_flipover(self, request: web.Request) -> int | web.Response:
        flipover_id = int(request.match_info["id"])
        if not any(f.id == flipover_id for f in self.engine.flipovers()):
            return error(404, "Den flip-over findes ikke (længere).")
        return flipover_id

    async def _save(self, request: web.Request, flipover_id: int | None) -> web.Response:
        """A new flip-over (``flipover_id`` None) or a correction of one."""
        body = await read_body(request)
        if isinstance(body, web.Response):
            return body
        fields = flipover_fields(body)
        if isinstance(fields, web.Response):
            return fields
        scope = "flipover_add" if flipover_id is None else "flipover_edit"
        key, answer = idempotent(request, self.engine, scope, self._replay(scope))
        if answer is not None:
            return answer
        group, heading, lines, wish = fields
        try:
            if flipover_id is None:
                flip = await command(
                    self.engine.add_flipover, group, heading, lines, key=key, wish_id=wish
                )
            else:
                flip = await command(
                    self.engine.edit_flipover,
                    flipover_id,
                    group,
                    heading,
                    lines,
                    key=key,
                    wish_id=wish,
                )
        except EngineError as exc:
            return error(refusal_status(exc), str(exc))
        return reply(flip_json(flip), status=201 if flipover_id is None else 200)

    @needs(ASSISTANT)
    async def api_add_flipover(self, request: web.Request) -> web.Response:
        return await self._save(request, None)

    @needs(ASSISTANT)
    async def api_edit_flipover(self, request: web.Request) -> web.Response:
        flipover_id = self._open_flipover(request)
        if isinstance(flipover_id, web.Response):
            return flipover_id
        return await self._save(request, flipover_id)

    @needs(ASSISTANT)
    async def api_set_photo(self, request: web.Request) -> web.Response:
        flipover_id = self._open_flipover(request)
        if isinstance(flipover_id, web.Response):
            return flipover_id
        if request.content_type not in PHOTO_TYPES:
            return error(415, "Billedet skal være JPEG, PNG eller WebP.")
        too_big = f"Billedet er for stort (højst {MAX_PHOTO // 1024} kB)."
        if request.content_length is not None and request.content_length > MAX_PHOTO:
            return error(413, too_big)
        # Streamed with its own limit: the app's body limit is for JSON, a photo may be larger.
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > MAX_PHOTO:
                return error(413, too_big)
            chunks.append(chunk)
        if not size:
            return error(400, "Billedet er tomt.")
        try:
            await command(
                self.engine.set_photo, flipover_id, request.content_type, b"".join(chunks)
            )
        except EngineError as exc:
            return error(refusal_status(exc), str(exc))
        return reply({"id": flipover_id, "bytes": size}, status=201)

    @needs(ASSISTANT, CONTROL)
    async def api_photo(self, request: web.Request) -> web.Response:
        flipover_id = self._open_flipover(request)
        if isinstance(flipover_id, web.Response):
            return flipover_id
        photo = self.engine.photo(flipover_id)
        if photo is None:
            return error(404, "Der er intet foto af den flip-over.")
        content_type, data = photo
        response = web.Response(body=data, content_type=content_type)
        response.headers["Content-Security-Policy"] = "default-src 'none'"
        return response

    @needs(ASSISTANT, CONTROL)
    async def api_groups(self, request: web.Request) -> web.Response:
        engine = self.engine
        grouping = engine.current_grouping()
        phase = engine.phase
        labels = engine.group_labels(grouping)  # the wishes the room chose, else None
        limit = max(phase.max_proposals, 1) if phase.kind == "flipover" else MAX_PROPOSALS
        mode = engine.wish_mode()
        return reply(
            {
                # "pick": vælg ét ønske (a bruttoliste wish may be the heading, GET
                # /api/bruttoliste); "action": gruppearbejde om handling (each proposal
                # may get a level; the groups work on ``chosen``, group 1 first).
                "wish_mode": mode,
                "levels": [{"key": k, "label": v} for k, v in LEVELS.items()],
                "chosen": [{"id": i, "title": t} for i, t in engine.chosen_wishes()]
                if mode == "action"
                else [],
                "grouping": grouping,
                "grouping_label": GROUPING_LABELS.get(grouping, grouping),
                "count": engine.group_count(grouping),
                "labels": labels,
                "kind": default_flipover_kind(phase),
                "max_proposals": limit,
                "phase": {"index": engine.index, "kind": phase.kind, "title": phase.title},
            }
        )
