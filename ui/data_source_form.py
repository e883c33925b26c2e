"""The Data tab's forms: the source kind and its settings, and the preprocessing.

The fields are data (SOURCE_FIELDS, PREPROCESSING_FIELDS); the forms are
generated from them. Every change is one undoable ``editor.edit_settings``
on the "data" section; the forms only show ``project.data`` and never keep
a copy of it.
"""

from PySide6.QtCore import QSignalBlocker, Signal, Slot
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QVBoxLayout

from core.data import SOURCE_KINDS
from core.data.arrays import SKLEARN_DATASETS
from ui.data_fields import Field, make_editor

KIND_LABELS = {
    "sklearn": "Bundled data set (scikit-learn)",
    "random": "Random data (Keras quickstart)",
    "csv": "Table: CSV / TSV file",
    "npz": "NumPy arrays (.npz)",
    "image_folder": "Image folder (a sub-folder per class)",
    "text_csv": "Text: sentences and labels (CSV)",
    "series_csv": "Time series (CSV column)",
    "ratings": "Synthetic ratings (recommender)",
    "seq2seq_text": "Text: sentence pairs (seq2seq)",
}
_TASK = Field("task", "choice", None, (("guess from the labels", None), ("binary", "binary"),
                                       ("multiclass", "multiclass"),
                                       ("regression", "regression")),
              tip="Classification or regression; guessed from the labels unless set.")
_SEPARATOR = Field("separator", "choice", None, (("detect", None), (", comma", ","),
                                                 ("; semicolon", ";"), ("tab", "\t")),
                   tip="The column separator; detected from the first lines unless set.")
_SEED = Field("seed", "int", 0, tip="The same seed always gives the same data.")
_TABLES = "Tables (*.csv *.tsv *.txt);;All files (*)"

# The settings of each source kind, as core.data's loaders read them (defaults included).
SOURCE_FIELDS = {
    "sklearn": (
        Field("name", "choice", "breast_cancer", tuple((n, n) for n in SKLEARN_DATASETS),
              tip="A data set bundled with scikit-learn: nothing is downloaded."),
        Field("as_images", "bool", False, tip="digits only: 8x8 images instead of 64 features."),
    ),
    "random": (
        Field("samples", "int", 1000, minimum=2, tip="How many samples to generate."),
        Field("features", "int", 10, minimum=1, tip="Features per sample, uniform in [0, 1)."),
        _SEED,
    ),
    "csv": (
        Field("path", "file", filter=_TABLES, tip="The table; the first line names the columns."),
        Field("target", "column", tip="The column to predict."),
        Field("features", "columns", tip="The input columns, comma-separated; empty: all others."),
        _SEPARATOR,
        Field("categorical", "choice", "onehot", (("one-hot", "onehot"), ("integer codes",
                                                                           "integer")),
              tip="How text columns become numbers."),
        Field("missing", "choice", "drop", (("drop the row", "drop"), ("fill: mean", "mean"),
                                            ("fill: most frequent", "most_frequent"),
                                            ("refuse the file", "refuse")),
              tip="What to do with empty cells (fills learn from the training part only)."),
        _TASK,
    ),
    "npz": (
        Field("path", "file", filter="NumPy archives (*.npz);;All files (*)",
              tip="Arrays x and y (or x_train, y_train, x_test, ...), saved with numpy.savez."),
        _TASK,
    ),
    "image_folder": (
        Field("path", "folder", tip="A folder with one sub-folder of images per class."),
        Field("image_size", "size", [256, 256], tip="Every image is resized to this."),
        Field("color_mode", "choice", "rgb", (("RGB", "rgb"), ("grayscale", "grayscale"))),
        Field("batch_size", "optional_int", None, maximum=65536,
              tip="Images per batch; not set: the training batch size."),
    ),
    "text_csv": (
        Field("path", "files", filter=_TABLES,
              tip="One file, or several with the same columns (choose several in the dialog)."),
        Field("text_column", "column", 0, tip="The sentences' column: a name, or a position."),
        Field("label_column", "column", 1, tip="The labels' column: a name, or a position."),
        _SEPARATOR,
        Field("header", "bool", True, tip="Whether the first line names the columns."),
        Field("max_tokens", "int", 10000, minimum=3, tip="The vocabulary's size limit."),
        Field("sequence_length", "int", 100, minimum=1, tip="Token ids per sentence."),
        _TASK,
    ),
    "series_csv": (
        Field("path", "file", filter=_TABLES, tip="A table with the series in one column."),
        Field("column", "column", tip="The series' column; may be empty for one numeric column."),
        Field("window", "int", 12, minimum=1, tip="Values per sample."),
        Field("horizon", "int", 1, minimum=1, tip="Steps ahead to predict (1: the next value)."),
        _SEPARATOR,
    ),
    "ratings": (
        Field("users", "int", 200, minimum=1),
        Field("items", "int", 100, minimum=1),
        Field("samples", "int", 5000, minimum=2, tip="Distinct (user, item) ratings."),
        Field("factors", "int", 4, minimum=1, tip="Latent factors the ratings are made from."),
        _SEED,
    ),
    "seq2seq_text": (
        Field("path", "files", filter=_TABLES,
              tip="Text files, one sentence per line (or source<TAB>target pairs)."),
        Field("target", "choice", "reversed", (("the source's words reversed (toy task)",
                                                 "reversed"), ("a second column", "column")),
              tip="What the decoder learns to write."),
        Field("text_column", "column", 0, tip="The source sentences' column."),
        Field("target_column", "column", 1, tip="The target sentences' column (target: column)."),
        Field("separator", "choice", "\t", (("tab", "\t"), (", comma", ","),
                                             ("; semicolon", ";"))),
        Field("header", "bool", False, tip="Whether the first line names the columns."),
        Field("max_tokens", "int", 2000, minimum=4,
              tip="The shared vocabulary's size: Embedding input_dim and output units."),
        Field("sequence_length", "int", 12, minimum=2,
              tip="Words per sentence: the Input shapes and RepeatVector's n."),
    ),
}
assert set(SOURCE_FIELDS) == set(SOURCE_KINDS), "a source kind without a form"

