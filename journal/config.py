"""Where things live: $MJ_HOME (default: the user's data dir), the store and the identity file.

A store is an SQLite file (a path or `sqlite:///path`, the default `$MJ_HOME/journal.db`) or a
shared PostgreSQL database (`postgresql://user[:password]@host[:port]/dbname`). The password is
never shown: `str(location)` and every message use the URL without it. Leave it out of the URL
to have libpq take it from `PGPASSWORD` or `~/.pgpass` instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from journal.errors import StoreUnavailable

APP_NAME = "mentoring-journal"
POSTGRES_SCHEMES = ("postgresql", "postgres")


def home() -> Path:
    configured = os.environ.get("MJ_HOME")
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


@dataclass(frozen=True)
class StoreLocation:
    """An SQLite file (`path`) or a PostgreSQL database (host, port, dbname, user)."""

    path: Path | None = None
    host: str = ""
    port: int = 5432
    dbname: str = ""
    user: str = ""
    password: str = field(default="", repr=False)

    @property
    def is_postgres(self) -> bool:
        return self.path is None

    def __str__(self) -> str:
        if self.path is not None:
            return str(self.path)
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"postgresql://{self.user}@{host}:{self.port}/{self.dbname}"

    def redact(self, text: str) -> str:
        """`text` with the password taken out, whatever a library put in it."""
        return text.replace(self.password, "***") if self.password else text

    @classmethod
    def parse(cls, value: str | os.PathLike[str]) -> StoreLocation:
        text = os.fspath(value)
        if "://" not in text:
            return cls(path=Path(text).expanduser())
        scheme = text.split("://", 1)[0].lower()
        if scheme == "sqlite":
            if not text.startswith("sqlite:///") or len(text) == len("sqlite:///"):
                raise StoreUnavailable("an SQLite store URL is sqlite:///path/to/journal.db")
            return cls(path=Path(text[len("sqlite:///"):]).expanduser())
        if scheme not in POSTGRES_SCHEMES:
            raise StoreUnavailable(f"unsupported store URL scheme {scheme!r}: use a file path, "
                                   "sqlite:///path or postgresql://user@host:port/dbname")
        return cls._parse_postgres(text)

    @classmethod
    def _parse_postgres(cls, text: str) -> StoreLocation:
        usage = "a PostgreSQL store URL is postgresql://user[:password]@host[:port]/dbname"
        parts = urlsplit(text)
        try:
            port = parts.port or 5432
        except ValueError:
            raise StoreUnavailable(f"the store URL's port is not a number from 1 to 65535; {usage}") from None
        if parts.query or parts.fragment:
            raise StoreUnavailable(f"the store URL takes no ?options or #fragment; {usage} "
                                   "(libpq's PG* environment variables, such as PGSSLMODE, still apply)")
        dbname = unquote(parts.path.lstrip("/"))
        host = unquote(parts.hostname or "")
        if not host or not dbname or "/" in dbname or not parts.username:
            raise StoreUnavailable(f"the store URL needs a user, a host and a database name; {usage}")
        return cls(host=host, port=port, dbname=dbname, user=unquote(parts.username),
                   password=unquote(parts.password or ""))

    @classmethod
    def of(cls, value: StoreLocation | str | os.PathLike[str]) -> StoreLocation:
        return value if isinstance(value, StoreLocation) else cls.parse(value)

    def persistence_settings(self, lock_timeout: int, *, create: bool) -> dict[str, str]:
        """eventsourcing's settings for this store, and only ours: a stray CIPHER_TOPIC or
        COMPRESSOR_TOPIC in the user's environment must never change how records are sealed."""
        if self.path is not None:
            return {"PERSISTENCE_MODULE": "journal.sqlite_store:SealedSQLiteFactory", "SQLITE_DBNAME": str(self.path),
                    "SQLITE_LOCK_TIMEOUT": str(lock_timeout), "IS_SNAPSHOTTING_ENABLED": "y"}
        return {"PERSISTENCE_MODULE": "journal.postgres_store:SealedPostgresFactory",
                "POSTGRES_DBNAME": self.dbname, "POSTGRES_HOST": self.host, "POSTGRES_PORT": str(self.port),
                "POSTGRES_USER": self.user, "POSTGRES_PASSWORD": self.password,
                "POSTGRES_LOCK_TIMEOUT": str(lock_timeout),
                # The tables are made by `mj init` (enrolment); other commands skip the DDL round trips.
                "CREATE_TABLE": "y" if create else "n", "IS_SNAPSHOTTING_ENABLED": "y"}


def store_location(option: str | None = None) -> StoreLocation:
    """--store, else MJ_STORE, else $MJ_HOME/journal.db."""
    value = option or os.environ.get("MJ_STORE")
    return StoreLocation.parse(value) if value else StoreLocation(path=home() / "journal.db")


def identity_path(option: str | None = None) -> Path:
    value = option or os.environ.get("MJ_IDENTITY")
    return Path(value).expanduser() if value else home() / "identity.json"
