"""The programme table group's terms and members (mj_programme_terms, mj_memberships): their SQL
for both backends and typed decoding of every column, so that a malformed row is one
`JournalError` naming the programme and the column, never a traceback.

    mj_programme_terms (name, manager_fingerprint, public_key, sealed_private, helper_fingerprint,
                        helper_key, k, rho, start, months, settle_days, created, signature)
        -- signed by the manager (journal/programmes.py checks it); helper_fingerprint is '' and
           helper_key the programme key itself when the programme has no helper
    mj_memberships (programme, fingerprint, joined, left_month, signature)
        -- signed by the member: the count of members a month may not exceed

The shares, batches, aggregate shares and releases are journal/share_store.py's. The statements
are in SQLite's `?` style; the PostgreSQL cursor adapts them (journal/sql.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from journal import columns
from journal.errors import JournalError
from journal.sql import upsert

FINGERPRINT = re.compile(r"[0-9a-f]{4}( [0-9a-f]{4}){7}")
PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
MAX_SEALED = 1024  # an HPKE-sealed 32-byte key is 81 bytes
_FRACTION = re.compile(r"\d{1,12}(/\d{1,12})?")


@dataclass(frozen=True)
class ProgrammeRow:
    """Every column of a programme's terms, each of the type it must have (the signature unchecked)."""

    name: str
    manager_fingerprint: str
    public_key: bytes
    helper_fingerprint: str  # '' when the programme has no helper
    helper_key: bytes
    k: int
    rho: Fraction
    start: str
    months: int
    settle_days: int
    created: str
    signature: bytes


@dataclass(frozen=True)
class MembershipRow:
    fingerprint: str
    joined: str
    left: str | None
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


class ProgrammeStore:
    TABLES = [
        "CREATE TABLE IF NOT EXISTS mj_programme_terms (name TEXT PRIMARY KEY, manager_fingerprint TEXT, "
        "public_key BLOB, sealed_private BLOB, helper_fingerprint TEXT, helper_key BLOB, k INTEGER, rho TEXT, "
        "start TEXT, months INTEGER, settle_days INTEGER, created TEXT, signature BLOB)",
        "CREATE TABLE IF NOT EXISTS mj_memberships (programme TEXT, fingerprint TEXT, joined TEXT, "
        "left_month TEXT, signature BLOB, PRIMARY KEY (programme, fingerprint))",
    ]

    def __init__(self, datastore: Any):
        self.datastore = datastore

    def insert(self, row: ProgrammeRow, sealed_private: bytes) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute("SELECT 1 FROM mj_programme_terms WHERE name = ?", (row.name,))
            if c.fetchone():
                raise JournalError(f"a programme named {row.name!r} already exists in this store")
            c.execute("INSERT INTO mj_programme_terms (name, manager_fingerprint, public_key, sealed_private, "
                      "helper_fingerprint, helper_key, k, rho, start, months, settle_days, created, signature) "
                      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                      (row.name, row.manager_fingerprint, row.public_key, sealed_private, row.helper_fingerprint,
                       row.helper_key, row.k, str(row.rho), row.start, row.months, row.settle_days, row.created,
                       row.signature))

    def row(self, name: str) -> ProgrammeRow:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT name, manager_fingerprint, public_key, helper_fingerprint, helper_key, k, rho, start, "
                      "months, settle_days, created, signature FROM mj_programme_terms WHERE name = ?", (name,))
            found = c.fetchone()
        if found is None:
            known = ", ".join(self.names()) or "none"
            raise JournalError(f"no programme {name!r} in this store (known: {known})")
        _, manager_fp, public, helper_fp, helper_key, k, rho, start, months, settle, created, signature = found
        helper = "" if helper_fp == "" else columns.text(helper_fp, limit=80, pattern=FINGERPRINT)
        return ProgrammeRow(
            name, _checked(columns.text(manager_fp, limit=80, pattern=FINGERPRINT), name, "manager fingerprint"),
            _checked(columns.blob(public, size=32), name, "public key"),
            _checked(helper, name, "helper fingerprint"),
            _checked(columns.blob(helper_key, size=32), name, "helper key"),
            _checked(columns.integer(k, 5, 10**6), name, "k"),
            fraction(rho, name, "rho", Fraction(1, 100), Fraction(10)),
            _checked(columns.text(start, limit=7, pattern=PERIOD), name, "start"),
            _checked(columns.integer(months, 1, 36), name, "months"),
            _checked(columns.integer(settle, 0, 90), name, "settling window"),
            _checked(columns.text(created, limit=40), name, "creation time"),
            _checked(columns.blob(signature, size=64), name, "signature"))

    def names(self) -> list[str]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT name FROM mj_programme_terms")
            return sorted(name for name in (columns.text(r[0], limit=80) for r in c.fetchall()) if name is not None)

    def sealed_private(self, name: str) -> bytes:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT sealed_private FROM mj_programme_terms WHERE name = ?", (name,))
            found = c.fetchone()
        if found is None:
            raise JournalError(f"no programme {name!r} in this store")
        return _checked(columns.blob(found[0], limit=MAX_SEALED), name, "sealed private key")

    # -- memberships -------------------------------------------------------------------

    def put_membership(self, programme: str, fingerprint: str, joined: str, left: str | None,
                       signature: bytes) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(upsert("mj_memberships", ("programme", "fingerprint", "joined", "left_month", "signature"),
                             ("programme", "fingerprint")), (programme, fingerprint, joined, left or "", signature))

    def memberships(self, programme: str, fingerprint: str | None = None) -> list[MembershipRow]:
        """Every row that decodes (only `fingerprint`'s, if given); the signatures are the caller's
        to check."""
        query, params = "SELECT fingerprint, joined, left_month, signature FROM mj_memberships WHERE programme = ?", \
            (programme,)
        if fingerprint is not None:
            query, params = query + " AND fingerprint = ?", (programme, fingerprint)
        with self.datastore.transaction(commit=False) as c:
            c.execute(query, params)
            rows = c.fetchall()
        return [row for row in map(membership_row, rows) if row is not None]


def membership_row(row: Any) -> MembershipRow | None:
    """(fingerprint, joined, left_month, signature) as stored, decoded; None if any column is wrong."""
    fingerprint, joined, left, signature = row
    decoded = (columns.text(fingerprint, limit=80, pattern=FINGERPRINT), columns.text(joined, limit=7, pattern=PERIOD),
               None if left == "" else columns.text(left, limit=7, pattern=PERIOD), columns.blob(signature, size=64))
    if None in (decoded[0], decoded[1], decoded[3]) or (left != "" and decoded[2] is None):
        return None
    return MembershipRow(*decoded)  # type: ignore[arg-type]
