"""The grants table group (mj_grants, mj_live_grants): its SQL for both backends, typed decoding
of every column, and the checks a mentor's client makes before it believes a grant.

    mj_grants (grant_id, journal_id, version, mentee_fingerprint, mentor_fingerprint, granted_at,
               sealed, signature)                       one entry's data key, sealed to one mentor
    mj_live_grants (journal_id, sequence, grant_ids, signature)
    grant_ids = the live grant ids, sorted, as a JSON array; sequence = the journal's version
    signature = Ed25519(mentee's identity key, lp("mj/v1/live-grants", journal_id, sequence, *grant_ids))

Both move in the journal's own transaction (journal/data_key_store.py write_keys), so the list always
names exactly the releases the journal holds as active. A grant row alone is believed by nobody:
a revoked grant put back from a copy is not in her latest list, and a list put back from a copy
has a lower sequence than the one the mentor's device remembers (journal/seen_lists.py).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import PersistenceError

from journal import columns, crypto, sql
from journal.errors import TamperedRecord

LIVE_LABEL = "mj/v1/live-grants"
LIVE_UPSERT = ("INSERT INTO mj_live_grants (journal_id, sequence, grant_ids, signature) VALUES (?,?,?,?) "
               "ON CONFLICT (journal_id) DO UPDATE SET sequence = excluded.sequence, "
               "grant_ids = excluded.grant_ids, signature = excluded.signature")
GRANT_COLUMNS = ("grant_id", "journal_id", "version", "mentee_fingerprint", "mentor_fingerprint", "granted_at",
                 "sealed", "signature")
MAX_SEALED = 1024  # an HPKE-sealed 32-byte key is 80 bytes; anything far larger is not a grant
MAX_LIST_CHARS = 35 * 100_000  # ids of 32 hex digits, quoted, comma-separated
MAX_SEQUENCE = 2**63 - 1
SUPERSEDED = 2**63  # a device's memory of a list signed by keys she replaced: above any sequence
SIGNATURE_SIZE = 64
_HEX_ID = re.compile(r"[0-9a-f]{32}")
_FINGERPRINT = re.compile(r"[0-9a-f ]{1,80}")


def live_message(journal_id: str, sequence: int, grant_ids: Iterable[str]) -> bytes:
    return crypto.lp(LIVE_LABEL, journal_id, sequence, *sorted(grant_ids))


@dataclass(frozen=True)
class LiveList:
    """A list whose columns decoded; `signed_by` checks it against the mentee's directory key."""

    journal_id: str
    sequence: int
    grant_ids: frozenset[str]
    signature: bytes

    def signed_by(self, public_key: Any) -> bool:
        return crypto.signature_holds(public_key, self.signature,
                                      live_message(self.journal_id, self.sequence, self.grant_ids))


@dataclass(frozen=True)
class GrantRow:
    """A grant whose columns have the right types and sizes (its signature is not checked yet)."""

    grant_id: str
    journal_id: str
    version: int
    mentee_fingerprint: str
    mentor_fingerprint: str
    granted_at: str
    sealed: bytes
    signature: bytes


def signed_live_list(signing_key: Any, journal_id: str, sequence: int, grant_ids: Iterable[str]) -> tuple:
    """The row of her list: written by the mentee in the transaction of the release or revoke."""
    ids = sorted(grant_ids)
    return (journal_id, sequence, json.dumps(ids), crypto.sign(signing_key, live_message(journal_id, sequence, ids)))


def _hex_id(value: Any) -> str | None:
    return columns.text(value, limit=32, pattern=_HEX_ID)


def _fingerprint(value: Any) -> str | None:
    return columns.text(value, limit=80, pattern=_FINGERPRINT)


