"""Completion, kept in the mentee's journal: what she disclosed, to whom, and her mentor's
countersignature of it.

    CompletionPresented           (kind "completion")     statement_id, statement, signature, to_name,
                                                     to_fingerprint, stage
    CompletionCountersigned  (kind "countersigned")  statement_id, message_id, from_name,
                                                     from_fingerprint, signature, sent_at

A statement is facts only (who, from when, months, months meeting the norm, meetings, goals
achieved; no text), computed by projections/completion.py and signed by her (journal/completion.py
holds the bytes that are signed). `stage` says why she sent it: "countersign" to the mentor it
names, "certify" (countersigned) to a programme manager. The aggregate keeps, per statement id,
the mentor named and whether it is countersigned (`journal.completions`), for the rules below.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import StringConstraints

from domain.errors import RuleBroken
from domain.events import AwareTime, EntryId, Fingerprint, JournalEvent, Line, RecordEvent

StatementId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
SignatureHex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{128}$")]  # Ed25519


class CompletionPresented(RecordEvent):
    """She sent this statement of facts, signed, to this person (what she disclosed, and to whom)."""

    kind: ClassVar[str] = "completion"

    statement_id: StatementId
    statement: dict[str, Any]
    signature: SignatureHex
    to_name: Line
    to_fingerprint: Fingerprint
    stage: Literal["countersign", "certify"]

    def apply(self, journal: Any) -> None:
        mentor = self.statement.get("mentor", {}).get("fingerprint")
        journal.completions.setdefault(self.statement_id, {"mentor": mentor, "countersigned": False})


class CompletionCountersigned(RecordEvent):
    """Her mentor countersigned a statement she sent: imported from the inbox, her own record."""

    kind: ClassVar[str] = "countersigned"

    statement_id: StatementId
    message_id: EntryId
    from_name: Line
    from_fingerprint: Fingerprint
    signature: SignatureHex
    sent_at: AwareTime
    unverified: bool = False  # moved in from a file: the signature was not checked again

    def apply(self, journal: Any) -> None:
        journal.completions[self.statement_id]["countersigned"] = True
        journal.received.append(self.message_id)


COMPLETION_EVENTS: dict[str, type[JournalEvent]] = {
    cls.__name__: cls for cls in (CompletionPresented, CompletionCountersigned)}


class CompletionVerbs:
    """MenteeJournal's verbs for completion (mixed in; state set in its __init__)."""

    completions: dict[str, dict[str, Any]]
    received: list[str]
    _record: Any

    def send_completion(self, statement_id: str, statement: dict[str, Any], signature: str, *, to_name: str,
                        to_fingerprint: str, stage: str, at=None) -> str:
        if stage == "certify" and not self.completions.get(statement_id, {}).get("countersigned"):
            raise RuleBroken(f"statement {statement_id} is not countersigned by your mentor yet: "
                             "`mj completion send ID --to MENTOR` first")
        return self._record(CompletionPresented, at, statement_id=statement_id, statement=statement,
                            signature=signature, to_name=to_name, to_fingerprint=to_fingerprint, stage=stage)

    def receive_countersignature(self, *, statement_id: str, message_id: str, from_name: str, from_fingerprint: str,
                                 signature: str, sent_at, at=None, unverified: bool = False) -> str:
        """The countersignature of a statement she sent, by the mentor it names; anything else is refused."""
        if message_id in self.received:
            raise RuleBroken(f"countersignature {message_id[:8]} is already in this journal")
        sent = self.completions.get(statement_id)
        if sent is None:
            raise RuleBroken(f"statement {statement_id} is not one you sent")
        if sent["mentor"] != from_fingerprint:
            raise RuleBroken(f"{from_name} is not the mentor statement {statement_id} names")
        if sent["countersigned"]:
            raise RuleBroken(f"statement {statement_id} is already countersigned")
        return self._record(CompletionCountersigned, at, statement_id=statement_id, message_id=message_id,
                            from_name=from_name, from_fingerprint=from_fingerprint, signature=signature,
                            sent_at=sent_at, unverified=unverified)
