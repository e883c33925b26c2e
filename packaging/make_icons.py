"""Render the application icon from its SVG source into every size a desktop asks for.

Run: python packaging/make_icons.py

Writes, beside resources/icons/keras-workbench.svg:
- png/keras-workbench-N.png for N in SIZES (the window icon, the Linux hicolor theme),
- keras-workbench.ico (Windows: the bundle's .exe and the taskbar),
- keras-workbench.icns (macOS: the .app bundle).

Qt's SVG renderer draws each size (offscreen, no screen needed); Pillow packs ICO and ICNS.
The outputs are committed, so building the app never needs this script; run it again after
editing the SVG.
"""

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
SOURCE = ICONS / "keras-workbench.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # 256 is the largest an ICO entry holds
ICNS_SIZE = 1024  # Pillow derives the smaller ICNS entries from it


def render(renderer, size):
    """The SVG drawn into a size x size Pillow image (RGBA, transparent outside the tile)."""
    from PIL import Image
    from PySide6.QtCore import QBuffer, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter

    image = QImage(size, size, QImage.Format_ARGB32)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)
    renderer.render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGBA")


def main():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (QImage needs it)
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"error: {SOURCE} is not a valid SVG file.")
    (ICONS / "png").mkdir(parents=True, exist_ok=True)
    images = {size: render(renderer, size) for size in SIZES + (ICNS_SIZE,)}
    for size in SIZES:
        images[size].save(ICONS / "png" / f"keras-workbench-{size}.png", optimize=True)
    # Each ICO entry from its own rendering (sharper than one image scaled down).
    largest = images[max(ICO_SIZES)]
    largest.save(ICONS / "keras-workbench.ico", format="ICO",
                 sizes=[(s, s) for s in ICO_SIZES],
                 append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)])
    images[ICNS_SIZE].save(ICONS / "keras-workbench.icns", format="ICNS",
                           append_images=[images[s] for s in (16, 32, 64, 128, 256, 512)])
    print(f"icons written to {ICONS}")


if __name__ == "__main__":
    main()
