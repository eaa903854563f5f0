"""Sphinx configuration for lrcore's documentation (furo, MyST pages, autodoc, doctest).

Built with warnings as errors: ``sphinx-build -W docs docs/_build/html``. The schedule pictures
are drawn when the build starts (``_ext/lrcore_curves.py``) from ``simulate()``, so they always
show what the installed lrcore computes.
"""

from __future__ import annotations

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "_ext"))

import lrcore  # noqa: E402  (the installed package, or PYTHONPATH=python in a checkout)

project = "lrcore"
author = "the lrcore developers"
copyright = "the lrcore developers"


def _version() -> str:
    # single-sourced from CMakeLists.txt, as the package's own version is
    text = open(os.path.join(HERE, os.pardir, "CMakeLists.txt"), encoding="utf-8").read()
    match = re.search(r"project\(lrcore VERSION ([0-9.]+)", text)
    return match.group(1) if match else getattr(lrcore, "__version__", "")


release = version = _version()

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.napoleon",
    "lrcore_curves",
]

myst_enable_extensions = ["colon_fence", "dollarmath", "amsmath", "deflist"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
root_doc = "index"

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options: dict[str, object] = {}
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# Links to torch's, numpy's and Python's references. Their inventories are fetched over the
# network, which a build machine may not have (CI reaches only package registries): there the
# links render as plain text instead of failing a warnings-as-errors build.
_INVENTORIES = {
    "python": ("https://docs.python.org/3", None),
    "torch": ("https://docs.pytorch.org/docs/stable/", None),
    "numpy": ("https://numpy.org/doc/stable/", None),
}


def _reachable(url: str) -> bool:
    import socket
    import urllib.parse

    try:
        socket.getaddrinfo(urllib.parse.urlsplit(url).hostname, 443)
    except OSError:
        return False
    return True


intersphinx_mapping = {k: v for k, v in _INVENTORIES.items() if _reachable(v[0])}
intersphinx_timeout = 10

# Doctests: what the examples print is compared exactly, as a reader would see it.
doctest_global_setup = """
import numpy as np
import lrcore
from lrcore import lr_scheduler
from lrcore import functional as F

try:  # the examples written with torch run where torch is installed (the test extra has it)
    import torch
except ImportError:
    torch = None


class Optimizer:
    '''Any object with param_groups is an optimizer to lrcore: no torch needed.'''

    def __init__(self, *lrs, momentum=None):
        self.param_groups = [{"lr": lr} for lr in lrs]
        if momentum is not None:
            for group in self.param_groups:
                group["momentum"] = momentum
        self.defaults = dict(self.param_groups[0])
"""
doctest_test_doctest_blocks = "default"

html_theme = "furo"
html_title = f"lrcore {release}"
html_static_path: list[str] = []
