"""Sentence vectors kept on disk, so a data set is run through ELMo once.

ELMo is the slow part of a model that starts with it (tens of sentences a
second on a CPU), and it is frozen: a sentence always gets the same vector.
The ElmoEmbedding layer therefore looks each sentence up here first, so the
second epoch, the validation and test passes, a resumed run and later runs on
the same data cost no ELMo time.

One SQLite file (standard library; safe across threads and processes) in the
application's data folder: ``text_cache/embeddings.sqlite``. Rows are keyed by
the module's identity (its folder and file stamps), the output name, and the
sha1 of the sentence; the vector is float32 bytes. Delete the file to free the
space; it is rebuilt as needed.
"""

import hashlib
import sqlite3
import threading
from pathlib import Path

import numpy as np

_SCHEMA = ("CREATE TABLE IF NOT EXISTS vectors (module TEXT, output TEXT, text_sha TEXT, "
           "vector BLOB, PRIMARY KEY (module, output, text_sha))")
_stores = {}
_stores_lock = threading.Lock()


def default_store_path():
    from core.paths import app_home

    return app_home() / "text_cache" / "embeddings.sqlite"


def default_store():
    """The store in the application's data folder (one object per path and process)."""
    path = default_store_path()
    with _stores_lock:
        store = _stores.get(path)
        if store is None:
            store = _stores[path] = EmbeddingStore(path)
    return store


class EmbeddingStore:
    """Vectors by (module identity, output, sentence), in one SQLite file.

    Args:
        path: the file (created with its folder on first write).
    """

    def __init__(self, path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._connection = None

    def _connect(self):
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._connection = self._open()
            except sqlite3.DatabaseError:
                # Only a cache: a damaged file ("file is not a database") is set aside
                # and the store starts again, rather than failing every embedding.
                self.path.replace(self.path.with_name(self.path.name + ".damaged"))
                self._connection = self._open()
        return self._connection

    def _open(self):
        # One connection, serialised by the lock: the layer calls from TF's threads.
        connection = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        try:
            connection.execute(_SCHEMA)
        except sqlite3.DatabaseError:
            connection.close()
            raise
        return connection

    def get(self, module, output, texts):
        """``{text: vector}`` for the texts the store holds (the others are left out)."""
        keys = {_sha(t): t for t in texts}
        found = {}
        with self._lock:
            connection = self._connect()
            items = list(keys)
            for start in range(0, len(items), 500):  # SQLite's limit on bound parameters
                chunk = items[start:start + 500]
                rows = connection.execute(
                    "SELECT text_sha, vector FROM vectors WHERE module=? AND output=? AND "
                    f"text_sha IN ({','.join('?' * len(chunk))})", [module, output, *chunk])
                for sha, blob in rows:
                    if isinstance(blob, bytes) and blob and len(blob) % 4 == 0:
                        found[keys[sha]] = np.frombuffer(blob, np.float32)
                    # else a damaged row: left out, so the sentence is embedded again
        return found

    def put(self, module, output, vectors):
        """Store ``{text: vector}``."""
        rows = [(module, output, _sha(t), np.asarray(v, np.float32).tobytes())
                for t, v in vectors.items()]
        with self._lock:
            connection = self._connect()
            with connection:
                connection.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", rows)

    def count(self, module=None):
        """How many vectors the store holds (for one module, or all)."""
        with self._lock:
            connection = self._connect()
            if module is None:
                return connection.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
            return connection.execute("SELECT COUNT(*) FROM vectors WHERE module=?",
                                      [module]).fetchone()[0]

    def close(self):
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


def _sha(text):
    return hashlib.sha1(str(text).encode("utf8")).hexdigest()
