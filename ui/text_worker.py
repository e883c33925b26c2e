"""The Text tab's background work: ELMo and text-run jobs in a QThread, as signals.

Loading ELMo takes seconds and a long list of sentences takes minutes on a CPU,
so every job runs off the GUI thread. A job is one of the plain functions below:
each calls core (core.text) and returns what the tab shows; :class:`TextJob`
runs one (see ui.job_thread).
"""

import time
from dataclasses import dataclass

from ui.job_thread import JobThread


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


class TextJob(JobThread):
    """A Text-tab job (ui.job_thread.JobThread); progress counts sentences.

    Attributes:
        kind: what the job is ("embed", "compare", "predict", "install", "download").
    """

    def stop_errors(self):
        from core.text.elmo import EmbeddingStopped

        return (EmbeddingStopped,)
