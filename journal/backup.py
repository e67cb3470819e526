"""A consistent copy of an SQLite store, made with SQLite's online backup API."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journal.config import StoreLocation
from journal.errors import JournalError


def read_only_uri(path: Path | str) -> str:
    """An SQLite URI that opens `path` read-only, whatever characters (`?`, `#`, `%`) its name has."""
    return Path(path).resolve().as_uri() + "?mode=ro"


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
        src = sqlite3.connect(read_only_uri(source), uri=True)
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


SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class BackupReport:
    report: Any  # the copy's VerifyReport
    journal_records: int  # the journal's, in the store now
    matching: int  # how many of the copy's first records are the journal's own

    @property
    def behind(self) -> int:
        return self.journal_records - self.report.records

    def as_json(self) -> dict[str, Any]:
        return {**self.report.as_json(), "journal_records": self.journal_records, "matching": self.matching,
                "behind": self.behind}


def verify_backup(identity: Any, path: Path, live: Any) -> BackupReport:
    """Checks a backup as `mj verify` checks the store (every record and snapshot opened, the
    chain against her signed checkpoint), on a private copy so that the backup is never written,
    and without this device's anchor (a backup is older on purpose); then says how far it is
    behind the journal in `live`, and whether its records are the journal's own."""
    from journal.app import JournalApp

    try:
        with open(path, "rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as error:
        raise JournalError(f"cannot read {path}: {error.strerror}") from None
    if header != SQLITE_HEADER:
        raise JournalError(f"{path} is not a backup made by `mj backup` (an SQLite file); a pg_dump is checked "
                           "by restoring it into a scratch database and running `mj --store URL verify`")
    with tempfile.TemporaryDirectory(prefix="mj-verify-") as scratch:  # 0700, removed afterwards
        copy = Path(scratch) / "copy.db"
        try:
            with contextlib.closing(sqlite3.connect(read_only_uri(path), uri=True)) as source, \
                    contextlib.closing(sqlite3.connect(copy)) as target:
                source.backup(target)
        except sqlite3.Error as error:
            raise JournalError(f"{path} is not a readable SQLite file: {error}") from None
        app = JournalApp(copy, identity)
        app.is_copy = True
        try:
            report = app.verify()
            copy_heads = app.chain_heads()
        finally:
            app.close()
    live_heads = live.chain_heads()
    matching = 0
    while matching < min(len(copy_heads), len(live_heads)) - 1 and \
            copy_heads[matching + 1] == live_heads[matching + 1]:
        matching += 1
    return BackupReport(report, len(live_heads) - 1, matching)
