"""The test samples of a clicked confusion-matrix cell: a table of rows, or thumbnails.

It shows a core.training.predictions.CellSamples as it comes: feature values
(tabular data), sentences (text), image files (image folders) or image arrays
(digits). It computes nothing itself.
"""

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (QHeaderView, QListView, QListWidget, QListWidgetItem,
                               QStackedWidget, QTableWidget, QTableWidgetItem)

THUMBNAIL = 72  # pixels, the longer side


class CellSamplesView(QStackedWidget):
    """A table (``eval_cell_samples``) or a thumbnail grid (``eval_cell_images``)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.table = QTableWidget(0, 0, self)
        self.table.setObjectName("eval_cell_samples")
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.images = QListWidget(self)
        self.images.setObjectName("eval_cell_images")
        self.images.setViewMode(QListView.IconMode)
        self.images.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        self.images.setResizeMode(QListView.Adjust)
        self.images.setMovement(QListView.Static)
        self.images.setSpacing(4)
        self.addWidget(self.table)
        self.addWidget(self.images)
        self.hide()

    def clear(self):
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.images.clear()
        self.hide()

    def show_samples(self, cell):
        """Show ``cell`` (CellSamples): thumbnails when it has images, else its rows."""
        self.clear()
        if cell is None or not cell.total:
            return
        if cell.paths or cell.images:
            for index, pixmap, tip in self._thumbnails(cell):
                item = QListWidgetItem(QIcon(pixmap), f"#{index}", self.images)
                item.setToolTip(tip)
            self.setCurrentWidget(self.images)
        else:
            self._fill_table(cell)
            self.setCurrentWidget(self.table)
        self.show()

    def _thumbnails(self, cell):
        for i, index in enumerate(cell.index):
            if cell.paths:
                path = cell.paths[i]
                pixmap, tip = QPixmap(path), path
                if pixmap.isNull():
                    tip = f"{path} (cannot be shown)"
            else:
                pixmap, tip = _array_pixmap(cell.images[i]), f"sample {index}"
            if not pixmap.isNull():  # small images (8x8 digits) grow with hard pixel edges
                pixmap = pixmap.scaled(THUMBNAIL, THUMBNAIL, Qt.KeepAspectRatio,
                                       Qt.FastTransformation if pixmap.width() < THUMBNAIL / 2
                                       else Qt.SmoothTransformation)
            yield index, pixmap, tip

    def _fill_table(self, cell):
        self.table.setColumnCount(len(cell.columns))
        self.table.setHorizontalHeaderLabels(cell.columns)
        self.table.setRowCount(len(cell.rows))
        self.table.setVerticalHeaderLabels([f"#{i}" for i in cell.index])
        for r, row in enumerate(cell.rows):
            for c, value in enumerate(row):
                text = f"{value:.4g}" if isinstance(value, float) else str(value)
                item = QTableWidgetItem(text)
                if isinstance(value, (int, float)):
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if isinstance(value, str) and len(value) > 40:
                    item.setToolTip(value)
                self.table.setItem(r, c, item)


def _array_pixmap(array):
    """A QPixmap of a uint8 (h, w) or (h, w, 3) array."""
    array = np.ascontiguousarray(array)
    height, width = array.shape[:2]
    if array.ndim == 2:
        image = QImage(array.data, width, height, width, QImage.Format_Grayscale8)
    else:
        image = QImage(array.data, width, height, 3 * width, QImage.Format_RGB888)
    return QPixmap.fromImage(image.copy())  # the copy owns its pixels; the array may go
