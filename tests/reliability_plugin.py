"""Collect the outcomes of tests marked ``@pytest.mark.reliability`` for docs/reliability.md.

A reliability test names the class of input, fault or load it tries and the case::

    @pytest.mark.reliability("CSV data", "a numeric column holding strings")

Optional keywords: ``examples=N`` when one test tries N generated cases
(hypothesis), so the table counts cases, not functions.

``pytest --reliability-report out.json`` writes every such test's outcome to a
JSON file; ``docs/make_reliability.py`` runs the marked tests that way and renders
the table from the file, so the page says only what the suite proved. The marker
travels as a user property, which pytest-xdist carries from its workers.
"""

import json
from pathlib import Path

import pytest

PROPERTY = "reliability"


def pytest_addoption(parser):
    parser.addoption("--reliability-report", default=None, metavar="PATH",
                     help="write the outcome of every reliability-marked test to PATH (JSON)")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "reliability(area, what, examples=1): a row of docs/reliability.md's "
        "table: the class of input, fault or load tried, and the case")
    path = config.getoption("--reliability-report")
    if path and not hasattr(config, "workerinput"):  # only the xdist controller writes
        config.pluginmanager.register(_OutcomeCollector(Path(path)), "reliability-report")


def pytest_runtest_setup(item):
    mark = item.get_closest_marker(PROPERTY)
    if mark is None:
        return
    area, what = mark.args
    item.user_properties.append(
        (PROPERTY, {"area": area, "what": what, "examples": mark.kwargs.get("examples", 1)}))


class _OutcomeCollector:
    """Keeps the worst outcome of each marked test over its setup, call and teardown."""

    def __init__(self, path):
        self.path = path
        self.outcomes = {}

    def pytest_runtest_logreport(self, report):
        meta = dict(report.user_properties).get(PROPERTY)
        if meta is None:
            return
        entry = self.outcomes.setdefault(
            report.nodeid, dict(meta, nodeid=report.nodeid, outcome="passed"))
        if report.failed:
            entry["outcome"] = "failed"
        elif report.skipped and entry["outcome"] == "passed":
            entry["outcome"] = "skipped"

    def pytest_sessionfinish(self):
        rows = sorted(self.outcomes.values(), key=lambda r: r["nodeid"])
        self.path.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
