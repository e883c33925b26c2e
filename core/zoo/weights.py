"""ImageNet weights of the zoo models, in Keras's own cache, offline first.

Weights live where Keras keeps them, ``$KERAS_HOME/models`` (default
``~/.keras/models``), under Keras's file names, so a cache filled by any Keras
script is reused and a file this app fetches serves any Keras script too.

Files get there three ways: already there; :func:`import_weights` (a file
obtained elsewhere, checked by Keras's hash where it has one and by loading it);
:func:`download_weights` (Keras's URL and hash, with progress and cancel).
:func:`build_zoo_model` builds a model with them, or with random weights
(``weights=None``) when there are none, to explore the architecture or serve as
a backbone.
"""

import hashlib
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from core.errors import WorkbenchError
from core.zoo.catalog import zoo_model


class MissingWeightsError(WorkbenchError):
    """A zoo model's ImageNet weights are not in the Keras cache.

    Attributes:
        name: the zoo model's name.
        weight_file: the catalog's :class:`~core.zoo.catalog.WeightFile` that is missing.
        path: where it was looked for.
    """

    def __init__(self, name, weight_file, path):
        self.name = name
        self.weight_file = weight_file
        self.path = Path(path)
        super().__init__(missing_weights_message(name, weight_file, path))


@dataclass(frozen=True)
class WeightStatus:
    """Whether one weight file of a zoo model is in the cache.

    Attributes:
        name: the zoo model.
        include_top: True for the classification weights, False for the backbone's.
        path: where Keras keeps (or would keep) the file.
        size_bytes: its size on disk, or None when it is not there.
    """

    name: str
    include_top: bool
    path: Path
    size_bytes: int | None

    @property
    def cached(self):
        return self.size_bytes is not None


def cache_dir():
    """Keras's weight cache: ``$KERAS_HOME/models``, else ``~/.keras/models``.

    Read from the environment at each call (Keras reads it once, at import), so a
    test or a user who changes ``KERAS_HOME`` is followed. Not created here.
    """
    home = os.environ.get("KERAS_HOME") or os.path.join("~", ".keras")
    return Path(os.path.expanduser(home)) / "models"


def weights_path(name, include_top=True):
    """Where the weight file of zoo model ``name`` lives in the cache (it may not exist)."""
    return cache_dir() / zoo_model(name).weight_file(include_top).file_name


def weights_status(name, include_top=True):
    """The :class:`WeightStatus` of one weight file (a ``stat``; never reads the file)."""
    path = weights_path(name, include_top)
    try:
        size = path.stat().st_size if path.is_file() else None
    except OSError:
        size = None
    return WeightStatus(zoo_model(name).name, include_top, path, size)


def require_weights(name, include_top=True):
    """The cached weight file's path.

    Raises:
        MissingWeightsError: when it is not in the cache; its message says what to do.
    """
    status = weights_status(name, include_top)
    if not status.cached:
        raise MissingWeightsError(status.name, zoo_model(name).weight_file(include_top),
                                  status.path)
    return status.path


def missing_weights_message(name, weight_file, path):
    """What to do when weights are missing: download when online, import when not."""
    notop = "" if weight_file.file_name == zoo_model(name).weights.file_name else " notop"
    return (f"No ImageNet weights for `{name}` in the Keras cache: {path} is missing. "
            f"Online, run `python main.py zoo download {name}{notop}`. Offline, fetch "
            f"{weight_file.file_name} from {weight_file.url} on another machine and run "
            f"`python main.py zoo import {name} FILE`. Meanwhile the model can be opened with "
            "random weights (weights=None) to explore its architecture or train it as a backbone.")


def file_hash(path, algorithm):
    """The hex digest of ``path`` with ``algorithm`` ("md5" or "sha256"), read in 1 MiB blocks."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hash_matches(path, weight_file):
    """True when ``path`` has the weight file's Keras hash; None when Keras has no hash."""
    if weight_file.file_hash is None:
        return None
    return file_hash(path, weight_file.hash_algorithm) == weight_file.file_hash


