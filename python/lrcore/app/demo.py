"""The tutorial's three worked examples on a real (small) training loop, with no torch needed.

A linear regression model in numpy is trained by mini-batch SGD; its optimizer is a plain object
with ``param_groups``, which is all lrcore's schedulers need. Each example prints, per epoch,
the training loss, the validation loss and the lr the epoch trained with.

With ``use_torch=True`` (``lrcore demo --torch``) the same data trains a ``torch.nn.Linear``
with ``torch.optim.SGD``/``Adam`` instead: the lrcore schedulers drive a real torch optimizer.
The numpy model stays the default so that the demo runs, and prints the same, everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, cast

import numpy as np
from numpy.typing import NDArray

from .. import lr_scheduler

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

    from .._impl.typing import Optimizer


class NumpySGD:
    """SGD over numpy arrays: the smallest optimizer an lrcore scheduler can drive."""

    def __init__(self, params: list[NDArray[Any]], lr: float) -> None:
        self.param_groups: list[dict[str, Any]] = [{"params": params, "lr": lr}]
        self.defaults: dict[str, Any] = {"lr": lr}

    def step(self, grads: list[NDArray[Any]]) -> None:
        for group in self.param_groups:
            for param, grad in zip(group["params"], grads):
                param -= group["lr"] * grad


class NumpyAdam:
    """Adam over numpy arrays (its groups carry ``betas``, as torch's Adam's do)."""

    def __init__(self, params: list[NDArray[Any]], lr: float, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        self.param_groups: list[dict[str, Any]] = [
            {"params": params, "lr": lr, "betas": betas, "eps": eps}]
        self.defaults: dict[str, Any] = {"lr": lr, "betas": betas, "eps": eps}
        self._m = [np.zeros_like(p) for p in params]
        self._v = [np.zeros_like(p) for p in params]
        self._t = 0

    def step(self, grads: list[NDArray[Any]]) -> None:
        self._t += 1
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for param, grad, m, v in zip(group["params"], grads, self._m, self._v):
                m *= beta1
                m += (1 - beta1) * grad
                v *= beta2
                v += (1 - beta2) * grad * grad
                m_hat = m / (1 - beta1 ** self._t)
                v_hat = v / (1 - beta2 ** self._t)
                param -= group["lr"] * m_hat / (np.sqrt(v_hat) + group["eps"])


@dataclass
class Data:
    x_train: NDArray[Any]
    y_train: NDArray[Any]
    x_val: NDArray[Any]
    y_val: NDArray[Any]


def make_data(seed: int = 0, n: int = 512, features: int = 8) -> Data:
    rng = np.random.default_rng(seed)
    w_true = 0.5 * rng.normal(size=features)
    x = rng.normal(size=(n, features))
    y = x @ w_true + 0.3 * rng.normal(size=n)
    split = n * 3 // 4
    return Data(x[:split], y[:split], x[split:], y[split:])


def _mse(w: NDArray[Any], b: NDArray[Any], x: NDArray[Any], y: NDArray[Any]) -> float:
    return float(np.mean((x @ w + b - y) ** 2))


@dataclass
class Example:
    title: str
    lr: float
    make: Callable[[Optimizer], lr_scheduler.LRScheduler]
    optimizer: type[NumpySGD] | type[NumpyAdam] = NumpySGD
    steps_with_loss: bool = False

    @property
    def torch_optimizer(self) -> str:
        """The torch.optim class matching the numpy optimizer (for ``use_torch``)."""
        return "Adam" if self.optimizer is NumpyAdam else "SGD"


def have_torch() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


EXAMPLES = [
    Example("Example 1: StepLR(step_size=10, gamma=0.5), SGD lr=0.1", 0.1,
            lambda opt: lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)),
    Example("Example 2: ReduceLROnPlateau(mode='min', factor=0.1, patience=5), Adam lr=0.001",
            0.001,
            lambda opt: lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.1, patience=5),
            optimizer=NumpyAdam, steps_with_loss=True),
    Example("Example 3: CosineAnnealingLR(T_max=100, eta_min=0), Adam lr=0.1", 0.1,
            lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=100, eta_min=0),
            optimizer=NumpyAdam),
]


def _numpy_model(example: Example, data: Data, rng: np.random.Generator,
                 batch: int) -> tuple[Optimizer, Callable[[], tuple[float, float]]]:
    """The numpy model's optimizer and a function training one epoch -> (train, val) loss."""
    w = np.zeros(data.x_train.shape[1])
    b = np.zeros(1)
    optimizer = example.optimizer([w, b], lr=example.lr)

    def epoch() -> tuple[float, float]:
        order = rng.permutation(len(data.y_train))
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            x, y = data.x_train[idx], data.y_train[idx]
            err = x @ w + b - y
            optimizer.step([2 * x.T @ err / len(idx), np.array([2 * err.mean()])])
        return (_mse(w, b, data.x_train, data.y_train), _mse(w, b, data.x_val, data.y_val))

    return optimizer, epoch


