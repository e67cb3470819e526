"""`JournalApp.update(verb, *args, **kwargs)`: the arguments are bound when update() is called,
so a loop of writes needs no closure over its loop variable (bugbear's B023)."""

from datetime import datetime, timezone

from domain.journal import MenteeJournal


def test_a_loop_of_updates_in_the_verb_form_records_each_loop_value(unlocked):
    app = unlocked()
    for n in range(1, 6):
        app.update(MenteeJournal.check_in, f"loop value {n}", mood=n, tags=(f"t{n}",),
                   at=datetime(2026, 5, n, 9, tzinfo=timezone.utc))
    assert [(e.fields["text"], e.fields["mood"], e.tags, e.at.day) for e in app.entries()] == [
        (f"loop value {n}", n, (f"t{n}",), n) for n in range(1, 6)]


def test_a_callable_without_arguments_is_still_called_with_the_journal(unlocked):
    app = unlocked()
    entry_id = app.update(lambda j: j.check_in("the one-argument form"))
    assert app.show(entry_id).fields["text"] == "the one-argument form"


def test_the_grant_keywords_for_the_events_transaction_are_not_passed_to_the_verb(unlocked):
    app = unlocked()
    calls = []

    def verb(journal, *args, **kwargs):
        calls.append((args, kwargs))
        return journal.check_in(args[0], **kwargs)

    app.update(verb, "a verb of our own", mood=2, grants_granted=[], grants_revoked=[])
    assert calls == [(("a verb of our own",), {"mood": 2})]
    assert [e.fields["mood"] for e in app.entries()] == [2]
