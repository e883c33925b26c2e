"""The "image_folder" source: one sub-folder per class, images streamed from disk.

Every file is checked with Pillow's ``verify`` when the folder is scanned;
unreadable and corrupt files are left out and listed in ``DataInfo.skipped``
instead of stopping a run. As a second net, the tf.data pipeline drops any
image that still fails to decode and fills its place with the next good one,
so a part always yields exactly its number of images (a known cardinality:
Keras then neither warns that the data ran out nor stops early).
"""

import os
import warnings
from pathlib import Path

import numpy as np

from core.data.info import DataInfo, Loaded, classification_info
from core.data.params import param, paths
from core.errors import DataError

# What tf.io.decode_image reads.
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif"})
# Images Pillow reads but tf.io.decode_image does not: skipped with a reason that says so.
OTHER_IMAGE_SUFFIXES = frozenset({".tif", ".tiff", ".webp", ".ppm", ".pgm", ".pbm", ".ico",
                                  ".heic", ".avif"})
# How far from its end a JPEG's end marker is looked for.
_JPEG_TAIL = 4096
# Why a file beside the class folders is left out.
LOOSE = "not inside a class sub-folder"
# Decoded training images are kept in memory between epochs when they fit in this.
CACHE_BYTES = 256 * 2**20


def load_image_folder(project, source):
    """``{"kind": "image_folder", "path", "image_size": [h, w], "color_mode", "batch_size"}``.

    Args (in ``source``):
        path: the folder; each sub-folder is a class, named after it (sorted).
        image_size: every image is resized to [height, width] (default [256, 256]).
        color_mode: "rgb" (3 channels) or "grayscale" (1).
        batch_size: images per batch; the training settings' batch_size if absent.
    """
    (root,) = paths(project, source)
    if not root.is_dir():
        raise DataError(f"{root} is not a folder: an image_folder source needs a folder with "
                        "one sub-folder of images per class.")
    loader = ImageLoader.from_source(source)
    files, labels, class_names, skipped = scan_folder(root)
    task, counts, warnings = classification_info(labels, class_names)
    if skipped:
        warnings.append(f"{len(skipped)} files in {root.name} were skipped: they are not "
                        "readable images.")
    info = DataInfo("image_folder", root.name, loader.input_shape, "float32", task,
                    class_names, counts, len(files), skipped=skipped, warnings=warnings)
    return Loaded(info, np.array(files, dtype=str), labels, steps=[loader], streamed=True)


def scan_folder(root):
    """The readable images under ``root``'s class sub-folders, and the files left out.

    Returns:
        ``(files, labels, class_names, skipped)``: paths as strings, int64
        class indices, sorted class names, and ``(path, reason)`` pairs.

    Raises:
        DataError: without at least two classes that hold readable images.
    """
    from PIL import Image  # lazily: only image sources need it

    class_names = sorted(p.name for p in root.iterdir() if p.is_dir() and p.name[0] != ".")
    files, labels, skipped = [], [], []
    skipped += [(str(p), LOOSE) for p in sorted(root.iterdir())
                if p.is_file() and p.name[0] != "."]
    for index, name in enumerate(class_names):
        found = 0
        for path in _walk(root / name):
            reason = _unreadable(path, Image)
            if reason:
                skipped.append((str(path), reason))
                continue
            files.append(str(path))
            labels.append(index)
            found += 1
        if not found:
            raise DataError(f"The class folder `{name}` in {root} has no readable images: "
                            "add images or remove the folder.")
    if len(class_names) < 2:
        loose = sum(why == LOOSE for _, why in skipped)
        lying = f" and {loose} files lie loose in it" if loose else ""
        raise DataError(f"{root} has {len(class_names)} class sub-folder(s){lying}: a classifier "
                        "needs at least two, one per class, each holding that class's images "
                        f"(such as {root.name}/cats/ and {root.name}/dogs/).")
    return files, np.array(labels, dtype=np.int64), class_names, skipped


def _walk(folder):
    for parent, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d[0] != ".")
        for name in sorted(names):
            if name[0] != ".":
                yield Path(parent) / name


def _unreadable(path, Image):
    """Why ``path`` cannot be a training image, or None when it can."""
    suffix = path.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        if suffix in OTHER_IMAGE_SUFFIXES:
            return (f"a {suffix} image, which TensorFlow's decoder cannot read (it reads JPEG, "
                    "PNG, BMP and GIF): convert it to PNG")
        return f"not an image file type ({path.suffix or 'no suffix'})"
    if path.stat().st_size == 0:
        return "the file is empty (0 bytes)"
    try:
        # Pillow only warns from 1x its pixel limit; a folder is refused from there (as the
        # zoo's reader does), since TensorFlow would decode every pixel at each epoch.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.verify()
        if suffix in (".jpg", ".jpeg") and not _jpeg_ends(path):
            with Image.open(path) as image:
                image.load()  # verify() reads no JPEG data: decode it to find it cut short
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return (f"it has more than {Image.MAX_IMAGE_PIXELS:,} pixels (Pillow's limit against "
                "decompression bombs): shrink it first")
    except Exception as exc:  # Pillow raises many kinds; any of them means "skip it"
        return f"cannot be read as an image ({type(exc).__name__}: {exc})"
    return None


