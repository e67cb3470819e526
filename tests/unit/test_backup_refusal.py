"""A PostgreSQL store is not copied by `mj backup`: one line naming pg_dump, without the password."""

import pytest

from journal.backup import refuse_postgres
from journal.config import StoreLocation
from journal.errors import JournalError


def test_a_postgresql_store_is_sent_to_pg_dump_without_its_password():
    with pytest.raises(JournalError) as refused:
        refuse_postgres(StoreLocation.of("postgresql://ada:s3cret-word@db.example:5433/mj"))
    line = str(refused.value)
    assert "pg_dump 'postgresql://ada@db.example:5433/mj' > FILE" in line and "s3cret-word" not in line


def test_an_sqlite_store_is_copied(tmp_path):
    assert refuse_postgres(StoreLocation.of(tmp_path / "journal.db")) is None
