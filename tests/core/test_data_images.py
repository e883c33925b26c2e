"""The image_folder source: scanning, skipping corrupt files, tf.data pipelines."""

import numpy as np
import pytest

from core.data import apply_preprocessing, check_compatibility, describe_source, prepare_data
from core.data.images import ImagePipelines, ImageLoader
from core.errors import DataError
from core.project import DataSpec, Project


def make_project(tmp_path, source, loss="sparse_categorical_crossentropy", **prep):
    project = Project(path=tmp_path / "p.kwb.json")
    project.data = DataSpec.from_dict({"source": source, "preprocessing": prep})
    project.training["loss"] = loss
    project.training["batch_size"] = 4
    return project


@pytest.fixture
def folder(tmp_path):
    """cats/ (8 dark images, one corrupt file, one note) and dogs/ (8 bright images)."""
    from PIL import Image

    rng = np.random.default_rng(0)
    root = tmp_path / "pets"
    for name, low in (("cats", 0), ("dogs", 128)):
        (root / name).mkdir(parents=True)
        for i in range(8):
            pixels = rng.integers(low, low + 128, (10, 14, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.{'png' if i % 2 else 'jpg'}")
    good = (root / "cats" / "1.png").read_bytes()
    (root / "cats" / "broken.png").write_bytes(good[: len(good) // 2])
    (root / "cats" / "notes.txt").write_text("not an image")
    (root / "cats" / ".DS_Store").write_bytes(b"\0")
    return root


@pytest.mark.reliability("Image data", "a corrupt PNG, a text file and a hidden file in a class folder (skipped and listed; hidden ignored)")
def test_scan_skips_and_lists_unreadable_files(tmp_path, folder):
    info = describe_source(make_project(tmp_path, {"kind": "image_folder", "path": "pets",
                                                   "image_size": [16, 16]}))
    assert info.class_names == ["cats", "dogs"] and info.task == "binary"
    assert info.class_counts == {"cats": 8, "dogs": 8} and info.num_samples == 16
    assert info.input_shape == (16, 16, 3)
    skipped = {p.split("/")[-1]: reason for p, reason in info.skipped}
    assert set(skipped) == {"broken.png", "notes.txt"}  # hidden files are ignored quietly
    assert "cannot be read as an image" in skipped["broken.png"]
    assert "not an image file type (.txt)" in skipped["notes.txt"]
    assert any("2 files in pets were skipped" in w for w in info.warnings)


def test_prepared_datasets_stream_every_good_image(tmp_path, folder):
    source = {"kind": "image_folder", "path": "pets", "image_size": [16, 16],
              "color_mode": "grayscale"}
    data = prepare_data(make_project(tmp_path, source, "categorical_crossentropy",
                                     test_split=0.25, validation_split=0.25, stratify=True,
                                     scaling="minmax"))
    assert data.streamed and data.summary["split"]["sizes"] == {"train": 9, "validation": 3,
                                                                "test": 4}
    seen = 0
    for part in ("train", "validation", "test"):
        for images, labels in getattr(data, part):
            assert images.shape[1:] == (16, 16, 1) and labels.shape[1:] == (2,)
            assert 0.0 <= float(images.numpy().min()) and float(images.numpy().max()) <= 1.0
            seen += len(images)
    assert seen == 16
    kwargs = data.fit_arguments(batch_size=3)
    assert set(kwargs) == {"x", "validation_data", "shuffle"}
    assert [len(x) for x, _ in kwargs["x"]] == [3, 3, 3]
    assert list(data.evaluate_arguments()) == ["x"]


def test_standard_scaling_is_fitted_per_channel_on_training_images(tmp_path, folder):
    source = {"kind": "image_folder", "path": "pets", "image_size": [8, 8]}
    data = prepare_data(make_project(tmp_path, source, test_split=0.5, validation_split=0,
                                     scaling="standard"))
    scaling = data.summary["scaling"]
    assert scaling["per"] == "channel" and len(scaling["mean"]) == 3
    images = np.concatenate([x.numpy() for x, _ in data.train])
    np.testing.assert_allclose(images.reshape(-1, 3).mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(images.reshape(-1, 3).std(axis=0), 1.0, atol=1e-3)


@pytest.mark.reliability("Image data", "an image that fails to decode while training (replaced in the pipeline; prediction names it)")
def test_the_pipeline_replaces_images_that_fail_to_decode(tmp_path, folder):
    loader = ImageLoader([8, 8], "rgb")
    files = np.array([str(folder / "dogs" / "0.jpg"), str(folder / "cats" / "broken.png"),
                      str(folder / "dogs" / "1.png")])
    pipelines = ImagePipelines(loader, {"train": (files, np.array([1, 0, 1]))}, None, 0)
    dataset = pipelines.dataset("train", 2)
    assert int(dataset.cardinality()) == 2  # known, so Keras sees whole epochs
    labels = np.concatenate([y.numpy() for _, y in dataset])
    assert list(labels) == [1, 1, 1]  # the broken cat is dropped, the next good image fills in
    with pytest.raises(DataError, match=r"Cannot read image .*broken.png"):
        loader.transform(files, None)


@pytest.mark.filterwarnings("error")
@pytest.mark.slow
def test_a_small_model_trains_on_the_folder(tmp_path, folder):
    from core.keras_env import keras

    K = keras()
    source = {"kind": "image_folder", "path": "pets", "image_size": [8, 8]}
    project = make_project(tmp_path, source, "binary_crossentropy", scaling="minmax")
    data = prepare_data(project)
    model = K.Sequential([K.Input((8, 8, 3)), K.layers.Flatten(), K.layers.Dense(1, "sigmoid")])
    assert check_compatibility(project, data.info, {"input": (8, 8, 3)}, (1,)) == []
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(**data.fit_arguments(), epochs=2, verbose=0)
    assert len(history.history["val_loss"]) == 2
    assert len(model.evaluate(**data.evaluate_arguments(), verbose=0)) == 2
    x = apply_preprocessing(data.preprocessing_summary(), [str(folder / "dogs" / "3.png")])
    assert x.shape == (1, 8, 8, 3) and 0.5 <= x.min() and x.max() <= 1.0  # bright, scaled


@pytest.mark.reliability("Image data", "one class folder, an empty class folder, a zero image size")
def test_folders_that_cannot_make_a_classifier(tmp_path, folder):
    import shutil

    shutil.rmtree(folder / "dogs")
    with pytest.raises(DataError, match="1 class sub-folder.*at least two"):
        describe_source(make_project(tmp_path, {"kind": "image_folder", "path": "pets"}))
    (folder / "empty").mkdir()
    with pytest.raises(DataError, match="class folder `empty`.*no readable images"):
        describe_source(make_project(tmp_path, {"kind": "image_folder", "path": "pets"}))
    with pytest.raises(DataError, match=r"`data.source.image_size`: expected \[height, width\]"):
        describe_source(make_project(tmp_path, {"kind": "image_folder", "path": "pets",
                                                "image_size": [0, 8]}))
