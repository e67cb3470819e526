"""A programme from a member's side and end to end: what she sends (every closed month she
consented to, zeros included, under a fresh pseudonym, re-sent only when it changed), the
threshold k, the rules a programme is created within, the commands, and no plaintext at rest
after a whole cohort has contributed and a report was released.

The protocol's attacks (what each aggregator alone can open, replays, forged rows) are
tests/integration/test_two_aggregators.py's; the store-writer's attacks on a programme's rows
are test_hostile_programmes.py's. These helpers are shared with both of this file's siblings.

The suite's calendar is mid-May 2026: February, March and April are closed and settled."""

from __future__ import annotations

import json
from datetime import timedelta
from fractions import Fraction

import pytest

from domain.journal import MenteeJournal
from domain.programme_catalogue import LENGTH
from journal import directory
from journal.errors import JournalError
from journal.programmes import create_programme, find_programme, join_programme, members_in, signed_memberships
from projections import member_months, programme_page
from projections.model import JournalModel
from tests.conftest import files_at_rest, raw_store
from tests.integration.programme_parties import (APR, FEB, JOINED, MAR, MONTHS, TODAY, cohort, mentee,
                                                 opened, parties, person, release, share_rows)

__all__ = ["cohort", "parties"]  # fixtures, used by name


def test_a_mentee_sends_each_closed_month_once_under_a_fresh_pseudonym(home, store, parties):
    app = mentee(home, store, 1)
    assert member_months.contribute_closed_periods(app, TODAY) == 3
    assert member_months.contribute_closed_periods(app, TODAY) == 0  # again: nothing new
    rows = share_rows(store)
    assert [r[1] for r in rows] == [FEB, MAR, APR] and len({r[2] for r in rows}) == 3  # unlinkable across months
    programme = find_programme(app, "Spring")
    model = JournalModel.build(app.history())
    for row in rows:
        name, period, pseudonym, leader, helper, receipt = row
        assert opened(parties, row) == member_months.monthly_vector(model, period, programme, FEB)
        assert member_months.open_receipt(app, name, period, pseudonym, receipt)["vector"] == opened(parties, row)
        for data in (pseudonym, leader, helper, receipt):  # nothing in the row names her
            assert app.journal_id.hex.encode() not in data and app.journal_id.bytes not in data
            assert app.identity.fingerprint.encode() not in data and b"Mentee1" not in data
    # Every month's shares have the same sizes, whatever she did in it.
    assert len({len(r[3]) for r in rows}) == 1 and len({len(r[4]) for r in rows}) == 1
    app.close()


def test_a_month_with_no_entries_is_sent_as_zeros(home, store, parties):
    app = mentee(home, store, 2, months=(0,))  # nothing at all in March or April
    assert member_months.contribute_closed_periods(app, TODAY) == 3
    rows = {r[1]: r for r in share_rows(store)}
    assert sorted(rows) == [FEB, MAR, APR]  # the rows exist: a row says only that she is a member
    assert opened(parties, rows[APR]) == [0] * LENGTH
    march = opened(parties, rows[MAR])
    assert march[:5] == [0] * 5  # not active, no meeting, no goal, no milestone
    assert march[6] == march[8] == 1  # March closes Q1: her ratings of the quarter (February's) still go
    assert opened(parties, rows[FEB])[0] == 1  # active
    app.close()


def test_a_member_who_joined_late_sends_from_her_join_month_only(home, store, parties):
    manager, _ = parties
    app = mentee(home, store, 3, at=MONTHS[2] - timedelta(days=9))  # April 1st, with history since February
    assert app.programmes()["Spring"] == (APR, None)
    assert member_months.contribute_closed_periods(app, TODAY) == 1
    assert [r[1] for r in share_rows(store)] == [APR]
    memberships = signed_memberships(manager, find_programme(manager, "Spring"))
    assert [(m.joined, m.left) for m in memberships] == [(APR, None)]  # her signed consent, from April
    assert [members_in(memberships, p) for p in (FEB, MAR, APR)] == [0, 0, 1]
    app.close()


