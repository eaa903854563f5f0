"""Scheduling another param-group field than the lr (``key=``): weight decay, an element of betas.

The oracle: a scheduler driving key ``k`` must give exactly what the same scheduler driving
``lr`` gives when the group's lr holds the same values, step after step. The lr side is run by
torch itself (and by lrcore's pure-Python reference with the same key), so each value is
checked against torch's arithmetic.
"""

from __future__ import annotations

import copy
import math
import os
import pickle
import sys
import warnings

import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pairs import (  # noqa: E402
    EPOCH_KINDS, LEAF_KINDS, LR, SWA, TLR, TSWA, build, chained_specs, hsettings, leaf_specs,
    lr_floats, metric_streams, plateau_specs, sequential_specs,
)

import lrcore  # noqa: E402
from lrcore._impl import accel  # noqa: E402
from lrcore.reference import lr_scheduler as REF  # noqa: E402
from lrcore.reference import swa_utils as REF_SWA  # noqa: E402

# The hand-written cases step torch optimizers without optimizer.step() (nothing is trained).
pytestmark = pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)` before")

KEYS = ["weight_decay", "betas[1]"]
OTHER_LR = 0.0123  # what the lr holds on the keyed side: it must never change


def _field(group, key):
    return group["betas"][1] if key == "betas[1]" else group[key]


def _renamed(key: str, name: str) -> str:
    flat = "betas_1" if key == "betas[1]" else key
    return name[:-2] + flat


def _optimizers(values, key, momentum=None):
    """The lr side (lr = values[g]) and the keyed side (the key's field = values[g]), as torch
    optimizers of the same kind (Adam when the key is an element of betas, or when asked)."""
    n = len(values)
    adam = key == "betas[1]" or momentum == "betas"

    def group(i, lr, field):
        g = {"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr, "weight_decay": 0.0}
        if adam:
            g["betas"] = (0.9, 0.999)
        if key == "betas[1]" and field is not None:
            g["betas"] = (0.9, field)
        elif field is not None:
            g[key] = field
        return g

    def make(groups):  # (the default lr: transformers' schedules start from it)
        if adam:
            return torch.optim.Adam(groups, lr=values[0])
        return torch.optim.SGD(groups, lr=values[0], momentum=0.9)

    lr_side = make([group(i, values[i], None) for i in range(n)])
    keyed = make([group(i, OTHER_LR, values[i]) for i in range(n)])
    return lr_side, keyed


def _with_key(spec, key):
    """The spec with key= on every leaf (composites take their children's)."""
    spec = copy.deepcopy(spec)
    if spec["cls"] in ("SequentialLR", "ChainedScheduler"):
        spec["children"] = [_with_key(c, key) for c in spec["children"]]
    else:
        spec.setdefault("kw", {})["key"] = key
    return spec


def _momentum(group):
    return group["betas"][0] if "betas" in group else group.get("momentum")


def _same(a, b) -> bool:
    return type(a) is type(b) and (a == b or (a != a and b != b))


def _check(t_opt, k_opt, key, t_sched, k_sched, where):
    for i, (tg, kg) in enumerate(zip(t_opt.param_groups, k_opt.param_groups, strict=True)):
        assert _same(_field(kg, key), tg["lr"]), (where, i, _field(kg, key), tg["lr"])
        assert kg["lr"] == OTHER_LR, (where, i, "the lr moved")
        assert _same(_momentum(kg), _momentum(tg)), (where, i, "momentum")
    last_t, last_k = t_sched.get_last_lr(), k_sched.get_last_lr()
    assert len(last_t) == len(last_k) and all(map(_same, last_t, last_k)), (where, last_t, last_k)
    assert k_sched.get_last_value() == last_k


def _quiet(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args)


def _outcome(fn, *args):
    try:
        _quiet(fn, *args)
    except Exception as e:  # noqa: BLE001 - compared by type
        return type(e)
    return None


def _run(spec, values, key, draw_steps, metrics=None, epoch_steps=()):
    """Build spec on torch (lr) and on lrcore (key), step both, compare after every step. A
    configuration torch or lrcore refuses is bad input (tests/test_bad_input.py); a step torch
    fails must fail alike on the key."""
    t_opt, k_opt = _optimizers(values, key)
    r_opt = _optimizers(values, key)[1]
    try:
        t_sched = _quiet(build, spec, t_opt, TLR, TSWA)
        k_sched = _quiet(build, _with_key(spec, key), k_opt, LR, SWA)
        r_sched = _quiet(build, _with_key(spec, key), r_opt, REF, REF_SWA)
    except (ValueError, TypeError, ZeroDivisionError, OverflowError, KeyError):
        assume(False)
    _check(t_opt, k_opt, key, t_sched, k_sched, "init")
    _check(t_opt, r_opt, key, t_sched, r_sched, "init (reference)")
    steps = len(metrics) if metrics is not None else draw_steps
    for i in range(steps):
        args = () if metrics is None else (metrics[i],)
        if i in epoch_steps and metrics is None:
            args = (i + 3,)
        failed = [_outcome(s.step, *args) for s in (t_sched, k_sched, r_sched)]
        assert failed[0] == failed[1] == failed[2], (i, failed)
        if failed[0] is not None:
            assume(False)  # (the failure matched; the scenario ends there)
        _check(t_opt, k_opt, key, t_sched, k_sched, f"step {i}")
        _check(t_opt, r_opt, key, t_sched, r_sched, f"step {i} (reference)")
    return t_opt, k_opt, t_sched, k_sched


def _values(n):
    return st.lists(lr_floats, min_size=n, max_size=n)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("kind", LEAF_KINDS)
@given(data=st.data())
@hsettings(12)
def test_a_leaf_driving_a_key_gives_torchs_lrs(kind, key, data):
    n = data.draw(st.integers(1, 4))
    spec = data.draw(leaf_specs(n, kinds=(kind,)))
    values = data.draw(_values(n))
    steps = data.draw(st.integers(1, 40))
    epochs = set()
    if kind in EPOCH_KINDS and data.draw(st.booleans()):
        epochs = set(data.draw(st.lists(st.integers(0, steps), max_size=3)))
    _run(spec, values, key, steps, epoch_steps=epochs)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("which", [sequential_specs, chained_specs])
@given(data=st.data())
@hsettings(15)
def test_a_composite_driving_a_key_gives_torchs_lrs(which, key, data):
    n = data.draw(st.integers(1, 3))
    spec = data.draw(which(n))
    _run(spec, data.draw(_values(n)), key, data.draw(st.integers(1, 40)))


@pytest.mark.parametrize("key", KEYS)
@given(data=st.data())
@hsettings(25)
def test_plateau_on_a_key_gives_torchs_reductions(key, data):
    n = data.draw(st.integers(1, 3))
    spec = data.draw(plateau_specs(n))
    values = data.draw(st.lists(st.floats(1e-3, 1.0), min_size=n, max_size=n))
    _t_opt, k_opt, _t, k_sched = _run(spec, values, key, 0, metrics=data.draw(metric_streams()))
    # min_lr is the floor of the driven field
    floors = k_sched.min_lrs
    assert all(_field(g, key) >= m for g, m in zip(k_opt.param_groups, floors))


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("kind", LEAF_KINDS)
@given(data=st.data())
@hsettings(8)
def test_resuming_from_a_state_dict_and_from_last_epoch(kind, key, data):
    n = data.draw(st.integers(1, 3))
    spec = data.draw(leaf_specs(n, kinds=(kind,)))
    values = data.draw(_values(n))
    before, after = data.draw(st.integers(0, 30)), data.draw(st.integers(1, 30))
    t_opt, k_opt, t_sched, k_sched = _run(spec, values, key, before)
    state = k_sched.state_dict()
    assert state["key"] == key
    # a new scheduler on the same optimizer (resuming: its groups hold initial_<key>), loaded
    # from the state, continues exactly
    keyed_spec = _with_key(spec, key)
    keyed_spec["kw"]["last_epoch"] = k_sched.last_epoch
    field_values = [_field(g, key) for g in k_opt.param_groups]
    try:
        k2 = _quiet(build, keyed_spec, k_opt, LR, SWA)
    except ZeroDivisionError:  # the initial step of such a resumed config fails in torch too
        assume(False)
    _quiet(k2.load_state_dict, pickle.loads(pickle.dumps(state)))
    for g, v in zip(k_opt.param_groups, field_values):  # what a checkpointed optimizer holds
        if key == "betas[1]":
            g["betas"] = (g["betas"][0], v)
        else:
            g[key] = v
    for i in range(after):
        failed = [_outcome(t_sched.step), _outcome(k2.step)]
        assert failed[0] == failed[1], (i, failed)
        if failed[0] is not None:
            break
        _check(t_opt, k_opt, key, t_sched, k2, f"resumed step {i}")


def _sgd(n=2, **extra):
    return torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.1 * (i + 1),
                             "weight_decay": 0.04, **extra} for i in range(n)],
                           lr=0.1, momentum=0.9)


def test_default_key_keeps_torchs_attributes_and_state():
    opt = _sgd()
    s = lrcore.lr_scheduler.StepLR(opt, 3)
    t = TLR.StepLR(_sgd(), 3)
    assert "key" not in vars(s) and s.key == "lr"
    assert list(s.state_dict()) == list(t.state_dict())
    explicit = lrcore.lr_scheduler.StepLR(_sgd(), 3, key="lr")
    assert vars(explicit).keys() == vars(s).keys()
    assert "initial_lr" in opt.param_groups[0] and "initial_weight_decay" not in opt.param_groups[0]


def test_a_state_saved_for_another_key_does_not_load():
    wd = lrcore.lr_scheduler.CosineAnnealingLR(_sgd(), T_max=10, key="weight_decay")
    lr = lrcore.lr_scheduler.CosineAnnealingLR(_sgd(), T_max=10)
    for s in (wd, lr):
        s.step()
    for target, state in ((lr, wd.state_dict()), (wd, lr.state_dict())):
        before = copy.deepcopy(vars(target))
        groups = copy.deepcopy(target.optimizer.param_groups)
        with pytest.raises(ValueError, match="schedules"):
            target.load_state_dict(state)
        assert repr(vars(target)) == repr(before)
        assert repr(target.optimizer.param_groups) == repr(groups)
    # a torch checkpoint (no key: the lr) loads into a scheduler of the lr
    lr.load_state_dict(TLR.CosineAnnealingLR(_sgd(), T_max=10).state_dict())


@pytest.mark.parametrize("key, error", [
    ("momentum_typo", KeyError), ("betas[0]", KeyError), ("momentum[0]", TypeError),
    (3, TypeError), ("lr[", ValueError),
    ("weight_decay[0]", TypeError), ("params", TypeError), ("nesterov", TypeError),
    ("betas[x]", ValueError),
])
def test_a_bad_key_fails_before_anything_changes(key, error):
    opt = _sgd()
    before = repr(opt.param_groups)
    with pytest.raises(error):
        lrcore.lr_scheduler.StepLR(opt, 3, key=key)
    assert repr(opt.param_groups) == before


def test_a_composite_of_different_keys_fails_before_anything_changes():
    opt = _sgd()
    a = lrcore.lr_scheduler.ConstantLR(opt, factor=0.5, key="weight_decay")
    b = lrcore.lr_scheduler.ExponentialLR(opt, gamma=0.9)
    before = repr(opt.param_groups), repr(vars(a)), repr(vars(b))
    for build_it in (lambda: lrcore.lr_scheduler.SequentialLR(opt, [a, b], milestones=[3]),
                     lambda: lrcore.lr_scheduler.ChainedScheduler([a, b]),
                     lambda: lrcore.lr_scheduler.SequentialLR(opt, [a], [], key="lr"),
                     lambda: lrcore.schedules.WarmupLR(a, 5, key="lr")):
        with pytest.raises(ValueError, match="key"):
            build_it()
        assert (repr(opt.param_groups), repr(vars(a)), repr(vars(b))) == before
    chain = lrcore.lr_scheduler.ChainedScheduler(
        [a, lrcore.lr_scheduler.ExponentialLR(opt, gamma=0.9, key="weight_decay")])
    assert chain.key == "weight_decay"
    warm = lrcore.schedules.WarmupLR(chain, 3)
    assert warm.key == "weight_decay" and warm.state_dict()["key"] == "weight_decay"


def test_schedulers_of_different_keys_step_independently_and_resume():
    def make():
        opt = torch.optim.AdamW([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 1e-3,
                                  "weight_decay": 0.04}], lr=1e-3)
        lr = lrcore.lr_scheduler.OneCycleLR(opt, max_lr=0.01, total_steps=50)
        wd = lrcore.lr_scheduler.CosineAnnealingLR(opt, T_max=50, eta_min=0.4,
                                                   key="weight_decay")
        b2 = lrcore.lr_scheduler.LinearLR(opt, start_factor=1.0, end_factor=0.95,
                                          total_iters=20, key="betas[1]")
        return opt, (lr, wd, b2)

    opt, scheds = make()
    history = []
    for step in range(30):
        for s in scheds:
            s.step()
        history.append(copy.deepcopy({k: v for k, v in opt.param_groups[0].items()
                                      if k != "params"}))
        if step == 12:
            states = [s.state_dict() for s in scheds]
            groups_at = copy.deepcopy(history[-1])
    # torch's OneCycleLR and CosineAnnealingLR, each alone, give the same lr / weight decay
    t_opt = torch.optim.AdamW([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 1e-3}],
                              lr=1e-3)
    t_lr = TLR.OneCycleLR(t_opt, max_lr=0.01, total_steps=50)
    t_wd_opt = torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.04}])
    t_wd = TLR.CosineAnnealingLR(t_wd_opt, T_max=50, eta_min=0.4)
    for step in range(30):
        _quiet(t_lr.step)
        _quiet(t_wd.step)
        assert history[step]["lr"] == t_opt.param_groups[0]["lr"]
        assert history[step]["weight_decay"] == t_wd_opt.param_groups[0]["lr"]
    # resume each from its own state at step 12
    opt2, scheds2 = make()
    for s, state in zip(scheds2, states):
        s.load_state_dict(state)
    for k, v in groups_at.items():
        opt2.param_groups[0][k] = v
    for step in range(13, 30):
        for s in scheds2:
            s.step()
        got = {k: v for k, v in opt2.param_groups[0].items() if k != "params"}
        assert got == history[step], step


def test_tensor_values_are_filled_in_place():
    w = torch.tensor(0.04, dtype=torch.float64)
    b2 = torch.tensor(0.999, dtype=torch.float64)
    opt = torch.optim.Adam([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 1e-3,
                             "weight_decay": w, "betas": (0.9, b2)}], lr=1e-3)
    s1 = lrcore.lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=0.4, key="weight_decay")
    s2 = lrcore.lr_scheduler.ExponentialLR(opt, gamma=0.99, key="betas[1]")
    t_opt = torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(1))],
                              "lr": torch.tensor(0.04, dtype=torch.float64)}])
    t = TLR.CosineAnnealingLR(t_opt, T_max=10, eta_min=0.4)
    for _ in range(5):
        s1.step()
        s2.step()
        _quiet(t.step)
    assert opt.param_groups[0]["weight_decay"] is w and opt.param_groups[0]["betas"][1] is b2
    assert w.item() == t_opt.param_groups[0]["lr"].item()
    assert b2.item() == 0.999 * 0.99 * 0.99 * 0.99 * 0.99 * 0.99


def test_compiled_step_and_simulate_drive_the_key():
    opt = _sgd(3)
    s = lrcore.lr_scheduler.CosineAnnealingLR(opt, T_max=20, eta_min=0.4, key="weight_decay")
    assert accel.compiled_step(s)
    rows = s.simulate(20)
    seen = [[g["weight_decay"] for g in opt.param_groups]]
    for _ in range(20):
        s.step()
        seen.append([g["weight_decay"] for g in opt.param_groups])
    assert rows.tolist() == seen
    assert all(g["lr"] == 0.1 * (i + 1) for i, g in enumerate(opt.param_groups))


def test_the_key_survives_pickling_and_copies():
    s = lrcore.lr_scheduler.StepLR(_sgd(), 2, gamma=0.5, key="weight_decay")
    s.step()
    for other in (pickle.loads(pickle.dumps(s)), copy.deepcopy(s)):
        assert other.key == "weight_decay"
        other.step()
        assert other.optimizer.param_groups[0]["weight_decay"] == 0.04 * 0.5


def _dino_model(seed):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.LayerNorm(8),
                                torch.nn.Linear(8, 2))
    regularized = [p for n, p in model.named_parameters() if p.ndim > 1]
    not_regularized = [p for n, p in model.named_parameters() if p.ndim <= 1]
    # DINO's two groups: weight decay on the weights only
    opt = torch.optim.AdamW([{"params": regularized, "weight_decay": 0.04},
                             {"params": not_regularized, "weight_decay": 0.0}], lr=5e-4)
    return model, opt


def _dino_train_step(model, opt, step):
    torch.manual_seed(1000 + step)
    x, y = torch.randn(16, 6), torch.randn(16, 2)
    opt.zero_grad()
    torch.nn.functional.mse_loss(model(x), y).backward()
    opt.step()


def test_dino_recipe_lr_warmup_cosine_and_weight_decay_cosine():
    """DINO's recipe with lrcore: the lr warms up linearly then follows CosineAnnealingLR, the
    weight decay of the regularized group rises along a cosine from 0.04 to 0.4 (of the other
    group it stays 0). Every value, every step, equals a hand-written loop setting them from the
    formulas, and so do the trained weights."""
    total, warmup, base_lr, eta_min = 60, 10, 5e-4, 1e-6
    model, opt = _dino_model(0)
    lr_sched = lrcore.schedules.WarmupLR(
        lrcore.lr_scheduler.CosineAnnealingLR(opt, T_max=total, eta_min=eta_min), warmup)
    wd_sched = lrcore.schedules.WarmupCosineLR(opt, t_initial=total, min_lr_ratio=10.0,
                                               key="weight_decay")

    ref_model, ref_opt = _dino_model(0)
    wd_bases = [0.04, 0.0]
    inner = [base_lr, base_lr]  # the cosine's own lrs (torch's recursive form)

    def hand(t):
        if t > 0:  # CosineAnnealingLR.get_lr at last_epoch t, as torch writes it
            if (t - 1 - total) % (2 * total) == 0:
                inner[:] = [lr + (base_lr - eta_min) * (1 - math.cos(math.pi / total)) / 2
                            for lr in inner]
            else:
                inner[:] = [(1 + math.cos(math.pi * t / total))
                            / (1 + math.cos(math.pi * (t - 1) / total)) * (lr - eta_min)
                            + eta_min for lr in inner]
        factor = max(0.0, float(t) / float(max(1, warmup))) if t < warmup else 1.0
        lrs = [lr * factor for lr in inner] if t < warmup else list(inner)
        wds = []
        for base in wd_bases:  # DINO's cosine_scheduler, from 0.04 to 10 x 0.04
            final = base * 10.0
            wds.append(final + 0.5 * (base - final) * (1 + math.cos(math.pi * t / total)))
        for group, lr, wd in zip(ref_opt.param_groups, lrs, wds):
            group["lr"], group["weight_decay"] = lr, wd

    for t in range(total):
        hand(t)
        got = [(g["lr"], g["weight_decay"]) for g in opt.param_groups]
        want = [(g["lr"], g["weight_decay"]) for g in ref_opt.param_groups]
        assert got == want, (t, got, want)
        assert all(type(v) is float for pair in got for v in pair)
        _dino_train_step(model, opt, t)
        _dino_train_step(ref_model, ref_opt, t)
        lr_sched.step()
        wd_sched.step()
    assert opt.param_groups[1]["weight_decay"] == 0.0
    assert opt.param_groups[0]["weight_decay"] > 0.39
    for p, q in zip(model.parameters(), ref_model.parameters()):
        assert torch.equal(p, q)


def test_lrcore_plot_draws_another_key(capsys):
    from lrcore.app import cli, plot

    curves = plot.curves_data(["CosineAnnealingLR(T_max=20, eta_min=0.4)",
                               "SequentialLR(schedulers=[ConstantLR(factor=1.0, total_iters=5), "
                               "ExponentialLR(gamma=1.1)], milestones=[5])"],
                              lr=0.04, key="weight_decay", groups=2, steps=20)
    opt = _sgd(2)
    for g, group in enumerate(opt.param_groups):
        group["weight_decay"] = 0.04 / (g + 1)
    s = lrcore.lr_scheduler.CosineAnnealingLR(opt, T_max=20, eta_min=0.4, key="weight_decay")
    assert [list(c.values) for c in curves[:2]] == s.simulate(20).T.tolist()
    assert cli.main(["plot", "StepLR(step_size=2, gamma=0.5)", "--key", "betas[1]",
                     "--lr", "0.999", "--steps", "4", "--ascii"]) == 0
    out = capsys.readouterr().out
    assert "betas[1] per step" in out and "0.999" in out
    with pytest.raises(SystemExit):
        cli.main(["plot", "StepLR(step_size=2)", "--key", "betas[", "--ascii"])


def test_functional_closed_forms_give_any_keys_values():
    """lrcore.functional computes from a base value: with the weight decay's, the values a
    scheduler of key="weight_decay" writes with step(epoch) (the closed form)."""
    from lrcore import functional as F

    opt = _sgd(2)
    s = lrcore.lr_scheduler.CosineAnnealingLR(opt, T_max=12, eta_min=0.4, key="weight_decay")
    want = F.cosine_annealing_lr(range(20), [0.04, 0.04], 12, 0.4).tolist()
    got = []
    for epoch in range(20):
        _quiet(s.step, epoch)
        got.append([g["weight_decay"] for g in opt.param_groups])
    assert got == want


def _lrcore_schedules():
    S = lrcore.schedules
    return {
        "WarmupCosineLR": lambda o, **k: S.WarmupCosineLR(o, 9, warmup_steps=4,
                                                          warmup_lr_init=1e-4, min_lr_ratio=0.05,
                                                          cycle_mul=1.5, cycle_limit=4, **k),
        "WarmupStableDecayLR": lambda o, **k: S.WarmupStableDecayLR(
            o, 5, 20, num_stable_steps=15, warmup_type="cosine", decay_type="1-sqrt",
            min_lr_ratio=0.1, **k),
        "InverseSqrtLR": lambda o, **k: S.InverseSqrtLR(o, 8, **k),
        "Noam": lambda o, **k: S.InverseSqrtLR(o, 8, noam=True, d_model=512, **k),
        "HF polynomial": lambda o, **k: S.HFScheduleLR(o, "polynomial", 5, 40, lr_end=1e-4,
                                                       power=2.0, **k),
        "HF cosine_with_min_lr": lambda o, **k: S.HFScheduleLR(
            o, "cosine_with_min_lr", 6, 50, min_lr=1e-3, **k),
        "WarmupLR(OneCycleLR)": lambda o, **k: S.WarmupLR(
            lrcore.lr_scheduler.OneCycleLR(o, max_lr=0.5, total_steps=80, **k), 10,
            start_factor=0.1),
        "GreedyLR": lambda o, **k: S.GreedyLR(o, patience=1, min_lr=1e-3, max_lr=2.0, **k),
    }


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("name", list(_lrcore_schedules()))
def test_lrcore_schedules_driving_a_key_give_their_lrs(name, key):
    """lrcore's own schedules (their lrs are checked against timm's and transformers' formulas
    elsewhere): driving a key gives the key the lrs they give."""
    make = _lrcore_schedules()[name]
    values = [0.3, 0.1, 0.05]
    lr_opt, k_opt = _optimizers(values, key)
    a, b = make(lr_opt), make(k_opt, key=key)
    metrics = [1.0, 0.9, 0.95, 0.97, 0.99, 0.5, 0.6, 0.7, 0.8, 0.9] * 6
    for i in range(60):
        _check(lr_opt, k_opt, key, a, b, f"{name} step {i}")
        args = (metrics[i],) if name == "GreedyLR" else ()
        a.step(*args)
        b.step(*args)
    _check(lr_opt, k_opt, key, a, b, f"{name} end")
    if name != "GreedyLR":
        assert b.simulate(5)[0].tolist() == b.get_last_lr()
