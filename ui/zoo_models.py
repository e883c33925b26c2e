"""The Zoo tab's model list (``zoo_models``): Keras applications, model files and runs.

Three groups: the classic eight Keras applications, the other ones, and "Your
models" (a .keras/.h5 file picked on disk, and the open project's runs that
classify images). A zoo row shows the catalog's facts (core.zoo.catalog) and
whether its ImageNet weights are in Keras's cache, with their size on disk
(core.zoo.weights.weights_status: a ``stat``, so refreshing is cheap).
"""

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem

from core.zoo.catalog import zoo_models
from core.zoo.weights import weights_status

COLUMNS = ("Model", "Input", "Parameters", "Size", "Top-1", "Weights")
CHOICE_ROLE = Qt.UserRole + 1
PICK_FILE = "A model file…"
MISSING_COLOR = QColor("#8a5a00")


@dataclass(frozen=True)
class ModelChoice:
    """What a row of the list stands for.

    Attributes:
        kind: "zoo", "file", "run" or "pick" (the "a model file…" row).
        spec: the zoo name, the file or the run folder (open_classifier's spec).
        title: what a person calls it.
    """

    kind: str
    spec: str
    title: str


def megabytes(size_bytes):
    return f"{size_bytes / 1e6:,.0f} MB" if size_bytes >= 1e6 else f"{size_bytes / 1e3:,.0f} kB"


def weights_text(status):
    """``cached, 14 MB`` or ``not cached``, for the Weights column."""
    return f"cached, {megabytes(status.size_bytes)}" if status.cached else "not cached"


class ModelList(QTreeWidget):
    """Every model the Zoo tab can classify with.

    Signals:
        choice_changed(object): the ModelChoice of the row just selected.
    """

    choice_changed = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("zoo_models")
        self.setAccessibleName("zoo_models")
        self.setColumnCount(len(COLUMNS))
        self.setHeaderLabels(COLUMNS)
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setAlternatingRowColors(True)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        for column in range(1, len(COLUMNS) - 1):
            self.headerItem().setTextAlignment(column, Qt.AlignRight | Qt.AlignVCenter)
        self._zoo_items = {}
        classic = self._group("Classic Keras applications")
        more = self._group("More Keras applications")
        for entry in zoo_models():
            self._zoo_items[entry.name] = self._zoo_item(classic if entry.classic else more,
                                                         entry)
        self.own = self._group("Your models")
        self._pick_item = self._item(self.own, ModelChoice("pick", "", PICK_FILE), [PICK_FILE])
        self._pick_item.setToolTip(0, "A .keras or .h5 image classifier; its class names come "
                                      "from a labels.txt beside it.")
        classic.setExpanded(True)
        more.setExpanded(True)
        self.own.setExpanded(True)
        self.refresh_weights()
        self.currentItemChanged.connect(self._on_current_item_changed)

    # -- building --------------------------------------------------------------------
    def _group(self, title):
        item = QTreeWidgetItem(self, [title])
        item.setFlags(Qt.ItemIsEnabled)
        font = QFont(self.font())
        font.setBold(True)
        item.setFont(0, font)
        item.setFirstColumnSpanned(True)
        return item

    def _item(self, parent, choice, texts):
        item = QTreeWidgetItem(parent, texts)
        item.setData(0, CHOICE_ROLE, choice)
        for column in range(1, len(COLUMNS) - 1):
            item.setTextAlignment(column, Qt.AlignRight | Qt.AlignVCenter)
        return item

    def _zoo_item(self, parent, entry):
        texts = [entry.name, "{}×{}".format(*entry.input_size),
                 f"{entry.parameters / 1e6:.1f} M",
                 f"{entry.size_mb} MB" if entry.size_mb else "–",
                 f"{entry.top1:.1%}" if entry.top1 else "–", ""]
        item = self._item(parent, ModelChoice("zoo", entry.name, entry.name), texts)
        item.setToolTip(0, f"keras.applications.{entry.constructor}")
        return item

    # -- state -------------------------------------------------------------------------
    def refresh_weights(self):
        """Read each zoo model's weight file status again (after a download or import)."""
        for name, item in self._zoo_items.items():
            status = weights_status(name)
            item.setText(5, weights_text(status))
            item.setForeground(5, self.palette().text() if status.cached else MISSING_COLOR)
            item.setToolTip(5, str(status.path))

    def set_runs(self, runs):
        """List ``runs`` (core.zoo.run_models.ImageRun) under "Your models", replacing the old."""
        current = self.current_choice()
        for item in [self.own.child(i) for i in range(self.own.childCount())]:
            if item.data(0, CHOICE_ROLE).kind == "run":
                self.own.removeChild(item)
        for run in runs:
            shape = "×".join(str(d) for d in run.input_shape[:2])
            item = self._item(self.own, ModelChoice("run", str(run.dir), f"run {run.id}"),
                              [f"run {run.id}", shape, "", "", "", f"{len(run.classes)} classes"])
            item.setToolTip(0, f"{run.dir}\nclasses: {', '.join(run.classes[:10])}")
        if current is not None and current.kind == "run":
            self.select(current)

    def add_file(self, path):
        """List a model file under "Your models" (once) and select it."""
        path = str(Path(path))
        choice = ModelChoice("file", path, Path(path).name)
        if self.find(choice) is None:
            item = self._item(self.own, choice, [choice.title, "", "", "", "", "file"])
            item.setToolTip(0, path)
        self.select(choice)
        return choice

    def find(self, choice):
        for group in range(self.topLevelItemCount()):
            parent = self.topLevelItem(group)
            for i in range(parent.childCount()):
                if parent.child(i).data(0, CHOICE_ROLE) == choice:
                    return parent.child(i)
        return None

    def select(self, choice):
        """Make ``choice`` (a ModelChoice, or a zoo name) the current row; False if absent."""
        if isinstance(choice, str):
            choice = ModelChoice("zoo", choice, choice)
        item = self.find(choice)
        if item is None:
            return False
        self.setCurrentItem(item)
        self.scrollToItem(item)
        return True

    def current_choice(self):
        item = self.currentItem()
        return None if item is None else item.data(0, CHOICE_ROLE)

    @Slot(QTreeWidgetItem, QTreeWidgetItem)
    def _on_current_item_changed(self, current, _previous):
        choice = None if current is None else current.data(0, CHOICE_ROLE)
        if choice is not None:
            self.choice_changed.emit(choice)
