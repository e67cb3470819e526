"""`mj forget`: a forgotten entry opens with no key left in any table or file (the WAL included),
its releases are gone, the chain still verifies; a key deleted by anyone else is still refused."""

import json

import pytest

from domain.journal import MenteeJournal
from journal.config import store_location
from journal.errors import TamperedRecord
from tests.conftest import files_at_rest, ok, own_app, raw_store, refused, store_state





def secrets_of(app, entry_id: str) -> dict[str, bytes]:
    """Every stored form of the entry's keys: each version's wrap and data key, its grants, the
    view cache and the snapshots taken since."""
    versions = [v.version for v in app.versions(entry_id)]
    found = {}
    with raw_store(store_location()) as db:
        for v in versions:
            found[f"wrap {v}"] = bytes(db.execute("SELECT wrap FROM mj_data_keys WHERE stream_id = ? AND kind = 'e' "
                                                  "AND version = ?", (app.journal_id.hex, v)).fetchone()[0])
            found[f"grants {v}"] = b"".join(bytes(s) for (s,) in db.execute(
                "SELECT sealed FROM mj_grants WHERE journal_id = ? AND version = ?", (app.journal_id.hex, v)))
        found["cache"] = bytes(db.execute("SELECT blob FROM mj_view_cache").fetchone()[0])
        found["snapshot wraps"] = b"".join(bytes(w) for (w,) in db.execute(
            "SELECT wrap FROM mj_data_keys WHERE kind = 's' AND version >= ?", (versions[0],)))
    for stored in app.recorder.select_events(app.journal_id):
        if stored.originator_version in versions:
            found[f"data key {stored.originator_version}"] = app.mapper.open_data_key(stored)
    return {name: value for name, value in found.items() if value}


def on_disk(home, store, needles: dict[str, bytes]) -> set[str]:
    files = [p.read_bytes() for p in files_at_rest(home, store)]
    return {name for name, needle in needles.items() if any(needle in data for data in files)}


@pytest.fixture
def journal_with_a_secret(run, mentee, home):
    grace = ("--identity", str(home / "grace.json"))
    ok(run(*grace, "init", "--name", "Grace Hopper", "--role", "mentor"))
    secret = ok(run("checkin", "MARKER-to-forget first version"))
    ok(run("amend", secret[:8], "--text", "MARKER-to-forget second version"))
    ok(run("share", secret[:8], "--with", "grace"))
    app = own_app(home)
    for n in range(55):  # past a snapshot interval, so that a snapshot holds state folded from it
        app.update(MenteeJournal.check_in, f"day {n}")
    kept = ok(run("checkin", "MARKER-kept"))
    assert len(json.loads(ok(run("entries", "--json")))) == 58  # and the view cache is written
    return {"secret": secret, "kept": kept, "grace": grace}


def test_a_forgotten_entry_opens_with_no_key_left_in_any_table_or_file(run, home, store, journal_with_a_secret):
    secret, grace = journal_with_a_secret["secret"], journal_with_a_secret["grace"]
    app = own_app(home)
    needles = secrets_of(app, secret)
    assert {"wrap 2", "wrap 3", "grants 3", "cache", "snapshot wraps", "data key 2"} <= set(needles)
    # The attack first: before forgetting, whoever holds the files holds the keys.
    assert {"wrap 2", "wrap 3", "grants 3"} <= on_disk(home, store, needles)
    assert "MARKER-to-forget" in json.dumps(json.loads(ok(run(*grace, "inbox", "--json"))))

    result = run("forget", secret[:8], "--yes")
    assert ok(result) == secret and "Beyond reach" in result.stderr and "Revoked 1 release" in result.stderr

    if store.is_postgres:  # its dead tuples and WAL keep the bytes until VACUUM FULL: said, and not claimed
        assert "VACUUM" in result.stderr
        with raw_store(store) as db:
            rows = db.execute("SELECT COUNT(*) FROM mj_data_keys WHERE stream_id = ? AND kind = 'e' AND version IN "
                              "(2, 3)", (app.journal_id.hex,)).fetchone()
            assert rows == (0,) and db.execute("SELECT COUNT(*) FROM mj_grants").fetchone() == (0,)
    else:
        assert on_disk(home, store, needles) == set()
        assert (home / "journal.db-wal").stat().st_size == 0 if (home / "journal.db-wal").exists() else True
    # The record's ciphertext is still there for the chain; nothing opens it, the owner included.
    fresh = own_app(home)
    stored = {s.originator_version: s for s in fresh.recorder.select_events(fresh.journal_id)}
    assert stored[2].state and stored[2].dek_wrap is None
    with pytest.raises(TamperedRecord, match="no data key"):
        fresh.mapper.open_data_key(stored[2])
    listed = ok(run("entries", "--json"))
    assert "MARKER-to-forget" not in listed and "MARKER-kept" in listed
    assert len(json.loads(listed)) == 58  # less it, plus the revocation
    assert ok(run("verify")).startswith("ok:")
    assert "MARKER-to-forget" not in ok(run(*grace, "inbox", "--json"))
    ok(run("checkin", "life goes on"))  # and the journal is written on, from the snapshot re-taken
    assert ok(run("verify")).startswith("ok:")


