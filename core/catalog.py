"""The layer catalog: every public layer of ``keras.layers``, read from Keras itself.

Each layer's parameters come from its constructor signature (the defaults) and
its docstring's ``Args:`` section (the help texts); only what Keras cannot say
is curated here: the "common" palette, starter values for the arguments Keras
requires (a new Dense gets ``units=32``), how many inputs a layer takes, and
the few classes a project cannot hold. Importing this module is cheap; Keras is
imported at the first call (through core.keras_env) and the catalog is cached.

The compile-time vocabulary (activations, losses, optimizers, metrics) lives in
core.catalog_objects and is re-exported here.
"""

import copy
import difflib
import functools
import inspect
import random
from collections import OrderedDict
from dataclasses import dataclass, replace
from types import MappingProxyType

from core.app_layers import app_layer_class, is_app_layer
from core.catalog_objects import (ObjectSpec, activations, constraints, initializers,  # noqa: F401
                                  losses, make_object, metrics, optimizers, regularizers)
from core.catalog_checks import check_value
from core.catalog_params import (ParamSpec, class_arg_helps, make_param,  # noqa: F401
                                 parse_args, signature_params, summary)
from core.errors import GraphError, WorkbenchError
from core.keras_env import keras

# Palette groups, in display order; a layer's group comes from its Keras package.
GROUPS = ("common", "core", "convolution", "pooling", "recurrent", "attention",
          "normalization", "regularization", "reshaping", "merging", "preprocessing",
          "activation", "other")
_PACKAGE_GROUPS = {"core": "core", "convolutional": "convolution", "pooling": "pooling",
                   "rnn": "recurrent", "attention": "attention", "normalization": "normalization",
                   "regularization": "regularization", "reshaping": "reshaping",
                   "merging": "merging", "preprocessing": "preprocessing",
                   "activations": "activation"}
# The layers most models are made of, shown first in the palette.
COMMON = ("Dense", "Conv2D", "MaxPooling2D", "Flatten", "Dropout", "BatchNormalization",
          "LSTM", "GRU", "Embedding", "Conv1D", "GlobalAveragePooling2D", "Activation",
          "Concatenate", "Add", "LayerNormalization", "MultiHeadAttention", "Reshape")
# Public Layer classes of keras.layers that the catalog leaves out, and why.
EXCLUDED = {
    "Layer": "the abstract base class of all layers",
    "Wrapper": "the abstract base class of wrappers (use Bidirectional, TimeDistributed)",
    "Lambda": "it holds Python code, which a project file must not run",
    "TFSMLayer": "it loads a SavedModel from a path named in its config",
    "FlaxLayer": "it wraps a Flax module and needs the JAX backend",
    "JaxLayer": "it wraps JAX functions and needs the JAX backend",
    "TorchModuleWrapper": "it wraps a torch module and needs the PyTorch backend",
}
# Arguments a form never shows: the node id is the name; weights/tensors are not settings.
_HIDDEN = {"name", "weights", "input_tensor"}
# The graph gives an input node `shape`, `dtype` and `sparse` only (see core.graph).
_HIDDEN_BY_CLASS = {"InputLayer": {"batch_size", "batch_shape", "ragged", "optional"}}
# Values for the arguments Keras requires, so a dropped layer works at once.
_STARTERS = {
    "units": 32, "filters": 32, "rate": 0.5, "input_dim": 1000, "output_dim": 64,
    "activation": "relu", "height": 32, "width": 32, "axes": -1, "equation": "ab,bc->ac",
    "output_shape": 16, "stddev": 0.1, "head_dim": 16, "num_query_heads": 4,
    "num_key_value_heads": 2, "num_heads": 2, "key_dim": 16, "num_bins": 16, "max_number": 10,
    "factor": 0.2, "dims": [2, 1], "n": 3, "scale": 1 / 255, "target_shape": [-1],
    "height_factor": 0.2, "width_factor": 0.2,
}
# Starter sizes repeated once per spatial axis (Conv2D kernel_size [3, 3]).
_SPATIAL_STARTERS = {"kernel_size": 3, "pool_size": 2, "output_size": 4}
# Per-class values that differ from Keras's defaults, because Keras's own default
# cannot make a working layer (CategoryEncoding needs num_tokens).
_CLASS_STARTERS = {
    "CategoryEncoding": {"num_tokens": 10},
    "Discretization": {"num_bins": 4},
    "InputLayer": {"shape": [8]},
    "RandomPosterization": {"factor": 4},
    "Bidirectional": {"layer": "LSTM"},
    "TimeDistributed": {"layer": "Dense"},
    "SpectralNormalization": {"layer": "Dense"},
    "RNN": {"cell": "LSTMCell"},
    "StackedRNNCells": {"cells": ["LSTMCell", "LSTMCell"]},
    "Pipeline": {"layers": []},
}
# Layers called on several tensors: (min, max) inputs; max None means any number.
_ARITY = {"Subtract": (2, 2), "Dot": (2, 2), "Attention": (2, 3),
          "AdditiveAttention": (2, 3), "MultiHeadAttention": (2, 3),
          "GroupQueryAttention": (2, 3), "HashedCrossing": (2, 2)}
