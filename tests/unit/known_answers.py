"""Shared by the known-answer tests: the vector files, fixed keys, and a store in memory."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from journal import schema
from journal.identity import Identity

VECTORS = Path(__file__).parent / "vectors"


def vectors(name: str) -> dict[str, Any]:
    return json.loads((VECTORS / f"{name}.json").read_text())


def flipped(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1:]


def person(keys: dict[str, Any], path: Path = Path("identity.json")) -> Identity:
    """An unlocked identity of the vector's keys: {"name", "role", "ed25519_seed", "x25519_private"}."""
    journal_id = UUID(keys["journal_id"]) if keys.get("journal_id") else None
    return Identity(path, keys["name"], keys["role"], journal_id,
                    X25519PrivateKey.from_private_bytes(bytes.fromhex(keys["x25519_private"])),
                    Ed25519PrivateKey.from_private_bytes(bytes.fromhex(keys["ed25519_seed"])))


class MemoryStore:
    """The key store's SQLite tables in memory, with the datastore's `transaction(commit=)`."""

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:")
        for statement in schema.sqlite_tables():
            self.db.execute(statement)

    @contextlib.contextmanager
    def transaction(self, commit: bool):
        cursor = self.db.cursor()
        try:
            yield cursor
            if commit:
                self.db.commit()
        finally:
            cursor.close()

    def app(self, identity: Identity | None = None) -> Any:
        """What the programme and inbox functions read of a JournalApp: its identity and datastore."""
        return SimpleNamespace(identity=identity, recorder=SimpleNamespace(datastore=self))
