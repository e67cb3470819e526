"""Completion and certificates: her statement of facts (`mj completion`), sent to her mentor to
countersign and, countersigned, to her programme's manager, who issues a certificate that anyone
verifies against the directory (`mj certificate verify`). Each refusal leaves the store as it was,
beside the honest path."""

import json
import stat

import pytest

from tests.conftest import PASSPHRASE, ok, refused, store_state

MARKER = "SECRET-FOCUS-MARKER"
# The statement the fixture's journal gives on the suite's day (2026-05-13): January to April.
EXPECTED = {"format": "mentoring-journal/completion", "version": 1, "from": "2026-01-01", "to": "2026-04-30",
            "agreed_months": 4, "norm_minutes": 60, "months": 4, "months_meeting_norm": 2, "meetings": 4,
            "minutes": 180, "goals_achieved": 1}


@pytest.fixture
def people(run, mentee, home):
    """Ada (the mentee) in Morgan's programme, with Grace as her mentor from January for four
    months: Jan 60 min (met), Feb 30 (short), Mar 45 + 45 (met), Apr none; one goal achieved in
    February, one in May (after the relationship)."""
    who = {name: ("--identity", str(home / f"{name}.json")) for name in ("grace", "morgan", "alan", "pat")}
    ok(run(*who["grace"], "init", "--name", "Grace Hopper", "--role", "mentor"))
    ok(run(*who["alan"], "init", "--name", "Alan Turing", "--role", "mentor"))
    ok(run(*who["morgan"], "init", "--name", "Morgan Reid", "--role", "manager"))
    ok(run(*who["pat"], "init", "--name", "Pat Other", "--role", "manager"))
    ok(run(*who["morgan"], "program", "create", "Spring cohort", "--no-helper"))
    ok(run("program", "join", "Spring cohort"))
    ok(run("mentor", "add", "grace", "--from", "2026-01-01", "--months", "4"))
    for at, minutes in (("2026-01-10", 60), ("2026-02-11", 30), ("2026-03-03", 45), ("2026-03-24", 45)):
        ok(run("meeting", "log", "--minutes", str(minutes), "--focus", MARKER, "--at", at))
    for at, achieved in (("2026-01-02", "2026-02-10"), ("2026-01-03", "2026-05-10")):
        goal = ok(run("goal", "add", f"{MARKER} goal", "--measure", "talks", "--due", "2026-06-30", "--at", at))
        ok(run("goal", "achieve", goal[:8], "--at", achieved))
    return who


def statement(run) -> tuple[str, dict]:
    shown = json.loads(ok(run("completion", "--json")))
    return shown["statement_id"], shown["statement"]


def countersigned(run, people) -> str:
    """Ada sends today's statement to Grace, Grace countersigns it, Ada's next command imports it."""
    sid, _ = statement(run)
    ok(run("completion", "send", sid, "--to", "grace"))
    ok(run(*people["grace"], "completion", "sign", sid[:6]))
    ok(run("inbox"))
    return sid


def certificate(run, people, tmp_path) -> tuple[str, object, object]:
    sid = countersigned(run, people)
    ok(run("completion", "send", sid, "--to", "Spring cohort"))
    html, pdf = tmp_path / "out" / "cert.html", tmp_path / "out" / "cert.pdf"
    html.parent.mkdir()
    code = ok(run(*people["morgan"], "certificate", "issue", sid, "--html", str(html), "--pdf", str(pdf),
                  "--programme", "Spring cohort", "--confirm-mentor", fingerprint(run, people["grace"])))
    return code, html, pdf


def fingerprint(run, who) -> str:
    return json.loads(ok(run(*who, "whoami", "--json")))["fingerprint"]


def test_the_statement_is_the_facts_of_her_journal_and_no_text(run, people):
    sid, s = statement(run)
    assert {k: v for k, v in s.items() if k not in ("mentee", "mentor")} == EXPECTED
    assert s["mentee"] == {"name": "Ada Lovelace", "fingerprint": fingerprint(run, ())}
    assert s["mentor"] == {"name": "Grace Hopper", "fingerprint": fingerprint(run, people["grace"])}
    assert len(sid) == 16 and MARKER not in ok(run("completion", "--json"))
    shown = ok(run("completion"))
    assert f"Completion statement {sid}" in shown and "Months: 4, 2 meeting the norm" in shown
    assert statement(run)[0] == sid  # the same journal on the same day: the same id


