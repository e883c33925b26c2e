"""Import TensorFlow/Keras in the background so the window paints first.

Importing TensorFlow takes several seconds; doing it on the GUI thread would
freeze the window before it ever appears. The worker only imports and reports.
"""

from PySide6.QtCore import QThread, Signal

from ui.job_thread import unexpected_error_text


class KerasLoader(QThread):
    """Imports Keras off the GUI thread.

    Signals:
        loaded(str): a short description of the versions and compute device.
        failed(str): why TensorFlow could not be imported, with the fix.
    """

    loaded = Signal(str)
    failed = Signal(str)

    def run(self):
        try:
            from core.devices import device_summary
            from core.keras_env import keras

            keras()
            self.loaded.emit(device_summary())
        except Exception as exc:  # an ImportError, or a broken CUDA install
            self.failed.emit(f"TensorFlow could not be loaded: {unexpected_error_text(exc)}. "
                             "Reinstall it with `python -m pip install -e .`.")
