"""``torch.optim.lr_scheduler`` (PyTorch 2.13), in plain Python, with lrcore's extensions.

This is the executable specification of lrcore's schedulers. Each class has torch's name,
signature, attributes and methods, and computes every value with the same operations in the
same order as torch's code, so that results are torch's bit for bit (Tensor lrs and Tensor
hyperparameters included, with torch's result types). lrcore's compiled classes
(``lrcore.lr_scheduler``) derive from these: their ``step()`` runs in C++ when a scheduler
holds only what the C++ core models, and falls back to the methods here otherwise.

It needs neither torch nor numpy: an optimizer is any object whose ``param_groups`` is a list
of dicts, and a value is a Tensor only if torch is loaded and it is one.

Where lrcore goes beyond torch (each documented in the README), and torch would raise or
compute something unusable:

* ``verbose=True`` prints every update in torch 2.1's format (torch 2.13 removed it).
* Hyperparameters given as one value per param group (a list) where torch takes one number:
  StepLR, MultiStepLR (gamma), ConstantLR, LinearLR, ExponentialLR, PolynomialLR,
  CosineAnnealingLR, CosineAnnealingWarmRestarts (eta_min). Group ``g`` gets exactly the lrs
  torch computes with the scalar ``values[g]``.
* SequentialLR and ChainedScheduler accept a ReduceLROnPlateau child; they are then stepped
  with the metric, ``step(val_loss)`` (see ``_step_child``, ``_restart_child``).
* A param group added after the scheduler was built (``optimizer.add_param_group``) is adopted
  where torch would fail on it (see ``LRScheduler._adopt_new_groups``).
* ``key=``: a scheduler drives any numeric param-group field ("weight_decay", "betas[1]") as
  torch drives the lr (see ``_set_key``, ``_get``, ``_renamed``).
"""

from __future__ import annotations

import math
import sys
import types
from bisect import bisect_right
from collections import Counter
from functools import partial, wraps
from typing import TYPE_CHECKING, Any, Callable, SupportsFloat
from weakref import ref

from .._impl.warn import warn, warn_step_order

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

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

_GET_LR_WARNING = (
    "To get the last learning rate computed by the scheduler, please use `get_last_lr()`."
)

inf = math.inf


# --------------------------------------------------------------------------------------------
# torch's helpers, without importing torch


# Types no Tensor has, tested first: isinstance(v, torch.Tensor) goes through torch's metaclass,
# which would cost each step more than its arithmetic.
_PLAIN_TYPES = frozenset({float, int, bool, str, type(None), list, tuple, dict})


def _is_tensor(value: Any) -> bool:
    if type(value) in _PLAIN_TYPES:
        return False
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def _to_scalar(x: Any) -> Any:
    """torch.optim.optimizer._to_scalar: a 1-element Tensor becomes 0-dimensional."""
    if _is_tensor(x) and x.dim() != 0:
        return x.squeeze()
    return x


def _copy(value: Any) -> Any:
    return value.clone() if _is_tensor(value) else value


def _format_param(name: str, optimizer: Any, param: Any) -> list[Any]:
    """Return correctly formatted lr/momentum for each param group."""
    if isinstance(param, (list, tuple)):
        if len(param) != len(optimizer.param_groups):
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. "
                f"{name} has {len(param)} values, param_groups has {len(optimizer.param_groups)}."
            )
    else:
        param = [param] * len(optimizer.param_groups)
    return list(map(_copy, param))


# --------------------------------------------------------------------------------------------
# The hyperparameter a scheduler drives (``key``): "lr" as torch's, or any other numeric
# param-group field ("weight_decay"), or an element of a tuple field ("betas[1]").


def _split_key(key: str) -> tuple[str, int | None]:
    """A key's group field and element index: "betas[1]" -> ("betas", 1), "lr" -> ("lr", None)."""
    found = _KEYS.get(key)
    if found is None:
        name, index = key, None
        if key.endswith("]") and "[" in key:
            name, _, digits = key[:-1].partition("[")
            if not digits.isdigit() or not digits.isascii():
                raise ValueError(f"key {key!r}: an element is written as name[index], as "
                                 "'betas[1]'")
            index = int(digits)
        if not name.isidentifier():
            raise ValueError(f"key {key!r} does not name a param-group field")
        found = _KEYS[key] = (name, index)
    return found


_KEYS: dict[str, tuple[str, int | None]] = {"lr": ("lr", None)}


def _split_element(key: str) -> tuple[str, int]:
    """_split_key of a key naming an element ("betas[1]")."""
    name, index = _split_key(key)
    if index is None:
        raise ValueError(f"key {key!r} names no element")
    return name, index


def _get(group: dict[str, Any], key: str) -> Any:
    """What ``group`` holds for ``key`` (a field, or an element of a tuple field)."""
    if key[-1] != "]":
        return group[key]
    name, index = _split_key(key)
    return group[name][index]


def _renamed(key: str, torch_name: str) -> str:
    """The group entry a scheduler driving ``key`` keeps where torch keeps ``torch_name`` (one
    named after the lr: initial_lr, max_lr, min_lr, swa_lr): "initial_weight_decay", and for an
    element, a plain name: "initial_betas_1" for "betas[1]"."""
    if key == "lr":
        return torch_name
    if key[-1] == "]":
        name, index = _split_key(key)
        key = f"{name}_{index}"
    return torch_name[:-2] + key


def _param_groups_val_list(optimizer: Any, key: str) -> list[Any]:
    """group[key] for each param group; Tensors cloned so that nothing aliases the groups."""
    if key[-1] == "]":
        return [_copy(_get(group, key)) for group in optimizer.param_groups]
    return [_copy(group[key]) for group in optimizer.param_groups]


def _update_param_group_val(param_group: dict[str, Any], key: str, val: Any) -> None:
    """Set param_group[key] to val; a Tensor held there is filled in place. An element of a
    tuple field is set as torch's schedulers set Adam's beta1: a new tuple in the field."""
    if key[-1] == "]":
        name, index = _split_element(key)
        held = param_group[name]
        if _is_tensor(held[index]):
            held[index].fill_(_to_scalar(val))
        else:
            param_group[name] = (*held[:index], val, *held[index + 1:])
    elif _is_tensor(param_group[key]):
        param_group[key].fill_(_to_scalar(val))
    else:
        param_group[key] = val


def _assign(param_group: dict[str, Any], key: str, val: Any) -> None:
    """param_group[key] = val, a Tensor held there replaced rather than filled (for the
    schedulers that assign, as transformers' GreedyLR)."""
    if key[-1] == "]":
        name, index = _split_element(key)
        held = param_group[name]
        param_group[name] = (*held[:index], val, *held[index + 1:])
    else:
        param_group[key] = val


_NUMBER_TYPES = (int, float)


def _check_key(optimizer: Any, key: Any, owner: str) -> str:
    """Refuse, before anything changes, a key that is not a str naming a numeric value (an int,
    a float or a 0-d Tensor) in every param group."""
    if not isinstance(key, str):
        raise TypeError(f"{owner}: key must be a str naming a param-group field, got "
                        f"{type(key).__name__}")
    name, index = _split_key(key)
    for i, group in enumerate(optimizer.param_groups):
        if name not in group:
            raise KeyError(f"{owner}: param_groups[{i}] has no {name!r} (key={key!r})")
        value = group[name]
        if index is not None:
            if not isinstance(value, (tuple, list)) or index >= len(value):
                raise TypeError(f"{owner}: key={key!r} needs param_groups[{i}][{name!r}] to be "
                                f"a tuple of more than {index} values, got {value!r}")
            value = value[index]
        numeric = (isinstance(value, _NUMBER_TYPES) and not isinstance(value, bool)) or (
            _is_tensor(value) and value.dim() == 0 and value.is_floating_point())
        if not numeric:
            raise TypeError(f"{owner}: param_groups[{i}][{key!r}] must be a number to be "
                            f"scheduled, got {type(value).__name__}")
    return key


def _set_key(scheduler: Any, optimizer: Any, key: Any) -> None:
    """Record the driven key: on the instance (so in its state_dict) only when it is not "lr",
    so that a scheduler of the lr has torch's attributes exactly."""
    if key is None or (key == "lr" and type(key) is str):
        return
    _check_optimizer(optimizer)
    scheduler.key = _check_key(optimizer, key, type(scheduler).__name__)


