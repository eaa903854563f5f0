"""All or nothing: what a failed call changed in schedulers and param groups is put back.

torch's schedulers change their attributes and the optimizer's param groups as they go, so an
exception half way (a user's lr_lambda raising, a bad value met at a step) leaves both half
updated. lrcore's compiled steps compute everything before writing anything; its Python paths
(constructors, and steps that run lrcore.reference's code) run inside ``atomic``, which records
what they can change and puts it back if they raise.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, TypeVar

T = TypeVar("T")


# Types no Tensor has, tested first: isinstance(v, torch.Tensor) goes through the metaclass's
# __instancecheck__, the bulk of a snapshot's cost if run on every value.
_PLAIN = frozenset({float, int, bool, str, type(None), list, tuple, dict})


def _tensors(values: Any, tensor: Any) -> list[tuple[Any, Any]]:
    """(Tensor, copy of its values) for each Tensor among ``values``."""
    if tensor is None:
        return []
    return [(v, v.detach().clone()) for v in values
            if type(v) not in _PLAIN and isinstance(v, tensor)]


def _tensor_type() -> Any:
    """torch.Tensor if torch is imported (the Tensors values may be), else None."""
    torch = sys.modules.get("torch")
    return None if torch is None else torch.Tensor


class _Groups:
    """The param groups' items (the same objects, in the same order) and the values of the
    Tensors they hold (a Tensor lr is filled in place)."""

    __slots__ = ("saved",)

    def __init__(self, optimizer: Any, tensor: Any) -> None:
        groups = getattr(optimizer, "param_groups", None)
        self.saved: list[tuple[dict[str, Any], dict[str, Any], list[tuple[Any, Any]]]] = []
        if not isinstance(groups, list):
            return
        for group in groups:
            if not isinstance(group, dict):
                continue
            items = group.copy()
            tensors = _tensors(items.values(), tensor)
            self.saved.append((group, items, tensors))

    def restore(self) -> None:
        for group, items, tensors in self.saved:
            for tensor, value in tensors:
                _put_back(tensor, value)
            if len(group) != len(items) or any(k1 != k2 or a is not b for (k1, a), (k2, b)
                                               in zip(group.items(), items.items())):
                group.clear()
                group.update(items)


class _Scheduler:
    """A scheduler's attributes, the contents of the lists among them (some are extended in
    place) and the values of its Tensors (``last_epoch += 1`` adds to a Tensor in place), for it
    and every scheduler it holds."""

    __slots__ = ("saved",)

    def __init__(self, scheduler: Any, seen: set[int], tensor: Any) -> None:
        self.saved: list[tuple[dict[str, Any], dict[str, Any], list[tuple[list[Any], list[Any]]],
                               list[tuple[Any, Any]]]] = []
        self._add(scheduler, seen, tensor)

    def _add(self, scheduler: Any, seen: set[int], tensor: Any) -> None:
        if id(scheduler) in seen:
            return
        seen.add(id(scheduler))
        attrs = getattr(scheduler, "__dict__", None)
        if not isinstance(attrs, dict):
            return
        items = attrs.copy()
        lists = [(v, v[:]) for v in items.values() if type(v) is list]
        tensors = _tensors(items.values(), tensor)
        self.saved.append((attrs, items, lists, tensors))
        for child in attrs.get("_schedulers", ()) or ():
            self._add(child, seen, tensor)

    def restore(self) -> None:
        for attrs, items, lists, tensors in self.saved:
            for target, contents in lists:
                target[:] = contents
            for tensor, value in tensors:
                _put_back(tensor, value)
            attrs.clear()
            attrs.update(items)


def _put_back(tensor: Any, value: Any) -> None:
    """Give ``tensor`` back the values of its copy ``value``, if they changed."""
    if tensor.dtype != value.dtype or not bool((tensor == value).all()):
        torch = sys.modules["torch"]
        with torch.no_grad():
            tensor.copy_(value)


def atomic(function: Callable[..., T], scheduler: Any, optimizer: Any, *args: Any,
           **kwargs: Any) -> T:
    """``function(*args, **kwargs)``; if it raises, ``scheduler`` (and every scheduler it holds)
    and ``optimizer``'s param groups are put back as they were."""
    tensor = _tensor_type()
    groups = _Groups(optimizer, tensor)
    schedulers = _Scheduler(scheduler, set(), tensor) if scheduler is not None else None
    try:
        return function(*args, **kwargs)
    except BaseException:
        if schedulers is not None:
            schedulers.restore()
        groups.restore()
        raise
