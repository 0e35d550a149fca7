"""The pre-meeting phone check: GET /check (a tiny page) and /api/check (the arrivals)."""

from __future__ import annotations

from typing import Any

from aiohttp import web


class CheckRoutes:
    def __init__(self, server: Any) -> None:
        self.server = server

    def routes(self) -> list[web.RouteDef]:
        return []