def _grant_row(row: Sequence[Any]) -> GrantRow | None:
    grant_id, journal, version, mentee_fp, mentor_fp, granted_at, sealed, signature = row
    decoded = (_hex_id(grant_id), _hex_id(journal), columns.integer(version, 1, MAX_SEQUENCE),
               _fingerprint(mentee_fp), _fingerprint(mentor_fp), columns.text(granted_at, limit=64),
               columns.blob(sealed, limit=MAX_SEALED), columns.blob(signature, size=SIGNATURE_SIZE))
    return None if None in decoded else GrantRow(*decoded)  # type: ignore[arg-type]


def _live_list(row: Sequence[Any]) -> LiveList | None:
    journal, sequence, text, signature = (_hex_id(row[0]), columns.integer(row[1], 0, MAX_SEQUENCE),
                                          columns.text(row[2], limit=MAX_LIST_CHARS),
                                          columns.blob(row[3], size=SIGNATURE_SIZE))
    if journal is None or sequence is None or text is None or signature is None:
        return None
    try:
        ids = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: a list nested thousands deep
        return None
    if type(ids) is not list or not all(_hex_id(g) for g in ids) or len(set(ids)) != len(ids):
        return None
    return LiveList(journal, sequence, frozenset(ids), signature)


def _store_error(error: BaseException) -> bool:
    """An error of SQLite or PostgreSQL (psycopg's, imported only if PostgreSQL is in use)."""
    return isinstance(error, (PersistenceError, sqlite3.Error)) or type(error).__module__.split(".")[0] == "psycopg"


class GrantStore:
    """Reads and writes of the grant tables, on either backend's cursor (SQLite `?` style)."""

    LIVE_TABLE = ("CREATE TABLE IF NOT EXISTS mj_live_grants (journal_id TEXT PRIMARY KEY, sequence BIGINT, "
                  "grant_ids TEXT, signature BLOB)")
    TABLES = [
        "CREATE TABLE IF NOT EXISTS mj_grants (grant_id TEXT PRIMARY KEY, journal_id TEXT, version INTEGER, "
        "mentee_fingerprint TEXT, mentor_fingerprint TEXT, granted_at TEXT, sealed BLOB, signature BLOB)",
        LIVE_TABLE,
    ]

    def __init__(self, datastore: Any):
        self.datastore = datastore

    @staticmethod
    def write(c: Any, changes: dict[str, Any]) -> None:
        """In the journal's transaction: new grants, deleted grants, and her new signed list."""
        c.executemany(f"INSERT INTO mj_grants ({', '.join(GRANT_COLUMNS)}) VALUES ({','.join('?' * 8)})",
                      changes.get("grants_granted", ()))
        c.executemany("DELETE FROM mj_grants WHERE grant_id = ?", [(g,) for g in changes.get("grants_revoked", ())])
        live = changes.get("live_grants")
        if live is not None:
            c.execute(sql.for_cursor(c, GrantStore.LIVE_TABLE))  # a store made before the list existed gains it
            c.execute(LIVE_UPSERT, live)

    def to_mentor(self, fingerprint: str) -> tuple[list[GrantRow], int]:
        """This mentor's grants whose columns decode, oldest first, and how many did not."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT {', '.join(GRANT_COLUMNS)} FROM mj_grants WHERE mentor_fingerprint = ?",
                      (fingerprint,))
            rows = c.fetchall()
        checked = [_grant_row(row) for row in rows]
        good = sorted((g for g in checked if g is not None), key=lambda g: (g.granted_at, g.grant_id))
        return good, len(checked) - len(good)

    def live_lists(self, journal_ids: Iterable[str]) -> dict[str, LiveList | None]:
        """Each journal's list; None for one that is malformed, absent for one without a list."""
        wanted = sorted(set(journal_ids))
        if not wanted:
            return {}
        try:
            with self.datastore.transaction(commit=False) as c:
                c.execute("SELECT journal_id, sequence, grant_ids, signature FROM mj_live_grants "
                          f"WHERE journal_id IN ({','.join('?' * len(wanted))})", wanted)
                rows = c.fetchall()
        except Exception as error:  # no such table: a store made before lists, so no list (fails closed)
            if not _store_error(error):
                raise
            return {}
        return {row[0]: _live_list(row) for row in rows if row[0] in wanted}


