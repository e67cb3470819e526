"""Programme aggregates: what the manager can open, suppression, idempotence, leaving, budget."""

import json
from datetime import datetime, time, timedelta
from fractions import Fraction

import pytest

from journal.app import JournalApp
from journal.enrolment import enrol
from journal.errors import JournalError
from journal.identity import unlock_identity
from journal.programmes import (
    create_programme,
    find_programme,
    load_view,
    programme_private_key,
    remaining,
)
from domain import clock
from domain.journal import MenteeJournal
from projections import member_months, programme_page, programme_release, programme_view
from projections.model import JournalModel
from tests.conftest import FIXED_NOW, PASSPHRASE, files_at_rest, raw_store

# The suite's fixed calendar (see conftest): mid-May 2026. The three whole months before it
# (February, March, April) are closed; the history sits on the 10th of each.
NOW = FIXED_NOW
TODAY = FIXED_NOW.date()
MONTHS_AGO = [datetime.combine(clock.add_months(TODAY.replace(day=10), -n), time(12)).astimezone() for n in (3, 2, 1)]


def person(home, store, name, role):
    enrol(home / f"{name}.json", store, name=name, role=role, passphrase=PASSPHRASE)
    return JournalApp(store, unlock_identity(home / f"{name}.json", PASSPHRASE))


@pytest.fixture
def manager(home, store):
    app = person(home, store, "Morgan", "manager")
    create_programme(app, "Spring", k=5, epsilon=Fraction(1), months=6)
    yield app
    app.close()


def mentee_with_history(home, store, n: int, *, join=True) -> JournalApp:
    app = person(home, store, f"Mentee{n}", "mentee")
    if join:
        app.update(lambda j: j.join_programme("Spring", at=MONTHS_AGO[0] - timedelta(days=1)))
    for month, at in enumerate(MONTHS_AGO):
        for day in range(2 + (n + month) % 4):
            app.update(MenteeJournal.check_in, f"MENTEE{n}-SECRET day {day}", mood=1 + (n + day) % 5,
                       confidence=1 + (n * day) % 5, at=at + timedelta(hours=day))
        app.update(MenteeJournal.log_meeting, minutes=45 + 10 * (n % 3), focus=f"FOCUS-{n}", at=at + timedelta(days=1))
    return app


def contributions(store):
    with raw_store(store) as db:
        return db.execute("SELECT programme, period, pseudonym, sealed FROM mj_contributions").fetchall()


def test_a_mentee_sends_each_closed_month_once_and_anonymously(home, store, manager):
    app = mentee_with_history(home, store, 1)
    sent = member_months.contribute_closed_periods(app, TODAY)
    assert sent >= 3
    assert member_months.contribute_closed_periods(app, TODAY) == 0  # repeated: nothing new
    rows = contributions(store)
    assert len(rows) == sent and len({r[2] for r in rows}) == sent  # a fresh pseudonym each period
    key = programme_private_key(manager, find_programme(manager, "Spring"))
    from journal.programmes import open_contribution

    for programme, period, pseudonym, sealed in rows:
        payload = open_contribution(key, programme, period, bytes(sealed))
        assert set(payload) == {"period", "cohort", "metrics"}
        assert set(payload["metrics"]) == set(member_months.BOUNDS)
        for metric, value in payload["metrics"].items():
            low, high = member_months.BOUNDS[metric]
            assert value is None or low <= value <= high
        text = json.dumps(payload)
        assert "MENTEE1" not in text and "FOCUS" not in text and "Mentee1" not in text
        assert app.journal_id.hex not in text and app.identity.fingerprint not in text
        assert app.journal_id.hex.encode() not in bytes(pseudonym)
    app.close()


def test_the_manager_sees_only_sums_and_counts_and_no_one_else_can_open_contributions(home, store, manager):
    mentees = [mentee_with_history(home, store, n) for n in range(3)]
    for app in mentees:
        member_months.contribute_closed_periods(app, TODAY)
    added, view = programme_view.catch_up(manager, "Spring")
    assert added == len(contributions(store))
    for key, cell in view.items():
        cohort, period, metric = key.split("|")
        assert metric in member_months.BOUNDS and len(cell) == 2 and all(isinstance(v, int) for v in cell)
    assert all("MENTEE" not in key for key in view)
    with pytest.raises(JournalError, match="only the manager"):
        programme_private_key(mentees[0], find_programme(mentees[0], "Spring"))
    for app in mentees:
        app.close()


