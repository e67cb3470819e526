"""The feedback inbox: mentors post sealed, signed messages; the mentee imports them with her consent.

`InboxStore` owns the inbox's SQL for both backends and hands out only checked values. A message
is opened only when its sender is a mentor she released to or accepted (`mj inbox accept`) and
not one she blocked (`mj inbox block`, which wins over a release); only when its sizes, read
first with `length()`, are within the caps (nothing larger is ever fetched); and only once: a
message refused for any reason is recorded in her journal (FeedbackRefused) and never fetched,
opened or reported again. The others stay in the inbox unopened, counted by `mj inbox`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.limits import LINE_LIMIT
from journal import columns, crypto, directory
from journal.errors import RuleBroken
from journal.store_errors import store_errors

MAX_SEALED = 64 * 1024  # send_feedback's largest (10,000 characters, padded) is well under this
MAX_SIGNATURE = 64  # Ed25519
_ID = re.compile(r"[0-9a-f]{32}")
_FINGERPRINT = re.compile(r"[0-9a-f]{4}( [0-9a-f]{4}){7}")


@dataclass(frozen=True)
class Waiting:
    """A message's metadata, before anything else of it is fetched."""

    key: str  # 32 hex digits: the message id, or a digest of an id mj never writes
    message_id: str | None  # as stored, when it is one mj writes (so it can be fetched and deleted)
    sender: str | None  # the fingerprint it claims, when well formed
    sealed_size: int | None
    signature_size: int | None


@dataclass(frozen=True)
class Message:
    message_id: str
    sender: str
    sent_at: str
    sealed: bytes
    signature: bytes


def feedback_body(message_id: str, text: str, about: str | None, sent_at: str, from_name: str,
                  from_fingerprint: str, ratings: dict[str, int] | None = None,
                  countersignature: dict[str, str] | None = None) -> bytes:
    """The plaintext a mentor seals (then pads): JSON with sorted keys, json.dumps's default spacing.
    An evaluation carries `ratings` (skill -> 1..5), its `text` being the note ("" for none); a
    countersignature of her completion statement carries `countersignature` (journal/completion_store.py)."""
    body = {"message_id": message_id, "text": text, "about": about, "sent_at": sent_at, "from_name": from_name,
            "from_fingerprint": from_fingerprint}
    body |= {"ratings": ratings} if ratings else {}
    body |= {"countersignature": countersignature} if countersignature else {}
    return json.dumps(body, sort_keys=True).encode()


def feedback_info(message_id: str, recipient: str, sender: str) -> bytes:
    """The HPKE info of a feedback message: its id, its recipient's and its sender's fingerprints."""
    return crypto.lp("mj/v1/feedback", message_id, recipient, sender)


def feedback_signed_part(message_id: str, recipient: str, sender: str, sent_at: str, sealed: bytes) -> bytes:
    """What the mentor signs: the message's id, both fingerprints, when it was sent, and its sealed bytes."""
    return crypto.lp("mj/v1/feedback-signature", message_id, recipient, sender, sent_at, sealed)


def open_feedback_body(private_key: Any, message_id: str, recipient: str, sender: str, sealed: bytes) -> Any:
    """The message's JSON body, or crypto.Unopenable (or a JSON error) if it does not open."""
    return json.loads(crypto.unpad(crypto.hpke_open(private_key, sealed, feedback_info(message_id, recipient, sender))))


def _size(value: Any) -> int | None:
    return columns.integer(value, 0, 2**63 - 1)


def _key(message_id: Any, id_length: Any) -> tuple[str, bool]:
    """A message's id if it is well formed, else a stand-in derived from what is stored."""
    well_formed = id_length == 32 and columns.text(message_id, limit=32, pattern=_ID) is not None
    stand_in = None if well_formed else crypto.sha256(repr((message_id, id_length)).encode()).hex()[:32]
    return (message_id if well_formed else stand_in), well_formed


