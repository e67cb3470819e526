"""Programmes: their aggregation keys, anonymous sealed contributions, the manager's sealed
view of sums and counts, and the privacy-budget ledger.

A contribution carries no name and no journal id: its only handle is a per-period pseudonym,
HMAC(pseudonym key, programme ‖ period), with the pseudonym key derived from the journal's signed
first journal key, which makes re-sending idempotent and cannot be linked across periods without it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from domain import clock
from journal import crypto
from journal.errors import JournalError
from journal.programme_store import RELEASE_FORMAT, ProgrammeRow, ProgrammeStore

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

MIN_K = 5
EPSILON_RANGE = (Fraction(1, 100), Fraction(10))  # per quarter


def check_epsilon(epsilon: Fraction) -> None:
    if not EPSILON_RANGE[0] <= epsilon <= EPSILON_RANGE[1]:
        raise JournalError("epsilon must lie between 0.01 and 10 per quarter")


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

    def pin(self) -> dict[str, Any]:
        """What her journal records at join (ProgrammeJoined), and holds every later row to."""
        return {"manager_fingerprint": self.manager_fingerprint, "public_key": crypto.sha256(self.public_key).hex(),
                "k": self.k, "epsilon": str(self.epsilon), "months": self.months}

    def terms(self) -> str:
        return (f"manager {self.manager_fingerprint}, k={self.k}, ε={self.epsilon} per quarter, {self.months} months, "
                f"programme key {self.pin()['public_key'][:16]}")


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
    check_epsilon(epsilon)
    if not 1 <= months <= 36:
        raise JournalError("a programme lasts 1 to 36 months")
    key = crypto.new_x25519()
    public = crypto.raw_public(key.public_key())
    sealed = crypto.hpke_seal(me.encryption_key.public_key(), crypto.raw_private(key),
                              crypto.lp("mj/v1/programme-key", name))
    created = clock.now().isoformat()
    signature = crypto.sign(me.signing_key, _signed_part(name, me.fingerprint, public, k, epsilon, months, created))
    ProgrammeStore(app.recorder.datastore).insert(
        ProgrammeRow(name, me.fingerprint, public, k, epsilon, months, created, signature), sealed)
    return Programme(name, me.fingerprint, public, k, epsilon, months, created)


def find_programme(app: Any, name: str) -> Programme:
    """The programme, after checking its manager's signature against the directory."""
    row = ProgrammeStore(app.recorder.datastore).row(name)
    manager = _manager_key(app, row.manager_fingerprint)
    if manager is None or not crypto.signature_holds(
            manager, row.signature,
            _signed_part(name, row.manager_fingerprint, row.public_key, row.k, row.epsilon, row.months, row.created)):
        raise JournalError(f"programme {name!r} is not signed by a manager in the directory: not used")
    return Programme(name, row.manager_fingerprint, row.public_key, row.k, row.epsilon, row.months, row.created)


def _manager_key(app: Any, fingerprint: str) -> Any:
    """The manager's signing key: the reader's own when it is hers, else a verified directory entry."""
    from journal import directory

    if app.identity.fingerprint == fingerprint:
        return app.identity.signing_key.public_key() if app.identity.role == "manager" else None
    manager = directory.by_fingerprint(app.recorder.datastore, fingerprint)
    return manager.signing_key if manager is not None and manager.role == "manager" else None


def join_programme(app: Any, name: str, *, at: Any = None) -> Programme:
    """Joins, pinning the manager, the programme key and the terms in her journal. Joining `at`
    an earlier moment (a late joiner backfilling) consents to the months from that one on, never
    to months before the programme existed. Days, not moments, as for other records."""
    from datetime import datetime

    from domain.journal import MenteeJournal

    programme = find_programme(app, name)
    if at is not None:
        try:
            created = clock.local_day(datetime.fromisoformat(programme.created))
        except ValueError:  # signed, but not a time: no date can be shown to follow it
            raise JournalError(f"programme {programme.name!r} has no readable creation time: "
                               "join it without --at") from None
        if (day := clock.local_day(at)) < created:
            raise JournalError(f"a join dated {day} is before programme {programme.name!r} was created "
                               f"({created}): give a date from {created} on")
    app.update(MenteeJournal.join_programme, programme.name, at=at, pins=programme.pin())
    return programme


