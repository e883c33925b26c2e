"""The Text tab's Word in context page: one word, two sentences, two different vectors.

ELMo's first layer (``word_emb``) gives a word the same vector wherever it is;
its contextual outputs do not. The page compares the word's vectors in the two
sentences (core.text.contextual.compare_word_in_contexts, run by the tab in the
background) and draws every token of one sentence against every token of the
other, the word's cell framed.
"""

import html

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout, QWidget)

from ui.text_plots import SimilarityHeatmap

EXAMPLE = ("bank", "We sat on the bank of the river.", "The bank raised its interest rates.")
OUTPUTS = (("elmo (the weighted sum of the layers)", "elmo"),
           ("lstm_outputs1 (first LSTM layer)", "lstm_outputs1"),
           ("lstm_outputs2 (second LSTM layer)", "lstm_outputs2"))


class ContextView(QWidget):
    """The contextual demo.

    Signals:
        compare_requested(str, str, str, str): word, first sentence, second
            sentence, ELMo output to compare.

    Attributes:
        result: the core WordInContexts shown last, or None.
    """

    compare_requested = Signal(str, str, str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.result = None
        self.word = self._line("text_word", EXAMPLE[0], "The word to follow (any case).")
        self.sentence_a = self._line("text_sentence_a", EXAMPLE[1], "A sentence with the word.")
        self.sentence_b = self._line("text_sentence_b", EXAMPLE[2],
                                     "Another sentence with the word, in another sense.")
        self.output = QComboBox(self)
        self.output.setObjectName("text_context_output")
        for label, name in OUTPUTS:
            self.output.addItem(label, name)
        self.compare = QPushButton("Compare", self)
        self.compare.setObjectName("text_compare")
        self.compare.setDefault(False)
        self.compare.clicked.connect(self._on_compare_clicked)
        for line in (self.word, self.sentence_a, self.sentence_b):
            line.returnPressed.connect(self._on_compare_clicked)
        form = QFormLayout()
        form.addRow("Word", self.word)
        form.addRow("Sentence 1", self.sentence_a)
        form.addRow("Sentence 2", self.sentence_b)
        row = QHBoxLayout()
        row.addWidget(self.output, 1)
        row.addWidget(self.compare)
        form.addRow("ELMo output", row)
        self.verdict = QLabel("ELMo gives a word a vector that depends on its sentence: compare "
                              "the same word in two senses.", self)
        self.verdict.setObjectName("text_context_result")
        self.verdict.setWordWrap(True)
        self.heatmap = SimilarityHeatmap("text_context_heatmap", "Each word of sentence 1 "
                                         "against each word of sentence 2 shows here.", self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.verdict)
        layout.addWidget(self.heatmap, 1)

    def _line(self, name, text, tip):
        line = QLineEdit(text, self)
        line.setObjectName(name)
        line.setToolTip(tip)
        return line

    @Slot()
    def _on_compare_clicked(self):
        if self.compare.isEnabled():
            self.compare_requested.emit(self.word.text().strip(), self.sentence_a.text(),
                                        self.sentence_b.text(), self.output.currentData())

    def show_result(self, result):
        """Show a core.text.contextual.WordInContexts."""
        self.result = result
        self.verdict.setText(
            f"“{html.escape(result.word)}” in sentence 1 vs sentence 2 — contextual ({result.output}) "
            f"cosine: <b>{result.similarity:.2f}</b>; context-free (word_emb) cosine: "
            f"<b>{result.context_free_similarity:.2f}</b>. "
            + ("The context changed the word's vector." if result.similarity < 0.99 else
               "The two vectors are the same: the contexts did not change it."))
        self.heatmap.show_matrix(
            result.token_similarities, result.tokens_a, result.tokens_b, numbered=False,
            highlight=(result.index_a, result.index_b),
            title=f"{result.output} cosine of every word of sentence 1 (rows) with every word "
                  "of sentence 2 (columns)")
