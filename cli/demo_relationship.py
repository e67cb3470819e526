"""The demo's relationship story: Lena's first match ends after a month, she is re-matched with
Grace for six months in the handbook's structure (concerns noted between meetings → the focus
agreed last time → the next focus, with action items), Grace evaluates her twice, and the
programme's manager certifies the completion that Lena chose to present; the certificate
verifies, and a copy with one fact changed does not."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from domain import clock

FOCI = ["What I want from the next two years", "Taking review comments without taking them personally",
        "Delegation: what to hand over and how", "Running a meeting that ends on time",
        "Giving feedback upward", "Presenting a decision, not a menu", "What comes after the programme",
        "Staying in touch after we finish"]
CONCERNS = ["Two projects pulling at once", "A hard conversation with a peer", "Tired after the release",
            "Unsure about the promotion process", "A review that stung", "Nervous about the all-hands talk"]


def relationship_story(console, home: Path) -> None:
    from rich.rule import Rule

    from cli.output import esc
    from cli.rhythm_commands import render_rhythm
    from domain.journal import MenteeJournal as J
    from journal.app import JournalApp
    from journal.demo_story import DEMO_PASSPHRASE, create_demo_mentee, local_moment
    from journal.directory import by_fingerprint, publish
    from journal.identity import new_identity, save_identity, unlock_identity
    from journal.programmes import join_programme
    from journal.sharing import import_feedback, send_feedback
    from projections.rhythm import rhythms

    console.print(Rule("A relationship: a match that did not fit, a re-match, six months"))
    lena = create_demo_mentee(home, "Lena Park", file="lena.json")
    omar_identity = new_identity(home / "omar.json", name="Omar Haddad", role="mentor", journal_id=None)
    save_identity(omar_identity, DEMO_PASSPHRASE)
    omar = JournalApp(home / "journal.db", omar_identity)
    publish(omar.recorder.datastore, omar_identity)
    grace = JournalApp(home / "journal.db", unlock_identity(home / "mentor.json", DEMO_PASSPHRASE))
    manager = JournalApp(home / "journal.db", unlock_identity(home / "manager.json", DEMO_PASSPHRASE))
    apps = [lena, omar, grace, manager]
    try:
        first = clock.add_months(clock.today().replace(day=1), -8)
        start = clock.add_months(first, 1)
        lena.update(J.add_mentor, omar_identity.fingerprint, "Omar Haddad", start=first, months=6,
                    at=local_moment(first, 9))
        lena.update(J.log_meeting, minutes=45, focus=FOCI[0], next_focus="Whether our areas fit",
                    at=local_moment(first + timedelta(days=9)))
        lena.update(J.end_mentor, omar_identity.fingerprint, "Omar Haddad",
                    reason="Our areas did not fit: re-matched", at=local_moment(first + timedelta(days=20)))
        lena.update(J.add_mentor, grace.identity.fingerprint, grace.identity.name, start=start, months=6,
                    at=local_moment(start, 9))
        join_programme(lena, "Spring cohort", at=local_moment(clock.add_months(start, 1), 10))
        goal = lena.update(J.set_goal, "Give a talk at the all-hands", measure="talks given", target=1,
                           due=clock.add_months(start, 6), at=local_moment(start, 11))
        with console.status("Lena and Grace meet for six months; Grace evaluates her twice…"):
            _six_months(lena, grace, start, goal, by_fingerprint(grace.recorder.datastore, lena.identity.fingerprint),
                        send_feedback, import_feedback)
        lena.update(J.end_mentor, grace.identity.fingerprint, grace.identity.name, reason="Completed the six months")
        console.print("Lena's first match, with Omar, ended after a month (\"Our areas did not fit\"); she was "
                      "re-matched with Grace. Her rhythm, month by month (at least 60 minutes a month agreed):")
        render_rhythm(rhythms(lena.entries(), clock.today()), console)
        evaluations = [e for e in lena.entries() if e.kind == "evaluation"]
        for e in evaluations:
            ratings = ", ".join(f"{k} {v}/5" for k, v in e.fields["ratings"].items())
            console.print(f"  Grace's evaluation, now Lena's record: {esc(ratings)}", highlight=False)
        _certificate(console, home, lena, grace, manager)
    finally:
        for app in apps:
            app.close()


def _six_months(lena, grace, start, goal, lena_person, send_feedback, import_feedback) -> None:
    from domain.journal import MenteeJournal as J
    from journal.demo_story import local_moment
    from projections.agenda import agenda
    from projections.model import load_model

    for month in range(6):
        first = clock.add_months(start, month)
        concern = lena.update(J.note_concern, CONCERNS[month], at=local_moment(first + timedelta(days=4), 20))
        if month == 2:  # the agenda she released before a meeting: concerns, last focus, open actions
            lena.update(J.publish_agenda, agenda(load_model(lena), clock.local_day(local_moment(
                first + timedelta(days=5)))), at=local_moment(first + timedelta(days=5), 8))
        lena.update(J.log_meeting, minutes=45 if month == 3 else 60, concerns=(CONCERNS[month],), discussed=(concern,),
                    focus=FOCI[month + 1], next_focus=FOCI[month + 2], rating=4 + month % 2,
                    actions=(f"Try one thing from '{FOCI[month + 1]}' before we meet again",),
                    at=local_moment(first + timedelta(days=11), 12))
        if month in (2, 5):
            send_feedback(grace, lena_person, "Steady progress; keep the talk practice going.", None,
                          {"delegation": 2 + month // 2, "presenting": 3 + month // 5})
            import_feedback(lena)
    lena.update(J.achieve_goal, goal, note="Gave the talk at the all-hands",
                at=local_moment(clock.add_months(start, 5) + timedelta(days=20)))


def _certificate(console, home: Path, lena, grace, manager) -> None:
    from rich.rule import Rule

    from cli.output import esc
    from journal.completion import certificate_problems, issue, statement_id
    from journal.completion_store import countersign, presented_to_me, send_statement
    from journal.directory import by_fingerprint
    from journal.private_files import write_private
    from journal.sharing import import_feedback
    from projections.certificate import carried, render_html, render_pdf, rendered
    from projections.completion import facts, statement

    console.print(Rule("Completion: the facts Lena chooses to present, countersigned, certified"))
    datastore = lena.recorder.datastore
    s = statement(lena.entries(), clock.today(), (lena.identity.name, lena.identity.fingerprint))
    sid = statement_id(s)
    console.print(f"Lena's completion statement {sid}: facts from her journal, no text of it:")
    for line in facts(s):
        console.print(f"  {esc(line)}", highlight=False)
    send_statement(lena, s, by_fingerprint(datastore, grace.identity.fingerprint), "countersign")
    [presented], _ = presented_to_me(grace)
    countersign(grace, presented)
    import_feedback(lena)
    mentor_signature = next(e for e in lena.entries() if e.kind == "countersigned").fields["signature"]
    send_statement(lena, s, by_fingerprint(datastore, manager.identity.fingerprint), "certify", mentor_signature)
    [presented], _ = presented_to_me(manager)
    made = issue(presented.statement, presented.mentee_signature, presented.mentor_signature, manager.identity,
                 clock.today(), "Spring cohort")
    page, pdf = home / "certificate.html", home / "certificate.pdf"
    write_private(page, render_html(made))
    write_private(pdf, render_pdf(made))
    console.print(f"Grace countersigned it; Lena presented it to the programme's manager, Morgan, who learns only "
                  f"those facts and issued a certificate: {page} and {pdf}")
    lookup = lambda fp: by_fingerprint(datastore, fp)  # noqa: E731
    known = {pin["manager_fingerprint"] for pin in lena.programme_pins().values()}  # the managers she joined under
    for path in (page, pdf):
        found, kind = carried(path.read_bytes())
        problems = certificate_problems(found, lookup) or (
            [] if rendered(found, kind) == path.read_bytes() else ["the file was altered"]) or (
            [] if found["issuer"]["fingerprint"] in known else ["the issuer is not a key Lena knows"])
        console.print(f"  mj certificate verify {path.name} (as Lena, who knows Morgan from joining): " + (
            "[green]verified[/]: Lena's, Grace's and Morgan's signatures hold" if not problems
            else f"[red]{esc('; '.join(problems))}[/]"), highlight=False)
    forged = home / "certificate-altered.html"
    write_private(forged, page.read_bytes().replace(b"1 goal achieved", b"3 goals achieved"))
    found, kind = carried(forged.read_bytes())
    changed = rendered(found, kind) != forged.read_bytes()
    console.print(f"  mj certificate verify {forged.name} (one fact changed on the page): "
                  + ("[red]does not verify[/]: the file is not the certificate it carries" if changed
                     else "[bold red]VERIFIED: this is a bug[/]"), highlight=False)
