"""One relationship as the handbooks run it, walked through the command line on both backends and
told three times, once per role: a first match that does not fit and is ended, a re-match with
Grace for six months in the handbook's structure (concerns noted between meetings → the focus
agreed last time → the next focus, with action items), an agenda released before a meeting,
Grace's feedback and two evaluations, and the completion Ada presents, which Grace countersigns
and Morgan, the programme's manager, certifies. The clock moves through the months for real."""

import json
from datetime import datetime

import pytest
import time_machine

from tests.conftest import ok

SECRET = "ADA-PRIVATE-MARKER"
MONTHS = ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04"]


def at(day: str, hour: int = 12):
    return time_machine.travel(datetime.fromisoformat(f"{day} {hour:02}:00").astimezone(), tick=False)


_WALKED: dict[str, dict] = {}


@pytest.fixture
def walked(backend, request):
    """The whole path, walked once per backend (the three tests only read what it showed): what
    each person was shown on the way, by role."""
    if backend not in _WALKED:
        _WALKED[backend] = walk(request.getfixturevalue("run"), request.getfixturevalue("mentee"),
                                request.getfixturevalue("home"), request.getfixturevalue("tmp_path"))
    return _WALKED[backend]


def walk(run, mentee, home, tmp_path):
    grace, omar, morgan = (("--identity", str(home / f"{n}.json")) for n in ("grace", "omar", "morgan"))
    seen = {"mentee": {}, "mentor": {}, "manager": {}}
    with at("2025-09-30"):
        ok(run(*grace, "init", "--name", "Grace Hopper", "--role", "mentor"))
        ok(run(*omar, "init", "--name", "Omar Haddad", "--role", "mentor"))
        ok(run(*morgan, "init", "--name", "Morgan Reid", "--role", "manager"))
    with at("2025-10-01"):
        ok(run("mentor", "add", "omar", "--months", "6"))
    with at("2025-10-10"):
        ok(run("meeting", "log", "--minutes", "45", "--focus", f"{SECRET} where I want to be",
               "--next-focus", "Whether our areas fit"))
    with at("2025-10-20"):
        ok(run("mentor", "end", "omar", "--reason", "Our areas did not fit"))
    with at("2025-11-01", 9):
        ok(run("mentor", "add", "grace", "--months", "6"))
        goal = ok(run("goal", "add", f"{SECRET} give a talk", "--measure", "talks", "--due", "2026-04-30"))
    with at("2025-11-02"):
        ok(run(*morgan, "program", "create", "Autumn cohort", "--no-helper"))
        ok(run("program", "join", "Autumn cohort"))
    for n, month in enumerate(MONTHS):
        with at(f"{month}-05", 20):
            ok(run("concern", f"{SECRET} concern of {month}"))
        if month == "2026-01":
            with at(f"{month}-06", 8):
                ok(run("share", "--agenda", "--with", "grace"))
                seen["mentee"]["agenda"] = json.loads(ok(run("agenda", "--json")))
        with at(f"{month}-12"):
            focus = [] if n else ["--focus", "Taking review comments well"]  # later: the one agreed last time
            ok(run("meeting", "log", "--minutes", "45" if month == "2026-02" else "60", *focus,
                   "--next-focus", f"focus after {month}", "--action", f"{SECRET} action of {month}"))
            if n:
                previous = json.loads(ok(run("actions", "--json")))[0]["id"]
                ok(run("action", "done", previous[:8]))
        if month in ("2026-01", "2026-04"):
            with at(f"{month}-20"):
                seen["mentor"].setdefault("inbox", ok(run(*grace, "inbox")))  # after the agenda
                ok(run(*grace, "evaluate", "--to", "ada", "--rate", f"delegation={2 + n // 2}",
                       "--rate", "presenting=3", "--note", "steady"))
        if month == "2025-12":
            with at(f"{month}-20"):
                agreement = json.loads(ok(run(*grace, "inbox", "--json")))[0]["grant"]
                ok(run(*grace, "feedback", "send", "--to", "ada", "Good start", "--about", agreement[:8]))
    with at("2026-03-25"):
        ok(run("goal", "achieve", goal[:8]))
    # The suite's day, 2026-05-13: the six months are over.
    seen["mentee"]["status"] = ok(run("status"))
    seen["mentee"]["entries"] = json.loads(ok(run("entries", "--json")))
    shown = json.loads(ok(run("completion", "--json")))
    sid, seen["mentee"]["statement"] = shown["statement_id"], shown["statement"]
    ok(run("completion", "send", sid, "--to", "grace"))
    seen["mentor"]["mentees"] = ok(run(*grace, "mentees"))
    seen["mentor"]["presented"] = json.loads(ok(run(*grace, "completion", "--json")))
    ok(run(*grace, "completion", "sign", sid))
    ok(run("mentor", "end", "grace", "--reason", "Completed the six months"))
    seen["mentee"]["mentors"] = json.loads(ok(run("mentors", "--json")))
    ok(run("completion", "send", sid, "--to", "Autumn cohort"))
    seen["mentor"]["sent"] = ok(run(*grace, "sent"))
    seen["manager"]["presented"] = ok(run(*morgan, "completion", "--json"))
    html, pdf = tmp_path / "certificate.html", tmp_path / "certificate.pdf"
    grace_fp, morgan_fp = (json.loads(ok(run(*who, "whoami", "--json")))["fingerprint"] for who in (grace, morgan))
    seen["manager"]["code"] = ok(run(*morgan, "certificate", "issue", sid, "--html", str(html), "--pdf", str(pdf),
                                     "--programme", "Autumn cohort", "--confirm-mentor", grace_fp))
    seen["manager"]["files"] = (html, pdf)
    # Ada knows Morgan from joining his programme, Morgan is himself, Grace compares his fingerprint
    for role, who in (("mentee", ()), ("mentor", (*grace, "--issuer", morgan_fp)), ("manager", morgan)):
        seen[role]["verified"] = [ok(run(*who[:2], "certificate", "verify", str(path), *who[2:]))
                                  for path in (html, pdf)]
    seen["mentee"]["kinds"] = [e["kind"] for e in json.loads(ok(run("entries", "--json")))]
    return seen


