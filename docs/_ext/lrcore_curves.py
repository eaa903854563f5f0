"""Draw a picture of every schedule when the documentation is built.

Each picture is ``lrcore plot``'s: the lrs of ``scheduler.simulate(n)`` charted by
``lrcore.app.chart.render_png``, so what a page shows is what the installed lrcore computes,
and no picture is kept in the repository. The momentum of CyclicLR and OneCycleLR is charted
from stepping the same scheduler, since ``simulate`` returns lrs only.

Pages show them with ``{image} /_generated/curves/NAME.png``; ``/_generated/demo.png`` is
``lrcore demo``'s picture.
"""

from __future__ import annotations

import os
from typing import Any

# name -> (spec as `lrcore plot` takes it, steps or None for the spec's own horizon,
#          metrics for the schedulers stepped with one)
PLATEAU_METRICS = [1.0, 0.8, 0.7] + [0.7] * 12 + [0.6] + [0.6] * 14 + [0.55] * 12
CURVES: dict[str, tuple[str, int | None, list[float] | None]] = {
    "LambdaLR": ("LambdaLR(lr_lambda=lambda e: min(1, (e + 1) / 10) * 0.97 ** e)", 100, None),
    "MultiplicativeLR": ("MultiplicativeLR(lr_lambda=lambda e: 0.95)", 100, None),
    "StepLR": ("StepLR(step_size=30, gamma=0.1)", 100, None),
    "MultiStepLR": ("MultiStepLR(milestones=[30, 80], gamma=0.1)", 100, None),
    "ConstantLR": ("ConstantLR(factor=0.5, total_iters=40)", 100, None),
    "LinearLR": ("LinearLR(start_factor=0.25, total_iters=40)", 100, None),
    "ExponentialLR": ("ExponentialLR(gamma=0.95)", 100, None),
    "PolynomialLR": ("PolynomialLR(total_iters=80, power=2.0)", 100, None),
    "CosineAnnealingLR": ("CosineAnnealingLR(T_max=100, eta_min=0.001)", 100, None),
    "CosineAnnealingWarmRestarts": ("CosineAnnealingWarmRestarts(T_0=10, T_mult=2)", 150, None),
    "CyclicLR": ("CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=20)", 100, None),
    "CyclicLR-triangular2": (
        "CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=20, mode='triangular2')", 160, None),
    "OneCycleLR": ("OneCycleLR(max_lr=0.1, total_steps=100)", None, None),
    "ReduceLROnPlateau": ("ReduceLROnPlateau(mode='min', factor=0.5, patience=5)", None,
                          PLATEAU_METRICS),
    "SequentialLR": ("SequentialLR(schedulers=[LinearLR(start_factor=0.1, total_iters=10), "
                     "CosineAnnealingLR(T_max=90)], milestones=[10])", 100, None),
    "ChainedScheduler": ("ChainedScheduler(schedulers=[ConstantLR(factor=0.1, total_iters=10), "
                         "ExponentialLR(gamma=0.97)])", 100, None),
    "SWALR": ("SWALR(swa_lr=0.05, anneal_epochs=20)", 40, None),
    "WarmupCosineLR": ("WarmupCosineLR(t_initial=100, warmup_steps=10, warmup_lr_init=0.001, "
                       "min_lr_ratio=0.01)", 100, None),
    "WarmupStableDecayLR": ("WarmupStableDecayLR(num_warmup_steps=10, num_decay_steps=30, "
                            "num_training_steps=100, decay_type='1-sqrt')", 100, None),
    "InverseSqrtLR": ("InverseSqrtLR(num_warmup_steps=10)", 100, None),
    "HFScheduleLR": ("HFScheduleLR(schedule='cosine_with_restarts', num_warmup_steps=10, "
                     "num_training_steps=100, num_cycles=3)", 100, None),
    "WarmupLR": ("WarmupLR(CosineAnnealingLR(T_max=100), warmup_steps=10)", 100, None),
    "WarmupLR-plateau": ("WarmupLR(ReduceLROnPlateau(factor=0.5, patience=5), warmup_steps=10)",
                         None, PLATEAU_METRICS),
}
MOMENTUM = ("CyclicLR", "OneCycleLR")


def _momentum(spec: str, steps: int) -> list[float]:
    from lrcore.app import plot

    optimizer = plot.DuckOptimizer(1, 0.1)
    scheduler = plot.build(plot.parse_spec(spec), optimizer)
    momenta = [optimizer.param_groups[0]["momentum"]]
    for _ in range(steps):
        scheduler.step()
        momenta.append(optimizer.param_groups[0]["momentum"])
    return momenta


