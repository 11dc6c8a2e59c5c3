"""The HTML report in a real headless browser: Debian's ``chromium`` driven by Playwright with
the system browser (no browser download). No console errors, no network request at all, every
section and plot rendered, filters and search working, evidence links landing on the samples
behind them, the comparison's deltas shown, keyboard reachable. A screenshot of each section is
saved under the test's temporary directory (and copied to ``$CODEHAZARD_ARTIFACTS`` when set).

Skipped, with the reason, where chromium or Playwright is missing; CI installs both.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from report_fixtures import Toy

from codehazard.report import Report, report_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium)"),
]
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
)

SECTIONS = ("summary", "capability", "measurements", "hazards", "samples")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


class Opened:
    """A page showing one report, with what it logged and requested."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.url = path.resolve().as_uri()
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.on(
            "console",
            lambda m: self.errors.append(f"{m.type}: {m.text}") if m.type == "error" else None,
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(self.url)

    def shown(self) -> list[str]:
        return list(self.page.eval_on_selector_all(
            "#sample-list .sample:not([hidden])", "els => els.map(e => e.dataset.id)"
        ))  # fmt: skip


def _open(browser: Any, report: Report, folder: Path, name: str) -> Opened:
    path = folder / f"{name}.html"
    path.write_text(report_html(report), encoding="utf-8")
    return Opened(browser, path)


def _shoot(opened: Opened, selector: str, folder: Path, name: str) -> Path:
    shot = folder / f"{name}.png"
    opened.page.locator(selector).screenshot(path=str(shot))
    if os.environ.get("CODEHAZARD_ARTIFACTS"):
        target = Path(os.environ["CODEHAZARD_ARTIFACTS"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, target / shot.name)
    assert shot.stat().st_size > 1000
    return shot


def test_report_renders_offline_without_errors_or_requests(
    browser: Any, toy: Toy, tmp_path: Path
) -> None:
    o = _open(browser, toy.single, tmp_path, "single")
    assert o.errors == []
    assert o.requests == [o.url]  # the file itself and nothing else
    for section in SECTIONS:
        box = o.page.locator(f"#{section}").bounding_box()
        assert box is not None and box["height"] > 50, section
        _shoot(o, f"#{section}", tmp_path, f"section-{section}")
    _shoot(o, "#matrix-before", tmp_path, "hazard-matrix")
    plots = o.page.locator("svg.plot")
    assert plots.count() == 1 and (plots.first.bounding_box() or {}).get("width", 0) > 300
    assert o.page.locator("svg.plot polyline").count() >= 1
    assert o.page.locator("#verdict").inner_text().startswith("Overall verdict: Accept with")
    # every table has a caption, every plot a title and a table of its numbers
    assert o.page.eval_on_selector_all("table", "ts => ts.every(t => t.caption)")
    assert o.page.locator("#plot-0-table").count() == 1
    assert o.page.locator("svg.plot title").count() == plots.count()
    o.page.emulate_media(media="print")  # the print stylesheet drops navigation and filters
    assert not o.page.locator("nav.toc").is_visible()
    assert not o.page.locator("#sample-filters").is_visible()
    assert o.page.locator("#hazard-table").is_visible()


def test_filters_and_search_narrow_the_samples(browser: Any, toy: Toy, tmp_path: Path) -> None:
    o = _open(browser, toy.single, tmp_path, "filters")
    samples = toy.single.samples.samples
    assert len(o.shown()) == len(samples)
    o.page.select_option("#filter-status", "passed")
    assert o.shown() == [s.id for s in samples if s.status == "passed"]
    o.page.select_option("#filter-level", "3")
    assert o.shown() == []
    o.page.click("#reset-filters")
    o.page.fill("#filter-task", "toy/L2/001")
    assert o.shown() == [s.id for s in samples if s.task_id == "toy/L2/001"] != []
    assert "of 24 embedded samples shown" in o.page.locator("#sample-count").inner_text()
    _shoot(o, "#samples", tmp_path, "samples-filtered")
    assert o.errors == []


def test_evidence_links_land_on_the_samples_behind_the_value(
    browser: Any, toy: Toy, tmp_path: Path
) -> None:
    o = _open(browser, toy.single, tmp_path, "evidence")
    assert toy.single.hazards is not None
    [ev] = toy.single.hazards.hazards[0].evidence
    link = o.page.locator(f'a.evidence-link[data-evidence="{ev.id}"]')
    link.focus()
    o.page.keyboard.press("Enter")  # by keyboard, as a reader without a mouse would
    o.page.wait_for_function("() => !document.getElementById('evidence-banner').hidden")
    assert sorted(o.shown()) == sorted(ev.sample_keys) != []
    assert all(s.startswith(f"{toy.a}:toy/L") and "/L1/" not in s for s in o.shown())
    focused = o.page.evaluate("() => document.activeElement.closest('.sample').dataset.id")
    assert focused in ev.sample_keys
    o.page.click("#clear-evidence")
    assert len(o.shown()) == len(toy.single.samples.samples)
    # a deep link opens straight on the evidence's samples
    o.page.goto(f"{o.url}#evidence={ev.id}")
    o.page.reload()
    assert sorted(o.shown()) == sorted(ev.sample_keys)
    assert o.errors == []


def test_keyboard_reaches_the_skip_link_and_the_filters(
    browser: Any, toy: Toy, tmp_path: Path
) -> None:
    o = _open(browser, toy.single, tmp_path, "keyboard")
    o.page.keyboard.press("Tab")
    assert o.page.evaluate("() => document.activeElement.className") == "skip"
    o.page.keyboard.press("Enter")
    assert o.page.evaluate("() => location.hash") == "#main"
    o.page.focus("#filter-status")
    o.page.keyboard.press("ArrowDown")  # the first status in the list
    first = o.page.eval_on_selector("#filter-status", "s => s.value")
    assert first and all(
        o.page.eval_on_selector(f'[data-id="{i}"]', "e => e.dataset.status") == first
        for i in o.shown()
    )


def test_comparison_view_shows_deltas(browser: Any, toy: Toy, tmp_path: Path) -> None:
    o = _open(browser, toy.compared, tmp_path, "compared")
    assert o.errors == [] and o.requests == [o.url]
    c = toy.compared.comparison
    assert c is not None
    cells = o.page.locator("#delta-suites td.delta").all_inner_texts()
    assert cells == [f"{100 * c.suites[0].delta:+.1f} pts"]  # type: ignore[operator]
    assert o.page.locator("#delta-cells tbody tr").count() == 3
    assert o.page.locator("#hazard-moves tbody tr").first.inner_text().startswith("H-WRONG")
    assert (o.page.locator("#plot-delta").bounding_box() or {}).get("height", 0) > 50
    # the two runs' curves are overlaid in one plot, one line each
    assert o.page.locator("#plot-0 polyline").count() == 2
    _shoot(o, "#comparison", tmp_path, "section-comparison")
    _shoot(o, "#summary", tmp_path, "summary-compared")
