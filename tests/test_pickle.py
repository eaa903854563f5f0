"""pickle and copy.deepcopy of every scheduler, as torch's (plain Python objects) allow.

Each test pickles (or deep-copies) the optimizer and its schedulers together at some point of a
run, on the torch side and on the tested side, then keeps stepping both copies and compares them
exactly (_pairs.round_trip checks the copy against its original first: state_dict with
_step_count and _is_initial, verbose, the param groups, and that it drives the copied optimizer).

copy.copy matches torch's: the copy shares the optimizer (and a composite's children) and has a
state of its own.
"""

from __future__ import annotations

import copy
import os
import pickle
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pairs import (  # noqa: E402
    EPOCH_KINDS, LEAF_KINDS, LR, SWA, TLR, TSWA, UNDER_TEST, Fn, Pair, any_specs, assert_same,
    both, build, hsettings, metric_streams, opt_spec, opt_specs, picklable_spec, plateau_specs,
    round_trip, run_steps,
)

ALL_KINDS = LEAF_KINDS + ["SequentialLR", "ChainedScheduler"]
HOWS = ["pickle", "deepcopy"]


def _pair(ospec, spec, label):
    pair = Pair(ospec, label)
    return pair if pair.construct(spec) else None


# ----------------------------------------------------------------------------------------
# every kind, mid-run
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("kind", ALL_KINDS)
@hsettings(8)
@given(data=st.data())
def test_round_trip_mid_run(kind, how, data):
    ospec = data.draw(opt_specs(max_groups=4), label="optimizer")
    spec = data.draw(any_specs(len(ospec["lrs"]), kind), label="scheduler")
    if how == "pickle":
        spec = picklable_spec(spec)
    pair = _pair(ospec, spec, f"{how} {kind}")
    if pair is None:
        return
    for _ in range(data.draw(st.integers(1, 3), label="round trips")):
        run_steps(pair, data.draw(st.integers(0, 40), label="steps"))
        if pair.retired:
            return
        round_trip(pair, how)
    run_steps(pair, data.draw(st.integers(1, 40), label="steps after"))


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("kind", EPOCH_KINDS)
@hsettings(5)
@given(data=st.data())
def test_round_trip_after_step_epoch(kind, how, data):
    ospec = data.draw(opt_specs(max_groups=3), label="optimizer")
    spec = picklable_spec(data.draw(any_specs(len(ospec["lrs"]), kind), label="scheduler"))
    pair = _pair(ospec, spec, f"{how} {kind} step(epoch)")
    if pair is None:
        return
    run_steps(pair, data.draw(st.integers(0, 10), label="steps"))
    epoch = data.draw(st.integers(0, 60), label="epoch")
    pair.step(0, epoch)
    if pair.retired:
        return
    round_trip(pair, how)
    run_steps(pair, data.draw(st.integers(1, 30), label="steps after"))


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("kind", ALL_KINDS)
@hsettings(5)
@given(data=st.data())
def test_round_trip_after_load_state_dict(kind, how, data):
    """A scheduler that was resumed (state loaded into a fresh one) pickles as the original."""
    ospec = data.draw(opt_specs(max_groups=3), label="optimizer")
    spec = picklable_spec(data.draw(any_specs(len(ospec["lrs"]), kind), label="scheduler"))
    a = _pair(ospec, spec, f"{how} {kind} saved")
    if a is None:
        return
    run_steps(a, data.draw(st.integers(0, 40), label="steps"))
    if a.retired:
        return
    b = _pair(ospec, spec, f"{how} {kind} loaded")
    b.opt_t.load_state_dict(a.opt_t.state_dict())
    b.opt_l.load_state_dict(a.opt_l.state_dict())
    (ta, la), (tb, lb) = a.scheds[0], b.scheds[0]
    both(lambda: tb.load_state_dict(pickle.loads(pickle.dumps(ta.state_dict()))),
         lambda: lb.load_state_dict(pickle.loads(pickle.dumps(la.state_dict()))), b.where("load"))
    b.check(b.where("after load_state_dict"))
    round_trip(b, how)
    run_steps(b, data.draw(st.integers(1, 30), label="steps after"), state_dicts=True)


