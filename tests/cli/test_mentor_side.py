"""The mentor's side: released summaries and agendas read as text, `feedback send --about` takes
the grant id her inbox shows, and one entry released twice is shown once."""

import json

import pytest

from tests.conftest import ok


@pytest.fixture
def grace(run, grace):
    """Here Grace is Ada's mentor too."""
    ok(run("mentor", "add", "grace"))
    return grace


def test_a_released_summary_and_agenda_read_as_text_not_as_dicts(run, grace):
    ok(run("meeting", "log", "--minutes", "60", "--focus", "MARKER-focus", "--next-focus", "delegation",
           "--action", "draft the plan"))
    ok(run("concern", "MARKER-concern"))
    summary = ok(run("share", "--summary", "--with", "grace"))
    agenda = ok(run("share", "--agenda", "--with", "grace"))
    shown = ok(run(*grace, "show", summary[:8]))
    assert "Summary" in shown and "Meeting" in shown and "MARKER-focus" in shown and "{" not in shown
    shown = ok(run(*grace, "show", agenda[:8]))
    assert "  - MARKER-concern" in shown and "Main focus, agreed last time: delegation" in shown
    assert "draft the plan" in shown and "{" not in shown


def test_feedback_about_takes_the_grant_id_the_inbox_shows(run, grace):
    entry = ok(run("checkin", "about this one"))
    grant = ok(run("share", entry[:8], "--with", "grace"))
    listed = ok(run(*grace, "inbox"))
    assert grant[:8] in listed  # what she sees first on the line
    ok(run(*grace, "feedback", "send", "--to", "ada", "good one", "--about", grant[:8]))
    [feedback] = [e for e in json.loads(ok(run("entries", "--json"))) if e["kind"] == "mentor-feedback"]
    assert feedback["about"] == entry  # the entry's own id in her journal
    ok(run(*grace, "feedback", "send", "--to", "ada", "and again", "--about", entry[:8]))  # the entry id works too


def test_one_entry_released_twice_is_shown_once(run, grace):
    entry = ok(run("checkin", "MARKER-twice"))
    ok(run("share", entry[:8], "--with", "grace"))
    ok(run("share", entry[:8], "--with", "grace"))
    released = json.loads(ok(run(*grace, "inbox", "--json")))
    assert [r["entry"]["text"] for r in released if r["entry"]["kind"] == "checkin"] == ["MARKER-twice"]
    assert ok(run(*grace, "inbox")).count("MARKER-twice") == 1


def test_what_is_new_since_her_last_look_is_marked(run, grace, home):
    first = ok(run("share", ok(run("checkin", "seen already"))[:8], "--with", "grace"))
    assert {r["grant"]: r["new"] for r in json.loads(ok(run(*grace, "inbox", "--json")))}[first] is True
    second = ok(run("share", ok(run("checkin", "fresh"))[:8], "--with", "grace"))
    marks = {r["grant"]: r["new"] for r in json.loads(ok(run(*grace, "inbox", "--json")))}
    assert (marks[first], marks[second]) == (False, True)
    third = ok(run("share", ok(run("checkin", "fresher"))[:8], "--with", "grace"))
    lines = {line.split()[0]: line for line in ok(run(*grace, "inbox")).splitlines() if line.startswith("  ")}
    assert " new " in lines[third[:8]] and " new " not in lines[second[:8]]
    assert not any(r["new"] for r in json.loads(ok(run(*grace, "inbox", "--json"))))
    (home / "grace.looked.json").write_text("not json")  # a damaged file only marks everything new again
    assert all(r["new"] for r in json.loads(ok(run(*grace, "inbox", "--json"))))


def test_she_keeps_a_sealed_copy_of_what_she_sent_and_a_forged_copy_is_refused(run, grace, home, store):
    from journal import crypto
    from tests.conftest import raw_store

    ok(run(*grace, "feedback", "send", "--to", "ada", "MARKER-feedback"))
    ok(run(*grace, "evaluate", "--to", "ada", "--rate", "delegation=4", "--note", "steady"))
    copies = json.loads(ok(run(*grace, "sent", "--json")))
    assert [(c["text"], c["ratings"], c["to_name"]) for c in copies] == [
        ("MARKER-feedback", None, "Ada Lovelace"), ("steady", {"delegation": 4}, "Ada Lovelace")]
    with raw_store(store) as db:  # a copy sealed to her public key by someone else, without her signature
        owner, sealed = db.execute("SELECT owner, sealed FROM mj_sent").fetchone()
        db.execute("INSERT INTO mj_sent VALUES (?, ?, ?, ?, ?)",
                   ("f" * 32, owner, "2026-05-13T16:00:00+00:00", bytes(sealed), crypto.random_bytes(64)))
    shown = run(*grace, "sent", "--json")
    assert shown.exit_code == 0 and len(json.loads(shown.stdout)) == 2, shown.output
    assert "is not signed by you or does not open: not shown" in shown.stderr
    assert "MARKER-feedback" not in b"".join(p.read_bytes() for p in home.rglob("*.db*")).decode("latin-1")