def test_the_view_is_sealed_incremental_and_rebuildable(home, store, manager):
    first = mentee_with_history(home, store, 1)
    member_months.contribute_closed_periods(first, TODAY)
    programme_view.catch_up(manager, "Spring")
    second = mentee_with_history(home, store, 2)
    member_months.contribute_closed_periods(second, TODAY)
    added, incremental = programme_view.catch_up(manager, "Spring")
    assert added > 0
    _, rebuilt = programme_view.catch_up(manager, "Spring", from_scratch=True)
    assert incremental == rebuilt
    with raw_store(store) as db:
        sealed = bytes(db.execute("SELECT sealed FROM mj_programme_views").fetchone()[0])
    assert b"checkins" not in sealed and b"meeting_minutes" not in sealed
    position, view = load_view(manager, programme_private_key(manager, find_programme(manager, "Spring")), "Spring")
    with raw_store(store) as db:
        last = db.execute("SELECT MAX(rowid) FROM mj_contributions").fetchone()[0]
    assert view == rebuilt and position == last
    for app in (first, second):
        app.close()


def test_fewer_than_k_mentees_show_no_count_under_k(home, store, manager):
    """Suppression is decided on the noisy count (a decision on the true count would release
    it): a month is wholly suppressed, or shows a noisy count of at least k."""
    mentees = [mentee_with_history(home, store, n) for n in range(4)]  # k is 5
    for app in mentees:
        member_months.contribute_closed_periods(app, TODAY)
    report = programme_release.release_report(manager, "Spring", TODAY)
    assert report.periods
    for row in report.periods:
        if row["active mentees"] == "suppressed":
            assert all(row[name] == "suppressed" for name in programme_release.CATALOGUE), row
        else:
            assert row["active mentees"] >= 5, row
    for app in mentees:
        app.close()


class Seeded:
    def __init__(self, seed):
        import random

        self.random = random.Random(seed)

    def randbelow(self, n):
        return self.random.randrange(n)


def test_each_month_is_released_once_and_paid_for_by_its_own_quarter(home, store, manager):
    mentees = [mentee_with_history(home, store, n) for n in range(12)]
    for app in mentees:
        member_months.contribute_closed_periods(app, TODAY)
    first = programme_release.release_report(manager, "Spring", TODAY, rng=Seeded(1))
    assert len(first.periods) == 3 and first.epsilon_left == "2/3"  # April's third of Q2: May and June to come
    assert all(isinstance(row["active mentees"], int) or row["active mentees"] == "suppressed" for row in first.periods)
    released = [row for row in first.periods if isinstance(row["active mentees"], int)]
    assert released and released[0]["retention"] == 1.0  # relative to the first released month
    again = programme_release.release_report(manager, "Spring", TODAY, rng=Seeded(2))  # nothing new: free, same figures
    assert again.periods == first.periods and again.epsilon_spent == "0"
    early = person(home, store, "Early", "mentee")  # brings an older month: January, of Q1
    early.update(lambda j: j.join_programme("Spring", at=MONTHS_AGO[0] - timedelta(days=31)))
    early.update(lambda j: j.check_in("early days", at=MONTHS_AGO[0] - timedelta(days=28)))
    member_months.contribute_closed_periods(early, TODAY)
    later = programme_release.release_report(manager, "Spring", TODAY, rng=Seeded(3))  # Q1's last third pays
    assert [row["period"] for row in later.periods] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert later.epsilon_spent == "1/3" and later.waiting == []
    assert [row | {"retention": 0} for row in later.periods[1:]] == [row | {"retention": 0} for row in first.periods]
    assert remaining(manager, find_programme(manager, "Spring"), "2026-Q1") == 0
    early.close()
    with raw_store(store) as db:
        released = dict(db.execute("SELECT period, row FROM mj_programme_releases").fetchall())
    assert sorted(released) == [row["period"] for row in later.periods]
    for app in mentees:
        app.close()


def test_a_report_with_nothing_released_and_no_budget_says_why(home, store, manager):
    mentees = [mentee_with_history(home, store, n) for n in range(5)]
    for app in mentees:
        member_months.contribute_closed_periods(app, TODAY)
    from journal.programmes import spend

    for quarter in ("2026-Q1", "2026-Q2"):  # someone spent the quarters of February, March and April
        spend(manager, find_programme(manager, "Spring"), quarter, Fraction(1))
    with pytest.raises(JournalError, match="privacy budget .* is spent"):
        programme_release.release_report(manager, "Spring", TODAY, rng=Seeded(6))
    later = clock.add_months(TODAY, 2)  # Q3's budget does not pay for the months of Q1 and Q2
    with pytest.raises(JournalError, match="privacy budget .* is spent"):
        programme_release.release_report(manager, "Spring", later, rng=Seeded(7))
    for app in mentees:
        app.close()


