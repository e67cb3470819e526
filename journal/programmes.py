"""Programmes: their aggregation keys, anonymous sealed contributions, the manager's sealed
view of sums and counts, and the privacy-budget ledger.

A contribution carries no name and no journal id: its only handle is a per-period pseudonym,
HMAC(pseudonym key, programme ‖ period), with the pseudonym key derived from the journal's signed
first journal key, which makes re-sending idempotent and cannot be linked across periods without it.
"""

from __future__ import annotations

import hmac
import json
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from domain import clock
from journal import crypto
from journal.key_store import take_turns, upsert
from journal.errors import JournalError

MIN_K = 5


@dataclass(frozen=True)
class Programme:
    name: str
    manager_fingerprint: str
    public_key: bytes
    k: int
    epsilon: Fraction
    months: int
    created: str

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "manager": self.manager_fingerprint, "k": self.k,
                "epsilon_per_quarter": str(self.epsilon), "months": self.months, "created": self.created}


def _signed_part(name: str, manager_fp: str, public_key: bytes, k: int, epsilon: Fraction, months: int,
                 created: str) -> bytes:
    return crypto.lp("mj/v1/programme", name, manager_fp, public_key, k, str(epsilon), months, created)


def create_programme(app: Any, name: str, *, k: int, epsilon: Fraction, months: int) -> Programme:
    me = app.identity
    if me.role != "manager":
        raise JournalError(f"{me.name} is a {me.role}: only a programme manager creates programmes")
    if not re.fullmatch(r"[\w .-]{1,80}", name) or not name.strip():
        raise JournalError(f"{name!r} is not a programme name: use letters, digits, spaces, '.', '-' or '_'")
    if k < MIN_K:
        raise JournalError(f"k must be at least {MIN_K}: smaller cells identify people")
    if not (Fraction(1, 100) <= epsilon <= 10):
        raise JournalError("epsilon must lie between 0.01 and 10 per quarter")
    if not 1 <= months <= 36:
        raise JournalError("a programme lasts 1 to 36 months")
    key = X25519PrivateKey.generate()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    sealed = crypto.hpke_seal(me.encryption_key.public_key(), key.private_bytes_raw(),
                              crypto.lp("mj/v1/programme-key", name))
    created = clock.now().isoformat()
    signature = crypto.sign(me.signing_key, _signed_part(name, me.fingerprint, public, k, epsilon, months, created))
    with app.recorder.datastore.transaction(commit=True) as c:
        c.execute("SELECT 1 FROM mj_programmes WHERE name = ?", (name,))
        if c.fetchone():
            raise JournalError(f"a programme named {name!r} already exists in this store")
        c.execute("INSERT INTO mj_programmes VALUES (?,?,?,?,?,?,?,?,?)",
                  (name, me.fingerprint, public, sealed, k, str(epsilon), months, created, signature))
    return Programme(name, me.fingerprint, public, k, epsilon, months, created)


def find_programme(app: Any, name: str) -> Programme:
    """The programme, after checking its manager's signature against the directory."""
    from journal import directory

    with app.recorder.datastore.transaction(commit=False) as c:
        c.execute("SELECT name, manager_fingerprint, public_key, k, epsilon, months, created, signature "
                  "FROM mj_programmes WHERE name = ?", (name,))
        row = c.fetchone()
        if row is None:
            c.execute("SELECT name FROM mj_programmes ORDER BY name")
            known = ", ".join(r[0] for r in c.fetchall()) or "none"
            raise JournalError(f"no programme {name!r} in this store (known: {known})")
    name, manager_fp, public, k, epsilon, months, created, signature = row
    manager = directory.by_fingerprint(app.recorder.datastore, manager_fp)
    if manager is None or manager.role != "manager" or not crypto.signature_holds(
            manager.signing_key, bytes(signature),
            _signed_part(name, manager_fp, bytes(public), k, Fraction(epsilon), months, created)):
        raise JournalError(f"programme {name!r} is not signed by a manager in the directory: not used")
    return Programme(name, manager_fp, bytes(public), k, Fraction(epsilon), months, created)


def programme_private_key(app: Any, programme: Programme) -> X25519PrivateKey:
    me = app.identity
    if me.fingerprint != programme.manager_fingerprint:
        raise JournalError(f"only the manager of {programme.name!r} can read its contributions")
    with app.recorder.datastore.transaction(commit=False) as c:
        c.execute("SELECT sealed_private FROM mj_programmes WHERE name = ?", (programme.name,))
        sealed = bytes(c.fetchone()[0])
    raw = crypto.hpke_open(me.encryption_key, sealed, crypto.lp("mj/v1/programme-key", programme.name))
    return X25519PrivateKey.from_private_bytes(raw)


def pseudonym(pseudonym_key: bytes, programme: str, period: str) -> bytes:
    """`pseudonym_key` is derived from the signed jk 1 (Keyring.pseudonym_keys), not the AES key."""
    return hmac.new(pseudonym_key, crypto.lp("mj/v1/pseudonym", programme, period), "sha256").digest()


