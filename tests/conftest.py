"""Hypothesis profiles, chosen with HYPOTHESIS_PROFILE (default "ci"):

* ``ci``: each differential fuzz test (tests/test_fuzz.py, three of them) runs 700 examples,
  2,100 in all, in about a minute.
* ``soak``: 20,000 examples per fuzz test, for long local runs
  (``HYPOTHESIS_PROFILE=soak pytest tests/test_fuzz.py``).

LRCORE_TEST_SCALE multiplies both, as it multiplies the other tests' counts (_pairs.hsettings).
The profiles only set what the fuzz tests leave open: every other test gives its own
max_examples.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_SCALE = float(os.environ.get("LRCORE_TEST_SCALE", "1"))
_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                              HealthCheck.filter_too_much],
}
settings.register_profile("ci", max_examples=max(1, round(700 * _SCALE)), **_COMMON)
settings.register_profile("soak", max_examples=max(1, round(20_000 * _SCALE)), **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
