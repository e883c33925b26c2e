"""ELMo sentence and word vectors from the TF-Hub module, called by signature.

ELMo v3 is a TF1 Hub module: ``hub.load`` reads its SavedModel with the empty
tag set (``tags=[]``) and gives its two signatures as TF2 functions, called by
keyword (``hub.KerasLayer`` is a tf_keras layer, unusable in Keras 3):

- ``default``: one 1-D string tensor of untokenized sentences (split on
  spaces). Its input is named ``default`` in TF1 Hub modules (a single input
  given to ``hub.add_signature``); the name is read from the signature rather
  than assumed.
- ``tokens``: ``tokens``, a 2-D string tensor padded with "", and
  ``sequence_len``, int32 lengths.

Both return ``word_emb`` [batch, max_length, 512], ``lstm_outputs1`` and
``lstm_outputs2`` [batch, max_length, 1024], ``elmo`` (their learned weighted
sum) [batch, max_length, 1024] and ``default`` (the mean of ``elmo`` over the
words) [batch, 1024]. Sentence vectors here are ``default`` or ``elmo_mean``
(``elmo`` averaged over the real words, padding left out).

Loaded modules are kept per folder for the life of the process (ELMo takes
seconds to load and about 400 MB of memory).
"""

import hashlib
import threading
from pathlib import Path

import numpy as np

from core.errors import WorkbenchError
from core.text.hub_cache import ELMO_HANDLE, resolve_module

OUTPUTS = ("word_emb", "lstm_outputs1", "lstm_outputs2", "elmo", "default")
TOKEN_OUTPUTS = ("word_emb", "lstm_outputs1", "lstm_outputs2", "elmo")
SENTENCE_OUTPUTS = ("default", "elmo_mean")
BATCH_SIZE = 32
# The longest sentence embedded from the Text tab or the command line, in words: a
# 1 MB line (170,000 words) would hold gigabytes of LSTM states.
MAX_WORDS = 2000

_modules = {}
_modules_lock = threading.Lock()


class EmbeddingStopped(WorkbenchError):
    """``should_stop`` asked an embedding job to end before it was done."""

    exit_code = 1


def check_lengths(texts, max_words=MAX_WORDS):
    """Refuse a sentence of more than ``max_words`` words, naming it (None: no limit)."""
    if max_words is None:
        return
    for i, text in enumerate(texts):
        count = len(tokenize(text))
        if count > max_words:
            raise WorkbenchError(
                f"Sentence {i + 1} has {count:,} words: ELMo embeds at most {max_words:,} "
                "words per sentence here (its LSTMs keep every word's state in memory). Split "
                "it into sentences, one per line.")


def tokenize(text):
    """ELMo's words of ``text``: split on white space (the module splits on spaces)."""
    return str(text).split()


