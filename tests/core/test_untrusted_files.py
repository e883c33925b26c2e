"""Untrusted model files: every way a file enters the app refuses code, bombs and paths outside.

Each hostile file is one a user could be sent. Where it holds code, the code
writes a MARKER file if it ever runs (a Lambda's marshalled bytecode, a module
that writes it when imported, a SavedModel graph op that writes it, a pickle
that opens it); each test asserts the app's own error, a message that names
the layer or entry and what to do, no marker, and nothing unpacked or written
(the system temp folder is pointed into the test's folder and must stay empty).

Entry points (core functions the window and the command line call):

- ``open``: core.open_source.open_source (File > Open, ``export``), which calls
  core.keras_import.import_model_file -> load_model_safely;
- ``predict``: core.zoo.classify.open_classifier (the Zoo tab's drop of a model file);
- ``cli predict``: ``python main.py predict FILE IMAGE`` in process (exit 2, one line);
- a run folder copied from elsewhere whose ``.keras`` files were swapped:
  ``resume`` (train(resume_from=...)), ``evaluate`` (evaluate_run),
  ``predict run`` (open_classifier(run folder)), ``export`` (export_model);
- weights files: ``zoo import`` (import_weights), project weights
  (core.weights_io.load_weights_by_name), a Keras 2 JSON + weights pair (core.legacy).
"""

import io
import json
import pickle
import shutil
import sqlite3
import struct
import sys
import tempfile
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest

from core.errors import UnsafeModelError, WorkbenchError
from core.keras_env import keras
from main import main

K = keras()
L = K.layers
AREA = "Untrusted model files"
FILE_ENTRIES = ("open", "predict", "cli predict")
RUN_ENTRIES = ("resume", "evaluate", "predict run", "export")
EVIL_MODULE = "kwb_evil_module"
BOMB_SHAPE = (1 << 15, 1 << 14)  # float32: 2 GiB declared, under Keras's own 4 GiB guard


# -- the sandbox every test runs in --------------------------------------------------------
@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """The marker's path; the temp folder and cwd inside tmp_path, checked empty afterwards."""
    temp = tmp_path / "systemp"
    cwd = tmp_path / "cwd"
    temp.mkdir()
    cwd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.chdir(cwd)
    marker = tmp_path / "MARKER"
    yield marker
    assert not marker.exists(), "something in the hostile file ran"
    assert not list(temp.iterdir()), f"the file was unpacked: {list(temp.iterdir())}"
    assert not list(cwd.iterdir()), f"something was written: {list(cwd.iterdir())}"


@pytest.fixture
def evil_module(tmp_path, monkeypatch, sandbox):
    """A module on sys.path that writes the marker when imported; its name."""
    folder = tmp_path / "evil_code"
    folder.mkdir()
    (folder / f"{EVIL_MODULE}.py").write_text(
        f"open({str(sandbox)!r}, 'w').write('imported')\n"
        "import keras\n"
        "class Evil(keras.layers.Layer):\n    pass\n"
        "def evil_fn(x):\n    return x\n")
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delitem(sys.modules, EVIL_MODULE, raising=False)
    yield EVIL_MODULE
    sys.modules.pop(EVIL_MODULE, None)


@pytest.fixture
def opened_h5(monkeypatch):
    """The paths h5py opens during the test."""
    opened = []
    real = h5py.File

    class Recording(real):
        def __init__(self, name, *args, **kwargs):
            opened.append(str(name))
            super().__init__(name, *args, **kwargs)

    monkeypatch.setattr(h5py, "File", Recording)
    return opened


# -- making hostile files -------------------------------------------------------------------
def base_model():
    inp = K.Input((3,), name="x")
    hidden = L.Dense(4, name="dense")(inp)
    return K.Model(inp, L.Dense(2, activation="softmax", name="out")(hidden))


def lambda_model(marker):
    # Keras keeps the lambda as marshalled bytecode: it writes the marker whenever it runs.
    code = f"lambda x: (open({str(marker)!r}, 'w').write('ran'), x)[1]"
    inp = K.Input((3,), name="x")
    out = L.Lambda(eval(code), name="lambda_1")(L.Dense(2, name="dense")(inp))
    model = K.Model(inp, out)
    assert marker.exists()  # the canary works: running the lambda wrote it
    marker.unlink()
    return model


def rewrite_zip(source, target, *, config=None, replace=None, extra=()):
    """Copy a .keras zip, editing config.json, replacing entries and adding others (stored)."""
    replace = replace or {}
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "config.json" and config is not None:
                data = json.dumps(config(json.loads(data)))
            zout.writestr(info.filename, replace.get(info.filename, data))
        for name, data in extra:
            zout.writestr(name, data)
    return target


