"""How long a record's texts may be: apart from the events, so that a store can check lengths
without importing the pydantic models (domain/events.py)."""

TEXT_LIMIT = 10_000  # a free text: a check-in, notes, feedback
LINE_LIMIT = 500  # one line: a title, a name, a focus
