"""lrcore's schedules that torch lacks, in plain Python (see reference.lr_scheduler).

Each value is the formula of the library the schedule follows, transcribed with the same
operations, in the same order and with the same int/float types, so that lrcore's C++ core
equals it bit for bit:

* :class:`WarmupCosineLR`: timm's ``CosineLRScheduler._get_lr(t)`` (timm/scheduler/cosine_lr.py)
  for each group, its base lr as timm's base value;
* :class:`WarmupStableDecayLR`, :class:`InverseSqrtLR` and :class:`HFScheduleLR`: Hugging Face
  transformers' schedule lambdas (transformers/optimization.py), the lr being
  ``base_lr * lambda(step)`` as torch's LambdaLR computes it. :class:`HFScheduleLR` *is* a
  LambdaLR whose lambda is the transformers function's ``functools.partial``, as
  transformers' ``get_scheduler`` builds it, so that their state dicts load into each other;
* :class:`WarmupLR`: lrcore's warmup in front of any scheduler;
* :class:`GreedyLR`: transformers' ``GreedyLR``.
"""

from __future__ import annotations

import math
import warnings
from functools import partial
from typing import Any, Callable

from .._impl.warn import warn
from .lr_scheduler import (LambdaLR, LRScheduler, _check_children, _check_optimizer, _Composite,
                           _assign, _check_state_key, _composite_key, _get,
                           _param_groups_val_list, _per_group, _restart_child, _initial_child,
                           _set_key, _step_child, _takes_metric, _update_param_group_val,
                           _values,
                           _warn_get_lr_called_within_step)

__all__ = [
    "WarmupCosineLR",
    "WarmupStableDecayLR",
    "InverseSqrtLR",
    "HFScheduleLR",
    "WarmupLR",
    "GreedyLR",
    "timm_cosine_lr",
    "noam_factor",
]

_SHAPES = ("linear", "cosine", "1-sqrt")


# --------------------------------------------------------------------------------------------
# The formulas


def timm_cosine_lr(t: int, base: float, *, t_initial: int, lr_min: float, warmup_t: int = 0,
                   warmup_lr_init: float = 0.0, cycle_mul: float = 1.0, cycle_decay: float = 1.0,
                   cycle_limit: int = 1, warmup_prefix: bool = False, k_decay: float = 1.0) -> float:
    """timm's ``_get_lr(t)`` for one group. lrcore's one deviation: with ``cycle_mul < 1`` past
    every cycle (where timm's ``math.log`` raises ValueError) the value is ``lr_min``."""
    if t < warmup_t:
        s = (base - warmup_lr_init) / warmup_t
        return warmup_lr_init + t * s
    if warmup_prefix:
        t = t - warmup_t
    if cycle_mul != 1:
        x = 1 - t / t_initial * (1 - cycle_mul)
        if not x > 0:
            return lr_min
        i = math.floor(math.log(x, cycle_mul))
        t_i = cycle_mul ** i * t_initial
        t_curr = t - (1 - cycle_mul ** i) / (1 - cycle_mul) * t_initial
    else:
        i = t // t_initial
        t_i = t_initial
        t_curr = t - (t_initial * i)
    gamma = cycle_decay ** i
    lr_max = base * gamma
    k = k_decay
    if i < cycle_limit:
        return lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * t_curr ** k / t_i ** k))
    return lr_min


# transformers' lambdas (transformers/optimization.py), with transformers' names and arguments.

def _get_constant_lambda(_: Any = None) -> int:
    return 1


def _get_constant_schedule_with_warmup_lr_lambda(current_step: int, *,
                                                 num_warmup_steps: int) -> float:
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1.0, num_warmup_steps))
    return 1.0


def _get_linear_schedule_with_warmup_lr_lambda(current_step: int, *, num_warmup_steps: int,
                                               num_training_steps: int) -> float:
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    return max(0.0, float(num_training_steps - current_step)
               / float(max(1, num_training_steps - num_warmup_steps)))


def _get_cosine_schedule_with_warmup_lr_lambda(current_step: int, *, num_warmup_steps: int,
                                               num_training_steps: int, num_cycles: float,
                                               min_lr_rate: float = 0.0) -> Any:
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    progress = float(current_step - num_warmup_steps) / float(
        max(1, num_training_steps - num_warmup_steps))
    factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
    factor = factor * (1 - min_lr_rate) + min_lr_rate
    return max(0, factor)


def _get_cosine_with_hard_restarts_schedule_with_warmup_lr_lambda(
        current_step: int, *, num_warmup_steps: int, num_training_steps: int,
        num_cycles: int) -> float:
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    progress = float(current_step - num_warmup_steps) / float(
        max(1, num_training_steps - num_warmup_steps))
    if progress >= 1.0:
        return 0.0
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((float(num_cycles) * progress) % 1.0))))


def _get_polynomial_decay_schedule_with_warmup_lr_lambda(
        current_step: int, *, num_warmup_steps: int, num_training_steps: int, lr_end: float,
        power: float, lr_init: float) -> float:
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    elif current_step > num_training_steps:
        return lr_end / lr_init  # as LambdaLR multiplies by lr_init
    else:
        lr_range = lr_init - lr_end
        decay_steps = num_training_steps - num_warmup_steps
        pct_remaining = 1 - (current_step - num_warmup_steps) / decay_steps
        decay: float = lr_range * pct_remaining**power + lr_end
        return decay / lr_init  # as LambdaLR multiplies by lr_init


def _get_inverse_sqrt_schedule_lr_lambda(current_step: int, *, num_warmup_steps: int,
                                         timescale: int) -> float:
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    shift = timescale - num_warmup_steps
    decay = 1.0 / math.sqrt((current_step + shift) / timescale)
    return decay


