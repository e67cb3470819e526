"""`mj export` and `mj import`: a 0600 plaintext file in a versioned schema, read back into a new
journal with links intact (export → import → export identical but for the ids); jrnl's own files
(made by jrnl 4.6: tests/fixtures/jrnl/make.sh) as check-ins, idempotently; bad files refused in
one line with nothing written."""

import json
import os
import stat
from pathlib import Path

import pytest

from tests.conftest import ok, refused, store_state

FIXTURES = Path(__file__).parent.parent / "fixtures" / "jrnl"




@pytest.fixture
def full_journal(run, mentee, home):
    """One record of every kind that moves, linked as people link them."""
    grace = ("--identity", str(home / "grace.json"))
    ok(run(*grace, "init", "--name", "Grace Hopper", "--role", "mentor"))
    ok(run("checkin", "Paired on teh parser", "--mood", "4", "--confidence", "3", "--tag", "work",
           "--at", "2026-05-01 09:00"))
    checkin = json.loads(ok(run("entries", "--json")))[0]["id"]
    ok(run("amend", checkin[:8], "--text", "Paired on the parser"))
    aspiration = ok(run("aspiration", "add", "Lead a team", "--why", "growth", "--horizon", "2028-06-30",
                        "--at", "2026-05-02"))
    goal = ok(run("goal", "add", "Run standups", "--measure", "standups", "--target", "8", "--due", "2026-07-31",
                  "--aspiration", aspiration[:8], "--at", "2026-05-02"))
    ok(run("goal", "progress", goal[:8], "3", "--note", "three", "--at", "2026-05-05"))
    milestone = ok(run("milestone", "add", goal[:8], "First alone", "--due", "2026-06-01", "--at", "2026-05-05"))
    ok(run("milestone", "reach", milestone[:8], "--evidence", "retro", "--at", "2026-05-06"))
    meeting = ok(run("meeting", "log", "--minutes", "60", "--focus", "career", "--concern", "tired",
                     "--next-focus", "delegation", "--action", "draft CV", "--action", "read", "--rating", "4",
                     "--at", "2026-05-07"))
    action = json.loads(ok(run("show", meeting[:8], "--json")))["actions"][0]["id"]
    ok(run("action", "done", action[:8], "--at", "2026-05-08"))
    ok(run("concern", "an imposter feeling", "--at", "2026-05-08 12:00"))
    ok(run("share", "--agenda", "--with", "grace"))  # its concern and open action, by their ids
    ok(run("meeting", "log", "--minutes", "30", "--at", "2026-05-09"))  # delegation, and the concern discussed
    ok(run("feedback", "add", "The mock review helped", "--about", meeting[:8], "--at", "2026-05-08"))
    ok(run("assess", "--rate", "public speaking=3", "--rate", "delegation=2", "--at", "2026-05-09"))
    other = ok(run("goal", "add", "Write a blog", "--measure", "posts", "--due", "2026-08-31", "--at", "2026-05-03"))
    ok(run("goal", "drop", other[:8], "--reason", "changed teams", "--at", "2026-05-10"))
    ok(run("goal", "achieve", goal[:8], "--at", "2026-05-11"))
    ok(run("share", "--summary", "--with", "grace", "--from", "2026-05-01", "--to", "2026-05-12"))
    ok(run("share", meeting[:8], "--with", "grace"))
    ok(run(*grace, "feedback", "send", "--to", "ada", "Well done", "--about", meeting[:8]))
    ok(run("inbox"))
    ok(run("mentor", "add", "grace", "--from", "2026-05-01", "--months", "4", "--norm", "90"))
    ok(run(*grace, "evaluate", "--to", "ada", "--rate", "delegation=3", "--note", "steady"))
    ok(run("inbox"))
    statement = json.loads(ok(run("completion", "--json")))["statement_id"]
    ok(run("completion", "send", statement, "--to", "grace"))
    ok(run(*grace, "completion", "sign", statement))
    ok(run("inbox"))
    ok(run("mentor", "end", "grace", "--reason", "moved teams"))
    return home


