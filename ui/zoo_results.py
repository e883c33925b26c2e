"""The Zoo tab's results: one row per image, its thumbnail beside its top-5 classes.

:class:`ResultsModel` holds ui.zoo_worker.ZooResult objects (the predictions come
from core; nothing is computed here); :class:`ResultDelegate` paints a row: the
thumbnail, the file name and size, and five labels with a bar per probability,
or the reason the file could not be read.
"""

from pathlib import Path

from PySide6.QtCore import (QAbstractListModel, QModelIndex, QRect, QSize, Qt, QTimer, Signal,
                            Slot)
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyle, QStyledItemDelegate

from ui.zoo_worker import THUMBNAIL

PREDICTION_ROLE = Qt.UserRole + 1  # the core Prediction of a row
RESULT_ROLE = Qt.UserRole + 2  # the whole ZooResult
MARGIN, LINE = 8, 19
ROW_HEIGHT = max(THUMBNAIL + 2 * MARGIN, MARGIN * 2 + LINE * 6 + 4)
ERROR_COLOR = QColor("#b00020")
# Rows arrive one per image; the list lays out and repaints its viewport for every
# insertion, ~10-30 ms with a few rows visible. So rows are inserted in groups, at most
# this often (the first at once): a 1,000-image drop keeps the window responsive.
INSERT_INTERVAL_MS = 100


def to_qimage(rgb):
    """A uint8 RGB array (h, w, 3) as a QImage that owns its pixels."""
    height, width = rgb.shape[:2]
    data = bytes(rgb.tobytes())  # QImage only borrows the buffer; copy() below owns it
    return QImage(data, width, height, 3 * width, QImage.Format_RGB888).copy()


def top_text(prediction):
    """``daisy 81.2%, bee 3.1%, ...`` or the error, for tooltips and accessibility."""
    if not prediction.ok:
        return prediction.error
    return ", ".join(f"{t['label']} {t['score']:.1%}" for t in prediction.top)


