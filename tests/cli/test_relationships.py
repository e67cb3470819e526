"""`mj mentor add WHO`, `mj mentor end WHO`, `mj mentors`, `mj mentees` and `mj revoke` of several
grants: the relationship as the handbooks run it, in her journal. Every refusal leaves the store
as it was, with the honest path beside it."""

import json

import pytest

from tests.conftest import ok, raw_store, refused, store_state


def mentors(run) -> list[dict]:
    return json.loads(ok(run("mentors", "--json")))


def test_a_mentor_added_is_current_takes_feedback_and_counts_her_among_her_mentees(run, grace, home):
    agreed = ok(run("mentor", "add", "grace", "--months", "6", "--norm", "60", "--from", "2026-05-01"))
    [relationship] = mentors(run)
    assert relationship | {"mentor_fingerprint": "-"} == {
        "mentor": "Grace Hopper", "mentor_fingerprint": "-", "start": "2026-05-01", "months": 6, "norm": 60,
        "end": "2026-11-01", "ended": None, "reason": None, "current": True, "months_left": 6, "agreement": agreed}
    [mentee] = json.loads(ok(run(*grace, "mentees", "--json")))  # the agreement was released to her
    assert (mentee["mentee"], mentee["start"], mentee["norm"]) == ("Ada Lovelace", "2026-05-01", 60)
    ok(run(*grace, "feedback", "send", "--to", "ada", "welcome aboard"))
    assert "welcome aboard" in ok(run("entries"))  # imported: no `mj inbox accept` needed for her mentor
    assert "is your mentor from 2026-05-01" in ok(run("entries", "--kind", "mentor"))


def test_ending_revokes_every_live_release_to_her_and_stops_her_feedback_in_one_transaction(run, grace, store):
    ok(run("mentor", "add", "grace"))
    for n in range(3):
        ok(run("share", ok(run("checkin", f"MARKER-{n}"))[:8], "--with", "grace"))
    assert len(json.loads(ok(run(*grace, "inbox", "--json")))) == 4  # three entries and the agreement
    ended = run("mentor", "end", "grace", "--reason", "not a fit")
    assert ended.exit_code == 0 and "4 release(s) revoked" in ended.stderr, ended.output
    with raw_store(store) as db:
        assert db.execute("SELECT COUNT(*) FROM mj_grants").fetchone() == (0,)
    assert json.loads(ok(run(*grace, "inbox", "--json"))) == []
    assert json.loads(ok(run(*grace, "mentees", "--json"))) == []
    [relationship] = mentors(run)
    assert (relationship["current"], relationship["ended"], relationship["reason"]) == (False, "2026-05-13",
                                                                                       "not a fit")
    ok(run(*grace, "feedback", "send", "--to", "ada", "after the end"))
    assert "after the end" not in ok(run("entries"))  # blocked: it stays unopened in the store
    ok(run("mentor", "add", "grace"))  # a re-match with her later is a new relationship, and takes feedback again
    assert [r["current"] for r in mentors(run)] == [False, True] and "after the end" in ok(run("entries"))


@pytest.mark.parametrize("attempt, code, refusal", [
    (("mentor", "add", "ada"), 1, "is a mentee, not a mentor"),
    (("mentor", "add", "nobody"), 1, "no mentor 'nobody'"),
    (("mentor", "add", "grace", "--from", "2027-01-01"), 1, "too far from today"),
    (("mentor", "add", "grace", "--months", "0"), 2, "0 is not in the range"),
    (("mentor", "end", "grace"), 1, "is not your mentor"),
])
def test_a_mentor_who_is_not_one_or_a_relationship_that_does_not_exist_is_refused(run, grace, store, attempt, code,
                                                                                  refusal):
    before = store_state(store)
    assert refusal in refused(run(*attempt), code=code) and store_state(store) == before
    ok(run("mentor", "add", "grace"))  # the honest path beside it
    ok(run("mentor", "end", "grace"))


def test_adding_her_twice_or_ending_twice_or_before_it_began_is_refused(run, grace, store):
    ok(run("mentor", "add", "grace", "--from", "2026-06-01"))  # agreed now, starting next month
    before = store_state(store)
    assert "already your mentor" in refused(run("mentor", "add", "grace"))
    assert "before the relationship began" in refused(run("mentor", "end", "grace"))
    assert store_state(store) == before
    import time_machine

    with time_machine.travel("2026-06-02 10:00 +00:00", tick=False):
        ok(run("mentor", "end", "grace"))
        before = store_state(store)
        assert "already ended on 2026-06-02" in refused(run("mentor", "end", "grace"))
        assert store_state(store) == before


def test_a_third_mentee_is_warned_about_not_refused(run, grace, home):
    for n, name in enumerate(["Bea Brown", "Cy Chen"]):
        other = ("--identity", str(home / f"mentee-{n}.json"))
        ok(run(*other, "init", "--name", name))
        ok(run(*other, "mentor", "add", "grace"))
    two = run(*grace, "mentees")
    assert two.exit_code == 0 and "Warning" not in two.stderr, two.output
    ok(run("mentor", "add", "grace"))  # Ada is the third
    three = run(*grace, "mentees")
    assert three.exit_code == 0 and len(three.stdout.strip().splitlines()) == 3
    assert "Warning: you mentor 3 people at once" in three.stderr
    assert "you mentor 3 people at once" in run(*grace, "inbox").stderr