def renumbered(first: list[dict], second: list[dict]) -> str:
    """`first` with each id replaced by the id the record at its place has in `second`."""
    ids = {}
    for a, b in zip(first, second, strict=True):
        ids[a["id"]] = b["id"]
        ids |= {x["id"]: y["id"] for x, y in zip(a.get("actions", ()), b.get("actions", ()), strict=True)}
    text = json.dumps(first, sort_keys=True)
    for old, new in ids.items():
        text = text.replace(old, new)
    return text


def test_export_import_export_is_identical_but_for_the_ids(run, full_journal, tmp_path):
    first_file = tmp_path / "first.json"
    result = run("export", "-o", str(first_file))
    assert result.exit_code == 0 and "plaintext" in result.stderr, result.output
    assert stat.S_IMODE(first_file.stat().st_mode) == 0o600
    first = json.loads(first_file.read_text())
    assert (first["schema"], first["version"], first["owner"]) == ("mentoring-journal/export", 1, "Ada Lovelace")
    kinds = [r["kind"] for r in first["records"]]
    assert set(kinds) == {"checkin", "aspiration", "goal", "progress", "milestone", "reached", "meeting", "done",
                          "feedback", "assessment", "dropped", "achieved", "summary", "mentor-feedback", "mentor",
                          "mentor-ended", "concern", "agenda", "evaluation", "completion", "countersigned"}
    assert "Paired on the parser" in first_file.read_text() and "teh" not in first_file.read_text()

    elsewhere = ("--identity", str(tmp_path / "new" / "identity.json"), "--store", str(tmp_path / "new" / "j.db"))
    ok(run(*elsewhere, "init", "--name", "Ada Lovelace"))
    moved = run(*elsewhere, "import", str(first_file))
    assert moved.exit_code == 0 and f"Imported {len(kinds)} record(s)" in moved.stderr, moved.output
    second = json.loads(ok(run(*elsewhere, "export")))
    assert [r["id"] for r in second["records"]] != [r["id"] for r in first["records"]]  # renumbered
    # The one change besides the ids: a mentor's feedback or evaluation moved in from a file is marked, since no
    # signature any more says who sent it (anyone could write such a file and ask her to import it).
    moved_in = ("mentor-feedback", "evaluation", "countersigned")
    assert [r["unverified"] for r in first["records"] if r["kind"] in moved_in] == [False, False, False]
    for r in first["records"]:
        if r["kind"] in moved_in:
            r["unverified"] = True
    assert renumbered(first["records"], second["records"]) == json.dumps(second["records"], sort_keys=True)
    assert "sender not verified" in ok(run(*elsewhere, "entries"))
    assert ok(run(*elsewhere, "verify")).startswith("ok:")
    progress = json.loads(ok(run(*elsewhere, "progress", "--json")))
    assert "Run standups" in json.dumps(progress)  # the goal's links came along


def test_importing_again_adds_nothing_and_a_full_journal_needs_merge(run, full_journal, store, tmp_path):
    exported = tmp_path / "e.json"
    ok(run("export", "-o", str(exported)))
    before = store_state(store)
    assert "already has records" in refused(run("import", str(exported)))
    assert store_state(store) == before
    again = run("import", str(exported), "--merge")
    assert again.exit_code == 0 and "Imported 0 record(s)" in again.stderr, again.output
    assert store_state(store) == before  # nothing written: each record was recognised
    document = json.loads(exported.read_text())
    document["records"].append({**document["records"][0], "id": "f" * 32, "text": "One more, from elsewhere"})
    exported.write_text(json.dumps(document))
    assert "Imported 1 record(s)" in run("import", str(exported), "--merge").stderr  # the honest path beside it


def test_markdown_is_a_readable_diary(run, full_journal, tmp_path):
    diary = tmp_path / "diary.md"
    ok(run("export", "--format", "markdown", "-o", str(diary)))
    text = diary.read_text()
    assert stat.S_IMODE(diary.stat().st_mode) == 0o600
    assert "## 2026-05-07, Thursday" in text and "**Focus:** career" in text and "- [x] draft CV" in text
    assert "- [ ] read" in text and "Measured by standups, target 8, due 2026-07-31." in text
    assert text.index("2026-05-01") < text.index("2026-05-07")


