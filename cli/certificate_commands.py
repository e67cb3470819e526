"""Certificates: `mj certificate issue ID --html FILE [--pdf FILE]` (a programme's manager) and
`mj certificate verify FILE` (anyone with the store's directory)."""

from __future__ import annotations

import click

from cli.output import counterparty, emit_json, esc, say
from cli.session import pass_session
from domain import clock


@click.group()
def certificate():
    """Certificates of completion, issued by a programme's manager for a statement that the mentee
    signed and her mentor countersigned, and verified by anyone against the directory."""


@certificate.command("issue")
@click.argument("statement_id", metavar="ID")
@click.option("--programme", required=True, metavar="NAME", help="Your programme, which the mentee is a member of.")
@click.option("--html", "html_path", required=True, type=click.Path(dir_okay=False),
              help="Write the certificate as a page here (0600, through a fresh file).")
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False), help="Also write it as a PDF here.")
@click.option("--confirm-mentor", "confirm", metavar="FINGERPRINT",
              help="The mentor's whole fingerprint, compared with her out of band, the first time you "
                   "certify with her countersignature (then remembered on this device).")
@pass_session
def issue(session, statement_id, programme, html_path, pdf_path, confirm):
    """Manager: issue a signed certificate for statement ID, which a member of your programme
    presented to you countersigned by her mentor. You learn only what the statement says.

    Anyone can put any name on a key in the directory, so the mentor's countersignature counts
    only from a key you know: the first time, compare her fingerprint with her and give it with
    --confirm-mentor."""
    from cli.completion_commands import presented_one
    from journal.completion import issue as make
    from journal.completion import verification_code
    from journal.directory import by_fingerprint, remember
    from journal.private_files import write_private
    from journal.programmes import find_programme, signed_memberships
    from projections.certificate import render_html, render_pdf

    if session.identity.role != "manager":
        raise click.ClickException("only a programme's manager issues certificates")
    found = find_programme(session.app, programme)
    if found.manager_fingerprint != session.identity.fingerprint:
        raise click.ClickException(f"you are not the manager of {esc(programme, markup=False)}")
    p = presented_one(session, statement_id)
    if p.mentor_signature is None:
        raise click.ClickException(f"statement {p.statement_id} is not countersigned by the mentor it names: "
                                   "no certificate")
    if p.mentee.fingerprint not in {row.fingerprint for row in signed_memberships(session.app, found)}:
        raise click.ClickException(f"{counterparty(p.mentee.name, p.mentee.fingerprint, markup=False)} is not a "
                                   f"member of {esc(programme, markup=False)}: no certificate")
    mentor = by_fingerprint(session.app.recorder.datastore, p.statement["mentor"]["fingerprint"])
    _require_known_mentor(session, mentor, confirm)
    made = make(p.statement, p.mentee_signature, p.mentor_signature, session.identity, clock.today(), programme)
    pages = [(html_path, render_html(made))] + ([(pdf_path, render_pdf(made))] if pdf_path else [])
    for path, data in pages:
        try:
            write_private(path, data)
        except OSError as error:
            raise click.ClickException(f"cannot write {path}: {error.strerror}") from None
    try:
        remember(session.identity_path, mentor)
    except Exception as error:  # noqa: BLE001 (the certificate stands; she is asked to confirm again next time)
        say(f"Warning: {esc(str(error), markup=False)}")
    mentee = counterparty(p.mentee.name, p.mentee.fingerprint, markup=False)
    click.echo(verification_code(made))
    say(f"Issued a certificate for {mentee}: {', '.join(path for path, _ in pages)} (verification code above)")


def _require_known_mentor(session, mentor, confirm: str | None) -> None:
    from journal.directory import known_people

    if mentor is None:
        raise click.ClickException("the mentor the statement names has no verified directory entry")
    full = mentor.fingerprint
    if confirm is not None:
        if "".join(confirm.split()).casefold() != full.replace(" ", ""):
            raise click.ClickException(f"--confirm-mentor {confirm!r} is not the fingerprint of the mentor who "
                                       f"countersigned ({full}): no certificate")
        return
    if full not in {fp for _, fp in known_people(session.identity_path)}:
        raise click.ClickException(f"the countersignature is by {esc(mentor.name, markup=False)} ({full}), a key you "
                                   "have not certified with before: compare it with her out of band, then give "
                                   f"--confirm-mentor '{full}'")


