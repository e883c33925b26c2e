"""Read any image a user drops, robustly, as 8-bit RGB; explain the ones that cannot be read.

Pillow does the reading (TensorFlow's decoder knows fewer formats and neither EXIF
orientation nor 16-bit grayscale). Every image becomes ``uint8`` RGB as a person
sees it: turned by its EXIF orientation; grayscale, palette, CMYK converted;
transparency laid over white; 16-bit samples scaled to 8 bits. A file that cannot
be read raises :class:`ImageReadError` naming it and why, so a caller can report
that file and go on with the others. An image with more pixels than Pillow's
``Image.MAX_IMAGE_PIXELS`` is refused before it is decoded: a few kilobytes of PNG
can otherwise unpack into gigabytes (a decompression bomb).
"""

import os
import warnings
from pathlib import Path

import numpy as np

from core.data.images import _walk
from core.errors import DataError

# What Pillow reads; folders are filtered by these, files named explicitly are tried anyway.
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp",
                            ".ppm", ".pgm", ".pbm", ".ico"})


class ImageReadError(DataError):
    """One image cannot be read. ``path`` names it; the message says why."""

    def __init__(self, path, reason):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"Cannot read {Path(path).name}: {reason}.")


def collect_images(inputs):
    """The image files named by ``inputs``, folders walked, in a stable order.

    Args:
        inputs: paths of files and folders. A file is kept whatever its suffix (the
            user named it: if it is no image, reading it says so); in a folder, files
            with an image suffix are kept, hidden files and folders are skipped.

    Returns:
        A list of ``Path``. A path that does not exist is kept too, so that reading it
        reports it in its place.
    """
    found = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found += [p for p in _walk(path) if p.suffix.lower() in IMAGE_SUFFIXES]
        else:
            found.append(path)
    return found


def read_rgb(path):
    """The image at ``path`` as a ``uint8`` array (height, width, 3), as a viewer shows it.

    Raises:
        ImageReadError: the file is missing, empty, not an image, damaged, or too large.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    _check_file(path)
    try:
        with _opened(path, Image) as image:
            image = ImageOps.exif_transpose(image)  # a copy, turned upright
            return to_rgb(image)
    except ImageReadError:
        raise
    except UnidentifiedImageError:
        raise ImageReadError(path, "it is not an image Pillow can read (JPEG, PNG, BMP, GIF, "
                                   "TIFF, WebP ...)") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        # Pillow's truncated or broken data shows as any of these.
        raise ImageReadError(path, f"the image data is damaged ({_first_line(exc)})") from None


def _check_file(path):
    if not path.exists():
        raise ImageReadError(path, "no such file")
    if path.is_dir():
        raise ImageReadError(path, "it is a folder")
    if os.path.getsize(path) == 0:
        raise ImageReadError(path, "the file is empty (0 bytes)")


class _opened:
    """``Image.open`` that refuses a decompression bomb instead of warning about it."""

    def __init__(self, path, Image):
        self.path, self.Image, self.image = path, Image, None

    def __enter__(self):
        Image = self.Image
        try:
            # Pillow only warns between 1x and 2x the limit; refuse from 1x. The filter
            # is process-wide while it is set, so only the open (the header) is inside.
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                self.image = Image.open(self.path)
            self.image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageReadError(self.path, f"it has more than {Image.MAX_IMAGE_PIXELS:,} pixels "
                                 "(Pillow's limit against decompression bombs), so it was "
                                 "refused; shrink it first") from None
        return self.image

    def __exit__(self, *exc):
        if self.image is not None:
            self.image.close()
        return False


def to_rgb(image):
    """A Pillow image of any mode as a ``uint8`` RGB array; alpha is laid over white."""
    from PIL import Image

    if image.mode.startswith("I;16"):
        image = Image.fromarray(_to_8bit(np.asarray(image), 65535.0), "L")
    elif image.mode in ("I", "F"):
        image = Image.fromarray(_to_8bit(np.asarray(image), None), "L")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    if image.mode != "RGB":
        image = image.convert("RGB")
    return np.asarray(image, dtype=np.uint8).copy()


def _to_8bit(samples, full_scale):
    """Grayscale samples scaled into 0..255.

    Args:
        samples: 16-bit, 32-bit integer or float samples.
        full_scale: the value that maps to 255 (65535 for 16-bit), or None to guess
            from the data: 32-bit modes hold 8- or 16-bit values, whichever fits.
    """
    samples = samples.astype(np.float64)
    if full_scale is None:
        top = samples.max() if samples.size else 0.0
        full_scale = 255.0 if top <= 255 else 65535.0 if top <= 65535 else top
    return np.clip(np.rint(samples * (255.0 / full_scale)), 0, 255).astype(np.uint8)


def resize_rgb(rgb, size):
    """``rgb`` (uint8 H, W, 3) resized to ``size`` (height, width) with bilinear filtering,
    as float32 (what ``keras.utils.load_img`` + ``img_to_array`` give, with a finer filter).
    """
    from PIL import Image

    height, width = size
    if rgb.shape[:2] != (height, width):
        rgb = np.asarray(Image.fromarray(rgb).resize((width, height), Image.BILINEAR))
    return rgb.astype(np.float32)


def _first_line(exc):
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:160]
