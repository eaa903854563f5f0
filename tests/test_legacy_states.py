"""Checkpoints of torch 1.13 to 2.12 loaded into lrcore, compared with torch 2.13.

Each case of tests/_legacy_states.py (a scheduler state as a range of older releases saved
it, with the optimizer state saved next to it) is loaded into a torch 2.13 scheduler and into
lrcore's, built alike on identical optimizers (the usual resume: build, load the optimizer's
state, load the scheduler's). Then both step 30 times (fewer where torch stops: a OneCycleLR
past its total_steps raises, as lrcore must). Compared exactly, after the load and after each
step: every param group value (lr, momentum, betas, initial_lr, max_lr, swa_lr...),
``get_last_lr()``, the scheduler's attributes (``vars()``, key order included: keys of older
releases that torch 2.13 no longer uses, such as ``verbose`` or ``anneal_func``, stay there)
and ``state_dict()``; after the load also the keys left in the dict given to it (torch's
CyclicLR pops ``_scale_fn_custom``).

Where torch 2.13 cannot load a checkpoint (CyclicLR with a custom scale_fn saved by 1.13 to
2.1: TypeError, after updating half of its attributes), lrcore raises the same type and
changes nothing, neither its scheduler, nor the optimizer, nor the dict given to it.

A state written as JSON and read back (MultiStepLR's milestones then have string keys) loads
into lrcore as the original loads into torch.
"""

from __future__ import annotations

import copy
import json
import types
import warnings
from typing import Any

import pytest
import torch.optim.lr_scheduler as TLR
import torch.optim.swa_utils as TSWA

import lrcore.lr_scheduler as LLR
import lrcore.swa_utils as LSWA

from _exact import assert_same, diff
from _legacy_states import Case, build, legacy_states, sgd

TORCH = types.SimpleNamespace(**{n: getattr(TLR, n) for n in TLR.__all__}, SWALR=TSWA.SWALR)
LRCORE = types.SimpleNamespace(**{n: getattr(LLR, n) for n in TLR.__all__}, SWALR=LSWA.SWALR)

CASES = legacy_states()
STEPS = 30
assert len(CASES) == 128


def _resume(case: Case, ns: Any) -> tuple[Any, Any]:
    """A fresh optimizer and scheduler (``case.spec213``), the optimizer's state loaded."""
    opt = case.optimizer()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = build(case.spec213(), opt, ns)
    opt.load_state_dict(case.optimizer_state())
    return opt, sched


def _attributes(sched: Any) -> dict[str, Any]:
    """The attributes but the optimizer; a composite's schedulers by their attributes."""
    out = {k: v for k, v in vars(sched).items() if k != "optimizer"}
    if "_schedulers" in out:
        out["_schedulers"] = [_attributes(child) for child in out["_schedulers"]]
    return out


def _look(opt: Any, sched: Any) -> dict[str, Any]:
    look = {
        "groups": [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups],
        "get_last_lr": sched.get_last_lr() if "_last_lr" in vars(sched) else None,
        "attributes": _attributes(sched),
        "state_dict": sched.state_dict(),
    }
    return look


def _held(opt: Any, sched: Any) -> Any:
    return copy.deepcopy((_attributes(sched), opt.state_dict()))


def _load(sched: Any, state: dict[str, Any]) -> BaseException | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            sched.load_state_dict(state)
        except Exception as e:  # noqa: BLE001 -- compared with torch's
            return e
    return None


def _continue(case: Case, sides: list[tuple[Any, Any]], first: int, steps: int,
              where: str) -> int:
    """Step both sides ``steps`` times from step ``first``, comparing after each; stop where
    torch raises (lrcore must raise the same type and change nothing). Returns the number of
    steps compared."""
    for i in range(first, first + steps):
        errors: list[BaseException | None] = []
        before = _held(*sides[1])
        for opt, sched in sides:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                opt.step()
                try:
                    sched.step(*case.inputs(i))
                    errors.append(None)
                except Exception as e:  # noqa: BLE001 -- compared
                    errors.append(e)
        te, le = errors
        if te is not None or le is not None:
            assert type(te) is type(le), f"{where}, step {i + 1}: torch {te!r}, lrcore {le!r}"
            assert_same(before, _held(*sides[1]), f"{where}, step {i + 1} (failed)")
            return i - first
        assert_same(_look(*sides[0]), _look(*sides[1]), f"{where}, step {i + 1}")
    return steps


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_legacy_state(case: Case) -> None:
    _check(case)