def test_the_export_replaces_a_planted_link_instead_of_writing_through_it(run, mentee, tmp_path):
    ok(run("checkin", "private words"))
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    target = tmp_path / "export.json"
    os.symlink(victim, target)
    ok(run("export", "-o", str(target)))
    assert victim.read_text() == "untouched" and not target.is_symlink()
    assert "private words" in target.read_text()


BAD_FILES = {
    "not JSON": (b"{not json", "is not JSON"),
    "another schema": (json.dumps({"schema": "jrnl", "version": 1, "records": []}).encode(), "not an export of mj"),
    "an unknown version": (json.dumps({"schema": "mentoring-journal/export", "version": 9, "records": []}).encode(),
                           "version 9"),
    "an unknown kind": (json.dumps({"schema": "mentoring-journal/export", "version": 1,
                                    "records": [{"id": "a" * 32, "kind": "release"}]}).encode(), "not a record"),
    "a date in the future": (json.dumps({"schema": "mentoring-journal/export", "version": 1, "records": [
        {"id": "a" * 32, "kind": "checkin", "at": "2026-05-01T09:00:00+00:00", "text": "fine"},
        {"id": "b" * 32, "kind": "checkin", "at": "2027-01-01T09:00:00+00:00", "text": "not yet"}]}).encode(),
        "record 2 (checkin bbbbbbbb): 2027-01-01 09:00 is in the future"),
    "a goal without its due date": (json.dumps({"schema": "mentoring-journal/export", "version": 1, "records": [
        {"id": "a" * 32, "kind": "goal", "at": "2026-05-01T09:00:00+00:00", "text": "x", "measure": "y"}]}).encode(),
        "record 1 (goal aaaaaaaa)"),
}


@pytest.mark.parametrize("problem", list(BAD_FILES))
def test_a_file_that_is_not_a_good_export_is_one_line_and_writes_nothing(run, mentee, store, tmp_path, problem):
    data, words = BAD_FILES[problem]
    bad = tmp_path / "bad.json"
    bad.write_bytes(data)
    before = store_state(store)
    assert words in refused(run("import", str(bad)))
    assert store_state(store) == before
    good = tmp_path / "good.json"  # the honest path beside it
    good.write_text(json.dumps({"schema": "mentoring-journal/export", "version": 1, "records": [
        {"id": "a" * 32, "kind": "checkin", "at": "2026-05-01T09:00:00+00:00", "text": "fine"}]}))
    assert "Imported 1 record(s)" in run("import", str(good)).stderr


def test_a_file_too_large_is_refused_before_it_is_read(run, mentee, store, tmp_path, monkeypatch):
    monkeypatch.setattr("journal.importing.MAX_BYTES", 1000)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 1001)
    before = store_state(store)
    assert "larger than" in refused(run("import", str(big)))
    assert store_state(store) == before


# -- jrnl ------------------------------------------------------------------------------


def test_jrnl_plain_text_and_its_json_export_become_the_same_check_ins_once(run, mentee, store):
    result = run("import", "jrnl", str(FIXTURES / "journal.txt"))
    assert result.exit_code == 0 and "Imported 5 record(s)" in result.stderr, result.output
    entries = json.loads(ok(run("entries", "--json")))
    assert [e["kind"] for e in entries] == ["checkin"] * 5
    by_text = {e["text"].splitlines()[0]: e for e in entries}
    assert by_text["Paired on the parser"]["tags"] == ["starred"]
    assert by_text["Started the mentoring programme."]["tags"] == ["grace"]
    assert by_text["Started the mentoring programme."]["text"].endswith("Met @grace for the first time.")
    assert sorted(by_text["A second note in the same minute, about #learning and @work."]["tags"]) == \
        ["learning", "work"]
    assert by_text["Ünïcödé title — with dashes. Body line one."]["tags"] == ["tag-with-dash"]
    assert by_text["Title only"]["at"].startswith("2026-05-13T07:05")

    before = store_state(store)
    for fixture in ("journal.txt", "export.json"):  # the same entries, from either of jrnl's files
        again = run("import", "jrnl", str(FIXTURES / fixture))
        assert again.exit_code == 0 and "Imported 0 record(s); 5 already here" in again.stderr, again.output
    assert store_state(store) == before