# Of those, the ones Keras calls with one list rather than separate arguments.
_LIST_INPUT = {"Attention", "AdditiveAttention", "HashedCrossing"}


@dataclass(frozen=True)
class LayerSpec:
    """One layer class, as the palette and the parameter form show it.

    Attributes:
        class_name: the Keras class name (``"Dense"``).
        group: the palette group (one of :data:`GROUPS`, never "common").
        summary: the first sentence of the class docstring.
        doc: the class docstring.
        params: the constructor arguments a form edits, in signature order.
        common: listed in the "common" group too.
        merge: called with one list of tensors (Add, Concatenate, Attention).
        min_inputs: fewest inputs the layer is called on.
        max_inputs: most inputs, or None for any number.
        note: a caution shown with the layer ("" when none).
        aliases: other names keras.layers gives the class (``MaxPool2D``).
    """

    class_name: str
    group: str
    summary: str
    doc: str
    params: tuple
    common: bool = False
    merge: bool = False
    min_inputs: int = 1
    max_inputs: int = 1
    note: str = ""
    aliases: tuple = ()

    def param(self, name):
        """The ParamSpec called ``name``, or None."""
        return next((p for p in self.params if p.name == name), None)


def layer_catalog():
    """Every catalogued layer: a read-only ``{class_name: LayerSpec}``, built once."""
    return _catalog()[0]


def layer_aliases():
    """Other public names of catalogued classes: ``{"MaxPool2D": "MaxPooling2D", ...}``."""
    return _catalog()[1]


def layer_groups():
    """Palette groups in display order, ``"common"`` first: ``{group: [class_name, ...]}``."""
    groups = OrderedDict((g, []) for g in GROUPS)
    catalog = layer_catalog()
    groups["common"] = [name for name in COMMON if name in catalog]
    for name in sorted(catalog):
        groups[catalog[name].group].append(name)
    return OrderedDict((g, names) for g, names in groups.items() if names)


def layer_spec(class_name):
    """The LayerSpec of ``class_name`` (an alias such as ``MaxPool2D`` is accepted).

    Raises:
        WorkbenchError: for a name the catalog does not have, suggesting the closest.
    """
    catalog, aliases = _catalog()
    name = aliases.get(class_name, class_name)
    if name in catalog:
        return catalog[name]
    if is_app_layer(class_name):
        return _app_layer_spec(class_name)
    if class_name in EXCLUDED:
        raise WorkbenchError(f"Layer class `{class_name}` is not available: "
                             f"{EXCLUDED[class_name]}.")
    close = difflib.get_close_matches(class_name, list(catalog) + list(aliases), n=1)
    hint = f": did you mean `{close[0]}`?" if close else ": pick a layer from the palette."
    raise WorkbenchError(f"Unknown layer class `{class_name}`{hint}")


