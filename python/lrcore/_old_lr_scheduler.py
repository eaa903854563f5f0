"""``torch.optim.lr_scheduler``'s API, every schedule computed by lrcore's C++ core.

Switch by changing one import::

    from lrcore import lr_scheduler            # instead of torch.optim.lr_scheduler
    scheduler = lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)

For float learning rates every value equals PyTorch 2.13's bit for bit, step after step. The
classes work on any object with ``param_groups`` (a list of dicts holding "lr"), torch optimizers
included; torch itself is never imported here. When torch is loaded, instances also pass
``isinstance(s, torch.optim.lr_scheduler.LRScheduler)`` (see ``_torch_compat``).

This module is thin on purpose: it validates arguments with torch's messages, keeps what must stay
Python (user lambdas, the state_dict layout), and hands each step to the core, which reads the
param groups, computes and writes back in one call.
"""

from __future__ import annotations

import sys
import types
import warnings
import weakref
from collections import Counter
from collections.abc import Iterator
from functools import wraps
from typing import Any, Callable, Iterable, Sequence, SupportsFloat

from . import _core, _torch_compat
from ._checks import _INT64_MAX, _int64, _real, atomic_init, check_state, one_cycle_total_steps

__all__ = [
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

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being "
    "deprecated where possible. Please use `scheduler.step()` to step the "
    "scheduler. During the deprecation, if epoch is different from None, the "
    "closed form is used instead of the new chainable form, where available. "
    "Please open an issue if you are unable to replicate your use case: "
    "https://github.com/pytorch/pytorch/issues/new/choose."
)

# Keys torch's state_dict carries that lrcore accepts but does not need: older torch releases
# lack the first two, and torch 2.1 to 2.6 saved "verbose".
_OPTIONAL_STATE_KEYS = frozenset({"_is_initial", "_get_lr_called_within_step", "verbose"})


# --------------------------------------------------------------------------------------------
# Helpers shared by the schedulers


def _check_optimizer(optimizer: Any) -> None:
    groups = getattr(optimizer, "param_groups", None)
    if not isinstance(groups, (list, tuple)) or not all(isinstance(g, dict) for g in groups):
        raise TypeError(
            f"{type(optimizer).__name__} is not an Optimizer "
            "(lrcore needs an object whose param_groups is a list of dicts)"
        )


def _groups(optimizer: Any) -> _core.DictGroups:
    _check_optimizer(optimizer)
    return _core.DictGroups(optimizer)


def _format_param(name: str, optimizer: Any, param: Any) -> list[float]:
    """One float per param group, as torch's _format_param (a list must match the groups)."""
    n = len(optimizer.param_groups)
    if isinstance(param, (list, tuple)):
        if len(param) != n:
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. "
                f"{name} has {len(param)} values, param_groups has {n}."
            )
        return [_real(name, p) for p in param]
    return [_real(name, param)] * n


def _per_group(name: str, optimizer: Any, value: Any, convert: Callable[[str, Any], Any]) -> Any:
    """An argument torch takes as one scalar for every group, which lrcore also takes as a list
    or tuple with one value per param group (pytorch issue 63488). A scalar is ``convert``-ed as
    before; a list must have one value per group (ValueError with torch's _format_param message,
    checked first), and each value is ``convert``-ed as the scalar would be."""
    if not isinstance(value, (list, tuple)):
        return convert(name, value)
    _check_optimizer(optimizer)
    n = len(optimizer.param_groups)
    if len(value) != n:
        raise ValueError(
            f"{name} must have the same length as optimizer.param_groups. "
            f"{name} has {len(value)} values, param_groups has {n}."
        )
    return [convert(name, v) for v in value]


def _per_group_attr(name: str, convert: Callable[[str, Any], Any], *,
                    to_python: Callable[[Any], Any] | None = None) -> Any:
    """A core property that holds one value for all groups or a list of one per group (see
    _per_group). A scalar is assigned as before; a list is checked like the constructor's."""

    def fget(self: Any) -> Any:
        value = getattr(self._core, name)
        if to_python is None:
            return value
        return [to_python(v) for v in value] if isinstance(value, list) else to_python(value)

    def fset(self: Any, value: Any) -> None:
        if isinstance(value, (list, tuple)):
            value = _per_group(name, self.optimizer, value, convert)
        setattr(self._core, name, value)

    return property(fget, fset, doc=f"``{name}``: one value, or a list with one per param group.")


def _is_int(value: Any) -> bool:
    return not isinstance(value, float) and hasattr(value, "__index__")


def _T_max_int(T_max: Any) -> bool | list[bool]:
    """CosineAnnealingLR's T_max given as an int (per group where T_max is): torch's period test
    is then exact integer arithmetic."""
    if isinstance(T_max, (list, tuple)):
        return [_is_int(t) for t in T_max]
    return _is_int(T_max)


def _warm_restarts_eta_min(name: str, eta_min: Any) -> Any:
    """CosineAnnealingWarmRestarts' eta_min check, torch's (a float or an int, else ValueError)."""
    if not isinstance(eta_min, (float, int)):
        raise ValueError(
            f"Expected float or int eta_min, but got {eta_min} of type {type(eta_min)}"
        )
    return eta_min


def _milestone_list(name: str, milestones: Iterable[Any]) -> list[int]:
    return [_int64(name, _epoch_int(m)) for m in milestones]


def _as_number(x: float) -> float | int:
    """A float that holds an integer comes back as int, as torch keeps int-valued attributes."""
    return int(x) if float(x).is_integer() else x


def _epoch_int(epoch: Any) -> int:
    if isinstance(epoch, float) and epoch.is_integer():
        return int(epoch)
    if isinstance(epoch, int) or hasattr(epoch, "__index__"):
        return int(epoch)
    raise TypeError(f"epoch must be an integer for this scheduler, got {epoch!r}")


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    count = int(value)
    if count < 0:
        raise ValueError(f"{name} must be non-negative, got {count}")
    if count > sys.maxsize:
        raise OverflowError(f"{name}={count} is more than an array can hold")
    return count


def _patch_optimizer_step(optimizer: Any) -> None:
    """Mark optimizer.step() calls, for torch's "scheduler stepped before optimizer" warning."""
    step = getattr(optimizer, "step", None)
    func = getattr(step, "__func__", None)
    if step is None or func is None or hasattr(step, "_wrapped_by_lr_sched"):
        return
    opt_ref = weakref.ref(optimizer)

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        opt = opt_ref()
        opt._opt_called = True  # type: ignore[union-attr]
        return func.__get__(opt, opt.__class__)(*args, **kwargs)

    wrapper._wrapped_by_lr_sched = True  # type: ignore[attr-defined]
    try:
        optimizer.step = wrapper
    except (AttributeError, TypeError):  # __slots__ or a read-only attribute: no warning then
        pass


