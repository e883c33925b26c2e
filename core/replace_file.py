"""Write a file under a temporary name beside it, then rename it over the target.

Run files (state.json, checkpoints, .keras models, predictions) are replaced this way,
so a failure part-way (out of memory, a full disk, a kill) leaves the previous file
or none, never a half-written one, and no temporary file behind. Project files need
more (fsync, a backup): core.project.save_json_atomic.
"""

import os
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path, temp_name=None):
    """Yield the temporary path to write; on success it replaces ``path``.

    Args:
        path: the file to replace.
        temp_name: the temporary file's name (default ``<name>.tmp``); writers that
            go by the suffix (Keras's ``model.save``, numpy's ``savez``) pass one that
            keeps it.

    On any exception the temporary file is removed and the exception goes on.
    """
    path = Path(path)
    temp = path.with_name(temp_name or path.name + ".tmp")
    try:
        yield temp
        os.replace(temp, path)
    finally:
        try:
            temp.unlink(missing_ok=True)  # gone after the rename; a failed write's leftover
        except OSError:
            pass  # it could not have been made either
