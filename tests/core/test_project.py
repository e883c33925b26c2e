"""The project document: round trips, atomic save, and clear errors for broken files."""

import json
import os

import pytest

from core.errors import ProjectFormatError
from core.examples import example_names, load_example
from core.project import FORMAT_VERSION, Project, migrate, save_json_atomic
from tests.paths import DATA


def test_every_example_round_trips_through_json():
    assert {"breast_cancer", "quickstart"} <= set(example_names())
    for name in example_names():
        project = load_example(name)
        d = project.to_dict()
        again = Project.from_dict(json.loads(json.dumps(d))).to_dict()
        assert again == d, name


def test_saved_sample_of_format_1_still_loads():
    project = Project.load(DATA / "breast_cancer_v1.kwb.json")
    assert project.name == "breast_cancer"
    assert [n.id for n in project.model.nodes] == ["input", "dense", "dense_1", "dense_2"]
    assert project.training["epochs"] == 15


def test_save_then_load_is_identical(tmp_path):
    project = load_example("breast_cancer")
    project.runs.append({"id": "r1", "dir": "runs/r1", "status": "finished"})
    target = tmp_path / "sub" / "p.kwb.json"
    project.save(target)
    assert Project.load(target).to_dict() == project.to_dict()
    assert [p.name for p in target.parent.iterdir()] == ["p.kwb.json"]  # no temp file left


def test_atomic_save_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "p.kwb.json"
    save_json_atomic(target, {"a": 1})

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        save_json_atomic(target, {"a": 2})
    assert json.loads(target.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["p.kwb.json"]


@pytest.mark.reliability("Project files", "empty, blank, truncated, non-object, version-less and future-version files")
@pytest.mark.parametrize("text, words", [
    ("", "is empty"),
    ("   \n", "is empty"),
    ('{"format_version": 1, "name": "x", "model": {"nodes": [', "truncated"),
    ('{"format_version": 1, name: "x"}', "line 1"),
    ("[1, 2]", "expected an object"),
    ('{"name": "x"}', "format_version"),
    ('{"format_version": 99}', "newer Keras Workbench"),
    ('{"format_version": "1"}', "format_version"),
])
def test_broken_files_get_a_clear_error(tmp_path, text, words):
    path = tmp_path / "broken.kwb.json"
    path.write_text(text)
    with pytest.raises(ProjectFormatError) as info:
        Project.load(path)
    assert words in str(info.value)
    assert str(path) in str(info.value)


@pytest.mark.reliability("Project files", "a field of the wrong type (nodes not a list, a layer config not an object, ...)")
@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["model"].update(nodes="x"), "model.nodes"),
    (lambda d: d["model"]["nodes"][1].update(inputs="input"), "model.nodes[1].inputs"),
    (lambda d: d["model"]["nodes"][2].update(id=""), "model.nodes[2].id"),
    (lambda d: d["model"]["nodes"][2].update(id="dense"), "model.nodes[2].id"),
    (lambda d: d["model"]["nodes"][1].update(config=[]), "model.nodes[1].config"),
    (lambda d: d["training"].update(epochs=0), "training.epochs"),
    (lambda d: d["training"].update(batch_size="32"), "training.batch_size"),
    (lambda d: d["training"].update(optimizer=3), "training.optimizer"),
    (lambda d: d["data"]["source"].update(kind=None), "data.source.kind"),
    (lambda d: d.update(runs={}), "runs"),
])
def test_hand_broken_fields_are_named(tmp_path, mutate, field):
    d = load_example("breast_cancer").to_dict()
    mutate(d)
    path = tmp_path / "p.kwb.json"
    path.write_text(json.dumps(d))
    with pytest.raises(ProjectFormatError) as info:
        Project.load(path)
    assert info.value.field == field
    assert f"`{field}`" in str(info.value) or field.split(".")[-1] in str(info.value)


def test_migrate_accepts_current_version():
    assert migrate({"format_version": FORMAT_VERSION})["format_version"] == FORMAT_VERSION


def test_subscribers_hear_changes_and_can_leave():
    project = Project()
    heard = []
    leave = project.subscribe(lambda p, what: heard.append(what))
    project.notify("model")
    leave()
    project.notify("data")
    assert heard == ["model"]


def test_relative_paths_resolve_against_the_project_file(tmp_path):
    project = Project(path=tmp_path / "p.kwb.json")
    assert project.resolve_path("data/x.csv") == tmp_path / "data" / "x.csv"
    assert project.resolve_path(str(tmp_path / "abs.csv")) == tmp_path / "abs.csv"


def test_save_as_elsewhere_keeps_relative_data_paths_working(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "data.csv").write_text("x,y\n1,0\n")
    project = Project(path=tmp_path / "a" / "p.kwb.json")
    project.data.source = {"kind": "csv", "path": "data.csv", "target": "y"}
    project.save(tmp_path / "b" / "deeper" / "p.kwb.json")
    assert project.data.source["path"] == "../../a/data.csv"
    assert project.resolve_path(project.data.source["path"]).resolve() == \
        (tmp_path / "a" / "data.csv").resolve()
    project.data.source["path"] = ["../../a/data.csv", str(tmp_path / "abs.csv")]
    project.save(tmp_path / "p.kwb.json")
    assert project.data.source["path"] == ["a/data.csv", str(tmp_path / "abs.csv")]


def test_save_as_elsewhere_keeps_carried_weights(tmp_path):
    project = Project(path=tmp_path / "p.kwb.json")
    project.model.weights = "p.weights.h5"
    project.save(tmp_path / "sub" / "p.kwb.json")
    assert project.model.weights == "../p.weights.h5"
