"""`mj amend ID`: a correction is a new version, every view shows the latest, `show --history`
shows each, a mentor keeps the version released; mistakes are one line with nothing written."""

import json
import stat

import pytest

from projections.model import load_model
from tests.conftest import ok, own_app, refused, store_state





def test_an_amended_check_in_reads_as_corrected_and_keeps_every_version(run, mentee):
    entry = ok(run("checkin", "Paired on teh parser", "--mood", "2", "--tag", "work", "--at", "2026-05-12 09:00"))
    ok(run("checkin", "another day", "--at", "2026-05-12 18:00"))
    assert ok(run("amend", entry[:6], "--text", "Paired on the parser", "--mood", "4")) == entry

    listed = json.loads(ok(run("entries", "--json")))
    assert [e["id"] for e in listed][0] == entry  # still where it was first written
    first = listed[0]
    assert (first["text"], first["mood"], first["tags"], first["versions"]) == ("Paired on the parser", 4, ["work"], 2)
    assert first["at"].startswith("2026-05-12T09:00")  # its moment unchanged: no --at given
    assert "teh" not in json.dumps(listed)
    assert "(amended)" in ok(run("entries"))
    assert "version 2" in ok(run("show", entry[:6]))

    versions = json.loads(ok(run("show", entry[:6], "--history", "--json")))
    assert [(v["text"], v["mood"]) for v in versions] == [("Paired on teh parser", 2), ("Paired on the parser", 4)]
    shown = ok(run("show", entry[:6], "--history"))
    assert shown.index("version 1 of 2") < shown.index("teh") < shown.index("version 2 of 2")

    ok(run("amend", entry[:6], "--clear", "mood", "--at", "2026-05-11 20:00"))
    third = json.loads(ok(run("show", entry[:6], "--json")))
    assert third["mood"] is None and third["versions"] == 3 and third["at"].startswith("2026-05-11T20:00")
    assert ok(run("verify")).startswith("ok:")  # snapshots and view cache agree with the replay


def test_projections_fold_the_latest_version(run, mentee):
    goal = ok(run("goal", "add", "Give a tlak", "--measure", "talks", "--target", "2", "--due", "2026-09-30"))
    ok(run("goal", "progress", goal[:6], "1"))
    progress = json.loads(ok(run("entries", "--kind", "progress", "--json")))[0]["id"]
    ok(run("amend", goal[:6], "--text", "Give a talk", "--due", "2026-10-31", "--target", "3"))
    ok(run("amend", progress[:6], "--value", "2"))
    model = load_model(own_app(mentee))
    folded = model.goals[goal]
    assert (folded.text, str(folded.due), folded.target, folded.value) == ("Give a talk", "2026-10-31", 3, 2)


