"""The paged view cache: a question answered from only the pages it needs gives exactly what the
fold of the whole journal gives, with amendments and retractions of old records, back-dated
entries and records written after the cache; `-n` opens the newest pages only.

Pages are made small here (8 records) so that a journal of a few hundred records has dozens."""

from datetime import date, datetime, timedelta, timezone

import pytest

from domain.journal import MenteeJournal
from journal import bound_state, view_cache, view_reads, view_select
from journal.app import JournalApp
from journal.identity import unlock_identity
from projections.entries import EntryFilter
from projections.rhythm import nudge_question
from journal.errors import TamperedRecord
from tests.conftest import PASSPHRASE, raw_store

START = datetime(2025, 12, 20, 9, tzinfo=timezone.utc)  # + 140 days: before the suite's today


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    monkeypatch.setattr(view_cache, "PAGE", 8)
    monkeypatch.setattr(view_cache, "REFRESH_AFTER", 5)


def reopen(app):
    return JournalApp(app.store, unlock_identity(app.identity.path, PASSPHRASE))


def index_of(app):
    return view_cache.load_index(app.recorder.datastore, app.journal_id, app.keyring,
                                 bound_state.checked_chain(app)[1])


def amend(app, entry_id, **changes):
    entry = next(e for e in app.entries() if e.id == entry_id)
    app.update(MenteeJournal.amend, entry_id, entry.kind, entry.fields, entry.at, changes,
               number=entry.versions + 1, at=changes.pop("at", None))


@pytest.fixture
def journal(unlocked):
    """130 check-ins over 130 days, every seventh back-dated by a month; tags by day; old ones
    amended (text, tags, and one moved to the newest day) and retracted from later pages."""
    app = unlocked()
    ids = []
    for n in range(130):
        at = START + timedelta(days=n) - (timedelta(days=30) if n % 7 == 3 else timedelta(0))
        ids.append(app.update(MenteeJournal.check_in, f"note {n} " + ("needle" if n % 11 == 0 else "hay"),
                              tags=("even",) if n % 2 == 0 else ("odd", "Rare") if n % 13 == 0 else (), at=at))
        if n == 60:
            amend(app, ids[5], text="note 5 now with a needle", tags=("rare",))
            app.update(lambda j: j.retract(ids[22]))  # an "even", "needle" one
        if n == 100:
            amend(app, ids[30], at=START + timedelta(days=140))  # the newest of all now
            amend(app, ids[33], text="note 33 hay")  # a needle no more (33 % 11 == 0)
    app.entries()  # the cache written, then records after it
    for n in range(130, 133):
        app.update(MenteeJournal.check_in, f"after the cache {n} needle", tags=("even",),
                   at=START + timedelta(days=n))
    amend(app, ids[44], text="note 44 amended after the cache")
    return reopen(app)


FILTERS = [EntryFilter(limit=20), EntryFilter(limit=1), EntryFilter(limit=500),
           EntryFilter(since=date(2026, 3, 1), until=date(2026, 3, 31)),
           EntryFilter(since=date(2026, 5, 1), limit=3), EntryFilter(until=date(2026, 1, 10)),
           EntryFilter(tags=("rare",)), EntryFilter(tags=("odd",), limit=2), EntryFilter(contains="needle"),
           EntryFilter(contains="NEEDLE", limit=4), EntryFilter(kinds=("goal",)), EntryFilter(tags=("none",)),
           EntryFilter(since=date(2026, 2, 2), until=date(2026, 2, 2), tags=("even",)),
           EntryFilter(contains="amended after the cache")]


@pytest.mark.parametrize("question", FILTERS, ids=repr)
def test_an_answer_from_pages_equals_the_fold_of_the_whole_journal(journal, question):
    whole = [e.as_json() for e in question.apply(journal.entries())]
    answer, _ = view_select.ask(reopen(journal), question.question())
    assert [e.as_json() for e in answer] == whole
    assert whole or question.tags == ("none",) or question.kinds  # the questions do find things


