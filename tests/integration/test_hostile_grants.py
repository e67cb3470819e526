"""A writer of the store puts back grants the mentee revoked: one grant row copied aside and
re-inserted after `mj revoke`, or the grant tables (and her signed list of live grants) rolled
back to a copy from before the revoke. A grant is believed only while the mentee's latest signed,
sequence-numbered list names it, and the mentor's device remembers the highest sequence it has
seen for each mentee's journal. Beside each refusal, the honest path: release, revoke and release
again reach the mentor, and a second mentor and a second mentee are unaffected."""

from __future__ import annotations

import json

import pytest

from journal.config import store_location
from journal.identity import unlock_identity
from tests.conftest import PASSPHRASE, raw_store

GRANT_TABLES = ("mj_grants", "mj_live_grants")


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


@pytest.fixture
def people(run, mentee, home):
    """Ada and Bob (mentees, two check-ins each); Grace and Alan (mentors), in one store."""
    files = {who: home / f"{who}.json" for who in ("grace", "alan", "bob")}
    roles = {"grace": ("Grace Hopper", "mentor"), "alan": ("Alan Turing", "mentor"), "bob": ("Bob Babbage", "mentee")}
    for who, (name, role) in roles.items():
        ok(run("--identity", str(files[who]), "init", "--name", name, "--role", role))
    entries = [ok(run("checkin", f"ada's check-in {n}")) for n in range(2)]
    bobs = ok(run("--identity", str(files["bob"]), "checkin", "bob's check-in"))
    return {"files": files, "entries": entries, "bobs": bobs, "store": store_location()}


def as_(people, who):
    return ("--identity", str(people["files"][who]))


def inbox(run, people, who="grace"):
    """The mentor's inbox: (exit code, ids of the entries shown, the lines printed on stderr)."""
    result = run(*as_(people, who), "inbox", "--json")
    shown = {r["entry"]["id"] for r in json.loads(result.stdout or "[]")}
    return result.exit_code, shown, result.stderr


def copy_rows(store, tables=GRANT_TABLES) -> dict:
    with raw_store(store) as db:
        return {t: db.execute(f"SELECT * FROM {t}").fetchall() for t in tables}


def put_back(store, copy: dict) -> None:
    with raw_store(store) as db:
        for table, rows in copy.items():
            db.execute(f"DELETE FROM {table}")
            for row in rows:
                db.execute(f"INSERT INTO {table} VALUES ({','.join('?' * len(row))})", row)


def test_honest_release_revoke_and_release_again_reach_the_mentor(run, people):
    first, second = people["entries"]
    grant = ok(run("share", first[:10], "--with", "grace"))
    assert inbox(run, people)[:2] == (0, {first})
    ok(run("revoke", grant[:8]))
    assert inbox(run, people)[:2] == (0, set())
    ok(run("share", first[:10], "--with", "grace"))
    ok(run("share", second[:10], "--with", "alan"))
    assert inbox(run, people)[:2] == (0, {first})
    assert inbox(run, people, "alan")[:2] == (0, {second})


def test_a_revoked_grant_put_back_from_a_copy_is_refused(run, people):
    first, second = people["entries"]
    grant = ok(run("share", first[:10], "--with", "grace"))
    ok(run("share", second[:10], "--with", "grace"))
    ok(run("share", second[:10], "--with", "alan"))
    with raw_store(people["store"]) as db:
        row = db.execute("SELECT * FROM mj_grants WHERE grant_id = ?", (grant,)).fetchone()
    ok(run("revoke", grant[:8]))
    with raw_store(people["store"]) as db:
        db.execute(f"INSERT INTO mj_grants VALUES ({','.join('?' * len(row))})", row)

    code, shown, errors = inbox(run, people)
    assert first not in shown and shown == {second}  # the rest of her inbox still shows
    assert code == 1 and f"grant {grant[:8]}" in errors and "not in Ada Lovelace's signed list" in errors
    assert "Traceback" not in errors
    assert inbox(run, people, "alan")[:2] == (0, {second})  # a second mentor is unaffected


