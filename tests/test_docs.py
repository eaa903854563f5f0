"""The documentation builds, and what its examples print is what lrcore prints.

- ``sphinx-build -W`` (warnings are errors) of the html site, pictures included, and of the
  doctest builder, which runs every ``{doctest}``/``{testcode}`` block of the pages and the
  examples of the docstrings autodoc shows;
- every docstring example of the package, found by :mod:`doctest` (also those no page shows);
- the command-line page's ``console`` blocks, run as the reader would type them;
- the README: a landing page of at most 250 lines whose links into the repository resolve.

Building needs the ``docs`` extra (sphinx, furo, myst-parser; the ``test`` extra includes it).
Where it is missing the builds are skipped, except in CI, where a skip would hide a broken page.
"""

from __future__ import annotations

import doctest
import importlib
import os
import re
import shlex
import subprocess
import sys

import pytest

import lrcore

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")
LRCORE_PATH = os.path.dirname(os.path.dirname(os.path.abspath(lrcore.__file__)))


def _need_sphinx() -> None:
    missing = [name for name in ("sphinx", "furo", "myst_parser")
               if importlib.util.find_spec(name) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must build the docs, but {missing} is not installed: "
                        "pip install '.[docs]'")
        pytest.skip(f"{missing} not installed (pip install '.[docs]')")


def _sphinx(builder: str, out: str, doctrees: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=LRCORE_PATH)
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", builder,
         "-d", doctrees, DOCS, out],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=900)


@pytest.fixture(scope="module")
def doctrees(tmp_path_factory):
    # both builds share the parsed pages, so the second does not read them again
    return str(tmp_path_factory.mktemp("doctrees"))


def test_the_html_site_builds_with_its_pictures(tmp_path, doctrees):
    _need_sphinx()
    out = tmp_path / "html"
    proc = _sphinx("html", str(out), doctrees)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pages = {os.path.relpath(os.path.join(d, f), out)
             for d, _, files in os.walk(out) for f in files if f.endswith(".html")}
    for page in ("index.html", "getting-started.html", "zh-CN/getting-started.html",
                 "reference/multiplicative.html", "reference/cyclic.html", "cli.html",
                 "speed.html", "hyperparameters.html", "platforms.html", "changelog.html"):
        assert page in pages, sorted(pages)
    # a picture of every schedule, and the momentum of the two that cycle it, on the pages
    images = set(os.listdir(out / "_images"))
    for name in ("StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
                 "PolynomialLR", "LambdaLR", "MultiplicativeLR", "CosineAnnealingLR",
                 "CosineAnnealingWarmRestarts", "CyclicLR", "CyclicLR-momentum", "OneCycleLR",
                 "OneCycleLR-momentum", "ReduceLROnPlateau", "SequentialLR", "ChainedScheduler",
                 "SWALR", "WarmupCosineLR", "WarmupStableDecayLR", "InverseSqrtLR",
                 "HFScheduleLR", "WarmupLR", "demo", "bench"):
        assert f"{name}.png" in images, sorted(images)
    html = (out / "reference" / "cyclic.html").read_text(encoding="utf-8")
    assert 'src="../_images/OneCycleLR-momentum.png"' in html
    assert "class CyclicLR" in html or "CyclicLR</span>" in html  # autodoc's signature


def test_every_example_in_the_pages_prints_what_it_shows(tmp_path, doctrees):
    _need_sphinx()
    out = tmp_path / "doctest"
    proc = _sphinx("doctest", str(out), doctrees)
    report = (out / "output.txt").read_text(encoding="utf-8") if (out / "output.txt").exists() \
        else ""
    assert proc.returncode == 0, proc.stdout + proc.stderr + report
    total = re.search(r"^\s+(\d+) tests$", report, re.M)
    assert total and int(total.group(1)) >= 130, report[-2000:]
    assert re.search(r"^\s+0 failures in tests$", report, re.M), report[-2000:]


DOCSTRING_MODULES = ["lrcore", "lrcore.lr_scheduler", "lrcore.schedules", "lrcore.swa_utils",
                     "lrcore.functional", "lrcore.reference.lr_scheduler",
                     "lrcore.reference.schedules", "lrcore.reference.swa_utils"]


def test_every_docstring_example_prints_what_it_shows():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    examples = 0
    for name in DOCSTRING_MODULES:
        module = importlib.import_module(name)
        for test in finder.find(module, name):
            if test.examples:
                examples += len(test.examples)
                runner.run(test)
    assert runner.failures == 0, f"{runner.failures} docstring examples failed (see above)"
    assert examples >= 4  # WarmupLR's, at least: a finder that finds nothing would pass


def _console_blocks(page: str) -> list[tuple[str, str]]:
    """(command, expected output) for each ``$ lrcore ...`` line of the page's console blocks."""
    with open(os.path.join(DOCS, page), encoding="utf-8") as f:
        text = f.read()
    pairs = []
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        for chunk in re.split(r"^(?=\$ )", block, flags=re.M):
            if chunk.startswith("$ "):
                command, _, output = chunk.partition("\n")
                pairs.append((command[2:], output))
    return pairs


@pytest.mark.parametrize("command,expected", _console_blocks("cli.md"),
                         ids=[c for c, _ in _console_blocks("cli.md")])
def test_the_command_line_page_shows_what_lrcore_prints(command, expected, tmp_path):
    argv = shlex.split(command)
    assert argv[0] == "lrcore"
    env = dict(os.environ, PYTHONPATH=LRCORE_PATH)
    proc = subprocess.run([sys.executable, "-m", "lrcore", *argv[1:]], capture_output=True,
                          text=True, cwd=str(tmp_path), env=env, timeout=300)
    got = proc.stdout + proc.stderr
    # "..." in the page stands for the rest of a long line
    pattern = "".join(".*?" if part == "..." else re.escape(part)
                      for part in re.split(r"(\.\.\.)", expected.rstrip("\n")))
    assert re.fullmatch(pattern, got.rstrip("\n"), re.S), got


def test_the_readme_is_a_landing_page_whose_links_resolve():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    assert len(readme.splitlines()) <= 250
    # the two commands stay first: set up and run the demo, set up and run the tests
    assert 'pip install . && lrcore demo' in readme.split("\n## ")[0]
    assert 'pip install ".[test]" && pytest' in readme.split("\n## ")[0]
    for target in re.findall(r"\]\((?!https?://|#)([^)#]+)", readme):
        assert os.path.exists(os.path.join(ROOT, target)), target