def import_weights(name, file, *, include_top=None):
    """Copy a weight file obtained elsewhere into the Keras cache, after checking it.

    Args:
        name: the zoo model (``"resnet50"``).
        file: the file (any name; Keras's file name is used in the cache).
        include_top: True for the classification weights, False for the backbone's
            (``notop``), None to tell from the file: its name or hash when it is
            Keras's, else by which of the two it loads into.

    Returns:
        The :class:`WeightStatus` of the file now in the cache.

    Raises:
        UnsafeModelError: the file is an HDF5 bomb or links to other files
            (core.archive_checks); nothing is read from it then.
        WorkbenchError: the file is missing, its hash is not Keras's, or it does
            not load into the model; nothing is copied then.
    """
    from core.archive_checks import check_h5

    model = zoo_model(name)
    file = Path(file)
    if not file.is_file():
        raise WorkbenchError(f"Cannot import weights for `{model.name}`: {file} is not a file.")
    try:
        check_h5(file, label=f"{file.name} (weights for `{model.name}`)")
    except OSError:
        pass  # not HDF5 at all: the hash and load checks below say it is not these weights
    variants = [include_top] if include_top is not None else _guess_variants(model, file)
    problems = []
    for top in variants:
        weight_file = model.weight_file(top)
        if hash_matches(file, weight_file) is False:
            problems.append(f"its {weight_file.hash_algorithm} hash is not Keras's "
                            f"{weight_file.file_hash} for {weight_file.file_name}")
            continue
        problem = load_problem(model.name, file, top)
        if problem:
            problems.append(problem)
            continue
        _copy_into_cache(file, weights_path(model.name, top))
        return weights_status(model.name, top)
    raise WorkbenchError(f"{file.name} is not a set of ImageNet weights for `{model.name}`: "
                         f"{'; '.join(problems)}. Get {model.weights.file_name} (or "
                         f"{model.weights_notop.file_name} without the top) from "
                         f"{model.weights.url.rsplit('/', 1)[0]}/.")


def _guess_variants(model, file):
    """Which variants to try for ``file``, the likeliest first (by name, then by hash)."""
    for top in (True, False):
        if file.name == model.weight_file(top).file_name:
            return [top]
    for top in (True, False):
        if hash_matches(file, model.weight_file(top)):
            return [top]
    return [True, False]


def load_problem(name, file, include_top=True):
    """Why ``file`` does not load into zoo model ``name``; None when it does.

    The model is built with random weights (the same layers as with
    ``weights="imagenet"``: EfficientNet's extra rescaling has no weights) and
    Keras's legacy-HDF5 loader checks every layer's count and shapes.
    """
    import h5py

    model = build_zoo_model(name, weights=None, include_top=include_top)  # imports Keras
    # Keras's own reader of legacy .h5 weights (what model.load_weights uses for them),
    # called directly: load_weights goes by the file name, and a download in progress
    # or a file to import may be called anything.
    from keras.src.legacy.saving.legacy_h5_format import load_weights_from_hdf5_group

    try:
        with h5py.File(file, "r") as weights:
            load_weights_from_hdf5_group(weights, model)
    except Exception as exc:  # noqa: BLE001 - h5py and Keras raise many kinds: "not these weights"
        return f"it does not load into {name} {'with' if include_top else 'without'} its top " \
               f"({_first_line(exc)})"
    return None


def _first_line(exc):
    from core.builder import keras_message

    return keras_message(exc)[:200] or type(exc).__name__


def _copy_into_cache(source, target):
    """Copy through a temp file in the cache and rename: a cut-off copy is never a cached file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.resolve() == target.resolve():
        return
    fd, tmp = tempfile.mkstemp(prefix=".import-", suffix=".part", dir=target.parent)
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_zoo_model(name, *, weights="imagenet", include_top=True, input_shape=None,
                    pooling=None):
    """Build zoo model ``name`` with Keras's own constructor.

    Args:
        name: the zoo model (``"mobilenet_v2"``).
        weights: ``"imagenet"`` (from the cache; never downloads) or None (random).
        include_top: with the 1000-class ImageNet classifier, or without (a backbone).
        input_shape: (height, width, 3) for a backbone; None for the default.
        pooling: None, "avg" or "max", for a backbone.

    Returns:
        A ``keras.Model``.

    Raises:
        MissingWeightsError: ``weights="imagenet"`` and the file is not cached.
        WorkbenchError: the cached file does not fit the model.
    """
    from core.zoo.keras_cache import served_from_cache

    model = zoo_model(name)
    kwargs = {"include_top": include_top}
    if input_shape is not None:
        kwargs["input_shape"] = tuple(input_shape)
    if pooling is not None:
        kwargs["pooling"] = pooling
    constructor = model.keras_constructor()
    if weights is None:
        return constructor(weights=None, **kwargs)
    if weights != "imagenet":
        raise WorkbenchError(f"Invalid value for `weights`: expected \"imagenet\" or None, "
                             f"received {weights!r}.")
    path = require_weights(model.name, include_top)
    # "imagenet", not the path: EfficientNet builds a different input normalization
    # for a path (DESIGN.md); the file is handed to Keras as its own cached file.
    with served_from_cache(model.weight_file(include_top).file_name, path):
        try:
            with warnings.catch_warnings():
                # MobileNet warns that it loads its 224x224 weights for an open input
                # size: what a backbone wants (convolutions fit any size).
                warnings.filterwarnings("ignore", message=".*will be loaded as the default")
                return constructor(weights="imagenet", **kwargs)
        except (ValueError, OSError, KeyError) as exc:
            raise WorkbenchError(
                f"The cached weights {path} do not fit `{model.name}` ({_first_line(exc)}). "
                f"Delete the file and run `python main.py zoo download {model.name}`, or "
                f"import a good copy with `python main.py zoo import {model.name} FILE`.") \
                from None
