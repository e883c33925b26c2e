"""Weights in Keras's cache: status, the message when missing, loading, import, download.

Nothing here touches the network: weight files are stand-ins written from
``weights=None`` models (tests.zoo_fixtures), and the download test reads a
``file://`` URL.
"""

import dataclasses
import hashlib
import shutil
import urllib.request

import numpy as np
import pytest

from core.errors import WorkbenchError
from core.zoo import catalog
from core.zoo.catalog import zoo_model
from core.zoo.download import DownloadCancelled, download_weights
from core.zoo.weights import (
    MissingWeightsError,
    build_zoo_model,
    import_weights,
    require_weights,
    weights_path,
    weights_status,
)
from tests.zoo_fixtures import use_keras_home, write_standin_weights


@pytest.fixture(scope="module")
def standins(tmp_path_factory):
    """MobileNetV2's stand-in files, with and without the top."""
    folder = tmp_path_factory.mktemp("standins")
    return {"top": write_standin_weights("mobilenet_v2", folder, spread=True),
            "notop": write_standin_weights("mobilenet_v2", folder, include_top=False)}


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty Keras home; any attempt to reach the network fails the test."""
    def no_network(*args, **kwargs):
        raise AssertionError("the network was called")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    return use_keras_home(monkeypatch, tmp_path / "keras_home")


def _with_weight_file(monkeypatch, name, include_top=True, **changes):
    """Change the catalog's weight file of ``name`` for one test."""
    entry = zoo_model(name)
    field = "weights" if include_top else "weights_notop"
    changed = dataclasses.replace(entry, **{
        field: dataclasses.replace(entry.weight_file(include_top), **changes)})
    monkeypatch.setitem(catalog._BY_KEY, catalog._key(name), changed)
    return changed


def test_status_and_what_to_do_when_weights_are_missing(home):
    status = weights_status("mobilenet_v2")
    assert not status.cached and status.size_bytes is None
    assert status.path == home / "models" / zoo_model("mobilenet_v2").weights.file_name
    with pytest.raises(MissingWeightsError) as missing:
        build_zoo_model("mobilenet_v2")
    message = str(missing.value)
    entry = zoo_model("mobilenet_v2").weights
    for part in ("`python main.py zoo download mobilenet_v2`", entry.file_name, entry.url,
                 "`python main.py zoo import mobilenet_v2 FILE`", "random weights"):
        assert part in message
    with pytest.raises(MissingWeightsError, match="zoo download resnet50 notop"):
        require_weights("resnet50", include_top=False)


def test_cached_weights_load_with_imagenet_and_no_download(home, standins):
    target = weights_path("mobilenet_v2")
    target.parent.mkdir(parents=True)
    shutil.copy(standins["top"], target)
    assert weights_status("mobilenet_v2").size_bytes == target.stat().st_size
    model = build_zoo_model("mobilenet_v2")
    for got, expected in zip(model.get_weights(), _saved(target), strict=True):
        np.testing.assert_array_equal(got, expected)


def test_efficientnet_keeps_its_imagenet_normalization_from_a_cached_file(home):
    """The DESIGN.md trap: weights="imagenet" adds a Rescaling a file path would not.

    Keras checks this file's hash; a stand-in's differs, so Keras alone would try to
    download it again (and, offline, delete it). The app's path loads it as it is.
    """
    path = write_standin_weights("efficientnet_b0", home)  # its stem has no second Rescaling
    model = build_zoo_model("efficientnet_b0")
    stem = [type(layer).__name__ for layer in model.layers[:5]]
    assert stem == ["InputLayer", "Rescaling", "Normalization", "Rescaling", "ZeroPadding2D"]
    np.testing.assert_array_equal(model.get_weights()[-1], _saved(path)[-1])
    assert path.exists()


def test_mobilenet_at_another_input_size_names_the_file_keras_wants(home, standins):
    target = weights_path("mobilenet_v2", include_top=False)
    target.parent.mkdir(parents=True)
    shutil.copy(standins["notop"], target)
    with pytest.raises(WorkbenchError, match=r"weight file mobilenet_v2_weights_tf_dim_ordering"
                                             r"_tf_kernels_1.0_160_no_top.h5 .*https://"):
        build_zoo_model("mobilenet_v2", include_top=False, input_shape=(160, 160, 3))


def test_import_checks_by_loading_and_finds_the_variant(home, standins, tmp_path):
    downloaded = tmp_path / "downloaded.bin"  # any name: the file is checked by its content
    shutil.copy(standins["notop"], downloaded)
    status = import_weights("mobilenet_v2", downloaded)  # tried with the top first, then without
    assert (status.include_top, status.cached) == (False, True)
    assert status.path.name == zoo_model("mobilenet_v2").weights_notop.file_name
    assert status.path.read_bytes() == downloaded.read_bytes()

    text = tmp_path / "weights.h5"
    text.write_text("not HDF5")
    with pytest.raises(WorkbenchError, match=r"weights.h5 is not a set of ImageNet weights for "
                                             r"`mobilenet_v2`: it does not load into "
                                             r"mobilenet_v2 with its top \(Unable to"):
        import_weights("mobilenet_v2", text)
    with pytest.raises(WorkbenchError, match="does not load into mobilenet without its top"):
        import_weights("mobilenet", downloaded, include_top=False)  # MobileNet V1: no hash
    with pytest.raises(WorkbenchError, match="hash is not Keras's 4d473c1d"):
        import_weights("resnet50", downloaded, include_top=False)
    assert not weights_status("mobilenet_v2").cached
    with pytest.raises(WorkbenchError, match="is not a file"):
        import_weights("mobilenet_v2", tmp_path / "nowhere.h5")


