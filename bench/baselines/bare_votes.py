"""The floor for marks: a bare aiohttp handler doing one SQLite insert and commit per
request, ``synchronous=FULL`` (WAL, as the app's database), on the event loop.

    python -m bench.baselines.bare_votes --port N --db FILE

``GET /`` hands out a device cookie; ``POST /api/votes`` ({flipover_id}) inserts one row
with the cookie's device id and commits before it answers.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sqlite3
import time

from aiohttp import web


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    db = sqlite3.connect(args.db, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS vote (id INTEGER PRIMARY KEY, flipover_id INTEGER NOT NULL,"
        " device_id TEXT NOT NULL, created_at REAL NOT NULL)"
    )

    async def page(request: web.Request) -> web.Response:
        response = web.Response(text="<!DOCTYPE html><title>bare</title>", content_type="text/html")
        response.set_cookie("fac_device", secrets.token_urlsafe(33), httponly=True)
        return response

    async def state(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def vote(request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        db.execute("BEGIN")
        db.execute(
            "INSERT INTO vote (flipover_id, device_id, created_at) VALUES (?, ?, ?)",
            (int(body["flipover_id"]), request.cookies.get("fac_device", ""), time.time()),
        )
        db.execute("COMMIT")
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_get("/", page)
    app.router.add_get("/api/state", state)
    app.router.add_post("/api/votes", vote)
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
