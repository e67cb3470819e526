"""Completion: `mj completion` (her statement of facts, or what was presented to a mentor or a
manager), `mj completion send ID --to WHO`, `mj completion sign ID`. Certificates are
cli/certificate_commands.py's."""

from __future__ import annotations

import click

from cli.output import counterparty, emit_json, esc, say
from cli.session import pass_session
from domain import clock


def _her_statements(history) -> dict[str, dict]:
    """Statement id -> what her journal says of it: the statement, to whom it went, the countersignature."""
    found: dict[str, dict] = {}
    for e in history:
        if e.kind == "completion":
            record = found.setdefault(e.fields["statement_id"], {"statement": e.fields["statement"], "sent": [],
                                                                 "countersigned": None})
            record["sent"].append({"to": e.fields["to_name"], "to_fingerprint": e.fields["to_fingerprint"],
                                   "stage": e.fields["stage"], "at": e.at.isoformat()})
        elif e.kind == "countersigned" and e.fields["statement_id"] in found:
            found[e.fields["statement_id"]]["countersigned"] = {
                "by": e.fields["from_name"], "by_fingerprint": e.fields["from_fingerprint"],
                "signature": e.fields["signature"], "at": e.at.isoformat()}
    return found


def _todays(session, mentor: str | None):
    from projections.completion import NoRelationship, statement

    me = session.identity
    history = session.app.history()
    fingerprint = None
    if mentor is not None:
        from cli.relationship_commands import find_mentor

        fingerprint = find_mentor(session, mentor).fingerprint
    from journal.versions import latest

    try:  # one read of her journal for the statement and for what she sent before
        return statement(latest(history), clock.today(), (me.name, me.fingerprint), fingerprint), history
    except NoRelationship as error:
        raise click.ClickException(str(error)) from None


def _show(statement_id: str, s: dict) -> None:
    from projections.completion import facts

    click.echo(f"Completion statement {statement_id}")
    for line in facts(s):
        click.echo(f"  {esc(line, markup=False)}")


@click.group(invoke_without_command=True)
@click.option("--with", "mentor", metavar="MENTOR", help="Mentee: the relationship with this mentor. "
              "[default: the current one, else the latest]")
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@click.pass_context
def completion(context, mentor, json_):
    """Mentee: your completion statement, computed from your journal: facts only (the relationship,
    its months, the months meeting the norm, meetings, goals achieved; no text), with an id.
    Nothing leaves your journal until you send it (`mj completion send ID --to WHO`): first to your
    mentor to countersign, then, countersigned, to a programme's manager for a certificate.

    Mentor or manager: the statements mentees presented to you, every signature checked."""
    if context.invoked_subcommand is not None:
        return
    session = context.obj
    if session.identity.role != "mentee":
        _presented_list(session, json_)
        return
    from journal.completion import statement_id

    s, history = _todays(session, mentor)
    sid = statement_id(s)
    mine = _her_statements(history)
    if json_:
        emit_json({"statement_id": sid, "statement": s,
                   "sent": [{"statement_id": k} | v for k, v in mine.items()]})
        return
    _show(sid, s)
    for other, record in mine.items():
        signed = record["countersigned"]
        state = (f"countersigned by {counterparty(signed['by'], signed['by_fingerprint'], markup=False)}"
                 if signed else "not countersigned yet")
        sent = ", ".join(f"{counterparty(x['to'], x['to_fingerprint'], markup=False)} {x['at'][:10]}"
                         for x in record["sent"])
        click.echo(f"Sent before: {other} to {sent}; {esc(state, markup=False)}")
    if mine.get(sid, {}).get("countersigned"):
        say(f"Countersigned: send it to your programme's manager for a certificate: mj completion send {sid} "
            "--to PROGRAMME")
    else:
        say(f"Send it to {esc(s['mentor']['name'], markup=False)} to countersign: mj completion send {sid} --to "
            f"'{s['mentor']['fingerprint']}'")


def _presented_list(session, json_) -> None:
    from journal.completion_store import presented_to_me

    presented, refused = presented_to_me(session.app)
    for line in refused:
        say(f"Rejected: {esc(line, markup=False)}")
    role = session.identity.role
    if role == "mentor":
        presented = [p for p in presented if p.statement["mentor"]["fingerprint"] == session.identity.fingerprint]
    else:
        presented = [p for p in presented if p.mentor_signature is not None]
    if json_:
        emit_json([p.as_json() for p in presented])
        return
    if not presented:
        say("No completion statements presented to you yet.")
    from journal.directory import known_people

    known = {fp for _, fp in known_people(session.identity_path)}
    for p in presented:
        _show(p.statement_id, p.statement)
        mark = "countersigned by the mentor" if p.mentor_signature else "waiting for your countersignature"
        if role == "manager" and p.statement["mentor"]["fingerprint"] not in known:
            mark += " (a key you have not certified with: compare her fingerprint with her, `--confirm-mentor`)"
        click.echo(f"  presented {esc(p.sent_at[:10], markup=False)}, signed by the mentee; {mark}")


@completion.command("send")
@click.argument("statement_id", metavar="ID")
@click.option("--to", "to", required=True, metavar="WHO",
              help="Your mentor (to countersign), or, countersigned, a programme you joined or its manager.")