def _check_state_key(scheduler: Any, state_dict: Any) -> None:
    """A state saved for one key does not load into a scheduler of another (ValueError, before
    anything is loaded)."""
    if not isinstance(state_dict, dict):
        return
    saved = state_dict.get("key", "lr")
    if saved != scheduler.key:
        raise ValueError(
            f"{type(scheduler).__name__}.load_state_dict: the state_dict was saved by a scheduler "
            f"of {saved!r}, and this one schedules {scheduler.key!r}")


def _check_optimizer(optimizer: Any) -> None:
    """lrcore takes any object whose param_groups is a list of dicts (torch: an Optimizer)."""
    groups = getattr(optimizer, "param_groups", None)
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise TypeError(
            f"{type(optimizer).__name__} is not an Optimizer "
            "(lrcore needs an object whose param_groups is a list of dicts)"
        )


def _momentum_defaults(optimizer: Any) -> Any:
    """Where torch looks for "momentum" / "betas": optimizer.defaults (an optimizer-like object
    without defaults: its first param group)."""
    defaults = getattr(optimizer, "defaults", None)
    if defaults is None:
        groups = optimizer.param_groups
        defaults = groups[0] if groups else {}
    return defaults


def _per_group(value: Any) -> bool:
    """A hyperparameter given as one value per param group (an lrcore extension)."""
    return isinstance(value, (list, tuple))


def _values(name: str, value: Any, n: int) -> list[Any]:
    """One value per group: the per-group list (checked for length), or the value n times."""
    if not _per_group(value):
        return [value] * n
    if len(value) != n:
        raise ValueError(
            f"{name} must have the same length as optimizer.param_groups. "
            f"{name} has {len(value)} values, param_groups has {n}."
        )
    return list(value)


def _warn_get_lr_called_within_step(lr_scheduler: LRScheduler) -> None:
    if not lr_scheduler._get_lr_called_within_step:
        warn(_GET_LR_WARNING, UserWarning, stacklevel=2)


class _enable_get_lr_call:
    def __init__(self, o: Any) -> None:
        self.o = o

    def __enter__(self) -> _enable_get_lr_call:
        self.o._get_lr_called_within_step = True
        return self

    def __exit__(self, type: Any, value: Any, traceback: Any) -> None:
        self.o._get_lr_called_within_step = False


class _initial_mode:
    def __init__(self, o: Any) -> None:
        self.o = o

    def __enter__(self) -> None:
        self.o._is_initial = True

    def __exit__(self, type: Any, value: Any, traceback: Any) -> None:
        self.o._is_initial = False


class _TorchBase:
    """Stands where torch's LRScheduler goes once torch is loaded (lrcore._impl.torch_compat)."""


class _TorchPlateauBase:
    """Stands where torch's ReduceLROnPlateau goes once torch is loaded."""


# --------------------------------------------------------------------------------------------
# The base class


class LRScheduler(_TorchBase):
    r"""Base class for all learning rate schedulers.

    Subclasses implement :meth:`get_lr` and optionally override :meth:`step`.

    Args:
        optimizer: the optimizer (any object with ``param_groups``, a list of dicts).
        last_epoch (int): index of the last epoch seen; -1 (default) initializes, a
            non-default value resumes (every group must then hold ``initial_lr``).
        verbose (bool): print every update in torch 2.1's format. Default: False.
    """

    _get_lr_called_within_step: bool = False
    _is_initial: bool = False
    # Set on the instance only when true, so that vars() and state_dict() match torch's.
    verbose: bool
    # Attributes holding one value per param group, adopted for a group added later (see
    # _adopt_new_groups): base_lrs always, and each class's own.
    _group_lists: tuple[str, ...] = ()
    # The param-group field the scheduler drives (see _set_key): set on the instance only when
    # it is not "lr".
    key: str = "lr"

    def __init__(self, optimizer: Any, last_epoch: int = -1, verbose: bool = False, *,
                 key: str | None = None) -> None:
        _check_optimizer(optimizer)
        _set_key(self, optimizer, key)
        self.optimizer = optimizer
        initial = _renamed(self.key, "initial_lr")
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault(initial, _copy(_get(group, self.key)))
        else:
            for i, group in enumerate(optimizer.param_groups):
                if initial not in group:
                    raise KeyError(
                        f"param '{initial}' is not specified in param_groups[{i}] when resuming "
                        "scheduler with last_epoch >= 0.\n"
                        "This typically happens when:\n"
                        "1. You're trying to resume training from a checkpoint but haven't "
                        "properly loaded the optimizer state\n"
                        "2. You're using last_epoch >= 0 for a fresh training run (not "
                        "recommended)"
                    )
        self.base_lrs: list[Any] = _param_groups_val_list(optimizer, initial)
        self.last_epoch = last_epoch
        if verbose:
            self.verbose = verbose
        _patch_track_step_called(self.optimizer)
        self._initial_step()

    def _initial_step(self) -> None:
        """Initialize step counts and perform a step."""
        self._step_count = 0
        with _initial_mode(self):
            self.step()

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state: every attribute but the optimizer."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state returned by :meth:`state_dict`."""
        _check_state_key(self, state_dict)
        self.__dict__.update(state_dict)

    def get_last_value(self) -> list[Any]:
        """:meth:`get_last_lr` under a name that reads right for any ``key``: the values of the
        driven field the last step wrote, one per param group."""
        return self.get_last_lr()

    def get_last_lr(self) -> list[Any]:
        """The lrs the last step wrote, one per param group (a new list each call: changing it
        changes nothing in the scheduler)."""
        return list(self._last_lr)

    def get_lr(self) -> list[Any]:
        """The lrs for ``last_epoch`` (torch's chainable form)."""
        raise NotImplementedError

    def print_lr(self, is_verbose: bool, group: int, lr: Any, epoch: Any = None) -> None:
        """torch 2.1's print_lr."""
        if is_verbose:
            if epoch is None:
                print(f"Adjusting learning rate of group {group} to {lr:.4e}.")
            else:
                epoch_str = ("%.2f" if isinstance(epoch, float) else "%.5d") % epoch
                print(f"Epoch {epoch_str}: adjusting learning rate of group {group} to {lr:.4e}.")

    def step(self, epoch: int | None = None) -> None:
        """Advance one step (call it after ``optimizer.step()``)."""
        if self._step_count == 1:
            warn_step_order(self.optimizer, stacklevel=2)
        self._step_count += 1
        if epoch is not None:
            warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        with _enable_get_lr_call(self):
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                if hasattr(self, "_get_closed_form_lr"):
                    values = self._get_closed_form_lr()
                else:
                    values = self.get_lr()

        for param_group, lr in zip(self.optimizer.param_groups, values, strict=True):
            _update_param_group_val(param_group, self.key, lr)

        self._last_lr: list[Any] = _param_groups_val_list(self.optimizer, self.key)
        if getattr(self, "verbose", False):
            for i, lr in enumerate(self._last_lr):
                self.print_lr(True, i, lr, epoch)

    # Param groups added after construction ----------------------------------------------
    def _adopt_new_groups(self) -> None:
        """Give the param groups added since construction (``optimizer.add_param_group``) what
        the others have: a base lr (the group's initial_lr, which is its lr at adoption unless
        it has one) and a value in each per-group attribute named in ``_group_lists``. Such an
        attribute whose values all agree gives the new group that value; otherwise its value
        cannot be guessed, and ValueError names the attribute to extend. Called only where torch
        would fail on such a group, so a schedule that runs without it never adopts it. Nothing
        changes if it raises."""
        groups = self.optimizer.param_groups
        n = len(groups)
        # The constructor's initial step: a short list is the user's mistake, not a group added
        # after construction.
        building = getattr(self, "_is_initial", False)
        grown: list[tuple[str, Any]] = []
        for name in self._group_lists:
            values = getattr(self, name, None)
            if values is None or not _per_group(values) or len(values) >= n:
                continue
            if building:
                _values(name, values, n)  # the length error
            if not values or not _uniform(values):
                raise ValueError(
                    f"param group {len(values)} was added to the optimizer after this "
                    f"{type(self).__name__} was built, and `{name}` has one value per param "
                    f"group: append the new group's value to scheduler.{name} before stepping"
                )
            grown.append((name, type(values)(list(values) + [values[0]] * (n - len(values)))))
        for name, values in grown:
            setattr(self, name, values)
        if "base_lrs" in self._group_lists:
            return
        for group in groups[len(self.base_lrs):]:
            initial = _renamed(self.key, "initial_lr")
            group.setdefault(initial, _copy(_get(group, self.key)))
            self.base_lrs.append(_copy(group[initial]))


