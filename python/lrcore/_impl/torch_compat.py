"""lrcore's schedulers are instances of torch's scheduler classes whenever torch is loaded.

Lightning, the Hugging Face Trainer and users' own code check
``isinstance(s, torch.optim.lr_scheduler.LRScheduler)`` (or ``ReduceLROnPlateau``, or
transformers' ``GreedyLR``). torch's
classes are plain Python classes, so a scheduler passes only by deriving from them. lrcore's
scheduler classes derive from lrcore.reference's, whose two roots stand in a placeholder's
place (``_TorchBase``, ``_TorchPlateauBase``) until torch's lr_scheduler module is loaded; from
then on the roots derive from torch's classes. ``type(s)`` stays the lrcore class, every method
is still lrcore's (torch's come last in the method resolution order), and torch is never
imported by lrcore itself.
"""

from __future__ import annotations

import sys

from ..reference import lr_scheduler as _ref
from ..reference import schedules as _ref_schedules

_adopted_torch = False
_adopted_transformers = False


def adopt_torch_bases() -> None:
    """Put torch's LRScheduler and ReduceLROnPlateau under lrcore's classes, once torch's
    lr_scheduler module is loaded; and transformers' GreedyLR under lrcore's GreedyLR, once
    transformers' optimization module is (its Trainer steps a GreedyLR with the metric).
    Called at import and by every scheduler constructor."""
    global _adopted_torch, _adopted_transformers
    if not _adopted_torch:
        torch_schedulers = sys.modules.get("torch.optim.lr_scheduler")
        if torch_schedulers is not None:
            _adopted_torch = True
            _ref.LRScheduler.__bases__ = (torch_schedulers.LRScheduler,)
            _ref.ReduceLROnPlateau.__bases__ = (_ref.LRScheduler,
                                                torch_schedulers.ReduceLROnPlateau)
    if not _adopted_transformers:
        optimization = sys.modules.get("transformers.optimization")
        greedy = getattr(optimization, "GreedyLR", None)
        if isinstance(greedy, type):
            _adopted_transformers = True
            _ref_schedules.GreedyLR.__bases__ = (_ref.LRScheduler, greedy)
