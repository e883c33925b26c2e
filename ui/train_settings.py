"""The Train tab's settings form: compile and fit settings of ``project.training``.

Every change is one undoable edit through ``editor.edit_settings`` and the form
shows the document again when it hears ``settings_changed`` (an edit, undo or
redo) or ``model_changed`` (another project): it keeps no second copy. The
optimizer, loss and metric choices come from core.catalog once TensorFlow has
loaded; before that the form shows the project's values as they are.
"""

import copy
import json

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox,
                               QLabel, QListWidget, QListWidgetItem, QSpinBox, QStackedWidget,
                               QVBoxLayout, QWidget)

from core.training.settings import (CHECKPOINT_DEFAULTS, EARLY_STOPPING_DEFAULTS,
                                    FINE_TUNE_DEFAULTS, LR_SCHEDULE_KINDS)
from ui.optimizer_fields import OptimizerFields
from ui.param_editors import INT_LIMIT

# The short learning-rate schedules of core.training.settings.lr_schedule_spec, with the
# values a newly picked one starts from (Keras's own defaults for ReduceLROnPlateau).
SCHEDULE_PARAMS = {
    "reduce_on_plateau": (("monitor", "val_loss"), ("factor", 0.1), ("patience", 10),
                          ("min_lr", 0.0)),
    "step": (("every", 10), ("factor", 0.5)),
    "exponential": (("factor", 0.9),),
    "cosine": (("alpha", 0.0),),
}
DEVICES = ("auto", "cpu", "gpu", "all")  # "all": every GPU, mirrored (core.distribute)


