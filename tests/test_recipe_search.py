"""benchmarks/recipe_search.py runs end to end at tiny sizes and ranks only on the training split."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_recipe_search_prints_and_records_every_setting_sampler_and_seed(tmp_path):
    out = tmp_path / "search.json"
    command = [
        sys.executable, str(ROOT / "benchmarks" / "recipe_search.py"), "--settings", "today",
        "--seeds", "0", "1", "--confirm-seeds", "--epochs", "2", "--limit", "96", "--samples", "40",
        "--decays", "0.9", "--out", str(out),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    assert "Search (seeds [0, 1]" in done.stdout and "load average after" in done.stdout
    result = json.loads(out.read_text())
    runs = result["search"]["today"]
    assert len(runs) == 2 and [row["epoch"] for row in runs[0]] == [1, 2]
    for row in runs[0]:
        assert set(row) == {"epoch", "raw", "ema0.9", "seconds", "cpu_seconds"}
        assert set(row["raw"]) == {"fd", "classes_covered", "inception_score", "confident_share"}
    assert runs[0][1]["seconds"] > runs[0][0]["seconds"] > 0 and runs[0][1]["cpu_seconds"] > 0
    assert result["confirm"] == {}  # no confirmation seeds: the held-out split was never read