def test_the_fixture_has_what_the_questions_are_about(journal):
    every = {e.fields["text"]: e for e in journal.entries()}
    assert "note 22 hay" not in every and not any(t.startswith("note 22 ") for t in every)  # retracted
    assert every["note 5 now with a needle"].tags == ("rare",)
    assert max(journal.entries(), key=lambda e: e.at).fields["text"].startswith("note 30 ")
    assert len(index_of(journal).pages) >= 15


def test_the_newest_entries_open_the_newest_pages_only(journal):
    index_pages = len(index_of(journal).pages)
    # An old record amended after the cache: the first read looks for its page, once, and the
    # cache moves on with it; from then on only the newest pages, and the pages where the records
    # amended in those were first written (notes 30, 33 and 44: a fold needs every version).
    first, _ = view_select.ask(reopen(journal), EntryFilter(limit=3).question())
    answer, reads = view_select.ask(reopen(journal), EntryFilter(limit=3).question())
    assert [e.fields["text"][:7] for e in answer] == ["after t", "after t", "note 30"] and first == answer
    assert reads <= 6 < index_pages
    _, everything = view_select.ask(reopen(journal), EntryFilter(contains="needle").question())
    index = index_of(journal)  # a text search reads every page once, one at a time, and again only the
    again = sum(1 + len(fixes) for _, fixes in index.corrected.values())  # pages of the corrected ones
    assert len(index.pages) <= everything <= len(index.pages) + again


def test_nudges_read_relationships_and_this_months_meetings(journal):
    answer, _ = view_select.ask(reopen(journal), nudge_question(date(2026, 5, 20)))
    assert answer == []  # check-ins only: nothing a nudge reads
    assert nudge_question(date(2026, 5, 20)).keep(journal.entries()[0]) is False


def test_a_page_that_is_not_the_indexs_is_not_believed_and_the_answer_comes_from_the_records(journal):
    whole = [e.as_json() for e in EntryFilter(limit=20).apply(journal.entries())]
    with raw_store(journal.store) as db:
        rows = db.execute("SELECT page, blob, wrap FROM mj_view_pages ORDER BY page").fetchall()
        # the newest page's row swapped for an older page's: each opens, neither is where it claims
        db.execute("UPDATE mj_view_pages SET blob = ?, wrap = ? WHERE page = ?", (rows[0][1], rows[0][2], rows[-1][0]))
    answer, reads = view_select.ask(reopen(journal), EntryFilter(limit=20).question())
    assert [e.as_json() for e in answer] == whole and reads == 0  # from every record
    assert view_select.ask(reopen(journal), EntryFilter(limit=20).question())[1] > 0  # the cache rebuilt


def test_verify_checks_that_the_index_says_what_its_pages_hold(journal, monkeypatch):
    assert journal.verify().records > 130  # the honest index
    honest = view_cache.summary
    monkeypatch.setattr(view_cache, "summary", lambda *a: honest(*a).__class__(
        **{**{f: getattr(honest(*a), f) for f in honest(*a).__slots__}, "tags": frozenset()}))  # a bug: no tags
    journal.rebuild_view_cache()
    monkeypatch.setattr(view_cache, "summary", honest)
    assert view_select.ask(reopen(journal), EntryFilter(tags=("rare",)).question())[0] == []  # reads trust it
    with pytest.raises(TamperedRecord, match="view cache .* does not match its records"):
        reopen(journal).verify()


def test_a_write_moves_the_cache_on_with_what_it_wrote_but_leaves_a_search_to_the_next_read(journal, monkeypatch):
    monkeypatch.setattr(view_cache, "REFRESH_AFTER", 1)  # as mj has it
    app = reopen(journal)
    app.entries()  # the cache at the head
    app.update(MenteeJournal.check_in, "written last", tags=("even",), at=START + timedelta(days=139))
    index, after, _ = view_reads.cached_place(reopen(app))
    assert after == [] and index.version == app.head_version()  # no record to open on the next read
    assert [e.fields["text"] for e in view_select.ask(reopen(app), EntryFilter(limit=1).question())[0]] == \
        [next(e for e in app.entries() if e.id == max(app.entries(), key=lambda e: e.at).id).fields["text"]]
    old = next(e for e in app.entries() if e.fields["text"].startswith("note 1 "))
    amend(app, old.id, text="note 1, amended last")  # its page is not the open one: not searched on a write
    index, after, _ = view_reads.cached_place(reopen(app))
    assert len(after) == 1 and index.version == app.head_version() - 1
    assert "note 1, amended last" in [e.fields["text"] for e in view_select.ask(
        reopen(app), EntryFilter(contains="amended last").question())[0]]


