"""Class names for a model file or a run: labels.txt (Teachable Machine or plain), run records."""

import pytest

from core.errors import WorkbenchError
from core.model_labels import (
    class_names_for,
    is_teachable_machine_labels,
    labels_file_beside,
    parse_labels,
    read_labels_file,
    run_class_names,
)
from tests.zoo_fixtures import make_run_folder


def test_teachable_machine_and_plain_formats():
    assert parse_labels("0 Flask\r\n1 Coffee mug\n\n2 Cup 2\n") == ["Flask", "Coffee mug", "Cup 2"]
    assert parse_labels("cat\n dog \n") == ["cat", "dog"]
    # Numbers that are not each line's own index are part of the names.
    assert parse_labels("3 dogs\n0 cats\n") == ["3 dogs", "0 cats"]
    assert parse_labels("0 a\n2 b\n") == ["0 a", "2 b"]
    assert parse_labels("\n \n") == []


def test_labels_file_beside_a_model(tmp_path):
    model = tmp_path / "keras_model.h5"
    assert labels_file_beside(model) is None
    (tmp_path / "keras_model_labels.txt").write_text("a\nb\n")
    assert labels_file_beside(model).name == "keras_model_labels.txt"
    (tmp_path / "labels.txt").write_text("\ufeff0 Flask\n1 Mug\n")  # a BOM, as Notepad writes
    assert labels_file_beside(model).name == "labels.txt"
    assert read_labels_file(tmp_path / "labels.txt") == ["Flask", "Mug"]
    assert is_teachable_machine_labels(tmp_path / "labels.txt")
    assert not is_teachable_machine_labels(tmp_path / "keras_model_labels.txt")
    assert class_names_for(model) == ["Flask", "Mug"]
    (tmp_path / "labels.txt").write_text("\n")
    with pytest.raises(WorkbenchError, match="names no class"):
        read_labels_file(tmp_path / "labels.txt")


def test_a_runs_class_names(tmp_path):
    evaluated = make_run_folder(tmp_path / "evaluated", class_names=["ant", "bee"])
    assert run_class_names(evaluated) == ["ant", "bee"]
    assert class_names_for(evaluated) == ["ant", "bee"]
    assert class_names_for(evaluated / "best.keras") == ["ant", "bee"]

    images = tmp_path / "images"
    for name in ("zebra", "apple", ".thumbs"):
        (images / name).mkdir(parents=True)
    unevaluated = make_run_folder(tmp_path / "unevaluated", image_folder=images)
    assert run_class_names(unevaluated) == ["apple", "zebra"]

    assert run_class_names(make_run_folder(tmp_path / "tabular")) is None
    assert class_names_for(tmp_path / "loose.keras") is None
