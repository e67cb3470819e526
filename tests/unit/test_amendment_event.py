"""An amendment carries a whole, valid version of its record, or it is not an amendment."""

from datetime import datetime, timezone
from uuid import uuid4

import pytest
from pydantic import ValidationError

from domain.amending import EntryAmended, check_version

AT = datetime(2026, 5, 12, 9, 0, tzinfo=timezone.utc)
WHOLE = {"text": "Paired on the parser", "mood": 4, "confidence": None, "tags": ["work"]}


def amendment(**fields):
    return EntryAmended(originator_id=uuid4(), originator_version=3, timestamp=AT, entry_id="a" * 32, at=AT,
                        target_id="b" * 32, **fields)


def test_a_whole_valid_version_is_an_amendment():
    made = amendment(target_kind="checkin", number=2, fields=WHOLE)
    assert made.fields == WHOLE == check_version("checkin", WHOLE, AT)


@pytest.mark.parametrize("fields, words", [
    ({"text": "Paired on the parser"}, "every field"),  # a partial version would hide the rest
    ({**WHOLE, "mood": 9}, "not a valid checkin"),
    ({**WHOLE, "measure": "talks"}, "not a valid checkin"),
])
def test_a_partial_or_invalid_version_is_refused(fields, words):
    with pytest.raises(ValidationError, match=words):
        amendment(target_kind="checkin", number=2, fields=fields)


def test_records_of_sharing_and_the_first_version_number_are_refused():
    with pytest.raises(ValidationError):
        amendment(target_kind="release", number=2, fields=WHOLE)
    with pytest.raises(ValidationError):
        amendment(target_kind="checkin", number=1, fields=WHOLE)
