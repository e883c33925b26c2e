"""The "text_csv" source: labelled sentences, vectorized with Keras's TextVectorization.

The vectorizer's vocabulary is adapted on the training part only, so the
validation and test sentences may hold words the model has never seen (they
map to the out-of-vocabulary index 1, as they would for a user's new text).
"""

import numpy as np

from core.data.column_checks import first_typo
from core.data.csvfile import is_missing, parse_number, read_table
from core.data.info import DataInfo, Loaded, classification_info, infer_task
from core.data.params import param, paths
from core.data.table import separator_setting
from core.errors import DataError

_BATCH = 4096


class TextVectorizer:
    """Sentences -> int token ids of fixed length, with a vocabulary fitted on training text.

    Args:
        max_tokens: the largest vocabulary, the padding and unknown tokens included.
        sequence_length: the number of ids per sentence (cut or zero-padded).
    """

    name = "text_vectorization"

    def __init__(self, max_tokens, sequence_length):
        self.max_tokens = max_tokens
        self.sequence_length = sequence_length
        self.layer = None

    def _new_layer(self, vocabulary=None):
        from core.keras_env import keras

        return keras().layers.TextVectorization(
            max_tokens=self.max_tokens, output_sequence_length=self.sequence_length,
            output_mode="int", vocabulary=vocabulary)

    @property
    def vocabulary(self):
        return [str(token) for token in self.layer.get_vocabulary()]

    def fit(self, x, y):
        self.layer = self._new_layer()
        self.layer.adapt(np.asarray(x, dtype=str))
        return self

    def transform(self, x, y):
        x = np.asarray(x, dtype=str).reshape(-1)
        parts = [np.asarray(self.layer(x[i:i + _BATCH])) for i in range(0, len(x), _BATCH)]
        ids = np.concatenate(parts) if parts else np.zeros((0, self.sequence_length))
        return ids.astype(np.int32), y

    def update_info(self, info):
        info.vocabulary_size = int(self.layer.vocabulary_size())

    def summary(self):
        return {"step": self.name, "max_tokens": self.max_tokens,
                "sequence_length": self.sequence_length,
                "standardize": "lower_and_strip_punctuation", "split": "whitespace",
                "vocabulary": self.vocabulary}

    @classmethod
    def from_summary(cls, d):
        step = cls(d["max_tokens"], d["sequence_length"])
        step.layer = step._new_layer(d["vocabulary"])
        return step


def _usable_rows(table, text_i, label_i):
    """Indices of the rows with a sentence and a label, and a warning for each kind left out."""
    kept, blank, unlabelled = [], [], []
    for i, row in enumerate(table.rows):
        if not row[text_i].strip():
            blank.append(table.lines[i])
        elif is_missing(row[label_i]):
            unlabelled.append(table.lines[i])
        else:
            kept.append(i)
    where = table.path.name
    notes = [f"{len(lines)} rows of {where} {what} were left out (line {lines[0]} first)."
             for lines, what in ((blank, "without text"), (unlabelled, "without a label"))
             if lines]
    return kept, notes


def _case_variants(labels):
    """A warning when labels differ only in case ("Pos" and "pos" are two classes)."""
    by_lower = {}
    for label in dict.fromkeys(labels):
        by_lower.setdefault(label.lower(), []).append(label)
    alike = [names for names in by_lower.values() if len(names) > 1]
    return [f"The labels {' and '.join(f'`{n}`' for n in names)} differ only in case, so they "
            "are different classes: make them the same if they mean one class."
            for names in alike]


def load_text_csv(project, source):
    """``{"kind": "text_csv", "path", "text_column", "label_column", ...}``: labelled sentences.

    Args (in ``source``):
        path: a file, or a list of files with the same columns.
        text_column, label_column: header names, or positions (0, 1 by default).
        separator: ",", ";", "\\t" or null to sniff.
        header: whether the first line names the columns (default true); the
            bundled sentiment files (sentence<TAB>label) have none.
        max_tokens: the vocabulary's size limit (10000).
        sequence_length: token ids per sentence (100).
        vectorize: false keeps the sentences as strings (input shape (), dtype
            string) for a model that reads text itself, such as one starting
            with an ElmoEmbedding layer; default true.
        task: optional override of the task guessed from the labels.
    """
    files = paths(project, source)
    separator = separator_setting(source)
    header = param(source, "header", bool, True)
    max_tokens = param(source, "max_tokens", int, 10000, minimum=3)
    sequence_length = param(source, "sequence_length", int, 100, minimum=1)
    texts, labels, warnings = [], [], []
    for path in files:
        table = read_table(path, separator, header)
        text_i = table.column_index(param(source, "text_column", (str, int), 0), "text_column")
        label_i = table.column_index(param(source, "label_column", (str, int), 1),
                                     "label_column")
        if text_i == label_i:
            raise DataError(f"`data.source.text_column` and `data.source.label_column` both "
                            f"name column `{table.columns[text_i]}` of {path.name}: set them to "
                            "the sentences' column and the labels' column.")
        kept, dropped = _usable_rows(table, text_i, label_i)
        texts += [table.rows[i][text_i] for i in kept]
        labels += [table.rows[i][label_i] for i in kept]
        warnings += table.warnings + dropped
    name = files[0].name if len(files) == 1 else f"{len(files)} text files"
    if len(texts) < 2:
        raise DataError(f"{name} has {len(texts)} usable sentence(s) (a text and a label each): "
                        "training needs many. Add rows.")
    numbers = [parse_number(v) for v in labels]
    typo = first_typo(numbers)
    if typo is not None:
        raise DataError(f"The labels of {name} are numbers, but one is `{labels[typo]:.40}`: "
                        "correct it, or empty it to leave its row out.")
    raw = np.array(numbers) if None not in numbers else np.array(labels, dtype=str)
    warnings += _case_variants(labels) if raw.dtype.kind not in "biuf" else []
    task, y, class_names = infer_task(raw, source.get("task"), f"The labels of {name}")
    vectorize = param(source, "vectorize", bool, True)
    info = DataInfo("text_csv", name, (sequence_length,) if vectorize else (),
                    "int32" if vectorize else "string", task, num_samples=len(y),
                    warnings=warnings)
    if class_names is not None:
        info.class_names = class_names
        info.task, info.class_counts, imbalance = classification_info(y, class_names)
        info.warnings += imbalance
    if not vectorize:  # Keras takes numpy strings as an object array, not a fixed-width one
        return Loaded(info, np.array(texts, dtype=object), y, scalable=False)
    return Loaded(info, np.array(texts, dtype=str), y,
                  steps=[TextVectorizer(max_tokens, sequence_length)], scalable=False)
