"""The study's HTTP routes through Starlette's TestClient, judged in the real sandbox, and the
participant's clock with a clock of the test's own."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from human_fixtures import Made, make_study, wrong

from codehazard.errors import ArgumentError, UnknownRunError
from codehazard.human import (
    GAP_CAP_S,
    HUMAN_SCORER,
    ParticipantService,
    SandboxJudge,
    StudyConfig,
    create_app,
    docstring_examples,
    examples_task,
    load_study,
    new_operator_token,
    study_results,
    study_tasks,
)
from codehazard.store import Store
from codehazard.tasks import task_from_dict

testclient = pytest.importorskip("starlette.testclient", reason="pip install 'codehazard[human]'")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    return make_study(tmp_path_factory.mktemp("study"), participants=3)


@pytest.fixture(scope="module")
def client(made: Made) -> Iterator[Any]:
    with testclient.TestClient(create_app(str(made.path), made.study.id)) as c:
        yield c


def _api(made: Made, who: int, action: str) -> str:
    return f"/p/{made.invited[who].token}/api/{action}"


def _consented(client: Any, made: Made, who: int) -> dict[str, Any]:
    return client.post(_api(made, who, "consent"), json={"agree": True}).json()


def test_a_wrong_then_a_right_solution_land_in_the_participants_run(
    client: Any, made: Made
) -> None:
    state = _consented(client, made, 0)
    task = made.tasks[state["task_id"]]
    assert state["prompt"] == task.prompt  # the prompt a model sees in completion mode
    code = wrong(task)
    r = client.post(_api(made, 0, "submit"), json={"task_id": task.task_id, "code": code, "seq": 1})
    failed = r.json()
    assert failed["status"] == "failed" and failed["state"]["attempts"] == 1
    assert "candidate(" not in str(failed) and "assert" not in str(failed)  # no test shown
    again = client.post(
        _api(made, 0, "submit"), json={"task_id": task.task_id, "code": code, "seq": 1}
    ).json()
    assert again["repeated"] is True and again["state"]["attempts"] == 1  # a double submit
    right = client.post(
        _api(made, 0, "submit"),
        json={"task_id": task.task_id, "code": task.reference_program, "seq": 2},
    ).json()
    assert right["status"] == "passed"
    assert right["state"]["task_id"] != task.task_id and right["state"]["position"] == 1
    with Store(made.path) as store:
        (rec,) = store.records(made.invited[0].run_id)
        run = store.get_run(made.invited[0].run_id)
    assert rec.task_id == task.task_id and rec.passed and rec.program == task.reference_program
    timings = rec.details[HUMAN_SCORER]
    assert timings["attempts"] == 2 and timings["gave_up"] is False
    assert 0 <= timings["time_to_first_submission_s"] <= timings["time_to_pass_s"]
    assert run.params["model"] == f"human/{made.invited[0].pseudonym}"
    with Store(made.path) as store:
        res = study_results(store, load_study(store, made.study.id))
    level = next(lv for lv in res.levels if lv.level == task.metadata["level"])
    assert level.pass_rate == 1.0 and level.n_participants == 1
    assert level.mean_time_to_pass_s == timings["time_to_pass_s"]


def test_examples_run_in_the_sandbox_and_are_not_an_attempt(client: Any, made: Made) -> None:
    state = _consented(client, made, 1)
    task = made.tasks[state["task_id"]]
    r = client.post(
        _api(made, 1, "examples"), json={"task_id": task.task_id, "code": "def broken(:\n"}
    ).json()
    assert r["status"] == "syntax"
    assert client.get(_api(made, 1, "state")).json()["attempts"] == 0


def test_no_token_reads_or_changes_another_participants_data(client: Any, made: Made) -> None:
    a = _consented(client, made, 0)
    client.post(_api(made, 0, "heartbeat"), json={"task_id": a["task_id"], "draft": "# A's own"})
    b = _consented(client, made, 2)
    assert "A's own" not in str(b) and b["pseudonym"] == made.invited[2].pseudonym
    if b["task_id"] != a["task_id"]:  # A's task is not B's: B cannot act on it
        r = client.post(_api(made, 2, "giveup"), json={"task_id": a["task_id"]})
        assert r.status_code == 404
    for route in ("state", "heartbeat", "submit", "examples", "giveup", "pause"):
        assert client.post(f"/p/not-a-token/api/{route}", json={}).status_code == 404
    assert client.get("/p/not-a-token").status_code == 404
    assert client.get(f"/op/{made.invited[0].token}/api/results").status_code == 404
    assert client.get(f"/p/{made.operator}/api/state").status_code == 404
    assert "A's own" in client.get(_api(made, 0, "state")).json()["draft"]


def test_malformed_input_is_refused_and_changes_nothing(client: Any, made: Made) -> None:
    state = _consented(client, made, 2)
    tid = state["task_id"]
    bad = [
        client.post(_api(made, 2, "submit"), content=b"{not json"),
        client.post(_api(made, 2, "submit"), json=[1, 2]),
        client.post(_api(made, 2, "submit"), json={"task_id": tid, "code": 5, "seq": 1}),
        client.post(_api(made, 2, "submit"), json={"task_id": tid, "code": "x", "seq": 7}),
        client.post(_api(made, 2, "consent"), json={"agree": "yes"}),
    ]
    assert [r.status_code for r in bad] == [400] * 5
    assert all("error" in r.json() for r in bad)
    assert client.get(_api(made, 2, "state")).json()["attempts"] == state["attempts"]


def test_the_page_and_its_assets_carry_the_policy(client: Any, made: Made) -> None:
    page = client.get(f"/p/{made.invited[0].token}")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "http" not in page.text.replace("http-equiv", "")  # nothing from elsewhere
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/../_db.py").status_code == 404


def test_the_operator_edits_consent_exports_without_free_text_and_deletes(tmp_path: Path) -> None:
    made = make_study(tmp_path, participants=2)
    with testclient.TestClient(create_app(str(made.path), made.study.id)) as c:
        op = f"/op/{made.operator}/api/"
        first = c.get(_api(made, 0, "state")).json()
        assert first["stage"] == "consent" and "pseudonym" in first["consent"]
        assert c.post(op + "consent", json={"text": "New terms."}).json() == {"ok": True}
        assert c.get(_api(made, 0, "state")).json()["consent"] == "New terms."
        tid = _consented(c, made, 0)["task_id"]
        c.post(_api(made, 0, "giveup"), json={"task_id": tid, "comment": "my private note"})
        exported = c.get(op + "export.csv").text
        rows = list(csv.DictReader(io.StringIO(exported)))
        assert [r["task_id"] for r in rows] == [tid] and rows[0]["gave_up"] == "True"
        assert "private note" not in exported and "def " not in exported
        with Store(made.path) as store:
            fresh = new_operator_token(store, made.study)
        assert c.get(op + "results").status_code == 404  # the old operator link stopped working
        op = f"/op/{fresh}/api/"
        deleted = c.post(op + "delete", json={"pseudonym": made.invited[0].pseudonym}).json()
        assert deleted == {"deleted": made.invited[0].run_id}
        assert c.get(_api(made, 0, "state")).status_code == 404
        assert len(c.get(op + "results").json()["participants"]) == 1
    with Store(made.path) as store:
        with pytest.raises(UnknownRunError):
            store.get_run(made.invited[0].run_id)
        left = store.connection.execute(
            "SELECT COUNT(*) FROM human_progress WHERE participant_id LIKE ?",
            (f"{made.study.id}/0",),
        ).fetchone()[0]
    assert left == 0


def test_a_restart_keeps_the_position_draft_and_attempts(tmp_path: Path) -> None:
    made = make_study(tmp_path, participants=1)
    with testclient.TestClient(create_app(str(made.path), made.study.id)) as c:
        tid = _consented(c, made, 0)["task_id"]
        code = wrong(made.tasks[tid])
        c.post(_api(made, 0, "submit"), json={"task_id": tid, "code": code, "seq": 1})
        c.post(_api(made, 0, "heartbeat"), json={"task_id": tid, "draft": "# kept"})
    with testclient.TestClient(create_app(str(made.path), made.study.id)) as c:
        state = c.get(_api(made, 0, "state")).json()
    assert (state["task_id"], state["attempts"], state["draft"]) == (tid, 1, "# kept")
    assert state["last"]["status"] == "failed"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_pause_stops_the_clock_gaps_are_capped_and_the_budget_ends_a_task(
    tmp_path: Path,
) -> None:
    config = StudyConfig(suites=("building-blocks",), params={"lengths": [1], "per_length": 2},
                         per_level=2, time_budget_s=100)  # fmt: skip
    made = make_study(tmp_path, participants=1, config=config)
    token, clock = made.invited[0].token, Clock()
    with Store(made.path) as store:
        study = load_study(store, made.study.id)
        tasks = study_tasks(study)
        service = ParticipantService(store, study, tasks, SandboxJudge(tasks), clock=clock)
        tid = service.consent(token, True)["task_id"]
        clock.now += 10
        assert service.state(token)["active_s"] == 10
        clock.now += 10
        assert service.pause(token, True)["paused"] is True
        clock.now += 500
        assert service.state(token)["active_s"] == 20  # paused: no time counted
        with pytest.raises(ArgumentError, match="paused"):
            asyncio.run(service.submit(token, tid, "x", 1))
        clock.now += 100
        service.pause(token, False)
        clock.now += 5
        assert service.state(token)["active_s"] == 25
        clock.now += 1000  # the tab was closed: the gap counts as GAP_CAP_S at most
        state = service.state(token)
        assert (state["task_id"], state["active_s"]) == (tid, 25 + GAP_CAP_S)
        clock.now += 1000  # past the budget of 100 s: the task ends, the next one opens
        state = service.state(token)
        assert state["task_id"] != tid and state["position"] == 1
    with Store(made.path) as store:
        (rec,) = store.records(made.invited[0].run_id)
    assert rec.status == "failed" and "out of time" in rec.verdict.detail  # type: ignore[union-attr]
    assert rec.details[HUMAN_SCORER]["out_of_time"] is True


def test_examples_come_from_the_docstring() -> None:
    task = task_from_dict({
        "task_id": "t/double", "entry_point": "double", "canonical_solution": "",
        "prompt": 'def double(x):\n    """Twice x.\n    >>> double(2)\n    4\n    """\n',
        "test": "def check(candidate):\n    assert candidate(5) == 10\n",
    })  # fmt: skip
    assert docstring_examples(task) == [("double(2)", "4")]
    made = examples_task(task)
    assert made.task_id == "t/double::examples"
    assert "candidate(2) == 4" in made.checker.test  # type: ignore[union-attr]
    assert "candidate(5)" not in made.checker.test  # type: ignore[union-attr]
