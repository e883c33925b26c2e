"""Where TF-Hub modules live on disk, how a handle finds its folder, and which folders may load.

tensorflow_hub 0.16 caches a module downloaded from a URL handle in
``$TFHUB_CACHE_DIR/<sha1 of the handle>/`` (compressed_module_resolver's
``_module_dir``) and uses a non-empty folder there without touching the network.
This module computes the same folder, so a module in the cache loads offline,
and unpacks a downloaded ``.tar.gz`` into it.

``TFHUB_CACHE_DIR`` defaults to ``tfhub_modules/`` in the application's data
folder (CONTRACT.md); hub's own default is a temp folder lost on reboot.

Security (DESIGN.md): a model or project file may name a module (the
ElmoEmbedding layer's ``handle``). Such a name is honoured only when it
resolves inside the TF-Hub cache or inside a folder the user picked in this
process (:func:`allow_folder`); see :func:`layer_module_dir`.

Nothing here imports TensorFlow until a download is needed.
"""

import hashlib
import os
import shutil
import tarfile
import tempfile
import threading
from pathlib import Path

from core.errors import UnsafeModelError, WorkbenchError

ELMO_HANDLE = "https://tfhub.dev/google/elmo/3"
# The same module under Kaggle Models' handles (tfhub.dev redirects there since 2023).
ELMO_ALIASES = (
    ELMO_HANDLE,
    "https://www.kaggle.com/models/google/elmo/TensorFlow1/elmo/3",
    "https://www.kaggle.com/models/google/elmo/frameworks/TensorFlow1/variations/elmo/versions/3",
    "https://kaggle.com/models/google/elmo/frameworks/TensorFlow1/variations/elmo/versions/3",
)
ELMO_DOWNLOAD = "https://tfhub.dev/google/elmo/3?tf-hub-format=compressed"
ELMO_PAGE = "https://www.kaggle.com/models/google/elmo"
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")
SAVED_MODEL = "saved_model.pb"

_picked = set()
_picked_lock = threading.Lock()


class ModuleMissingError(WorkbenchError):
    """A TF-Hub module is not on disk and could not be downloaded."""


def hub_cache_dir():
    """The TF-Hub cache: ``$TFHUB_CACHE_DIR``, else ``tfhub_modules`` in the app's data folder."""
    value = os.environ.get("TFHUB_CACHE_DIR")
    if value:
        return Path(os.path.expanduser(value))
    from core.paths import app_home

    return app_home() / "tfhub_modules"


