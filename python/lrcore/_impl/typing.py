"""Types shared by lrcore's annotations. Only type checkers import this module (under
``typing.TYPE_CHECKING``): nothing here runs when lrcore is used."""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from typing import Any, Protocol


class Optimizer(Protocol):
    """All a scheduler uses of its optimizer: ``param_groups``, dicts holding ``"lr"`` (a torch
    optimizer, or any object shaped like one)."""

    @property
    def param_groups(self) -> Sequence[MutableMapping[str, Any]]: ...
