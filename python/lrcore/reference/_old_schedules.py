"""Pure-Python references for lrcore's schedules that torch lacks (see lrcore.schedules).

Each value is the documented formula of the library the schedule follows, transcribed with the
same operations, in the same order and with the same int/float types, so that lrcore's C++ core
must equal it bit for bit:

* ``timm_cosine_lr``: timm's ``CosineLRScheduler._get_lr(t)`` (timm/scheduler/cosine_lr.py) for
  one group, its base lr as ``base_values``;
* ``wsd_factor``, ``inverse_sqrt_factor``, ``hf_factor``: Hugging Face transformers'
  ``_get_wsd_scheduler_lambda``, ``_get_inverse_sqrt_schedule_lr_lambda`` and the other
  ``get_scheduler`` lambdas (transformers/optimization.py); the lr is ``base_lr * factor``, as
  torch's LambdaLR computes it;
* ``WarmupLR``: lrcore's warmup wrapper (its documented semantics, see lrcore.schedules), over a
  reference scheduler, the warmup factor being ``wsd_factor``'s warmup phase.

The classes (same names and arguments as lrcore's) step like :mod:`lrcore.reference`'s: they are
the readable baseline of ``lrcore bench`` and an oracle for the tests. No torch import.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, cast

from .reference import LRScheduler

if TYPE_CHECKING:  # annotations only
    from typing import Any

    from ._typing import Optimizer as _Optimizer

__all__ = ["timm_cosine_lr", "wsd_factor", "inverse_sqrt_factor", "noam_factor", "hf_factor",
           "WarmupCosineLR", "WarmupStableDecayLR", "InverseSqrtLR", "HFScheduleLR", "WarmupLR"]


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


def wsd_factor(current_step: int, *, num_warmup_steps: int, num_stable_steps: int,
               num_decay_steps: int, warmup_type: str, decay_type: str, min_lr_ratio: float,
               num_cycles: float) -> float:
    """transformers' ``_get_wsd_scheduler_lambda``."""
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
        progress = float(current_step - num_warmup_steps - num_stable_steps) / float(max(1, num_decay_steps))
        if decay_type == "linear":
            factor = 1.0 - progress
        elif decay_type == "cosine":
            factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
        elif decay_type == "1-sqrt":
            factor = 1.0 - math.sqrt(progress)
        factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
        return max(0.0, factor)
    return min_lr_ratio


def inverse_sqrt_factor(current_step: int, *, num_warmup_steps: int, timescale: int) -> float:
    """transformers' ``_get_inverse_sqrt_schedule_lr_lambda``."""
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    shift = timescale - num_warmup_steps
    return 1.0 / math.sqrt((current_step + shift) / timescale)


def noam_factor(current_step: int, *, num_warmup_steps: int, scale: float) -> float:
    """The Noam schedule: ``scale * min(s ** -0.5, s * num_warmup_steps ** -1.5)``, s = step + 1."""
    s = current_step + 1
    factor: float = scale * min(s ** -0.5, s * num_warmup_steps ** -1.5)  # int ** float is Any to mypy
    return factor


def hf_factor(current_step: float, schedule: str, *, num_warmup_steps: int = 0,
              num_training_steps: int = 0, num_cycles: float = 0.5, lr_end: float = 1e-7,
              power: float = 1.0, lr_init: float = 1.0, min_lr_rate: float = 0.0,
              warmup_lr_rate: float | None = None) -> float:
    """The lambda of transformers' ``get_scheduler(schedule)`` (LambdaLR schedules only)."""
    # Ints, made floats for cosine_warmup_with_min_lr (as transformers does).
    nw: float
    nt: float
    nw, nt = num_warmup_steps, num_training_steps
    if schedule == "constant":
        return 1
    if schedule == "constant_with_warmup":
        if current_step < nw:
            return float(current_step) / float(max(1.0, nw))
        return 1.0
    if schedule == "cosine_warmup_with_min_lr":
        current_step = float(current_step)
        nw = float(nw)
        nt = float(nt)
        if current_step < nw:
            if warmup_lr_rate is None:
                return (current_step + 1.) / max(1., nw)
            warmup_lr_rate = float(warmup_lr_rate)
            return warmup_lr_rate + (1.0 - warmup_lr_rate) * (current_step) / (max(1, nw - 1))
        progress = (current_step - nw + 1.) / (max(1., nt - nw))
        factor = 0.5 * (1.0 + math.cos(math.pi * num_cycles * 2.0 * progress))
        factor = factor * (1 - min_lr_rate) + min_lr_rate
        return max(0, factor)
    if current_step < nw:
        return float(current_step) / float(max(1, nw))
    if schedule == "linear":
        return max(0.0, float(nt - current_step) / float(max(1, nt - nw)))
    if schedule in ("cosine", "cosine_with_min_lr"):
        progress = float(current_step - nw) / float(max(1, nt - nw))
        factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
        factor = factor * (1 - min_lr_rate) + min_lr_rate
        return max(0, factor)
    if schedule == "cosine_with_restarts":
        progress = float(current_step - nw) / float(max(1, nt - nw))
        if progress >= 1.0:
            return 0.0
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((float(num_cycles) * progress) % 1.0))))
    if schedule == "polynomial":
        if current_step > nt:
            return lr_end / lr_init
        lr_range = lr_init - lr_end
        decay_steps = nt - nw
        pct_remaining = 1 - (current_step - nw) / decay_steps
        decay: float = lr_range * pct_remaining ** power + lr_end
        return decay / lr_init
    raise ValueError(f"unknown schedule {schedule!r}")


