"""A programme with two aggregators: what the manager alone, the helper alone and the two together
can open, and the protocol's honest path (batch, aggregate, release) beside each attack on it.

The suite's calendar is mid-May 2026: February, March and April are closed and settled."""

from datetime import timedelta
from fractions import Fraction

import pytest

from domain import clock
from domain.journal import MenteeJournal
from domain.programme_catalogue import LENGTH
from journal import crypto, shares
from journal.programmes import create_programme, find_programme, helper_key, manager_key
from projections import member_months, programme_helper, programme_release
from projections.model import JournalModel
from tests.conftest import raw_store
from tests.integration.programme_parties import APR, FEB, MAR, MONTHS, TODAY, Seeded, parties, person, release
from tests.integration.programme_parties import mentee as member

__all__ = ["parties"]  # a fixture, used by name


@pytest.fixture
def cohort(home, store, parties):
    apps = [member(home, store, n) for n in range(6)]
    for app in apps:
        assert member_months.contribute_closed_periods(app, TODAY) == 3
    yield apps
    for app in apps:
        app.close()


def share_rows(store):
    with raw_store(store) as db:
        return db.execute("SELECT programme, period, pseudonym, leader, helper FROM mj_shares").fetchall()


def true_totals(apps, programme, period):
    total = [0] * LENGTH
    for app in apps:
        joined = app.programmes()["Spring"][0]
        vector = member_months.monthly_vector(JournalModel.build(app.history()), period, programme, joined)
        total = [a + b for a, b in zip(total, vector, strict=True)]
    return total


def test_the_manager_and_the_helper_together_get_the_totals_before_noise(store, parties, cohort):
    manager, steward = parties
    programme = find_programme(manager, "Spring")
    lead, helper = manager_key(manager, programme), helper_key(steward, programme)
    sums: dict[str, list[int]] = {}
    for name, period, pseudonym, leader_sealed, helper_sealed in share_rows(store):
        words = shares.combine(shares.open_leader(lead, bytes(leader_sealed), name, period, bytes(pseudonym), LENGTH),
                               shares.open_helper(helper, bytes(helper_sealed), name, period, bytes(pseudonym),
                                                  LENGTH))
        sums[period] = shares.combine(sums.get(period, [0] * LENGTH), words)
    assert sorted(sums) == [FEB, MAR, APR]
    for period, total in sums.items():
        assert total == true_totals(cohort, programme, period)
        assert total[0] == 6  # every member active every month


def _spread(words):
    """Bounded figures are under 2^16; a share word is uniform over 2^64, so under 2^32 with
    probability 2^-32: a word that small would be a figure showing through."""
    return all(w >= 2**32 for w in words)


def test_the_manager_alone_opens_no_single_contribution(store, parties, cohort):
    manager, _ = parties
    programme = find_programme(manager, "Spring")
    lead = manager_key(manager, programme)
    for name, period, pseudonym, leader_sealed, helper_sealed in share_rows(store):
        words = shares.open_leader(lead, bytes(leader_sealed), name, period, bytes(pseudonym), LENGTH)
        assert _spread(words)
        for key in (lead, manager.identity.encryption_key):  # every private key he holds
            with pytest.raises((crypto.Unopenable, ValueError)):
                shares.open_helper(key, bytes(helper_sealed), name, period, bytes(pseudonym), LENGTH)
    with pytest.raises(Exception, match="only the helper"):
        helper_key(manager, programme)


def test_the_helper_alone_opens_no_single_contribution(store, parties, cohort):
    _, steward = parties
    programme = find_programme(steward, "Spring")
    helper = helper_key(steward, programme)
    for name, period, pseudonym, leader_sealed, helper_sealed in share_rows(store):
        assert _spread(shares.open_helper(helper, bytes(helper_sealed), name, period, bytes(pseudonym), LENGTH))
        with pytest.raises((crypto.Unopenable, ValueError)):
            shares.open_leader(helper, bytes(leader_sealed), name, period, bytes(pseudonym), LENGTH)
    with pytest.raises(Exception, match="only the manager"):
        manager_key(steward, programme)


def test_months_are_released_only_after_the_helper_adds_the_noise(store, parties, cohort):
    manager, steward = parties
    first = programme_release.release_report(manager, "Spring", TODAY, Seeded(1))
    assert first.periods == []
    assert [w["period"] for w in first.waiting] == [FEB, MAR, APR]
    assert all("waiting for the helper" in w["reason"] for w in first.waiting)
    report, outcomes = release(parties)
    assert [(o.period, o.state) for o in outcomes] == [(FEB, "aggregated"), (MAR, "aggregated"), (APR, "aggregated")]
    assert [row["period"] for row in report.periods] == [FEB, MAR, APR]
    for row in report.periods:
        active = row["figures"]["active mentees"]
        assert row["members"] == 6 and active["half_width"] > 0
        assert abs(active["value"] - 6) <= 4 * active["half_width"]
    assert "confidence" in report.periods[1]["figures"]  # March closes Q1: the quarter's ratings
    assert "confidence" not in report.periods[0]["figures"]
    # Again: the same figures, no new draw, and nothing charged twice.
    again = programme_release.release_report(manager, "Spring", TODAY, Seeded(99))
    assert again.periods == report.periods
    assert {o.state for o in programme_helper.aggregate(steward, "Spring", TODAY, Seeded(99))} == {"done"}


