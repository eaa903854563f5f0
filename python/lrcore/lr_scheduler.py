"""``torch.optim.lr_scheduler``'s API, every step computed by lrcore's C++ core.

Switch by changing one import::

    from lrcore import lr_scheduler            # instead of torch.optim.lr_scheduler
    scheduler = lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)

Each class here is torch's: the same constructor, the same attributes in ``__dict__`` (its
state is its attributes, which code may read, mutate in place, reassign or replace, as with
torch), the same methods. ``step()`` is compiled: it reads those attributes and the optimizer's
param groups, computes in C++, and writes back what torch's step writes, with the same values
bit for bit. A subclass that overrides a method torch's step calls, or a scheduler holding
values the core does not model (Tensor lrs, for instance), steps with torch's algorithm in
Python instead (:mod:`lrcore.reference`), with the same results.

Every class also takes a keyword-only ``key``: the param-group field it drives, "lr" by
default, or any other numeric field ("weight_decay", or "betas[1]" for an element of a tuple),
driven exactly as torch drives the lr.

The classes work on any object with ``param_groups`` (a list of dicts holding "lr"), torch
optimizers included; torch itself is never imported here. When torch is loaded, they derive
from torch's ``LRScheduler`` (and ``ReduceLROnPlateau``), so ``isinstance`` checks pass.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from . import _core
from ._impl import accel, checks
from ._impl.accel import builtin
from .reference import lr_scheduler as _ref

# torch's module-level names, private ones included: code written for torch imports them.
from .reference.lr_scheduler import (  # noqa: F401
    EPOCH_DEPRECATION_WARNING,
    _enable_get_lr_call,
    _format_param,
    _initial_mode,
    _param_groups_val_list,
    _update_param_group_val,
    _warn_get_lr_called_within_step,
)

__all__ = [
    "EPOCH_DEPRECATION_WARNING",
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "SequentialLR",
    "CosineAnnealingLR",
    "ChainedScheduler",
    "ReduceLROnPlateau",
    "CyclicLR",
    "CosineAnnealingWarmRestarts",
    "OneCycleLR",
    "PolynomialLR",
    "LRScheduler",
]


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    count = int(value)
    if count < 0:
        raise ValueError(f"{name} must be non-negative, got {count}")
    return count


@builtin(None)
class LRScheduler(_ref.LRScheduler):
    r"""Base class of all schedulers, as ``torch.optim.lr_scheduler.LRScheduler``.

    Subclass it and override :meth:`get_lr` (and optionally ``_get_closed_form_lr``) exactly as
    with torch; such a subclass steps with torch's algorithm, calling your methods.

    Args:
        optimizer: an object with ``param_groups`` (a list of dicts with "lr").
        last_epoch (int): index of the last epoch, for resuming. Default: -1 (a fresh start).
        verbose (bool): print each group's new lr on every step (torch 2.1's format).
        key (str): keyword-only: the param-group field the scheduler drives instead of "lr"
            ("weight_decay", "betas[1]", ...); None keeps the class's ("lr").
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        accel.plan(cls)

    def _check_state(self, state_dict: Any) -> None:
        """Refuse a state that is not this class's (see lrcore._impl.checks.check_state), read
        as load_state_dict reads it (a composite checks its children's states through this)."""
        if isinstance(state_dict, dict):
            state_dict = self._normalize_state(state_dict)
        checks.check_state(self, state_dict)

    def _normalize_state(self, state_dict: dict[str, Any]) -> dict[str, Any]:
        return state_dict

    def simulate(self, num_steps: int | None = None, *, metrics: Any = None) -> Any:
        """The lrs of the next ``num_steps`` steps, without taking them.

        Returns a numpy float64 array of shape ``(num_steps + 1, len(param_groups))``: row 0
        holds the groups' lrs now, row k the lrs after k more ``step()`` calls, bit-identical to
        stepping. Neither the optimizer nor this scheduler changes: a copy of the scheduler runs
        on a copy of the groups, in C++ (user lambdas are called as stepping would call them).
        A scheduler stepped with a metric (a ReduceLROnPlateau, or a composite holding one)
        takes ``metrics``, the values ``step`` would be given, instead of ``num_steps``.
        A scheduler the core does not model (a subclass overriding ``get_lr`` or ``step``,
        Tensor lrs) raises NotImplementedError.
        """
        import numpy as np

        name = type(self).__name__
        if not accel.compiled_step(self):
            # The rows are what lrcore's step computes; an overriding step may do anything else.
            raise NotImplementedError(
                f"{name}.simulate(): {name} overrides step(), whose steps lrcore cannot compute "
                "without taking them")
        if _ref._takes_metric(self):
            if metrics is None:
                raise TypeError(f"{name}.simulate() needs metrics=: the values step() would get")
            values = np.asarray(metrics, dtype=np.float64)
            if values.ndim != 1:
                raise ValueError(f"metrics must be a 1-D sequence, got shape {values.shape}")
            if num_steps is not None and _count("num_steps", num_steps) != len(values):
                raise ValueError(f"num_steps={num_steps} but {len(values)} metrics were given")
            return _core.simulate(self, len(values), values)
        if metrics is not None:
            raise TypeError(f"{name}.simulate() takes no metrics: it is not stepped with one")
        if num_steps is None:
            raise TypeError(f"{name}.simulate() needs num_steps")
        return _core.simulate(self, _count("num_steps", num_steps))


