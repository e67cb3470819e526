"""A writer of the store meddles with a programme: another manager's row under its name, new terms
after she joined, a private key that is not the signed one, releases the manager never signed, a
malformed row. None of it buys anything: her client refuses in one line and sends nothing, the
manager's client refuses the key, unsigned releases are not shown. Beside each refusal, the
honest path (join, contribute, report) still works."""

from __future__ import annotations

import json
from datetime import timedelta
from fractions import Fraction

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from journal import crypto
from journal.errors import JournalError
from journal.programmes import (
    _signed_part,
    create_programme,
    find_programme,
    join_programme,
    open_contribution,
    programme_private_key,
)
from projections import member_months, programme_release, programme_view
from tests.conftest import raw_store, store_state
from tests.integration.test_programmes import MONTHS_AGO, TODAY, Seeded, contributions, mentee_with_history, person


def created_before_the_history(app, name: str) -> None:
    """A programme created before the months its members join it at (a join is never dated earlier)."""
    with time_machine.travel(MONTHS_AGO[0] - timedelta(days=2), tick=False):
        create_programme(app, name, k=5, epsilon=Fraction(1), months=6)


@pytest.fixture
def manager(home, store):
    app = person(home, store, "Morgan", "manager")
    created_before_the_history(app, "Spring")
    yield app
    app.close()


def joined_mentee(home, store, n: int):
    """A mentee who joined the way `mj program join` does: with the programme's terms pinned."""
    app = mentee_with_history(home, store, n, join=False)
    join_programme(app, "Spring", at=MONTHS_AGO[0] - timedelta(days=1))
    return app


def programme_row(store) -> tuple:
    with raw_store(store) as db:
        return tuple(db.execute("SELECT * FROM mj_programmes WHERE name = 'Spring'").fetchone())


def put_back(store, row: tuple) -> None:
    with raw_store(store) as db:
        db.execute("DELETE FROM mj_programmes WHERE name = 'Spring'")
        db.execute("INSERT INTO mj_programmes VALUES (?,?,?,?,?,?,?,?,?)", row)


def test_join_pins_the_manager_the_key_and_the_terms(home, store, manager):
    app = joined_mentee(home, store, 1)
    pin = app.programme_pins()["Spring"]
    programme = find_programme(app, "Spring")
    assert pin["manager_fingerprint"] == manager.identity.fingerprint
    assert pin["public_key"] == crypto.sha256(programme.public_key).hex()
    assert (pin["k"], pin["epsilon"], pin["months"]) == (5, "1", 6)
    assert member_months.contribute_closed_periods(app, TODAY) >= 3  # the honest path
    app.close()


def test_another_managers_row_under_the_same_name_gets_nothing(home, store, manager):
    app = joined_mentee(home, store, 1)
    original = programme_row(store)
    mallory = person(home, store, "Mallory", "manager")  # a real manager, validly signing his own row
    with raw_store(store) as db:
        db.execute("DELETE FROM mj_programmes WHERE name = 'Spring'")
    create_programme(mallory, "Spring", k=5, epsilon=Fraction(1), months=6)
    before = store_state(store)
    with pytest.raises(JournalError, match="'Spring'.*(manager|pinned)") as refused:
        member_months.contribute_closed_periods(app, TODAY)
    assert "\n" not in str(refused.value)
    assert store_state(store) == before  # nothing sent, nothing written
    assert contributions(store) == []
    put_back(store, original)  # the honest row again: her months go to Morgan
    assert member_months.contribute_closed_periods(app, TODAY) >= 3
    key = programme_private_key(manager, find_programme(manager, "Spring"))
    for programme, period, _, sealed in contributions(store):
        assert open_contribution(key, programme, period, bytes(sealed))["metrics"]
    mallory.close()
    app.close()


def resign_terms(store, manager, *, k: int, epsilon: str, months: int) -> None:
    """The same manager signs his row again with new terms, keeping the key."""
    name, fp, public, sealed, _, _, _, created, _ = programme_row(store)
    signature = crypto.sign(manager.identity.signing_key,
                            _signed_part(name, fp, bytes(public), k, Fraction(epsilon), months, created))
    with raw_store(store) as db:
        db.execute("UPDATE mj_programmes SET k = ?, epsilon = ?, months = ?, signature = ? WHERE name = 'Spring'",
                   (k, epsilon, months, signature))


