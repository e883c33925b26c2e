"""Import Keras (and TensorFlow under it) once, at first need, quietly.

TensorFlow takes several seconds to import. Nothing in core imports it at module
level except the modules that only run when Keras is needed, and they go
through :func:`keras` so the backend and log level are set first.
"""

import contextlib
import os
import sys
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
                with _native_stderr_silenced():
                    import keras as keras_module
                    import tensorflow as tf

                    # Probing devices now keeps CUDA's "failed call to cuInit" inside the
                    # silenced block instead of in the middle of a user's output.
                    tf.config.list_physical_devices()
                    from core.devices import enable_memory_growth

                    enable_memory_growth()  # before any GPU is used, or it cannot be set

                _keras = keras_module
    return _keras


@contextlib.contextmanager
def _native_stderr_silenced():
    """Hide what TensorFlow's C++ code prints while it loads ("Could not find cuda drivers").

    Those lines come from absl before TF_CPP_MIN_LOG_LEVEL applies, so only the file
    descriptor can hide them. Python exceptions still surface after it is restored.
    Set KWB_TF_LOGS=1 to see them.
    """
    if os.environ.get("KWB_TF_LOGS") == "1":
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (a GUI launcher on Windows)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def is_loaded():
    """True once Keras has been imported (cheap; never triggers the import)."""
    return _keras is not None
