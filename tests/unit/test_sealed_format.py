"""Known-answer vectors for the sealed-event format, one negative test per kind of damage, and
the padding and framing the format is built on."""

import json
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journal import crypto, sealed_format
from journal.sealed_format import EVENT_TOPIC, SNAPSHOT_TOPIC

VECTORS = json.loads((Path(__file__).parent / "vectors" / "sealed_event.json").read_text())["vectors"]
OVERHEAD = sealed_format.HEADER_SIZE + crypto.NONCE_SIZE + 16


@dataclass(frozen=True)
class Vector:
    description: str
    journal_key: bytes
    jk_id: int
    stream_id: UUID
    version: int
    topic: str
    dek: bytes
    event_nonce: bytes
    wrap_nonce: bytes
    plaintext: bytes
    blob: bytes
    wrap: bytes

    @classmethod
    def of(cls, raw: dict) -> "Vector":
        plain = {"description", "jk_id", "version", "topic"}
        fields = {k: v if k in plain else bytes.fromhex(v) for k, v in raw.items() if k != "stream_id"}
        return cls(stream_id=UUID(raw["stream_id"]), **fields)

    def context(self, **changes) -> dict:
        return {"stream_id": self.stream_id, "version": self.version, "topic": self.topic, **changes}

    def open(self, blob: bytes | None = None, wrap: bytes | None = None, *, journal_key: bytes | None = None,
             **changes) -> bytes:
        return sealed_format.open_event(self.blob if blob is None else blob, self.wrap if wrap is None else wrap,
                                        journal_key=journal_key or self.journal_key, **self.context(**changes))


ALL = [Vector.of(raw) for raw in VECTORS]
SHORT = ALL[0]
SNAPSHOT = next(v for v in ALL if v.topic == SNAPSHOT_TOPIC)


def flipped(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1:]


# -- known answers ---------------------------------------------------------------------


def test_the_vectors_cover_the_padding_boundary_and_both_topics():
    padded = {len(v.blob) - OVERHEAD for v in ALL}
    assert {256, 512, 1024} <= padded
    assert {v.topic for v in ALL} == {EVENT_TOPIC, SNAPSHOT_TOPIC}
    assert {len(v.plaintext) for v in ALL} >= {0, 255, 256}


@pytest.mark.parametrize("vector", ALL, ids=lambda v: v.description)
def test_sealing_with_pinned_inputs_reproduces_the_vector_exactly(vector):
    blob, wrap = sealed_format.seal_event(vector.plaintext, journal_key=vector.journal_key, jk_id=vector.jk_id,
                                          **vector.context(), _dek=vector.dek,
                                          _nonces=(vector.event_nonce, vector.wrap_nonce))
    assert blob.hex() == vector.blob.hex()
    assert wrap.hex() == vector.wrap.hex()


@pytest.mark.parametrize("vector", ALL, ids=lambda v: v.description)
def test_opening_a_vector_returns_its_plaintext(vector):
    assert vector.open() == vector.plaintext


@pytest.mark.parametrize("vector", ALL, ids=lambda v: v.description)
def test_a_vector_starts_with_the_format_byte_and_its_journal_key_id(vector):
    assert vector.blob[:1] == vector.wrap[:1] == sealed_format.FORMAT_BYTE
    assert sealed_format.key_id_of(vector.blob) == vector.jk_id


def test_the_data_key_unwraps_and_opens_the_body_on_its_own():
    # A mentor holding only a released data key opens the body without the journal key.
    dek = sealed_format.unwrap_data_key(SHORT.wrap, journal_key=SHORT.journal_key, jk_id=SHORT.jk_id,
                                        **SHORT.context())
    assert dek == SHORT.dek
    assert sealed_format.open_with_data_key(SHORT.blob, dek, **SHORT.context()) == SHORT.plaintext


def test_sealing_without_pinned_inputs_never_repeats_itself():
    seal = lambda: sealed_format.seal_event(SHORT.plaintext, journal_key=SHORT.journal_key,  # noqa: E731
                                            jk_id=SHORT.jk_id, **SHORT.context())
    (blob1, wrap1), (blob2, wrap2) = seal(), seal()
    assert blob1 != blob2 and wrap1 != wrap2
    assert SHORT.open(blob1, wrap1) == SHORT.open(blob2, wrap2) == SHORT.plaintext


# -- one negative test per kind of damage ----------------------------------------------


def test_a_flipped_byte_in_the_body_does_not_open():
    for index in (sealed_format.HEADER_SIZE, sealed_format.HEADER_SIZE + crypto.NONCE_SIZE, len(SHORT.blob) - 1):
        with pytest.raises(crypto.Unopenable):
            SHORT.open(flipped(SHORT.blob, index))


def test_a_flipped_byte_in_the_header_journal_key_id_does_not_open():
    with pytest.raises(crypto.Unopenable):
        SHORT.open(flipped(SHORT.blob, sealed_format.HEADER_SIZE - 1))


