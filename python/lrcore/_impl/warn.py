"""Warnings issued where torch issues them, attributed as torch attributes them.

torch's scheduler warnings name a frame with ``stacklevel``: the step-order warnings name the
caller of ``step()`` (the user's loop, or torch's own SequentialLR.step), the ``get_lr()``
warning names torch's ``get_lr`` in ``torch.optim.lr_scheduler``. Filters keyed on that module
(``warnings.filterwarnings(..., module="torch.optim.lr_scheduler")``) are common, so a warning
that torch attributes to its own scheduler code carries torch's module name here too, with the
file and line of lrcore's code that stands for it. Frames of lrcore's internals (this
subpackage, and C++ code, which has no frame) are skipped, so a warning names the same frame
whether lrcore took its compiled path or its Python one.
"""

from __future__ import annotations

import sys
import warnings
from types import FrameType
from typing import Any, Callable

_INTERNAL = "lrcore._impl"

# lrcore's modules that stand for torch's: a frame in one of them is reported under torch's name.
_TORCH_MODULE = {
    "lrcore.reference.lr_scheduler": "torch.optim.lr_scheduler",
    "lrcore.lr_scheduler": "torch.optim.lr_scheduler",
    "lrcore.reference.swa_utils": "torch.optim.swa_utils",
    "lrcore.swa_utils": "torch.optim.swa_utils",
}


def _emit(message: str, category: type[Warning], filename: str, lineno: int, name: str,
          module_globals: dict[str, Any]) -> None:
    registry = module_globals.setdefault("__warningregistry__", {})
    warnings.warn_explicit(message, category, filename, lineno, _TORCH_MODULE.get(name, name),
                           registry)


def _outside(frame: FrameType | None) -> FrameType | None:
    while frame is not None and frame.f_globals.get("__name__", "").startswith(_INTERNAL):
        frame = frame.f_back
    return frame


def warn(message: str, category: type[Warning] = UserWarning, stacklevel: int = 1) -> None:
    """``warnings.warn(message, category, stacklevel)`` as torch's code issues it: stacklevel 1
    names the caller of this function, 2 that caller's caller, and so on, lrcore's internal
    frames not counted."""
    try:
        frame: FrameType | None = sys._getframe(1)
    except ValueError:  # no Python frame at all
        frame = None
    frame = _outside(frame)
    for _ in range(stacklevel - 1):
        frame = _outside(frame.f_back if frame is not None else None)
    if frame is None:
        warnings.warn(message, category, stacklevel=1)
        return
    _emit(message, category, frame.f_code.co_filename, frame.f_lineno,
          frame.f_globals.get("__name__", "<string>"), frame.f_globals)


def warn_in(message: str, category: type[Warning], function: Callable[..., Any]) -> None:
    """The warning torch issues with ``function`` (one of lrcore's Python methods that stands for
    torch's) as the frame it names, when lrcore ran that method's work in C++ (no frame)."""
    code = function.__code__
    module = sys.modules[function.__module__]
    _emit(message, category, code.co_filename, code.co_firstlineno, function.__module__,
          module.__dict__)


OVERRIDDEN_STEP_WARNING = (
    "Seems like `optimizer.step()` has been overridden after learning rate scheduler "
    "initialization. Please, make sure to call `optimizer.step()` before "
    "`lr_scheduler.step()`. See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)
STEP_ORDER_WARNING = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. "
    "In PyTorch 1.1.0 and later, you should call them in the opposite order: "
    "`optimizer.step()` before `lr_scheduler.step()`.  Failure to do this "
    "will result in PyTorch skipping the first value of the learning rate schedule. "
    "See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)


def warn_step_order(optimizer: Any, composite: Any = None, stacklevel: int = 1) -> None:
    """torch's warnings on a scheduler's second step(): the optimizer's step was replaced after
    the scheduler was built, or has not been called yet. They name the frame that called step()
    (``stacklevel`` 1: the first frame outside lrcore's internals, 2: its caller); for a
    child that a composite's
    compiled step stepped, torch's composite step, as torch's composites call step() from it."""
    step = getattr(optimizer, "step", None)
    if step is None:  # an optimizer-like object without step(): nothing to check
        return
    if not hasattr(step, "_wrapped_by_lr_sched"):
        message = OVERRIDDEN_STEP_WARNING
    elif not getattr(optimizer, "_opt_called", False):
        message = STEP_ORDER_WARNING
    else:
        return
    if composite is None:
        warn(message, UserWarning, stacklevel)
        return
    for klass in type(composite).__mro__:
        function = klass.__dict__.get("step")
        if function is not None and getattr(function, "__module__", "").startswith(
                "lrcore.reference"):
            warn_in(message, UserWarning, function)
            return
    warn(message, UserWarning, stacklevel)
