"""Pretrained word vectors (GloVe, word2vec text format) in a project's Embedding layer.

The Embedding row of each word must be that word's pretrained vector, so the
matrix follows the project's TextVectorization vocabulary (core.data.text:
row 0 is padding, row 1 ``[UNK]``, then words by frequency in the training
part). The vectors go into the project's weights file (core.weights_io), which
every run loads by layer name before training; the layer's ``trainable``
setting freezes them or lets training adjust them.

Files: GloVe's ``word v1 ... vD`` lines, or word2vec's text format (the same
with a first line ``count D``). Only the vocabulary's words are kept while
reading, so a multi-gigabyte file needs little memory. A word is matched as
written, else in lower case (the vocabulary is lower-cased).
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.errors import WorkbenchError
from core.text.elmo import EmbeddingStopped

SPECIAL_TOKENS = ("", "[UNK]")
_PROGRESS_EVERY = 1 << 22  # bytes between on_progress calls


@dataclass
class VectorImport:
    """What :func:`import_word_vectors` did.

    Attributes:
        layer: the Embedding layer's id.
        dim: the vectors' size (the layer's output_dim now).
        vocabulary_size: words in the vocabulary, padding and [UNK] left out.
        found: how many of them the file has a vector for.
        missing: up to 20 of the words it lacks, most frequent first.
        trainable: whether training may change the vectors.
        weights_path: the weights file written.
        notes: changes made to the layer's settings.
    """

    layer: str
    dim: int
    vocabulary_size: int
    found: int
    missing: list
    trainable: bool
    weights_path: Path
    notes: list = field(default_factory=list)

    @property
    def coverage(self):
        """The fraction of the vocabulary the file covers."""
        return self.found / self.vocabulary_size if self.vocabulary_size else 0.0

    def summary(self):
        state = "trainable" if self.trainable else "frozen"
        return (f"{self.found} of {self.vocabulary_size} vocabulary words found "
                f"({self.coverage:.0%}); {self.dim}-d vectors in `{self.layer}` ({state}).")


def read_word_vectors(path, words=None, *, on_progress=None, should_stop=None):
    """Read a GloVe or word2vec text file.

    Args:
        path: the file.
        words: keep only these words (matched as written, else lower-cased),
            or None for all.
        on_progress: ``f(bytes_read, total_bytes)`` now and then.
        should_stop: polled now and then; True raises EmbeddingStopped.

    Returns:
        ``(vectors, dim)``: ``{word: float32 vector}`` and the vector size.

    Raises:
        WorkbenchError: an empty file or lines of different sizes.
    """
    path = Path(path)
    wanted = None if words is None else set(words)
    exact, lowered, dim = {}, {}, None
    total, done, next_report = path.stat().st_size, 0, 0
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            done += len(raw)
            if done >= next_report:
                _report(on_progress, should_stop, done, total)
                next_report = done + _PROGRESS_EVERY
            parts = raw.decode("utf-8", "replace").rstrip("\r\n").split(" ")
            if number == 1 and len(parts) == 2 and all(p.isdigit() for p in parts):
                dim = int(parts[1])  # word2vec's "count dim" header
                continue
            if dim is None:
                dim = len(parts) - 1
            if len(parts) < dim + 1 or dim < 1:
                raise WorkbenchError(f"{path.name}, line {number}: expected a word and {dim} "
                                     f"numbers, found {len(parts)} fields. Is it a GloVe or "
                                     "word2vec text file?")
            word = " ".join(parts[:-dim])  # a few GloVe words hold spaces
            _keep(word, parts[-dim:], wanted, exact, lowered, path, number)
    _report(on_progress, None, total, total)
    if dim is None:
        raise WorkbenchError(f"{path.name} is empty: expected lines of a word and its vector.")
    return {**lowered, **exact}, dim


def _keep(word, numbers, wanted, exact, lowered, path, number):
    lower = word.lower()
    if wanted is not None and word not in wanted and lower not in wanted:
        return
    try:
        vector = np.array(numbers, dtype=np.float32)
    except ValueError:
        raise WorkbenchError(f"{path.name}, line {number}: the vector of {word!r} holds "
                             "something that is not a number.") from None
    if wanted is None or word in wanted:
        exact.setdefault(word, vector)
    elif lower not in lowered:
        lowered[lower] = vector


def _report(on_progress, should_stop, done, total):
    if should_stop is not None and should_stop():
        raise EmbeddingStopped(f"Stopped reading the word vectors after {done} of {total} bytes.")
    if on_progress is not None:
        on_progress(done, total)


def embedding_matrix(vocabulary, vectors, dim, rows=None, seed=0):
    """The Embedding weights for ``vocabulary``: row i is the vector of word i.

    Padding and ``[UNK]`` rows are zero; a word without a vector gets a small
    random one (seeded, with the pretrained vectors' spread) for training to move.

    Returns:
        ``(matrix, found)``: float32 (rows, dim), rows defaulting to the
        vocabulary's size, and the words that got a pretrained vector.
    """
    rows = rows or len(vocabulary)
    matrix = np.zeros((rows, dim), np.float32)
    known = [v for v in vectors.values()]
    spread = float(np.std(known)) if known else 0.1
    rng = np.random.default_rng(seed)
    found = []
    for i, word in enumerate(vocabulary[:rows]):
        if word in SPECIAL_TOKENS:
            continue
        if word in vectors:
            matrix[i] = vectors[word]
            found.append(word)
        else:
            matrix[i] = rng.normal(0.0, spread, dim)
    return matrix, found


def import_word_vectors(project, path, *, layer=None, trainable=False, on_progress=None,
                        should_stop=None):
    """Put pretrained vectors into the project's Embedding layer, aligned with its vocabulary.

    The vocabulary is the one training will use (the data is prepared as a run
    prepares it). The layer's ``output_dim`` becomes the vectors' size and its
    ``trainable`` setting ``trainable``; the matrix goes into the project's
    weights file (a new ``<project>.weights.h5`` beside the project file, or in
    the app's data folder for an unsaved project). Subscribers hear "model".

    Args:
        project: a project whose data is ``text_csv`` (vectorized).
        path: a GloVe or word2vec text file.
        layer: the Embedding layer's id; default the only Embedding in the graph.
        trainable: let training adjust the vectors (False freezes them).
        on_progress, should_stop: see :func:`read_word_vectors`.

    Returns:
        VectorImport (its ``summary()`` says the coverage).
    """
    from core.data import prepare_data

    node = _embedding_node(project.model, layer)
    vocabulary = prepare_data(project).preprocessing_summary().get("vocabulary")
    if vocabulary is None:
        raise WorkbenchError("The project's data has no vocabulary: pretrained word vectors need "
                             "a text_csv source that is vectorized (TextVectorization).")
    input_dim = node.config.get("input_dim")
    if not isinstance(input_dim, int) or input_dim < len(vocabulary):
        raise WorkbenchError(f"The Embedding layer `{node.id}` has input_dim {input_dim} but the "
                             f"vocabulary has {len(vocabulary)} tokens: set input_dim to "
                             f"{len(vocabulary)} or more.")
    words = [w for w in vocabulary if w not in SPECIAL_TOKENS]
    vectors, dim = read_word_vectors(path, words, on_progress=on_progress,
                                     should_stop=should_stop)
    matrix, found = embedding_matrix(vocabulary, vectors, dim, rows=input_dim)
    notes = []
    if node.config.get("output_dim") != dim:
        notes.append(f"output_dim of `{node.id}` set to {dim} (was "
                     f"{node.config.get('output_dim')}) to match the vectors.")
    node.config["output_dim"] = dim
    node.config["trainable"] = bool(trainable)
    weights_path = _write_weights(project, node, matrix)
    project.notify("model")
    missing = [w for w in words if w not in vectors][:20]
    return VectorImport(node.id, dim, len(words), len(found), missing, bool(trainable),
                        weights_path, notes)


def _embedding_node(graph, layer):
    if layer is not None:
        try:
            node = graph.node(layer)
        except KeyError:
            raise WorkbenchError(f"There is no layer `{layer}` in the model.") from None
        if node.class_name != "Embedding":
            raise WorkbenchError(f"Layer `{layer}` is a {node.class_name}: word vectors go into "
                                 "an Embedding layer.")
        return node
    found = [n for n in graph.nodes if n.class_name == "Embedding" and not n.shares]
    if len(found) != 1:
        names = ", ".join(f"`{n.id}`" for n in found) or "none"
        raise WorkbenchError(f"Pick the Embedding layer for the word vectors: the model has "
                             f"{len(found)} ({names}).")
    return found[0]


def _write_weights(project, node, matrix):
    """Write the matrix into the project's weights file, keeping the weights it already holds."""
    from core.builder import build_model, make_layer
    from core.keras_env import keras
    from core.weights_io import load_project_weights, save_weights_by_name

    k = keras()
    if project.model.weights:
        model = build_model(project.model)
        load_project_weights(project, model)
        layer = model.get_layer(node.id)
        path = project.resolve_path(project.model.weights)
    else:  # only this layer: the others keep starting from fresh weights
        layer = make_layer(node)
        model = k.Sequential([k.Input((None,), dtype="int32"), layer])
        path = _new_weights_path(project)
    layer.embeddings.assign(matrix)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_weights_by_name(model, path)
    if not project.model.weights:
        project.model.weights = path.name if project.path is not None else str(path)
    return path


def _new_weights_path(project):
    from core.paths import app_home, safe_name
    from core.project import PROJECT_SUFFIX

    if project.path is not None:
        stem = project.path.name.removesuffix(PROJECT_SUFFIX).removesuffix(".json")
        return project.path.with_name(f"{stem}.weights.h5")
    return app_home() / "imports" / f"{safe_name(project.name)}-vectors.weights.h5"
