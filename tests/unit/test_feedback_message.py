"""Known-answer vector for a feedback message in the inbox, its size caps, and its refusals."""

import json

import pytest

from journal import crypto, inbox
from journal.inbox import InboxStore
from tests.unit.known_answers import MemoryStore, flipped, person, vectors

VECTOR = vectors("feedback")
MENTEE, MENTOR = person(VECTOR["mentee"]), person(VECTOR["mentor"])
MESSAGE = VECTOR["message"]
SEALED, SIGNATURE = bytes.fromhex(MESSAGE["sealed"]), bytes.fromhex(MESSAGE["signature"])
IDS = (MESSAGE["message_id"], MENTEE.fingerprint, MENTOR.fingerprint)


def posted(sealed: bytes = SEALED, signature: bytes = SIGNATURE) -> InboxStore:
    store = InboxStore(MemoryStore())
    store.post(MESSAGE["message_id"], MENTEE.fingerprint, MENTOR.fingerprint, MESSAGE["sent_at"], sealed, signature)
    return store


def test_the_body_and_the_signature_reproduce_exactly():
    body = inbox.feedback_body(MESSAGE["message_id"], MESSAGE["text"], MESSAGE["about"], MESSAGE["sent_at"],
                               MENTOR.name, MENTOR.fingerprint)
    assert body.decode() == MESSAGE["body"]
    signed = inbox.feedback_signed_part(*IDS, MESSAGE["sent_at"], SEALED)
    assert crypto.sign(MENTOR.signing_key, signed).hex() == MESSAGE["signature"]


def test_the_posted_message_is_listed_by_size_fetched_whole_and_opens_to_its_body():
    store = posted()
    [waiting] = store.waiting(MENTEE.fingerprint)
    assert (waiting.message_id, waiting.sender) == (MESSAGE["message_id"], MENTOR.fingerprint)
    assert (waiting.sealed_size, waiting.signature_size) == (len(SEALED), 64)
    message = store.fetch(waiting)
    assert (message.sealed, message.signature, message.sent_at) == (SEALED, SIGNATURE, MESSAGE["sent_at"])
    assert crypto.signature_holds(MENTOR.signing_key.public_key(), message.signature,
                                  inbox.feedback_signed_part(*IDS, message.sent_at, message.sealed))
    assert inbox.open_feedback_body(MENTEE.encryption_key, *IDS, message.sealed) == json.loads(MESSAGE["body"])


def test_the_sealed_body_is_padded_to_a_power_of_two():
    padded = crypto.hpke_open(MENTEE.encryption_key, SEALED, inbox.feedback_info(*IDS))
    assert len(MESSAGE["body"]) > 256 and len(padded) == 512
    assert padded == crypto.pad(MESSAGE["body"].encode())


def test_a_flipped_byte_or_another_recipient_or_sender_does_not_open():
    message_id, mentee_fp, mentor_fp = IDS
    for key, sealed, ids in ((MENTEE.encryption_key, flipped(SEALED, len(SEALED) - 1), IDS),
                             (MENTEE.encryption_key, SEALED, (message_id, mentor_fp, mentor_fp)),
                             (MENTEE.encryption_key, SEALED, (message_id, mentee_fp, mentee_fp)),
                             (MENTOR.encryption_key, SEALED, IDS)):
        with pytest.raises(crypto.Unopenable):
            inbox.open_feedback_body(key, *ids, sealed)


def test_the_signature_does_not_hold_for_another_time_recipient_or_signer():
    public = MENTOR.signing_key.public_key()
    message_id, mentee_fp, mentor_fp = IDS
    assert not crypto.signature_holds(public, SIGNATURE, inbox.feedback_signed_part(*IDS, "2026-05-14T15:00:00+00:00",
                                                                                    SEALED))
    assert not crypto.signature_holds(public, SIGNATURE, inbox.feedback_signed_part(
        message_id, mentor_fp, mentor_fp, MESSAGE["sent_at"], SEALED))
    assert not crypto.signature_holds(MENTEE.signing_key.public_key(), SIGNATURE,
                                      inbox.feedback_signed_part(*IDS, MESSAGE["sent_at"], SEALED))


def test_a_message_over_the_size_caps_is_never_fetched():
    for store in (posted(sealed=SEALED + bytes(inbox.MAX_SEALED)), posted(signature=SIGNATURE + b"\x00")):
        [waiting] = store.waiting(MENTEE.fingerprint)
        assert store.fetch(waiting) is None


def test_sending_feedback_posts_a_message_of_this_format():
    from journal import directory, sharing

    store = MemoryStore()
    directory.publish(store, MENTEE)
    mentee = directory.by_fingerprint(store, MENTEE.fingerprint)
    message_id = sharing.send_feedback(store.app(MENTOR), mentee, MESSAGE["text"], MESSAGE["about"])
    inbox_store = InboxStore(store)
    [waiting] = inbox_store.waiting(MENTEE.fingerprint)
    message = inbox_store.fetch(waiting)
    ids = (message_id, MENTEE.fingerprint, MENTOR.fingerprint)
    assert crypto.signature_holds(MENTOR.signing_key.public_key(), message.signature,
                                  inbox.feedback_signed_part(*ids, message.sent_at, message.sealed))
    body = inbox.open_feedback_body(MENTEE.encryption_key, *ids, message.sealed)
    assert json.dumps(body, sort_keys=True).encode() == inbox.feedback_body(
        message_id, MESSAGE["text"], MESSAGE["about"], message.sent_at, MENTOR.name, MENTOR.fingerprint)
