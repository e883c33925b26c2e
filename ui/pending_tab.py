"""A tab whose content is not built yet: it says so plainly instead of faking it."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class PendingTab(QWidget):
    """Says which part of the application this tab will hold and that it is not built yet."""

    def __init__(self, what, parent=None):
        super().__init__(parent)
        label = QLabel(f"Not built yet: {what}.\n\nThe same work is available headless where "
                       "the command line has it (python main.py --help).", self)
        label.setAlignment(Qt.AlignCenter)
        label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
