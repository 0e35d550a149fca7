"""A bare aiohttp app serving fixed bytes: the floor for `GET /` and `GET /api/state`.

    python -m bench.baselines.bare_http --port N --pages '{"PATH": ["FILE", "CONTENT_TYPE"]}'

The files hold the bytes the real app served for the same path in the same run; the path
may carry a query (``/api/state?phase=vote``), which selects the bytes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from aiohttp import web


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pages", required=True, help="JSON: path -> [file, content type]")
    args = parser.parse_args()
    pages = {
        path: (Path(file).read_bytes(), content_type)
        for path, (file, content_type) in json.loads(args.pages).items()
    }

    async def handler(request: web.Request) -> web.Response:
        body, content_type = pages[request.path_qs]
        return web.Response(body=body, headers={"Content-Type": content_type})

    app = web.Application()
    for path in {p.partition("?")[0] for p in pages}:
        app.router.add_get(path, handler)
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
