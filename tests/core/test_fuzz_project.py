"""Fuzz the project loader: whatever a file holds, only the app's own errors escape.

Random JSON-like documents and mutations of a real project (keys dropped, types
changed, garbage inserted) go through ``Project.from_dict``; the same documents,
truncated bytes and non-UTF-8 bytes go through ``Project.load`` from a file.
Either a Project comes back or a WorkbenchError does: a KeyError, TypeError or
AttributeError escaping would be a crash of the window on Open.
"""

import copy
import json
import tempfile
from pathlib import Path

import pytest

from core.errors import ProjectFormatError, WorkbenchError
from core.project import Project

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

REAL = json.loads((Path(__file__).parent.parent / "data" / "breast_cancer_v1.kwb.json")
                  .read_text(encoding="utf-8"))

# Deterministic in CI: the same examples on every run; the autouse app-home
# fixture is function-scoped but the code under test never touches it.
FUZZ = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

scalars = (st.none() | st.booleans() | st.integers(-10**6, 10**20)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12))
json_like = st.recursive(
    scalars,
    lambda children: (st.lists(children, max_size=4)
                      | st.dictionaries(st.text(max_size=10), children, max_size=4)),
    max_leaves=20)

# Paths into the real document: (key, key, ...) lists that a mutation targets.
def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, prefix + (i,))


REAL_PATHS = [p for p in _paths(REAL) if p]


@st.composite
def mutated_projects(draw):
    """The real project with a few of its fields dropped, retyped or stuffed with garbage."""
    doc = copy.deepcopy(REAL)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(REAL_PATHS))
        parent = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or retyped an ancestor
        action = draw(st.sampled_from(["drop", "replace", "insert"]))
        if action == "drop":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(json_like)
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(json_like)
        else:
            parent.insert(draw(st.integers(0, len(parent))), draw(json_like))
    return doc


def _from_dict(doc):
    try:
        project = Project.from_dict(doc)
    except WorkbenchError:
        return None
    # A document that loads must also survive the round trip a save makes.
    Project.from_dict(json.loads(json.dumps(project.to_dict())))
    return project


def _load_bytes(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.kwb.json"
        path.write_bytes(data)
        try:
            return Project.load(path)
        except WorkbenchError:
            return None


def test_real_project_loads():
    """The seed the mutations start from is itself a valid project."""
    assert Project.from_dict(copy.deepcopy(REAL)).name == "breast_cancer"


@pytest.mark.reliability("Project files", "random JSON documents (hypothesis)", examples=120)
@FUZZ
@given(json_like)
@example([])
@example({"format_version": 1, "model": {"nodes": [None]}})
def test_random_documents(doc):
    _from_dict(doc)


@pytest.mark.reliability("Project files", "a real project with one field mutated (hypothesis)", examples=120)
@FUZZ
@given(mutated_projects())
def test_mutated_real_project(doc):
    _from_dict(doc)


@pytest.mark.reliability("Project files", "mutated project files read from disk (hypothesis)", examples=120)
@FUZZ
@given(mutated_projects())
def test_mutated_project_files(doc):
    _load_bytes(json.dumps(doc).encode("utf-8"))


@pytest.mark.reliability("Project files", "truncated and garbled files (hypothesis)", examples=120)
@FUZZ
@given(st.integers(0, len(json.dumps(REAL))), st.binary(max_size=8))
def test_truncated_and_garbled_files(cut, garbage):
    """Cut the real file anywhere and append random (often non-UTF-8) bytes."""
    data = json.dumps(REAL, indent=2).encode("utf-8")
    _load_bytes(data[:cut] + garbage)


def _deep_config_file(depth):
    """The real project with one layer config nested ``depth`` dicts deep."""
    doc = copy.deepcopy(REAL)
    inner = doc["model"]["nodes"][1]["config"]
    for _ in range(depth):
        inner["x"] = {}
        inner = inner["x"]
    return json.dumps(doc).encode("utf-8")


@pytest.mark.reliability("Project files", "empty, BOM-only, non-UTF-8 and non-object files")
@pytest.mark.parametrize("data", [b"", b"\xff\xfe\x00", b"\xef\xbb\xbf", b"[1, 2]", b"null",
                                  b'{"format_version": 1, "name": "\xe9t\xe9"}', b"1e999999",
                                  # regression: RecursionError escaped from json.loads
                                  b"[" * 50000],
                         ids=lambda data: repr(data[:12]))
def test_odd_files_raise_project_format_error(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "odd.kwb.json"
        path.write_bytes(data)
        with pytest.raises(ProjectFormatError):
            Project.load(path)


@pytest.mark.reliability("Project files", "documents nested thousands deep")
def test_deeply_nested_config_is_a_project_format_error():
    """Regression: a layer config nested 600 deep parses, then RecursionError escaped
    from the deepcopy in from_dict. Python's default recursion limit is pinned here
    because importing Keras raises it (another test may have done so first)."""
    import sys

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        with pytest.raises(ProjectFormatError, match="nested too deeply"):
            _load_raising(_deep_config_file(600))
    finally:
        sys.setrecursionlimit(limit)


def _load_raising(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "deep.kwb.json"
        path.write_bytes(data)
        Project.load(path)
