"""Between meetings and the agenda: `mj concern`, `mj agenda` (and `mj share --agenda`), the
meeting's defaults (the focus agreed last time, the concerns noted since, marked discussed),
`mj actions` and done marks in `mj show MEETING`."""

import json

import pytest

from tests.conftest import ok, refused, store_state


@pytest.fixture
def grace(run, grace):
    """Here Grace is Ada's mentor too."""
    ok(run("mentor", "add", "grace"))
    return grace


def agenda(run) -> dict:
    return json.loads(ok(run("agenda", "--json")))


def test_a_meeting_takes_up_the_focus_agreed_last_time_and_the_concerns_noted_since(run, grace):
    first = ok(run("meeting", "log", "--minutes", "60", "--focus", "career", "--next-focus", "delegation",
                   "--action", "draft the plan", "--at", "2026-05-01 10:00"))
    noted = [ok(run("concern", text)) for text in ("tired after the release", "unsure about the promotion")]
    view = agenda(run)
    assert [c["text"] for c in view["concerns"]] == ["tired after the release", "unsure about the promotion"]
    assert view["focus"] == "delegation" and [a["text"] for a in view["actions"]] == ["draft the plan"]
    logged = run("meeting", "log", "--minutes", "45")  # no --focus, no --concern: the agenda's
    assert logged.exit_code == 0 and "2 noted concerns discussed" in logged.stderr, logged.output
    meeting = json.loads(ok(run("show", logged.stdout.strip()[:8], "--json")))
    assert meeting["focus"] == "delegation" and meeting["concerns"] == ["tired after the release",
                                                                        "unsure about the promotion"]
    assert meeting["discussed"] == noted
    assert agenda(run)["concerns"] == [] and agenda(run)["focus"] is None
    assert first != meeting["id"]


def test_a_concern_given_at_the_meeting_leaves_the_noted_ones_open(run, grace):
    ok(run("concern", "noted between meetings"))
    ok(run("meeting", "log", "--minutes", "30", "--focus", "x", "--concern", "raised on the day"))
    assert [c["text"] for c in agenda(run)["concerns"]] == ["noted between meetings"]


def test_a_meeting_with_no_focus_agreed_before_needs_one(run, grace, store):
    before = store_state(store)
    assert "give --focus: no next focus was agreed at the last meeting" in refused(
        run("meeting", "log", "--minutes", "30"), code=2)
    assert store_state(store) == before
    ok(run("meeting", "log", "--minutes", "30", "--focus", "the honest path"))


def test_the_agenda_is_released_as_a_sealed_record_and_an_empty_one_is_refused(run, grace, store):
    before = store_state(store)
    assert "the agenda has nothing in it" in refused(run("share", "--agenda", "--with", "grace"))
    assert store_state(store) == before
    ok(run("concern", "MARKER-concern for Grace"))
    ok(run("share", "--agenda", "--with", "grace"))
    released = json.loads(ok(run(*grace, "inbox", "--json")))
    [item] = [r for r in released if r["entry"]["kind"] == "agenda"]
    assert [c["text"] for c in item["entry"]["agenda"]["concerns"]] == ["MARKER-concern for Grace"]
    assert not any(r["entry"]["kind"] == "concern" for r in released)  # the concern itself stays closed


def test_actions_lists_the_open_ones_and_show_marks_the_done(run, grace):
    meeting = ok(run("meeting", "log", "--minutes", "60", "--focus", "f", "--action", "draft CV", "--action", "read"))
    ids = [a["id"] for a in json.loads(ok(run("show", meeting[:8], "--json")))["actions"]]
    ok(run("action", "done", ids[0][:8]))
    assert [a["text"] for a in json.loads(ok(run("actions", "--json")))] == ["read"]
    assert [(a["text"], a["done"] is not None) for a in json.loads(ok(run("actions", "--all", "--json")))] == [
        ("draft CV", True), ("read", False)]
    shown = ok(run("show", meeting[:8]))
    assert f"[x] [{ids[0][:8]}] draft CV" in shown and f"[ ] [{ids[1][:8]}] read" in shown
    assert [a["done"] for a in json.loads(ok(run("show", meeting[:8], "--json")))["actions"]] == [True, False]