def _warn_get_lr_called_within_step(scheduler: LRScheduler) -> None:
    if not scheduler._get_lr_called_within_step:
        warnings.warn(
            "To get the last learning rate computed by the scheduler, "
            "please use `get_last_lr()`.",
            UserWarning,
            stacklevel=3,
        )


def _core_attr(name: str, doc: str = "", *, to_python: Callable[[Any], Any] | None = None) -> Any:
    """A property kept in the C++ core, so Python and C++ never hold two copies of the state."""

    def fget(self: Any) -> Any:
        value = getattr(self._core, name)
        return to_python(value) if to_python else value

    def fset(self: Any, value: Any) -> None:
        setattr(self._core, name, value)

    return property(fget, fset, doc=doc)


def _builtin(cls: type) -> type:
    """Mark an lrcore scheduler class: its get_lr/step are the core's, not a user override.

    Its ``step`` becomes the core's C-level method (no Python frame on the hot path), which hands
    what it does not handle itself (arguments, verbose printing) to the class's ``_python_step``.
    """
    cls._builtin_class = cls  # type: ignore[attr-defined]
    cls.step = getattr(_core, cls.__name__).step_method(cls)  # type: ignore[attr-defined]
    return cls


# --------------------------------------------------------------------------------------------
# The base class


@_builtin
class LRScheduler:
    r"""Base class of all schedulers, as ``torch.optim.lr_scheduler.LRScheduler``.

    Subclass it and override :meth:`get_lr` (and optionally ``_get_closed_form_lr``) exactly as
    with torch; lrcore calls your Python ``get_lr`` on every step.

    Args:
        optimizer: an object with ``param_groups`` (a list of dicts with "lr").
        last_epoch (int): index of the last epoch, for resuming. Default: -1 (a fresh start).
        verbose (bool): print each group's new lr on every step (torch 2.1's format).
    """

    # _core in a slot: the C-level step() reads it at a fixed offset instead of a dict lookup.
    # _init_args (the constructor's arguments, for pickling) stays out of the instance __dict__.
    __slots__ = ("_core", "_init_args", "__dict__", "__weakref__")
    _core: Any
    _init_args: tuple[tuple[Any, ...], dict[str, Any]]
    _builtin_class: type[LRScheduler]
    # Torch's keys of the state shared by every scheduler, in torch's order.
    _base_state = ("base_lrs", "last_epoch", "_step_count", "_is_initial",
                   "_get_lr_called_within_step", "_last_lr")
    _state_keys: tuple[str, ...] = _base_state

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        # With torch loaded, instantiate a subclass that also derives from torch's base class.
        self: LRScheduler = object.__new__(_torch_compat.class_for(cls))
        # The constructor's arguments, for pickling and copying (see __reduce_ex__).
        self._init_args = (tuple(map(_init_arg, args)),
                           {k: _init_arg(v) for k, v in kwargs.items()})
        return self

    @atomic_init
    def __init__(self, optimizer: Any, last_epoch: int = -1, verbose: bool = False) -> None:
        self._attach(optimizer, _core.LRScheduler(_groups(optimizer), _int64("last_epoch", last_epoch)),
                     verbose)

    def _attach(self, optimizer: Any, core: Any, verbose: bool, *, initial_step: bool = True) -> None:
        """Adopt the core and, like torch's LRScheduler.__init__, take the initial step (not when
        unpickling: the state loaded next is the one after it, see _rebuild)."""
        if self.__dict__.pop("_lrcore_rebuilding", False):
            initial_step = False
        self.optimizer = optimizer
        self._core = core
        cls = type(self)
        builtin = cls._builtin_class
        me = weakref.ref(self)
        if builtin is LRScheduler or cls.get_lr is not builtin.get_lr:
            core.get_lr_hook = me
        own_closed_form = getattr(builtin, "_get_closed_form_lr", None)
        if getattr(cls, "_get_closed_form_lr", None) not in (None, own_closed_form):
            core.closed_form_hook = me
        self.verbose = verbose  # installs the step path (see the verbose property)
        _patch_optimizer_step(optimizer)
        if initial_step:
            core.initial_step()

    @property
    def verbose(self) -> bool:
        """Print each update (torch 2.1's format)."""
        return self._verbose

    @verbose.setter
    def verbose(self, value: bool) -> None:
        self._verbose = value
        core = getattr(self, "_core", None)
        if core is None:
            return
        cls = type(self)
        core.python_step = bool(value)  # the built-in step prints through _python_step
        core.step_overridden = cls.step is not cls._builtin_class.step
        # Cores stepping this one (composites) call its Python step if that does more than the
        # core's: a subclass's override, or printing.
        core.step_hook = weakref.ref(self) if value or cls.step is not cls._builtin_class.step else None

    # State kept in the core -------------------------------------------------------------
    last_epoch = _core_attr("last_epoch", "Index of the last epoch (step) taken.")
    _step_count = _core_attr("step_count")
    base_lrs = _core_attr("base_lrs", "Each group's initial lr.")
    _last_lr = _core_attr("last_lr")
    _is_initial = _core_attr("is_initial")
    _get_lr_called_within_step = _core_attr("within_step")

    def get_last_lr(self) -> list[float]:
        """The lrs the last step wrote, one per param group (a new list each call)."""
        lrs: list[float] = self._core.last_lr  # a new list each call
        return lrs

    def get_lr(self) -> list[float]:
        """Compute the lrs for the current ``last_epoch`` (torch's chainable form).

        Call :meth:`get_last_lr` for the last computed lrs; calling this outside ``step()``
        warns, as torch does.
        """
        raise NotImplementedError

    def step(self, epoch: int | None = None) -> None:  # replaced by the core's, see _builtin
        """Advance one step (call it after ``optimizer.step()``)."""
        self._python_step(epoch)

    def _python_step(self, epoch: int | None = None) -> None:
        """step() with everything: the deprecated ``epoch`` (a jump to that epoch, by the closed
        form where the schedule has one, as in torch) and verbose printing."""
        if epoch is None:
            self._core.step()
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
            self._core.step_epoch(_epoch_int(epoch))
        if self.verbose:
            self._print_lr(epoch)

    def _print_lr(self, epoch: Any) -> None:
        for i, lr in enumerate(self._core.last_lr):
            self.print_lr(True, i, lr, epoch)

    def print_lr(self, is_verbose: bool, group: int, lr: float, epoch: Any = None) -> None:
        """torch 2.1's print_lr, kept for code that calls it."""
        if is_verbose:
            if epoch is None:
                print(f"Adjusting learning rate of group {group} to {lr:.4e}.")
            else:
                epoch_str = ("%.2f" if isinstance(epoch, float) else "%.5d") % epoch
                print(f"Epoch {epoch_str}: adjusting learning rate of group {group} to {lr:.4e}.")

    def simulate(self, num_steps: int) -> Any:
        """The lrs of the next ``num_steps`` steps, without taking them.

        Returns a numpy float64 array of shape ``(num_steps + 1, len(param_groups))``: row 0
        holds the groups' lrs now, row k the lrs after k more ``step()`` calls, bit-identical to
        stepping. Neither the optimizer nor this scheduler changes: a copy of the scheduler runs
        on a copy of the groups, in C++ with the GIL released (user lambdas are called as
        stepping would call them). A Python subclass overriding ``get_lr``/``step`` raises
        NotImplementedError. Tensor lrs are simulated as float64.
        """
        steps = _count("num_steps", num_steps)
        return self._core.simulate(steps)

    def _initial_step(self) -> None:
        """torch's _initial_step (SequentialLR calls it on its children)."""
        self._core.initial_step()

    def _update_lr(self, epoch: int | None = None) -> None:
        """torch's _update_lr (SequentialLR calls it with 0 at a milestone)."""
        self._core.update_lr(None if epoch is None else _epoch_int(epoch))

    # State dicts ------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state with torch's keys and value types (it loads into torch's)."""
        return {key: self._state_value(key) for key in self._state_keys}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state from :meth:`state_dict` (lrcore's or torch's).

        Raises KeyError naming the missing keys (for instance a state from another scheduler
        class); on any error the scheduler is left exactly as it was.
        """
        self._check_state(state_dict)
        snapshot = self.state_dict()
        try:
            self._load_state(state_dict)
        except BaseException:
            self._load_state(snapshot)
            raise

    def _check_state(self, state_dict: Any) -> None:
        """Refuse, before loading anything, a state that is not this class's (missing or, for
        lrcore's own classes, unknown keys: KeyError), holds values of the wrong type
        (TypeError) or length, or negative counters (ValueError); composites check their
        children's states too. Stricter than torch, whose load_state_dict takes anything."""
        builtin = self._builtin_class
        exact = type(self) is builtin or type(self) is _torch_compat.class_for(builtin)
        check_state(self, state_dict, _OPTIONAL_STATE_KEYS, exact_class=exact and builtin is not LRScheduler)

    def _state_value(self, key: str) -> Any:
        return getattr(self, key)

    def _load_state(self, state_dict: dict[str, Any]) -> None:
        for key in self._state_keys:
            if key in state_dict:
                setattr(self, key, state_dict[key])

    def __repr__(self) -> str:
        return f"<lrcore {type(self).__name__} last_epoch={self.last_epoch} lrs={self._last_lr}>"

    # Pickling and copying ---------------------------------------------------------------
    # torch's schedulers are plain Python objects; lrcore's state lives in the C++ core, which
    # cannot be pickled. A scheduler pickles as "construct the class again from the recorded
    # constructor arguments, without the initial step" (_rebuild) plus a state (__getstate__)
    # loaded onto the result. The optimizer, children and callables travel as arguments, so
    # pickle's (and deepcopy's) memo keeps them shared: the unpickled scheduler drives the
    # unpickled optimizer. copy.copy shares the optimizer (and a composite's children), as
    # torch's copy.copy does, with a state of its own.

    def __reduce_ex__(self, protocol: Any) -> Any:
        init_args = getattr(self, "_init_args", None)
        if init_args is None:
            raise TypeError(f"cannot pickle {type(self).__name__}: it was not created through "
                            "LRScheduler.__new__")
        # The lrcore class, not the torch-mixed one (_torch_compat), which is not importable.
        cls = type(self).__dict__.get("_lrcore_class", type(self))
        return _rebuild, (cls, *init_args), self.__getstate__()

    def __getstate__(self) -> dict[str, Any]:
        """What __setstate__ loads onto a scheduler rebuilt from the constructor arguments."""
        return {
            "state_dict": self.state_dict(),
            # The core's own copy of the shared fields: a composite's state_dict lacks some.
            "core": tuple(getattr(self._core, f) for f in _CORE_FIELDS),
            "dict": self.__dict__.copy(),
            # A composite's construction rewinds its children: their whole states, to restore.
            "children": [s.__getstate__() for s in self.__dict__.get("_schedulers", ())],
            # Constructors write to the param groups (CyclicLR, OneCycleLR, SequentialLR): the
            # groups' values, restored as they were.
            "groups": [{k: v for k, v in g.items() if k != "params"}
                       for g in self.optimizer.param_groups],
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state["dict"])
        self.load_state_dict(state["state_dict"])
        for child, child_state in zip(self.__dict__.get("_schedulers", ()), state["children"]):
            child.__setstate__(child_state)
        for field, value in zip(_CORE_FIELDS, state["core"]):
            setattr(self._core, field, value)
        self.verbose = self._verbose  # reinstalls the core's step path
        for group, saved in zip(self.optimizer.param_groups, state["groups"]):
            for key in [k for k in group if k != "params" and k not in saved]:
                del group[key]
            group.update(saved)