def test_grant_tables_rolled_back_to_before_the_revoke_are_refused(run, people):
    first, second = people["entries"]
    grant = ok(run("share", first[:10], "--with", "grace"))
    ok(run("share", second[:10], "--with", "alan"))
    ok(run(*as_(people, "bob"), "share", people["bobs"][:10], "--with", "grace"))
    assert inbox(run, people)[:2] == (0, {first, people["bobs"]})
    before_revoke = copy_rows(people["store"])
    ok(run("revoke", grant[:8]))
    assert inbox(run, people)[:2] == (0, {people["bobs"]})  # Grace's device sees the newer list

    put_back(people["store"], before_revoke)
    code, shown, errors = inbox(run, people)
    assert code == 1 and first not in shown
    assert ("Ada Lovelace's list of releases is older than one this device has seen: the store was rolled back"
            in errors)
    assert len([line for line in errors.splitlines() if "rolled back" in line]) == 1
    assert shown == {people["bobs"]}  # the rest of her inbox (Bob's release) still shows
    # Alan never saw the newer list: a rolled-back store is consistent for him, and his release stands.
    assert inbox(run, people, "alan")[:2] == (0, {second})


def test_a_list_altered_or_signed_by_someone_else_is_refused(run, people):
    first, _ = people["entries"]
    ok(run("share", first[:10], "--with", "grace"))
    ok(run(*as_(people, "bob"), "share", people["bobs"][:10], "--with", "grace"))
    bobs_journal = unlock_identity(people["files"]["bob"], PASSPHRASE).journal_id.hex
    with raw_store(people["store"]) as db:
        [bobs_signature] = db.execute("SELECT signature FROM mj_live_grants WHERE journal_id = ?",
                                      (bobs_journal,)).fetchone()
        db.execute("UPDATE mj_live_grants SET signature = ? WHERE journal_id <> ?", (bobs_signature, bobs_journal))
    code, shown, errors = inbox(run, people)
    assert code == 1 and shown == {people["bobs"]}
    assert "the list of live releases for Ada Lovelace's journal is not signed by them" in errors


def test_a_malformed_list_is_one_line_never_a_traceback(run, people):
    first, _ = people["entries"]
    ok(run("share", first[:10], "--with", "grace"))
    with raw_store(people["store"]) as db:
        db.execute("UPDATE mj_live_grants SET grant_ids = ?, sequence = ?", ("not json", -5))
    code, shown, errors = inbox(run, people)
    assert code == 1 and shown == set() and "Traceback" not in errors
    assert "list of live releases for Ada Lovelace's journal is malformed" in errors


def test_the_mentors_memory_is_a_0600_file_and_an_altered_one_is_one_line(run, people):
    first, _ = people["entries"]
    ok(run("share", first[:10], "--with", "grace"))
    assert inbox(run, people)[:2] == (0, {first})
    memory = people["files"]["grace"].with_name("grace.seen-lists.json")
    assert memory.stat().st_mode & 0o777 == 0o600
    document = json.loads(memory.read_text())
    assert len(document["seen"]) == 1 and "mac" in document
    document["seen"] = {key: 0 for key in document["seen"]}  # "forget" the sequence, without the MAC key
    memory.write_text(json.dumps(document))
    code, shown, errors = inbox(run, people)
    assert code == 1 and shown == set() and "memory of releases" in errors and "MAC does not hold" in errors
    memory.unlink()  # deleting it starts afresh, as a new device would
    assert inbox(run, people)[:2] == (0, {first})


def test_a_store_from_before_lists_shows_its_grants_once_the_mentee_next_shares_or_revokes(run, people):
    first, second = people["entries"]
    kept = ok(run("share", first[:10], "--with", "grace"))
    with raw_store(people["store"]) as db:
        db.execute("DROP TABLE mj_live_grants")  # as a store made before the list existed
    code, shown, errors = inbox(run, people)
    assert code == 1 and shown == set() and "Traceback" not in errors
    assert "Ada Lovelace has not yet signed a list of their live releases" in errors
    assert json.loads(ok(run("shares", "--json")))[0]["grant"] == kept  # the mentee's own commands still work
    ok(run("share", second[:10], "--with", "grace"))  # her next release writes the list, naming both
    assert inbox(run, people)[:2] == (0, {first, second})
