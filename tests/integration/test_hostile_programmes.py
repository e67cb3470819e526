"""A writer of the store meddles with a programme: another manager's terms under its name, terms
no manager in the directory signed, new terms after she joined, a private key that is not the
signed one, memberships nobody signed, batches, aggregates and releases their signer never
signed, the helper's memory altered on its disk, a malformed column. None of it buys anything:
her client refuses in one line and sends nothing to that programme (her other programmes still
get their months), the aggregators refuse the keys and ignore each unsigned row with one line,
and the helper refuses an altered memory. Beside each refusal, the honest path still works.

The protocol's own attacks (replayed and forged shares, out-of-range months) are
tests/integration/test_two_aggregators.py's."""

from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction

import pytest

from domain.journal import MenteeJournal
from domain.programme_catalogue import LENGTH
from journal import aggregation, crypto, shares
from journal.errors import JournalError, TamperedRecord
from journal.programmes import _signed_part, find_programme, join_programme, manager_key, signed_memberships
from projections import member_months, programme_helper, programme_release
from tests.conftest import raw_store, store_state
from tests.integration import programme_parties as shared
from tests.integration.programme_parties import (APR, FEB, JOINED, MAR, TODAY, Seeded, mentee, new_programme, opened,
                                                 person, release, share_rows)

parties, cohort = shared.parties, shared.cohort  # the fixtures: Morgan and Sam with Spring; five who sent

TERMS = ("name", "manager_fingerprint", "public_key", "sealed_private", "helper_fingerprint", "helper_key", "k", "rho",
         "start", "months", "settle_days", "created", "signature")


def terms_row(store, name="Spring") -> tuple:
    with raw_store(store) as db:
        found = db.execute(f"SELECT {', '.join(TERMS)} FROM mj_programme_terms WHERE name = ?", (name,)).fetchone()
    return tuple(bytes(v) if isinstance(v, memoryview) else v for v in found)


def put_back(store, row: tuple) -> None:
    with raw_store(store) as db:
        db.execute("DELETE FROM mj_programme_terms WHERE name = ?", (row[0],))
        db.execute(f"INSERT INTO mj_programme_terms ({', '.join(TERMS)}) VALUES ({', '.join('?' * len(TERMS))})", row)


def resign(store, reader, signer, name="Spring", **changes) -> None:
    """The terms `reader` finds, with `changes`, signed by `signer` (a JournalApp) over the row."""
    programme = replace(find_programme(reader, name), **changes)
    signature = crypto.sign(signer.identity.signing_key, _signed_part(programme))
    with raw_store(store) as db:
        db.execute("UPDATE mj_programme_terms SET manager_fingerprint = ?, public_key = ?, helper_fingerprint = ?, "
                   "helper_key = ?, k = ?, rho = ?, start = ?, months = ?, settle_days = ?, signature = ? "
                   "WHERE name = ?",
                   (programme.manager_fingerprint, programme.public_key, programme.helper_fingerprint,
                    programme.helper_key, programme.k, str(programme.rho), programme.start, programme.months,
                    programme.settle_days, signature, name))


