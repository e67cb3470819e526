"""Releasing entries to mentors and taking releases back: what each mentor can open afterwards
(seen from fresh processes too), the clear errors for releases that make no sense, and a scan of
every file under the home after a whole exchange."""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from journal.app import JournalApp
from journal.config import store_location
from journal.identity import unlock_identity
from journal.sharing import release_entry, released_to_me
from tests.conftest import PASSPHRASE, child_env, files_at_rest, raw_store, store_state
from tests.integration.test_mentor_sees_only_what_was_released import everything_opened_with


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def refused(result) -> str:
    """The one line a refused command prints; it must be an error, not a traceback."""
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr.strip()


@pytest.fixture
def people(run, mentee, home):
    """Ada (mentee) with three check-ins; Grace and Alan (mentors), Bob (a second mentee), Mary (a
    programme manager) and Sam (a programme's steward) in the same store."""
    files = {who: home / f"{who}.json" for who in ("grace", "alan", "bob", "mary", "sam")}
    roles = {"grace": ("Grace Hopper", "mentor"), "alan": ("Alan Turing", "mentor"),
             "bob": ("Bob Babbage", "mentee"), "mary": ("Mary Manager", "manager"),
             "sam": ("Sam Steward", "steward")}
    fingerprints = {who: ok(run("--identity", str(files[who]), "init", "--name", name, "--role", role))
                    for who, (name, role) in roles.items()}
    entries = [ok(run("checkin", f"check-in {n}")) for n in range(3)]
    return {"files": files, "fp": fingerprints, "entries": entries, "store": store_location()}


def as_(people, who):
    return ("--identity", str(people["files"][who]))


def grant_ids(store: Path) -> set[str]:
    with raw_store(store) as db:
        return {g for (g,) in db.execute("SELECT grant_id FROM mj_grants")}


# -- revoking --------------------------------------------------------------------------


def test_revoking_a_release_twice_is_one_clear_error_and_writes_nothing(run, people):
    grant = ok(run("share", people["entries"][0][:10], "--with", "grace"))
    assert run("revoke", grant[:8]).exit_code == 0
    before = store_state(people["store"])
    assert refused(run("revoke", grant[:8])) == f"Error: release {grant[:8]} is already revoked"
    assert store_state(people["store"]) == before


def test_revoking_a_grant_that_was_never_made_is_one_clear_error_and_writes_nothing(run, people):
    ok(run("share", people["entries"][0][:10], "--with", "grace"))
    before = store_state(people["store"])
    assert refused(run("revoke", "0123abcd")).startswith("Error: no release with id '0123abcd'")
    assert store_state(people["store"]) == before


def test_revoking_deletes_the_grant_so_the_whole_store_no_longer_opens_that_entry_for_the_mentor(run, people):
    first = ok(run("share", people["entries"][0][:10], "--with", "grace"))
    second = ok(run("share", people["entries"][1][:10], "--with", "grace"))
    grace = unlock_identity(people["files"]["grace"], PASSPHRASE)
    assert len(everything_opened_with(grace, people["store"])["records"]) == 2

    ok(run("revoke", first[:8]))
    assert grant_ids(people["store"]) == {second}
    haul = everything_opened_with(grace, people["store"])
    assert haul["grants"] == {second} and len(haul["records"]) == 1
    [text] = haul["records"].values()
    assert b"check-in 1" in text and b"check-in 0" not in text