def test_a_key_deleted_by_a_store_writer_is_still_refused(run, mentee, home, store):
    """Only her own tombstone makes a missing key a forgotten record: anyone else's deletion of a
    key is a record that does not open, named in one line."""
    victim = ok(run("checkin", "not forgotten by her"))
    ok(run("checkin", "another"))
    with raw_store(store) as db:
        db.execute("DELETE FROM mj_data_keys WHERE kind = 'e' AND version = 2")
    line = refused(run("entries"))
    assert "no data key" in line and victim not in line
    # Her own forget of another entry does not make that deletion believed either.
    with raw_store(store) as db:
        assert db.execute("SELECT COUNT(*) FROM mj_data_keys WHERE kind = 'e' AND version = 3").fetchone() == (1,)


@pytest.mark.parametrize("problem", ["unknown", "ambiguous", "already forgotten", "record of sharing", "not asked"])
def test_forgetting_what_cannot_be_forgotten_is_one_line_and_writes_nothing(run, mentee, home, store, problem):
    ids = [ok(run("checkin", f"entry {n}")) for n in range(20)]
    ok(run("forget", ids[0][:8], "--yes"))
    ok(run("--identity", str(home / "grace.json"), "init", "--name", "Grace Hopper", "--role", "mentor"))
    ok(run("share", ids[1][:8], "--with", "grace"))
    listed = json.loads(ok(run("entries", "--json")))
    release = next(e["id"] for e in listed if e["kind"] == "release")
    firsts = [e["id"][0] for e in listed]
    prefix = {"unknown": next((c for c in "0123456789abcdef" if c not in firsts + [ids[0][0]]), "0" * 31),
              "ambiguous": next(c for c in firsts if firsts.count(c) > 1),
              "already forgotten": ids[0][:8], "record of sharing": release[:8], "not asked": ids[2][:8]}[problem]
    before = store_state(store)
    result = run("forget", prefix) if problem == "not asked" else run("forget", prefix, "--yes")
    line = refused(result, 2 if problem == "not asked" else 1)
    assert {"already forgotten": "already forgotten", "record of sharing": "record of sharing",
            "not asked": "--yes"}.get(problem, "") in line
    assert store_state(store) == before
    ok(run("forget", ids[3][:8], "--yes"))  # the honest path beside it
    assert store_state(store) != before


def test_forgetting_a_goal_leaves_a_journal_that_folds_and_refuses_its_progress(run, mentee, store):
    goal = ok(run("goal", "add", "Give a talk", "--measure", "talks", "--due", "2026-09-30"))
    ok(run("goal", "progress", goal[:8], "1"))
    milestone = ok(run("milestone", "add", goal[:8], "Outline"))
    ok(run("milestone", "reach", milestone[:8]))
    ok(run("forget", goal[:8], milestone[:8], "--yes"))
    assert "Give a talk" not in ok(run("entries", "--json"))
    assert ok(run("verify")).startswith("ok:")
    assert "no goal" in refused(run("goal", "progress", goal[:8], "2"))
    ok(run("progress", "--json"))


