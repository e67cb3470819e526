"""Releasing entries to mentors (grants), reading what was released, and mentor feedback.

A grant is one entry's data key sealed to the mentor with HPKE, its info binding the journal,
the record, the mentor and the grant id, and signed by the mentee. A feedback message is sealed
to the mentee and signed by the mentor; the mentee's client re-seals it as her own record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from domain import clock
from domain.events import LINE_LIMIT, TEXT_LIMIT, RecordEvent
from domain.journal import MenteeJournal
from journal import crypto, directory, sealed_format
from journal.errors import JournalError, RuleBroken
from journal.mapper import decode_event
from journal.versions import latest, standalone
from journal.views import EntryView

NOT_RELEASABLE = {"release", "revoke"}


@dataclass(frozen=True)
class Released:
    grant_id: str
    mentee: str
    mentee_fingerprint: str
    granted_at: str
    entry: EntryView

    def as_json(self) -> dict[str, Any]:
        return {"grant": self.grant_id, "mentee": self.mentee, "mentee_fingerprint": self.mentee_fingerprint,
                "granted_at": self.granted_at, "entry": self.entry.as_json()}


def _grant_info(journal_id: str, version: int, mentor_fp: str, grant_id: str) -> bytes:
    return crypto.lp("mj/v1/grant", journal_id, journal_id, version, mentor_fp, grant_id)


def _grant_message(grant_id, journal_id, version, mentee_fp, mentor_fp, granted_at, sealed) -> bytes:
    return crypto.lp("mj/v1/grant-signature", grant_id, journal_id, version, mentee_fp, mentor_fp, granted_at,
                     sealed)


def release_entry(app: Any, entry_id: str, mentor: directory.Person, history: list[EntryView] | None = None) -> str:
    """Records the release in the journal and writes the grant, in one transaction. `history`
    saves a second read when the caller already has it."""
    if mentor.role != "mentor":
        raise JournalError(f"{mentor.name} is a {mentor.role}: entries are released to mentors only")
    history = app.history() if history is None else history
    if any(e.kind == "retraction" and e.fields["target_id"] == entry_id for e in history):
        raise RuleBroken(f"entry {entry_id[:8]} was retracted: it cannot be released")
    # Its latest version: a corrected entry is released as corrected, and that version alone.
    entry = next((e for e in latest(history) if e.id == entry_id), None)
    if entry is None or entry.kind in NOT_RELEASABLE:
        raise JournalError(f"entry {entry_id[:8]} is a record of sharing itself and cannot be released")
    stored = app.recorder.select_events(app.journal_id, gt=entry.version - 1, lte=entry.version)[0]
    dek = app.mapper.open_data_key(stored)  # a missing or altered key row: one line naming the record
    grant_id = uuid4().hex
    journal, mentee_fp = app.journal_id.hex, app.identity.fingerprint
    granted_at = clock.now().isoformat()
    sealed = crypto.hpke_seal(mentor.encryption_key, dek, _grant_info(journal, entry.version, mentor.fingerprint,
                                                                      grant_id))
    signature = crypto.sign(app.identity.signing_key, _grant_message(
        grant_id, journal, entry.version, mentee_fp, mentor.fingerprint, granted_at, sealed))
    row = (grant_id, journal, entry.version, mentee_fp, mentor.fingerprint, granted_at, sealed, signature)
    app.update(MenteeJournal.release, entry_id, grant_id=grant_id, mentor_name=mentor.name,
               mentor_fingerprint=mentor.fingerprint, grants_granted=[row])
    return grant_id


def live_grants_to(history: list[EntryView], fingerprint: str) -> list[str]:
    """Her releases to this mentor that she has not taken back, oldest first."""
    taken_back = {e.fields["grant_id"] for e in history if e.kind == "revoke"}
    return [e.fields["grant_id"] for e in history if e.kind == "release"
            and e.fields["mentor_fingerprint"] == fingerprint and e.fields["grant_id"] not in taken_back]


def released_to_me(app: Any) -> tuple[list[Released], list[str]]:
    """Every entry released to this mentor that verifies, opens, and is named by its mentee's
    latest signed list of live grants (journal/grants.py); and why the others were not shown."""
    from journal.grants import GrantStore, believed
    from journal.seen_lists import SeenLists

    me, datastore = app.identity, app.recorder.datastore
    store = GrantStore(datastore)
    rows, malformed = store.to_mentor(me.fingerprint)
    rejected = [f"{malformed} grant row(s) addressed to you are malformed: not shown"] if malformed else []
    candidates = []
    for row in rows:
        grant_id, journal, version, mentee_fp = row.grant_id, row.journal_id, row.version, row.mentee_fingerprint
        mentee = directory.by_fingerprint(datastore, mentee_fp)
        if mentee is None:
            rejected.append(f"grant {grant_id[:8]}: its mentee {mentee_fp} has no verified directory entry")
            continue
        if not crypto.signature_holds(mentee.signing_key, row.signature, _grant_message(
                grant_id, journal, version, mentee_fp, row.mentor_fingerprint, row.granted_at, row.sealed)):
            rejected.append(f"grant {grant_id[:8]} claims to come from {mentee.name} but is not signed by them")
            continue
        try:
            dek = crypto.hpke_open(me.encryption_key, row.sealed, _grant_info(journal, version, me.fingerprint,
                                                                             grant_id))
            stream = UUID(journal)
            stored = app.recorder.select_events(stream, gt=version - 1, lte=version)
            if not stored:
                raise crypto.Unopenable()
            plaintext = sealed_format.open_with_data_key(stored[0].state, dek, stream_id=stream, version=version,
                                                         topic=stored[0].topic)
        except crypto.Unopenable:
            rejected.append(f"grant {grant_id[:8]} from {mentee.name} does not open the record it names")
            continue
        event = decode_event(plaintext, stream, version)
        if isinstance(event, RecordEvent):
            view = EntryView.of(event)
            view = standalone(view) if view.kind == "amendment" else view  # a corrected entry's latest version
            candidates.append((row, mentee, Released(grant_id, mentee.name, mentee.fingerprint, row.granted_at,
                                                     view)))
    opened, refused = believed(store, SeenLists(me), candidates, lambda fp: directory.by_fingerprint(datastore, fp))
    return opened, rejected + refused


def send_feedback(app: Any, mentee: directory.Person, text: str, about: str | None,
                  ratings: dict[str, int] | None = None) -> str:
    """Feedback (or, with `ratings`, an evaluation whose note is `text`), sealed to the mentee."""
    text = text.strip()
    if (not text and not ratings) or len(text) > TEXT_LIMIT:
        raise RuleBroken(f"text: must have 1 to {TEXT_LIMIT} characters")
    if app.identity.role != "mentor":
        raise JournalError("only mentors send feedback this way: a mentee's own feedback is `mj feedback add`")
    if mentee.role != "mentee":
        raise JournalError(f"{mentee.name} is a {mentee.role}: feedback goes to mentees")
    me, message_id = app.identity, uuid4().hex
    sent_at = clock.now().isoformat()
    body = feedback_body(message_id, text, about, sent_at, me.name[:LINE_LIMIT], me.fingerprint, ratings)
    sealed = crypto.hpke_seal(mentee.encryption_key, crypto.pad(body),  # padded: size says little
                              feedback_info(message_id, mentee.fingerprint, me.fingerprint))
    signature = crypto.sign(me.signing_key, feedback_signed_part(message_id, mentee.fingerprint, me.fingerprint,
                                                                 sent_at, sealed))
    from journal.outbox import OutboxStore

    copy = {"message_id": message_id, "to_name": mentee.name, "to_fingerprint": mentee.fingerprint, "text": text,
            "about": about, "ratings": ratings, "sent_at": sent_at}
    with app.recorder.datastore.transaction(commit=True) as c:  # the message and her copy of it, together
        InboxStore.insert(c, (message_id, mentee.fingerprint, me.fingerprint, sent_at, sealed, signature))
        OutboxStore.keep(c, me, message_id, sent_at, copy)
    return message_id


# Importing feedback, with her consent and within the size caps, lives with the inbox's SQL.
from journal.inbox import (InboxStore, feedback_body, feedback_info, feedback_signed_part,  # noqa: E402,F401
                           import_feedback)
