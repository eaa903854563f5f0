"""Schedules torch lacks, computed by lrcore's C++ core.

* :class:`WarmupCosineLR`: linear warmup, then cosine decay to a floor with timm's options
  (restarts, cycle decay, k-decay): timm's ``CosineLRScheduler``.
* :class:`WarmupStableDecayLR`: warmup, stable, decay (WSD), Hugging Face's ``get_wsd_schedule``.
* :class:`InverseSqrtLR`: linear warmup then ``1/sqrt`` decay, Hugging Face's
  ``get_inverse_sqrt_schedule``; or the Noam schedule (``noam=True``).
* :class:`HFScheduleLR`: the LambdaLR schedules of Hugging Face's ``get_scheduler``, as the very
  LambdaLR transformers builds (their state dicts load into each other).
* :class:`WarmupLR`: a warmup in front of any scheduler (ReduceLROnPlateau included), without
  SequentialLR's resume pitfalls.
* :class:`GreedyLR`: transformers' metric-driven GreedyLR.
* :func:`get_scheduler` and the ``get_*_schedule*`` functions: transformers' names and
  arguments, returning lrcore schedulers (transformers is not needed).

Each value equals its source's Python formula bit for bit (see :mod:`lrcore.reference.schedules`,
the pure-Python transcriptions these classes derive from).
"""

from __future__ import annotations

from typing import Any, Callable

from ._impl.accel import builtin
from .lr_scheduler import LambdaLR, LRScheduler, ReduceLROnPlateau
from .reference import schedules as _ref

__all__ = [
    "WarmupCosineLR",
    "WarmupStableDecayLR",
    "InverseSqrtLR",
    "HFScheduleLR",
    "WarmupLR",
    "GreedyLR",
    "SCHEDULER_NAMES",
    "get_scheduler",
    "get_constant_schedule",
    "get_constant_schedule_with_warmup",
    "get_linear_schedule_with_warmup",
    "get_cosine_schedule_with_warmup",
    "get_cosine_with_hard_restarts_schedule_with_warmup",
    "get_polynomial_decay_schedule_with_warmup",
    "get_inverse_sqrt_schedule",
    "get_reduce_on_plateau_schedule",
    "get_cosine_with_min_lr_schedule_with_warmup",
    "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
    "get_wsd_schedule",
    "get_greedy_schedule",
]


@builtin("WarmupCosineLR")
class WarmupCosineLR(_ref.WarmupCosineLR, LRScheduler):
    __doc__ = _ref.WarmupCosineLR.__doc__


@builtin("WarmupStableDecayLR")
class WarmupStableDecayLR(_ref.WarmupStableDecayLR, LRScheduler):
    __doc__ = _ref.WarmupStableDecayLR.__doc__


@builtin("InverseSqrtLR")
class InverseSqrtLR(_ref.InverseSqrtLR, LRScheduler):
    __doc__ = _ref.InverseSqrtLR.__doc__


@builtin("LambdaLR")
class HFScheduleLR(_ref.HFScheduleLR, LambdaLR):
    __doc__ = _ref.HFScheduleLR.__doc__


@builtin("WarmupLR")
class WarmupLR(_ref.WarmupLR, LRScheduler):
    __doc__ = _ref.WarmupLR.__doc__


@builtin(None)
class GreedyLR(_ref.GreedyLR, LRScheduler):
    __doc__ = _ref.GreedyLR.__doc__


# --------------------------------------------------------------------------------------------
# transformers' functions and get_scheduler


def get_constant_schedule(optimizer: Any, last_epoch: int = -1) -> HFScheduleLR:
    """A constant lr (transformers' ``get_constant_schedule``)."""
    return HFScheduleLR(optimizer, "constant", last_epoch=last_epoch)


def get_reduce_on_plateau_schedule(optimizer: Any, **kwargs: Any) -> ReduceLROnPlateau:
    """lrcore's ReduceLROnPlateau (transformers' ``get_reduce_on_plateau_schedule``)."""
    return ReduceLROnPlateau(optimizer, **kwargs)