class ElmoModule:
    """A loaded ELMo module.

    Attributes:
        folder: the module's folder on disk.
        dims: output name -> vector size (``default``, ``elmo``, ... and ``elmo_mean``).
        identity: a short digest of the folder and its files, keying cached vectors.
    """

    def __init__(self, folder, loaded):
        self.folder = Path(folder)
        self._loaded = loaded  # keeps the variables alive for the signatures
        self._default = loaded.signatures["default"]
        self._tokens = loaded.signatures["tokens"]
        self._default_input = _single_input(self._default, self.folder)
        outputs = self._default.structured_outputs
        self.dims = {name: int(outputs[name].shape[-1]) for name in OUTPUTS}
        self.dims["elmo_mean"] = self.dims["elmo"]
        self.identity = _identity(self.folder)

    @property
    def dim(self):
        """The size of the ``default`` sentence vector (1024 for ELMo)."""
        return self.dims["default"]

    def run(self, texts):
        """All five outputs of the ``default`` signature for a list of sentences, as numpy."""
        import tensorflow as tf

        words = [" ".join(tokenize(t)) for t in texts]
        result = self._default(**{self._default_input: tf.constant(words, dtype=tf.string)})
        return {name: result[name].numpy() for name in OUTPUTS}

    def run_tokens(self, token_lists):
        """All five outputs of the ``tokens`` signature for pre-split sentences, as numpy."""
        import tensorflow as tf

        lengths = [len(t) for t in token_lists]
        width = max(lengths, default=0)
        padded = [list(t) + [""] * (width - len(t)) for t in token_lists]
        result = self._tokens(tokens=tf.constant(padded, dtype=tf.string, shape=(len(padded), width)),
                              sequence_len=tf.constant(lengths, dtype=tf.int32))
        return {name: result[name].numpy() for name in OUTPUTS}

    def embed(self, texts, *, output="default", batch_size=BATCH_SIZE, store=None,
              on_progress=None, should_stop=None, max_words=MAX_WORDS):
        """One vector per sentence.

        Sentences are run in batches of similar length (less padding for the
        LSTMs); a sentence without words gets a zero vector.

        Args:
            texts: the sentences.
            output: "default" (ELMo's mean-pooled vector) or "elmo_mean".
            batch_size: sentences per call of the module.
            store: an EmbeddingStore to read known vectors from and write new
                ones to (core.text.embedding_store), or None.
            on_progress: ``f(done, total)`` after each batch.
            should_stop: polled between batches; True raises EmbeddingStopped.
            max_words: the most words a sentence may have, or None for no limit
                (a model's ElmoEmbedding layer reads its data set's texts whole).

        Returns:
            float32 array (len(texts), dims[output]).

        Raises:
            WorkbenchError: for a sentence longer than ``max_words``.
        """
        check_lengths(texts, max_words)
        if output not in SENTENCE_OUTPUTS:
            raise WorkbenchError(f"Invalid value for `output`: expected one of "
                                 f"{', '.join(SENTENCE_OUTPUTS)}, received {output!r}.")
        texts = [str(t) for t in texts]
        vectors = np.zeros((len(texts), self.dims[output]), np.float32)
        known = store.get(self.identity, output, texts) if store is not None else {}
        todo = [i for i, t in enumerate(texts) if tokenize(t) and t not in known]
        for i, t in enumerate(texts):
            if t in known:
                vectors[i] = known[t]
        todo.sort(key=lambda i: len(tokenize(texts[i])))
        total = len(texts)
        done = total - len(todo)
        for start in range(0, len(todo), batch_size):
            if should_stop is not None and should_stop():
                raise EmbeddingStopped(f"Stopped after {done} of {total} sentences.")
            batch = todo[start:start + batch_size]
            vectors[batch] = self._sentence_vectors([texts[i] for i in batch], output)
            if store is not None:
                store.put(self.identity, output, {texts[i]: vectors[i] for i in batch})
            done += len(batch)
            if on_progress is not None:
                on_progress(done, total)
        return vectors

    def _sentence_vectors(self, texts, output):
        result = self.run(texts)
        if output == "default":
            return result["default"]
        lengths = np.array([len(tokenize(t)) for t in texts])
        mask = np.arange(result["elmo"].shape[1])[None, :] < lengths[:, None]
        return (result["elmo"] * mask[:, :, None]).sum(axis=1) / lengths[:, None]

    def token_vectors(self, sentences, *, output="elmo"):
        """Per-word vectors of each sentence, through the ``tokens`` signature.

        Returns:
            A list of ``(words, array (len(words), dims[output]))``, one per sentence.
        """
        if output not in TOKEN_OUTPUTS:
            raise WorkbenchError(f"Invalid value for `output`: expected one of "
                                 f"{', '.join(TOKEN_OUTPUTS)}, received {output!r}.")
        check_lengths(sentences)
        words = [tokenize(s) for s in sentences]
        result = self.run_tokens(words)[output]
        return [(w, result[i, :len(w)]) for i, w in enumerate(words)]


def load_elmo(handle=ELMO_HANDLE, *, download=True):
    """Load ELMo from a TF-Hub/Kaggle handle, a module folder or a downloaded .tar.gz.

    A URL handle is looked up in the TF-Hub cache first (no network); when it
    is not there and ``download`` is true, tensorflow_hub downloads it into
    the cache. A folder or file named here counts as picked by the user.

    Raises:
        ModuleMissingError: not on disk and not downloadable; says what to do.
        WorkbenchError: the folder is not an ELMo module or cannot be loaded.
    """
    return load_module_dir(resolve_module(handle, download=download))


def load_module_dir(folder):
    """The ElmoModule of a module folder, loaded once per process."""
    key = str(Path(folder).resolve())
    with _modules_lock:
        module = _modules.get(key)
        if module is None:
            module = ElmoModule(folder, _hub_load(Path(folder)))
            _modules[key] = module
    return module


def _hub_load(folder):
    from core.keras_env import keras

    keras()  # TensorFlow quietly, before tensorflow_hub imports it
    import tensorflow_hub as hub

    try:
        loaded = hub.load(str(folder))  # a TF1 Hub module (tfhub_module.pb) loads with tags=[]
    except Exception as exc:
        raise WorkbenchError(f"Cannot load the TF-Hub module in {folder}: "
                             f"{str(exc).splitlines()[0][:300]}. Download it again.") from None
    signatures = getattr(loaded, "signatures", {})
    if "default" not in signatures or "tokens" not in signatures:
        raise WorkbenchError(f"The module in {folder} is not ELMo: its signatures are "
                             f"{sorted(signatures) or 'none'}, ELMo has `default` and `tokens`.")
    missing = [n for n in OUTPUTS if n not in signatures["default"].structured_outputs]
    if missing:
        raise WorkbenchError(f"The module in {folder} is not ELMo: its `default` signature "
                             f"lacks the outputs {', '.join(missing)}.")
    return loaded


def _single_input(signature, folder):
    kwargs = signature.structured_input_signature[1]
    if len(kwargs) != 1:
        raise WorkbenchError(f"The `default` signature of the module in {folder} takes "
                             f"{sorted(kwargs)}; ELMo's takes one tensor of sentences.")
    return next(iter(kwargs))


def _identity(folder):
    """Changes when the module's files do: keys the vectors an EmbeddingStore keeps."""
    h = hashlib.sha1(str(folder.resolve()).encode("utf8"))
    for name in ("saved_model.pb", "variables/variables.index"):
        path = folder / name
        if path.is_file():
            stat = path.stat()
            h.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return h.hexdigest()[:16]