@certificate.command("verify")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("--issuer", metavar="FINGERPRINT",
              help="The issuer's whole fingerprint, compared with the programme's manager out of band, when "
                   "hers is not a key you know (then remembered on this device).")
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@pass_session
def verify(session, path, issuer, json_):
    """Check a certificate (its page or its PDF): the mentee's, her mentor's and the issuer's
    signatures against this store's directory, every byte of the file against the certificate it
    carries, and that its issuer manages the programme it names. Exit 1 if anything fails.

    Anyone can put any name on a key, so the issuer must be a key you know: the manager of a
    programme you joined, one you pinned before, or the fingerprint you give with --issuer."""
    from journal.completion import certificate_problems, verification_code
    from journal.directory import by_fingerprint
    from projections.certificate import MAX_FILE, NotACertificate, carried, rendered

    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE + 1)
    except OSError as error:
        raise click.ClickException(f"cannot read {path}: {error.strerror}") from None
    datastore = session.app.recorder.datastore
    try:
        found, kind = carried(data)
    except NotACertificate as error:
        raise click.ClickException(f"{path} does not verify: {error}") from None
    problems = certificate_problems(found, lambda fp: by_fingerprint(datastore, fp))
    if not problems and rendered(found, kind) != data:
        problems = ["the file is not the certificate it carries: it was altered"]
    if not problems:
        problems = _issuer_problems(session, found, issuer)
    if json_:
        emit_json({"file": path, "verified": not problems, "problems": problems,
                   "code": verification_code(found) if not problems else None,
                   "certificate": found if not problems else None})
    if problems:
        raise click.ClickException(f"{path} does not verify: {esc('; '.join(problems), markup=False)}")
    if json_:
        return
    click.echo(f"Verified: certificate {verification_code(found)}")
    from projections.completion import facts

    for line in facts(found["statement"]):
        click.echo(f"  {esc(line, markup=False)}")
    click.echo(f"  Issued by {esc(found['issuer']['name'], markup=False)} ({found['issuer']['fingerprint']}) "
               f"on {found['issued_on']} for {esc(found['programme'], markup=False)}")


def _issuer_problems(session, found, given: str | None) -> list[str]:
    """Why the issuer is not one this reader can believe: not the manager of the programme named,
    or a key she does not know. Empty when she can."""
    from journal.directory import by_fingerprint, known_people, remember
    from journal.errors import JournalError
    from journal.programmes import find_programme

    app, name, fingerprint = session.app, found["programme"], found["issuer"]["fingerprint"]
    try:
        programme = find_programme(app, name)
    except JournalError:
        return [f"it names programme {name!r}, which this store does not know"]
    if programme.manager_fingerprint != fingerprint:
        return [f"its issuer ({fingerprint}) is not the manager of {name!r}"]
    if given is not None:
        if "".join(given.split()).casefold() != fingerprint.replace(" ", ""):
            return [f"it was issued by {fingerprint}, not by the --issuer you gave"]
        try:
            remember(session.identity_path, by_fingerprint(app.recorder.datastore, fingerprint))
        except JournalError as error:
            say(f"Warning: {esc(str(error), markup=False)}")
        return []
    known = {session.identity.fingerprint} | {fp for _, fp in known_people(session.identity_path)}
    if session.identity.role == "mentee":
        known |= {pin["manager_fingerprint"] for pin in app.programme_pins().values()}
    if fingerprint in known:
        return []
    return [f"its signatures hold, but the issuer's key ({fingerprint}) is not one you know: compare it with the "
            f"manager of {name!r} out of band, then give --issuer '{fingerprint}'"]


COMMANDS = [certificate]