def swap_layer(entry, name="dense"):
    """A config editor replacing layer ``name`` of a functional config by ``entry``.

    The new layer takes the old one's name and inbound nodes, so the config stays one
    Keras would build: only the layer's class and settings are hostile.
    """
    def edit(config):
        layers = config["config"]["layers"]
        index = next(i for i, layer in enumerate(layers) if layer["config"]["name"] == name)
        entry["config"]["name"] = entry["name"] = name
        entry["inbound_nodes"] = layers[index]["inbound_nodes"]
        entry["build_config"] = layers[index].get("build_config")
        layers[index] = entry
        return config
    return edit


def save_keras(model, path):
    model.save(path)
    return path


def edited_h5(model, path, edit, *, keras_version=None):
    """``model`` saved as .h5 with its model_config edited (and keras_version, for Keras 2)."""
    model.save(path)
    with h5py.File(path, "a") as f:
        f.attrs["model_config"] = json.dumps(edit(json.loads(f.attrs["model_config"])))
        if keras_version:
            f.attrs["keras_version"] = keras_version
    return path


def add_bomb(group, name):
    """A gzip-chunked float32 dataset of BOMB_SHAPE holding nothing but its fill value."""
    return group.create_dataset(name, shape=BOMB_SHAPE, dtype="float32", chunks=(256, 256),
                                compression="gzip", fillvalue=0.0)


def tfsm_entry(folder):
    return {"module": "keras.layers", "class_name": "TFSMLayer", "registered_name": None,
            "config": {"filepath": str(folder), "call_endpoint": "serve",
                       "trainable": False, "dtype": "float32"}}


def elmo_entry(handle):
    return {"module": None, "class_name": "ElmoEmbedding",
            "registered_name": "workbench>ElmoEmbedding",
            "config": {"handle": str(handle), "output_key": "default",
                       "cache": False, "trainable": False, "dtype": "float32"}}


def backbone_entry(weights):
    return {"module": None, "class_name": "ZooBackbone", "registered_name": "workbench>ZooBackbone",
            "config": {"model": "mobilenet_v2", "weights": str(weights),
                       "trainable": False, "unfrozen_top": 0, "include_preprocessing": True,
                       "pooling": "avg", "dtype": "float32"}}


def custom_class(config, module=EVIL_MODULE):
    return swap_layer({"module": module, "class_name": "Evil", "registered_name": None,
                       "config": {"trainable": True, "dtype": "float32"}})(config)


def custom_function(config, module=EVIL_MODULE):
    dense = next(x for x in config["config"]["layers"] if x["config"]["name"] == "dense")
    dense["config"]["activation"] = {"module": module, "class_name": "function",
                                     "config": "evil_fn", "registered_name": "evil_fn"}
    return config


@pytest.fixture(scope="module")
def marker_savedmodel(tmp_path_factory):
    """A SavedModel whose serving function writes its own marker file (a graph op, no Python)."""
    import tensorflow as tf

    folder = tmp_path_factory.mktemp("savedmodel")
    marker = folder / "SAVEDMODEL_RAN"

    class Writer(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
        def serve(self, x):
            tf.io.write_file(str(marker), "ran")
            return x

    module = Writer()
    tf.saved_model.save(module, str(folder / "model"), signatures={"serve": module.serve})
    return folder / "model", marker


# -- entry points -----------------------------------------------------------------------------
def image_file(folder):
    from PIL import Image

    path = Path(folder) / "photo.png"
    Image.new("RGB", (8, 8), (200, 30, 30)).save(path)
    return path


def enter_file(entry, path, capsys):
    """Open ``path`` through ``entry``; return the message it refused with."""
    from core.open_source import open_source
    from core.zoo.classify import open_classifier

    if entry == "cli predict":
        capsys.readouterr()
        assert main(["predict", str(path), str(image_file(path.parent))]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err and err.startswith("error: ")
        return err
    with pytest.raises(WorkbenchError) as info:
        open_source(str(path)) if entry == "open" else open_classifier(path)
    return str(info.value)


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    """A finished run folder of a tiny project, made with the engine's own RunFolder.

    Returns ``(folder, project)``. Not trained, which takes seconds: each test
    replaces the run's model files by hostile ones anyway.
    """
    from core.training.runs import LAST, RunFolder
    from tests.core.test_training import tiny_project

    project = tiny_project(epochs=1)
    path = tmp_path_factory.mktemp("runs") / "run"
    folder = RunFolder.create(path, project.copy(), seed=1, epochs=1, batch_size=32)
    save_keras(base_model(), folder.file(LAST))
    folder.write_state(status="finished", epochs_completed=1, checkpoint=LAST, final_model=LAST)
    return path, project


def copied_run(run_folder, tmp_path, hostile=None):
    """The run copied to tmp_path with each of its .keras files replaced by ``hostile``."""
    source, _ = run_folder
    run = tmp_path / "copied_run"
    shutil.copytree(source, run)
    if hostile is not None:
        swapped = list(run.glob("*.keras"))
        assert swapped
        for path in swapped:
            shutil.copyfile(hostile, path)
    return run


def enter_run(entry, run, project, tmp_path):
    """Open the copied run through ``entry``; return the refusal; check the run is untouched."""
    from core.model_export import export_model
    from core.training import evaluate_run, train
    from core.zoo.classify import open_classifier

    before = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}
    out = tmp_path / "exported.keras"
    with pytest.raises(WorkbenchError) as info:
        if entry == "resume":
            train(None, resume_from=run, epochs=2)
        elif entry == "evaluate":
            evaluate_run(run)
        elif entry == "predict run":
            open_classifier(run)
        else:
            copy = project.copy()
            copy.runs = [{"id": "copied", "dir": str(run), "status": "finished"}]
            export_model(copy, "keras", out)
    after = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}
    assert after == before, "the refused run folder was changed"
    assert not out.exists()
    return str(info.value)


