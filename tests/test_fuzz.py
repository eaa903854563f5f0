"""Differential fuzz: lrcore against torch 2.13 on random configurations of every
scheduler, driven by random interleavings of operations, compared exactly after every one.

Operations: step(); step(epoch) jumps (leaf schedulers, fractional for
CosineAnnealingWarmRestarts); get_lr() outside step(); lrs changed by hand between steps;
state_dict()/load_state_dict() within each library and across them (torch's state into lrcore,
lrcore's into torch); pickle and copy.deepcopy round trips of the optimizer with its scheduler;
for ReduceLROnPlateau, steps on random metric streams. Compositions come from _pairs'
sequential/chained strategies (nested ones included).

Example counts come from the hypothesis profile (tests/conftest.py): "ci" runs 700 examples per
test (2,100 in all), "soak" 20,000; select with HYPOTHESIS_PROFILE.
"""

from __future__ import annotations

import os
import pickle
import sys

from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pairs import (  # noqa: E402
    LEAF_KINDS, Pair, assert_same, both, chained_specs, leaf_specs, metric_streams, opt_specs,
    picklable_spec, plateau_specs, round_trip, sequential_specs,
)


def _copy(state):
    return pickle.loads(pickle.dumps(state))


def _load_state_dicts(pair: Pair, cross: bool) -> None:
    """Each side loads a state: its own (``cross`` False) or the other library's."""
    st_, sl_ = pair.scheds[0]
    sd_t, sd_l = _copy(st_.state_dict()), _copy(sl_.state_dict())
    if cross:
        sd_t, sd_l = sd_l, sd_t
    w = pair.where(f"load_state_dict({'cross' if cross else 'own'})")
    _, _, exc = both(lambda: st_.load_state_dict(sd_t), lambda: sl_.load_state_dict(sd_l), w)
    assert exc is None, f"{w}: {exc!r}"
    pair.nops += 1
    pair.check(w)
    pair.check_state_dicts(w)


STATE_OPS = ["own", "cross", "pickle", "deepcopy"]


def _get_lr(pair: Pair) -> None:
    """get_lr() outside step(): same value, same warning (and the same side effects)."""
    vt, vl, exc = pair.call(0, "get_lr")
    if exc is None:
        assert_same(vt, vl, pair.where("get_lr() value"))


def _scale_lrs(pair: Pair, factor: float) -> None:
    """The user changes the lrs by hand between steps (chainable forms build on them)."""
    for opt in (pair.opt_t, pair.opt_l):
        for group in opt.param_groups:
            group["lr"] = group["lr"] * factor
    pair.check(pair.where(f"lrs scaled by {factor}"))


def _state_op(pair: Pair, op: str, picklable: bool) -> None:
    if op in ("own", "cross"):
        _load_state_dicts(pair, op == "cross")
    else:
        round_trip(pair, op if picklable else "deepcopy")


def _scheduler_ops(epochs: bool, fractional: bool):
    steps = st.tuples(st.just("step"), st.integers(1, 12))
    state = st.tuples(st.sampled_from(STATE_OPS), st.none())
    user = st.one_of(st.tuples(st.just("get_lr"), st.none()),
                     st.tuples(st.just("scale"), st.sampled_from([0.5, 2.0, 0.1])))
    if not epochs:
        return st.one_of(steps, steps, state, user)
    epoch = st.integers(0, 80)
    if fractional:
        epoch = st.one_of(epoch, st.floats(0.0, 80.0))
    return st.one_of(steps, steps, state, user, st.tuples(st.just("epoch"), epoch))


def _run(pair: Pair, ops, picklable: bool) -> None:
    for op, arg in ops:
        if pair.retired is not None:  # both raised: the two sides part ways (see Pair.call)
            return
        if op == "step":
            for _ in range(arg):
                pair.step(0)
        elif op == "epoch":
            pair.step(0, arg)
        elif op == "get_lr":
            _get_lr(pair)
        elif op == "scale":
            _scale_lrs(pair, arg)
        else:
            _state_op(pair, op, picklable)
    pair.check_state_dicts(pair.where("at the end"))


def _draw_pair(data, spec_strategy, label):
    ospec = data.draw(opt_specs(max_groups=4), label="optimizer")
    spec = data.draw(spec_strategy(len(ospec["lrs"])), label="scheduler")
    picklable = data.draw(st.booleans(), label="picklable callables")
    if picklable:
        spec = picklable_spec(spec)
    pair = Pair(ospec, label)
    return (pair if pair.construct(spec) else None), spec, picklable


@given(data=st.data())
def test_fuzz_leaf(data):
    pair, spec, picklable = _draw_pair(data, lambda n: leaf_specs(n, kinds=tuple(LEAF_KINDS)),
                                       "fuzz leaf")
    if pair is None:
        return
    ops = data.draw(st.lists(_scheduler_ops(True, spec["cls"] == "CosineAnnealingWarmRestarts"),
                             max_size=14), label="ops")
    _run(pair, ops, picklable)


@given(data=st.data())
def test_fuzz_composite(data):
    pair, _, picklable = _draw_pair(
        data, lambda n: st.one_of(sequential_specs(n), chained_specs(n)), "fuzz composite")
    if pair is None:
        return
    _run(pair, data.draw(st.lists(_scheduler_ops(False, False), max_size=12), label="ops"),
         picklable)


@given(data=st.data())
def test_fuzz_plateau(data):
    pair, _, _ = _draw_pair(data, plateau_specs, "fuzz plateau")
    if pair is None:
        return
    metrics = data.draw(metric_streams(max_len=80), label="metrics")
    # Between metrics: a state operation, or step(metric, epoch) in place of the next step.
    extras = data.draw(st.lists(st.tuples(st.integers(0, len(metrics)),
                                          st.one_of(st.sampled_from(STATE_OPS),
                                                    st.integers(0, 100))),
                                max_size=6), label="extras")
    at = {}
    for index, extra in extras:
        at.setdefault(index, []).append(extra)
    for j in range(len(metrics) + 1):
        epoch = None
        for extra in at.get(j, ()):
            if pair.retired is not None:
                return
            if isinstance(extra, int):
                epoch = extra
            else:
                _state_op(pair, extra, True)
        if j == len(metrics) or pair.retired is not None:
            break
        if epoch is None:
            pair.step(0, metrics[j])
        else:
            pair.step(0, metrics[j], epoch)
    pair.check_state_dicts(pair.where("at the end"))
