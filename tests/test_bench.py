"""The benchmark suite (lrcore.app.bench) on tiny sizes: structure of the table, JSON and targets,
the duck-optimizer path without torch, and the CLI wiring. Timings themselves are not checked."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from lrcore.app import bench, cli

WRAPPER = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_step.py"
TINY = ["--groups", "1", "3", "--schedulers", "StepLR", "ReduceLROnPlateau", "--trials", "1",
        "--sample-ms", "0.2", "--simulate-steps", "2000"]


def _row_keys():
    return {"scheduler", "groups", "optimizer", "lrcore_us", "torch_us", "python_us",
            "torch_over_lrcore", "python_over_lrcore", "lrcore_ns_per_group", "samples_us",
            "steps_per_sample"}


def test_specs_cover_every_builtin_scheduler():
    import lrcore

    builtins = {n for n in lrcore.__all__ if n.endswith(("LR", "Scheduler", "Restarts", "Plateau"))}
    builtins -= {"LRScheduler"}
    assert builtins == set(bench.SPECS)


def test_tiny_run_with_torch_table_json_and_targets(tmp_path, capsys):
    path = tmp_path / "bench.json"
    assert cli.main(["bench", *TINY, "--json", str(path)]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    assert any(line.startswith("scheduler") and "torch/lrcore" in line and "ns/group" in line
               for line in lines)
    cells = [line.split()[:2] for line in lines]
    for name in ("StepLR", "ReduceLROnPlateau"):
        assert [name, "3"] in cells
    assert cells.count(["StepLR", "1"]) == 2  # the table's row and the Tensor-lr row
    assert "Tensor lr" in text and "targets:" in text and "total wall time" in text
    assert "(a)" in text and "(b)" in text and "(c)" in text
    assert "NOT MEASURED (1000 groups were not benchmarked)" in text

    data = json.loads(path.read_text())
    assert data["torch_available"] is True
    assert [(r["scheduler"], r["groups"]) for r in data["results"]] == [
        ("StepLR", 1), ("StepLR", 3), ("ReduceLROnPlateau", 1), ("ReduceLROnPlateau", 3)]
    for row in data["results"]:
        assert set(row) == _row_keys()
        for impl in bench.IMPLS:
            assert row[f"{impl}_us"] > 0 and len(row["samples_us"][impl]) == 1
        assert row["torch_over_lrcore"] == pytest.approx(row["torch_us"] / row["lrcore_us"])
        assert row["lrcore_ns_per_group"] == pytest.approx(row["lrcore_us"] * 1000 / row["groups"])
    assert [r["scheduler"] for r in data["tensor_lr"]] == list(bench.TENSOR_LR_SCHEDULERS)
    assert all(r["python_us"] is None and r["torch_us"] > 0 for r in data["tensor_lr"])
    targets = {t["target"]: t for t in data["targets"]}
    assert set(targets) == {"a", "b", "c", "d"}
    assert targets["a"]["status"] in ("met", "missed")
    assert targets["d"]["status"] in ("met", "missed")
    sim = data["simulate"]
    assert sim["steps"] == 2000 and sim["lrcore_simulate_s"] > 0
    assert sim["torch_over_lrcore"] == pytest.approx(sim["torch_step_s"] / sim["lrcore_simulate_s"])
    assert "simulate (the whole trajectory" in text
    assert set(targets["a"]["values"]) == {"StepLR", "ReduceLROnPlateau"}
    assert targets["b"]["status"] == "not measured"  # (1 and 3 groups only)
    assert set(targets["c"]["values"]) == set(bench.TENSOR_LR_SCHEDULERS)
    machine = data["machine"]
    for key in ("cpu", "logical_cores", "os", "platform", "python", "python_implementation",
                "lrcore", "torch", "numpy", "datetime"):
        assert key in machine
    assert machine["torch"] == torch.__version__
    assert data["options"]["groups"] == [1, 3] and data["options"]["trials"] == 1
    assert data["argv"][1:] == ["bench", *TINY, "--json", str(path)]
    assert data["total_wall_s"] > 0


def test_targets_report_misses_with_values():
    rows = [{"scheduler": "A", "groups": 1, "torch_over_lrcore": 7.0, "lrcore_ns_per_group": 90.0},
            {"scheduler": "B", "groups": 1, "torch_over_lrcore": 2.5, "lrcore_ns_per_group": 80.0},
            {"scheduler": "ReduceLROnPlateau", "groups": 1, "torch_over_lrcore": 3.5,
             "lrcore_ns_per_group": 80.0},
            {"scheduler": "A", "groups": 1000, "torch_over_lrcore": 9.0,
             "lrcore_ns_per_group": 20.0},
            {"scheduler": "B", "groups": 1000, "torch_over_lrcore": 7.5,
             "lrcore_ns_per_group": 30.0},
            {"scheduler": "LambdaLR", "groups": 1000, "torch_over_lrcore": 2.0,
             "lrcore_ns_per_group": 90.0}]
    tensor = [{"scheduler": "StepLR", "groups": 1, "torch_over_lrcore": 5.5}]
    targets = bench.evaluate_targets(rows, tensor, torch_available=True)
    assert [t["status"] for t in targets] == ["missed", "missed", "met", "not measured"]
    # the plateau's own bound (3x), not 6x; LambdaLR calls user Python per group: not in (b)
    assert targets[0]["misses"] == ["B"] and targets[0]["worst"] == 2.5
    assert targets[1]["misses"] == ["B"] and targets[1]["worst"] == 7.5
    assert set(targets[1]["values"]) == {"A", "B"}
    text = "\n".join(bench.format_targets(targets))
    assert "MISSED (worst 2.5x)" in text and "B 2.5x" in text
    assert "MISSED (worst 7.5x)" in text and "B 7.5x" in text
    assert "MET (measured 5.5x)" in text


def test_duck_optimizer_path_without_torch():
    out = io.StringIO()
    results = bench.run([1, 3], ["CyclicLR", "SWALR"], trials=1, sample_ms=0.2, use_torch=False,
                        simulate_steps=1000, out=out)
    text = out.getvalue()
    assert "torch is not available" in text and "duck optimizer" in text
    assert results["torch_available"] is False and results["tensor_lr"] == []
    assert results["machine"]["torch"] is None
    for row in results["results"]:
        assert row["optimizer"] == "DuckOptimizer"
        assert row["torch_us"] is None and row["torch_over_lrcore"] is None
        assert row["lrcore_us"] > 0 and row["python_us"] > 0
    status = {t["target"]: t["status"] for t in results["targets"]}
    assert status == {"a": "not measured", "b": "not measured", "c": "not measured",
                      "d": "not measured"}
    assert results["simulate"]["python_over_lrcore"] > 0


def test_runs_where_torch_cannot_be_imported(tmp_path):
    # A fresh interpreter in which `import torch` fails: lrcore bench must still run.
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules["torch"] = None
        from lrcore.app import cli
        sys.exit(cli.main(["bench", "--groups", "2", "--schedulers", "OneCycleLR",
                           "--trials", "1", "--sample-ms", "0.2", "--simulate-steps", "500",
                           "--json", {str(tmp_path / "b.json")!r}]))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "torch is not available" in out.stdout and "OneCycleLR" in out.stdout
    assert json.loads((tmp_path / "b.json").read_text())["torch_available"] is False


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown scheduler"):
        bench.run([1], ["NoSuchLR"], out=io.StringIO())
    with pytest.raises(SystemExit):
        bench.main(["--groups", "0"])
    with pytest.raises(SystemExit):
        bench.main(["--schedulers", "NoSuchLR"])


def test_plot_writes_png_or_explains(tmp_path):
    results = bench.run([1, 2], ["StepLR", "LinearLR"], trials=1, sample_ms=0.2, use_torch=False,
                        tensor_lr=False, out=io.StringIO())
    path = tmp_path / "bench.png"
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        with pytest.raises(RuntimeError, match="matplotlib"):
            bench.plot(results, str(path))
        return
    bench.plot(results, str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_help():
    for argv in (["-m", "lrcore", "bench", "--help"], [str(WRAPPER), "--help"]):
        out = subprocess.run([sys.executable, *argv], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        for option in ("--groups", "--schedulers", "--trials", "--quick", "--json", "--plot"):
            assert option in out.stdout
    out = subprocess.run([sys.executable, "-m", "lrcore", "--help"], capture_output=True, text=True)
    assert "bench" in out.stdout