def test_a_blob_with_an_unknown_format_byte_does_not_open():
    with pytest.raises(crypto.Unopenable):
        SHORT.open(b"\x02" + SHORT.blob[1:])


def test_a_flipped_byte_in_the_wrap_does_not_open():
    for index in (0, 1, len(SHORT.wrap) - 1):
        with pytest.raises(crypto.Unopenable):
            SHORT.open(wrap=flipped(SHORT.wrap, index))


def test_a_truncated_blob_or_wrap_does_not_open():
    for blob, wrap in [(SHORT.blob[:-1], SHORT.wrap), (SHORT.blob[:4], SHORT.wrap), (b"", SHORT.wrap),
                       (SHORT.blob, SHORT.wrap[:-1]), (SHORT.blob, SHORT.wrap[:1]), (SHORT.blob, b"")]:
        with pytest.raises(crypto.Unopenable):
            SHORT.open(blob, wrap)


def test_another_events_wrap_does_not_open_the_body():
    other = ALL[1]
    moved = sealed_format.seal_event(b"x", journal_key=SHORT.journal_key, jk_id=SHORT.jk_id,
                                     stream_id=SHORT.stream_id, version=SHORT.version + 1, topic=EVENT_TOPIC)[1]
    for wrap in (other.wrap, moved):
        with pytest.raises(crypto.Unopenable):
            SHORT.open(wrap=wrap)


def test_the_wrong_stream_id_does_not_open():
    with pytest.raises(crypto.Unopenable):
        SHORT.open(stream_id=ALL[1].stream_id)


def test_the_wrong_version_does_not_open():
    for version in (SHORT.version - 1, SHORT.version + 1):
        with pytest.raises(crypto.Unopenable):
            SHORT.open(version=version)


def test_an_event_does_not_open_as_a_snapshot_nor_a_snapshot_as_an_event():
    with pytest.raises(crypto.Unopenable):
        SHORT.open(topic=SNAPSHOT_TOPIC)
    with pytest.raises(crypto.Unopenable):
        SNAPSHOT.open(topic=EVENT_TOPIC)


def test_the_wrong_journal_key_does_not_open():
    with pytest.raises(crypto.Unopenable):
        SHORT.open(journal_key=ALL[1].journal_key)


def test_the_right_data_key_in_the_wrong_place_does_not_open_the_body():
    with pytest.raises(crypto.Unopenable):
        sealed_format.open_with_data_key(SHORT.blob, SHORT.dek, **SHORT.context(version=SHORT.version + 1))


# -- padding ---------------------------------------------------------------------------


@pytest.mark.parametrize("length, padded", [(0, 256), (1, 256), (255, 256), (256, 512), (511, 512),
                                            (512, 1024), (1000, 1024), (5000, 8192)])
def test_padding_reaches_the_next_power_of_two_of_at_least_256_bytes(length, padded):
    assert len(crypto.pad(b"\x00" * length)) == padded


@given(st.binary(max_size=3000))
def test_padding_is_a_power_of_two_and_comes_off_exactly(data):
    padded = crypto.pad(data)
    size = len(padded)
    assert size >= 256 and size & (size - 1) == 0 and size > len(data)
    assert crypto.unpad(padded) == data


def test_padding_comes_off_data_that_itself_ends_in_zeros_or_the_pad_mark():
    for data in (b"\x00", b"abc\x00\x00", b"\x80", b"abc\x80\x00", b"\x80" * 300):
        assert crypto.unpad(crypto.pad(data)) == data


def test_bytes_without_a_pad_mark_do_not_unpad():
    for data in (b"", bytes(256), b"abc" + bytes(253)):
        with pytest.raises(crypto.Unopenable):
            crypto.unpad(data)


# -- framing ---------------------------------------------------------------------------


@pytest.mark.parametrize("left, right", [
    (("ab", "c"), ("a", "bc")),
    (("abc",), ("ab", "c")),
    (("",), ()),
    (("", ""), ("",)),
    (("a", ""), ("", "a")),
    ((b"\x00\x00\x00\x01a",), (b"a",)),
    (("mj/v1/event", "x"), ("mj/v1/eventx",)),
    ((1, 2), (2, 1)),
    ((256,), (1,)),
])
def test_different_part_lists_never_frame_alike(left, right):
    assert crypto.lp(*left) != crypto.lp(*right)


def test_each_part_is_framed_with_a_four_byte_big_endian_length():
    assert crypto.lp("ab", b"c", 1) == (b"\x00\x00\x00\x02ab" + b"\x00\x00\x00\x01c"
                                        + b"\x00\x00\x00\x08" + (1).to_bytes(8, "big"))


@given(st.lists(st.binary(max_size=12), max_size=5), st.lists(st.binary(max_size=12), max_size=5))
def test_framing_tells_apart_any_two_lists_of_byte_strings(left, right):
    assert (crypto.lp(*left) == crypto.lp(*right)) == (left == right)
