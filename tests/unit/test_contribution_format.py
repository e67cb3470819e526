"""Known-answer vectors for a month's pseudonym and the receipt she keeps beside her shares (what
she last sent, so that she re-sends only when it changed), and the damage each refuses. The
shares themselves have their own vectors (tests/unit/test_shares.py)."""

import json
from types import SimpleNamespace
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.programme_catalogue import LENGTH
from journal import crypto, programmes
from projections import member_months
from tests.unit.known_answers import flipped, vectors

VECTOR = vectors("contribution")
JOURNAL = UUID(VECTOR["journal_id"])
PSEUDONYM_KEY = crypto.derive_key(bytes.fromhex(VECTOR["journal_key"]), crypto.PSEUDONYM_KEY_LABEL, JOURNAL.hex, 1)
NAME = VECTOR["programme"]
MONTHS = VECTOR["months"]


def app():
    """What the receipt functions read of a JournalApp: her keyring and journal id."""
    return SimpleNamespace(journal_id=JOURNAL, keyring=SimpleNamespace(pseudonym_keys=lambda journal: [PSEUDONYM_KEY]))


def aad(month: dict, programme: str = NAME) -> bytes:
    return crypto.lp("mj/v2/receipt", programme, month["period"], bytes.fromhex(month["pseudonym"]))


def test_the_pseudonym_key_and_each_months_pseudonym_reproduce_exactly():
    assert PSEUDONYM_KEY.hex() == VECTOR["pseudonym_key"]
    for month in MONTHS:
        assert programmes.pseudonym(PSEUDONYM_KEY, NAME, month["period"]).hex() == month["pseudonym"]
    assert len({month["pseudonym"] for month in MONTHS}) == len(MONTHS)  # unlinkable across months
    assert programmes.pseudonym(PSEUDONYM_KEY, "Autumn cohort", MONTHS[0]["period"]).hex() != MONTHS[0]["pseudonym"]


def test_the_receipt_key_is_derived_from_the_pseudonym_key_under_its_own_label():
    assert member_months._receipt_key(app()).hex() == VECTOR["receipt_key"]
    assert VECTOR["receipt_key"] != VECTOR["pseudonym_key"]


@pytest.mark.parametrize("month", MONTHS, ids=lambda m: m["period"])
def test_sealing_a_receipt_with_the_vectors_nonce_writes_it_exactly(monkeypatch, month):
    sealing = crypto.seal
    monkeypatch.setattr(crypto, "seal", lambda k, p, a: sealing(k, p, a, _nonce=bytes.fromhex(month["nonce"])))
    sealed = member_months._seal_receipt(app(), NAME, month["period"], bytes.fromhex(month["pseudonym"]),
                                         month["version"], month["vector"])
    assert sealed.hex() == month["receipt"]
    opened = AESGCM(bytes.fromhex(VECTOR["receipt_key"])).decrypt(sealed[:12], sealed[12:], aad(month))
    assert opened == crypto.pad(month["body"].encode())
    assert json.loads(month["body"]) == {"version": month["version"], "vector": month["vector"]}


@pytest.mark.parametrize("month", MONTHS, ids=lambda m: m["period"])
def test_the_vectors_receipt_opens_to_what_she_sent(month):
    opened = member_months.open_receipt(app(), NAME, month["period"], bytes.fromhex(month["pseudonym"]),
                                        bytes.fromhex(month["receipt"]))
    assert opened == {"version": month["version"], "vector": month["vector"]}
    assert len(opened["vector"]) == LENGTH


def test_a_month_with_no_entries_is_a_receipt_of_zeros():
    april = MONTHS[1]
    assert april["vector"] == [0] * LENGTH  # sent all the same: a row says only that she is a member


def test_a_receipt_moved_to_another_month_pseudonym_or_programme_or_flipped_does_not_open():
    march, april = MONTHS
    sealed = bytes.fromhex(march["receipt"])
    pseudonym = bytes.fromhex(march["pseudonym"])
    for programme, period, handle, data in (
            (NAME, april["period"], pseudonym, sealed),
            (NAME, march["period"], bytes.fromhex(april["pseudonym"]), sealed),
            ("Autumn cohort", march["period"], pseudonym, sealed),
            (NAME, march["period"], pseudonym, flipped(sealed, 0)),
            (NAME, march["period"], pseudonym, flipped(sealed, len(sealed) - 1)),
            (NAME, march["period"], pseudonym, sealed[:20]),
            (NAME, march["period"], pseudonym, None)):
        assert member_months.open_receipt(app(), programme, period, handle, data) is None
    other = SimpleNamespace(journal_id=JOURNAL, keyring=SimpleNamespace(pseudonym_keys=lambda j: [bytes(32)]))
    assert member_months.open_receipt(other, NAME, march["period"], pseudonym, sealed) is None  # another journal


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"version": "41", "vector": [0,0,0,0,0,0,0,0,0]}',
                                  b'{"version": 41, "vector": [0, 0]}', b'{"version": 41}'],
                         ids=["not json", "not an object", "version not a number", "short vector", "no vector"])
def test_a_receipt_that_opens_but_is_not_a_receipt_is_as_none(body):
    """Then she sends her month again, which is always safe until the month is aggregated."""
    march = MONTHS[0]
    key = bytes.fromhex(VECTOR["receipt_key"])
    sealed = crypto.seal(key, crypto.pad(body), aad(march))
    assert member_months.open_receipt(app(), NAME, march["period"], bytes.fromhex(march["pseudonym"]), sealed) is None
    honest = crypto.seal(key, crypto.pad(march["body"].encode()), aad(march))  # the honest path
    assert member_months.open_receipt(app(), NAME, march["period"], bytes.fromhex(march["pseudonym"]), honest)
