"""``torch.optim.swa_utils``' scheduler, computed by lrcore's C++ core."""

from __future__ import annotations

from typing import Any

from . import _core
from ._checks import _int64, atomic_init
from .lr_scheduler import LRScheduler, _builtin, _BuiltinGetLr, _core_attr, _format_param, _groups

__all__ = ["SWALR"]


@_builtin
class SWALR(_BuiltinGetLr, LRScheduler):
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

    _core: _core.SWALR

    _state_keys = ("_anneal_strategy", "anneal_epochs") + LRScheduler._base_state

    @atomic_init
    def __init__(self, optimizer: Any, swa_lr: float | list[float], anneal_epochs: int = 10,
                 anneal_strategy: str = "cos", last_epoch: int = -1, *,
                 verbose: bool = False) -> None:
        optimizer.param_groups  # noqa: B018 -- AttributeError first, as torch's _format_param
        swa_lrs = _format_param("swa_lr", optimizer, swa_lr)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                "anneal_strategy must be one of 'cos' or 'linear', "
                f"instead got {anneal_strategy}"
            )
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        core = _core.SWALR(_groups(optimizer), swa_lrs, _int64("anneal_epochs", anneal_epochs), anneal_strategy,
                           _int64("last_epoch", last_epoch))
        self._attach(optimizer, core, verbose)

    anneal_epochs = _core_attr("anneal_epochs")
    _anneal_strategy = _core_attr("anneal_strategy")

    def anneal_func(self, t: float) -> float:
        """The annealing curve: (1 - cos(pi t)) / 2 for 'cos', t for 'linear'."""
        return self._core.anneal_func(t)