def _check(case: Case) -> None:
    sides = [_resume(case, TORCH), _resume(case, LRCORE)]
    states = [case.state(), case.state()]
    before = _held(*sides[1])
    errors = [_load(sched, state) for (_, sched), state in zip(sides, states)]
    te, le = errors
    assert type(te) is type(le), f"load_state_dict: torch {te!r}, lrcore {le!r}"
    assert type(te) is (case.load_error or type(None))  # the layout is torch's
    if te is not None:
        # torch has updated its attributes and popped a key of the given dict; lrcore, whose
        # failed calls change nothing, has done neither
        assert diff(_held(*sides[0]), before) is not None
        assert_same(before, _held(*sides[1]), "after the failed load")
        assert_same(case.state(), states[1], "the dict given to the failed load")
        return
    assert_same(list(states[0]), list(states[1]), "keys left in the dict given to the load")
    assert_same(_look(*sides[0]), _look(*sides[1]), "after load_state_dict")
    done = _continue(case, sides, case.steps_before, STEPS, case.id)
    assert done == STEPS or case.cls == "OneCycleLR"


def _jsonable(state: Any) -> bool:
    try:
        json.dumps(state)
    except TypeError:
        return False
    return True


JSON_CASES = [c for c in CASES if _jsonable(c.state())]


@pytest.mark.parametrize("case", JSON_CASES, ids=[c.id for c in JSON_CASES])
def test_legacy_state_through_json(case: Case) -> None:
    """The legacy state written as JSON and read back loads into lrcore as the original
    state into torch (MultiStepLR's milestones are string keys then; torch 2.13 would take
    them as they are, and never decay again). After 10 steps, lrcore's own state goes through
    JSON into a fresh lrcore scheduler, torch's unchanged into a fresh torch one; 20 more."""
    sides = [_resume(case, TORCH), _resume(case, LRCORE)]
    text = json.dumps(case.state())
    assert _load(sides[0][1], case.state()) is None
    assert _load(sides[1][1], json.loads(text)) is None
    assert_same(_look(*sides[0]), _look(*sides[1]), "after load_state_dict")
    first = case.steps_before
    done = _continue(case, sides, first, 10, f"{case.id} (JSON)")
    if done < 10:
        return
    resumed = []
    for (opt, sched), ns, trip in zip(sides, (TORCH, LRCORE),
                                      (copy.deepcopy, lambda s: json.loads(json.dumps(s)))):
        new_opt, new_sched = _resume(case, ns)
        new_opt.load_state_dict(opt.state_dict())
        assert _load(new_sched, trip(sched.state_dict())) is None
        resumed.append((new_opt, new_sched))
    assert_same(_look(*resumed[0]), _look(*resumed[1]), "after loading the JSON state")
    _continue(case, resumed, first + 10, 20, f"{case.id} (JSON, again)")


def test_json_cases_cover_every_class() -> None:
    """The JSON round trips reach every class (the states holding functions excepted)."""
    assert {c.cls for c in JSON_CASES} == {c.cls for c in CASES}
    assert any(c.cls == "MultiStepLR" for c in JSON_CASES)


def test_json_state_of_a_composite_holding_multisteplr() -> None:
    """A SequentialLR's state holding a MultiStepLR's, written as JSON and read back, loads
    into lrcore as the original state into torch."""

    def make(ns: Any) -> tuple[Any, Any]:
        opt = sgd()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return opt, ns.SequentialLR(opt, [ns.MultiStepLR(opt, [2, 5, 5], 0.5),
                                              ns.ExponentialLR(opt, 0.9)], milestones=[8])

    saving = make(TORCH)
    for _ in range(3):
        saving[0].step()
        saving[1].step()
    state = saving[1].state_dict()
    sides = [make(TORCH), make(LRCORE)]
    assert _load(sides[0][1], copy.deepcopy(state)) is None
    assert _load(sides[1][1], json.loads(json.dumps(state))) is None
    assert_same(_look(*sides[0]), _look(*sides[1]), "after load_state_dict")
    for i in range(12):
        for opt, sched in sides:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                opt.step()
                sched.step()
        assert_same(_look(*sides[0]), _look(*sides[1]), f"step {i + 1}")
