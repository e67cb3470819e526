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
                           "--window-size=1280,1000", "--hide-scrollbars", "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=120)
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
    assert 'data-ready="yes"' in dom and 'data-charts="5"' in dom
    assert 'class="suppressed"' in dom and 'class="bar"' in dom
    assert console_messages(log) == []


# Headless windows are never narrower than 500 px: the page is framed at the width to test.
# Its viewport (and so its media queries) is the frame's; it posts what a reader there would see.
FRAMED = """<!doctype html><body style="margin:0"><iframe src="{page}" style="border:0;width:{width}px;height:900px">
</iframe><script>addEventListener("message", e => {{ const pre = document.createElement("pre");
pre.id = "layout"; pre.textContent = e.data; document.body.append(pre); }});</script></body>"""
LAYOUT_CHECK = """<script>window.addEventListener("load", () => {
  const width = document.documentElement.clientWidth, scroll = document.querySelector(".scroll");
  const inside = (r, box) => r.width > 0 && r.left >= box.left - 0.5 && r.right <= box.right + 0.5;
  const lowestTick = svg => [...svg.querySelectorAll("text.tick")]
    .sort((a, b) => b.getBoundingClientRect().top - a.getBoundingClientRect().top)[0].textContent;
  const result = {
    width, pageOverflow: document.documentElement.scrollWidth - width,
    tableOverflow: scroll.scrollWidth - scroll.clientWidth,
    clippedCells: [...document.querySelectorAll(".figures tbody th, .figures td")]
      .filter(c => !inside(c.getBoundingClientRect(), {left: 0, right: width})).map(c => c.textContent),
    suppressedCells: [...document.querySelectorAll("td.suppressed")]
      .map(td => [td.closest("tr").querySelector("th").textContent, td.dataset.month, td.textContent]),
    charts: Object.fromEntries([...document.querySelectorAll("svg.chart")].map(svg => [svg.getAttribute("aria-label"), {
      axisStart: lowestTick(svg),
      suppressed: [...svg.querySelectorAll("g.suppressed")].filter(g => {
        const label = g.querySelector("text.suppressed-label");
        return label.textContent === "suppressed" && inside(label.getBoundingClientRect(), svg.getBoundingClientRect());
      }).map(g => g.dataset.period)}]))};
  parent.postMessage(JSON.stringify(result), "*");
});</script>"""
CHARTED = {"Active mentees": "active mentees", "Check-ins per mentee": "check-ins per mentee",
           "Share meeting the norm": "share meeting the norm", "Confidence": "confidence",
           "Satisfaction": "satisfaction"}


def six_months_with_suppressed_cells():
    """A default-length programme: its first month wholly suppressed, one rating suppressed later."""
    from projections.programme_release import CATALOGUE, ProgrammeReport, with_retention

    figures = {"active mentees": 14, "check-ins per mentee": 7.25, "meetings per mentee": 1.5,
               "share meeting the norm": 0.64, "goals set": 11, "goals achieved": 3, "milestones reached": 6,
               "confidence": 3.4, "satisfaction": 4.1}
    rows = [{"period": "2026-01"} | {name: "suppressed" for name in CATALOGUE if name != "retention"}]
    rows += [{"period": f"2026-{m:02d}"} | figures for m in range(2, 7)]
    rows[3]["satisfaction"] = "suppressed"
    return ProgrammeReport("Spring", 10, "1/3", "2/3", with_retention(rows))


@pytest.mark.parametrize("width", [1200, 375])
def test_the_programme_page_shows_every_cell_and_labels_every_suppressed_month(chromium, tmp_path, width):
    import html
    import json
    import re

    from projections.programme_page import render_programme_report
    from projections.programme_release import CATALOGUE
    from projections.report import write_report

    report = six_months_with_suppressed_cells()
    page = tmp_path / "programme.html"
    write_report(page, render_programme_report(report).replace("</body>", LAYOUT_CHECK + "</body>"))
    frame = tmp_path / "frame.html"
    frame.write_text(FRAMED.format(page=page.name, width=width))
    dom, log = open_in_chromium(chromium, frame, tmp_path / "profile")
    assert console_messages(log) == []
    seen = json.loads(html.unescape(re.search(r'<pre id="layout">(.*?)</pre>', dom).group(1)))
    assert seen["width"] == width  # laid out at the width asked for
    assert seen["pageOverflow"] <= 0 and seen["tableOverflow"] <= 0 and seen["clippedCells"] == []
    suppressed = [[name, row["period"], "suppressed"] for name in CATALOGUE for row in report.periods
                  if row[name] == "suppressed"]
    assert sorted(seen["suppressedCells"]) == sorted(suppressed)
    for label, name in CHARTED.items():
        assert seen["charts"][label]["suppressed"] == [r["period"] for r in report.periods if r[name] == "suppressed"]
    assert seen["charts"]["Confidence"]["axisStart"] == seen["charts"]["Satisfaction"]["axisStart"] == "1"
    assert {seen["charts"][label]["axisStart"] for label in list(CHARTED)[:3]} == {"0"}
