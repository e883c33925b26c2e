"""Bad image folders and files: each image decodes to what a viewer shows, or is skipped and
listed with its reason, or the folder is refused with a message saying what to change.

Proven elsewhere (marked there): tests/core/test_data_images.py (a corrupt PNG, a text
file and a hidden file skipped; one class, an empty class, a zero image size) and
tests/core/test_zoo_images.py (empty, text, truncated, missing files and folders
through the zoo's reader; 16-bit, CMYK, palette and alpha images; bombs at Pillow's
limit; folders walked for images only).
"""

import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from core.data import describe_source, prepare_data
from core.data.images import ImageLoader
from core.errors import DataError
from core.project import DataSpec, Project
from core.zoo.images import ImageReadError, read_rgb

SIZE = (12, 10)  # height, width of every test image


def make_project(tmp_path, path="imgs", **source):
    project = Project(path=tmp_path / "p.kwb.json")
    project.data = DataSpec.from_dict({
        "source": {"kind": "image_folder", "path": path, "image_size": list(SIZE), **source},
        "preprocessing": {"test_split": 0, "validation_split": 0}})
    project.training["loss"] = "sparse_categorical_crossentropy"
    project.training["batch_size"] = 4
    return project


def gradient(seed):
    """A smooth RGB image (JPEG keeps it close), different per seed."""
    y, x = np.mgrid[0:SIZE[0], 0:SIZE[1]]
    base = np.stack([x * 20 + seed * 7, y * 15 + 40, (x + y) * 9 + seed * 3], axis=-1)
    return (base % 200 + 30).astype(np.uint8)


def class_folders(root, per_class=2):
    """``root``/a and ``root``/b with ``per_class`` good PNGs each; returns root."""
    for k, name in enumerate(("a", "b")):
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            Image.fromarray(gradient(10 * k + i)).save(root / name / f"good{i}.png")
    return root