def _get_cosine_with_min_lr_schedule_with_warmup_lr_rate_lambda(
        current_step: Any, *, num_warmup_steps: Any, num_training_steps: Any, num_cycles: float,
        min_lr_rate: float = 0.0, warmup_lr_rate: float | None = None) -> Any:
    current_step = float(current_step)
    num_warmup_steps = float(num_warmup_steps)
    num_training_steps = float(num_training_steps)
    if current_step < num_warmup_steps:
        if warmup_lr_rate is None:
            return (current_step + 1.0) / max(1.0, num_warmup_steps)
        else:
            warmup_lr_rate = float(warmup_lr_rate)
            return warmup_lr_rate + (1.0 - warmup_lr_rate) * (current_step) / (
                max(1, num_warmup_steps - 1))
    progress = (current_step - num_warmup_steps + 1.0) / (
        max(1.0, num_training_steps - num_warmup_steps))
    factor = 0.5 * (1.0 + math.cos(math.pi * num_cycles * 2.0 * progress))
    factor = factor * (1 - min_lr_rate) + min_lr_rate
    return max(0, factor)


def _get_wsd_scheduler_lambda(current_step: int, *, num_warmup_steps: int, num_stable_steps: int,
                              num_decay_steps: int, warmup_type: str, decay_type: str,
                              min_lr_ratio: float, num_cycles: float) -> float:
    if current_step < num_warmup_steps:
        progress = float(current_step) / float(max(1, num_warmup_steps))
        if warmup_type == "linear":
            factor = progress
        elif warmup_type == "cosine":
            factor = 0.5 * (1.0 - math.cos(math.pi * progress))
        elif warmup_type == "1-sqrt":
            factor = 1.0 - math.sqrt(1.0 - progress)
        factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
        return max(0.0, factor)
    if current_step < num_warmup_steps + num_stable_steps:
        return 1.0
    if current_step < num_warmup_steps + num_stable_steps + num_decay_steps:
        progress = float(current_step - num_warmup_steps - num_stable_steps) / float(
            max(1, num_decay_steps))
        if decay_type == "linear":
            factor = 1.0 - progress
        elif decay_type == "cosine":
            factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
        elif decay_type == "1-sqrt":
            factor = 1.0 - math.sqrt(progress)
        factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
        return max(0.0, factor)
    return min_lr_ratio


def noam_factor(current_step: int, *, num_warmup_steps: int, scale: float) -> float:
    """The Noam schedule: ``scale * min(s ** -0.5, s * num_warmup_steps ** -1.5)``, s = step + 1."""
    s = current_step + 1
    factor: float = scale * min(s ** -0.5, s * num_warmup_steps ** -1.5)
    return factor


# --------------------------------------------------------------------------------------------
# Argument checks of lrcore's own schedules


def _int(name: str, value: Any, minimum: int | None = 0) -> int:
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    number = int(value)
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {number}")
    return number


def _float(name: str, value: Any) -> float:
    if isinstance(value, (bool, str, bytes)) or not hasattr(value, "__float__"):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite, got {result}")
    return result


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
    return value


def _shape(kind: str, value: Any) -> str:
    if value not in _SHAPES:
        raise ValueError(f"Unknown {kind} type: {value}, expected 'linear', 'cosine' or '1-sqrt'")
    return str(value)


class _Formula(LRScheduler):
    """A schedule that is a function of the step and the group's base lr: get_lr and the closed
    form are the same."""

    def _value(self, step: int, base_lr: Any) -> Any:  # pragma: no cover - each class's own
        raise NotImplementedError

    def get_lr(self) -> list[Any]:
        _warn_get_lr_called_within_step(self)
        self._adopt_new_groups()
        return [self._value(self.last_epoch, base_lr) for base_lr in self.base_lrs]

    def _get_closed_form_lr(self) -> list[Any]:
        self._adopt_new_groups()
        return [self._value(self.last_epoch, base_lr) for base_lr in self.base_lrs]


# --------------------------------------------------------------------------------------------
# WarmupCosineLR


class WarmupCosineLR(_Formula):
    r"""Linear warmup, then cosine decay to a floor, with restarts: timm's ``CosineLRScheduler``.

    The lr after ``t`` steps (``t = last_epoch``) is timm's ``_get_lr(t)`` with the group's
    initial lr as its base value ``v``:

    * warmup, ``t < warmup_steps``: ``warmup_lr_init + t * (v - warmup_lr_init) / warmup_steps``;
    * then (``t -= warmup_steps`` if ``warmup_prefix``) cycle ``i`` of length
      ``t_initial * cycle_mul**i``, at ``t_cur`` steps into it:
      ``floor + 0.5 * (v * cycle_decay**i - floor) * (1 + cos(pi * t_cur**k / t_i**k))``;
    * after ``cycle_limit`` cycles: ``floor``.

    The floor is ``eta_min`` (absolute, the same for every group, timm's ``lr_min``) or
    ``min_lr_ratio * v`` (per group); give at most one (neither: ``eta_min=0``).

    Args:
        optimizer: wrapped optimizer.
        t_initial (int): length of the first cycle, in steps (> 0).
        warmup_steps (int): timm's ``warmup_t``. Default: 0.
        warmup_lr_init (float): lr at step 0 of the warmup. Default: 0.
        eta_min (float): absolute floor (>= 0). Default: None (0 unless ``min_lr_ratio``).
        min_lr_ratio (float): floor as a fraction of each group's initial lr. Default: None.
        cycle_mul (float): each cycle is ``cycle_mul`` times longer (> 0). Default: 1.
        cycle_decay (float): each cycle's peak is ``cycle_decay`` times lower (> 0). Default: 1.
        cycle_limit (int): number of cycles (>= 1). Default: 1.
        warmup_prefix (bool): cycles start after the warmup (else the warmup overlays the
            first cycle's start). Default: False.
        k_decay (float): timm's k-decay exponent (> 0). Default: 1.
        last_epoch (int): the index of the last step, to resume. Default: -1.
        verbose (bool): print each update. Default: False.

    Deviation from timm: with ``cycle_mul < 1`` all cycles fit in ``t_initial / (1 - cycle_mul)``
    steps; past that timm raises ValueError (``math.log`` of a non-positive number), lrcore
    gives the floor. timm's noise options are not offered.
    """

    def __init__(self, optimizer: Any, t_initial: int, warmup_steps: int = 0,
                 warmup_lr_init: float = 0.0, eta_min: float | None = None,
                 min_lr_ratio: float | None = None, cycle_mul: float = 1.0,
                 cycle_decay: float = 1.0, cycle_limit: int = 1, warmup_prefix: bool = False,
                 k_decay: float = 1.0, last_epoch: int = -1, verbose: bool = False, *,
                 key: str = "lr") -> None:
        _set_key(self, optimizer, key)
        _check_optimizer(optimizer)
        if eta_min is not None and min_lr_ratio is not None:
            raise ValueError("give eta_min (an absolute floor) or min_lr_ratio (a fraction of "
                             "each group's initial lr), not both")
        self.t_initial = _int("t_initial", t_initial, 1)
        self.warmup_steps = _int("warmup_steps", warmup_steps)
        self.warmup_lr_init = _float("warmup_lr_init", warmup_lr_init)
        self.eta_min = None if eta_min is None and min_lr_ratio is not None else _nonnegative(
            "eta_min", 0.0 if eta_min is None else eta_min)
        self.min_lr_ratio = None if min_lr_ratio is None else _nonnegative("min_lr_ratio",
                                                                           min_lr_ratio)
        self.cycle_mul = _positive("cycle_mul", cycle_mul)
        self.cycle_decay = _positive("cycle_decay", cycle_decay)
        self.cycle_limit = _int("cycle_limit", cycle_limit, 1)
        self.warmup_prefix = _bool("warmup_prefix", warmup_prefix)
        self.k_decay = _positive("k_decay", k_decay)
        super().__init__(optimizer, _int("last_epoch", last_epoch, -1), verbose)

    def _value(self, step: int, base_lr: Any) -> Any:
        lr_min = self.eta_min if self.min_lr_ratio is None else base_lr * self.min_lr_ratio
        return timm_cosine_lr(step, base_lr, t_initial=self.t_initial, lr_min=lr_min or 0.0,
                              warmup_t=self.warmup_steps, warmup_lr_init=self.warmup_lr_init,
                              cycle_mul=self.cycle_mul, cycle_decay=self.cycle_decay,
                              cycle_limit=self.cycle_limit, warmup_prefix=self.warmup_prefix,
                              k_decay=self.k_decay)