def test_revoke_takes_several_grants_or_every_live_one_to_a_mentor_at_once(run, grace, store):
    grants = [ok(run("share", ok(run("checkin", f"entry {n}"))[:8], "--with", "grace")) for n in range(3)]
    before = store_state(store)
    assert "no release" in refused(run("revoke", grants[0][:8], "ffffffff"))  # one unknown: none revoked
    assert store_state(store) == before
    assert refused(run("revoke"), code=2).endswith("give grant ids, or --with MENTOR, but not both")
    assert refused(run("revoke", grants[0][:8], "--with", "grace"), code=2)
    revoked = run("revoke", grants[0][:8], grants[1][:8])
    assert revoked.exit_code == 0 and revoked.stderr.count("Revoked grant") == 2, revoked.output
    assert [r["entry"]["text"] for r in json.loads(ok(run(*grace, "inbox", "--json")))] == ["entry 2"]
    ok(run("revoke", "--with", "grace"))
    assert json.loads(ok(run(*grace, "inbox", "--json"))) == []
    before = store_state(store)
    assert "nothing released to Grace Hopper is live" in refused(run("revoke", "--with", "grace"))
    assert store_state(store) == before


def test_a_record_of_a_relationship_cannot_be_forgotten_or_amended(run, grace, store):
    agreed = ok(run("mentor", "add", "grace"))
    before = store_state(store)
    assert "a record of sharing, of a programme or of a relationship" in refused(run("forget", agreed[:8], "--yes"))
    assert "cannot be amended" in refused(run("amend", agreed[:8], "--text", "someone else"))
    assert store_state(store) == before
    checkin = ok(run("checkin", "forgettable"))
    ok(run("forget", checkin[:8], "--yes"))  # the honest path beside it


def test_progress_and_status_show_the_rhythm_and_a_late_month_without_a_meeting_nudges(run, grace, home):
    import time_machine

    ok(run("mentor", "add", "grace", "--from", "2026-04-01"))
    ok(run("meeting", "log", "--minutes", "75", "--focus", "delegation", "--action", "draft the plan",
           "--at", "2026-04-10 10:00"))
    ok(run("goal", "add", "Give a talk", "--measure", "talks", "--due", "2026-05-01", "--at", "2026-04-02"))
    with time_machine.travel("2026-05-20 12:00 +00:00", tick=True):
        [rhythm] = json.loads(ok(run("progress", "--json")))["relationships"]
        assert [(m["month"], m["minutes"], m["status"]) for m in rhythm["rhythm"]] == [
            ("2026-04", 75, "met"), ("2026-05", 0, "so far")]
        listed = run("entries")
        assert "Note: No meeting with Grace Hopper in May yet: 0 of 60 minutes" in listed.stderr, listed.output
        status = run("status")
        assert "Mentor: Grace Hopper" in status.stdout and "0 of 60 minutes in May" in status.stdout
        assert "Open action items: 1" in status.stdout and "draft the plan" in status.stdout
        assert "Goals needing attention: 1" in status.stdout and "Give a talk (behind" in status.stdout
        ok(run("meeting", "log", "--minutes", "30", "--focus", "the talk"))  # the honest path: no nudge after
        assert "Note:" not in run("entries").stderr


def test_with_two_mentors_a_meeting_names_the_one_met(run, grace, home, store):
    ada = ("--identity", str(home / "ada-mentor.json"))
    ok(run(*ada, "init", "--name", "Ada Byron", "--role", "mentor"))
    ok(run("mentor", "add", "grace"))
    ok(run("mentor", "add", "ada byron"))
    before = store_state(store)
    assert "say which one you met with --with" in refused(run("meeting", "log", "--minutes", "30", "--focus", "x"))
    assert store_state(store) == before
    meeting = ok(run("meeting", "log", "--minutes", "30", "--focus", "x", "--with", "ada byron"))
    assert json.loads(ok(run("show", meeting[:8], "--json")))["mentor_fingerprint"] == json.loads(
        ok(run(*ada, "whoami", "--json")))["fingerprint"]


def test_status_says_when_the_agreed_months_are_over(run, grace):
    import time_machine

    ok(run("mentor", "add", "grace", "--months", "1", "--from", "2026-04-01"))
    with time_machine.travel("2026-05-20 12:00 +00:00", tick=True):
        status = ok(run("status"))
    assert "its agreed months are over" in status and "in May" not in status


def test_a_mentor_whose_directory_entry_is_gone_can_still_be_ended(run, grace, store):
    ok(run("mentor", "add", "grace"))
    fingerprint = mentors(run)[0]["mentor_fingerprint"]
    with raw_store(store) as db:
        db.execute("DELETE FROM mj_directory WHERE fingerprint = ?", (fingerprint,))
    assert "no mentor 'grace' in this store's directory" in refused(run("share", "--agenda", "--with", "grace"))
    ok(run("mentor", "end", fingerprint[:9]))  # by her fingerprint, from the journal alone
    [ended] = mentors(run)
    assert ended["ended"] == "2026-05-13" and ended["mentor"] == "Grace Hopper"
    assert "no mentor 'alan' in this store's directory" in refused(run("mentor", "end", "alan"))  # none of hers
