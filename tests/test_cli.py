"""The ``lrcore`` command: ``lrcore demo`` and ``lrcore plot`` (PNG and terminal charts), and
its errors (one line on stderr, status 2, no traceback).

The PNG tests need matplotlib (in the ``test`` extra); the terminal-chart path is tested by
hiding matplotlib from a subprocess (``sys.modules['matplotlib'] = None``).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

import numpy as np
import pytest

import lrcore
from lrcore import lr_scheduler as LLR
from lrcore.app import chart, demo, plot
from lrcore.app.cli import main
from lrcore.swa_utils import SWALR

LRCORE_PATH = os.path.dirname(os.path.dirname(os.path.abspath(lrcore.__file__)))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run_cli(args: list[str], cwd: str, hide: tuple[str, ...] = (),
            stdin_text: str | None = None) -> subprocess.CompletedProcess:
    """``lrcore ARGS`` in a subprocess, with the modules in ``hide`` made unimportable."""
    code = ("import sys\n"
            f"for name in {list(hide)!r}: sys.modules[name] = None\n"
            "from lrcore.app.cli import main\n"
            f"sys.exit(main({args!r}))\n")
    env = dict(os.environ, PYTHONPATH=LRCORE_PATH)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=cwd, env=env, input=stdin_text, timeout=300)


def assert_png(path) -> None:
    with open(path, "rb") as f:
        assert f.read(8) == PNG_SIGNATURE
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.image

    image = matplotlib.image.imread(str(path))
    assert image.ndim == 3 and image.shape[0] > 300 and image.shape[1] > 600


def assert_one_line_error(err: str, prefix: str) -> None:
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(prefix), err


# --------------------------------------------------------------------------------- demo


def test_demo_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    out = run_cli(["demo", "--epochs", "12"], cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    assert "Example 1: StepLR" in out.stdout and "lr 0.05" in out.stdout
    assert "wrote lrcore-demo.png" in out.stdout
    assert_png(tmp_path / "lrcore-demo.png")
    # two panels on one epoch axis, the validation loss above the lr: taller than a one-panel
    # chart (9 x 5.2 inches), whose height is 0.58 of its width
    import matplotlib.image

    height, width = matplotlib.image.imread(str(tmp_path / "lrcore-demo.png")).shape[:2]
    assert height > 0.75 * width
    out = run_cli(["demo", "--epochs", "5", "-o", "sub.png"], cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert_png(tmp_path / "sub.png")


def test_demo_draws_in_the_terminal_without_matplotlib(tmp_path):
    out = run_cli(["demo", "--epochs", "30"], cwd=str(tmp_path), hide=("matplotlib",))
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    chart_text = out.stdout[out.stdout.index("lrcore demo: the tutorial's three examples"):]
    assert "learning rate (log scale)" in chart_text and "epoch" in chart_text
    for marker, name in zip(chart.MARKERS, ("StepLR", "ReduceLROnPlateau", "CosineAnnealingLR")):
        assert f"  {marker} {name}(" in chart_text
    assert "lrcore-demo.png not written: a PNG needs matplotlib" in chart_text
    assert "pip install" in chart_text
    assert not (tmp_path / "lrcore-demo.png").exists()


def test_demo_ascii_and_no_plot(tmp_path):
    out = run_cli(["demo", "--epochs", "5", "--ascii"], cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "learning rate (log scale)" in out.stdout
    assert not (tmp_path / "lrcore-demo.png").exists()
    out = run_cli(["demo", "--epochs", "5", "--no-plot"], cwd=str(tmp_path),
                  hide=("matplotlib",))
    assert out.returncode == 0, out.stderr
    assert "learning rate" not in out.stdout and "matplotlib" not in out.stdout
    assert os.listdir(tmp_path) == []


def test_demo_charts_in_the_terminal_when_its_png_cannot_be_written(tmp_path):
    pytest.importorskip("matplotlib")
    (tmp_path / "lrcore-demo.png").mkdir()  # in the way, whoever runs the test (root too)
    out = run_cli(["demo", "--epochs", "3"], cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "learning rate (log scale)" in out.stdout
    assert "(lrcore-demo.png not written: Is a directory)" in out.stdout
    out = run_cli(["demo", "--epochs", "3", "-o", "lrcore-demo.png"], cwd=str(tmp_path))
    assert out.returncode == 2  # a file named by -o is not optional
    assert_one_line_error(out.stderr, "lrcore demo: cannot write lrcore-demo.png: Is a directory")


def test_demo_output_without_matplotlib_fails_before_training(tmp_path):
    out = run_cli(["demo", "-o", "x.png"], cwd=str(tmp_path), hide=("matplotlib",))
    assert out.returncode == 2
    assert out.stdout == ""
    assert_one_line_error(out.stderr, "lrcore demo: -o needs matplotlib")
    assert "lrcore[bench]" in out.stderr and "--ascii" in out.stderr


def test_demo_into_a_closed_pipe_is_quiet(tmp_path):
    env = dict(os.environ, PYTHONPATH=LRCORE_PATH)
    proc = subprocess.Popen([sys.executable, "-m", "lrcore", "demo", "--ascii"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(tmp_path),
                            env=env)
    first = proc.stdout.readline()
    proc.stdout.close()  # `| head -1`
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=300) == 0
    assert first.startswith(b"Example 1") and err == b""


def test_demo_torch_trains_a_torch_model_with_the_same_schedules():
    pytest.importorskip("torch")
    data = demo.make_data()
    for example in (demo.EXAMPLES[0], demo.EXAMPLES[2]):
        numpy_lrs = demo.train(example, data, epochs=12)
        torch_lrs = demo.train(example, data, epochs=12, use_torch=True)
        assert torch_lrs == numpy_lrs and torch_lrs[0] == example.lr
    # the same float64 model and batches: the losses ReduceLROnPlateau sees agree closely
    log_numpy, log_torch = io.StringIO(), io.StringIO()
    demo.train(demo.EXAMPLES[1], data, epochs=3, every=1, out=log_numpy)
    demo.train(demo.EXAMPLES[1], data, epochs=3, every=1, out=log_torch, use_torch=True)
    assert log_torch.getvalue() == log_numpy.getvalue()


def test_demo_torch_command(tmp_path):
    pytest.importorskip("torch")
    out = run_cli(["demo", "--torch", "--epochs", "3", "--no-plot"], cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "torch.optim.SGD lr=0.1" in out.stdout and "torch.optim.Adam" in out.stdout


def test_demo_torch_without_torch_is_one_line(tmp_path):
    out = run_cli(["demo", "--torch"], cwd=str(tmp_path), hide=("torch",))
    assert out.returncode == 2 and out.stdout == ""
    assert_one_line_error(out.stderr, "lrcore demo: --torch needs torch")


# --------------------------------------------------------------------------------- plot data


def _direct(make, groups=1, lr=0.1, steps=None, metrics=None):
    opt = plot.DuckOptimizer(groups, lr)
    scheduler = make(opt)
    if metrics is not None:
        return scheduler.simulate(metrics=metrics)
    return scheduler.simulate(steps)


DATA_CASES = [
    ("OneCycleLR(max_lr=0.1, total_steps=1000)", None,
     lambda o: LLR.OneCycleLR(o, max_lr=0.1, total_steps=1000), 999),
    ("CosineAnnealingLR(T_max=1000)", None, lambda o: LLR.CosineAnnealingLR(o, T_max=1000), 1000),
    ("CosineAnnealingLR(50, 0.001)", 70, lambda o: LLR.CosineAnnealingLR(o, 50, 0.001), 70),
    ("CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=20)", None,
     lambda o: LLR.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=20), 80),
    ("StepLR(step_size=30, gamma=0.1)", None, lambda o: LLR.StepLR(o, 30, 0.1), 150),
    ("ExponentialLR(gamma=0.9)", None, lambda o: LLR.ExponentialLR(o, 0.9), 100),
    ("MultiStepLR(milestones=[30, 80])", None, lambda o: LLR.MultiStepLR(o, [30, 80]), 100),
    ("LinearLR(start_factor=0.1, total_iters=8)", None,
     lambda o: LLR.LinearLR(o, start_factor=0.1, total_iters=8), 10),
    ("SWALR(swa_lr=0.01, anneal_epochs=5, anneal_strategy='linear')", None,
     lambda o: SWALR(o, swa_lr=0.01, anneal_epochs=5, anneal_strategy="linear"), 10),
    ("CosineAnnealingWarmRestarts(T_0=10, T_mult=2)", None,
     lambda o: LLR.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2), 70),
    ("LambdaLR(lr_lambda=lambda e: min(1.0, (e + 1) / 5) * 0.9 ** e)", 40,
     lambda o: LLR.LambdaLR(o, lambda e: min(1.0, (e + 1) / 5) * 0.9 ** e), 40),
    ("MultiplicativeLR(lambda epoch: 0.95 if epoch < 10 else 1.0)", 30,
     lambda o: LLR.MultiplicativeLR(o, lambda epoch: 0.95 if epoch < 10 else 1.0), 30),
    ("SequentialLR(schedulers=[LinearLR(start_factor=0.1, total_iters=10), "
     "CosineAnnealingLR(T_max=90)], milestones=[10])", None,
     lambda o: LLR.SequentialLR(o, [LLR.LinearLR(o, start_factor=0.1, total_iters=10),
                                    LLR.CosineAnnealingLR(o, T_max=90)], milestones=[10]), 100),
    ("ChainedScheduler([ConstantLR(factor=0.5, total_iters=20), ExponentialLR(gamma=0.98)])",
     None, lambda o: LLR.ChainedScheduler([LLR.ConstantLR(o, factor=0.5, total_iters=20),
                                           LLR.ExponentialLR(o, gamma=0.98)]), 25),
    ("WarmupLR(CosineAnnealingLR(T_max=200), warmup_steps=30)", None,
     lambda o: lrcore.WarmupLR(LLR.CosineAnnealingLR(o, T_max=200), warmup_steps=30), 200),
    ("WarmupLR(CosineAnnealingLR(T_max=200), 30, 0.1, 'cosine', prefix=True)", None,
     lambda o: lrcore.WarmupLR(LLR.CosineAnnealingLR(o, T_max=200), 30, 0.1, "cosine",
                               prefix=True), 230),
    ("WarmupLR(scheduler=ExponentialLR(0.99), warmup_steps=80)", None,
     lambda o: lrcore.WarmupLR(LLR.ExponentialLR(o, 0.99), warmup_steps=80), 160),
]


@pytest.mark.parametrize("groups", [1, 3])
@pytest.mark.parametrize("spec, steps, make, expected_steps", DATA_CASES,
                         ids=[c[0].split("(")[0] + str(i) for i, c in enumerate(DATA_CASES)])
def test_plotted_values_equal_simulate(spec, steps, make, expected_steps, groups):
    curves = plot.curves_data([spec], steps=steps, groups=groups, lr=0.2)
    expected = _direct(make, groups=groups, lr=0.2, steps=expected_steps)
    assert len(curves) == groups
    assert expected.shape == (expected_steps + 1, groups)
    for g, curve in enumerate(curves):
        assert np.array_equal(np.asarray(curve.values), expected[:, g])  # exact
        assert curve.label == (spec if groups == 1 else f"{spec} [group {g}]")
        assert curve.x0 == 0


def test_plot_data_several_specs_share_the_longest_horizon():
    curves = plot.curves_data(["OneCycleLR(max_lr=0.1, total_steps=500)",
                               "CosineAnnealingLR(T_max=1000)", "ExponentialLR(0.99)"])
    assert [len(c.values) for c in curves] == [500, 1001, 1001]  # OneCycleLR ends where it must
    curves = plot.curves_data(["ExponentialLR(0.99)"])
    assert len(curves[0].values) == plot.DEFAULT_STEPS + 1


def test_plot_data_reduce_lr_on_plateau_takes_metrics():
    metrics = [1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8]
    curves = plot.curves_data(["ReduceLROnPlateau(patience=2, factor=0.5)",
                               "StepLR(step_size=3)"], metrics=metrics, groups=2)
    expected = _direct(lambda o: LLR.ReduceLROnPlateau(o, patience=2, factor=0.5), groups=2,
                       metrics=metrics)
    assert np.array_equal(np.asarray(curves[0].values), expected[:, 0])
    assert np.array_equal(np.asarray(curves[1].values), expected[:, 1])
    assert min(curves[0].values) < 0.1
    assert plot.parse_metrics("1, 0.9 0.8,") == [1.0, 0.9, 0.8]


def test_plot_data_composites_holding_a_plateau_take_metrics():
    metrics = [2.0, 1.5, 1.0, 1.0, 1.0, 1.0, 0.9, 0.9, 0.9, 0.9]
    spec = ("SequentialLR([LinearLR(start_factor=0.5, total_iters=2), "
            "ReduceLROnPlateau(patience=1, factor=0.5)], milestones=[2])")
    curves = plot.curves_data([spec, "WarmupLR(ReduceLROnPlateau(patience=0), 3)"],
                              metrics=metrics)
    expected = _direct(lambda o: LLR.SequentialLR(o, [
        LLR.LinearLR(o, start_factor=0.5, total_iters=2),
        LLR.ReduceLROnPlateau(o, patience=1, factor=0.5)], milestones=[2]), metrics=metrics)
    assert np.array_equal(np.asarray(curves[0].values), expected[:, 0])
    expected = _direct(lambda o: lrcore.WarmupLR(LLR.ReduceLROnPlateau(o, patience=0), 3),
                       metrics=metrics)
    assert np.array_equal(np.asarray(curves[1].values), expected[:, 0])
    with pytest.raises(plot.SpecError, match="needs --metrics"):
        plot.curves_data([spec])


def test_duck_optimizer_groups():
    opt = plot.DuckOptimizer(3, lr=0.6)
    assert [g["lr"] for g in opt.param_groups] == [0.6 / 1, 0.6 / 2, 0.6 / 3]
    assert all(g["momentum"] == 0.9 for g in opt.param_groups)


def test_every_exported_scheduler_can_be_named():
    classes = plot.scheduler_classes()
    for name in lrcore.__all__:
        obj = getattr(lrcore, name)
        if isinstance(obj, type) and name != "LRScheduler" and (
                issubclass(obj, LLR.LRScheduler) or name == "ReduceLROnPlateau"):
            assert classes[name] is obj
    assert "LRScheduler" not in classes and "_LRScheduler" not in classes


def test_specs_are_parsed_not_evaluated(tmp_path):
    marker = tmp_path / "ran"
    attacks = [f"StepLR(step_size=open({str(marker)!r}, 'w'))",
               f"LambdaLR(lambda e: open({str(marker)!r}, 'w'))",
               "LambdaLR(lambda e: e.__class__)", "LambdaLR(lambda e: [x for x in ()])",
               "LambdaLR(lambda e: 'a')", "LambdaLR(lambda e, f: 1)",
               "StepLR(__import__('os').getpid())"]
    for spec in attacks:
        with pytest.raises(plot.SpecError):
            plot.curves_data([spec])
    assert not marker.exists()


# --------------------------------------------------------------------------------- plot CLI


def test_plot_several_specs_to_png(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / "curves.png"
    assert main(["plot", "OneCycleLR(max_lr=0.1, total_steps=1000)",
                 "CosineAnnealingLR(T_max=1000)", "-o", str(path)]) == 0
    assert capsys.readouterr().out == f"wrote {path}\n"
    assert_png(path)
    path2 = tmp_path / "groups.png"
    assert main(["plot", "StepLR(step_size=10)", "--groups", "3", "--lr", "0.5", "--log",
                 "-o", str(path2), "--ascii"]) == 0
    out = capsys.readouterr().out
    assert "StepLR(step_size=10) [group 2]" in out and f"wrote {path2}" in out
    assert_png(path2)


def test_plot_ascii(capsys):
    assert main(["plot", "CosineAnnealingLR(T_max=100)", "--ascii", "StepLR(30, 0.5)",
                 "--steps", "120"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("lrcore plot: lr per step")
    assert "learning rate" in lines[1]
    assert "  * CosineAnnealingLR(T_max=100)" in out and "  o StepLR(30, 0.5)" in out
    assert "step" in out and "120" in out
    plot_rows = [line for line in lines if "|" in line or line.lstrip().startswith(("0", "0.1"))]
    assert any("*" in row for row in plot_rows) and any("o" in row for row in plot_rows)


def test_plot_without_matplotlib(tmp_path):
    out = run_cli(["plot", "StepLR(step_size=3)", "-o", "x.png"], cwd=str(tmp_path),
                  hide=("matplotlib",))
    assert out.returncode == 2 and out.stdout == ""
    assert_one_line_error(out.stderr, "lrcore plot: -o needs matplotlib")
    assert "pip install 'lrcore[bench]'" in out.stderr and "--ascii" in out.stderr
    out = run_cli(["plot", "StepLR(step_size=3)"], cwd=str(tmp_path), hide=("matplotlib",))
    assert out.returncode == 0, out.stderr
    assert "  * StepLR(step_size=3)" in out.stdout
    assert "lrcore-plot.png not written: a PNG needs matplotlib" in out.stdout
    assert os.listdir(tmp_path) == []


def test_plot_default_png(tmp_path):
    pytest.importorskip("matplotlib")
    out = run_cli(["plot", "StepLR(step_size=3)"], cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert out.stdout == "wrote lrcore-plot.png\n"
    assert_png(tmp_path / "lrcore-plot.png")


# --------------------------------------------------------------------------------- errors

ERRORS = [
    (["plot", "FooLR(x=1)"], "lrcore plot: unknown scheduler 'FooLR' (choose from "),
    (["plot", "CosineAnnealingLR()"], "lrcore plot: CosineAnnealingLR(): "),
    (["plot", "StepLR(step_size=3"], "lrcore plot: 'StepLR(step_size=3' is not a scheduler spec"),
    (["plot", "1 + 2"], "lrcore plot: '1 + 2' is not a scheduler spec"),
    (["plot", "StepLR(step_size=x)"], "lrcore plot: StepLR(step_size=x): 'x' is not a literal"),
    (["plot", "StepLR(**{'step_size': 3})"], "lrcore plot: StepLR(**{'step_size': 3}): * and **"),
    (["plot", "StepLR(3, optimizer=None)"], "lrcore plot: StepLR(3, optimizer=None): leave the"),
    (["plot", "StepLR(step_size=3, gamma='a')"], "lrcore plot: StepLR(step_size=3, gamma='a'): "),
    (["plot", "CyclicLR(base_lr=0.1, max_lr=0.2, mode='bogus')"],
     "lrcore plot: CyclicLR(base_lr=0.1, max_lr=0.2, mode='bogus'): mode is invalid"),
    (["plot", "OneCycleLR(max_lr=0.1)"], "lrcore plot: OneCycleLR(max_lr=0.1): You must define"),
    (["plot", "OneCycleLR(max_lr=0.1, total_steps=10)", "--steps", "20"],
     "lrcore plot: OneCycleLR(max_lr=0.1, total_steps=10): Tried to step"),
    (["plot", "LambdaLR(lambda e: 1 / (e - 3))"],
     "lrcore plot: LambdaLR(lambda e: 1 / (e - 3)): ZeroDivisionError: division by zero"),
    (["plot", "LambdaLR(lambda e: foo(e))"], "lrcore plot: LambdaLR(lambda e: foo(e)): "),
    (["plot", "ReduceLROnPlateau()"], "lrcore plot: ReduceLROnPlateau(): ReduceLROnPlateau needs"
                                      " --metrics"),
    (["plot", "ReduceLROnPlateau()", "--metrics", "1,a"], "lrcore plot: --metrics: '1,a'"),
    (["plot", "StepLR(3)", "--metrics", "1"], "lrcore plot: --metrics is for specs holding a"),
    (["plot", "WarmupLR(StepLR(3), warmup_steps=-1)"],
     "lrcore plot: WarmupLR(StepLR(3), warmup_steps=-1): warmup_steps must be >= 0"),
    (["plot", "WarmupLR(StepLR(3), 5, optimizer=None)"], "lrcore plot: WarmupLR(StepLR(3), 5, "
                                                         "optimizer=None): leave the optimizer"),
    (["plot", "ChainedScheduler([WarmupLR(StepLR(3), 5), ExponentialLR(0.9)])"],
     "lrcore plot: ChainedScheduler([WarmupLR(StepLR(3), 5), ExponentialLR(0.9)]): "
     "ChainedScheduler cannot chain a WarmupLR"),
    (["plot", "StepLR(3)", "--steps", "0"], "lrcore plot: --steps must be a positive integer"),
    (["plot", "StepLR(3)", "--steps", "100000000"], "lrcore plot: --steps must be a positive"),
    (["plot", "StepLR(" * 200], "lrcore plot: "),
    (["plot", "StepLR(\0)"], "lrcore plot: "),
    (["plot", "StepLR(step_size=10**400)"], "lrcore plot: StepLR(step_size=10**400): "),
    (["plot", "StepLR(step_size=" + "9" * 40 + ")"], "lrcore plot: StepLR(step_size=999"),
    (["plot", "StepLR(3)", "--steps", "ten"], "lrcore plot: argument --steps: invalid int"),
    (["plot", "StepLR(3)", "--groups", "0"], "lrcore plot: --groups must be a positive integer"),
    (["plot", "StepLR(3)", "--lr", "-1"], "lrcore plot: --lr must be a positive number"),
    (["plot", "StepLR(3)", "--lr", "nan"], "lrcore plot: --lr must be a positive number"),
    (["plot", "CosineAnnealingLR(T_max=10)", "--log", "--ascii"], "lrcore plot: --log needs"),
    (["plot", "StepLR(3)", "-o", "/nonexistent-dir/x.png"], "lrcore plot: cannot write"),
    pytest.param(["plot", "StepLR(3)", "-o", "x.unknown-format"],
                 "lrcore plot: cannot write x.unknown-format: ", id="plot -o x.unknown-format",
                 marks=pytest.mark.skipif(not chart.have_matplotlib(), reason="no matplotlib")),
    (["plot", "StepLR(3)", "--bogus"], "lrcore plot: unrecognized arguments: --bogus"),
    (["plot"], "lrcore plot: the following arguments are required: SPEC"),
    (["demo", "--epochs", "0"], "lrcore demo: --epochs must be a positive integer"),
    (["demo", "--epochs", "x"], "lrcore demo: argument --epochs: invalid int value"),
    (["demo", "--no-plot", "--ascii"], "lrcore demo: --no-plot cannot be combined"),
    (["bench", "--groups", "0"], "lrcore bench: --groups must be positive integers"),
    (["frobnicate"], "lrcore: argument command: invalid choice: 'frobnicate'"),
]


@pytest.mark.parametrize("argv, prefix", ERRORS,
                         ids=[" ".join(e[0])[:60] if type(e) is tuple else None
                              for e in ERRORS])
def test_errors_are_one_line_and_status_2(argv, prefix, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert_one_line_error(captured.err, prefix)


def test_errors_in_a_real_process_have_no_traceback(tmp_path):
    for argv, prefix in ERRORS[:3] + [ERRORS[11]]:
        out = run_cli(argv, cwd=str(tmp_path))
        assert out.returncode == 2 and out.stdout == ""
        assert_one_line_error(out.stderr, prefix)


# --------------------------------------------------------------------------------- renderer


def test_text_chart_layout():
    text = chart.render_text([chart.Curve("down", [1.0, 0.5, 0.0]),
                              chart.Curve("flat", [0.25, 0.25, 0.25])],
                             title="T", xlabel="epoch", width=20, height=5)
    lines = text.splitlines()
    assert lines[0] == "T" and "learning rate" in lines[1]
    # 3 points over 20 columns: each value holds until the next, a drop is a vertical line
    assert lines[2:7] == ["  1 +***********",
                          "    |          *",
                          "0.5 +          **********",
                          "    |oooooooooooooooooooo",  # 0.25: drawn after (over) "down"
                          "  0 +                   *"]
    assert lines[7] == "    +" + "-" * 20
    assert lines[8] == "     0         1        2"
    assert lines[9].strip() == "epoch"
    assert lines[10:] == ["     * down", "     o flat"]


def test_text_chart_errors():
    with pytest.raises(ValueError, match="positive"):
        chart.render_text([chart.Curve("c", [1.0, 0.0])], logy=True)
    with pytest.raises(ValueError, match="nothing"):
        chart.render_text([chart.Curve("c", [])])
    flat = chart.render_text([chart.Curve("c", [0.1] * 5)], width=10, height=3)
    assert "*" * 10 in flat
