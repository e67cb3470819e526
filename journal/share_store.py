"""The rows of a programme's aggregation (mj_shares, mj_batches, mj_aggregates, mj_releases), with
typed decoding of every column: whatever anyone wrote, a reader gets a value of the right type or
None, never a Python error.

    mj_shares (programme, period, pseudonym, leader, helper, receipt)
        -- one member's month: the manager's share and the helper's, each HPKE-sealed with the
           pseudonym, programme, period and kind in its info (journal/shares.py), and a receipt
           only she can open (what she sent, so that she re-sends only when it changed)
    mj_batches (programme, period, envelope)     -- the manager's signed choice of a month's rows
    mj_aggregates (programme, period, envelope)  -- the helper's signed noisy aggregate share
    mj_releases (programme, period, envelope)    -- the manager's signed released figures

Envelopes are canonical JSON whose signatures journal/aggregation.py checks.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from journal import columns
from journal.programme_store import PERIOD
from journal.sql import take_turns, upsert

MAX_SHARE = 4096  # a sealed share of nine figures is 304 bytes
MAX_ENVELOPE = 4 * 1024 * 1024  # a batch names the rows it left out; an aggregate is a dozen numbers
ENVELOPE_TABLES = ("mj_batches", "mj_aggregates", "mj_releases")


@dataclass(frozen=True)
class ShareRow:
    """One row of mj_shares as decoded: a column of the wrong type is None (the row is rejected)."""

    pseudonym: bytes | None
    leader: bytes | None
    helper: bytes | None


def _aggregated(text: Any) -> bool:
    """Whether an aggregate row says its month was aggregated (its signature is not checked here:
    a forged row only stops her re-sending, which withholding could do anyway)."""
    try:
        return json.loads(text).get("status") == "aggregated"
    except (TypeError, ValueError, AttributeError, RecursionError):
        return False


def _envelope_table(statement_table: str) -> str:
    return (f"CREATE TABLE IF NOT EXISTS {statement_table} (programme TEXT, period TEXT, envelope TEXT, "
            "PRIMARY KEY (programme, period))")


class ShareStore:
    TABLES = [
        "CREATE TABLE IF NOT EXISTS mj_shares (programme TEXT, period TEXT, pseudonym BLOB, leader BLOB, "
        "helper BLOB, receipt BLOB, PRIMARY KEY (programme, period, pseudonym))",
        *(_envelope_table(table) for table in ENVELOPE_TABLES),
    ]

    def __init__(self, datastore: Any):
        self.datastore = datastore

    # -- a member's shares -------------------------------------------------------------

    def receipt(self, programme: str, period: str, pseudonyms: list[bytes]) -> tuple[bytes, bytes | None] | None:
        """(pseudonym, receipt) of the first of `pseudonyms` that sent this month, or None."""
        with self.datastore.transaction(commit=False) as c:
            marks = ",".join("?" * len(pseudonyms))
            c.execute(f"SELECT pseudonym, receipt FROM mj_shares WHERE programme = ? AND period = ? "
                      f"AND pseudonym IN ({marks})", (programme, period, *pseudonyms))
            found = c.fetchone()
        if found is None:
            return None
        return bytes(found[0]), columns.blob(found[1], limit=MAX_SHARE)

    def put_shares(self, programme: str, period: str, pseudonym: bytes, leader: bytes, helper: bytes,
                   receipt: bytes) -> bool:
        """Sends, or replaces, her month; False (nothing written) once the month is aggregated. Until
        then a batch that no longer matches its rows is refused by the helper and made again."""
        with self.datastore.transaction(commit=True) as c:
            take_turns(c, "mj_shares")  # the manager's batch reads a month's rows under the same turn
            c.execute("SELECT envelope FROM mj_aggregates WHERE programme = ? AND period = ?", (programme, period))
            found = c.fetchone()
            if found is not None and _aggregated(found[0]):
                return False
            c.execute(upsert("mj_shares", ("programme", "period", "pseudonym", "leader", "helper", "receipt"),
                             ("programme", "period", "pseudonym")),
                      (programme, period, pseudonym, leader, helper, receipt))
        return True

    def put_receipt(self, programme: str, period: str, pseudonym: bytes, receipt: bytes) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute("UPDATE mj_shares SET receipt = ? WHERE programme = ? AND period = ? AND pseudonym = ?",
                      (receipt, programme, period, pseudonym))

    # -- the aggregators ---------------------------------------------------------------

    def month(self, programme: str, period: str) -> list[ShareRow]:
        with self.datastore.transaction(commit=False) as c:
            return self._month(c, programme, period)

    @staticmethod
    def _month(c: Any, programme: str, period: str) -> list[ShareRow]:
        c.execute("SELECT pseudonym, leader, helper FROM mj_shares WHERE programme = ? AND period = ?",
                  (programme, period))
        return [ShareRow(columns.blob(p, size=32), columns.blob(lead, limit=MAX_SHARE),
                         columns.blob(help_, limit=MAX_SHARE)) for p, lead, help_ in c.fetchall()]

    def freeze(self, programme: str, period: str, make: Callable[[list[ShareRow]], dict[str, Any] | None]
               ) -> dict[str, Any] | None:
        """Reads a month's rows and writes the batch `make` builds from them in one turn, so that no
        member's replacement slips in between. Nothing is written when `make` returns None."""
        with self.datastore.transaction(commit=True) as c:
            take_turns(c, "mj_shares")
            envelope = make(self._month(c, programme, period))
            if envelope is not None:
                c.execute(upsert("mj_batches", ("programme", "period", "envelope"), ("programme", "period")),
                          (programme, period, json.dumps(envelope, sort_keys=True)))
        return envelope

    # -- signed envelopes --------------------------------------------------------------

    def envelopes(self, table: str, programme: str) -> list[tuple[str, dict[str, Any] | str]]:
        """(period, envelope) for each row of `table`; in place of an envelope that does not decode,
        the reason, for one line."""
        assert table in ENVELOPE_TABLES
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT period, envelope FROM {table} WHERE programme = ?", (programme,))
            rows = c.fetchall()
        found: list[tuple[str, dict[str, Any] | str]] = []
        for raw_period, raw_text in rows:
            period, text = columns.text(raw_period, limit=7, pattern=PERIOD), columns.text(raw_text, limit=MAX_ENVELOPE)
            if period is None:
                found.append((str(raw_period)[:20], "its month is malformed"))
                continue
            if text is None:
                found.append((period, "it is malformed"))
                continue
            try:
                envelope = json.loads(text)
            except (ValueError, RecursionError):  # RecursionError: nested thousands deep
                found.append((period, "it is not JSON"))
                continue
            found.append((period, envelope if isinstance(envelope, dict) else "it is not signed"))
        return sorted(found, key=lambda item: item[0])

    def put_envelope(self, table: str, programme: str, period: str, envelope: dict[str, Any]) -> None:
        """Replaces whatever row is there: one its signer did not sign is ignored on read."""
        assert table in ENVELOPE_TABLES
        with self.datastore.transaction(commit=True) as c:
            c.execute(upsert(table, ("programme", "period", "envelope"), ("programme", "period")),
                      (programme, period, json.dumps(envelope, sort_keys=True)))