# -- (a) Lambda layers ------------------------------------------------------------------------
def lambda_file(kind, folder, marker):
    model = lambda_model(marker)
    if kind == ".keras":
        return save_keras(model, folder / "evil.keras")
    version = "2.15.0" if kind == "Keras 2 .h5" else None
    return edited_h5(model, folder / "evil.h5", lambda c: c, keras_version=version)


LAMBDA_MESSAGE = "Layer `lambda_1` is a Lambda layer: it holds Python code"


@pytest.mark.reliability(AREA, "a Lambda layer whose code writes a file")
@pytest.mark.parametrize("kind", [".keras", ".h5", "Keras 2 .h5"])
@pytest.mark.parametrize("entry", FILE_ENTRIES)
def test_lambda_layer_never_runs(entry, kind, tmp_path, sandbox, capsys):
    message = enter_file(entry, lambda_file(kind, tmp_path, sandbox), capsys)
    assert LAMBDA_MESSAGE in message and "Rebuild it from built-in layers" in message


@pytest.mark.reliability(AREA, "a run folder from elsewhere whose model is a Lambda layer")
@pytest.mark.parametrize("entry", RUN_ENTRIES)
def test_run_with_lambda_model_never_runs(entry, run_folder, tmp_path, sandbox):
    run = copied_run(run_folder, tmp_path, lambda_file(".keras", tmp_path, sandbox))
    message = enter_run(entry, run, run_folder[1], tmp_path)
    assert isinstance(message, str) and LAMBDA_MESSAGE in message


# -- (b) custom classes and functions from outside code ---------------------------------------
def custom_file(kind, folder):
    if kind == "custom layer class (.keras)":
        return rewrite_zip(save_keras(base_model(), folder / "base.keras"), folder / "evil.keras",
                           config=custom_class)
    if kind == "custom activation function (.keras)":
        return rewrite_zip(save_keras(base_model(), folder / "base.keras"), folder / "evil.keras",
                           config=custom_function)
    return edited_h5(base_model(), folder / "evil.h5", custom_class)


CUSTOM_KINDS = ["custom layer class (.keras)", "custom activation function (.keras)",
                "custom layer class (.h5)"]


def assert_custom_refused(message, kind):
    assert "Layer `dense`" in message
    if "function" in kind:
        assert "uses a Python function" in message and "Use a built-in activation" in message
    else:
        assert "custom class `Evil`" in message and "Rebuild it from built-in layers" in message


@pytest.mark.reliability(AREA, "a custom class or function whose module writes a file on import")
@pytest.mark.parametrize("kind", CUSTOM_KINDS)
@pytest.mark.parametrize("entry", FILE_ENTRIES)
def test_outside_module_is_never_imported(entry, kind, tmp_path, evil_module, capsys):
    message = enter_file(entry, custom_file(kind, tmp_path), capsys)
    assert_custom_refused(message, kind)
    assert evil_module not in sys.modules


@pytest.mark.reliability(AREA, "a run folder from elsewhere whose model names outside code")
@pytest.mark.parametrize("entry", RUN_ENTRIES)
def test_run_with_custom_class_never_imports(entry, run_folder, tmp_path, evil_module):
    hostile = custom_file(CUSTOM_KINDS[0], tmp_path)
    message = enter_run(entry, copied_run(run_folder, tmp_path, hostile), run_folder[1],
                        tmp_path)
    assert_custom_refused(message, CUSTOM_KINDS[0])
    assert evil_module not in sys.modules


# -- (c) TFSMLayer -----------------------------------------------------------------------------
TFSM_MESSAGE = "Layer `dense` is a TFSMLayer: it loads and runs a SavedModel"


def tfsm_file(folder, savedmodel):
    return rewrite_zip(save_keras(base_model(), folder / "base.keras"), folder / "evil.keras",
                       config=swap_layer(tfsm_entry(savedmodel)))


@pytest.mark.reliability(AREA, "a TFSMLayer naming a SavedModel whose graph writes a file")
@pytest.mark.parametrize("entry", FILE_ENTRIES)
def test_tfsm_layer_is_refused(entry, tmp_path, sandbox, marker_savedmodel, capsys):
    savedmodel, ran = marker_savedmodel
    message = enter_file(entry, tfsm_file(tmp_path, savedmodel), capsys)
    assert TFSM_MESSAGE in message and "Rebuild it from built-in layers" in message
    assert not ran.exists()


