"""Download a zoo model's ImageNet weights into Keras's cache, from Keras's own URL.

The file is written to a temporary name in the cache folder and renamed only
once it is complete and checked (Keras's hash where it has one, else by loading
it), so neither a cancel nor a cut connection leaves a half file under Keras's
name. Never called by the tests (no network there).
"""

import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from core.errors import WorkbenchError
from core.zoo.catalog import zoo_model
from core.zoo.weights import load_problem, weights_path, weights_status

BLOCK = 1 << 18  # 256 KiB between progress reports and stop checks
TIMEOUT_S = 30


class DownloadCancelled(WorkbenchError):
    """The user stopped a download; nothing was left in the cache."""

    exit_code = 1


def download_weights(name, *, include_top=True, on_progress=None, should_stop=None,
                     timeout=TIMEOUT_S):
    """Fetch zoo model ``name``'s weight file from Keras's URL into ``$KERAS_HOME/models``.

    Args:
        name: the zoo model (``"resnet50"``).
        include_top: the classification weights (True) or the backbone's (False).
        on_progress: called as ``on_progress(done_bytes, total_bytes)`` after each
            block; ``total_bytes`` is None when the server does not say.
        should_stop: called after each block; True cancels the download.
        timeout: seconds to wait for the server before giving up.

    Returns:
        The :class:`~core.zoo.weights.WeightStatus` of the cached file.

    Raises:
        DownloadCancelled: ``should_stop`` returned True.
        WorkbenchError: no network, a server error, or a file that fails its check.
    """
    model = zoo_model(name)
    weight_file = model.weight_file(include_top)
    target = weights_path(model.name, include_top)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".download-", suffix=".part", dir=target.parent)
    tmp = Path(tmp)
    try:
        with os.fdopen(fd, "wb") as out:
            digest = _fetch(weight_file.url, out, weight_file.hash_algorithm, timeout,
                            on_progress, should_stop)
        _check(model.name, weight_file, tmp, digest, include_top)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return weights_status(model.name, include_top)


def _fetch(url, out, algorithm, timeout, on_progress, should_stop):
    """Copy ``url`` into the open file ``out``; returns the hash object (or None)."""
    import hashlib

    digest = hashlib.new(algorithm) if algorithm else None
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            done = 0
            while True:
                if should_stop is not None and should_stop():
                    raise DownloadCancelled(f"The download of {url.rsplit('/', 1)[-1]} was "
                                            "cancelled; nothing was kept.")
                block = response.read(BLOCK)
                if not block:
                    break
                out.write(block)
                if digest is not None:
                    digest.update(block)
                done += len(block)
                if on_progress is not None:
                    on_progress(done, total)
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise WorkbenchError(f"Cannot download {url}: {reason}. Without a network, fetch the "
                             "file on another machine and add it with `python main.py zoo "
                             "import NAME FILE`.") from None
    if total is not None and done != total:
        raise WorkbenchError(f"The download of {url} stopped at {done:,} of {total:,} bytes: "
                             "try again.")
    return digest


def _check(name, weight_file, path, digest, include_top):
    if digest is not None:
        if digest.hexdigest() != weight_file.file_hash:
            raise WorkbenchError(f"The downloaded {weight_file.file_name} does not have Keras's "
                                 f"{weight_file.hash_algorithm} hash {weight_file.file_hash}: "
                                 "it was damaged on the way; try again.")
        return
    problem = load_problem(name, path, include_top)
    if problem:
        raise WorkbenchError(f"The downloaded {weight_file.file_name} is not usable: {problem}.")
