"""Put a Keras 2 file's weights into the Keras 3 model built from its translated config.

Weights are matched by layer name (the HDF5 group of each layer) and, within a
layer, by variable name where the names agree, else by order; every shape is
checked. A nested model's weights sit in one group in Keras 2 files, in
Keras 2's order (its sub-layers' trainable weights, then the non-trainable
ones), so they are matched to its sub-layers by the layer name each weight name
starts with.

The whole plan is made and checked before a single value is assigned: a model
whose weights do not all find their place is reported per layer and left
untouched, never half-loaded.
"""


def plan_weights(model, groups):
    """Match every weight of ``model`` to a weight in ``groups``.

    Args:
        model: the built Keras 3 model.
        groups: ``{layer name: [(weight name, array), ...]}`` from
            core.legacy.h5_reader.read_weight_groups.

    Returns:
        ``(plan, problems)``: plan is a list of ``(variable, array)``; problems is
        ``{layer name: reason}`` and empty when every weight found its place.
    """
    plan, problems = [], {}
    with_weights = [layer for layer in model.layers if layer.weights]
    for layer in with_weights:
        entries = groups.get(layer.name)
        if entries is None:
            problems[layer.name] = (f"the file has no weights for it; it has "
                                    f"{_count(len(layer.weights))}")
            continue
        try:
            plan += _plan_layer(layer, entries)
        except _Mismatch as exc:
            problems[layer.name] = str(exc)
    names = {layer.name for layer in with_weights}
    for name, entries in groups.items():
        if name not in names:
            problems[name] = (f"the file holds {_count(len(entries))} for it, but the model has "
                              "no such layer with weights")
    return plan, problems


def assign(plan):
    """Give each variable of a checked plan its value."""
    for variable, value in plan:
        variable.assign(value)


class _Mismatch(Exception):
    pass


def _plan_layer(layer, entries):
    if not _is_model(layer):
        return _plan_leaf(layer, entries)
    leaves = {leaf.name: leaf for leaf in _leaves(layer) if leaf.weights}
    by_leaf = {}
    for name, value in entries:
        owner = next((part for part in name.split("/")[:-1] if part in leaves), None)
        if owner is None:
            raise _Mismatch(f"the file's weight `{name}` belongs to none of its layers "
                            f"({', '.join(leaves) or 'none has weights'})")
        by_leaf.setdefault(owner, []).append((name, value))
    plan = []
    for leaf_name, leaf in leaves.items():
        if leaf_name not in by_leaf:
            raise _Mismatch(f"the file has no weights for its layer `{leaf_name}`")
        try:
            plan += _plan_leaf(leaf, by_leaf[leaf_name])
        except _Mismatch as exc:
            raise _Mismatch(f"its layer `{leaf_name}`: {exc}") from None
    return plan


def _plan_leaf(layer, entries):
    variables = list(layer.weights)
    if len(variables) != len(entries):
        raise _Mismatch(f"the file holds {_count(len(entries))} {_shapes(v for _, v in entries)} "
                        f"and the Keras 3 layer {_count(len(variables))} "
                        f"{_shapes(variables)}")
    file_names = [_base_name(name) for name, _ in entries]
    model_names = [variable.name for variable in variables]
    if sorted(file_names) == sorted(model_names) and len(set(file_names)) == len(file_names):
        by_name = dict(zip(file_names, entries))
        entries = [by_name[name] for name in model_names]
    plan = []
    for variable, (name, value) in zip(variables, entries):
        if tuple(variable.shape) != tuple(value.shape):
            raise _Mismatch(f"weight `{name}` has shape {tuple(value.shape)} in the file and "
                            f"{tuple(variable.shape)} in the Keras 3 layer")
        plan.append((variable, value))
    return plan


def _is_model(layer):
    from core.keras_env import keras

    return isinstance(layer, keras().Model)


def _leaves(model):
    for layer in model.layers:
        if _is_model(layer):
            yield from _leaves(layer)
        else:
            yield layer


def _base_name(weight_name):
    return weight_name.split("/")[-1].split(":")[0]


def _count(n):
    return f"{n} weight" + ("" if n == 1 else "s")


def _shapes(values):
    return "(" + ", ".join(str(tuple(v.shape)) for v in values) + ")"
