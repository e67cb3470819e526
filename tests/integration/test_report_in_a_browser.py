"""The HTML report, opened in a real headless Chromium: charts drawn, no console errors, no network."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium, installed by the project's own script where missing."""
    if shutil.which("chromium") is None:
        subprocess.run([str(ROOT / "scripts" / "install-chromium")], check=True, timeout=900)
    path = shutil.which("chromium")
    assert path, "scripts/install-chromium did not provide chromium"
    return path


def open_in_chromium(chromium: str, page: Path, profile: Path) -> tuple[str, str]:
    done = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=3000",
                           "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr


def console_messages(log: str) -> list[str]:
    return [line for line in log.splitlines() if ":CONSOLE" in line]


@pytest.fixture
def report(run, tmp_path, monkeypatch):
    assert run("demo", "--home", str(tmp_path / "demo")).exit_code == 0
    monkeypatch.setenv("MJ_PASSPHRASE", "demo: not a real secret")
    page = tmp_path / "report.html"
    result = run("--store", str(tmp_path / "demo" / "journal.db"),
                 "--identity", str(tmp_path / "demo" / "identity.json"), "report", "--html", str(page))
    return result, page


def test_the_report_shows_its_four_charts_without_console_errors(chromium, report, tmp_path):
    result, page = report
    assert result.exit_code == 0, result.output
    dom, log = open_in_chromium(chromium, page, tmp_path / "profile")
    assert 'data-ready="yes"' in dom and 'data-charts="4"' in dom
    assert dom.count('class="bar"') >= 5 and 'class="line"' in dom and 'class="milestone"' in dom
    assert "Lead a small team within two years" in dom
    assert console_messages(log) == []


def test_the_browser_check_would_catch_a_script_error(chromium, report, tmp_path):
    _, page = report
    broken = tmp_path / "broken.html"
    broken.write_text(page.read_text().replace("</body>", "<script>notDefinedAnywhere();</script></body>"))
    _, log = open_in_chromium(chromium, broken, tmp_path / "profile2")
    assert any("Uncaught ReferenceError" in line for line in console_messages(log))


def test_the_report_is_self_contained_and_private(report):
    result, page = report
    html = page.read_text()
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html
    assert "<link" not in html and " src=" not in html
    assert page.stat().st_mode & 0o777 == 0o600


def test_the_programme_page_draws_its_charts_without_console_errors(chromium, run, tmp_path):
    assert run("demo", "--home", str(tmp_path / "demo")).exit_code == 0
    page = tmp_path / "demo" / "programme.html"
    dom, log = open_in_chromium(chromium, page, tmp_path / "profile3")
    assert 'data-ready="yes"' in dom and 'data-charts="4"' in dom
    assert 'class="suppressed"' in dom and 'class="bar"' in dom
    assert console_messages(log) == []