def _nonnegative(name: str, value: Any) -> float:
    number = _float(name, value)
    if number < 0:
        raise ValueError(f"{name} must be finite and >= 0, got {number}")
    return number


def _positive(name: str, value: Any) -> float:
    number = _float(name, value)
    if not number > 0:
        raise ValueError(f"{name} must be finite and > 0, got {number}")
    return number


# --------------------------------------------------------------------------------------------
# WarmupStableDecayLR and InverseSqrtLR


class WarmupStableDecayLR(_Formula):
    r"""Warmup, stable, decay (WSD): Hugging Face transformers' ``get_wsd_schedule``.

    ``lr = base_lr * factor(last_epoch)`` with transformers' ``_get_wsd_scheduler_lambda``:

    * warmup (``step < W``): ``p = step / max(1, W)``, shape ``p`` (linear),
      ``(1 - cos(pi p)) / 2`` (cosine) or ``1 - sqrt(1 - p)`` (1-sqrt), mapped to
      ``[min_lr_ratio, 1]``;
    * stable (``step < W + S``): 1;
    * decay (``step < W + S + D``): ``p = (step - W - S) / max(1, D)``, shape ``1 - p``,
      ``(1 + cos(2 pi num_cycles p)) / 2`` or ``1 - sqrt(p)``, mapped to ``[min_lr_ratio, 1]``;
    * then ``min_lr_ratio``.

    Give ``num_stable_steps`` or ``num_training_steps`` (then ``S = T - W - D``; both: a
    warning, ``num_stable_steps`` wins), as transformers. Unlike transformers, ``S < 0`` (more
    warmup and decay steps than training steps) is a ValueError.
    """

    def __init__(self, optimizer: Any, num_warmup_steps: int, num_decay_steps: int,
                 num_training_steps: int | None = None, num_stable_steps: int | None = None,
                 warmup_type: str = "linear", decay_type: str = "cosine",
                 min_lr_ratio: float = 0.0, num_cycles: float = 0.5, last_epoch: int = -1,
                 verbose: bool = False, *, key: str = "lr") -> None:
        _set_key(self, optimizer, key)
        _check_optimizer(optimizer)
        if num_training_steps is None and num_stable_steps is None:
            raise ValueError("Either num_training_steps or num_stable_steps must be specified.")
        _shape("warmup", warmup_type)
        _shape("decay", decay_type)
        warmup = _int("num_warmup_steps", num_warmup_steps)
        decay = _int("num_decay_steps", num_decay_steps)
        if num_stable_steps is None:
            training = _int("num_training_steps", num_training_steps)
            stable = training - warmup - decay
            if stable < 0:
                raise ValueError(f"num_training_steps ({training}) is less than num_warmup_steps "
                                 f"+ num_decay_steps ({warmup + decay})")
        else:
            stable = _int("num_stable_steps", num_stable_steps)
            if num_training_steps is not None:
                _int("num_training_steps", num_training_steps)
        ratio = _float("min_lr_ratio", min_lr_ratio)
        cycles = _float("num_cycles", num_cycles)
        last_epoch = _int("last_epoch", last_epoch, -1)
        if num_training_steps is not None and num_stable_steps is not None:
            warn("Both num_training_steps and num_stable_steps are specified. "
                 "num_stable_steps will be used.", UserWarning, stacklevel=3)
        self.num_warmup_steps = warmup
        self.num_stable_steps = stable
        self.num_decay_steps = decay
        self.warmup_type = warmup_type
        self.decay_type = decay_type
        self.min_lr_ratio = ratio
        self.num_cycles = cycles
        super().__init__(optimizer, last_epoch, verbose)

    def _value(self, step: int, base_lr: Any) -> Any:
        return base_lr * _get_wsd_scheduler_lambda(
            step, num_warmup_steps=self.num_warmup_steps, num_stable_steps=self.num_stable_steps,
            num_decay_steps=self.num_decay_steps, warmup_type=self.warmup_type,
            decay_type=self.decay_type, min_lr_ratio=self.min_lr_ratio,
            num_cycles=self.num_cycles)


