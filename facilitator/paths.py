"""Where the app keeps its files (platform directories, overridable by environment)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_path, user_config_path, user_data_path

APP = "facilitator"


def data_dir() -> Path:
    return user_data_path(APP, appauthor=False)


def cache_dir() -> Path:
    return user_cache_path(APP, appauthor=False)


def user_agenda_dir() -> Path:
    return user_config_path(APP, appauthor=False) / "agendas"


def default_db_url() -> str:
    """FACILITATOR_DB, else a SQLite file in the platform data directory."""
    env = os.environ.get("FACILITATOR_DB")
    if env:
        return env
    return f"sqlite:///{data_dir() / 'facilitator.db'}"


def demo_db_url() -> str:
    return f"sqlite:///{cache_dir() / 'demo.db'}"


def address_choice_file() -> Path:
    """The address and port the mødeleder picked on the start screen (`w`)."""
    return user_config_path(APP, appauthor=False) / "address.toml"