def test_from_her_statement_to_a_certificate_that_verifies_each_party_seeing_only_the_statement(
        run, people, home, tmp_path):
    sid, s = statement(run)
    ok(run("completion", "send", sid, "--to", "grace"))
    waiting = json.loads(ok(run(*people["grace"], "completion", "--json")))
    assert waiting == [{"statement_id": sid, "statement": s, "sent_at": waiting[0]["sent_at"],
                        "countersigned": False}]
    ok(run(*people["grace"], "completion", "sign", sid[:6]))
    assert f"countersigned completion statement {sid}" in ok(run(*people["grace"], "sent"))
    kinds = [e["kind"] for e in json.loads(ok(run("entries", "--json")))]  # imported at her next command
    assert kinds[-2:] == ["completion", "countersigned"]
    ok(run("completion", "send", sid, "--to", "Spring cohort"))
    presented = ok(run(*people["morgan"], "completion", "--json"))
    assert json.loads(presented) == [{"statement_id": sid, "statement": s, "sent_at": json.loads(presented)[0][
        "sent_at"], "countersigned": True}]
    html, pdf = tmp_path / "cert.html", tmp_path / "cert.pdf"
    code = ok(run(*people["morgan"], "certificate", "issue", sid, "--html", str(html), "--pdf", str(pdf),
                  "--programme", "Spring cohort", "--confirm-mentor", s["mentor"]["fingerprint"]))
    assert len(code) == 19 and code.count("-") == 3
    morgan = ("--issuer", fingerprint(run, people["morgan"]))
    for path in (html, pdf):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600 and MARKER.encode() not in path.read_bytes()
        # Ada knows Morgan from joining; Morgan is herself; Grace and Alan compare Morgan's fingerprint
        for who, issuer in (((), ()), (people["morgan"], ()), (people["grace"], morgan), (people["alan"], morgan)):
            verified = ok(run(*who, "certificate", "verify", str(path), *issuer))
            assert verified.startswith(f"Verified: certificate {code}")
    checked = json.loads(ok(run("certificate", "verify", str(html), "--json")))
    assert (checked["verified"], checked["code"], checked["certificate"]["statement"]) == (True, code, s)
    assert "Ada Lovelace" in html.read_text() and "Spring cohort" in html.read_text()
    assert MARKER not in presented


@pytest.mark.parametrize("attempt, why", [
    (lambda sid: ("completion", "send", "0000000000000000", "--to", "grace"), "no statement '0000000000000000'"),
    (lambda sid: ("completion", "send", sid, "--to", "alan"), "it goes first to the mentor it names"),
    (lambda sid: ("completion", "send", sid, "--to", "Spring cohort"), "not countersigned by your mentor yet"),
    (lambda sid: ("completion", "send", sid, "--to", "morgan"), "not countersigned by your mentor yet"),
    (lambda sid: ("--identity", "{grace}", "completion", "send", sid, "--to", "ada"), "only a mentee sends"),
    (lambda sid: ("completion", "sign", sid), "only the mentor a statement names countersigns"),
    (lambda sid: ("--identity", "{grace}", "completion", "sign", sid), "was presented to you"),
    (lambda sid: ("--identity", "{morgan}", "certificate", "issue", sid, "--html", "{html}", "--programme",
                  "Spring cohort"), "was presented to you"),
    (lambda sid: ("certificate", "issue", sid, "--html", "{html}", "--programme", "Spring cohort"),
     "only a programme's manager issues"),
])
def test_a_send_sign_or_issue_out_of_turn_is_refused_with_nothing_written(run, people, home, store, tmp_path,
                                                                           attempt, why):
    sid, _ = statement(run)
    args = [a.format(grace=home / "grace.json", morgan=home / "morgan.json", html=tmp_path / "c.html")
            for a in attempt(sid)]
    ok(run("entries"))  # any duty of her next command done first
    before = store_state(store)
    assert why in refused(run(*args))
    assert store_state(store) == before and not (tmp_path / "c.html").exists()
    ok(run("completion", "send", sid, "--to", "grace"))  # the honest path beside it
    ok(run(*people["grace"], "completion", "sign", sid))


def test_a_certificate_goes_only_through_the_manager_of_a_programme_she_joined(run, people, store, tmp_path):
    sid = countersigned(run, people)
    before = store_state(store)
    assert "Pat Other is not the manager of a programme you joined" in refused(
        run("completion", "send", sid, "--to", "pat"))
    assert store_state(store) == before
    ok(run("completion", "send", sid, "--to", "morgan"))  # by name, pinned when she joined
    assert "you are not the manager of Spring cohort" in refused(run(*people["pat"], "certificate", "issue", sid,
                                                                     "--html", str(tmp_path / "c.html"),
                                                                     "--programme", "Spring cohort"))
    ok(run(*people["morgan"], "certificate", "issue", sid, "--html", str(tmp_path / "c.html"), "--programme",
           "Spring cohort", "--confirm-mentor", fingerprint(run, people["grace"])))