def test_a_join_is_never_dated_before_the_programme_or_after_its_end(home, store, parties):
    app = mentee(home, store, 4, at=None)
    with pytest.raises(JournalError, match="before programme 'Spring' starts"):
        join_programme(app, "Spring", at=JOINED - timedelta(days=2))
    with pytest.raises(JournalError, match="ended with 2026-07"):
        join_programme(app, "Spring", at=JOINED + timedelta(days=200))
    assert app.programmes() == {}  # nothing recorded
    join_programme(app, "Spring", at=JOINED)  # the honest path
    assert member_months.contribute_closed_periods(app, TODAY) == 3
    app.close()


def test_an_unchanged_month_is_not_sent_again_when_her_journal_moves_on(home, store, parties):
    app = mentee(home, store, 1)
    member_months.contribute_closed_periods(app, TODAY)
    before = share_rows(store)
    app.update(MenteeJournal.check_in, "today, in the open month", mood=3)
    assert member_months.contribute_closed_periods(app, TODAY) == 0
    after = share_rows(store)
    assert [r[:5] for r in after] == [r[:5] for r in before]  # the same shares, byte for byte
    assert all(a[5] != b[5] for a, b in zip(after, before, strict=True))  # receipts at her new version
    assert member_months.contribute_closed_periods(app, TODAY) == 0  # now known: the journal is not read again
    app.update(MenteeJournal.log_meeting, minutes=90, focus="late", at=MONTHS[1] + timedelta(days=2))
    assert member_months.contribute_closed_periods(app, TODAY) == 1  # March changed: re-sent, replaced
    changed = {r[1]: r for r in share_rows(store)}
    assert len(changed) == 3 and changed[MAR][3] != before[1][3]
    app.close()


def test_fewer_than_k_members_release_nothing_until_a_kth_sends(home, store, parties):
    apps = [mentee(home, store, n) for n in range(4)]  # k is 5
    for app in apps:
        member_months.contribute_closed_periods(app, TODAY)
    report, outcomes = release(parties)
    assert report.periods == []
    assert {(o.state, o.reason) for o in outcomes} == {("refused", "it has months from 4 members, fewer than k = 5")}
    assert [w["period"] for w in report.waiting] == [FEB, MAR, APR]
    assert all("the helper refused the batch: it has months from 4 members, fewer than k = 5" == w["reason"]
               for w in report.waiting)
    with raw_store(store) as db:  # refused: no noise drawn, nothing spent, nothing released
        assert db.execute("SELECT count(*) FROM mj_releases").fetchone()[0] == 0
    apps.append(mentee(home, store, 4))
    assert member_months.contribute_closed_periods(apps[-1], TODAY) == 3
    report, outcomes = release(parties, seed=2)  # the manager batches again, with five
    assert [(o.period, o.state) for o in outcomes] == [(FEB, "aggregated"), (MAR, "aggregated"), (APR, "aggregated")]
    assert [(r["period"], r["members"]) for r in report.periods] == [(FEB, 5), (MAR, 5), (APR, 5)]
    for app in apps:
        app.close()


def test_only_a_manager_creates_a_programme_and_only_within_its_bounds(home, store, parties):
    manager, steward = parties
    sam = directory.find(manager.recorder.datastore, "Sam", role="steward")
    other = person(home, store, "Mallory", "manager")
    for app, changes, refusal in (
            (steward, {}, "only a programme manager"),
            (manager, {"k": 4}, "at least 5"),
            (manager, {"name": "Bad/Name"}, "not a programme name"),
            (manager, {"name": "Spring"}, "already exists"),
            (manager, {"rho": Fraction(1, 101)}, "between 0.01 and 10"),
            (manager, {"rho": Fraction(11)}, "between 0.01 and 10"),
            (manager, {"months": 37}, "1 to 36 months"),
            (manager, {"months": 0}, "1 to 36 months"),
            (manager, {"settle_days": 91}, "0 to 90 days"),
            (manager, {"helper": directory.find(manager.recorder.datastore, "Mallory", role="manager")},
             "helper must be a steward"),
            (other, {"helper": directory.find(other.recorder.datastore, "Mallory", role="manager")},
             "never the manager")):
        terms = {"name": "Autumn", "helper": sam, "k": 5, "rho": Fraction(2), "start": FEB, "months": 6,
                 "settle_days": 7} | changes
        with pytest.raises(JournalError, match=refusal):
            create_programme(app, terms.pop("name"), **terms)
    with pytest.raises(JournalError, match="no programme 'Nope' in this store \\(known: Spring\\)"):
        find_programme(steward, "Nope")
    autumn = create_programme(manager, "Autumn", helper=None, k=5, rho=Fraction(1, 2), start=FEB, months=3,
                              settle_days=0)  # the honest path, without a helper
    assert not find_programme(steward, "Autumn").has_helper and autumn.last_period == APR
    other.close()


