"""A mentor's evaluation (`mj evaluate --to WHO --rate SKILL=N`): sealed to the mentee, imported as
her record when it comes from her current mentor, refused once otherwise, and shown skill by skill
beside her self-assessments in `mj progress`."""

import json

from tests.conftest import ok, refused, store_state


def test_her_mentors_evaluation_becomes_her_record_beside_her_self_assessment(run, grace):
    ok(run("mentor", "add", "grace"))
    ok(run("assess", "--rate", "public speaking=2", "--at", "2026-05-01"))
    ok(run(*grace, "evaluate", "--to", "ada", "--rate", "Public Speaking=4", "--rate", "delegation=3",
           "--note", "clear and calm"))
    [evaluation] = [e for e in json.loads(ok(run("entries", "--json"))) if e["kind"] == "evaluation"]
    assert (evaluation["ratings"], evaluation["note"], evaluation["from_name"]) == (
        {"Public Speaking": 4, "delegation": 3}, "clear and calm", "Grace Hopper")
    skills = json.loads(ok(run("progress", "--json")))["skills"]
    assert [p["rating"] for p in skills["public speaking"]["self"]] == [2]  # named alike: one skill
    assert [(p["rating"], p["from"]) for p in skills["public speaking"]["mentor"]] == [(4, "Grace Hopper")]
    assert "public speaking: you 2 (1 rating(s)); mentor 4 (1 rating(s))" in ok(run("progress"))


def test_an_evaluation_from_someone_who_is_not_her_mentor_is_refused_once(run, mentee, home, store):
    ada = ("--identity", str(home / "ada.json"))
    ok(run(*ada, "init", "--name", "Ada Byron", "--role", "mentor"))
    ok(run("share", ok(run("checkin", "for Ada"))[:8], "--with", "ada"))  # she takes Ada's feedback...
    ok(run(*ada, "evaluate", "--to", "ada l", "--rate", "delegation=1"))  # ...but Ada is not her mentor
    first = run("entries")
    assert "Ada Byron is not your mentor" in first.stderr and first.exit_code == 0, first.output
    before = store_state(store)
    again = run("entries")
    assert "not your mentor" not in again.stderr and store_state(store) == before  # refused once, recorded
    assert not any(e["kind"] == "evaluation" for e in json.loads(ok(run("entries", "--json"))))
    ok(run("mentor", "add", "ada"))  # the honest path beside it: as her mentor, Ada's next one comes in
    ok(run(*ada, "evaluate", "--to", "ada l", "--rate", "delegation=2"))
    assert [e["ratings"] for e in json.loads(ok(run("entries", "--json"))) if e["kind"] == "evaluation"] == [
        {"delegation": 2}]


def test_a_bad_rating_or_a_mentee_evaluating_is_refused_with_nothing_sent(run, grace, store):
    before = store_state(store)
    assert "is not SKILL=N" in refused(run(*grace, "evaluate", "--to", "ada", "--rate", "delegation=6"), code=2)
    assert "only mentors send feedback and evaluations" in refused(run("evaluate", "--to", "ada", "--rate",
                                                                       "delegation=3"))
    assert store_state(store) == before
