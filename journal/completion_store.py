"""Completion statements on their way: the mentee's signed statement sealed to her mentor (to
countersign) or, countersigned, to a programme manager (to certify); and the countersignature's
way back, through her feedback inbox.

    mj_completions (document_id, recipient_fingerprint, sender_fingerprint, sent_at, sealed, signature)
    sealed    = HPKE(recipient, pad(canonical {document_id, sent_at, statement, statement_id,
                     mentee_signature, mentor_signature or null}), info lp("mj/v1/completion-document",
                     document_id, recipient, sender))
    signature = Ed25519(sender, lp("mj/v1/completion-document-signature", document_id, recipient,
                                   sender, sent_at, sealed))

The row and her CompletionPresented record commit in one transaction (journal/app.py `update`). A
reader believes a document only when its sender is a verified mentee in the directory whose
signature holds over the row and over the statement inside, that statement names her as its
mentee, and any countersignature holds for the mentor it names; every other row is one line, and
the command goes on. The store can withhold or delete documents, nothing more.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import uuid4

from domain import clock
from domain.errors import RuleBroken
from domain.limits import LINE_LIMIT
from journal import columns, completion, crypto, directory, sql

MAX_SEALED = 16 * 1024  # a statement is a few hundred bytes


class CompletionStore:
    TABLES = ["CREATE TABLE IF NOT EXISTS mj_completions (document_id TEXT PRIMARY KEY, recipient_fingerprint TEXT, "
              "sender_fingerprint TEXT, sent_at TEXT, sealed BLOB, signature BLOB)"]

    @staticmethod
    def insert(c: Any, row: tuple[str, str, str, str, bytes, bytes]) -> None:
        """In the caller's transaction (the one that records CompletionPresented)."""
        c.execute(sql.for_cursor(c, CompletionStore.TABLES[0]))  # a store made before completion gains it
        c.execute("INSERT INTO mj_completions VALUES (?,?,?,?,?,?)", row)

    @staticmethod
    def rows_to(datastore: Any, recipient: str) -> list[tuple[Any, ...]]:
        with datastore.transaction(commit=True) as c:
            c.execute(sql.for_cursor(c, CompletionStore.TABLES[0]))
            c.execute("SELECT document_id, sender_fingerprint, sent_at, sealed, signature FROM mj_completions "
                      "WHERE recipient_fingerprint = ? AND length(sealed) <= ? ORDER BY sent_at",
                      (recipient, MAX_SEALED))
            return c.fetchall()


@dataclass(frozen=True)
class Presented:
    """A statement a mentee presented to this reader, every signature on it checked."""

    document_id: str
    mentee: directory.Person
    sent_at: str
    statement: dict[str, Any]
    statement_id: str
    mentee_signature: str
    mentor_signature: str | None

    def as_json(self) -> dict[str, Any]:
        return {"statement_id": self.statement_id, "statement": self.statement, "sent_at": self.sent_at,
                "countersigned": self.mentor_signature is not None}


def _info(document_id: str, recipient: str, sender: str) -> bytes:
    return crypto.lp("mj/v1/completion-document", document_id, recipient, sender)


def _signed(document_id: str, recipient: str, sender: str, sent_at: str, sealed: bytes) -> bytes:
    return crypto.lp("mj/v1/completion-document-signature", document_id, recipient, sender, sent_at, sealed)


def send_statement(app: Any, statement: dict[str, Any], recipient: directory.Person, stage: str,
                   mentor_signature: str | None = None) -> str:
    """Signs her statement, records what she disclosed and to whom, and posts it sealed to
    `recipient`, in one transaction. Returns the document id."""
    from domain.journal import MenteeJournal

    me = app.identity
    statement_id = completion.statement_id(statement)
    signature = completion.sign_hex(me.signing_key, completion.mentee_message(statement))
    document_id, sent_at = uuid4().hex, clock.now().isoformat()
    body = {"document_id": document_id, "sent_at": sent_at, "statement": statement, "statement_id": statement_id,
            "mentee_signature": signature, "mentor_signature": mentor_signature}
    sealed = crypto.hpke_seal(recipient.encryption_key, crypto.pad(completion.canonical(body)),
                              _info(document_id, recipient.fingerprint, me.fingerprint))
    row_signature = crypto.sign(me.signing_key, _signed(document_id, recipient.fingerprint, me.fingerprint, sent_at,
                                                        sealed))
    row = (document_id, recipient.fingerprint, me.fingerprint, sent_at, sealed, row_signature)
    app.update(MenteeJournal.send_completion, statement_id, statement, signature, to_name=recipient.name[:LINE_LIMIT],
               to_fingerprint=recipient.fingerprint, stage=stage, completion_document=row)
    return document_id


def presented_to_me(app: Any) -> tuple[list[Presented], list[str]]:
    """Every statement presented to this reader that verifies, oldest first; a line for each other."""
    me, datastore = app.identity, app.recorder.datastore
    found, refused = [], []
    for row in CompletionStore.rows_to(datastore, me.fingerprint):
        decoded = (columns.text(row[0], limit=32), columns.text(row[1], limit=39), columns.text(row[2], limit=64),
                   columns.blob(row[3], limit=MAX_SEALED), columns.blob(row[4], size=64))
        if None in decoded:
            refused.append("a completion statement addressed to you is malformed: not shown")
            continue
        document_id, sender_fp, sent_at, sealed, signature = decoded
        reason = _problem(datastore, me, document_id, sender_fp, sent_at, sealed, signature, found)
        if reason:
            refused.append(f"completion document {document_id[:8]}: {reason}: not shown")
    return found, refused


