"""Every table of the key store, gathered from the store class that owns it, for each backend."""

from __future__ import annotations

from journal import sql
from journal.checkpoint_store import CheckpointStore
from journal.completion_store import CompletionStore
from journal.data_key_store import DataKeyStore
from journal.directory import DirectoryStore
from journal.grants import GrantStore
from journal.inbox import InboxStore
from journal.journal_key_store import JournalKeyStore
from journal.outbox import OutboxStore
from journal.programme_store import ProgrammeStore
from journal.recovery import RecoveryStore
from journal.share_store import ShareStore
from journal.view_store import ViewCacheStore

# The order the tables are made in (none refers to another, so only for a stable schema).
STORES = (DataKeyStore, JournalKeyStore, CheckpointStore, ViewCacheStore, DirectoryStore, GrantStore,
          ProgrammeStore, ShareStore, InboxStore, RecoveryStore, OutboxStore, CompletionStore)


def sqlite_tables() -> list[str]:
    return [statement for store in STORES for statement in store.TABLES]


def postgres_tables() -> list[str]:
    """Each store's own PostgreSQL definitions if it has them, else its SQLite ones translated."""
    return [statement for store in STORES
            for statement in getattr(store, "POSTGRES_TABLES", None) or map(sql.postgres_ddl, store.TABLES)]
