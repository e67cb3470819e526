"""Known-answer vector for the hash chain and its signed checkpoint, and the damage each refuses."""

from types import SimpleNamespace
from uuid import UUID

import pytest

from journal import chain
from journal.checkpoint_store import Checkpoint, CheckpointStore
from journal.errors import TamperedRecord
from tests.unit.known_answers import MemoryStore, flipped, vectors

VECTOR = vectors("chain")
STREAM = UUID(VECTOR["stream_id"])
KEY = chain.checkpoint_key(bytes.fromhex(VECTOR["journal_key"]), STREAM)
RECORDS = VECTOR["records"]
SIGNED = VECTOR["checkpoint"]


def stored(record: dict, **changes) -> SimpleNamespace:
    """A record as the recorder hands it to the checkpointer."""
    fields = {"originator_id": STREAM, "originator_version": record["version"], "topic": record["topic"],
              "state": bytes.fromhex(record["blob"]), **changes}
    return SimpleNamespace(**fields)


def heads_of(records: list[SimpleNamespace]) -> list[str]:
    head, found = chain.GENESIS, []
    for r in records:
        head = chain.link(head, r.originator_id, r.originator_version, r.topic, r.state)
        found.append(head.hex())
    return found


def checkpoint(**changes) -> Checkpoint:
    fields = {"stream_id": STREAM, "size": SIGNED["size"], "head": bytes.fromhex(SIGNED["head"]),
              "signature": bytes.fromhex(SIGNED["signature"]), **changes}
    return Checkpoint(**fields)


def test_linking_the_records_reproduces_every_head():
    assert heads_of([stored(r) for r in RECORDS]) == [r["head"] for r in RECORDS]


def test_the_checkpoint_key_is_derived_from_the_journal_key_and_id():
    assert KEY.public_key().public_bytes_raw().hex() == VECTOR["checkpoint_public_key"]


def test_writing_the_records_signs_the_vectors_checkpoint_exactly():
    store = MemoryStore()
    with store.transaction(commit=True) as c:
        chain.Checkpointer(lambda _: KEY).extend(c, [stored(r) for r in RECORDS])
    with store.transaction(commit=False) as c:
        written = CheckpointStore.read(c, STREAM)
    assert (written.size, written.head.hex(), written.signature.hex()) == (SIGNED["size"], SIGNED["head"],
                                                                           SIGNED["signature"])
    assert written.is_signed_by(KEY.public_key())


def test_any_changed_byte_topic_or_version_changes_every_later_head():
    first = RECORDS[0]
    for damaged in (stored(first, state=flipped(bytes.fromhex(first["blob"]), 0)),
                    stored(first, topic="mj:sealed-snapshot/1"), stored(first, originator_version=2)):
        heads = heads_of([damaged] + [stored(r) for r in RECORDS[1:]])
        assert all(mine != theirs["head"] for mine, theirs in zip(heads, RECORDS, strict=True))


def test_the_checkpoint_does_not_verify_for_another_size_head_stream_or_key():
    assert checkpoint().is_signed_by(KEY.public_key())
    assert not checkpoint(size=SIGNED["size"] - 1).is_signed_by(KEY.public_key())
    assert not checkpoint(head=bytes.fromhex(RECORDS[1]["head"])).is_signed_by(KEY.public_key())
    assert not checkpoint(stream_id=UUID(int=1)).is_signed_by(KEY.public_key())
    assert not checkpoint().is_signed_by(chain.checkpoint_key(bytes(32), STREAM).public_key())


def test_a_write_over_a_checkpoint_signed_by_another_key_is_refused():
    store = MemoryStore()
    with store.transaction(commit=True) as c:
        chain.Checkpointer(lambda _: KEY).extend(c, [stored(RECORDS[0])])
    with pytest.raises(TamperedRecord), store.transaction(commit=False) as c:
        other = chain.checkpoint_key(bytes(32), STREAM)
        chain.Checkpointer(lambda _: other).extend(c, [stored(RECORDS[1])])
