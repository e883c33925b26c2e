"""A tab page whose content is built the first time it is shown.

The Data and Runs tabs import numpy, the data layer and Matplotlib; building
them at start-up would put that import time before the first paint.
"""

import importlib

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui import plot_theme
from ui.accessibility import name_custom_widgets


class LazyTab(QWidget):
    """Builds ``module.class_name(editor, self)`` on first show; ``content`` is it (or None).

    Signals:
        built(object): the content was just built (connect its signals then).
    """

    built = Signal(object)

    def __init__(self, module, class_name, editor, parent=None):
        super().__init__(parent)
        self._factory = (module, class_name)
        self.editor = editor
        self.content = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def ensure_built(self):
        """Build the content now (the first show does this); returns it."""
        if self.content is None:
            module, class_name = self._factory
            cls = getattr(importlib.import_module(module), class_name)
            self.content = cls(self.editor, self)
            self._layout.addWidget(self.content)
            plot_theme.style_canvases(self.content)  # its plots in the current light/dark theme
            name_custom_widgets(self.content)
            self.built.emit(self.content)
        return self.content

    def showEvent(self, event):
        self.ensure_built()
        super().showEvent(event)