class InverseSqrtLR(_Formula):
    r"""Linear warmup, then inverse square root: transformers' ``get_inverse_sqrt_schedule``.

    ``lr = base_lr * factor(step)``: ``step / max(1, W)`` during the warmup (``step < W``), then
    ``1 / sqrt((step + timescale - W) / timescale)``; ``timescale`` defaults to ``W or 10_000``.

    With ``noam=True``, the Noam schedule (Vaswani et al., 2017) instead:
    ``factor = scale * min(s ** -0.5, s * W ** -1.5)`` with ``s = step + 1`` and
    ``scale = d_model ** -0.5`` (or ``W ** 0.5`` without ``d_model``, a peak factor of about 1
    at ``s = W``); ``W`` must then be positive and ``timescale`` is unused.
    """

    def __init__(self, optimizer: Any, num_warmup_steps: int, timescale: int | None = None, *,
                 noam: bool = False, d_model: int | None = None, last_epoch: int = -1,
                 verbose: bool = False, key: str = "lr") -> None:
        _set_key(self, optimizer, key)
        _check_optimizer(optimizer)
        warmup = _int("num_warmup_steps", num_warmup_steps)
        timescale = (warmup or 10_000) if timescale is None else _int("timescale", timescale, 1)
        noam = _bool("noam", noam)
        if d_model is not None and not noam:
            raise ValueError("d_model is used by the Noam form only (noam=True)")
        if noam and warmup == 0:
            raise ValueError("the Noam schedule needs num_warmup_steps > 0")
        scale = 1.0
        if noam:
            scale = (float(_int("d_model", d_model, 1)) ** -0.5 if d_model is not None
                     else float(warmup) ** 0.5)
        self.num_warmup_steps = warmup
        self.timescale = timescale
        self.noam = noam
        self.noam_scale = scale
        super().__init__(optimizer, _int("last_epoch", last_epoch, -1), verbose)

    def _value(self, step: int, base_lr: Any) -> Any:
        if self.noam:
            return base_lr * noam_factor(step, num_warmup_steps=self.num_warmup_steps,
                                         scale=self.noam_scale)
        return base_lr * _get_inverse_sqrt_schedule_lr_lambda(
            step, num_warmup_steps=self.num_warmup_steps, timescale=self.timescale)


# --------------------------------------------------------------------------------------------
# HFScheduleLR: transformers' LambdaLR schedules


class _FirstGroupValue:
    """What transformers' schedule builders read of an optimizer (``defaults["lr"]``), for a
    scheduler of another key: that key's value in the first group."""

    def __init__(self, optimizer: Any, key: str) -> None:
        self.param_groups = optimizer.param_groups
        self.defaults = {"lr": _get(optimizer.param_groups[0], key)} if self.param_groups else {}


def _default_lr(optimizer: Any) -> Any:
    """transformers reads ``optimizer.defaults["lr"]``; a duck optimizer without ``defaults``
    gives its first group's lr."""
    defaults = getattr(optimizer, "defaults", None)
    if isinstance(defaults, dict) and "lr" in defaults:
        return defaults["lr"]
    _check_optimizer(optimizer)
    return optimizer.param_groups[0]["lr"]


def _min_lr_rate(optimizer: Any, min_lr: float | None, min_lr_rate: float | None) -> float:
    if min_lr is not None and min_lr_rate is not None:
        raise ValueError("Only one of min_lr or min_lr_rate should be set")
    elif min_lr is not None:
        rate: float = min_lr / _default_lr(optimizer)
        return rate
    elif min_lr_rate is None:
        raise ValueError("One of min_lr or min_lr_rate should be set through the "
                         "`lr_scheduler_kwargs`")
    return min_lr_rate


def _constant(optimizer: Any) -> Callable[..., Any]:
    return _get_constant_lambda


def _constant_with_warmup(optimizer: Any, num_warmup_steps: int) -> Callable[..., Any]:
    return partial(_get_constant_schedule_with_warmup_lr_lambda, num_warmup_steps=num_warmup_steps)


def _linear(optimizer: Any, num_warmup_steps: int, num_training_steps: int) -> Callable[..., Any]:
    return partial(_get_linear_schedule_with_warmup_lr_lambda, num_warmup_steps=num_warmup_steps,
                   num_training_steps=num_training_steps)


def _cosine(optimizer: Any, num_warmup_steps: int, num_training_steps: int,
            num_cycles: float = 0.5) -> Callable[..., Any]:
    return partial(_get_cosine_schedule_with_warmup_lr_lambda, num_warmup_steps=num_warmup_steps,
                   num_training_steps=num_training_steps, num_cycles=num_cycles)


def _cosine_with_restarts(optimizer: Any, num_warmup_steps: int, num_training_steps: int,
                          num_cycles: int = 1) -> Callable[..., Any]:
    return partial(_get_cosine_with_hard_restarts_schedule_with_warmup_lr_lambda,
                   num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps,
                   num_cycles=num_cycles)


def _polynomial(optimizer: Any, num_warmup_steps: int, num_training_steps: int,
                lr_end: float = 1e-7, power: float = 1.0) -> Callable[..., Any]:
    lr_init = _default_lr(optimizer)
    if not (lr_init > lr_end):
        raise ValueError(f"lr_end ({lr_end}) must be smaller than initial lr ({lr_init})")
    return partial(_get_polynomial_decay_schedule_with_warmup_lr_lambda,
                   num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps,
                   lr_end=lr_end, power=power, lr_init=lr_init)


def _inverse_sqrt(optimizer: Any, num_warmup_steps: int,
                  timescale: int | None = None) -> Callable[..., Any]:
    if timescale is None:
        timescale = num_warmup_steps or 10_000
    return partial(_get_inverse_sqrt_schedule_lr_lambda, num_warmup_steps=num_warmup_steps,
                   timescale=timescale)


def _cosine_with_min_lr(optimizer: Any, num_warmup_steps: int, num_training_steps: int,
                        num_cycles: float = 0.5, min_lr: float | None = None,
                        min_lr_rate: float | None = None) -> Callable[..., Any]:
    rate = _min_lr_rate(optimizer, min_lr, min_lr_rate)
    return partial(_get_cosine_schedule_with_warmup_lr_lambda, num_warmup_steps=num_warmup_steps,
                   num_training_steps=num_training_steps, num_cycles=num_cycles, min_lr_rate=rate)


