"""The ``lrcore`` command (also ``python -m lrcore``).

Every bad argument or spec ends the command with one line on stderr (``lrcore plot: ...``) and
exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from typing import Any, NoReturn, Sequence, TextIO

DEMO_PNG = "lrcore-demo.png"
PLOT_PNG = "lrcore-plot.png"


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is one line (no usage block): ``prog: message``, status 2.

    Subparsers are made with the parent's class, so this covers every subcommand."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


class _PipeSafe:
    """stdout for `lrcore demo | head`: once the reader has gone, further output is dropped
    (stdout is pointed at /dev/null so the interpreter's final flush is quiet too)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._closed = False

    def _gone(self) -> None:
        self._closed = True
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), self._stream.fileno())
        except (OSError, ValueError):  # pragma: no cover - not a real file descriptor
            pass

    def write(self, text: str) -> int:
        if not self._closed:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._gone()
        return len(text)

    def flush(self) -> None:
        if not self._closed:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._gone()


def _add_chart_options(parser: argparse.ArgumentParser, default_png: str,
                       log: bool = True) -> None:
    parser.add_argument("-o", "--output", metavar="PATH",
                        help=f"the PNG to write (needs matplotlib; default {default_png} when "
                             "matplotlib is installed, else a chart in the terminal)")
    parser.add_argument("--ascii", action="store_true",
                        help="draw the chart in the terminal (plain ASCII) instead of a PNG "
                             "(with -o, both)")
    if log:
        parser.add_argument("--log", action="store_true", help="log-scale lr axis")


