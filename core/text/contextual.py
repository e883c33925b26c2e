"""ELMo's contextual demo: the same word in two sentences gets two different vectors.

"bank" in "we sat on the bank of the river" and in "the bank raised its rates":
ELMo's character-based ``word_emb`` is the same for both (context-free), while
its contextual ``elmo`` vectors differ. The sentences go through the ``tokens``
signature, split into words with punctuation apart (ELMo was trained on text
tokenized that way), so "bank." and "bank" are the same word here.
"""

import re
from dataclasses import dataclass

import numpy as np

from core.errors import WorkbenchError
from core.text.similarity import cosine_similarity_matrix

_WORDS = re.compile(r"\w+(?:'\w+)?|[^\w\s]")


def split_words(sentence):
    """Words and punctuation marks of ``sentence``, in order ("bank." -> "bank", ".")."""
    return _WORDS.findall(str(sentence))


@dataclass
class WordInContexts:
    """One word compared across two sentences.

    Attributes:
        word: the word compared.
        tokens_a, tokens_b: the two sentences' tokens.
        index_a, index_b: where the word is in each (its first occurrence).
        similarity: cosine of the word's contextual vectors (``output``).
        context_free_similarity: cosine of its ``word_emb`` vectors (1.0 for
            the same spelling: ELMo's first layer ignores context).
        token_similarities: contextual cosine of every token of a with every
            token of b, array (len(tokens_a), len(tokens_b)), for a heat map.
        output: the contextual output used ("elmo", "lstm_outputs1", ...).
    """

    word: str
    tokens_a: list
    tokens_b: list
    index_a: int
    index_b: int
    similarity: float
    context_free_similarity: float
    token_similarities: np.ndarray
    output: str = "elmo"


def compare_word_in_contexts(module, word, sentence_a, sentence_b, *, output="elmo"):
    """Compare the vectors ELMo gives ``word`` in two sentences.

    Args:
        module: a loaded core.text.elmo.ElmoModule.
        word: the word to compare (matched without regard to case).
        sentence_a, sentence_b: two sentences that both contain it.
        output: the contextual output: "elmo", "lstm_outputs1" or "lstm_outputs2".

    Raises:
        WorkbenchError: when a sentence does not contain the word.
    """
    from core.text.elmo import TOKEN_OUTPUTS

    if output not in TOKEN_OUTPUTS:
        raise WorkbenchError(f"Invalid value for `output`: expected one of "
                             f"{', '.join(TOKEN_OUTPUTS)}, received {output!r}.")
    tokens = [split_words(sentence_a), split_words(sentence_b)]
    indices = [_find(word, t, n) for n, t in zip(("first", "second"), tokens)]
    contextual = module.run_tokens(tokens)
    vectors = [contextual[output][i, :len(t)] for i, t in enumerate(tokens)]
    free = [contextual["word_emb"][i, indices[i]] for i in range(2)]
    pair = cosine_similarity_matrix(vectors[0], vectors[1])
    return WordInContexts(
        word=word, tokens_a=tokens[0], tokens_b=tokens[1], index_a=indices[0],
        index_b=indices[1], similarity=float(pair[indices[0], indices[1]]),
        context_free_similarity=float(cosine_similarity_matrix(free[0], free[1])[0, 0]),
        token_similarities=pair, output=output)


def _find(word, tokens, which):
    wanted = str(word).strip().lower()
    for i, token in enumerate(tokens):
        if token.lower() == wanted:
            return i
    raise WorkbenchError(f"The {which} sentence does not contain the word `{word}`: type a word "
                         "that appears in both sentences.")
