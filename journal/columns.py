"""Typed decoding of the columns a store reads: a value of the wrong type, size or range is None.

Anyone who can write the store can put any value in any column (SQLite keeps what it is given,
whatever the declared type). Each store passes every column through one of these before using
it, then turns a None into its own one-line refusal naming the row, never a Python error.
"""

from __future__ import annotations

import re
from typing import Any

BLOBS = (bytes, bytearray, memoryview)


def blob(value: Any, *, size: int | None = None, limit: int | None = None) -> bytes | None:
    """Bytes of exactly `size`, or of at most `limit`; the length is checked before any copy."""
    if not isinstance(value, BLOBS):
        return None
    length = value.nbytes if isinstance(value, memoryview) else len(value)
    if (size is not None and length != size) or (limit is not None and length > limit):
        return None
    return bytes(value)


def integer(value: Any, low: int, high: int) -> int | None:
    """An integer (never a bool, a float or a digit string) within [low, high]."""
    return value if type(value) is int and low <= value <= high else None


def text(value: Any, *, limit: int, pattern: re.Pattern[str] | None = None) -> str | None:
    """A string of 1 to `limit` characters, matching all of `pattern` if given."""
    if type(value) is not str or not 0 < len(value) <= limit:
        return None
    return value if pattern is None or pattern.fullmatch(value) else None