PREPROCESSING_FIELDS = (
    Field("test_split", "fraction", 0.2, tip="The part held out for the final test."),
    Field("validation_split", "fraction", 0.2,
          tip="The part of the rest watched during training (val_loss)."),
    Field("split_seed", "int", 0, tip="The seed of the shuffle before splitting."),
    Field("stratify", "bool", False, tip="Keep the class proportions in every part."),
    Field("scaling", "choice", "none", (("none", "none"), ("standardize (mean 0, std 1)",
                                                           "standard"),
                                        ("min-max to [0, 1]", "minmax")),
          tip="Fitted on the training part only, applied to all parts."),
)


class _SettingsForm(QGroupBox):
    """A form of Field editors over one dict of ``project.data`` (source or preprocessing)."""

    def __init__(self, editor, title, parent=None):
        super().__init__(title, parent)
        self.editor = editor
        self.editors = {}
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)

    def _settings(self):
        return getattr(self.editor.project.data, self._section_name)

    def _build_fields(self, fields):
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors = {}
        for field in fields:
            editor = make_editor(field, self, lambda: self.editor.project)
            editor.committed.connect(lambda value, key=field.key: self.commit(key, value))
            self.form.addRow(field.key.replace("_", " "), editor.widget)
            self.editors[field.key] = editor
        self.show_values()

    def show_values(self):
        settings = self._settings()
        for key, editor in self.editors.items():
            editor.set_value(settings.get(key))

    def commit(self, key, value):
        """Set ``key`` to ``value`` (None removes it) as one undoable edit, if it changed."""
        if self._settings().get(key) == value:
            return

        def mutate(project, section=self._section_name):
            settings = getattr(project.data, section)
            if value is None:
                settings.pop(key, None)
            else:
                settings[key] = value

        self.editor.edit_settings(f"Set data {key.replace('_', ' ')}", "data", mutate)


class SourceForm(_SettingsForm):
    """The kind combo and the settings of that kind.

    Signals:
        kind_changed(str): the form now shows another kind's fields.
    """

    kind_changed = Signal(str)
    _section_name = "source"

    def __init__(self, editor, parent=None):
        super().__init__(editor, "Source", parent)
        self.setObjectName("data_source_form")
        self.kind = QComboBox(self)
        self.kind.setObjectName("data_kind")
        self.kind.setAccessibleName("data_kind")
        for kind in SOURCE_KINDS:
            self.kind.addItem(KIND_LABELS[kind], kind)
        self.kind.activated.connect(self._on_kind_activated)
        self._shown_kind = None
        self._earlier = {}  # kind -> its last settings this session, to switch back to
        layout = QVBoxLayout(self)
        layout.addWidget(self.kind)
        layout.addLayout(self.form)
        self.sync()

    def sync(self):
        """Show the project's source: rebuild the fields when its kind changed."""
        source = self._settings()
        kind = source.get("kind")
        if kind != self._shown_kind:
            self._shown_kind = kind
            with QSignalBlocker(self.kind):
                self.kind.setCurrentIndex(self.kind.findData(kind))
            self._build_fields(SOURCE_FIELDS.get(kind, ()))
            self.kind_changed.emit(kind or "")
        else:
            self.show_values()
        if kind:
            self._earlier[kind] = dict(source)

    def set_kind(self, kind):
        """Switch the source to ``kind`` (its earlier settings this session, else its defaults)."""
        if kind == self._settings().get("kind"):
            return
        source = self._earlier.get(kind) or {"kind": kind, **{
            f.key: f.default for f in SOURCE_FIELDS[kind]
            if f.default is not None and f.editor != "column"}}

        def mutate(project):
            project.data.source = dict(source)

        self.editor.edit_settings(f"Set data source to {kind}", "data", mutate)

    def set_columns(self, columns):
        """Offer ``columns`` (the file's header) in the column fields."""
        for editor in self.editors.values():
            if editor.field.editor == "column":
                editor.set_columns(columns)

    @Slot(int)
    def _on_kind_activated(self, index):
        self.set_kind(self.kind.itemData(index))


class PreprocessingForm(_SettingsForm):
    """Split fractions, seed, stratify and scaling (``project.data.preprocessing``)."""

    _section_name = "preprocessing"

    def __init__(self, editor, parent=None):
        super().__init__(editor, "Preprocessing", parent)
        self.setObjectName("data_preprocessing")
        self.setLayout(self.form)
        self._build_fields(PREPROCESSING_FIELDS)
