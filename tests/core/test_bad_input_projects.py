"""Broken project files: each is refused by Project.load with a message naming the file and
the fix, or (a dangling edge, an unknown layer class) loads and is reported by the
analysis on the node at fault; never a raw traceback, never a silent wrong project.

Empty, version-less and future-version files are proven in tests/core/test_project.py
(test_broken_files_get_a_clear_error); the same kinds of file go through the window in
tests/ui/test_bad_input_window.py.
"""

import json

import pytest

from core.errors import ProjectFormatError, WorkbenchError
from core.examples import load_example
from core.open_source import open_source
from core.project import Project


def example_document():
    return load_example("breast_cancer").to_dict()


def write(path, text_or_bytes):
    if isinstance(text_or_bytes, bytes):
        path.write_bytes(text_or_bytes)
    else:
        path.write_text(text_or_bytes, encoding="utf-8")
    return path


def refused(path, *words):
    """Project.load(path) raises ProjectFormatError naming the file and holding ``words``."""
    with pytest.raises(ProjectFormatError) as info:
        Project.load(path)
    message = str(info.value)
    assert str(path) in message, message
    for word in words:
        assert word in message, message
    return info.value


# -- hand-broken JSON ----------------------------------------------------------------------

BROKEN_JSON = {
    "a missing closing brace": ('{"format_version": 1, "name": "x"', "truncated"),
    "a missing opening brace": ('"format_version": 1, "name": "x"}', "line 1"),
    "a trailing comma": ('{"format_version": 1, "name": "x",}', "line 1"),
    "single quotes": ("{'format_version': 1}", "line 1"),
    "an unquoted key": ('{"format_version": 1,\n name: "x"}', "line 2"),
    "a comment": ('{"format_version": 1 // the version\n}', "line 1"),
    "two documents": ('{"format_version": 1}\n{"format_version": 1}', "line 2"),
}


@pytest.mark.reliability("Project files", "hand-broken JSON (a missing brace, a trailing comma, quotes, comments)")
@pytest.mark.parametrize("text, where", BROKEN_JSON.values(), ids=list(BROKEN_JSON))
def test_hand_broken_json_names_the_place(tmp_path, text, where):
    refused(write(tmp_path / "p.kwb.json", text), "not valid JSON", where, "text editor")


# -- a field of the wrong type ---------------------------------------------------------------

def _set(path, value):
    """A mutation setting the field at ``path`` (a tuple of keys) of the document to ``value``."""
    def mutate(d):
        target = d
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return mutate


# (field as the message names it, path in the document, bad value)
WRONG_TYPES = [
    ("model", ("model",), []),
    ("model.nodes", ("model", "nodes"), {"dense": {}}),
    ("model.nodes[1]", ("model", "nodes", 1), "dense"),
    ("model.nodes[1].class_name", ("model", "nodes", 1, "class_name"), 3),
    ("model.nodes[1].config", ("model", "nodes", 1, "config"), "units=30"),
    ("model.nodes[1].inputs[0]", ("model", "nodes", 1, "inputs", 0), 5),
    ("model.nodes[1].shares", ("model", "nodes", 1, "shares"), 7),
    ("model.outputs", ("model", "outputs"), "output"),
    ("model.weights", ("model", "weights"), 5),
    ("model.layout", ("model", "layout"), [[0, 0]]),
    ("model.layout.dense", ("model", "layout"), {"dense": "top left"}),
    ("data", ("data",), "iris"),
    ("data.source", ("data", "source"), ["csv"]),
    ("data.preprocessing", ("data", "preprocessing"), 0.2),
    ("training", ("training",), ["adam"]),
    ("training.epochs", ("training", "epochs"), -5),
    ("training.epochs", ("training", "epochs"), 2.5),
    ("training.metrics", ("training", "metrics"), "accuracy"),
    ("name", ("name",), 5),
    ("runs[0]", ("runs",), ["run_1"]),
    ("format_version", ("format_version",), True),
    ("format_version", ("format_version",), 0),
    ("format_version", ("format_version",), 1.5),
]