def default_config(class_name):
    """A JSON-able config for a new node of ``class_name`` (without ``name``).

    Every parameter of the catalog is set: Keras's defaults, starter values for the
    arguments Keras requires. The result is a fresh copy the caller may change.
    """
    spec = layer_spec(class_name)
    return _layer_value(spec.class_name, spec.params)["config"]


def validate_param(class_name, name, value):
    """Check one value a form gives for parameter ``name`` of ``class_name``.

    Returns:
        The value normalized for a document (tuples as lists, ints as floats where a
        float is expected).

    Raises:
        GraphError: ``field`` = ``name``, ``node`` = None, with a message such as
            "Invalid value for `units`: expected a positive integer, received -3."
    """
    spec = layer_spec(class_name)
    param = spec.param(name)
    if param is None:
        names = [p.name for p in spec.params]
        close = difflib.get_close_matches(name, names, n=1)
        hint = f" Did you mean `{close[0]}`?" if close else ""
        raise GraphError(f"Layer class `{spec.class_name}` has no parameter `{name}`.{hint}",
                         node=None, field=name)
    return check_value(param, value, known_layer=_is_known_layer)


def nested_layer(class_name, config=None):
    """A value for a ``layer``/``cell`` parameter, in the form Keras deserializes.

    Keras 3 finds a built-in class from such a dict only when ``module`` is given.
    """
    spec = layer_spec(class_name)
    return _layer_value(spec.class_name, spec.params if config is None else None, config)


def _layer_value(class_name, params, config=None):
    if config is None:
        config = {p.name: copy.deepcopy(p.default) for p in params}
    return {"module": "keras.layers", "class_name": class_name, "config": config,
            "registered_name": None}


def _is_known_layer(class_name):
    catalog, aliases = _catalog()
    return aliases.get(class_name, class_name) in catalog


# -- generation ------------------------------------------------------------------------------
def _keeps_python_random(build):
    """Run ``build`` without moving Python's global random state.

    Keras initializers made without a seed draw one from ``random`` (their
    make_default_seed); the catalog makes some to read their defaults. Built
    lazily, it would shift the weights of whichever seeded run first needed it.
    """
    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        state = random.getstate()
        try:
            return build(*args, **kwargs)
        finally:
            random.setstate(state)

    return wrapper


@functools.lru_cache(maxsize=None)
@_keeps_python_random
def _catalog():
    k = keras()
    named = {n: getattr(k.layers, n) for n in dir(k.layers) if not n.startswith("_")}
    classes = {n: c for n, c in named.items()
               if inspect.isclass(c) and issubclass(c, k.layers.Layer)}
    # A class is catalogued under its own name when keras.layers exports it, else under
    # its exported name (GroupedQueryAttention is exported as GroupQueryAttention only).
    canonical = {}
    for n, c in sorted(classes.items()):
        if c.__name__ not in EXCLUDED:
            canonical[c] = c.__name__ if c.__name__ in classes else canonical.get(c, n)
    aliases = {n: canonical[c] for n, c in classes.items() if c in canonical and n != canonical[c]}
    aliases.update({c.__name__: name for c, name in canonical.items() if c.__name__ != name})
    name_choices = _name_choices()
    catalog = {}
    for cls, name in canonical.items():
        own_aliases = tuple(sorted(a for a, target in aliases.items() if target == name))
        catalog[name] = replace(_layer_spec(k, cls, name, name_choices), aliases=own_aliases)
    for name, spec in catalog.items():
        catalog[name] = replace(spec, params=tuple(_nested_default(p, catalog, name)
                                                   for p in spec.params))
    return MappingProxyType(dict(sorted(catalog.items()))), MappingProxyType(aliases)


def _name_choices():
    return {kind: sorted(n for n, s in table().items() if s.alias_of is None and s.by_name)
            for kind, table in (("activation", activations), ("initializer", initializers),
                                ("regularizer", regularizers), ("constraint", constraints))}


