"""Drop-in: ``optimizer.add_param_group(...)`` after the scheduler was built.

Three ways users go on after adding a group mid-training: no fix-up; the common one,
``scheduler.base_lrs.append(lr)``; and the full one (every per-group attribute extended, the
group given the keys the scheduler wrote to the others). For each class:

* where torch's steps run, the tested module's must be torch's exactly (every step compared:
  param groups, get_last_lr(), vars());
* where torch raises, lrcore adopts the new group (lrcore.reference.lr_scheduler
  ``LRScheduler._adopt_new_groups``), by the documented rule: at the step where torch would
  fail, the group gets its initial_lr (its lr then, unless it has one) as base lr, and every
  per-group attribute whose values all agree gets that value for it. The oracle is torch
  itself, with a user doing exactly that just before that step: the two must then agree at every
  step, in everything;
* where such an attribute's values differ between groups, the step raises ValueError naming the
  attribute to extend (KeyError naming the group key for OneCycleLR's and SWALR's group keys),
  and changes nothing.

Under LRCORE_UNDER_TEST=torch the adoption checks become "the tested side raises as torch does".
"""

from __future__ import annotations

import copy
from bisect import bisect_right

import pytest

from _dropin import (KNOWN_CORE_BUGS, LR, STATS, SWA, TLR, TSWA, UNDER_TORCH, Ctx, build,
                     groups_of, lam0, lam1, make_opt, metric_at, mult0, mult1, new_group,
                     strict_diff, takes_metric, tolerated, vars_diff)

ADD_AFTER = 3  # steps before the group is added
STEPS = 14  # steps after

# Per-group lists of each class, as _adopt_new_groups extends them (base_lrs apart).
GROUP_LISTS = {
    "LambdaLR": ("lr_lambdas",),
    "MultiplicativeLR": ("lr_lambdas",),
    "CyclicLR": ("base_lrs", "max_lrs", "base_momentums", "max_momentums"),
}
# Group keys a class writes to every group at construction (a new group gets the shared value).
GROUP_KEYS = {
    "OneCycleLR": ("initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum"),
    "SWALR": ("swa_lr",),
}


def _children(name):
    if name == "SequentialLR":
        return lambda opt, M: [M.LinearLR(opt, 0.25, total_iters=3), M.ExponentialLR(opt, 0.9)]
    return lambda opt, M: [M.LambdaLR(opt, lam0), M.ExponentialLR(opt, 0.9)]


# (class, label, kwargs) -- kwargs that torch accepts; "uniform" lists share one value.
SCENARIOS = [
    ("LambdaLR", "one-lambda", {"lr_lambda": lam0}),
    ("LambdaLR", "lambdas-differ", {"lr_lambda": [lam0, lam1]}),
    ("MultiplicativeLR", "one-lambda", {"lr_lambda": mult0}),
    ("MultiplicativeLR", "lambdas-differ", {"lr_lambda": [mult0, mult1]}),
    ("StepLR", "", {}),
    ("MultiStepLR", "", {}),
    ("ConstantLR", "", {}),
    ("LinearLR", "", {}),
    ("ExponentialLR", "", {}),
    ("PolynomialLR", "", {}),
    ("CosineAnnealingLR", "", {}),
    ("CosineAnnealingWarmRestarts", "", {}),
    ("CyclicLR", "", {}),
    ("CyclicLR", "no-momentum", {"cycle_momentum": False}),
    ("CyclicLR", "max-lr-differ", {"max_lr": [0.1, 0.2]}),
    ("CyclicLR", "base-momentum-differ", {"base_momentum": [0.8, 0.85]}),
    ("OneCycleLR", "", {}),
    ("OneCycleLR", "no-momentum", {"cycle_momentum": False}),
    ("OneCycleLR", "max-lr-differ", {"max_lr": [0.1, 0.2]}),
    ("ReduceLROnPlateau", "", {}),
    ("ReduceLROnPlateau", "min-lrs", {"min_lr": [0.0, 0.0]}),
    ("ReduceLROnPlateau", "min-lrs-differ", {"min_lr": [0.001, 0.002]}),
    ("SWALR", "", {}),
    ("SWALR", "swa-lr-differ", {"swa_lr": [0.05, 0.06]}),
    ("SequentialLR", "", {}),
    ("ChainedScheduler", "", {}),
]
FIXUPS = ("none", "base_lrs", "full")


