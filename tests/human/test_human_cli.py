"""``codehazard human invite|results|import`` on a real store; the export read back by
``import`` into another store gives the same pooled results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from human_fixtures import CONFIG, make_study

from codehazard.cli import main
from codehazard.human import CSV_COLUMNS, load_study, study_results
from codehazard.store import Store


def _csv(tmp_path: Path, made_ids: list[str], rows: list[tuple[str, int, bool]]) -> Path:
    path = tmp_path / "results.csv"
    lines = [",".join(CSV_COLUMNS)]
    for who, i, passed in rows:
        lines.append(
            f"{who},{made_ids[i]},,,{passed},1,12.5,{12.5 if passed else ''},20,False,False"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_invite_writes_one_private_link_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = make_study(tmp_path, participants=1)
    store = ["--store", str(made.path)]
    out = tmp_path / "links" / "links.txt"
    assert main(["human", "invite", "--study", made.study.id, "--participants", "3",
                 "-o", str(out), *store]) == 0  # fmt: skip
    lines = out.read_text().splitlines()
    assert len(lines) == 3 and len({line.split("/p/")[1] for line in lines}) == 3
    capsys.readouterr()
    assert main(["human", "results", made.study.id, "--json", *store]) == 0
    res = json.loads(capsys.readouterr().out)
    assert len(res["participants"]) == 4 and res["levels"] == []
    assert main(["human", "results", "no-such-study", *store]) == 2
    assert "no such study" in capsys.readouterr().err


def test_an_imported_study_pools_per_level(tmp_path: Path) -> None:
    made = make_study(tmp_path / "a", participants=1)
    ids = made.study.task_ids
    rows = [("ann", 0, True), ("ann", 2, False), ("bob", 0, False), ("bob", 2, True)]
    path = _csv(tmp_path, ids, rows)
    other = tmp_path / "b" / "store.db"
    with Store(other) as store:
        from codehazard.human import import_results

        study = import_results(store, path, CONFIG)
        res = study_results(store, load_study(store, study.id))
    pooled = [(lv.level, lv.n_participants, lv.n_tasks, lv.pass_rate) for lv in res.levels]
    assert pooled == [(1, 2, 1, 0.5), (2, 2, 1, 0.5)]
    assert [lv.mean_time_to_pass_s for lv in res.levels] == [12.5, 12.5]
    assert sum(p["done"] for p in res.participants) == 4


def test_a_malformed_results_file_is_named_by_line(tmp_path: Path) -> None:
    made = make_study(tmp_path, participants=1)
    bad = tmp_path / "bad.csv"
    bad.write_text(f"pseudonym,task_id,passed\nann,{made.study.task_ids[0]},maybe\n")
    with Store(tmp_path / "other.db") as store:
        from codehazard.errors import InputError
        from codehazard.human import import_results

        with pytest.raises(InputError, match=r"bad.csv:2: column 'passed'"):
            import_results(store, bad, CONFIG)
        with pytest.raises(InputError, match="missing column"):
            (tmp_path / "cols.csv").write_text("who,task\n")
            import_results(store, tmp_path / "cols.csv", CONFIG)
