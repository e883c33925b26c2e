"""docs/reliability.md is generated from the reliability tests: it must name each of them."""

import ast
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "docs"))
import make_reliability  # noqa: E402


def marked_cases():
    """(area, what) of every ``pytest.mark.reliability(...)`` written in the tests, read as text.

    Arguments are string literals or module-level string constants (``AREA = "..."``).
    """
    found = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {target.id: node.value.value for node in tree.body
                     if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                     for target in node.targets if isinstance(target, ast.Name)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "reliability"):
                area, what = (constants[arg.id] if isinstance(arg, ast.Name)
                              else ast.literal_eval(arg) for arg in node.args[:2])
                found.add((area, what))
    return found


def test_the_page_has_a_row_for_every_reliability_test():
    page = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    missing = sorted(f"{area}: {what}" for area, what in marked_cases()
                     if f"## {area}" not in page or f"| {what} |" not in page)
    assert not missing, ("docs/reliability.md is out of date; run `python "
                         "docs/make_reliability.py`. Missing: " + "; ".join(missing))


def test_render_counts_cases_and_shows_failures():
    outcomes = [
        {"area": "CSV data", "what": "a BOM", "examples": 1, "nodeid": "t.py::a[x]",
         "outcome": "passed"},
        {"area": "CSV data", "what": "a BOM", "examples": 1, "nodeid": "t.py::a[y]",
         "outcome": "failed"},
        {"area": "Project files", "what": "fuzz", "examples": 50, "nodeid": "t.py::f",
         "outcome": "passed"},
    ]
    page = make_reliability.render(outcomes, commit="abc", date="2026-01-01")
    assert "**52 cases** in 3 tests over 2 areas: **1 tests failed**." in page
    assert "| a BOM | 2 | **1 of 2 tests failed** | `t.py::a` |" in page
    assert "| fuzz | 50 | passed | `t.py::f` |" in page
    # The page's own order: project files before CSV data.
    assert page.index("## Project files") < page.index("## CSV data")


@pytest.mark.slow
def test_the_report_records_marked_tests_only(tmp_path):
    """Run one real marked test and one unmarked through pytest with the report option."""
    import subprocess

    tests = tmp_path / "sample"
    tests.mkdir()
    (tests / "conftest.py").write_text(
        "from tests.reliability_plugin import (pytest_addoption, pytest_configure,\n"
        "    pytest_runtest_setup)\n")
    (tests / "test_sample.py").write_text(
        "import pytest\n"
        "@pytest.mark.reliability('Area', 'a case', examples=3)\n"
        "@pytest.mark.parametrize('n', [1, 2])\n"
        "def test_marked(n):\n    assert n < 2\n"
        "def test_plain():\n    pass\n")
    report = tmp_path / "report.json"
    env_path = str(ROOT)
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    "--rootdir", str(tmp_path), str(tests), f"--reliability-report={report}"],
                   cwd=tmp_path, env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
                   capture_output=True, check=False)
    rows = json.loads(report.read_text())
    assert [(r["nodeid"].split("::")[1], r["outcome"], r["examples"]) for r in rows] == [
        ("test_marked[1]", "passed", 3), ("test_marked[2]", "failed", 3)]
