"""Sequence pairs for the seq2seq_lstm template, made from plain sentences.

The task is to write a sentence's first words in reverse order: a classic toy
translation that needs the whole source before the first output word. The
arrays are what the template's inputs and output take, with teacher forcing:
``target_in`` is the target shifted right behind a start token.

The pieces (tokenize, vocabulary, encode, shift) are shared with the
``seq2seq_text`` data source (core.data.seq2seq), which fits the vocabulary
on the training part only.
"""

import re
from collections import Counter

import numpy as np

PAD, UNKNOWN, START = 0, 1, 2
SPECIAL = ("", "[UNK]", "[START]")
_WORD = re.compile(r"[a-z0-9']+")


def tokenize(sentence, length):
    """The first ``length`` lower-case words of ``sentence`` (punctuation dropped)."""
    return _WORD.findall(str(sentence).lower())[:length]


def build_vocabulary(word_lists, max_tokens):
    """The id -> word list: the special tokens, then the most frequent words.

    Args:
        word_lists: tokenized sentences.
        max_tokens: the vocabulary size, the three special tokens included.
    """
    counts = Counter(w for words in word_lists for w in words)
    return list(SPECIAL) + [w for w, _ in counts.most_common(max_tokens - len(SPECIAL))]


def encode(word_lists, vocabulary, length):
    """Word lists as int32 ids (n, length), zero-padded; unknown words get UNKNOWN."""
    index = {w: i for i, w in enumerate(vocabulary)}
    ids = np.zeros((len(word_lists), length), np.int32)
    for row, words in enumerate(word_lists):
        row_ids = [index.get(w, UNKNOWN) for w in words[:length]]
        ids[row, :len(row_ids)] = row_ids
    return ids


def teacher_forcing(target):
    """The decoder's input: ``target`` shifted right by one behind the START token."""
    target = np.asarray(target, np.int32)
    return np.concatenate([np.full((len(target), 1), START, np.int32), target[:, :-1]], axis=1)


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
    words = [tokenize(s, length) for s in sentences]
    vocabulary = build_vocabulary(words, max_tokens)
    source = encode(words, vocabulary, length)
    target = encode([w[::-1] for w in words], vocabulary, length)
    return {"source": source, "target_in": teacher_forcing(target)}, target, vocabulary
