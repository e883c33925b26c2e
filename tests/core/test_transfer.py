"""Transfer learning: the ZooBackbone layer, the transfer project, its two phases and its export.

VGG16 at 32x32 is the backbone throughout: of the Keras applications it has the
fewest layers (19 without its top), so it builds and traces fastest on a CPU.
Weights are random (``weights=None``) except where the test is about the cache,
which then holds a stand-in written offline (tests/zoo_fixtures.py).
"""

import csv
import json

import h5py
import numpy as np
import pytest

from core.errors import GraphError, WorkbenchError
from core.project import Project
from tests.zoo_fixtures import use_keras_home, write_standin_weights

pytestmark = pytest.mark.slow

SIZE = (32, 32)
VGG16_NOTOP_PARAMS = 14_714_688
BLOCK5_CONV3_PARAMS = 3 * 3 * 512 * 512 + 512


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    """Two classes of six 32x32 PNG images each: dark noise and bright noise."""
    from PIL import Image

    root = tmp_path_factory.mktemp("pictures")
    rng = np.random.default_rng(0)
    for name, mean in (("dark", 50), ("bright", 200)):
        (root / name).mkdir()
        for i in range(6):
            pixels = np.clip(rng.normal(mean, 30, (*SIZE, 3)), 0, 255).astype("uint8")
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    return root


def vgg16_project(folder, **options):
    from core.zoo.transfer import transfer_project

    return transfer_project("vgg16", folder, image_size=SIZE, weights=None, **options)


def parameters(weights):
    return int(sum(np.prod(w.shape) for w in weights))


def test_the_backbone_freezes_its_top_serializes_and_loads_in_safe_mode(tmp_path, image_folder):
    from core.builder import build_model
    from core.keras_import import load_model_safely
    from core.zoo.backbone_layer import ZooBackbone

    model = build_model(vgg16_project(image_folder).model)
    backbone = model.get_layer("backbone")
    assert isinstance(backbone, ZooBackbone)
    assert parameters(model.trainable_weights) == 512 * 2 + 2  # the head only
    assert parameters(backbone.non_trainable_weights) == VGG16_NOTOP_PARAMS
    backbone.unfreeze_top(2)  # block5_pool and block5_conv3
    assert parameters(backbone.trainable_weights) == BLOCK5_CONV3_PARAMS
    backbone.trainable = False
    assert parameters(backbone.trainable_weights) == 0
    backbone.unfreeze_top(0)
    assert parameters(backbone.trainable_weights) == VGG16_NOTOP_PARAMS
    backbone.unfreeze_top(2)

    config = json.loads(json.dumps(backbone.get_config()))
    assert {k: config[k] for k in ("model", "weights", "unfrozen_top", "include_preprocessing",
                                   "pooling", "trainable")} == {
        "model": "vgg16", "weights": None, "unfrozen_top": 2, "include_preprocessing": True,
        "pooling": None, "trainable": True}
    assert ZooBackbone.from_config(config).get_config() == config

    path = tmp_path / "model.keras"
    model.save(path)
    loaded, _ = load_model_safely(path)
    images = np.random.default_rng(1).uniform(0, 255, (2, *SIZE, 3)).astype("float32")
    np.testing.assert_allclose(loaded.predict(images, verbose=0),
                               model.predict(images, verbose=0), atol=1e-6)
    assert parameters(loaded.get_layer("backbone").trainable_weights) == BLOCK5_CONV3_PARAMS


def test_batch_normalization_stays_frozen_when_the_top_is_unfrozen():
    from core.keras_env import keras
    from core.zoo.backbone_layer import set_trainable_top

    k = keras()
    model = k.Sequential([k.Input((4,)), k.layers.Dense(3), k.layers.BatchNormalization(),
                          k.layers.Dense(3), k.layers.BatchNormalization(), k.layers.Dense(2)])
    set_trainable_top(model, True, 3)
    assert [layer.trainable for layer in model.layers] == [False, False, True, False, True]
    set_trainable_top(model, True, 0)
    assert [layer.trainable for layer in model.layers] == [True, False, True, False, True]
    set_trainable_top(model, False, 0)
    assert not any(layer.trainable for layer in model.layers)