class _Formula(LRScheduler):
    def _value(self, step: int, base_lr: float) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def get_lr(self) -> list[float]:
        return [self._value(self.last_epoch, base) for base in self.base_lrs]

    def _get_closed_form_lr(self) -> list[float]:
        return self.get_lr()


class WarmupCosineLR(_Formula):
    """timm's CosineLRScheduler; the floor is ``eta_min`` or ``min_lr_ratio * base_lr``."""

    def __init__(self, optimizer: _Optimizer, t_initial: int, warmup_steps: int = 0,
                 warmup_lr_init: float = 0.0, eta_min: float | None = None,
                 min_lr_ratio: float | None = None, cycle_mul: float = 1.0,
                 cycle_decay: float = 1.0, cycle_limit: int = 1, warmup_prefix: bool = False,
                 k_decay: float = 1.0, last_epoch: int = -1) -> None:
        self.t_initial, self.warmup_steps, self.warmup_lr_init = t_initial, warmup_steps, float(warmup_lr_init)
        self.eta_min = None if eta_min is None and min_lr_ratio is not None else float(eta_min or 0.0)
        self.min_lr_ratio = None if min_lr_ratio is None else float(min_lr_ratio)
        self.cycle_mul, self.cycle_decay = float(cycle_mul), float(cycle_decay)
        self.cycle_limit, self.warmup_prefix, self.k_decay = cycle_limit, warmup_prefix, float(k_decay)
        super().__init__(optimizer, last_epoch)

    def _value(self, step: int, base_lr: float) -> float:
        # eta_min is None only when min_lr_ratio is set (see __init__).
        lr_min = cast(float, self.eta_min) if self.min_lr_ratio is None else base_lr * self.min_lr_ratio
        return timm_cosine_lr(step, base_lr, t_initial=self.t_initial, lr_min=lr_min,
                              warmup_t=self.warmup_steps, warmup_lr_init=self.warmup_lr_init,
                              cycle_mul=self.cycle_mul, cycle_decay=self.cycle_decay,
                              cycle_limit=self.cycle_limit, warmup_prefix=self.warmup_prefix,
                              k_decay=self.k_decay)


class WarmupStableDecayLR(_Formula):
    """transformers' get_wsd_schedule."""

    def __init__(self, optimizer: _Optimizer, num_warmup_steps: int, num_decay_steps: int,
                 num_training_steps: int | None = None, num_stable_steps: int | None = None,
                 warmup_type: str = "linear", decay_type: str = "cosine",
                 min_lr_ratio: float = 0.0, num_cycles: float = 0.5, last_epoch: int = -1) -> None:
        if num_stable_steps is None:
            # As transformers' get_wsd_schedule: a TypeError when neither is given.
            num_stable_steps = num_training_steps - num_warmup_steps - num_decay_steps  # type: ignore[operator]
        self.kw: dict[str, Any] = dict(num_warmup_steps=num_warmup_steps, num_stable_steps=num_stable_steps,
                       num_decay_steps=num_decay_steps, warmup_type=warmup_type,
                       decay_type=decay_type, min_lr_ratio=float(min_lr_ratio),
                       num_cycles=float(num_cycles))
        super().__init__(optimizer, last_epoch)

    def _value(self, step: int, base_lr: float) -> float:
        return base_lr * wsd_factor(step, **self.kw)