class InboxStore:
    TABLES = [
        "CREATE TABLE IF NOT EXISTS mj_inbox (message_id TEXT PRIMARY KEY, recipient_fingerprint TEXT, "
        "sender_fingerprint TEXT, sent_at TEXT, sealed BLOB, signature BLOB)",
    ]

    def __init__(self, datastore: Any):
        self.datastore = datastore

    def post(self, message_id: str, recipient: str, sender: str, sent_at: str, sealed: bytes,
             signature: bytes) -> None:
        with self.datastore.transaction(commit=True) as c:
            self.insert(c, (message_id, recipient, sender, sent_at, sealed, signature))

    @staticmethod
    def insert(c: Any, row: tuple[str, str, str, str, bytes, bytes]) -> None:
        """In the caller's transaction: (message_id, recipient, sender, sent_at, sealed, signature)."""
        c.execute("INSERT INTO mj_inbox VALUES (?,?,?,?,?,?)", row)

    def waiting(self, recipient: str) -> list[Waiting]:
        """Every message addressed to `recipient`: ids, claimed sender and sizes only."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT substr(message_id, 1, 40), length(message_id), substr(sender_fingerprint, 1, 40), "
                      "length(sealed), length(signature) FROM mj_inbox WHERE recipient_fingerprint = ? "
                      "ORDER BY sent_at", (recipient,))
            rows = c.fetchall()
        found = []
        for message_id, id_length, sender, sealed_size, signature_size in rows:
            key, well_formed = _key(message_id, id_length)
            found.append(Waiting(key, message_id if well_formed else None,
                                 columns.text(sender, limit=39, pattern=_FINGERPRINT), _size(sealed_size),
                                 _size(signature_size)))
        return found

    @staticmethod
    def keys(c: Any, recipient: str) -> set[str]:
        """In the caller's transaction: the key (as `waiting` gives it) of every message to `recipient`."""
        c.execute("SELECT substr(message_id, 1, 40), length(message_id) FROM mj_inbox WHERE recipient_fingerprint = ?",
                  (recipient,))
        return {_key(message_id, id_length)[0] for message_id, id_length in c.fetchall()}

    def fetch(self, waiting: Waiting) -> Message | None:
        """The whole message, only within the caps (checked again in the query itself); None if
        it is gone, grew, or holds values of the wrong type."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT sent_at, sealed, signature FROM mj_inbox WHERE message_id = ? "
                      "AND sender_fingerprint = ? AND length(sealed) <= ? AND length(signature) <= ? "
                      "AND length(sent_at) <= 64", (waiting.message_id, waiting.sender, MAX_SEALED, MAX_SIGNATURE))
            row = c.fetchone()
        if row is None:
            return None
        sent_at, sealed, signature = (columns.text(row[0], limit=64), columns.blob(row[1], limit=MAX_SEALED),
                                      columns.blob(row[2], limit=MAX_SIGNATURE))
        if sent_at is None or sealed is None or signature is None:
            return None
        return Message(str(waiting.message_id), str(waiting.sender), sent_at, sealed, signature)

    def delete(self, message_id: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute("DELETE FROM mj_inbox WHERE message_id = ?", (message_id,))


@dataclass(frozen=True)
class Consent:
    received: set[str]
    refused: set[str]
    allowed: set[str]  # fingerprints whose messages are opened
    blocked: set[str]
    # mentors she sent a completion statement to countersign and has no countersignature from: their
    # messages are opened for that countersignature alone, even after the relationship ended
    awaiting: set[str]


def consent(app: Any) -> Consent:
    """Her decisions, from her journal: releases and acceptances allow a sender; a block wins."""
    with store_errors(app.store):
        journal = app._journal()
        released = {e.fields["mentor_fingerprint"] for e in app.history() if e.kind == "release"}
    decided = journal.correspondents
    blocked = {fp for fp, decision in decided.items() if decision == "blocked"}
    allowed = (released | {fp for fp, decision in decided.items() if decision == "accepted"}) - blocked
    awaiting = {c["mentor"] for c in journal.completions.values() if not c["countersigned"]} - allowed
    return Consent(set(journal.received), set(journal.refused), allowed, blocked, awaiting)


def import_feedback(app: Any) -> tuple[list[str], list[str]]:
    """Turns each verified message from an allowed sender into her own FeedbackReceived record,
    then deletes the inbox copy. Safe to interrupt: a message already imported is only deleted."""
    store = InboxStore(app.recorder.datastore)
    rows = store.waiting(app.identity.fingerprint)
    if not rows:
        return [], []
    decided = consent(app)
    imported: list[str] = []
    rejected: list[str] = []
    refusals: list[str] = []
    for row in rows:
        if row.key in decided.received:
            if row.message_id is not None:
                store.delete(row.message_id)  # an import interrupted before its delete
            continue
        if row.key in decided.refused or row.sender not in decided.allowed | decided.awaiting:
            continue
        reason = _import_one(app, store, row, imported, only_countersignature=row.sender not in decided.allowed)
        if reason is not None:
            rejected.append(reason)
            refusals.append(row.key)
    if refusals:  # recorded once, so never fetched, opened or reported again
        from domain.consent import REFUSED_PER_EVENT
        from domain.journal import MenteeJournal

        for start in range(0, len(refusals), REFUSED_PER_EVENT):
            app.update(MenteeJournal.refuse_feedback, refusals[start:start + REFUSED_PER_EVENT])
    return imported, rejected


def _import_one(app: Any, store: InboxStore, row: Waiting, imported: list[str], *,
                only_countersignature: bool = False) -> str | None:
    """Imports one message; or says, in one line, why it was refused."""
    from domain.journal import MenteeJournal

    me = app.identity
    if row.message_id is None:
        return f"feedback {row.key[:8]}: its id is not one mj writes: not opened"
    if row.sealed_size is None or row.signature_size is None:
        return f"feedback {row.message_id[:8]} is malformed: not imported"
    if row.sealed_size > MAX_SEALED or row.signature_size > MAX_SIGNATURE:
        return (f"feedback {row.message_id[:8]} is too large ({row.sealed_size} bytes; at most {MAX_SEALED}): "
                "not downloaded")
    message = store.fetch(row)
    if message is None:
        return f"feedback {row.message_id[:8]} is malformed: not imported"
    message_id, sender_fp = message.message_id, message.sender
    sender = directory.by_fingerprint(store.datastore, sender_fp)
    if sender is None or sender.role != "mentor" or not crypto.signature_holds(
            sender.signing_key, message.signature,
            feedback_signed_part(message_id, me.fingerprint, sender_fp, message.sent_at, message.sealed)):
        return f"feedback {message_id[:8]} is not signed by a mentor in the directory: not imported"
    try:
        body = open_feedback_body(me.encryption_key, message_id, me.fingerprint, sender_fp, message.sealed)
        text, about = body["text"], body.get("about")
        sent = datetime.fromisoformat(body["sent_at"])
        if only_countersignature and "countersignature" not in body:
            return (f"feedback {message_id[:8]} from {sender.name[:40]}: you no longer take this mentor's "
                    "feedback, only the countersignature you asked for: not imported")
        if "countersignature" in body:  # of a completion statement she sent this mentor
            from journal.completion_store import receive_countersignature

            imported.append(receive_countersignature(app, sender, message_id, body))
        elif "ratings" in body:  # an evaluation: only from her current mentor (refused once otherwise)
            imported.append(app.update(
                MenteeJournal.receive_evaluation, message_id=message_id, from_name=sender.name[:LINE_LIMIT],
                from_fingerprint=sender.fingerprint, ratings=body["ratings"], note=text or None, sent_at=sent))
        else:
            imported.append(app.update(
                MenteeJournal.receive_feedback, message_id=message_id, from_name=sender.name[:LINE_LIMIT],
                from_fingerprint=sender.fingerprint, text=text, about=about, sent_at=sent))
    except crypto.Unopenable:
        return f"feedback {message_id[:8]} from {sender.name} does not open: altered, not imported"
    except RuleBroken as error:  # her journal's rule: e.g. an evaluation from someone who is not her mentor
        return f"feedback {message_id[:8]} from {sender.name[:40]}: {error}: not imported"
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as error:  # json's are ValueErrors
        return f"feedback {message_id[:8]} from {sender.name[:40]} is malformed ({error}): not imported"
    store.delete(message_id)
    return None


def waiting_senders(app: Any) -> list[tuple[str, str, int]]:
    """(fingerprint, name, count) of messages from mentors in the directory waiting for her consent;
    messages claiming anyone else can never be imported and are not counted."""
    rows = InboxStore(app.recorder.datastore).waiting(app.identity.fingerprint)
    if not rows:
        return []
    decided = consent(app)
    mentors = {p.fingerprint: p.name for p in directory.people(app.recorder.datastore)
               if p.verified and p.role == "mentor"}
    counts: dict[str, int] = {}
    for row in rows:
        if row.sender in mentors and row.key not in decided.received | decided.refused \
                and row.sender not in decided.allowed | decided.blocked:
            counts[row.sender] = counts.get(row.sender, 0) + 1
    return [(fp, mentors[fp], n) for fp, n in sorted(counts.items())]
