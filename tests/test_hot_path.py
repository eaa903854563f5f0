"""The per-iteration path: scheduler.step() is the core's C-level method, steady-state steps
allocate nothing, and a group's float is rewritten in place only when nobody else can see it.

Speed itself is measured by `lrcore bench`, never asserted here."""

from __future__ import annotations

import copy
import itertools
import gc
import inspect
import sys
import warnings

import pytest
import torch
import torch.optim.lr_scheduler as TLR

import lrcore.lr_scheduler as LLR
import lrcore.schedules
from lrcore.app.bench import SPECS, _namespace
from lrcore.swa_utils import SWALR


def _sgd(n=3, **kw):
    params = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.1 / (1 + g)}
              for g in range(n)]
    return torch.optim.SGD(params, lr=0.1, momentum=0.9, **kw)


def _adam(n=3):
    params = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.1 / (1 + g)}
              for g in range(n)]
    return torch.optim.Adam(params, lr=0.1)


def _build(name, opt):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if name == "SWALR":
            return SWALR(opt, swa_lr=0.05, anneal_epochs=10**6)
        return SPECS[name](_namespace(LLR, SWALR, lrcore.schedules), opt)  # + lrcore.schedules


NAMES = sorted(SPECS)


@pytest.mark.parametrize("make_opt", [_sgd, _adam], ids=["sgd", "adam"])
@pytest.mark.parametrize("name", NAMES)
def test_steady_state_steps_allocate_nothing(name, make_opt):
    opt = make_opt()
    s = _build(name, opt)
    step = (lambda: s.step(1.0)) if name == "ReduceLROnPlateau" else s.step
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(5):  # first steps replace shared floats by the scheduler's own
            opt.step()
            step()
    def blocks_left(steps):
        gc.collect()
        gc.disable()
        try:
            before = sys.getallocatedblocks()
            for _ in itertools.repeat(None, steps):  # no int objects from the loop itself
                step()
            return sys.getallocatedblocks() - before
        finally:
            gc.enable()

    # Counted blocks include the float free list, which a user lambda's results pass through:
    # a leak grows with the steps, the free list does not.
    blocks_left(500)
    some, many = blocks_left(500), blocks_left(5000)
    assert many == some, f"{name}: {many - some} Python blocks left by 4500 more steps"

    # Nothing is allocated for the groups either: every value is the same object, updated.
    def objects():
        return [id(v) for g in opt.param_groups for k, v in g.items() if k != "params"]

    held = objects()
    for _ in range(50):
        step()
    assert objects() == held, name


def test_step_is_the_cores_method_with_torchs_signature():
    opt = _sgd()
    s = LLR.StepLR(opt, 2)
    assert type(type(s).__dict__.get("step", LLR.StepLR.__dict__["step"])).__name__ == "method_descriptor"
    assert "step" not in vars(s)
    assert list(inspect.signature(LLR.StepLR.step).parameters) == ["self", "epoch"]
    assert list(inspect.signature(LLR.ReduceLROnPlateau.step).parameters) == [
        "self", "metrics", "epoch"]
    # The class-level call (as super().step() makes it) is the same step.
    opt.step()
    LLR.StepLR.step(s)
    assert s.last_epoch == 1


def test_float_held_elsewhere_is_not_changed():
    """A reference the user keeps (or a checkpoint) keeps its value: the group gets a new float."""
    opt = _sgd(2)
    s = LLR.ExponentialLR(opt, 0.5)
    opt.step()
    s.step()
    s.step()  # the groups' floats are now the scheduler's own, updated in place
    held = opt.param_groups[0]["lr"]
    saved = copy.deepcopy(opt.state_dict())
    shallow = opt.state_dict()  # shares the float objects with the groups
    value = held
    s.step()
    assert held == value and held is not opt.param_groups[0]["lr"]
    assert opt.param_groups[0]["lr"] == value * 0.5
    assert shallow["param_groups"][0]["lr"] == value
    assert saved["param_groups"][0]["lr"] == value


def test_in_place_updates_equal_torch_and_keep_the_float_type():
    ours, theirs = _adam(2), _adam(2)
    s = LLR.OneCycleLR(ours, max_lr=0.1, total_steps=50)
    t = TLR.OneCycleLR(theirs, max_lr=0.1, total_steps=50)
    for _ in range(40):
        ours.step(), theirs.step()
        s.step(), t.step()
        for a, b in zip(ours.param_groups, theirs.param_groups):
            assert type(a["lr"]) is float and type(a["betas"]) is tuple
            assert a["lr"] == b["lr"] and a["betas"] == b["betas"]


def test_betas_tuple_held_elsewhere_is_not_changed():
    opt = _adam(1)
    s = LLR.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=4)
    for _ in range(3):
        opt.step()
        s.step()
    held = opt.param_groups[0]["betas"]
    first = held[0]
    s.step()
    assert held[0] == first and opt.param_groups[0]["betas"][0] != first


def test_temporary_scheduler_with_arguments():
    """step(epoch) on a scheduler nobody else references goes through the Python path safely."""
    with pytest.raises(ValueError, match="non-negative"):
        LLR.CosineAnnealingWarmRestarts(_sgd(), T_0=3).step(-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        LLR.StepLR(_sgd(), 2).step(4)
    LLR.ReduceLROnPlateau(_sgd()).step(torch.tensor(1.0))


def test_verbose_toggled_after_construction_prints(capsys):
    opt = _sgd(1)
    s = LLR.StepLR(opt, 1, 0.5)
    opt.step()
    s.step()
    assert capsys.readouterr().out == ""
    s.verbose = True
    s.step()
    assert capsys.readouterr().out == "Adjusting learning rate of group 0 to 2.5000e-02.\n"
    s.verbose = False
    s.step()
    assert capsys.readouterr().out == ""
