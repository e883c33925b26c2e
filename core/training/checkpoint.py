"""A model's weights and its optimizer's state as one plain file, cheap enough to write per epoch.

Keras's ``.keras`` format takes 30-90 ms to write even for a tiny model (it
serializes the config and walks every object) and ``np.savez`` about 2 ms for
twenty small arrays: more than the engine may add to a small epoch. The
per-epoch checkpoint that makes a killed run resumable holds only the values,
``model.weights`` in order as ``w0, w1, ...`` and ``optimizer.variables``
(step count, moments, learning rate) as ``o0, o1, ...``::

    b"KWBCKPT1\\n", header length (8 bytes, little endian),
    header JSON [{"name", "dtype", "shape"}, ...], then each array's bytes in C order

It is data only: dtypes are checked to be plain numbers, nothing is unpickled.
It is written to a temp file and renamed, so a kill leaves the old file or the new one;
a write that fails (a full disk, a read-only folder) removes the temp file, so no
half-written checkpoint is left for a resume to find.
"""

import json
import math
from pathlib import Path

import numpy as np

from core.errors import TrainingError, WorkbenchError
from core.project import cannot_write_message
from core.replace_file import replacing

MAGIC = b"KWBCKPT1\n"


def model_values(model):
    """``{"w0": ..., "o0": ...}``: copies of the model's weights and its optimizer's variables."""
    import tensorflow as tf

    names = [f"w{i}" for i in range(len(model.weights))]
    variables = list(model.weights)
    if model.optimizer is not None:
        names += [f"o{i}" for i in range(len(model.optimizer.variables))]
        variables += list(model.optimizer.variables)
    if not variables:
        return {}
    # One op reads them all: about half the time of reading each variable in turn.
    return {name: np.asarray(t.numpy()) for name, t in zip(names, tf.identity_n(variables))}


def save_values(model, path):
    """Write :func:`model_values` to ``path`` atomically."""
    write_arrays(path, model_values(model))


def write_arrays(path, arrays):
    """Write ``{name: array}`` in the checkpoint format (temp file, then rename)."""
    path = Path(path)
    arrays = {name: np.asarray(a, order="C") for name, a in arrays.items()}  # keeps 0-d shapes
    header = json.dumps([{"name": name, "dtype": a.dtype.str, "shape": list(a.shape)}
                         for name, a in arrays.items()]).encode("utf-8")
    with replacing(path) as tmp, open(tmp, "wb") as f:
        f.write(MAGIC + len(header).to_bytes(8, "little") + header)
        for a in arrays.values():
            f.write(a.data)


def epoch_write_error(run_dir, epoch, exc):
    """The TrainingError of a run that could not write epoch ``epoch`` into its folder.

    The run's state.json still names the epoch before (the caller saw to it), so
    the run resumes from there once the folder can be written again.

    Args:
        run_dir: the run folder.
        epoch: the epoch (from 1) being committed.
        exc: the OSError (ENOSPC: a full disk; EACCES/EROFS: a read-only folder).
    """
    target = Path(str(exc.filename).removesuffix(".tmp")) if exc.filename else Path(run_dir)
    return TrainingError(cannot_write_message(
        f"write epoch {epoch} of the run to", target, exc,
        "set another runs folder (`training.runs_dir`) for new runs"))


def read_values(path):
    """The arrays of a checkpoint file, as a dict.

    Raises:
        WorkbenchError: when the file is missing, cut short or not a checkpoint.
    """
    try:
        data = Path(path).read_bytes()
        if not data.startswith(MAGIC):
            raise ValueError("not a Keras Workbench checkpoint")
        start = len(MAGIC) + 8
        end = start + int.from_bytes(data[len(MAGIC):start], "little")
        values, offset = {}, end
        for entry in json.loads(data[start:end]):
            dtype = np.dtype(entry["dtype"])
            if dtype.kind not in "biuf":
                raise ValueError(f"unexpected dtype {dtype}")
            shape = entry["shape"]
            # Dimensions from the file: a negative one made frombuffer read the rest of the file.
            if not isinstance(shape, list) or any(type(d) is not int or d < 0 for d in shape):
                raise ValueError(f"unexpected shape {shape!r}")
            count = math.prod(shape)  # Python integers: no int64 wrap-around
            size = count * dtype.itemsize
            if offset + size > len(data):
                raise ValueError("the file is cut short")
            array = np.frombuffer(data, dtype, count, offset).reshape(entry["shape"])
            values[entry["name"]] = array.copy()
            offset += size
        return values
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise WorkbenchError(f"Cannot read the checkpoint {path}: {exc}. The run cannot continue "
                             "from it; start a new run.") from None


def assign_values(model, values, source="the checkpoint"):
    """Put checkpoint ``values`` into ``model`` and its (compiled) optimizer.

    Raises:
        WorkbenchError: when the values do not fit the model (another model's file).
    """
    optimizer = model.optimizer
    if optimizer is not None and not optimizer.built:
        optimizer.build(model.trainable_variables)
    targets = [(f"w{i}", v) for i, v in enumerate(model.weights)]
    if optimizer is not None and any(key.startswith("o") for key in values):
        targets += [(f"o{i}", v) for i, v in enumerate(optimizer.variables)]
    expected = {key for key, _ in targets}
    if expected != set(values):
        raise WorkbenchError(f"{source} holds {len(values)} arrays but the model and its optimizer "
                             f"have {len(expected)} variables: it was written for another model.")
    for key, variable in targets:
        if tuple(values[key].shape) != tuple(variable.shape):
            raise WorkbenchError(f"{source} does not fit the model: `{variable.path}` has shape "
                                 f"{tuple(variable.shape)}, the file {tuple(values[key].shape)}.")
    for key, variable in targets:
        variable.assign(values[key])


def load_values(model, path):
    """Read the checkpoint at ``path`` into ``model`` (see :func:`assign_values`)."""
    assign_values(model, read_values(path), source=f"The checkpoint {path}")
