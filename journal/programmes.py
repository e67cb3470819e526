"""Programmes: their signed terms, the keys their two aggregators open shares with, members'
signed memberships, and the per-month pseudonyms that carry no name.

A programme has a manager, who reads the released figures, and a helper (a steward: never the
manager), who adds the noise and keeps the budget. Each member's month is split into two
additive shares, one for each (journal/shares.py); neither alone says anything about her. A
programme made with `--no-helper` seals both shares to the manager, and its members are told so.

A month's pseudonym is HMAC(pseudonym key, programme ‖ period), the key derived from the
journal's signed first journal key: re-sending replaces, and months cannot be linked without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from domain import clock
from journal import crypto
from journal.errors import JournalError
from domain.programme_catalogue import RHO_RANGE
from journal.programme_store import ProgrammeRow, ProgrammeStore

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

MIN_K = 5
HELPER_ROLE = "steward"


@dataclass(frozen=True)
class Programme:
    name: str
    manager_fingerprint: str
    public_key: bytes
    helper_fingerprint: str  # '' without a helper: the manager then holds both shares
    helper_key: bytes
    k: int
    rho: Fraction  # zCDP budget per quarter
    start: str
    months: int
    settle_days: int
    created: str

    @property
    def has_helper(self) -> bool:
        return bool(self.helper_fingerprint)

    @property
    def helper(self) -> str:
        """Whoever does the helper's part: the helper, or the manager in a programme without one."""
        return self.helper_fingerprint or self.manager_fingerprint

    @property
    def periods(self) -> list[str]:
        return clock.months_from(self.start, self.end)

    @property
    def end(self) -> str:
        """The first month after the programme."""
        return clock.shift_month(self.start, self.months)

    @property
    def last_period(self) -> str:
        return clock.shift_month(self.start, self.months - 1)

    def settles_on(self, period: str) -> Any:
        """The first day a month may be batched: its close, plus the settling window."""
        from datetime import date, timedelta

        following = clock.shift_month(period, 1)
        return date(int(following[:4]), int(following[5:7]), 1) + timedelta(days=self.settle_days)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "manager": self.manager_fingerprint, "helper": self.helper_fingerprint or None,
                "k": self.k, "rho_per_quarter": str(self.rho), "start": self.start, "months": self.months,
                "settle_days": self.settle_days, "created": self.created}

    def pin(self) -> dict[str, Any]:
        """What her journal records at join (ProgrammeJoined), and holds every later row to."""
        return {"manager_fingerprint": self.manager_fingerprint, "public_key": crypto.sha256(self.public_key).hex(),
                "helper_fingerprint": self.helper_fingerprint, "helper_key": crypto.sha256(self.helper_key).hex(),
                "k": self.k, "rho": str(self.rho), "start": self.start, "months": self.months,
                "settle_days": self.settle_days}

    def terms(self) -> str:
        helper = f"helper {self.helper_fingerprint}" if self.has_helper else "no helper"
        return (f"manager {self.manager_fingerprint}, {helper}, k={self.k}, ρ={self.rho} per quarter, "
                f"{self.months} months from {self.start}, released {self.settle_days} days after each month, "
                f"programme key {self.pin()['public_key'][:16]}")


def _signed_part(p: Programme) -> bytes:
    return crypto.lp("mj/v2/programme", p.name, p.manager_fingerprint, p.public_key, p.helper_fingerprint,
                     p.helper_key, p.k, str(p.rho), p.start, p.months, p.settle_days, p.created)


def terms_digest(programme: Programme) -> str:
    """What a helper pins when it first aggregates a programme: the signed terms, all of them."""
    return crypto.sha256(_signed_part(programme)).hex()


