"""The compile-time vocabulary: activations, losses, optimizers, metrics, initializers, ...

Generated from Keras's own modules (their public names, the classes behind them,
constructor signatures and docstrings), so every name listed is one Keras
accepts. Importing this module is cheap; Keras is imported at the first call.
"""

import functools
import inspect
from dataclasses import dataclass, replace
from types import MappingProxyType

from core.catalog_params import class_arg_helps, make_param, signature_params, summary
from core.keras_env import keras

# Base classes and wrappers that cannot be used on their own, per module.
_EXCLUDED = {
    "activations": set(),
    "initializers": {"Initializer"},
    "regularizers": {"Regularizer"},
    "constraints": {"Constraint"},
    "losses": {"Loss"},
    # Mean/Sum aggregate arbitrary values, MeanMetricWrapper needs a function:
    # none of them is a (y_true, y_pred) metric that compile() can use.
    "metrics": {"Metric", "Mean", "Sum", "MeanMetricWrapper"},
    # LossScaleOptimizer wraps another optimizer; MultiOptimizer/OptimizerMap map
    # variables to optimizers, which a settings form cannot express.
    "optimizers": {"Optimizer", "LossScaleOptimizer", "MultiOptimizer", "OptimizerMap"},
}
# Arguments a form never shows: the object's name and dtype are set by the application.
_HIDDEN_ARGS = {"name", "dtype"}
# Values for arguments Keras requires, so that a new object can be made at once.
_STARTERS = {"num_classes": 2, "target_class_ids": [0], "recall": 0.5, "precision": 0.5,
             "specificity": 0.5, "sensitivity": 0.5}
_NOT_NAMES = {"get", "serialize", "deserialize"}


@dataclass(frozen=True)
class ObjectSpec:
    """A Keras object that compile() or a layer argument can name.

    Attributes:
        name: the snake-case name (``"binary_crossentropy"``, ``"adam"``, ``"auc"``).
        class_name: the class behind it (``"Adam"``, ``"AUC"``), or None for a plain function.
        summary: the first sentence of its docstring.
        params: the class's constructor arguments (empty for a plain function).
        alias_of: the name this one abbreviates (``"mse"`` -> ``"mean_squared_error"``), or None.
        by_name: Keras accepts ``name`` as a string identifier (``keras.<module>.get(name)``
            and compile); else build it with :func:`make_object`.
    """

    name: str
    class_name: str = None
    summary: str = ""
    params: tuple = ()
    alias_of: str = None
    by_name: bool = True

    @property
    def needs_config(self):
        """True when Keras cannot make it without arguments (IoU needs ``num_classes``)."""
        return any(p.required for p in self.params)

    def default_config(self):
        """Constructor arguments with their defaults, JSON-able."""
        return {p.name: p.default for p in self.params}


def activations():
    """Every activation function Keras accepts by name: ``{name: ObjectSpec}``."""
    return _objects("activations")


def losses():
    """Every loss in ``keras.losses``, by compile name (aliases such as ``"mse"`` included)."""
    return _objects("losses")


def optimizers():
    """Every optimizer in ``keras.optimizers`` with its hyper-parameters and defaults."""
    return _objects("optimizers")


def metrics():
    """Every metric in ``keras.metrics`` by compile name; class-only ones record their class."""
    return _objects("metrics")


def initializers():
    """Every initializer in ``keras.initializers``, by name."""
    return _objects("initializers")


def regularizers():
    """Every regularizer in ``keras.regularizers``, by name."""
    return _objects("regularizers")


def constraints():
    """Every weight constraint in ``keras.constraints``, by name."""
    return _objects("constraints")


def make_object(module, name, config=None):
    """Make the Keras object ``name`` of ``module`` (``"optimizers"``, ``"metrics"`` ...).

    Args:
        module: one of "activations", "losses", "optimizers", "metrics",
            "initializers", "regularizers", "constraints".
        name: a name from that module's catalog.
        config: constructor arguments; missing ones take the catalog's defaults.

    Returns:
        The class instance (or the function, for a plain function without class).
    """
    spec = _objects(module)[name]
    target = getattr(getattr(keras(), module), spec.class_name or spec.alias_of or name)
    if spec.class_name is None:
        return target
    return target(**{**spec.default_config(), **(config or {})})


@functools.lru_cache(maxsize=None)
def _objects(module_name):
    module = getattr(keras(), module_name)
    registry = _registry(module_name)
    excluded = _EXCLUDED[module_name]
    public = {n: getattr(module, n) for n in dir(module)
              if not n.startswith("_") and n not in _NOT_NAMES}
    classes = {obj.__name__: obj for n, obj in public.items()
               if inspect.isclass(obj) and n[:1].isupper() and obj.__name__ not in excluded}
    specs = {}
    for name, obj in public.items():
        if name[:1].islower() and callable(obj) and not inspect.ismodule(obj):
            cls = obj if inspect.isclass(obj) else _class_for(name, classes)
            if cls is None or cls.__name__ not in excluded:
                specs[name] = _spec(name, obj, cls)
    named = {spec.class_name for spec in specs.values()}
    for cls in classes.values():
        if cls.__name__ not in named:
            name = _registry_name(cls, registry)
            specs[name or cls.__name__.lower()] = _spec(name or cls.__name__.lower(), cls, cls,
                                                        by_name=name is not None)
    _add_aliases(specs, registry, public)
    # Keras's `get` is the judge of which names it takes (Constant is registered but cannot
    # be made from its name; some public functions are not registered at all).
    specs = {name: replace(spec, by_name=spec.by_name and _accepted(module, name))
             for name, spec in specs.items()}
    return MappingProxyType(dict(sorted(specs.items())))


def _accepted(module, name):
    try:
        return module.get(name) is not None
    except Exception:  # Keras raises ValueError, TypeError or KeyError here
        return False


def _registry(module_name):
    """Keras's own name -> object table for ``module_name`` (what ``get`` looks up)."""
    import importlib

    src = importlib.import_module(f"keras.src.{module_name}")
    return dict(getattr(src, "ALL_OBJECTS_DICT", {}))


def _class_for(function_name, classes):
    """The class that goes with a function (``binary_accuracy`` -> BinaryAccuracy)."""
    from keras.src.utils.naming import to_snake_case

    return next((c for c in classes.values() if to_snake_case(c.__name__) == function_name),
                None)


def _registry_name(cls, registry):
    return next((k for k, v in registry.items() if v is cls and k == k.lower()), None)


def _add_aliases(specs, registry, public):
    """Short names Keras accepts (``mse``, ``mae``, ``kld``) as entries of their own."""
    by_object = {}
    for name, spec in specs.items():
        for obj in (public.get(name), public.get(spec.class_name)):
            if obj is not None:
                by_object.setdefault(id(obj), name)
    for key, obj in registry.items():
        target = by_object.get(id(obj))
        if key not in specs and key == key.lower() and target and target != key:
            base = specs[target]
            specs[key] = ObjectSpec(key, base.class_name, base.summary, base.params,
                                    alias_of=target, by_name=base.by_name)


def _spec(name, obj, cls, by_name=True):
    params = ()
    if cls is not None:
        helps = class_arg_helps(cls)
        made = (make_param(arg, default, helps.get(arg, ""), _STARTERS.get(arg))
                for arg, default in signature_params(cls.__init__) if arg not in _HIDDEN_ARGS)
        params = tuple(p for p in made if p is not None)
    return ObjectSpec(name=name, class_name=cls.__name__ if cls is not None else None,
                      summary=summary(inspect.getdoc(obj) or inspect.getdoc(cls)),
                      params=params, by_name=by_name)
