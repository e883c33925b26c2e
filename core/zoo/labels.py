"""The 1,000 ImageNet class names, read from the copy shipped in resources/.

``keras.applications.*.decode_predictions`` downloads this very file at first
use; the app decodes with its own copy (byte-identical to Keras's,
resources/data/README.md) so a prediction never needs the network.
"""

import functools
import json

from core.errors import WorkbenchError
from core.resources import resource_path

IMAGENET_CLASS_INDEX = ("data", "imagenet_class_index.json")


@functools.lru_cache(maxsize=1)
def imagenet_classes():
    """The ImageNet classes in output order, as ``(wordnet_id, name)`` pairs.

    Names are Keras's (``"Indian_elephant"``), so results match ``decode_predictions``.

    Raises:
        WorkbenchError: when the shipped file is missing or damaged (a broken install).
    """
    path = resource_path(*IMAGENET_CLASS_INDEX)
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
        classes = tuple((index[str(i)][0], index[str(i)][1]) for i in range(len(index)))
    except (OSError, ValueError, KeyError, IndexError) as exc:
        raise WorkbenchError(f"The ImageNet class names cannot be read from {path} ({exc}): "
                             "reinstall the application.") from None
    if len(classes) != 1000:
        raise WorkbenchError(f"{path} holds {len(classes)} ImageNet classes instead of 1000: "
                             "reinstall the application.")
    return classes


def imagenet_labels():
    """The 1,000 ImageNet class names in output order (``"tench"``, ``"goldfish"``, ...)."""
    return [name for _, name in imagenet_classes()]
