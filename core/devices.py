"""Which compute devices TensorFlow sees, in words a user understands.

The GPU list is read once (TensorFlow's device details, and the memory from
``nvidia-smi`` when it is there, since TensorFlow does not report a GPU's size
without allocating on it) and kept: the window's loader thread reads it first,
so the GUI thread later only reads the cache.
"""

import functools
import os
import platform
from dataclasses import dataclass

# Mixed precision (float16 compute) pays off on Tensor Cores: compute capability 7.0 (Volta) up.
MIXED_PRECISION_CAPABILITY = (7, 0)


@dataclass(frozen=True)
class Gpu:
    """One GPU TensorFlow can use.

    Attributes:
        index: TensorFlow's number for it ("/GPU:0").
        name: the product name ("NVIDIA H200"), or TensorFlow's device name.
        memory_mib: its memory in MiB, or None when unknown.
        compute_capability: ``(major, minor)``, or None when unknown.
    """

    index: int
    name: str
    memory_mib: int = None
    compute_capability: tuple = None

    def describe(self):
        """``GPU 0: NVIDIA H200, 140 GiB``."""
        memory = f", {self.memory_mib / 1024:.0f} GiB" if self.memory_mib else ""
        return f"GPU {self.index}: {self.name}{memory}"


@functools.lru_cache(maxsize=1)
def gpus():
    """The GPUs TensorFlow sees, as a tuple of :class:`Gpu` (read once, then cached)."""
    import tensorflow as tf

    memory = _nvidia_smi_memory()
    found = []
    for index, device in enumerate(tf.config.list_physical_devices("GPU")):
        try:
            details = tf.config.experimental.get_device_details(device)
        except (ValueError, RuntimeError):
            details = {}
        capability = details.get("compute_capability")
        found.append(Gpu(index, details.get("device_name") or device.name.split(":", 1)[-1],
                         memory.get(_physical_index(index)),
                         tuple(capability) if capability else None))
    return tuple(found)


def _physical_index(index):
    """nvidia-smi's number of TensorFlow's GPU ``index`` (CUDA_VISIBLE_DEVICES renumbers)."""
    visible = [v.strip() for v in os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",")
               if v.strip()]
    if index < len(visible) and visible[index].isdigit():
        return int(visible[index])
    return index


def _nvidia_smi_memory():
    """``{index: MiB}`` from nvidia-smi, or {} when it is missing or fails."""
    import shutil
    import subprocess

    tool = shutil.which("nvidia-smi")
    if tool is None:
        return {}
    try:
        out = subprocess.run([tool, "--query-gpu=index,memory.total",
                              "--format=csv,noheader,nounits"], capture_output=True, text=True,
                             timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    memory = {}
    for line in out.splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
            memory[int(parts[0])] = int(parts[1])
    return memory


def enable_memory_growth():
    """Let TensorFlow take GPU memory as it needs it instead of all of it at start.

    Without it TensorFlow reserves nearly the whole GPU for the first model, so a
    second run (or another program) finds none left. Must run before a GPU is used;
    later it is a no-op.
    """
    import tensorflow as tf

    for device in tf.config.list_physical_devices("GPU"):
        try:
            tf.config.experimental.set_memory_growth(device, True)
        except (RuntimeError, ValueError):  # already initialized: keep what it has
            pass


def device_summary():
    """"TensorFlow 2.21.0 · Keras 3.15.1 · CPU (no GPU: ...)" for the status bar."""
    import tensorflow as tf

    from core.keras_env import keras

    versions = f"TensorFlow {tf.__version__} · Keras {keras().__version__}"
    found = gpus()
    if found:
        return f"{versions} · " + "; ".join(gpu.describe() for gpu in found)
    return f"{versions} · CPU ({why_no_gpu()})"


def training_device(device="auto"):
    """Where a run with ``training.device`` = ``device`` trains, in words.

    Returns:
        ``(text, gpu)``: a line such as "GPU 0: NVIDIA H200, 140 GiB" or "CPU —
        no GPU: ...", and the :class:`Gpu` used (the first, for "all"), or None for the CPU.
    """
    device = str(device or "auto").lower()
    found = gpus()
    if device == "cpu":
        return "CPU (chosen in the settings)", None
    if device == "all" and len(found) > 1:
        return f"all {len(found)} GPUs, mirrored: " + "; ".join(g.describe() for g in found), \
            found[0]
    kind, _, number = device.partition(":")
    index = int(number) if kind == "gpu" and number.isdigit() else 0
    if found and index < len(found):
        return found[index].describe(), found[index]
    if found:
        return f"GPU {index} does not exist ({len(found)} found): choose auto or gpu:0", None
    return f"CPU — {why_no_gpu()}", None


def mixed_precision_support(device="auto"):
    """Whether mixed precision speeds up training on ``training.device``, and why.

    Returns:
        ``(supported, reason)``.
    """
    text, gpu = training_device(device)
    need = ".".join(str(v) for v in MIXED_PRECISION_CAPABILITY)
    if gpu is None:
        return False, (f"Mixed precision needs a GPU of compute capability {need} or higher; "
                       f"training runs on the {text}.")
    if gpu.compute_capability is None:
        return True, f"{text}: its compute capability is unknown; mixed precision may not help."
    have = ".".join(str(v) for v in gpu.compute_capability)
    if tuple(gpu.compute_capability) < MIXED_PRECISION_CAPABILITY:
        return False, (f"{text} has compute capability {have}; mixed precision speeds up only "
                       f"{need} or higher.")
    return True, f"{text} (compute capability {have}) computes float16 on its Tensor Cores."


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
