"""Sequence pairs for the seq2seq_lstm template, made from plain sentences.

The task is to write a sentence's first words in reverse order: a classic toy
translation that needs the whole source before the first output word. The
arrays are what the template's inputs and output take, with teacher forcing:
``target_in`` is the target shifted right behind a start token.
"""

import re
from collections import Counter

import numpy as np

PAD, UNKNOWN, START = 0, 1, 2
SPECIAL = ("", "[UNK]", "[START]")
_WORD = re.compile(r"[a-z0-9']+")


def seq2seq_pairs(sentences, *, length=12, max_tokens=2000):
    """Token-id arrays for "reverse the first ``length`` words".

    Args:
        sentences: source sentences.
        length: ids per sequence (padded with 0 or cut).
        max_tokens: vocabulary size, the three special tokens included.

    Returns:
        ``(x, y, vocabulary)``: x is ``{"source", "target_in"}`` int32 arrays
        (n, length), y the target ids (n, length), vocabulary the id -> word list.
    """
    words = [_WORD.findall(str(s).lower())[:length] for s in sentences]
    counts = Counter(w for sentence in words for w in sentence)
    vocabulary = list(SPECIAL) + [w for w, _ in counts.most_common(max_tokens - len(SPECIAL))]
    index = {w: i for i, w in enumerate(vocabulary)}
    source = np.zeros((len(words), length), np.int32)
    target = np.zeros((len(words), length), np.int32)
    for row, sentence in enumerate(words):
        ids = [index.get(w, UNKNOWN) for w in sentence]
        source[row, :len(ids)] = ids
        target[row, :len(ids)] = ids[::-1]
    target_in = np.concatenate([np.full((len(words), 1), START, np.int32), target[:, :-1]], axis=1)
    return {"source": source, "target_in": target_in}, target, vocabulary