@pytest.mark.reliability(AREA, "a run folder from elsewhere whose model is a TFSMLayer")
@pytest.mark.parametrize("entry", RUN_ENTRIES)
def test_run_with_tfsm_layer_is_refused(entry, run_folder, tmp_path, sandbox, marker_savedmodel):
    savedmodel, ran = marker_savedmodel
    run = copied_run(run_folder, tmp_path, tfsm_file(tmp_path, savedmodel))
    assert TFSM_MESSAGE in enter_run(entry, run, run_folder[1], tmp_path)
    assert not ran.exists()


# -- (d) app layers naming paths outside the app's stores -------------------------------------
def app_layer_file(kind, folder, savedmodel):
    from core.text.hub_cache import hub_cache_dir

    outside = folder / "elsewhere"
    if not outside.exists():
        shutil.copytree(savedmodel, outside)  # a real SavedModel: it would load if allowed
    entry = {
        "ElmoEmbedding, a module folder elsewhere": lambda: elmo_entry(outside),
        "ElmoEmbedding, a path climbing out of the hub cache": lambda: elmo_entry(
            f"{hub_cache_dir()}/../../../elsewhere"),
        "ZooBackbone, a weights file of its choosing": lambda: backbone_entry(
            lambda_file(".h5", folder, folder / "unused_marker")),
    }[kind]()
    return rewrite_zip(save_keras(base_model(), folder / "base.keras"), folder / "evil.keras",
                       config=swap_layer(entry))


APP_LAYER_KINDS = ["ElmoEmbedding, a module folder elsewhere",
                   "ElmoEmbedding, a path climbing out of the hub cache",
                   "ZooBackbone, a weights file of its choosing"]


def assert_app_layer_refused(message, kind):
    if kind.startswith("Elmo"):
        assert "The layer `dense` names the TF-Hub module folder" in message
        assert "outside Keras Workbench's TF-Hub cache" in message and "Pick that folder" in message
    else:
        assert "Layer `dense` (ZooBackbone) names the weights" in message
        assert "python main.py zoo import" in message


@pytest.fixture
def no_module_loads(monkeypatch, sandbox):
    """core.text.elmo.load_module_dir, the only way a layer loads a module, writes the marker."""
    from core.text import elmo

    def loading(folder):
        sandbox.write_text(f"loaded {folder}")
        raise AssertionError("a module was loaded")

    monkeypatch.setattr(elmo, "load_module_dir", loading)


@pytest.mark.reliability(AREA, "an app layer (ELMo, zoo backbone) naming a path outside the app's stores")
@pytest.mark.parametrize("kind", APP_LAYER_KINDS)
@pytest.mark.parametrize("entry", FILE_ENTRIES)
def test_app_layer_paths_outside_are_refused(entry, kind, tmp_path, no_module_loads, opened_h5,
                                             marker_savedmodel, capsys):
    path = app_layer_file(kind, tmp_path, marker_savedmodel[0])
    opened_h5.clear()
    message = enter_file(entry, path, capsys)
    assert_app_layer_refused(message, kind)
    assert not any("evil.h5" in name for name in opened_h5)  # the named weights were not read
    assert not marker_savedmodel[1].exists()


@pytest.mark.reliability(AREA, "a run folder from elsewhere whose model names an ELMo module elsewhere")
@pytest.mark.parametrize("entry", RUN_ENTRIES)
def test_run_with_app_layer_path_is_refused(entry, run_folder, tmp_path, no_module_loads,
                                            marker_savedmodel):
    hostile = app_layer_file(APP_LAYER_KINDS[0], tmp_path, marker_savedmodel[0])
    message = enter_run(entry, copied_run(run_folder, tmp_path, hostile), run_folder[1],
                        tmp_path)
    assert_app_layer_refused(message, APP_LAYER_KINDS[0])