def _uniform(values: Sequence[Any]) -> bool:
    first = values[0] if values else None
    return all(v is first or (type(v) is type(first) and v == first) for v in values)


def _patch_track_step_called(opt: Any) -> None:
    """Mark calls of opt.step(), for the "scheduler stepped first" warning (torch's patch; an
    optimizer-like object whose step is not a method is left alone)."""
    step = getattr(opt, "step", None)
    if step is None or hasattr(step, "_wrapped_by_lr_sched"):
        return
    func = getattr(step, "__func__", None)
    if func is None:
        return
    opt_ref = ref(opt)

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        opt = opt_ref()
        opt._opt_called = True  # type: ignore[union-attr]
        return func.__get__(opt, opt.__class__)(*args, **kwargs)

    wrapper._wrapped_by_lr_sched = True  # type: ignore[attr-defined]
    try:
        opt.step = wrapper
    except (AttributeError, TypeError):  # a read-only step: no warning then
        pass


class _LRScheduler(LRScheduler):
    """Deprecated alias of :class:`LRScheduler`, kept as torch keeps it."""


# --------------------------------------------------------------------------------------------
# Schedules of a function of the epoch


def _lambda_list(optimizer: Any, lr_lambda: Any) -> list[Callable[[int], Any]]:
    if not isinstance(lr_lambda, list) and not isinstance(lr_lambda, tuple):
        return [lr_lambda] * len(optimizer.param_groups)
    if len(lr_lambda) != len(optimizer.param_groups):
        raise ValueError(
            f"Expected {len(optimizer.param_groups)} lr_lambdas, but got {len(lr_lambda)}"
        )
    return list(lr_lambda)


class _LambdaState:
    """state_dict of the lambda schedules: a callable object's __dict__, None for a function."""

    lr_lambdas: list[Callable[[int], Any]]
    __dict__: dict[str, Any]

    def state_dict(self) -> dict[str, Any]:
        state_dict = {key: value for key, value in self.__dict__.items()
                      if key not in ("optimizer", "lr_lambdas")}
        state_dict["lr_lambdas"] = [None] * len(self.lr_lambdas)
        for idx, fn in enumerate(self.lr_lambdas):
            if not isinstance(fn, types.FunctionType):
                state_dict["lr_lambdas"][idx] = fn.__dict__.copy()
        return state_dict

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        _check_state_key(self, state_dict)
        lr_lambdas = state_dict.pop("lr_lambdas")
        self.__dict__.update(state_dict)
        # Restore state_dict keys in order to prevent side effects
        state_dict["lr_lambdas"] = lr_lambdas
        for idx, fn in enumerate(lr_lambdas):
            if fn is not None:
                self.lr_lambdas[idx].__dict__.update(fn)


class LambdaLR(_LambdaState, LRScheduler):
    """``lr = base_lr * lr_lambda(last_epoch)``, one function for all groups or one per group."""

    _group_lists = ("lr_lambdas",)

    def __init__(self, optimizer: Any, lr_lambda: Any, last_epoch: int = -1,
                 verbose: bool = False, *, key: str = "lr") -> None:
        _set_key(self, optimizer, key)
        self.optimizer = optimizer
        self.lr_lambdas = _lambda_list(optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch, verbose)

    def get_lr(self) -> list[Any]:
        _warn_get_lr_called_within_step(self)
        self._adopt_new_groups()
        return [base_lr * lmbda(self.last_epoch)
                for lmbda, base_lr in zip(self.lr_lambdas, self.base_lrs, strict=True)]


class MultiplicativeLR(_LambdaState, LRScheduler):
    """``lr = lr * lr_lambda(last_epoch)`` on every step after the first."""

    _group_lists = ("lr_lambdas",)

    def __init__(self, optimizer: Any, lr_lambda: Any, last_epoch: int = -1,
                 verbose: bool = False, *, key: str = "lr") -> None:
        _set_key(self, optimizer, key)
        self.optimizer = optimizer
        self.lr_lambdas = _lambda_list(optimizer, lr_lambda)
        for lr_lambda in self.lr_lambdas:
            if not callable(lr_lambda):
                raise TypeError(
                    f"lr_lambda should be a function, but got {type(lr_lambda).__name__}"
                )
        super().__init__(optimizer, last_epoch, verbose)

    def get_lr(self) -> list[Any]:
        _warn_get_lr_called_within_step(self)
        if not self._is_initial:
            self._adopt_new_groups()
            return [_get(group, self.key) * lmbda(self.last_epoch)
                    for lmbda, group in zip(self.lr_lambdas, self.optimizer.param_groups,
                                            strict=True)]
        return _param_groups_val_list(self.optimizer, self.key)


# --------------------------------------------------------------------------------------------
# Multiplicative decays