@pytest.mark.parametrize("how", HOWS)
@hsettings(40)
@given(data=st.data())
def test_round_trip_plateau(how, data):
    ospec = data.draw(opt_specs(max_groups=3), label="optimizer")
    spec = data.draw(plateau_specs(len(ospec["lrs"])), label="scheduler")
    metrics = data.draw(metric_streams(max_len=60), label="metrics")
    cut = data.draw(st.integers(0, len(metrics)), label="round trip at")
    pair = _pair(ospec, spec, f"{how} plateau")
    if pair is None:
        return
    for j, m in enumerate(metrics):
        if j == cut:
            round_trip(pair, how)
        pair.step(0, m)


@pytest.mark.parametrize("how", HOWS)
def test_round_trip_plateau_mid_cooldown(how):
    pair = _pair(opt_spec("sgd", [0.1, 0.02]),
                 {"cls": "ReduceLROnPlateau", "kw": {"patience": 1, "cooldown": 4}}, "cooldown")
    for m in [1.0, 1.0, 1.0, 1.0]:
        pair.step(0, m)
    st_, sl_ = pair.scheds[0]
    assert sl_.in_cooldown and st_.in_cooldown
    round_trip(pair, how)
    assert pair.scheds[0][1].cooldown_counter == st_.cooldown_counter > 0
    for m in [1.0] * 12:
        pair.step(0, m)


# ----------------------------------------------------------------------------------------
# composites with shared children, several schedulers, subclasses
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", HOWS)
def test_shared_child(how):
    """A child stepped on its own and inside a ChainedScheduler (twice) stays one object."""
    pair = Pair(opt_spec("sgd", [0.1, 0.5], momenta=[0.9, 0.8]), f"shared {how}")
    kw = {"gamma": 0.9}

    def make(opt, mod, swa):
        child = mod.ExponentialLR(opt, **kw)
        other = mod.StepLR(opt, step_size=3, gamma=0.5)
        return child, mod.ChainedScheduler([child, other, child])

    t_child, t_chain = make(pair.opt_t, TLR, TSWA)
    l_child, l_chain = make(pair.opt_l, LR, SWA)
    pair.scheds = [(t_child, l_child), (t_chain, l_chain)]
    pair.check("built")
    run_steps(pair, 4, i=1)
    run_steps(pair, 2, i=0)
    round_trip(pair, how)
    (_, child), (_, chain) = pair.scheds
    assert chain._schedulers[0] is child and chain._schedulers[2] is child
    run_steps(pair, 5, i=1)
    run_steps(pair, 3, i=0)
    run_steps(pair, 5, i=1)


@pytest.mark.parametrize("how", HOWS)
def test_sequential_with_shared_chained(how):
    spec_kids = [{"cls": "LinearLR", "kw": {"start_factor": 0.1, "total_iters": 4}},
                 {"cls": "ChainedScheduler", "children": [
                     {"cls": "ExponentialLR", "kw": {"gamma": 0.9}},
                     {"cls": "CosineAnnealingLR", "kw": {"T_max": 7}}]}]
    spec = {"cls": "SequentialLR", "children": spec_kids, "milestones": [5]}
    for cut in (0, 3, 5, 6, 12):
        pair = _pair(opt_spec("adam", [0.1, 0.01]), spec, f"seq {how} at {cut}")
        run_steps(pair, cut)
        round_trip(pair, how)
        run_steps(pair, 20, state_dicts=True)


class TaggedStepLR(LR.StepLR):
    """A user subclass that only adds attributes."""

    def __init__(self, optimizer, step_size, tag):
        self.tag = tag
        super().__init__(optimizer, step_size, gamma=0.5)
        self.seen = [tag]


