"""Known-answer vectors for a grant row and the mentee's signed list of live grants, and the
damage each refuses."""

import json

import pytest

from journal import crypto, grants, sharing
from journal.grants import GrantStore
from tests.unit.known_answers import MemoryStore, flipped, person, vectors

VECTOR = vectors("grant")
MENTEE, MENTOR = person(VECTOR["mentee"]), person(VECTOR["mentor"])
GRANT, LIVE = VECTOR["grant"], VECTOR["live"]
COLUMNS = {**GRANT, "sealed": bytes.fromhex(GRANT["sealed"]), "signature": bytes.fromhex(GRANT["signature"])}


def row(**changes) -> tuple:
    fields = {**COLUMNS, **changes}
    return tuple(fields[column] for column in grants.GRANT_COLUMNS)


def signed_part(**changes) -> bytes:
    g = {**COLUMNS, **changes}
    return sharing._grant_message(g["grant_id"], g["journal_id"], g["version"], g["mentee_fingerprint"],
                                  g["mentor_fingerprint"], g["granted_at"], g["sealed"])


def stored(*grant_rows, live=None) -> GrantStore:
    store = MemoryStore()
    with store.transaction(commit=True) as c:
        GrantStore.write(c, {"grants_granted": grant_rows, "live_grants": live})
    return GrantStore(store)


def live_row(**changes) -> tuple:
    fields = {**LIVE, "signature": bytes.fromhex(LIVE["signature"]), **changes}
    return fields["journal_id"], fields["sequence"], fields["grant_ids"], fields["signature"]


def test_the_fingerprints_are_those_of_the_two_identities():
    assert (MENTEE.fingerprint, MENTOR.fingerprint) == (GRANT["mentee_fingerprint"], GRANT["mentor_fingerprint"])


def test_signing_the_grant_reproduces_its_signature_exactly():
    assert crypto.sign(MENTEE.signing_key, signed_part()).hex() == GRANT["signature"]


def test_the_stored_grant_decodes_and_opens_to_the_data_key_for_its_mentor():
    [decoded], malformed = stored(row()).to_mentor(MENTOR.fingerprint)
    assert malformed == 0 and decoded.sealed.hex() == GRANT["sealed"]
    assert crypto.signature_holds(MENTEE.signing_key.public_key(), decoded.signature, signed_part())
    info = sharing._grant_info(GRANT["journal_id"], GRANT["version"], MENTOR.fingerprint, GRANT["grant_id"])
    assert crypto.hpke_open(MENTOR.encryption_key, decoded.sealed, info).hex() == GRANT["data_key"]


def test_a_grant_moved_to_another_record_mentor_or_id_does_not_open():
    sealed = bytes.fromhex(GRANT["sealed"])
    for version, mentor_fp, grant_id in ((GRANT["version"] + 1, MENTOR.fingerprint, GRANT["grant_id"]),
                                         (GRANT["version"], MENTEE.fingerprint, GRANT["grant_id"]),
                                         (GRANT["version"], MENTOR.fingerprint, "0" * 32)):
        with pytest.raises(crypto.Unopenable):
            crypto.hpke_open(MENTOR.encryption_key, sealed, sharing._grant_info(GRANT["journal_id"], version,
                                                                                mentor_fp, grant_id))
    with pytest.raises(crypto.Unopenable):
        crypto.hpke_open(MENTOR.encryption_key, flipped(sealed, len(sealed) - 1),
                         sharing._grant_info(GRANT["journal_id"], GRANT["version"], MENTOR.fingerprint,
                                             GRANT["grant_id"]))


def test_a_changed_column_breaks_the_grants_signature():
    public = MENTEE.signing_key.public_key()
    signature = bytes.fromhex(GRANT["signature"])
    for change in ({"version": GRANT["version"] + 1}, {"granted_at": "2026-05-14T15:00:00+00:00"},
                   {"sealed": flipped(COLUMNS["sealed"], 0)}, {"mentor_fingerprint": MENTEE.fingerprint}):
        assert not crypto.signature_holds(public, signature, signed_part(**change))


def test_a_grant_row_of_the_wrong_shape_is_not_handed_out():
    store = stored(row(grant_id="G" * 32), row(grant_id="1" * 32, signature=b"short"), row(grant_id="2" * 32,
                                                                                           version=0))
    assert store.to_mentor(MENTOR.fingerprint) == ([], 3)


def test_signing_the_live_list_reproduces_its_row_exactly():
    ids = tuple(reversed(json.loads(LIVE["grant_ids"])))  # any order in, sorted out
    assert grants.signed_live_list(MENTEE.signing_key, LIVE["journal_id"], LIVE["sequence"], ids) == live_row()


def test_the_stored_live_list_verifies_under_the_mentees_key_and_names_the_grant():
    found = stored(live=live_row()).live_lists([LIVE["journal_id"]])[LIVE["journal_id"]]
    assert found.signed_by(MENTEE.signing_key.public_key())
    assert GRANT["grant_id"] in found.grant_ids and found.sequence == LIVE["sequence"]
    assert not found.signed_by(MENTOR.signing_key.public_key())


def test_a_live_list_with_another_sequence_or_fewer_ids_does_not_verify():
    one_id = '["' + GRANT["grant_id"] + '"]'
    for damaged in (live_row(sequence=LIVE["sequence"] + 1), live_row(grant_ids=one_id),
                    live_row(signature=flipped(bytes.fromhex(LIVE["signature"]), 5))):
        found = stored(live=damaged).live_lists([LIVE["journal_id"]])[LIVE["journal_id"]]
        assert not found.signed_by(MENTEE.signing_key.public_key())
