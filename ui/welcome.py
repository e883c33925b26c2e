"""The welcome page: shown on a first start (no recent projects), and from Help > Welcome page.

It is a non-modal dialog opened by ui.app.run_app after the window shows, never by
the window itself: tests and ``--screenshot`` runs build windows without it.
"""

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout)

from ui import file_actions

AT_START = "welcome/at_start"


def show_at_start(settings):
    """A first start: no recent project yet, and the user has not turned the page off."""
    wanted = str(settings.value(AT_START, "true")).lower() != "false"
    return wanted and not file_actions.recent_files(settings)


class WelcomeDialog(QDialog):
    """The examples to open (double-click or Enter), the zoo, the guide, and a start-up switch."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.setObjectName("welcome_dialog")
        self.setWindowTitle("Welcome to Keras Workbench")
        intro = QLabel("<h2>Welcome to Keras Workbench</h2>"
                       "<p>Start from an example project: each opens with its data, a model "
                       "and training settings that work, ready to train on the Train tab. Or "
                       "classify your own images with a pretrained network from the zoo.</p>",
                       self)
        intro.setWordWrap(True)
        self.examples = QListWidget(self)
        self.examples.setObjectName("welcome_examples")
        self.examples.setAccessibleName("Example projects")
        self.examples.setWordWrap(True)
        self.examples.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.examples.setSpacing(2)
        for name, summary in _example_rows():
            item = QListWidgetItem(f"{name}\n{summary}", self.examples)
            item.setData(Qt.UserRole, name)
            item.setToolTip(summary)
        self.examples.setCurrentRow(0)
        self.examples.itemActivated.connect(self._on_examples_item_activated)
        label = QLabel("&Examples:", self)
        label.setBuddy(self.examples)
        open_button = QPushButton("&Open example", self, objectName="welcome_open")
        open_button.setDefault(True)
        open_button.clicked.connect(self.open_selected)
        zoo = QPushButton("Try the model &zoo", self, objectName="welcome_zoo")
        zoo.setToolTip("Pretrained Keras applications: drop images, get labels")
        zoo.clicked.connect(self.show_zoo)
        guide = QPushButton("User &guide", self, objectName="welcome_guide")
        guide.clicked.connect(window.open_user_guide)
        self.at_start = QCheckBox("&Show this page at start-up until a project is saved", self)
        self.at_start.setChecked(str(window.settings.value(AT_START, "true")).lower() != "false")
        self.at_start.toggled.connect(self._on_at_start_toggled)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        for button in (open_button, zoo, guide):
            buttons.addButton(button, QDialogButtonBox.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(label)
        layout.addWidget(self.examples, 1)
        layout.addWidget(self.at_start)
        layout.addWidget(buttons)
        self.resize(640, 480)

    @Slot()
    def open_selected(self):
        item = self.examples.currentItem()
        if item is not None:
            self.window.open_example(item.data(Qt.UserRole))
            self.accept()

    @Slot()
    def show_zoo(self):
        from ui.main_window import tab_index

        self.window.tabs.setCurrentIndex(tab_index("zoo"))
        self.accept()

    @Slot(QListWidgetItem)
    def _on_examples_item_activated(self, item):
        self.open_selected()

    @Slot(bool)
    def _on_at_start_toggled(self, on):
        self.window.settings.setValue(AT_START, "true" if on else "false")


def _example_rows():
    from core.examples import describe_examples

    return describe_examples()
