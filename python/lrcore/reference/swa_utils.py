"""``torch.optim.swa_utils.SWALR`` (PyTorch 2.13) in plain Python (see reference.lr_scheduler)."""

from __future__ import annotations

import math
from typing import Any

from .._impl.warn import warn
from .lr_scheduler import (_GET_LR_WARNING, LRScheduler, _copy, _format_param, _get, _renamed,
                           _check_state_key, _set_key, _uniform)

__all__ = ["SWALR"]


class SWALR(LRScheduler):
    r"""Anneal each group's lr to ``swa_lr`` over ``anneal_epochs``, then hold it (for
    Stochastic Weight Averaging)."""

    def __init__(self, optimizer: Any, swa_lr: Any, anneal_epochs: Any = 10,
                 anneal_strategy: str = "cos", last_epoch: int = -1, *,
                 verbose: bool = False, key: str = "lr") -> None:
        _set_key(self, optimizer, key)
        swa_lrs = _format_param("swa_lr", optimizer, swa_lr)
        swa_key = _renamed(self.key, "swa_lr")
        for swa_lr, group in zip(swa_lrs, optimizer.param_groups, strict=True):
            group[swa_key] = swa_lr
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(
                "anneal_strategy must be one of 'cos' or 'linear', "
                f"instead got {anneal_strategy}"
            )
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch, verbose)

    @staticmethod
    def _linear_anneal(t: Any) -> Any:
        return t

    @staticmethod
    def _cosine_anneal(t: Any) -> Any:
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr: Any, swa_lr: Any, alpha: Any) -> Any:
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self) -> list[Any]:
        if not self._get_lr_called_within_step:
            warn(_GET_LR_WARNING, UserWarning, stacklevel=2)
        self._adopt_new_groups()
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        key = self.key
        swa_key = _renamed(key, "swa_lr")
        prev_lrs = [
            self._get_initial_lr(_get(group, key), group[swa_key], prev_alpha)
            for group in self.optimizer.param_groups
        ]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [
            group[swa_key] * alpha + lr * (1 - alpha)
            for group, lr in zip(self.optimizer.param_groups, prev_lrs, strict=True)
        ]

    def _adopt_new_groups(self) -> None:
        # A new group has no swa_lr: it gets the one the other groups share.
        groups = self.optimizer.param_groups
        swa_key = _renamed(self.key, "swa_lr")
        missing = [g for g in groups if swa_key not in g]
        if missing:
            held = [g[swa_key] for g in groups if swa_key in g]
            if not held or not _uniform(held):
                raise KeyError(
                    f"param group {groups.index(missing[0])} was added to the optimizer after "
                    f"this SWALR was built and has no '{swa_key}', which differs between the "
                    f"other groups: set group['{swa_key}'] before stepping"
                )
            for group in missing:
                group[swa_key] = _copy(held[0])
        super()._adopt_new_groups()

    def _set_anneal_func(self, anneal_strategy: str) -> None:
        self._anneal_strategy = anneal_strategy
        if anneal_strategy == "cos":
            self.anneal_func = self._cosine_anneal
        else:
            self.anneal_func = self._linear_anneal

    def state_dict(self) -> dict[str, Any]:
        """Every attribute but the optimizer and anneal_func."""
        return {key: value for key, value in self.__dict__.items()
                if key not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state returned by :meth:`state_dict`."""
        _check_state_key(self, state_dict)
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
