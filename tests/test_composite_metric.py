"""SequentialLR, ChainedScheduler and WarmupLR holding a ReduceLROnPlateau (long requested of torch).

torch's composites refuse a ReduceLROnPlateau child; lrcore's accept one, and are then stepped
with the metric. The oracle is tests/_oracles.py: torch's composites transcribed, with the
documented rules for a child that takes the metric, over torch's own child schedulers. Every
param-group value, every get_last_lr() and each plateau's monitor are compared exactly after
every step.
"""

from __future__ import annotations

import copy
import pickle
import warnings
from contextlib import contextmanager

import numpy as np
import pytest
import torch
import torch.optim.lr_scheduler as TLR
from hypothesis import given
from hypothesis import strategies as st

import lrcore
from lrcore import _core
import _oracles as O
from _oracles import Run, _groups
from _pairs import (LR, diff, hsettings, leaf_specs, make_opt, metric_streams, opt_spec,
                    opt_specs, plateau_specs)

pytestmark = pytest.mark.skipif(LR is TLR, reason="lrcore's extension: torch refuses these")

# The compiled steps and the reference (Python) steps, each against the oracle.
STEPS = pytest.mark.parametrize("compiled", [
    pytest.param(True, id="compiled"),
    pytest.param(False, id="reference")])


@contextmanager
def _steps(compiled):
    before = _core.compiled_steps()
    _core.set_compiled_steps(compiled)
    try:
        yield
    finally:
        _core.set_compiled_steps(before)


# --------------------------------------------------------------------------------------------
# random trees holding at least one ReduceLROnPlateau

warmup_kw = st.fixed_dictionaries({}, optional={
    "start_factor": st.sampled_from([0.0, 0.1, 0.5, 1.0]),
    "warmup_type": st.sampled_from(["linear", "cosine", "1-sqrt"]),
    "prefix": st.booleans(),
}).flatmap(lambda kw: st.integers(0, 12).map(lambda w: {"warmup_steps": w, **kw}))


@st.composite
def metric_trees(draw, n, depth=0):
    kind = draw(st.sampled_from(["SequentialLR", "ChainedScheduler", "WarmupLR"]))
    if kind == "WarmupLR":
        child = (draw(metric_trees(n, depth + 1)) if depth < 1 and draw(st.integers(0, 3)) == 0
                 else draw(plateau_specs(n)))
        return {"cls": "WarmupLR", "child": child, "kw": draw(warmup_kw)}
    k = draw(st.integers(1, 3))
    kids = []
    for _ in range(k):
        r = draw(st.integers(0, 9))
        if r < 4:
            kids.append(draw(plateau_specs(n)))
        elif r < 8 or depth >= 1:
            kids.append(draw(leaf_specs(n)))
        else:
            kids.append(draw(metric_trees(n, depth + 1)))
    if not any(_holds_plateau(c) for c in kids):
        kids[draw(st.integers(0, k - 1))] = draw(plateau_specs(n))
    if kind == "ChainedScheduler":
        return {"cls": kind, "children": kids, "pass_opt": draw(st.booleans())}
    ms = sorted(draw(st.lists(st.one_of(st.integers(0, 3), st.integers(0, 40)),
                              min_size=k - 1, max_size=k - 1)))
    return {"cls": kind, "children": kids, "milestones": ms}


def _holds_plateau(spec):
    if spec["cls"] == "ReduceLROnPlateau":
        return True
    if spec["cls"] == "WarmupLR":
        return _holds_plateau(spec["child"])
    return any(_holds_plateau(c) for c in spec.get("children", ()))


@STEPS
@given(data=st.data())
@hsettings(250)
def test_composites_holding_a_plateau_match_the_oracle(compiled, data):
    with _steps(compiled):
        ospec = data.draw(opt_specs(max_groups=4))
        n = len(ospec["lrs"])
        spec = data.draw(metric_trees(n))
        metrics = data.draw(metric_streams(max_len=60))
        run = Run(ospec, spec)
        for k, m in enumerate(metrics):
            if not run.ok:
                break
            run.step(m, k)


def test_the_oracle_can_fail():
    """The comparison sees a composite that drops the metric (stepping its plateau without it
    would raise; this one steps it with a constant instead)."""
    ospec = opt_spec("sgd", [0.1, 0.2])
    spec = {"cls": "ChainedScheduler", "children": [
        {"cls": "ExponentialLR", "kw": {"gamma": 0.9}},
        {"cls": "ReduceLROnPlateau", "kw": {"patience": 0}}]}
    run = Run(ospec, spec)
    real_step = run.sl.step
    run.sl.step = lambda metric: real_step(1.0)  # type: ignore[method-assign]
    with pytest.raises(AssertionError):
        for k, m in enumerate([1.0, 0.5, 0.25, 0.1]):
            run.step(m, k)


# --------------------------------------------------------------------------------------------
# the documented behaviour, on hand-derived values