def test_a_repeated_contribution_changes_nothing(home, store, manager):
    app = mentee_with_history(home, store, 1)
    member_months.contribute_closed_periods(app, TODAY)
    _, before = programme_view.catch_up(manager, "Spring")
    from journal.programmes import contribute

    period = sorted(r[1] for r in contributions(store))[0]
    model = JournalModel.build(app.history())
    figures = member_months.monthly_metrics(model, period, "x")
    assert contribute(app, find_programme(app, "Spring"), period, figures) is False
    _, after = programme_view.catch_up(manager, "Spring")
    assert after == before
    app.close()


def test_leaving_stops_future_contributions(home, store, manager):
    app = mentee_with_history(home, store, 1)
    app.update(lambda j: j.leave_programme("Spring", at=MONTHS_AGO[1] + timedelta(days=2)))
    member_months.contribute_closed_periods(app, TODAY)
    periods = sorted(r[1] for r in contributions(store))
    left = f"{MONTHS_AGO[1] + timedelta(days=2):%Y-%m}"
    assert periods and all(p < left for p in periods)
    assert member_months.contribute_closed_periods(app, TODAY) == 0
    app.close()


def test_only_a_manager_creates_and_k_is_never_below_five(home, store, manager):
    mentee = person(home, store, "Sam", "mentee")
    with pytest.raises(JournalError, match="only a programme manager"):
        create_programme(mentee, "Other", k=10, epsilon=Fraction(1), months=6)
    with pytest.raises(JournalError, match="at least 5"):
        create_programme(manager, "Tiny", k=4, epsilon=Fraction(1), months=6)
    with pytest.raises(JournalError, match="not a programme name"):
        create_programme(manager, "Bad/Name", k=10, epsilon=Fraction(1), months=6)
    with pytest.raises(JournalError, match="already exists"):
        create_programme(manager, "Spring", k=10, epsilon=Fraction(1), months=6)
    with pytest.raises(JournalError, match="no programme 'Nope'"):
        find_programme(mentee, "Nope")
    mentee.close()


def test_the_programme_commands_work_end_to_end(run, home, tmp_path):
    manager = str(home / "morgan.json")
    assert run("--identity", manager, "init", "--name", "Morgan", "--role", "manager").exit_code == 0
    created = run("--identity", manager, "program", "create", "Autumn", "--k", "5")
    assert created.exit_code == 0, created.output
    assert run("init", "--name", "Ada").exit_code == 0
    assert run("program", "join", "Autumn").exit_code == 0
    assert run("program", "join", "Autumn").exit_code == 1  # already in
    assert run("program", "contribute").exit_code == 0
    report = run("--identity", manager, "program", "report", "Autumn", "--json")
    assert report.exit_code == 0, report.output
    assert json.loads(report.stdout)["programme"] == "Autumn"
    assert run("program", "create", "Mine").exit_code == 1  # a mentee cannot
    assert run("--identity", manager, "program", "create", "Low", "--k", "2").exit_code == 1
    assert run("program", "leave", "Autumn").exit_code == 0


def test_the_programme_report_page_has_its_charts(home, store, manager, tmp_path):
    mentees = [mentee_with_history(home, store, n) for n in range(6)]
    for app in mentees:
        member_months.contribute_closed_periods(app, TODAY)
    report = programme_release.release_report(manager, "Spring", TODAY, rng=Seeded(4))
    page = programme_page.render_programme_report(report)
    assert page.count('<svg class="chart"') == 5 and "Programme Spring" in page
    assert all(row["period"] in page for row in report.periods)
    assert "MENTEE" not in page and "Mentee" not in page
    for app in mentees:
        app.close()


def test_no_mentee_text_reaches_any_file_after_the_programme_exchange(home, store, manager, tmp_path):
    mentees = [mentee_with_history(home, store, n) for n in range(11)]
    for app in mentees:
        member_months.contribute_closed_periods(app, TODAY)
    report = programme_release.release_report(manager, "Spring", TODAY, rng=Seeded(5))
    from projections.report import write_report

    write_report(home / "programme.html", programme_page.render_programme_report(report))
    scanned = []
    for path in files_at_rest(home, store):
        scanned.append(path.name)
        data = path.read_bytes()
        for n in range(11):
            assert f"MENTEE{n}-SECRET".encode() not in data and f"FOCUS-{n}".encode() not in data, path
    assert "programme.html" in scanned and "Morgan.json" in scanned
    assert ("journal.db" in scanned) if store.path else any(name.startswith("0000") for name in scanned)  # WAL
    for app in mentees:
        app.close()
