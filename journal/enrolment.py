"""Enrolment: a new person's identity file, signed directory entry and, for a mentee, journal."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from journal.app import JournalApp
from journal.config import StoreLocation
from journal.errors import JournalError
from journal.identity import Identity
from journal.store_errors import store_errors


def enrol(identity_path: Path, store: StoreLocation | Path, *, name: str, role: str, passphrase: str,
          recovery_code: str | None = None) -> Identity:
    """A new identity file, its signed entry in the store's directory and, for a mentee, a
    journal: all of them, or none."""
    from uuid import uuid4

    from journal import directory
    from journal.identity import new_identity, save_identity
    from journal.passphrases import check_new_passphrase

    # Name, role and passphrase are all checked before the first write: a refusal leaves nothing.
    identity = new_identity(identity_path, name=name, role=role,
                            journal_id=uuid4() if role == "mentee" else None)
    check_new_passphrase(passphrase, hints=(name,))
    recovery_row = None
    if recovery_code is not None:  # her keys, sealed under the code too, move with her directory entry
        from journal.recovery import sealed_row

        recovery_row = sealed_row(identity, recovery_code)
        identity = dataclasses.replace(identity, recovery_ids=(recovery_row[0],))
    save_identity(identity, passphrase)
    try:
        app = JournalApp(store, identity, create=True)
        try:
            if role == "mentee":
                app.create_journal(publish=True, recovery_row=recovery_row)  # entry, key, first event: one transaction
            else:
                with store_errors(store):
                    directory.publish(app.recorder.datastore, identity, recovery_row)
        finally:
            app.close()
    except JournalError:
        identity_path.unlink()  # we created it a moment ago; without its journal it is useless
        raise
    return identity