def test_the_programme_commands_work_end_to_end(run, home, store):
    morgan, sam = str(home / "morgan.json"), str(home / "sam.json")
    assert run("--identity", morgan, "init", "--name", "Morgan", "--role", "manager").exit_code == 0
    assert run("--identity", sam, "init", "--name", "Sam", "--role", "steward").exit_code == 0
    created = run("--identity", morgan, "program", "create", "Autumn", "--helper", "Sam", "--k", "5", "--start", FEB)
    assert created.exit_code == 0, created.output
    assert run("init", "--name", "Ada").exit_code == 0
    joined = run("program", "join", "Autumn", "--at", f"{FEB}-01")
    assert joined.exit_code == 0 and "k=5" in joined.output, joined.output  # told what is pinned
    assert run("program", "join", "Autumn").exit_code == 1  # already in
    assert run("program", "contribute").exit_code == 0  # (a write command sends in the background too)
    assert [r[1] for r in share_rows(store)] == [FEB, MAR, APR]
    report = run("--identity", morgan, "program", "report", "Autumn", "--json")
    assert report.exit_code == 0, report.output
    document = json.loads(report.stdout)
    assert document["programme"] == "Autumn" and document["periods"] == []
    aggregated = run("--identity", sam, "program", "aggregate", "Autumn", "--json")
    assert aggregated.exit_code == 0, aggregated.output
    assert {o["state"] for o in json.loads(aggregated.stdout)} == {"refused"}  # one member: fewer than k
    assert run("program", "create", "Mine", "--no-helper").exit_code == 1  # a mentee cannot
    assert run("--identity", morgan, "program", "create", "Low", "--k", "2", "--no-helper").exit_code == 1
    assert run("--identity", morgan, "program", "create", "Loose").exit_code != 0  # a helper, or --no-helper
    assert run("program", "leave", "Autumn").exit_code == 0


def test_no_mentee_text_reaches_any_file_after_a_cohort_contributes_and_a_report_is_released(home, store, parties,
                                                                                             cohort):
    report, _ = release(parties, seed=5)
    assert [r["period"] for r in report.periods] == [FEB, MAR, APR]
    page = programme_page.render_programme_report(report)
    assert page.count('<svg class="chart"') == 5 and all(p in page for p in (FEB, MAR, APR))
    from projections.report import write_report

    write_report(home / "programme.html", page)
    markers = [m for n in range(5) for m in (f"MENTEE{n}-SECRET".encode(), f"FOCUS-{n}".encode())]
    for n, app in enumerate(cohort):  # the markers did go in
        assert any(f"MENTEE{n}-SECRET" in str(e.fields.get("text")) for e in app.entries())
    scanned = []
    for path in files_at_rest(home, store):  # every app still open: SQLite's WAL is on disk
        scanned.append(path.name)
        data = path.read_bytes()
        for marker in markers:
            assert marker not in data, (path, marker)
    assert {"programme.html", "Morgan.json", "Sam.json", "Sam.aggregates.json", "Mentee0.json"} <= set(scanned)
    if store.is_postgres:
        assert any(len(name) == 24 and name.startswith("0000") for name in scanned)  # a WAL segment
    else:
        assert {"journal.db", "journal.db-wal"} <= set(scanned)
