"""Writing a file only its owner may read, whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_private(path: str | Path, data: bytes, *, make_parent: bool = False) -> None:
    """Writes `data` to a fresh 0600 file beside `path` (O_EXCL, never through a link), syncs it,
    and renames it over `path`: a crash leaves the old file or the new one, never half of one;
    an existing file's mode is never kept; a link planted at `path` is replaced, not followed.
    `make_parent` creates missing directories 0700. Raises OSError, leaving no temporary file."""
    target = Path(path)
    if make_parent:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            os.fchmod(file.fileno(), 0o600)  # exactly 0600, whatever the umask
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # the rename itself made durable, where the directory allows
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