def _opt(lrs=(0.1,)):
    return make_opt(opt_spec("sgd", list(lrs)))


def test_warmup_then_plateau_with_sequential_lr():
    opt = _opt()
    warmup = lrcore.LinearLR(opt, start_factor=0.5, total_iters=2)
    plateau = lrcore.ReduceLROnPlateau(opt, factor=0.5, patience=1)
    sched = lrcore.SequentialLR(opt, [warmup, plateau], milestones=[2])
    lrs = [opt.param_groups[0]["lr"]]
    for loss in [2.0, 1.5, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5]:
        opt.step()
        sched.step(loss)
        lrs.append(opt.param_groups[0]["lr"])
    # 0.05 * (1 + 0.5 / (2 * 0.5)) = 0.05 * 1.5; at the milestone (step 2) the plateau starts from
    # initial_lr 0.1 and records 1.5 as its best; 1.0 improves; then each second bad epoch
    # (more than patience 1) halves the lr; 0.5 improves.
    assert lrs == [0.05, 0.05 * 1.5, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    assert plateau.best == 0.5 and plateau.last_epoch == 7


def test_warmup_and_plateau_with_chained_scheduler():
    opt = _opt()
    chain = lrcore.ChainedScheduler([lrcore.LinearLR(opt, start_factor=0.5, total_iters=2),
                                     lrcore.ReduceLROnPlateau(opt, factor=0.1, patience=0)])
    lrs = [opt.param_groups[0]["lr"]]
    for loss in [1.0, 2.0, 0.5]:
        opt.step()
        chain.step(loss)
        lrs.append(opt.param_groups[0]["lr"])
    # LinearLR: 0.05, *1.5, *(1 + 0.5/1.5) = 0.1; the plateau: best 1.0, then 2.0 is bad (> 0
    # patience): *0.1 after the warmup's factor of that step.
    assert lrs[:2] == [0.05, 0.05 * 1.5]
    assert lrs[2] == 0.05 * 1.5 * (1 + 0.5 / 1.5) * 0.1
    assert lrs[3] == lrs[2]


def test_torch_refuses_what_lrcore_accepts():
    opt_t, opt_l = _opt(), _opt()
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        TLR.SequentialLR(opt_t, [TLR.StepLR(opt_t, 2), TLR.ReduceLROnPlateau(opt_t)], [3])
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        TLR.ChainedScheduler([TLR.ReduceLROnPlateau(opt_t)])
    lrcore.SequentialLR(opt_l, [lrcore.StepLR(opt_l, 2), lrcore.ReduceLROnPlateau(opt_l)], [3])
    lrcore.ChainedScheduler([lrcore.ReduceLROnPlateau(opt_l)])


def _with_plateau(opt, kind):
    plateau = lrcore.ReduceLROnPlateau(opt, patience=0)
    if kind == "SequentialLR":
        return lrcore.SequentialLR(opt, [lrcore.ConstantLR(opt, 0.5, 2), plateau], [1])
    if kind == "ChainedScheduler":
        return lrcore.ChainedScheduler([lrcore.ExponentialLR(opt, 0.9), plateau])
    return lrcore.WarmupLR(plateau, 3)


KINDS = ["SequentialLR", "ChainedScheduler", "WarmupLR"]


@pytest.mark.parametrize("kind", KINDS)
def test_step_without_the_metric_is_a_type_error_that_changes_nothing(kind):
    opt = _opt((0.1, 0.2))
    sched = _with_plateau(opt, kind)
    for loss in (1.0, 2.0):
        opt.step()
        sched.step(loss)
    state, groups = sched.state_dict(), _groups(opt)
    with pytest.raises(TypeError, match=r"needs the metric, step\(metrics\)"):
        sched.step()
    assert state == sched.state_dict()
    assert groups == _groups(opt)


@pytest.mark.parametrize("kind", KINDS)
def test_a_metric_for_a_composite_without_plateau_is_a_type_error(kind):
    opt = _opt()
    if kind == "SequentialLR":
        sched = lrcore.SequentialLR(opt, [lrcore.StepLR(opt, 2)], [])
    elif kind == "ChainedScheduler":
        sched = lrcore.ChainedScheduler([lrcore.StepLR(opt, 2)])
    else:
        sched = lrcore.WarmupLR(lrcore.StepLR(opt, 2), 3)
    before = sched.state_dict()
    with pytest.raises(TypeError, match="takes no metric"):
        sched.step(1.0)
    assert before == sched.state_dict()
    with pytest.raises(TypeError, match="takes no metrics"):
        sched.simulate(3, metrics=[1.0, 1.0, 1.0])


def _drive(kind, losses):
    opt = _opt((0.1, 0.2))
    sched = _with_plateau(opt, kind)
    for loss in losses:
        opt.step()
        sched.step(loss)
    return opt, sched


LOSSES = [1.0, 0.9, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8, 0.8, 0.7]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("cut", [0, 1, 4, 7])
def test_state_dict_resume_continues_exactly(kind, cut):
    whole_opt, whole = _drive(kind, LOSSES)
    opt, sched = _drive(kind, LOSSES[:cut])
    saved_opt, saved = copy.deepcopy(opt.state_dict()), copy.deepcopy(sched.state_dict())
    opt2 = _opt((0.1, 0.2))
    sched2 = _with_plateau(opt2, kind)
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved)
    for loss in LOSSES[cut:]:
        opt2.step()
        sched2.step(loss)
    assert _groups(whole_opt) == _groups(opt2)
    assert whole.state_dict() == sched2.state_dict()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_pickle_and_deepcopy_mid_run(kind, how):
    opt, sched = _drive(kind, LOSSES[:4])
    copier = (lambda x: pickle.loads(pickle.dumps(x))) if how == "pickle" else copy.deepcopy
    opt2, sched2 = copier((opt, sched))
    assert sched2.optimizer is opt2
    for loss in LOSSES[4:]:
        for o, s in ((opt, sched), (opt2, sched2)):
            o.step()
            s.step(loss)
    assert _groups(opt) == _groups(opt2)
    assert sched.state_dict() == sched2.state_dict()


