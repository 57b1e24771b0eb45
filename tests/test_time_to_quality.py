"""The time-to-quality benchmark runs (tiny settings, not timed) and reports device, threshold, result."""

import importlib.util
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "time_to_quality.py"


def load_benchmark():
    spec = importlib.util.spec_from_file_location("time_to_quality", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_stops_at_the_threshold(capsys):
    benchmark = load_benchmark()
    tiny = ["--limit", "64", "--batch-size", "32", "--samples", "40", "--max-epochs", "3"]
    result = benchmark.main([*tiny, "--threshold", "1e9"])  # any FD is below it: stops after epoch 1
    printed = capsys.readouterr().out
    assert result["reached"][0] == 1 and len(result["history"]) == 1
    assert "device:" in printed and "versions:" in printed and "threshold: FD < 1e+09" in printed
    assert "result: FD < 1e+09 after" in printed
    missed = benchmark.main([*tiny, "--threshold", "0", "--max-epochs", "2"])  # never reached
    assert missed["reached"] is None and len(missed["history"]) == 2
    assert "FD stayed >= 0 for 2 epochs" in capsys.readouterr().out