# -- (e) zip bombs ----------------------------------------------------------------------------
def forge_sizes(path, sizes):
    """Patch the central directory so entries declare ``{name: size}`` (stored and unpacked)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    offset = data.index(b"PK\x05\x06")
    start = struct.unpack_from("<L", data, offset + 16)[0]  # the central directory's offset
    for info in infos:
        assert data[start:start + 4] == b"PK\x01\x02"
        name_len, extra_len, comment_len = struct.unpack_from("<3H", data, start + 28)
        if info.filename in sizes:
            struct.pack_into("<2L", data, start + 20, sizes[info.filename], sizes[info.filename])
        start += 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(data))
    return path


@pytest.fixture(scope="module")
def zip_bombs(tmp_path_factory):
    """Make each zip bomb once (deflating 100 MiB takes a while); ``make(kind, folder)`` copies it."""
    made = {}

    def make(kind, folder):
        if kind not in made:
            made[kind] = zip_bomb(kind, tmp_path_factory.mktemp("bomb"))
        return Path(shutil.copyfile(made[kind], Path(folder) / "bomb.keras"))
    return make


def zip_bomb(kind, folder):
    base = save_keras(base_model(), folder / "base.keras")
    path = folder / "bomb.keras"
    if kind == "forged sizes, 5 GiB in all":
        rewrite_zip(base, path, extra=[("assets/big.bin", b"x" * 64)])
        return forge_sizes(path, {"model.weights.h5": 5 << 29, "assets/big.bin": 5 << 29})
    name = "config.json" if kind.startswith("config.json") else "model.weights.h5"
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(path, "w", compresslevel=1) as zout:
        for info in zin.infolist():
            if info.filename == name:  # 100 MiB of zeros, deflated at level 1: about 450 KiB
                zout.writestr(name, bytes(100 << 20), compress_type=zipfile.ZIP_DEFLATED)
            else:
                zout.writestr(info.filename, zin.read(info))
    return path


ZIP_BOMBS = {
    "config.json of 100 MiB of zeros": "its config.json declares 100.0 MiB, more than the 64.0 MiB",
    "model.weights.h5 of 100 MiB of zeros": "its entry model.weights.h5 unpacks to 100.0 MiB",
    "forged sizes, 5 GiB in all": "bomb.keras unpacks to 5.0 GiB in all, more than the 4.0 GiB",
}


@pytest.mark.reliability(AREA, "a zip bomb .keras (an entry that inflates 1000 times, forged sizes)")
@pytest.mark.parametrize("kind", list(ZIP_BOMBS))
@pytest.mark.parametrize("entry", FILE_ENTRIES)
def test_zip_bomb_is_refused_unread(entry, kind, tmp_path, sandbox, zip_bombs, capsys):
    path = zip_bombs(kind, tmp_path)
    assert path.stat().st_size < 1 << 20  # tiny on disk
    message = enter_file(entry, path, capsys)
    assert ZIP_BOMBS[kind] in message
    assert "refused" in message and ("Save the model again" in message or "split" in message
                                     or "zip bomb" in message)


@pytest.mark.reliability(AREA, "a run folder from elsewhere whose model is a zip bomb")
@pytest.mark.parametrize("entry", RUN_ENTRIES)
def test_run_with_zip_bomb_is_refused(entry, run_folder, tmp_path, sandbox, zip_bombs):
    hostile = zip_bombs("model.weights.h5 of 100 MiB of zeros", tmp_path)
    message = enter_run(entry, copied_run(run_folder, tmp_path, hostile), run_folder[1], tmp_path)
    assert "unpacks to 100.0 MiB" in message and "zip bomb" in message


# -- (f) HDF5 bombs and HDF5 files that reach other files --------------------------------------
def h5_with_bomb(folder, *, keras_version=None):
    """A full-model .h5 whose `dense` kernel is a 2 GiB bomb (Keras 3, or Keras 2 by its version)."""
    path = folder / "bomb.h5"
    base_model().save(path)
    with h5py.File(path, "a") as f:
        group = f["model_weights/dense"]
        kernel = next(n for n in _datasets(group) if n.endswith("kernel"))
        del group[kernel]
        add_bomb(group, kernel)
        if keras_version:
            f.attrs["keras_version"] = keras_version
    return path


def _datasets(group):
    names = []

    def visit(name, item):  # returning anything but None would end the visit
        if isinstance(item, h5py.Dataset):
            names.append(name)

    group.visititems(visit)
    return names


def keras_with_bomb_weights(folder):
    base = save_keras(base_model(), folder / "base.keras")
    with zipfile.ZipFile(base) as archive:
        (folder / "w.h5").write_bytes(archive.read("model.weights.h5"))
    with h5py.File(folder / "w.h5", "a") as f:
        add_bomb(f, "bomb")
    return rewrite_zip(base, folder / "bomb.keras",
                       replace={"model.weights.h5": (folder / "w.h5").read_bytes()})


H5_BOMB_FILES = {
    ".h5 (Keras 3)": lambda folder: h5_with_bomb(folder),
    ".h5 (Keras 2)": lambda folder: h5_with_bomb(folder, keras_version="2.15.0"),
    ".keras whose model.weights.h5 holds it": keras_with_bomb_weights,
}
H5_BOMB_MESSAGE = "declares 2.0 GiB (shape (32768, 16384), float32) but stores 0 bytes"


@pytest.mark.reliability(AREA, "an HDF5 bomb (2 GiB declared, gzip chunks of nothing) in a model file")
@pytest.mark.parametrize("kind", list(H5_BOMB_FILES))
@pytest.mark.parametrize("entry", FILE_ENTRIES)
def test_hdf5_bomb_model_is_refused_unread(entry, kind, tmp_path, sandbox, capsys):
    path = H5_BOMB_FILES[kind](tmp_path)
    assert path.stat().st_size < 1 << 20
    message = enter_file(entry, path, capsys)
    assert H5_BOMB_MESSAGE in message and "HDF5 bomb" in message and "save them again" in message


@pytest.mark.reliability(AREA, "a run folder from elsewhere whose model's weights are an HDF5 bomb")
@pytest.mark.parametrize("entry", RUN_ENTRIES)
def test_run_with_hdf5_bomb_is_refused(entry, run_folder, tmp_path, sandbox):
    hostile = keras_with_bomb_weights(tmp_path)
    message = enter_run(entry, copied_run(run_folder, tmp_path, hostile), run_folder[1], tmp_path)
    assert ".keras:model.weights.h5: dataset `/bomb`" in message and H5_BOMB_MESSAGE in message


def weights_file(folder, kind):
    """A weights file of the kind ``kind`` names; (path, how to load it)."""
    from core.weights_io import FORMAT

    path = folder / "hostile.h5"
    secret = folder / "secret.bin"
    secret.write_bytes(np.arange(16, dtype="float32").tobytes())
    with h5py.File(path, "w") as f:
        f.attrs["format"] = FORMAT
        f.attrs["format_version"] = 1
        f.attrs["layer_names"] = [b"dense"]
        group = f.create_group("layers/dense")
        group.attrs["class_name"] = "Dense"
        group.attrs["weight_names"] = [b"dense/kernel:0"]
        if kind == "bomb":
            add_bomb(group, "0")
        elif kind == "external link":
            with h5py.File(folder / "other.h5", "w") as other:
                other["x"] = np.ones((3, 4), "float32")
            group["0"] = h5py.ExternalLink(str(folder / "other.h5"), "/x")
        else:  # its values kept in another file on disk
            group.create_dataset("0", shape=(4,), dtype="float32", external=[(str(secret), 0, 16)])
        f["dense"] = group  # where a Keras 2 weights file keeps a layer's group
    return path


HDF5_WEIGHT_MESSAGES = {
    "bomb": H5_BOMB_MESSAGE,
    "external link": "is a link to",
    "external storage": "keeps its values in other files",
}


def load_weights_through(route, path, folder):
    if route == "project weights":
        from core.weights_io import load_weights_by_name

        load_weights_by_name(base_model(), path)
    elif route == "zoo import":
        from core.zoo.weights import import_weights

        import_weights("mobilenet_v2", path)
    else:  # a Keras 2 model.to_json() beside its weights file
        config = json.loads(base_model().to_json())
        config["keras_version"] = "2.15.0"
        (folder / "hostile.json").write_text(json.dumps(config))
        from core.open_source import open_source

        open_source(str(folder / "hostile.json"))


@pytest.mark.reliability(AREA, "a weights file that is an HDF5 bomb or reads other files (links, external storage)")
@pytest.mark.parametrize("kind", list(HDF5_WEIGHT_MESSAGES))
@pytest.mark.parametrize("route", ["project weights", "zoo import", "Keras 2 .json + weights"])
def test_hostile_weights_file_is_refused_unread(route, kind, tmp_path, sandbox, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    path = weights_file(tmp_path, kind)
    with pytest.raises(UnsafeModelError) as info:
        load_weights_through(route, path, tmp_path)
    message = str(info.value)
    assert "hostile.h5" in message and HDF5_WEIGHT_MESSAGES[kind] in message
    assert "refused" in message
    assert not (tmp_path / "keras_home" / "models").exists()  # nothing went into the cache


# -- (g) entries named outside the folder a .keras unpacks into --------------------------------
def traversal_names(tmp_path):
    target = tmp_path / "outside"
    climb = "../" * 16 + str(target / "dotdot_marker").lstrip("/")
    return {
        "../ climbing out": (climb, target / "dotdot_marker"),
        "an absolute path": (str(target / "abs_marker"), target / "abs_marker"),
        "assets/../.. inside the assets": ("assets/../../../../../../../../../" +
                                           str(target / "assets_marker").lstrip("/"),
                                           target / "assets_marker"),
        "backslashes": ("..\\..\\..\\..\\..\\..\\..\\..\\" + str(target / "bs_marker").lstrip("/"),
                        target / "bs_marker"),
    }


TRAVERSALS = ["../ climbing out", "an absolute path", "assets/../.. inside the assets",
              "backslashes", "a symbolic link"]


def traversal_file(kind, folder):
    base = save_keras(base_model(), folder / "base.keras")
    if kind == "a symbolic link":
        info = zipfile.ZipInfo("assets/link")
        info.external_attr = 0o120777 << 16  # a symlink, its target as the content
        return rewrite_zip(base, folder / "evil.keras",
                           extra=[(info, str(folder / "outside" / "link_target"))]), "assets/link"
    name, _ = traversal_names(folder)[kind]
    return rewrite_zip(base, folder / "evil.keras", extra=[(name, b"written outside")]), name


@pytest.mark.reliability(AREA, "a .keras with entries named outside its folder (.., absolute, links)")
@pytest.mark.parametrize("kind", TRAVERSALS)
@pytest.mark.parametrize("entry", FILE_ENTRIES)
def test_traversal_entries_are_refused_and_never_written(entry, kind, tmp_path, sandbox, capsys):
    path, name = traversal_file(kind, tmp_path)
    message = enter_file(entry, path, capsys)
    assert repr(name) in message or (kind == "a symbolic link" and "'assets/link'" in message)
    assert "refused" in message and "save the model again" in message.lower()
    assert not (tmp_path / "outside").exists()
    assert not Path("/" + str(tmp_path / "outside").lstrip("/")).exists()


@pytest.mark.reliability(AREA, "a run folder from elsewhere whose model names entries outside")
@pytest.mark.parametrize("entry", RUN_ENTRIES)
def test_run_with_traversal_entries_is_refused(entry, run_folder, tmp_path, sandbox):
    hostile, name = traversal_file("../ climbing out", tmp_path)
    message = enter_run(entry, copied_run(run_folder, tmp_path, hostile), run_folder[1], tmp_path)
    assert repr(name) in message
    assert not (tmp_path / "outside").exists()


# -- configs made to break the reader ----------------------------------------------------------
def broken_config_file(kind, folder):
    if kind == "Keras 2 .json nested 100000 deep":
        path = folder / "deep.json"
        path.write_text('{"class_name": "Sequential", "config": ' + "[" * 100000 + "]" * 100000
                        + ', "keras_version": "2.15.0"}')
        return path
    base = save_keras(base_model(), folder / "base.keras")
    text = json.dumps(json.loads(zipfile.ZipFile(base).read("config.json")))
    if kind.startswith("config.json nested"):
        data = text.replace('"units": 4', '"units": ' + "[" * 100000 + "]" * 100000).encode()
    else:
        data = text.encode("utf-16")
    return rewrite_zip(base, folder / "broken.keras", replace={"config.json": data})


BROKEN_CONFIGS = {
    "config.json nested 100000 deep (.keras)":
        "its config.json is nested too deeply to describe a model; the file is damaged or forged",
    "config.json not UTF-8 (.keras)": "its config.json is not valid JSON; the file is damaged",
    "Keras 2 .json nested 100000 deep": "deep.json is nested too deeply",
}


@pytest.mark.reliability(AREA, "a model config nested 100,000 deep or not UTF-8")
@pytest.mark.parametrize("entry, kind", [(entry, kind) for kind in BROKEN_CONFIGS
                                         for entry in ("open", "predict")
                                         if entry == "open" or kind.endswith("(.keras)")])
def test_config_made_to_break_the_reader_is_refused(entry, kind, tmp_path, sandbox, capsys):
    message = enter_file(entry, broken_config_file(kind, tmp_path), capsys)
    assert BROKEN_CONFIGS[kind] in message


@pytest.mark.reliability(AREA, "a run checkpoint whose header declares negative or huge shapes")
@pytest.mark.parametrize("shape", [[-1], [2, -1], [1 << 62, 4], [True]])
def test_checkpoint_with_forged_shapes_is_refused(shape, run_folder, tmp_path, sandbox):
    from core.training.checkpoint import MAGIC

    run = copied_run(run_folder, tmp_path)
    header = json.dumps([{"name": "w0", "dtype": "<f4", "shape": shape},
                         {"name": "w1", "dtype": "<f4", "shape": [1]}]).encode()
    (run / "checkpoint.e1.ckpt").write_bytes(MAGIC + len(header).to_bytes(8, "little") + header
                                             + np.arange(4, dtype="<f4").tobytes())
    state = json.loads((run / "state.json").read_text())
    state.update(checkpoint="checkpoint.e1.ckpt", final_model=None)
    (run / "state.json").write_text(json.dumps(state))
    message = enter_run("resume", run, run_folder[1], tmp_path)
    assert "Cannot read the checkpoint" in message and "start a new run" in message
    assert f"unexpected shape {shape!r}" in message or "cut short" in message


# -- a run's state.json naming files outside its folder ---------------------------------------
OUTSIDE_NAMES = {  # field -> a name reaching outside (a folder "checkpoint." is in the run)
    "best.file": "checkpoint./../../victim.txt",
    "checkpoint": "/tmp/../victim.ckpt",
    "final_model": "..\\victim.keras",
}


@pytest.mark.reliability(AREA, "a run folder from elsewhere whose state.json names files outside it")
@pytest.mark.parametrize("field", list(OUTSIDE_NAMES))
@pytest.mark.parametrize("entry", ["resume", "evaluate"])
def test_run_state_naming_files_outside_is_refused(entry, field, run_folder, tmp_path, sandbox):
    # Resuming deletes the checkpoints a new epoch supersedes; "checkpoint./../../victim.txt"
    # as the best epoch's file deleted a file outside the run folder.
    victim = tmp_path / "victim.txt"
    victim.write_text("a file of the user's")
    run = copied_run(run_folder, tmp_path)
    (run / "checkpoint.").mkdir()
    state = json.loads((run / "state.json").read_text())
    if field == "best.file":
        state["best"] = {"monitor": "loss", "mode": "min", "best": 1e9, "best_epoch": 1,
                         "wait": 0, "file": OUTSIDE_NAMES[field]}
    else:
        state[field] = OUTSIDE_NAMES[field]
    (run / "state.json").write_text(json.dumps(state))
    message = enter_run(entry, run, run_folder[1], tmp_path)
    assert f"names {OUTSIDE_NAMES[field]!r} as its `{field}`" in message
    assert "which is not a file of the run folder" in message and "refused" in message
    assert victim.read_text() == "a file of the user's"


# -- (h) pickles where the app reads arrays ----------------------------------------------------
class OpensMarker:
    """Unpickling it calls open(marker, "w"): the marker appears if anything unpickles."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


