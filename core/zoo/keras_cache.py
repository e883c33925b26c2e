"""Hand a cached weight file to a ``keras.applications`` constructor as Keras's own.

With ``weights="imagenet"`` every constructor asks ``keras.src.utils.file_utils.get_file``
for its file in ``$KERAS_HOME/models``. Called directly that way, Keras would:

- look in the ``KERAS_HOME`` it read at import time (the app and its tests follow the
  environment at each call: core.zoo.weights.cache_dir);
- hash the whole file on every build (a second for VGG16's 528 MB), and on a mismatch
  try to download it again, which offline fails and deletes the cached file.

The app checks a file's hash once, when it imports or downloads it, and by loading it.
So while a zoo model is built, ``get_file`` returns the file the app found for exactly
that file name and passes every other request to Keras's own function. Passing the
path as ``weights=`` instead is not an option: EfficientNet then builds a different
input normalization (DESIGN.md).
"""

import contextlib
import threading
from pathlib import Path

from core.errors import WorkbenchError

# One build at a time swaps get_file; another thread's unrelated get_file call still
# reaches Keras's function through the fallback below.
_lock = threading.RLock()


@contextlib.contextmanager
def served_from_cache(file_name, path):
    """While inside, Keras's ``get_file(file_name, ...)`` returns ``path`` without a download.

    Args:
        file_name: the weight file name the constructor will ask for (the catalog's).
        path: the checked file in the cache. Any other weight file Keras asks for
            (MobileNet's for a smaller input size) is served from the same folder
            when it is there; when not, a WorkbenchError names it and its URL.
    """
    from core.keras_env import keras

    keras()
    from keras.src.utils import file_utils

    with _lock:
        original = file_utils.get_file

        def get_file(fname=None, origin=None, *args, **kwargs):
            if fname == file_name:
                return str(path)
            if kwargs.get("cache_subdir") == "models" and str(fname).endswith(".h5"):
                # Another file of the same model (MobileNet's weights for a smaller input
                # size): use it when cached, never download it behind the user's back.
                other = Path(path).parent / fname
                if other.is_file():
                    return str(other)
                raise WorkbenchError(
                    f"Keras needs the weight file {fname} for this input size, and it is not "
                    f"in the Keras cache {other.parent}. Download it from {origin} into that "
                    f"folder, or use the model's default input size (its file is {file_name}).")
            return original(fname, origin, *args, **kwargs)

        file_utils.get_file = get_file
        try:
            yield
        finally:
            file_utils.get_file = original

