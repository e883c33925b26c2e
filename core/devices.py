"""Which compute devices TensorFlow sees, in words a user understands."""

import platform


def device_summary():
    """"TensorFlow 2.21.0 · Keras 3.15.1 · CPU (no GPU: ...)" for the status bar."""
    import tensorflow as tf

    from core.keras_env import keras

    versions = f"TensorFlow {tf.__version__} · Keras {keras().__version__}"
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        names = ", ".join(gpu.name.replace("/physical_device:", "") for gpu in gpus)
        return f"{versions} · GPU: {names}"
    return f"{versions} · CPU ({why_no_gpu()})"


def why_no_gpu():
    """The likely reason TensorFlow uses no GPU here, and what to do about it."""
    import tensorflow as tf

    system = platform.system()
    if system == "Windows":
        return "no GPU: TensorFlow >= 2.11 uses GPUs on Windows only under WSL2"
    if system == "Darwin":
        return "no GPU: install tensorflow-metal for Apple GPUs"
    if not tf.test.is_built_with_cuda():
        return "no GPU: this TensorFlow has no CUDA; install the `gpu` extra"
    return "no GPU found: check the NVIDIA driver (nvidia-smi)"