def png_header(path, width, height):
    """A PNG that claims ``width`` x ``height`` pixels but holds a few bytes: a bomb's header
    without its payload, so nothing large is ever allocated."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b""))


# -- every image mode decodes as a viewer shows it ------------------------------------------

def _save(rgb, path, mode):
    image = Image.fromarray(rgb)
    if mode == "I;16":
        gray = np.asarray(image.convert("L"), dtype=np.uint16) * 257
        Image.fromarray(gray).save(path)  # Pillow writes uint16 as a 16-bit PNG
        assert Image.open(path).mode == "I;16"
        return
    converted = {"RGBA": lambda: image.convert("RGBA"), "LA": lambda: image.convert("LA"),
                 "P": lambda: image.quantize(64), "1": lambda: image.convert("1"),
                 "CMYK": lambda: image.convert("CMYK")}.get(mode, lambda: image.convert(mode))
    converted().save(path, **({"quality": 98} if path.suffix == ".jpg" else {}))


# Pixel tolerance: JPEG decoders differ by a few levels (CMYK by up to 8 between
# TensorFlow's libjpeg and Pillow's).
MODES = [("L", "png", 1), ("LA", "png", 1), ("RGBA", "png", 1), ("P", "png", 1),
         ("P", "gif", 1), ("1", "png", 1), ("I;16", "png", 1), ("CMYK", "jpg", 10),
         ("RGB", "bmp", 1), ("L", "jpg", 6)]


@pytest.mark.reliability("Image data", "a class folder of L, LA, RGBA, P, 1-bit, I;16 or CMYK images (decoded as a viewer shows them)")
@pytest.mark.parametrize("mode, ext, tolerance", MODES, ids=[f"{m}.{e}" for m, e, _ in MODES])
def test_every_image_mode_trains_as_a_viewer_shows_it(tmp_path, mode, ext, tolerance):
    root = class_folders(tmp_path / "imgs")
    odd = root / "a" / f"odd.{ext}"
    _save(gradient(5), odd, mode)
    info = describe_source(make_project(tmp_path))
    assert info.class_counts == {"a": 3, "b": 2} and not info.skipped
    pixels, _ = ImageLoader(SIZE, "rgb").transform([str(odd)], None)
    seen = read_rgb(odd).astype(np.float32)  # Pillow, as the zoo and a viewer show it
    assert pixels.shape == (1, *SIZE, 3)
    assert np.abs(pixels[0] - seen).max() <= tolerance, np.abs(pixels[0] - seen).max()


# -- a bad file among good ones is skipped and listed -----------------------------------------

def _truncated_jpeg(path):
    noise = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    Image.fromarray(noise).save(path.with_suffix(".full"), format="JPEG", quality=95)
    data = path.with_suffix(".full").read_bytes()
    path.with_suffix(".full").unlink()
    path.write_bytes(data[: len(data) // 2])


BAD_FILES = {
    "zero bytes": ("zero.png", lambda p: p.write_bytes(b""), "the file is empty (0 bytes)"),
    "a JPEG cut in half": ("half.jpg", _truncated_jpeg, "cannot be read as an image"),
    "random bytes named .jpg": ("noise.jpg", lambda p: p.write_bytes(bytes(range(256)) * 4),
                                "cannot be read as an image"),
    "a text file named .png": ("note.png", lambda p: p.write_text("hello"),
                               "cannot be read as an image"),
    "a bomb header (10**10 pixels)": ("bomb.png", lambda p: png_header(p, 100_000, 100_000),
                                      "decompression bombs"),
    "a bomb header just over the limit": ("big.png", lambda p: png_header(p, 11_000, 11_000),
                                          "decompression bombs"),
    "a TIFF image": ("scan.tif", lambda p: Image.new("RGB", (8, 8)).save(p),
                     "TensorFlow's decoder cannot read"),
    "a WebP image": ("web.webp", lambda p: Image.new("RGB", (8, 8)).save(p),
                     "convert it to PNG"),
    "a PDF": ("page.pdf", lambda p: p.write_bytes(b"%PDF-1.4\n"), "not an image file type"),
}


@pytest.mark.reliability("Image data", "a zero-byte, truncated, corrupt, non-image, TIFF/WebP or decompression-bomb file among good images (skipped and listed with its reason)")
@pytest.mark.parametrize("name, make, reason", BAD_FILES.values(), ids=list(BAD_FILES))
def test_a_bad_file_is_skipped_with_its_reason(tmp_path, name, make, reason):
    root = class_folders(tmp_path / "imgs")
    make(root / "a" / name)
    project = make_project(tmp_path)
    info = describe_source(project)
    assert info.class_counts == {"a": 2, "b": 2}
    skipped = {p.rsplit("/", 1)[-1]: why for p, why in info.skipped}
    assert list(skipped) == [name] and reason in skipped[name], skipped
    assert any("1 files in imgs were skipped" in w for w in info.warnings)
    data = prepare_data(project)  # the pipeline never sees the file
    assert name not in " ".join(data.pipelines.parts["train"][0])
    assert sum(len(y) for _, y in data.train) == 4


# -- folders --------------------------------------------------------------------------------

def _only_bad(root):
    class_folders(root)
    for good in (root / "b").iterdir():
        good.unlink()
    (root / "b" / "x.png").write_bytes(b"")


FOLDERS = {
    "a class holding only bad files": (_only_bad, ["class folder `b`", "no readable images",
                                                   "remove the folder"]),
    "a single class": (lambda r: (r / "a").mkdir(parents=True) or Image.fromarray(
        gradient(1)).save(r / "a" / "x.png"), ["1 class sub-folder", "at least two"]),
    "no class folders, images loose": (lambda r: r.mkdir() or Image.fromarray(
        gradient(1)).save(r / "x.png"), ["0 class sub-folder", "1 files lie loose", "imgs/cats/"]),
    "a file given as the folder": (lambda r: Image.fromarray(gradient(1)).save(
        r.with_suffix(".png")) or r.with_suffix(".png").rename(r), ["is not a folder"]),
    "a folder that does not exist": (lambda r: None, ["Data file not found", "imgs"]),
}


@pytest.mark.reliability("Image data", "a folder with one class, no class folders, a class of bad files only, a file or nothing in its place")
@pytest.mark.parametrize("make, words", FOLDERS.values(), ids=list(FOLDERS))
def test_a_folder_that_cannot_make_a_classifier_is_refused(tmp_path, make, words):
    make(tmp_path / "imgs")
    with pytest.raises(DataError) as info:
        describe_source(make_project(tmp_path))
    for word in words:
        assert word in str(info.value), str(info.value)


@pytest.mark.reliability("Image data", "hidden files and folders, nested sub-folders, loose files and unicode names (works: nested images join their class, the rest is listed or ignored)")
def test_hidden_nested_loose_and_unicode_entries(tmp_path):
    root = class_folders(tmp_path / "imgs")
    (root / "a" / "2024" / "summer").mkdir(parents=True)
    Image.fromarray(gradient(3)).save(root / "a" / "2024" / "summer" / "deep.png")
    (root / "写真 ünï").mkdir()
    Image.fromarray(gradient(4)).save(root / "写真 ünï" / "çà été 📷.png")
    Image.fromarray(gradient(6)).save(root / "写真 ünï" / "two.jpg")
    (root / ".git").mkdir()
    Image.fromarray(gradient(5)).save(root / ".git" / "x.png")
    Image.fromarray(gradient(5)).save(root / "a" / ".thumb.png")
    (root / "a" / ".DS_Store").write_bytes(b"\x00\x01")
    Image.fromarray(gradient(7)).save(root / "loose.png")
    project = make_project(tmp_path)
    info = describe_source(project)
    assert info.class_names == ["a", "b", "写真 ünï"]
    assert info.class_counts == {"a": 3, "b": 2, "写真 ünï": 2}
    assert [(p.rsplit("/", 1)[-1], why) for p, why in info.skipped] == [
        ("loose.png", "not inside a class sub-folder")]
    data = prepare_data(project)
    images = np.concatenate([x for x, _ in data.train])
    assert images.shape == (7, *SIZE, 3) and np.isfinite(images).all()


# -- the zoo's reader: a bomb header is refused before anything is decoded --------------------

@pytest.mark.reliability("Image data", "a decompression-bomb PNG header (10**10 and 1.35x Pillow's limit of pixels) given to the zoo")
@pytest.mark.parametrize("side", [100_000, 11_000])
def test_a_bomb_header_is_refused_by_the_zoo_reader(tmp_path, side):
    png_header(tmp_path / "bomb.png", side, side)
    with pytest.raises(ImageReadError, match="bomb.png: it has more than .* decompression bombs"):
        read_rgb(tmp_path / "bomb.png")
