"""A bare SSE broadcast with aiohttp: the floor for a phase change reaching the phones.

    python -m bench.baselines.bare_sse --port N --state0 FILE --state1 FILE

``GET /`` hands out a device cookie, ``GET /api/events`` streams ``event: state`` with the
current payload, then every new one; ``POST /api/control/next`` and ``.../previous``
broadcast the phase 1 or phase 0 state (the real app's bytes, fetched in the same run).
Each stream waits on one shared ``asyncio.Event``; a broadcast replaces and sets it.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
from pathlib import Path

from aiohttp import web


class Hub:
    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self.changed = asyncio.Event()

    def broadcast(self, payload: bytes) -> None:
        self.payload = payload
        changed, self.changed = self.changed, asyncio.Event()
        changed.set()


def event(state: bytes) -> bytes:
    return b"event: state\ndata: " + state.strip() + b"\n\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state0", required=True)
    parser.add_argument("--state1", required=True)
    args = parser.parse_args()
    states = {0: event(Path(args.state0).read_bytes()), 1: event(Path(args.state1).read_bytes())}
    hub: Hub | None = None

    async def startup(app: web.Application) -> None:
        nonlocal hub
        hub = Hub(states[0])

    async def page(request: web.Request) -> web.Response:
        response = web.Response(text="<!DOCTYPE html><title>bare</title>", content_type="text/html")
        response.set_cookie("fac_device", secrets.token_urlsafe(33), httponly=True)
        return response

    async def events(request: web.Request) -> web.StreamResponse:
        assert hub is not None
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        changed = hub.changed
        await response.write(b"retry: 2000\n\n" + hub.payload)
        try:
            while True:
                await changed.wait()
                changed = hub.changed
                await response.write(hub.payload)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        return response

    async def control(request: web.Request) -> web.Response:
        assert hub is not None
        hub.broadcast(states[1 if request.match_info["action"] == "next" else 0])
        return web.json_response({"ok": True})

    async def state(request: web.Request) -> web.Response:
        return web.Response(body=states[0], content_type="application/json")

    app = web.Application()
    app.on_startup.append(startup)
    app.router.add_get("/", page)
    app.router.add_get("/api/state", state)
    app.router.add_get("/api/events", events)
    app.router.add_post("/api/control/{action}", control)
    web.run_app(
        app, host="127.0.0.1", port=args.port, access_log=None, print=None, shutdown_timeout=0.5
    )


if __name__ == "__main__":
    main()
