"""Eight processes × 250 writes, on SQLite and on PostgreSQL: nothing reported as written is lost,
every chain verifies, and a write that loses too many races says so instead of pretending."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from journal.app import JournalApp
from journal.enrolment import enrol
from journal.identity import unlock_identity
from tests.conftest import store_url

pytestmark = pytest.mark.slow
PASSPHRASE = "stress test passphrase"
ROOT = Path(__file__).resolve().parents[2]
WORKER = """
import json, sys
from pathlib import Path
from journal.app import JournalApp
from journal.errors import JournalError
from journal.identity import unlock_identity
store, identity, name, count = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
app = JournalApp(store, unlock_identity(identity, sys.argv[5]))
written, refused = [], []
for i in range(count):
    try:
        written.append(app.update(lambda j: j.check_in(f"{name} write {i}")))
    except JournalError as error:
        refused.append(str(error))
print(json.dumps({"written": written, "refused": refused}))
"""


def run_workers(store, identities: list[Path], count: int) -> list[dict]:
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, store_url(store), str(identity), f"w{n}", str(count),
                                 PASSPHRASE], stdout=subprocess.PIPE, cwd=ROOT, text=True)
               for n, identity in enumerate(identities)]
    return [json.loads(worker.communicate(timeout=300)[0]) for worker in workers]


def test_eight_writers_on_one_journal_lose_nothing(home, store, real_kdf):
    identity = home / "identity.json"
    enrol(identity, store, name="Ada", role="mentee", passphrase=PASSPHRASE)
    results = run_workers(store, [identity] * 8, 250)
    written = [entry for r in results for entry in r["written"]]
    refused = [message for r in results for message in r["refused"]]
    assert len(written) + len(refused) == 2000 and len(written) > 1500
    assert all("another process kept writing" in m for m in refused), sorted(set(refused))[:5]
    app = JournalApp(store, unlock_identity(identity, PASSPHRASE))
    stored = [e.id for e in app.entries()]
    assert sorted(stored) == sorted(written)  # nothing lost, nothing extra
    assert app.verify().records == len(written) + 1
    app.close()


def test_eight_writers_on_eight_journals_all_succeed(home, store, real_kdf):
    identities = [home / f"mentee{n}.json" for n in range(8)]
    for n, identity in enumerate(identities):
        enrol(identity, store, name=f"Mentee {n}", role="mentee", passphrase=PASSPHRASE)
    results = run_workers(store, identities, 250)
    assert all(r["refused"] == [] and len(r["written"]) == 250 for r in results)
    for identity, result in zip(identities, results, strict=True):
        app = JournalApp(store, unlock_identity(identity, PASSPHRASE))
        assert [e.id for e in app.entries()] == result["written"] and app.verify().records == 251
        app.close()
