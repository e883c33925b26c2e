"""Check a model file's container before anything reads it: zip and HDF5 bombs, paths outside.

A ``.keras`` file is a zip, a ``.h5`` file HDF5, and both can be made to say
"gigabytes" while holding almost nothing: a zip entry that inflates a thousand
times (a run of zeros), an HDF5 dataset of a huge declared shape stored as
gzip chunks of its fill value. Reading either fills the memory or the disk.
Keras 3.15 guards only above 4 GiB per entry (saving_lib's ``_reject_zip_bomb``
and ``safe_get_h5_dataset``), so a file of several 3.9 GiB bombs still loads
each one. The checks here read only the zip's directory and HDF5's object
headers (sizes, shapes, links), never the data, and refuse:

- a zip entry or HDF5 dataset larger than :data:`BOMB_FLOOR` that declares
  more than :data:`MAX_RATIO` times what it stores (Keras writes entries
  uncompressed and weights as plain arrays: their ratio is about 1);
- more than :data:`MAX_TOTAL` in all (the entries of a zip, the datasets of an HDF5 file);
- a JSON entry (``config.json``, ``metadata.json``) over :data:`MAX_JSON`;
- a zip entry named outside the folder it would unpack into (``..``, an
  absolute or drive path) or stored as a symbolic link;
- an HDF5 soft or external link, external or virtual dataset storage: they
  make h5py read other files on disk;
- a ``.npy`` inside an ``.npz`` holding Python objects (loading them unpickles).

Each refusal is an UnsafeModelError naming the file, the entry and its sizes.
Nothing here imports TensorFlow or Keras.
"""

import contextlib
import io
import math
import shutil
import stat
import struct
import tempfile
import zipfile
from pathlib import Path

from core.errors import UnsafeModelError

GiB, MiB = 1 << 30, 1 << 20
MAX_TOTAL = 4 * GiB
MAX_JSON = 64 * MiB
BOMB_FLOOR = 64 * MiB
MAX_RATIO = 100
JSON_ENTRIES = ("config.json", "metadata.json")
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # the 30 bytes before a zip entry's name
_NPY_HEADER_READERS = {(1, 0): "read_array_header_1_0", (2, 0): "read_array_header_2_0"}


def human_size(count):
    """``"3.8 GiB"``, ``"512 bytes"``: a byte count for a message."""
    for unit, size in (("GiB", GiB), ("MiB", MiB), ("KiB", 1 << 10)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count} bytes"


def check_zip(path):
    """Refuse a zip (``.keras``, ``.npz``) that is a bomb or names paths outside its folder.

    Reads the zip's central directory only; then checks an HDF5 or ``.npz``
    entry's own contents the same way (:func:`check_h5`, :func:`check_npz`).

    Args:
        path: the zip file.

    Raises:
        UnsafeModelError: naming the entry, what it declares and what it stores.
        zipfile.BadZipFile, OSError: when it is not a readable zip.
    """
    path = Path(path)
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        total = 0
        for info in infos:
            _check_entry(info, path)
            total += info.file_size
        if total > MAX_TOTAL:
            raise UnsafeModelError(
                f"{path.name} unpacks to {human_size(total)} in all, more than the "
                f"{human_size(MAX_TOTAL)} Keras Workbench reads from one model file: it is "
                "refused. Save the model again with model.save(...), or split it.")
        for info in infos:
            suffix = info.filename.lower().rsplit(".", 1)[-1]
            if suffix in ("h5", "hdf5", "npz"):
                with _entry_file(archive, info, path) as f:
                    label = f"{path.name}:{info.filename}"
                    check_h5(f, label=label) if suffix != "npz" else check_npz(f, label=label)


def _check_entry(info, path):
    name = info.filename
    parts = name.replace("\\", "/").split("/")
    mode = info.external_attr >> 16
    if name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0] or "\x00" in name:
        raise UnsafeModelError(
            f"{path.name} holds an entry named {name!r}, a path outside the folder it unpacks "
            "into: the file is refused and nothing in it was unpacked. A file written by "
            "model.save(...) names no such path; save the model again.")
    if stat.S_ISLNK(mode):
        raise UnsafeModelError(
            f"{path.name} holds {name!r} as a symbolic link: a model file holds plain files "
            "only, so it is refused. Save the model again with model.save(...).")
    if info.flag_bits & 0x1:
        raise UnsafeModelError(f"{path.name}: its entry {name!r} is encrypted, which a Keras "
                               "model file never is: it is refused.")
    stored = info.compress_size
    if info.filename in JSON_ENTRIES and info.file_size > MAX_JSON:
        raise UnsafeModelError(
            f"{path.name}: its {name} declares {human_size(info.file_size)}, more than the "
            f"{human_size(MAX_JSON)} a model description can need (stored: "
            f"{human_size(stored)}): the file is refused as a zip bomb.")
    if info.file_size > BOMB_FLOOR and info.file_size > MAX_RATIO * stored:
        raise UnsafeModelError(
            f"{path.name}: its entry {name} unpacks to {human_size(info.file_size)} from "
            f"{human_size(stored)} stored, more than {MAX_RATIO} times: the file is refused as "
            "a zip bomb. Keras writes model files uncompressed; save the model again with "
            "model.save(...).")
    if info.compress_type == zipfile.ZIP_STORED and info.file_size != stored:
        raise UnsafeModelError(f"{path.name}: its entry {name} says it is stored as it is but "
                               f"declares {info.file_size} bytes in {stored}: the file is "
                               "damaged or forged, and refused.")


