"""Keras 2 (tf.keras 2.x) model files opened in Keras 3.

Most Keras models in the wild were saved by Keras 2: Teachable Machine's
``keras_model.h5``, years of tutorials' LSTM, GRU and MobileNet models. Keras 3
refuses many of them over small config differences (``groups`` on
DepthwiseConv2D, ``time_major`` on recurrent layers ...). This package reads
such a file as data, refuses code as any import does (core.model_safety),
rewrites the differences layer by layer from one table (core.legacy.translate),
builds the Keras 3 model and loads every weight by layer name with shape checks
(core.legacy.weights).

Entry points: :func:`is_legacy_file` (cheap: json/h5py only) and
:func:`load_legacy_model` (core.legacy.loader), which
``core.keras_import.load_model_safely`` calls for every Keras 2 file.
"""

from core.legacy.h5_reader import is_keras_json, is_legacy_file


def load_legacy_model(path):
    """See core.legacy.loader.load_legacy_model (imported on first use: it needs Keras)."""
    from core.legacy.loader import load_legacy_model as load

    return load(path)


__all__ = ["is_keras_json", "is_legacy_file", "load_legacy_model"]
