"""The seed's three worked examples on a real (small) training loop, with no torch needed.

A linear regression model in numpy is trained by mini-batch SGD; its optimizer is a plain object
with ``param_groups``, which is all lrcore's schedulers need. Each example prints, per epoch,
the training loss, the validation loss and the lr the epoch trained with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, TextIO

import numpy as np

from . import lr_scheduler


class NumpySGD:
    """SGD over numpy arrays: the smallest optimizer an lrcore scheduler can drive."""

    def __init__(self, params: list[np.ndarray], lr: float) -> None:
        self.param_groups = [{"params": params, "lr": lr}]
        self.defaults = {"lr": lr}

    def step(self, grads: list[np.ndarray]) -> None:
        for group in self.param_groups:
            for param, grad in zip(group["params"], grads):
                param -= group["lr"] * grad


class NumpyAdam:
    """Adam over numpy arrays (its groups carry ``betas``, as torch's Adam's do)."""

    def __init__(self, params: list[np.ndarray], lr: float, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        self.param_groups = [{"params": params, "lr": lr, "betas": betas, "eps": eps}]
        self.defaults = {"lr": lr, "betas": betas, "eps": eps}
        self._m = [np.zeros_like(p) for p in params]
        self._v = [np.zeros_like(p) for p in params]
        self._t = 0

    def step(self, grads: list[np.ndarray]) -> None:
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
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


def make_data(seed: int = 0, n: int = 512, features: int = 8) -> Data:
    rng = np.random.default_rng(seed)
    w_true = 0.5 * rng.normal(size=features)
    x = rng.normal(size=(n, features))
    y = x @ w_true + 0.3 * rng.normal(size=n)
    split = n * 3 // 4
    return Data(x[:split], y[:split], x[split:], y[split:])


def _mse(w: np.ndarray, b: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((x @ w + b - y) ** 2))


@dataclass
class Example:
    title: str
    lr: float
    make: Callable[[object], object]
    optimizer: type = NumpySGD
    steps_with_loss: bool = False


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


def train(example: Example, data: Data, epochs: int = 100, batch: int = 8, seed: int = 0,
          every: int = 10, out: TextIO | None = None) -> list[float]:
    """Train with the example's scheduler; return the lr of every epoch."""
    rng = np.random.default_rng(seed)
    w = np.zeros(data.x_train.shape[1])
    b = np.zeros(1)
    optimizer = example.optimizer([w, b], lr=example.lr)
    scheduler = example.make(optimizer)
    lrs = []
    for epoch in range(1, epochs + 1):
        lr = optimizer.param_groups[0]["lr"]
        lrs.append(lr)
        order = rng.permutation(len(data.y_train))
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            x, y = data.x_train[idx], data.y_train[idx]
            err = x @ w + b - y
            optimizer.step([2 * x.T @ err / len(idx), np.array([2 * err.mean()])])
        train_loss = _mse(w, b, data.x_train, data.y_train)
        val_loss = _mse(w, b, data.x_val, data.y_val)
        if example.steps_with_loss:
            scheduler.step(val_loss)  # type: ignore[attr-defined]
        else:
            scheduler.step()  # type: ignore[attr-defined]
        jumped = epoch > 1 and lr < 0.75 * lrs[-2]  # a step decay, not a smooth one
        if out is not None and (epoch == 1 or epoch % every == 0 or jumped):
            print(f"  epoch {epoch:3d}  train_loss {train_loss:.6f}  val_loss {val_loss:.6f}"
                  f"  lr {lr:.6g}", file=out)
    return lrs


def run(out: TextIO, epochs: int = 100) -> dict[str, list[float]]:
    """Run the three examples, printing their progress; return each one's lr per epoch."""
    data = make_data()
    curves = {}
    for example in EXAMPLES:
        print(example.title, file=out)
        curves[example.title] = train(example, data, epochs=epochs, out=out)
        print(file=out)
    return curves
