"""A mentor's device's memory of each mentee's list of live grants: the highest sequence seen.

    <identity file without .json>.seen-lists.json   (beside the identity; mode 0600)
    {"format": 1, "owner": fingerprint, "seen": {"<mentee fingerprint>/<journal id>": sequence}, "mac": hex}
    mac = HMAC-SHA256(HKDF(identity's Ed25519 private key, lp("mj/v1/derive/seen-lists-key", owner)),
                      lp("mj/v1/seen-lists", owner, canonical JSON of seen))

A list put back from an older copy of the store is signed by the mentee too; only this memory
tells it from her latest. A missing file is the device's first use; one whose MAC fails was
altered on this device, and is refused until it is deleted (which starts afresh).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from journal import crypto
from journal.errors import TamperedRecord
from journal.private_files import write_private

FORMAT = 1
LABEL = "mj/v1/seen-lists"
KEY_LABEL = "mj/v1/derive/seen-lists-key"
MAX_BYTES = 1 << 20


def memory_path(identity_path: Any) -> Path:
    path = Path(identity_path)
    return path.with_name(path.name.removesuffix(".json") + ".seen-lists.json")


class SeenLists:
    """`seen(mentee, journal)`: the highest sequence remembered (-1 if none); `advance` raises it;
    `save()` writes the file if anything rose."""

    def __init__(self, identity: Any):
        self.path, self.owner = memory_path(identity.path), identity.fingerprint
        self._key = crypto.derive_key(crypto.raw_private(identity.signing_key), KEY_LABEL, self.owner)
        self._seen: dict[str, int] | None = None
        self._changed = False

    def _mac(self, seen: dict[str, int]) -> str:
        canonical = json.dumps(seen, sort_keys=True, separators=(",", ":"))
        return crypto.mac(self._key, LABEL, self.owner, canonical).hex()

    def _load(self) -> dict[str, int]:
        if self._seen is not None:
            return self._seen
        try:
            with open(self.path, "rb") as file:
                text = file.read(MAX_BYTES + 1)
        except FileNotFoundError:
            self._seen = {}
            return self._seen
        except OSError as error:
            raise TamperedRecord(f"cannot read this device's memory of releases {self.path}: {error.strerror}") \
                from None
        try:
            document = json.loads(text)
            seen = document["seen"]
            good = (len(text) <= MAX_BYTES and document["format"] == FORMAT and document["owner"] == self.owner
                    and type(seen) is dict and all(type(k) is str and type(v) is int for k, v in seen.items())
                    and crypto.mac_holds(str(document["mac"]), self._mac(seen)))
        except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError):
            good = False
        if not good:
            raise TamperedRecord(f"this device's memory of releases ({self.path}) was altered or copied from "
                                 "elsewhere: its MAC does not hold; delete the file if you trust the store")
        self._seen = seen
        return seen

    def known(self) -> list[tuple[str, str]]:
        """(mentee fingerprint, journal id) of every list this device has seen."""
        return [tuple(key.rsplit("/", 1)) for key in self._load()]  # type: ignore[misc]

    def seen(self, mentee_fingerprint: str, journal_id: str) -> int:
        return self._load().get(f"{mentee_fingerprint}/{journal_id}", -1)

    def advance(self, mentee_fingerprint: str, journal_id: str, sequence: int) -> None:
        seen = self._load()
        key = f"{mentee_fingerprint}/{journal_id}"
        if seen.get(key, -1) < sequence:
            seen[key] = sequence
            self._changed = True

    def save(self) -> None:
        """Written whole to a fresh 0600 file, then renamed over the old one."""
        if not self._changed or self._seen is None:
            return
        document = {"format": FORMAT, "owner": self.owner, "seen": self._seen, "mac": self._mac(self._seen)}
        write_private(self.path, json.dumps(document, sort_keys=True).encode(), make_parent=True)
        self._changed = False