def test_the_first_certificate_with_a_mentor_needs_her_fingerprint_compared(run, people, store, tmp_path):
    sid = countersigned(run, people)
    ok(run("completion", "send", sid, "--to", "Spring cohort"))
    issue = (*people["morgan"], "certificate", "issue", sid, "--programme", "Spring cohort", "--html",
             str(tmp_path / "c.html"))
    grace, alan = fingerprint(run, people["grace"]), fingerprint(run, people["alan"])
    before = store_state(store)
    assert f"a key you have not certified with before: compare it with her out of band, then give " \
           f"--confirm-mentor '{grace}'" in refused(run(*issue))
    assert "is not the fingerprint of the mentor who countersigned" in refused(run(*issue, "--confirm-mentor", alan))
    assert store_state(store) == before and not (tmp_path / "c.html").exists()
    ok(run(*issue, "--confirm-mentor", grace))
    ok(run(*issue[:-1], str(tmp_path / "again.html")))  # her key is remembered on Morgan's device now


def test_a_certificate_verifies_only_from_an_issuer_the_reader_knows(run, people, tmp_path):
    code, html, _ = certificate(run, people, tmp_path)
    alan = people["alan"]
    morgan = fingerprint(run, people["morgan"])
    assert f"the issuer's key ({morgan}) is not one you know" in refused(run(*alan, "certificate", "verify",
                                                                           str(html)))
    assert "not by the --issuer you gave" in refused(run(*alan, "certificate", "verify", str(html), "--issuer",
                                                         fingerprint(run, people["pat"])))
    ok(run(*alan, "certificate", "verify", str(html), "--issuer", morgan))
    assert ok(run(*alan, "certificate", "verify", str(html))).startswith(f"Verified: certificate {code}")  # pinned


def test_without_a_relationship_there_is_no_statement(run, mentee, store):
    before = store_state(store)
    assert "you have no relationship to complete" in refused(run("completion"))
    assert "you have no relationship to complete" in refused(run("completion", "send", "abcd", "--to", "x"))
    assert store_state(store) == before


def test_an_ended_relationship_is_stated_to_the_day_it_ended_and_with_names_which(run, people):
    ok(run("mentor", "add", "alan", "--from", "2026-04-01", "--months", "6"))
    ok(run("meeting", "log", "--minutes", "50", "--focus", "x", "--with", "alan", "--at", "2026-04-20"))
    ok(run("mentor", "end", "alan", "--reason", "did not fit"))  # on the suite's day, 2026-05-13
    s = json.loads(ok(run("completion", "--with", "alan", "--json")))["statement"]
    assert (s["mentor"]["name"], s["from"], s["to"], s["months"], s["meetings"], s["minutes"]) == (
        "Alan Turing", "2026-04-01", "2026-05-13", 2, 1, 50)
    assert statement(run)[1]["mentor"]["name"] == "Grace Hopper"  # her current one, without --with


def test_after_the_relationship_ended_only_the_countersignature_she_asked_for_comes_in(run, people):
    ok(run("mentor", "end", "grace", "--reason", "done"))  # her feedback stops here
    sid, _ = statement(run)
    ok(run("completion", "send", sid, "--to", "grace"))
    ok(run(*people["grace"], "feedback", "send", "--to", "ada", "one more thing"))
    ok(run(*people["grace"], "completion", "sign", sid))
    imported = run("entries", "--json")
    assert "only the countersignature you asked for: not imported" in imported.stderr, imported.output
    kinds = [e["kind"] for e in json.loads(imported.stdout)]
    assert "countersigned" in kinds and "mentor-feedback" not in kinds


def test_a_certificate_names_who_issued_it_and_the_page_reads_as_one(run, people, tmp_path):
    code, html, _ = certificate(run, people, tmp_path)
    page = html.read_text()
    for text in ("Certificate of completion", "Ada Lovelace", "Grace Hopper", "Morgan Reid", "from 2026-01-01 to "
                 "2026-04-30", "4 months, 2 of them meeting the norm of 60 minutes", "1 goal achieved", code):
        assert text in page, text


def unlocked(home, name):
    from journal.identity import unlock_identity

    return unlock_identity(home / f"{name}.json", PASSPHRASE)
