"""Label images with a model that is loaded once and kept: a zoo model, a model file or a run.

    classifier = open_classifier("mobilenet_v2")          # or "model.keras", or a run folder
    for result in classifier.classify(["photo.jpg", "holiday/"], top=5):
        print(result.input, result.top or result.error)

Images are read with Pillow (core.zoo.images) on a few threads while the model
works on the previous batch; a file that cannot be read gets its own error and
the others go on. Scores are the model's probabilities; a model that ends in
logits (values outside 0..1) is given a softmax first.
"""

import concurrent.futures
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.errors import WorkbenchError
from core.zoo.images import ImageReadError, collect_images, read_rgb

MODEL_SUFFIXES = (".keras", ".h5", ".hdf5")
RUN_MODELS = ("best.keras", "last.keras")


@dataclass
class Prediction:
    """The result for one input.

    Attributes:
        input: the image's path, as a string.
        top: best first, ``[{"label": str, "index": int, "score": float}, ...]``; None on error.
        error: why the input could not be classified; None when it was.
        image_size: the image's (width, height) as read, or None on error.
    """

    input: str
    top: list = None
    error: str = None
    image_size: tuple = None

    @property
    def ok(self):
        return self.error is None

    def to_dict(self):
        """The JSON object the command line prints (CONTRACT.md)."""
        if self.error is not None:
            return {"input": self.input, "error": self.error}
        return {"input": self.input, "top": self.top}


@dataclass
class Classifier:
    """A loaded model with its class names and input preparation.

    Build one with :func:`open_classifier`. Attributes:
        model: the ``keras.Model``.
        labels: class names in output order.
        model_input: a core.zoo.inputs.ModelInput (size, channels, scaling).
        name: what the model is called, for a person.
        kind: "zoo", "file" or "run".
        source: the zoo name, file or run folder it came from.
        notes: things a person should know (random weights, labels not found, ...).
    """

    model: object
    labels: list
    model_input: object
    name: str
    kind: str
    source: str
    notes: list = field(default_factory=list)

    def classify(self, inputs, *, top=5, batch_size=32, on_result=None, should_stop=None):
        """Classify image files and folders (walked); see :meth:`iter_classify`.

        Returns:
            A list of :class:`Prediction`, one per image found, in input order (fewer
            when ``should_stop`` stopped it).
        """
        return list(self.iter_classify(inputs, top=top, batch_size=batch_size,
                                       on_result=on_result, should_stop=should_stop))

    def iter_classify(self, inputs, *, top=5, batch_size=32, on_result=None, should_stop=None):
        """Yield a :class:`Prediction` per image, batch by batch.

        Args:
            inputs: image files and folders (folders are walked for image files).
            top: how many classes to report per image, best first.
            batch_size: images per model call.
            on_result: called as ``on_result(prediction, done, total)`` for each image.
            should_stop: checked between batches; True stops after the current one.
        """
        paths = collect_images(inputs)
        done = 0
        for batch in self._read_batches(paths, batch_size, should_stop):
            for prediction in self._predict_batch(batch, top):
                done += 1
                if on_result is not None:
                    on_result(prediction, done, len(paths))
                yield prediction

    def predict_images(self, rgb_images):
        """Probabilities (n, classes) for uint8 RGB arrays, as float64 rows summing to 1."""
        prepared = [self.model_input.prepare(rgb) for rgb in rgb_images]
        return self._probabilities(self.model_input.batch(prepared))

    def preprocess(self, rgb):
        """One uint8 RGB image -> the model's input batch of one (for Grad-CAM)."""
        return self.model_input.batch([self.model_input.prepare(rgb)])

    # -- internals ---------------------------------------------------------------------
    def _read_one(self, path):
        try:
            rgb = read_rgb(path)
            return path, rgb.shape[1::-1], self.model_input.prepare(rgb), None
        except ImageReadError as exc:
            return path, None, None, str(exc)

    def _read_batches(self, paths, batch_size, should_stop):
        """Batches of read images; the next batch is read while the caller predicts."""
        chunks = [paths[i:i + batch_size] for i in range(0, len(paths), batch_size)]
        if not chunks:
            return
        workers = max(1, min(4, os.cpu_count() or 1))
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            pending = [pool.submit(self._read_one, p) for p in chunks[0]]
            for index in range(len(chunks)):
                if index and should_stop is not None and should_stop():
                    for future in pending:  # read ahead, never to be predicted
                        future.cancel()
                    return
                batch = [f.result() for f in pending]
                if index + 1 < len(chunks):
                    pending = [pool.submit(self._read_one, p) for p in chunks[index + 1]]
                yield batch

    def _predict_batch(self, batch, top):
        good = [item for item in batch if item[3] is None]
        rows = iter(())
        if good:
            probabilities = self._probabilities(self.model_input.batch([g[2] for g in good]))
            rows = iter(probabilities)
        for path, size, _, error in batch:
            if error is not None:
                yield Prediction(str(path), error=error)
            else:
                yield Prediction(str(path), self._top(next(rows), top), image_size=tuple(size))

    def _probabilities(self, x):
        # predict_on_batch: Keras's compiled step without predict()'s per-call dataset set-up.
        out = self.model.predict_on_batch(x)
        out = np.asarray(out[0] if isinstance(out, (list, tuple)) else out, dtype=np.float64)
        out = out.reshape(len(out), -1)
        if out.shape[1] == 1:  # one sigmoid unit: the probability of the second class
            p = out[:, 0]
            out = np.stack([1.0 - p, p], axis=1)
        if out.min() < 0 or out.max() > 1 or not np.allclose(out.sum(axis=1), 1.0, atol=1e-3):
            out = np.exp(out - out.max(axis=1, keepdims=True))
            out /= out.sum(axis=1, keepdims=True)
        return out

    def _top(self, row, k):
        order = np.argsort(-row, kind="stable")[:max(1, k)]
        return [{"label": self.label(i), "index": int(i), "score": float(row[i])} for i in order]

    def label(self, index):
        """The class name of output ``index`` (``"class 7"`` when there is none)."""
        return self.labels[index] if index < len(self.labels) else f"class {index}"