def draw(out_dir: str) -> list[str]:
    """Draw every picture into ``out_dir``; return the file names."""
    from lrcore.app import chart, plot

    os.makedirs(out_dir, exist_ok=True)
    written = []
    for name, (spec, steps, metrics) in CURVES.items():
        curves = plot.curves_data([spec], steps=steps, metrics=metrics)
        if metrics is not None:
            curves.append(chart.Curve("the metric given to step(metric) (x 0.1)",
                                      [0.1 * m for m in metrics], x0=1))
        path = os.path.join(out_dir, f"{name}.png")
        chart.render_png(curves, path, title=name.split("-")[0],
                         xlabel="step (number of scheduler.step() calls)")
        written.append(path)
        if name in MOMENTUM:
            n = len(curves[0].values) - 1
            path = os.path.join(out_dir, f"{name}-momentum.png")
            chart.render_png([chart.Curve(f"{spec}: momentum", _momentum(spec, n))], path,
                             title=f"{name}: momentum (SGD, momentum=0.9)",
                             xlabel="step (number of scheduler.step() calls)",
                             ylabel="momentum")
            written.append(path)
    return written


def draw_demo(path: str) -> None:
    """``lrcore demo -o path``: the tutorial's three examples, loss above lr."""
    import contextlib
    import io

    from lrcore.app import cli

    os.makedirs(os.path.dirname(path), exist_ok=True)
    with contextlib.redirect_stdout(io.StringIO()):
        status = cli.main(["demo", "-o", path])
    if status != 0:
        raise RuntimeError(f"lrcore demo -o {path} failed with status {status}")


def draw_plot_example(path: str) -> None:
    """The first example of the command-line page, ``lrcore plot A B -o path``."""
    import contextlib
    import io

    from lrcore.app import cli

    with contextlib.redirect_stdout(io.StringIO()):
        status = cli.main(["plot", "OneCycleLR(max_lr=0.1, total_steps=1000)",
                           "CosineAnnealingLR(T_max=1000)", "-o", path])
    if status != 0:
        raise RuntimeError(f"lrcore plot -o {path} failed with status {status}")


def _fmt(value: float | None, spec: str, suffix: str = "") -> str:
    return "—" if value is None else format(value, spec) + suffix


def bench_table(results: dict[str, Any]) -> str:
    """The speed page's table: each scheduler at 1 and 1000 param groups, from a run of
    ``lrcore bench --json``."""
    by_key = {(r["scheduler"], r["groups"]): r for r in results["results"]}
    names = list(dict.fromkeys(r["scheduler"] for r in results["results"]))
    lines = ["| scheduler | 1 group: lrcore µs | torch µs | torch/lrcore "
             "| 1000 groups: lrcore ns/group | torch ns/group | torch/lrcore |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name in names:
        one, many = by_key.get((name, 1)), by_key.get((name, 1000))
        if one is None or many is None:
            continue
        # µs per step at 1000 groups is ns per group
        torch_ns = many["torch_us"]
        lines.append(
            f"| {name} | {_fmt(one['lrcore_us'], '.2f')} | {_fmt(one['torch_us'], '.3f')} "
            f"| {_fmt(one['torch_over_lrcore'], '.1f', 'x')} "
            f"| {_fmt(many['lrcore_ns_per_group'], '.0f')} | {_fmt(torch_ns, '.0f')} "
            f"| {_fmt(many['torch_over_lrcore'], '.1f', 'x')} |")
    machine = results["machine"]
    lines += ["", f"Measured {machine['datetime'][:10]} on {machine['cpu']} "
              f"({machine['logical_cores']} logical cores), {machine['python_implementation']} "
              f"{machine['python']}, torch {machine['torch']}, lrcore {machine['lrcore']}."]
    return "\n".join(lines) + "\n"


def draw_bench(json_path: str, out_dir: str) -> None:
    """The speed page's table and plot, from the committed results of one bench run."""
    import json

    from lrcore.app import bench

    with open(json_path, encoding="utf-8") as f:
        results = json.load(f)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "bench_table.md"), "w", encoding="utf-8") as f:
        f.write(bench_table(results))
    bench.plot(results, os.path.join(out_dir, "bench.png"))


def _on_builder_inited(app: Any) -> None:
    out_dir = os.path.join(app.srcdir, "_generated")
    draw(os.path.join(out_dir, "curves"))
    draw_demo(os.path.join(out_dir, "demo.png"))
    draw_plot_example(os.path.join(out_dir, "plot.png"))
    draw_bench(os.path.join(app.srcdir, "bench.json"), out_dir)


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", _on_builder_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