def _make(name, kw, opt, M, S):
    if name == "SequentialLR":  # the milestone after the group is added
        return build(name, opt, M, S, schedulers=_children(name)(opt, M), milestones=[6], **kw)
    if name == "ChainedScheduler":
        return build(name, opt, M, S, schedulers=_children(name)(opt, M), **kw)
    return build(name, opt, M, S, **kw)


def _leaves(s):
    return [s] if not hasattr(s, "_schedulers") else [c for k in s._schedulers for c in _leaves(k)]


def base_fixup(s, opt):
    """The common fix-up: ``scheduler.base_lrs.append(group["lr"])`` (each child's)."""
    for leaf in _leaves(s):
        if hasattr(leaf, "base_lrs"):
            leaf.base_lrs.append(opt.param_groups[-1]["lr"])


def full_fixup(leaf, opt):
    """What the documented rule gives the groups ``leaf`` has not seen, done by hand: the
    shared value of each group key and of each per-group list, and the group's initial_lr (its
    lr now unless it has one) appended to base_lrs."""
    name = type(leaf).__name__
    groups = opt.param_groups
    for key in GROUP_KEYS.get(name, ()):
        if key in groups[0]:
            for g in groups:
                g.setdefault(key, groups[0][key])
    lists = GROUP_LISTS.get(name, ())
    for attr in lists:
        values = getattr(leaf, attr, None)
        if isinstance(values, list):
            values.extend([values[0]] * (len(groups) - len(values)))
    if name == "ReduceLROnPlateau":
        leaf.min_lrs.extend([leaf.min_lrs[0]] * (len(groups) - len(leaf.min_lrs)))
        return
    if name == "CyclicLR":
        for g in groups:
            g.setdefault("initial_lr", g["lr"])
        if leaf.cycle_momentum:
            for g, mx, mn in zip(groups, leaf.max_momentums, leaf.base_momentums):
                g.setdefault("max_momentum", mx)
                g.setdefault("base_momentum", mn)
        return
    if "base_lrs" in lists or not hasattr(leaf, "base_lrs"):
        return
    for g in groups[len(leaf.base_lrs):]:
        g.setdefault("initial_lr", g["lr"])
        leaf.base_lrs.append(g["initial_lr"])


# Classes whose torch step fails on a group it has no base lr / lambda / key for (the others'
# chainable steps read the groups' lrs only, and go on).
NEEDS_ADOPTION = ("LambdaLR", "MultiplicativeLR", "CosineAnnealingWarmRestarts", "CyclicLR",
                  "OneCycleLR", "SWALR")


def _active_leaves(s, step_index):
    """The leaves a step of ``s`` runs that fail on the new group (``step_index``: the epoch a
    SequentialLR steps into: its child there, which at its milestone restarts by the closed
    form, reading base_lrs)."""
    if type(s).__name__ == "SequentialLR":
        return _leaves(s._schedulers[bisect_right(s._milestones, step_index)])
    if type(s).__name__ == "ChainedScheduler":
        return [c for c in _leaves(s) if type(c).__name__ in NEEDS_ADOPTION]
    return _leaves(s)


def snapshot(s, opt):
    """Everything compared after a step: the groups, get_last_lr(), and vars() (copied)."""
    def state(x):
        out = {}
        for k, v in vars(x).items():
            if k == "optimizer":
                out[k] = "<optimizer>" if v is opt else "<another optimizer>"
            elif k == "_schedulers":
                out[k] = [state(c) for c in v]
                if tolerated("composite-child-last-lr"):
                    for child in out[k]:
                        child.pop("_last_lr", None)
            else:
                out[k] = copy.deepcopy(v) if not callable(v) else v
        return out
    return {"groups": copy.deepcopy(groups_of(opt)), "last_lr": list(s.get_last_lr()),
            "vars": state(s)}


def run(name, kw, fixup, M, S, fix_at=()):
    """Build, step ADD_AFTER times, add a group, apply ``fixup``, step STEPS times; before each
    step in ``fix_at`` apply the documented rule by hand to the leaves that step runs.
    Returns (snapshots, (step, exception) of the first failing step or None, scheduler, opt)."""
    opt = make_opt()
    s = _make(name, kw, opt, M, S)
    shots = []

    def step(k):
        opt.step()
        if takes_metric(s):
            s.step(metric_at(k))
        else:
            s.step()

    for k in range(ADD_AFTER):
        step(k)
    opt.add_param_group(new_group())
    if fixup == "base_lrs":
        base_fixup(s, opt)
    elif fixup == "full":
        for leaf in _leaves(s):
            full_fixup(leaf, opt)
    shots.append(snapshot(s, opt))
    for k in range(ADD_AFTER, ADD_AFTER + STEPS):
        if k in fix_at:
            epoch = getattr(s, "last_epoch", k) + 1
            for leaf in _active_leaves(s, epoch):
                full_fixup(leaf, opt)
        before = snapshot(s, opt)
        try:
            step(k)
        except Exception as e:  # noqa: BLE001 -- compared below
            return shots, (k, e, before, snapshot(s, opt)), s, opt
        shots.append(snapshot(s, opt))
        STATS["step_comparisons"] += 1
    return shots, None, s, opt