def object_array(marker):
    array = np.empty(1, dtype=object)
    array[0] = OpensMarker(marker)
    return array


def pickle_in_keras_weights(folder, marker, run):
    buffer = io.BytesIO()
    np.savez(buffer, vars=object_array(marker))
    base = save_keras(base_model(), folder / "base.keras")
    path = folder / "evil.keras"
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            if info.filename != "model.weights.h5":
                zout.writestr(info.filename, zin.read(info))
        zout.writestr("model.weights.npz", buffer.getvalue())  # Keras reads either
    from core.keras_import import load_model_safely

    with pytest.raises(UnsafeModelError) as info:
        load_model_safely(path)
    return str(info.value)


def pickle_in_predictions(folder, marker, run):
    from core.training.predictions import PREDICTIONS, load_predictions

    np.savez(run / PREDICTIONS, task=np.array("classification"), true=object_array(marker))
    assert load_predictions(run) is None  # ignored as unreadable: the plots are left out


def pickle_in_npz_data(folder, marker, run):
    from core.data.arrays import load_npz
    from core.errors import DataError
    from core.project import Project

    np.savez(folder / "data.npz", x=object_array(marker), y=np.zeros(1))
    with pytest.raises(DataError) as info:
        load_npz(Project(name="p"), {"kind": "npz", "path": str(folder / "data.npz")})
    return str(info.value)