def test_new_terms_after_she_joined_are_refused(home, store, manager):
    app = joined_mentee(home, store, 1)
    original = programme_row(store)
    resign_terms(store, manager, k=5, epsilon="10", months=36)
    assert find_programme(app, "Spring").epsilon == 10  # validly signed by her manager...
    with pytest.raises(JournalError, match="'Spring'.*pinned"):  # ...but not what she agreed to
        member_months.contribute_closed_periods(app, TODAY)
    assert contributions(store) == []
    put_back(store, original)
    assert member_months.contribute_closed_periods(app, TODAY) >= 3
    app.close()


def test_a_joined_programme_from_before_pins_is_pinned_on_first_use(home, store, manager):
    app = mentee_with_history(home, store, 1)  # joined by an older client: nothing pinned
    assert "Spring" not in app.programme_pins()
    notes: list[str] = []
    assert member_months.contribute_closed_periods(app, TODAY, notes=notes) >= 3
    assert any("pinned" in note and "Spring" in note for note in notes)
    assert app.programme_pins()["Spring"]["manager_fingerprint"] == manager.identity.fingerprint
    assert app.programmes()["Spring"][0] == f"{MONTHS_AGO[0] - timedelta(days=1):%Y-%m}"  # joined month kept
    resign_terms(store, manager, k=6, epsilon="1", months=6)  # from now on, a change is refused
    with pytest.raises(JournalError, match="'Spring'.*pinned"):
        member_months.contribute_closed_periods(app, TODAY)
    app.close()


def test_a_private_key_that_is_not_the_signed_one_is_refused(home, store, manager):
    programme = find_programme(manager, "Spring")
    assert programme_private_key(manager, programme)  # the honest row opens
    other = X25519PrivateKey.generate()  # anyone can seal a key to the manager's public key
    planted = crypto.hpke_seal(manager.identity.encryption_key.public_key(), other.private_bytes_raw(),
                               crypto.lp("mj/v1/programme-key", "Spring"))
    with raw_store(store) as db:
        db.execute("UPDATE mj_programmes SET sealed_private = ? WHERE name = 'Spring'", (planted,))
    with pytest.raises(JournalError, match="'Spring'.*signed public key"):
        programme_private_key(manager, find_programme(manager, "Spring"))


def test_a_release_the_manager_did_not_sign_is_not_shown(home, store, manager):
    mentees = [joined_mentee(home, store, n) for n in range(6)]
    for app in mentees:
        member_months.contribute_closed_periods(app, TODAY)
    forged = {"period": "2026-01"} | {name: 999 for name in programme_release.CATALOGUE if name != "retention"}
    with raw_store(store) as db:
        db.execute("INSERT INTO mj_programme_releases (programme, period, row) VALUES (?,?,?)",
                   ("Spring", "2026-01", json.dumps(forged)))
    report = programme_release.release_report(manager, "Spring", TODAY, rng=Seeded(1))
    assert [row["period"] for row in report.periods] == ["2026-02", "2026-03", "2026-04"]  # the honest path
    assert all(row["active mentees"] != 999 for row in report.periods)
    assert len(report.ignored) == 1 and "2026-01" in report.ignored[0] and "\n" not in report.ignored[0]
    with raw_store(store) as db:  # a release signed by someone else, over one the manager made
        db.execute("UPDATE mj_programme_releases SET row = ? WHERE period = '2026-03'",
                   (json.dumps(forged | {"period": "2026-03"}),))
    again = programme_release.release_report(manager, "Spring", TODAY, rng=Seeded(2))
    assert all(row["active mentees"] != 999 for row in again.periods)
    assert any("2026-03" in line for line in again.ignored)
    for app in mentees:
        app.close()


@pytest.mark.parametrize("column, value", [("k", None), ("k", "many"), ("months", 10**9), ("epsilon", None),
                                           ("epsilon", "1/0"), ("public_key", "text"), ("manager_fingerprint", 7),
                                           ("signature", None), ("created", None), ("sealed_private", None)])
def test_a_malformed_programme_row_is_one_line_for_everyone(run, home, store, column, value):
    manager = str(home / "morgan.json")
    assert run("--identity", manager, "init", "--name", "Morgan", "--role", "manager").exit_code == 0
    assert run("--identity", manager, "program", "create", "Autumn", "--k", "5").exit_code == 0
    assert run("init", "--name", "Ada").exit_code == 0
    joined = run("program", "join", "Autumn")
    assert joined.exit_code == 0 and "k=5" in joined.output  # the honest path, with what is pinned
    assert run("program", "contribute").exit_code == 0
    try:
        with raw_store(store) as db:
            db.execute(f"UPDATE mj_programmes SET {column} = ? WHERE name = 'Autumn'", (value,))
    except Exception:  # noqa: BLE001 - PostgreSQL's column types refuse some of these outright
        assert store.is_postgres  # the attack cannot be mounted there: the server's types refuse it
        return
    for args in (("program", "contribute"), ("--identity", manager, "program", "report", "Autumn"),
                 ("checkin", "a quiet day"), ("program", "join", "Autumn")):
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