class TorchTaggedStepLR(TLR.StepLR):
    def __init__(self, optimizer, step_size, tag):
        self.tag = tag
        super().__init__(optimizer, step_size, gamma=0.5)
        self.seen = [tag]


def _warmup_lrs(sched):
    return [base * min(1.0, (sched.last_epoch + 1) / 4) for base in sched.base_lrs]


class Warmup(LR.LRScheduler):
    """A user subclass with its own get_lr (the core calls it back)."""

    def get_lr(self):
        return _warmup_lrs(self)


class TorchWarmup(TLR.LRScheduler):
    def get_lr(self):
        return _warmup_lrs(self)


class CountingStepLR(LR.StepLR):
    """A user subclass overriding step(): composites call it (the core's step hook)."""

    calls = 0

    def step(self, epoch=None):
        self.calls += 1
        super().step(epoch)


class TorchCountingStepLR(TLR.StepLR):
    calls = 0

    def step(self, epoch=None):
        self.calls += 1
        super().step(epoch)


@pytest.mark.parametrize("how", HOWS)
def test_step_override_inside_a_composite(how):
    pair = Pair(opt_spec("sgd", [0.1, 0.3]), f"step override {how}")

    def make(opt, mod, counting):
        return mod.ChainedScheduler([counting(opt, 2), mod.ExponentialLR(opt, 0.9)])

    pair.construct_with(lambda o: make(o, TLR, TorchCountingStepLR),
                        lambda o: make(o, LR, CountingStepLR))
    run_steps(pair, 3)
    round_trip(pair, how, state_dicts=False)  # torch's state_dict holds calls too
    (t, l), = pair.scheds
    assert l._schedulers[0].calls == t._schedulers[0].calls == 4  # construction's and 3 steps
    run_steps(pair, 5)
    assert l._schedulers[0].calls == t._schedulers[0].calls == 9


@pytest.mark.parametrize("how", HOWS)
def test_user_subclasses(how):
    pair = Pair(opt_spec("sgd", [0.1, 0.3]), f"subclass {how}")
    pair.construct_with(lambda o: TorchTaggedStepLR(o, 3, "x"), lambda o: TaggedStepLR(o, 3, "x"))
    run_steps(pair, 4)
    pair.scheds[0][1].seen.append("later")
    round_trip(pair, how, state_dicts=False)  # torch's state_dict holds tag and seen too
    l_copy = pair.scheds[0][1]
    assert isinstance(l_copy, TaggedStepLR) and l_copy.tag == "x" and l_copy.seen == ["x", "later"]
    run_steps(pair, 8)

    pair = Pair(opt_spec("sgd", [0.1, 0.3]), f"get_lr subclass {how}")
    pair.construct_with(lambda o: TorchWarmup(o), lambda o: Warmup(o))
    run_steps(pair, 2)
    round_trip(pair, how, state_dicts=False)
    run_steps(pair, 6)


# ----------------------------------------------------------------------------------------
# copy.copy, verbose, the pickled class
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["StepLR", "CyclicLR", "OneCycleLR", "SequentialLR",
                                  "ReduceLROnPlateau"])
def test_copy_copy_shares_the_optimizer(kind):
    specs = {
        "StepLR": {"cls": "StepLR", "kw": {"step_size": 2, "gamma": 0.5}},
        "CyclicLR": {"cls": "CyclicLR", "kw": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3}},
        "OneCycleLR": {"cls": "OneCycleLR", "kw": {"max_lr": 0.5, "total_steps": 30}},
        "SequentialLR": {"cls": "SequentialLR", "milestones": [3], "children": [
            {"cls": "ConstantLR", "kw": {"factor": 0.5}},
            {"cls": "ExponentialLR", "kw": {"gamma": 0.8}}]},
        "ReduceLROnPlateau": {"cls": "ReduceLROnPlateau", "kw": {"patience": 0}},
    }
    pair = _pair(opt_spec("sgd", [0.1, 0.2]), specs[kind], f"copy {kind}")
    args = (1.0,) if kind == "ReduceLROnPlateau" else ()
    for _ in range(3):
        pair.step(0, *args)
    st_, sl_ = pair.scheds[0]
    ct, cl = copy.copy(st_), copy.copy(sl_)
    assert cl.optimizer is pair.opt_l and cl is not sl_
    if kind == "SequentialLR":
        assert cl._schedulers[0] is sl_._schedulers[0]  # shared children, as torch's copy
    assert_same(st_.state_dict(), sl_.state_dict(), "original after copy.copy")
    pair.scheds.append((ct, cl))
    for _ in range(4):
        pair.step(1, *args)  # the copy drives the shared optimizer
    pair.step(0, *args)      # the original has kept its own state
    pair.check_state_dicts("after stepping copy and original")


