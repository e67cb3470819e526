"""Whole commands as a person meets them, side by side with jrnl 4.6 in one run: add an entry,
`--contains`, a period with a tag, the last 20, on journals of the same sizes (jrnl encrypted,
mj with its real Argon2id unlock, and mj in an unlocked session, `mj unlock`). Runs interleave
(mj, jrnl, mj, …) so that the machine's moods fall on both; each figure is the median wall time
and the peak memory (max RSS) of the command's process.

    python bench/command_latency.py [--runs 7] [--sizes 1000,10000] [--jrnl PATH] [--jrnl-up-to 10000]

jrnl comes from --jrnl, $JRNL, or a venv this script makes once under ~/.cache/mj-bench (pip
install jrnl==4.6). Runs the `mj` console script beside this interpreter (no pyenv shim).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import uuid4

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSPHRASE = "a long enough bench passphrase"
JRNL_PASSWORD = "a jrnl bench password"
MJ = Path(sys.executable).parent / "mj"
JRNL_CONFIG = """colors: {{body: none, date: none, tags: none, title: none}}
default_hour: 9
default_minute: 0
editor: ''
encrypt: false
highlight: false
indent_character: '|'
journals:
  default:
    journal: {journal}
linewrap: 79
tagsymbols: '#@'
template: false
timeformat: '%F %r'
version: v4.6
"""


# A small process that starts each measured command: a child's peak RSS counts the memory of the
# process it was forked from, so they are forked from this one (a few MB, no site packages), not
# from the bench with its journals in memory. It reads one JSON request a line, answers one.
SPAWNER = r"""
import json, os, sys, time
for line in sys.stdin:
    request = json.loads(line)
    reader, writer = os.pipe()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.setsid()  # no terminal: jrnl reads its password from stdin
        os.dup2(reader, 0)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.execve(request["argv"][0], request["argv"], request["env"])
    os.close(reader)
    os.write(writer, request["stdin"].encode())
    os.close(writer)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - started
    print(json.dumps({"seconds": elapsed, "maxrss_kib": usage.ru_maxrss, "exit": os.waitstatus_to_exitcode(status)}),
          flush=True)
"""
_spawner: subprocess.Popen | None = None


def run_once(command: list[str], env: dict[str, str], stdin: str | None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one process, started by the spawner."""
    import json

    global _spawner
    if _spawner is None:
        _spawner = subprocess.Popen([sys.executable, "-S", "-c", SPAWNER], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True)
    _spawner.stdin.write(json.dumps({"argv": command, "env": env, "stdin": stdin or ""}) + "\n")
    _spawner.stdin.flush()
    answer = json.loads(_spawner.stdout.readline())
    if answer["exit"] != 0:
        raise SystemExit(f"failed (exit {answer['exit']}): {' '.join(command)}")
    return answer["seconds"], answer["maxrss_kib"]


def step_for(entries: int) -> timedelta:
    """Between two entries: 6 hours, or as often as keeps the journal within 20 years (100,000
    entries every 6 hours would begin before 1970)."""
    return min(timedelta(hours=6), timedelta(days=20 * 365) / entries)


def start_for(entries: int) -> datetime:
    """The first entry's moment: the last is a day ago."""
    return (datetime.now(timezone.utc) - step_for(entries) * entries - timedelta(days=1)).replace(
        minute=0, second=0, microsecond=0)


def text_of(n: int) -> str:
    word = "parser" if n % 97 == 0 else "standup"
    return f"Day {n}: worked on the {word}, talked to the team, wrote it down."


