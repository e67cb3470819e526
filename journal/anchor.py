"""This device's memory of each journal it has opened: how many records, and which chain head.

    <identity file's directory>/anchors/<journal id>.json    (by default $MJ_HOME/anchors/)
    {"format": 1, "journal": hex, "size": n, "head": hex, "mac": hex}
    mac = HMAC-SHA256(HKDF(JK₁, lp("mj/v1/derive/anchor-key", journal id)), lp("mj/v1/anchor", journal, size, head))
    with the view cache's place, "format": 2, "cache_size": c, "cache_head": hex, and
    mac = HMAC-SHA256(that key, lp("mj/v1/anchor", journal, size, head, c, cache head))

The cache's place is the chain head after the records the view cache covers, as this device
checked it from the first record or wrote the cache itself: from it a read hashes only the
records after the cache (journal/bound_state.py `checked_tail`), not the whole chain.

The signed checkpoint only says that a store is consistent with itself; a whole store put back
from an older copy is consistent too. The anchor is what this device has already seen: a store
with fewer records, or another record at the anchor's size (written over a rolled-back store),
is refused. A missing anchor is a device's first use; one whose MAC fails is refused, since only
someone who altered this device's files could have made it (deleting it starts afresh).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from journal import crypto
from journal.errors import TamperedRecord
from journal.private_files import write_private

ANCHOR_LABEL = "mj/v1/anchor"
ANCHOR_KEY_LABEL = "mj/v1/derive/anchor-key"  # beside the other derived keys' labels (journal/crypto.py)
FORMAT = 1
MAX_BYTES = 4096  # an anchor is ~250 bytes; anything far larger is not one
ACCEPT = "run `mj verify --accept-rollback` if you restored this copy on purpose"


@dataclass(frozen=True)
class Seen:
    size: int
    head: bytes


def anchor_key(journal_key: bytes, journal_id: UUID) -> bytes:
    return crypto.derive_key(journal_key, ANCHOR_KEY_LABEL, journal_id.hex)


def _mac(key: bytes, journal_id: UUID, size: int, head: bytes, cache: Seen | None = None) -> str:
    more = (cache.size, cache.head) if cache is not None else ()
    return crypto.mac(key, ANCHOR_LABEL, journal_id.hex, size, head, *more).hex()


class DeviceAnchor:
    """The anchor of one journal on this device. `key_for()` gives its MAC key (read lazily, since
    it needs the unlocked journal key); `warn(line)` is told when the anchor cannot be written."""

    def __init__(self, directory: Path, journal_id: UUID, key_for: Callable[[], bytes],
                 warn: Callable[[str], None]):
        self.path = directory / f"{journal_id.hex}.json"
        self.journal_id, self._key_for, self._warn = journal_id, key_for, warn
        self._seen: Seen | None = None
        self._cache: Seen | None = None

    def seen(self) -> Seen | None:
        """What this device has seen (None on its first use), or TamperedRecord if the file was altered."""
        try:
            with open(self.path, "rb") as file:
                text = file.read(MAX_BYTES + 1)
        except FileNotFoundError:
            return self._seen  # first use, or this process's own anchor could not be written
        except OSError as error:
            raise TamperedRecord(f"cannot read this device's anchor {self.path}: {error.strerror}") from None
        try:
            document = json.loads(text)
            size, head = document["size"], bytes.fromhex(document["head"])
            cache = None
            if document["format"] == 2:
                cache = Seen(document["cache_size"], bytes.fromhex(document["cache_head"]))
            good = (len(text) <= MAX_BYTES and document["format"] in (FORMAT, 2) and type(size) is int and size >= 0
                    and document["journal"] == self.journal_id.hex and len(head) == 32
                    and (cache is None or (type(cache.size) is int and 0 < cache.size <= size
                                           and len(cache.head) == 32))
                    and crypto.mac_holds(str(document["mac"]), _mac(self._key_for(), self.journal_id, size, head,
                                                                    cache)))
        except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError):
            good = False
        if not good:
            raise TamperedRecord(f"this device's anchor for journal {self.journal_id.hex[:8]} ({self.path}) was "
                                 "altered or copied from elsewhere: its MAC does not hold; delete the file if you "
                                 "trust the store, and this device starts afresh as a new one would")
        self._seen, self._cache = Seen(size, head), cache
        return self._seen

    def cache_place(self) -> Seen | None:
        """Where the view cache stands, as this device checked it (after `seen()`), or None."""
        return self._cache

    def check(self, size: int, head_at: Callable[[int], bytes | None]) -> None:
        """Refuses a store of `size` records whose head after record m is `head_at(m)`, when it is
        older than, or forked from, what this device has seen."""
        seen = self.seen()
        if seen is None:
            return
        journal = self.journal_id.hex[:8]
        if size < seen.size:
            raise TamperedRecord(f"the store holds {size} records of journal {journal} but this device has seen "
                                 f"{seen.size}: it was rolled back or records were deleted; restore a newer copy, "
                                 f"or {ACCEPT}")
        known = head_at(seen.size)  # None: not known here (a later, full check compares it)
        if known is not None and known != seen.head:
            raise TamperedRecord(f"record {seen.size} of journal {journal} differs from what this device has seen: "
                                 "the store was rolled back and written over; restore a newer copy, "
                                 f"or {ACCEPT}")

    def advance(self, size: int, head: bytes, *, reset: bool = False) -> None:
        """Remember `size` and `head` (never going back, unless `reset`, which forgets the cache's place)."""
        if self._seen is not None and (self._seen.size, self._seen.head) == (size, head):
            return
        if not reset and self._seen is not None and self._seen.size > size:
            return
        with self._locked():
            if not reset:
                self.seen()  # what another process of this device wrote meanwhile: never moved back over
                if self._seen is not None and (self._seen.size > size or self._seen == Seen(size, head)):
                    return
            self._write(Seen(size, head), None if reset else self._cache)

    def remember_cache(self, size: int, head: bytes) -> None:
        """The view cache now covers `size` records, the chain's head after them `head` (checked)."""
        if self._cache == Seen(size, head) or self._seen is None or size > self._seen.size or size <= 0:
            return
        with self._locked():
            self.seen()
            if self._seen is not None and size <= self._seen.size and self._cache != Seen(size, head):
                self._write(self._seen, Seen(size, head))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """This journal's anchor to this process alone while it is read again and written (a lock file
        beside it; where none can be made, unlocked, as before)."""
        import fcntl
        import os

        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = os.open(self.path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError:
            yield
            return
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)

    def _write(self, seen: Seen, cache: Seen | None) -> None:
        size, head = seen.size, seen.head
        document = {"format": FORMAT if cache is None else 2, "journal": self.journal_id.hex, "size": size,
                    "head": head.hex(), "mac": _mac(self._key_for(), self.journal_id, size, head, cache)}
        if cache is not None:
            document |= {"cache_size": cache.size, "cache_head": cache.head.hex()}
        try:  # whole or not at all: a torn anchor would be refused
            write_private(self.path, json.dumps(document).encode(), make_parent=True)
        except OSError as error:
            self._warn(f"cannot write this device's anchor {self.path} ({error.strerror}): a rollback of the "
                       "store would go unnoticed here until it can")
        self._seen, self._cache = seen, cache