def test_verbose_and_step_count_survive(capsys):
    pair = _pair(opt_spec("sgd", [0.1]), {"cls": "StepLR", "kw": {"step_size": 2}}, "verbose")
    sl = pair.scheds[0][1]
    if UNDER_TEST != "torch":
        sl.verbose = True
    run_steps(pair, 1)
    capsys.readouterr()
    copied = pickle.loads(pickle.dumps((pair.opt_l, sl)))[1]
    assert copied._step_count == sl._step_count == 2 and copied._is_initial is False
    assert getattr(copied, "verbose", None) == getattr(sl, "verbose", None)
    copied.step()
    if UNDER_TEST != "torch":
        assert "Adjusting learning rate of group 0" in capsys.readouterr().out


@pytest.mark.skipif(UNDER_TEST != "lrcore", reason="lrcore's classes")
def test_pickles_by_reference_to_the_lrcore_class():
    """A scheduler is an instance of lrcore's class itself (derived from torch's LRScheduler
    once torch is loaded) and pickles as torch's does: a reference to its class and its
    __dict__, which holds torch's attributes."""
    import copyreg

    import lrcore.lr_scheduler as lrs

    pair = Pair(opt_spec("sgd", [0.1]), "ref")
    sched = lrs.CosineAnnealingLR(pair.opt_l, T_max=5)
    twin = TLR.CosineAnnealingLR(pair.opt_t, T_max=5)
    assert type(sched) is lrs.CosineAnnealingLR
    assert isinstance(sched, TLR.LRScheduler)
    reduced, torch_reduced = sched.__reduce_ex__(4), twin.__reduce_ex__(4)
    assert reduced[0] is torch_reduced[0] is copyreg.__newobj__
    assert reduced[1] == (lrs.CosineAnnealingLR,)
    assert list(reduced[2]) == list(torch_reduced[2]) == list(vars(twin))
    data = pickle.dumps(sched)
    assert b"lrcore.lr_scheduler" in data and b"CosineAnnealingLR" in data
    assert type(pickle.loads(data)) is lrs.CosineAnnealingLR


# ----------------------------------------------------------------------------------------
# errors
# ----------------------------------------------------------------------------------------


def _local_fn():
    def fn(epoch):
        return 0.9 ** epoch
    return fn


@pytest.mark.parametrize("cls", ["LambdaLR", "MultiplicativeLR", "CyclicLR"])
@pytest.mark.parametrize("fn", ["lambda", "local"])
def test_unpicklable_callable_raises_as_torch(cls, fn):
    pair = Pair(opt_spec("sgd", [0.1, 0.2]), f"error {cls} {fn}")
    make = (lambda: (lambda epoch: 0.9)) if fn == "lambda" else _local_fn
    key = "scale_fn" if cls == "CyclicLR" else "lr_lambda"
    kw = {"base_lr": 0.01, "max_lr": 0.1} if cls == "CyclicLR" else {}
    pair.construct_with(lambda o: getattr(TLR, cls)(o, **kw, **{key: make()}),
                        lambda o: getattr(LR, cls)(o, **kw, **{key: make()}))
    run_steps(pair, 3)
    st_, sl_ = pair.scheds[0]
    before = (sl_.state_dict(), [dict(g) for g in pair.opt_l.param_groups])
    _, _, exc = both(lambda: pickle.dumps((pair.opt_t, st_)), lambda: pickle.dumps((pair.opt_l, sl_)),
                     pair.where("pickle.dumps"))
    assert isinstance(exc, (pickle.PicklingError, AttributeError)), exc
    assert_same(before, (sl_.state_dict(), [dict(g) for g in pair.opt_l.param_groups]),
                "after the failed pickle")
    round_trip(pair, "deepcopy")  # deepcopy keeps the function itself, as for torch's
    run_steps(pair, 5)


