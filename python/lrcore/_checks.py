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


# A group, its items and its tensor lrs with their values (what _restore puts back).
_Saved = tuple[dict[str, Any], list[tuple[str, Any]], list[tuple[Any, Any]]]


def _snapshot(optimizer: Any) -> list[_Saved] | None:
    groups = getattr(optimizer, "param_groups", None)
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        return None
    saved = []
    for g in groups:
        items = list(g.items())
        tensors = [(v, v.detach().clone()) for _, v in items if _is_tensor(v)]
        saved.append((g, items, tensors))
    return saved


def _restore(saved: list[_Saved]) -> None:
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


# --------------------------------------------------------------------------------------------
# load_state_dict: everything checked before anything is loaded

# Keys of some schedulers' states, by what they must hold.
_INT_KEYS = {"last_epoch", "step_size", "total_iters", "patience", "cooldown"}
_COUNTER_KEYS = {"_step_count", "cooldown_counter", "num_bad_epochs", "anneal_epochs",
                 "warmup_steps"}
_POSITIVE_INT_KEYS = {"T_0", "T_mult", "total_steps"}
_NUMBER_KEYS = {"gamma", "factor", "start_factor", "end_factor", "power", "T_max", "eta_min",
                "T_cur", "total_size", "step_ratio", "eps", "threshold", "best", "mode_worse"}
_GROUP_LIST_KEYS = {"base_lrs", "_last_lr", "min_lrs", "max_lrs", "base_momentums",
                    "max_momentums", "_group_lrs"}
_BOOL_KEYS = {"_is_initial", "_get_lr_called_within_step", "cycle_momentum", "use_beta1",
              "prefix"}
_CHOICES = {"threshold_mode": ("rel", "abs"), "_anneal_func_type": ("cos", "linear"),
            "_anneal_strategy": ("cos", "linear"), "warmup_type": ("linear", "cosine", "1-sqrt")}
_PHASE_KEYS = ("initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum")
# What torch's ChainedScheduler gains when a SequentialLR steps it (see tests/_pairs.py).
_CHAINED_EXTRA = {"_step_count", "_is_initial", "_get_lr_called_within_step", "last_epoch"}


def _state_number(where: str, v: Any) -> None:
    if isinstance(v, (str, bytes, bool)) or v is None or isinstance(v, (list, tuple, dict)):
        raise TypeError(f"{where} must be a number, got {type(v).__name__}")
    try:
        float(v)
    except (TypeError, ValueError):
        raise TypeError(f"{where} must be a number, got {type(v).__name__}") from None


def _state_int(where: str, v: Any) -> int:
    if isinstance(v, bool) or _is_tensor(v):
        raise TypeError(f"{where} must be an int, got {type(v).__name__}")
    return _int64(where, v)


