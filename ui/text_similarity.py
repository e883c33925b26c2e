"""The Text tab's Similarity page: how alike the embedded sentences are.

A line that names the most and the least alike pair, the cosine-similarity
heat map, the sentences on a plane (PCA), and the nearest neighbours of one
sentence among the rest. The numbers come from core.text.similarity.
"""

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ui.text_plots import SentenceMap, SimilarityHeatmap, short

NEIGHBOURS = 10


def extreme_pairs(similarity):
    """``((i, j, value) most alike, (i, j, value) least alike)`` over distinct sentences."""
    import numpy as np

    n = len(similarity)
    rows, cols = np.triu_indices(n, k=1)
    values = similarity[rows, cols]
    best, worst = int(values.argmax()), int(values.argmin())
    return ((int(rows[best]), int(cols[best]), float(values[best])),
            (int(rows[worst]), int(cols[worst]), float(values[worst])))


class SimilarityView(QWidget):
    """Shows one core embedding result (ui.text_worker.Embedding).

    Attributes:
        embedding: the Embedding shown, or None.
        similarity: its cosine-similarity matrix, or None.
        neighbours: ``[(index, similarity)]`` of the current query, best first.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.embedding = self.similarity = None
        self.neighbours = []
        self._points = None
        self.summary = QLabel("Embed sentences to see how alike they are.", self)
        self.summary.setObjectName("text_summary")
        self.summary.setWordWrap(True)
        self.heatmap = SimilarityHeatmap("text_heatmap", "The cosine similarity of every pair "
                                         "of sentences shows here.", self)
        self.map = SentenceMap("text_map", "The sentences on a plane (their first two principal "
                               "components) show here.", self)
        # The heat map takes the full height (a row per sentence); the map and the
        # neighbours share the other column.
        side = QSplitter(Qt.Vertical, self)
        side.addWidget(self.map)
        side.addWidget(self._neighbours_box())
        side.setSizes([420, 300])
        splitter = QSplitter(Qt.Horizontal, self)
        splitter.addWidget(self.heatmap)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([560, 400])
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)

    def _neighbours_box(self):
        box = QWidget(self)
        self.query = QComboBox(box)
        self.query.setObjectName("text_query")
        self.query.setToolTip("The sentence whose nearest neighbours are listed.")
        self.query.currentIndexChanged.connect(self._on_query_current_index_changed)
        self.table = QTableWidget(0, 2, box)
        self.table.setObjectName("text_neighbours")
        self.table.setAccessibleName("text_neighbours")
        self.table.setHorizontalHeaderLabels(["Similarity", "Sentence"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Nearest neighbours of", box))
        top.addWidget(self.query, 1)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        return box

    def show_embedding(self, embedding):
        """Draw the similarities, the map and the neighbours of the first sentence."""
        from core.text.similarity import cosine_similarity_matrix, pca_2d

        self.embedding = embedding
        texts = embedding.texts
        self.similarity = cosine_similarity_matrix(embedding.vectors)
        self._points, self._explained = pca_2d(embedding.vectors)
        self.summary.setText(self._summary_text())
        self.heatmap.show_matrix(self.similarity, texts,
                                 title="Cosine similarity of the sentence vectors")
        self.query.blockSignals(True)
        self.query.clear()
        self.query.addItems([f"{i + 1}. {short(t, 80)}" for i, t in enumerate(texts)])
        self.query.blockSignals(False)
        self.query.setCurrentIndex(0)
        self._show_neighbours(0)

    def _summary_text(self):
        e = self.embedding
        n, dim = e.vectors.shape
        line = (f"{n} sentence{'s' if n != 1 else ''}, {dim}-d ELMo vectors, "
                f"embedded in {e.seconds:.1f} s.")
        if n >= 2:
            (a, b, high), (c, d, low) = extreme_pairs(self.similarity)
            line += (f" Most alike: {a + 1} and {b + 1} ({high:.2f}). "
                     f"Least alike: {c + 1} and {d + 1} ({low:.2f}).")
        return line

    def clear(self):
        self.embedding = self.similarity = None
        self.neighbours = []
        self.summary.setText("Embed sentences to see how alike they are.")
        self.heatmap.clear()
        self.map.clear()
        self.query.clear()
        self.table.setRowCount(0)

    @Slot(int)
    def _on_query_current_index_changed(self, index):
        if self.embedding is not None and index >= 0:
            self._show_neighbours(index)

    def _show_neighbours(self, index):
        from core.text.similarity import nearest_neighbours

        texts = self.embedding.texts
        self.neighbours = nearest_neighbours(index, self.embedding.vectors, k=NEIGHBOURS)
        self.table.setRowCount(len(self.neighbours))
        for row, (i, score) in enumerate(self.neighbours):
            value = QTableWidgetItem(f"{score:.3f}")
            value.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self.table.setItem(row, 0, value)
            self.table.setItem(row, 1, QTableWidgetItem(f"{i + 1}. {texts[i]}"))
        self.map.show_points(self._points, self._explained, texts, query=index,
                             neighbours=[i for i, _ in self.neighbours[:3]])
