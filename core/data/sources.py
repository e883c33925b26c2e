"""The data source kinds and the cheap description of a project's data."""

from core.data.arrays import load_npz, load_sklearn
from core.data.images import load_image_folder
from core.data.seq2seq import load_seq2seq_text
from core.data.series import load_series_csv
from core.data.synthetic import load_random, load_ratings
from core.data.table import load_csv
from core.data.text import load_text_csv
from core.errors import DataError

# Loaders are plain functions (project, source) -> core.data.info.Loaded.
LOADERS = {
    "sklearn": load_sklearn,
    "random": load_random,
    "csv": load_csv,
    "npz": load_npz,
    "image_folder": load_image_folder,
    "text_csv": load_text_csv,
    "series_csv": load_series_csv,
    "ratings": load_ratings,
    "seq2seq_text": load_seq2seq_text,
}
SOURCE_KINDS = tuple(LOADERS)


def load_source(project):
    """Load the whole of ``project.data.source``, unsplit (see core.data.info.Loaded).

    Raises:
        DataError: for a missing or unknown source, a bad setting, or a file
            that cannot be read; the message names the setting or file and the fix.
    """
    source = project.data.source
    if not source:
        raise DataError("The project has no data source: choose one on the Data tab, for "
                        "example {\"kind\": \"sklearn\", \"name\": \"iris\"}.")
    kind = source.get("kind")
    if kind not in LOADERS:
        raise DataError(f"Unknown data source kind {kind!r} in `data.source.kind`: expected one "
                        f"of {', '.join(SOURCE_KINDS)}.")
    return LOADERS[kind](project, source)


def describe_source(project):
    """Describe the project's data: shapes, task, classes and anything left out.

    Cheap for most kinds (nothing is split or fitted). Text data is split and
    its vectorizer adapted on the training part, because the vocabulary size
    (which an Embedding layer must match) is only known then.

    Returns:
        core.data.info.DataInfo

    Raises:
        DataError: when the source cannot be loaded.
    """
    loaded = load_source(project)
    if any(hasattr(step, "update_info") for step in loaded.steps):
        from core.data.prepare import fit_steps
        from core.data.params import preprocessing
        from core.data.splits import split_indices

        prep = preprocessing(project)
        parts = split_indices(loaded.info.num_samples, loaded.y, loaded.info.task, prep,
                              loaded.order, loaded.held_out, loaded.info.name)
        fit_steps(loaded, loaded.steps, {"train": parts["train"]})
    return loaded.info