def _init_arg(value: Any) -> Any:
    """A constructor argument as recorded for rebuilding: a list is copied (mutating it later
    changes nothing), an iterator, which the constructor consumes, is recorded empty (what it
    gave, MultiStepLR's milestones, comes back with the state)."""
    if type(value) is list:
        return value[:]
    if isinstance(value, Iterator):
        return ()
    return value


# The fields every core keeps (_core.Scheduler's properties).
_CORE_FIELDS = ("last_epoch", "step_count", "base_lrs", "last_lr", "is_initial", "within_step")


def _rebuild(cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Unpickling: construct ``cls`` from its constructor arguments without the initial step
    (pickle then calls __setstate__ with the saved state). Saved pickles name this function:
    keep its name and signature."""
    self = cls.__new__(cls, *args, **kwargs)
    self._lrcore_rebuilding = True  # read (and removed) by _attach
    self.__init__(*args, **kwargs)
    return self


_core.set_core_slot(LRScheduler.__dict__["_core"])


class _LRScheduler(LRScheduler):
    """Deprecated alias of :class:`LRScheduler`, kept as torch keeps it."""


# --------------------------------------------------------------------------------------------
# Schedules with a closed form


class _ClosedForm:
    """Mixin: the schedule has torch's _get_closed_form_lr (used by the deprecated step(epoch))."""

    _core: Any

    def _get_closed_form_lr(self) -> list[float]:
        lrs: list[float] = self._core.closed_form_lr()  # never None: the class has a closed form
        return lrs


class _BuiltinGetLr:
    """Mixin: get_lr() is the core's chainable form."""

    _core: Any

    def get_lr(self) -> list[float]:
        _warn_get_lr_called_within_step(self)  # type: ignore[arg-type]
        lrs: list[float] = self._core.compute_lr()
        return lrs


def _lambda_list(optimizer: Any, lr_lambda: Any) -> list[Callable[[int], float]]:
    n = len(optimizer.param_groups)
    if not isinstance(lr_lambda, (list, tuple)):
        return [lr_lambda] * n
    if len(lr_lambda) != n:
        raise ValueError(f"Expected {n} lr_lambdas, but got {len(lr_lambda)}")
    return list(lr_lambda)


class _LambdaState:
    """state_dict handling of torch's lr_lambdas: the __dict__ of callable objects, None for
    plain functions (which cannot be saved)."""

    lr_lambdas: list[Callable[[int], float]]
    _state_keys: tuple[str, ...] = LRScheduler._base_state + ("lr_lambdas",)

    def _state_value(self, key: str) -> Any:
        if key != "lr_lambdas":
            return getattr(self, key)
        return [None if isinstance(fn, types.FunctionType) else fn.__dict__.copy()
                for fn in self.lr_lambdas]

    def _load_state(self, state_dict: dict[str, Any]) -> None:
        for key in self._state_keys:
            if key == "lr_lambdas" or key not in state_dict:
                continue
            setattr(self, key, state_dict[key])
        for fn, saved in zip(self.lr_lambdas, state_dict.get("lr_lambdas", ())):
            if saved is not None:
                fn.__dict__.update(saved)


@_builtin
class LambdaLR(_LambdaState, _BuiltinGetLr, LRScheduler):
    r"""lr = base_lr * lr_lambda(epoch).

    Args:
        optimizer: wrapped optimizer.
        lr_lambda (callable or list): a function of the epoch giving a multiplicative factor,
            or one per param group.
        last_epoch (int): the index of the last epoch. Default: -1.
        verbose (bool): print each update (torch 2.1's format). Default: False.
    """

    @atomic_init
    def __init__(self, optimizer: Any, lr_lambda: Any, last_epoch: int = -1,
                 verbose: bool = False) -> None:
        optimizer.param_groups  # noqa: B018 -- AttributeError first, as torch's len(...) of it
        _check_optimizer(optimizer)
        lr_lambdas = _lambda_list(optimizer, lr_lambda)
        last_epoch = _int64("last_epoch", last_epoch)
        self.lr_lambdas = lr_lambdas
        self._attach(optimizer, _core.LambdaLR(_groups(optimizer), self.lr_lambdas, last_epoch), verbose)


@_builtin
class MultiplicativeLR(_LambdaState, _BuiltinGetLr, LRScheduler):
    r"""lr = lr * lr_lambda(epoch) on every step after the first.

    Args:
        optimizer: wrapped optimizer.
        lr_lambda (callable or list): a function of the epoch giving the factor, or one per group.
        last_epoch (int): the index of the last epoch. Default: -1.
        verbose (bool): print each update. Default: False.
    """

    @atomic_init
    def __init__(self, optimizer: Any, lr_lambda: Any, last_epoch: int = -1,
                 verbose: bool = False) -> None:
        optimizer.param_groups  # noqa: B018 -- AttributeError first, as torch's len(...) of it
        _check_optimizer(optimizer)
        lr_lambdas = _lambda_list(optimizer, lr_lambda)
        for fn in lr_lambdas:
            if not callable(fn):
                raise TypeError(f"lr_lambda should be a function, but got {type(fn).__name__}")
        last_epoch = _int64("last_epoch", last_epoch)
        self.lr_lambdas = lr_lambdas
        self._attach(optimizer, _core.MultiplicativeLR(_groups(optimizer), self.lr_lambdas, last_epoch),
                     verbose)


@_builtin
class StepLR(_ClosedForm, _BuiltinGetLr, LRScheduler):
    r"""Decay each group's lr by ``gamma`` every ``step_size`` epochs.

    .. math:: \eta_t = \eta_0 \cdot \gamma^{\lfloor t / \text{step\_size} \rfloor}

    Args:
        optimizer: wrapped optimizer.
        step_size (int or list of int): period of the decay (or one per param group).
        gamma (float or list of float): multiplicative factor (or one per param group).
            Default: 0.1.
        last_epoch (int): the index of the last epoch. Default: -1.
        verbose (bool): print each update. Default: False.

    Example:
        >>> scheduler = StepLR(optimizer, step_size=10, gamma=0.5)  # 0.1 for epochs 0-9, 0.05 ...
    """

    _state_keys = ("step_size", "gamma") + LRScheduler._base_state
    _per_group_state_keys = ("step_size", "gamma")

    @atomic_init
    def __init__(self, optimizer: Any, step_size: int | Sequence[int],
                 gamma: float | Sequence[float] = 0.1, last_epoch: int = -1,
                 verbose: bool = False) -> None:
        core = _core.StepLR(_groups(optimizer), _per_group("step_size", optimizer, step_size, _int64),
                            _per_group("gamma", optimizer, gamma, _real),
                            _int64("last_epoch", last_epoch))
        self._attach(optimizer, core, verbose)

    step_size = _per_group_attr("step_size", _int64)
    gamma = _per_group_attr("gamma", _real)


@_builtin
class MultiStepLR(_ClosedForm, _BuiltinGetLr, LRScheduler):
    r"""Decay each group's lr by ``gamma`` at each milestone (a repeated milestone decays twice).

    Args:
        optimizer: wrapped optimizer.
        milestones (iterable of int): epoch indices (shared by all groups).
        gamma (float or list of float): multiplicative factor (or one per param group).
            Default: 0.1.
        last_epoch (int): the index of the last epoch. Default: -1.
        verbose (bool): print each update. Default: False.
    """

    _state_keys = ("milestones", "gamma") + LRScheduler._base_state
    _per_group_state_keys = ("gamma",)

    @atomic_init
    def __init__(self, optimizer: Any, milestones: Iterable[int],
                 gamma: float | Sequence[float] = 0.1, last_epoch: int = -1,
                 verbose: bool = False) -> None:
        epochs = _milestone_list("milestones", milestones)
        core = _core.MultiStepLR(_groups(optimizer), epochs, _per_group("gamma", optimizer, gamma, _real),
                                 _int64("last_epoch", last_epoch))
        self._attach(optimizer, core, verbose)

    gamma = _per_group_attr("gamma", _real)

    @property
    def milestones(self) -> Counter[int]:
        """The milestones, counted (as torch's ``Counter``)."""
        return Counter(self._core.milestones)

    @milestones.setter
    def milestones(self, value: Iterable[int]) -> None:
        elements = value.elements() if isinstance(value, Counter) else value
        self._core.milestones = [_epoch_int(m) for m in elements]


@_builtin
class ConstantLR(_ClosedForm, _BuiltinGetLr, LRScheduler):
    r"""Multiply each group's lr by ``factor`` until epoch ``total_iters``.

    Args:
        optimizer: wrapped optimizer.
        factor (float or list of float): in [0, 1] (each, one per param group). Default: 1/3.
        total_iters (int or list of int): number of epochs with the factor applied.
            Default: 5.
        last_epoch (int): the index of the last epoch. Default: -1.
        verbose (bool): print each update. Default: False.
    """

    _state_keys = ("factor", "total_iters") + LRScheduler._base_state
    _per_group_state_keys = ("factor", "total_iters")

    @atomic_init
    def __init__(self, optimizer: Any, factor: float | Sequence[float] = 1.0 / 3,
                 total_iters: int | Sequence[int] = 5, last_epoch: int = -1,
                 verbose: bool = False) -> None:
        core = _core.ConstantLR(_groups(optimizer), _per_group("factor", optimizer, factor, _real),
                                _per_group("total_iters", optimizer, total_iters, _int64),
                                _int64("last_epoch", last_epoch))
        self._attach(optimizer, core, verbose)

    factor = _per_group_attr("factor", _real)
    total_iters = _per_group_attr("total_iters", _int64)


@_builtin
class LinearLR(_ClosedForm, _BuiltinGetLr, LRScheduler):
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

    _state_keys = ("start_factor", "end_factor", "total_iters") + LRScheduler._base_state
    _per_group_state_keys = ("start_factor", "end_factor", "total_iters")

    @atomic_init
    def __init__(self, optimizer: Any, start_factor: float | Sequence[float] = 1.0 / 3,
                 end_factor: float | Sequence[float] = 1.0, total_iters: int | Sequence[int] = 5,
                 last_epoch: int = -1, verbose: bool = False) -> None:
        core = _core.LinearLR(_groups(optimizer),
                              _per_group("start_factor", optimizer, start_factor, _real),
                              _per_group("end_factor", optimizer, end_factor, _real),
                              _per_group("total_iters", optimizer, total_iters, _int64),
                              _int64("last_epoch", last_epoch))
        self._attach(optimizer, core, verbose)

    start_factor = _per_group_attr("start_factor", _real)
    end_factor = _per_group_attr("end_factor", _real)
    total_iters = _per_group_attr("total_iters", _int64)


@_builtin
class ExponentialLR(_ClosedForm, _BuiltinGetLr, LRScheduler):
    r"""Decay each group's lr by ``gamma`` every epoch.

    Args:
        optimizer: wrapped optimizer.
        gamma (float or list of float): multiplicative factor (or one per param group).
        last_epoch (int): the index of the last epoch. Default: -1.
        verbose (bool): print each update. Default: False.
    """

    _state_keys = ("gamma",) + LRScheduler._base_state
    _per_group_state_keys = ("gamma",)

    @atomic_init
    def __init__(self, optimizer: Any, gamma: float | Sequence[float], last_epoch: int = -1,
                 verbose: bool = False) -> None:
        core = _core.ExponentialLR(_groups(optimizer), _per_group("gamma", optimizer, gamma, _real),
                                   _int64("last_epoch", last_epoch))
        self._attach(optimizer, core, verbose)

    gamma = _per_group_attr("gamma", _real)


@_builtin
class PolynomialLR(_ClosedForm, _BuiltinGetLr, LRScheduler):
    r"""Decay each group's lr with a polynomial of the given power over ``total_iters`` epochs.

    Args:
        optimizer: wrapped optimizer.
        total_iters (int or list of int): Default: 5.
        power (float or list of float): Default: 1.0.
        last_epoch (int): the index of the last epoch. Default: -1.
        verbose (bool): print each update. Default: False.
    """

    _state_keys = ("total_iters", "power") + LRScheduler._base_state
    _per_group_state_keys = ("total_iters", "power")

    @atomic_init
    def __init__(self, optimizer: Any, total_iters: int | Sequence[int] = 5,
                 power: float | Sequence[float] = 1.0, last_epoch: int = -1,
                 verbose: bool = False) -> None:
        core = _core.PolynomialLR(_groups(optimizer),
                                  _per_group("total_iters", optimizer, total_iters, _int64),
                                  _per_group("power", optimizer, power, _real),
                                  _int64("last_epoch", last_epoch))
        self._attach(optimizer, core, verbose)

    total_iters = _per_group_attr("total_iters", _int64)
    power = _per_group_attr("power", _real)


@_builtin
class CosineAnnealingLR(_ClosedForm, _BuiltinGetLr, LRScheduler):
    r"""Cosine annealing from each group's initial lr to ``eta_min`` over ``T_max`` epochs.

    .. math:: \eta_t = \eta_{min} + \frac{1}{2}(\eta_{max} - \eta_{min})
              \left(1 + \cos\left(\frac{T_{cur}}{T_{max}}\pi\right)\right)

    computed, as in torch, by a recursion on the current lr (so it composes with other
    schedulers); the closed form differs from it by rounding.

    Args:
        optimizer: wrapped optimizer.
        T_max (int or list of int): number of epochs of a half period (or one per param
            group; an int and a float T_max differ only beyond 2**53, as in torch).
        eta_min (float or list of float): minimum lr (or one per param group). Default: 0.
        last_epoch (int): the index of the last epoch. Default: -1.
        verbose (bool): print each update. Default: False.
    """

    _state_keys = ("T_max", "eta_min") + LRScheduler._base_state
    _per_group_state_keys = ("T_max", "eta_min")

    @atomic_init
    def __init__(self, optimizer: Any, T_max: int | Sequence[int], eta_min: float | Sequence[float] = 0.0,
                 last_epoch: int = -1, verbose: bool = False) -> None:
        core = _core.CosineAnnealingLR(_groups(optimizer), _per_group("T_max", optimizer, T_max, _real),
                                       _per_group("eta_min", optimizer, eta_min, _real),
                                       _int64("last_epoch", last_epoch))
        core.T_max_int = _T_max_int(T_max)
        self._attach(optimizer, core, verbose)

    @property
    def T_max(self) -> float | int | list[float | int]:
        """``T_max``: one value, or a list with one per param group."""
        value = self._core.T_max
        return [_as_number(v) for v in value] if isinstance(value, list) else _as_number(value)

    @T_max.setter
    def T_max(self, value: float | int | Sequence[float | int]) -> None:
        if isinstance(value, (list, tuple)):
            self._core.T_max = _per_group("T_max", self.optimizer, value, _real)
        else:
            self._core.T_max = value
        self._core.T_max_int = _T_max_int(value)
    eta_min = _per_group_attr("eta_min", _real)


# --------------------------------------------------------------------------------------------
# Composites


def _check_children(owner: str, optimizer: Any, schedulers: Sequence[Any]) -> None:
    for idx, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{owner} at index {idx} should have `optimizer` as its attribute.")
        if optimizer != scheduler.optimizer:
            raise ValueError(
                f"{owner} expects all schedulers to belong to the same optimizer, but got "
                f"scheduler {scheduler.__class__.__name__} at index {idx} has "
                f"{scheduler.optimizer}, which is different from {optimizer.__class__.__name__}."
            )
        if not isinstance(getattr(scheduler, "_core", None), _core.Scheduler):
            raise TypeError(
                f"{owner} at index {idx}: {type(scheduler).__name__} is not an lrcore scheduler "
                "(build every child with lrcore.lr_scheduler)"
            )


# step()'s metric was not given (None is a value float() refuses, as torch's plateau does).
_NO_METRIC: Any = object()


def _simulate_metrics(core: Any, num_steps: int | None, metrics: Any) -> Any:
    """simulate() of a scheduler stepped with the metric: the lrs of step(metrics[k])."""
    import numpy as np

    values = np.asarray(metrics, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"metrics must be a 1-D sequence, got shape {values.shape}")
    if num_steps is not None and _count("num_steps", num_steps) != len(values):
        raise ValueError(f"num_steps={num_steps} but {len(values)} metrics were given")
    return core.simulate_metrics(values)


class _Composite:
    """state_dict handling of torch's composites (children's state dicts under _schedulers), and
    stepping with the metric when a child is a ReduceLROnPlateau (an lrcore extension: torch's
    composites refuse one, pytorch issue 68978)."""

    _schedulers: list[Any]
    _state_keys: tuple[str, ...]
    _core: Any

    def _python_step(self, metrics: Any = _NO_METRIC) -> None:
        """Step every child the composite steps; ``metrics`` goes to its ReduceLROnPlateau."""
        core = self._core
        if metrics is _NO_METRIC:
            core.step()  # TypeError if a child needs the metric
        elif not core.takes_metric:
            raise TypeError(f"{type(self).__name__}.step() takes no metric: none of its "
                            "schedulers is a ReduceLROnPlateau")
        else:
            core.step_metric(float(metrics))

    def simulate(self, num_steps: int | None = None, *, metrics: Any = None) -> Any:
        """The lrs of the coming steps, without taking them (see LRScheduler.simulate).

        A composite holding a ReduceLROnPlateau takes ``metrics``, the values ``step`` would be
        given (as ReduceLROnPlateau.simulate); the others take ``num_steps``.
        """
        if self._core.takes_metric:
            if metrics is None:
                raise TypeError(f"{type(self).__name__}.simulate() needs metrics=: it holds a "
                                "ReduceLROnPlateau")
            return _simulate_metrics(self._core, num_steps, metrics)
        if metrics is not None:
            raise TypeError(f"{type(self).__name__}.simulate() takes no metrics: none of its "
                            "schedulers is a ReduceLROnPlateau")
        if num_steps is None:
            raise TypeError(f"{type(self).__name__}.simulate() needs num_steps")
        return LRScheduler.simulate(self, num_steps)  # type: ignore[arg-type]

    def _state_value(self, key: str) -> Any:
        if key == "_schedulers":
            return [s.state_dict() for s in self._schedulers]
        return getattr(self, key)

    def _load_state(self, state_dict: dict[str, Any]) -> None:
        for key in self._state_keys:
            if key != "_schedulers" and key in state_dict:
                setattr(self, key, state_dict[key])
        children = state_dict.get("_schedulers", ())
        if len(children) != len(self._schedulers):
            raise ValueError(
                f"the state_dict has {len(children)} schedulers, this "
                f"{type(self).__name__} has {len(self._schedulers)}"
            )
        for scheduler, state in zip(self._schedulers, children):
            scheduler.load_state_dict(state)

    def get_lr(self) -> list[float]:
        raise NotImplementedError


@_builtin
class SequentialLR(_Composite, LRScheduler):
    r"""Run schedulers one after another, switching at the milestones.

    Unlike torch's, a child may be a ReduceLROnPlateau (for example a warmup, then a plateau).
    The SequentialLR is then stepped with the metric, ``step(val_loss)``, and the child that owns
    the epoch gets it if it takes one. At its milestone the ReduceLROnPlateau starts, as every
    child does, from each group's initial lr, with a fresh monitor; the metric of that step is
    the first it records.

    Args:
        optimizer: wrapped optimizer.
        schedulers (list): lrcore schedulers of that optimizer.
        milestones (list of int): the epochs at which the next scheduler takes over.
        last_epoch (int): the index of the last epoch. Default: -1.
        verbose (bool): accepted for compatibility; children print if they are verbose.
    """

    _state_keys = ("_milestones", "last_epoch", "_last_lr", "_schedulers")

    @atomic_init
    def __init__(self, optimizer: Any, schedulers: list[Any], milestones: list[int],
                 last_epoch: int = -1, verbose: bool = False) -> None:
        owner = self.__class__.__name__
        if len(schedulers) < 1:
            raise ValueError(f"{owner} expects at least one scheduler, but got no scheduler.")
        _check_children(owner, optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more than "
                f"the number of milestone points, but got number of schedulers {len(schedulers)} "
                f"and the number of milestones to be equal to {len(milestones)}"
            )
        epochs = _milestone_list("milestones", milestones)
        last_epoch = _int64("last_epoch", last_epoch)
        self._schedulers = list(schedulers)
        core = _core.SequentialLR(_groups(optimizer), [s._core for s in schedulers], epochs,
                                  last_epoch)
        self._attach(optimizer, core, verbose, initial_step=False)

    @property
    def _milestones(self) -> list[int]:
        return list(self._core.milestones)

    @_milestones.setter
    def _milestones(self, value: list[int]) -> None:
        self._core.milestones = [_epoch_int(m) for m in value]

    def recursive_undo(self, sched: Any = None) -> None:
        """torch's recursive_undo: take one epoch back from every (nested) child."""
        (self if sched is None else sched)._core.undo_epoch()


@_builtin
class ChainedScheduler(_Composite, LRScheduler):
    r"""Step every scheduler on every step, each on the lrs the previous one left.

    Unlike torch's, a child may be a ReduceLROnPlateau: the chain is then stepped with the
    metric, ``step(val_loss)``, which goes to each child that takes one (``ChainedScheduler(
    [LinearLR(opt, 0.1, total_iters=5), ReduceLROnPlateau(opt)])`` warms up and reduces on a
    plateau, multiplicatively).

    Args:
        schedulers (sequence): lrcore schedulers of one optimizer.
        optimizer: that optimizer (default: the first scheduler's).
    """

    _state_keys = ("_last_lr", "_schedulers")

    def __init__(self, schedulers: Sequence[Any], optimizer: Any = None, *,
                 verbose: bool = False) -> None:
        owner = self.__class__.__name__
        if len(schedulers) < 1:
            raise ValueError(
                f"{owner} expects at least one scheduler to be chained, but got no scheduler."
            )
        optimizer = optimizer if optimizer is not None else schedulers[0].optimizer
        _check_children(owner, optimizer, schedulers)
        self._schedulers = list(schedulers)
        core = _core.ChainedScheduler(_groups(optimizer), [s._core for s in schedulers])
        self._attach(optimizer, core, verbose, initial_step=False)


# --------------------------------------------------------------------------------------------
# ReduceLROnPlateau


@_builtin
class ReduceLROnPlateau(LRScheduler):
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

    _core: _core.ReduceLROnPlateau

    _state_keys = ("factor", "default_min_lr", "min_lrs", "patience", "cooldown", "eps",
                   "last_epoch", "_last_lr", "mode_worse", "mode", "threshold", "threshold_mode",
                   "best", "cooldown_counter", "num_bad_epochs")

    @atomic_init
    def __init__(self, optimizer: Any, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: list[float] | float = 0, eps: float = 1e-8,
                 verbose: bool = False) -> None:
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        _check_optimizer(optimizer)
        is_list = isinstance(min_lr, (list, tuple))
        if is_list and len(min_lr) != len(optimizer.param_groups):  # type: ignore[arg-type]
            raise ValueError(
                f"expected {len(optimizer.param_groups)} min_lrs, got {len(min_lr)}"  # type: ignore[arg-type]
            )
        min_lrs = ([_real("min_lr", m) for m in min_lr] if is_list  # type: ignore[union-attr]
                   else [_real("min_lr", min_lr)])
        patience = _int64("patience", patience)
        cooldown = _int64("cooldown", cooldown)
        eps = _real("eps", eps)
        # torch's _init_is_better, with its messages (and its TypeError for a mode not a str)
        if mode not in {"min", "max"}:
            raise ValueError("mode " + mode + " is unknown!")
        if threshold_mode not in {"rel", "abs"}:
            raise ValueError("threshold mode " + threshold_mode + " is unknown!")
        threshold = _real("threshold", threshold)
        core = _core.ReduceLROnPlateau(_groups(optimizer), mode, _real("factor", factor), patience,
                                       threshold, threshold_mode, cooldown, min_lrs, eps, is_list)
        self._attach(optimizer, core, verbose, initial_step=False)

    def step(self, metrics: SupportsFloat, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record the metric; reduce the lrs if it has stopped improving."""
        self._python_step(metrics, epoch)

    def _python_step(self, metrics: SupportsFloat, epoch: int | None = None) -> None:  # type: ignore[override]
        """step() for any metric (``float(metrics)``), the deprecated epoch, and printing."""
        current = float(metrics)
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
            epoch = _epoch_int(epoch)
        if not self.verbose:
            self._core.step(current, epoch)
            return
        before = self._core.last_lr
        self._core.step(current, epoch)
        epoch_str = "%.5d" % self.last_epoch
        for i, (old, new) in enumerate(zip(before, self._core.last_lr)):
            if new != old:
                print(f"Epoch {epoch_str}: reducing learning rate of group {i} to {new:.4e}.")

    def get_lr(self) -> list[float]:
        raise NotImplementedError

    def simulate(self, num_steps: int | None = None, *, metrics: Any = None) -> Any:
        """The lrs of the coming ``step(metrics[k])`` calls, without taking them.

        ``metrics`` is the sequence of values ``step`` would be given (floats); ``num_steps``,
        if given, must equal its length. Returns a float64 array of shape
        ``(len(metrics) + 1, len(param_groups))``: row 0 the lrs now, row k after k more steps.
        Neither the optimizer nor this scheduler changes.
        """
        if metrics is None:
            raise TypeError("ReduceLROnPlateau.simulate() needs metrics=: the values step() would get")
        return _simulate_metrics(self._core, num_steps, metrics)

    factor = _core_attr("factor")
    default_min_lr = _core_attr("default_min_lr")
    min_lrs = _core_attr("min_lrs")
    patience = _core_attr("patience")
    cooldown = _core_attr("cooldown")
    eps = _core_attr("eps")
    threshold = _core_attr("threshold")
    mode_worse = _core_attr("mode_worse")
    best = _core_attr("best")
    cooldown_counter = _core_attr("cooldown_counter")
    num_bad_epochs = _core_attr("num_bad_epochs")

    @property
    def mode(self) -> str:
        return "max" if self._core.mode_max else "min"

    @mode.setter
    def mode(self, value: str) -> None:
        self._init_is_better(value, self.threshold, self.threshold_mode)

    @property
    def threshold_mode(self) -> str:
        return "abs" if self._core.threshold_abs else "rel"

    @threshold_mode.setter
    def threshold_mode(self, value: str) -> None:
        self._init_is_better(self.mode, self.threshold, value)

    @property
    def in_cooldown(self) -> bool:
        return self._core.cooldown_counter > 0

    def _is_better(self, a: float, best: float) -> bool:
        return self._core.is_better(a, best)

    def _init_is_better(self, mode: str, threshold: float, threshold_mode: str) -> None:
        self._core.init_is_better(mode, threshold, threshold_mode)

    def _reset(self) -> None:
        self._core.reset()

    def _load_state(self, state_dict: dict[str, Any]) -> None:
        # torch: __dict__.update, then _init_is_better from the loaded mode and thresholds.
        plain = [k for k in self._state_keys if k not in ("mode", "threshold_mode", "threshold")]
        for key in plain:
            if key in state_dict:
                setattr(self, key, state_dict[key])
        self._init_is_better(state_dict.get("mode", self.mode),
                             state_dict.get("threshold", self.threshold),
                             state_dict.get("threshold_mode", self.threshold_mode))


# --------------------------------------------------------------------------------------------
# Cyclical schedules


@_builtin
class CyclicLR(_BuiltinGetLr, LRScheduler):
    r"""Cycle each group's lr between ``base_lr`` and ``max_lr`` (Smith, 2015), and momentum
    between ``max_momentum`` and ``base_momentum`` in the opposite direction.

    Step it after every batch. A custom ``scale_fn`` is called once per step (torch calls it
    once per group with the same argument).

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

    _core: _core.CyclicLR

    @atomic_init
    def __init__(self, optimizer: Any, base_lr: float | list[float], max_lr: float | list[float],
                 step_size_up: int = 2000, step_size_down: int | None = None,
                 mode: str = "triangular", gamma: float = 1.0,
                 scale_fn: Callable[[float], float] | None = None, scale_mode: str = "cycle",
                 cycle_momentum: bool = True, base_momentum: float = 0.8,
                 max_momentum: float = 0.9, last_epoch: int = -1, verbose: bool = False) -> None:
        _check_optimizer(optimizer)
        base_lrs = _format_param("base_lr", optimizer, base_lr)
        max_lrs = _format_param("max_lr", optimizer, max_lr)
        base_momentums = _format_param("base_momentum", optimizer, base_momentum)
        max_momentums = _format_param("max_momentum", optimizer, max_momentum)
        up = float(step_size_up)
        down = None if step_size_down is None else float(step_size_down)
        if mode not in ["triangular", "triangular2", "exp_range"] and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        for name, value in (("mode", mode), ("scale_mode", scale_mode)):
            if not isinstance(value, str):
                raise TypeError(f"{name} must be a str, got {type(value).__name__}")
        if scale_fn is not None and not callable(scale_fn):
            raise TypeError(f"scale_fn must be callable, got {type(scale_fn).__name__}")
        last_epoch = _int64("last_epoch", last_epoch)
        self._scale_fn_custom = scale_fn
        core = _core.CyclicLR(_groups(optimizer), base_lrs, max_lrs, up, down, mode,
                              _real("gamma", gamma), scale_fn, scale_mode, bool(cycle_momentum),
                              base_momentums, max_momentums, last_epoch)
        self._attach(optimizer, core, verbose)

    # load_state_dict: keys a state holds only when cycle_momentum is on
    _optional_state_keys = ("use_beta1", "base_momentums", "max_momentums")
    max_lrs = _core_attr("max_lrs")
    total_size = _core_attr("total_size")
    step_ratio = _core_attr("step_ratio")
    mode = _core_attr("mode")
    gamma = _core_attr("gamma")
    scale_mode = _core_attr("scale_mode")
    cycle_momentum = _core_attr("cycle_momentum")
    use_beta1 = _core_attr("use_beta1")
    base_momentums = _core_attr("base_momentums")
    max_momentums = _core_attr("max_momentums")

    @property
    def _state_keys(self) -> tuple[str, ...]:  # type: ignore[override]
        momentum = ("use_beta1", "base_momentums", "max_momentums") if self.cycle_momentum else ()
        return (("max_lrs", "total_size", "step_ratio", "mode", "gamma", "scale_mode",
                 "cycle_momentum") + momentum + LRScheduler._base_state + ("_scale_fn_custom",))

    def scale_fn(self, x: Any) -> float:
        """The amplitude scale at ``x`` (a cycle number or an iteration)."""
        return self._core.scale_fn(x)

    def _init_scale_fn(self) -> None:
        self._core.init_scale_fn()

    def _state_value(self, key: str) -> Any:
        if key != "_scale_fn_custom":
            return getattr(self, key)
        fn = self._scale_fn_custom
        if fn is not None and not isinstance(fn, types.FunctionType):
            return fn.__dict__.copy()
        return None

    def _load_state(self, state_dict: dict[str, Any]) -> None:
        for key in self._state_keys:
            if key != "_scale_fn_custom" and key in state_dict:
                setattr(self, key, state_dict[key])
        saved = state_dict.get("_scale_fn_custom")
        if saved is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(saved)
        self._init_scale_fn()


@_builtin
class CosineAnnealingWarmRestarts(_BuiltinGetLr, LRScheduler):
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

    _state_keys = ("T_0", "T_i", "T_mult", "eta_min", "T_cur") + LRScheduler._base_state
    _per_group_state_keys = ("eta_min",)

    @atomic_init
    def __init__(self, optimizer: Any, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1, verbose: bool = False) -> None:
        if T_0 <= 0 or not isinstance(T_0, int):
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if T_mult < 1 or not isinstance(T_mult, int):
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        eta_min = _per_group("eta_min", optimizer, eta_min, _warm_restarts_eta_min)
        last_epoch = _int64("last_epoch", last_epoch)
        if abs(last_epoch) > 2**53:  # T_cur = last_epoch is a float in the core
            raise OverflowError(
                f"last_epoch={last_epoch}: CosineAnnealingWarmRestarts counts T_cur in a float, "
                "exact only up to 2**53"
            )
        core = _core.CosineAnnealingWarmRestarts(_groups(optimizer), _int64("T_0", T_0),
                                                 _int64("T_mult", T_mult), eta_min,
                                                 _int64("last_epoch", last_epoch))
        self._attach(optimizer, core, verbose)

    def _python_step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or go to ``epoch`` (fractional epochs allowed)."""
        if epoch is None:
            self._core.step()
        else:
            if epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch}")
            self._core.step_epoch(float(epoch))
        if self.verbose:
            self._print_lr(self.last_epoch if epoch is None else epoch)

    T_0 = _core_attr("T_0")
    T_i = _core_attr("T_i", to_python=_as_number)
    T_mult = _core_attr("T_mult")
    eta_min = _per_group_attr("eta_min", _real)  # torch checks the constructor's only
    T_cur = _core_attr("T_cur", to_python=_as_number)


_PHASE_FIELDS = ("end_step", "start_lr", "end_lr", "start_momentum", "end_momentum")


@_builtin
class OneCycleLR(_BuiltinGetLr, LRScheduler):
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

    @atomic_init
    def __init__(self, optimizer: Any, max_lr: float | list[float], total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None,
                 pct_start: float = 0.3, anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | list[float] = 0.85, max_momentum: float | list[float] = 0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1, verbose: bool = False) -> None:
        _check_optimizer(optimizer)
        total_steps = one_cycle_total_steps(total_steps, epochs, steps_per_epoch)
        float(pct_start * total_steps)  # torch's _schedule_phases: the same errors, in its order
        if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        max_lrs = _format_param("max_lr", optimizer, max_lr)
        div_factor = _real("div_factor", div_factor)
        final_div_factor = _real("final_div_factor", final_div_factor)
        cycle_momentum = bool(cycle_momentum)
        if (not isinstance(last_epoch, bool) and isinstance(last_epoch, (int, float))
                and last_epoch >= _INT64_MAX
                and all("initial_lr" in g for g in optimizer.param_groups)):
            # torch's initial step would be past total_steps: its error, not int64's
            raise ValueError(f"Tried to step {last_epoch + 1} times. The specified number of "
                             f"total steps is {total_steps}")
        total_steps = _int64("total_steps", total_steps)
        last_epoch = _int64("last_epoch", last_epoch)
        if cycle_momentum:
            max_momentums = _format_param("max_momentum", optimizer, max_momentum)
            base_momentums = _format_param("base_momentum", optimizer, base_momentum)
        else:
            max_momentums = base_momentums = [0.0]
        core = _core.OneCycleLR(_groups(optimizer), max_lrs, total_steps, pct_start,
                                anneal_strategy, cycle_momentum, base_momentums, max_momentums,
                                div_factor, final_div_factor, bool(three_phase), last_epoch)
        self._attach(optimizer, core, verbose)

    _optional_state_keys = ("use_beta1",)  # load_state_dict: only with cycle_momentum
    total_steps = _core_attr("total_steps")
    _anneal_func_type = _core_attr("anneal_strategy")
    cycle_momentum = _core_attr("cycle_momentum")
    use_beta1 = _core_attr("use_beta1")

    @property
    def _state_keys(self) -> tuple[str, ...]:  # type: ignore[override]
        momentum = ("use_beta1",) if self.cycle_momentum else ()
        return (("total_steps", "_schedule_phases", "_anneal_func_type", "cycle_momentum")
                + momentum + LRScheduler._base_state)

    @property
    def _schedule_phases(self) -> list[dict[str, Any]]:
        phases = [dict(zip(_PHASE_FIELDS, p)) for p in self._core.phases]
        phases[-1]["end_step"] = _as_number(phases[-1]["end_step"])  # torch: total_steps - 1
        return phases

    @_schedule_phases.setter
    def _schedule_phases(self, phases: list[dict[str, Any]]) -> None:
        self._core.phases = [tuple(p[f] for f in _PHASE_FIELDS) for p in phases]