def contribute(app: Any, programme: Programme, period: str, payload: dict[str, Any]) -> bool:
    """Seals one period's bounded metrics to the programme. False when it was already sent."""
    pseudonym_key = app.keyring.pseudonym_keys(app.journal_id)[0]
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    sealed = crypto.hpke_seal(X25519PublicKey.from_public_bytes(programme.public_key), crypto.pad(body),
                              crypto.lp("mj/v1/contribution", programme.name, period))
    with app.recorder.datastore.transaction(commit=True) as c:
        take_turns(c, "mj_contributions")  # the manager reads them in rowid order
        c.execute("INSERT INTO mj_contributions (programme, period, pseudonym, sealed) VALUES (?,?,?,?) "
                  "ON CONFLICT DO NOTHING RETURNING 1",
                  (programme.name, period, pseudonym(pseudonym_key, programme.name, period), sealed))
        return c.fetchone() is not None


def missing_periods(app: Any, programme: Programme, periods: list[str]) -> list[str]:
    # A migrated journal sent its earlier months under its old pseudonyms: those count as sent.
    keys = app.keyring.pseudonym_keys(app.journal_id)
    marks = ",".join("?" * len(keys))
    with app.recorder.datastore.transaction(commit=False) as c:
        missing = []
        for period in periods:
            c.execute(f"SELECT 1 FROM mj_contributions WHERE programme = ? AND period = ? AND pseudonym IN ({marks})",
                      (programme.name, period, *(pseudonym(key, programme.name, period) for key in keys)))
            if c.fetchone() is None:
                missing.append(period)
    return missing


def contributions_after(app: Any, programme: str, position: int, limit: int) -> list[tuple[int, str, bytes]]:
    with app.recorder.datastore.transaction(commit=False) as c:
        c.execute("SELECT rowid, period, sealed FROM mj_contributions WHERE programme = ? AND rowid > ? "
                  "ORDER BY rowid LIMIT ?", (programme, position, limit))
        return [(r[0], r[1], bytes(r[2])) for r in c.fetchall()]


def open_contribution(key: X25519PrivateKey, programme: str, period: str, sealed: bytes) -> dict[str, Any]:
    return json.loads(crypto.unpad(crypto.hpke_open(key, sealed, crypto.lp("mj/v1/contribution", programme, period))))


def _view_key(key: X25519PrivateKey, programme: str) -> bytes:
    return crypto.sha256(crypto.lp("mj/v1/programme-view", programme, key.private_bytes_raw()))


def load_view(app: Any, key: X25519PrivateKey, programme: str) -> tuple[int, dict[str, Any]]:
    with app.recorder.datastore.transaction(commit=False) as c:
        c.execute("SELECT position, sealed FROM mj_programme_views WHERE programme = ?", (programme,))
        row = c.fetchone()
    if row is None:
        return 0, {}
    plaintext = crypto.open_sealed(_view_key(key, programme), bytes(row[1]),
                                   crypto.lp("mj/v1/programme-view", programme, row[0]))
    return row[0], json.loads(plaintext)


def save_view(app: Any, key: X25519PrivateKey, programme: str, position: int, view: dict[str, Any]) -> None:
    """The view and the position it has caught up to, in one row, so in one transaction."""
    sealed = crypto.seal(_view_key(key, programme), json.dumps(view).encode(),
                         crypto.lp("mj/v1/programme-view", programme, position))
    with app.recorder.datastore.transaction(commit=True) as c:
        c.execute(upsert("mj_programme_views", ("programme", "position", "sealed"), ("programme",)),
                  (programme, position, sealed))


def spend(app: Any, programme: Programme, quarter: str, cost: Fraction) -> Fraction:
    """Records `cost` against the quarter's budget, or refuses; returns what remains."""
    with app.recorder.datastore.transaction(commit=True) as c:
        take_turns(c, "mj_privacy_ledger")  # two reports at once must not both spend the same budget
        c.execute("SELECT spent FROM mj_privacy_ledger WHERE programme = ? AND quarter = ?", (programme.name, quarter))
        row = c.fetchone()
        spent = Fraction(row[0]) if row else Fraction(0)
        if spent + cost > programme.epsilon:
            raise JournalError(f"the privacy budget of {programme.name!r} for {quarter} is spent "
                               f"({spent} of {programme.epsilon}); the next release is possible next quarter")
        c.execute(upsert("mj_privacy_ledger", ("programme", "quarter", "spent"), ("programme", "quarter")),
                  (programme.name, quarter, str(spent + cost)))
    return programme.epsilon - spent - cost


def remaining(app: Any, programme: Programme, quarter: str) -> Fraction:
    with app.recorder.datastore.transaction(commit=False) as c:
        c.execute("SELECT spent FROM mj_privacy_ledger WHERE programme = ? AND quarter = ?", (programme.name, quarter))
        row = c.fetchone()
    return programme.epsilon - (Fraction(row[0]) if row else 0)


def released_periods(app: Any, programme: str) -> dict[str, dict[str, Any]]:
    """Statistics already released (noisy, suppressed where small): public by nature, reused."""
    with app.recorder.datastore.transaction(commit=False) as c:
        c.execute("SELECT period, row FROM mj_programme_releases WHERE programme = ? ORDER BY period", (programme,))
        return {period: json.loads(row) for period, row in c.fetchall()}


def store_release(app: Any, programme: str, period: str, row: dict[str, Any]) -> None:
    with app.recorder.datastore.transaction(commit=True) as c:
        c.execute("INSERT INTO mj_programme_releases VALUES (?,?,?)", (programme, period, json.dumps(row)))
