"""Let lrcore schedulers pass torch's isinstance checks without importing torch.

PyTorch Lightning (and other tools) accept a scheduler only if
``isinstance(s, torch.optim.lr_scheduler.LRScheduler)`` (or ``ReduceLROnPlateau``). torch's
classes are plain Python classes, so the only way to pass is to derive from them. lrcore does so
lazily: when torch's lr_scheduler module is already loaded (the user brought torch), an lrcore
scheduler is instantiated as a subclass of both its lrcore class (first, so every lrcore method
wins) and torch's base class. Without torch loaded, lrcore's classes are used as they are, and
torch is never imported.
"""

from __future__ import annotations

import sys
from typing import Any

_mixed: dict[type, type] = {}


def class_for(cls: type) -> type:
    """The class to instantiate for lrcore class ``cls``: ``cls`` itself, or its torch twin."""
    torch_schedulers = sys.modules.get("torch.optim.lr_scheduler")
    if torch_schedulers is None:
        return cls
    mixed = _mixed.get(cls)
    if mixed is None:
        mixed = _mixed[cls] = _make_mixed(cls, torch_schedulers)
    return mixed


def _make_mixed(cls: type, torch_schedulers: Any) -> type:
    from . import lr_scheduler

    if issubclass(cls, lr_scheduler.ReduceLROnPlateau):
        torch_base = torch_schedulers.ReduceLROnPlateau
    else:
        torch_base = torch_schedulers.LRScheduler
    if issubclass(cls, torch_base):
        return cls
    namespace = {
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "__doc__": cls.__doc__,
        "_lrcore_class": cls,
    }
    return type(cls.__name__, (cls, torch_base), namespace)
