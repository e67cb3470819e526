"""A writer of the store rolls the whole store back to a copy taken before a write (the SQLite file
copied back, or every PostgreSQL table restored from its earlier rows). The signed checkpoint is
consistent with the old state, so only the device's own memory can tell: the anchor it keeps per
journal (size and head seen, MAC'd) refuses a store older than what it has already seen. Beside
each refusal, the honest path: writes and reads go on, a second device with no anchor works, a
store that only grew is accepted, and a rollback made on purpose can be accepted."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from domain.journal import MenteeJournal
from journal.app import JournalApp
from journal.errors import TamperedRecord
from journal.identity import unlock_identity
from tests.conftest import PASSPHRASE, raw_store


def copy_of_store(store) -> object:
    """What an attacker keeps aside: the SQLite file, or every row of every PostgreSQL table."""
    if store.path is not None:
        copy = store.path.with_name("copy-of-journal.db")
        copy.unlink(missing_ok=True)
        with sqlite3.connect(store.path) as source, sqlite3.connect(copy) as target:
            source.backup(target)  # the file as it is, WAL included
        return copy
    with raw_store(store) as db:
        tables = [t for (t,) in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()]
        return {t: db.execute(f"SELECT * FROM {t}").fetchall() for t in tables}


def roll_back(store, copy) -> None:
    """The store put back as it was when `copy` was taken."""
    if store.path is not None:
        with sqlite3.connect(copy) as source, sqlite3.connect(store.path) as target:
            source.backup(target)
        return
    with raw_store(store) as db:
        for table, rows in copy.items():
            db.execute(f"DELETE FROM {table}")
            if rows:
                db.executemany(f"INSERT INTO {table} VALUES ({','.join('?' * len(rows[0]))})", rows)


def reopen(app: JournalApp, identity_path: Path | None = None) -> JournalApp:
    return JournalApp(app.store, unlock_identity(identity_path or app.identity.path, PASSPHRASE))


def second_device(app: JournalApp, tmp_path: Path) -> Path:
    """The same identity on another device: its own home, with no anchor yet."""
    device = tmp_path / "second-device"
    device.mkdir(mode=0o700, exist_ok=True)
    shutil.copy(app.identity.path, device / "identity.json")
    return device / "identity.json"


def write(app: JournalApp, count: int, text: str = "check-in") -> None:
    for n in range(count):
        app.update(MenteeJournal.check_in, f"{text} {n}", mood=3)


def texts(app: JournalApp) -> list[str]:
    return [e.fields.get("text", e.kind) for e in app.entries()]


def anchor_file(app: JournalApp) -> Path:
    return app.identity.path.parent / "anchors" / f"{app.journal_id.hex}.json"


@pytest.fixture
def rolled_back(unlocked):
    """Five check-ins, a copy, three more check-ins on this device, then the copy put back."""
    app = unlocked()
    write(app, 5)
    copy = copy_of_store(app.store)
    write(app, 3, "written after the copy")
    assert len(texts(app)) == 8
    app.close()
    roll_back(app.store, copy)
    return app


def test_a_store_rolled_back_to_an_earlier_copy_is_refused_by_the_device_that_saw_more(rolled_back):
    app = reopen(rolled_back)
    seen = f"the store holds 6 records of journal {app.journal_id.hex[:8]} but this device has seen 9"
    for attempt in (app.entries, app.verify, lambda: app.update(MenteeJournal.check_in, "on the old copy"),
                    app.programmes):
        with pytest.raises(TamperedRecord, match=seen):
            attempt()
    app.close()


def test_the_refused_store_is_left_as_it_was(rolled_back):
    app = reopen(rolled_back)
    with pytest.raises(TamperedRecord):
        app.update(MenteeJournal.check_in, "on the old copy")
    app.close()
    other = reopen(rolled_back, rolled_back.identity.path)
    with raw_store(other.store) as db:
        assert db.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0] == 6
    other.close()


def test_honest_writes_and_reads_keep_working_and_the_anchor_follows_them(unlocked):
    app = unlocked()
    write(app, 3)
    app = reopen(app)
    assert len(texts(app)) == 3
    write(app, 2)
    assert len(texts(reopen(app))) == 5
    anchor = json.loads(anchor_file(app).read_text())
    assert (anchor["journal"], anchor["size"]) == (app.journal_id.hex, 6)
    assert anchor_file(app).stat().st_mode & 0o777 == 0o600
    assert app.verify().records == 6
    app.close()


def test_a_second_device_that_never_saw_the_later_state_cannot_notice_and_works(rolled_back, tmp_path):
    app = reopen(rolled_back, second_device(rolled_back, tmp_path))
    assert len(texts(app)) == 5  # what the anchor cannot protect: see docs/THREAT_MODEL.md
    write(app, 1, "from the second device")
    assert app.verify().records == 7
    app.close()


def test_a_store_that_only_grew_on_another_device_is_accepted(unlocked, tmp_path):
    app = unlocked()
    write(app, 3)
    app.close()
    other = reopen(app, second_device(app, tmp_path))
    write(other, 60, "from the second device")
    other.close()
    app = reopen(app)
    assert len(texts(app)) == 63
    write(app, 1, "back on the first device")
    assert app.verify().records == 65
    app.close()


def test_a_fork_written_over_a_rolled_back_store_is_refused_even_when_it_is_longer(rolled_back, tmp_path):
    other = reopen(rolled_back, second_device(rolled_back, tmp_path))
    write(other, 5, "another history")  # 11 records: more than the first device saw, but not its 9
    other.close()
    app = reopen(rolled_back)
    with pytest.raises(TamperedRecord, match="record 9 .* differs from what this device has seen"):
        app.entries()
    with pytest.raises(TamperedRecord, match="differs from what this device has seen"):
        app.update(MenteeJournal.check_in, "on the fork")
    app.close()


def test_an_anchor_that_was_altered_is_refused_and_deleting_it_starts_afresh(unlocked):
    app = unlocked()
    write(app, 3)
    anchor = json.loads(anchor_file(app).read_text())
    anchor_file(app).write_text(json.dumps({**anchor, "size": 2}))
    app = reopen(app)
    with pytest.raises(TamperedRecord, match="anchor .* was altered"):
        app.entries()
    anchor_file(app).unlink()
    assert len(texts(reopen(app))) == 3  # as on a new device
    assert json.loads(anchor_file(app).read_text())["size"] == 4
    app.close()


def test_an_anchor_copied_from_another_journal_is_refused(unlocked):
    ada = unlocked(name="Ada")
    grace = unlocked(name="Grace", store=ada.store, identity_file="grace.json")
    write(ada, 2)
    write(grace, 1)
    shutil.copy(anchor_file(ada), anchor_file(grace))
    with pytest.raises(TamperedRecord, match="anchor"):
        reopen(grace).entries()
    assert len(texts(reopen(ada))) == 2


def test_a_device_that_cannot_write_its_anchor_says_so_and_goes_on(unlocked, monkeypatch):
    from journal import private_files

    app = reopen(unlocked())

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(private_files.tempfile, "mkstemp", refused)
    write(app, 2)
    assert len(texts(app)) == 2
    assert [n for n in app.notices if "cannot write this device's anchor" in n and "Permission denied" in n]
    app.close()


# -- through the command line ----------------------------------------------------------


def one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def test_mj_refuses_a_rolled_back_store_in_one_line_and_accepts_it_when_told(mentee, run, store):
    for n in range(3):
        assert run("checkin", f"before the copy {n}").exit_code == 0
    copy = copy_of_store(store)
    assert run("checkin", "after the copy").exit_code == 0
    roll_back(store, copy)
    one_line_error(run("entries"), "this device has seen 5", "rolled back")
    one_line_error(run("checkin", "on the old copy"), "this device has seen 5")
    one_line_error(run("verify"), "this device has seen 5")
    accepted = run("verify", "--accept-rollback")
    assert accepted.exit_code == 0, accepted.output
    assert "4 records" in accepted.stdout
    assert run("checkin", "after accepting the old copy").exit_code == 0
    assert run("entries").exit_code == 0


def test_mj_refuses_a_fork_written_over_a_rolled_back_store_in_one_line(mentee, run, store, tmp_path, monkeypatch):
    for n in range(3):
        assert run("checkin", f"before the copy {n}").exit_code == 0
    copy = copy_of_store(store)
    assert run("checkin", "after the copy").exit_code == 0
    roll_back(store, copy)
    device = tmp_path / "second-device"
    device.mkdir()
    shutil.copy(mentee / "identity.json", device / "identity.json")
    with monkeypatch.context() as other:
        other.setenv("MJ_IDENTITY", str(device / "identity.json"))
        for n in range(3):
            assert run("checkin", f"another history {n}").exit_code == 0
    one_line_error(run("entries"), "record 5 of journal", "differs from what this device has seen")
    one_line_error(run("checkin", "on the fork"), "differs from what this device has seen")


@pytest.mark.sqlite_only  # the demo plays out in its own SQLite store whatever MJ_STORE says
def test_mj_demo_keeps_its_anchors_in_its_own_home(run, home):
    result = run("demo")
    assert result.exit_code == 0, result.output
    assert not (home / "anchors").exists() or not any((home / "anchors").iterdir())
    assert any((home / "demo" / "anchors").iterdir())
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in (home / "demo" / "anchors").iterdir())


# -- a programme's aggregates ------------------------------------------------------------------


def test_a_store_rolled_back_to_before_the_steward_added_the_noise_gets_the_same_aggregates_again(run, home, store):
    """The steward's device remembers every aggregate it signed: a store put back to a copy taken
    before it aggregated (to have the noise drawn twice, and averaged away) gets the same signed
    aggregates again, and the manager releases the same figures as before."""
    from datetime import datetime
    from fractions import Fraction

    from domain import clock
    from journal import directory
    from journal.enrolment import enrol
    from journal.programmes import create_programme, join_programme
    from projections.member_months import contribute_closed_periods

    morgan, sam = ["--identity", str(home / "morgan.json")], ["--identity", str(home / "sam.json")]
    for who, name, role in ((morgan, "Morgan", "manager"), (sam, "Sam", "steward")):
        assert run(*who, "init", "--name", name, "--role", role).exit_code == 0
    manager = JournalApp(store, unlock_identity(home / "morgan.json", PASSPHRASE))
    create_programme(manager, "Spring", helper=directory.find(manager.recorder.datastore, "Sam", role="steward"),
                     k=5, rho=Fraction(2), start="2026-02", months=6, settle_days=7)
    manager.close()
    for n in range(5):  # five members, each with a check-in in February, March and April
        enrol(home / f"member{n}.json", store, name=f"Member {n}", role="mentee", passphrase=PASSPHRASE)
        member = JournalApp(store, unlock_identity(home / f"member{n}.json", PASSPHRASE))
        join_programme(member, "Spring", at=datetime(2026, 2, 1, 12).astimezone())
        for month in (2, 3, 4):
            member.update(MenteeJournal.check_in, "a day", mood=3, at=datetime(2026, month, 10 + n, 12).astimezone())
        assert contribute_closed_periods(member, clock.today()) == 3
        member.close()

    def one_round() -> tuple[list[str], dict]:
        assert run(*morgan, "program", "report", "Spring").exit_code == 0  # batches the settled months
        aggregated = run(*sam, "program", "aggregate", "Spring", "--json")
        assert aggregated.exit_code == 0, aggregated.output
        report = run(*morgan, "program", "report", "Spring", "--json")
        assert report.exit_code == 0, report.output
        return [o["state"] for o in json.loads(aggregated.stdout)], json.loads(report.stdout)

    def aggregates() -> list[tuple]:
        with raw_store(store) as db:
            return sorted(tuple(r) for r in db.execute("SELECT period, envelope FROM mj_aggregates").fetchall())

    copy = copy_of_store(store)  # before anything was batched or aggregated
    states, first = one_round()  # the honest path: three months, each with its noise drawn once
    assert states == ["aggregated"] * 3 and [r["period"] for r in first["periods"]] == ["2026-02", "2026-03", "2026-04"]
    signed = aggregates()
    roll_back(store, copy)
    assert aggregates() == []
    states, again = one_round()
    assert states == ["done"] * 3  # nothing drawn again
    assert aggregates() == signed
    assert again["periods"] == first["periods"] and again["waiting"] == []