def test_the_quarter_that_pays_is_the_months_own(store, parties, cohort):
    _, steward = parties
    _, outcomes = release(parties)
    from journal import aggregation

    signed = aggregation.signed(steward, "aggregate", "Spring", steward.identity.signing_key.public_key())
    assert {p: e["quarter"] for p, e in signed.items()} == {FEB: "2026-Q1", MAR: "2026-Q1", APR: "2026-Q2"}
    # Q1: two months of five figures and the quarter's four ratings, of nineteen shares of ρ = 2
    assert sum(Fraction(e["cost"]) for e in signed.values() if e["quarter"] == "2026-Q1") == Fraction(2 * 14, 19)


def test_a_deleted_aggregate_is_published_again_never_drawn_again(store, parties, cohort):
    manager, steward = parties
    report, _ = release(parties)
    with raw_store(store) as db:
        before = db.execute("SELECT envelope FROM mj_aggregates WHERE period = ?", (FEB,)).fetchall()
        db.execute("DELETE FROM mj_aggregates")
        db.execute("DELETE FROM mj_releases")
    programme_helper.aggregate(steward, "Spring", TODAY, Seeded(7))
    with raw_store(store) as db:
        assert db.execute("SELECT envelope FROM mj_aggregates WHERE period = ?", (FEB,)).fetchall() == before
    again = programme_release.release_report(manager, "Spring", TODAY, Seeded(7))
    assert again.periods == report.periods


def test_a_share_replayed_under_another_pseudonym_is_counted_once(store, parties, cohort):
    with raw_store(store) as db:
        rows = db.execute("SELECT programme, period, leader, helper, receipt FROM mj_shares WHERE period = ?",
                          (FEB,)).fetchall()
        for _ in range(5):
            programme, period, leader, helper, receipt = rows[0]
            db.execute("INSERT INTO mj_shares VALUES (?,?,?,?,?,?)",
                       (programme, period, crypto.random_bytes(32), leader, helper, receipt))
    report, _ = release(parties)
    assert [r["members"] for r in report.periods] == [6, 6, 6]


def _forged_contribution(manager, period, vector):
    """What anyone who can write the store can make: well-formed shares sealed to both public keys."""
    programme = find_programme(manager, "Spring")
    handle = crypto.random_bytes(32)
    leader, helper = shares.seal_shares(programme.public_key, programme.helper_key, "Spring", period, handle, vector)
    return ("Spring", period, handle, leader, helper, b"")


def test_more_months_than_signed_members_are_refused_by_the_helper(store, parties, cohort):
    manager, _ = parties
    with raw_store(store) as db:
        for _ in range(4):
            db.execute("INSERT INTO mj_shares VALUES (?,?,?,?,?,?)", _forged_contribution(manager, MAR, [1] * LENGTH))
    report, outcomes = release(parties)
    states = {o.period: (o.state, o.reason) for o in outcomes}
    assert states[MAR][0] == "refused" and "only 6 signed members" in states[MAR][1]
    assert [r["period"] for r in report.periods] == [FEB, APR]  # the honest months still go


def test_fake_and_out_of_range_months_are_never_batched(store, parties, cohort):
    manager, _ = parties
    with raw_store(store) as db:
        for period in ("2025-12", "2026-05", "2026-08", "2027-01"):  # before, open, after the programme
            for _ in range(6):
                db.execute("INSERT INTO mj_shares VALUES (?,?,?,?,?,?)", _forged_contribution(manager, period, [0] * 9))
    report, _ = release(parties)
    assert [r["period"] for r in report.periods] == [FEB, MAR, APR]
    with raw_store(store) as db:
        assert sorted(r[0] for r in db.execute("SELECT period FROM mj_batches").fetchall()) == [FEB, MAR, APR]


def test_a_malformed_contribution_is_left_out_and_the_month_goes_on(store, parties, cohort):
    with raw_store(store) as db:
        db.execute("INSERT INTO mj_shares VALUES (?,?,?,?,?,?)", ("Spring", FEB, crypto.random_bytes(32),
                                                                  b"junk", b"junk", b""))
        db.execute("INSERT INTO mj_shares VALUES (?,?,?,?,?,?)", ("Spring", FEB, "not bytes", 7, None, None))
    report, _ = release(parties)
    assert [r["members"] for r in report.periods] == [6, 6, 6]


