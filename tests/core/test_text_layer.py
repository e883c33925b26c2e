"""The ElmoEmbedding layer: in a project's model, trained as a template, refused from outside paths."""

import json
import shutil
import zipfile

import numpy as np
import pytest

from core.errors import UnsafeModelError
from core.text import hub_cache
from core.text.hub_cache import ELMO_HANDLE, cache_key
from tests.elmo_standin import elmo_cache, elmo_hub  # noqa: F401 (fixtures)
from tests.paths import ROOT

SENTIMENT = ROOT / "resources" / "data" / "sentiment" / "amazon_cells_labelled.txt"


def small_sentiment(path, per_class=30):
    """A few labelled sentences of the bundled data, as a TSV like the originals."""
    lines = SENTIMENT.read_text(encoding="utf-8").splitlines()
    chosen = [l for l in lines if l.endswith("\t1")][:per_class]
    chosen += [l for l in lines if l.endswith("\t0")][:per_class]
    path.write_text("\n".join(chosen) + "\n", encoding="utf-8")
    return path


def elmo_project(tmp_path, handle=ELMO_HANDLE):
    from core.templates import new_project

    project = new_project("elmo_classifier")
    project.data.source["path"] = str(small_sentiment(tmp_path / "reviews.tsv"))
    project.model.node("elmo").config["handle"] = handle
    project.training["epochs"] = 1
    return project


@pytest.mark.slow
def test_elmo_template_trains_and_predicts_typed_text(elmo_cache, tmp_path):
    from core.text.embedding_store import default_store
    from core.text.predict import predict_texts
    from core.training import train

    project = elmo_project(tmp_path)
    result = train(project, run_dir=tmp_path / "run")
    assert result.status == "finished", result.message
    assert result.epochs_completed == 1 and "accuracy" in result.test
    module = result.model.get_layer("elmo").module()
    # every sentence went through ELMo once; the validation, test and later passes read the store
    assert default_store().count(module.identity) == 60
    predictions = predict_texts(tmp_path / "run", ["Great phone, works well.", "Broke in a day."])
    assert len(predictions) == 2
    assert {name for name, _ in predictions[0]} == {"0", "1"}
    assert sum(p for _, p in predictions[0]) == pytest.approx(1.0)


def test_a_project_naming_an_outside_module_folder_is_refused(elmo_cache, tmp_path):
    from core.builder import build_model

    outside = tmp_path / "elmo_copy"
    shutil.copytree(elmo_cache / cache_key(ELMO_HANDLE), outside)
    project = elmo_project(tmp_path, handle=str(outside))
    with pytest.raises(UnsafeModelError, match="outside Keras Workbench's TF-Hub cache"):
        build_model(project.model)
    hub_cache.allow_folder(outside)  # the user picks the same folder: now it builds
    model = build_model(project.model)
    assert model.output_shape == (None, 1)


def test_a_keras_file_naming_an_outside_module_folder_is_refused(elmo_cache, tmp_path):
    from core.builder import build_model
    from core.keras_import import load_model_safely

    project = elmo_project(tmp_path)
    model = build_model(project.model)
    good = tmp_path / "elmo.keras"
    model.save(good)
    loaded, _ = load_model_safely(good)
    expected = model.predict(np.array(["a fine phone"], dtype=object), verbose=0)
    np.testing.assert_allclose(loaded.predict(np.array(["a fine phone"], dtype=object),
                                              verbose=0), expected, rtol=1e-5)

    outside = tmp_path / "planted"
    shutil.copytree(elmo_cache / cache_key(ELMO_HANDLE), outside)
    bad = tmp_path / "planted.keras"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "config.json":
                data = data.replace(json.dumps(ELMO_HANDLE).encode(),
                                    json.dumps(str(outside)).encode())
            dst.writestr(item, data)
    with pytest.raises(UnsafeModelError, match="outside Keras Workbench's TF-Hub cache"):
        load_model_safely(bad)


def test_a_model_never_downloads_a_missing_module(tmp_path, monkeypatch):
    from core.builder import build_model
    from core.errors import GraphError

    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "empty"))
    monkeypatch.setattr(hub_cache, "_download", lambda handle: pytest.fail("downloaded"))
    with pytest.raises(GraphError, match="a model never downloads it: run `python main.py "
                                         "embed hello` once while online"):
        build_model(elmo_project(tmp_path).model)


def test_layer_config_round_trips_and_checks_its_settings(elmo_cache):
    from core.text.elmo_layer import ElmoEmbedding

    layer = ElmoEmbedding(output_key="elmo_mean", name="elmo")
    config = layer.get_config()
    assert (config["handle"], config["output_key"], config["cache"]) == (ELMO_HANDLE,
                                                                         "elmo_mean", True)
    assert config["trainable"] is False
    again = ElmoEmbedding.from_config(config)
    assert again.output_key == "elmo_mean" and not again.trainable_weights
    with pytest.raises(ValueError, match="Invalid value for `output_key`"):
        ElmoEmbedding(output_key="lstm")