def create_programme(app: Any, name: str, *, helper: Any, k: int, rho: Fraction, start: str, months: int,
                     settle_days: int) -> Programme:
    """`helper` is a verified directory Person of the steward role, or None (`--no-helper`)."""
    import re

    me = app.identity
    if me.role != "manager":
        raise JournalError(f"{me.name} is a {me.role}: only a programme manager creates programmes")
    if not re.fullmatch(r"[\w .-]{1,80}", name) or not name.strip():
        raise JournalError(f"{name!r} is not a programme name: use letters, digits, spaces, '.', '-' or '_'")
    if k < MIN_K:
        raise JournalError(f"k must be at least {MIN_K}: smaller cells identify people")
    if not RHO_RANGE[0] <= rho <= RHO_RANGE[1]:
        raise JournalError("rho must lie between 0.01 and 10 per quarter")
    if not 1 <= months <= 36:
        raise JournalError("a programme lasts 1 to 36 months")
    if not 0 <= settle_days <= 90:
        raise JournalError("the settling window is 0 to 90 days")
    if helper is not None and (helper.fingerprint == me.fingerprint or helper.role != HELPER_ROLE):
        raise JournalError(f"the helper must be a {HELPER_ROLE}, never the manager")
    key = crypto.new_x25519()
    public = crypto.raw_public(key.public_key())
    sealed = crypto.hpke_seal(me.encryption_key.public_key(), crypto.raw_private(key),
                              crypto.lp("mj/v1/programme-key", name))
    programme = Programme(name, me.fingerprint, public, helper.fingerprint if helper else "",
                          helper.x25519 if helper else public, k, rho, start, months, settle_days,
                          clock.now().isoformat())
    signature = crypto.sign(me.signing_key, _signed_part(programme))
    ProgrammeStore(app.recorder.datastore).insert(ProgrammeRow(*programme.__dict__.values(), signature), sealed)
    return programme


def find_programme(app: Any, name: str) -> Programme:
    """The programme, after checking its manager's signature against the directory."""
    row = ProgrammeStore(app.recorder.datastore).row(name)
    programme = Programme(*list(row.__dict__.values())[:-1])
    manager = signing_key(app, row.manager_fingerprint, "manager")
    if manager is None or not crypto.signature_holds(manager, row.signature, _signed_part(programme)):
        raise JournalError(f"programme {name!r} is not signed by a manager in the directory: not used")
    return programme


def signing_key(app: Any, fingerprint: str, role: str) -> Any:
    """A person's signing key: the reader's own when it is hers, else a verified directory entry."""
    from journal import directory

    if app.identity.fingerprint == fingerprint:
        return app.identity.signing_key.public_key() if app.identity.role == role else None
    person = directory.by_fingerprint(app.recorder.datastore, fingerprint)
    return person.signing_key if person is not None and person.role == role else None


def join_programme(app: Any, name: str, *, at: Any = None) -> Programme:
    """Joins, pinning the manager, the helper, both keys and the terms in her journal, and signs her
    membership (which bounds how many months are counted). Joining `at` an earlier moment consents
    to the months from that one on, never to months before the programme starts."""
    from domain.journal import MenteeJournal

    programme = find_programme(app, name)
    month = clock.local_month(at) if at is not None else clock.local_month(clock.now())
    if at is not None and month < programme.start:
        raise JournalError(f"a join dated {clock.local_day(at)} is before programme {programme.name!r} starts "
                           f"({programme.start}): give a date from {programme.start}-01 on")
    if month >= programme.end:
        raise JournalError(f"programme {programme.name!r} ended with {programme.last_period}: it takes no members")
    left = app.programmes().get(programme.name, (None, None))[1]
    if left is not None and month < left:
        raise JournalError(f"you left programme {programme.name!r} in {left}: a join again is dated from {left} on")
    app.update(MenteeJournal.join_programme, programme.name, at=at, pins=programme.pin())
    sign_membership(app, programme.name, month, None)
    return programme


def _membership_message(programme: str, fingerprint: str, joined: str, left: str | None) -> bytes:
    return crypto.lp("mj/v2/membership", programme, fingerprint, joined, left or "")


