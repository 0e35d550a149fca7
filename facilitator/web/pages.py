"""The pages: the participant page (/), the assistants' (/assist), the remote control
(/remote), the wall display (/wall), and the script they share (/static/common.js).

The wall is the projector's view in a browser: no token (it shows only what the room
sees), its address and QR code from ``/api/wall`` and ``/api/qr.svg`` (the participant
page's address, never a staff link).

Each page is one HTML file with its own inline script, allowed by the CSP by its hash
(no 'unsafe-inline'); the common script is the one file a page loads ('self'). Its link
carries the script's version, so a phone may keep it cached for good and still gets a
new one when the server has one.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources
from typing import TYPE_CHECKING

from aiohttp import web

from facilitator.qr import svg_qr
from facilitator.web.access import ASSISTANT, CONTROL, needs
from facilitator.web.replies import error, reply
from facilitator.web.security import script_sources

if TYPE_CHECKING:
    from facilitator.web.server import WebServer

COMMON_JS = "common.js"
COMMON_PATH = "/static/common.js"
CSP = (
    "default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; "
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# The assistants' page shows photos it fetched itself (blob: URLs) and scales them (canvas).
CSP_ASSIST = CSP.replace("img-src 'self' data:", "img-src 'self' data: blob:")
CACHE_FOREVER = "public, max-age=31536000, immutable"


@functools.lru_cache(maxsize=8)
def static_file(name: str) -> bytes:
    return (resources.files("facilitator") / "web" / "static" / name).read_bytes()


@functools.lru_cache(maxsize=1)
def common_version() -> str:
    return hashlib.sha256(static_file(COMMON_JS)).hexdigest()[:16]


@functools.lru_cache(maxsize=8)
def page(name: str) -> bytes:
    """A page as served: its link to the common script carries the script's version."""
    link = f'src="{COMMON_PATH}"'.encode()
    return static_file(name).replace(link, f'src="{COMMON_PATH}?v={common_version()}"'.encode())


@functools.lru_cache(maxsize=8)
def page_csp(name: str, template: str) -> str:
    """The page's CSP, allowing exactly its own scripts."""
    return template.format(scripts=script_sources(page(name)))


@functools.lru_cache(maxsize=4)
def qr_svg(url: str) -> bytes:
    return svg_qr(url).encode()


def html(name: str, csp: str = CSP) -> web.Response:
    response = web.Response(body=page(name), content_type="text/html", charset="utf-8")
    response.headers["Content-Security-Policy"] = page_csp(name, csp)
    return response


class PageRoutes:
    def __init__(self, server: WebServer) -> None:
        self.server = server

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/", self.index),
            web.get("/favicon.ico", self.no_icon),
            web.get("/assist", self.assist_page),
            web.get("/remote", self.remote_page),
            web.get("/wall", self.wall_page),
            web.get("/api/wall", self.api_wall),
            web.get("/api/qr.svg", self.api_qr),
            web.get(COMMON_PATH, self.common_script),
        ]

    async def index(self, request: web.Request) -> web.Response:
        response = html("participant.html")
        if self.server.device_id(request) is None:
            self.server.set_device_cookie(request, response)
        return response

    async def no_icon(self, request: web.Request) -> web.Response:
        return web.Response(status=204, headers={"Cache-Control": "max-age=86400"})

    @needs(ASSISTANT, page=True)
    async def assist_page(self, request: web.Request) -> web.Response:
        return html("assist.html", CSP_ASSIST)

    @needs(CONTROL, page=True)
    async def remote_page(self, request: web.Request) -> web.Response:
        return html("remote.html")

    async def wall_page(self, request: web.Request) -> web.Response:
        """The projector's view: no token, and it never shows one."""
        return html("wall.html")

    async def api_wall(self, request: web.Request) -> web.Response:
        """What the wall shows besides the state: the address phones use (None with no
        network), which is also what its QR code says."""
        return reply({"url": self.server.participant_url})

    async def api_qr(self, request: web.Request) -> web.Response:
        """The QR code of the participant page's address, as SVG (404 with no network)."""
        url = self.server.participant_url
        if url is None:
            return error(404, "Ingen netværk – telefonerne kan ikke komme på.")
        response = web.Response(body=qr_svg(url), content_type="image/svg+xml")
        response.headers["Content-Security-Policy"] = "default-src 'none'"
        return response

    async def common_script(self, request: web.Request) -> web.Response:
        """The pages' shared script: kept for good under its versioned link, revalidated
        (304 while unchanged) under any other."""
        version = common_version()
        etag = f'"{version}"'
        cache = CACHE_FOREVER if request.query.get("v") == version else "no-cache"
        headers = {"Cache-Control": cache, "ETag": etag}
        if etag in request.headers.get("If-None-Match", ""):
            return web.Response(status=304, headers=headers)
        response = web.Response(
            body=static_file(COMMON_JS),
            content_type="text/javascript",
            charset="utf-8",
            headers=headers,
        )
        response.headers["Content-Security-Policy"] = "default-src 'none'"
        return response