def check_state(scheduler: Any, state: Any, allowed: frozenset[str], *, exact_class: bool) -> None:
    """Raise (KeyError, TypeError, ValueError) for a state that load_state_dict must refuse:
    keys from another class, values of the wrong type or length, negative counters, a child
    state that is bad in turn. Loads nothing."""
    name = type(scheduler).__name__
    if not isinstance(state, dict):
        raise TypeError(f"{name}.load_state_dict: state_dict must be a dict, got "
                        f"{type(state).__name__}")
    keys = tuple(scheduler._state_keys)
    missing = [k for k in keys if k not in state and k not in allowed]
    if missing:
        raise KeyError(f"{name}.load_state_dict: the state_dict lacks {missing} "
                       "(is it from another scheduler class?)")
    if exact_class:
        known = set(keys) | set(allowed) | set(getattr(scheduler, "_optional_state_keys", ()))
        if name == "ChainedScheduler":
            known |= _CHAINED_EXTRA
        unknown = sorted(map(str, set(state) - known))
        if unknown:
            raise KeyError(f"{name}.load_state_dict: the state_dict has keys {unknown} that a "
                           f"{name} does not have (is it from another scheduler class?)")
    groups = len(scheduler.optimizer.param_groups)
    nullable = set(getattr(scheduler, "_nullable_state_keys", ()))  # a class's "not given"
    # arguments the class takes per group: a number, or a list with one per param group
    per_group = set(getattr(scheduler, "_per_group_state_keys", ()))
    for key, v in state.items():
        where = f"{name}.load_state_dict: {key!r}"
        if v is None and key in nullable:
            continue
        if key in per_group and isinstance(v, (list, tuple)):
            if len(v) != groups:
                raise ValueError(f"{where} has {len(v)} values, the optimizer has {groups} "
                                 "param groups")
            check = _state_int if key in _INT_KEYS else _state_number
            for i, x in enumerate(v):
                check(f"{where}[{i}]", x)
            continue
        if key in _INT_KEYS:
            _state_int(where, v)
        elif key in _COUNTER_KEYS:
            if _state_int(where, v) < 0:
                raise ValueError(f"{where} must be >= 0, got {v}")
        elif key in _POSITIVE_INT_KEYS:
            if _state_int(where, v) < 1:
                raise ValueError(f"{where} must be >= 1, got {v}")
        elif key in _NUMBER_KEYS:
            _state_number(where, v)
        elif key == "T_i":
            _state_number(where, v)
            if not float(v) > 0:
                raise ValueError(f"{where} must be > 0, got {v}")
        elif key == "default_min_lr":
            if v is not None:
                _state_number(where, v)
        elif key in _GROUP_LIST_KEYS:
            if not isinstance(v, (list, tuple)):
                raise TypeError(f"{where} must be a list (one value per param group), got "
                                f"{type(v).__name__}")
            if len(v) != groups:
                raise ValueError(f"{where} has {len(v)} values, the optimizer has {groups} "
                                 "param groups")
            for x in v:
                _state_number(where, x)
        elif key in _BOOL_KEYS:
            if not isinstance(v, bool):
                raise TypeError(f"{where} must be a bool, got {type(v).__name__}")
        elif key in _CHOICES:
            if v not in _CHOICES[key]:
                raise ValueError(f"{where} must be one of {_CHOICES[key]}, got {v!r}")
        elif key == "mode":
            if not isinstance(v, str):
                raise TypeError(f"{where} must be a str, got {type(v).__name__}")
            if name == "ReduceLROnPlateau" and v not in ("min", "max"):
                raise ValueError(f"{where} must be 'min' or 'max', got {v!r}")
        elif key == "scale_mode":
            if not isinstance(v, str):
                raise TypeError(f"{where} must be a str, got {type(v).__name__}")
        elif key == "milestones":
            if isinstance(v, dict):
                for m, count in v.items():
                    _state_int(where + " (a milestone)", m)
                    if _state_int(where + " (a count)", count) < 0:
                        raise ValueError(f"{where}: milestone {m} has a negative count")
            elif isinstance(v, (list, tuple)):
                for m in v:
                    _state_int(where, m)
            else:
                raise TypeError(f"{where} must be a Counter (or list), got {type(v).__name__}")
        elif key == "_milestones":
            if not isinstance(v, (list, tuple)):
                raise TypeError(f"{where} must be a list, got {type(v).__name__}")
            if len(v) != len(scheduler._schedulers) - 1:
                raise ValueError(f"{where} has {len(v)} milestones, this {name} has "
                                 f"{len(scheduler._schedulers)} schedulers")
            for m in v:
                _state_int(where, m)
        elif key == "_schedulers":
            if not isinstance(v, (list, tuple)):
                raise TypeError(f"{where} must be a list of states, got {type(v).__name__}")
            children = scheduler._schedulers
            if len(v) != len(children):
                raise ValueError(f"the state_dict has {len(v)} schedulers, this {name} has "
                                 f"{len(children)}")
            for child, child_state in zip(children, v):
                child._check_state(child_state)
        elif key == "lr_lambdas":
            if not isinstance(v, (list, tuple)):
                raise TypeError(f"{where} must be a list, got {type(v).__name__}")
            if len(v) != len(scheduler.lr_lambdas):
                raise ValueError(f"{where} has {len(v)} entries, the scheduler has "
                                 f"{len(scheduler.lr_lambdas)} lr_lambdas")
            for fn, saved in zip(scheduler.lr_lambdas, v):
                if saved is not None and not isinstance(saved, dict):
                    raise TypeError(f"{where} entries must be None or a dict, got "
                                    f"{type(saved).__name__}")
                if saved is not None and not hasattr(fn, "__dict__"):
                    raise TypeError(f"{where}: the scheduler's lr_lambda has no state to load")
        elif key == "_scale_fn_custom":
            if v is not None and not isinstance(v, dict):
                raise TypeError(f"{where} must be None or a dict, got {type(v).__name__}")
        elif key == "_schedule_phases":
            if not isinstance(v, (list, tuple)) or not v:
                raise TypeError(f"{where} must be a non-empty list of phases")
            for phase in v:
                if not isinstance(phase, dict):
                    raise TypeError(f"{where}: a phase must be a dict, got {type(phase).__name__}")
                lacking = [f for f in ("end_step", "start_lr", "end_lr", "start_momentum",
                                       "end_momentum") if f not in phase]
                if lacking:
                    raise KeyError(f"{where}: a phase lacks {lacking}")
                _state_number(where + " end_step", phase["end_step"])
                for f in ("start_lr", "end_lr", "start_momentum", "end_momentum"):
                    if phase[f] not in _PHASE_KEYS:
                        raise ValueError(f"{where}: {f} must be one of {_PHASE_KEYS}, got "
                                         f"{phase[f]!r}")


def one_cycle_total_steps(total_steps: int | None, epochs: int | None,
                          steps_per_epoch: int | None) -> int:
    """OneCycleLR's total_steps: given, or epochs * steps_per_epoch, checked as torch checks."""
    if total_steps is not None:
        if total_steps <= 0 or not isinstance(total_steps, int):
            raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
    elif epochs is not None and steps_per_epoch is not None:
        if not isinstance(epochs, int) or epochs <= 0:
            raise ValueError(f"Expected positive integer epochs, but got {epochs}")
        if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
            raise ValueError(
                f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}"
            )
        total_steps = epochs * steps_per_epoch
    else:
        raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
    return total_steps