def size(app):
    return len(bound_state.checked_chain(app)[0])


def checkins_until_page_is_full(app, ids, n=0):
    """Check-ins until the journal's size is a multiple of PAGE (and at least 3 pages)."""
    while size(app) % view_cache.PAGE or size(app) < 3 * view_cache.PAGE:
        ids.append(app.update(MenteeJournal.check_in, f"note {n}", at=START + timedelta(days=n)))
        n += 1
    return n


@pytest.fixture
def retraction_alone_on_its_page(unlocked):
    """A journal whose size is a whole number of pages when the cache is written; then she
    retracts an old entry: the retraction is the first (and only) record of a new page. The next
    read places the retraction at once ("unplaced") and writes a page holding only it."""
    app = unlocked()
    ids = []
    checkins_until_page_is_full(app, ids)
    app.entries()  # the cache, covering whole pages
    assert index_of(app).version % view_cache.PAGE == 0
    app.update(lambda j: j.retract(ids[1]))
    return app


@pytest.mark.parametrize("question", [EntryFilter(limit=3), EntryFilter(since=date(2026, 1, 1)),
                                      EntryFilter(until=date(2026, 1, 1))], ids=repr)
def test_a_page_of_only_retractions_does_not_crash_a_question(retraction_alone_on_its_page, question):
    app = retraction_alone_on_its_page
    whole = [e.as_json() for e in question.apply(app.entries())]
    answer, _ = view_select.ask(reopen(app), question.question())
    assert [e.as_json() for e in answer] == whole


def test_mj_entries_n_after_a_retraction_on_a_page_boundary_is_no_traceback(retraction_alone_on_its_page, run):
    # The same through the CLI command's own path (app.ask, as cli/reading.py calls it).
    app = reopen(retraction_alone_on_its_page)
    whole = EntryFilter(limit=3).apply(app.entries())
    assert app.ask(EntryFilter(limit=3).question()) == whole


@pytest.fixture
def journal_with_pages(unlocked):
    app = unlocked()
    for n in range(40):
        app.update(MenteeJournal.check_in, f"note {n}", at=START + timedelta(days=n))
    app.entries()
    return reopen(app)


@pytest.mark.parametrize("question", [EntryFilter(since=date.min), EntryFilter(until=date.max)], ids=repr)
def test_the_first_or_last_day_there_is_no_overflow(journal_with_pages, question):
    # `mj entries --from 0001-01-01` / `--to 9999-12-31`: a day of slack past them is no day at all
    whole = [e.as_json() for e in question.apply(journal_with_pages.entries())]
    answer, _ = view_select.ask(reopen(journal_with_pages), question.question())
    assert [e.as_json() for e in answer] == whole


def test_a_retracted_record_among_the_newest_does_not_make_n_open_every_page(unlocked):
    """A retraction is never looked for as a record of its own: it is brought in with the record
    it retracts (its id is the first version of nothing, and a search for it reads every page)."""
    app = unlocked()
    ids = [app.update(MenteeJournal.check_in, f"note {n}", at=START + timedelta(hours=n)) for n in range(200)]
    app.update(lambda j: j.retract(ids[-1]))  # the newest one retracted
    for n in range(200, 203):
        app.update(MenteeJournal.check_in, f"note {n}", at=START + timedelta(hours=n))
    app.entries()
    view_select.ask(reopen(app), EntryFilter(limit=20).question())  # the cache settles
    pages = len(index_of(app).pages)
    question = EntryFilter(limit=20)
    answer, reads = view_select.ask(reopen(app), question.question())
    assert [e.as_json() for e in answer] == [e.as_json() for e in question.apply(app.entries())]
    # 20 entries of 8-record pages: ~3-4 pages, plus the page of the retraction
    assert reads <= 8, f"opened {reads} of {pages} pages for -n 20"
