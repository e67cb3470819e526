"""A consistent copy of an SQLite store, made with SQLite's online backup API."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from journal.config import StoreLocation
from journal.errors import JournalError


def refuse_postgres(location: StoreLocation) -> None:
    if location.is_postgres:  # str() of a location never holds the password
        raise JournalError(f"a PostgreSQL store is backed up with pg_dump: pg_dump '{location}' > FILE")


def backup_sqlite(source: Path, target: Path) -> None:
    """Copies `source` to `target` (which must not exist) through a temporary file in the same
    directory, fsynced and renamed into place, then runs PRAGMA integrity_check on the copy."""
    target = Path(target)
    if target.exists():
        raise JournalError(f"{target} already exists: choose a new file name (nothing was written)")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as error:
        raise JournalError(f"cannot write a backup at {target}: {error.strerror}") from None
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(temporary)
        try:
            src.backup(dst)
            result = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
            src.close()
        if result != "ok":
            raise JournalError(f"the copy failed SQLite's integrity check ({result}): {target} not written")
        with open(temporary, "rb+") as copy:
            os.fsync(copy.fileno())
        try:  # a link, unlike a rename, never replaces a file that appeared meanwhile
            os.link(temporary, target)
        except FileExistsError:
            raise JournalError(f"{target} appeared while backing up: choose a new file name") from None
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        if temporary.exists():
            temporary.unlink()
