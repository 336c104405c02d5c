"""`make bench` runs: its measurements call the library's stages by name, so a change to one of
them must not leave the bench broken until the next time someone measures (it once was)."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_the_bench_runs_every_measurement_on_a_few_letters(tmp_path) -> None:
    completed = subprocess.run(
        [sys.executable, str(REPO / "bench" / "bench.py"), "--cases", "4", "--repeat", "1", "--baseline-sample", "1"]
        + ["--import-sample", "1", "--json", str(tmp_path / "results.json")],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    for measurement in ("(a) baseline", "(b) alletter build", "(c) no-op rebuild", "(d) alletter --help"):
        assert measurement in completed.stdout
    for measurement in ("(e) peak memory", "(f) alletter watch", "(g) alletter import"):
        assert measurement in completed.stdout
    assert (tmp_path / "results.json").is_file()
