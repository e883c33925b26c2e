"""The application's own error types.

core raises these; the window shows ``str(exc)``; the command line prints it
on one line and exits 2 (bad input) or 1 (the job ran and failed). Messages
name the thing at fault and the fix, in Keras's voice.
"""


class WorkbenchError(Exception):
    """Base class of every error the application reports to a user."""

    exit_code = 2


class ProjectFormatError(WorkbenchError):
    """A project file cannot be read: broken JSON, a bad field, a future version.

    Attributes:
        field: dotted path of the field at fault (``"model.nodes[2].inputs"``), or None.
    """

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class GraphError(WorkbenchError):
    """A problem in the model graph, pinned to a node and, where known, a field."""

    def __init__(self, message, node=None, field=None):
        super().__init__(message)
        self.node = node
        self.field = field


class UnsafeModelError(WorkbenchError):
    """A model file holds code (a Lambda layer, a custom class) and was refused."""


class LegacyModelError(WorkbenchError):
    """A Keras 2 model file that cannot be opened in Keras 3; the reason is given per layer.

    Attributes:
        problems: ``{layer name: reason}``.
    """

    def __init__(self, message, problems=None):
        super().__init__(message)
        self.problems = dict(problems or {})


class DataError(WorkbenchError):
    """A data source cannot be loaded or does not fit the model."""


class TrainingError(WorkbenchError):
    """A training run started but failed (diverged, crashed)."""

    exit_code = 1


def expect_type(value, kind, where):
    """Raise ProjectFormatError naming ``where`` unless ``value`` is a ``kind``."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        expected = {dict: "an object", list: "a list", str: "a string",
                    int: "an integer"}.get(kind, kind.__name__)
        raise ProjectFormatError(
            f"Invalid value for `{where}`: expected {expected}, received "
            f"{type(value).__name__} {value!r:.60}.", field=where)