def _cosine_warmup_with_min_lr(optimizer: Any, num_warmup_steps: int, num_training_steps: int,
                               num_cycles: float = 0.5, min_lr: float | None = None,
                               min_lr_rate: float | None = None,
                               warmup_lr_rate: float | None = None) -> Callable[..., Any]:
    rate = _min_lr_rate(optimizer, min_lr, min_lr_rate)
    return partial(_get_cosine_with_min_lr_schedule_with_warmup_lr_rate_lambda,
                   num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps,
                   num_cycles=num_cycles, min_lr_rate=rate, warmup_lr_rate=warmup_lr_rate)


def _warmup_stable_decay(optimizer: Any, num_warmup_steps: int, num_decay_steps: int,
                         num_training_steps: int | None = None,
                         num_stable_steps: int | None = None, warmup_type: str = "linear",
                         decay_type: str = "cosine", min_lr_ratio: float = 0,
                         num_cycles: float = 0.5) -> Callable[..., Any]:
    if num_training_steps is None and num_stable_steps is None:
        raise ValueError("Either num_training_steps or num_stable_steps must be specified.")
    if num_training_steps is not None and num_stable_steps is not None:
        warn("Both num_training_steps and num_stable_steps are specified. num_stable_steps will "
             "be used.", UserWarning, stacklevel=4)
    if warmup_type not in ["linear", "cosine", "1-sqrt"]:
        raise ValueError(f"Unknown warmup type: {warmup_type}, expected 'linear', 'cosine' or "
                         "'1-sqrt'")
    if decay_type not in ["linear", "cosine", "1-sqrt"]:
        raise ValueError(f"Unknown decay type: {decay_type}, expected 'linear', 'cosine' or "
                         "'1-sqrt'")
    if num_stable_steps is None:
        num_stable_steps = num_training_steps - num_warmup_steps - num_decay_steps  # type: ignore[operator]
    return partial(_get_wsd_scheduler_lambda, num_warmup_steps=num_warmup_steps,
                   num_stable_steps=num_stable_steps, num_decay_steps=num_decay_steps,
                   warmup_type=warmup_type, decay_type=decay_type, min_lr_ratio=min_lr_ratio,
                   num_cycles=num_cycles)


# transformers' LambdaLR schedules by get_scheduler name: the function building the lambda.
HF_LAMBDAS: dict[str, Callable[..., Callable[..., Any]]] = {
    "linear": _linear,
    "cosine": _cosine,
    "cosine_with_restarts": _cosine_with_restarts,
    "polynomial": _polynomial,
    "constant": _constant,
    "constant_with_warmup": _constant_with_warmup,
    "inverse_sqrt": _inverse_sqrt,
    "cosine_with_min_lr": _cosine_with_min_lr,
    "cosine_warmup_with_min_lr": _cosine_warmup_with_min_lr,
    "warmup_stable_decay": _warmup_stable_decay,
}


class HFScheduleLR(LambdaLR):
    r"""A LambdaLR schedule of Hugging Face transformers' ``get_scheduler``, by name.

    ``schedule`` is one of transformers' names ('linear', 'cosine', 'cosine_with_restarts',
    'polynomial', 'constant', 'constant_with_warmup', 'inverse_sqrt', 'cosine_with_min_lr',
    'cosine_warmup_with_min_lr', 'warmup_stable_decay'); the other arguments are that
    schedule's, as transformers' ``get_*_schedule*`` function takes them. The scheduler is the
    LambdaLR transformers builds: its lambda is ``functools.partial`` of the transformers
    function (transcribed), so that its ``state_dict`` is a transformers scheduler's and loads
    into one, and the reverse.
    """

    def __init__(self, optimizer: Any, schedule: str, *args: Any, last_epoch: int = -1,
                 verbose: bool = False, key: str = "lr",
                 **kwargs: Any) -> None:
        _set_key(self, optimizer, key)
        if schedule not in HF_LAMBDAS:
            raise ValueError(f"unknown schedule {schedule!r}; expected one of {list(HF_LAMBDAS)}")
        # transformers takes the optimizer's lr as the schedule's initial value (lr_init, and
        # min_lr's scale); of another key, that key's value in the first group
        source = optimizer if self.key == "lr" else _FirstGroupValue(optimizer, self.key)
        lr_lambda = HF_LAMBDAS[schedule](source, *args, **kwargs)
        super().__init__(optimizer, lr_lambda, last_epoch, verbose)

    @property
    def schedule(self) -> str:
        """The schedule's get_scheduler name."""
        lam = self.lr_lambdas[0]
        fn = getattr(lam, "func", lam)
        # 'cosine' and 'cosine_with_min_lr' share transformers' cosine lambda; only the latter
        # binds its min_lr_rate
        with_min_lr = "min_lr_rate" in (getattr(lam, "keywords", None) or {})
        for name in HF_LAMBDAS:
            if getattr(fn, "__name__", "") == _LAMBDA_NAMES[name]:
                if name == "cosine" and with_min_lr:
                    return "cosine_with_min_lr"
                return name
        return "custom"


_LAMBDA_NAMES = {
    "linear": "_get_linear_schedule_with_warmup_lr_lambda",
    "cosine": "_get_cosine_schedule_with_warmup_lr_lambda",
    "cosine_with_restarts": "_get_cosine_with_hard_restarts_schedule_with_warmup_lr_lambda",
    "polynomial": "_get_polynomial_decay_schedule_with_warmup_lr_lambda",
    "constant": "_get_constant_lambda",
    "constant_with_warmup": "_get_constant_schedule_with_warmup_lr_lambda",
    "inverse_sqrt": "_get_inverse_sqrt_schedule_lr_lambda",
    "cosine_with_min_lr": "_get_cosine_schedule_with_warmup_lr_lambda",
    "cosine_warmup_with_min_lr": "_get_cosine_with_min_lr_schedule_with_warmup_lr_rate_lambda",
    "warmup_stable_decay": "_get_wsd_scheduler_lambda",
}