def pickle_in_checkpoint(folder, marker, run):
    from core.training import train
    from core.training.checkpoint import MAGIC

    header = json.dumps([{"name": "w0", "dtype": "|O", "shape": [1]}]).encode()
    (run / "checkpoint.e1.ckpt").write_bytes(MAGIC + len(header).to_bytes(8, "little") + header
                                             + pickle.dumps(OpensMarker(marker)))
    state = json.loads((run / "state.json").read_text())
    state.update(checkpoint="checkpoint.e1.ckpt", final_model=None)
    (run / "state.json").write_text(json.dumps(state))
    with pytest.raises(WorkbenchError) as info:
        train(None, resume_from=run, epochs=2)
    return str(info.value)


def pickle_in_embedding_store(folder, marker, run):
    from core.text.embedding_store import EmbeddingStore

    store = EmbeddingStore(folder / "embeddings.sqlite")
    store.put("m", "default", {"warm": np.zeros(4, "float32")})
    blob = pickle.dumps(OpensMarker(marker))
    blob += b"\0" * (-len(blob) % 4)
    connection = sqlite3.connect(folder / "embeddings.sqlite")
    with connection:
        connection.execute("UPDATE vectors SET vector=?", (blob,))
    connection.close()
    found = store.get("m", "default", ["warm"])
    store.close()
    assert found["warm"].dtype == np.float32  # numbers, read as bytes: never unpickled


# place -> (how the app reads it, what its refusal says; None: it is ignored, not refused)
PICKLE_PLACES = {
    "model.weights.npz in a .keras": (pickle_in_keras_weights, "array vars.npy holds Python objects"),
    "a run's predictions.npz": (pickle_in_predictions, None),
    "an npz data source": (pickle_in_npz_data, "holds Python objects (pickled arrays)"),
    "a run's checkpoint file": (pickle_in_checkpoint, "unexpected dtype object"),
    "the ELMo embedding store": (pickle_in_embedding_store, None),
}


@pytest.mark.reliability(AREA, "a pickle (object array) where the app reads arrays")
@pytest.mark.parametrize("place", list(PICKLE_PLACES))
def test_pickles_are_never_unpickled(place, tmp_path, sandbox, run_folder):
    # The payloads are pickled here, by the test; the app never imports pickle (see
    # test_no_code_from_files.py).
    read, expected = PICKLE_PLACES[place]
    message = read(tmp_path, sandbox, copied_run(run_folder, tmp_path))
    if expected is not None:
        assert expected in message
