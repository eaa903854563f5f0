"""Schedules torch lacks, computed by lrcore's C++ core (issue 5).

* :class:`WarmupCosineLR`: linear warmup, then cosine decay to a floor with timm's options
  (restarts, cycle decay, k-decay): timm's ``CosineLRScheduler``.
* :class:`WarmupStableDecayLR`: warmup, stable, decay (WSD), Hugging Face's ``get_wsd_schedule``.
* :class:`InverseSqrtLR`: linear warmup then ``1/sqrt`` decay, Hugging Face's
  ``get_inverse_sqrt_schedule``; or the Noam schedule (``noam=True``).
* :class:`HFScheduleLR`: the other LambdaLR schedules of Hugging Face's ``get_scheduler``.
* :class:`WarmupLR`: a warmup in front of any scheduler (ReduceLROnPlateau included), without
  SequentialLR's resume pitfalls.
* :func:`get_scheduler` and the ``get_*_schedule*`` functions: transformers' names and
  arguments, returning lrcore schedulers (transformers is not needed).

Each value equals its source's Python formula bit for bit (see ``lrcore.reference_schedules``,
the pure-Python transcriptions the tests compare with). Every class is an lrcore
:class:`~lrcore.lr_scheduler.LRScheduler`: ``step()``, ``step(epoch)`` (the same formula),
``get_last_lr()``, ``state_dict()``/``load_state_dict()``, ``simulate()``, ``last_epoch``
resuming, one lr per param group from its ``initial_lr``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Callable

from . import _core
from ._checks import _restore, _snapshot
from .lr_scheduler import (
    LRScheduler,
    ReduceLROnPlateau,
    _builtin,
    _BuiltinGetLr,
    _check_children,
    _check_optimizer,
    _ClosedForm,
    _Composite,
    _core_attr,
    _groups,
    _per_group,
    _per_group_attr,
)

__all__ = [
    "WarmupCosineLR",
    "WarmupStableDecayLR",
    "InverseSqrtLR",
    "HFScheduleLR",
    "WarmupLR",
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
]


# --------------------------------------------------------------------------------------------
# Argument checks: TypeError for a wrong type, ValueError for a wrong value, before anything
# (the optimizer's groups included) is touched.


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


def _last_epoch(value: Any) -> int:
    return _int("last_epoch", value, -1)


class _Validated:
    """Loading a state re-validates the parameters (load_state_dict then restores on error)."""

    _core: Any

    def _load_state(self, state_dict: dict[str, Any]) -> None:
        super()._load_state(state_dict)  # type: ignore[misc]
        self._core.validate()


# --------------------------------------------------------------------------------------------
# WarmupCosineLR


def _floor_attr(name: str, ratio: bool, doc: str) -> Any:
    def fget(self: Any) -> Any:
        return getattr(self._core, name) if self._core.floor_is_ratio == ratio else None

    def fset(self: Any, value: Any) -> None:
        if value is None:
            self._core.floor_is_ratio = not ratio
        else:
            setattr(self._core, name, _float(name, value))
            self._core.floor_is_ratio = ratio

    return property(fget, fset, doc=doc)


@_builtin
class WarmupCosineLR(_Validated, _ClosedForm, _BuiltinGetLr, LRScheduler):
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

    _nullable_state_keys = ("eta_min", "min_lr_ratio")  # the floor is given by one of them
    _state_keys = ("t_initial", "warmup_steps", "warmup_lr_init", "eta_min", "min_lr_ratio",
                   "cycle_mul", "cycle_decay", "cycle_limit", "warmup_prefix",
                   "k_decay") + LRScheduler._base_state

    def __init__(self, optimizer: Any, t_initial: int, warmup_steps: int = 0,
                 warmup_lr_init: float = 0.0, eta_min: float | None = None,
                 min_lr_ratio: float | None = None, cycle_mul: float = 1.0,
                 cycle_decay: float = 1.0, cycle_limit: int = 1, warmup_prefix: bool = False,
                 k_decay: float = 1.0, last_epoch: int = -1, verbose: bool = False) -> None:
        _check_optimizer(optimizer)
        if eta_min is not None and min_lr_ratio is not None:
            raise ValueError("give eta_min (an absolute floor) or min_lr_ratio (a fraction of "
                             "each group's initial lr), not both")
        ratio = min_lr_ratio is not None
        core = _core.WarmupCosineLR(
            _groups(optimizer), _int("t_initial", t_initial, 1), _int("warmup_steps", warmup_steps),
            _float("warmup_lr_init", warmup_lr_init),
            0.0 if eta_min is None else _float("eta_min", eta_min),
            _float("min_lr_ratio", min_lr_ratio) if ratio else 0.0, ratio,
            _float("cycle_mul", cycle_mul), _float("cycle_decay", cycle_decay),
            _int("cycle_limit", cycle_limit, 1), _bool("warmup_prefix", warmup_prefix),
            _float("k_decay", k_decay), _last_epoch(last_epoch))
        self._attach(optimizer, core, verbose)

    t_initial = _core_attr("t_initial")
    warmup_steps = _core_attr("warmup_steps")
    warmup_lr_init = _core_attr("warmup_lr_init")
    eta_min = _floor_attr("eta_min", False, "The absolute floor (None when min_lr_ratio is used).")
    min_lr_ratio = _floor_attr("min_lr_ratio", True, "The floor as a fraction of the base lr, or None.")
    cycle_mul = _core_attr("cycle_mul")
    cycle_decay = _core_attr("cycle_decay")
    cycle_limit = _core_attr("cycle_limit")
    warmup_prefix = _core_attr("warmup_prefix")
    k_decay = _core_attr("k_decay")


# --------------------------------------------------------------------------------------------
# WarmupStableDecayLR

_SHAPES = ("linear", "cosine", "1-sqrt")


def _shape_attr(name: str) -> Any:
    def fget(self: Any) -> str:
        return _SHAPES[getattr(self._core, name)]

    def fset(self: Any, value: Any) -> None:
        if value not in _SHAPES:
            raise ValueError(f"Unknown {name.replace('_', ' ')}: {value}, expected 'linear', "
                             "'cosine' or '1-sqrt'")
        setattr(self._core, name, _SHAPES.index(value))

    return property(fget, fset)


@_builtin
class WarmupStableDecayLR(_Validated, _ClosedForm, _BuiltinGetLr, LRScheduler):
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

    _state_keys = ("num_warmup_steps", "num_stable_steps", "num_decay_steps", "warmup_type",
                   "decay_type", "min_lr_ratio", "num_cycles") + LRScheduler._base_state

    def __init__(self, optimizer: Any, num_warmup_steps: int, num_decay_steps: int,
                 num_training_steps: int | None = None, num_stable_steps: int | None = None,
                 warmup_type: str = "linear", decay_type: str = "cosine",
                 min_lr_ratio: float = 0.0, num_cycles: float = 0.5, last_epoch: int = -1,
                 verbose: bool = False) -> None:
        _check_optimizer(optimizer)
        if num_training_steps is None and num_stable_steps is None:
            raise ValueError("Either num_training_steps or num_stable_steps must be specified.")
        for kind, value in (("warmup", warmup_type), ("decay", decay_type)):
            if value not in _SHAPES:
                raise ValueError(f"Unknown {kind} type: {value}, expected 'linear', 'cosine' or '1-sqrt'")
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
        last_epoch = _last_epoch(last_epoch)
        if num_training_steps is not None and num_stable_steps is not None:
            warnings.warn("Both num_training_steps and num_stable_steps are specified. "
                          "num_stable_steps will be used.", UserWarning, stacklevel=2)
        core = _core.WarmupStableDecayLR(_groups(optimizer), warmup, stable, decay,
                                         _SHAPES.index(warmup_type), _SHAPES.index(decay_type),
                                         ratio, cycles, last_epoch)
        self._attach(optimizer, core, verbose)

    num_warmup_steps = _core_attr("num_warmup_steps")
    num_stable_steps = _core_attr("num_stable_steps")
    num_decay_steps = _core_attr("num_decay_steps")
    warmup_type = _shape_attr("warmup_type")
    decay_type = _shape_attr("decay_type")
    min_lr_ratio = _core_attr("min_lr_ratio")
    num_cycles = _core_attr("num_cycles")


# --------------------------------------------------------------------------------------------
# InverseSqrtLR


@_builtin
class InverseSqrtLR(_Validated, _ClosedForm, _BuiltinGetLr, LRScheduler):
    r"""Linear warmup, then inverse square root: transformers' ``get_inverse_sqrt_schedule``.

    ``lr = base_lr * factor(step)``: ``step / max(1, W)`` during the warmup (``step < W``), then
    ``1 / sqrt((step + timescale - W) / timescale)``; ``timescale`` defaults to ``W or 10_000``.

    With ``noam=True``, the Noam schedule (Vaswani et al., 2017) instead:
    ``factor = scale * min(s ** -0.5, s * W ** -1.5)`` with ``s = step + 1`` and
    ``scale = d_model ** -0.5`` (or ``W ** 0.5`` without ``d_model``, a peak factor of about 1
    at ``s = W``); ``W`` must then be positive and ``timescale`` is unused.
    """

    _state_keys = ("num_warmup_steps", "timescale", "noam", "noam_scale") + LRScheduler._base_state

    def __init__(self, optimizer: Any, num_warmup_steps: int, timescale: int | None = None, *,
                 noam: bool = False, d_model: int | None = None, last_epoch: int = -1,
                 verbose: bool = False) -> None:
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
            scale = float(_int("d_model", d_model, 1)) ** -0.5 if d_model is not None else float(warmup) ** 0.5
        core = _core.InverseSqrtLR(_groups(optimizer), warmup, timescale, noam, scale,
                                   _last_epoch(last_epoch))
        self._attach(optimizer, core, verbose)

    num_warmup_steps = _core_attr("num_warmup_steps")
    timescale = _core_attr("timescale")
    noam = _core_attr("noam")
    noam_scale = _core_attr("noam_scale")


# --------------------------------------------------------------------------------------------
# HFScheduleLR

_HF_KINDS = ("linear", "cosine", "cosine_with_restarts", "polynomial", "constant",
             "constant_with_warmup", "cosine_with_min_lr", "cosine_warmup_with_min_lr")


def _schedule_fget(self: Any) -> str:
    return _HF_KINDS[self._core.kind]


def _schedule_fset(self: Any, value: Any) -> None:
    if value not in _HF_KINDS:
        raise ValueError(f"unknown schedule {value!r}; expected one of {list(_HF_KINDS)}")
    self._core.kind = _HF_KINDS.index(value)


def _warmup_lr_rate_fget(self: Any) -> float | None:
    value = self._core.warmup_lr_rate
    return None if math.isnan(value) else value


def _warmup_lr_rate_fset(self: Any, value: Any) -> None:
    self._core.warmup_lr_rate = math.nan if value is None else _float("warmup_lr_rate", value)


@_builtin
class HFScheduleLR(_Validated, _ClosedForm, _BuiltinGetLr, LRScheduler):
    r"""A LambdaLR schedule of Hugging Face transformers' ``get_scheduler``, by name.

    ``lr = base_lr * factor(last_epoch)``, ``factor`` being transformers' lambda for
    ``schedule``: 'linear', 'cosine', 'cosine_with_restarts', 'polynomial', 'constant',
    'constant_with_warmup', 'cosine_with_min_lr', 'cosine_warmup_with_min_lr'. Prefer
    :func:`get_scheduler` (or the ``get_*_schedule*`` functions), which take transformers'
    arguments; this class takes the lambdas' resolved parameters (``lr_init`` is the
    optimizer's default lr for 'polynomial'; ``min_lr_rate`` the floor's ratio; ``num_cycles``
    defaults to 1 for 'cosine_with_restarts', else 0.5).
    """

    _state_keys = ("schedule", "num_warmup_steps", "num_training_steps", "num_cycles", "lr_end",
                   "power", "lr_init", "min_lr_rate", "warmup_lr_rate") + LRScheduler._base_state

    def __init__(self, optimizer: Any, schedule: str, num_warmup_steps: int = 0,
                 num_training_steps: int = 0, *, num_cycles: float | None = None,
                 lr_end: float = 1e-7, power: float = 1.0, lr_init: float = 1.0,
                 min_lr_rate: float = 0.0, warmup_lr_rate: float | None = None,
                 last_epoch: int = -1, verbose: bool = False) -> None:
        _check_optimizer(optimizer)
        if schedule not in _HF_KINDS:
            raise ValueError(f"unknown schedule {schedule!r}; expected one of {list(_HF_KINDS)}")
        if num_cycles is None:
            num_cycles = 1 if schedule == "cosine_with_restarts" else 0.5
        core = _core.HFScheduleLR(
            _groups(optimizer), _HF_KINDS.index(schedule), _int("num_warmup_steps", num_warmup_steps),
            _int("num_training_steps", num_training_steps), _float("num_cycles", num_cycles),
            _float("lr_end", lr_end), _float("power", power), _float("lr_init", lr_init),
            _float("min_lr_rate", min_lr_rate),
            math.nan if warmup_lr_rate is None else _float("warmup_lr_rate", warmup_lr_rate),
            _last_epoch(last_epoch))
        self._attach(optimizer, core, verbose)

    schedule = property(_schedule_fget, _schedule_fset, doc="The schedule's get_scheduler name.")
    num_warmup_steps = _core_attr("num_warmup_steps")
    num_training_steps = _core_attr("num_training_steps")
    num_cycles = _core_attr("num_cycles")
    lr_end = _core_attr("lr_end")
    power = _core_attr("power")
    lr_init = _core_attr("lr_init")
    min_lr_rate = _core_attr("min_lr_rate")
    warmup_lr_rate = property(_warmup_lr_rate_fget, _warmup_lr_rate_fset)


# --------------------------------------------------------------------------------------------
# WarmupLR


def _unit(name: str, value: Any) -> float:
    """A warmup's start factor: a finite number in [0, 1]."""
    number = _float(name, value)
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {number}")
    return number


