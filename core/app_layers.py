"""Layers that Keras Workbench itself provides, beside the public ``keras.layers``.

Some things a project needs are not a single Keras layer: a Keras-applications
backbone (transfer learning) or a frozen TF-Hub ELMo module. Each is a Keras 3
layer class registered under the ``workbench`` package, and lives in its own
module so that naming it here costs nothing until a graph uses it.

These classes are the only non-Keras classes the builder instantiates and the
only custom classes a model file may name (core.model_safety): their code ships
with the application, not in the file. Each must validate its own config; in
particular it must never load a path named in a file unless that path resolves
inside the application's own store (DESIGN.md, security).
"""

import importlib

PACKAGE = "workbench"

# class_name -> module that defines (and registers) it. Modules are imported on first use.
APP_LAYER_MODULES = {
    "ZooBackbone": "core.zoo.backbone_layer",
    "ElmoEmbedding": "core.text.elmo_layer",
}


def is_app_layer(class_name):
    """True when ``class_name`` names a layer this application provides."""
    return class_name in APP_LAYER_MODULES


def registered_name(class_name):
    """The name Keras serializes an app layer under (``workbench>ClassName``)."""
    return f"{PACKAGE}>{class_name}"


def app_layer_class(class_name):
    """The class of an app layer, importing (and so registering) its module.

    Returns:
        The layer class, or None when ``class_name`` is not an app layer.
    """
    module_name = APP_LAYER_MODULES.get(class_name)
    if module_name is None:
        return None
    return getattr(importlib.import_module(module_name), class_name)


def register_app_layers_in(config):
    """Import the module of every app layer a serialized model config names.

    Keras finds a registered class only once its module has been imported; call
    this before ``keras.saving.load_model`` on a file that may hold app layers.
    """
    names = set()
    _collect_class_names(config, names)
    for name in names & set(APP_LAYER_MODULES):
        app_layer_class(name)


def _collect_class_names(value, names):
    if isinstance(value, dict):
        if isinstance(value.get("class_name"), str):
            names.add(value["class_name"])
        for item in value.values():
            _collect_class_names(item, names)
    elif isinstance(value, list):
        for item in value:
            _collect_class_names(item, names)
