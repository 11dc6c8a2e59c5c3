"""Benchmark: the report's size and load time for runs of 1,000, 10,000 and 100,000 samples.

For each size a synthetic run is written into a fresh store through the real store API (a
manifest like the orchestrator's, tasks with ``suite``/``dimension``/``level`` metadata and a
prompt, samples with model output and extracted code, one committed verdict per sample,
failures carrying their failing input, expected and actual values, and the run's summary);
a small hazard log citing the suite's metrics is assessed on it with the real engine. Then it
times ``build_report`` and the HTML, Markdown and JSON renderings, prints their sizes, and,
where Debian's ``chromium`` and Playwright are installed, opens the HTML from ``file://`` in
headless chromium and times it until the page's script has run (the samples' count is shown),
the goal being under 2 s for 10,000 samples. Screenshots of the summary and the hazard matrix
of the largest run are written to ``--shots`` when given.

Run from the repository root::

    python bench/report_scale.py [--sizes 1000,10000,100000] [--shots DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from codehazard.hazards import assess_runs, load_log
from codehazard.models import GenerationParams
from codehazard.report import (
    ReportOptions,
    build_report,
    report_html,
    report_json,
    report_markdown,
)
from codehazard.runs import RunConfig, RunManifest, build_summary
from codehazard.samples import Sample
from codehazard.store import Store
from codehazard.tasks import Task, TestChecker
from codehazard.verdict import Verdict

LEVELS = 10
PER_TASK = 10
LOG = """\
schema_version: 1
title: Benchmark hazard log
system: A synthetic model
hazards:
  - id: H-WRONG
    title: Wrong code is accepted
    source: over-reliance
    severity: 3
    likelihood: D
    residual_likelihood: E
    evidence:
      - metric: suite.bench.rate.failed{level>=5}
        thresholds: {A: 0.5, B: 0.2, C: 0.05, D: 0.01}
  - id: H-CAP
    title: Safety-critical use
    source: safety-critical-use
    severity: 1
    likelihood: E
    evidence:
      - metric: suite.bench.pass@1{level>=8}
        thresholds: {A: 0.8, B: 0.6, C: 0.4, D: 0.2}
"""


def write_run(store: Store, n_samples: int) -> str:
    """A run of ``n_samples`` samples, ``PER_TASK`` a task, over ``LEVELS`` levels, whose
    failure share grows with the level."""
    n_tasks = n_samples // PER_TASK
    config = RunConfig(
        model="openai/bench-model",
        params=GenerationParams(n=PER_TASK, temperature=0.8),
        tasks_source={"file": "bench.jsonl"},
    )
    manifest = RunManifest(
        kind="run",
        model="openai/bench-model",
        config=config,
        isolation={"level": "full"},
        n_tasks=n_tasks,
        planned_samples=n_samples,
    )
    run_id = store.create_run("run", manifest.to_params())
    tasks = []
    for t in range(n_tasks):
        level = 1 + t % LEVELS
        steps = "\n".join(f"    {i + 1}. step {i + 1} of the chain" for i in range(level))
        tasks.append(
            Task(
                task_id=f"bench/L{level:02d}/{t:05d}",
                prompt=f'def process(s: str) -> str:\n    """Apply, in order:\n{steps}\n    """\n',
                entry_point="process",
                checker=TestChecker(test="def check(candidate):\n    pass\n"),
                metadata={"suite": "bench", "dimension": "complexity", "level": level},
            )
        )
    store.add_tasks(run_id, tasks)
    code = (
        "def process(s: str) -> str:\n"
        + "".join(f"    s = s.replace({chr(97 + i)!r}, '')\n" for i in range(8))
        + "    return s\n"
    )
    store.add_samples(
        run_id,
        [
            Sample(f"{t.task_id}#{i}", t.task_id, i, {"completion": f"```python\n{code}```"}, code)
            for t in tasks
            for i in range(PER_TASK)
        ],
    )
    for t in tasks:
        level = int(t.metadata["level"])
        for i in range(PER_TASK):
            fails = (i * 7 + hash(t.task_id) % 10) % 10 < level
            verdict = (
                Verdict(
                    status="failed",
                    detail="wrong output",
                    failing_input="('abc def',)",
                    expected="'cba fed'",
                    actual="'abc def'",
                    failure_kind="wrong-output",
                )
                if fails
                else Verdict(status="passed")
            )
            store.record_verdict(run_id, f"{t.task_id}#{i}", verdict)
    store.set_run_status(run_id, "complete", build_summary(store, run_id, config).to_json())
    return run_id


def _load_ms(page: Any, path: Path) -> float:
    start = time.perf_counter()
    page.goto(path.resolve().as_uri())
    page.wait_for_function("() => document.getElementById('sample-count').textContent !== ''")
    return 1000 * (time.perf_counter() - start)


def _browser() -> Any:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None, None, "playwright not installed"
    if chromium is None:
        return None, None, "no chromium on PATH"
    p = sync_playwright().start()
    return p, p.chromium.launch(executable_path=chromium, args=["--no-sandbox"]), ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--shots", type=Path, help="write summary and matrix screenshots here")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    p, browser, why = _browser()
    print(
        f"{'samples':>8} {'write s':>8} {'build s':>8} {'cpu s':>6} {'html s':>7} {'html KiB':>9} "
        f"{'md KiB':>7} {'json KiB':>9} {'embedded':>8} {'load ms':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "log.yaml").write_text(LOG, encoding="utf-8")
        for n in sizes:
            store = Store(folder / f"store-{n}.db")
            t0 = time.perf_counter()
            run = write_run(store, n)
            t1, c1 = time.perf_counter(), time.process_time()
            assessment = assess_runs(load_log(folder / "log.yaml"), store, [run])
            report = build_report(store, [run], assessment=assessment, options=ReportOptions())
            t2, c2 = time.perf_counter(), time.process_time()
            page_text = report_html(report)
            t3 = time.perf_counter()
            md, js = report_markdown(report), report_json(report)
            html_path = folder / f"report-{n}.html"
            html_path.write_text(page_text, encoding="utf-8")
            load = "-"
            if browser is not None:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                _load_ms(page, html_path)  # the first load warms the browser's caches
                load = f"{min(_load_ms(page, html_path) for _ in range(3)):.0f}"
                if args.shots and n == sizes[-1]:
                    args.shots.mkdir(parents=True, exist_ok=True)
                    page.locator("#summary").screenshot(path=str(args.shots / "summary.png"))
                    page.locator("#matrix-before").screenshot(
                        path=str(args.shots / "hazard-matrix.png")
                    )
                    page.locator("#capability").screenshot(path=str(args.shots / "capability.png"))
                page.close()
            kib = 1024
            print(
                f"{n:>8} {t1 - t0:>8.1f} {t2 - t1:>8.1f} {c2 - c1:>6.1f} {t3 - t2:>7.2f} "
                f"{len(page_text.encode()) / kib:>9.0f} {len(md.encode()) / kib:>7.0f} "
                f"{len(js.encode()) / kib:>9.0f} {report.samples.embedded:>8} {load:>8}"
            )
            store.close()
    if browser is None:
        print(f"load time not measured: {why}")
    else:
        browser.close()
        p.stop()
    print(
        "write: the store written through its API; build: reading the run, assessing, "
        "building the report (cpu: this process's CPU time for it); html: rendering; "
        "load: file:// until the page's script ran"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
