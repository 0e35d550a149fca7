"""The address and port phones use, as the mødeleder picked them on the start screen (`w`),
kept for the next start: picked the evening before, it holds in the meeting room.

A small TOML file in the config folder (``address.toml``): ``host`` (empty for the
automatic choice) and ``port``. A file that cannot be read or holds nonsense is ignored:
the defaults are used, never a crash.
"""

from __future__ import annotations

import os
import tempfile
import tomllib

from facilitator import paths

DEFAULT_PORT = 8765
MIN_PORT, MAX_PORT = 1024, 65535


def load() -> tuple[str | None, int] | None:
    """(host or None for automatic, port) as saved, or None when nothing usable is saved."""
    try:
        data = tomllib.loads(paths.address_choice_file().read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    host, port = data.get("host", ""), data.get("port", DEFAULT_PORT)
    if not isinstance(host, str) or isinstance(port, bool) or not isinstance(port, int):
        return None
    if not MIN_PORT <= port <= MAX_PORT or any(c in host for c in '"\\\n\r\t '):
        return None
    return (host or None), port


def save(host: str | None, port: int) -> None:
    """Keep the choice (atomically: a cut-off write leaves the old file). Raises OSError."""
    path = paths.address_choice_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (
        "# Adressen og porten telefonerne bruger (valgt på startskærmen med w).\n"
        f'host = "{host or ""}"  # tom: den automatiske adresse\n'
        f"port = {int(port)}\n"
    )
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".address-", suffix=".toml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
