"""The programme table group (mj_programmes, mj_contributions, mj_programme_views,
mj_programme_releases, mj_privacy_ledger): its SQL
for both backends, and typed decoding of every column, so that a malformed row is one
`JournalError` naming the programme and the column, never a traceback.

    mj_programmes (name, manager_fingerprint, public_key, sealed_private, k, epsilon, months, created,
                   signature)  -- signed by the manager (journal/programmes.py checks it)
    mj_programme_releases (programme, period, row)  -- `row` is a signed release envelope (JSON):
        {"format": "mj-programme-release/1", "row": {...}, "quarter": "2026-Q2", "cost": "1/3",
         "signature": hex(Ed25519(manager, lp("mj/v1/programme-release", programme, period, body)))}
        where body is the canonical JSON of {"cost", "quarter", "row"}
    mj_privacy_ledger (programme, quarter, spent)

The statements are in SQLite's `?` style; the PostgreSQL cursor adapts them (journal/sql.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from journal import columns, sql
from journal.errors import JournalError
from journal.sql import take_turns, upsert

FINGERPRINT = re.compile(r"[0-9a-f]{4}( [0-9a-f]{4}){7}")
MAX_SEALED = 1024  # an HPKE-sealed 32-byte key is 81 bytes
MAX_RELEASE = 64 * 1024  # a release row is a dozen figures
RELEASE_FORMAT = "mj-programme-release/1"
_FRACTION = re.compile(r"\d{1,12}(/\d{1,12})?")
_PERIOD = re.compile(r"\d{4}-\d{2}")
MAX_ROWID = 2**63 - 1
MAX_CONTRIBUTION = 64 * 1024  # a month's sealed figures: a few hundred bytes
MAX_VIEW = 2**31  # the manager's sealed running view


@dataclass(frozen=True)
class ProgrammeRow:
    """Every column of a programme row, each of the type it must have (the signature unchecked)."""

    name: str
    manager_fingerprint: str
    public_key: bytes
    k: int
    epsilon: Fraction
    months: int
    created: str
    signature: bytes


def _malformed(name: Any, column: str) -> JournalError:
    return JournalError(f"programme {str(name)[:80]!r} has a malformed {column} in the store: not used")


def _checked(value: Any, name: Any, column: str) -> Any:
    """A column decoded by journal/columns.py, or the one-line error naming the programme."""
    if value is None:
        raise _malformed(name, column)
    return value


def fraction(value: Any, name: Any, column: str, low: Fraction, high: Fraction) -> Fraction:
    """A non-negative fraction written as text ("1", "1/3"), within [low, high]."""
    text = _checked(columns.text(value, limit=25, pattern=_FRACTION), name, column)
    try:
        number = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise _malformed(name, column) from None
    if not low <= number <= high:
        raise _malformed(name, column)
    return number


def _postgres(statement: str) -> str:
    # Contributions are paged by rowid, which PostgreSQL lacks, and a view's position is one.
    statement = sql.postgres_ddl(statement).replace("position INTEGER", "position BIGINT")
    if "mj_contributions" in statement:
        statement = statement.replace("sealed BYTEA,", "sealed BYTEA, rowid BIGSERIAL UNIQUE,")
    return statement


class ProgrammeStore:
    TABLES = [
        "CREATE TABLE IF NOT EXISTS mj_programmes (name TEXT PRIMARY KEY, manager_fingerprint TEXT, "
        "public_key BLOB, sealed_private BLOB, k INTEGER, epsilon TEXT, months INTEGER, created TEXT, signature BLOB)",
        "CREATE TABLE IF NOT EXISTS mj_contributions (programme TEXT, period TEXT, pseudonym BLOB, sealed BLOB, "
        "PRIMARY KEY (programme, period, pseudonym))",
        "CREATE TABLE IF NOT EXISTS mj_programme_views (programme TEXT PRIMARY KEY, position INTEGER, sealed BLOB)",
        "CREATE TABLE IF NOT EXISTS mj_programme_releases (programme TEXT, period TEXT, row TEXT, "
        "PRIMARY KEY (programme, period))",
        "CREATE TABLE IF NOT EXISTS mj_privacy_ledger (programme TEXT, quarter TEXT, spent TEXT, "
        "PRIMARY KEY (programme, quarter))",
    ]
    POSTGRES_TABLES = [_postgres(statement) for statement in TABLES]

    def __init__(self, datastore: Any):
        self.datastore = datastore

    # -- programmes --------------------------------------------------------------------

    def insert(self, row: ProgrammeRow, sealed_private: bytes) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute("SELECT 1 FROM mj_programmes WHERE name = ?", (row.name,))
            if c.fetchone():
                raise JournalError(f"a programme named {row.name!r} already exists in this store")
            c.execute("INSERT INTO mj_programmes (name, manager_fingerprint, public_key, sealed_private, k, epsilon, "
                      "months, created, signature) VALUES (?,?,?,?,?,?,?,?,?)",
                      (row.name, row.manager_fingerprint, row.public_key, sealed_private, row.k, str(row.epsilon),
                       row.months, row.created, row.signature))

    def row(self, name: str) -> ProgrammeRow:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT name, manager_fingerprint, public_key, k, epsilon, months, created, signature "
                      "FROM mj_programmes WHERE name = ?", (name,))
            found = c.fetchone()
        if found is None:
            known = ", ".join(self.names()) or "none"
            raise JournalError(f"no programme {name!r} in this store (known: {known})")
        _, manager_fp, public, k, epsilon, months, created, signature = found
        return ProgrammeRow(
            name, _checked(columns.text(manager_fp, limit=80, pattern=FINGERPRINT), name, "manager fingerprint"),
            _checked(columns.blob(public, size=32), name, "public key"),
            _checked(columns.integer(k, 5, 10**6), name, "k"),
            fraction(epsilon, name, "epsilon", Fraction(1, 100), Fraction(10)),
            _checked(columns.integer(months, 1, 36), name, "months"),
            _checked(columns.text(created, limit=40), name, "creation time"),
            _checked(columns.blob(signature, size=64), name, "signature"))

    def names(self) -> list[str]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT name FROM mj_programmes")
            return sorted(name for name in (columns.text(r[0], limit=80) for r in c.fetchall()) if name is not None)

    def sealed_private(self, name: str) -> bytes:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT sealed_private FROM mj_programmes WHERE name = ?", (name,))
            found = c.fetchone()
        if found is None:
            raise JournalError(f"no programme {name!r} in this store")
        return _checked(columns.blob(found[0], limit=MAX_SEALED), name, "sealed private key")

    # -- contributions and the manager's view -------------------------------------------

    def add_contribution(self, programme: str, period: str, pseudonym: bytes, sealed: bytes) -> bool:
        """False when this pseudonym already sent this period."""
        with self.datastore.transaction(commit=True) as c:
            take_turns(c, "mj_contributions")  # the manager reads them in rowid order
            c.execute("INSERT INTO mj_contributions (programme, period, pseudonym, sealed) VALUES (?,?,?,?) "
                      "ON CONFLICT DO NOTHING RETURNING 1", (programme, period, pseudonym, sealed))
            return c.fetchone() is not None

    def missing(self, programme: str, wanted: dict[str, list[bytes]]) -> list[str]:
        """The periods of `wanted` that none of their pseudonyms has sent yet."""
        missing = []
        with self.datastore.transaction(commit=False) as c:
            for period, pseudonyms in wanted.items():
                marks = ",".join("?" * len(pseudonyms))
                c.execute(f"SELECT 1 FROM mj_contributions WHERE programme = ? AND period = ? "
                          f"AND pseudonym IN ({marks})", (programme, period, *pseudonyms))
                if c.fetchone() is None:
                    missing.append(period)
        return missing

    def contributions_after(self, programme: str, position: int, limit: int
                            ) -> list[tuple[int, str | None, bytes | None]]:
        """(rowid, period, sealed) of the next `limit` rows after `position`. A row anyone wrote with
        the wrong types comes back with None for the column that does not decode: the reader skips
        it as it skips one that does not open, and moves its position past it all the same (a
        batch of nothing but such rows must not read as the end)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT rowid, period, sealed FROM mj_contributions WHERE programme = ? AND rowid > ? "
                      "ORDER BY rowid LIMIT ?", (programme, position, limit))
            rows = c.fetchall()
        decoded = [(columns.integer(r[0], 1, MAX_ROWID), columns.text(r[1], limit=20),
                    columns.blob(r[2], limit=MAX_CONTRIBUTION)) for r in rows]
        return [row for row in decoded if row[0] is not None]  # type: ignore[misc]

    def view(self, programme: str) -> tuple[int, bytes] | None:
        """The sealed view and its position; None when there is none, or it is malformed (rebuilt)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT position, sealed FROM mj_programme_views WHERE programme = ?", (programme,))
            found = c.fetchone()
        if found is None:
            return None
        position, sealed = columns.integer(found[0], 0, MAX_ROWID), columns.blob(found[1], limit=MAX_VIEW)
        return None if position is None or sealed is None else (position, sealed)

    def save_view(self, programme: str, position: int, sealed: bytes) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(upsert("mj_programme_views", ("programme", "position", "sealed"), ("programme",)),
                      (programme, position, sealed))

    # -- releases ----------------------------------------------------------------------

    def releases(self, programme: str) -> list[tuple[str, dict[str, Any] | str]]:
        """(period, envelope) for each release row; in place of an envelope that cannot be
        decoded, the reason, for one line."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT period, row FROM mj_programme_releases WHERE programme = ?", (programme,))
            rows = c.fetchall()
        found: list[tuple[str, dict[str, Any] | str]] = []
        for raw_period, raw_text in rows:
            period, text = columns.text(raw_period, limit=7, pattern=_PERIOD), columns.text(raw_text, limit=MAX_RELEASE)
            if period is None:
                found.append((str(raw_period)[:20], "its period is malformed"))
            elif text is None:
                found.append((period, "it is malformed"))
            else:
                try:
                    envelope = json.loads(text)
                except (ValueError, RecursionError):  # RecursionError: nested thousands deep
                    found.append((period, "it is not JSON"))
                    continue
                good = (isinstance(envelope, dict) and envelope.get("format") == RELEASE_FORMAT
                        and isinstance(envelope.get("row"), dict) and isinstance(envelope.get("signature"), str))
                found.append((period, envelope if good else "it is not signed"))
        return sorted(found, key=lambda item: item[0])

    def store_release(self, programme: str, period: str, envelope: dict[str, Any]) -> None:
        """Replaces whatever row is there: one that was not the manager's is ignored on read."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(upsert("mj_programme_releases", ("programme", "period", "row"), ("programme", "period")),
                      (programme, period, json.dumps(envelope, sort_keys=True)))

    # -- the privacy ledger ------------------------------------------------------------

    def spent(self, programme: str, quarter: str) -> Fraction:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT spent FROM mj_privacy_ledger WHERE programme = ? AND quarter = ?", (programme, quarter))
            found = c.fetchone()
        return self._spent(found, programme)

    def spend(self, programme: str, quarter: str, cost: Fraction, budget: Fraction, floor: Fraction) -> Fraction:
        """Records `cost` against the quarter's budget, or refuses; returns what remains. `floor` is
        what the manager's signed releases say was spent, whatever the ledger row says."""
        with self.datastore.transaction(commit=True) as c:
            take_turns(c, "mj_privacy_ledger")  # two reports at once must not both spend the same budget
            c.execute("SELECT spent FROM mj_privacy_ledger WHERE programme = ? AND quarter = ?", (programme, quarter))
            spent = max(self._spent(c.fetchone(), programme), floor)
            if spent + cost > budget:
                raise JournalError(f"the privacy budget of {programme!r} for {quarter} is spent "
                                   f"({spent} of {budget}): its months cannot be released")
            c.execute(upsert("mj_privacy_ledger", ("programme", "quarter", "spent"), ("programme", "quarter")),
                      (programme, quarter, str(spent + cost)))
        return budget - spent - cost

    @staticmethod
    def _spent(found: Any, programme: str) -> Fraction:
        if found is None:
            return Fraction(0)
        try:  # a malformed ledger row counts as a spent quarter, never as a fresh one
            return fraction(found[0], programme, "privacy ledger", Fraction(0), Fraction(10**6))
        except JournalError:
            return Fraction(10**6)