class _LRScheduler(LRScheduler):
    """Deprecated alias of :class:`LRScheduler`, kept as torch keeps it."""


@builtin("LambdaLR")
class LambdaLR(_ref.LambdaLR, LRScheduler):
    r"""lr = base_lr * lr_lambda(epoch).

    Args:
        optimizer: wrapped optimizer.
        lr_lambda (callable or list): a function of the epoch giving a multiplicative factor,
            or one per param group.
        last_epoch (int): the index of the last epoch. Default: -1.
        verbose (bool): print each update (torch 2.1's format). Default: False.
    """


@builtin("MultiplicativeLR")
class MultiplicativeLR(_ref.MultiplicativeLR, LRScheduler):
    r"""lr = lr * lr_lambda(epoch) on every step after the first.

    Args:
        optimizer: wrapped optimizer.
        lr_lambda (callable or list): a function of the epoch giving the factor, or one per group.
        last_epoch (int): the index of the last epoch. Default: -1.
        verbose (bool): print each update. Default: False.
    """


@builtin("StepLR")
class StepLR(_ref.StepLR, LRScheduler):
    r"""Decay each group's lr by ``gamma`` every ``step_size`` epochs.

    .. math:: \eta_t = \eta_0 \cdot \gamma^{\lfloor t / \text{step\_size} \rfloor}

    Args:
        optimizer: wrapped optimizer.
        step_size (int or list of int): period of the decay (or one per param group).
        gamma (float or list of float): multiplicative factor (or one per param group).
            Default: 0.1.
        last_epoch (int): the index of the last epoch. Default: -1.
        verbose (bool): print each update. Default: False.
    """


@builtin("MultiStepLR")
class MultiStepLR(_ref.MultiStepLR, LRScheduler):
    r"""Decay each group's lr by ``gamma`` at each milestone (a repeated milestone decays twice).

    Args:
        optimizer: wrapped optimizer.
        milestones (iterable of int): epoch indices (shared by all groups).
        gamma (float or list of float): multiplicative factor (or one per param group).
            Default: 0.1.
        last_epoch (int): the index of the last epoch. Default: -1.
        verbose (bool): print each update. Default: False.
    """

    def _normalize_state(self, state_dict: dict[str, Any]) -> dict[str, Any]:
        # A state written as JSON and read back holds milestones as {"30": 1}: integers again.
        milestones = state_dict.get("milestones")
        if isinstance(milestones, dict) and not isinstance(milestones, Counter) and all(
                isinstance(k, str) for k in milestones):
            try:
                counts = Counter({int(k): v for k, v in milestones.items()})
            except ValueError:
                return state_dict
            return {**state_dict, "milestones": counts}
        return state_dict


@builtin("ConstantLR")
class ConstantLR(_ref.ConstantLR, LRScheduler):
    r"""Multiply each group's lr by ``factor`` until epoch ``total_iters``.

    Args:
        optimizer: wrapped optimizer.
        factor (float or list of float): in [0, 1] (each, one per param group). Default: 1/3.
        total_iters (int or list of int): number of epochs with the factor applied.
            Default: 5.
        last_epoch (int): the index of the last epoch. Default: -1.
        verbose (bool): print each update. Default: False.
    """


