"""Help > About: the application's version and those of everything it runs on.

Versions come from the installed packages' metadata, so opening the dialog never
imports TensorFlow (seconds) just to print a number; a library that is already
loaded reports its own ``__version__``, and TensorFlow says whether it has loaded.
"""

import platform
import sys
from importlib import metadata

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout

from core import app_version
from ui.icons import app_icon

# (shown name, distribution name, module name)
LIBRARIES = (("TensorFlow", "tensorflow", "tensorflow"), ("Keras", "keras", "keras"),
             ("NumPy", "numpy", "numpy"), ("Matplotlib", "matplotlib", "matplotlib"),
             ("scikit-learn", "scikit-learn", "sklearn"), ("h5py", "h5py", "h5py"),
             ("TensorFlow Hub", "tensorflow-hub", "tensorflow_hub"),
             ("Pillow", "pillow", "PIL"), ("platformdirs", "platformdirs", "platformdirs"))


def package_version(distribution, module=None):
    """The version of a library: its loaded module's, else its metadata's, else "not installed"."""
    loaded = sys.modules.get(module or distribution)
    version = getattr(loaded, "__version__", None)
    if version:
        return str(version)
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def version_rows():
    """``[(name, version), ...]``: the app, Python, Qt, PySide6, then the libraries."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    rows = [("Keras Workbench", app_version()),
            ("Python", f"{platform.python_version()} ({platform.platform(terse=True)})"),
            ("Qt", f"{qVersion()} ({QGuiApplication.platformName()} platform)"),
            ("PySide6", pyside_version)]
    for name, distribution, module in LIBRARIES:
        version = package_version(distribution, module)
        if module == "tensorflow" and module not in sys.modules:
            version += " (still loading)"
        rows.append((name, version))
    return rows


def about_text():
    """The versions as plain text, one ``name: version`` a line (for bug reports)."""
    return "\n".join(f"{name}: {version}" for name, version in version_rows())


class AboutDialog(QDialog):
    """The app's icon, purpose and every version, with a button that copies them."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle("About Keras Workbench")
        icon = QLabel(self)
        icon.setPixmap(app_icon().pixmap(64, 64))
        icon.setAccessibleName("Keras Workbench icon")
        rows = "".join(f"<tr><td>{name}</td><td>&nbsp;&nbsp;{version}</td></tr>"
                       for name, version in version_rows())
        text = QLabel("<h3>Keras Workbench</h3><p>Build, train and use Keras neural networks: "
                      "real Keras 3 on TensorFlow, in a window and from the command line.</p>"
                      f"<table>{rows}</table><p>Licence: Apache-2.0.</p>", self)
        text.setObjectName("about_versions")
        text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        copy = QPushButton("&Copy versions", self)
        copy.setToolTip("Copy the versions to the clipboard, for a bug report")
        buttons.addButton(copy, QDialogButtonBox.ActionRole)
        copy.clicked.connect(self._on_copy_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(icon, 0, Qt.AlignHCenter)
        layout.addWidget(text)
        layout.addWidget(buttons)

    def _on_copy_clicked(self):
        QGuiApplication.clipboard().setText(about_text())
