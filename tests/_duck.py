"""Importable, torch-free helpers for the pickling tests' subprocesses (tests/test_pickle.py):
a duck-typed optimizer and a schedule function, defined at module level so that pickle can
refer to them by name."""

from __future__ import annotations


class DuckOptimizer:
    """What lrcore needs of an optimizer: ``param_groups``, a list of dicts holding "lr"."""

    def __init__(self, lrs):
        self.param_groups = [{"lr": lr, "momentum": 0.9} for lr in lrs]

    def step(self):
        pass

    def __getstate__(self):
        # As torch's Optimizer: the groups only (schedulers patch ``step`` on the instance).
        return {"param_groups": self.param_groups}

    def lrs(self):
        return [g["lr"] for g in self.param_groups]


def warmup(epoch):
    return min(1.0, (epoch + 1) / 5)


class Decay:
    """A callable object: its __dict__ travels in LambdaLR's state_dict."""

    def __init__(self, gamma):
        self.gamma = gamma

    def __call__(self, epoch):
        return self.gamma ** epoch
