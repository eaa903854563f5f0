"""Refusing bad input before anything changes: the values of constructor arguments and of a
loaded state_dict, checked against each scheduler's description (its fields and their kinds,
given once per class by the C++ core, see ``describe``).

torch keeps whatever it is given and fails, if at all, at a later step; lrcore refuses, with
the same exception type, a value that can never work there (a string for a number, a list
where one number goes) and a state that is not the class's. Anything torch computes with
(ints, floats, 0-d Tensors, numpy numbers, floats where ints are usual) is accepted and
computed with as torch does.
"""

from __future__ import annotations

import numbers
import sys
from typing import Any

from .. import _core

# Keys of a state_dict that older torch releases lack or that they saved and 2.13 does not
# (torch 2.13's load_state_dict, a __dict__ update, takes them all).
# "key": the param-group field a scheduler drives, in its state when it is not "lr".
_BASE_OPTIONAL = frozenset({"_is_initial", "_get_lr_called_within_step", "key"})
_LEGACY = frozenset({"verbose"})
# Keys a class's state holds only in some configurations (cycling momentum).
_CONDITIONAL = {
    "CyclicLR": frozenset({"use_beta1", "base_momentums", "max_momentums"}),
    "OneCycleLR": frozenset({"use_beta1"}),
}
# Keys a state from an older torch release lacks, and the key it holds instead (if any).
_OLDER: dict[str, dict[str, str | None]] = {
    "OneCycleLR": {"_anneal_func_type": "anneal_func"},  # 1.13 to 2.3
    "SWALR": {"_anneal_strategy": "anneal_func"},  # 1.13 to 2.9
    "ReduceLROnPlateau": {"_last_lr": None, "default_min_lr": None},  # 1.13 to 2.2, to 2.5
}
# Keys older torch releases saved for a class, which 2.13's code ignores or reads instead.
_LEGACY_BY_CLASS = {
    "OneCycleLR": frozenset({"anneal_func"}),
    "CyclicLR": frozenset({"scale_fn", "_scale_fn_ref"}),
    "SWALR": frozenset({"anneal_func"}),
    # torch's ChainedScheduler gains these when a SequentialLR steps it as its first child
    "ChainedScheduler": frozenset({"_step_count", "_is_initial", "_get_lr_called_within_step",
                                   "last_epoch"}),
    "SequentialLR": frozenset({"_step_count", "_is_initial", "_get_lr_called_within_step"}),
}
_COUNTERS = frozenset({"_step_count", "cooldown_counter", "num_bad_epochs", "anneal_epochs",
                       "warmup_steps"})


def _is_tensor(value: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def _type_name(value: Any) -> str:
    return type(value).__name__


def is_number(value: Any) -> bool:
    """A value torch's arithmetic takes as a number: an int or float (numpy's included), a bool,
    any numbers.Real, a Tensor of one element."""
    if isinstance(value, numbers.Real):
        return True
    if _is_tensor(value):
        return bool(value.numel() == 1)
    return hasattr(value, "__float__") and not isinstance(value, (str, bytes))


def _number(where: str, value: Any) -> None:
    if not is_number(value):
        raise TypeError(f"{where} must be a number, got {_type_name(value)}")


def _numbers(where: str, value: Any, groups: int | None) -> None:
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{where} must be a list with one number per param group, got "
                        f"{_type_name(value)}")
    if groups is not None and len(value) != groups:
        raise ValueError(f"{where} has {len(value)} values, the optimizer has {groups} param "
                         "groups")
    for i, v in enumerate(value):
        _number(f"{where}[{i}]", v)