def open_classifier(spec, *, weights="imagenet", scaling=None):
    """Load the model ``spec`` names, ready to classify images.

    Args:
        spec: a zoo name (``"mobilenet_v2"``), a ``.keras``/``.h5`` file, or a run folder
            (its best.keras, else last.keras). An existing path wins over a zoo name.
        weights: for a zoo model, "imagenet" (from Keras's cache) or None (random
            weights: the labels mean nothing, but the model can be explored).
        scaling: for a model file, how its inputs are scaled: "raw" (0..255), "unit"
            (0..1) or "symmetric" (-1..1); None guesses (see core.zoo.inputs).

    Raises:
        MissingWeightsError: a zoo model whose weights are not cached (says what to do).
        UnsafeModelError: a model file that holds code.
        WorkbenchError: anything else that cannot be opened, named with the fix.
    """
    from core.zoo.catalog import find_zoo_model

    path = Path(spec)
    if path.is_dir():
        return _open_run(path)
    if path.is_file():
        return _open_file(path, scaling)
    entry = find_zoo_model(str(spec))
    if entry is not None:
        return _open_zoo(entry, weights)
    if path.suffix.lower() in MODEL_SUFFIXES:
        raise WorkbenchError(f"Model file not found: {path}.")
    from core.zoo.catalog import zoo_model

    zoo_model(str(spec))  # raises, naming close zoo names
    raise AssertionError("unreachable")


def _open_zoo(entry, weights):
    from core.zoo.inputs import zoo_input
    from core.zoo.labels import imagenet_labels
    from core.zoo.weights import build_zoo_model

    model = build_zoo_model(entry.name, weights=weights)
    notes = [] if weights else [f"{entry.name} has random weights: its labels are meaningless."]
    return Classifier(model, imagenet_labels(), zoo_input(entry), entry.name, "zoo",
                      entry.name, notes)


def _open_file(path, scaling):
    from core.keras_import import load_model_safely
    from core.model_labels import (
        class_names_for,
        is_teachable_machine_labels,
        labels_file_beside,
    )
    from core.zoo.inputs import file_input

    if path.suffix.lower() not in MODEL_SUFFIXES:
        raise WorkbenchError(f"{path.name} is not a Keras model: MODEL is a zoo name, a .keras "
                             "or .h5 file, or a run folder.")
    run_dir = path.parent
    if (run_dir / "state.json").is_file() and path.name in RUN_MODELS:
        return _open_run(run_dir, path)
    model, _ = load_model_safely(path)
    if scaling is None:
        beside = labels_file_beside(path)
        # Teachable Machine's exports take -1..1 and come with a "0 Name" labels.txt.
        teachable = beside is not None and is_teachable_machine_labels(beside)
        scaling = "symmetric" if teachable else "raw"
    labels, notes = _labels(class_names_for(path), model, path)
    return Classifier(model, labels, file_input(model, scaling), path.stem, "file", str(path),
                      notes)


def _open_run(run_dir, model_path=None):
    from core.keras_import import load_model_safely
    from core.model_labels import run_class_names
    from core.project import Project
    from core.training.runs import SNAPSHOT, STATE
    from core.zoo.inputs import run_input

    if not (run_dir / STATE).is_file():
        raise WorkbenchError(f"{run_dir} is not a run folder (it has no {STATE}): MODEL is a "
                             "zoo name, a .keras or .h5 file, or a run folder.")
    if model_path is None:
        found = [run_dir / name for name in RUN_MODELS if (run_dir / name).is_file()]
        if not found:
            raise WorkbenchError(f"The run {run_dir} has no trained model yet (no best.keras or "
                                 f"last.keras): finish it with `python main.py train "
                                 f"--resume {run_dir}`.")
        model_path = found[0]
    model, _ = load_model_safely(model_path)
    snapshot = Project.load(run_dir / SNAPSHOT)
    labels, notes = _labels(run_class_names(run_dir), model, model_path)
    return Classifier(model, labels, run_input(model, snapshot), snapshot.name, "run",
                      str(run_dir), notes)


def _labels(names, model, path):
    """Class names that fit the model's outputs, and a note when there were none."""
    shape = model.output_shape
    if isinstance(shape, list):
        if len(shape) != 1:
            raise WorkbenchError(f"The model `{model.name}` has {len(shape)} outputs: image "
                                 "classification needs a model with one output of class scores.")
        shape = shape[0]
    outputs = int(np.prod([d for d in shape[1:] if d]))
    count = 2 if outputs == 1 else outputs
    if names and len(names) == count:
        return list(names), []
    numbered = [f"class {i}" for i in range(count)]
    if names:
        note = (f"{len(names)} class names were found for {path.name}, but it has {count} "
                "outputs: classes are shown by number.")
    else:
        note = (f"No class names for {path.name}: put a labels.txt beside it, one class name "
                "a line in output order.")
    return numbered, [note]