def test_live_analysis_needs_no_weight_file(image_folder):
    from core.analysis import analyze
    from core.zoo.transfer import transfer_project

    # Pretrained, with an empty cache: the editor still shows shapes and counts.
    analysis = analyze(transfer_project("vgg16", image_folder, image_size=SIZE).model)
    assert analysis.ok, analysis.problems
    report = analysis.nodes["backbone"]
    assert report.output_shape == (None, 1, 1, 512)
    assert (report.trainable_params, report.non_trainable_params) == (0, VGG16_NOTOP_PARAMS)
    assert analysis.trainable_params == 512 * 2 + 2
    # ... and warns, beside the field, that training needs the weights first.
    (warning,) = analysis.problems
    assert (warning.node, warning.field, warning.severity) == ("backbone", "weights", "warning")
    assert "zoo download vgg16 notop" in warning.message


def test_the_backbone_is_edited_through_a_generated_form():
    from core.catalog import layer_catalog, layer_spec, validate_param
    from core.errors import GraphError

    spec = layer_spec("ZooBackbone")
    kinds = {p.name: (p.kind, p.default) for p in spec.params}
    assert kinds == {"model": ("choice", "mobilenet_v2"), "weights": ("choice", "imagenet"),
                     "trainable": ("bool", False), "unfrozen_top": ("int", 0),
                     "include_preprocessing": ("bool", True), "pooling": ("choice", None)}
    assert "resnet50" in spec.param("model").choices
    assert validate_param("ZooBackbone", "weights", None) is None
    for name, value in (("weights", "/home/me/weights.h5"), ("unfrozen_top", -1),
                        ("model", "resnet5")):
        with pytest.raises(GraphError, match=f"Invalid value for `{name}`"):
            validate_param("ZooBackbone", name, value)
    assert "ZooBackbone" not in layer_catalog()  # not in the palette: "Use as base" makes it


def test_pretrained_weights_come_from_the_keras_cache_and_nowhere_else(
        tmp_path, monkeypatch, image_folder):
    from core.analysis import analyze
    from core.builder import build_model
    from core.zoo.backbone_layer import ZooBackbone
    from core.zoo.transfer import transfer_project

    graph = transfer_project("vgg16", image_folder, image_size=SIZE).model
    use_keras_home(monkeypatch, tmp_path / "empty")
    with pytest.raises(GraphError, match=r"Layer `backbone` \(ZooBackbone\): No ImageNet "
                                         r"weights for `vgg16`.*zoo download vgg16 notop"):
        build_model(graph)
    with pytest.raises(WorkbenchError, match="A file path is not accepted"):
        ZooBackbone(model="vgg16", weights=str(tmp_path / "weights.h5"))

    file = write_standin_weights("vgg16", use_keras_home(monkeypatch, tmp_path / "keras"),
                                 include_top=False)
    assert analyze(graph).problems == []
    kernel = build_model(graph).get_layer("backbone").backbone.get_layer("block1_conv1").kernel
    with h5py.File(file, "r") as f:
        np.testing.assert_array_equal(kernel.numpy(), f["block1_conv1/block1_conv1/kernel"][()])


def history(run_dir):
    with open(run_dir / "history.csv", newline="") as f:
        return [(int(row["epoch"]), float(row["learning_rate"])) for row in csv.DictReader(f)]


def test_a_transfer_project_trains_in_two_phases_on_one_curve_and_resumes_in_phase_two(
        tmp_path, image_folder):
    from core.keras_import import load_model_safely
    from core.training import train

    project = vgg16_project(image_folder, epochs=1, fine_tune_epochs=2, unfrozen_top=2,
                            batch_size=4)
    project.training["seed"] = 0
    # No validation or test part: each would cost another traced function.
    project.data.preprocessing.update(validation_split=0.0, test_split=0.0)
    project.save(tmp_path / "transfer.kwb.json")  # an ordinary project file
    project = Project.load(tmp_path / "transfer.kwb.json")

    def crash_after_epoch_2(epoch, logs):
        if epoch == 2:
            raise RuntimeError("power cut")

    events = []
    first = train(project, run_dir=tmp_path / "run", on_epoch_end=crash_after_epoch_2,
                  on_event=events.append)
    assert first.status == "failed" and first.epochs_completed == 2
    assert [e for e in events if e["event"] == "fine_tune"] == [{
        "event": "fine_tune", "epoch": 2, "unfrozen_top": 2, "learning_rate": 1e-5,
        "trainable_params": BLOCK5_CONV3_PARAMS + 512 * 2 + 2}]
    state = json.loads((tmp_path / "run" / "state.json").read_text())
    assert state["phase"] == 2 and state["epochs"] == 3

    # The checkpoint holds phase 2's optimizer state: resuming needs the phase-2 model.
    resumed = train(None, resume_from=tmp_path / "run")
    assert resumed.status == "finished" and resumed.epochs_completed == 3
    assert history(tmp_path / "run") == [(1, pytest.approx(1e-3)), (2, pytest.approx(1e-5)),
                                         (3, pytest.approx(1e-5))]
    assert len(resumed.history["loss"]) == 3
    assert parameters(resumed.model.trainable_weights) == BLOCK5_CONV3_PARAMS + 512 * 2 + 2
    last, _ = load_model_safely(tmp_path / "run" / "last.keras")
    backbone = last.get_layer("backbone").get_config()
    assert backbone["trainable"] is True and backbone["unfrozen_top"] == 2


