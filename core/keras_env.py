"""Import Keras (and TensorFlow under it) once, at first need, quietly.

TensorFlow takes several seconds to import. Nothing in core imports it at module
level except the modules that only run when Keras is needed, and they go
through :func:`keras` so the backend and log level are set first.
"""

import os
import threading

_lock = threading.Lock()
_keras = None


def keras():
    """Return the ``keras`` module, importing it (and TensorFlow) on first call.

    Thread-safe: the window imports it in a background thread while the user
    works, and the first real use waits for that import instead of racing it.
    """
    global _keras
    if _keras is None:
        with _lock:
            if _keras is None:
                os.environ.setdefault("KERAS_BACKEND", "tensorflow")
                # TensorFlow's C++ INFO/WARNING lines are noise for our users.
                os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
                import keras as keras_module

                _keras = keras_module
    return _keras


def is_loaded():
    """True once Keras has been imported (cheap; never triggers the import)."""
    return _keras is not None