def get_greedy_schedule(optimizer: Any, **kwargs: Any) -> GreedyLR:
    """lrcore's GreedyLR (transformers' ``get_greedy_schedule``)."""
    return GreedyLR(optimizer, **kwargs)


def get_constant_schedule_with_warmup(optimizer: Any, num_warmup_steps: int,
                                      last_epoch: int = -1) -> HFScheduleLR:
    """Linear warmup from 0, then constant."""
    return HFScheduleLR(optimizer, "constant_with_warmup", num_warmup_steps, last_epoch=last_epoch)


def get_linear_schedule_with_warmup(optimizer: Any, num_warmup_steps: int,
                                    num_training_steps: int, last_epoch: int = -1) -> HFScheduleLR:
    """Linear warmup from 0, then linear decay to 0 at ``num_training_steps``."""
    return HFScheduleLR(optimizer, "linear", num_warmup_steps, num_training_steps,
                        last_epoch=last_epoch)


def get_cosine_schedule_with_warmup(optimizer: Any, num_warmup_steps: int, num_training_steps: int,
                                    num_cycles: float = 0.5, last_epoch: int = -1) -> HFScheduleLR:
    """Linear warmup from 0, then cosine (``num_cycles`` waves; 0.5: a half cosine to 0)."""
    return HFScheduleLR(optimizer, "cosine", num_warmup_steps, num_training_steps,
                        num_cycles=num_cycles, last_epoch=last_epoch)


def get_cosine_with_hard_restarts_schedule_with_warmup(
        optimizer: Any, num_warmup_steps: int, num_training_steps: int, num_cycles: int = 1,
        last_epoch: int = -1) -> HFScheduleLR:
    """Linear warmup from 0, then ``num_cycles`` cosine decays to 0 with hard restarts."""
    return HFScheduleLR(optimizer, "cosine_with_restarts", num_warmup_steps, num_training_steps,
                        num_cycles=num_cycles, last_epoch=last_epoch)


def get_polynomial_decay_schedule_with_warmup(
        optimizer: Any, num_warmup_steps: int, num_training_steps: int, lr_end: float = 1e-7,
        power: float = 1.0, last_epoch: int = -1) -> HFScheduleLR:
    """Linear warmup from 0, then polynomial decay from the optimizer's default lr to lr_end."""
    return HFScheduleLR(optimizer, "polynomial", num_warmup_steps, num_training_steps,
                        lr_end=lr_end, power=power, last_epoch=last_epoch)


def get_inverse_sqrt_schedule(optimizer: Any, num_warmup_steps: int, timescale: int | None = None,
                              last_epoch: int = -1) -> HFScheduleLR:
    """Linear warmup from 0, then inverse square root decay."""
    return HFScheduleLR(optimizer, "inverse_sqrt", num_warmup_steps, timescale,
                        last_epoch=last_epoch)


def get_cosine_with_min_lr_schedule_with_warmup(
        optimizer: Any, num_warmup_steps: int, num_training_steps: int, num_cycles: float = 0.5,
        last_epoch: int = -1, min_lr: float | None = None,
        min_lr_rate: float | None = None) -> HFScheduleLR:
    """Linear warmup from 0, then cosine down to ``min_lr`` (or ``min_lr_rate`` * lr)."""
    return HFScheduleLR(optimizer, "cosine_with_min_lr", num_warmup_steps, num_training_steps,
                        num_cycles=num_cycles, min_lr=min_lr, min_lr_rate=min_lr_rate,
                        last_epoch=last_epoch)


def get_cosine_with_min_lr_schedule_with_warmup_lr_rate(
        optimizer: Any, num_warmup_steps: int, num_training_steps: int, num_cycles: float = 0.5,
        last_epoch: int = -1, min_lr: float | None = None, min_lr_rate: float | None = None,
        warmup_lr_rate: float | None = None) -> HFScheduleLR:
    """transformers' 'cosine_warmup_with_min_lr': warmup from ``warmup_lr_rate`` (default
    ``1/num_warmup_steps``), then cosine down to ``min_lr`` (or ``min_lr_rate`` * lr)."""
    return HFScheduleLR(optimizer, "cosine_warmup_with_min_lr", num_warmup_steps,
                        num_training_steps, num_cycles=num_cycles, min_lr=min_lr,
                        min_lr_rate=min_lr_rate, warmup_lr_rate=warmup_lr_rate,
                        last_epoch=last_epoch)