def _unbelieved(name: str, live: Any) -> str:
    if live is ...:
        return f"{name} has not yet signed a list of their live releases: not shown until they next share or revoke"
    problem = "malformed" if live is None else "not signed by them"
    return f"the list of live releases for {name}'s journal is {problem}: their releases are not shown"


def believed(store: GrantStore, memory: Any, candidates: Sequence[tuple[GrantRow, Any, Any]],
             mentee: Any) -> tuple[list[Any], list[str]]:
    """The items of `candidates` (grant, its mentee's Person, item) that her latest signed list
    names, and one line for each grant or list refused. Every list this device has seen is read
    again, grants or not, so that it learns her newest sequence even after she revoked the last
    grant to it (`mentee(fingerprint)` finds her Person). `memory` is a journal.seen_lists.SeenLists."""
    groups: dict[tuple[str, str], list[tuple[int, GrantRow, Any]]] = {}
    for index, (grant, _, item) in enumerate(candidates):
        groups.setdefault((grant.mentee_fingerprint, grant.journal_id), []).append((index, grant, item))
    people = {grant.mentee_fingerprint: person for grant, person, _ in candidates}
    try:
        known = memory.known()
    except TamperedRecord as error:  # this device's own file was altered
        return [], [str(error)]
    lists = store.live_lists([journal for _, journal in groups] + [journal for _, journal in known])
    kept: list[tuple[int, Any]] = []
    rejected: list[str] = []
    for fingerprint, journal in sorted(set(groups) | set(known)):
        members, person = groups.get((fingerprint, journal), []), people.get(fingerprint) or mentee(fingerprint)
        live = lists.get(journal, ...)
        if person is None or not isinstance(live, LiveList) or not live.signed_by(person.signing_key):
            if members and person is not None:
                rejected.append(_unbelieved(person.name, live))
            continue
        # Under keys she replaced since (`mj keys rotate --identity`), nothing is believed again; under
        # her new keys, the list must be as new as the newest this device saw under any of the old.
        if memory.seen(fingerprint, journal) == SUPERSEDED:
            if members:
                rejected.append(f"{person.name}'s releases under keys they have since replaced are ignored "
                                "(put back from a copy of the store)")
            continue
        # A rival successor, signed by an old key of hers that leaked: it claims keys this device knew for
        # another journal, or this journal while the device follows other keys of hers that it does not succeed.
        rival = [fp for fp, other in (memory.known() if person.predecessors else ()) if fp != fingerprint and (
            (other != journal and fp in person.predecessors) or (
                other == journal and fp not in person.predecessors and memory.seen(fp, journal) != SUPERSEDED))]
        if rival:
            if members:
                rejected.append(f"{person.name}'s keys {fingerprint[:9]} claim to succeed or replace keys this device "
                                f"follows ({rival[0][:9]}) without being signed by them: not shown")
            continue
        seen = max((n for fp in (fingerprint, *person.predecessors) if (n := memory.seen(fp, journal)) != SUPERSEDED),
                   default=-1)
        if live.sequence < seen:
            if members:
                rejected.append(f"{person.name}'s list of releases is older than one this device has seen: "
                                "the store was rolled back")
            continue
        memory.advance(fingerprint, journal, live.sequence)
        for predecessor in person.predecessors:
            memory.advance(predecessor, journal, SUPERSEDED)
        for index, grant, item in members:
            if grant.grant_id in live.grant_ids:
                kept.append((index, item))
            else:
                rejected.append(f"grant {grant.grant_id[:8]} is not in {person.name}'s signed list of live releases "
                                "(revoked, or put back from a copy): not shown")
    try:
        memory.save()
    except OSError as error:
        rejected.append(f"cannot write this device's memory of releases {memory.path} ({error.strerror}): a "
                        "rollback of the store would go unnoticed here until it can")
    return [item for _, item in sorted(kept, key=lambda pair: pair[0])], rejected
