"""ELMo from the TF-Hub cache, offline: loading, embedding, similarity, the contextual demo.

The module is tests/elmo_standin.py's TF1-format stand-in with ELMo v3's
signatures, seeded into a temp TFHUB_CACHE_DIR under the cache key of the
real handle, so loading takes hub.load's TF1 path (tags=[]) without network.
"""

import hashlib
import io
import shutil
import tarfile

import numpy as np
import pytest

from core.errors import UnsafeModelError, WorkbenchError
from core.text import hub_cache
from core.text.hub_cache import ELMO_HANDLE, ModuleMissingError, cache_key
from tests.elmo_standin import elmo_cache, elmo_hub, make_standin_archive  # noqa: F401

CATS = ["the cat chased a mouse", "a cat chased the mouse again", "stock markets fell sharply",
        "markets fell sharply today"]


@pytest.fixture
def elmo(elmo_cache, monkeypatch):
    from core.text.elmo import load_elmo

    monkeypatch.setattr(hub_cache, "_download", _no_network)
    return load_elmo(ELMO_HANDLE)


def _no_network(handle):
    raise AssertionError(f"tried to download {handle}")


def test_handle_loads_from_the_cache_with_all_five_outputs(elmo, elmo_hub):
    assert elmo.folder == elmo_hub / cache_key(ELMO_HANDLE)
    assert elmo.dims == {"word_emb": 512, "lstm_outputs1": 1024, "lstm_outputs2": 1024,
                         "elmo": 1024, "default": 1024, "elmo_mean": 1024}
    out = elmo.run(["the cat sat", "a dog"])
    assert {k: v.shape for k, v in out.items()} == {
        "word_emb": (2, 3, 512), "lstm_outputs1": (2, 3, 1024), "lstm_outputs2": (2, 3, 1024),
        "elmo": (2, 3, 1024), "default": (2, 1024)}
    tokens = elmo.run_tokens([["the", "cat"], ["a"]])
    assert tokens["elmo"].shape == (2, 2, 1024)


def test_a_kaggle_alias_finds_the_same_cached_module(elmo):
    from core.text.elmo import load_elmo

    kaggle = "https://www.kaggle.com/models/google/elmo/TensorFlow1/elmo/3"
    assert load_elmo(kaggle) is elmo


def test_embed_in_batches_reports_progress_and_stops(elmo):
    from core.text.elmo import EmbeddingStopped

    texts = [f"sentence number {i} about cats" for i in range(10)] + [""]
    seen = []
    vectors = elmo.embed(texts, batch_size=4, on_progress=lambda d, t: seen.append((d, t)))
    assert vectors.shape == (11, 1024) and vectors.dtype == np.float32
    assert seen == [(5, 11), (9, 11), (11, 11)]  # the empty sentence counts as done at once
    assert not vectors[10].any()  # no words: a zero vector, not NaN
    np.testing.assert_allclose(vectors[3], elmo.embed([texts[3]])[0], rtol=1e-5, atol=1e-6)
    later = []
    with pytest.raises(EmbeddingStopped, match="Stopped after 5 of 11"):
        elmo.embed(texts, batch_size=4, on_progress=lambda d, t: later.append(d),
                   should_stop=lambda: bool(later))


def test_a_store_keeps_vectors_so_a_sentence_runs_once(elmo, tmp_path, monkeypatch):
    from core.text.embedding_store import EmbeddingStore

    store = EmbeddingStore(tmp_path / "vectors.sqlite")
    first = elmo.embed(CATS, output="elmo_mean", store=store)
    calls = []
    monkeypatch.setattr(type(elmo), "run", lambda self, texts: calls.append(texts))
    again = elmo.embed(CATS, output="elmo_mean", store=store)
    assert calls == [] and store.count(elmo.identity) == len(CATS)
    np.testing.assert_array_equal(first, again)
    store.close()


def test_similarity_projection_and_neighbours(elmo):
    from core.text.similarity import cosine_similarity_matrix, nearest_neighbours, pca_2d

    vectors = elmo.embed(CATS)
    similarity = cosine_similarity_matrix(vectors)
    np.testing.assert_allclose(np.diag(similarity), 1.0, atol=1e-6)
    assert similarity[0, 1] > similarity[0, 2] and similarity[2, 3] > similarity[1, 3]
    neighbours = nearest_neighbours(0, vectors, k=3)
    assert [i for i, _ in neighbours][0] == 1 and sorted(i for i, _ in neighbours) == [1, 2, 3]
    assert neighbours[0][1] == pytest.approx(similarity[0, 1])
    assert nearest_neighbours(elmo.embed(["markets fell"])[0], vectors, k=1)[0][0] in (2, 3)
    points, explained = pca_2d(vectors)
    assert points.shape == (4, 2) and 0.5 < explained.sum() <= 1.0 + 1e-9
    # the first axis separates the two topics
    assert np.sign(points[0, 0]) == np.sign(points[1, 0]) != np.sign(points[2, 0])


