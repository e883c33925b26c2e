"""The example projects bundled in resources/examples/ (one ``NAME.kwb.json`` each)."""

import difflib
import re

from core.errors import WorkbenchError
from core.project import PROJECT_SUFFIX, Project
from core.resources import resource_path

EXAMPLES_DIR = resource_path("examples")
# Each example's description states the quality it reaches, measured by bench/examples_quality.py.
QUALITY_BAR = re.compile(r"Quality bar: test (\w+) (>=|<=) (\d+(?:\.\d+)?)")


def quality_bar(description):
    """``(metric, ">=" or "<=", threshold)`` from an example's description, or None."""
    match = QUALITY_BAR.search(description)
    return (match.group(1), match.group(2), float(match.group(3))) if match else None


def example_names():
    """Names of the bundled examples, sorted."""
    return sorted(p.name[: -len(PROJECT_SUFFIX)] for p in EXAMPLES_DIR.glob("*" + PROJECT_SUFFIX))


def example_path(name):
    """The file of the example called ``name``.

    Raises:
        WorkbenchError: for an unknown name, listing the close ones.
    """
    path = EXAMPLES_DIR / f"{name}{PROJECT_SUFFIX}"
    if not path.is_file():
        close = difflib.get_close_matches(name, example_names(), n=1)
        hint = f"did you mean `{close[0]}`? " if close else ""
        raise WorkbenchError(f"Unknown example `{name}`: {hint}The examples are: "
                             f"{', '.join(example_names())}.")
    return path


def load_example(name):
    """Load a bundled example. Its relative data paths resolve inside resources/."""
    return Project.load(example_path(name))


def describe_examples():
    """(name, first sentence of the description) for each example."""
    rows = []
    for name in example_names():
        description = load_example(name).description
        rows.append((name, description.split(". ")[0].rstrip(".") + "."))
    return rows
