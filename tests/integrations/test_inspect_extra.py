"""Without the ``inspect`` extra, the Inspect commands say exactly what to install."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import codehazard
from codehazard._registry import install_line

HIDE = "import sys\nsys.modules['inspect_ai'] = None\nfrom codehazard.cli import main\n"


def test_import_inspect_without_the_extra_names_the_install_line(tmp_path: Path) -> None:
    log = tmp_path / "x.eval"
    log.write_bytes(b"PK")
    code = HIDE + f"raise SystemExit(main(['import', 'inspect', {str(log)!r}, '--store', "
    code += f"{str(tmp_path / 's.db')!r}]))\n"
    src = Path(codehazard.__file__).parents[1]
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 3, done.stderr  # a missing package: the setup, not the input
    assert install_line("inspect") in done.stderr and "inspect_ai" in done.stderr
    assert "Traceback" not in done.stderr