def _compare(shots_t, shots_l, what):
    assert len(shots_t) == len(shots_l), f"{what}: {len(shots_t)} steps vs {len(shots_l)}"
    for k, (a, b) in enumerate(zip(shots_t, shots_l)):
        d = strict_diff(a, b, f"{what} step {k}", Ctx())
        assert d is None, d


def _names_attribute(exc, name, kw):
    """The attribute (or group key) the error must name, from the scenario's differing list."""
    for attr in ("lr_lambdas", "max_lrs", "base_momentums", "base_lrs"):
        if f"`{attr}`" in str(exc) or f"scheduler.{attr}" in str(exc):
            return True
    return any(f"'{key}'" in str(exc) for key in ("initial_lr", "swa_lr", "max_lr"))


def _scenario(name, label, kw, fixup):
    marks = []
    if name == "ReduceLROnPlateau" and not label and fixup == "none" and \
            tolerated("plateau-min-lrs-float"):
        marks.append(pytest.mark.xfail(
            strict=True, reason=f"core bug: {KNOWN_CORE_BUGS['plateau-min-lrs-float']}"))
    ident = f"{name}-{label}-{fixup}" if label else f"{name}-{fixup}"
    return pytest.param(name, label, kw, fixup, id=ident, marks=marks)


@pytest.mark.parametrize("name,label,kw,fixup", [_scenario(*sc, fixup) for sc in SCENARIOS
                                                 for fixup in FIXUPS])
def test_add_param_group(name, label, kw, fixup):
    STATS["scenarios"] += 1
    if name == "ReduceLROnPlateau" and fixup == "base_lrs":
        pytest.skip("ReduceLROnPlateau has no base_lrs")
    shots_t, fail_t, _, _ = run(name, kw, fixup, TLR, TSWA)
    shots_l, fail_l, _, _ = run(name, kw, fixup, LR, SWA)
    if fail_t is None:
        # torch goes on: the tested side must not adopt anything, and must be torch exactly
        assert fail_l is None, f"torch steps on, the tested side raised {fail_l[1]!r}"
        _compare(shots_t, shots_l, "identical to torch")
        return
    k, exc_t = fail_t[0], fail_t[1]
    if UNDER_TORCH or name == "ReduceLROnPlateau":
        # ReduceLROnPlateau has no adoption: torch's RuntimeError asks to extend min_lrs
        assert fail_l is not None and fail_l[0] == k and type(fail_l[1]) is type(exc_t), fail_l
        _compare(shots_t, shots_l, "up to torch's error")
        return
    # torch raised at step k. With the rule applied by hand before each step where torch fails,
    # torch must run through (unless the per-group values differ: then nothing can be adopted).
    fix_at: list[int] = []
    oracle = None
    for _ in range(4):
        fix_at.append(k)
        shots_o, fail_o, _, _ = run(name, kw, fixup, TLR, TSWA, fix_at=tuple(fix_at))
        if fail_o is None:
            oracle = shots_o
            break
        if fail_o[0] == k:  # the rule could not make torch's step work
            break
        k = fail_o[0]
    differ = "differ" in label
    if oracle is not None and not differ:
        assert fail_l is None, f"adoption: the tested side raised {fail_l[1]!r} at step {fail_l[0]}"
        _compare(oracle, shots_l, "adoption (torch with the rule applied by hand)")
        return
    assert differ, f"torch fails at step {k} even with the rule applied by hand"
    assert fail_l is not None, "per-group values differ: the step must raise"
    k_l, exc_l, before, after = fail_l
    assert k_l == fail_t[0], f"raised at step {k_l}, torch at {fail_t[0]}"
    assert isinstance(exc_l, (ValueError, KeyError)), repr(exc_l)
    assert _names_attribute(exc_l, name, kw), f"the error names no attribute: {exc_l}"
    d = strict_diff(before, after, "the failed step changed something", Ctx())
    assert d is None, d
    _compare(shots_t, shots_l, "up to the error")


# ---- lrcore's per-group hyperparameters (an extension: torch takes one number) ----------------

