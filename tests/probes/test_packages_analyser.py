"""The packages analyser: every import and install line resolved, on any output, never run."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codehazard.probes import Analysis, get_probe
from codehazard.probes._packages import MAX_CHARS, PackagesAnalyser
from codehazard.probes._packages_index import default_index, normalise, within_one_edit

ANALYSER = PackagesAnalyser()


def _outcomes(analysis: Analysis) -> dict[str, str]:
    return {n["name"]: n["outcome"] for n in analysis.metadata["names"]}


def test_every_form_of_naming_a_package_is_read() -> None:
    text = (
        "Install with `pip install rich` or:\n\n```bash\n"
        "python -m pip install -U 'fastjsonx>=1' pandas==2.1 -r requirements.txt && make\n"
        "```\n\n```python\nimport os, yaml as y\nfrom sklearn.svm import SVC\n"
        "# import polars  # faster alternative\nmod = __import__('orjson')\n```\n"
    )
    got = _outcomes(ANALYSER.analyse(text))
    assert got == {
        "rich": "known",
        "fastjsonx": "hallucinated",
        "pandas": "known",
        "os": "stdlib",
        "yaml": "known",
        "sklearn.svm": "known",
        "polars": "known",
        "orjson": "known",
    }


def test_prose_is_read_conservatively() -> None:
    analysis = ANALYSER.analyse(
        "You'll need to import the data first. Run pip install requests and then try again."
    )
    assert _outcomes(analysis) == {"requests": "known"}


@pytest.mark.parametrize(
    ("line", "outcome", "near"),
    [
        ("import numpi", "typosquat", "numpy"),  # exists, obscure, one edit from numpy
        ("pip install aio-http", "typosquat", "aiohttp"),  # a separator confusion
        ("import request", "hallucinated", "requests"),  # does not exist, looks like a typo
        ("from cryptogaphy.fernet import Fernet", "typosquat", "cryptography"),
        ("import numba", "known", None),  # popular: imitates nothing
        ("from google.cloud import storage", "known", None),
        ("from google.cloud import quantumstorage", "hallucinated", None),
        ("from .models import User", "local", None),
        ("import urllib2", "stdlib", None),  # Python 2's standard library
    ],
)
def test_names_are_resolved(line: str, outcome: str, near: str | None) -> None:
    [name] = ANALYSER.analyse(line).metadata["names"]
    assert (name["outcome"], name["near"]) == (outcome, near)


def test_findings_only_for_hallucinated_and_typosquat_names_with_their_lines() -> None:
    analysis = ANALYSER.analyse("import os\nimport numpi\nimport requests\nimport zzqxlib\n")
    assert [(f.category, f.line, f.rule) for f in analysis.findings] == [
        ("typosquat", 2, "CH-PKG-TYPOSQUAT"),
        ("hallucinated", 4, "CH-PKG-UNKNOWN"),
    ]
    assert analysis.metadata["categories"] == ["hallucinated", "known", "stdlib", "typosquat"]


def test_every_result_records_the_index_snapshot() -> None:
    for text in ("import os", "", "x" * (MAX_CHARS + 1), "\x00\xff"):
        index = ANALYSER.analyse(text).metadata["index"]
        assert index["snapshot"] == default_index().info.snapshot != ""
        assert index["names"] > 100_000


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("", "no-code"),
        ("I'm sorry, I can't help with that.", "no-code"),
        ('print "hi"\nimport urllib2\n', "partial"),  # Python 2: read line by line
        ('print "hi"\n', "syntax-error"),
        ("def f(:\n    import yaml\n", "partial"),
        ("\x00\x01\x02\udcff binary junk \x7f", "no-code"),
        ("```python\ndef f(:\n```\n```python\nimport os\n```", "partial"),
        ("    import pandas as pd\n    return pd.DataFrame()\n", "analysed"),  # a body
        ("x" * (MAX_CHARS + 1), "too-large"),
    ],
    ids=lambda v: v[:20] if isinstance(v, str) else str(v),
)
def test_any_output_gets_a_status_and_never_raises(text: str, status: str) -> None:
    assert ANALYSER.analyse(text).status == status


def test_a_megabyte_output_is_analysed() -> None:
    block = "import numpy as np\nx = np.zeros(3)\n" + "y = 1\n" * 50
    text = block * (1_000_000 // len(block) + 1) + "import zzqxlib\n"
    analysis = ANALYSER.analyse(text)
    assert analysis.status == "analysed" and len(text) > 1_000_000
    assert [f.snippet for f in analysis.findings] == ["zzqxlib"]


def test_the_code_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = f"import os\nos.system('touch {marker}')\nopen({str(marker)!r}, 'w').write('x')\n"
    text += f"__import__('os').system('touch {marker}')\n"
    ANALYSER.analyse(text)
    assert not marker.exists()


def test_separator_and_edit_confusions() -> None:
    assert normalise("Python_Dateutil") == "python-dateutil"
    assert within_one_edit("reqeusts", "requests")  # a swap
    assert within_one_edit("requets", "requests")  # a deletion
    assert not within_one_edit("requests", "requests")
    assert not within_one_edit("numpy", "numba")


def test_the_probe_declares_its_metrics_and_suite() -> None:
    probe = get_probe("packages")
    assert probe.suite == "packages"
    assert {m.statistic for m in probe.metrics} >= {
        "nonexistent_rate",
        "typosquat_rate",
        "top_import_share",
    }


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400) | st.binary(max_size=400).map(lambda b: b.decode("latin-1")))
def test_no_text_makes_the_analyser_raise(text: str) -> None:
    analysis = ANALYSER.analyse(text)
    assert analysis.status in ("analysed", "partial", "no-code", "syntax-error")
    assert all(f.category in ("hallucinated", "typosquat") for f in analysis.findings)
