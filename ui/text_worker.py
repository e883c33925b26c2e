"""The Text tab's background work: ELMo and text-run jobs in a QThread, as signals.

Loading ELMo takes seconds and a long list of sentences takes minutes on a CPU,
so every job runs off the GUI thread. A job is one of the plain functions below:
each calls core (core.text) and returns what the tab shows; :class:`TextJob`
runs one, passes it ``on_progress`` and ``should_stop``, and turns the outcome
into signals. Connect them to methods of GUI-owned QObjects: Qt then queues
them to the GUI thread (a plain lambda would run in this thread instead).
"""

import threading
import time
from dataclasses import dataclass

from PySide6.QtCore import QThread, Signal

from core.errors import WorkbenchError


@dataclass(frozen=True)
class Embedding:
    """Sentence vectors, as the tab keeps them.

    Attributes:
        texts: the sentences, in the order typed.
        vectors: float32 array (len(texts), dim).
        folder: the ELMo module's folder.
        seconds: how long the embedding took (module loading not counted).
    """

    texts: tuple
    vectors: object
    folder: str
    seconds: float


def embed_sentences(handle, texts, *, on_progress=None, should_stop=None):
    """Load ELMo (from the cache or a picked folder, never a download) and embed ``texts``."""
    from core.text.elmo import load_elmo

    module = load_elmo(handle, download=False)
    start = time.perf_counter()
    vectors = module.embed(texts, on_progress=on_progress, should_stop=should_stop)
    return Embedding(tuple(texts), vectors, str(module.folder), time.perf_counter() - start)


def compare_word(handle, word, sentence_a, sentence_b, output="elmo", **_callbacks):
    """core.text.contextual.compare_word_in_contexts with ELMo loaded as for embedding."""
    from core.text.contextual import compare_word_in_contexts
    from core.text.elmo import load_elmo

    module = load_elmo(handle, download=False)
    return compare_word_in_contexts(module, word, sentence_a, sentence_b, output=output)


def predict_sentences(run_dir, texts, predictor=None, **_callbacks):
    """Predictions of a text run for ``texts``: ``(predictor, predictions)``.

    ``predictor`` is the one a previous job loaded for ``run_dir``, to skip loading again.
    """
    from core.text.predict import load_text_predictor

    if predictor is None or str(predictor.run_dir) != str(run_dir):
        predictor = load_text_predictor(run_dir)
    return predictor, predictor.predict(texts)


def install_module(archive, **_callbacks):
    """Unpack a downloaded ELMo archive into the TF-Hub cache; returns the module folder."""
    from core.text.hub_cache import install_archive

    return install_archive(archive)


def download_module(**_callbacks):
    """Download ELMo into the TF-Hub cache with tensorflow_hub; returns the module folder."""
    from core.text.hub_cache import ELMO_HANDLE, resolve_module

    return resolve_module(ELMO_HANDLE, download=True)


class TextJob(QThread):
    """Runs ``function(*args, on_progress=..., should_stop=..., **kwargs)`` once.

    Signals:
        progressed(int, int): done and total (sentences), after each batch.
        succeeded(object): the function's result.
        failed(str): a WorkbenchError's message (what went wrong and the fix),
            or the type and text of an unexpected exception.
        stopped(str): :meth:`request_stop` ended the job early; what was done.

    Attributes:
        kind: what the job is ("embed", "compare", "predict", "install", "download").
    """

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)
    stopped = Signal(str)

    def __init__(self, kind, function, *args, parent=None, **kwargs):
        super().__init__(parent)
        self.kind = kind
        self._call = (function, args, kwargs)
        self._stop = threading.Event()

    def request_stop(self):
        """End the job between two batches (loading a module cannot be cut short)."""
        self._stop.set()

    def run(self):
        from core.text.elmo import EmbeddingStopped

        function, args, kwargs = self._call
        try:
            result = function(*args, on_progress=self.progressed.emit,
                              should_stop=self._stop.is_set, **kwargs)
        except EmbeddingStopped as exc:
            self.stopped.emit(str(exc))
        except WorkbenchError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a job must never end the thread silently
            self.failed.emit(f"{type(exc).__name__}: {str(exc)[:500]}")
        else:
            self.succeeded.emit(result)
