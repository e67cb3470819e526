"""Where things live: $MJ_HOME (default: the user's data dir), the store and the identity file."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "mentoring-journal"


def home() -> Path:
    configured = os.environ.get("MJ_HOME")
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def store_path(option: str | None = None) -> Path:
    """--store, else MJ_STORE, else $MJ_HOME/journal.db. A `sqlite:///` URL is accepted too."""
    value = option or os.environ.get("MJ_STORE")
    if not value:
        return home() / "journal.db"
    if value.startswith("sqlite:///"):
        value = value[len("sqlite:///"):]
    return Path(value).expanduser()


def identity_path(option: str | None = None) -> Path:
    value = option or os.environ.get("MJ_IDENTITY")
    return Path(value).expanduser() if value else home() / "identity.json"
