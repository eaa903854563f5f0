"""``torch.optim.swa_utils``' scheduler, computed by lrcore's C++ core."""

from __future__ import annotations

from . import _core
from ._impl.accel import builtin
from .lr_scheduler import LRScheduler
from .reference import swa_utils as _ref

__all__ = ["SWALR"]


@builtin("SWALR")
class SWALR(_ref.SWALR, LRScheduler):
    r"""Anneal each group's lr to ``swa_lr`` over ``anneal_epochs``, then hold it (for
    Stochastic Weight Averaging), as ``torch.optim.swa_utils.SWALR``.

    Args:
        optimizer: wrapped optimizer.
        swa_lr (float or list): the lr to reach, for all groups or one per group.
        anneal_epochs (int): epochs of annealing. Default: 10.
        anneal_strategy (str): 'cos' or 'linear'. Default: 'cos'.
        last_epoch (int): the index of the last epoch. Default: -1.
        verbose (bool): print each update. Default: False.
    """


_core.set_kind_object("SWALR", "cos", _ref.SWALR._cosine_anneal)
_core.set_kind_object("SWALR", "linear", _ref.SWALR._linear_anneal)