# ----------------------------------------------------------------------------------------
# without torch
# ----------------------------------------------------------------------------------------

NO_TORCH = textwrap.dedent("""
    import copy, pickle, sys, warnings
    sys.modules["torch"] = None
    sys.path.insert(0, TESTS)
    import lrcore.lr_scheduler as L
    from lrcore.swa_utils import SWALR
    from _duck import Decay, DuckOptimizer, warmup

    BUILDERS = [
        lambda opt: L.LambdaLR(opt, [warmup, Decay(0.9)]),
        lambda opt: L.CyclicLR(opt, 0.01, 0.1, step_size_up=3),
        lambda opt: L.OneCycleLR(opt, 0.5, total_steps=40),
        lambda opt: SWALR(opt, 0.05, anneal_epochs=4),
        lambda opt: L.SequentialLR(opt, [L.ChainedScheduler([L.ExponentialLR(opt, 0.9),
                                                             L.StepLR(opt, 2, 0.5)]),
                                         L.LinearLR(opt, 0.1, total_iters=3)], [4]),
        lambda opt: L.ReduceLROnPlateau(opt, patience=0, cooldown=2),
    ]

    def step(s, k):
        s.optimizer.step()
        if isinstance(s, L.ReduceLROnPlateau):
            s.step(1.0)
        else:
            s.step()

    for copier in (lambda x: pickle.loads(pickle.dumps(x)), copy.deepcopy):
        for index, build in enumerate(BUILDERS):
            opt, ref_opt = DuckOptimizer([0.1, 0.3]), DuckOptimizer([0.1, 0.3])
            with warnings.catch_warnings():
                # torch's warning, as torch gives it: the SequentialLR's ChainedScheduler steps
                # its children once more in the constructor, before any optimizer.step()
                warnings.filterwarnings("ignore", "Detected call of `lr_scheduler.step", UserWarning)
                sched, ref = build(opt), build(ref_opt)
            for k in range(5):
                step(sched, k); step(ref, k)
            opt2, sched2 = copier((opt, sched))
            assert sched2.optimizer is opt2 and type(sched2) is type(sched)
            assert sched2.state_dict() == sched.state_dict()
            for k in range(30):
                step(sched2, k); step(ref, k)
                assert opt2.lrs() == ref_opt.lrs(), (index, k, opt2.lrs(), ref_opt.lrs())
                assert sched2.get_last_lr() == ref.get_last_lr()
    assert "torch" not in [m.split(".")[0] for m in sys.modules if sys.modules[m] is not None]
    print("OK")
""")