def test_a_helper_share_that_does_not_open_is_refused_then_left_out(store, parties, cohort):
    """A forged row whose manager's share opens and whose helper's share does not: the helper
    refuses the batch (nothing spent), and the manager's next batch leaves the row out."""
    manager, steward = parties
    programme = find_programme(manager, "Spring")
    handle = crypto.random_bytes(32)
    leader, _ = shares.seal_shares(programme.public_key, programme.helper_key, "Spring", FEB, handle, [0] * 9)
    with raw_store(store) as db:
        db.execute("INSERT INTO mj_shares VALUES (?,?,?,?,?,?)", ("Spring", FEB, handle, leader, b"x" * 100, b""))
    report, outcomes = release(parties)
    assert dict((o.period, o.state) for o in outcomes)[FEB] == "refused"
    assert [r["period"] for r in report.periods] == [MAR, APR]
    report, outcomes = release(parties)
    assert dict((o.period, o.state) for o in outcomes)[FEB] == "aggregated"
    assert [(r["period"], r["members"]) for r in report.periods] == [(FEB, 6), (MAR, 6), (APR, 6)]


def test_a_month_is_replaced_while_unaggregated_and_final_after(store, parties, cohort):
    manager, steward = parties
    app = cohort[0]
    app.update(MenteeJournal.log_meeting, minutes=90, focus="late", at=MONTHS[1] + timedelta(days=3))
    assert member_months.contribute_closed_periods(app, TODAY) == 1  # March re-sent
    assert member_months.contribute_closed_periods(app, TODAY) == 0
    release(parties)
    app.update(MenteeJournal.log_meeting, minutes=90, focus="later", at=MONTHS[1] + timedelta(days=4))
    assert member_months.contribute_closed_periods(app, TODAY) == 0  # aggregated: final


def test_a_month_waits_for_its_settling_window(store, parties, cohort):
    manager, steward = parties
    early = clock.add_months(TODAY, -1).replace(day=3)  # April 3rd: March closed 3 days ago
    report = programme_release.release_report(manager, "Spring", early, Seeded(1))
    reasons = {w["period"]: w["reason"] for w in report.waiting}
    assert reasons[MAR] == "settles on 2026-04-08"
    assert "waiting for the helper" in reasons[FEB]


def test_leaving_and_the_end_stop_contributions(home, store, parties):
    manager, _ = parties
    from journal.programmes import sign_membership

    app = member(home, store, 1)
    app.update(MenteeJournal.leave_programme, "Spring", at=MONTHS[1])  # left in March
    sign_membership(app, "Spring", FEB, MAR)
    assert member_months.contribute_closed_periods(app, TODAY) == 1  # February only
    programme = find_programme(app, "Spring")
    later = clock.add_months(TODAY, 12)
    assert member_months.months_to_send(programme, FEB, None, later) == programme.periods  # six, then none


def test_a_cohort_of_fourteen_on_the_defaults_sees_its_core_figures(home, store):
    """The handbooks' cohort size on the programme defaults (k = 10, ρ = 2 a quarter): every month
    released, each core figure with its interval, the quarter's ratings not suppressed."""
    from domain.programme_catalogue import DEFAULT_K, DEFAULT_RHO, DEFAULT_SETTLE_DAYS
    from journal import directory

    manager, steward = person(home, store, "Morgan", "manager"), person(home, store, "Sam", "steward")
    create_programme(manager, "Spring", helper=directory.find(manager.recorder.datastore, "Sam", role="steward"),
                     k=DEFAULT_K, rho=DEFAULT_RHO, start=FEB, months=6, settle_days=DEFAULT_SETTLE_DAYS)
    apps = [member(home, store, n) for n in range(14)]
    for app in apps:
        member_months.contribute_closed_periods(app, TODAY)
    report, _ = release((manager, steward), seed=14)
    assert [row["period"] for row in report.periods] == [FEB, MAR, APR]
    for row in report.periods:
        figures = row["figures"]
        assert row["members"] == 14
        for name in ("active mentees", "meetings", "meeting the one-hour norm", "goals achieved"):
            assert "value" in figures[name] and 0 < figures[name]["half_width"] <= 10, (name, figures[name])
        assert abs(figures["active mentees"]["value"] - 14) <= figures["active mentees"]["half_width"] * 2
    march = report.periods[1]["figures"]
    for rating in ("confidence", "satisfaction"):
        assert "value" in march[rating] and 1 <= march[rating]["value"] <= 5 and march[rating]["half_width"] < 2
    for app in [manager, steward, *apps]:
        app.close()