def test_the_head_is_sized_from_the_class_folders_without_opening_an_image(tmp_path):
    from core.errors import DataError
    from core.zoo.transfer import transfer_project

    for name in ("ant", "bee", "cat"):
        (tmp_path / name / "deeper").mkdir(parents=True)
        (tmp_path / name / "deeper" / "1.JPG").write_bytes(b"not decoded here")
    project = transfer_project("mobilenet_v2", tmp_path, fine_tune_epochs=0)
    assert project.model.node("classes").config == {"units": 3, "activation": "softmax"}
    assert project.data.source["image_size"] == [224, 224]  # the model's own input size
    assert project.training["fine_tune"] is None
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="The class folder `empty`"):
        transfer_project("mobilenet_v2", tmp_path)


def test_fine_tune_needs_a_backbone(tmp_path):
    from core.graph import ModelGraph
    from core.project import DataSpec, TrainingSpec
    from core.training import train

    project = Project(model=ModelGraph.sequential([4], [("out", "Dense", {"units": 1})]),
                      data=DataSpec(source={"kind": "random", "samples": 20, "features": 4}),
                      training=TrainingSpec.from_dict({"fine_tune": {"epochs": 1}}))
    with pytest.raises(WorkbenchError, match="`training.fine_tune` unfreezes the top of a "
                                             "ZooBackbone layer, but the model has none"):
        train(project, run_dir=tmp_path / "run")
    project.training["fine_tune"] = {"epochs": 1, "learning_rate": -1}
    with pytest.raises(WorkbenchError, match="`training.fine_tune.learning_rate`"):
        train(project, run_dir=tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_the_exported_script_is_plain_keras_computes_the_same_and_fine_tunes(image_folder):
    from core.builder import build_model
    from core.codegen import export_python

    project = vgg16_project(image_folder, epochs=3, fine_tune_epochs=4, unfrozen_top=2)
    project.model.node("backbone").config.update(trainable=True, unfrozen_top=2)
    source = export_python(project)
    assert "ZooBackbone" not in source and "core." not in source  # runs without the app
    assert "keras.applications.VGG16" in source
    assert "keras.applications.vgg16.preprocess_input" in source
    main = source[source.index('if __name__ == "__main__":'):]
    phase2 = main[main.index("# Phase 2"):]
    for line in ('fine_tune_epochs = int(os.environ.get("KWB_FINE_TUNE_EPOCHS", 4))',
                 'unfreeze_backbone_top(model.get_layer("backbone"), 2)',
                 "optimizer=keras.optimizers.Adam(learning_rate=1e-05)",
                 "epochs=epochs + fine_tune_epochs", "initial_epoch=epochs"):
        assert line in phase2
    assert phase2.index("initial_epoch") < phase2.index("model.evaluate")

    namespace = {"__name__": "exported"}  # the definitions, not the training
    exec(compile(source, "exported.py", "exec"), namespace)  # noqa: S102
    exported, app = namespace["build_model"](), build_model(project.model)
    assert parameters(exported.trainable_weights) == parameters(app.trainable_weights)
    exported.set_weights(app.get_weights())
    images = np.random.default_rng(2).uniform(0, 255, (2, *SIZE, 3)).astype("float32")
    np.testing.assert_allclose(exported.predict(images, verbose=0),
                               app.predict(images, verbose=0), atol=1e-6)