def _problem(datastore: Any, me: Any, document_id: str, sender_fp: str, sent_at: str, sealed: bytes,
             signature: bytes, found: list[Presented]) -> str | None:
    mentee = directory.by_fingerprint(datastore, sender_fp)
    if mentee is None or mentee.role != "mentee":
        return "its sender is not a verified mentee in the directory"
    if not crypto.signature_holds(mentee.signing_key, signature, _signed(document_id, me.fingerprint, sender_fp,
                                                                         sent_at, sealed)):
        return f"it claims to come from {mentee.name[:40]} but is not signed by them"
    try:
        body = json.loads(crypto.unpad(crypto.hpke_open(me.encryption_key, sealed, _info(document_id, me.fingerprint,
                                                                                        sender_fp))))
    except (crypto.Unopenable, ValueError, RecursionError):
        return "it does not open"
    if not isinstance(body, dict) or set(body) != {"document_id", "sent_at", "statement", "statement_id",
                                                   "mentee_signature", "mentor_signature"} \
            or body["document_id"] != document_id or body["sent_at"] != sent_at or not _moment(sent_at):
        return "it is not a completion document"
    statement = body["statement"]
    problem = completion.statement_problem(statement)
    if problem:
        return problem
    if statement["mentee"]["fingerprint"] != sender_fp:
        return "its statement is another mentee's"
    if body["statement_id"] != completion.statement_id(statement):
        return "its statement was altered after it was signed"
    problem = completion.signature_problem(mentee.signing_key, body["mentee_signature"],
                                           completion.mentee_message(statement), "mentee")
    if problem:
        return problem
    countersignature = body["mentor_signature"]
    if countersignature is not None:
        mentor = directory.by_fingerprint(datastore, statement["mentor"]["fingerprint"])
        if mentor is None or mentor.role != "mentor":
            return "the mentor it names has no verified directory entry"
        problem = completion.signature_problem(mentor.signing_key, countersignature,
                                               completion.mentor_message(statement), "mentor")
        if problem:
            return problem
    found.append(Presented(document_id, mentee, sent_at, statement, body["statement_id"], body["mentee_signature"],
                           countersignature))
    return None


def _moment(value: str) -> bool:
    """A time with its zone, as mj writes one (the row's sent_at is shown to the reader)."""
    try:
        return len(value) <= 40 and value.isascii() and datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def countersign(app: Any, presented: Presented) -> str:
    """The mentor's countersignature, sealed to the mentee through her inbox (with the mentor's
    own copy, journal/outbox.py), in one transaction. Returns the message id."""
    from journal.inbox import InboxStore, feedback_body, feedback_info, feedback_signed_part
    from journal.outbox import OutboxStore

    me, mentee = app.identity, presented.mentee
    if presented.statement["mentor"]["fingerprint"] != me.fingerprint:
        raise RuleBroken(f"statement {presented.statement_id} names another mentor: only she can countersign it")
    signature = completion.sign_hex(me.signing_key, completion.mentor_message(presented.statement))
    message_id, sent_at = uuid4().hex, clock.now().isoformat()
    body = feedback_body(message_id, "", None, sent_at, me.name[:LINE_LIMIT], me.fingerprint,
                         countersignature={"statement_id": presented.statement_id, "signature": signature})
    sealed = crypto.hpke_seal(mentee.encryption_key, crypto.pad(body),
                              feedback_info(message_id, mentee.fingerprint, me.fingerprint))
    row_signature = crypto.sign(me.signing_key, feedback_signed_part(message_id, mentee.fingerprint, me.fingerprint,
                                                                     sent_at, sealed))
    copy = {"message_id": message_id, "to_name": mentee.name, "to_fingerprint": mentee.fingerprint,
            "text": f"countersigned completion statement {presented.statement_id}", "about": None, "ratings": None,
            "countersigned": presented.statement_id, "sent_at": sent_at}
    with app.recorder.datastore.transaction(commit=True) as c:
        InboxStore.insert(c, (message_id, mentee.fingerprint, me.fingerprint, sent_at, sealed, row_signature))
        OutboxStore.keep(c, me, message_id, sent_at, copy)
    return message_id


def receive_countersignature(app: Any, sender: directory.Person, message_id: str, body: dict[str, Any]) -> str:
    """Her mentor's countersignature of a statement she sent, as her own record; RuleBroken if it
    is not one, or does not hold over the statement in her journal."""
    from domain.journal import MenteeJournal

    given = body["countersignature"]
    statement_id, signature = given["statement_id"], given["signature"]
    sent = next((e for e in app.history() if e.kind == "completion" and e.fields["statement_id"] == statement_id),
                None)
    if sent is None:
        raise RuleBroken(f"statement {str(statement_id)[:16]} is not one you sent")
    problem = completion.signature_problem(sender.signing_key, signature,
                                           completion.mentor_message(sent.fields["statement"]), "mentor")
    if problem:
        raise RuleBroken(problem)
    return app.update(MenteeJournal.receive_countersignature, statement_id=statement_id, message_id=message_id,
                      from_name=sender.name[:LINE_LIMIT], from_fingerprint=sender.fingerprint, signature=signature,
                      sent_at=datetime.fromisoformat(body["sent_at"]))
