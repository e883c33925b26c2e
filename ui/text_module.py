"""Which ELMo module the Text tab uses, and the ways to give it one when there is none.

ELMo is found in the TF-Hub cache under its handle (core.text.hub_cache), with
no network. When it is not there, the panel shows core's message (what to
download and where to put it) and three ways to give it: a download into the
cache (tensorflow_hub's, about 350 MB, run by the tab in the background), a folder
the user picks (allowed for this session only: core.text.hub_cache.allow_folder,
through resolve_module), or a downloaded .tar.gz that the tab unpacks into the
cache in the background.
"""

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout,
                               QWidget)

from core.errors import WorkbenchError
from core.text import hub_cache

ARCHIVE_FILTER = "TF-Hub module archives (*.tar.gz *.tgz *.tar);;All files (*)"


class ModulePanel(QWidget):
    """The ELMo module's place on disk, or what to do without one.

    Signals:
        module_changed(): :attr:`handle` or :attr:`available` changed.
        install_requested(str): unpack this archive into the cache (the tab runs it).
        download_requested(): download ELMo into the cache (the tab runs it).
        problem_found(str): a picked folder is not a module (the message to show).

    Attributes:
        handle: what to load: ELMo's TF-Hub handle, or a folder picked in this session.
        available: whether that module is on disk.
    """

    module_changed = Signal()
    install_requested = Signal(str)
    download_requested = Signal()
    problem_found = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.handle = hub_cache.ELMO_HANDLE
        self.available = False
        self.status = QLabel(self)
        self.status.setObjectName("text_module_status")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.PlainText)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.choose = QPushButton("Choose module folder…", self)
        self.choose.setObjectName("text_choose_module")
        self.choose.setToolTip("Use an unpacked ELMo module (the folder that holds "
                               "saved_model.pb) for this session.")
        self.choose.clicked.connect(self.choose_folder)
        self.install = QPushButton("Install .tar.gz…", self)
        self.install.setObjectName("text_install_module")
        self.install.setToolTip("Unpack a downloaded ELMo archive into the TF-Hub cache, "
                                "where it is found from now on.")
        self.install.clicked.connect(self._on_install_clicked)
        self.download = QPushButton("Download (350 MB)", self)
        self.download.setObjectName("text_download_module")
        self.download.setToolTip(f"Download ELMo from {hub_cache.ELMO_HANDLE} into the TF-Hub "
                                 "cache (needs a network; once).")
        self.download.clicked.connect(self._on_download_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.download)
        buttons.addWidget(self.choose)
        buttons.addWidget(self.install)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self):
        """Look for the module again (the cache may have been filled meanwhile)."""
        folder = None
        if hub_cache.is_url(self.handle):
            folder = hub_cache.cached_module_dir(self.handle)
        elif hub_cache.is_module_dir(self.handle):
            folder = self.handle
        was = (self.available, self.handle)
        self.available = folder is not None
        self.download.setVisible(not self.available and hub_cache.is_url(self.handle))
        if folder is None:
            self.status.setText(hub_cache.missing_message(self.handle, why="cache"))
            self.status.setStyleSheet("color: #8a5a00;")
        else:
            where = ("the TF-Hub cache" if hub_cache.is_url(self.handle)
                     else "the folder you picked")
            self.status.setText(f"ELMo from {where}: {folder}")
            self.status.setStyleSheet("")
        self._fit_status()
        if (self.available, self.handle) != was:
            self.module_changed.emit()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._fit_status()

    def _fit_status(self):
        # A word-wrapped label in a splitter's column is not given the height its lines
        # need; the download instructions must show in full, so ask for it.
        # (QLabel.heightForWidth answers at least the minimum set last: measure the text.)
        width = max(self.contentsRect().width(), 200)  # the label spans the panel
        lines = self.status.fontMetrics().boundingRect(0, 0, width, 100_000, Qt.TextWordWrap,
                                                        self.status.text())
        self.status.setMinimumHeight(lines.height() + 4)

    def use_folder(self, folder):
        """Use the module in ``folder`` (the user picked it); False with a message if it is none."""
        try:
            path = hub_cache.resolve_module(str(folder), download=False)
        except WorkbenchError as exc:
            self.problem_found.emit(str(exc))
            return False
        self.handle = str(path)
        self.refresh()
        return True

    def use_cache(self):
        """Back to ELMo's handle in the TF-Hub cache (after an install)."""
        self.handle = hub_cache.ELMO_HANDLE
        self.refresh()

    @Slot()
    def choose_folder(self):
        folder = QFileDialog.getExistingDirectory(self, "Choose the ELMo module folder")
        if folder:
            self.use_folder(folder)

    @Slot()
    def _on_download_clicked(self):
        self.download_requested.emit()

    @Slot()
    def _on_install_clicked(self):
        path, _ = QFileDialog.getOpenFileName(self, "Install an ELMo archive", "",
                                              ARCHIVE_FILTER)
        if path:
            self.install_requested.emit(path)
