"""Drafts for $EDITOR: a 0600 file in a 0700 directory of one's own, in RAM where there is one.

An entry being written is plaintext, and so are the swap and backup files editors keep beside
it: the world-readable /tmp would leave them on disk for other users and after a crash. Drafts
live on a RAM-backed file system ($XDG_RUNTIME_DIR, /dev/shm), else in $MJ_HOME/tmp; each is
removed after its edit, and files a crash left there are removed at the next edit after a day.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

import click

from journal.errors import JournalError
from journal.ram_directories import own_private_directory, ram_backed_directories

STALE_SECONDS = 24 * 3600


def edit_draft(template: str) -> str:
    """What the user wrote in $EDITOR, starting from `template`; the draft is gone afterwards,
    also when the editor fails (click.ClickException)."""
    directory = draft_directory()
    try:
        fd, name = tempfile.mkstemp(prefix="draft-", suffix=".txt", dir=directory)  # O_EXCL, 0600
    except OSError as error:
        raise JournalError(f"cannot make a draft in {directory}: {error.strerror}") from None
    keep = False
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as draft:
            draft.write(template)
        remove_stale_drafts(directory, now=os.stat(name).st_mtime)
        click.edit(filename=name)
        try:
            return Path(name).read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
        except UnicodeDecodeError:
            keep = True  # what she wrote is not thrown away; the next edits remove it after a day
            raise JournalError(f"the text is not UTF-8, so nothing was written; it is kept, readable only by you, "
                               f"at {name}: convert it and give it on stdin (mj checkin < FILE)") from None
    finally:
        if not keep:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)


def draft_directory() -> Path:
    from journal import config

    name = f"mj-drafts-{os.getuid()}"
    for base in ram_backed_directories():
        if (directory := own_private_directory(base / name)) is not None:
            return directory
    home = config.home()
    with contextlib.suppress(OSError):  # a home that cannot be made is reported just below
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
    directory = own_private_directory(home / "tmp")
    if directory is None:
        raise JournalError(f"{home / 'tmp'} is not a directory of yours: remove it, then write the entry again")
    return directory


def remove_stale_drafts(directory: Path, now: float) -> None:
    """Drafts and editor swap files a crash left behind, once a day old (the directory is ours
    alone). `now` is the file system's own time, from the new draft: file times are real times,
    whatever moment MJ_NOW sets the journal's clock to."""
    cutoff = now - STALE_SECONDS
    for path in directory.iterdir():
        with contextlib.suppress(OSError):
            status = path.lstat()
            if not stat.S_ISDIR(status.st_mode) and status.st_mtime < cutoff:
                path.unlink()
