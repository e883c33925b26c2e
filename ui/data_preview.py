"""The Data tab's views of the data: first rows, images per class, class counts, and the loader.

The source is read by :class:`PreviewWorker`, a QThread: a CSV may be large and
an image folder is verified file by file, so the window never waits for it.
The worker also decodes and shrinks the thumbnails (QImage is safe off the GUI
thread; QPixmap is not, so pixmaps are made on arrival).
"""

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QRectF, QSize, Qt, QThread, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QScrollArea, QSizePolicy, QWidget

from core.data_preview import DataPreview, preview_source

THUMB = 72
MAX_CLASSES_SHOWN = 30
_LIVE_WORKERS = set()  # running workers, kept alive until they end even if their tab is gone


class PreviewWorker(QThread):
    """Reads a copy of the project's data source off the GUI thread.

    Signals:
        loaded(object): ``(generation, DataPreview, {class: [QImage]})``.
    """

    loaded = Signal(object)

    def __init__(self, project, generation):
        super().__init__()
        self.project = project.copy()  # the GUI may edit the original meanwhile
        self.generation = generation

    def run(self):
        try:
            preview = preview_source(self.project)
            thumbs = {name: [thumbnail(item) for item in items]
                      for name, items in list(preview.images.items())[:MAX_CLASSES_SHOWN]}
        except Exception as exc:  # whatever breaks, the tab shows it; the window lives on
            preview = DataPreview(error=f"Cannot read the data: {type(exc).__name__}: {exc}")
            thumbs = {}
        self.loaded.emit((self.generation, preview, thumbs))

    def start(self):
        # Forget the ended ones here, on the GUI thread: dropping the last reference to a
        # QThread from inside it, as it ends, would destroy it while it still runs.
        _LIVE_WORKERS.difference_update([w for w in _LIVE_WORKERS if w.isFinished()])
        _LIVE_WORKERS.add(self)
        super().start()


def wait_for_workers(timeout_ms=30_000):
    """Wait for every running preview worker (at exit: a running QThread must not be destroyed)."""
    for worker in list(_LIVE_WORKERS):
        worker.wait(timeout_ms)


def thumbnail(item):
    """A QImage of at most THUMB x THUMB from an image file path or a uint8 array."""
    if isinstance(item, str):
        image = QImage(item)
    else:
        array = np.ascontiguousarray(item)
        height, width = array.shape[:2]
        fmt = QImage.Format_Grayscale8 if array.ndim == 2 else QImage.Format_RGB888
        image = QImage(array.data, width, height, array.strides[0], fmt).copy()
    if image.isNull():
        return image
    # Tiny images (8x8 digits) are scaled up without smoothing, so pixels stay sharp.
    mode = Qt.SmoothTransformation if image.width() >= THUMB else Qt.FastTransformation
    return image.scaled(THUMB, THUMB, Qt.KeepAspectRatio, mode)


class RowsModel(QAbstractTableModel):
    """A read-only table of strings (the first rows of the data)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.columns, self.rows = [], []

    def set_rows(self, columns, rows):
        self.beginResetModel()
        self.columns, self.rows = list(columns), list(rows)
        self.endResetModel()

    def rowCount(self, parent=None):
        return 0 if parent is not None and parent.isValid() else len(self.rows)

    def columnCount(self, parent=None):
        return 0 if parent is not None and parent.isValid() else len(self.columns)

    def data(self, index, role=Qt.DisplayRole):
        if role in (Qt.DisplayRole, Qt.ToolTipRole) and index.isValid():
            return self.rows[index.row()][index.column()]
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role != Qt.DisplayRole:
            return None
        if orientation == Qt.Horizontal:
            return self.columns[section] if section < len(self.columns) else None
        return str(section + 1)


class ImageGrid(QScrollArea):
    """A row of thumbnails per class, the class name and count on the left."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("data_image_grid")
        self.setWidgetResizable(True)
        self.thumb_count = 0
        self.set_images({}, {})

    def set_images(self, thumbs, counts):
        page = QWidget(self)
        grid = QGridLayout(page)
        grid.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.thumb_count = 0
        for row, (name, images) in enumerate(thumbs.items()):
            count = (counts or {}).get(name)
            label = QLabel(f"<b>{name}</b>" + (f"<br>{count} images" if count else ""), page)
            grid.addWidget(label, row, 0)
            for column, image in enumerate(images, start=1):
                cell = QLabel(page)
                cell.setFixedSize(THUMB + 4, THUMB + 4)
                cell.setAlignment(Qt.AlignCenter)
                cell.setPixmap(QPixmap.fromImage(image))
                cell.setStyleSheet("border: 1px solid palette(mid);")
                grid.addWidget(cell, row, column)
                self.thumb_count += 1
        self.setWidget(page)


class ClassCountsView(QWidget):
    """A horizontal bar per class: its name, a bar as long as its share, its count."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("data_class_counts")
        self.setAccessibleName("data_class_counts")
        self.counts = {}
        self.note = ""
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Minimum)

    def set_counts(self, counts, note=""):
        """Show ``counts`` (class -> samples); with none, show ``note`` instead."""
        self.counts = dict(counts or {})
        self.note = note
        self.updateGeometry()
        self.update()

    def _shown(self):
        return list(self.counts.items())[:MAX_CLASSES_SHOWN]

    def sizeHint(self):
        rows = max(len(self._shown()), 1)
        return QSize(260, rows * self._row_height() + 8)

    def minimumSizeHint(self):
        return self.sizeHint()

    def _row_height(self):
        return self.fontMetrics().height() + 6

    def paintEvent(self, event):
        painter = QPainter(self)
        metrics = self.fontMetrics()
        if not self.counts:
            painter.drawText(self.rect().adjusted(4, 4, -4, -4), Qt.AlignLeft | Qt.TextWordWrap,
                             self.note or "No classes: the target is not a class label.")
            return
        shown = self._shown()
        top = max(c for _, c in shown) or 1
        total = sum(self.counts.values()) or 1
        name_w = min(max(metrics.horizontalAdvance(str(n)) for n, _ in shown) + 16,
                     self.width() // 3)
        count_w = metrics.horizontalAdvance(f"{top:,} (100%)") + 12
        bar_w = max(self.width() - name_w - count_w - 8, 10)
        h = self._row_height()
        bar_color = self.palette().highlight().color()
        for i, (name, count) in enumerate(shown):
            y = 4 + i * h
            painter.drawText(QRectF(4, y, name_w - 8, h), Qt.AlignVCenter | Qt.AlignLeft,
                             metrics.elidedText(str(name), Qt.ElideRight, name_w - 8))
            painter.fillRect(QRectF(name_w, y + 2, bar_w * count / top, h - 4), bar_color)
            painter.setPen(self.palette().text().color())
            painter.drawText(QRectF(name_w + 4 + bar_w * count / top, y, count_w, h),
                             Qt.AlignVCenter | Qt.AlignLeft, f"{count:,} ({count / total:.0%})")
        if len(self.counts) > len(shown):
            painter.setPen(QColor("gray"))
            painter.drawText(4, self.height() - 2, f"… {len(self.counts) - len(shown)} more")