@builtin("LinearLR")
class LinearLR(_ref.LinearLR, LRScheduler):
    r"""Scale each group's lr linearly from ``start_factor`` to ``end_factor`` over
    ``total_iters`` epochs.

    Args:
        optimizer: wrapped optimizer.
        start_factor (float or list of float): in (0, 1]. Default: 1/3.
        end_factor (float or list of float): in [0, 1]. Default: 1.0.
        total_iters (int or list of int): Default: 5.
        last_epoch (int): the index of the last epoch. Default: -1.
        verbose (bool): print each update. Default: False.
    """


@builtin("ExponentialLR")
class ExponentialLR(_ref.ExponentialLR, LRScheduler):
    r"""Decay each group's lr by ``gamma`` every epoch.

    Args:
        optimizer: wrapped optimizer.
        gamma (float or list of float): multiplicative factor (or one per param group).
        last_epoch (int): the index of the last epoch. Default: -1.
        verbose (bool): print each update. Default: False.
    """


@builtin("PolynomialLR")
class PolynomialLR(_ref.PolynomialLR, LRScheduler):
    r"""Decay each group's lr with a polynomial of the given power over ``total_iters`` epochs.

    Args:
        optimizer: wrapped optimizer.
        total_iters (int or list of int): Default: 5.
        power (float or list of float): Default: 1.0.
        last_epoch (int): the index of the last epoch. Default: -1.
        verbose (bool): print each update. Default: False.
    """


@builtin("CosineAnnealingLR")
class CosineAnnealingLR(_ref.CosineAnnealingLR, LRScheduler):
    r"""Cosine annealing from each group's initial lr to ``eta_min`` over ``T_max`` epochs.

    .. math:: \eta_t = \eta_{min} + \frac{1}{2}(\eta_{max} - \eta_{min})
              \left(1 + \cos\left(\frac{T_{cur}}{T_{max}}\pi\right)\right)

    computed, as in torch, by a recursion on the current lr (so it composes with other
    schedulers); the closed form differs from it by rounding.

    Args:
        optimizer: wrapped optimizer.
        T_max (int or list of int): number of epochs of a half period (or one per param
            group).
        eta_min (float or list of float): minimum lr (or one per param group). Default: 0.
        last_epoch (int): the index of the last epoch. Default: -1.
        verbose (bool): print each update. Default: False.
    """


@builtin("SequentialLR")
class SequentialLR(_ref.SequentialLR, LRScheduler):
    r"""Run schedulers one after another, switching at the milestones.

    Unlike torch's, a child may be a ReduceLROnPlateau (for example a warmup, then a plateau).
    The SequentialLR is then stepped with the metric, ``step(val_loss)``, and the child that owns
    the epoch gets it if it takes one. At its milestone the ReduceLROnPlateau starts, as every
    child does, from each group's initial lr, with a fresh monitor; the metric of that step is
    the first it records.

    Args:
        optimizer: wrapped optimizer.
        schedulers (list): schedulers of that optimizer.
        milestones (list of int): the epochs at which the next scheduler takes over.
        last_epoch (int): the index of the last epoch. Default: -1.
        verbose (bool): accepted for compatibility; children print if they are verbose.
    """


@builtin("ChainedScheduler")
class ChainedScheduler(_ref.ChainedScheduler, LRScheduler):
    r"""Step every scheduler on every step, each on the lrs the previous one left.

    Unlike torch's, a child may be a ReduceLROnPlateau: the chain is then stepped with the
    metric, ``step(val_loss)``, which goes to each child that takes one (``ChainedScheduler(
    [LinearLR(opt, 0.1, total_iters=5), ReduceLROnPlateau(opt)])`` warms up and reduces on a
    plateau, multiplicatively).

    Args:
        schedulers (sequence): schedulers of one optimizer.
        optimizer: that optimizer (default: the first scheduler's).
    """