@pytest.mark.reliability("Project files", "a field of the wrong type (nodes not a list, a layer config not an object, ...)")
@pytest.mark.parametrize("field, path, value", WRONG_TYPES,
                         ids=[f"{f}={v!r}" for f, _, v in WRONG_TYPES])
def test_a_field_of_the_wrong_type_is_named(tmp_path, field, path, value):
    d = example_document()
    _set(path, value)(d)
    error = refused(write(tmp_path / "p.kwb.json", json.dumps(d)), f"`{field}`", "expected")
    assert error.field == field


# -- truncated, empty, binary, future, not a file ----------------------------------------------

@pytest.mark.reliability("Project files", "a real project file truncated at 1% to 99% of its length")
@pytest.mark.parametrize("fraction", [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99])
def test_a_truncated_file_is_refused(tmp_path, fraction):
    text = json.dumps(example_document(), indent=2)
    cut = text[:int(len(text) * fraction)]
    refused(write(tmp_path / "p.kwb.json", cut), "not valid JSON", "restore")


BINARY = {
    "PNG bytes": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "a zip (a .keras model renamed)": b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(64),
    "NUL bytes": bytes(100),
    "UTF-16 text": json.dumps({"format_version": 1}).encode("utf-16"),
    "Latin-1 text": '{"format_version": 1, "name": "caf\xe9"}'.encode("latin-1"),
}


@pytest.mark.reliability("Project files", "a binary file opened as a project (PNG, zip, NUL bytes, UTF-16, Latin-1)")
@pytest.mark.parametrize("content", BINARY.values(), ids=list(BINARY))
def test_a_binary_file_is_refused(tmp_path, content):
    error = refused(write(tmp_path / "p.kwb.json", content))
    assert "project file" in str(error).lower()
    assert "Traceback" not in str(error) and "codec" not in str(error)  # no Python internals


@pytest.mark.reliability("Project files", "a folder, or a file that does not exist, given as the project")
@pytest.mark.parametrize("kind", ["folder", "missing", "missing folder"])
def test_a_folder_or_missing_path_is_named(tmp_path, kind):
    path = {"folder": tmp_path / "proj.kwb.json", "missing": tmp_path / "none.kwb.json",
            "missing folder": tmp_path / "gone" / "p.kwb.json"}[kind]
    if kind == "folder":
        path.mkdir()
    words = ("is a folder",) if kind == "folder" else ("not found", "Check the path")
    refused(path, *words)
    with pytest.raises(WorkbenchError) as info:  # what Open and the command line go through
        open_source(str(path))
    assert str(path) in str(info.value) and words[0] in str(info.value)


# -- loads, but the analysis reports it -------------------------------------------------------

GRAPH_DAMAGE = {
    "an unknown layer class": (lambda d: d["model"]["nodes"][1].update(class_name="Dense2"),
                               "class_name", "Unknown layer class `Dense2`"),
    "a dangling edge": (lambda d: d["model"]["nodes"][1].update(inputs=["ghost"]),
                        "inputs", "`ghost`"),
    "an output that does not exist": (lambda d: d["model"].update(outputs=["ghost"]),
                                      None, "`ghost`"),
    "a Lambda layer": (lambda d: d["model"]["nodes"][1].update(class_name="Lambda"),
                       None, "Lambda"),
}


@pytest.mark.reliability("Project files", "a graph with an unknown layer class, a dangling edge or a missing output")
@pytest.mark.parametrize("damage, field, words", GRAPH_DAMAGE.values(), ids=list(GRAPH_DAMAGE))
def test_a_damaged_graph_loads_and_the_analysis_names_the_node(tmp_path, damage, field, words):
    from core.analysis import analyze
    from core.builder import build_model

    d = example_document()
    damage(d)
    project = Project.load(write(tmp_path / "p.kwb.json", json.dumps(d)))
    node_id = d["model"]["nodes"][1]["id"]
    result = analyze(project.model)
    assert not result.ok
    problem = next(p for p in result.problems if words in p.message)
    if field is not None:
        assert (problem.node, problem.field) == (node_id, field)
    with pytest.raises(WorkbenchError, match=words.replace("`", ".")):
        build_model(project.model)
