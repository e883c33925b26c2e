"""Stand-ins for Keras's ImageNet weight files, made offline (DESIGN.md).

A zoo model is built with ``weights=None`` and its random weights are written in
the legacy HDF5 layout Keras's application files use, under the file name Keras
looks for in ``$KERAS_HOME/models``. Loading it with ``weights="imagenet"`` then
goes through exactly the code a real cached file goes through. Reusable by UI tests.
"""

from pathlib import Path


def write_standin_weights(name, keras_home, *, include_top=True, spread=False, seed=0):
    """Write random weights for zoo model ``name`` as Keras's cached file in ``keras_home``.

    Args:
        spread: replace Keras's initial weights by seeded random ones, batch-norm
            statistics included: with its initial ones a model such as MobileNetV2 gives
            every class the same score, which would hide a wrong input pipeline.

    Returns:
        The written file's path (``keras_home/models/<Keras's file name>``).
    """
    import h5py

    from core.keras_env import keras
    from core.zoo.catalog import zoo_model
    from core.zoo.weights import build_zoo_model

    keras()  # first, so that Keras starts the app's way
    # keras.src: the public API has no writer for the legacy layout (DESIGN.md).
    from keras.src.legacy.saving.legacy_h5_format import save_weights_to_hdf5_group

    entry = zoo_model(name)
    path = Path(keras_home) / "models" / entry.weight_file(include_top).file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    model = build_zoo_model(name, weights=None, include_top=include_top)
    if spread:
        spread_weights(model, seed)
    with h5py.File(path, "w") as f:
        save_weights_to_hdf5_group(f, model)
    return path


def spread_weights(model, seed=0):
    """Seeded random weights scaled by fan-in, positive scales and variances."""
    import numpy as np

    rng = np.random.default_rng(seed)
    for variable in model.weights:
        shape = tuple(variable.shape)
        if variable.path.endswith(("moving_variance", "gamma")):
            value = rng.uniform(0.5, 1.5, shape)
        elif len(shape) > 1:
            value = rng.normal(0.0, 1.0 / np.sqrt(np.prod(shape[:-1])), shape)
        else:
            value = rng.normal(0.0, 0.1, shape)
        variable.assign(value.astype("float32"))


def use_keras_home(monkeypatch, folder):
    """Point ``KERAS_HOME`` at ``folder`` for one test (the app reads it at each call)."""
    monkeypatch.setenv("KERAS_HOME", str(folder))
    return Path(folder)


def make_run_folder(path, *, model=None, class_names=None, image_folder=None,
                    scaling="none", image_size=(32, 32)):
    """A run folder as the training engine leaves it, as far as prediction reads it.

    Args:
        path: the folder to make.
        model: a keras.Model saved as its best.keras, or None for none.
        class_names: written to metrics.json as the evaluation's class names.
        image_folder: the project's image_folder source (its class sub-folders).
        scaling: the project's ``data.preprocessing.scaling``.
        image_size: the source's image size.
    """
    import json

    from core.project import Project

    path = Path(path)
    path.mkdir(parents=True)
    project = Project(name="tiny_images")
    if image_folder is not None:
        project.data.source = {"kind": "image_folder", "path": str(image_folder),
                               "image_size": list(image_size)}
    project.data.preprocessing["scaling"] = scaling
    project.save(path / "project.kwb.json")
    (path / "state.json").write_text(json.dumps({"status": "finished"}))
    if class_names is not None:
        metrics = {"evaluated_on": "test", "classification": {"class_names": class_names}}
        (path / "metrics.json").write_text(json.dumps(metrics))
    if model is not None:
        model.save(path / "best.keras")
    return path