def one_line(refusal: pytest.ExceptionInfo) -> str:
    message = str(refusal.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_join_pins_the_manager_the_helper_both_keys_and_the_terms(home, store, parties):
    manager, steward = parties
    app = mentee(home, store, 1)
    pin = app.programme_pins()["Spring"]
    programme = find_programme(app, "Spring")
    assert pin == programme.pin()
    assert (pin["manager_fingerprint"], pin["helper_fingerprint"]) == (manager.identity.fingerprint,
                                                                       steward.identity.fingerprint)
    assert pin["public_key"] == crypto.sha256(programme.public_key).hex()
    assert pin["helper_key"] == crypto.sha256(steward.identity.x25519_public).hex()
    assert (pin["k"], pin["rho"], pin["start"], pin["months"], pin["settle_days"]) == (5, "2", FEB, 6, 7)
    assert member_months.contribute_closed_periods(app, TODAY) == 3  # the honest path
    app.close()


def test_another_managers_terms_under_the_same_name_get_nothing(home, store, parties):
    app = mentee(home, store, 1)
    original = terms_row(store)
    mallory = person(home, store, "Mallory", "manager")  # a real manager, validly signing his own terms
    with raw_store(store) as db:
        db.execute("DELETE FROM mj_programme_terms WHERE name = 'Spring'")
    new_programme(mallory)
    before = store_state(store)
    with pytest.raises(JournalError, match="'Spring' in the store is not the one you joined: its manager, "
                                           "programme key differ from what you pinned") as refused:
        member_months.contribute_closed_periods(app, TODAY)
    one_line(refused)
    assert store_state(store) == before and share_rows(store) == []  # nothing sent, nothing written
    put_back(store, original)  # the honest terms again: her months go to Morgan and Sam
    assert member_months.contribute_closed_periods(app, TODAY) == 3
    assert [opened(parties, row)[0] for row in share_rows(store)] == [1, 1, 1]
    mallory.close()
    app.close()


@pytest.mark.parametrize("forgery", ["signed by the steward", "signed by a mentee", "zeroed signature",
                                     "manager not in the directory"])
def test_terms_no_manager_in_the_directory_signed_are_refused_in_one_line(home, store, parties, forgery):
    manager, steward = parties
    app = mentee(home, store, 1)
    original = terms_row(store)
    if forgery == "signed by the steward":
        resign(store, manager, steward, manager_fingerprint=steward.identity.fingerprint)
    elif forgery == "signed by a mentee":
        resign(store, manager, app, k=6)
    elif forgery == "zeroed signature":
        with raw_store(store) as db:
            db.execute("UPDATE mj_programme_terms SET signature = ?", (bytes(64),))
    else:
        with raw_store(store) as db:
            directory_row = db.execute("SELECT fingerprint, entry, signature FROM mj_directory WHERE fingerprint = ?",
                                       (manager.identity.fingerprint,)).fetchone()
            db.execute("DELETE FROM mj_directory WHERE fingerprint = ?", (manager.identity.fingerprint,))
    for act in (lambda: member_months.contribute_closed_periods(app, TODAY),  # the member's client
                lambda: programme_helper.aggregate(steward, "Spring", TODAY)):  # and the helper's
        with pytest.raises(JournalError, match="programme 'Spring' is not signed by a manager in the directory: "
                                               "not used") as refused:
            act()
        one_line(refused)
    assert share_rows(store) == []
    if forgery == "manager not in the directory":
        with raw_store(store) as db:
            db.execute("INSERT INTO mj_directory (fingerprint, entry, signature) VALUES (?,?,?)", directory_row)
    else:
        put_back(store, original)
    assert member_months.contribute_closed_periods(app, TODAY) == 3  # the honest path
    app.close()


@pytest.mark.parametrize("change, words", [
    ({"rho": Fraction(10)}, "ρ"),
    ({"helper_fingerprint": ""}, "helper, helper's key"),
    ({"k": 6, "settle_days": 0}, "k, settling window"),
    ({"start": MAR, "months": 12}, "start, months"),
], ids=["rho", "no helper", "k and settling", "calendar"])
def test_new_terms_after_she_joined_get_nothing_and_her_other_programme_still_gets_its_months(
        home, store, parties, change, words):
    manager, _ = parties
    new_programme(manager, "Autumn")
    app = mentee(home, store, 1)
    join_programme(app, "Autumn", at=JOINED)
    original = terms_row(store)
    if "helper_fingerprint" in change:  # a programme without a helper seals both shares to the manager
        change = change | {"helper_key": find_programme(manager, "Spring").public_key}
    resign(store, manager, manager, **change)  # validly signed by her manager...
    assert find_programme(app, "Spring").pin() != app.programme_pins()["Spring"]
    with pytest.raises(JournalError, match=f"programme 'Spring' in the store is not the one you joined: its "
                                           f"{words} differ from what you pinned; nothing sent") as refused:
        member_months.contribute_closed_periods(app, TODAY)  # ...but not what she agreed to
    one_line(refused)
    assert sorted((r[0], r[1]) for r in share_rows(store)) == [("Autumn", FEB), ("Autumn", MAR), ("Autumn", APR)]
    put_back(store, original)
    assert member_months.contribute_closed_periods(app, TODAY) == 3  # Spring's months, on the terms she pinned
    app.close()


def test_a_join_that_pinned_no_terms_sends_nothing_and_her_other_programme_still_gets_its_months(home, store, parties):
    """A join recorded by an older client carries no terms (or ε): nothing to hold a row to."""
    manager, _ = parties
    new_programme(manager, "Autumn")
    app = mentee(home, store, 1, at=None)
    app.update(MenteeJournal.join_programme, "Spring", at=JOINED)  # no pins
    join_programme(app, "Autumn", at=JOINED)
    assert "Spring" not in app.programme_pins()
    with pytest.raises(JournalError, match="'Spring' in the store is not the one you joined") as refused:
        member_months.contribute_closed_periods(app, TODAY)
    one_line(refused)
    assert {r[0] for r in share_rows(store)} == {"Autumn"}
    app.close()


def test_a_private_key_that_is_not_the_signed_one_is_refused(store, parties):
    manager, _ = parties
    programme = find_programme(manager, "Spring")
    assert manager_key(manager, programme)  # the honest row opens
    original = terms_row(store)
    other = crypto.new_x25519()  # anyone can seal a key to the manager's public key
    planted = crypto.hpke_seal(manager.identity.encryption_key.public_key(), crypto.raw_private(other),
                               crypto.lp("mj/v1/programme-key", "Spring"))
    with raw_store(store) as db:
        db.execute("UPDATE mj_programme_terms SET sealed_private = ? WHERE name = 'Spring'", (planted,))
    for act in (lambda: manager_key(manager, find_programme(manager, "Spring")),
                lambda: programme_release.release_report(manager, "Spring", TODAY, Seeded(1))):
        with pytest.raises(JournalError, match="'Spring' in the store does not match its signed public key") as no:
            act()
        one_line(no)
    put_back(store, original)
    assert programme_release.release_report(manager, "Spring", TODAY, Seeded(1)).programme == "Spring"


def forged_share(manager, period):
    """What anyone who can write the store can make: well-formed shares sealed to both public keys."""
    programme = find_programme(manager, "Spring")
    handle = crypto.random_bytes(32)
    leader, helper = shares.seal_shares(programme.public_key, programme.helper_key, "Spring", period, handle,
                                        [1] * LENGTH)
    return ("Spring", period, handle, leader, helper, b"")


def test_memberships_their_members_did_not_sign_do_not_count(home, store, parties, cohort):
    manager, steward = parties
    mentee_fingerprints = sorted(app.identity.fingerprint for app in cohort)
    fake = " ".join(["abcd"] * 8)
    membership = crypto.sign(steward.identity.signing_key, crypto.lp("mj/v2/membership", "Spring",
                                                                      steward.identity.fingerprint, FEB, ""))
    outsider = person(home, store, "Mentee9", "mentee")  # a mentee in the directory, who never joined
    with raw_store(store) as db:
        for fingerprint, signature in ((outsider.identity.fingerprint, crypto.random_bytes(64)), (fake, bytes(64)),
                                       (steward.identity.fingerprint, membership),
                                       (manager.identity.fingerprint, crypto.random_bytes(64))):
            db.execute("INSERT INTO mj_memberships VALUES (?,?,?,?,?)", ("Spring", fingerprint, FEB, "", signature))
        db.execute("INSERT INTO mj_shares VALUES (?,?,?,?,?,?)", forged_share(manager, MAR))
    counted = signed_memberships(steward, find_programme(steward, "Spring"))
    assert sorted(m.fingerprint for m in counted) == mentee_fingerprints  # her signed rows, and only theirs
    report, outcomes = release(parties)
    states = {o.period: (o.state, o.reason) for o in outcomes}
    assert states[MAR] == ("refused", "it counts 6 months but only 5 signed members cover 2026-03")
    assert [r["period"] for r in report.periods] == [FEB, APR]  # the honest months still go
    with raw_store(store) as db:
        db.execute("DELETE FROM mj_shares WHERE receipt = ?", (b"",))
    report, _ = release(parties, seed=2)  # re-batched without the forged row
    assert [(r["period"], r["members"]) for r in report.periods] == [(FEB, 5), (MAR, 5), (APR, 5)]
    outsider.close()


def test_a_release_its_manager_did_not_sign_and_seal_is_ignored_with_one_line(store, parties, cohort):
    manager, _ = parties
    honest, _ = release(parties)
    forged = {"format": "mj-release/2", "period": "2026-01", "signature": "00" * 64,
              "row": {"members": 999, "figures": {"active mentees": {"value": 999, "half_width": 0}}}}
    with raw_store(store) as db:
        db.execute("INSERT INTO mj_releases (programme, period, envelope) VALUES (?,?,?)",
                   ("Spring", "2026-01", json.dumps(forged)))  # plain, as anyone could write it
        db.execute("UPDATE mj_releases SET envelope = ? WHERE period = ?",  # sealed under no key the manager has
                   (json.dumps({"format": "mj-release-sealed/1", "sealed": "00" * 80}), MAR))
    report = programme_release.release_report(manager, "Spring", TODAY, Seeded(2))
    assert report.periods == honest.periods  # March released again from the helper's aggregate: the same figures
    assert report.ignored == ["ignored the release of 2026-01 in the store for 'Spring': it is not sealed",
                              "ignored the release of 2026-03 in the store for 'Spring': it does not open"]
    again = programme_release.release_report(manager, "Spring", TODAY, Seeded(3))
    assert again.periods == honest.periods and len(again.ignored) == 1 and "2026-01" in again.ignored[0]


def test_a_batch_its_manager_did_not_sign_is_ignored_with_one_line(home, store, parties, cohort):
    manager, steward = parties
    programme_release.release_report(manager, "Spring", TODAY, Seeded(1))  # the manager batches
    mallory = person(home, store, "Mallory", "manager")
    with raw_store(store) as db:
        honest = json.loads(db.execute("SELECT envelope FROM mj_batches WHERE period = ?", (FEB,)).fetchone()[0])
    body = {k: v for k, v in honest.items() if k not in ("format", "period", "signature")}
    aggregation.republish(mallory, "batch", "Spring", FEB, aggregation.sign(mallory, "batch", "Spring", FEB, body))
    ignored: list[str] = []
    outcomes = programme_helper.aggregate(steward, "Spring", TODAY, Seeded(1), ignored)
    assert ignored == ["ignored the batch of 2026-02 in the store for 'Spring': it is not signed by whoever must "
                       "sign it"]
    assert [(o.period, o.state) for o in outcomes] == [(MAR, "aggregated"), (APR, "aggregated")]
    report = programme_release.release_report(manager, "Spring", TODAY, Seeded(1))  # he batches February again
    assert [r["period"] for r in report.periods] == [MAR, APR] and any("batch of 2026-02" in i for i in report.ignored)
    report, outcomes = release(parties)
    assert [(o.period, o.state) for o in outcomes] == [(FEB, "aggregated"), (MAR, "done"), (APR, "done")]
    assert [r["period"] for r in report.periods] == [FEB, MAR, APR] and report.ignored == []
    mallory.close()


def test_an_aggregate_its_helper_did_not_sign_is_ignored_with_one_line(store, parties, cohort):
    manager, steward = parties
    programme_release.release_report(manager, "Spring", TODAY, Seeded(1))
    programme_helper.aggregate(steward, "Spring", TODAY, Seeded(1))
    with raw_store(store) as db:
        honest = json.loads(db.execute("SELECT envelope FROM mj_aggregates WHERE period = ?", (MAR,)).fetchone()[0])
    body = {k: v for k, v in honest.items() if k not in ("format", "period", "signature")}
    # The manager's own signature over an aggregate of zero noise: not the helper's, so not believed.
    aggregation.republish(manager, "aggregate", "Spring", MAR,
                          aggregation.sign(manager, "aggregate", "Spring", MAR, body | {"share": [0] * 9}))
    report = programme_release.release_report(manager, "Spring", TODAY, Seeded(1))
    assert report.ignored == ["ignored the aggregate of 2026-03 in the store for 'Spring': it is not signed by "
                              "whoever must sign it"]
    assert [r["period"] for r in report.periods] == [FEB, APR]
    assert [(w["period"], "waiting for the helper" in w["reason"]) for w in report.waiting] == [(MAR, True)]
    assert {o.state for o in programme_helper.aggregate(steward, "Spring", TODAY)} == {"done"}  # published again
    report = programme_release.release_report(manager, "Spring", TODAY, Seeded(1))
    assert [r["period"] for r in report.periods] == [FEB, MAR, APR] and report.ignored == []


def test_a_helpers_memory_altered_on_disk_is_refused_and_the_intact_one_works(run, home, store, parties, cohort):
    _, steward = parties
    release(parties)
    path = aggregation.HelperMemory(steward.identity).path
    intact = path.read_bytes()
    document = json.loads(intact)
    document["published"]["Spring/2026-02"]["share"][0] ^= 1  # a lower draw of noise, its MAC kept
    path.write_text(json.dumps(document, sort_keys=True))
    with pytest.raises(TamperedRecord, match="altered or copied from elsewhere") as refused:
        programme_helper.aggregate(steward, "Spring", TODAY)
    one_line(refused)
    result = run("--identity", str(home / "Sam.json"), "program", "aggregate", "Spring")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "memory of aggregates" in errors[0], result.stderr
    path.write_bytes(intact)  # the honest file: every month as it was aggregated
    assert {(o.period, o.state) for o in programme_helper.aggregate(steward, "Spring", TODAY)} == \
        {(FEB, "done"), (MAR, "done"), (APR, "done")}


@pytest.mark.parametrize("column, value", [("k", None), ("rho", "1/0"), ("helper_key", "text"),
                                           ("settle_days", 10**9), ("start", None), ("helper_fingerprint", 7),
                                           ("manager_fingerprint", 7), ("signature", None), ("sealed_private", None)])
def test_a_malformed_programme_row_is_one_line_for_everyone(run, home, store, column, value):
    manager = str(home / "morgan.json")
    assert run("--identity", manager, "init", "--name", "Morgan", "--role", "manager").exit_code == 0
    assert run("--identity", manager, "program", "create", "Autumn", "--no-helper", "--k", "5",
               "--start", FEB).exit_code == 0
    assert run("init", "--name", "Ada").exit_code == 0
    joined = run("program", "join", "Autumn", "--at", f"{FEB}-01")
    assert joined.exit_code == 0 and "k=5" in joined.output  # the honest path, with what is pinned
    assert run("program", "contribute").exit_code == 0
    try:
        with raw_store(store) as db:
            db.execute(f"UPDATE mj_programme_terms SET {column} = ? WHERE name = 'Autumn'", (value,))
    except Exception:  # noqa: BLE001 - PostgreSQL's column types refuse some of these outright
        assert store.is_postgres  # the attack cannot be mounted there: the server's types refuse it
        return
    for args in (("program", "contribute"), ("--identity", manager, "program", "report", "Autumn"),
                 ("checkin", "a quiet day"), ("program", "join", "Autumn"), ("program", "status")):
        result = run(*args)
        assert result.exit_code in (0, 1), (args, result.output)
        assert "Traceback" not in result.output
        if args[0] == "checkin":
            assert result.exit_code == 0  # her own command goes on
        for kind in ("Warning:", "Error:"):  # the background duty's line, and the command's own
            assert len([line for line in result.stderr.splitlines() if line.startswith(kind)]) <= 1, result.stderr
    if column != "sealed_private":  # the mentee never reads the manager's sealed key
        contribute = run("program", "contribute")
        assert contribute.exit_code == 1 and "Autumn" in contribute.stderr


def test_a_refused_programme_is_one_error_line_and_her_other_programme_still_gets_its_months(run, home, store):
    manager = str(home / "morgan.json")
    assert run("--identity", manager, "init", "--name", "Morgan", "--role", "manager").exit_code == 0
    for name in ("Spring", "Autumn"):
        assert run("--identity", manager, "program", "create", name, "--no-helper", "--k", "5",
                   "--start", FEB).exit_code == 0
    assert run("init", "--name", "Ada").exit_code == 0
    for name in ("Spring", "Autumn"):
        assert run("program", "join", name, "--at", f"{FEB}-01").exit_code == 0
    with raw_store(store) as db:  # her months forgotten, and Autumn's terms changed under its manager's signature
        db.execute("DELETE FROM mj_shares")
        db.execute("UPDATE mj_programme_terms SET k = 6 WHERE name = 'Autumn'")
    result = run("program", "contribute")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith(("Error:", "Warning:"))]
    assert len(errors) == 1 and errors[0].startswith("Error:") and "Autumn" in errors[0]  # said once
    assert {(r[0], r[1]) for r in share_rows(store)} == {("Spring", FEB), ("Spring", MAR), ("Spring", APR)}