def check_value(where: str, kind: str, per_group: bool, value: Any, groups: int | None,
                nullable: bool = False) -> None:
    """Raise TypeError (or ValueError, for a per-group list of the wrong length) for a value a
    field of this kind can never hold."""
    if value is None and nullable:
        return
    if kind in ("int", "real", "number"):
        if per_group and isinstance(value, (list, tuple)):
            _numbers(where, value, groups)
        else:
            _number(where, value)
    elif kind == "reals":
        _numbers(where, value, groups)
    elif kind == "bool":
        # torch only tests a flag's truth (numpy's bools and None included); a string is
        # refused: "False" and "no" would be true.
        if isinstance(value, (str, bytes)):
            raise TypeError(f"{where} must be a bool, got {_type_name(value)}")
    elif kind == "ints":
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"{where} must be a list, got {_type_name(value)}")
        for v in value:
            _number(where, v)
    elif kind == "counter":
        if isinstance(value, dict):
            for m, count in value.items():
                _number(f"{where} (a milestone)", m)
                _number(f"{where} (a count)", count)
                if count < 0:
                    raise ValueError(f"{where}: milestone {m} has a negative count")
        elif isinstance(value, (list, tuple)):
            for m in value:
                _number(where, m)
        else:
            raise TypeError(f"{where} must be a Counter, got {_type_name(value)}")
    elif kind == "str":
        if not isinstance(value, str):
            raise TypeError(f"{where} must be a str, got {_type_name(value)}")


def check_fields(scheduler: Any) -> None:
    """A constructed scheduler's fields: each of a kind that can work (the constructor then
    puts everything back and raises)."""
    description = describe(type(scheduler))
    if description is None:
        return
    groups = len(scheduler.optimizer.param_groups)
    attrs = scheduler.__dict__
    for field in description:
        if field.name in attrs and field.attribute:
            check_value(f"{type(scheduler).__name__}.{field.name}", field.kind, field.per_group,
                        attrs[field.name], groups, field.nullable)


# --------------------------------------------------------------------------------------------
# load_state_dict


def check_state(scheduler: Any, state: Any) -> None:
    """Refuse, before loading anything, a state that is not this class's (missing or, for
    lrcore's own classes, unknown keys: KeyError), holds values of the wrong type (TypeError)
    or length or negative counters (ValueError). Composites check their children's states too.
    Stricter than torch, whose load_state_dict takes anything."""
    cls = type(scheduler)
    name = cls.__name__
    if not isinstance(state, dict):
        raise TypeError(f"{name}.load_state_dict: state_dict must be a dict, got "
                        f"{_type_name(state)}")
    builtin = builtin_class(cls)
    description = describe(cls)
    if description is None or builtin is None:
        return
    kind_name = builtin.__name__
    optional = _BASE_OPTIONAL | _LEGACY | _CONDITIONAL.get(kind_name, frozenset())
    keys = [f.name for f in description if f.state]
    optional = optional | {f.name for f in description if f.optional}
    optional |= {key for key, instead in _OLDER.get(kind_name, {}).items()
                 if instead is None or instead in state}
    missing = [k for k in keys if k not in state and k not in optional]
    if missing:
        raise KeyError(f"{name}.load_state_dict: the state_dict lacks {missing} "
                       "(is it from another scheduler class?)")
    if cls is builtin:
        known = set(keys) | optional | _LEGACY_BY_CLASS.get(kind_name, frozenset())
        unknown = sorted(map(str, set(state) - known))
        if unknown:
            raise KeyError(f"{name}.load_state_dict: the state_dict has keys {unknown} that a "
                           f"{name} does not have (is it from another scheduler class?)")
    groups = len(scheduler.optimizer.param_groups)
    by_name = {f.name: f for f in description}
    for key, value in state.items():
        field = by_name.get(key)
        if field is None:
            continue
        where = f"{name}.load_state_dict: {key!r}"
        check_value(where, field.kind, field.per_group, value, groups, field.nullable)
        if key in _COUNTERS and not _is_tensor(value) and value < 0:
            raise ValueError(f"{where} must be >= 0, got {value}")
        if field.choices and value not in field.choices:
            raise ValueError(f"{where} must be one of {field.choices}, got {value!r}")
        if field.kind == "children":
            _check_children_state(scheduler, where, value)
        elif field.kind == "lambdas":
            _check_lambdas_state(scheduler, where, value)
        elif field.kind == "callable_state":
            if value is not None and not isinstance(value, dict):
                raise TypeError(f"{where} must be None or a dict, got {_type_name(value)}")
        elif field.kind == "phases":
            _check_phases(where, value)
        elif field.kind == "ints" and key == "_milestones":
            children = scheduler._schedulers
            if len(value) != len(children) - 1:
                # torch's step indexes the schedulers by milestone: an extra one is an
                # IndexError there
                error = IndexError if len(value) > len(children) - 1 else ValueError
                raise error(f"{where} has {len(value)} milestones, this {name} has "
                            f"{len(children)} schedulers")