@functools.lru_cache(maxsize=None)
@_keeps_python_random
def _app_layer_spec(class_name):
    """A layer the app provides (core.app_layers): a form like Keras's own, not in the palette.

    Its class may offer ``PARAM_CHOICES`` ({argument: values}) for arguments whose
    values a docstring cannot list (the zoo models); ``weights`` is shown there.
    """
    k = keras()
    cls = app_layer_class(class_name)
    choices = getattr(cls, "PARAM_CHOICES", {})
    spec = _layer_spec(k, cls, class_name, _name_choices(), shown=set(choices))
    params = tuple(replace(p, kind="choice", choices=tuple(choices[p.name]))
                   if p.name in choices else p for p in spec.params)
    return replace(spec, group="applications", params=params)


def _layer_spec(k, cls, name, name_choices, shown=()):
    helps = class_arg_helps(cls, stop=k.layers.Layer)
    doc_from = _doc_from()
    if name in doc_from:
        helps = {**parse_args(doc_from[name]), **helps}
    hidden = (_HIDDEN - set(shown)) | _HIDDEN_BY_CLASS.get(name, set())
    starters = _starters(name)
    overrides = _CLASS_STARTERS.get(name, {})
    params = []
    for arg, default in signature_params(cls.__init__):
        if arg in hidden:
            continue
        if arg in overrides and default is not inspect.Parameter.empty:
            default = overrides[arg]  # a curated value where Keras's default cannot work
        param = make_param(arg, default, helps.get(arg, ""), starters.get(arg), name_choices)
        if param is not None:
            params.append(param)
    merge_base = issubclass(cls, k.src.layers.merging.base_merge.Merge)
    low, high = _ARITY.get(name, (2, None) if merge_base else (1, 1))
    # The class's own docstring: inspect.getdoc would give Layer's to an undocumented class.
    doc = inspect.cleandoc(cls.__dict__.get("__doc__") or doc_from.get(name) or "")
    return LayerSpec(
        class_name=name, group=_group(cls), summary=summary(doc), doc=doc, params=tuple(params),
        common=name in COMMON, merge=merge_base or name in _LIST_INPUT,
        min_inputs=low, max_inputs=high, note=_note(cls, params))


def _doc_from():
    """Docstrings of classes documented elsewhere (InputLayer's arguments are on keras.Input)."""
    return {"InputLayer": keras().layers.Input.__doc__}


def _starters(class_name):
    dims = next((int(class_name[i]) for i in range(len(class_name) - 1)
                 if class_name[i] in "123" and class_name[i + 1] == "D"), 1)
    values = dict(_STARTERS)
    values.update({arg: v if dims == 1 else [v] * dims for arg, v in _SPATIAL_STARTERS.items()})
    values.update(_CLASS_STARTERS.get(class_name, {}))
    return values


def _nested_default(param, catalog, owner):
    """Turn a starter class name of a ``layer``/``layers`` parameter into a layer config."""
    if param.kind not in ("layer", "layers") or param.default is None:
        return param
    starter = _CLASS_STARTERS.get(owner, {}).get(param.name)
    if starter is None:
        return param
    if param.kind == "layers":
        value = [_layer_value(c, catalog[c].params) for c in starter]
    else:
        value = _layer_value(starter, catalog[starter].params)
    return replace(param, default=value)


def _group(cls):
    parts = cls.__module__.split(".")
    package = parts[3] if parts[:3] == ["keras", "src", "layers"] and len(parts) > 3 else ""
    return _PACKAGE_GROUPS.get(package, "other")


def _note(cls, params):
    names = {p.name for p in params}
    if "layer" in names:
        return "A wrapper: set `layer` to the layer it wraps."
    if "cell" in names:
        return "A generic RNN: set `cell` to the RNN cell it runs over the time steps."
    if cls.__name__.endswith("Cell") or "cells" in names:
        return "An RNN cell: use it as the `cell` of an RNN layer, not on its own."
    if hasattr(cls, "adapt"):
        return "Learns its state from data: adapt it to the training data before use."
    return ""
