"""The sealing mapper round-trips every kind of record through real encryption, hides its text
and its size, and upcasts old payloads."""

import json
import os
from datetime import date, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import events as ev
from domain.journal import JournalSnapshot, MenteeJournal
from journal import crypto, sealed_format
from journal.errors import JournalError, TamperedRecord
from journal.mapper import SealedStoredEvent, SealingMapper, encode_event
from domain import clock

OVERHEAD = sealed_format.HEADER_SIZE + crypto.NONCE_SIZE + 16
WRAP_SIZE = 1 + crypto.NONCE_SIZE + crypto.KEY_SIZE + 16


class OneKeyKeyring:
    """One fixed journal key for every journal: the crypto around it is the real thing."""

    def __init__(self, jk_id: int = 1):
        self.jk_id, self.journal_key = jk_id, os.urandom(32)

    def current(self, stream_id: UUID) -> tuple[int, bytes]:
        return self.jk_id, self.journal_key

    def key(self, stream_id: UUID, jk_id: int) -> bytes:
        if jk_id != self.jk_id:
            raise crypto.Unopenable()
        return self.journal_key


MAPPER = SealingMapper(OneKeyKeyring())

# -- strategies ------------------------------------------------------------------------

# Letters and digits from scripts old enough that Python's and pydantic's `\w` agree on them.
WORD_CHARS = st.characters(categories=("Lu", "Ll", "Lo", "Nd"), max_codepoint=0x2FFF) | st.sampled_from("-_")


def texts(max_size: int) -> st.SearchStrategy[str]:
    return st.text(min_size=1, max_size=max_size).filter(lambda t: t.strip())


offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
times = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=offsets)
hex_ids = st.uuids().map(lambda u: u.hex)
ratings = st.none() | st.integers(min_value=1, max_value=5)
tags = st.text(WORD_CHARS, min_size=1, max_size=40)


def recorded(event_class: type, **fields) -> st.SearchStrategy:
    return st.builds(event_class, originator_id=st.uuids(), originator_version=st.integers(1, 2**40),
                     timestamp=times, entry_id=hex_ids, at=times, **fields)


check_ins = recorded(ev.CheckInRecorded, text=texts(600), mood=ratings, confidence=ratings,
                     tags=st.lists(tags, max_size=5).map(tuple))
goals = recorded(ev.GoalSet, text=texts(200), measure=texts(60),
                 target=st.none() | st.floats(min_value=0, max_value=1e12),
                 due=st.dates(min_value=date(1971, 1, 1)), aspiration_id=st.none() | hex_ids)
action_items = st.builds(ev.ActionItem, id=hex_ids, text=texts(80))
meetings = recorded(ev.MeetingLogged, minutes=st.integers(1, 600), focus=texts(300),
                    concerns=st.lists(texts(80), max_size=4).map(tuple), next_focus=st.none() | texts(100),
                    actions=st.lists(action_items, max_size=4).map(tuple))
assessments = recorded(ev.SelfAssessed, ratings=st.dictionaries(texts(40), st.integers(1, 5), min_size=1, max_size=8),
                       note=st.none() | texts(200))
record_events = st.one_of(check_ins, goals, meetings, assessments)

ROUNDTRIP = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])


def is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


# -- round trips -----------------------------------------------------------------------


@ROUNDTRIP
@given(record_events)
def test_any_record_comes_back_equal_after_sealing_and_opening(event):
    stored = MAPPER.to_stored_event(event)
    assert stored.topic == sealed_format.EVENT_TOPIC
    assert MAPPER.to_domain_event(stored) == event


@ROUNDTRIP
@given(record_events)
def test_a_sealed_record_is_a_padded_power_of_two_plus_fixed_overhead(event):
    stored = MAPPER.to_stored_event(event)
    body = len(stored.state) - OVERHEAD
    assert is_power_of_two(body) and body >= crypto.MIN_PADDED
    assert body == len(crypto.pad(encode_event(event)))
    assert len(stored.dek_wrap) == WRAP_SIZE


@ROUNDTRIP
@given(st.one_of(check_ins, goals))
def test_a_sealed_record_never_contains_its_text(event):
    stored = MAPPER.to_stored_event(event)
    for text in (event.text, *getattr(event, "tags", ())):
        if len(text) >= 8:
            assert text.encode() not in stored.state
            assert text.encode() not in stored.dek_wrap


