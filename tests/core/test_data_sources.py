"""Array and synthetic sources: sklearn, random, npz, ratings."""

import numpy as np
import pytest

from core.data import describe_source, load_source, prepare_data
from core.errors import DataError
from core.project import DataSpec, Project


def make_project(tmp_path, source, loss="sparse_categorical_crossentropy", **prep):
    project = Project(path=tmp_path / "p.kwb.json")
    project.data = DataSpec.from_dict({"source": source, "preprocessing": prep})
    project.training["loss"] = loss
    return project


@pytest.mark.parametrize("name, shape, task, classes", [
    ("breast_cancer", (30,), "binary", 2),
    ("iris", (4,), "multiclass", 3),
    ("wine", (13,), "multiclass", 3),
    ("digits", (64,), "multiclass", 10),
    ("diabetes", (10,), "regression", None),
])
def test_sklearn_datasets_are_described(tmp_path, name, shape, task, classes):
    info = describe_source(make_project(tmp_path, {"kind": "sklearn", "name": name}))
    assert (info.input_shape, info.task, info.num_classes) == (shape, task, classes)
    assert info.name == name and len(info.feature_names) == shape[0]


def test_digits_as_images(tmp_path):
    loaded = load_source(make_project(tmp_path, {"kind": "sklearn", "name": "digits",
                                                 "as_images": True}))
    assert loaded.x.shape == (1797, 8, 8, 1) and loaded.info.input_shape == (8, 8, 1)
    assert loaded.x.max() == 16


def test_sklearn_unknown_name_lists_the_choices(tmp_path):
    with pytest.raises(DataError, match=r"`data.source.name`.*'iris'.*received 'mnist'"):
        describe_source(make_project(tmp_path, {"kind": "sklearn", "name": "mnist"}))


def test_unknown_kind_and_empty_source(tmp_path):
    with pytest.raises(DataError, match="Unknown data source kind 'parquet'"):
        describe_source(make_project(tmp_path, {"kind": "parquet"}))
    with pytest.raises(DataError, match="no data source"):
        describe_source(make_project(tmp_path, {}))


def test_random_is_seeded_and_learnable(tmp_path):
    source = {"kind": "random", "samples": 600, "features": 10, "seed": 3}
    a = load_source(make_project(tmp_path, source))
    b = load_source(make_project(tmp_path, source))
    c = load_source(make_project(tmp_path, {**source, "seed": 4}))
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, c.x)
    assert a.x.shape == (600, 10) and a.info.task == "binary"
    assert 0.3 < a.y.mean() < 0.7
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression().fit(a.x[:400], a.y[:400])
    assert model.score(a.x[400:], a.y[400:]) > 0.9  # the rule is linear, so it is learnable


def test_random_rejects_bad_settings(tmp_path):
    with pytest.raises(DataError, match=r"`data.source.features`: expected an integer"):
        describe_source(make_project(tmp_path, {"kind": "random", "features": "ten"}))
    with pytest.raises(DataError, match=r"`data.source.samples`: expected a number of at least 2"):
        describe_source(make_project(tmp_path, {"kind": "random", "samples": 1}))


def test_npz_with_x_and_y(tmp_path):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "d.npz", x=rng.random((50, 6, 6)), y=np.eye(3)[rng.integers(0, 3, 50)])
    info = describe_source(make_project(tmp_path, {"kind": "npz", "path": "d.npz"}))
    assert info.input_shape == (6, 6) and info.task == "multiclass"  # one-hot rows read back
    assert sum(info.class_counts.values()) == 50


def test_npz_with_held_out_test_set(tmp_path):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "d.npz", x_train=rng.random((40, 3)), y_train=rng.integers(0, 2, 40),
             x_test=rng.random((10, 3)), y_test=rng.integers(0, 2, 10))
    data = prepare_data(make_project(tmp_path, {"kind": "npz", "path": "d.npz"},
                                     test_split=0.5, validation_split=0.25))
    assert len(data.test[0]) == 10          # the file's own test set, not cut again
    assert len(data.train[0]) + len(data.validation[0]) == 40
    assert data.summary["split"]["held_out"] == ["test"]


def test_npz_refuses_pickles_and_names_missing_arrays(tmp_path):
    np.savez(tmp_path / "obj.npz", x=np.array([{"a": 1}, {"b": 2}], dtype=object), y=[0, 1])
    with pytest.raises(DataError, match="Python objects.*can run code"):
        describe_source(make_project(tmp_path, {"kind": "npz", "path": "obj.npz"}))
    np.savez(tmp_path / "k.npz", features=np.zeros((4, 2)))
    with pytest.raises(DataError, match="has `features`: it needs arrays named `x` and `y`"):
        describe_source(make_project(tmp_path, {"kind": "npz", "path": "k.npz"}))
    with pytest.raises(DataError, match=r"not found: .*nope.npz.*relative to the project"):
        describe_source(make_project(tmp_path, {"kind": "npz", "path": "nope.npz"}))


def test_ratings_are_seeded_two_input_regression(tmp_path):
    source = {"kind": "ratings", "users": 30, "items": 20, "samples": 400, "factors": 3, "seed": 1}
    a = load_source(make_project(tmp_path, source))
    b = load_source(make_project(tmp_path, source))
    np.testing.assert_array_equal(a.y, b.y)
    assert set(a.x) == {"user", "item"} and a.x["user"].shape == (400, 1)
    assert a.x["user"].max() < 30 and a.x["item"].max() < 20
    assert a.info.input_shape == {"user": (1,), "item": (1,)}
    assert a.info.vocabulary_size == {"user": 30, "item": 20}
    assert a.info.task == "regression" and 1 <= a.y.min() and a.y.max() <= 5
    pairs = set(zip(a.x["user"][:, 0], a.x["item"][:, 0]))
    assert len(pairs) == 400  # distinct (user, item) pairs
    data = prepare_data(make_project(tmp_path, source, loss="mse", scaling="standard"))
    assert data.train[0]["user"].dtype == np.int32  # ids are never scaled
    assert any("does not apply to ratings" in w for w in data.info.warnings)
    with pytest.raises(DataError, match="make only 600 pairs"):
        describe_source(make_project(tmp_path, {**source, "samples": 601}))
