"""Closed-form learning rates, vectorized over arrays of steps.

Each function returns, for every step in ``steps``, the learning rate that the matching
``torch.optim.lr_scheduler`` scheduler of PyTorch 2.13 computes, bit for bit:

* ``step_lr``, ``multi_step_lr``, ``constant_lr``, ``linear_lr``, ``exponential_lr``,
  ``cosine_annealing_lr``, ``polynomial_lr``: the scheduler's ``_get_closed_form_lr()`` with
  ``last_epoch = step`` (what ``scheduler.step(epoch)`` computes) for a group whose base lr is
  ``base_lr``;
* ``cyclic_lr`` / ``cyclic_momentum``, ``one_cycle_lr`` / ``one_cycle_momentum``: the
  ``group['lr']`` (and momentum, or Adam's beta1) after the scheduler has been stepped to
  ``last_epoch = step`` (the constructor's own step is step 0);
* ``cosine_annealing_warm_restarts``: ``group['lr']`` after ``scheduler.step(epoch)`` with
  ``epoch = step`` (fractional epochs allowed).

The value need not be an lr: from a group's starting weight decay (``base_lr=0.04``), each
function gives what the scheduler built with ``key="weight_decay"`` writes to that field.

The formulas run in lrcore's C++ core (``lrcore/functional.hpp``, the same per-value code the
scheduler classes use), in one loop over the steps with the GIL released.

Decisions
---------
Steps
    ``steps`` is any array_like. For every schedule but warm restarts the steps are integers
    (torch's ``last_epoch`` is an int): integer arrays are used as int64; float arrays are
    accepted when every value is integral (else ``ValueError``). For
    ``cosine_annealing_warm_restarts`` the steps are float64 epochs (integers are converted;
    exact up to 2**53).

Result
    A new float64 ``numpy.ndarray`` of shape ``steps.shape``. A 0-d ``steps`` (e.g. a Python
    int) with a scalar ``base_lr`` gives a Python ``float``.

Parameter groups
    The per-group arguments (``base_lr``; ``max_lr`` for CyclicLR / OneCycleLR;
    ``base_momentum`` / ``max_momentum``) accept a scalar or a 1-D sequence of one value per
    group, as torch's constructors do. If any of them is a sequence, the result has shape
    ``steps.shape + (n_groups,)`` (scalars broadcast to every group, like torch's
    ``_format_param``; sequences of different lengths raise ``ValueError``). A 1-element
    sequence still adds the groups axis.

Arguments and errors
    Argument names and defaults are torch's. Validation raises what torch's constructor raises
    (same type and, where torch has one, same message); Python's arithmetic errors are kept:
    ``ZeroDivisionError`` where torch would divide by zero (``step_size=0``, ``total_iters=0``,
    ``T_max=0``, ...) and ``OverflowError`` where ``float ** int`` overflows — raised when a
    step that needs the failing operation is computed, as torch raises when that step is
    reached. OneCycle raises ``ValueError`` for a step past ``total_steps``, with torch's
    message. A negative base to a fractional power (``polynomial_lr`` with a negative
    ``total_iters``), a complex number in torch, raises ``ValueError``. Integer parameters must
    be ints (``operator.index``); float parameters are converted with ``float()``.

    CyclicLR's custom ``scale_fn``/``scale_mode`` are not supported (no closed form in C++);
    only the built-in modes.

Threads
    Arrays of more than 2**16 steps are split over up to ``get_max_threads()`` threads (default:
    the number of CPUs); ``set_max_threads(1)`` keeps every call on the calling thread. The
    values do not depend on it.

Exactness limit
    Integer intermediates are exact while they stay below 2**53 (where Python's ints are exact
    but float64 is not): ``polynomial_lr``'s ``min(total_iters, step) / total_iters`` and
    ``T_mult ** n`` of warm restarts. Every realistic schedule is far inside this range.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any, Callable, Iterable

import numpy as np
from numpy.typing import NDArray

from . import _core
from ._impl.checks import one_cycle_total_steps

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "constant_lr",
    "cosine_annealing_lr",
    "cosine_annealing_warm_restarts",
    "cyclic_lr",
    "cyclic_momentum",
    "exponential_lr",
    "get_max_threads",
    "linear_lr",
    "multi_step_lr",
    "one_cycle_lr",
    "one_cycle_momentum",
    "polynomial_lr",
    "set_max_threads",
    "step_lr",
]

_INT64_MAX = np.iinfo(np.int64).max
_INT64_MIN = np.iinfo(np.int64).min


def set_max_threads(n: int) -> None:
    """Use at most ``n`` threads per call (0: as many as CPUs, the default)."""
    n = _index("n", n)
    if n < 0:
        raise ValueError(f"Expected a non-negative number of threads, but got {n}")
    _core.functional_set_max_threads(n)


def get_max_threads() -> int:
    """The most threads one call uses."""
    return _core.functional_max_threads()


# ---- inputs ---------------------------------------------------------------------------------


def _int_steps(steps: Any) -> NDArray[Any]:
    """steps as an int64 array (no copy when it already is one)."""
    a = np.asarray(steps)
    if a.dtype == np.int64:
        return a
    kind = a.dtype.kind
    if kind in "bi":
        return a.astype(np.int64)
    if kind == "u":
        if a.size and a.max() > _INT64_MAX:
            raise OverflowError("steps do not fit in int64")
        return a.astype(np.int64)
    if kind == "f":
        if a.size:
            if not np.all(np.isfinite(a)) or not np.all(a == np.floor(a)):
                raise ValueError("steps must be integers (torch's last_epoch is an int)")
            if a.max() >= 2.0**63 or a.min() < -(2.0**63):
                raise OverflowError("steps do not fit in int64")
        return a.astype(np.int64)
    if kind == "O":
        return np.array([operator.index(x) for x in a.flat], dtype=np.int64).reshape(a.shape)
    raise TypeError(f"steps must be integers, not {a.dtype}")


def _float_epochs(steps: Any) -> NDArray[Any]:
    """steps as float64 epochs; negative integer epochs are reported as torch formats ints."""
    a = np.asarray(steps)
    if a.dtype.kind in "biu" and a.size:
        low = a.min()
        if low < 0:
            bad = a.flat[int(np.argmax(a.ravel() < 0))]
            raise ValueError(f"Expected non-negative epoch, but got {int(bad)}")
    if a.dtype.kind not in "biuf":
        if a.dtype.kind == "O":
            return np.array([float(x) for x in a.flat], dtype=np.float64).reshape(a.shape)
        raise TypeError(f"steps must be numbers, not {a.dtype}")
    return a if a.dtype == np.float64 else a.astype(np.float64)


def _is_sequence(value: Any) -> bool:
    return isinstance(value, (list, tuple, np.ndarray)) and np.ndim(value) > 0


def _groups(**named: Any) -> tuple[dict[str, NDArray[Any]], bool]:
    """Per-group values: each a scalar or a 1-D sequence; scalars broadcast (torch's _format_param).

    Returns each as a 1-D float64 array of the common length, and whether there is a groups axis.
    """
    n: int | None = None
    first = ""
    for name, value in named.items():
        if _is_sequence(value):
            if np.ndim(value) != 1:
                raise ValueError(f"{name} must be a number or a 1-D sequence")
            if n is None:
                n, first = len(value), name
            elif len(value) != n:
                raise ValueError(
                    f"{name} must have the same length as {first}. "
                    f"{name} has {len(value)} values, {first} has {n}."
                )
    per_group = n is not None
    count = n if n is not None else 1  # the test is per_group's, on n itself so that n is an int
    out = {}
    for name, value in named.items():
        if _is_sequence(value):
            out[name] = np.array([float(v) for v in value], dtype=np.float64)
        else:
            out[name] = np.full(count, float(value), dtype=np.float64)
    return out, per_group


def _result(out: NDArray[Any], steps: NDArray[Any], per_group: bool) -> Any:
    if steps.ndim == 0 and not per_group:
        return float(out)
    return out


def _index(name: str, value: Any) -> int:
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an int, not {type(value).__name__}") from None


def _scaled(fn: Callable[..., NDArray[np.float64]], steps: Any, base_lr: Any, *args: Any) -> Any:
    s = _int_steps(steps)
    g, per_group = _groups(base_lr=base_lr)
    return _result(fn(s, g["base_lr"], per_group, *args), s, per_group)


# ---- torch's _get_closed_form_lr ------------------------------------------------------------


def step_lr(steps: Any, base_lr: Any, step_size: int, gamma: float = 0.1) -> Any:
    """StepLR: ``base_lr * gamma ** (step // step_size)``."""
    return _scaled(
        _core.functional_step_lr, steps, base_lr, _index("step_size", step_size), float(gamma)
    )


def multi_step_lr(
    steps: Any, base_lr: Any, milestones: Iterable[int], gamma: float = 0.1
) -> Any:
    """MultiStepLR: ``base_lr * gamma ** bisect_right(sorted(milestones), step)``; repeated
    milestones count once each."""
    ms = [_index("milestones", m) for m in milestones]
    return _scaled(_core.functional_multi_step_lr, steps, base_lr, ms, float(gamma))


def constant_lr(
    steps: Any, base_lr: Any, factor: float = 1.0 / 3, total_iters: int = 5
) -> Any:
    """ConstantLR: ``base_lr * (factor + (step >= total_iters) * (1 - factor))``."""
    if factor > 1.0 or factor < 0:
        raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
    return _scaled(
        _core.functional_constant_lr,
        steps,
        base_lr,
        float(factor),
        _index("total_iters", total_iters),
    )


def linear_lr(
    steps: Any,
    base_lr: Any,
    start_factor: float = 1.0 / 3,
    end_factor: float = 1.0,
    total_iters: int = 5,
) -> Any:
    """LinearLR: ``base_lr * (start_factor + (end_factor - start_factor) *
    min(total_iters, step) / total_iters)``."""
    if start_factor > 1.0 or start_factor <= 0:
        raise ValueError(
            "Starting multiplicative factor expected to be greater than 0 and less or equal to 1."
        )
    if end_factor > 1.0 or end_factor < 0:
        raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
    return _scaled(
        _core.functional_linear_lr,
        steps,
        base_lr,
        float(start_factor),
        float(end_factor),
        _index("total_iters", total_iters),
    )


def exponential_lr(steps: Any, base_lr: Any, gamma: float) -> Any:
    """ExponentialLR: ``base_lr * gamma ** step``."""
    return _scaled(_core.functional_exponential_lr, steps, base_lr, float(gamma))


def polynomial_lr(
    steps: Any, base_lr: Any, total_iters: int = 5, power: float = 1.0
) -> Any:
    """PolynomialLR: ``base_lr * (1.0 - min(total_iters, step) / total_iters) ** power``."""
    return _scaled(
        _core.functional_polynomial_lr,
        steps,
        base_lr,
        _index("total_iters", total_iters),
        float(power),
    )


def cosine_annealing_lr(steps: Any, base_lr: Any, T_max: float, eta_min: float = 0.0) -> Any:
    """CosineAnnealingLR: ``eta_min + (base_lr - eta_min) * (1 + cos(pi * step / T_max)) / 2``."""
    return _scaled(
        _core.functional_cosine_annealing_lr, steps, base_lr, float(T_max), float(eta_min)
    )


# ---- schedules whose step is a closed form --------------------------------------------------


def cosine_annealing_warm_restarts(
    steps: Any, base_lr: Any, T_0: int, T_mult: int = 1, eta_min: float = 0.0
) -> Any:
    """CosineAnnealingWarmRestarts: the lr after ``scheduler.step(epoch)`` for each epoch in
    ``steps`` (floats allowed; each must be >= 0)."""
    if T_0 <= 0 or not isinstance(T_0, int):
        raise ValueError(f"Expected positive integer T_0, but got {T_0}")
    if T_mult < 1 or not isinstance(T_mult, int):
        raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
    if not isinstance(eta_min, (float, int)):
        raise ValueError(
            f"Expected float or int eta_min, but got {eta_min} of type {type(eta_min)}"
        )
    e = _float_epochs(steps)
    g, per_group = _groups(base_lr=base_lr)
    out = _core.functional_cosine_annealing_warm_restarts(
        e, g["base_lr"], per_group, T_0, T_mult, float(eta_min)
    )
    return _result(out, e, per_group)


_CYCLIC_MODES = ("triangular", "triangular2", "exp_range")


def _cyclic_geometry(step_size_up: float, step_size_down: float | None,
                     mode: str) -> tuple[float, float]:
    up = float(step_size_up)
    down = float(step_size_down) if step_size_down is not None else up
    total_size = up + down
    step_ratio = up / total_size  # ZeroDivisionError as in torch
    if mode not in _CYCLIC_MODES:
        raise ValueError("mode is invalid and scale_fn is None")
    return total_size, step_ratio


def cyclic_lr(
    steps: Any,
    base_lr: Any,
    max_lr: Any,
    step_size_up: float = 2000,
    step_size_down: float | None = None,
    mode: str = "triangular",
    gamma: float = 1.0,
) -> Any:
    """CyclicLR (built-in modes): ``group['lr']`` at ``last_epoch = step``."""
    g, per_group = _groups(base_lr=base_lr, max_lr=max_lr)
    total_size, step_ratio = _cyclic_geometry(step_size_up, step_size_down, mode)
    s = _int_steps(steps)
    out = _core.functional_cyclic(
        s, g["base_lr"], g["max_lr"], per_group, total_size, step_ratio, mode, float(gamma), False
    )
    return _result(out, s, per_group)


def cyclic_momentum(
    steps: Any,
    base_momentum: Any = 0.8,
    max_momentum: Any = 0.9,
    step_size_up: float = 2000,
    step_size_down: float | None = None,
    mode: str = "triangular",
    gamma: float = 1.0,
) -> Any:
    """CyclicLR with ``cycle_momentum=True``: the momentum (or beta1) at ``last_epoch = step``."""
    total_size, step_ratio = _cyclic_geometry(step_size_up, step_size_down, mode)
    g, per_group = _groups(base_momentum=base_momentum, max_momentum=max_momentum)
    s = _int_steps(steps)
    out = _core.functional_cyclic(
        s,
        g["base_momentum"],
        g["max_momentum"],
        per_group,
        total_size,
        step_ratio,
        mode,
        float(gamma),
        True,
    )
    return _result(out, s, per_group)


def _one_cycle_geometry(
    total_steps: int | None,
    epochs: int | None,
    steps_per_epoch: int | None,
    pct_start: float,
    anneal_strategy: str,
    three_phase: bool,
) -> tuple[int, list[float]]:
    """total_steps and the phases' end steps, validated in torch's order."""
    total_steps = one_cycle_total_steps(total_steps, epochs, steps_per_epoch)
    if three_phase:
        ends = [
            float(pct_start * total_steps) - 1,
            float(2 * pct_start * total_steps) - 2,
            total_steps - 1,
        ]
    else:
        ends = [float(pct_start * total_steps) - 1, total_steps - 1]
    if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
        raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
    if anneal_strategy not in ["cos", "linear"]:
        raise ValueError(
            "anneal_strategy must be one of 'cos' or 'linear', instead got "
            f"{anneal_strategy}"
        )
    return total_steps, [float(e) for e in ends]


def one_cycle_lr(
    steps: Any,
    max_lr: Any,
    total_steps: int | None = None,
    epochs: int | None = None,
    steps_per_epoch: int | None = None,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    three_phase: bool = False,
) -> Any:
    """OneCycleLR: ``group['lr']`` at ``last_epoch = step`` (0 <= step <= total_steps)."""
    total, ends = _one_cycle_geometry(
        total_steps, epochs, steps_per_epoch, pct_start, anneal_strategy, three_phase
    )
    g, per_group = _groups(max_lr=max_lr)
    rows = []
    for m in g["max_lr"].tolist():
        initial = m / div_factor  # torch: group["initial_lr"] = max_lr / div_factor
        rows.append((initial, m, initial / final_div_factor))
    values = np.array(rows, dtype=np.float64).reshape(len(rows), 3)
    initial, maximum, minimum = 0, 1, 2
    if three_phase:
        links = [(initial, maximum), (maximum, initial), (initial, minimum)]
    else:
        links = [(initial, maximum), (maximum, minimum)]
    phases = [(end, a, b) for end, (a, b) in zip(ends, links)]
    s = _int_steps(steps)
    out = _core.functional_one_cycle(
        s, values, per_group, phases, total, anneal_strategy == "cos"
    )
    return _result(out, s, per_group)


def one_cycle_momentum(
    steps: Any,
    total_steps: int | None = None,
    epochs: int | None = None,
    steps_per_epoch: int | None = None,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    base_momentum: Any = 0.85,
    max_momentum: Any = 0.95,
    three_phase: bool = False,
) -> Any:
    """OneCycleLR with ``cycle_momentum=True``: the momentum (or beta1) at ``last_epoch = step``."""
    total, ends = _one_cycle_geometry(
        total_steps, epochs, steps_per_epoch, pct_start, anneal_strategy, three_phase
    )
    g, per_group = _groups(max_momentum=max_momentum, base_momentum=base_momentum)
    values = np.stack([g["max_momentum"], g["base_momentum"]], axis=1)
    maximum, base = 0, 1
    if three_phase:
        links = [(maximum, base), (base, maximum), (maximum, maximum)]
    else:
        links = [(maximum, base), (base, maximum)]
    phases = [(end, a, b) for end, (a, b) in zip(ends, links)]
    s = _int_steps(steps)
    out = _core.functional_one_cycle(
        s, values, per_group, phases, total, anneal_strategy == "cos"
    )
    return _result(out, s, per_group)