@contextlib.contextmanager
def _entry_file(archive, info, path):
    """A seekable file of one zip entry: a window on the zip when stored, else a temp copy.

    h5py seeks back and forth; a deflated ZipExtFile restarts from the entry's
    start at each backward seek, so a compressed entry (already checked for its
    ratio and the total) is copied out once.
    """
    if info.compress_type == zipfile.ZIP_STORED:
        with open(path, "rb") as raw:
            raw.seek(info.header_offset)
            header = raw.read(_LOCAL_HEADER.size)
            if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
                raise zipfile.BadZipFile(f"bad local header for {info.filename}")
            fields = _LOCAL_HEADER.unpack(header)
            start = info.header_offset + _LOCAL_HEADER.size + fields[-2] + fields[-1]
            yield _Window(raw, start, info.file_size)
        return
    with tempfile.TemporaryFile() as copy:
        with archive.open(info) as source:
            shutil.copyfileobj(source, copy, MiB)
        copy.seek(0)
        yield copy


class _Window(io.RawIOBase):
    """A read-only, seekable view of ``size`` bytes of ``raw`` from ``start``."""

    def __init__(self, raw, start, size):
        super().__init__()
        self._raw, self._start, self._size, self._pos = raw, start, size, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self._pos

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer):
        count = max(0, min(len(buffer), self._size - self._pos))
        self._raw.seek(self._start + self._pos)
        data = self._raw.read(count)
        buffer[:len(data)] = data
        self._pos += len(data)
        return len(data)


def check_h5(source, *, label=None):
    """Refuse an HDF5 file whose datasets are bombs or whose links reach other files.

    Reads object headers only (shapes, dtypes, storage sizes, links), not data.

    Args:
        source: a path, or a seekable binary file holding the HDF5 file.
        label: how messages name the file (default: the file name).

    Raises:
        UnsafeModelError: naming the dataset or link at fault.
        OSError: when it is not an HDF5 file.
    """
    import h5py

    label = label or Path(source).name
    with h5py.File(source, "r") as f:
        totals = {"declared": 0}
        _check_group(f, label, totals, seen=set())


def _check_group(group, label, totals, seen):
    import h5py

    for name in group:
        link = group.get(name, getlink=True)
        where = f"{group.name.rstrip('/')}/{name}"
        if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)):
            target = getattr(link, "filename", None) or link.path
            raise UnsafeModelError(
                f"{label}: `{where}` is a link to {target!r}. A Keras weights file holds plain "
                "datasets; a link can make the reader open other files, so the file is refused.")
        item = group[name]
        if item in seen:  # hard-linked twice (or into its own parent): checked already
            continue
        seen.add(item)  # h5py objects compare and hash by the object they open
        if isinstance(item, h5py.Group):
            _check_group(item, label, totals, seen)
        elif isinstance(item, h5py.Dataset):
            _check_dataset(item, where, label, totals)


def _check_dataset(dataset, where, label, totals):
    if dataset.external or dataset.is_virtual:
        raise UnsafeModelError(
            f"{label}: dataset `{where}` keeps its values in other files "
            f"({dataset.external or 'a virtual dataset'}). A Keras weights file keeps them "
            "inside itself, so the file is refused.")
    declared = math.prod(dataset.shape or ()) * dataset.dtype.itemsize
    stored = dataset.id.get_storage_size()
    if declared > BOMB_FLOOR and declared > MAX_RATIO * stored:
        raise UnsafeModelError(
            f"{label}: dataset `{where}` declares {human_size(declared)} (shape "
            f"{tuple(dataset.shape)}, {dataset.dtype}) but stores {human_size(stored)}: it "
            "is refused as an HDF5 bomb. Weights saved by Keras are stored in full; save "
            "them again.")
    totals["declared"] += declared
    if totals["declared"] > MAX_TOTAL:
        raise UnsafeModelError(
            f"{label}: its datasets declare more than {human_size(MAX_TOTAL)} in all (at "
            f"`{where}`), more than Keras Workbench reads from one file: it is refused.")


def check_npz(source, *, label):
    """Refuse an ``.npz`` whose arrays hold Python objects or are bombs; headers only.

    Args:
        source: a path or a seekable binary file.
        label: how messages name the file.

    Raises:
        UnsafeModelError: naming the array at fault.
    """
    import numpy as np

    with zipfile.ZipFile(source) as archive:
        for info in archive.infolist():
            with archive.open(info) as member:
                try:
                    read_header = _NPY_HEADER_READERS.get(np.lib.format.read_magic(member))
                    if read_header is None:
                        raise ValueError("an unknown .npy format version")
                    shape, _, dtype = getattr(np.lib.format, read_header)(member)
                except ValueError as exc:
                    raise UnsafeModelError(f"{label}: {info.filename} is not a numpy array "
                                           f"({exc}): the file is refused.") from None
            if dtype.hasobject:
                raise UnsafeModelError(
                    f"{label}: array {info.filename} holds Python objects, and loading them "
                    "would unpickle, which can run code: the file is refused. Save plain "
                    "numeric arrays.")
            declared = math.prod(shape) * dtype.itemsize
            if declared > BOMB_FLOOR and declared > MAX_RATIO * info.compress_size:
                raise UnsafeModelError(
                    f"{label}: array {info.filename} declares {human_size(declared)} but "
                    f"stores {human_size(info.compress_size)}: it is refused as a bomb.")
