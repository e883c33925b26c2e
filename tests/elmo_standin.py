"""A tiny stand-in for the TF-Hub ELMo v3 module, for tests without network.

It is written the way the real module is stored: TF1 Hub format, that is a TF1
SavedModel whose one MetaGraph has the empty tag set, plus ``tfhub_module.pb``,
so ``hub.load`` takes the same path (``tags=[]``, load_v1_in_v2) as for ELMo.

Same as ELMo v3: the signatures ``default`` (input: a 1-D string tensor of
untokenized sentences, named ``default`` as TF1 Hub's ``add_signature`` names a
single input) and ``tokens`` (inputs ``tokens``, a 2-D string tensor padded
with "", and ``sequence_len``, int32), and the five outputs with ELMo's
dimensions: ``word_emb`` [batch, max_length, 512], ``lstm_outputs1`` and
``lstm_outputs2`` [batch, max_length, 1024], ``elmo`` [batch, max_length, 1024]
and ``default`` [batch, 1024].

Different from ELMo: no LSTMs and no character CNN. A word's vector is a hashed
embedding row (so the same word always gets the same ``word_emb``); the "LSTM"
outputs mix each word with the mean of its sentence through fixed random
projections (so the same word gets different vectors in different sentences);
``default`` is the mean over the words. Sentences that share words are closer
than sentences that do not. Deterministic: the same text gives the same numbers.

Usage::

    from tests.elmo_standin import seed_hub_cache
    module_dir = seed_hub_cache(tmp_path / "tfhub")   # under the cache key of ELMo's handle

or, in a test module, the fixtures (imported so that pytest finds them)::

    from tests.elmo_standin import elmo_cache, elmo_hub  # noqa: F401 (fixtures)

    def test_x(elmo_cache): ...   # TFHUB_CACHE_DIR points at a cache holding the stand-in
"""

import hashlib
import tarfile
from pathlib import Path

import pytest

ELMO_HANDLE = "https://tfhub.dev/google/elmo/3"
WORD_DIM, LSTM_DIM, BUCKETS = 512, 1024, 1024
# tfhub_module.pb is a ModuleDef proto; field 1 (format) = FORMAT_V3 (1) is all hub.load reads.
MODULE_DEF = b"\x08\x01"


def make_elmo_standin(path):
    """Write the stand-in module into the folder ``path`` (created; must not exist).

    Returns:
        ``path`` as a Path.
    """
    import numpy as np
    import tensorflow as tf

    path = Path(path)
    v1 = tf.compat.v1
    with tf.Graph().as_default() as graph:
        table = v1.get_variable("module/embeddings", dtype=tf.float32, initializer=tf.random.
                                stateless_normal([BUCKETS, WORD_DIM], seed=[0, 1]))
        scalars = v1.get_variable("module/aggregation/weights", dtype=tf.float32,
                                  initializer=np.array([0.2, 0.4, 0.4], "f4"))
        gamma = v1.get_variable("module/aggregation/scaling", dtype=tf.float32, initializer=1.0)

        strings = v1.placeholder(tf.string, [None], name="default")
        split = tf.strings.split(strings)  # on whitespace, as ELMo splits on spaces
        default_outputs = _outputs(split.to_tensor(default_value=""),
                                   tf.cast(split.row_lengths(), tf.int32), table, scalars, gamma)
        tokens = v1.placeholder(tf.string, [None, None], name="tokens")
        lengths = v1.placeholder(tf.int32, [None], name="sequence_len")
        token_outputs = _outputs(tokens, lengths, table, scalars, gamma)

        predict = v1.saved_model.signature_def_utils.predict_signature_def
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            builder = v1.saved_model.Builder(str(path))
            builder.add_meta_graph_and_variables(session, tags=[], signature_def_map={
                "default": predict({"default": strings}, default_outputs),
                "tokens": predict({"tokens": tokens, "sequence_len": lengths}, token_outputs),
            })
            builder.save()
    (path / "tfhub_module.pb").write_bytes(MODULE_DEF)
    return path


def _outputs(tokens, lengths, table, scalars, gamma):
    import tensorflow as tf

    mask = tf.sequence_mask(lengths, tf.shape(tokens)[1], dtype=tf.float32)[:, :, None]
    count = tf.maximum(tf.reduce_sum(mask, axis=1, keepdims=True), 1.0)
    ids = tf.strings.to_hash_bucket_fast(tokens, BUCKETS)
    word_emb = tf.gather(table, ids) * mask
    context = tf.reduce_sum(word_emb, axis=1, keepdims=True) / count
    mixed = tf.concat([word_emb, tf.broadcast_to(context, tf.shape(word_emb))], axis=-1)
    w1 = tf.random.stateless_normal([2 * WORD_DIM, LSTM_DIM], seed=[1, 2]) / 32.0
    w2 = tf.random.stateless_normal([LSTM_DIM, LSTM_DIM], seed=[3, 4]) / 32.0
    lstm1 = tf.tanh(tf.einsum("btd,de->bte", mixed, w1)) * mask
    lstm2 = tf.tanh(tf.einsum("btd,de->bte", lstm1, w2) + lstm1) * mask
    layer0 = tf.concat([word_emb, word_emb], axis=-1) / 16.0
    elmo = gamma * (scalars[0] * layer0 + scalars[1] * lstm1 + scalars[2] * lstm2)
    return {"word_emb": word_emb, "lstm_outputs1": lstm1, "lstm_outputs2": lstm2,
            "elmo": elmo, "default": tf.reduce_sum(elmo, axis=1) / count[:, 0]}


def cache_key(handle):
    """The folder name tensorflow_hub 0.16 caches ``handle`` under (sha1 of the handle)."""
    return hashlib.sha1(handle.encode("utf8")).hexdigest()


def seed_hub_cache(cache_dir, handle=ELMO_HANDLE):
    """Put the stand-in into the TF-Hub cache ``cache_dir`` where ``handle`` is looked up.

    Returns:
        The module's folder.
    """
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    return make_elmo_standin(cache_dir / cache_key(handle))


def make_standin_archive(module_dir, archive):
    """Pack a module folder as a .tar.gz the way tfhub.dev serves one (files at the top)."""
    with tarfile.open(archive, "w:gz") as tar:
        for item in sorted(Path(module_dir).rglob("*")):
            tar.add(item, arcname=str(item.relative_to(module_dir)), recursive=False)
    return Path(archive)


@pytest.fixture(scope="module")
def elmo_hub(tmp_path_factory):
    """A TF-Hub cache folder with the stand-in under ELMo's handle, one per test module."""
    cache = tmp_path_factory.mktemp("tfhub")
    seed_hub_cache(cache)
    return cache


@pytest.fixture
def elmo_cache(elmo_hub, monkeypatch):
    """TFHUB_CACHE_DIR set to :func:`elmo_hub`, and no folder picked by the user before or after."""
    from core.text import hub_cache

    monkeypatch.setenv("TFHUB_CACHE_DIR", str(elmo_hub))
    hub_cache.forget_picked_folders()
    yield elmo_hub
    hub_cache.forget_picked_folders()
