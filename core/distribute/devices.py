"""``--devices``: which devices a run uses, set up before TensorFlow touches them.

A spec is one of::

    cpu        the CPU, with GPUs hidden
    cpu:N      the CPU split into N logical devices (tries multi-device training anywhere)
    gpu        the first GPU
    gpu:0,1    these GPUs (gpu:1 is one GPU: the second)
    all        every GPU, or the CPU when there is none

TensorFlow fixes its devices the first time it runs an op: hiding GPUs,
turning on memory growth and splitting the CPU must come before that, so
:func:`configure_devices` is called first thing by the command line. Parsing
(:func:`parse_devices`) does not import TensorFlow.
"""

import re
from dataclasses import dataclass

from core.devices import MIXED_PRECISION_CAPABILITY
from core.errors import WorkbenchError

DEVICE_SPECS = "cpu, cpu:N, gpu, gpu:0,1 or all"


@dataclass(frozen=True)
class DeviceChoice:
    """A parsed ``--devices`` spec.

    Attributes:
        kind: "cpu", "gpu" or "all".
        gpus: the GPU indices of ``gpu:...`` (physical numbering).
        cpus: logical CPU devices of ``cpu:N`` (1 for plain ``cpu``).
        text: the spec as given.
    """

    kind: str
    gpus: tuple = ()
    cpus: int = 1
    text: str = ""


def parse_devices(text):
    """The DeviceChoice of a ``--devices`` spec.

    Raises:
        WorkbenchError: for a spec that is none of :data:`DEVICE_SPECS`.
    """
    spec = str(text).strip().lower().replace(" ", "")
    if spec in ("cpu", "all"):
        return DeviceChoice(spec, text=spec)
    if spec == "gpu":
        return DeviceChoice("gpu", gpus=(0,), text=spec)
    match = re.fullmatch(r"(cpu|gpu):(\d+(?:,\d+)*)", spec)
    if match:
        numbers = [int(n) for n in match.group(2).split(",")]
        if match.group(1) == "cpu" and len(numbers) == 1 and numbers[0] >= 1:
            return DeviceChoice("cpu", cpus=numbers[0], text=spec)
        if match.group(1) == "gpu" and len(set(numbers)) == len(numbers):
            return DeviceChoice("gpu", gpus=tuple(numbers), text=spec)
    raise WorkbenchError(f"Invalid value for `--devices`: expected {DEVICE_SPECS}, "
                         f"received {text!r}.")


def configure_devices(choice=None):
    """Make TensorFlow see the devices of ``choice``; return their logical names.

    Hides the GPUs not chosen, turns on memory growth on the chosen ones (a
    run then takes the memory it needs instead of all of it) and splits the
    CPU for ``cpu:N``. Calling it again with the same choice is harmless.

    Args:
        choice: a DeviceChoice, a spec string, or None for TensorFlow's own
            choice (memory growth on, nothing hidden).

    Returns:
        The logical device names a strategy should use, such as
        ``["/cpu:0", "/cpu:1"]`` or ``["/gpu:0"]``.

    Raises:
        WorkbenchError: for GPUs that are not there, or when TensorFlow has
            already set up its devices in this process.
    """
    from core.keras_env import keras

    keras()  # imports TensorFlow quietly; listing physical devices does not fix them yet
    import tensorflow as tf

    if isinstance(choice, str):
        choice = parse_devices(choice)
    gpus = tf.config.list_physical_devices("GPU")
    try:
        if choice is None or choice.kind == "all":
            chosen = gpus
        elif choice.kind == "cpu":
            chosen = []
        else:
            chosen = [_physical_gpu(gpus, i, choice.text) for i in choice.gpus]
        if gpus and (choice is not None and choice.kind != "all"):
            tf.config.set_visible_devices(chosen, "GPU")
        for gpu in chosen:
            tf.config.experimental.set_memory_growth(gpu, True)
        if choice is not None and choice.cpus > 1:
            _split_cpu(tf, choice.cpus)
    except RuntimeError as exc:  # "... cannot be modified after being initialized"
        if choice is None:
            return []  # only memory growth was asked for, and it is too late: no harm done
        raise WorkbenchError(
            f"Cannot set `--devices {choice.text}`: TensorFlow has already "
            f"set up its devices in this process ({exc}). Devices are chosen when the program "
            "starts: run the command again, or restart the application.") from None
    if chosen:
        return [f"/gpu:{i}" for i in range(len(chosen))]
    count = choice.cpus if choice is not None else 1
    return [f"/cpu:{i}" for i in range(count)]


def _physical_gpu(gpus, index, spec):
    if index < len(gpus):
        return gpus[index]
    from core.devices import why_no_gpu

    found = f"{len(gpus)} GPU(s) found" if gpus else why_no_gpu()
    raise WorkbenchError(f"`--devices {spec}` asks for GPU {index} but {found}. Use "
                         "`--devices cpu`, or `--devices all` for whatever is there.")


def _split_cpu(tf, count):
    cpu = tf.config.list_physical_devices("CPU")[0]
    current = tf.config.get_logical_device_configuration(cpu)
    if current is not None and len(current) == count:
        return  # already split this way (a second run in the same process)
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(count)])


def mixed_precision_supported():
    """True when every GPU TensorFlow uses has compute capability 7.0 or more.

    False without a GPU: on a CPU mixed_float16 runs, but slower than float32.
    Unlike core.devices.mixed_precision_support (one chosen device, for the
    Train tab), this looks at every visible GPU, as a distributed run uses them all.
    """
    import tensorflow as tf

    gpus = tf.config.get_visible_devices("GPU")
    if not gpus:
        return False
    for gpu in gpus:
        capability = tf.config.experimental.get_device_details(gpu).get("compute_capability")
        if capability is None or tuple(capability) < MIXED_PRECISION_CAPABILITY:
            return False
    return True
