"""Dropped files for the Zoo tab and the window: which are images, which are documents.

The window imports this module at start-up, so it imports nothing heavy (no
numpy, no TensorFlow): image files and folders go to the Zoo tab, project and
Keras model files (.kwb.json, .keras, .h5) are documents the window opens.
"""

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame

DOCUMENT_SUFFIXES = (".kwb.json", ".keras", ".h5", ".hdf5")
MODEL_SUFFIXES = (".keras", ".h5", ".hdf5")


def local_paths(mime):
    """The local files and folders in a drag's mime data (empty when there are none)."""
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def is_document(path):
    """True for a project or Keras model file, which the window opens rather than classifies."""
    return Path(path).name.lower().endswith(DOCUMENT_SUFFIXES)


def split_drop(paths):
    """``(images, documents)``: everything that is not a document is for the zoo (folders
    are walked there, and a file that is no image gets its own error)."""
    documents = [p for p in paths if not Path(p).is_dir() and is_document(p)]
    images = [p for p in paths if p not in documents]
    return images, documents


class DropArea(QFrame):
    """A frame that takes dropped files and folders (``zoo_drop_area``).

    Signals:
        paths_dropped(list): the dropped paths (pathlib.Path), in the order given.
    """

    paths_dropped = Signal(list)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("zoo_drop_area")
        self.setAccessibleName("zoo_drop_area")
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.StyledPanel)
        self._set_hover(False)

    def _set_hover(self, on):
        # Only this frame's border: a plain selector would restyle every child widget.
        border = "2px dashed palette(highlight)" if on else "1px solid palette(mid)"
        self.setStyleSheet(f"#zoo_drop_area {{ border: {border}; border-radius: 6px; }}")

    def dragEnterEvent(self, event):
        if local_paths(event.mimeData()):
            event.acceptProposedAction()
            self._set_hover(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event):
        if local_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event):
        self._set_hover(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event):
        self._set_hover(False)
        paths = local_paths(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.setDropAction(Qt.CopyAction)
        event.accept()
        self.paths_dropped.emit(paths)