class TrainSettingsForm(QWidget):
    """Optimizer, loss, metrics, fit, early stopping, schedule, checkpoint, device."""

    def __init__(self, editor, parent=None):
        super().__init__(parent)
        self.editor = editor
        self._updating = True  # building the fields emits valueChanged: not the user's edits
        self._catalog = None  # {"losses", "metrics"} once Keras has loaded
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        optimizer = QGroupBox("Optimizer", self)
        self.optimizer_fields = OptimizerFields(optimizer)
        self.optimizer_fields.committed.connect(self._on_optimizer_fields_committed)
        self.optimizer = self.optimizer_fields.optimizer
        QVBoxLayout(optimizer).addWidget(self.optimizer_fields)
        for group in (optimizer, self._loss_group(), self._fit_group(),
                      self._early_group(), self._fine_tune_group(), self._schedule_group(),
                      self._checkpoint_group(), self._device_group()):
            layout.addWidget(group)
        layout.addStretch(1)
        editor.settings_changed.connect(self._on_editor_settings_changed)
        editor.model_changed.connect(self.refresh)
        editor.analysis_ready.connect(self._on_editor_analysis_ready)
        if editor.keras_ready:
            self._load_catalog()
        self.refresh()

    # -- building ---------------------------------------------------------------------
    def _named(self, widget, name, tip=""):
        widget.setObjectName(name)
        widget.setAccessibleName(name)
        if tip:
            widget.setToolTip(tip)
        return widget

    def _committer(self, key):
        return lambda *_signal_args: self._commit(key)

    def _combo(self, name, key, items=(), editable=False, tip=""):
        combo = self._named(QComboBox(self), name, tip)
        combo.addItems(list(items))
        if editable:
            combo.setEditable(True)
            combo.setInsertPolicy(QComboBox.NoInsert)
            combo.lineEdit().editingFinished.connect(self._committer(key))
        combo.activated.connect(self._committer(key))
        return combo

    def _spin(self, name, key, low, high, tip="", double=False, step=None):
        spin = self._named(QDoubleSpinBox(self) if double else QSpinBox(self), name, tip)
        if double:
            spin.setDecimals(4)
        spin.setRange(low, high)
        if step is not None:
            spin.setSingleStep(step)
        spin.setKeyboardTracking(False)  # one edit on Enter or an arrow, not per keystroke
        spin.valueChanged.connect(self._committer(key))
        return spin

    def _check(self, text, name, key, tip=""):
        box = self._named(QCheckBox(text, self), name, tip)
        box.toggled.connect(self._committer(key))
        return box

    def _loss_group(self):
        box = QGroupBox("Loss and metrics", self)
        form = QFormLayout(box)
        self.loss = self._combo("train_loss", "loss", editable=True, tip="keras.losses name")
        self.metrics = self._named(QListWidget(self), "train_metrics",
                                   "Tick the metrics to compute and plot")
        self.metrics.setMaximumHeight(120)
        self.metrics.itemChanged.connect(self._committer("metrics"))
        form.addRow("Loss", self.loss)
        form.addRow("Metrics", self.metrics)
        return box

    def _fit_group(self):
        box = QGroupBox("Fit", self)
        form = QFormLayout(box)
        self.epochs = self._spin("train_epochs", "epochs", 1, 100_000)
        self.batch_size = self._spin("train_batch_size", "batch_size", 1, 1_000_000)
        self.validation_split = self._spin(
            "train_validation_split", "validation_split", 0.0, 0.9,
            "Fraction of the training part held out for validation "
            "(data.preprocessing.validation_split)", double=True, step=0.05)
        self.class_weight = self._combo("train_class_weight", "class_weight",
                                        ("none", "balanced"), editable=True,
                                        tip="balanced: scikit-learn's weights inverse to the "
                                            "class counts of the training part; or type "
                                            '{"class name": weight, ...}')
        self.seed = self._spin("train_seed", "seed", -1, INT_LIMIT, "random: a new seed each run, "
                               "recorded in the run")
        self.seed.setSpecialValueText("random")
        for label, widget in (("Epochs", self.epochs), ("Batch size", self.batch_size),
                              ("Validation split", self.validation_split),
                              ("Class weight", self.class_weight), ("Seed", self.seed)):
            form.addRow(label, widget)
        return box

    def _early_group(self):
        self.early = self._named(QGroupBox("Early stopping", self), "train_early_stopping",
                                 "Stop when the monitored value stops improving")
        self.early.setCheckable(True)
        self.early.toggled.connect(self._committer("early_stopping"))
        form = QFormLayout(self.early)
        self.early_monitor = self._combo("train_early_monitor", "early_stopping", editable=True)
        self.early_patience = self._spin("train_early_patience", "early_stopping", 0, 100_000,
                                         "Epochs without improvement before stopping")
        self.early_restore = self._check("Restore the best weights", "train_early_restore",
                                         "early_stopping")
        form.addRow("Monitor", self.early_monitor)
        form.addRow("Patience", self.early_patience)
        form.addRow(self.early_restore)
        return self.early

    def _fine_tune_group(self):
        # Transfer learning's second phase; shown only for a model with a zoo backbone.
        self.fine_tune = self._named(
            QGroupBox("Fine-tune the backbone (phase 2)", self), "train_fine_tune",
            "After the epochs above train the head, unfreeze the top of the pretrained "
            "backbone and train on at a lower learning rate, on the same curve")
        self.fine_tune.setCheckable(True)
        self.fine_tune.toggled.connect(self._committer("fine_tune"))
        form = QFormLayout(self.fine_tune)
        self.fine_tune_epochs = self._spin("train_fine_tune_epochs", "fine_tune", 1, 100_000,
                                           "Epochs of phase 2, after the head's epochs")
        self.fine_tune_top = self._spin("train_fine_tune_unfrozen_top", "fine_tune", 0, 10_000,
                                        "Backbone layers to unfreeze, from the top (0: all); "
                                        "BatchNormalization layers stay frozen")
        self.fine_tune_top.setSpecialValueText("all")
        self.fine_tune_rate = self._spin("train_fine_tune_learning_rate", "fine_tune", 1e-8, 1.0,
                                         "Learning rate of phase 2: small, so the pretrained "
                                         "features are adjusted, not destroyed", double=True)
        self.fine_tune_rate.setDecimals(8)
        self.fine_tune_rate.setRange(1e-8, 1.0)  # again: the 4-decimal range rounded 1e-8 to 0
        self.fine_tune_rate.setSingleStep(1e-5)
        form.addRow("Epochs", self.fine_tune_epochs)
        form.addRow("Unfreeze top layers", self.fine_tune_top)
        form.addRow("Learning rate", self.fine_tune_rate)
        return self.fine_tune

    def _schedule_group(self):
        box = QGroupBox("Learning-rate schedule", self)
        form = QFormLayout(box)
        self.schedule = self._combo("train_lr_schedule", "lr_schedule",
                                    ("none",) + LR_SCHEDULE_KINDS)
        self.schedule_pages = QStackedWidget(self)
        self.schedule_pages.addWidget(QWidget(self))
        self.schedule_fields = {}
        for kind, params in SCHEDULE_PARAMS.items():
            page = QWidget(self)
            page_form = QFormLayout(page)
            page_form.setContentsMargins(12, 0, 0, 0)
            for key, default in params:
                name = f"train_lr_{kind}_{key}"
                if key == "monitor":
                    field = self._combo(name, "lr_schedule", editable=True)
                elif isinstance(default, int):
                    field = self._spin(name, "lr_schedule", 1, 100_000)
                else:
                    field = self._spin(name, "lr_schedule", 0.0, 1e6, double=True, step=0.05)
                    field.setDecimals(6)
                self.schedule_fields[kind, key] = field
                page_form.addRow(key.replace("_", " ").capitalize(), field)
            self.schedule_pages.addWidget(page)
        form.addRow("Schedule", self.schedule)
        form.addRow(self.schedule_pages)
        return box

    def _checkpoint_group(self):
        box = QGroupBox("Checkpoint", self)
        form = QFormLayout(box)
        self.save_best = self._check("Keep the best model (best.keras)", "train_save_best",
                                     "checkpoint")
        self.checkpoint_monitor = self._combo("train_checkpoint_monitor", "checkpoint",
                                              editable=True,
                                              tip="The value that decides the best epoch")
        form.addRow(self.save_best)
        form.addRow("Monitor", self.checkpoint_monitor)
        return box

    def _device_group(self):
        box = QGroupBox("Device", self)
        form = QFormLayout(box)
        self.device = self._combo("train_device", "device", DEVICES,
                                  tip="auto: a GPU when TensorFlow sees one, else the CPU")
        self.mixed_precision = self._check("Mixed precision (float16 on the GPU)",
                                           "train_mixed_precision", "mixed_precision")
        # Why mixed precision is not offered, when it is not (the Train tab shows the device).
        self.mixed_precision_note = self._named(QLabel("", self), "train_mixed_precision_note")
        self.mixed_precision_note.setWordWrap(True)
        self.mixed_precision_note.setStyleSheet("color: palette(mid);")
        self.mixed_precision_note.hide()
        form.addRow("Train on", self.device)
        form.addRow(self.mixed_precision)
        form.addRow(self.mixed_precision_note)
        return box

    def _show_device(self, device, mixed_precision):
        """Offer mixed precision only where it helps, saying why not (after Keras loads)."""
        if self._catalog is None:
            return
        from core.devices import mixed_precision_support

        supported, reason = mixed_precision_support(device)
        # Kept enabled while it is on, so a project that asks for it can turn it off.
        self.mixed_precision.setEnabled(supported or mixed_precision)
        self.mixed_precision.setToolTip(reason if supported else f"Not offered: {reason}")
        self.mixed_precision_note.setText("" if supported else f"Not offered: {reason}")
        self.mixed_precision_note.setVisible(not supported)

    # -- the catalog ------------------------------------------------------------------
    @Slot(object)
    def _on_editor_analysis_ready(self, analysis):
        if self._catalog is None:
            self._load_catalog()
            self.refresh()

    def _load_catalog(self):
        from core import catalog

        optimizers = {s.class_name: s for s in catalog.optimizers().values() if s.class_name}
        self.optimizer_fields.set_specs(sorted(optimizers.items()))
        losses = [n for n, s in catalog.losses().items() if s.by_name]
        metrics = [n for n, s in catalog.metrics().items()
                   if s.by_name and not s.needs_config and s.alias_of is None]
        self._catalog = {"losses": losses, "metrics": metrics}

    # -- showing the document -----------------------------------------------------------
    @Slot(str)
    def _on_editor_settings_changed(self, what):
        if what in ("training", "data"):
            self.refresh()

    @Slot()
    def refresh(self):
        """Show the project's settings (signals from the widgets are ignored meanwhile)."""
        t = self.editor.project.training
        self._updating = True
        try:
            self.optimizer_fields.show_setting(t["optimizer"])
            _set_combo(self.loss, _text(t.get("loss")), self._names("losses"))
            self._show_metrics(t.get("metrics") or [])
            self.epochs.setValue(t["epochs"])
            self.batch_size.setValue(t["batch_size"])
            self.validation_split.setValue(_number(
                self.editor.project.data.preprocessing.get("validation_split"), 0.0))
            weight = t.get("class_weight")
            _set_combo(self.class_weight, "none" if weight is None else _text(weight),
                       ["none", "balanced"])
            self.seed.setValue(int(_number(t.get("seed"), -1)))
            self._show_early(t.get("early_stopping"))
            self._show_fine_tune(t.get("fine_tune"))
            self._show_schedule(t.get("lr_schedule"))
            checkpoint = _options(t.get("checkpoint", True), CHECKPOINT_DEFAULTS)
            self.save_best.setChecked(bool(checkpoint and checkpoint["save_best"]))
            _set_combo(self.checkpoint_monitor, (checkpoint or CHECKPOINT_DEFAULTS)["monitor"],
                       self._monitors())
            self.checkpoint_monitor.setEnabled(self.save_best.isChecked())
            _set_combo(self.device, str(t.get("device") or "auto"), DEVICES)
            self.mixed_precision.setChecked(bool(t.get("mixed_precision")))
            self._show_device(t.get("device"), bool(t.get("mixed_precision")))
        finally:
            self._updating = False

    def _names(self, kind):
        return self._catalog[kind] if self._catalog else []

    def _monitors(self):
        metrics = self.editor.project.training.get("metrics") or []
        names = [m for m in metrics if isinstance(m, str)] if isinstance(metrics, list) else []
        return ["val_loss", "loss"] + [f"{p}{m}" for m in names for p in ("val_", "")]

    def _show_metrics(self, chosen):
        self.metrics.setEnabled(not _per_output(chosen))
        if _per_output(chosen):  # per output: shown, edited in the project file
            self.metrics.clear()
            item = QListWidgetItem(f"Per output: {_text(chosen)}", self.metrics)
            item.setToolTip("Metrics per output are set in the project file "
                            "(training.metrics)")
            return
        names = [m for m in chosen if isinstance(m, str)]
        known = self._names("metrics")
        self.metrics.clear()
        for name in names + [n for n in known if n not in names]:
            item = QListWidgetItem(name, self.metrics)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if name in names else Qt.Unchecked)
        for spec in (m for m in chosen if not isinstance(m, str)):
            item = QListWidgetItem(f"{_text(spec)} (from the project file)", self.metrics)
            item.setFlags(Qt.ItemIsEnabled)  # kept as is; edit it in the project file

    def _show_early(self, setting):
        options = _options(setting, EARLY_STOPPING_DEFAULTS)
        self.early.setChecked(options is not None)
        options = options or EARLY_STOPPING_DEFAULTS
        _set_combo(self.early_monitor, options["monitor"], self._monitors())
        self.early_patience.setValue(int(options["patience"]))
        self.early_restore.setChecked(bool(options["restore_best_weights"]))

    def _show_fine_tune(self, setting):
        graph = self.editor.project.model
        has_backbone = any(n.class_name == "ZooBackbone" for n in graph.nodes)
        self.fine_tune.setVisible(has_backbone or bool(setting))
        options = _options(setting, FINE_TUNE_DEFAULTS)
        self.fine_tune.setChecked(options is not None)
        options = options or FINE_TUNE_DEFAULTS
        self.fine_tune_epochs.setValue(int(options["epochs"]))
        self.fine_tune_top.setValue(int(options["unfrozen_top"]))
        self.fine_tune_rate.setValue(float(options["learning_rate"]))

    def _show_schedule(self, setting):
        kind = setting.get("kind") if isinstance(setting, dict) else None
        if isinstance(setting, dict) and "class_name" in setting:
            _set_combo(self.schedule, f"Keras: {setting['class_name']}", [])
            self.schedule.setEnabled(False)  # a Keras-shaped schedule: edit the project file
            self.schedule_pages.setCurrentIndex(0)
            return
        self.schedule.setEnabled(True)
        _set_combo(self.schedule, kind or "none", ("none",) + LR_SCHEDULE_KINDS)
        kinds = list(SCHEDULE_PARAMS)
        self.schedule_pages.setCurrentIndex(kinds.index(kind) + 1 if kind in kinds else 0)
        for (page_kind, key), field in self.schedule_fields.items():
            value = (setting or {}).get(key, dict(SCHEDULE_PARAMS[page_kind])[key]) \
                if page_kind == kind else dict(SCHEDULE_PARAMS[page_kind])[key]
            if isinstance(field, QComboBox):
                _set_combo(field, str(value), self._monitors())
            else:
                field.setValue(value)

    # -- writing the document -------------------------------------------------------------
    @Slot()
    def _on_optimizer_fields_committed(self):
        self._commit("optimizer")

    def _commit(self, key):
        """The fields of ``key`` were committed: write them as one edit when they differ."""
        if self._updating:
            return
        project = self.editor.project
        if key == "validation_split":
            split = round(self.validation_split.value(), 4)
            if split != project.data.preprocessing.get("validation_split"):
                self.editor.edit_settings(
                    "Set validation split", "data",
                    lambda p: p.data.preprocessing.update(validation_split=split))
            return
        current = copy.deepcopy(project.training.get(key))
        try:
            value = getattr(self, f"_read_{key}")(current)
        except ValueError as exc:
            self.editor.settings_changed.emit("training")  # show the document's value again
            self.setToolTip(str(exc))
            return
        if value != project.training.get(key):
            self.editor.edit_settings(f"Set training.{key}", "training",
                                      lambda p: p.training.__setitem__(key, value))
        elif key in ("early_stopping", "fine_tune", "lr_schedule", "checkpoint"):
            self.refresh()  # a toggled group shows the values it would write

    def _read_optimizer(self, current):
        return self.optimizer_fields.read(current)

    def _read_loss(self, current):
        text = self.loss.currentText().strip()
        if not text or text == _text(current):
            return current
        # JSON for a configured loss ({...}) or one per output ([...] or {"out": ...})
        return json.loads(text) if text.startswith(("{", "[")) else text

    def _read_metrics(self, current):
        if _per_output(current):
            return current
        kept = [m for m in current or [] if not isinstance(m, str)]
        items = (self.metrics.item(i) for i in range(self.metrics.count()))
        return [i.text() for i in items if i.flags() & Qt.ItemIsUserCheckable
                and i.checkState() == Qt.Checked] + kept

    def _read_epochs(self, current):
        return self.epochs.value()

    def _read_batch_size(self, current):
        return self.batch_size.value()

    def _read_class_weight(self, current):
        text = self.class_weight.currentText().strip()
        if text in ("", "none", "balanced"):
            return None if text in ("", "none") else "balanced"
        value = json.loads(text)  # a ValueError shows the document's value again
        if not isinstance(value, dict):
            raise ValueError('class weights: "balanced" or {"class name": weight, ...}')
        return value

    def _read_seed(self, current):
        return None if self.seed.value() < 0 else self.seed.value()

    def _read_device(self, current):
        return self.device.currentText()

    def _read_mixed_precision(self, current):
        return self.mixed_precision.isChecked()

    def _read_early_stopping(self, current):
        if not self.early.isChecked():
            return None
        options = _options(current, EARLY_STOPPING_DEFAULTS) or dict(EARLY_STOPPING_DEFAULTS)
        options.update(monitor=self.early_monitor.currentText().strip() or "val_loss",
                       patience=self.early_patience.value(),
                       restore_best_weights=self.early_restore.isChecked())
        return options

    def _read_fine_tune(self, current):
        if not self.fine_tune.isChecked():
            return None
        return {"epochs": self.fine_tune_epochs.value(),
                "unfrozen_top": self.fine_tune_top.value(),
                "learning_rate": self.fine_tune_rate.value()}

    def _read_checkpoint(self, current):
        options = dict(current) if isinstance(current, dict) else \
            dict(_options(current, CHECKPOINT_DEFAULTS) or {})
        options.update(save_best=self.save_best.isChecked(),
                       monitor=self.checkpoint_monitor.currentText().strip() or "val_loss")
        return options

    def _read_lr_schedule(self, current):
        kind = self.schedule.currentText()
        if not self.schedule.isEnabled():
            return current
        if kind == "none":
            return None
        same = isinstance(current, dict) and current.get("kind") == kind
        options = {"kind": kind}
        for key, default in SCHEDULE_PARAMS[kind]:
            field = self.schedule_fields[kind, key]
            if not same:
                options[key] = default
            elif isinstance(field, QComboBox):
                options[key] = field.currentText().strip() or default
            else:
                options[key] = field.value()
        return options


def _options(setting, defaults):
    """None/False (off), True (the defaults) or an object, as a dict or None."""
    if setting is None or setting is False:
        return None
    if setting is True:
        return dict(defaults)
    return {**defaults, **setting} if isinstance(setting, dict) else None


def _number(value, default):
    """``value`` when it is a number, else ``default``: a word typed into the file by hand is
    not shown, and core.training.settings names it when a run starts."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    return value if ok and abs(value) < INT_LIMIT else default


def _per_output(metrics):
    """Metrics given per output: an object by output name, or a list of lists."""
    return isinstance(metrics, dict) or any(isinstance(m, list) for m in metrics or [])


def _text(value):
    return value if isinstance(value, str) else json.dumps(value)


def _set_combo(combo, text, items):
    """Put ``items`` in ``combo`` (when they changed) and show ``text``, a listed item or not."""
    wanted = list(items)
    if text not in wanted:
        wanted = [text] + wanted
    if [combo.itemText(i) for i in range(combo.count())] != wanted:
        combo.clear()
        combo.addItems(wanted)
    combo.setCurrentIndex(wanted.index(text))
    if combo.isEditable():
        combo.setEditText(text)

