"""Line charts of lr curves, shared by ``lrcore demo`` and ``lrcore plot``.

Two renderers over the same data: :func:`render_png` (matplotlib, imported only when called)
and :func:`render_text` (plain ASCII, any terminal). A curve is a label and a sequence of y
values, one per x = ``x0``, ``x0 + 1``, ...
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from numpy.typing import NDArray

MARKERS = "*o+x#@%&=~"
INSTALL_HINT = "pip install matplotlib (or pip install 'lrcore[bench]')"


@dataclass
class Curve:
    label: str
    values: Sequence[float] | NDArray[np.float64]
    x0: int = 0  # the x of values[0]


def have_matplotlib() -> bool:
    """Whether matplotlib can be imported (``sys.modules['matplotlib'] = None`` counts as no)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _fmt_tick(value: float) -> str:
    return format(value, ".3g")


def render_text(curves: Sequence[Curve], *, title: str = "", xlabel: str = "step",
                ylabel: str = "learning rate", logy: bool = False, width: int = 60,
                height: int = 15) -> str:
    """An ASCII line chart: ``width`` x ``height`` plot cells, y ticks on the left, x ticks and
    ``xlabel`` below, one marker character per curve and a legend naming them.

    Each column shows the range of values that fall in it (so an oscillation too fast for the
    resolution shows as a band) joined to the previous column (so a step down is a vertical
    line). Later curves are drawn over earlier ones.
    """
    if width < 10 or height < 3:
        raise ValueError("the chart needs width >= 10 and height >= 3")
    curves = [c for c in curves if len(c.values) > 0]
    if not curves:
        raise ValueError("nothing to plot")
    arrays = [np.asarray(c.values, dtype=np.float64) for c in curves]
    every = np.concatenate(arrays)
    if logy and not np.all(every[~np.isnan(every)] > 0):
        raise ValueError("a log scale needs positive values")

    def tr(v: NDArray[Any]) -> NDArray[Any]:
        return np.log10(v) if logy else v

    finite = tr(every[np.isfinite(every)])
    if finite.size == 0:
        raise ValueError("no finite values to plot")
    lo, hi = float(finite.min()), float(finite.max())
    if hi == lo:  # a flat chart: give it some room
        pad = abs(lo) * 0.5 if lo else 1.0
        lo, hi = lo - pad, hi + pad
    xmin = min(c.x0 for c in curves)
    xmax = max(c.x0 + len(c.values) - 1 for c in curves)
    xspan = max(xmax - xmin, 1)

    grid = [[" "] * width for _ in range(height)]
    for k, (curve, values) in enumerate(zip(curves, arrays)):
        marker = MARKERS[k % len(MARKERS)]
        index = np.flatnonzero(~np.isnan(values))
        if index.size == 0:
            continue
        cols = np.rint((curve.x0 + index - xmin) * (width - 1) / xspan).astype(np.int64)
        t = np.clip(tr(values[index]), lo, hi)  # +-inf clamp to the edges
        rows = (height - 1) - np.rint((t - lo) / (hi - lo) * (height - 1)).astype(np.int64)
        starts = np.flatnonzero(np.r_[True, np.diff(cols) != 0])  # cols never decrease
        ends = np.r_[starts[1:], cols.size] - 1
        by_col = {int(c): (int(a), int(b), int(z)) for c, a, b, z in zip(
            cols[starts], np.minimum.reduceat(rows, starts), np.maximum.reduceat(rows, starts),
            rows[ends])}
        prev: int | None = None
        for c in range(min(by_col), max(by_col) + 1):
            if c in by_col:
                top, bottom, last = by_col[c]
            elif prev is not None:  # fewer points than columns: hold the previous value
                top = bottom = last = prev
            else:  # pragma: no cover - the first column always has a point
                continue
            if prev is not None:  # join to the previous column: a drop is a vertical line
                top, bottom = min(top, prev), max(bottom, prev)
            for r in range(top, bottom + 1):
                grid[r][c] = marker
            prev = last

    # y ticks at the top, middle and bottom rows
    def untr(t: float) -> float:
        return 10 ** t if logy else t

    ticks = {0: _fmt_tick(untr(hi)), (height - 1) // 2: _fmt_tick(untr((hi + lo) / 2)),
             height - 1: _fmt_tick(untr(lo))}
    label_w = max(len(t) for t in ticks.values())
    lines = []
    if title:
        lines.append(title)
    lines.append(f"{'':{label_w}}  {ylabel}" + (" (log scale)" if logy else ""))
    for r in range(height):
        tick = ticks.get(r, "")
        axis = "+" if r in ticks else "|"
        lines.append(f"{tick:>{label_w}} {axis}{''.join(grid[r]).rstrip()}")
    lines.append(f"{'':{label_w}} +" + "-" * width)
    xticks = [(0, str(xmin)), (width // 2, str(xmin + round(xspan / 2))),
              (width - 1, str(xmax))]
    axis_line = [" "] * (width + 8)
    for position, text in xticks:
        start = min(max(position - len(text) // 2, 0), len(axis_line) - len(text))
        axis_line[start:start + len(text)] = text
    lines.append(f"{'':{label_w}}  " + "".join(axis_line).rstrip())
    lines.append(f"{'':{label_w}}  {xlabel:^{width}}".rstrip())
    for k, curve in enumerate(curves):
        lines.append(f"{'':{label_w}}  {MARKERS[k % len(MARKERS)]} {curve.label}")
    return "\n".join(lines) + "\n"


def render_png(curves: Sequence[Curve], path: str, *, title: str = "", xlabel: str = "step",
               ylabel: str = "learning rate", logy: bool = False) -> None:
    """Draw the curves into a PNG at ``path`` with matplotlib (Agg).

    Each value is drawn held until the next x (an lr holds for its whole step or epoch), so a
    step decay is a vertical drop, not a slope; the legend sits below the axes, where it hides
    no curve however many there are."""
    try:
        import matplotlib
    except ImportError as error:
        raise RuntimeError(f"writing a PNG needs matplotlib, which is not installed: "
                           f"{INSTALL_HINT}") from error
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = len(curves) if max(len(c.label) for c in curves) > 45 else -(-len(curves) // 2)
    fig, ax = plt.subplots(figsize=(9, 4.6 + 0.2 * rows), layout="constrained")
    for curve in curves:
        values = np.asarray(curve.values, dtype=np.float64)
        # value k holds from x0 + k to x0 + k + 1: the last one gets its step too
        xs = np.arange(curve.x0, curve.x0 + len(values) + 1)
        ax.plot(xs, np.r_[values, values[-1:]], label=curve.label, linewidth=1.8,
                drawstyle="steps-post")
    if logy:
        ax.set_yscale("log")
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel + (" (log scale)" if logy else ""))
    ax.grid(True, which="major", alpha=0.3)
    fig.legend(loc="outside lower center", fontsize=8, frameon=False,
               ncol=1 if max(len(c.label) for c in curves) > 45 else 2)
    fig.savefig(path, dpi=110)
    plt.close(fig)


@dataclass
class Panel:
    """One chart of :func:`render_png_panels`: its curves and y axis.

    ``held``: each value holds until the next x (an lr holds for its step or epoch); a measured
    quantity such as a loss is drawn as a line through its points instead."""
    curves: Sequence[Curve]
    ylabel: str
    logy: bool = False
    held: bool = True


def render_png_panels(panels: Sequence[Panel], path: str, *, title: str = "",
                      xlabel: str = "step") -> None:
    """Draw panels stacked on one shared x axis into a PNG at ``path`` (matplotlib, Agg).

    Curve k has the same colour in every panel, so one legend below the panels names them all
    (taken from the first panel's labels): the lr of a schedule and what it did to the loss
    read as one story."""
    try:
        import matplotlib
    except ImportError as error:
        raise RuntimeError(f"writing a PNG needs matplotlib, which is not installed: "
                           f"{INSTALL_HINT}") from error
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    from matplotlib.lines import Line2D

    labels = [c.label for c in panels[0].curves]
    long_labels = max(len(label) for label in labels) > 45
    fig, axes = plt.subplots(len(panels), 1, sharex=True, layout="constrained",
                             figsize=(9, 0.8 + 3.0 * len(panels) + 0.2 * len(labels)))
    axes = np.atleast_1d(axes)
    colours = [f"C{k}" for k in range(len(labels))]
    for ax, panel in zip(axes, panels):
        for k, curve in enumerate(panel.curves):
            values = np.asarray(curve.values, dtype=np.float64)
            if panel.held:  # value k holds from x0 + k to x0 + k + 1
                xs = np.arange(curve.x0, curve.x0 + len(values) + 1)
                ax.plot(xs, np.r_[values, values[-1:]], color=colours[k % len(colours)],
                        linewidth=1.8, drawstyle="steps-post")
            else:
                ax.plot(np.arange(curve.x0, curve.x0 + len(values)), values,
                        color=colours[k % len(colours)], linewidth=1.8)
        if panel.logy:
            ax.set_yscale("log")
            if not panel.held:  # a loss spans less than a decade: plain numbers, not 10^-1 powers
                plain = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:.2g}")
                ax.yaxis.set_major_formatter(plain)
                ax.yaxis.set_minor_formatter(plain)
        ax.set_ylabel(panel.ylabel + (" (log scale)" if panel.logy else ""))
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_title(title, fontsize=11)
    axes[-1].set_xlabel(xlabel)
    handles = [Line2D([], [], color=colours[k % len(colours)], linewidth=1.8)
               for k in range(len(labels))]
    fig.legend(handles, labels, loc="outside lower center", fontsize=8, frameon=False,
               ncol=1 if long_labels else 2)
    fig.savefig(path, dpi=110)
    plt.close(fig)