@_builtin
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
        scheduler: the lrcore scheduler to warm up (built first, on the optimizer).
        warmup_steps (int): number of warmup steps (0: no warmup).
        start_factor (float or list): the factor at step 0, in [0, 1], or one per param group.
            Default: 0 (the first step has lr 0, as transformers' warmups).
        warmup_type (str): 'linear', 'cosine' or '1-sqrt'. Default: 'linear'.
        prefix (bool): start the wrapped scheduler after the warmup. Default: False.
        verbose (bool): accepted for compatibility.

    Example:
        >>> cosine = CosineAnnealingLR(optimizer, T_max=10_000)
        >>> scheduler = WarmupLR(cosine, warmup_steps=500)   # then scheduler.step() per batch
    """

    # _group_lrs: the groups' lrs when the state was saved (load_state_dict puts them back).
    _state_keys = ("warmup_steps", "start_factor", "warmup_type", "prefix", "last_epoch",
                   "_step_count", "_last_lr", "_group_lrs", "_schedulers")
    _per_group_state_keys = ("start_factor",)

    def __init__(self, scheduler: Any, warmup_steps: int, start_factor: float | list[float] = 0.0,
                 warmup_type: str = "linear", prefix: bool = False, *,
                 verbose: bool = False) -> None:
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"WarmupLR wraps a scheduler (an object with `optimizer`), got "
                            f"{type(scheduler).__name__}")
        optimizer = scheduler.optimizer
        _check_optimizer(optimizer)
        _check_children("WarmupLR", optimizer, [scheduler])
        steps = _int("warmup_steps", warmup_steps)
        factors = _per_group("start_factor", optimizer, start_factor, _unit)
        if warmup_type not in _SHAPES:
            raise ValueError(f"Unknown warmup type: {warmup_type}, expected 'linear', 'cosine' "
                             "or '1-sqrt'")
        prefix = _bool("prefix", prefix)
        saved = _snapshot(optimizer)
        try:  # the core writes initial_lr and the damped lrs: all or nothing
            core = _core.WarmupLR(_groups(optimizer), scheduler._core, steps, factors,
                                  _SHAPES.index(warmup_type), prefix)
        except BaseException:
            if saved is not None:
                _restore(saved)
            raise
        self._schedulers = [scheduler]
        self._attach(optimizer, core, verbose, initial_step=False)

    warmup_steps = _core_attr("warmup_steps", "Number of warmup steps.")
    start_factor = _per_group_attr("start_factor", _unit)
    warmup_type = _shape_attr("warmup_type")
    prefix = _core_attr("prefix", "The wrapped scheduler starts after the warmup.")

    @property
    def scheduler(self) -> LRScheduler:
        """The wrapped scheduler."""
        return self._schedulers[0]  # type: ignore[no-any-return]

    def _state_value(self, key: str) -> Any:
        if key == "_group_lrs":
            return self._core.group_lrs()
        return super()._state_value(key)

    def _load_state(self, state_dict: dict[str, Any]) -> None:
        super()._load_state({k: v for k, v in state_dict.items() if k != "_group_lrs"})
        self._core.validate()

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state from :meth:`state_dict`, and put back into the param groups the lrs they
        held when it was saved, so that resuming does not depend on what they hold now (nor on
        whether the optimizer's state is loaded first). A state is saved at one moment, so a
        WarmupLR loaded as a composite's child puts back the same lrs as the composite's."""
        super().load_state_dict(state_dict)
        self._core.sync_groups(state_dict["_group_lrs"])  # checked: one number per group


# --------------------------------------------------------------------------------------------
# transformers' functions and get_scheduler


def _default_lr(optimizer: Any) -> float:
    """transformers reads ``optimizer.defaults["lr"]``; a duck optimizer without ``defaults``
    gives its first group's lr."""
    defaults = getattr(optimizer, "defaults", None)
    lr: float
    if isinstance(defaults, dict) and "lr" in defaults:
        lr = defaults["lr"]
        return lr
    _check_optimizer(optimizer)
    lr = optimizer.param_groups[0]["lr"]
    return lr


def get_constant_schedule(optimizer: Any, last_epoch: int = -1) -> HFScheduleLR:
    """A constant lr (transformers' ``get_constant_schedule``)."""
    return HFScheduleLR(optimizer, "constant", last_epoch=last_epoch)


def get_reduce_on_plateau_schedule(optimizer: Any, **kwargs: Any) -> ReduceLROnPlateau:
    """lrcore's ReduceLROnPlateau (transformers' ``get_reduce_on_plateau_schedule``)."""
    return ReduceLROnPlateau(optimizer, **kwargs)


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
    lr_init = _default_lr(optimizer)
    if not (lr_init > lr_end):
        raise ValueError(f"lr_end ({lr_end}) must be smaller than initial lr ({lr_init})")
    return HFScheduleLR(optimizer, "polynomial", num_warmup_steps, num_training_steps,
                        lr_end=lr_end, power=power, lr_init=lr_init, last_epoch=last_epoch)


def get_inverse_sqrt_schedule(optimizer: Any, num_warmup_steps: int, timescale: int | None = None,
                              last_epoch: int = -1) -> InverseSqrtLR:
    """Linear warmup from 0, then inverse square root decay (:class:`InverseSqrtLR`)."""
    return InverseSqrtLR(optimizer, num_warmup_steps, timescale, last_epoch=last_epoch)


def _min_lr_rate(optimizer: Any, min_lr: float | None, min_lr_rate: float | None) -> float:
    if min_lr is not None and min_lr_rate is not None:
        raise ValueError("Only one of min_lr or min_lr_rate should be set")
    if min_lr is not None:
        return min_lr / _default_lr(optimizer)
    if min_lr_rate is None:
        raise ValueError("One of min_lr or min_lr_rate should be set through the `lr_scheduler_kwargs`")
    return min_lr_rate


def get_cosine_with_min_lr_schedule_with_warmup(
        optimizer: Any, num_warmup_steps: int, num_training_steps: int, num_cycles: float = 0.5,
        last_epoch: int = -1, min_lr: float | None = None,
        min_lr_rate: float | None = None) -> HFScheduleLR:
    """Linear warmup from 0, then cosine down to ``min_lr`` (or ``min_lr_rate`` * lr)."""
    rate = _min_lr_rate(optimizer, min_lr, min_lr_rate)
    return HFScheduleLR(optimizer, "cosine_with_min_lr", num_warmup_steps, num_training_steps,
                        num_cycles=num_cycles, min_lr_rate=rate, last_epoch=last_epoch)


def get_cosine_with_min_lr_schedule_with_warmup_lr_rate(
        optimizer: Any, num_warmup_steps: int, num_training_steps: int, num_cycles: float = 0.5,
        last_epoch: int = -1, min_lr: float | None = None, min_lr_rate: float | None = None,
        warmup_lr_rate: float | None = None) -> HFScheduleLR:
    """transformers' 'cosine_warmup_with_min_lr': warmup from ``warmup_lr_rate`` (default
    ``1/num_warmup_steps``), then cosine down to ``min_lr`` (or ``min_lr_rate`` * lr)."""
    rate = _min_lr_rate(optimizer, min_lr, min_lr_rate)
    return HFScheduleLR(optimizer, "cosine_warmup_with_min_lr", num_warmup_steps,
                        num_training_steps, num_cycles=num_cycles, min_lr_rate=rate,
                        warmup_lr_rate=warmup_lr_rate, last_epoch=last_epoch)


def get_wsd_schedule(optimizer: Any, num_warmup_steps: int, num_decay_steps: int,
                     num_training_steps: int | None = None, num_stable_steps: int | None = None,
                     warmup_type: str = "linear", decay_type: str = "cosine",
                     min_lr_ratio: float = 0, num_cycles: float = 0.5,
                     last_epoch: int = -1) -> WarmupStableDecayLR:
    """Warmup, stable, decay (:class:`WarmupStableDecayLR`)."""
    return WarmupStableDecayLR(optimizer, num_warmup_steps, num_decay_steps, num_training_steps,
                               num_stable_steps, warmup_type, decay_type, min_lr_ratio,
                               num_cycles, last_epoch)


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
    'constant', 'constant_with_warmup' and 'inverse_sqrt'; lrcore passes them on (so
    ``timescale`` or ``last_epoch`` work, and a misspelt one is a TypeError).
    """
    value = getattr(name, "value", name)
    if value not in _FUNCTIONS:
        raise ValueError(f"{value} is not a valid SchedulerType, please select one of "
                         f"{list(SCHEDULER_NAMES)}")
    function = _FUNCTIONS[value]
    extra = dict(scheduler_specific_kwargs or {})
    extra.update(kwargs)
    if value in ("constant", "reduce_lr_on_plateau"):
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
