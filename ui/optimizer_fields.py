"""The optimizer part of the Train tab's settings: its class, learning rate and arguments.

The arguments' editors are generated from core.catalog's description of the chosen
Keras optimizer (the same editors as the layer form), so every optimizer Keras has
gets a form without code of its own.
"""

import copy
import json

from PySide6.QtCore import Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QWidget

from ui.param_editors import make_editor

# Arguments the form leaves to the project file: rarely changed, or set elsewhere
# (the learning rate has its own field, mixed precision sets the loss scale).
HIDDEN_ARGS = {"learning_rate", "global_clipnorm", "use_ema", "ema_momentum",
               "ema_overwrite_frequency", "loss_scale_factor", "gradient_accumulation_steps",
               "exclude_layers", "exclude_embeddings"}


class OptimizerFields(QWidget):
    """Optimizer class, learning rate and the class's arguments, for ``training.optimizer``.

    Signals:
        committed(): the user finished an entry; the owner reads :meth:`read`.
    """

    committed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.specs = {}  # class name -> core.catalog ObjectSpec, once Keras has loaded
        self.editors = {}
        self._shown_class = None
        self.optimizer = QComboBox(self, objectName="train_optimizer",
                                   toolTip="keras.optimizers class")
        self.optimizer.activated.connect(self.committed)
        self.learning_rate = QLineEdit(self, objectName="train_learning_rate",
                                       toolTip="The optimizer's learning rate (a schedule "
                                       "starts from it)")
        validator = QDoubleValidator(1e-12, 100.0, 12, self)
        validator.setNotation(QDoubleValidator.ScientificNotation)
        self.learning_rate.setValidator(validator)
        self.learning_rate.editingFinished.connect(self.committed)
        self.params = QWidget(self, objectName="train_optimizer_params")
        self._params_form = QFormLayout(self.params)
        self._params_form.setContentsMargins(12, 0, 0, 0)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Optimizer", self.optimizer)
        form.addRow("Learning rate", self.learning_rate)
        form.addRow(self.params)

    def set_specs(self, specs):
        """The optimizers to offer: ``{class name: ObjectSpec}`` (from core.catalog)."""
        self.specs = dict(specs)
        self._shown_class = None  # rebuild the arguments at the next show()

    def show_setting(self, spec):
        """Show ``training.optimizer`` (``{"class_name", "config"}``)."""
        name = spec.get("class_name", "Adam")
        config = spec.get("config") or {}
        names = list(self.specs) if name in self.specs else [name, *self.specs]
        if [self.optimizer.itemText(i) for i in range(self.optimizer.count())] != names:
            self.optimizer.clear()
            self.optimizer.addItems(names)
        self.optimizer.setCurrentText(name)
        rate = config.get("learning_rate", 0.001)
        # A word or a schedule typed into the file is shown as it is; a run names the problem.
        number = isinstance(rate, (int, float)) and not isinstance(rate, bool)
        self.learning_rate.setText(repr(float(rate)) if number
                                   else rate if isinstance(rate, str) else json.dumps(rate))
        if name != self._shown_class:
            self._rebuild(self.specs.get(name), config)
        for key, editor in self.editors.items():
            editor.show_value(config.get(key, editor.spec.default))

    def read(self, spec):
        """``training.optimizer`` as the fields say (``spec``: the current one).

        Raises:
            ValueError: for a field that cannot be read, with what to type.
        """
        name = self.optimizer.currentText()
        same = name == spec.get("class_name")
        config = copy.deepcopy(spec.get("config") or {}) if same else {}
        for key, editor in self.editors.items() if same else ():
            value = editor.value()
            if value == editor.spec.default:
                config.pop(key, None)  # Keras's default: leave the file short
            else:
                config[key] = value
        try:
            config["learning_rate"] = float(self.learning_rate.text())
        except ValueError:
            raise ValueError(f"Enter a learning rate such as 0.001; received "
                             f"`{self.learning_rate.text()}`.") from None
        return {"class_name": name, "config": config}

    def _rebuild(self, spec, config):
        while self._params_form.rowCount():
            self._params_form.removeRow(0)
        self.editors = {}
        self._shown_class = spec.class_name if spec else None
        for param in (spec.params if spec else ()):
            if param.name in HIDDEN_ARGS:
                continue
            editor = make_editor(param, config.get(param.name, param.default),
                                 self.committed.emit, spec.class_name, self.params)
            editor.spec = param
            editor.setToolTip(param.help)
            editor.setObjectName(f"train_optimizer_{param.name}")
            self.editors[param.name] = editor
            self._params_form.addRow(param.name, editor)