def ensure_hub_cache_dir():
    """Set ``TFHUB_CACHE_DIR`` to :func:`hub_cache_dir` when unset, so hub downloads go there.

    Returns:
        The cache folder (created).
    """
    folder = hub_cache_dir()
    os.environ.setdefault("TFHUB_CACHE_DIR", str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def cache_key(handle):
    """The folder name tensorflow_hub gives ``handle`` in its cache (sha1 hex of the handle)."""
    return hashlib.sha1(handle.encode("utf8")).hexdigest()


def is_url(handle):
    return str(handle).startswith(("http://", "https://", "gs://"))


def aliases(handle):
    """The handles under which the module ``handle`` names may already be cached."""
    return ELMO_ALIASES if handle in ELMO_ALIASES else (handle,)


def cached_module_dir(handle):
    """The cache folder holding the module of URL ``handle`` (under any alias), or None."""
    cache = hub_cache_dir()
    for name in aliases(handle):
        folder = cache / cache_key(name)
        if is_module_dir(folder):
            return folder
    return None


def is_module_dir(folder):
    """True when ``folder`` holds a SavedModel (TF1 Hub modules are SavedModels too)."""
    folder = Path(folder)
    return (folder / SAVED_MODEL).is_file() or (folder / "saved_model.pbtxt").is_file()


def allow_folder(folder):
    """Record that the user picked ``folder`` in this process: layers may load modules in it."""
    with _picked_lock:
        _picked.add(Path(folder).resolve())


def forget_picked_folders():
    """Forget the folders the user picked (a new session; tests)."""
    with _picked_lock:
        _picked.clear()


def is_allowed_path(path):
    """True when ``path`` resolves inside the hub cache or a folder the user picked."""
    path = Path(path).resolve()
    with _picked_lock:
        roots = [hub_cache_dir().resolve(), *_picked]
    return any(path == root or root in path.parents for root in roots)


def layer_module_dir(handle, layer_name="elmo"):
    """The module folder a layer's config may load: never a download, never an outside path.

    Args:
        handle: a URL handle (looked up in the cache only) or a folder path.
        layer_name: the layer's name, for messages.

    Raises:
        UnsafeModelError: a folder outside the hub cache and the picked folders.
        ModuleMissingError: the module is not on disk.
    """
    if is_url(handle):
        folder = cached_module_dir(handle)
        if folder is None:
            raise ModuleMissingError(missing_message(handle, why="layer"))
        return folder
    path = Path(os.path.expanduser(str(handle)))
    if not is_allowed_path(path):
        raise UnsafeModelError(
            f"The layer `{layer_name}` names the TF-Hub module folder {path}, which is outside "
            f"Keras Workbench's TF-Hub cache ({hub_cache_dir()}): a model or project file may not "
            "make the application load a module from any folder. Pick that folder yourself "
            f"(`python main.py embed --handle {path} ...` or the Text tab), or set the layer's "
            f"handle to {ELMO_HANDLE} with the module in the cache.")
    if not is_module_dir(path):
        raise ModuleMissingError(missing_message(str(path)))
    return path


def resolve_module(handle=ELMO_HANDLE, *, download=True):
    """The folder of the module a user asked for: a URL handle, a folder or a .tar.gz file.

    A folder or archive named here counts as picked by the user (:func:`allow_folder`).

    Args:
        handle: a TF-Hub/Kaggle URL, a module folder, or a downloaded archive
            (unpacked into the cache under ELMo's handle).
        download: for a URL not in the cache, let tensorflow_hub download it.

    Raises:
        ModuleMissingError: not on disk and not downloadable (offline); the
            message says what to download and where to put it.
        WorkbenchError: a path that is not a module or a safe archive.
    """
    handle = str(handle or ELMO_HANDLE)
    if is_url(handle):
        folder = cached_module_dir(handle)
        if folder is None:
            if not download:
                raise ModuleMissingError(missing_message(handle, why="cache"))
            folder = _download(handle)
        return folder
    path = Path(os.path.expanduser(handle))
    if path.is_file() and path.name.lower().endswith(ARCHIVE_SUFFIXES):
        return install_archive(path)
    if path.is_dir():
        if not is_module_dir(path):
            raise WorkbenchError(f"{path} holds no {SAVED_MODEL}: it is not a TF-Hub module "
                                 "folder. Pick the folder that holds saved_model.pb, or the "
                                 "downloaded .tar.gz file.")
        allow_folder(path)
        return path
    raise ModuleMissingError(missing_message(str(path)))


def missing_message(handle, why="download"):
    """What to download and where to put it, for a module that is not on disk.

    Args:
        handle: the URL handle or path that was asked for.
        why: "download" (a download failed), "layer" (a model's layer, which
            never downloads) or "cache" (only the cache was looked in).
    """
    target = hub_cache_dir() / cache_key(handle if is_url(handle) else ELMO_HANDLE)
    if not is_url(handle):
        what = f"There is no TF-Hub module at {handle}."
    elif why == "download":
        what = (f"The TF-Hub module {handle} is not in the TF-Hub cache and could not be "
                "downloaded (offline?).")
    elif why == "layer":
        what = (f"The TF-Hub module {handle} is not in the TF-Hub cache, and a model never "
                "downloads it: run `python main.py embed hello` once while online, or")
    else:
        what = f"The TF-Hub module {handle} is not in the TF-Hub cache."
    download = "download" if what.endswith(" or") else "Download"
    return (f"{what} {download} {ELMO_DOWNLOAD} (ELMo v3, about 350 MB; also on "
            f"{ELMO_PAGE}) and either unpack it into {target} (the folder that then holds "
            "saved_model.pb), or pass the downloaded file or its unpacked folder with "
            "`--handle PATH` (in the Text tab: Install .tar.gz… or Choose module folder…).")


def _download(handle):
    """Let tensorflow_hub download and unpack ``handle`` into the cache."""
    ensure_hub_cache_dir()
    from core.keras_env import keras

    keras()  # TensorFlow quietly, before tensorflow_hub imports it
    import tensorflow_hub as hub

    try:
        return Path(hub.resolve(handle))
    except Exception as exc:  # URLError, HTTPError, OSError: hub wraps them variously
        raise ModuleMissingError(f"{missing_message(handle)} ({type(exc).__name__}: "
                                 f"{str(exc)[:200]})") from None


def install_archive(archive, handle=ELMO_HANDLE):
    """Unpack a downloaded module archive into the cache folder of ``handle``.

    Members are checked first: an absolute name, a ``..`` part, a link or a
    device refuses the whole archive, and nothing is written. The archive is
    unpacked into a temp folder in the cache and renamed into place, so a
    failure leaves no half module. A module already there is kept.

    Returns:
        The module folder.

    Raises:
        WorkbenchError: an unreadable or unsafe archive, or one with no SavedModel.
    """
    archive = Path(archive)
    target = ensure_hub_cache_dir() / cache_key(handle)
    if is_module_dir(target):
        return target
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            for member in members:
                _check_member(member, archive)
            _check_unpacked_size(members, archive)
            staging = Path(tempfile.mkdtemp(prefix=target.name + ".", suffix=".tmp",
                                            dir=target.parent))
            try:
                _extract(tar, members, staging)
                module = _module_root(staging, archive)
                if target.exists():
                    shutil.rmtree(target)  # an empty or broken leftover, not a module
                os.replace(module, target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise WorkbenchError(f"Cannot unpack {archive.name}: {exc}. Download it again.") from None
    return target


def _check_member(member, archive):
    name = member.name
    parts = Path(name).parts
    if os.path.isabs(name) or name.startswith(("/", "\\")) or ".." in parts:
        raise WorkbenchError(f"{archive.name} names the path {name!r}, outside the folder it "
                             "unpacks into: the archive is refused.")
    if not (member.isfile() or member.isdir()):
        kind = "a link" if (member.issym() or member.islnk()) else "a special file"
        raise WorkbenchError(f"{archive.name} holds {kind} ({name!r}): module archives hold "
                             "plain files only, so the archive is refused.")


def _check_unpacked_size(members, archive):
    # A gzip bomb: tar headers state each member's size, so the sum is known before
    # anything is written. ELMo unpacks to ~360 MB; the cap is the model-file cap.
    from core.archive_checks import MAX_TOTAL, human_size

    total = sum(m.size for m in members if m.isfile())
    if total > MAX_TOTAL:
        raise WorkbenchError(
            f"{archive.name} would unpack to {human_size(total)}, more than the "
            f"{human_size(MAX_TOTAL)} Keras Workbench unpacks from one module archive: it is "
            "refused. Download the module again from its page.")


def _extract(tar, members, folder):
    # The members were checked above; the "data" filter (Python >= 3.10.12) is a second guard.
    if hasattr(tarfile, "data_filter"):
        tar.extractall(folder, members=members, filter="data")
    else:
        tar.extractall(folder, members=members)


def _module_root(staging, archive):
    """The unpacked folder that holds saved_model.pb: the top, or its only sub-folder."""
    if is_module_dir(staging):
        return staging
    children = [p for p in staging.iterdir() if p.is_dir()]
    if len(children) == 1 and is_module_dir(children[0]):
        return children[0]
    raise WorkbenchError(f"{archive.name} holds no {SAVED_MODEL}: it is not a TF-Hub module "
                         f"archive. Download {ELMO_DOWNLOAD} again.")