def _build_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = _Parser(
        prog="lrcore", description="lrcore: torch.optim.lr_scheduler computed by a C++ core.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--cmakedir", action="store_true",
                        help="print the directory to pass as lrcore_DIR to find_package(lrcore) "
                             "and exit")
    parser.add_argument("--includedir", action="store_true",
                        help="print the directory holding the C++ headers and exit")
    sub = parser.add_subparsers(dest="command")

    demo = sub.add_parser(
        "demo",
        help="train a small model with the tutorial's three schedules, print and chart them",
        description="The tutorial's three worked examples (StepLR, ReduceLROnPlateau, "
                    "CosineAnnealingLR), each training a linear regression model by mini-batch "
                    "SGD/Adam for --epochs epochs: prints epoch, train/validation loss and lr, "
                    f"then charts each example's validation loss above its lr ({DEMO_PNG} with "
                    "matplotlib; in the terminal, the lr curves).")
    demo.add_argument("--epochs", type=int, default=100, help="epochs per example (default 100)")
    demo.add_argument("--torch", action="store_true",
                      help="train a torch model (torch.nn.Linear, torch.optim.SGD/Adam) instead "
                           "of the numpy one; needs torch")
    _add_chart_options(demo, DEMO_PNG, log=False)  # always log: the lrs span 0.1 to 1e-8
    demo.add_argument("--no-plot", action="store_true", help="print only, no chart")

    plot = sub.add_parser(
        "plot", help="chart the lr curves of scheduler specs, e.g. 'OneCycleLR(max_lr=0.1, "
                     "total_steps=1000)'",
        description=textwrap.fill(
            "Chart lr against step for one or more scheduler specs, computed with "
            "scheduler.simulate() on an SGD-like optimizer with momentum. A spec is a "
            "scheduler class exported by lrcore with its arguments but without the "
            "optimizer; arguments are Python literals (parsed, not evaluated), nested "
            "specs for SequentialLR/ChainedScheduler, or a simple lambda for "
            "LambdaLR/MultiplicativeLR. ReduceLROnPlateau needs --metrics.", 79),
        epilog="examples:\n"
               "  lrcore plot 'OneCycleLR(max_lr=0.1, total_steps=1000)' "
               "'CosineAnnealingLR(T_max=1000)' -o curves.png\n"
               "  lrcore plot 'StepLR(step_size=30, gamma=0.1)' --steps 100 --ascii\n"
               "  lrcore plot 'SequentialLR(schedulers=[LinearLR(start_factor=0.1, "
               "total_iters=10), CosineAnnealingLR(T_max=90)], milestones=[10])'\n"
               "  lrcore plot 'LambdaLR(lr_lambda=lambda e: 0.95 ** e)' --groups 2\n"
               "  lrcore plot 'ReduceLROnPlateau(patience=1)' --metrics 1,0.9,0.9,0.9,0.9",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    plot.add_argument("specs", nargs="+", metavar="SPEC", help="a scheduler spec, e.g. "
                      "'StepLR(step_size=30, gamma=0.1)'")
    plot.add_argument("--steps", type=int, metavar="N",
                      help="steps to simulate (default: from the specs: total_steps, T_max, "
                           "two cycles, ...; else 100)")
    plot.add_argument("--lr", type=float, default=0.1,
                      help="the optimizer's lr (default 0.1); group g starts at lr/(g+1)")
    plot.add_argument("--key", default="lr", metavar="FIELD",
                      help="the param-group field the schedulers drive, e.g. weight_decay or "
                           "'betas[1]' (default lr); it starts at --lr")
    plot.add_argument("--groups", type=int, default=1, metavar="G",
                      help="param groups, one curve each (default 1)")
    plot.add_argument("--metrics", metavar="VALUES",
                      help="for ReduceLROnPlateau: the metric of each step, e.g. 1,0.9,0.9,0.9")
    _add_chart_options(plot, PLOT_PNG)

    from . import bench as bench_module

    bench = sub.add_parser(
        "bench", help="time scheduler.step(): lrcore vs torch vs the pure-Python references",
        description=bench_module.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    bench_module.add_arguments(bench)
    return parser, {"demo": demo, "plot": plot, "bench": bench}


def _chart(parser: argparse.ArgumentParser, args: argparse.Namespace, curves: Any,
           out: Any, default_png: str, draw_png: Any = None, **chart: Any) -> None:
    """Write the PNG and/or the terminal chart that the options ask for.

    ``draw_png(path)`` draws the PNG when the picture is more than ``curves`` (the demo's
    loss and lr panels); the terminal chart is always ``curves``."""
    from . import chart as chart_module

    png = args.output if args.output else (None if args.ascii else default_png)
    if png and not chart_module.have_matplotlib():
        if args.output:  # asked for by name: checked before any work, see _check_png
            parser.error(f"-o needs matplotlib, which is not installed: "
                         f"{chart_module.INSTALL_HINT}, or use --ascii")
        png = None
        print(chart_module.render_text(curves, **chart), file=out, end="")
        print(f"({default_png} not written: a PNG needs matplotlib, "
              f"{chart_module.INSTALL_HINT})", file=out)
        return
    if args.ascii:
        print(chart_module.render_text(curves, **chart), file=out, end="")
    if png:
        try:
            if draw_png is not None:
                draw_png(png)
            else:
                chart_module.render_png(curves, png, **chart)
        except (OSError, ValueError) as error:  # no such directory, unknown extension, ...
            reason = getattr(error, "strerror", None) or error
            if args.output:
                parser.error(f"cannot write {png}: {reason}")
            # the default file in a read-only directory: the chart still gets shown
            if not args.ascii:
                print(chart_module.render_text(curves, **chart), file=out, end="")
            print(f"({png} not written: {reason})", file=out)
            return
        print(f"wrote {png}", file=out)


def _check_png(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Fail before the work, not after it, when -o names a PNG that cannot be drawn."""
    from .chart import INSTALL_HINT, have_matplotlib

    if args.output and not have_matplotlib():
        parser.error(f"-o needs matplotlib, which is not installed: {INSTALL_HINT}, "
                     "or use --ascii")
    if args.output:
        directory = os.path.dirname(os.path.abspath(args.output))
        if not os.path.isdir(directory):
            parser.error(f"cannot write {args.output}: no directory {directory}")


def _demo(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.epochs <= 0:
        parser.error(f"--epochs must be a positive integer, got {args.epochs}")
    if args.no_plot and (args.output or args.ascii):
        parser.error("--no-plot cannot be combined with -o/--ascii")
    if not args.no_plot:
        _check_png(parser, args)
    from . import demo as demo_module

    if args.torch and not demo_module.have_torch():
        parser.error("--torch needs torch, which is not installed (pip install torch); "
                     "without --torch the demo trains a numpy model")
    out = _PipeSafe(sys.stdout)
    val_losses: dict[str, list[float]] = {}
    curves = demo_module.run(out, epochs=args.epochs, use_torch=args.torch,
                             val_losses=val_losses)
    if not args.no_plot:
        from .chart import Curve, Panel, render_png_panels

        # legend: "StepLR(step_size=10, gamma=0.5), SGD lr=0.1" (the title less "Example 1: ")
        data = [Curve(t.split(": ", 1)[-1], lrs, x0=1) for t, lrs in curves.items()]
        losses = [Curve(t.split(": ", 1)[-1], val_losses[t], x0=1) for t in curves]
        title = (f"lrcore demo: the tutorial's three examples ({args.epochs} epochs"
                 f"{', torch model' if args.torch else ', numpy model'})")

        def draw_png(path: str) -> None:
            # the loss on top, the lr below on the same epochs: where a schedule drops the lr,
            # the reader sees what the loss did next
            render_png_panels([Panel(losses, "validation loss", logy=True, held=False),
                               Panel(data, "learning rate", logy=True)], path,
                              title=title, xlabel="epoch")

        _chart(parser, args, data, out, DEMO_PNG, draw_png=draw_png, xlabel="epoch",
               logy=True, title=title)
    out.flush()
    return 0


def _plot(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from . import plot as plot_module

    try:
        metrics = None if args.metrics is None else plot_module.parse_metrics(args.metrics)
        _check_png(parser, args)
        curves = plot_module.curves_data(args.specs, steps=args.steps, groups=args.groups,
                                         lr=args.lr, metrics=metrics, key=args.key)
        if args.log and any(float(v) <= 0 for c in curves for v in c.values):
            raise plot_module.SpecError("--log needs positive lrs; a curve reaches 0 or below "
                                        "(try eta_min > 0, or drop --log)")
    except plot_module.SpecError as error:
        parser.error(str(error))
    if args.key == "lr":
        title = f"lrcore plot: lr per step (optimizer lr {args.lr:g}" + (
            f", {args.groups} param groups starting at lr/(g+1))" if args.groups > 1 else ")")
    else:
        title = f"lrcore plot: {args.key} per step (starting at {args.lr:g}" + (
            f", {args.groups} param groups starting at {args.lr:g}/(g+1))" if args.groups > 1
            else ")")
    out = _PipeSafe(sys.stdout)
    _chart(parser, args, curves, out, PLOT_PNG, xlabel="step", logy=args.log, title=title,
           **({} if args.key == "lr" else {"ylabel": args.key}))
    out.flush()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser, subparsers = _build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command == "plot":  # specs after an option: lrcore plot A --steps 10 B
        args.specs += [e for e in extra if not e.startswith("-")]
        extra = [e for e in extra if e.startswith("-")]
    if extra:
        subparsers.get(args.command, parser).error(f"unrecognized arguments: {' '.join(extra)}")

    if args.version:
        from .. import __version__

        print(__version__)
        return 0
    if args.cmakedir or args.includedir:
        from .. import get_cmake_dir, get_include

        path = get_cmake_dir() if args.cmakedir else get_include()
        if not os.path.isdir(path):
            print(f"lrcore: {path} does not exist: the C++ headers and CMake package come with "
                  "an installed lrcore (pip install .), not with a source checkout",
                  file=sys.stderr)
            return 1
        print(path)
        return 0
    if args.command == "demo":
        return _demo(subparsers["demo"], args)
    if args.command == "plot":
        return _plot(subparsers["plot"], args)
    if args.command == "bench":
        from . import bench as bench_module

        try:
            return bench_module.run_from_args(subparsers["bench"], args, argv)
        except BrokenPipeError:  # `lrcore bench | head`, as for demo
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    parser.print_help()
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
