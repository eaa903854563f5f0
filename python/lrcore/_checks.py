"""Argument checks shared by the schedulers' constructors (issue 6, "Bad input").

The core holds counts and epochs as 64-bit ints and hyperparameters as doubles; these helpers
turn what torch accepts into those, and refuse, with a clear error, what the core cannot hold or
what would only break a later step. ``atomic_init`` makes a failed constructor leave the
optimizer's param groups exactly as they were.
"""

from __future__ import annotations

import operator
from functools import wraps
from typing import Any, Callable, TypeVar

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

F = TypeVar("F", bound=Callable[..., Any])


def _is_tensor(value: Any) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "dim")


def _refuse_tensor(name: str, value: Any) -> None:
    # torch keeps a tensor hyperparameter, and its arithmetic then turns the groups' float lrs
    # into float32 tensors; lrcore computes in float64 and refuses rather than differ.
    if _is_tensor(value):
        raise TypeError(f"{name} must be a Python or numpy number, not a tensor "
                        f"(pass {name}=float(t) or int(t))")


def _int64(name: str, value: Any) -> int:
    """An integer argument as the core holds it, a 64-bit int.

    bools and numpy integers are ints. A float is refused: int() of it raises for NaN
    (ValueError) and inf (OverflowError), TypeError otherwise (torch would keep it and compute
    with a float epoch or count). An int beyond int64 raises OverflowError: torch keeps Python's
    unbounded ints, lrcore never wraps them around.
    """
    _refuse_tensor(name, value)
    if isinstance(value, float):
        int(value)  # ValueError for NaN, OverflowError for inf
        raise TypeError(f"{name} must be an integer, got {value!r}")
    try:
        number = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}") from None
    if not _INT64_MIN <= number <= _INT64_MAX:
        raise OverflowError(f"{name}={number} does not fit in a 64-bit integer (lrcore's range)")
    return number


def _real(name: str, value: Any) -> float:
    """A float argument as the core holds it. Strings and None are refused with TypeError (torch
    keeps them and fails later, at a step, or computes with them as sequences), and tensors."""
    _refuse_tensor(name, value)
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    try:
        return float(value)
    except TypeError:
        raise TypeError(f"{name} must be a number, got {type(value).__name__}") from None


def _snapshot(optimizer: Any) -> list[tuple[dict, list, list]] | None:
    groups = getattr(optimizer, "param_groups", None)
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        return None
    saved = []
    for g in groups:
        items = list(g.items())
        tensors = [(v, v.detach().clone()) for _, v in items if _is_tensor(v)]
        saved.append((g, items, tensors))
    return saved


def _restore(saved: list[tuple[dict, list, list]]) -> None:
    for g, items, tensors in saved:
        for tensor, value in tensors:  # lrs held as tensors are updated in place
            if not bool((tensor == value).all()) or tensor.dtype != value.dtype:
                with _no_grad(tensor):
                    tensor.copy_(value)
        now = list(g.items())
        if len(now) != len(items) or any(k1 != k2 or a is not b
                                         for (k1, a), (k2, b) in zip(now, items)):
            g.clear()
            g.update(items)


class _no_grad:
    def __init__(self, tensor: Any):
        self.torch = __import__(type(tensor).__module__.split(".")[0])

    def __enter__(self) -> None:
        self.ctx = self.torch.no_grad()
        self.ctx.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self.ctx.__exit__(*exc)


def atomic_init(init: F) -> F:
    """A scheduler constructor that leaves the optimizer's param groups as they were if it raises.

    The arguments are checked before the core is built, but some failures only show in torch's
    initial step (a user's lr_lambda or scale_fn raising, OneCycleLR resumed past total_steps),
    after the groups got their initial_lr, swa_lr, momentum... torch leaves those written; lrcore
    puts back every group's items (the same objects, in the same order) and tensor values.
    """

    @wraps(init)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> None:
        optimizer = args[0] if args else kwargs.get("optimizer")
        saved = _snapshot(optimizer)
        try:
            init(self, *args, **kwargs)
        except BaseException:
            if saved is not None:
                _restore(saved)
            raise

    return wrapper  # type: ignore[return-value]
