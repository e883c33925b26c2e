"""``python main.py embed`` with ELMo's stand-in in the TF-Hub cache, offline."""

import json

import numpy as np
import pytest

from main import main
from tests.core.test_cli import run_cli
from tests.elmo_standin import elmo_cache, elmo_hub  # noqa: F401 (fixtures)


@pytest.mark.slow
def test_embed_json_in_a_subprocess(elmo_cache, tmp_path):
    proc = run_cli("embed", "the cat sat on the mat", "a cat sat on a mat", "markets fell",
                   "--json", env={"TFHUB_CACHE_DIR": str(elmo_cache),
                                  "KERAS_WORKBENCH_HOME": str(tmp_path / "home")})
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    assert set(out) == {"model", "dim", "embeddings", "similarity"}
    assert out["model"] == "elmo" and out["dim"] == 1024
    assert np.asarray(out["embeddings"]).shape == (3, 1024)
    similarity = np.asarray(out["similarity"])
    np.testing.assert_allclose(np.diag(similarity), 1.0, atol=1e-5)
    assert similarity[0, 1] > similarity[0, 2]


def test_embed_prints_a_similarity_table(elmo_cache, capsys):
    assert main(["embed", "good phone", "a good phone", "--handle",
                 "https://tfhub.dev/google/elmo/3"]) == 0
    out = capsys.readouterr().out
    assert "ELMo (1024-d) cosine similarity of 2 sentence(s)" in out
    assert "[1]    1.00" in out and "[2] a good phone" in out


def test_embed_without_the_module_says_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "empty"))
    assert main(["embed", "hello", "--handle", str(tmp_path / "no_such_folder")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Download https://tfhub.dev/google/elmo/3" in err
    assert main(["embed", "hello", "--model", "bert"]) == 2
    assert "Unknown embedding model `bert`" in capsys.readouterr().err