# --------------------------------------------------------------------------------------------
# WarmupLR


class WarmupLR(_Composite, LRScheduler):
    r"""A warmup in front of any scheduler.

    For the first ``warmup_steps`` steps each group's lr is the wrapped scheduler's lr times a
    factor rising from ``start_factor`` (step 0) towards 1 (transformers' warmup shapes, as
    :class:`WarmupStableDecayLR`'s, with ``p = t / warmup_steps``): ``'linear'`` ``p``,
    ``'cosine'`` ``(1 - cos(pi p)) / 2``, ``'1-sqrt'`` ``1 - sqrt(1 - p)``, mapped to
    ``[start_factor, 1]``. From step ``warmup_steps`` on, the lr is the wrapped scheduler's,
    exactly.

    The wrapped scheduler never sees the damping: it follows, bit for bit, the lrs it gives
    alone (a chainable CosineAnnealingLR, a ReduceLROnPlateau reducing the full lr). With
    ``prefix=True`` it starts after the warmup (its epoch 0 is held, damped, during the warmup,
    then at full value at step ``warmup_steps``); by default both start together.

    Unlike ``SequentialLR([LinearLR(...), scheduler], [W])``, resuming cannot drift:
    ``load_state_dict`` puts back into the param groups the lrs of the loaded step, whatever
    the optimizer held or the constructors wrote, so optimizer and scheduler states load in
    either order; the wrapped scheduler's epochs are not restarted at a milestone; and a
    ReduceLROnPlateau can be wrapped (step the warmup with the metric: ``step(val_loss)``).

    Args:
        scheduler: the scheduler to warm up (built first, on the optimizer).
        warmup_steps (int): number of warmup steps (0: no warmup).
        start_factor (float or list): the factor at step 0, in [0, 1], or one per param group.
            Default: 0 (the first step has lr 0, as transformers' warmups).
        warmup_type (str): 'linear', 'cosine' or '1-sqrt'. Default: 'linear'.
        prefix (bool): start the wrapped scheduler after the warmup. Default: False.
        verbose (bool): accepted for compatibility.

    Example:
        >>> from lrcore import CosineAnnealingLR, WarmupLR
        >>> class OptimizerLike:   # any object with param_groups, or a torch optimizer
        ...     param_groups = [{"lr": 0.1}]
        >>> cosine = CosineAnnealingLR(OptimizerLike(), T_max=10_000)
        >>> scheduler = WarmupLR(cosine, warmup_steps=500)   # then scheduler.step() per batch
        >>> scheduler.simulate(1000)[[0, 250, 500, 1000], 0].tolist()
        [0.0, 0.04992293334332817, 0.09938441702975702, 0.09755282581475784]
    """

    # A WarmupLR sets the lrs from its scheduler's during its warmup (see _check_warmup_chain).
    _owns_lrs = True
    _group_lists = ("start_factor",)

    def __init__(self, scheduler: Any, warmup_steps: int, start_factor: Any = 0.0,
                 warmup_type: str = "linear", prefix: bool = False, *,
                 verbose: bool = False, key: str | None = None) -> None:
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"WarmupLR wraps a scheduler (an object with `optimizer`), got "
                            f"{type(scheduler).__name__}")
        optimizer = scheduler.optimizer
        _check_optimizer(optimizer)
        _check_children("WarmupLR", optimizer, [scheduler])
        _set_key(self, optimizer, _composite_key(self, [scheduler], key))
        steps = _int("warmup_steps", warmup_steps)
        groups = len(optimizer.param_groups)
        for factor in _values("start_factor", start_factor, groups):
            number = _float("start_factor", factor)
            if not 0.0 <= number <= 1.0:
                raise ValueError(f"start_factor must be in [0, 1], got {number}")
        _shape("warmup", warmup_type)
        self._schedulers = [scheduler]
        self.warmup_steps = steps
        self.start_factor = start_factor
        self.warmup_type = warmup_type
        self.prefix = _bool("prefix", prefix)
        self.optimizer = optimizer
        # What the warmup leads to: the wrapped scheduler's lrs now.
        self.base_lrs = scheduler.get_last_lr()
        self.last_epoch = 0
        self._step_count = 1
        self._write(0)

    @property
    def scheduler(self) -> Any:
        """The wrapped scheduler."""
        return self._schedulers[0]

    def _factor(self, t: int, start: Any) -> Any:
        return _get_wsd_scheduler_lambda(t, num_warmup_steps=self.warmup_steps, num_stable_steps=0,
                                         num_decay_steps=0, warmup_type=self.warmup_type,
                                         decay_type="linear", min_lr_ratio=start, num_cycles=0.5)

    def _write(self, t: int) -> None:
        """The groups' lrs at step t: the wrapped scheduler's, times the factor in the warmup."""
        inner = self.scheduler.get_last_lr()
        groups = self.optimizer.param_groups
        if len(inner) != len(groups):
            raise ValueError(f"zip() argument 2 is {'shorter' if len(inner) < len(groups) else 'longer'}"
                             " than argument 1")
        if t < self.warmup_steps:
            starts = _values("start_factor", self.start_factor, len(groups))
            lrs = [lr * self._factor(t, start) for lr, start in zip(inner, starts)]
        else:
            lrs = list(inner)
        for group, lr in zip(groups, lrs):
            _update_param_group_val(group, self.key, lr)
        self._last_lr = _param_groups_val_list(self.optimizer, self.key)
        self.last_epoch = t

    def step(self, metrics: Any = None) -> None:
        """One step (with the metric, ``step(val_loss)``, if the wrapped scheduler takes one)."""
        self._check_metric(metrics)
        t = self.last_epoch + 1
        inner_steps = not self.prefix or t > self.warmup_steps
        if inner_steps:
            if self.last_epoch < self.warmup_steps:
                # The groups hold damped lrs: the wrapped scheduler steps from its own.
                for group, lr in zip(self.optimizer.param_groups, self.scheduler.get_last_lr(),
                                     strict=True):
                    _update_param_group_val(group, self.key, lr)
            _step_child(self.scheduler, metrics)
        if inner_steps and t >= self.warmup_steps:  # transparent: the groups hold its lrs
            self._last_lr = _param_groups_val_list(self.optimizer, self.key)
            self.last_epoch = t
        else:
            self._write(t)
        self._step_count += 1

    # As a SequentialLR's child: its constructor rewinds the children and gives the first one its
    # initial step; at a milestone a child restarts at epoch 0. The warmup starts again.
    def _sequential_initial(self) -> None:
        _initial_child(self.scheduler)
        self._step_count = 1
        self._write(0)

    def _sequential_restart(self, metrics: Any) -> None:
        _restart_child(self.scheduler, metrics if _takes_metric(self.scheduler) else None)
        self._write(0)

    def _sequential_undo(self) -> None:
        self.last_epoch -= 1
        child = self.scheduler
        undo = getattr(child, "_sequential_undo", None)
        if undo is not None:
            undo()
        elif hasattr(child, "_schedulers"):
            for s in child._schedulers:
                _undo(s)
        elif hasattr(child, "last_epoch"):
            child.last_epoch -= 1

    def get_lr(self) -> list[Any]:
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """The state, with the groups' lrs now (``_group_lrs``), which load_state_dict puts back."""
        state = {key: value for key, value in self.__dict__.items()
                 if key not in ("optimizer", "_schedulers")}
        state["_group_lrs"] = _param_groups_val_list(self.optimizer, self.key)
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state from :meth:`state_dict`, and put back into the param groups the lrs they
        held when it was saved, so that resuming does not depend on what they hold now (nor on
        whether the optimizer's state is loaded first). A state is saved at one moment, so a
        WarmupLR loaded as a composite's child puts back the same lrs as the composite's."""
        state = dict(state_dict)
        group_lrs = state.pop("_group_lrs")
        super().load_state_dict(state)
        for group, lr in zip(self.optimizer.param_groups, group_lrs, strict=True):
            _update_param_group_val(group, self.key, lr)


def _undo(s: Any) -> None:
    undo = getattr(s, "_sequential_undo", None)
    if undo is not None:
        undo()
    elif hasattr(s, "_schedulers"):
        for c in s._schedulers:
            _undo(c)
    elif hasattr(s, "last_epoch"):
        s.last_epoch -= 1


# --------------------------------------------------------------------------------------------
# GreedyLR (transformers)


class StreamingAverage:
    """transformers' StreamingAverage: the mean of the last ``window_size`` values."""

    def __init__(self, window_size: int) -> None:
        self.window_size = window_size
        self.values: list[float] = []
        self.sum = 0.0

    def streamavg(self, value: float) -> float:
        self.values.append(value)
        self.sum += value
        if len(self.values) > self.window_size:
            self.sum -= self.values.pop(0)
        return self.sum / len(self.values)

    def state_dict(self) -> dict[str, Any]:
        return {"window_size": self.window_size, "values": self.values.copy(), "sum": self.sum}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.window_size = state_dict.get("window_size", self.window_size)
        self.values = state_dict.get("values", []).copy()
        self.sum = state_dict.get("sum", 0.0)


class _TransformersGreedyBase:
    """Stands where transformers' GreedyLR goes once transformers is loaded (so that its Trainer,
    which steps a GreedyLR with the metric, recognizes lrcore's; see _impl.torch_compat)."""


class GreedyLR(LRScheduler, _TransformersGreedyBase):
    """transformers' ``GreedyLR``: adapts the lr to the metric, dividing it by ``factor`` after
    ``patience`` improving steps and multiplying it by ``factor`` after ``patience`` steps
    without improvement, within ``[min_lr, max_lr]``; optionally on a moving average of the
    metric (``smooth``), and back to the initial lrs after ``reset_start`` steps at ``min_lr``.
    Step it with the metric: ``scheduler.step(val_loss)``."""

    def __init__(self, optimizer: Any, mode: str = "min", factor: float = 0.95,
                 patience: int = 10, threshold: float = 1e-6, threshold_mode: str = "abs",
                 cooldown: int = 0, warmup: int = 0, min_lr: Any = 1e-3, max_lr: Any = 1.0,
                 eps: float = 1e-8, verbose: bool = False, smooth: bool = False,
                 window_size: int = 50, reset_start: int = 500, *, key: str = "lr") -> None:
        _set_key(self, optimizer, key)
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        _check_optimizer(optimizer)

        self.optimizer = optimizer
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.warmup = warmup
        self.cooldown_counter = 0
        self.warmup_counter = 0
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.eps = eps
        self.smooth = smooth
        self.window_size = window_size
        self.reset_start = reset_start
        self.reset_start_original = reset_start
        self.last_epoch = 0

        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(f"expected {len(optimizer.param_groups)} min_lrs, got {len(min_lr)}")
            self.min_lrs = list(min_lr)
        else:
            self.min_lrs = [min_lr] * len(optimizer.param_groups)

        if isinstance(max_lr, (list, tuple)):
            if len(max_lr) != len(optimizer.param_groups):
                raise ValueError(f"expected {len(optimizer.param_groups)} max_lrs, got {len(max_lr)}")
            self.max_lrs = list(max_lr)
        else:
            self.max_lrs = [max_lr] * len(optimizer.param_groups)

        self._init_lrs = [_get(group, self.key) for group in optimizer.param_groups]
        self._last_lr = self._init_lrs.copy()

        self.best: float = float("inf") if mode == "min" else float("-inf")
        self.num_bad_epochs = 0
        self.num_good_epochs = 0

        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode} is unknown!")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode} is unknown!")

        self._streaming_avg: StreamingAverage | None = None
        if smooth:
            self._streaming_avg = StreamingAverage(window_size)

    def step(self, metrics: Any, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record the metric and adjust the lrs."""
        current = float(metrics)

        if self.smooth and self._streaming_avg is not None:
            current = self._streaming_avg.streamavg(current)

        if epoch is None:
            epoch = self.last_epoch + 1
        self.last_epoch = epoch

        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
            self.num_good_epochs = 0
        elif self.warmup_counter > 0:
            self.warmup_counter -= 1
            self.num_bad_epochs = 0
            self.num_good_epochs = 0
        else:
            if self.is_better(current, self.best):
                self.best = current
                self.num_bad_epochs = 0
                self.num_good_epochs += 1
            else:
                self.num_bad_epochs += 1
                self.num_good_epochs = 0

            if self.num_good_epochs > self.patience:
                self._increase_lr(epoch)
                self.warmup_counter = self.warmup
                self.num_good_epochs = 0
            elif self.num_bad_epochs > self.patience:
                self._reduce_lr(epoch)
                self.cooldown_counter = self.cooldown
                self.num_bad_epochs = 0

        self._last_lr = [_get(group, self.key) for group in self.optimizer.param_groups]

    def is_better(self, current: float, best: float) -> bool:
        """Whether ``current`` improves on ``best``."""
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return current < best * (1.0 - self.threshold)
            else:
                return current < best - self.threshold
        else:
            if self.threshold_mode == "rel":
                return current > best * (1.0 + self.threshold)
            else:
                return current > best + self.threshold

    def _reduce_lr(self, epoch: int) -> None:
        all_at_min = True
        for i, param_group in enumerate(self.optimizer.param_groups):
            old_lr = float(_get(param_group, self.key))
            new_lr = max(old_lr * self.factor, self.min_lrs[i])

            if old_lr - new_lr > self.eps:
                _assign(param_group, self.key, new_lr)
                if self.verbose:
                    print(f"Epoch {epoch}: reducing learning rate of group {i} to {new_lr:.4e}.")

            if _get(param_group, self.key) > self.min_lrs[i]:
                all_at_min = False

        if all_at_min:
            self.reset_start -= 1
            if self.reset_start <= 0:
                self._reset()

    def _increase_lr(self, epoch: int) -> None:
        for i, param_group in enumerate(self.optimizer.param_groups):
            old_lr = float(_get(param_group, self.key))
            new_lr = min(old_lr / self.factor, self.max_lrs[i])

            if new_lr - old_lr > self.eps:
                _assign(param_group, self.key, new_lr)
                if self.verbose:
                    print(f"Epoch {epoch}: increasing learning rate of group {i} to {new_lr:.4e}.")

        self.reset_start = self.reset_start_original

    def _reset(self) -> None:
        for i, param_group in enumerate(self.optimizer.param_groups):
            _assign(param_group, self.key, self._init_lrs[i])

        self.best = float("inf") if self.mode == "min" else float("-inf")
        self.num_bad_epochs = 0
        self.num_good_epochs = 0
        self.cooldown_counter = 0
        self.warmup_counter = 0
        self.reset_start = self.reset_start_original

        if self.smooth and self._streaming_avg is not None:
            self._streaming_avg = StreamingAverage(self.window_size)

        if self.verbose:
            print("Scheduler reset to initial state.")

    def get_last_lr(self) -> list[Any]:
        """The lrs the last step left, one per param group."""
        return self._last_lr

    def get_lr(self) -> list[Any]:
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """The state, as transformers' GreedyLR saves it."""
        state = {
            "factor": self.factor,
            "min_lrs": self.min_lrs,
            "max_lrs": self.max_lrs,
            "patience": self.patience,
            "verbose": self.verbose,
            "cooldown": self.cooldown,
            "warmup": self.warmup,
            "cooldown_counter": self.cooldown_counter,
            "warmup_counter": self.warmup_counter,
            "mode": self.mode,
            "threshold": self.threshold,
            "threshold_mode": self.threshold_mode,
            "best": self.best,
            "num_bad_epochs": self.num_bad_epochs,
            "num_good_epochs": self.num_good_epochs,
            "eps": self.eps,
            "last_epoch": self.last_epoch,
            "smooth": self.smooth,
            "window_size": self.window_size,
            "reset_start": self.reset_start,
            "reset_start_original": self.reset_start_original,
            "_last_lr": self._last_lr,
            "_init_lrs": self._init_lrs,
        }
        if self.key != "lr":
            state["key"] = self.key

        if self.smooth and self._streaming_avg is not None:
            state["_streaming_avg"] = self._streaming_avg.state_dict()

        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state, as transformers' GreedyLR loads it."""
        _check_state_key(self, state_dict)
        self.factor = state_dict.get("factor", self.factor)
        self.min_lrs = state_dict.get("min_lrs", self.min_lrs)
        self.max_lrs = state_dict.get("max_lrs", self.max_lrs)
        self.patience = state_dict.get("patience", self.patience)
        self.verbose = state_dict.get("verbose", self.verbose)
        self.cooldown = state_dict.get("cooldown", self.cooldown)
        self.warmup = state_dict.get("warmup", self.warmup)
        self.cooldown_counter = state_dict.get("cooldown_counter", self.cooldown_counter)
        self.warmup_counter = state_dict.get("warmup_counter", self.warmup_counter)
        self.mode = state_dict.get("mode", self.mode)
        self.threshold = state_dict.get("threshold", self.threshold)
        self.threshold_mode = state_dict.get("threshold_mode", self.threshold_mode)
        self.best = state_dict.get("best", self.best)
        self.num_bad_epochs = state_dict.get("num_bad_epochs", self.num_bad_epochs)
        self.num_good_epochs = state_dict.get("num_good_epochs", self.num_good_epochs)
        self.eps = state_dict.get("eps", self.eps)
        self.last_epoch = state_dict.get("last_epoch", self.last_epoch)
        self.smooth = state_dict.get("smooth", self.smooth)
        self.window_size = state_dict.get("window_size", self.window_size)
        self.reset_start = state_dict.get("reset_start", self.reset_start)
        self.reset_start_original = state_dict.get("reset_start_original",
                                                   self.reset_start_original)
        self._last_lr = state_dict.get("_last_lr", self._last_lr)
        self._init_lrs = state_dict.get("_init_lrs", self._init_lrs)

        if "_streaming_avg" in state_dict:
            if self._streaming_avg is None:
                self._streaming_avg = StreamingAverage(self.window_size)
            self._streaming_avg.load_state_dict(state_dict["_streaming_avg"])

        if "_last_lr" in state_dict:
            for param_group, lr in zip(self.optimizer.param_groups, self._last_lr):
                _assign(param_group, self.key, lr)