def clean_environment() -> dict[str, str]:
    """This environment without what would make either program slower than on a user's machine:
    PYTHONDONTWRITEBYTECODE would compile every module from source at every start."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def build_mj(home: Path, entries: int) -> dict[str, str]:
    """A journal of `entries` check-ins tagged `work`, one every `step_for(entries)`, written
    through the library in batches (fast to build); the real default KDF."""
    from journal.app import JournalApp, project_journal
    from journal.identity import new_identity, save_identity

    me = new_identity(home / "identity.json", name="Bench", role="mentee", journal_id=uuid4())
    app = JournalApp(home / "journal.db", me, create=True)
    app.create_journal()
    save_identity(me, PASSPHRASE)
    journal = app.repository.get(app.journal_id, projector_func=project_journal)
    for n in range(entries):
        journal.check_in(text_of(n), mood=1 + n % 5, tags=("work",), at=start_for(entries) + step_for(entries) * n)
        if n % 50 == 49:
            app.save(journal)
    app.save(journal)
    app.close()
    return {**clean_environment(), "MJ_HOME": str(home), "MJ_PASSPHRASE": PASSPHRASE}


def build_jrnl(jrnl: str, home: Path, entries: int) -> dict[str, str]:
    """The same entries as a jrnl journal, encrypted by jrnl itself (`--encrypt`)."""
    home.mkdir()
    journal = home / "journal.txt"
    (home / "jrnl.yaml").write_text(JRNL_CONFIG.format(journal=journal))
    start = start_for(entries)
    lines = [f"[{(start + step_for(entries) * n):%Y-%m-%d %I:%M:%S %p}] {text_of(n)} @work\n"
             for n in range(entries)]
    journal.write_text("\n".join(lines))
    env = {**clean_environment(), "HOME": str(home), "TZ": "UTC"}
    run_once([jrnl, "--config-file", str(home / "jrnl.yaml"), "--encrypt"], env,
             f"{JRNL_PASSWORD}\n{JRNL_PASSWORD}\nn\n")
    if not journal.read_bytes().startswith(b"JRNL"):
        raise SystemExit("jrnl did not encrypt the bench journal")
    return env


def jrnl_command(jrnl: str, env: dict[str, str], args: list[str]) -> list[str]:
    return [jrnl, "--config-file", str(Path(env["HOME"]) / "jrnl.yaml"), *args]


def find_jrnl(given: str | None) -> str:
    found = given or os.environ.get("JRNL") or shutil.which("jrnl")
    if found:
        return found
    venv = Path.home() / ".cache" / "mj-bench" / "jrnl-4.6"
    if not (venv / "bin" / "jrnl").exists():
        print(f"making a venv with jrnl 4.6 in {venv} (once)…", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "jrnl==4.6"], check=True)
    return str(venv / "bin" / "jrnl")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--jrnl")
    parser.add_argument("--jrnl-up-to", type=int, default=10000,
                        help="jrnl is run only on journals up to this size (an add rewrites its whole file: "
                             "minutes a run at 100,000)")
    args = parser.parse_args()
    jrnl = find_jrnl(args.jrnl)
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}; mj: {MJ}; jrnl: {jrnl}")
    helps = [run_once([str(MJ), "--help"], clean_environment(), None)[0] for _ in range(args.runs + 1)][1:]
    print(f"mj --help: {statistics.median(helps) * 1000:.0f} ms (median of {args.runs})")
    print("median wall time (peak RSS); mj with the passphrase's Argon2id unlock | in a session | jrnl encrypted")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            home = Path(tmp) / f"mj-{size}"
            home.mkdir()
            mj_env = build_mj(home, size)
            session = subprocess.run([str(MJ), "unlock", "--for", "2h"], env=mj_env, capture_output=True, text=True,
                                     check=True).stdout.strip().removeprefix("export MJ_SESSION=")
            in_session = {k: v for k, v in mj_env.items() if k != "MJ_PASSPHRASE"} | {"MJ_SESSION": session}
            jrnl_env = build_jrnl(jrnl, Path(tmp) / f"jrnl-{size}", size) if size <= args.jrnl_up_to else None
            middle = start_for(size) + step_for(size) * (size // 2)
            period = [middle.date().isoformat(), (middle + timedelta(days=30)).date().isoformat()]
            cases = [
                ("add an entry", ["checkin", "A new day, written from the bench."], ["A new day, from the bench."]),
                ("--contains", ["entries", "--contains", "parser"], ["-contains", "parser"]),
                ("--from --to --tag", ["entries", "--from", period[0], "--to", period[1], "--tag", "work"],
                 ["-from", period[0], "-to", period[1], "@work"]),
                ("last 20", ["entries", "-n", "20"], ["-n", "20"]),
            ]
            print(f"\n{size:,} entries" + ("" if jrnl_env else " (jrnl not run at this size)"))
            mj_only = [("mj timeline", ["timeline"], None), ("mj progress", ["progress"], None),
                       ("mj verify", ["verify"], None)]
            for name, mj_args, jrnl_args in cases + mj_only:
                with_jrnl = jrnl_env is not None and jrnl_args is not None
                run_once([str(MJ), *mj_args], mj_env, None)  # a first run writes the bytecode caches, as
                if with_jrnl:  # installs do
                    run_once(jrnl_command(jrnl, jrnl_env, jrnl_args), jrnl_env, f"{JRNL_PASSWORD}\n")
                figures = {"mj": [], "session": [], "jrnl": []}
                for _ in range(args.runs):
                    figures["mj"].append(run_once([str(MJ), *mj_args], mj_env, None))
                    figures["session"].append(run_once([str(MJ), *mj_args], in_session, None))
                    if with_jrnl:
                        figures["jrnl"].append(run_once(jrnl_command(jrnl, jrnl_env, jrnl_args), jrnl_env,
                                                        f"{JRNL_PASSWORD}\n"))
                median = {k: statistics.median(t for t, _ in v) for k, v in figures.items() if v}
                peak = {k: max(m for _, m in v) / 1024 for k, v in figures.items() if v}
                line = (f"  {name:<18} mj {median['mj']:6.2f} s ({peak['mj']:4.0f} MB) | session "
                        f"{median['session']:6.2f} s ({peak['session']:4.0f} MB)")
                if with_jrnl:
                    line += (f" | jrnl {median['jrnl']:6.2f} s ({peak['jrnl']:4.0f} MB)  → mj "
                             f"{median['jrnl'] / median['mj']:4.1f}×, in a session "
                             f"{median['jrnl'] / median['session']:4.1f}× jrnl's speed")
                print(line, flush=True)
            subprocess.run([str(MJ), "lock"], env=in_session, capture_output=True, check=True)


if __name__ == "__main__":
    main()