def _torch_model(example: Example, data: Data, rng: np.random.Generator,
                 batch: int) -> tuple[Optimizer, Callable[[], tuple[float, float]]]:
    """The same model and batches in torch: nn.Linear (zero init), torch.optim.SGD/Adam."""
    import torch

    model = torch.nn.Linear(data.x_train.shape[1], 1, dtype=torch.float64)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    optimizer = getattr(torch.optim, example.torch_optimizer)(model.parameters(), lr=example.lr)
    tensors = [torch.from_numpy(a) for a in (data.x_train, data.y_train, data.x_val, data.y_val)]
    x_train, y_train, x_val, y_val = tensors

    def mse(x: "torch.Tensor", y: "torch.Tensor") -> "torch.Tensor":
        return torch.mean((model(x).squeeze(-1) - y) ** 2)

    def epoch() -> tuple[float, float]:
        order = torch.from_numpy(rng.permutation(len(data.y_train)))
        model.train()
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            optimizer.zero_grad()
            mse(x_train[idx], y_train[idx]).backward()
            optimizer.step()
        with torch.no_grad():
            return float(mse(x_train, y_train)), float(mse(x_val, y_val))

    return optimizer, epoch


def train(example: Example, data: Data, epochs: int = 100, batch: int = 8, seed: int = 0,
          every: int = 10, out: SupportsWrite[str] | None = None,
          use_torch: bool = False, val_losses: list[float] | None = None) -> list[float]:
    """Train with the example's scheduler; return the lr of every epoch.

    ``use_torch``: train a torch model with a torch optimizer instead of the numpy one.
    ``val_losses``: a list that gets each epoch's validation loss appended, so that the chart
    can show what the schedule did to the model, beside the lr.
    """
    rng = np.random.default_rng(seed)
    make_model = _torch_model if use_torch else _numpy_model
    optimizer, train_epoch = make_model(example, data, rng, batch)
    scheduler = example.make(optimizer)
    lrs: list[float] = []
    for epoch in range(1, epochs + 1):
        lr = optimizer.param_groups[0]["lr"]
        lrs.append(lr)
        train_loss, val_loss = train_epoch()
        if val_losses is not None:
            val_losses.append(val_loss)
        if example.steps_with_loss:  # the examples that step with the loss make a plateau scheduler
            cast(lr_scheduler.ReduceLROnPlateau, scheduler).step(val_loss)
        else:
            scheduler.step()
        jumped = epoch > 1 and lr < 0.75 * lrs[-2]  # a step decay, not a smooth one
        if out is not None and (epoch == 1 or epoch % every == 0 or jumped):
            print(f"  epoch {epoch:3d}  train_loss {train_loss:.6f}  val_loss {val_loss:.6f}"
                  f"  lr {lr:.6g}", file=out)
    return lrs


def run(out: SupportsWrite[str], epochs: int = 100, use_torch: bool = False,
        val_losses: dict[str, list[float]] | None = None) -> dict[str, list[float]]:
    """Run the three examples, printing their progress; return each one's lr per epoch
    (keyed by the example's title). ``use_torch``: a torch model and optimizer.
    ``val_losses``: a dict that gets each example's validation loss per epoch, by title."""
    data = make_data()
    curves: dict[str, list[float]] = {}
    for example in EXAMPLES:
        title = example.title
        if use_torch:
            title = title.replace(", SGD", ", torch.optim.SGD").replace(", Adam",
                                                                       ", torch.optim.Adam")
        print(title, file=out)
        losses: list[float] = []
        curves[title] = train(example, data, epochs=epochs, out=out, use_torch=use_torch,
                              val_losses=losses)
        if val_losses is not None:
            val_losses[title] = losses
        print(file=out)
    return curves