def test_the_mentee_keeps_the_whole_relationship_and_presents_only_its_facts(walked):
    mine = walked["mentee"]
    omar, grace = mine["mentors"]
    assert (omar["mentor"], omar["ended"], omar["reason"]) == ("Omar Haddad", "2025-10-20", "Our areas did not fit")
    assert (grace["mentor"], grace["start"], grace["ended"]) == ("Grace Hopper", "2025-11-01", "2026-05-13")
    meetings = [e for e in mine["entries"] if e["kind"] == "meeting"][1:]  # Grace's six
    assert [m["focus"] for m in meetings] == ["Taking review comments well"] + [f"focus after {m}"
                                                                                 for m in MONTHS[:-1]]
    assert [m["concerns"] for m in meetings] == [[f"{SECRET} concern of {m}"] for m in MONTHS]
    assert [c["text"] for c in mine["agenda"]["concerns"]] == [f"{SECRET} concern of 2026-01"]
    assert mine["agenda"]["focus"] == "focus after 2025-12"
    assert [e["ratings"] for e in mine["entries"] if e["kind"] == "evaluation"] == [
        {"delegation": 3, "presenting": 3}, {"delegation": 4, "presenting": 3}]
    assert {k: v for k, v in mine["statement"].items() if k not in ("mentee", "mentor")} == {
        "format": "mentoring-journal/completion", "version": 1, "from": "2025-11-01", "to": "2026-04-30",
        "agreed_months": 6, "norm_minutes": 60, "months": 6, "months_meeting_norm": 5, "meetings": 6,
        "minutes": 345, "goals_achieved": 1}
    assert mine["kinds"].count("completion") == 2 and mine["kinds"].count("countersigned") == 1
    assert all(line.startswith("Verified: certificate") for line in mine["verified"])


def test_the_mentor_sees_what_was_released_signs_the_facts_and_keeps_copies(walked):
    hers = walked["mentor"]
    assert "Ada Lovelace" in hers["mentees"] and "agenda" in hers["inbox"] and "mentor" in hers["inbox"]
    assert "Taking review comments" not in hers["inbox"]  # no meeting was released, only the agenda
    [presented] = hers["presented"]
    assert presented["statement"] == walked["mentee"]["statement"] and presented["countersigned"] is False
    sent = hers["sent"].splitlines()
    assert len(sent) == 4 and "Good start" in sent[0] and "delegation 3/5" in sent[1]
    assert "countersigned completion statement" in sent[3]
    assert all(line.startswith("Verified: certificate") for line in hers["verified"])


def test_the_manager_learns_the_statement_and_nothing_else_and_issues_a_certificate_that_verifies(walked):
    his = walked["manager"]
    assert [p["statement"] for p in json.loads(his["presented"])] == [walked["mentee"]["statement"]]
    assert SECRET not in his["presented"]
    for path in his["files"]:
        assert SECRET.encode() not in path.read_bytes() and b"Ada Lovelace" in path.read_bytes()
    assert all(line.startswith(f"Verified: certificate {his['code']}") for line in his["verified"])