@builtin("ReduceLROnPlateau")
class ReduceLROnPlateau(_ref.ReduceLROnPlateau, LRScheduler):
    r"""Reduce each group's lr by ``factor`` once a metric stops improving for ``patience`` steps.

    Step it with the metric: ``scheduler.step(val_loss)``.

    Args:
        optimizer: wrapped optimizer.
        mode (str): 'min' (a loss) or 'max' (an accuracy). Default: 'min'.
        factor (float): new_lr = lr * factor; must be < 1. Default: 0.1.
        patience (int): steps without improvement tolerated. Default: 10.
        threshold (float): what counts as an improvement. Default: 1e-4.
        threshold_mode (str): 'rel' or 'abs'. Default: 'rel'.
        cooldown (int): steps to wait after a reduction. Default: 0.
        min_lr (float or list): lower bound of the lrs. Default: 0.
        eps (float): smaller changes are not applied. Default: 1e-8.
        verbose (bool): print each reduction (torch 2.1's format). Default: False.
    """


@builtin("CyclicLR")
class CyclicLR(_ref.CyclicLR, LRScheduler):
    r"""Cycle each group's lr between ``base_lr`` and ``max_lr`` (Smith, 2015), and momentum
    between ``max_momentum`` and ``base_momentum`` in the opposite direction. Step it after
    every batch.

    Args:
        optimizer: wrapped optimizer.
        base_lr (float or list): lower bound of the cycle.
        max_lr (float or list): upper amplitude of the cycle.
        step_size_up (int): iterations in the rising half. Default: 2000.
        step_size_down (int): iterations in the falling half. Default: step_size_up.
        mode (str): 'triangular', 'triangular2' or 'exp_range'. Default: 'triangular'.
        gamma (float): 'exp_range' factor. Default: 1.0.
        scale_fn (callable): custom amplitude scaling, overrides mode.
        scale_mode (str): 'cycle' or 'iterations' (argument given to scale_fn).
        cycle_momentum (bool): Default: True.
        base_momentum (float or list): Default: 0.8.
        max_momentum (float or list): Default: 0.9.
        last_epoch (int): the index of the last batch. Default: -1.
        verbose (bool): print each update. Default: False.
    """


@builtin("CosineAnnealingWarmRestarts")
class CosineAnnealingWarmRestarts(_ref.CosineAnnealingWarmRestarts, LRScheduler):
    r"""SGDR: cosine annealing to ``eta_min`` over ``T_i`` epochs, then a restart with
    ``T_i *= T_mult``.

    ``step(epoch)`` takes fractional epochs (call it per batch with ``epoch + i / iters``).

    Args:
        optimizer: wrapped optimizer.
        T_0 (int): epochs until the first restart.
        T_mult (int): growth of T_i after each restart. Default: 1.
        eta_min (float or list of float): minimum lr (or one per param group). Default: 0.
            T_0 and T_mult define the restart clock (``T_i``, ``T_cur``) that all groups
            share, as torch keeps it: they are scalars.
        last_epoch (int): the index of the last epoch. Default: -1.
        verbose (bool): print each update. Default: False.
    """


@builtin("OneCycleLR")
class OneCycleLR(_ref.OneCycleLR, LRScheduler):
    r"""The 1cycle policy (Smith, 2018): warm up to ``max_lr``, then anneal far below the start;
    momentum moves the other way. Step it after every batch.

    Args:
        optimizer: wrapped optimizer.
        max_lr (float or list): peak lr per group.
        total_steps (int): total number of steps; or give epochs and steps_per_epoch.
        epochs (int), steps_per_epoch (int): total_steps = epochs * steps_per_epoch.
        pct_start (float): fraction of the cycle spent rising. Default: 0.3.
        anneal_strategy (str): 'cos' or 'linear'. Default: 'cos'.
        cycle_momentum (bool): Default: True.
        base_momentum (float or list): Default: 0.85.
        max_momentum (float or list): Default: 0.95.
        div_factor (float): initial_lr = max_lr / div_factor. Default: 25.
        final_div_factor (float): min_lr = initial_lr / final_div_factor. Default: 1e4.
        three_phase (bool): return to initial_lr before annealing to min_lr. Default: False.
        last_epoch (int): the index of the last batch. Default: -1.
        verbose (bool): print each update. Default: False.
    """


# The Python objects the core's loader compares attributes with: the scale functions torch's
# CyclicLR chooses (its _scale_fn_ref), and the anneal functions SWALR chooses.
_core.set_kind_object("CyclicLR", "triangular", _ref.CyclicLR._triangular_scale_fn)
_core.set_kind_object("CyclicLR", "triangular2", _ref.CyclicLR._triangular2_scale_fn)
_core.set_kind_object("CyclicLR", "exp_range", _ref.CyclicLR._exp_range_scale_fn)
