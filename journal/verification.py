"""`mj verify`: the whole chain checked against the signed checkpoint and this device's anchor,
every record and snapshot opened, and every snapshot and view-cache page compared with a replay
of the records, streamed BATCH records at a time so that its memory is that of the journal's
state and one page of views, never of the whole journal.

Two passes over the records. The first hashes the chain and opens each record (its plaintext goes
no further than a look for tombstones), because a tombstone names records written before it: only
once every tombstone is known can a record without a data key be told from one whose key somebody
deleted, and one a tombstone names from one whose key somebody put back. The second replays the
records, each bound again to the heads the first pass checked (the store may answer the two
readings differently), compares each bound snapshot when the replay reaches its version, and each
page of the view cache when the replay has passed it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from journal import bound_state, chain, sealed_format, view_cache
from journal.errors import JournalError, TamperedRecord
from journal.forgetting import ForgottenRecord
from journal.mapper import decode_event, record_name
from journal.views import EntryView, VerifyReport

BATCH = 1000  # records read from the store at a time


def streamed(app: Any, size: int) -> Iterator[Any]:
    """Records 1 … `size` as the store returns them, BATCH at a time (gaps are the caller's to find)."""
    for start in range(0, size, BATCH):
        yield from app.recorder.select_events(app.journal_id, gt=start or None, lte=min(start + BATCH, size))


class _FirstPass:
    """What the chain pass learns of the records as they go by."""

    def __init__(self, app: Any):
        self.app, self.keyless, self.named, self.failure = app, [], set(), None

    def records(self, size: int) -> Iterator[Any]:
        for record in streamed(self.app, size):
            if record.dek_wrap is None:
                self.keyless.append(record.originator_version)
            elif self.failure is None:  # after one, the first is what is said
                try:
                    self._look(record)
                except JournalError as error:
                    self.failure = error
            yield record

    def _look(self, record: Any) -> None:
        plaintext = self.app.mapper.open_plaintext(record)
        if b"EntryRetracted" in plaintext:  # most records are not tombstones: only these are decoded
            event = decode_event(plaintext, record.originator_id, record.originator_version)
            self.named.update(getattr(event, "forgotten", ()))


def verify(app: Any) -> VerifyReport:
    journal_id = app.journal_id
    first = _FirstPass(app)
    heads = bound_state.check_chain(app, first.records)
    size = len(heads) - 1
    if first.failure is not None:
        raise first.failure
    keyless = set(first.keyless)
    unnamed = [v for v in first.keyless if v not in first.named]
    if unnamed:
        raise TamperedRecord(f"{record_name(journal_id, unnamed[0])} has no data key in the key store")
    back = sorted(v for v in first.named if 1 <= v <= size and v not in keyless)
    if back:  # never opened for a view; but whoever kept the row put a forgotten key back
        raise TamperedRecord(f"{record_name(journal_id, back[0])} was forgotten, but a key for it is back in the "
                             "key store: someone who kept a copy put it there (it is not opened; `mj forget` "
                             "cannot reach copies)")
    snapshots, bound = _checked_snapshots(app, heads)
    _replay_and_compare(app, heads, bound)
    if refused := app.keyring.refused(journal_id):  # ignored by every other command
        raise TamperedRecord(f"journal {journal_id.hex[:8]} has {len(refused)} journal-key "
                             "row(s) that you did not sign (named above): your own records verify")
    return VerifyReport(journal_id=journal_id.hex, records=size, snapshots=snapshots, head=heads[-1].hex(),
                        checkpoint_size=size, forgotten=len(keyless))


def _snapshot_rows(app: Any) -> Iterator[Any]:
    """This journal's snapshots, one at a time in order of version (each may be large)."""
    after = None
    while rows := app.snapshots.recorder.select_events(app.journal_id, gt=after, limit=1):
        yield rows[0]
        after = rows[0].originator_version


def _checked_snapshots(app: Any, heads: list[bytes]) -> tuple[int, set[int]]:
    """Opens every snapshot and refuses one bound to another head: how many there are, and the
    versions of the bound ones (compared with the replay)."""
    bound: set[int] = set()
    count = 0
    for snapshot in _snapshot_rows(app):
        count += 1
        version, claimed = snapshot.originator_version, sealed_format.bound_head(snapshot.topic, bound_state.SNAPSHOT)
        if claimed is None:
            app.mapper.open_plaintext(snapshot)  # from before the binding: it must open, and is never believed
        elif version >= len(heads) or heads[version] != claimed:
            raise TamperedRecord(f"the snapshot at {record_name(app.journal_id, version)} was not taken of these "
                                 "records (it comes from another history of the journal, or was moved): it is "
                                 "not believed")
        else:
            app.mapper.to_domain_event(snapshot)
            bound.add(version)
    return count, bound


def _replay_and_compare(app: Any, heads: list[bytes], bound: set[int]) -> None:
    from domain.events import RecordEvent
    from domain.journal import JournalSnapshot

    journal_id, journal, version = app.journal_id, None, 0
    cache = _CacheCheck(app, heads)
    for expected, record in enumerate(streamed(app, len(heads) - 1), start=1):
        version = record.originator_version
        if version != expected or chain.link(heads[version - 1], journal_id, version, record.topic,
                                              record.state) != heads[version]:  # read again: believed again
            raise TamperedRecord(f"{record_name(journal_id, expected)} changed while verify read it (the store "
                                 "answered the chain pass and the replay differently)")
        event = ForgottenRecord(journal_id, version) if record.dek_wrap is None else app.mapper.to_domain_event(record)
        journal = event.mutate(journal)
        if isinstance(event, RecordEvent):
            cache.add(EntryView.of(event))
        if version in bound:
            taken = app.snapshots.recorder.select_events(journal_id, gt=version - 1, lte=version)
            if not taken or JournalSnapshot.take(journal).model_dump(mode="json")["state"] != \
                    app.mapper.to_domain_event(taken[0]).model_dump(mode="json")["state"]:
                raise TamperedRecord(f"the snapshot at {record_name(journal_id, version)} does not match a replay "
                                     "of the records")
    if version != len(heads) - 1:
        raise TamperedRecord(f"{record_name(journal_id, version + 1)} changed while verify read it (the store "
                             "answered the chain pass and the replay differently)")
    cache.finish()


class _CacheCheck:
    """Each page of the view cache compared with the replayed views of its records once the
    replay has passed it, and the index's summaries with what the pages hold."""

    def __init__(self, app: Any, heads: list[bytes]):
        self.app, self.name = app, app.journal_id.hex[:8]
        datastore, journal_id = app.recorder.datastore, app.journal_id
        self.index = view_cache.load_index(datastore, journal_id, app.keyring, heads)
        self.covered = 0 if self.index is None else self.index.version
        self.absent = self.index is None and view_cache.outdated_or_absent(datastore, journal_id, app.keyring, heads)
        self.summaries = view_cache.Summaries()
        self.number, self.views, self.swapped, self.differs = 0, [], False, False

    def add(self, view: EntryView) -> None:
        if view.version <= self.covered:
            while view_cache.page_of(view.version) > self.number:
                self._close()
            self.views.append(view)

    def finish(self) -> None:
        while self.index is not None and self.number < len(self.index.pages):
            self._close()
        if self.swapped:
            raise TamperedRecord(f"a page of journal {self.name}'s view cache is not the one its index names "
                                 "(moved, swapped or altered): it is not believed, and the next read rebuilds it")
        if self.index is None and not self.absent:
            raise TamperedRecord(f"the view cache of journal {self.name} was not made from these records "
                                 "(it comes from another history of the journal, or was altered): it is not "
                                 "believed, and the next read rebuilds it")
        if self.differs or self.index is not None and not self.summaries.matches(self.index):
            raise TamperedRecord(f"the view cache of journal {self.name} does not match its records")

    def _close(self) -> None:
        app, number = self.app, self.number
        opened = view_cache.open_pages(app.recorder.datastore, app.journal_id, app.keyring, self.index, [number])
        if opened is None:
            self.swapped = True
        elif [e.as_json() for e in opened[number]] != [e.as_json() for e in self.views]:
            self.differs = True
        self.summaries.add(number, self.views)
        self.number, self.views = number + 1, []