def _jpeg_ends(path):
    """Whether the JPEG end marker is in the file's last bytes (so it is not cut short).

    Entropy-coded JPEG data never holds the bytes FF D9 but as the end marker; a file
    without them near its end is decoded to be sure (a motion photo carries a video after).
    """
    with open(path, "rb") as f:
        f.seek(max(0, path.stat().st_size - _JPEG_TAIL))
        return b"\xff\xd9" in f.read()


def _tf():
    """TensorFlow, imported through core.keras_env so its log level is set first."""
    from core.keras_env import keras

    keras()
    import tensorflow

    return tensorflow


class ImageLoader:
    """Image files -> float32 arrays of ``size`` (height, width) with 3 or 1 channels.

    The same TensorFlow decode and bilinear resize serve training (inside
    tf.data) and prediction (:meth:`transform`), so both see the same pixels.
    """

    name = "image"

    def __init__(self, size, color_mode):
        self.size = tuple(size)
        self.color_mode = color_mode

    @classmethod
    def from_source(cls, source):
        size = param(source, "image_size", list, [256, 256])
        if len(size) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0
                                     for v in size):
            raise DataError(f"Invalid value for `data.source.image_size`: expected [height, "
                            f"width] in pixels such as [128, 128], received {size!r}.")
        return cls(size, param(source, "color_mode", str, "rgb", ("rgb", "grayscale")))

    @property
    def channels(self):
        return 3 if self.color_mode == "rgb" else 1

    @property
    def input_shape(self):
        return (*self.size, self.channels)

    def load(self, path):
        """A tf function body: the decoded, resized float32 image at tensor ``path``."""
        tf = _tf()
        image = tf.io.decode_image(tf.io.read_file(path), channels=self.channels,
                                   expand_animations=False)
        image.set_shape([None, None, self.channels])
        return tf.image.resize(image, self.size)

    def fit(self, x, y):
        return self

    def transform(self, x, y):
        """Load the image files named in ``x`` into one array (n, height, width, channels).

        Raises:
            DataError: naming the first file that cannot be read.
        """
        tf = _tf()
        images = []
        for path in np.asarray(x, dtype=str).reshape(-1):
            try:
                images.append(self.load(tf.constant(path)).numpy())
            except (tf.errors.OpError, ValueError) as exc:
                reason = str(getattr(exc, "message", exc)).splitlines()[0]
                raise DataError(f"Cannot read image {path}: {reason}. Check that it is an "
                                "image file (JPEG, PNG, BMP or GIF).") from None
        return np.stack(images) if images else np.zeros((0, *self.input_shape), np.float32), y

    def summary(self):
        return {"step": self.name, "size": list(self.size), "color_mode": self.color_mode}

    @classmethod
    def from_summary(cls, d):
        return cls(d["size"], d["color_mode"])


class ImagePipelines:
    """Builds the tf.data pipelines of an image folder's parts, on demand.

    Args:
        loader: the :class:`ImageLoader`.
        parts: part name -> (file paths, encoded labels).
        scaler: a fitted core.data.steps.Scaler, or None.
        seed: the shuffle seed.
    """

    def __init__(self, loader, parts, scaler, seed):
        self.loader = loader
        self.parts = parts
        self.scaler = scaler
        self.seed = seed

    def dataset(self, part, batch_size, shuffle=False):
        """The batched ``(images, labels)`` dataset of ``part``; None when there is none."""
        tf = _tf()
        if self.parts.get(part) is None:
            return None
        files, labels = self.parts[part]
        ds = tf.data.Dataset.from_tensor_slices((files, labels))
        ds = ds.map(lambda f, y: (self.loader.load(f), y), num_parallel_calls=tf.data.AUTOTUNE)
        # ignore_errors alone would leave the size unknown; repeat + take keeps it exact.
        ds = ds.ignore_errors().repeat().take(len(files))
        if self.scaler is not None:
            offset = tf.constant(self.scaler._stat(self.scaler.offset), tf.float32)
            scale = tf.constant(self.scaler._stat(self.scaler.scale), tf.float32)
            ds = ds.map(lambda x, y: ((x - offset) / scale, y))
        if len(files) * 4 * np.prod(self.loader.input_shape) <= CACHE_BYTES:
            ds = ds.cache()
        ds = ds.apply(tf.data.experimental.assert_cardinality(len(files)))
        if shuffle:
            ds = ds.shuffle(len(files), seed=self.seed, reshuffle_each_iteration=True)
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def fit_image_scaler(kind, loader, files):
    """A Scaler for images: "minmax" maps the pixel range 0..255 to 0..1 (fixed, not
    fitted); "standard" uses per-channel mean and deviation over the training images.
    """
    from core.data.steps import Scaler

    scaler = Scaler(kind)
    if kind == "minmax":
        scaler.per, scaler.offset, scaler.scale = "all", np.array([0.0]), np.array([255.0])
        return scaler
    pipelines = ImagePipelines(loader, {"train": (files, np.zeros(len(files)))}, None, 0)
    total, squares, count = 0.0, 0.0, 0
    for images, _ in pipelines.dataset("train", 64):
        pixels = images.numpy().astype(np.float64).reshape(-1, loader.channels)
        total = total + pixels.sum(axis=0)
        squares = squares + (pixels ** 2).sum(axis=0)
        count += len(pixels)
    mean = total / count
    std = np.sqrt(np.maximum(squares / count - mean ** 2, 0.0))
    scaler.per, scaler.offset, scaler.scale = "channel", mean, np.where(std > 0, std, 1.0)
    return scaler