@pytest.mark.skipif(UNDER_TEST != "lrcore", reason="lrcore without torch")
def test_round_trip_without_torch():
    import lrcore

    tests = os.path.dirname(os.path.abspath(__file__))
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(lrcore.__file__)))
    env = dict(os.environ, PYTHONPATH=package_parent)
    out = subprocess.run([sys.executable, "-W", "error", "-c", f"TESTS = {tests!r}\n" + NO_TORCH],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "OK", out.stdout + out.stderr


# ----------------------------------------------------------------------------------------
# arguments
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_every_protocol_and_iterator_arguments(protocol):
    """MultiStepLR consumes an iterator of milestones (torch keeps them in a Counter); a list
    argument mutated after construction changes nothing."""
    pair = Pair(opt_spec("sgd", [0.1, 0.2]), f"protocol {protocol}")
    milestones = [2, 4]
    pair.construct_with(lambda o: TLR.MultiStepLR(o, iter([1, 3, 3]), gamma=0.5),
                        lambda o: LR.MultiStepLR(o, iter([1, 3, 3]), gamma=0.5))
    pair.construct_with(lambda o: TLR.MultiStepLR(o, milestones, gamma=0.9),
                        lambda o: LR.MultiStepLR(o, milestones, gamma=0.9))
    milestones.append(5)
    run_steps(pair, 2)
    copier = {"pickle": lambda x: pickle.loads(pickle.dumps(x, protocol))}
    opt_t, *t = copier["pickle"]((pair.opt_t, *[s for s, _ in pair.scheds]))
    opt_l, *l = copier["pickle"]((pair.opt_l, *[s for _, s in pair.scheds]))
    pair.opt_t, pair.opt_l, pair.scheds = opt_t, opt_l, list(zip(t, l))
    pair.check_state_dicts("after the round trip")
    for _ in range(6):
        pair.step(0)
        pair.step(1)
    pair.check_state_dicts("after stepping")


# ----------------------------------------------------------------------------------------
# the object is its __dict__, torch's
# ----------------------------------------------------------------------------------------

DICT_SPECS = {kind: spec for kind, spec in {
    "LambdaLR": {"cls": "LambdaLR", "kw": {"lr_lambda": [Fn("pow", 0.9, obj=True), Fn("inv", 0.5)]}},
    "MultiplicativeLR": {"cls": "MultiplicativeLR", "kw": {"lr_lambda": Fn("const", 0.95)}},
    "StepLR": {"cls": "StepLR", "kw": {"step_size": 2, "gamma": 0.5}},
    "MultiStepLR": {"cls": "MultiStepLR", "kw": {"milestones": [1, 3, 3], "gamma": 0.5}},
    "ConstantLR": {"cls": "ConstantLR", "kw": {"factor": 0.5, "total_iters": 3}},
    "LinearLR": {"cls": "LinearLR", "kw": {"start_factor": 0.2, "total_iters": 4}},
    "ExponentialLR": {"cls": "ExponentialLR", "kw": {"gamma": 0.9}},
    "PolynomialLR": {"cls": "PolynomialLR", "kw": {"total_iters": 6, "power": 2.0}},
    "CosineAnnealingLR": {"cls": "CosineAnnealingLR", "kw": {"T_max": 5, "eta_min": 0.01}},
    "CosineAnnealingWarmRestarts": {"cls": "CosineAnnealingWarmRestarts",
                                    "kw": {"T_0": 2, "T_mult": 2}},
    "CyclicLR": {"cls": "CyclicLR", "kw": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3}},
    "CyclicLR(scale_fn)": {"cls": "CyclicLR", "kw": {"base_lr": 0.01, "max_lr": 0.1,
                                                     "scale_fn": Fn("half", obj=True)}},
    "OneCycleLR": {"cls": "OneCycleLR", "kw": {"max_lr": 0.5, "total_steps": 30}},
    "SWALR": {"cls": "SWALR", "kw": {"swa_lr": 0.05, "anneal_epochs": 3}},
    "ReduceLROnPlateau": {"cls": "ReduceLROnPlateau", "kw": {"patience": 0, "cooldown": 1}},
    # (torch's SequentialLR fails to hand over to a ChainedScheduler: it calls its get_lr)
    "SequentialLR": {"cls": "SequentialLR", "milestones": [3], "children": [
        {"cls": "ChainedScheduler", "children": [
            {"cls": "ExponentialLR", "kw": {"gamma": 0.8}},
            {"cls": "StepLR", "kw": {"step_size": 2}}]},
        {"cls": "ConstantLR", "kw": {"factor": 0.5}}]},
    "ChainedScheduler": {"cls": "ChainedScheduler", "children": [
        {"cls": "LinearLR", "kw": {"start_factor": 0.5, "total_iters": 3}},
        {"cls": "CosineAnnealingLR", "kw": {"T_max": 4}}]},
}.items()}


