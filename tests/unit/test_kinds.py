"""The kinds `--kind` offers are exactly the kinds of record `mj entries` can show."""

from cli.reading import KINDS
from domain.events import RecordEvent
from journal.mapper import event_types


def test_every_kind_of_record_can_be_chosen_and_nothing_else():
    shown = {cls.kind for cls in event_types().values() if issubclass(cls, RecordEvent)} - {"retraction", "amendment"}
    assert sorted(KINDS) == sorted(shown)
    assert len(KINDS) == len(set(KINDS))
