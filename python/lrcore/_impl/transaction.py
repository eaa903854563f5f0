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

from .. import _core

T = TypeVar("T")


def _tensor_type() -> Any:
    """torch.Tensor if torch is imported (the Tensors values may be), else None."""
    torch = sys.modules.get("torch")
    return None if torch is None else torch.Tensor


def _put_back(tensor: Any, value: Any) -> None:
    """Give ``tensor`` back the values of its copy ``value``, if they changed."""
    if tensor.dtype != value.dtype or not bool((tensor == value).all()):
        torch = sys.modules["torch"]
        with torch.no_grad():
            tensor.copy_(value)


def atomic(function: Callable[..., T], scheduler: Any, optimizer: Any, *args: Any,
           **kwargs: Any) -> T:
    """``function(*args, **kwargs)``; if it raises, ``scheduler`` (and every scheduler it holds)
    and ``optimizer``'s param groups are put back as they were: their attributes and items (the
    same objects, in the same order), the contents of the schedulers' lists (some are extended
    in place) and the values of the Tensors among them (a Tensor lr is filled in place, and
    ``last_epoch += 1`` adds to a Tensor in place)."""
    snapshot = _core.Snapshot(scheduler, optimizer)
    tensor = _tensor_type()
    tensors = [] if tensor is None else \
        [(v, v.detach().clone()) for v in snapshot.candidates if isinstance(v, tensor)]
    try:
        return function(*args, **kwargs)
    except BaseException:
        snapshot.restore()
        for value, saved in tensors:
            _put_back(value, saved)
        raise
