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
@click.option("--html", "html_path", required=True, type=click.Path(dir_okay=False),
              help="Write the certificate as a page here (0600, through a fresh file).")
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False), help="Also write it as a PDF here.")
@click.option("--programme", metavar="NAME", help="Name this programme of yours on the certificate.")
@pass_session
def issue(session, statement_id, html_path, pdf_path, programme):
    """Manager: issue a signed certificate for statement ID, which a mentee presented to you
    countersigned by her mentor. You learn only what the statement says."""
    from journal.completion import issue as make
    from journal.completion import verification_code
    from cli.completion_commands import presented_one
    from journal.private_files import write_private
    from projections.certificate import render_html, render_pdf

    if session.identity.role != "manager":
        raise click.ClickException("only a programme's manager issues certificates")
    if programme is not None:
        from journal.programmes import find_programme

        found = find_programme(session.app, programme)
        if found.manager_fingerprint != session.identity.fingerprint:
            raise click.ClickException(f"you are not the manager of {esc(programme, markup=False)}")
    p = presented_one(session, statement_id)
    if p.mentor_signature is None:
        raise click.ClickException(f"statement {p.statement_id} is not countersigned by the mentor it names: "
                                   "no certificate")
    made = make(p.statement, p.mentee_signature, p.mentor_signature, session.identity, clock.today(), programme)
    pages = [(html_path, render_html(made))] + ([(pdf_path, render_pdf(made))] if pdf_path else [])
    for path, data in pages:
        try:
            write_private(path, data)
        except OSError as error:
            raise click.ClickException(f"cannot write {path}: {error.strerror}") from None
    mentee = counterparty(p.mentee.name, p.mentee.fingerprint, markup=False)
    click.echo(verification_code(made))
    say(f"Issued a certificate for {mentee}: {', '.join(path for path, _ in pages)} (verification code above)")


@certificate.command("verify")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@pass_session
def verify(session, path, json_):
    """Check a certificate (its page or its PDF): the mentee's, her mentor's and the issuer's
    signatures against this store's directory, and every byte of the file against the
    certificate it carries. Exit 1 if anything fails."""
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
    if json_:
        emit_json({"file": path, "verified": not problems, "problems": problems,
                   "code": verification_code(found) if not problems else None,
                   "certificate": found if not problems else None})
    if problems:
        raise click.ClickException(f"{path} does not verify: {esc('; '.join(problems), markup=False)}")
    if json_:
        return
    s = found["statement"]
    click.echo(f"Verified: certificate {verification_code(found)}")
    from projections.completion import facts

    for line in facts(s):
        click.echo(f"  {esc(line, markup=False)}")
    issuer = counterparty(found["issuer"]["name"], found["issuer"]["fingerprint"], markup=False)
    click.echo(f"  Issued by {issuer} on {found['issued_on']}"
               + (f" for {esc(found['programme'], markup=False)}" if found["programme"] else ""))


COMMANDS = [certificate]