def checked_against_pin(app: Any, programme: Programme, pins: dict[str, dict[str, Any]],
                        notes: list[str] | None = None) -> Programme:
    """The programme as she pinned it, or a refusal naming it. A membership joined before joins
    pinned anything is pinned now, on first use, and said so in `notes`."""
    from domain.journal import MenteeJournal

    pinned = pins.get(programme.name)
    if pinned is None:
        app.update(MenteeJournal.pin_programme, programme.name, programme.pin())
        if notes is not None:
            notes.append(f"Pinned programme {programme.name!r} on first use (joined before joins pinned it): "
                         f"{programme.terms()}")
        return programme
    changed = [what for what, value in programme.pin().items() if pinned.get(what) != value]
    if changed:
        words = {"manager_fingerprint": "manager", "public_key": "programme key", "epsilon": "ε"}
        raise JournalError(f"programme {programme.name!r} in the store is not the one you joined: its "
                           f"{', '.join(words.get(c, c) for c in changed)} differ from what you pinned (manager "
                           f"{pinned.get('manager_fingerprint')}); nothing sent; to accept new terms, leave and join")
    return programme


def programme_private_key(app: Any, programme: Programme) -> X25519PrivateKey:
    me = app.identity
    if me.fingerprint != programme.manager_fingerprint:
        raise JournalError(f"only the manager of {programme.name!r} can read its contributions")
    sealed = ProgrammeStore(app.recorder.datastore).sealed_private(programme.name)
    try:
        raw = crypto.hpke_open(me.encryption_key, sealed, crypto.lp("mj/v1/programme-key", programme.name))
        key = crypto.x25519_private(raw)
    except (crypto.Unopenable, ValueError):
        raise JournalError(f"the private key of programme {programme.name!r} does not open: not used") from None
    if crypto.raw_public(key.public_key()) != programme.public_key:
        raise JournalError(f"the private key of programme {programme.name!r} in the store does not match its "
                           "signed public key: not used")
    return key


def pseudonym(pseudonym_key: bytes, programme: str, period: str) -> bytes:
    """`pseudonym_key` is derived from the signed jk 1 (Keyring.pseudonym_keys), not the AES key."""
    return crypto.mac(pseudonym_key, "mj/v1/pseudonym", programme, period)


def contribute(app: Any, programme: Programme, period: str, payload: dict[str, Any]) -> bool:
    """Seals one period's bounded metrics to the programme. False when it was already sent."""
    pseudonym_key = app.keyring.pseudonym_keys(app.journal_id)[0]
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    sealed = crypto.hpke_seal(crypto.x25519_public(programme.public_key), crypto.pad(body),
                              crypto.lp("mj/v1/contribution", programme.name, period))
    return ProgrammeStore(app.recorder.datastore).add_contribution(
        programme.name, period, pseudonym(pseudonym_key, programme.name, period), sealed)


def missing_periods(app: Any, programme: Programme, periods: list[str]) -> list[str]:
    # A migrated journal sent its earlier months under its old pseudonyms: those count as sent.
    keys = app.keyring.pseudonym_keys(app.journal_id)
    return ProgrammeStore(app.recorder.datastore).missing(
        programme.name, {period: [pseudonym(key, programme.name, period) for key in keys] for period in periods})


def contributions_after(app: Any, programme: str, position: int, limit: int) -> list[tuple[int, str, bytes]]:
    return ProgrammeStore(app.recorder.datastore).contributions_after(programme, position, limit)


def open_contribution(key: X25519PrivateKey, programme: str, period: str, sealed: bytes) -> dict[str, Any]:
    return json.loads(crypto.unpad(crypto.hpke_open(key, sealed, crypto.lp("mj/v1/contribution", programme, period))))


def _view_key(key: X25519PrivateKey, programme: str) -> bytes:
    return crypto.sha256(crypto.lp("mj/v1/programme-view", programme, crypto.raw_private(key)))