def test_the_helper_never_reads_a_release_which_with_its_noise_would_give_the_exact_totals(store, parties, cohort):
    manager, steward = parties
    report, _ = release(parties)
    with raw_store(store) as db:
        stored = [r[0] for r in db.execute("SELECT envelope FROM mj_releases").fetchall()]
    assert len(stored) == 3
    for text in stored:  # what the helper, or anyone with the store, holds of a release
        assert "active mentees" not in text and "figures" not in text and "mj-release-sealed/1" in text
    from journal import aggregation

    sealing = aggregation.release_key(manager_key(manager, find_programme(manager, "Spring")), "Spring")
    opened = aggregation.signed(manager, "release", "Spring", manager.identity.signing_key.public_key(),
                                release_key=sealing)
    assert [e["row"]["figures"]["active mentees"] for e in opened.values()] == \
        [r["figures"]["active mentees"] for r in report.periods]


def test_a_join_again_cannot_be_dated_before_leaving(home, store, parties):
    from journal.errors import JournalError
    from journal.programmes import join_programme

    app = member(home, store, 2)
    app.update(MenteeJournal.leave_programme, "Spring", at=MONTHS[1])  # left in March
    with pytest.raises(JournalError, match="a join again is dated from 2026-03 on"):
        join_programme(app, "Spring", at=MONTHS[0])
    join_programme(app, "Spring", at=MONTHS[2])  # April: the honest path
    assert app.programmes()["Spring"] == ("2026-04", None)
    app.close()


def test_a_month_written_up_late_counts_once_it_is_re_sent_before_it_settles(store, parties, cohort):
    """A meeting of March written on April 5th (before March settles on the 8th) is in the totals
    the two aggregators reach, and only once."""
    manager, steward = parties
    programme = find_programme(manager, "Spring")
    before = true_totals(cohort, programme, MAR)
    cohort[0].update(MenteeJournal.log_meeting, minutes=5, focus="late", at=MONTHS[1] + timedelta(days=5))
    assert member_months.contribute_closed_periods(cohort[0], TODAY) == 1
    lead, helper = manager_key(manager, programme), helper_key(steward, programme)
    total = [0] * LENGTH
    for name, period, pseudonym, leader_sealed, helper_sealed in share_rows(store):
        if period == MAR:
            total = shares.combine(total, shares.open_leader(lead, bytes(leader_sealed), name, period,
                                                             bytes(pseudonym), LENGTH),
                                   shares.open_helper(helper, bytes(helper_sealed), name, period, bytes(pseudonym),
                                                      LENGTH))
    assert total == true_totals(cohort, programme, MAR)
    assert total[1] == before[1] + 1  # one more meeting, counted once


def test_terms_re_signed_after_members_sent_are_refused_by_the_helper(store, parties, cohort):
    """The manager signs Spring again with a larger ρ and a smaller k: months already sent must not
    be aggregated under terms the helper did not first aggregate under."""
    import dataclasses

    from journal.errors import JournalError
    from journal.programmes import _signed_part

    manager, steward = parties
    march = TODAY.replace(month=3, day=20)  # February has settled; March and April are to come
    programme_release.release_report(manager, "Spring", march, Seeded(1))
    assert [(o.period, o.state) for o in programme_helper.aggregate(steward, "Spring", march, Seeded(1))] == \
        [(FEB, "aggregated")]  # the honest path, which pins the terms
    looser = dataclasses.replace(find_programme(manager, "Spring"), rho=Fraction(10), k=5)
    with raw_store(store) as db:
        db.execute("UPDATE mj_programme_terms SET rho = ?, k = ?, signature = ? WHERE name = ?",
                   ("10", 5, crypto.sign(manager.identity.signing_key, _signed_part(looser)), "Spring"))
    assert find_programme(steward, "Spring").rho == 10  # validly signed by the manager
    programme_release.release_report(manager, "Spring", TODAY, Seeded(1))  # March and April batched
    with pytest.raises(JournalError, match="changed since you first aggregated it"):
        programme_helper.aggregate(steward, "Spring", TODAY, Seeded(2))
    with raw_store(store) as db:
        assert [r[0] for r in db.execute("SELECT period FROM mj_aggregates").fetchall()] == [FEB]


def test_a_lost_membership_row_is_signed_again_at_her_next_command(store, parties, cohort):
    """A join whose second write failed, or a membership a store writer deleted: the month would
    count more rows than members, and be refused for everyone. Her client writes it again."""
    fingerprint = cohort[0].identity.fingerprint
    with raw_store(store) as db:
        db.execute("DELETE FROM mj_memberships WHERE fingerprint = ?", (fingerprint,))
    assert member_months.contribute_closed_periods(cohort[0], TODAY) == 0  # nothing to re-send
    with raw_store(store) as db:
        assert db.execute("SELECT joined, left_month FROM mj_memberships WHERE fingerprint = ?",
                          (fingerprint,)).fetchall() == [(FEB, "")]
    report, _ = release(parties)
    assert [r["members"] for r in report.periods] == [6, 6, 6]
