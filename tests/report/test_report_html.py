"""The HTML report read as text (the fast checks; the browser tests are in
``test_report_browser.py``): nothing external referenced, sample text escaped so that no model
output can end a tag or a script, every table captioned and every plot titled, and the
offline highlighter keeping the code exactly."""

from __future__ import annotations

import html
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from report_fixtures import Toy, write_run

from codehazard.report import build_report, report_html
from codehazard.report._highlight import highlight_python
from codehazard.samples import Sample
from codehazard.store import Store
from codehazard.verdict import Verdict


def test_nothing_external_is_referenced(toy: Toy) -> None:
    page = report_html(toy.compared)
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls == {"http://www.w3.org/2000/svg"}  # the SVG namespace name, never fetched
    for pattern in (r"<link\b", r"<img\b", r"\bsrc=", r"@import", r"url\(", r"<iframe\b"):
        assert not re.search(pattern, page), pattern
    assert "default-src 'none'" in page  # and the page forbids fetching anything


def test_tables_are_captioned_and_plots_titled_and_tabulated(toy: Toy) -> None:
    page = report_html(toy.compared)
    assert page.count("<table") == page.count("<caption>") > 10
    assert page.count("<svg") == page.count("<title id=") == 2
    assert 'id="plot-0-table"' in page
    headings = re.findall(r"<h([1-4])", page)
    assert headings[0] == "1" and headings.count("1") == 1
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in page


def test_model_output_cannot_break_out_of_the_page(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    run = write_run(store, model="m", fails=lambda *_: True, levels=(1,), tasks_per_level=1)
    nasty = '</script><script>alert(1)</script><img src=x onerror="alert(2)">'
    [first, *_] = store.samples(run)
    store.replace_sample(
        run, Sample(first.key, first.task_id, first.index, {"completion": nasty}, nasty)
    )
    store.record_verdict(run, first.key, Verdict(status="failed", actual=nasty))
    page = report_html(build_report(store, [run]))
    assert nasty not in page and "<img" not in page
    assert page.count("<script>") == 1  # the report's own script
    assert html.escape(nasty) in page


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_highlighting_keeps_the_code_exactly(code: str) -> None:
    out = highlight_python(code)
    assert html.unescape(re.sub(r"<[^>]+>", "", out)) == code
    assert "<" not in re.sub(r'<span class="tok-[a-z]+">|</span>', "", out)


def test_highlighting_marks_python_tokens() -> None:
    out = highlight_python('def f(s):\n    return "x" + str(1)  # done\n')
    for kind, text in (
        ("kw", "def"),
        ("def", "f"),
        ("str", "&quot;x&quot;"),
        ("bi", "str"),
        ("num", "1"),
        ("com", "# done"),
    ):
        assert f'<span class="tok-{kind}">{text}</span>' in out