def get_wsd_schedule(optimizer: Any, num_warmup_steps: int, num_decay_steps: int,
                     num_training_steps: int | None = None, num_stable_steps: int | None = None,
                     warmup_type: str = "linear", decay_type: str = "cosine",
                     min_lr_ratio: float = 0, num_cycles: float = 0.5,
                     last_epoch: int = -1) -> HFScheduleLR:
    """Warmup, stable, decay, as transformers' ``get_wsd_schedule`` (a LambdaLR; see
    :class:`WarmupStableDecayLR` for the class with the schedule's parameters as attributes)."""
    return HFScheduleLR(optimizer, "warmup_stable_decay", num_warmup_steps, num_decay_steps,
                        num_training_steps, num_stable_steps, warmup_type, decay_type,
                        min_lr_ratio, num_cycles, last_epoch=last_epoch)


_FUNCTIONS: dict[str, Callable[..., LRScheduler]] = {
    "linear": get_linear_schedule_with_warmup,
    "cosine": get_cosine_schedule_with_warmup,
    "cosine_with_restarts": get_cosine_with_hard_restarts_schedule_with_warmup,
    "polynomial": get_polynomial_decay_schedule_with_warmup,
    "constant": get_constant_schedule,
    "constant_with_warmup": get_constant_schedule_with_warmup,
    "inverse_sqrt": get_inverse_sqrt_schedule,
    "reduce_lr_on_plateau": get_reduce_on_plateau_schedule,
    "cosine_with_min_lr": get_cosine_with_min_lr_schedule_with_warmup,
    "cosine_warmup_with_min_lr": get_cosine_with_min_lr_schedule_with_warmup_lr_rate,
    "warmup_stable_decay": get_wsd_schedule,
    "greedy": get_greedy_schedule,
}
SCHEDULER_NAMES = tuple(_FUNCTIONS)


def get_scheduler(name: Any, optimizer: Any, num_warmup_steps: int | None = None,
                  num_training_steps: int | None = None,
                  scheduler_specific_kwargs: dict[str, Any] | None = None,
                  **kwargs: Any) -> LRScheduler:
    """transformers' ``get_scheduler``: a scheduler by name, computed by lrcore.

    ``name`` is one of :data:`SCHEDULER_NAMES` (or a transformers ``SchedulerType``). Extra
    arguments come in ``scheduler_specific_kwargs`` (as in transformers) or as keyword
    arguments. Missing ``num_warmup_steps``/``num_training_steps`` raise ValueError where
    transformers does. One difference: transformers silently drops the extra arguments of
    'constant' and 'constant_with_warmup'; lrcore passes them on (so ``last_epoch`` works, and a
    misspelt one is a TypeError).
    """
    value = getattr(name, "value", name)
    if value not in _FUNCTIONS:
        raise ValueError(f"{value} is not a valid SchedulerType, please select one of "
                         f"{list(SCHEDULER_NAMES)}")
    function = _FUNCTIONS[value]
    extra = dict(scheduler_specific_kwargs or {})
    extra.update(kwargs)
    if value in ("constant", "reduce_lr_on_plateau", "greedy"):
        return function(optimizer, **extra)
    if num_warmup_steps is None:
        raise ValueError(f"{value} requires `num_warmup_steps`, please provide that argument.")
    if value in ("constant_with_warmup", "inverse_sqrt"):
        return function(optimizer, num_warmup_steps=num_warmup_steps, **extra)
    if value == "warmup_stable_decay":
        return function(optimizer, num_warmup_steps=num_warmup_steps,
                        num_training_steps=num_training_steps, **extra)
    if num_training_steps is None:
        raise ValueError(f"{value} requires `num_training_steps`, please provide that argument.")
    return function(optimizer, num_warmup_steps=num_warmup_steps,
                    num_training_steps=num_training_steps, **extra)