def _check_children_state(scheduler: Any, where: str, value: Any) -> None:
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{where} must be a list of states, got {_type_name(value)}")
    children = scheduler._schedulers
    if len(value) != len(children):
        raise ValueError(f"the state_dict has {len(value)} schedulers, this "
                         f"{type(scheduler).__name__} has {len(children)}")
    for child, child_state in zip(children, value):
        check = getattr(child, "_check_state", None)
        if check is not None:
            check(child_state)


def _check_lambdas_state(scheduler: Any, where: str, value: Any) -> None:
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{where} must be a list, got {_type_name(value)}")
    if len(value) != len(scheduler.lr_lambdas):
        raise ValueError(f"{where} has {len(value)} entries, the scheduler has "
                         f"{len(scheduler.lr_lambdas)} lr_lambdas")
    for fn, saved in zip(scheduler.lr_lambdas, value):
        if saved is not None and not isinstance(saved, dict):
            raise TypeError(f"{where} entries must be None or a dict, got {_type_name(saved)}")
        if saved is not None and not hasattr(fn, "__dict__"):
            raise TypeError(f"{where}: the scheduler's lr_lambda has no state to load")


_PHASE_KEYS = ("initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum")


def _check_phases(where: str, value: Any) -> None:
    if not isinstance(value, (list, tuple)) or not value:
        raise TypeError(f"{where} must be a non-empty list of phases")
    for phase in value:
        if not isinstance(phase, dict):
            raise TypeError(f"{where}: a phase must be a dict, got {_type_name(phase)}")
        lacking = [f for f in ("end_step", "start_lr", "end_lr", "start_momentum",
                               "end_momentum") if f not in phase]
        if lacking:
            raise KeyError(f"{where}: a phase lacks {lacking}")
        _number(where + " end_step", phase["end_step"])
        for f in ("start_lr", "end_lr", "start_momentum", "end_momentum"):
            if not isinstance(phase[f], str):
                raise TypeError(f"{where}: {f} must name a param group key, got "
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


# --------------------------------------------------------------------------------------------
# Descriptions


class Field:
    """One field of a scheduler as the core describes it (see cpp/include/lrcore/describe.hpp):
    its name, kind (int, real, number, bool, str, reals, ints, counter, phases, children,
    lambdas, callable_state), whether it may be given per group, is state, is changed by a step,
    may be None, is absent from some states, is an attribute, and the strings it may hold."""

    __slots__ = ("name", "kind", "per_group", "state", "stepped", "nullable", "optional",
                 "attribute", "choices")

    def __init__(self, name: str, kind: str, per_group: bool, state: bool, stepped: bool,
                 nullable: bool, optional: bool, attribute: bool,
                 choices: tuple[str, ...]) -> None:
        self.name = name
        self.kind = kind
        self.per_group = per_group
        self.state = state
        self.stepped = stepped
        self.nullable = nullable
        self.optional = optional
        self.attribute = attribute
        self.choices = choices


_descriptions: dict[str, tuple[Field, ...]] = {}


def builtin_class(cls: type) -> type | None:
    """The lrcore class ``cls`` is or derives from (the nearest one)."""
    for klass in cls.__mro__:
        if "_lrcore_kind" in klass.__dict__:
            return klass
    return None


def describe(cls: type) -> tuple[Field, ...] | None:
    """The fields of ``cls``'s lrcore class, from the core's description of it."""
    builtin = builtin_class(cls)
    if builtin is None:
        return None
    kind = builtin.__dict__["_lrcore_kind"]
    if kind is None:
        return None
    fields = _descriptions.get(kind)
    if fields is None:
        fields = _descriptions[kind] = tuple(Field(*f) for f in _core.describe(kind))
    return fields
