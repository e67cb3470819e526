"""Directories of one's own, in RAM where there is one: for drafts (cli/drafts.py) and the keys
of an unlocked session (journal/sessions.py), neither of which may reach a disk."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

RAM_FILE_SYSTEMS = ("tmpfs", "ramfs")


def ram_backed_directories() -> list[Path]:
    """$XDG_RUNTIME_DIR and /dev/shm, where they are directories on a file system in RAM."""
    candidates = [os.environ.get("XDG_RUNTIME_DIR") or "", "/dev/shm"]
    mounts = _ram_mount_points()
    return [Path(c) for c in candidates if c and os.path.isdir(c) and _in_ram(c, mounts)]


def own_private_directory(path: Path) -> Path | None:
    """`path` as a 0700 directory owned by this user, made if missing; None when someone else's
    directory or a link is there (on a shared /dev/shm anyone may plant one first)."""
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    status = path.lstat()
    if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.getuid():
        return None
    if stat.S_IMODE(status.st_mode) != 0o700:
        path.chmod(0o700)
    return path


def _ram_mount_points() -> dict[str, bool]:
    """Every mount point, and whether it is a file system in RAM (none known without /proc)."""
    try:
        lines = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return {}
    mounts = {}
    for line in lines:
        fields = line.split()
        if len(fields) >= 3:
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[1])  # "\040" is a space
            mounts[point] = fields[2] in RAM_FILE_SYSTEMS
    return mounts


def _in_ram(path: str, mounts: dict[str, bool]) -> bool:
    """Whether the file system `path` lies on, by its longest mount point, is in RAM."""
    real = os.path.realpath(path)
    points = [p for p in mounts if real == p or real.startswith(p.rstrip("/") + "/")]
    return bool(points) and mounts[max(points, key=len)]