def test_the_editor_and_stdin_correct_the_text(run, mentee, tmp_path, monkeypatch):
    entry = ok(run("checkin", "a typo hree"))
    ok(run("amend", entry[:6], input="fixed from stdin\n"))
    assert json.loads(ok(run("show", entry[:6], "--json")))["text"] == "fixed from stdin"

    editor = tmp_path / "editor.sh"  # what a person does in $EDITOR: change the text shown
    editor.write_text("#!/bin/sh\nsed -i 's/from stdin/in the editor/' \"$1\"\n")
    editor.chmod(editor.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.setattr("cli.records.stdin_is_terminal", lambda: True)
    ok(run("amend", entry[:6]))
    assert json.loads(ok(run("show", entry[:6], "--json")))["text"] == "fixed in the editor"


def test_amending_a_released_entry_leaves_the_mentor_the_version_released(run, grace):
    entry = ok(run("checkin", "first draft of the talk"))
    ok(run("share", entry[:8], "--with", "grace"))
    result = run("amend", entry[:8], "--text", "second draft of the talk")
    assert result.exit_code == 0 and "keeps the version you released" in result.stderr, result.output
    assert "Not released" in result.stderr
    seen = json.loads(ok(run(*grace, "inbox", "--json")))
    assert [r["entry"]["text"] for r in seen] == ["first draft of the talk"]

    ok(run("amend", entry[:8], "--text", "third draft of the talk", "--release"))
    seen = json.loads(ok(run(*grace, "inbox", "--json")))
    assert sorted(r["entry"]["text"] for r in seen) == ["first draft of the talk", "third draft of the talk"]
    newest = next(r["entry"] for r in seen if r["entry"]["text"].startswith("third"))
    assert newest["id"] == entry and newest["kind"] == "checkin" and newest["versions"] == 3
    assert "second draft" not in json.dumps(seen)  # the version between was never released


@pytest.mark.parametrize("problem", ["unknown", "ambiguous", "retracted", "not hex"])
def test_an_id_that_names_no_live_entry_is_one_line_and_writes_nothing(run, mentee, store, problem):
    ids = [ok(run("checkin", f"entry {n}")) for n in range(20)]
    firsts = [i[0] for i in ids[1:]]  # the 19 that stay live: more than 16, so two share a first digit
    app = own_app(mentee)
    from domain.journal import MenteeJournal

    app.update(MenteeJournal.retract, ids[0])
    prefix = {"unknown": next((c for c in "0123456789abcdef" if c not in firsts + [ids[0][0]]), "0" * 31),
              "ambiguous": next(c for c in firsts if firsts.count(c) > 1),
              "retracted": ids[0][:8], "not hex": "zz"}[problem]
    before = store_state(store)
    line = refused(run("amend", prefix, "--text", "changed"))
    assert store_state(store) == before
    assert line.startswith("Error:")
    # the honest path beside it: a live entry's id is amended
    ok(run("amend", ids[1][:8], "--text", "changed"))
    assert store_state(store) != before


def test_someone_elses_words_and_records_of_sharing_are_not_amended(run, grace, store):
    entry = ok(run("checkin", "asked for feedback"))
    ok(run("share", entry[:8], "--with", "grace"))
    ok(run(*grace, "feedback", "send", "--to", "ada", "Well done on the talk"))
    ok(run("inbox"))  # imports it: now her record, in Grace's words
    listed = json.loads(ok(run("entries", "--json")))
    theirs = next(e["id"] for e in listed if e["kind"] == "mentor-feedback")
    sharing = next(e["id"] for e in listed if e["kind"] == "release")
    before = store_state(store)
    assert "their words stay" in refused(run("amend", theirs[:8], "--text", "Brilliant talk"))
    assert "cannot be amended" in refused(run("amend", sharing[:8], "--text", "x"))
    assert store_state(store) == before
    ok(run("amend", entry[:8], "--text", "asked Grace for feedback"))  # her own words are hers to correct


@pytest.mark.parametrize("args, code, words", [
    (["--measure", "talks"], 1, "has no measure"),
    (["--mood", "4"], 1, "already says that"),
    (["--text", "   "], 1, "text is empty"),
    (["--at", "2026-06-20"], 1, "in the future"),
    (["--mood", "9"], 2, "9"),
    (["--clear", "mood", "--mood", "3"], 2, "--clear mood"),
])
def test_a_correction_that_makes_no_sense_is_one_line_and_writes_nothing(run, mentee, store, args, code, words):
    entry = ok(run("checkin", "a check-in", "--mood", "4"))
    before = store_state(store)
    result = run("amend", entry[:8], *args)
    assert result.exit_code == code and words in result.stderr, result.output
    assert "Traceback" not in result.output and result.stdout == ""
    assert store_state(store) == before
    ok(run("amend", entry[:8], "--mood", "5"))  # the honest path beside it


def test_a_date_is_checked_against_what_it_belongs_to(run, mentee, store):
    goal = ok(run("goal", "add", "Give a talk", "--measure", "talks", "--due", "2026-09-30", "--at", "2026-05-10"))
    ok(run("goal", "progress", goal[:6], "1", "--at", "2026-05-12"))
    progress = json.loads(ok(run("entries", "--kind", "progress", "--json")))[0]["id"]
    before = store_state(store)
    assert "before goal" in refused(run("amend", progress[:8], "--at", "2026-05-01"))
    assert "before the day" in refused(run("amend", goal[:8], "--due", "2026-05-01"))
    assert store_state(store) == before
    ok(run("amend", progress[:8], "--at", "2026-05-11"))


def test_no_plaintext_of_any_version_at_rest(run, mentee, home, store):
    entry = ok(run("checkin", "MARKER-first-version-7f3a"))
    ok(run("amend", entry[:8], "--text", "MARKER-second-version-9c1e"))
    scanned = [p for p in home.rglob("*") if p.is_file()]
    assert store.path in scanned and store.path.stat().st_size > 0  # the scan reads the store itself
    assert [p for p in scanned if b"MARKER-" in p.read_bytes()] == []