def sign_membership(app: Any, programme: str, joined: str, left: str | None) -> None:
    me = app.identity
    ProgrammeStore(app.recorder.datastore).put_membership(
        programme, me.fingerprint, joined, left,
        crypto.sign(me.signing_key, _membership_message(programme, me.fingerprint, joined, left)))


def keep_membership(app: Any, programme: str, joined: str, left: str | None) -> bool:
    """Her signed membership row as her journal says it is: written again when it is missing,
    altered or unsigned (a join whose second write failed, or a row a store writer deleted), so
    that her months are never counted past the members. True when it was written."""
    me = app.identity
    rows = ProgrammeStore(app.recorder.datastore).memberships(programme, me.fingerprint)
    message = _membership_message(programme, me.fingerprint, joined, left)
    if any(row.joined == joined and row.left == left and crypto.signature_holds(
            me.signing_key.public_key(), row.signature, message) for row in rows):
        return False
    sign_membership(app, programme, joined, left)
    return True


def signed_memberships(app: Any, programme: Programme) -> list[Any]:
    """The membership rows whose member's signature holds; a row anyone wrote without one counts
    for nothing."""
    rows = ProgrammeStore(app.recorder.datastore).memberships(programme.name)
    if not rows:
        return []
    from journal import directory

    # The whole directory at once when it is the members' (10,000 lookups of one row cost more)
    mentees = {p.fingerprint: p.signing_key for p in directory.people(app.recorder.datastore)
               if p.verified and p.role == "mentee"}
    return [row for row in rows if row.fingerprint in mentees and crypto.signature_holds(
        mentees[row.fingerprint], row.signature, _membership_message(programme.name, row.fingerprint, row.joined,
                                                                    row.left))]


def members_in(memberships: list[Any], period: str) -> int:
    """How many members a month can count: signed memberships that cover it."""
    return sum(1 for row in memberships if row.joined <= period and (row.left is None or period <= row.left))


def checked_against_pin(app: Any, programme: Programme, pins: dict[str, dict[str, Any]]) -> Programme:
    """The programme as she pinned it, or a refusal naming what differs."""
    pinned = pins.get(programme.name) or {}
    changed = [what for what, value in programme.pin().items() if pinned.get(what) != value]
    if changed:
        words = {"manager_fingerprint": "manager", "public_key": "programme key", "helper_fingerprint": "helper",
                 "helper_key": "helper's key", "rho": "ρ", "settle_days": "settling window"}
        raise JournalError(f"programme {programme.name!r} in the store is not the one you joined: its "
                           f"{', '.join(words.get(c, c) for c in changed)} differ from what you pinned; "
                           "nothing sent; to accept new terms, leave and join")
    return programme


def manager_key(app: Any, programme: Programme) -> X25519PrivateKey:
    """The programme's private key, which opens the manager's shares."""
    me = app.identity
    if me.fingerprint != programme.manager_fingerprint:
        raise JournalError(f"only the manager of {programme.name!r} can open its manager's shares")
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


def helper_key(app: Any, programme: Programme) -> X25519PrivateKey:
    """What opens the helper's shares: the helper's own key, or the programme's without a helper."""
    me = app.identity
    if me.fingerprint != programme.helper:
        raise JournalError(f"only the helper of {programme.name!r} can open its helper's shares")
    if not programme.has_helper:
        return manager_key(app, programme)
    if me.x25519_public != programme.helper_key:
        raise JournalError(f"programme {programme.name!r} names a helper key that is not yours: not used")
    return me.encryption_key


def pseudonym(pseudonym_key: bytes, programme: str, period: str) -> bytes:
    """`pseudonym_key` is derived from the signed jk 1 (Keyring.pseudonym_keys), not the AES key."""
    return crypto.mac(pseudonym_key, "mj/v1/pseudonym", programme, period)