class StepLR(LRScheduler):
    """Decay each group's lr by ``gamma`` every ``step_size`` epochs."""

    _group_lists = ("step_size", "gamma")

    def __init__(self, optimizer: Any, step_size: Any, gamma: Any = 0.1, last_epoch: int = -1,
                 verbose: bool = False, *, key: str = "lr") -> None:
        _set_key(self, optimizer, key)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch, verbose)

    def get_lr(self) -> list[Any]:
        _warn_get_lr_called_within_step(self)
        if _per_group(self.step_size) or _per_group(self.gamma):
            self._adopt_new_groups()
            groups = self.optimizer.param_groups
            n = len(groups)
            key = self.key
            return [_copy(_get(group, key)) if self.last_epoch == 0 or self.last_epoch % size != 0
                    else _get(group, key) * gamma
                    for group, size, gamma in zip(groups, _values("step_size", self.step_size, n),
                                                  _values("gamma", self.gamma, n))]
        if (self.last_epoch == 0) or (self.last_epoch % self.step_size != 0):
            return _param_groups_val_list(self.optimizer, self.key)
        return [_get(group, self.key) * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[Any]:
        self._adopt_new_groups()
        n = len(self.base_lrs)
        return [base_lr * gamma ** (self.last_epoch // size)
                for base_lr, size, gamma in zip(self.base_lrs,
                                                _values("step_size", self.step_size, n),
                                                _values("gamma", self.gamma, n))]


class MultiStepLR(LRScheduler):
    """Decay each group's lr by ``gamma`` at each milestone (a repeated milestone decays twice)."""

    _group_lists = ("gamma",)

    def __init__(self, optimizer: Any, milestones: Iterable[int], gamma: Any = 0.1,
                 last_epoch: int = -1, verbose: bool = False, *, key: str = "lr") -> None:
        _set_key(self, optimizer, key)
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch, verbose)

    def get_lr(self) -> list[Any]:
        _warn_get_lr_called_within_step(self)
        if self.last_epoch not in self.milestones:
            return _param_groups_val_list(self.optimizer, self.key)
        if _per_group(self.gamma):
            self._adopt_new_groups()
            groups = self.optimizer.param_groups
            return [_get(group, self.key) * gamma ** self.milestones[self.last_epoch]
                    for group, gamma in zip(groups, _values("gamma", self.gamma, len(groups)))]
        return [_get(group, self.key) * self.gamma ** self.milestones[self.last_epoch]
                for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[Any]:
        self._adopt_new_groups()
        milestones = sorted(self.milestones.elements())
        return [base_lr * gamma ** bisect_right(milestones, self.last_epoch)
                for base_lr, gamma in zip(self.base_lrs,
                                          _values("gamma", self.gamma, len(self.base_lrs)))]


def _check_unit(value: Any, message: str, *, low_open: bool = False) -> None:
    """torch's range checks (a per-group list: each value)."""
    for v in value if _per_group(value) else (value,):
        if v > 1.0 or (v <= 0 if low_open else v < 0):
            raise ValueError(message)


class ConstantLR(LRScheduler):
    """Multiply each group's lr by ``factor`` until epoch ``total_iters``."""

    _group_lists = ("factor", "total_iters")

    def __init__(self, optimizer: Any, factor: Any = 1.0 / 3, total_iters: Any = 5,
                 last_epoch: int = -1, verbose: bool = False, *, key: str = "lr") -> None:
        _set_key(self, optimizer, key)
        _check_unit(factor, "Constant multiplicative factor expected to be between 0 and 1.")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch, verbose)

    def get_lr(self) -> list[Any]:
        _warn_get_lr_called_within_step(self)
        if _per_group(self.factor) or _per_group(self.total_iters):
            self._adopt_new_groups()
            groups = self.optimizer.param_groups
            n = len(groups)
            out = []
            for group, factor, total in zip(groups, _values("factor", self.factor, n),
                                            _values("total_iters", self.total_iters, n)):
                if self.last_epoch == 0:
                    out.append(_get(group, self.key) * factor)
                elif self.last_epoch != total:
                    out.append(_copy(_get(group, self.key)))
                else:
                    out.append(_get(group, self.key) * (1.0 / factor))
            return out
        if self.last_epoch == 0:
            return [_get(group, self.key) * self.factor for group in self.optimizer.param_groups]
        if self.last_epoch != self.total_iters:
            return _param_groups_val_list(self.optimizer, self.key)
        return [_get(group, self.key) * (1.0 / self.factor)
                for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[Any]:
        self._adopt_new_groups()
        n = len(self.base_lrs)
        return [base_lr * (factor + (self.last_epoch >= total) * (1 - factor))
                for base_lr, factor, total in zip(self.base_lrs,
                                                  _values("factor", self.factor, n),
                                                  _values("total_iters", self.total_iters, n))]


class LinearLR(LRScheduler):
    """Scale each group's lr linearly from ``start_factor`` to ``end_factor`` over
    ``total_iters`` epochs."""

    _group_lists = ("start_factor", "end_factor", "total_iters")

    def __init__(self, optimizer: Any, start_factor: Any = 1.0 / 3, end_factor: Any = 1.0,
                 total_iters: Any = 5, last_epoch: int = -1, verbose: bool = False, *,
                 key: str = "lr") -> None:
        _set_key(self, optimizer, key)
        _check_unit(start_factor, "Starting multiplicative factor expected to be greater than 0 "
                                  "and less or equal to 1.", low_open=True)
        _check_unit(end_factor, "Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch, verbose)

    def get_lr(self) -> list[Any]:
        _warn_get_lr_called_within_step(self)
        if _per_group(self.start_factor) or _per_group(self.end_factor) or \
                _per_group(self.total_iters):
            self._adopt_new_groups()
            groups = self.optimizer.param_groups
            n = len(groups)
            out = []
            for group, start, end, total in zip(groups,
                                                _values("start_factor", self.start_factor, n),
                                                _values("end_factor", self.end_factor, n),
                                                _values("total_iters", self.total_iters, n)):
                if self.last_epoch == 0:
                    out.append(_get(group, self.key) * start)
                elif self._is_initial or self.last_epoch > total:
                    out.append(_copy(_get(group, self.key)))
                else:
                    out.append(_get(group, self.key) * (1.0 + (end - start) / (
                        total * start + (self.last_epoch - 1) * (end - start))))
            return out
        if self.last_epoch == 0:
            return [_get(group, self.key) * self.start_factor
                    for group in self.optimizer.param_groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return _param_groups_val_list(self.optimizer, self.key)
        return [
            _get(group, self.key) * (1.0 + (self.end_factor - self.start_factor) / (
                self.total_iters * self.start_factor
                + (self.last_epoch - 1) * (self.end_factor - self.start_factor)))
            for group in self.optimizer.param_groups
        ]

    def _get_closed_form_lr(self) -> list[Any]:
        self._adopt_new_groups()
        n = len(self.base_lrs)
        return [
            base_lr * (start + (end - start) * min(total, self.last_epoch) / total)
            for base_lr, start, end, total in zip(self.base_lrs,
                                                  _values("start_factor", self.start_factor, n),
                                                  _values("end_factor", self.end_factor, n),
                                                  _values("total_iters", self.total_iters, n))
        ]


class ExponentialLR(LRScheduler):
    """Decay each group's lr by ``gamma`` every epoch."""

    _group_lists = ("gamma",)

    def __init__(self, optimizer: Any, gamma: Any, last_epoch: int = -1,
                 verbose: bool = False, *, key: str = "lr") -> None:
        _set_key(self, optimizer, key)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch, verbose)

    def get_lr(self) -> list[Any]:
        _warn_get_lr_called_within_step(self)
        if self._is_initial:
            return _param_groups_val_list(self.optimizer, self.key)
        if _per_group(self.gamma):
            self._adopt_new_groups()
            groups = self.optimizer.param_groups
            return [_get(group, self.key) * gamma
                    for group, gamma in zip(groups, _values("gamma", self.gamma, len(groups)))]
        return [_get(group, self.key) * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[Any]:
        self._adopt_new_groups()
        return [base_lr * gamma ** self.last_epoch
                for base_lr, gamma in zip(self.base_lrs,
                                          _values("gamma", self.gamma, len(self.base_lrs)))]


class PolynomialLR(LRScheduler):
    """Decay each group's lr with a polynomial of the given power over ``total_iters`` epochs."""

    _group_lists = ("total_iters", "power")

    def __init__(self, optimizer: Any, total_iters: Any = 5, power: Any = 1.0,
                 last_epoch: int = -1, verbose: bool = False, *, key: str = "lr") -> None:
        _set_key(self, optimizer, key)
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch, verbose)

    def get_lr(self) -> list[Any]:
        _warn_get_lr_called_within_step(self)
        if _per_group(self.total_iters) or _per_group(self.power):
            if self._is_initial:
                return _param_groups_val_list(self.optimizer, self.key)
            self._adopt_new_groups()
            groups = self.optimizer.param_groups
            n = len(groups)
            out = []
            for group, total, power in zip(groups, _values("total_iters", self.total_iters, n),
                                           _values("power", self.power, n)):
                if self.last_epoch > total:
                    out.append(_copy(_get(group, self.key)))
                else:
                    decay_factor = ((1.0 - self.last_epoch / total)
                                    / (1.0 - (self.last_epoch - 1) / total)) ** power
                    out.append(_get(group, self.key) * decay_factor)
            return out
        if self._is_initial or self.last_epoch > self.total_iters:
            return _param_groups_val_list(self.optimizer, self.key)
        decay_factor = ((1.0 - self.last_epoch / self.total_iters)
                        / (1.0 - (self.last_epoch - 1) / self.total_iters)) ** self.power
        return [_get(group, self.key) * decay_factor for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[Any]:
        self._adopt_new_groups()
        n = len(self.base_lrs)
        return [base_lr * (1.0 - min(total, self.last_epoch) / total) ** power
                for base_lr, total, power in zip(self.base_lrs,
                                                 _values("total_iters", self.total_iters, n),
                                                 _values("power", self.power, n))]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from each group's initial lr to ``eta_min`` over ``T_max`` epochs, by
    torch's recursion on the current lr."""

    _group_lists = ("T_max", "eta_min")

    def __init__(self, optimizer: Any, T_max: Any, eta_min: Any = 0.0, last_epoch: int = -1,
                 verbose: bool = False, *, key: str = "lr") -> None:
        _set_key(self, optimizer, key)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch, verbose)

    def get_lr(self) -> list[Any]:
        _warn_get_lr_called_within_step(self)
        if self._is_initial:
            return _param_groups_val_list(self.optimizer, self.key)
        if _per_group(self.T_max) or _per_group(self.eta_min):
            self._adopt_new_groups()
            groups = self.optimizer.param_groups
            n = len(groups)
            return [self._group_lr(_get(group, self.key), base_lr, T_max, eta_min)
                    for group, base_lr, T_max, eta_min in zip(
                        groups, self.base_lrs, _values("T_max", self.T_max, n),
                        _values("eta_min", self.eta_min, n), strict=True)]
        if self._step_count == 1 and self.last_epoch > 0 or \
                (self.last_epoch - 1 - self.T_max) % (2 * self.T_max) == 0:
            self._adopt_new_groups()
        if self._step_count == 1 and self.last_epoch > 0:
            return [
                self.eta_min + (base_lr - self.eta_min)
                * (1 + math.cos(self.last_epoch * math.pi / self.T_max)) / 2
                for base_lr, group in zip(self.base_lrs, self.optimizer.param_groups, strict=True)
            ]
        elif (self.last_epoch - 1 - self.T_max) % (2 * self.T_max) == 0:
            return [
                _get(group, self.key)
                + (base_lr - self.eta_min) * (1 - math.cos(math.pi / self.T_max)) / 2
                for base_lr, group in zip(self.base_lrs, self.optimizer.param_groups, strict=True)
            ]
        return [
            (1 + math.cos(math.pi * self.last_epoch / self.T_max))
            / (1 + math.cos(math.pi * (self.last_epoch - 1) / self.T_max))
            * (_get(group, self.key) - self.eta_min)
            + self.eta_min
            for group in self.optimizer.param_groups
        ]

    def _group_lr(self, lr: Any, base_lr: Any, T_max: Any, eta_min: Any) -> Any:
        """One group's lr by torch's three cases, with its own T_max and eta_min."""
        if self._step_count == 1 and self.last_epoch > 0:
            return eta_min + (base_lr - eta_min) * (
                1 + math.cos(self.last_epoch * math.pi / T_max)) / 2
        if (self.last_epoch - 1 - T_max) % (2 * T_max) == 0:
            return lr + (base_lr - eta_min) * (1 - math.cos(math.pi / T_max)) / 2
        return ((1 + math.cos(math.pi * self.last_epoch / T_max))
                / (1 + math.cos(math.pi * (self.last_epoch - 1) / T_max))
                * (lr - eta_min) + eta_min)

    def _get_closed_form_lr(self) -> list[Any]:
        self._adopt_new_groups()
        n = len(self.base_lrs)
        return [
            eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * self.last_epoch / T_max)) / 2
            for base_lr, T_max, eta_min in zip(self.base_lrs, _values("T_max", self.T_max, n),
                                               _values("eta_min", self.eta_min, n))
        ]


# --------------------------------------------------------------------------------------------
# Composites. lrcore's accept a ReduceLROnPlateau child: they are then stepped with the metric,
# which goes to the children that take one; at a SequentialLR milestone such a child restarts as
# every other child does there, from each group's initial_lr, with a fresh monitor, and the
# metric of that step is the first it records.

_METRIC_SCHEDULERS = frozenset({"ReduceLROnPlateau", "GreedyLR"})


def _takes_metric(scheduler: Any) -> bool:
    """A scheduler stepped with the metric: a ReduceLROnPlateau (lrcore's or torch's), or a
    composite holding one."""
    if any(c.__name__ in _METRIC_SCHEDULERS for c in type(scheduler).__mro__):
        return True
    return getattr(scheduler, "takes_metric", False) is True


def _step_child(child: Any, metrics: Any) -> None:
    """A composite's child steps with the metric if it takes one. Without a metric (only in a
    composite's own initial step) such a child gets its initial step instead."""
    if not _takes_metric(child):
        child.step()
    elif metrics is not None:
        child.step(metrics)
    else:
        _initial_child(child)


def _plateau_fresh(plateau: Any, lrs: list[Any]) -> None:
    plateau._reset()
    plateau.last_epoch = 0
    plateau._last_lr = list(lrs)


def _initial_child(child: Any) -> None:
    """The initial step SequentialLR's constructor gives the child that owns epoch 0 (a
    ReduceLROnPlateau has none: it starts afresh on the lrs as they are)."""
    hook = getattr(child, "_sequential_initial", None)
    if hook is not None:
        hook()
    elif _takes_metric(child) and not hasattr(child, "_schedulers"):
        _plateau_fresh(child, _param_groups_val_list(child.optimizer, child.key))
    else:
        child._initial_step()


def _restart_child(child: Any, metrics: Any) -> None:
    """A child's hand-over at a SequentialLR milestone: torch's ``_update_lr(0)``; a
    ReduceLROnPlateau goes back to each group's initial_lr with a fresh monitor."""
    hook = getattr(child, "_sequential_restart", None)
    if hook is not None:
        hook(metrics)
    elif _takes_metric(child) and not hasattr(child, "_schedulers"):
        groups = child.optimizer.param_groups
        lrs = _param_groups_val_list(child.optimizer, _renamed(child.key, "initial_lr"))
        for group, lr in zip(groups, lrs):
            _update_param_group_val(group, child.key, lr)
        _plateau_fresh(child, lrs)
        if metrics is not None:
            child.step(metrics)
    else:
        child._update_lr(0)


def _composite_key(composite: Any, schedulers: Sequence[Any], key: Any) -> Any:
    """A composite drives its children's key (ValueError if they drive different ones, or if
    ``key`` names another)."""
    keys = list(dict.fromkeys(getattr(s, "key", "lr") for s in schedulers))
    owner = type(composite).__name__
    if len(keys) > 1:
        raise ValueError(f"{owner}: its schedulers drive different keys {keys}; one composite "
                         "schedules one param-group field")
    if key is not None and key != keys[0]:
        raise ValueError(f"{owner}: key={key!r}, but its schedulers drive {keys[0]!r}")
    return keys[0]


def _check_children(owner: str, optimizer: Any, schedulers: Sequence[Any]) -> None:
    for scheduler_idx, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(
                f"{owner} at index {scheduler_idx} should have `optimizer` as its attribute."
            )
        if optimizer != scheduler.optimizer:
            raise ValueError(
                f"{owner} expects all schedulers to belong to the same optimizer, but got "
                f"scheduler {scheduler.__class__.__name__} at index {scheduler_idx} has "
                f"{scheduler.optimizer}, which is different from {optimizer.__class__.__name__}."
            )


class _Composite:
    """state_dict of torch's composites: the children's state dicts under ``_schedulers``."""

    _schedulers: Sequence[Any]
    __dict__: dict[str, Any]

    @property
    def takes_metric(self) -> bool:
        """Stepped with the metric: one of the schedulers is a ReduceLROnPlateau."""
        return any(_takes_metric(s) for s in self._schedulers)

    def _check_metric(self, metrics: Any) -> None:
        if metrics is None:
            if self.takes_metric:
                raise TypeError(f"{type(self).__name__}.step() needs the metric, step(metrics): "
                                "one of its schedulers is a ReduceLROnPlateau")
        elif not self.takes_metric:
            raise TypeError(f"{type(self).__name__}.step() takes no metric: none of its "
                            "schedulers is a ReduceLROnPlateau")

    def state_dict(self) -> dict[str, Any]:
        state_dict = {key: value for key, value in self.__dict__.items()
                      if key not in ("optimizer", "_schedulers")}
        state_dict["_schedulers"] = [None] * len(self._schedulers)
        for idx, s in enumerate(self._schedulers):
            state_dict["_schedulers"][idx] = s.state_dict()
        return state_dict

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        _check_state_key(self, state_dict)
        _schedulers = state_dict.pop("_schedulers")
        self.__dict__.update(state_dict)
        # Restore state_dict keys in order to prevent side effects
        state_dict["_schedulers"] = _schedulers
        for idx, s in enumerate(_schedulers):
            self._schedulers[idx].load_state_dict(s)


class SequentialLR(_Composite, LRScheduler):
    """Run schedulers one after another, switching at the milestones."""

    def __init__(self, optimizer: Any, schedulers: list[Any], milestones: list[int],
                 last_epoch: int = -1, verbose: bool = False, *,
                 key: str | None = None) -> None:
        if len(schedulers) < 1:
            raise ValueError(
                f"{self.__class__.__name__} expects at least one scheduler, but got no scheduler."
            )
        _check_children(self.__class__.__name__, optimizer, schedulers)
        _set_key(self, optimizer, _composite_key(self, schedulers, key))
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more than "
                f"the number of milestone points, but got number of schedulers {len(schedulers)} "
                f"and the number of milestones to be equal to {len(milestones)}"
            )
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer

        # Reset learning rates back to initial values (a ReduceLROnPlateau child records none:
        # it is the lr, as LRScheduler's constructor records it)
        initial = _renamed(self.key, "initial_lr")
        for group in self.optimizer.param_groups:
            if initial not in group and _takes_metric_anywhere(schedulers):
                group[initial] = _copy(_get(group, self.key))
            _update_param_group_val(group, self.key, group[initial])

        # "Undo" the step performed by other schedulers
        self.recursive_undo()

        # Perform the initial step for only the first scheduler
        idx = bisect_right(self._milestones, 0)
        _initial_child(self._schedulers[idx])

        self._last_lr = schedulers[idx].get_last_lr()

    def recursive_undo(self, sched: Any = None) -> None:
        """Take one epoch back from every (nested) scheduler."""
        scheds = self if sched is None else sched
        hook = getattr(scheds, "_sequential_undo", None)
        if hook is not None and sched is not None:
            hook()
        elif hasattr(scheds, "_schedulers"):
            for s in scheds._schedulers:
                self.recursive_undo(s)
        elif hasattr(scheds, "last_epoch"):
            scheds.last_epoch -= 1

    def step(self, metrics: Any = None) -> None:
        """Advance one epoch (with the metric, ``step(val_loss)``, if a child takes one)."""
        self._check_metric(metrics)
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            _restart_child(scheduler, metrics)
        else:
            _step_child(scheduler, metrics)

        self._last_lr = scheduler.get_last_lr()

    def _initial_step(self) -> None:
        """As the first child of another SequentialLR: torch's initial step (holding a
        ReduceLROnPlateau, that step gives such children their initial step)."""
        self._step_count = 0
        with _initial_mode(self):
            if self.takes_metric:
                self.last_epoch += 1
                idx = bisect_right(self._milestones, self.last_epoch)
                scheduler = self._schedulers[idx]
                if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
                    _restart_child(scheduler, None)
                else:
                    _step_child(scheduler, None)
                self._last_lr = scheduler.get_last_lr()
            else:
                self.step()

    def get_lr(self) -> list[Any]:
        raise NotImplementedError


