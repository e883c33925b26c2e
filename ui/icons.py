"""The application icon, and the identity the desktop shows for the running window."""

import sys

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from core.resources import resource_path

ICON_NAME = "keras-workbench"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
# Windows groups taskbar buttons and picks their icon by this ID; without one, the
# window is filed under python.exe and shows Python's icon.
WINDOWS_APP_ID = "KerasWorkbench.KerasWorkbench.App"


def app_icon():
    """The icon at every rendered size (sharp at each), with the SVG for any other size."""
    icon = QIcon()
    for size in PNG_SIZES:
        path = resource_path("icons", "png", f"{ICON_NAME}-{size}.png")
        if path.is_file():
            icon.addFile(str(path), QSize(size, size))
    svg = resource_path("icons", f"{ICON_NAME}.svg")
    if svg.is_file():
        icon.addFile(str(svg))
    return icon


def set_app_identity(app):
    """Give windows and the taskbar the app's icon (call before the first window shows)."""
    if sys.platform == "win32":
        try:
            import ctypes

            ctypes.windll.shell32.SetCurrentProcessExplicitAppUserModelID(WINDOWS_APP_ID)
        except (AttributeError, OSError):
            pass  # an old Windows without the call: the icon is still set below
    app.setWindowIcon(app_icon())
