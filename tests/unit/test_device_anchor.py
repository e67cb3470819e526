"""Known-answer vector for the device anchor, and the anchors and stores it refuses."""

import json
from uuid import UUID

import pytest

from journal import anchor
from journal.errors import TamperedRecord
from tests.unit.known_answers import vectors

VECTOR = vectors("anchor")
JOURNAL = UUID(VECTOR["journal_id"])
KEY = anchor.anchor_key(bytes.fromhex(VECTOR["journal_key"]), JOURNAL)
HEAD = bytes.fromhex(VECTOR["head"])


def device(directory, text: str | None = None, journal: UUID = JOURNAL, key: bytes = KEY) -> anchor.DeviceAnchor:
    if text is not None:
        directory.mkdir(exist_ok=True)
        (directory / f"{journal.hex}.json").write_text(text)
    return anchor.DeviceAnchor(directory, journal, lambda: key, lambda line: pytest.fail(line))


def test_the_anchor_key_is_derived_from_the_journal_key():
    assert KEY.hex() == VECTOR["anchor_key"]
    assert json.loads(VECTOR["file"])["mac"] == VECTOR["mac"]


def test_advancing_to_the_vectors_head_writes_its_file_exactly(tmp_path):
    device(tmp_path / "anchors").advance(VECTOR["size"], HEAD)
    written = tmp_path / "anchors" / f"{JOURNAL.hex}.json"
    assert written.read_text() == VECTOR["file"]
    assert oct(written.stat().st_mode & 0o777) == "0o600"


def test_the_vectors_file_reads_back_what_the_device_has_seen(tmp_path):
    seen = device(tmp_path, VECTOR["file"]).seen()
    assert (seen.size, seen.head) == (VECTOR["size"], HEAD)


def test_an_anchor_with_a_changed_field_or_under_another_key_is_refused(tmp_path):
    document = json.loads(VECTOR["file"])
    for altered in ({"size": VECTOR["size"] + 1}, {"head": "00" * 32}, {"mac": "0" * 64}, {"format": 2}):
        with pytest.raises(TamperedRecord, match="MAC does not hold"):
            device(tmp_path, json.dumps({**document, **altered})).seen()
    with pytest.raises(TamperedRecord):
        device(tmp_path, VECTOR["file"], key=bytes(32)).seen()


def test_another_journals_anchor_copied_in_is_refused(tmp_path):
    with pytest.raises(TamperedRecord):
        device(tmp_path, VECTOR["file"], journal=UUID(int=1), key=anchor.anchor_key(
            bytes.fromhex(VECTOR["journal_key"]), UUID(int=1))).seen()


def test_a_store_behind_or_forked_from_the_anchor_is_refused(tmp_path):
    seen = device(tmp_path, VECTOR["file"])
    seen.check(VECTOR["size"], lambda m: HEAD)  # the honest store
    with pytest.raises(TamperedRecord, match="rolled back"):
        seen.check(VECTOR["size"] - 1, lambda m: None)
    with pytest.raises(TamperedRecord, match="differs"):
        seen.check(VECTOR["size"] + 1, lambda m: bytes(32))


def test_two_processes_of_one_device_never_move_the_anchor_back(tmp_path):
    """Each process remembers what it read; the one that read less writes last, and the file keeps
    the most any of them saw (the file is read again under a lock before each write)."""
    first, second = device(tmp_path / "anchors"), device(tmp_path / "anchors")
    first.advance(5, bytes([5]) * 32)
    assert second.seen().size == 5
    first.advance(10, bytes([10]) * 32)
    second.advance(7, bytes([7]) * 32)  # it saw 5, then checked a store of 7, but another process saw 10
    on_disk = device(tmp_path / "anchors").seen()
    assert (on_disk.size, on_disk.head) == (10, bytes([10]) * 32)
    second.remember_cache(10, bytes([10]) * 32)
    assert device(tmp_path / "anchors").seen().size == 10
    first.advance(3, bytes([3]) * 32, reset=True)  # a rollback accepted on purpose: written as told
    assert device(tmp_path / "anchors").seen().size == 3