@click.option("--with", "mentor", metavar="MENTOR", help="The relationship with this mentor, as for `mj completion`.")
@pass_session
def completion_send(session, statement_id, to, mentor):
    """Send statement ID, signed by you and sealed to WHO. What you sent, and to whom, is recorded
    in your journal. To your mentor it goes to be countersigned (her countersignature comes back
    through your inbox); countersigned, to the manager of a programme you joined, who can issue
    a certificate. Nothing of your journal goes with it."""
    from journal.completion_store import send_statement

    if session.identity.role != "mentee":
        raise click.ClickException("only a mentee sends her completion statement")
    from journal.completion import statement_id as id_of

    mine = _her_statements(session.app.history())
    wanted = statement_id.strip().casefold()
    known = [k for k in mine if k.startswith(wanted)] if len(wanted) >= 4 else []
    if len(known) == 1:  # one she sent before: as it was then, with its countersignature if it came
        record = mine[known[0]]
        s, signed = record["statement"], record["countersigned"]
    else:
        s, _ = _todays(session, mentor)
        signed = None
        if len(wanted) < 4 or not id_of(s).startswith(wanted):
            raise click.ClickException(f"no statement {statement_id!r}: today's is {id_of(s)} (`mj completion`); "
                                       "the journal changed since, or the id is mistyped")
    sid = id_of(s)
    if signed is None:
        recipient = _mentor_of(session, s, to)
        stage = "countersign"
    else:
        recipient = _manager(session, to)
        stage = "certify"
    send_statement(session.app, s, recipient, stage, signed["signature"] if signed else None)
    shown = counterparty(recipient.name, recipient.fingerprint, markup=False)
    what = "to countersign: it comes back through your inbox" if stage == "countersign" else "for a certificate"
    say(f"Sent completion statement {sid} to {shown} {what}")


def _mentor_of(session, s, to):
    from cli.relationship_commands import find_mentor
    from journal.directory import find
    from journal.errors import JournalError

    named = counterparty(s["mentor"]["name"], s["mentor"]["fingerprint"], markup=False)
    try:
        manager = to in session.app.programme_pins() or find(session.app.recorder.datastore, to, role="manager")
    except JournalError:
        manager = None
    if manager:
        raise click.ClickException(f"this statement is not countersigned by your mentor yet: send it to {named} "
                                   "first")
    found = find_mentor(session, to)
    if found.fingerprint != s["mentor"]["fingerprint"]:
        raise click.ClickException(f"this statement is not countersigned yet: it goes first to the mentor it "
                                   f"names, {named}")
    return found


def _manager(session, to):
    """A programme she joined (by name), or its manager, pinned by the terms she joined under."""
    from journal.directory import by_fingerprint, find

    app = session.app
    managers = {pin["manager_fingerprint"]: name for name, pin in app.programme_pins().items()}
    programme = app.programme_pins().get(to)
    if programme is not None:
        found = by_fingerprint(app.recorder.datastore, programme["manager_fingerprint"])
        if found is None:
            raise click.ClickException(f"the manager of {esc(to, markup=False)} has no verified directory entry")
        return found
    found = find(app.recorder.datastore, to, role="manager")
    if found.fingerprint not in managers:
        raise click.ClickException(f"{esc(found.name, markup=False)} is not the manager of a programme you joined: "
                                   "a certificate comes from your programme's manager (`mj program join`)")
    return found


@completion.command("sign")
@click.argument("statement_id", metavar="ID")
@pass_session
def completion_sign(session, statement_id):
    """Mentor: countersign statement ID, which your mentee sent you, after reading its facts. Your
    signature goes back to her, sealed, and a copy stays with you (`mj sent`)."""
    from journal.completion_store import countersign

    if session.identity.role != "mentor":
        raise click.ClickException("only the mentor a statement names countersigns it")
    p = presented_one(session, statement_id)
    _require_known(session, p.mentee)
    message = countersign(session.app, p)
    _show(p.statement_id, p.statement)
    click.echo(message)
    say(f"Countersigned; it goes back to {counterparty(p.mentee.name, p.mentee.fingerprint, markup=False)} "
        "at her next command")


def presented_one(session, statement_id: str):
    """The statement presented to this reader whose id begins with `statement_id` (four digits at
    least), after a line for each document not believed."""
    from journal.completion_store import presented_to_me

    presented, refused = presented_to_me(session.app)
    for line in refused:
        say(f"Rejected: {esc(line, markup=False)}")
    wanted = statement_id.strip().casefold()
    matches = {p.statement_id: p for p in presented if len(wanted) >= 4 and p.statement_id.startswith(wanted)}
    if len(matches) != 1:
        raise click.ClickException(f"no statement {statement_id!r} was presented to you" if not matches else
                                   f"{statement_id!r} is ambiguous: give more of the id")
    return next(iter(matches.values()))


def _require_known(session, mentee) -> None:
    """Only a mentee this mentor knows by these keys: one who released to her, or one she wrote to."""
    from journal.directory import known_people, name_key, pins
    from journal.sharing import released_to_me

    released, _ = released_to_me(session.app)
    pinned = pins(known_people(session.identity_path) + [(r.mentee, r.mentee_fingerprint) for r in released])
    if mentee.fingerprint not in pinned.get(name_key(mentee.name), set()):
        raise click.ClickException(f"{counterparty(mentee.name, mentee.fingerprint, markup=False)} is not a mentee "
                                   "you know by these keys (none released to you, and you wrote to none): "
                                   "nothing was signed")


COMMANDS = [completion]