@pytest.mark.parametrize("kind", KINDS)
def test_simulate_with_metrics_equals_stepping(kind):
    opt, sched = _drive(kind, LOSSES[:3])
    future = sched.simulate(metrics=LOSSES[3:])
    before = (sched.state_dict(), _groups(opt))
    assert before == (sched.state_dict(), _groups(opt))
    rows = [[g["lr"] for g in opt.param_groups]]
    for loss in LOSSES[3:]:
        opt.step()
        sched.step(loss)
        rows.append([g["lr"] for g in opt.param_groups])
    assert np.array_equal(future, np.array(rows))
    with pytest.raises(TypeError, match="needs metrics"):
        sched.simulate(3)


def test_a_verbose_plateau_inside_a_composite_prints_its_reductions(capsys):
    opt = _opt()
    plateau = lrcore.ReduceLROnPlateau(opt, patience=0, verbose=True)
    chain = lrcore.ChainedScheduler([plateau])
    for loss in (1.0, 2.0):
        chain.step(loss)
    assert capsys.readouterr().out == "Epoch 00002: reducing learning rate of group 0 to 1.0000e-02.\n"


def test_a_plateau_subclass_step_override_is_called_by_the_composite():
    seen = []

    class Logged(lrcore.ReduceLROnPlateau):
        def step(self, metrics, epoch=None):
            seen.append(metrics)
            super().step(metrics, epoch)

    opt = _opt()
    sched = lrcore.SequentialLR(opt, [lrcore.ConstantLR(opt, 0.5, 1), Logged(opt, patience=0)], [2])
    for loss in (3.0, 2.0, 1.0, 1.5):
        opt.step()
        sched.step(loss)
    assert seen == [2.0, 1.0, 1.5]  # from the milestone step (last_epoch 2) on
    # restarted at the milestone from initial_lr 0.1, one reduction (1.5 is no better than 1.0)
    assert opt.param_groups[0]["lr"] == 0.1 * 0.1


def test_lightning_steps_a_composite_holding_a_plateau_with_the_monitored_metric():
    pl = pytest.importorskip("lightning.pytorch")

    class Module(pl.LightningModule):
        def __init__(self):
            super().__init__()
            torch.manual_seed(0)
            self.layer = torch.nn.Linear(2, 1)
            self.seen: list[float] = []

        def training_step(self, batch, _):
            x, y = batch
            return torch.nn.functional.mse_loss(self.layer(x), y)

        def validation_step(self, batch, _):
            self.log("val_loss", torch.tensor(1.0))  # flat: the plateau reduces

        def on_train_epoch_start(self):
            self.seen.append(self.trainer.optimizers[0].param_groups[0]["lr"])

        def configure_optimizers(self):
            opt = torch.optim.SGD(self.parameters(), lr=0.1)
            sched = lrcore.SequentialLR(opt, [lrcore.LinearLR(opt, 0.5, total_iters=2),
                                              lrcore.ReduceLROnPlateau(opt, patience=0)], [2])
            # Lightning passes the metric to a scheduler it knows takes one.
            return {"optimizer": opt, "lr_scheduler": {
                "scheduler": sched, "monitor": "val_loss", "reduce_on_plateau": True}}

    x = torch.randn(8, 2)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, x[:, :1]), batch_size=8)
    module = Module()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer = pl.Trainer(max_epochs=5, accelerator="cpu", devices=1, logger=False,
                             enable_checkpointing=False, enable_progress_bar=False,
                             enable_model_summary=False, num_sanity_val_steps=0)
        trainer.fit(module, loader, loader)
    # warmup 0.05, 0.075; milestone: 0.1 (best 1.0); flat: 0.01, 0.001
    assert module.seen == pytest.approx([0.05, 0.075, 0.1, 0.01, 0.001])