def _takes_metric_anywhere(schedulers: Sequence[Any]) -> bool:
    return any(_takes_metric(s) for s in schedulers)


class ChainedScheduler(_Composite, LRScheduler):
    """Step every scheduler on every step, each on the lrs the previous one left."""

    def __init__(self, schedulers: Sequence[Any], optimizer: Any = None, *,
                 verbose: bool = False, key: str | None = None) -> None:
        if len(schedulers) < 1:
            raise ValueError(
                f"{self.__class__.__name__} expects at least one scheduler to be chained, but got "
                "no scheduler."
            )
        optimizer = optimizer or schedulers[0].optimizer
        _check_children(self.__class__.__name__, optimizer, schedulers)
        _set_key(self, optimizer, _composite_key(self, schedulers, key))
        _check_warmup_chain(schedulers)
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = _param_groups_val_list(self._schedulers[-1].optimizer, self.key)

    def step(self, metrics: Any = None) -> None:
        """Step every scheduler (with the metric, ``step(val_loss)``, if one takes it)."""
        self._check_metric(metrics)
        for scheduler in self._schedulers:
            _step_child(scheduler, metrics)
        self._last_lr = _param_groups_val_list(self._schedulers[-1].optimizer, self.key)

    def _initial_step(self) -> None:
        """As the first child of a SequentialLR (torch: step() in initial mode)."""
        self._step_count = 0
        with _initial_mode(self):
            for scheduler in self._schedulers:
                _step_child(scheduler, None)
            self._last_lr = _param_groups_val_list(self._schedulers[-1].optimizer, self.key)

    def get_lr(self) -> list[Any]:
        raise NotImplementedError