def test_shares_lists_active_and_revoked_releases(run, people):
    kept = ok(run("share", people["entries"][0][:10], "--with", "grace"))
    taken_back = ok(run("share", people["entries"][1][:10], "--with", "alan"))
    ok(run("revoke", taken_back[:8]))
    lines = ok(run("shares")).splitlines()
    assert len(lines) == 2
    [active] = [line for line in lines if line.startswith(kept[:8])]
    [revoked] = [line for line in lines if line.startswith(taken_back[:8])]
    assert f"entry {people['entries'][0][:8]} → Grace Hopper" in active and active.endswith("active")
    assert f"entry {people['entries'][1][:8]} → Alan Turing" in revoked and " revoked 20" in revoked
    listed = {s["grant"]: s for s in json.loads(ok(run("shares", "--json")))}
    assert listed[kept]["revoked"] is None and listed[taken_back]["revoked"] is not None
    assert listed[taken_back]["mentor_fingerprint"] == people["fp"]["alan"]


def mj(home: Path, *args: str, identity: Path | None = None) -> subprocess.CompletedProcess:
    """`mj` in a fresh Python process, as a person runs it (with the real Argon2id floor)."""
    env = child_env(MJ_HOME=str(home), MJ_PASSPHRASE=PASSPHRASE)
    command = [sys.executable, "-c", "from cli.main import main; main()"]
    command += ["--identity", str(identity)] if identity else []
    return subprocess.run(command + list(args), env=env, capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.mark.slow
def test_after_revocation_a_fresh_mentor_process_opens_only_what_still_stands(real_kdf, run, home):
    """The identities use the real Argon2id parameters, so that the fresh processes accept them."""
    grace, alan = home / "grace.json", home / "alan.json"
    ok(run("init", "--name", "Ada Lovelace"))
    ok(run("--identity", str(grace), "init", "--name", "Grace Hopper", "--role", "mentor"))
    ok(run("--identity", str(alan), "init", "--name", "Alan Turing", "--role", "mentor"))
    first, second = ok(run("checkin", "FIRST-RELEASED")), ok(run("checkin", "SECOND-RELEASED"))
    revoked = ok(run("share", first[:10], "--with", "grace"))
    kept = ok(run("share", second[:10], "--with", "grace"))
    alans = ok(run("share", first[:10], "--with", "alan"))
    ok(run("revoke", revoked[:8]))

    inbox = mj(home, "inbox", "--json", identity=grace)
    assert inbox.returncode == 0, inbox.stderr
    assert [(r["grant"], r["entry"]["text"]) for r in json.loads(inbox.stdout)] == [(kept, "SECOND-RELEASED")]
    assert "FIRST-RELEASED" not in inbox.stdout + inbox.stderr

    shown = mj(home, "show", first[:10], identity=grace)
    assert shown.returncode == 1 and shown.stdout == ""
    assert shown.stderr.startswith(f"Error: no released entry with id '{first[:10]}'")
    assert len(shown.stderr.strip().splitlines()) == 1

    other = mj(home, "inbox", "--json", identity=alan)  # Grace's revocation takes nothing from Alan
    assert other.returncode == 0, other.stderr
    assert [(r["grant"], r["entry"]["text"]) for r in json.loads(other.stdout)] == [(alans, "FIRST-RELEASED")]


# -- releases that make no sense ---------------------------------------------------------


def test_releasing_to_a_second_mentee_is_one_clear_error_and_writes_nothing(run, people):
    before = store_state(people["store"])
    assert refused(run("share", people["entries"][0][:10], "--with", "bob")) == \
        "Error: Bob Babbage is a mentee, not a mentor"
    assert store_state(people["store"]) == before


def test_releasing_to_a_programme_manager_is_one_clear_error_and_writes_nothing(run, people):
    before = store_state(people["store"])
    assert refused(run("share", people["entries"][0][:10], "--with", "mary")) == \
        "Error: Mary Manager is a manager, not a mentor"
    assert refused(run("share", "--summary", "--with", "mary")) == "Error: Mary Manager is a manager, not a mentor"
    assert store_state(people["store"]) == before


def test_releasing_to_a_programmes_steward_is_one_clear_error_and_writes_nothing(run, people):
    before = store_state(people["store"])
    assert refused(run("share", people["entries"][0][:10], "--with", "sam")) == \
        "Error: Sam Steward is a steward, not a mentor"
    assert refused(run("share", "--summary", "--with", "sam")) == "Error: Sam Steward is a steward, not a mentor"
    assert store_state(people["store"]) == before
    ok(run("share", people["entries"][0][:10], "--with", "grace"))  # the honest path: to her mentor


def test_the_library_refuses_a_release_to_anyone_but_a_mentor(people, home):
    from journal.directory import people as directory
    from journal.errors import JournalError

    app = JournalApp(people["store"], unlock_identity(home / "identity.json", PASSPHRASE))
    try:
        others = [p for p in directory(app.recorder.datastore) if p.role != "mentor"]
        assert {p.role for p in others} == {"mentee", "manager", "steward"}
        for person in others:
            with pytest.raises(JournalError, match=f"{person.name} is a {person.role}: entries are released "
                                                   "to mentors only"):
                release_entry(app, people["entries"][0], person)
    finally:
        app.close()
    assert grant_ids(people["store"]) == set()


def test_releasing_a_retracted_entry_is_one_clear_error_and_writes_nothing(run, people, home):
    entry = people["entries"][1]
    app = JournalApp(people["store"], unlock_identity(home / "identity.json", PASSPHRASE))
    app.update(lambda j: j.retract(entry))
    app.close()
    before = store_state(people["store"])
    assert refused(run("share", entry[:10], "--with", "grace")) == \
        f"Error: entry {entry[:8]} was retracted: it cannot be released"
    assert store_state(people["store"]) == before


def test_an_unknown_mentor_lists_the_mentors_of_the_store_and_no_one_else(run, people):
    before = store_state(people["store"])
    message = refused(run("share", people["entries"][0][:10], "--with", "nobody"))
    assert message.startswith("Error: no mentor 'nobody' in this store's directory; mentors here: ")
    assert f"Grace Hopper ({people['fp']['grace']})" in message
    assert f"Alan Turing ({people['fp']['alan']})" in message
    assert not any(name in message for name in ("Bob", "Mary", "Ada"))
    assert store_state(people["store"]) == before


def test_an_ambiguous_mentor_lists_every_candidate_and_a_full_name_or_fingerprint_settles_it(run, people, home):
    kelly = ok(run("--identity", str(home / "kelly.json"), "init", "--name", "Grace Kelly", "--role", "mentor"))
    before = store_state(people["store"])
    message = refused(run("share", people["entries"][0][:10], "--with", "grace"))
    assert message.startswith("Error: 'grace' is ambiguous: ")
    assert f"Grace Hopper (mentor, {people['fp']['grace']})" in message
    assert f"Grace Kelly (mentor, {kelly})" in message
    assert store_state(people["store"]) == before

    by_name = ok(run("share", people["entries"][0][:10], "--with", "grace hopper"))
    by_fingerprint = ok(run("share", people["entries"][1][:10], "--with", kelly.replace(" ", "")[:8]))
    listed = {s["grant"]: s["mentor_fingerprint"] for s in json.loads(ok(run("shares", "--json")))}
    assert listed == {by_name: people["fp"]["grace"], by_fingerprint: kelly}


# -- two mentors, one mentee -------------------------------------------------------------


def test_each_of_two_mentors_sees_only_the_releases_made_to_them(run, people):
    entries = people["entries"]
    to_grace = {ok(run("share", entries[0][:10], "--with", "grace")): entries[0]}
    to_alan = {ok(run("share", entries[1][:10], "--with", "alan")): entries[1],
               ok(run("share", entries[2][:10], "--with", "alan")): entries[2]}
    for who, mine in (("grace", to_grace), ("alan", to_alan)):
        app = JournalApp(people["store"], unlock_identity(people["files"][who], PASSPHRASE))
        try:
            released, rejected = released_to_me(app)
        finally:
            app.close()
        assert rejected == []
        assert {r.grant_id: r.entry.id for r in released} == mine


def test_a_mentor_cannot_show_an_entry_released_to_another_mentor_by_entry_or_grant_id(run, people):
    entry = people["entries"][0]
    grant = ok(run("share", entry[:10], "--with", "grace"))
    assert json.loads(ok(run(*as_(people, "grace"), "show", grant[:8], "--json")))["id"] == entry
    for prefix in (entry[:10], grant[:8]):
        message = refused(run(*as_(people, "alan"), "show", prefix))
        assert message.startswith(f"Error: no released entry with id '{prefix}'")


# -- nothing readable at rest after a whole exchange -------------------------------------

MARKERS = ["checkin-quokka-released", "checkin-wombat-kept", "tag-narwhal", "focus-ibis-summary",
           "concern-tapir", "action-marmot", "goal-axolotl", "feedback-dugong-from-grace",
           "feedback-okapi-pending"]


def scan(home: Path, store) -> dict[str, list[str]]:
    """Which markers each file the program wrote holds, as UTF-8 or UTF-16-LE; every file is listed."""
    found = {}
    for path in sorted(files_at_rest(home, store)):
        try:
            data = path.read_bytes()
        except FileNotFoundError:  # the server removed it while we looked (pg_internal.init): nothing at rest
            continue
        found[path.name] = [m for m in MARKERS if m.encode() in data or m.encode("utf-16-le") in data]
    return found


def test_after_share_summary_feedback_and_revoke_no_file_the_program_wrote_holds_a_marker(run, people, home, store):
    holder = None if store.is_postgres else sqlite3.connect(store.path)  # on SQLite, a second reader
    if holder is not None:  # keeps the WAL in place for the scan
        holder.execute("SELECT COUNT(*) FROM stored_events").fetchall()
    grace = as_(people, "grace")
    released = ok(run("checkin", MARKERS[0], "--tag", MARKERS[2]))
    kept = ok(run("checkin", MARKERS[1], "--tag", MARKERS[2]))
    ok(run("goal", "add", MARKERS[6], "--measure", "talks", "--due", "in 6 weeks"))
    ok(run("meeting", "log", "--minutes", "60", "--focus", MARKERS[3], "--concern", MARKERS[4],
           "--action", MARKERS[5]))
    grant = ok(run("share", released[:10], "--with", "grace"))
    summary = ok(run("share", "--summary", "--with", "grace"))
    ok(run(*grace, "feedback", "send", "--to", "ada", MARKERS[7], "--about", released[:10]))
    assert "Imported 1 feedback" in run("inbox").stderr
    ok(run("revoke", grant[:8]))

    written = ok(run("entries", "--json"))  # the markers did go in
    assert all(m in written for m in MARKERS[:8])
    seen = json.loads(ok(run(*grace, "inbox", "--json")))  # and what still stands reached Grace
    assert [r["grant"] for r in seen] == [summary] and MARKERS[3] in json.dumps(seen)
    assert MARKERS[0] not in json.dumps(seen) and kept not in json.dumps(seen)
    ok(run(*grace, "feedback", "send", "--to", "ada", MARKERS[8]))  # left waiting in the inbox
    with raw_store(people["store"]) as db:
        assert db.execute("SELECT COUNT(*) FROM mj_inbox").fetchone() == (1,)

    found = scan(home, store)
    assert {"identity.json", "grace.json"} <= set(found)
    if store.path is not None:
        assert {"journal.db", "journal.db-wal"} <= set(found) and (home / "journal.db-wal").stat().st_size > 0
    else:  # the server's heap files and its write-ahead log
        assert any(name.startswith("0000") for name in found) and len(found) > 100
    assert {name: markers for name, markers in found.items() if markers} == {}

    if holder is not None:
        holder.close()  # the last connection: the WAL is folded into the file
    found = scan(home, store)
    assert ("journal.db" in found) if store.path else found
    assert {name: markers for name, markers in found.items() if markers} == {}