def test_forgetting_the_journal_leaves_no_key_of_it_anywhere(run, home, store, journal_with_a_secret):
    app = own_app(home)
    with raw_store(store) as db:
        keys = [bytes(k) for (k,) in db.execute("SELECT sealed FROM mj_journal_keys")]
        wraps = [bytes(w) for (w,) in db.execute("SELECT wrap FROM mj_data_keys")]
    needles = {f"journal key {n}": k for n, k in enumerate(keys)} | {f"wrap {n}": w for n, w in enumerate(wraps)}
    assert len(keys) == 1 and len(wraps) > 55
    assert set(needles) == on_disk(home, store, needles)  # the attack first: whoever has the files has them
    assert app.anchor.path.exists()

    result = run("forget", "--journal", "--yes")
    assert result.exit_code == 0 and "Beyond reach" in result.stderr, result.output
    with raw_store(store) as db:
        for table in ("mj_journal_keys", "mj_data_keys", "mj_grants", "mj_view_cache", "stored_snapshots"):
            assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (0,), table
        assert db.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0] > 55  # ciphertext, opened by no one
    if not store.is_postgres:
        assert on_disk(home, store, needles) == set()
    assert not app.anchor.path.exists()
    assert refused(run("entries")).startswith("Error: this store has no journal for Ada Lovelace")
    assert ok(run("whoami"))  # her identity stays: she can still be reached, and start again


def test_forgotten_feedback_put_back_in_the_inbox_is_never_imported_again(run, mentee, home, store):
    grace = ("--identity", str(home / "grace.json"))
    ok(run(*grace, "init", "--name", "Grace Hopper", "--role", "mentor"))
    ok(run("share", ok(run("checkin", "asked for feedback"))[:8], "--with", "grace"))
    ok(run(*grace, "feedback", "send", "--to", "ada", "MARKER-feedback to forget"))
    with raw_store(store) as db:
        kept = db.execute("SELECT * FROM mj_inbox").fetchall()  # what a store writer keeps a copy of
    ok(run("inbox"))  # imported (and removed from the inbox)
    feedback = next(e["id"] for e in json.loads(ok(run("entries", "--json"))) if e["kind"] == "mentor-feedback")
    ok(run("forget", feedback[:8], "--yes"))
    with raw_store(store) as db:  # the attack: the signed, sealed message put back
        db.execute("DELETE FROM mj_inbox")
        db.executemany(f"INSERT INTO mj_inbox VALUES ({','.join('?' * len(kept[0]))})", kept)
    run("inbox")
    assert "MARKER-feedback" not in ok(run("entries", "--json"))
    ok(run(*grace, "feedback", "send", "--to", "ada", "MARKER-new feedback"))  # the honest path beside it
    ok(run("inbox"))
    assert "MARKER-new feedback" in ok(run("entries", "--json"))


def test_a_forgotten_key_put_back_opens_nothing_and_verify_names_it(run, mentee, home, store):
    secret = ok(run("checkin", "MARKER-forgotten"))
    ok(run("checkin", "kept"))
    with raw_store(store) as db:
        kept = db.execute("SELECT * FROM mj_data_keys WHERE kind = 'e' AND version = 2").fetchall()
    ok(run("forget", secret[:8], "--yes"))
    with raw_store(store) as db:  # the attack: the wrap a store writer kept, put back
        db.executemany("INSERT INTO mj_data_keys VALUES (?,?,?,?,?)", kept)
    listed = ok(run("entries", "--json"))
    assert "MARKER-forgotten" not in listed and "kept" in listed
    assert "forgotten, but a key for it is back" in run("verify").stderr
    app = own_app(home)  # the owner's own, with every key she has
    assert all("MARKER" not in json.dumps(e.fields) for e in app.history())  # not even in her views
    app.close()
    ok(run("keys", "rotate"))  # a rotation deletes it again rather than wrapping it anew
    with raw_store(store) as db:
        assert db.execute("SELECT COUNT(*) FROM mj_data_keys WHERE kind = 'e' AND version = 2").fetchone() == (0,)
    assert ok(run("verify")).startswith("ok:")


def test_forgetting_a_goal_says_which_summaries_still_quote_it(run, mentee, home):
    ok(run("--identity", str(home / "grace.json"), "init", "--name", "Grace Hopper", "--role", "mentor"))
    goal = ok(run("goal", "add", "MARKER-goal text", "--measure", "talks", "--due", "2026-09-30"))
    ok(run("goal", "progress", goal[:8], "1"))
    ok(run("share", "--summary", "--with", "grace"))
    result = run("forget", goal[:8], "--yes")
    assert result.exit_code == 0 and "1 published summary quote" in result.stderr, result.output