class InverseSqrtLR(_Formula):
    """transformers' get_inverse_sqrt_schedule, or the Noam form."""

    def __init__(self, optimizer: _Optimizer, num_warmup_steps: int, timescale: int | None = None, *,
                 noam: bool = False, d_model: int | None = None, last_epoch: int = -1) -> None:
        self.num_warmup_steps = num_warmup_steps
        self.timescale = timescale if timescale is not None else (num_warmup_steps or 10_000)
        self.noam = noam
        self.scale = float(d_model) ** -0.5 if d_model is not None else float(num_warmup_steps) ** 0.5 if noam else 1.0
        super().__init__(optimizer, last_epoch)

    def _value(self, step: int, base_lr: float) -> float:
        if self.noam:
            return base_lr * noam_factor(step, num_warmup_steps=self.num_warmup_steps, scale=self.scale)
        return base_lr * inverse_sqrt_factor(step, num_warmup_steps=self.num_warmup_steps,
                                             timescale=self.timescale)


class HFScheduleLR(_Formula):
    """One of transformers' LambdaLR schedules, by its get_scheduler name."""

    def __init__(self, optimizer: _Optimizer, schedule: str, num_warmup_steps: int = 0,
                 num_training_steps: int = 0, *, last_epoch: int = -1, **params: float | None) -> None:
        self.schedule = schedule
        if schedule == "cosine_with_restarts":
            params.setdefault("num_cycles", 1)
        self.kw: dict[str, Any] = dict(num_warmup_steps=num_warmup_steps,
                                       num_training_steps=num_training_steps, **params)
        super().__init__(optimizer, last_epoch)

    def _value(self, step: int, base_lr: float) -> float:
        return base_lr * hf_factor(step, self.schedule, **self.kw)


def _takes_metric(scheduler: Any) -> bool:
    """A ReduceLROnPlateau (any library's), or a composite that says it holds one."""
    plateau = any(c.__name__ == "ReduceLROnPlateau" for c in type(scheduler).__mro__)
    return plateau or bool(getattr(scheduler, "takes_metric", False))


class WarmupLR:
    """lrcore's WarmupLR: the wrapped scheduler's lrs, damped for ``warmup_steps`` steps by
    ``wsd_factor``'s warmup (from ``start_factor``, a number or one per group, to 1). While the
    groups hold damped lrs, the wrapped scheduler steps from its own (its get_last_lr());
    afterwards on the groups as they are. ``prefix``: it steps only after the warmup."""

    def __init__(self, scheduler: Any, warmup_steps: int,
                 start_factor: float | list[float] = 0.0, warmup_type: str = "linear",
                 prefix: bool = False) -> None:
        self.scheduler = scheduler
        self.optimizer = scheduler.optimizer
        self.warmup_steps, self.start_factor = warmup_steps, start_factor
        self.warmup_type, self.prefix = warmup_type, prefix
        self.base_lrs: list[float] = scheduler.get_last_lr()  # what the warmup leads to
        self._last_lr: list[float] = []
        self.last_epoch = 0
        self._step_count = 1
        self._write(0)

    def _factor(self, t: int, g: int) -> float:
        s = self.start_factor[g] if isinstance(self.start_factor, (list, tuple)) else self.start_factor
        return wsd_factor(t, num_warmup_steps=self.warmup_steps, num_stable_steps=0,
                          num_decay_steps=0, warmup_type=self.warmup_type, decay_type="linear",
                          min_lr_ratio=float(s), num_cycles=0.5)

    def _write(self, t: int) -> None:
        inner: list[float] = self.scheduler.get_last_lr()
        if t < self.warmup_steps:
            lrs = [lr * self._factor(t, g) for g, lr in enumerate(inner)]
        else:
            lrs = list(inner)
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = lrs
        self.last_epoch = t

    def step(self, metrics: Any = None) -> None:
        t = self.last_epoch + 1
        inner_steps = not self.prefix or t > self.warmup_steps
        if inner_steps:
            if self.last_epoch < self.warmup_steps:  # the groups hold damped lrs
                for group, lr in zip(self.optimizer.param_groups, self.scheduler.get_last_lr()):
                    group["lr"] = lr
            if metrics is not None and _takes_metric(self.scheduler):
                self.scheduler.step(metrics)
            else:
                self.scheduler.step()
        if inner_steps and t >= self.warmup_steps:
            self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
            self.last_epoch = t
        else:
            self._write(t)
        self._step_count += 1

    def get_last_lr(self) -> list[float]:
        return list(self._last_lr)

    @property
    def takes_metric(self) -> bool:
        return _takes_metric(self.scheduler)
