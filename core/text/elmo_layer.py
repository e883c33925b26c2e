"""``ElmoEmbedding``: ELMo sentence vectors as a frozen Keras 3 layer (strings in, vectors out).

Registered as ``workbench>ElmoEmbedding`` (core.app_layers), so the builder can
make it from a project and a saved ``.keras`` model can name it. Its config
names the module (``handle``), which is why it loads only what
:func:`core.text.hub_cache.layer_module_dir` allows: a module in the TF-Hub
cache (by URL handle) or in a folder the user picked in this process; never a
download, and never a folder a file names elsewhere (UnsafeModelError, raised
when the layer is made, so a model file naming one is refused as it loads).

The module runs outside the TensorFlow graph, through ``tf.py_function``: ELMo
is frozen and slow, so each sentence's vector is looked up in the on-disk
EmbeddingStore first and computed only once (``cache``). The layer has no
weights, is never trainable, and does not take XLA (strings, Python).
"""

from core.keras_env import keras
from core.text.hub_cache import ELMO_HANDLE, layer_module_dir

_k = keras()
OUTPUT_CHOICES = ("default", "elmo_mean")


@_k.saving.register_keras_serializable(package="workbench")
class ElmoEmbedding(_k.layers.Layer):
    """Frozen ELMo: a batch of sentences (strings) -> a batch of sentence vectors.

    Args:
        handle: the module: a TF-Hub/Kaggle URL handle (loaded from the TF-Hub
            cache) or a module folder inside the cache or picked by the user.
        output_key: "default" (ELMo's 1024-d mean-pooled vector) or "elmo_mean"
            (the ``elmo`` word vectors averaged over the words).
        cache: keep every sentence's vector on disk and reuse it.
    """

    def __init__(self, handle=ELMO_HANDLE, output_key="default", cache=True, **kwargs):
        kwargs["trainable"] = False  # frozen: ELMo's variables never train here
        super().__init__(**kwargs)
        if not isinstance(handle, str) or not handle:
            raise ValueError(f"Invalid value for `handle`: expected a TF-Hub handle or a module "
                             f"folder, received {handle!r}")
        if output_key not in OUTPUT_CHOICES:
            raise ValueError(f"Invalid value for `output_key`: expected one of "
                             f"{', '.join(OUTPUT_CHOICES)}, received {output_key!r}")
        self.handle, self.output_key, self.cache = handle, output_key, bool(cache)
        self.folder = layer_module_dir(handle, self.name)
        self.supports_jit = False
        self._convert_input_args = False
        self._allow_non_tensor_positional_args = True

    @classmethod
    def from_config(cls, config):
        # Checked here, before Keras's from_config, which turns any error into a TypeError:
        # a refused path must stay an UnsafeModelError for the builder and the importer.
        layer_module_dir(config.get("handle", ELMO_HANDLE), config.get("name", "elmo"))
        return super().from_config(config)

    def module(self):
        """The loaded ElmoModule (loaded once per process)."""
        from core.text.elmo import load_module_dir

        return load_module_dir(self.folder)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.module().dims[self.output_key])

    def call(self, inputs):
        import tensorflow as tf

        texts = tf.reshape(inputs, [-1])  # (batch,) or (batch, 1) strings
        vectors = tf.py_function(self._embed, [texts], tf.float32)
        vectors.set_shape([None, self.module().dims[self.output_key]])
        return vectors

    def _embed(self, texts):
        from core.text.embedding_store import default_store

        sentences = [t.decode("utf-8", "replace") for t in texts.numpy()]
        store = default_store() if self.cache else None
        # A data set's texts are read whole, however long (the Text tab's limit is for typing).
        return self.module().embed(sentences, output=self.output_key, store=store,
                                   max_words=None)

    def get_config(self):
        config = super().get_config()
        config.update(handle=self.handle, output_key=self.output_key, cache=self.cache)
        return config
