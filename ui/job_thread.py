"""One long core call in a QThread, its callbacks and outcome turned into signals.

The Text and Zoo tabs (and Edit › Import word vectors…) run every slow call this way:
a plain function that takes ``on_progress`` and ``should_stop`` (and, for jobs that
yield results one by one, ``on_result``), run once off the GUI thread. Connect the
signals to methods of GUI-owned QObjects: Qt then queues them to the GUI thread (a
plain lambda would run in this thread instead).
"""

import threading

from PySide6.QtCore import QThread, Signal

from core.errors import WorkbenchError


class JobThread(QThread):
    """Runs ``function(*args, on_progress=..., should_stop=..., **kwargs)`` once.

    Signals:
        progressed(object, object): done and total as the job reports them (total may
            be None when unknown).
        result_ready(object): one result, for jobs that pass them on (``passes_results``).
        succeeded(object): the function's return value.
        failed(str): a WorkbenchError's message (what went wrong and the fix), or the
            type and text of an unexpected exception.
        stopped(str): :meth:`request_stop` ended the job early; what was done.

    Attributes:
        kind: what the job is, for the tab that started it ("embed", "classify", ...).
    """

    progressed = Signal(object, object)
    result_ready = Signal(object)
    succeeded = Signal(object)
    failed = Signal(str)
    stopped = Signal(str)

    passes_results = False  # also give the function on_result=self.result_ready.emit

    def __init__(self, kind, function, *args, parent=None, **kwargs):
        super().__init__(parent)
        self.kind = kind
        self._call = (function, args, kwargs)
        self._stop = threading.Event()

    def request_stop(self):
        """Ask the job to end at its next check (between batches; loading cannot be cut short)."""
        self._stop.set()

    def stop_requested(self):
        return self._stop.is_set()

    def stop_errors(self):
        """The exception types by which a job says it stopped as asked."""
        return ()

    def run(self):
        function, args, kwargs = self._call
        callbacks = {"on_progress": self.progressed.emit, "should_stop": self._stop.is_set}
        if self.passes_results:
            callbacks["on_result"] = self.result_ready.emit
        try:
            result = function(*args, **callbacks, **kwargs)
        except self.stop_errors() as exc:
            self.stopped.emit(str(exc))
        except WorkbenchError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a job must never end the thread silently
            self.failed.emit(unexpected_error_text(exc))
        else:
            self.succeeded.emit(result)


def unexpected_error_text(exc, limit=500):
    """``Type: message`` of an exception that is not one of the app's own (WorkbenchError).

    The type says what kind of trouble it was where the text alone would not (a
    KeyError's text is only the key; a MemoryError has none).
    """
    text = str(exc).strip()[:limit]
    if not text and isinstance(exc, MemoryError):
        text = "the computer ran out of memory; close other programs or use less data"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
