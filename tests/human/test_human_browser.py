"""The study's page in a real headless browser (Debian's ``chromium`` through Playwright): two
simulated participants consent, type a wrong and a right solution, pause and resume, give up
on the rest; the verdicts and timings land in the store; one participant's token reads nothing
of the other's; and both appear in ``codehazard profile`` and ``codehazard curves --human``
as ``human/...`` beside a model's run, with the ratio per level.

Skipped, with the reason, where chromium, Playwright or the ``human`` extra is missing.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from human_fixtures import Made, make_study, wrong

from codehazard.cli import main
from codehazard.human import HUMAN_SCORER, create_app, study_tasks
from codehazard.runs import RunConfig, start
from codehazard.store import Store

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
uvicorn = pytest.importorskip("uvicorn", reason="pip install 'codehazard[human]'")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Made, str]]:
    made = make_study(tmp_path_factory.mktemp("browser"), participants=2)
    port = _free_port()
    config = uvicorn.Config(create_app(str(made.path), made.study.id), host="127.0.0.1",
                            port=port, log_level="warning")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.started, "the study server did not start"
    yield made, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def _open(browser: Any, url: str) -> tuple[Any, list[str], list[str]]:
    errors: list[str] = []
    requests: list[str] = []
    page = browser.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(url)
    return page, errors, requests


def _verdict(page: Any, text: str) -> str:
    page.wait_for_function(
        "t => document.getElementById('verdict') && "
        "document.getElementById('verdict').textContent.includes(t)",
        arg=text,
        timeout=120_000,
    )
    return str(page.text_content("#verdict"))


def _model_run(made: Made, tasks: list[Any]) -> Any:
    with Store(made.path) as store:
        return start(store, tasks, RunConfig(model="simulated", ks=(1,)))


def _participant(browser: Any, made: Made, base: str, who: int) -> None:
    page, errors, requests = _open(browser, f"{base}/p/{made.invited[who].token}")
    page.click("#agree")
    page.wait_for_selector("#code")
    task_id = page.evaluate("fetch(location.pathname + '/api/state').then(r => r.json())")[
        "task_id"
    ]
    task = made.tasks[task_id]
    page.fill("#code", wrong(task))
    page.click("#submit")
    assert "Not yet" in _verdict(page, "Attempt 1")
    page.click("#pause")
    page.wait_for_selector("#code[disabled]")
    assert "Paused" in str(page.text_content("#verdict"))
    page.click("#pause")  # resume
    page.wait_for_selector("#code:not([disabled])")
    page.fill("#code", task.reference_program)
    page.click("#submit")
    assert "Passed" in _verdict(page, "Attempt 2")
    page.wait_for_function("!document.getElementById('where').textContent.startsWith('Task 1 ')")
    while page.query_selector("#giveup") is not None:  # give up on the rest
        where = page.text_content("#where")
        page.click("#giveup")
        page.wait_for_function(
            "w => !document.getElementById('where') || "
            "document.getElementById('where').textContent !== w",
            arg=where,
        )
    page.wait_for_selector("#done")
    assert errors == []
    assert all(r.startswith(base) for r in requests)  # nothing fetched from elsewhere
    page.close()


def test_two_participants_in_the_browser_show_up_beside_a_model(
    served: tuple[Made, str], browser: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    made, base = served
    _participant(browser, made, base, 0)
    # the second participant's page cannot read the first's data with its own token
    page, _, _ = _open(browser, f"{base}/p/{made.invited[1].token}")
    page.wait_for_selector("#agree")
    other = page.evaluate(
        "p => fetch('/p/' + p + '/api/state').then(r => r.status)", "not-" + "a-token"
    )
    assert other == 404
    mine = page.evaluate("fetch(location.pathname + '/api/state').then(r => r.json())")
    assert mine["pseudonym"] == made.invited[1].pseudonym
    page.close()
    _participant(browser, made, base, 1)

    with Store(made.path) as store:
        for inv in made.invited:
            records = store.records(inv.run_id)
            assert len(records) == len(made.tasks)
            passed = [r for r in records if r.passed]
            assert len(passed) == 1
            assert passed[0].details[HUMAN_SCORER]["attempts"] == 2
            assert store.get_run(inv.run_id).status == "complete"
    tasks = study_tasks(made.study)
    with ThreadPoolExecutor(1) as pool:  # Playwright holds this thread's event loop
        model = pool.submit(_model_run, made, tasks).result()
    store_arg = ["--store", str(made.path)]
    runs = [model.run_id, *(i.run_id for i in made.invited)]
    assert main(["profile", *runs, *store_arg, "--json"]) == 0
    profile = json.loads(capsys.readouterr().out)
    names = [m["model"] for m in profile["models"]]
    assert [n for n in names if n.startswith("human/")] == [
        f"human/{i.pseudonym}" for i in made.invited
    ]
    levels = {c["level"]: c for c in profile["human"]}
    assert set(levels) == {1, 2}
    assert all(c["n_participants"] == 2 for c in levels.values())
    assert all("simulated" in c["ratios"] for c in levels.values())
    assert main(["profile", *runs, *store_arg]) == 0
    assert "relative to human ability" in capsys.readouterr().out
    assert main(["curves", model.run_id, *store_arg, "--by", "level", "--human",
                 made.study.id, "--json"]) == 0  # fmt: skip
    curves = json.loads(capsys.readouterr().out)
    assert {row["level"] for row in curves["human"]} == {1, 2}
    assert all(row["human_participants"] == 2 for row in curves["human"])