def test_contributions_that_do_not_decode_count_for_nothing(home, store, manager):
    mentees = [joined_mentee(home, store, n) for n in range(5)]
    for app in mentees:
        member_months.contribute_closed_periods(app, TODAY)
    _, honest = programme_view.catch_up(manager, "Spring")
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

    public = X25519PublicKey.from_public_bytes(find_programme(manager, "Spring").public_key)
    info = crypto.lp("mj/v1/contribution", "Spring", "2026-03")
    bad = [b"not json", json.dumps({"cohort": "x|y|z", "metrics": {"active": 1}}).encode(),
           json.dumps({"cohort": "2026-01", "metrics": ["active"]}).encode()]
    with raw_store(store) as db:
        for n, body in enumerate(bad):
            db.execute("INSERT INTO mj_contributions (programme, period, pseudonym, sealed) VALUES (?,?,?,?)",
                       ("Spring", "2026-03", bytes([n]) * 32, crypto.hpke_seal(public, crypto.pad(body), info)))
        db.execute("INSERT INTO mj_contributions (programme, period, pseudonym, sealed) VALUES (?,?,?,?)",
                   ("Spring", "2026-03", b"\xff" * 32, b"garbage"))
    _, view = programme_view.catch_up(manager, "Spring")
    assert view == honest
    with raw_store(store) as db:  # a view that does not open is rebuilt, not believed or fatal
        db.execute("UPDATE mj_programme_views SET sealed = ?", (b"not a view",))
    assert programme_view.catch_up(manager, "Spring")[1] == honest
    assert programme_release.release_report(manager, "Spring", TODAY, rng=Seeded(3)).periods  # the honest path
    for app in mentees:
        app.close()


def test_a_whole_batch_of_malformed_contributions_does_not_stop_the_count(home, store, manager, monkeypatch):
    """Rows the store class cannot decode still move the manager's position on: a batch made of
    nothing but them must not read as the end of the contributions."""
    monkeypatch.setattr(programme_view, "BATCH", 3)  # the attack needs a whole batch of bad rows: 3, not 2,000
    with raw_store(store) as db:
        for n in range(3):  # a period no client writes (too long) and a sealed value that is no contribution
            db.execute("INSERT INTO mj_contributions (programme, period, pseudonym, sealed) VALUES (?,?,?,?)",
                       ("Spring", "2026-03" + "x" * 30, bytes([n]) * 32, b"junk"))
    mentees = [joined_mentee(home, store, n) for n in range(5)]
    for app in mentees:
        assert member_months.contribute_closed_periods(app, TODAY) >= 3
    _, view = programme_view.catch_up(manager, "Spring")
    with raw_store(store) as db:
        db.execute("DELETE FROM mj_contributions WHERE length(period) > 7")
    _, honest = programme_view.catch_up(manager, "Spring", from_scratch=True)
    assert honest and view == honest  # every honest month counted, past the bad batch
    for app in mentees:
        app.close()


def test_what_was_pinned_on_first_use_is_said_even_when_another_programme_is_refused(run, home, store, manager):
    app = mentee_with_history(home, store, 1)  # Spring joined by an older client: pinned on first use
    created_before_the_history(manager, "Autumn")
    join_programme(app, "Autumn", at=MONTHS_AGO[0] - timedelta(days=1))
    app.close()
    with raw_store(store) as db:  # Autumn's terms changed under its manager's signature: refused
        db.execute("UPDATE mj_programmes SET k = 6 WHERE name = 'Autumn'")
    result = run("--identity", str(home / "Mentee1.json"), "program", "contribute")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith(("Error:", "Warning:"))]
    assert len(errors) == 1 and errors[0].startswith("Error:") and "Autumn" in errors[0]  # said once
    pinned = [line for line in result.output.splitlines() if line.startswith("Pinned programme 'Spring'")]
    assert len(pinned) == 1  # said, though the command failed
    assert {row[0] for row in contributions(store)} == {"Spring"}  # the honest programme got its months
