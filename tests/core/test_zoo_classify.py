"""Classification and Grad-CAM on real photos, with a zoo model, a model file and a run.

Photos come with installed packages (scikit-learn's sample images, Matplotlib's
sample data); the zoo model is MobileNetV2 with stand-in weights in a temporary
Keras cache (tests.zoo_fixtures), so everything runs offline.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.errors import WorkbenchError
from core.zoo.classify import open_classifier
from core.zoo.gradcam import class_activation_map, grad_cam, overlay
from core.zoo.images import read_rgb
from tests.paths import ROOT
from tests.zoo_fixtures import make_run_folder, write_standin_weights


def _photos():
    import matplotlib.cbook
    import sklearn.datasets

    folder = Path(sklearn.datasets.__file__).parent / "images"
    hopper = Path(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    return [folder / "china.jpg", folder / "flower.jpg", hopper]


PHOTOS = _photos()


@pytest.fixture(scope="module")
def zoo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("keras_home")
    write_standin_weights("mobilenet_v2", home, spread=True)
    return home


@pytest.fixture(scope="module")
def classifier(zoo_home):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KERAS_HOME", str(zoo_home))
        return open_classifier("mobilenet_v2")


def _keras():
    from core.keras_env import keras

    return keras()


def test_zoo_model_labels_photos_as_a_plain_keras_pipeline_does(classifier):
    from keras.applications.mobilenet_v2 import preprocess_input

    from core.zoo.labels import imagenet_labels

    results = classifier.classify(PHOTOS, top=5, batch_size=2)
    images = [np.asarray(Image.open(p).convert("RGB").resize((224, 224), Image.BILINEAR),
                         np.float32) for p in PHOTOS]
    expected = classifier.model.predict(preprocess_input(np.stack(images)), verbose=0)
    assert [r.input for r in results] == [str(p) for p in PHOTOS]
    for result, row in zip(results, expected):
        assert result.ok and len(result.top) == 5
        assert [t["index"] for t in result.top] == list(np.argsort(-row)[:5])
        np.testing.assert_allclose([t["score"] for t in result.top], np.sort(row)[::-1][:5],
                                   rtol=1e-4)
        assert [t["label"] for t in result.top] == [imagenet_labels()[t["index"]]
                                                    for t in result.top]
    assert results[0].image_size == (640, 427)
    assert classifier.kind == "zoo" and classifier.notes == []


def test_bad_files_get_their_own_error_and_the_rest_go_on(classifier, tmp_path):
    shutil.copy(PHOTOS[0], tmp_path / "a_good.jpg")
    (tmp_path / "b_empty.jpg").write_bytes(b"")
    (tmp_path / "c_text.jpg").write_text("hello")
    data = PHOTOS[1].read_bytes()
    (tmp_path / "d_corrupt.jpg").write_bytes(data[: len(data) // 3])
    shutil.copy(PHOTOS[2], tmp_path / "e_good.jpg")
    seen, stops = [], []
    results = classifier.classify([tmp_path], top=2, batch_size=2,
                                  on_result=lambda p, done, total: seen.append((done, total)))
    assert [Path(r.input).name for r in results] == ["a_good.jpg", "b_empty.jpg", "c_text.jpg",
                                                     "d_corrupt.jpg", "e_good.jpg"]
    assert [r.ok for r in results] == [True, False, False, False, True]
    assert "empty" in results[1].error and "damaged" in results[3].error
    assert results[1].to_dict() == {"input": results[1].input, "error": results[1].error}
    assert seen == [(i, 5) for i in range(1, 6)]
    stopped = classifier.classify([tmp_path], batch_size=2,
                                  should_stop=lambda: stops.append(1) or True)
    assert len(stopped) == 2  # the batch under way is finished, then it stops


def test_predict_command_in_process(classifier, tmp_path, monkeypatch, capsys):
    """The table output and the exit status; the model is the one already loaded."""
    from cli.parser import parse_command_line
    from cli.run import run_command
    from core.zoo import classify

    monkeypatch.setattr(classify, "open_classifier", lambda spec: classifier)
    bad = tmp_path / "bad.jpg"
    bad.write_text("no")

    def predict(*inputs):
        return run_command(parse_command_line(["predict", "mobilenet_v2", *map(str, inputs),
                                               "--top", "2"]))

    assert predict(PHOTOS[0], bad) == 0  # one image classified: done, errors shown per input
    out = capsys.readouterr().out.splitlines()
    assert out[0] == str(PHOTOS[0]) and out[1].startswith("  1. ") and out[3] == str(bad)
    assert out[2].startswith("  2. ") and out[4].startswith("  error: Cannot read bad.jpg")
    assert predict(bad, tmp_path / "missing.png") == 2  # nothing could be classified
    assert "Cannot read missing.png: no such file" in capsys.readouterr().out
    (tmp_path / "empty").mkdir()
    assert predict(tmp_path / "empty") == 2
    assert "No images in" in capsys.readouterr().err


@pytest.mark.slow
def test_predict_command_prints_one_json_object_per_input(zoo_home, tmp_path):
    (tmp_path / "broken.jpg").write_text("not an image")
    env = dict(os.environ, KERAS_HOME=str(zoo_home))
    done = subprocess.run(
        [sys.executable, "main.py", "predict", "mobilenet_v2", str(PHOTOS[0].parent),
         str(PHOTOS[2]), str(tmp_path / "broken.jpg"), "--top", "3", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [Path(x["input"]).name for x in lines] == ["china.jpg", "flower.jpg",
                                                      "grace_hopper.jpg", "broken.jpg"]
    for line in lines[:3]:
        assert [set(t) for t in line["top"]] == [{"label", "index", "score"}] * 3
    assert lines[3]["error"].startswith("Cannot read broken.jpg: it is not an image")


def test_grad_cam_of_a_zoo_model_has_the_images_size(classifier):
    rgb = read_rgb(PHOTOS[2])
    cam = grad_cam(classifier, rgb)
    assert cam.heatmap.shape == rgb.shape[:2] and cam.heatmap.dtype == np.float32
    assert cam.heatmap.min() >= 0 and cam.heatmap.max() == pytest.approx(1.0, abs=0.02)
    assert cam.layer == "out_relu"  # MobileNetV2's last convolutional feature map
    assert cam.class_index == classifier.classify([PHOTOS[2]], top=1)[0].top[0]["index"]
    shown = overlay(rgb, cam.heatmap)
    assert shown.shape == rgb.shape and shown.dtype == np.uint8
    hot = cam.heatmap > 0.8
    assert np.abs(shown[hot].astype(int) - rgb[hot]).mean() > 10
    assert grad_cam(classifier, rgb, class_index=3).class_index == 3


def _tiny_cnn(classes=3, channels=3):
    k = _keras()
    k.utils.set_random_seed(0)
    return k.Sequential([
        k.Input((32, 32, channels)),
        k.layers.Conv2D(4, 3, activation="relu", name="conv"),
        k.layers.GlobalAveragePooling2D(),
        k.layers.Dense(classes, activation="softmax")])


def test_grad_cam_finds_the_feature_map_in_nested_models_and_refuses_dense_ones():
    k = _keras()
    inner = k.Sequential([k.Input((32, 32, 3)), k.layers.Conv2D(4, 3, name="inner_conv"),
                          k.layers.ReLU(name="inner_relu")], name="inner")
    inputs = k.Input((32, 32, 3))
    outputs = k.layers.Dense(2, activation="softmax")(k.layers.Flatten()(inner(inputs)))
    cam, index, layer = class_activation_map(k.Model(inputs, outputs),
                                             np.random.default_rng(0).random((1, 32, 32, 3)))
    assert (cam.shape, layer) == ((30, 30), "inner_relu") and 0 <= index < 2
    assert inner.layers[0].call.__name__ == "call"  # the watch is undone

    dense = k.Sequential([k.Input((4,)), k.layers.Dense(2, activation="softmax")])
    with pytest.raises(WorkbenchError, match="needs a convolutional model"):
        class_activation_map(dense, np.zeros((1, 4), np.float32))


def test_a_model_file_with_teachable_machine_labels(tmp_path):
    model = _tiny_cnn()
    model.save(tmp_path / "keras_model.keras")
    (tmp_path / "labels.txt").write_text("0 Flask\n1 Mug\n2 Cup\n")
    classifier = open_classifier(tmp_path / "keras_model.keras")
    assert (classifier.kind, classifier.labels, classifier.notes) == ("file", ["Flask", "Mug",
                                                                               "Cup"], [])
    rgb = read_rgb(PHOTOS[1])
    x = np.asarray(Image.fromarray(rgb).resize((32, 32), Image.BILINEAR), np.float32)
    expected = model.predict((x / 127.5 - 1.0)[None], verbose=0)[0]  # Teachable Machine's scaling
    result = classifier.classify([PHOTOS[1]], top=3)[0]
    assert [t["index"] for t in result.top] == list(np.argsort(-expected))
    assert result.top[0]["label"] == classifier.labels[int(np.argmax(expected))]
    assert grad_cam(classifier, rgb).heatmap.shape == rgb.shape[:2]

    (tmp_path / "labels.txt").unlink()
    bare = open_classifier(tmp_path / "keras_model.keras")
    assert bare.labels == ["class 0", "class 1", "class 2"] and "labels.txt" in bare.notes[0]
    np.testing.assert_allclose(bare.predict_images([rgb])[0],
                               model.predict(x[None], verbose=0)[0], rtol=1e-5)  # 0..255


def test_a_run_folder_uses_its_class_names_and_scaling(tmp_path):
    model = _tiny_cnn(classes=2, channels=1)
    run = make_run_folder(tmp_path / "run", model=model, class_names=["cat", "dog"],
                          scaling="minmax")
    classifier = open_classifier(run)
    assert (classifier.kind, classifier.labels, classifier.name) == ("run", ["cat", "dog"],
                                                                     "tiny_images")
    rgb = read_rgb(PHOTOS[0])
    import tensorflow as tf

    gray = tf.image.rgb_to_grayscale(tf.image.resize(rgb, (32, 32))).numpy() / 255.0
    expected = model.predict(gray[None], verbose=0)[0]
    np.testing.assert_allclose(classifier.predict_images([rgb])[0], expected, rtol=1e-3)
    assert open_classifier(run / "best.keras").kind == "run"

    empty = make_run_folder(tmp_path / "unfinished")
    with pytest.raises(WorkbenchError, match="no trained model yet.*--resume"):
        open_classifier(empty)


def test_what_cannot_be_opened_says_why(tmp_path):
    k = _keras()
    k.Sequential([k.Input((4,)), k.layers.Dense(2)]).save(tmp_path / "table.keras")
    with pytest.raises(WorkbenchError, match=r"takes inputs of shape \(4,\), not images"):
        open_classifier(tmp_path / "table.keras")
    with pytest.raises(WorkbenchError, match="Model file not found"):
        open_classifier(tmp_path / "gone.keras")
    with pytest.raises(WorkbenchError, match="Unknown zoo model `mobilenet_v9`.*`mobilenet_v2`"):
        open_classifier("mobilenet_v9")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(WorkbenchError, match="is not a Keras model"):
        open_classifier(tmp_path / "notes.txt")
    with pytest.raises(WorkbenchError, match="is not a run folder"):
        open_classifier(tmp_path)


def test_a_run_with_standard_scaling_fits_it_again_on_its_images(tmp_path):
    rng = np.random.default_rng(0)
    for index, name in enumerate(("dark", "light")):
        (tmp_path / "images" / name).mkdir(parents=True)
        for i in range(5):
            pixels = rng.integers(0, 100, (12, 12, 3)) + 120 * index
            Image.fromarray(pixels.astype(np.uint8)).save(tmp_path / "images" / name / f"{i}.png")
    model = _tiny_cnn(classes=2)
    run = make_run_folder(tmp_path / "run", model=model, image_folder=tmp_path / "images",
                          scaling="standard")
    classifier = open_classifier(run)
    assert classifier.labels == ["dark", "light"]  # from the image folder: never evaluated
    assert classifier.model_input.description == "the run's standard scaling"
    rgb = np.full((12, 12, 3), 170, np.uint8)
    scaled = classifier.model_input.batch([classifier.model_input.prepare(rgb)])
    assert abs(float(scaled.mean())) < 3  # centred by the training images' statistics
    np.testing.assert_allclose(classifier.predict_images([rgb])[0],
                               model.predict(scaled, verbose=0)[0], rtol=1e-5)