def test_the_type_of_a_record_is_sealed_not_stored_beside_it():
    event = ev.CheckInRecorded(originator_id=uuid4(), originator_version=3, timestamp=clock.now(),
                               entry_id=uuid4().hex, at=clock.now(), text="a check-in")
    stored = MAPPER.to_stored_event(event)
    assert b"CheckInRecorded" not in stored.state and "CheckIn" not in stored.topic


def test_a_whole_journal_and_its_snapshot_round_trip():
    journal = MenteeJournal.open("Ada Lovelace")
    goal = journal.set_goal("Give a talk", measure="talks given", due=clock.today() + timedelta(days=30))
    journal.add_milestone(goal, "Draft the outline")
    journal.log_meeting(minutes=60, focus="talk practice", concerns=["nerves"], actions=["book a room"])
    events = journal.collect_events()
    for event in events:
        assert MAPPER.to_domain_event(MAPPER.to_stored_event(event)) == event
    snapshot = JournalSnapshot.take(journal)
    stored = MAPPER.to_stored_event(snapshot)
    assert stored.topic == sealed_format.SNAPSHOT_TOPIC
    assert MAPPER.to_domain_event(stored) == snapshot


def test_ids_and_versions_come_from_the_row_and_a_moved_row_does_not_open():
    event = ev.FeedbackAdded(originator_id=uuid4(), originator_version=4, timestamp=clock.now(),
                             entry_id=uuid4().hex, at=clock.now(), text="useful session")
    stored = MAPPER.to_stored_event(event)
    for moved in (dict(originator_id=uuid4()), dict(originator_version=5)):
        row = SealedStoredEvent(**{**vars(stored), **moved})
        with pytest.raises(TamperedRecord, match="record [45] of journal"):
            MAPPER.to_domain_event(row)


# -- upcasting -------------------------------------------------------------------------


def sealed_row(document: dict, *, stream_id: UUID, version: int) -> SealedStoredEvent:
    keyring = MAPPER.keyring
    plaintext = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    blob, wrap = sealed_format.seal_event(plaintext, journal_key=keyring.journal_key, jk_id=keyring.jk_id,
                                          stream_id=stream_id, version=version, topic=sealed_format.EVENT_TOPIC)
    return SealedStoredEvent(originator_id=stream_id, originator_version=version,
                             topic=sealed_format.EVENT_TOPIC, state=blob, dek_wrap=wrap, jk_id=keyring.jk_id)


def test_a_version_1_check_in_opens_as_a_version_2_check_in_without_confidence():
    stream_id, entry_id = uuid4(), uuid4().hex
    v1 = {"type": "CheckInRecorded", "v": 1, "ts": "2025-11-03T08:00:00+00:00",
          "data": {"entry_id": entry_id, "at": "2025-11-02T18:30:00+01:00", "text": "First week done",
                   "mood": 4, "tags": ["work"]}}
    event = MAPPER.to_domain_event(sealed_row(v1, stream_id=stream_id, version=7))
    assert isinstance(event, ev.CheckInRecorded) and ev.CheckInRecorded.class_version == 2
    assert event.confidence is None
    assert (event.text, event.mood, event.tags, event.entry_id) == ("First week done", 4, ("work",), entry_id)
    assert (event.originator_id, event.originator_version) == (stream_id, 7)
    assert json.loads(encode_event(event))["v"] == 2


def test_a_record_of_an_unknown_kind_opens_but_asks_for_an_upgrade():
    unknown = {"type": "MoodBoardPinned", "v": 1, "ts": "2025-11-03T08:00:00+00:00", "data": {}}
    with pytest.raises(JournalError, match="record 2 of journal .* upgrade mj") as raised:
        MAPPER.to_domain_event(sealed_row(unknown, stream_id=uuid4(), version=2))
    assert not isinstance(raised.value, TamperedRecord)  # it opened: nothing was altered


def test_the_notification_log_opens_through_the_apps_own_mapper(unlocked):
    app = unlocked()
    for n in range(3):
        app.update(MenteeJournal.check_in, f"log entry {n}")
    notifications = app.recorder.select_notifications(start=1, limit=10)
    events = [app.mapper.to_domain_event(n) for n in notifications]
    assert [type(e).__name__ for e in events] == ["JournalOpened"] + ["CheckInRecorded"] * 3
    assert [e.text for e in events[1:]] == [f"log entry {n}" for n in range(3)]
