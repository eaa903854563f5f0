"""lrcore: torch.optim.lr_scheduler, computed by a C++17 core.

    from lrcore import lr_scheduler      # in place of torch.optim.lr_scheduler
"""

from __future__ import annotations

try:
    from . import _core
except ImportError as error:  # pragma: no cover - only on a broken install
    raise ImportError(
        "lrcore's compiled core (lrcore._core) could not be imported. Install lrcore with "
        "`pip install .` (or a wheel) rather than running it from the source tree; "
        f"the error was: {error}"
    ) from error

from ._impl import torch_compat as _torch_compat
from . import lr_scheduler, swa_utils
from . import functional
from .lr_scheduler import (
    EPOCH_DEPRECATION_WARNING,
    ChainedScheduler,
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    CyclicLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    MultiplicativeLR,
    MultiStepLR,
    OneCycleLR,
    PolynomialLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)
from .swa_utils import SWALR
from . import schedules
from .schedules import (GreedyLR, HFScheduleLR, InverseSqrtLR, WarmupCosineLR, WarmupLR,
                        WarmupStableDecayLR, get_scheduler)

_torch_compat.adopt_torch_bases()

__version__ = _core.__version__


def get_include() -> str:
    """The directory holding lrcore's C++ headers (``#include <lrcore/lrcore.hpp>``).

    It exists in an installed lrcore (a wheel ships the headers inside the package); in a
    source checkout used through PYTHONPATH it does not.
    """
    import os

    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "include")


def get_cmake_dir() -> str:
    """The directory to pass as ``lrcore_DIR`` to ``find_package(lrcore CONFIG)``."""
    import os

    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "share", "cmake", "lrcore")

__all__ = [
    "get_cmake_dir",
    "get_include",
    "EPOCH_DEPRECATION_WARNING",
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SWALR",
    "SequentialLR",
    "StepLR",
    "GreedyLR",
    "HFScheduleLR",
    "InverseSqrtLR",
    "WarmupCosineLR",
    "WarmupLR",
    "WarmupStableDecayLR",
    "get_scheduler",
    "schedules",
    "lr_scheduler",
    "swa_utils",
]