def load_view(app: Any, key: X25519PrivateKey, programme: str) -> tuple[int, dict[str, Any]]:
    """The sealed view and its position; a view that is missing, or does not open, starts over."""
    found = ProgrammeStore(app.recorder.datastore).view(programme)
    if found is None:
        return 0, {}
    try:
        view = json.loads(crypto.open_sealed(_view_key(key, programme), found[1],
                                             crypto.lp("mj/v1/programme-view", programme, found[0])))
    except (crypto.Unopenable, ValueError):
        return 0, {}
    return (found[0], view) if isinstance(view, dict) else (0, {})


def save_view(app: Any, key: X25519PrivateKey, programme: str, position: int, view: dict[str, Any], *,
              _nonce: bytes | None = None) -> None:
    """The view and the position it has caught up to, in one row, so in one transaction. `_nonce`
    is a seam for known-answer vectors only."""
    sealed = crypto.seal(_view_key(key, programme), json.dumps(view).encode(),
                         crypto.lp("mj/v1/programme-view", programme, position), _nonce=_nonce)
    ProgrammeStore(app.recorder.datastore).save_view(programme, position, sealed)


def spend(app: Any, programme: Programme, quarter: str, cost: Fraction) -> Fraction:
    """Records `cost` against the quarter's budget, or refuses; returns what remains. The ledger
    row is not signed: what the manager's signed releases charged to the quarter is a floor."""
    return ProgrammeStore(app.recorder.datastore).spend(programme.name, quarter, cost, programme.epsilon,
                                                        _signed_cost(app, programme, quarter))


def remaining(app: Any, programme: Programme, quarter: str) -> Fraction:
    spent = ProgrammeStore(app.recorder.datastore).spent(programme.name, quarter)
    return programme.epsilon - max(spent, _signed_cost(app, programme, quarter))


def _release_message(programme: str, period: str, row: Any, quarter: Any, cost: Any) -> bytes:
    body = json.dumps({"cost": cost, "quarter": quarter, "row": row}, sort_keys=True, separators=(",", ":"))
    return crypto.lp("mj/v1/programme-release", programme, period, body.encode())


def _signed_releases(app: Any, programme: Programme, ignored: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Release envelopes whose manager's signature holds; every other row is one line in `ignored`."""
    key = _manager_key(app, programme.manager_fingerprint)
    found: dict[str, dict[str, Any]] = {}
    for period, envelope in ProgrammeStore(app.recorder.datastore).releases(programme.name):
        reason = envelope if isinstance(envelope, str) else None
        if reason is None:
            try:
                signature = bytes.fromhex(envelope["signature"])
            except ValueError:
                signature = b""
            message = _release_message(programme.name, period, envelope["row"], envelope.get("quarter"),
                                       envelope.get("cost"))
            if key is None or not crypto.signature_holds(key, signature, message):
                reason = "it is not signed by the programme's manager"
        if reason is not None:
            if ignored is not None:
                ignored.append(f"ignored the release of {period} in the store for {programme.name!r}: {reason}")
            continue
        found[period] = envelope
    return found


def _signed_cost(app: Any, programme: Programme, quarter: str) -> Fraction:
    from journal.programme_store import fraction

    total = Fraction(0)
    for envelope in _signed_releases(app, programme).values():
        if envelope.get("quarter") == quarter:
            try:
                total += fraction(envelope.get("cost"), programme.name, "release cost", Fraction(0), Fraction(10))
            except JournalError:
                continue
    return total


def released_periods(app: Any, programme: Programme, ignored: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Statistics already released (noisy, suppressed where small): public by nature, reused. Only
    those the programme's manager signed; the rest are named in `ignored`, one line each."""
    return {period: envelope["row"] | {"period": period}
            for period, envelope in _signed_releases(app, programme, ignored).items()}


def store_release(app: Any, programme: Programme, period: str, row: dict[str, Any], quarter: str,
                  cost: Fraction) -> None:
    """Signed by the manager, with the quarter whose budget paid for it and what it cost."""
    me = app.identity
    if me.fingerprint != programme.manager_fingerprint:
        raise JournalError(f"only the manager of {programme.name!r} releases its figures")
    signature = crypto.sign(me.signing_key, _release_message(programme.name, period, row, quarter, str(cost)))
    ProgrammeStore(app.recorder.datastore).store_release(programme.name, period, {
        "format": RELEASE_FORMAT, "row": row, "quarter": quarter, "cost": str(cost), "signature": signature.hex()})
