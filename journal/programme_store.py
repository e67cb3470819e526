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

The statements are in SQLite's `?` style; the PostgreSQL cursor adapts them (journal/key_store.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from journal.errors import JournalError
from journal.key_store import take_turns, upsert

FINGERPRINT = re.compile(r"[0-9a-f]{4}( [0-9a-f]{4}){7}")
MAX_SEALED = 1024  # an HPKE-sealed 32-byte key is 81 bytes
MAX_RELEASE = 64 * 1024  # a release row is a dozen figures
RELEASE_FORMAT = "mj-programme-release/1"


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


def _text(value: Any, name: Any, column: str, limit: int = 80) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise _malformed(name, column)
    return value


def _blob(value: Any, name: Any, column: str, *, size: int | None = None, limit: int = MAX_SEALED) -> bytes:
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise _malformed(name, column)
    value = bytes(value)
    if (size is not None and len(value) != size) or len(value) > limit:
        raise _malformed(name, column)
    return value


def _integer(value: Any, name: Any, column: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _malformed(name, column)
    return value


def fraction(value: Any, name: Any, column: str, low: Fraction, high: Fraction) -> Fraction:
    """A non-negative fraction written as text ("1", "1/3"), within [low, high]."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{1,12}(/\d{1,12})?", value):
        raise _malformed(name, column)
    try:
        number = Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise _malformed(name, column) from None
    if not low <= number <= high:
        raise _malformed(name, column)
    return number


class ProgrammeStore:
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
        manager_fp = _text(manager_fp, name, "manager fingerprint")
        if not FINGERPRINT.fullmatch(manager_fp):
            raise _malformed(name, "manager fingerprint")
        return ProgrammeRow(name, manager_fp, _blob(public, name, "public key", size=32),
                            _integer(k, name, "k", 5, 10**6),
                            fraction(epsilon, name, "epsilon", Fraction(1, 100), Fraction(10)),
                            _integer(months, name, "months", 1, 36), _text(created, name, "creation time", 40),
                            _blob(signature, name, "signature", size=64))

    def names(self) -> list[str]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT name FROM mj_programmes")
            return sorted(r[0] for r in c.fetchall() if isinstance(r[0], str) and len(r[0]) <= 80)

    def sealed_private(self, name: str) -> bytes:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT sealed_private FROM mj_programmes WHERE name = ?", (name,))
            found = c.fetchone()
        if found is None:
            raise JournalError(f"no programme {name!r} in this store")
        return _blob(found[0], name, "sealed private key")

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

    def contributions_after(self, programme: str, position: int, limit: int) -> list[tuple[int, str, bytes]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT rowid, period, sealed FROM mj_contributions WHERE programme = ? AND rowid > ? "
                      "ORDER BY rowid LIMIT ?", (programme, position, limit))
            rows = c.fetchall()
        # a row anyone wrote with the wrong types is skipped here, as one that does not open is by the reader
        return [(r[0], r[1], bytes(r[2])) for r in rows if isinstance(r[0], int) and isinstance(r[1], str)
                and isinstance(r[2], (bytes, bytearray, memoryview))]

    def view(self, programme: str) -> tuple[int, bytes] | None:
        """The sealed view and its position; None when there is none, or it is malformed (rebuilt)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT position, sealed FROM mj_programme_views WHERE programme = ?", (programme,))
            found = c.fetchone()
        if found is None or isinstance(found[0], bool) or not isinstance(found[0], int) or found[0] < 0 \
                or not isinstance(found[1], (bytes, bytearray, memoryview)):
            return None
        return found[0], bytes(found[1])

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
        for period, text in rows:
            if not isinstance(period, str) or not re.fullmatch(r"\d{4}-\d{2}", period):
                found.append((str(period)[:20], "its period is malformed"))
            elif not isinstance(text, str) or len(text) > MAX_RELEASE:
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
                                   f"({spent} of {budget}); the next release is possible next quarter")
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
