"""The sealing mapper: turns domain events and snapshots into sealed stored events and back.

Ids and versions come from the stored row (which is bound into the ciphertext's associated
data), never from the payload. Upcasters run here, by `class_version`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any
from uuid import UUID

from eventsourcing.domain import CanSnapshotAggregate
from eventsourcing.persistence import Mapper, StoredEvent

from journal import columns, crypto, sealed_format
from journal.errors import JournalError, TamperedRecord


@cache
def event_types() -> dict[str, type]:
    """Every event class by its stored name. Imported when the first record is decoded: the
    pydantic models cost ≈0.15 s to import, which a read served from the view cache never pays."""
    from domain.amending import AMEND_EVENTS
    from domain.between_meetings import BETWEEN_MEETINGS_EVENTS
    from domain.completion_events import COMPLETION_EVENTS
    from domain.consent import CONSENT_EVENTS
    from domain.events import EVENT_TYPES
    from domain.journal import JournalSnapshot
    from domain.programme_events import PROGRAMME_EVENTS
    from domain.relationships import RELATIONSHIP_EVENTS
    from domain.sharing_events import SHARING_EVENTS

    return {**EVENT_TYPES, **SHARING_EVENTS, **AMEND_EVENTS, **CONSENT_EVENTS, **PROGRAMME_EVENTS,
            **RELATIONSHIP_EVENTS, **BETWEEN_MEETINGS_EVENTS, **COMPLETION_EVENTS, "JournalSnapshot": JournalSnapshot}
_ROW_FIELDS = ("originator_id", "originator_version", "timestamp")


@dataclass(frozen=True)
class SealedStoredEvent(StoredEvent):
    """A stored event plus its wrapped data key, which lives in the (deletable) key store."""

    dek_wrap: bytes | None = None
    jk_id: int = 0


def typed_row(topic: Any, state: Any) -> tuple[str, bytes]:
    """A stored row's topic and state, as the recorders read them: a value of the wrong type (anyone
    who can write the store can put one there) is empty, so that the record links no chain and
    opens as nothing, and is refused in one line like any other altered record."""
    return columns.text(topic, limit=1000) or "", columns.blob(state) or b""


def record_name(stream_id: UUID | str, version: int) -> str:
    return f"record {version} of journal {str(stream_id).replace('-', '')[:8]}"


def encode_event(event: Any) -> bytes:
    """Canonical JSON of the real type, schema version, time and fields."""
    data = event.model_dump(mode="json", exclude=set(_ROW_FIELDS))
    document = {"type": type(event).__name__, "v": getattr(type(event), "class_version", 1),
                "ts": event.timestamp.isoformat(), "data": data}
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def decode_event(plaintext: bytes, stream_id: UUID, version: int) -> Any:
    from pydantic import ValidationError

    try:
        document = json.loads(plaintext)
        cls = event_types()[document["type"]]
        data = document["data"]
        from_version, class_version = document["v"], getattr(cls, "class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(data)
            from_version += 1
        return cls.model_validate({**data, "originator_id": stream_id, "originator_version": version,
                                   "timestamp": document["ts"]})
    except (KeyError, ValueError, TypeError, AttributeError, ValidationError):
        raise JournalError(f"{record_name(stream_id, version)} opens but is of a kind this version "
                           "of mj does not know: upgrade mj") from None


class SealingMapper(Mapper[UUID]):
    """A Mapper whose keys come from a keyring rather than from the environment."""

    def __init__(self, keyring: Any):
        super().__init__(transcoder=None)  # type: ignore[arg-type]
        self.keyring = keyring

    def to_stored_event(self, domain_event: Any) -> SealedStoredEvent:
        is_snapshot = isinstance(domain_event, CanSnapshotAggregate)
        topic = sealed_format.SNAPSHOT_TOPIC if is_snapshot else sealed_format.EVENT_TOPIC
        stream_id, version = domain_event.originator_id, domain_event.originator_version
        jk_id, journal_key = self.keyring.current(stream_id)
        blob, wrap = sealed_format.seal_event(encode_event(domain_event), journal_key=journal_key,
                                              jk_id=jk_id, stream_id=stream_id, version=version,
                                              topic=topic)
        return SealedStoredEvent(originator_id=stream_id, originator_version=version, topic=topic,
                                 state=blob, dek_wrap=wrap, jk_id=jk_id)

    def seal_snapshot(self, snapshot: Any, head: bytes) -> SealedStoredEvent:
        """A snapshot whose stored topic (and so its associated data) names the chain head at its
        version: it is believed only beside that head (journal/bound_state.py)."""
        stream_id, version = snapshot.originator_id, snapshot.originator_version
        topic = sealed_format.bound_topic(sealed_format.BOUND_SNAPSHOT_TOPIC, head)
        jk_id, journal_key = self.keyring.current(stream_id)
        blob, wrap = sealed_format.seal_event(encode_event(snapshot), journal_key=journal_key, jk_id=jk_id,
                                              stream_id=stream_id, version=version, topic=topic)
        return SealedStoredEvent(originator_id=stream_id, originator_version=version, topic=topic,
                                 state=blob, dek_wrap=wrap, jk_id=jk_id)

    def to_domain_event(self, stored: StoredEvent) -> Any:
        return decode_event(self.open_plaintext(stored), stored.originator_id, stored.originator_version)

    def open_plaintext(self, stored: StoredEvent) -> bytes:
        dek = self.open_data_key(stored)
        try:
            return sealed_format.open_with_data_key(stored.state, dek, stream_id=stored.originator_id,
                                                    version=stored.originator_version, topic=stored.topic)
        except crypto.Unopenable:
            raise self._unopenable(stored) from None

    def open_data_key(self, stored: StoredEvent) -> bytes:
        """The record's own data key (what a release seals to a mentor), refused in the same one
        line as opening the record when its key-store row is missing or altered."""
        wrap = getattr(stored, "dek_wrap", None)
        if wrap is None:
            raise TamperedRecord(f"{self._name(stored)} has no data key in the key store")
        stream_id = stored.originator_id
        try:
            # The key it is wrapped under: its key-store row's, once `mj keys rotate` re-wrapped it;
            # else the one the record was sealed under. A number changed by anyone else opens nothing.
            jk_id = getattr(stored, "jk_id", 0) or sealed_format.key_id_of(stored.state)
            return sealed_format.unwrap_data_key(wrap, journal_key=self.keyring.key(stream_id, jk_id), jk_id=jk_id,
                                                 stream_id=stream_id, version=stored.originator_version,
                                                 topic=stored.topic)
        except crypto.Unopenable:
            raise self._unopenable(stored) from None

    @staticmethod
    def _name(stored: StoredEvent) -> str:
        name = record_name(stored.originator_id, stored.originator_version)
        return "the snapshot at " + name if stored.topic.startswith("mj:sealed-snapshot/") else name

    def _unopenable(self, stored: StoredEvent) -> TamperedRecord:
        return TamperedRecord(f"{self._name(stored)} does not open: its bytes were altered or moved from elsewhere")