def test_the_same_word_differs_by_context(elmo):
    from core.text.contextual import compare_word_in_contexts

    result = compare_word_in_contexts(elmo, "bank", "We sat on the bank of the river.",
                                      "The bank raised its interest rates.")
    assert result.tokens_a[4] == "bank" and result.tokens_a[-1] == "."
    assert (result.index_a, result.index_b) == (4, 1)
    assert result.context_free_similarity == pytest.approx(1.0, abs=1e-5)
    assert result.similarity < 0.95
    assert result.token_similarities.shape == (len(result.tokens_a), len(result.tokens_b))
    with pytest.raises(WorkbenchError, match="second sentence does not contain the word `river`"):
        compare_word_in_contexts(elmo, "river", "the river", "the bank")


def test_a_missing_module_says_what_to_download_and_where(tmp_path, monkeypatch):
    from core.text.elmo import load_elmo

    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "empty"))
    with pytest.raises(ModuleMissingError) as caught:
        load_elmo(ELMO_HANDLE, download=False)
    message = str(caught.value)
    assert hub_cache.ELMO_DOWNLOAD in message
    assert str(tmp_path / "empty" / cache_key(ELMO_HANDLE)) in message
    assert "--handle PATH" in message


def test_unset_cache_dir_defaults_to_the_app_data_folder(monkeypatch, _private_app_home):
    monkeypatch.delenv("TFHUB_CACHE_DIR", raising=False)
    assert hub_cache.hub_cache_dir() == _private_app_home / "tfhub_modules"
    assert hub_cache.ensure_hub_cache_dir().is_dir()
    import os

    assert os.environ["TFHUB_CACHE_DIR"] == str(_private_app_home / "tfhub_modules")


def test_a_downloaded_archive_is_unpacked_into_the_cache(elmo_hub, tmp_path, monkeypatch):
    from core.text.elmo import load_elmo

    archive = make_standin_archive(elmo_hub / cache_key(ELMO_HANDLE), tmp_path / "elmo_3.tar.gz")
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "cache"))
    module = load_elmo(str(archive))
    assert module.folder == tmp_path / "cache" / cache_key(ELMO_HANDLE)
    assert load_elmo(ELMO_HANDLE, download=False) is module  # now found by handle, offline
    assert not [p for p in (tmp_path / "cache").iterdir() if p.name.endswith(".tmp")]


@pytest.mark.reliability("Untrusted model files",
                         "TF-Hub module archives with traversal, absolute paths, links or a bomb")
@pytest.mark.parametrize("member, words", [("../evil.txt", "outside the folder"),
                                           ("/etc/evil.txt", "outside the folder"),
                                           ("link", "holds a link"),
                                           ("bomb.bin", "would unpack to 3.0 KiB")])
def test_unsafe_archives_are_refused_before_anything_is_written(member, words, tmp_path,
                                                                monkeypatch):
    archive = tmp_path / "bad.tar.gz"
    # The bomb is 3 KiB of zeros against a cap lowered to 2 KiB: the same sum of the
    # members' sizes that refuses a real archive unpacking to more than 4 GiB.
    monkeypatch.setattr("core.archive_checks.MAX_TOTAL", 2048)
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo(member)
        if member == "link":
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(info)
        else:
            info.size = 3072 if member == "bomb.bin" else 0
            tar.addfile(info, io.BytesIO(bytes(info.size)))
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(WorkbenchError, match=words):
        hub_cache.resolve_module(str(archive))
    assert list((tmp_path / "cache").iterdir()) == []
    assert not (tmp_path / "evil.txt").exists()


def test_layer_paths_outside_the_cache_load_only_once_picked(elmo_cache, tmp_path):
    outside = tmp_path / "my_elmo"
    shutil.copytree(elmo_cache / cache_key(ELMO_HANDLE), outside)
    with pytest.raises(UnsafeModelError, match="outside Keras Workbench's TF-Hub cache"):
        hub_cache.layer_module_dir(str(outside), "elmo")
    assert hub_cache.resolve_module(str(outside)) == outside  # the user picks it
    assert hub_cache.layer_module_dir(str(outside), "elmo") == outside


@pytest.mark.reliability("Text data", "a damaged embedding store: not a database, or a cut vector")
@pytest.mark.parametrize("damage", ["not_a_database", "cut_vector"])
def test_a_damaged_store_is_a_cache_miss_not_an_error(damage, tmp_path):
    import sqlite3

    from core.text.embedding_store import EmbeddingStore

    path = tmp_path / "vectors.sqlite"
    if damage == "not_a_database":
        path.write_bytes(b"this is not an SQLite file" * 100)
    else:
        EmbeddingStore(path).put("m", "default", {"good": np.ones(4), "cut": np.ones(4)})
        with sqlite3.connect(path) as connection:  # a vector cut mid-float
            connection.execute("UPDATE vectors SET vector = ? WHERE text_sha = ?",
                               [b"\x00\x01\x02", hashlib.sha1(b"cut").hexdigest()])
    store = EmbeddingStore(path)
    found = store.get("m", "default", ["good", "cut"])
    assert "cut" not in found
    assert (damage == "cut_vector") == ("good" in found)
    store.put("m", "default", {"cut": np.zeros(4)})  # embedded again, stored again
    assert store.get("m", "default", ["cut"])["cut"].tolist() == [0, 0, 0, 0]
    assert (tmp_path / "vectors.sqlite.damaged").exists() == (damage == "not_a_database")
    store.close()
