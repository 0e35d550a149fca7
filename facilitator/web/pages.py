"""The pages: the participant page (/), the assistants' (/assist) and the remote control
(/remote), and the script they share (/static/common.js).

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

from facilitator.web.access import ASSISTANT, CONTROL, needs
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
