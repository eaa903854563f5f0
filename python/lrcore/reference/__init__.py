"""Pure-Python reference versions of lrcore's schedulers: torch's algorithms written plainly.

``lrcore.reference.lr_scheduler`` is ``torch.optim.lr_scheduler`` (PyTorch 2.13),
``lrcore.reference.swa_utils`` its SWALR, and ``lrcore.reference.schedules`` lrcore's own
schedules, each computing every value with the same operations in the same order as its source,
without numpy, torch or the C++ core. They are the executable specification lrcore's classes
derive from (a compiled step falls back to them), the baseline of ``lrcore bench``, and an
oracle of the tests. This package re-exports the classes of the three modules.
"""

from __future__ import annotations

from . import lr_scheduler, schedules, swa_utils
from .lr_scheduler import *  # noqa: F401,F403
from .lr_scheduler import __all__ as _lr_scheduler_all
from .lr_scheduler import EPOCH_DEPRECATION_WARNING  # noqa: F401
from .schedules import (GreedyLR, HFScheduleLR, InverseSqrtLR, WarmupCosineLR,  # noqa: F401
                        WarmupLR, WarmupStableDecayLR)
from .swa_utils import SWALR  # noqa: F401

__all__ = list(_lr_scheduler_all) + ["SWALR", "WarmupCosineLR", "WarmupStableDecayLR",
                                     "InverseSqrtLR", "HFScheduleLR", "WarmupLR", "GreedyLR",
                                     "lr_scheduler", "swa_utils", "schedules"]