@pytest.mark.parametrize("problem", ["no entries", "empty export", "bad date line", "text before any entry",
                                     "another tag symbol"])
def test_a_jrnl_file_that_cannot_be_read_is_one_line_and_writes_nothing(run, mentee, store, tmp_path, problem):
    plain = (FIXTURES / "journal.txt").read_text()
    path = {"no entries": FIXTURES / "empty.txt", "empty export": FIXTURES / "empty-export.json",
            "another tag symbol": FIXTURES / "plus-tags.json"}.get(problem, tmp_path / "journal.txt")
    if problem == "bad date line":
        path.write_text(plain.replace("[2026-05-12 09:00:00 AM]", "[2026-13-01 09:00:00 AM]"))
    if problem == "text before any entry":
        path.write_text("my notes\n" + plain)
    before = store_state(store)
    line = refused(run("import", "jrnl", str(path)))
    assert {"no entries": "no jrnl entries", "empty export": "no jrnl entries", "bad date line": "line 8 of",
            "text before any entry": "line 1", "another tag symbol": "--tag-symbols '+'"}[problem] in line
    assert store_state(store) == before
    ok(run("import", "jrnl", str(FIXTURES / "plus-tags.json"), "--tag-symbols", "+"))  # the honest path beside it
    assert json.loads(ok(run("entries", "--json")))[0]["tags"] == ["parser", "grace"]


def _one(record: dict) -> bytes:
    return json.dumps({"schema": "mentoring-journal/export", "version": 1,
                       "records": [{"id": "a" * 32, "kind": "checkin", "at": "2026-05-01T09:00:00+00:00",
                                    "text": "x", **record}]}).encode()


@pytest.mark.parametrize("data", [
    _one({"kind": "progress", "goal_id": ["a"], "value": 1}),  # a link that is not an id
    _one({"kind": "meeting", "minutes": 5, "focus": "f", "actions": 5}),  # actions that are not a list
    _one({"kind": "summary", "start": "2026-05-01", "end": "2026-05-02", "summary": 5}),
    _one({"at": 5}),  # a moment that is not text
    b'{"schema": "mentoring-journal/export", "version": 1, "records": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
], ids=["link", "actions", "summary", "moment", "nested"])
def test_a_malformed_record_is_one_line_never_a_traceback(run, mentee, store, tmp_path, data):
    bad = tmp_path / "bad.json"
    bad.write_bytes(data)
    before = store_state(store)
    refused(run("import", str(bad)))
    assert store_state(store) == before


def test_an_import_that_lost_a_race_writes_everything_on_its_retry(run, mentee, tmp_path, monkeypatch):
    """update() runs the import again after a concurrent write: it must not find its own first
    attempt's records "already here" and write nothing."""
    from eventsourcing.persistence import IntegrityError

    from journal.app import JournalApp

    good = tmp_path / "good.json"
    good.write_text(json.dumps({"schema": "mentoring-journal/export", "version": 1, "records": [
        {"id": "a" * 32, "kind": "checkin", "at": "2026-05-01T09:00:00+00:00", "text": "fine"}]}))
    save, lost = JournalApp.save, []

    def lose_once(self, *args, **kwargs):
        if not lost:
            lost.append(1)
            raise IntegrityError("someone else wrote first")
        return save(self, *args, **kwargs)

    monkeypatch.setattr(JournalApp, "save", lose_once)
    result = run("import", str(good))
    assert result.exit_code == 0 and "Imported 1 record(s)" in result.stderr and lost, result.output
    assert "fine" in ok(run("entries", "--json"))
