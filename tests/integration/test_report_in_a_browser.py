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


def test_the_programme_page_draws_its_charts_and_intervals_without_console_errors(chromium, tmp_path):
    from projections.programme_page import render_programme_report
    from projections.report import write_report

    page = tmp_path / "programme.html"
    write_report(page, render_programme_report(six_months_with_suppressed_means()))
    dom, log = open_in_chromium(chromium, page, tmp_path / "profile3")
    assert 'data-ready="yes"' in dom and 'data-charts="5"' in dom
    assert 'class="suppressed"' in dom and 'class="bar"' in dom and 'class="interval"' in dom
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
    absentCells: [...document.querySelectorAll("td.absent")]
      .map(td => [td.closest("tr").querySelector("th").textContent, td.dataset.month, td.textContent]),
    charts: Object.fromEntries([...document.querySelectorAll("svg.chart")].map(svg => [svg.getAttribute("aria-label"), {
      axisStart: lowestTick(svg),
      intervals: [...svg.querySelectorAll("path.interval")]
        .filter(p => inside(p.getBoundingClientRect(), svg.getBoundingClientRect())).length,
      suppressed: [...svg.querySelectorAll("g.suppressed")].filter(g => {
        const label = g.querySelector("text.suppressed-label");
        return label.textContent === "suppressed" && inside(label.getBoundingClientRect(), svg.getBoundingClientRect());
      }).map(g => g.dataset.period)}]))};
  parent.postMessage(JSON.stringify(result), "*");
});</script>"""
CHARTED = {"Active mentees": "active mentees", "Meetings per mentee": "meetings per mentee",
           "Meeting the norm": "meeting the one-hour norm", "Confidence": "confidence",
           "Satisfaction": "satisfaction"}


def six_months_with_suppressed_means():
    """A default-length programme: both means suppressed in March (fewer raters than k), the
    satisfaction mean again in June; ratings absent in the months that close no quarter."""
    from projections.programme_release import ProgrammeReport, with_retention
    from tests.unit.test_programme_screen import K, a_month

    rows = [a_month(f"2026-{m:02d}", "2026-06", raters=K - 1 if m == 3 else 14, active=10 + m) for m in range(1, 7)]
    rows[5]["figures"]["satisfaction"] = {"suppressed": True}
    return ProgrammeReport("Spring", K, "2", None, with_retention(rows))


def charted(report, name):
    """The months a chart draws: every month, or for a rating only the months it was due."""
    return [row for row in report.periods if name in row["figures"]]


@pytest.mark.parametrize("width", [1200, 375])
def test_the_programme_page_shows_every_cell_and_labels_every_suppressed_month(chromium, tmp_path, width):
    import html
    import json
    import re

    from projections.programme_figures import CATALOGUE
    from projections.programme_page import render_programme_report
    from projections.report import write_report

    report = six_months_with_suppressed_means()
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
                  if row["figures"].get(name, {}).get("suppressed")]
    assert sorted(seen["suppressedCells"]) == sorted(suppressed)
    assert len(suppressed) == 3
    absent = [[name, row["period"], "–"] for name in ("confidence", "satisfaction") for row in report.periods
              if row["period"] not in ("2026-03", "2026-06")]
    assert sorted(seen["absentCells"]) == sorted(absent)
    for label, name in CHARTED.items():
        months = charted(report, name)
        assert seen["charts"][label]["suppressed"] == [r["period"] for r in months
                                                        if r["figures"][name].get("suppressed")]
        assert seen["charts"][label]["intervals"] == sum(bool(r["figures"][name].get("half_width")) for r in months)
    assert seen["charts"]["Confidence"]["intervals"] == 1  # June's; March's is suppressed
    assert seen["charts"]["Confidence"]["axisStart"] == seen["charts"]["Satisfaction"]["axisStart"] == "1"
    assert {seen["charts"][label]["axisStart"] for label in list(CHARTED)[:3]} == {"0"}