PER_GROUP = [
    ("StepLR", {"gamma": [0.5, 0.8]}, "gamma"),
    ("StepLR", {"step_size": [2, 3]}, "step_size"),
    ("MultiStepLR", {"gamma": [0.5, 0.8]}, "gamma"),
    ("ConstantLR", {"factor": [0.5, 0.25]}, "factor"),
    ("LinearLR", {"start_factor": [0.25, 0.5]}, "start_factor"),
    ("ExponentialLR", {"gamma": [0.9, 0.8]}, "gamma"),
    ("PolynomialLR", {"power": [2.0, 1.0]}, "power"),
    ("CosineAnnealingLR", {"eta_min": [0.001, 0.002]}, "eta_min"),
    ("CosineAnnealingWarmRestarts", {"eta_min": [0.001, 0.002]}, "eta_min"),
]


def _per_group(name, kw, attr):
    return pytest.param(name, kw, attr, id=f"{name}-{attr}")


PER_GROUP_PARAMS = [_per_group(*pg) for pg in PER_GROUP]


@pytest.mark.skipif(UNDER_TORCH, reason="per-group hyperparameters are lrcore's extension")
@pytest.mark.parametrize("name,kw,attr", PER_GROUP_PARAMS)
def test_per_group_argument_without_value_for_new_group(name, kw, attr):
    """A per-group argument with no value for the new group: ValueError naming the attribute,
    nothing changed; once the user appends the value, the schedule goes on."""
    STATS["scenarios"] += 1
    opt = make_opt()
    s = build(name, opt, LR, SWA, **kw)
    for _ in range(ADD_AFTER):
        opt.step()
        s.step()
    opt.add_param_group(new_group())
    before = snapshot(s, opt)
    failed = False
    for _ in range(STEPS):
        opt.step()
        try:
            s.step()
        except ValueError as e:
            assert f"scheduler.{attr}" in str(e), str(e)
            d = strict_diff(before, snapshot(s, opt), "the failed step changed something", Ctx())
            assert d is None, d
            failed = True
            break
        before = snapshot(s, opt)
    assert failed, f"{name} with per-group {attr} stepped a group it has no {attr} for"
    getattr(s, attr).append(getattr(s, attr)[0])
    for _ in range(4):
        opt.step()
        s.step()
    assert len(s.get_last_lr()) == 3


@pytest.mark.skipif(UNDER_TORCH, reason="per-group hyperparameters are lrcore's extension")
@pytest.mark.parametrize("name,kw,attr", PER_GROUP_PARAMS)
def test_uniform_per_group_argument_adopted(name, kw, attr):
    """A per-group argument whose values agree: the new group gets that value, as if the scalar
    had been given (torch's results with the scalar and the group added the same way)."""
    STATS["scenarios"] += 1
    value = kw[attr][0]
    shots = {}
    for label, M, S, args in (("scalar", TLR, TSWA, {attr: value}),
                              ("list", LR, SWA, {attr: [value, value]})):
        sched_kw = {**kw, **args}
        if label == "scalar":
            sched_kw = {k: (v[0] if isinstance(v, list) else v) for k, v in sched_kw.items()}
        opt = make_opt()
        s = build(name, opt, M, S, **sched_kw)
        out = []
        for k in range(ADD_AFTER + STEPS):
            if k == ADD_AFTER:
                opt.add_param_group(new_group())
                full_fixup(s, opt)  # both: base_lrs as the rule gives it (no adoption needed)
            opt.step()
            s.step()
            out.append((groups_of(opt), s.get_last_lr()))
        shots[label] = out
    d = strict_diff(shots["scalar"], shots["list"], "lrs")
    assert d is None, d


def test_vars_after_adoption_match_torch_with_fixup():
    """After an adoption, vars() is what torch's is after the user's full fix-up (LambdaLR)."""
    STATS["scenarios"] += 1
    outs = []
    for M, S, fix in ((TLR, TSWA, True), (LR, SWA, UNDER_TORCH)):
        opt = make_opt()
        s = build("LambdaLR", opt, M, S, lr_lambda=lam0)
        opt.step()
        s.step()
        opt.add_param_group(new_group())
        if fix:
            full_fixup(s, opt)
        opt.step()
        s.step()
        outs.append((s, opt))
    (st_, ot), (sl_, ol) = outs
    d = vars_diff(st_, sl_, "LambdaLR", Ctx([(ot, ol)]))
    assert d is None, d
    d = strict_diff(groups_of(ot), groups_of(ol), "groups")
    assert d is None, d
