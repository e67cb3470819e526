"""Validation problems said for the person who typed the value: `tag 'a b': tags are letters,
digits, - and _`, `the text is empty`, `the mood is 7: it must be at most 5`."""

from __future__ import annotations

from pydantic import ValidationError

# What each pattern in domain/events.py lets through, said for the person who typed the value.
PATTERN_RULES = {r"^[\w-]+$": "tags are letters, digits, - and _",
                 r"^[\w .-]+$": "programme names are letters, digits, spaces and . - _"}
FIELD_WORDS = {"owner_name": "name"}


def _shown(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 24 else text[:8] + "…")


def explain(error: ValidationError) -> str:
    """The first validation problem, as a sentence a person can act on:
    `tag 'a b': tags are letters, digits, - and _`, `the text is empty`, `the mood is 7: at most 5`."""
    first = error.errors()[0]
    loc = [part for part in first["loc"] if part != "[key]"]
    name = FIELD_WORDS.get(str(loc[0]), str(loc[0]).replace("_", " ")) if loc else "value"
    kind, ctx, value = first["type"], first.get("ctx") or {}, first.get("input")
    if len(loc) > 1:  # one item of a list (tags.0) or of a mapping (ratings.'public speaking')
        item = name[:-1] if name.endswith("s") else name
        subject = f"{item} {_shown(loc[1] if isinstance(loc[1], str) else value)}"
        empty = f"{'an' if item[0] in 'aeiou' else 'a'} {item} is empty"
    else:
        subject = empty = f"the {name}"
        empty += " is empty"
    if kind == "string_pattern_mismatch":
        return f"{subject}: " + PATTERN_RULES.get(ctx.get("pattern"), "it is not in the expected form")
    if kind == "string_too_short" and not str(value).strip():
        return empty
    if kind == "string_too_long":
        return f"{subject} is {len(value)} characters long: at most {ctx['max_length']} are allowed"
    if kind == "string_too_short":
        return f"{subject} is {len(value)} characters long: at least {ctx['min_length']} are needed"
    if kind in ("too_short", "too_long"):
        bound = f"at least {ctx['min_length']}" if kind == "too_short" else f"at most {ctx['max_length']}"
        return f"{ctx.get('actual_length', len(value))} {name} given: give {bound}"
    for bound, words in (("le", "at most"), ("ge", "at least"), ("lt", "less than"), ("gt", "more than")):
        if bound in ctx:
            return f"{subject} is {value}: it must be {words} {ctx[bound]}"
    message = first["msg"].replace("Input should be", "must be").replace("Value error, ", "")
    return f"{name}: {message}"
