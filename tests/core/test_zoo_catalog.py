"""The zoo catalog agrees with the installed Keras, and stays cheap to import."""

import hashlib
import inspect
import json
import subprocess
import sys

import pytest

from core.errors import WorkbenchError
from core.resources import resource_path
from core.zoo.catalog import CLASSIC, find_zoo_model, zoo_model, zoo_models, zoo_names
from tests.paths import ROOT


def test_every_keras_application_is_in_the_catalog_once_classic_first():
    from core.keras_env import keras

    constructors = {name for name, obj in vars(keras().applications).items()
                    if callable(obj) and name[0].isupper()}
    assert sorted(m.constructor for m in zoo_models()) == sorted(constructors)
    assert len(set(zoo_names())) == len(zoo_models()) == 40
    assert zoo_names()[:8] == CLASSIC
    assert zoo_names()[:8] == ("vgg16", "vgg19", "resnet50", "resnet101", "mobilenet_v2",
                               "efficientnet_b0", "inception_v3", "densenet121")


def test_names_are_kerass_snake_case_and_lookups_forgive_spelling():
    assert zoo_model("mobilenet_v2").constructor == "MobileNetV2"
    assert zoo_model("efficientnet_b0").constructor == "EfficientNetB0"
    assert zoo_model("efficientnet_v2_s").constructor == "EfficientNetV2S"
    assert zoo_model("resnet50_v2").constructor == "ResNet50V2"
    assert zoo_model("convnext_tiny").constructor == "ConvNeXtTiny"
    for spelling in ("MobileNetV2", "mobilenetv2", " mobilenet-v2 "):
        assert zoo_model(spelling).name == "mobilenet_v2"
    assert find_zoo_model("nope") is None
    with pytest.raises(WorkbenchError, match=r"Unknown zoo model `resnet_5`.*`resnet50`"):
        zoo_model("resnet_5")


def test_facts_from_the_keras_docs_table():
    vgg16 = zoo_model("vgg16")
    assert (vgg16.size_mb, vgg16.top1, vgg16.top5, vgg16.parameters) == (528, 0.713, 0.901,
                                                                         138_357_544)
    assert zoo_model("inception_v3").input_size == (299, 299)
    assert zoo_model("efficientnet_b7").input_size == (600, 600)
    assert zoo_model("nasnet_large").input_shape == (331, 331, 3)
    assert zoo_model("convnext_base").top1 is None  # not in the docs table: left unknown
    for model in zoo_models():
        assert model.parameters > 1_000_000
        assert model.top1 is None or 0.6 < model.top1 < 0.9


def test_each_preprocess_input_is_the_models_own_module():
    assert zoo_model("resnet101").preprocess_path == "keras.applications.resnet.preprocess_input"
    assert zoo_model("mobilenet_v3_small").preprocess_path == \
        "keras.applications.mobilenet_v3.preprocess_input"
    from keras.applications import inception_v3

    assert zoo_model("inception_v3").preprocess_input() is inception_v3.preprocess_input
    for model in zoo_models():
        assert callable(model.preprocess_input())


def test_hashes_are_the_ones_in_kerass_source():
    """Every hash the catalog holds is written in Keras's applications source."""
    from core.keras_env import keras

    modules = {sys.modules[m.keras_constructor().__module__] for m in zoo_models()}
    source = "".join(inspect.getsource(module) for module in modules)
    for model in zoo_models():
        for weight_file in (model.weights, model.weights_notop):
            assert weight_file.file_hash is None or weight_file.file_hash in source, model.name
            assert weight_file.url.startswith("https://storage.googleapis.com/")
    assert keras().__version__ >= "3.15.1"


def test_file_names_urls_and_hashes_are_what_keras_asks_for(monkeypatch):
    """Build with weights="imagenet" and catch the get_file call Keras makes (no download).

    EfficientNet, whose files live under another URL than the rest. Every build from
    the cache checks the file name too: core.zoo.keras_cache serves only the catalog's.
    """
    name = "efficientnet_b0"
    from core.keras_env import keras

    keras()
    from keras.src.utils import file_utils

    class Asked(Exception):
        pass

    def get_file(fname=None, origin=None, **kwargs):
        raise Asked(fname, origin, kwargs.get("file_hash"), kwargs.get("cache_subdir"))

    monkeypatch.setattr(file_utils, "get_file", get_file)
    model = zoo_model(name)
    for include_top in (True, False):
        with pytest.raises(Asked) as asked:
            model.keras_constructor()(weights="imagenet", include_top=include_top)
        weight_file = model.weight_file(include_top)
        assert asked.value.args == (weight_file.file_name, weight_file.url,
                                    weight_file.file_hash, "models")


def test_imagenet_labels_ship_and_match_kerass_file():
    from core.zoo.labels import imagenet_classes, imagenet_labels

    path = resource_path("data", "imagenet_class_index.json")
    assert hashlib.md5(path.read_bytes()).hexdigest() == "c2c37ea517e94d9795004a39431a14cb"
    labels = imagenet_labels()
    assert len(labels) == 1000
    assert labels[0] == "tench" and labels[386] == "African_elephant"
    assert imagenet_classes()[0] == ("n01440764", "tench")
    assert json.loads(path.read_text())["999"][1] == labels[999]


def test_cheap_modules_do_not_import_tensorflow():
    code = ("import sys, core.zoo.catalog, core.zoo.weights, core.zoo.labels, core.zoo.images, "
            "core.zoo.download, core.model_labels, cli.zoo_commands; "
            "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
