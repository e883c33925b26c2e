"""The "seq2seq_text" source: sentence pairs for an encoder-decoder with teacher forcing.

Each sample is a source sentence and a target sentence, both cut to
``sequence_length`` words. The target is either the source's words reversed
(a toy translation that any text file teaches, such as the bundled sentiment
sentences) or a second column of the file (a user's own pairs, such as a
tab-separated translation list). The model gets two inputs, ``source`` and
``target_in`` (the target shifted right behind a start token), and learns the
target's token ids, one per step (sparse_categorical_crossentropy per step).

One vocabulary serves source and target; it is fitted on the training part
only, like the text_csv vectorizer, so validation and test words it has not
seen map to the unknown id 1.
"""

import numpy as np

from core.data.csvfile import read_table
from core.data.info import DataInfo, Loaded
from core.data.params import param, paths
from core.data.table import separator_setting
from core.errors import DataError
from core.text.seq2seq_pairs import SPECIAL, build_vocabulary, encode, teacher_forcing, tokenize

# The model's Input layer names: the data is a dict keyed by them.
ENCODER_INPUT, DECODER_INPUT = "source", "target_in"
TARGETS = ("reversed", "column")


class PairVectorizer:
    """Source sentences and target sentences -> token ids, one vocabulary fitted on training text.

    Args:
        max_tokens: the largest vocabulary, the special tokens (padding,
            unknown, start) included.
        sequence_length: ids per sentence (cut or zero-padded).
        vocabulary: a fitted id -> word list (when rebuilt from a summary).
    """

    name = "seq2seq_vectorization"

    def __init__(self, max_tokens, sequence_length, vocabulary=None):
        self.max_tokens = max_tokens
        self.sequence_length = sequence_length
        self.vocabulary = vocabulary

    def _words(self, texts):
        return [tokenize(t, self.sequence_length) for t in np.asarray(texts).reshape(-1)]

    def fit(self, x, y):
        self.vocabulary = build_vocabulary(self._words(x[ENCODER_INPUT]) + self._words(y),
                                           self.max_tokens)
        return self

    def transform(self, x, y):
        """``({source, target_in}, target)``; without targets (y None) only the source."""
        out = {ENCODER_INPUT: encode(self._words(x[ENCODER_INPUT]), self.vocabulary,
                                     self.sequence_length)}
        if y is None:
            return out, None
        target = encode(self._words(y), self.vocabulary, self.sequence_length)
        out[DECODER_INPUT] = teacher_forcing(target)
        return out, target

    def update_info(self, info):
        size = len(self.vocabulary)
        info.vocabulary_size = {ENCODER_INPUT: size, DECODER_INPUT: size}

    def summary(self):
        return {"step": self.name, "max_tokens": self.max_tokens,
                "sequence_length": self.sequence_length, "special": list(SPECIAL),
                "split": "lower-case words [a-z0-9']+", "vocabulary": list(self.vocabulary)}

    @classmethod
    def from_summary(cls, d):
        return cls(d["max_tokens"], d["sequence_length"], list(d["vocabulary"]))


def load_seq2seq_text(project, source):
    """``{"kind": "seq2seq_text", "path", "target", ...}``: sentence pairs for a seq2seq model.

    Args (in ``source``):
        path: a text file, or a list of files with the same columns; one
            sentence per line (the bundled sentiment files: sentence<TAB>label).
        target: "reversed" (default): the target is the source's first words
            in reverse order; "column": the target is the ``target_column``.
        text_column: the source sentences' column (0).
        target_column: the target sentences' column (1), for target "column".
        separator: "\\t" by default (so commas inside sentences stay), "," or ";".
        header: whether the first line names the columns (default false).
        max_tokens: the shared vocabulary's size limit (2000).
        sequence_length: words per sentence, source and target (12).
    """
    files = paths(project, source)
    separator = separator_setting(source) or "\t"
    header = param(source, "header", bool, False)
    target = param(source, "target", str, "reversed", TARGETS)
    max_tokens = param(source, "max_tokens", int, 2000, minimum=len(SPECIAL) + 1)
    length = param(source, "sequence_length", int, 12, minimum=2)
    sources, targets, warnings = [], [], []
    for path in files:
        table = read_table(path, separator, header)
        texts = table.column(table.column_index(param(source, "text_column", (str, int), 0),
                                                "text_column"))
        sources += texts
        if target == "column":
            targets += table.column(table.column_index(
                param(source, "target_column", (str, int), 1), "target_column"))
        warnings += table.warnings
    if target == "reversed":
        targets = [" ".join(tokenize(s, length)[::-1]) for s in sources]
    name = files[0].name if len(files) == 1 else f"{len(files)} text files"
    keep = [i for i, (s, t) in enumerate(zip(sources, targets))
            if tokenize(s, length) and tokenize(t, length)]
    if len(keep) < len(sources):
        warnings.append(f"{len(sources) - len(keep)} line(s) of {name} without words in the "
                        "source or the target were left out.")
    if len(keep) < 2:
        raise DataError(f"{name} has {len(keep)} sentence pair(s) with words: training needs "
                        "many. Add lines, or check `text_column` and `separator`.")
    info = DataInfo("seq2seq_text", name, {ENCODER_INPUT: (length,), DECODER_INPUT: (length,)},
                    "int32", "sequence", num_samples=len(keep), warnings=warnings)
    x = {ENCODER_INPUT: np.array([sources[i] for i in keep], dtype=str)}
    y = np.array([targets[i] for i in keep], dtype=str)
    return Loaded(info, x, y, steps=[PairVectorizer(max_tokens, length)], scalable=False)