def _metric(kind, k):
    return ((1.0, 1.0, 0.5, 0.5, 0.5, 2.0)[k % 6],) if kind == "ReduceLROnPlateau" else ()


def _attributes(sched):
    """A scheduler's attribute names in order, each with the type of its value, all the way
    down a composite."""
    return [(k, type(v).__name__, [_attributes(c) for c in v] if k == "_schedulers" else None)
            for k, v in vars(sched).items()]


@pytest.mark.parametrize("kind", sorted(DICT_SPECS))
def test_the_instance_dict_is_torch_s(kind):
    """vars(scheduler) holds torch's attributes: the same names in the same order, values of
    the same types, after construction and after steps; nothing else (no recorded arguments,
    no hidden state)."""
    pair = _pair(opt_spec("sgd", [0.1, 0.2], momenta=[0.9, 0.8]), DICT_SPECS[kind], f"vars {kind}")
    st_, sl_ = pair.scheds[0]
    for k in range(6):
        assert _attributes(sl_) == _attributes(st_), f"{kind} after {k} steps"
        pair.step(0, *_metric(kind, k))


def _rebuilt_from_dict(sched, opt):
    """A new object of the scheduler's class given (a deep copy of) its __dict__, driving
    ``opt``: what copy and pickle do by hand."""
    clone = type(sched).__new__(type(sched))
    clone.__dict__.update(copy.deepcopy(vars(sched), {id(sched.optimizer): opt}))
    return clone


@pytest.mark.parametrize("kind", sorted(DICT_SPECS))
def test_dict_round_trip(kind):
    """A scheduler rebuilt from its __dict__ (``__new__`` then ``__dict__.update``, as users
    and libraries do) steps on as torch's rebuilt the same way: its state is its attributes."""
    pair = _pair(opt_spec("sgd", [0.1, 0.2], momenta=[0.9, 0.8]), DICT_SPECS[kind], f"dict {kind}")
    for k in range(3):
        pair.step(0, *_metric(kind, k))
    st_, sl_ = pair.scheds[0]
    pair.scheds[0] = (_rebuilt_from_dict(st_, pair.opt_t), _rebuilt_from_dict(sl_, pair.opt_l))
    pair.check(f"dict {kind}: rebuilt")
    pair.check_state_dicts(f"dict {kind}: rebuilt")
    for k in range(3, 12):
        pair.step(0, *_metric(kind, k))
        pair.check_state_dicts(f"dict {kind}: step {k}")
    assert pair.retired is None


@pytest.mark.parametrize("kind", sorted(DICT_SPECS))
def test_dict_update_from_another_scheduler(kind):
    """``b.__dict__.update(vars(a))``, b built alike on the same optimizer later: b steps on from
    a's state, as torch's b given the same update (nothing outside __dict__ keeps b's own)."""
    pair = Pair(opt_spec("sgd", [0.1, 0.2], momenta=[0.9, 0.8]), f"dict update {kind}")
    assert pair.construct(DICT_SPECS[kind])
    for k in range(4):
        pair.step(0, *_metric(kind, k))
    st_, sl_ = pair.scheds[0]
    spec = DICT_SPECS[kind]
    others = [build(spec, pair.opt_t, TLR, TSWA), build(spec, pair.opt_l, LR, SWA)]
    for other, sched, opt in zip(others, (st_, sl_), (pair.opt_t, pair.opt_l)):
        other.__dict__.update(copy.deepcopy(vars(sched), {id(opt): opt}))
    pair.scheds[0] = tuple(others)
    for k in range(4, 12):
        pair.step(0, *_metric(kind, k))
        pair.check_state_dicts(f"dict update {kind}: step {k}")
    assert pair.retired is None