def _holds_warmup(scheduler: Any) -> bool:
    """A WarmupLR, or a composite holding one at any depth (a SequentialLR's WarmupLR child
    owns the lrs during its warmup as well)."""
    if getattr(scheduler, "_owns_lrs", False):
        return True
    children = scheduler.__dict__.get("_schedulers") if hasattr(scheduler, "__dict__") else None
    return isinstance(children, (list, tuple)) and any(_holds_warmup(c) for c in children)


def _check_warmup_chain(schedulers: Sequence[Any]) -> None:
    """A WarmupLR owns the lrs during its warmup: other schedulers of a chain would see their
    changes overwritten at its next step."""
    if len(schedulers) > 1 and any(_holds_warmup(s) for s in schedulers):
        raise ValueError(
            "ChainedScheduler cannot chain a WarmupLR with other schedulers: during its warmup it "
            "sets the lrs from its own scheduler's, undoing the others' changes. Warm up the "
            "chain instead: WarmupLR(ChainedScheduler([...]), warmup_steps)"
        )


# --------------------------------------------------------------------------------------------
# ReduceLROnPlateau


class ReduceLROnPlateau(LRScheduler, _TorchPlateauBase):
    """Reduce each group's lr by ``factor`` once a metric stops improving for ``patience``
    steps. Step it with the metric: ``scheduler.step(val_loss)``."""

    def __init__(self, optimizer: Any, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: Any = 0, eps: float = 1e-8,
                 verbose: bool = False, *, key: str = "lr") -> None:
        _set_key(self, optimizer, key)
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        self.factor = factor

        # Attach optimizer
        _check_optimizer(optimizer)
        self.optimizer = optimizer

        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(
                    f"expected {len(optimizer.param_groups)} min_lrs, got {len(min_lr)}"
                )
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)

        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = _param_groups_val_list(self.optimizer, self.key)
        self._init_is_better(mode=mode, threshold=threshold, threshold_mode=threshold_mode)
        self._reset()
        if verbose:
            self.verbose = verbose

    def _reset(self) -> None:
        """Reset num_bad_epochs counter and cooldown counter."""
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def step(self, metrics: SupportsFloat, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record the metric; reduce the lrs if it has stopped improving."""
        # convert `metrics` to float, in case it's a zero-dim Tensor
        current = float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = epoch

        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1

        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # ignore any bad epochs in cooldown

        if self.num_bad_epochs > self.patience:
            self._reduce_lr(epoch)
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0

        self._last_lr = _param_groups_val_list(self.optimizer, self.key)

    def _reduce_lr(self, epoch: Any) -> None:
        if len(self.optimizer.param_groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    "The number of param groups in the `optimizer` "
                    f"({len(self.optimizer.param_groups)}) differs from when `ReduceLROnPlateau` "
                    f"was initialized ({len(self.min_lrs)}), usually due to a new param group "
                    "being added to the optimizer. Please modify the `min_lrs` field to match "
                    "the length of the `optimizer` param groups."
                )
            else:
                self.min_lrs = [self.default_min_lr] * len(self.optimizer.param_groups)

        for i, param_group in enumerate(self.optimizer.param_groups):
            old_lr = float(_get(param_group, self.key))
            new_lr = max(old_lr * self.factor, self.min_lrs[i])
            if old_lr - new_lr > self.eps:
                _update_param_group_val(param_group, self.key, new_lr)
                if getattr(self, "verbose", False):
                    epoch_str = ("%.2f" if isinstance(epoch, float) else "%.5d") % epoch
                    print(f"Epoch {epoch_str}: reducing learning rate of group {i} to "
                          f"{new_lr:.4e}.")

    @property
    def in_cooldown(self) -> bool:
        """Whether the scheduler is waiting out its cooldown."""
        return self.cooldown_counter > 0

    def _is_better(self, a: Any, best: Any) -> Any:
        if self.mode == "min" and self.threshold_mode == "rel":
            rel_epsilon = 1.0 - self.threshold
            return a < best * rel_epsilon
        elif self.mode == "min" and self.threshold_mode == "abs":
            return a < best - self.threshold
        elif self.mode == "max" and self.threshold_mode == "rel":
            rel_epsilon = self.threshold + 1.0
            return a > best * rel_epsilon
        else:  # mode == 'max' and epsilon_mode == 'abs':
            return a > best + self.threshold

    def _init_is_better(self, mode: str, threshold: Any, threshold_mode: str) -> None:
        if mode not in {"min", "max"}:
            raise ValueError("mode " + mode + " is unknown!")
        if threshold_mode not in {"rel", "abs"}:
            raise ValueError("threshold mode " + threshold_mode + " is unknown!")

        # the worse value for the chosen mode
        if mode == "min":
            self.mode_worse = inf
        else:  # mode == 'max':
            self.mode_worse = -inf

        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state returned by :meth:`state_dict`."""
        _check_state_key(self, state_dict)
        self.__dict__.update(state_dict)
        self._init_is_better(mode=self.mode, threshold=self.threshold,
                             threshold_mode=self.threshold_mode)

    def get_lr(self) -> list[Any]:
        raise NotImplementedError


# --------------------------------------------------------------------------------------------
# Cyclical schedules


class CyclicLR(LRScheduler):
    """Cycle each group's lr between ``base_lr`` and ``max_lr`` (Smith, 2015), and momentum
    the opposite way."""

    _group_lists = ("base_lrs", "max_lrs", "base_momentums", "max_momentums")

    def __init__(self, optimizer: Any, base_lr: Any, max_lr: Any, step_size_up: Any = 2000,
                 step_size_down: Any = None, mode: str = "triangular", gamma: Any = 1.0,
                 scale_fn: Callable[[float], float] | None = None, scale_mode: str = "cycle",
                 cycle_momentum: bool = True, base_momentum: Any = 0.8, max_momentum: Any = 0.9,
                 last_epoch: int = -1, verbose: bool = False, *, key: str = "lr") -> None:
        _set_key(self, optimizer, key)
        # Attach optimizer
        _check_optimizer(optimizer)
        self.optimizer = optimizer

        base_lrs = _format_param("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups, strict=True):
                _update_param_group_val(group, self.key, lr)

        self.max_lrs = _format_param("max_lr", optimizer, max_lr)

        step_size_up = float(step_size_up)
        step_size_down = (float(step_size_down) if step_size_down is not None
                          else step_size_up)
        self.total_size = step_size_up + step_size_down
        self.step_ratio = step_size_up / self.total_size

        if mode not in ["triangular", "triangular2", "exp_range"] and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")

        self.mode = mode
        self.gamma = gamma

        self._scale_fn_ref: Callable[[float], float]
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_fn()

        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            defaults = _momentum_defaults(optimizer)
            if "momentum" not in defaults and "betas" not in defaults:
                raise ValueError(
                    "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"
                )

            self.use_beta1 = "betas" in defaults
            self.base_momentums = _format_param("base_momentum", optimizer, base_momentum)
            self.max_momentums = _format_param("max_momentum", optimizer, max_momentum)
            if last_epoch == -1:
                for m_momentum, b_momentum, group in zip(self.max_momentums, self.base_momentums,
                                                         optimizer.param_groups, strict=True):
                    if self.use_beta1:
                        group["betas"] = (m_momentum, *group["betas"][1:])
                    else:
                        group["momentum"] = m_momentum
                    group["max_momentum"] = m_momentum
                    group["base_momentum"] = b_momentum

        super().__init__(optimizer, last_epoch, verbose)
        self.base_lrs = base_lrs

    def _init_scale_fn(self) -> None:
        if self._scale_fn_custom is not None:
            return
        if self.mode == "triangular":
            self._scale_fn_ref = self._triangular_scale_fn
            self.scale_mode = "cycle"
        elif self.mode == "triangular2":
            self._scale_fn_ref = self._triangular2_scale_fn
            self.scale_mode = "cycle"
        elif self.mode == "exp_range":
            self._scale_fn_ref = partial(self._exp_range_scale_fn, self.gamma)
            self.scale_mode = "iterations"

    def scale_fn(self, x: Any) -> Any:
        """Get the scaling policy."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        else:
            return self._scale_fn_ref(x)  # static method

    @staticmethod
    def _triangular_scale_fn(x: float) -> float:
        return 1.0

    @staticmethod
    def _triangular2_scale_fn(x: float) -> float:
        return float(1 / (2.0 ** (x - 1)))

    @staticmethod
    def _exp_range_scale_fn(gamma: float, x: float) -> float:
        return gamma**x  # type: ignore[no-any-return]

    def get_lr(self) -> list[Any]:
        _warn_get_lr_called_within_step(self)
        self._adopt_new_groups()
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)

        lrs = []
        for base_lr, max_lr in zip(self.base_lrs, self.max_lrs, strict=True):
            base_height = (max_lr - base_lr) * scale_factor
            if self.scale_mode == "cycle":
                lr = base_lr + base_height * self.scale_fn(cycle)
            else:
                lr = base_lr + base_height * self.scale_fn(self.last_epoch)
            lrs.append(lr)

        if self.cycle_momentum:
            momentums = []
            for base_momentum, max_momentum in zip(self.base_momentums, self.max_momentums,
                                                   strict=True):
                base_height = (max_momentum - base_momentum) * scale_factor
                if self.scale_mode == "cycle":
                    momentum = max_momentum - base_height * self.scale_fn(cycle)
                else:
                    momentum = max_momentum - base_height * self.scale_fn(self.last_epoch)
                momentums.append(momentum)
            for param_group, momentum in zip(self.optimizer.param_groups, momentums, strict=True):
                if self.use_beta1:
                    param_group["betas"] = (momentum, *param_group["betas"][1:])
                else:
                    param_group["momentum"] = momentum

        return lrs

    def _adopt_new_groups(self) -> None:
        # base_lr and the momentum bounds of a new group: what the others have (written to it
        # as the constructor writes them). The new groups are those some list has no value for:
        # a user may have extended base_lrs already (the usual fix-up after add_param_group).
        lists = [self.base_lrs, self.max_lrs]
        if getattr(self, "cycle_momentum", False):
            lists += [self.base_momentums, self.max_momentums]
        have = min(len(values) for values in lists)
        super()._adopt_new_groups()
        for group in self.optimizer.param_groups[have:]:
            group.setdefault(_renamed(self.key, "initial_lr"), _copy(_get(group, self.key)))
        if getattr(self, "cycle_momentum", False):
            for group, m_momentum, b_momentum in zip(self.optimizer.param_groups[have:],
                                                     self.max_momentums[have:],
                                                     self.base_momentums[have:]):
                group.setdefault("max_momentum", m_momentum)
                group.setdefault("base_momentum", b_momentum)

    def state_dict(self) -> dict[str, Any]:
        """The state; a custom scale_fn is saved only if it is a callable object (its
        __dict__), as torch does."""
        state = super().state_dict()
        # We are dropping the `_scale_fn_ref` attribute because it is a
        # `weakref.WeakMethod` and can't be pickled.
        state.pop("_scale_fn_ref", None)
        fn = state.pop("_scale_fn_custom")
        state["_scale_fn_custom"] = None
        if fn is not None and not isinstance(fn, types.FunctionType):
            # The _scale_fn_custom will only be saved if it is a callable object
            # and not if it is a function or lambda.
            state["_scale_fn_custom"] = fn.__dict__.copy()
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state returned by :meth:`state_dict`."""
        fn = state_dict.pop("_scale_fn_custom")
        super().load_state_dict(state_dict)
        if fn is not None:
            self._scale_fn_custom.__dict__.update(fn)
        self._init_scale_fn()


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR: cosine annealing to ``eta_min`` over ``T_i`` epochs, then a restart with
    ``T_i *= T_mult``. ``step(epoch)`` takes fractional epochs."""

    _group_lists = ("eta_min",)

    def __init__(self, optimizer: Any, T_0: int, T_mult: int = 1, eta_min: Any = 0.0,
                 last_epoch: int = -1, verbose: bool = False, *, key: str = "lr") -> None:
        _set_key(self, optimizer, key)
        if T_0 <= 0 or not isinstance(T_0, int):
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if T_mult < 1 or not isinstance(T_mult, int):
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        for value in eta_min if _per_group(eta_min) else (eta_min,):
            if not isinstance(value, (float, int)):
                raise ValueError(
                    f"Expected float or int eta_min, but got {value} of type {type(value)}"
                )
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch, verbose)

    def get_lr(self) -> list[Any]:
        _warn_get_lr_called_within_step(self)
        self._adopt_new_groups()
        if _per_group(self.eta_min):
            return [
                eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
                for base_lr, eta_min in zip(self.base_lrs,
                                            _values("eta_min", self.eta_min, len(self.base_lrs)))
            ]
        return [
            self.eta_min + (base_lr - self.eta_min)
            * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
            for base_lr in self.base_lrs
        ]

    def step(self, epoch: Any = None) -> None:
        """Advance one epoch, or go to ``epoch`` (fractional epochs allowed)."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0

        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log((epoch / self.T_0 * (self.T_mult - 1) + 1), self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** (n)
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)

        with _enable_get_lr_call(self):
            for param_group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
                _update_param_group_val(param_group, self.key, lr)

        self._last_lr = _param_groups_val_list(self.optimizer, self.key)
        if getattr(self, "verbose", False):
            for i, lr in enumerate(self._last_lr):
                self.print_lr(True, i, lr, epoch)


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith, 2018): warm up to ``max_lr``, then anneal far below the start;
    momentum moves the other way. Step it after every batch."""

    def __init__(self, optimizer: Any, max_lr: Any, total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None,
                 pct_start: float = 0.3, anneal_strategy: str = "cos",
                 cycle_momentum: bool = True, base_momentum: Any = 0.85, max_momentum: Any = 0.95,
                 div_factor: Any = 25.0, final_div_factor: Any = 1e4, three_phase: bool = False,
                 last_epoch: int = -1, verbose: bool = False, *, key: str = "lr") -> None:
        _set_key(self, optimizer, key)
        # Validate optimizer
        _check_optimizer(optimizer)
        self.optimizer = optimizer

        # Validate total_steps
        if total_steps is not None:
            if total_steps <= 0 or not isinstance(total_steps, int):
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError(
                    f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}"
                )
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")

        self._schedule_phases: list[dict[str, Any]]
        if three_phase:
            self._schedule_phases = [
                {
                    "end_step": float(pct_start * self.total_steps) - 1,
                    "start_lr": "initial_lr",
                    "end_lr": "max_lr",
                    "start_momentum": "max_momentum",
                    "end_momentum": "base_momentum",
                },
                {
                    "end_step": float(2 * pct_start * self.total_steps) - 2,
                    "start_lr": "max_lr",
                    "end_lr": "initial_lr",
                    "start_momentum": "base_momentum",
                    "end_momentum": "max_momentum",
                },
                {
                    "end_step": self.total_steps - 1,
                    "start_lr": "initial_lr",
                    "end_lr": "min_lr",
                    "start_momentum": "max_momentum",
                    "end_momentum": "max_momentum",
                },
            ]
        else:
            self._schedule_phases = [
                {
                    "end_step": float(pct_start * self.total_steps) - 1,
                    "start_lr": "initial_lr",
                    "end_lr": "max_lr",
                    "start_momentum": "max_momentum",
                    "end_momentum": "base_momentum",
                },
                {
                    "end_step": self.total_steps - 1,
                    "start_lr": "max_lr",
                    "end_lr": "min_lr",
                    "start_momentum": "base_momentum",
                    "end_momentum": "max_momentum",
                },
            ]

        if self.key != "lr":
            for phase in self._schedule_phases:
                phase["start_lr"] = _renamed(self.key, phase["start_lr"])
                phase["end_lr"] = _renamed(self.key, phase["end_lr"])

        # Validate pct_start
        if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")

        # Validate anneal_strategy
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(
                "anneal_strategy must be one of 'cos' or 'linear', instead got "
                f"{anneal_strategy}"
            )
        else:
            self._anneal_func_type = anneal_strategy

        # Initialize learning rate variables
        max_lrs = _format_param("max_lr", self.optimizer, max_lr)
        if last_epoch == -1:
            initial, top, bottom = (_renamed(self.key, name)
                                    for name in ("initial_lr", "max_lr", "min_lr"))
            for idx, group in enumerate(self.optimizer.param_groups):
                group[initial] = max_lrs[idx] / div_factor
                group[top] = max_lrs[idx]
                group[bottom] = group[initial] / final_div_factor

        # Initialize momentum variables
        self.cycle_momentum = cycle_momentum
        if self.cycle_momentum:
            defaults = _momentum_defaults(self.optimizer)
            if "momentum" not in defaults and "betas" not in defaults:
                raise ValueError(
                    "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"
                )
            self.use_beta1 = "betas" in defaults
            max_momentums = _format_param("max_momentum", optimizer, max_momentum)
            base_momentums = _format_param("base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for m_momentum, b_momentum, group in zip(max_momentums, base_momentums,
                                                         optimizer.param_groups, strict=True):
                    if self.use_beta1:
                        group["betas"] = (m_momentum, *group["betas"][1:])
                    else:
                        group["momentum"] = m_momentum
                    group["max_momentum"] = m_momentum
                    group["base_momentum"] = b_momentum

        super().__init__(optimizer, last_epoch, verbose)

    def _anneal_func(self, *args: Any, **kwargs: Any) -> Any:
        if hasattr(self, "_anneal_func_type"):
            if self._anneal_func_type == "cos":
                return self._annealing_cos(*args, **kwargs)
            elif self._anneal_func_type == "linear":
                return self._annealing_linear(*args, **kwargs)
            else:
                raise ValueError(f"Unknown _anneal_func_type: {self._anneal_func_type}")
        else:
            # For BC
            return self.anneal_func(*args, **kwargs)  # type: ignore[attr-defined]

    @staticmethod
    def _annealing_cos(start: Any, end: Any, pct: Any) -> Any:
        """Cosine anneal from `start` to `end` as pct goes from 0.0 to 1.0."""
        cos_out = math.cos(math.pi * pct) + 1
        return end + (start - end) / 2.0 * cos_out

    @staticmethod
    def _annealing_linear(start: Any, end: Any, pct: Any) -> Any:
        """Linearly anneal from `start` to `end` as pct goes from 0.0 to 1.0."""
        return (end - start) * pct + start

    def get_lr(self) -> list[Any]:
        _warn_get_lr_called_within_step(self)
        self._adopt_new_groups()

        lrs = []
        step_num = self.last_epoch

        if step_num > self.total_steps:
            raise ValueError(
                f"Tried to step {step_num} times. The specified number of total steps is "
                f"{self.total_steps}"
            )

        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step_num <= end_step or i == len(self._schedule_phases) - 1:
                    pct = (step_num - start_step) / (end_step - start_step)
                    computed_lr = self._anneal_func(group[phase["start_lr"]],
                                                    group[phase["end_lr"]], pct)
                    if self.cycle_momentum:
                        computed_momentum = self._anneal_func(group[phase["start_momentum"]],
                                                              group[phase["end_momentum"]], pct)
                    break
                start_step = phase["end_step"]

            lrs.append(computed_lr)
            if self.cycle_momentum:
                if self.use_beta1:
                    group["betas"] = (computed_momentum, *group["betas"][1:])
                else:
                    group["momentum"] = computed_momentum

        return lrs

    _GROUP_KEYS = ("initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum")

    def _adopt_new_groups(self) -> None:
        # A new group lacks the keys the phases read (its initial_lr, max_lr, min_lr and, when
        # momentum cycles, its momentum bounds): it gets the value the other groups share.
        # The new groups are those without the keys (whether or not the user has extended
        # base_lrs, which OneCycleLR's step does not read).
        groups = self.optimizer.param_groups
        if not groups:
            return
        keys = [k for k in (_renamed(self.key, name) for name in self._GROUP_KEYS)
                if k in groups[0]]
        if len(groups) <= len(self.base_lrs) and all(k in g for g in groups for k in keys):
            return
        for key in keys:
            old = [g[key] for g in groups if key in g]
            missing = [g for g in groups if key not in g]
            if missing and not _uniform(old):
                raise KeyError(
                    f"param group {groups.index(missing[0])} was added to the optimizer after "
                    f"this OneCycleLR was built and has no '{key}', which differs between the "
                    f"other groups: set group['{key}'] before stepping"
                )
            for group in missing:
                group[key] = _copy(old[0])
        for group in groups[len(self.base_lrs):]:
            self.base_lrs.append(_copy(group[_renamed(self.key, "initial_lr")]))