def test_import_checks_kerass_hash(home, standins, monkeypatch):
    _with_weight_file(monkeypatch, "mobilenet_v2", file_hash="0" * 32)
    with pytest.raises(WorkbenchError, match="md5 hash is not Keras's 0000"):
        import_weights("mobilenet_v2", standins["top"], include_top=True)
    assert not weights_status("mobilenet_v2").cached

    md5 = hashlib.md5(standins["top"].read_bytes()).hexdigest()
    _with_weight_file(monkeypatch, "mobilenet_v2", file_hash=md5)
    assert import_weights("mobilenet_v2", standins["top"]).include_top  # found by its hash


def test_download_with_progress_cancel_and_hash_check(home, standins, monkeypatch):
    """Keras's URL replaced by a file:// one: the same code as a real download, offline."""
    monkeypatch.undo()  # urlopen back (file:// only here), KERAS_HOME too: set it again
    use_keras_home(monkeypatch, home)
    source = standins["top"]
    md5 = hashlib.md5(source.read_bytes()).hexdigest()
    _with_weight_file(monkeypatch, "mobilenet_v2", url=source.as_uri(), file_hash=md5)

    with pytest.raises(DownloadCancelled):
        download_weights("mobilenet_v2", should_stop=lambda: True)
    assert not weights_status("mobilenet_v2").cached
    assert list((home / "models").iterdir()) == []  # no half file left

    progress = []
    status = download_weights("mobilenet_v2", on_progress=lambda done, total:
                              progress.append((done, total)))
    size = source.stat().st_size
    assert status.size_bytes == size and progress[-1] == (size, size)
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)

    status.path.unlink()
    _with_weight_file(monkeypatch, "mobilenet_v2", url=source.as_uri(), file_hash="1" * 32)
    with pytest.raises(WorkbenchError, match="damaged on the way"):
        download_weights("mobilenet_v2")
    assert list((home / "models").iterdir()) == []


@pytest.mark.slow
def test_the_other_classic_models_load_from_their_cache_files(home):
    """VGG16/19 without the top (their top files are 528 and 549 MB; the path is the same),
    ResNet50/101, InceptionV3 and DenseNet121 with it; MobileNetV2 and EfficientNetB0 above.
    """
    from core.keras_env import keras

    for name, include_top in (("vgg16", False), ("vgg19", False), ("resnet50", True),
                              ("resnet101", True), ("inception_v3", True),
                              ("densenet121", True)):
        path = write_standin_weights(name, home, include_top=include_top)
        model = build_zoo_model(name, include_top=include_top)
        weights = model.get_weights()
        saved = _saved(path)
        np.testing.assert_array_equal(weights[0], saved[0])
        np.testing.assert_array_equal(weights[-1], saved[-1])
        path.unlink()
        del model, weights
        keras().backend.clear_session()


def _saved(path):
    """The arrays in a legacy HDF5 weight file, in layer order (as get_weights lists them)."""
    import h5py

    with h5py.File(path, "r") as f:
        return [f[layer][name][()] for layer in f.attrs["layer_names"]
                for name in f[layer].attrs["weight_names"]]


def test_zoo_commands_list_import_and_download(home, standins, tmp_path, monkeypatch, capsys):
    from cli.parser import parse_command_line
    from cli.run import run_command

    def zoo(*words):
        return run_command(parse_command_line(["zoo", *map(str, words)]))

    assert zoo("list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "INPUT", "PARAMS", "SIZE", "TOP-1", "CACHED"]
    assert lines[5].split() == ["mobilenet_v2", "224x224", "3.5M", "14", "MB", "71.3%", "-"]
    assert [line.split()[0] for line in lines[1:41]] == list(catalog.zoo_names())
    assert str(home / "models") in lines[-1]

    shutil.copy(standins["top"], tmp_path / "mnv2.h5")
    assert zoo("import", "mobilenet_v2", tmp_path / "mnv2.h5") == 0
    assert "as the ImageNet weights of mobilenet_v2 (with its top)" in capsys.readouterr().out
    assert zoo("list") == 0
    assert capsys.readouterr().out.splitlines()[5].endswith("  top")
    assert zoo("import", "mobilenet_v2") == 2
    assert "Usage: `python main.py zoo import NAME FILE`" in capsys.readouterr().err

    monkeypatch.undo()
    use_keras_home(monkeypatch, home)
    _with_weight_file(monkeypatch, "mobilenet_v2", include_top=False,
                      url=standins["notop"].as_uri(), file_hash=None)
    assert zoo("download", "mobilenet_v2", "notop") == 0  # no hash: checked by loading
    assert weights_status("mobilenet_v2", include_top=False).cached
    assert zoo("download", "mobilenet_v2", "sideways") == 2
    assert "expected top" in capsys.readouterr().err