class ResultsModel(QAbstractListModel):
    """The results shown, in the order they came.

    Attributes:
        results: the ui.zoo_worker.ZooResult objects shown (:meth:`flush` adds those
            that came since the last group was inserted).
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.results = []
        self._pending = []  # added, not inserted yet (see INSERT_INTERVAL_MS)
        self._images = {}  # row -> QImage, made on the GUI thread when a row is painted
        self._timer = QTimer(self, singleShot=True, interval=INSERT_INTERVAL_MS)
        self._timer.timeout.connect(self.flush)

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.results)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or index.row() >= len(self.results):
            return None
        result = self.results[index.row()]
        prediction = result.prediction
        if role == Qt.DisplayRole:
            return Path(prediction.input).name
        if role in (Qt.ToolTipRole, Qt.AccessibleDescriptionRole):
            return f"{prediction.input}\n{top_text(prediction)}"
        if role == Qt.DecorationRole:
            return self._image(index.row())
        if role == PREDICTION_ROLE:
            return prediction
        if role == RESULT_ROLE:
            return result
        return None

    def _image(self, row):
        if row not in self._images:
            thumb = self.results[row].thumbnail
            self._images[row] = to_qimage(thumb) if thumb is not None else None
        return self._images[row]

    def add(self, result):
        """Show ``result``: at once when no row came in the last INSERT_INTERVAL_MS, else
        with the others that come meanwhile."""
        self._pending.append(result)
        if not self._timer.isActive():
            self.flush()
            self._timer.start()

    @Slot()
    def flush(self):
        """Insert the rows added since the last insertion, as one group."""
        if not self._pending:
            return
        first = len(self.results)
        self.beginInsertRows(QModelIndex(), first, first + len(self._pending) - 1)
        self.results += self._pending
        self._pending = []
        self.endInsertRows()

    def clear(self):
        self.beginResetModel()
        self.results, self._pending, self._images = [], [], {}
        self.endResetModel()

    def predictions(self):
        self.flush()
        return [r.prediction for r in self.results]

    def inputs(self):
        self.flush()
        return [r.prediction.input for r in self.results]


class ResultDelegate(QStyledItemDelegate):
    """Paints a result: thumbnail, name, and the top five with probability bars."""

    def sizeHint(self, option, index):
        return QSize(max(option.rect.width(), 360), ROW_HEIGHT)

    def paint(self, painter, option, index):
        prediction = index.data(PREDICTION_ROLE)
        if prediction is None:
            return super().paint(painter, option, index)
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing)
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawPrimitive(QStyle.PE_PanelItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.State_Selected)
        palette = option.palette
        text_color = palette.color(QPalette.HighlightedText if selected else QPalette.Text)
        rect = option.rect.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        self._paint_thumbnail(painter, index.data(Qt.DecorationRole),
                              QRect(rect.left(), rect.top(), THUMBNAIL, THUMBNAIL), palette)
        left = rect.left() + THUMBNAIL + 12
        text = QRect(left, rect.top(), rect.right() - left, LINE)
        font = QFont(option.font)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(text_color)
        name = painter.fontMetrics().elidedText(Path(prediction.input).name, Qt.ElideMiddle,
                                                text.width() - 90)
        painter.drawText(text, Qt.AlignLeft | Qt.AlignVCenter, name)
        painter.setFont(option.font)
        if prediction.ok:
            if prediction.image_size:
                muted = QColor(text_color)
                muted.setAlpha(150)
                painter.setPen(muted)
                painter.drawText(text, Qt.AlignRight | Qt.AlignVCenter,
                                 "{} × {}".format(*prediction.image_size))
            self._paint_top(painter, prediction.top, text, palette, text_color, selected)
        else:
            painter.setPen(text_color if selected else ERROR_COLOR)
            body = QRect(left, text.bottom() + 4, text.width(), rect.bottom() - text.bottom() - 4)
            painter.drawText(body, Qt.AlignLeft | Qt.AlignTop | Qt.TextWordWrap,
                             prediction.error)
        painter.restore()

    def _paint_thumbnail(self, painter, image, box, palette):
        painter.fillRect(box, palette.color(QPalette.AlternateBase))
        if image is None or image.isNull():
            painter.setPen(QPen(ERROR_COLOR, 2))
            c = box.center()
            painter.drawLine(c.x() - 12, c.y() - 12, c.x() + 12, c.y() + 12)
            painter.drawLine(c.x() - 12, c.y() + 12, c.x() + 12, c.y() - 12)
            return
        size = image.size().scaled(box.size(), Qt.KeepAspectRatio)
        target = QRect(0, 0, size.width(), size.height())
        target.moveCenter(box.center())
        painter.drawImage(target, image)

    def _paint_top(self, painter, top, first_line, palette, text_color, selected):
        metrics = painter.fontMetrics()
        label_width = min(240, int(first_line.width() * 0.45))
        percent_width = metrics.horizontalAdvance("100.0%") + 6
        bar_left = first_line.left() + label_width + 8
        bar_width = max(20, first_line.right() - bar_left - percent_width)
        # On a selected row the bars take the text's colour: highlight on highlight is invisible.
        bar_color = text_color if selected else palette.color(QPalette.Highlight)
        for rank, entry in enumerate(top[:5]):
            y = first_line.bottom() + 4 + rank * LINE
            label = QRect(first_line.left(), y, label_width, LINE)
            painter.setPen(text_color)
            painter.drawText(label, Qt.AlignLeft | Qt.AlignVCenter,
                             metrics.elidedText(entry["label"], Qt.ElideRight, label_width))
            track = QRect(bar_left, y + 4, bar_width, LINE - 8)
            shade = QColor(bar_color)
            shade.setAlpha(40)
            painter.fillRect(track, shade)
            filled = QRect(track)
            filled.setWidth(max(1, round(bar_width * max(0.0, min(1.0, entry["score"])))))
            shade.setAlpha(230 if rank == 0 else 140)
            painter.fillRect(filled, shade)
            painter.drawText(QRect(track.right() + 4, y, percent_width, LINE),
                             Qt.AlignRight | Qt.AlignVCenter, f"{entry['score']:.1%}")


class ResultsView(QListView):
    """The list of results (``zoo_results``); one row per image.

    Signals:
        result_selected(object): the ZooResult of the row just selected (None: none).
    """

    result_selected = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("zoo_results")
        self.setAccessibleName("zoo_results")
        self.results = ResultsModel(self)
        self.setModel(self.results)
        self.setItemDelegate(ResultDelegate(self))
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.setAlternatingRowColors(False)
        self.selectionModel().currentChanged.connect(self._on_selection_current_changed)

    def select_row(self, row):
        self.setCurrentIndex(self.results.index(row))

    def selected_result(self):
        index = self.currentIndex()
        return index.data(RESULT_ROLE) if index.isValid() else None

    @Slot(QModelIndex, QModelIndex)
    def _on_selection_current_changed(self, current, _previous):
        self.result_selected.emit(current.data(RESULT_ROLE) if current.isValid() else None)
