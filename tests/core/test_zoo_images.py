"""Robust image reading: every kind of image becomes 8-bit RGB, every bad file its own error."""

import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from core.zoo.images import ImageReadError, collect_images, read_rgb, resize_rgb


def _halves(width=40, height=20):
    """Left half red, right half blue."""
    rgb = np.zeros((height, width, 3), np.uint8)
    rgb[:, : width // 2] = (255, 0, 0)
    rgb[:, width // 2:] = (0, 0, 255)
    return rgb


def test_exif_orientation_is_applied(tmp_path):
    path = tmp_path / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    Image.fromarray(_halves()).save(path, exif=exif, quality=95)
    rgb = read_rgb(path)
    assert rgb.shape == (40, 20, 3)  # turned upright: taller than wide
    top, bottom = rgb[:15].mean(axis=(0, 1)), rgb[-15:].mean(axis=(0, 1))
    assert top[0] > 200 and top[2] < 60  # the left (red) half is now on top
    assert bottom[2] > 200 and bottom[0] < 60


@pytest.mark.reliability("Image data", "grayscale, CMYK, 16-bit, palette and alpha images given to the zoo (shown as a viewer does)")
def test_grayscale_and_cmyk_become_rgb(tmp_path):
    Image.fromarray(np.full((8, 9), 77, np.uint8), "L").save(tmp_path / "gray.png")
    assert read_rgb(tmp_path / "gray.png").tolist() == np.full((8, 9, 3), 77).tolist()
    Image.fromarray(_halves()).convert("CMYK").save(tmp_path / "cmyk.jpg", quality=95)
    rgb = read_rgb(tmp_path / "cmyk.jpg")
    assert rgb.shape == (20, 40, 3) and rgb.dtype == np.uint8
    assert rgb[:, :10, 0].mean() > 200 and rgb[:, -10:, 2].mean() > 200


@pytest.mark.reliability("Image data", "grayscale, CMYK, 16-bit, palette and alpha images given to the zoo (shown as a viewer does)")
def test_16_bit_grayscale_is_scaled_to_8_bits(tmp_path):
    ramp = (np.arange(256 * 4, dtype=np.uint32).reshape(4, 256) * 64).astype(np.uint16)
    Image.fromarray(ramp).save(tmp_path / "deep.png")
    assert Image.open(tmp_path / "deep.png").mode == "I;16"
    rgb = read_rgb(tmp_path / "deep.png")
    assert rgb.shape == (4, 256, 3)
    assert rgb[0, 0].tolist() == [0, 0, 0] and rgb[-1, -1, 0] == round(ramp[-1, -1] / 257)
    assert np.all(np.diff(rgb[0, :, 0].astype(int)) >= 0)  # still a ramp, not wrapped


def _png_16bit_rgb(path, rgb16):
    """A 48-bit RGB PNG, written by hand (Pillow cannot write one)."""
    height, width, _ = rgb16.shape
    raw = b"".join(b"\x00" + rgb16[y].astype(">u2").tobytes() for y in range(height))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.mark.reliability("Image data", "grayscale, CMYK, 16-bit, palette and alpha images given to the zoo (shown as a viewer does)")
def test_16_bit_rgb_png(tmp_path):
    rgb16 = np.zeros((6, 5, 3), np.uint16)
    rgb16[..., 0], rgb16[..., 2] = 65535, 32896
    _png_16bit_rgb(tmp_path / "deep_rgb.png", rgb16)
    rgb = read_rgb(tmp_path / "deep_rgb.png")
    assert rgb.shape == (6, 5, 3)
    assert rgb[0, 0].tolist() == [255, 0, 128]


@pytest.mark.reliability("Image data", "grayscale, CMYK, 16-bit, palette and alpha images given to the zoo (shown as a viewer does)")
def test_palette_and_alpha_are_laid_over_white(tmp_path):
    palette = Image.new("P", (4, 4))
    palette.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    palette.putpixel((0, 0), 1)
    palette.save(tmp_path / "palette.png", transparency=0)  # index 0 (red) is transparent
    rgb = read_rgb(tmp_path / "palette.png")
    assert rgb[0, 0].tolist() == [0, 255, 0] and rgb[1, 1].tolist() == [255, 255, 255]

    Image.new("P", (3, 3), 1).save(tmp_path / "opaque.gif")  # a palette without transparency
    assert read_rgb(tmp_path / "opaque.gif").shape == (3, 3, 3)

    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[0, 0] = (0, 0, 0, 255)
    rgba[0, 1] = (0, 0, 0, 0)
    rgba[1, :] = (0, 0, 0, 128)
    Image.fromarray(rgba, "RGBA").save(tmp_path / "alpha.png")
    rgb = read_rgb(tmp_path / "alpha.png")
    assert rgb[0, 0].tolist() == [0, 0, 0] and rgb[0, 1].tolist() == [255, 255, 255]
    assert 120 <= rgb[1, 0, 0] <= 135


@pytest.mark.parametrize("kind, reason", [
    ("empty", "the file is empty"),
    ("text", "it is not an image Pillow can read"),
    ("truncated", "the image data is damaged"),
    ("missing", "no such file"),
    ("folder", "it is a folder"),
])
@pytest.mark.reliability("Image data", "an empty, text, truncated or missing file, or a folder, given to the zoo as an image")
def test_bad_files_raise_an_error_naming_the_file(tmp_path, kind, reason):
    path = tmp_path / "photo.jpg"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("not a picture at all\n")
    elif kind == "truncated":
        noise = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
        Image.fromarray(noise).save(tmp_path / "full.jpg", quality=95)
        data = (tmp_path / "full.jpg").read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "folder":
        path.mkdir()
    with pytest.raises(ImageReadError, match=f"Cannot read photo.jpg: {reason}") as error:
        read_rgb(path)
    assert error.value.path == str(path)


@pytest.mark.reliability("Image data", "an image over Pillow's pixel limit given to the zoo (1x and 2x)")
@pytest.mark.parametrize("side", [120, 200])  # Pillow warns from 1x the limit, raises from 2x
def test_decompression_bombs_are_refused(tmp_path, monkeypatch, side):
    Image.new("L", (side, side)).save(tmp_path / "bomb.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100 * 100)
    with pytest.raises(ImageReadError, match="more than 10,000 pixels .*decompression bombs"):
        read_rgb(tmp_path / "bomb.png")


@pytest.mark.reliability("Image data", "hidden files, nested folders and non-images in a folder dropped on the zoo (walked for images only)")
def test_folders_are_walked_for_images_only(tmp_path):
    (tmp_path / "a" / "deeper").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    for name in ("a/one.JPG", "a/deeper/two.png", "a/notes.txt", "a/.secret.png", ".hidden/x.png",
                 "b.webp"):
        (tmp_path / name).write_bytes(b"x")
    found = collect_images([tmp_path, tmp_path / "named.txt"])
    # A folder's own files first, then its sub-folders, each sorted (os.walk, top down).
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "b.webp", "a/one.JPG", "a/deeper/two.png", "named.txt"]


def test_resize_keeps_uint8_values_as_float32():
    rgb = _halves()
    out = resize_rgb(rgb, (10, 20))
    assert out.shape == (10, 20, 3) and out.dtype == np.float32
    assert out[:, :8, 0].min() == 255.0 and resize_rgb(rgb, (20, 40)).max() == 255.0
