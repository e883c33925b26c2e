"""Losses and metrics of a model with several outputs, as ``compile`` takes them.

``training.loss`` is one loss (Keras applies it to every output), a list with
one loss per output in the model's output order, or an object mapping each
output's id (its layer's name) to its loss. ``training.metrics`` is a list of
metrics for every output, a list of lists (one list per output, in order), or
an object mapping output ids to lists (outputs it leaves out get no metrics).
Each entry is a Keras name or ``{"class_name", "config"}``, as for one output.

Keras itself refuses a flat metrics list for a model with several outputs, so
that form is spread over the outputs here; and it names a missing output only
by position, so every mismatch is caught before compile with the output's name.
"""

from core.errors import WorkbenchError


def is_per_output(setting):
    """True for a list or object that gives a value per output (not one Keras object)."""
    return isinstance(setting, list) or (isinstance(setting, dict) and "class_name" not in setting)


def compile_loss(setting, output_names):
    """``training.loss`` for ``model.compile``: one loss, a list or a dict by output.

    Args:
        setting: the loss setting.
        output_names: the model's output names, in order (``model.output_names``).

    Raises:
        WorkbenchError: naming the output whose loss is wrong or missing.
    """
    from core.training.settings import make_loss

    if not is_per_output(setting):
        return make_loss(setting)
    if isinstance(setting, list):
        _check_count(setting, output_names, "loss", "losses")
        return [make_loss(s, where=_where(name, "loss")) for s, name in zip(setting, output_names)]
    _check_keys(setting, output_names, "loss")
    missing = [name for name in output_names if name not in setting]
    if missing:
        raise WorkbenchError(f"`training.loss` gives no loss for output `{missing[0]}`: add one "
                             f"for every output ({_listed(output_names)}), or give one loss for "
                             "all of them.")
    return {name: make_loss(setting[name], where=_where(name, "loss")) for name in output_names}


def compile_metrics(setting, output_names):
    """``training.metrics`` for ``model.compile``: a list, or per output for several outputs.

    Raises:
        WorkbenchError: naming the output whose metrics are wrong.
    """
    from core.training.settings import make_metrics

    setting = setting or []
    if isinstance(setting, dict):
        _check_keys(setting, output_names, "metrics")
        return {name: make_metrics(_as_list(setting[name], name), where=_where(name, "metrics"))
                for name in output_names if name in setting}
    if any(isinstance(m, list) for m in setting):
        _check_count(setting, output_names, "metrics", "metric lists")
        return [make_metrics(_as_list(m, name), where=_where(name, "metrics"))
                for m, name in zip(setting, output_names)]
    if spread_metrics(setting, output_names) is not setting:
        return {name: make_metrics(setting) for name in output_names}
    return make_metrics(setting)


def spread_metrics(setting, output_names):
    """A flat metrics list of a model with several outputs as ``{output: list}`` (Keras wants
    them per output; each output gets them all); any other setting as it is."""
    if (isinstance(setting, list) and setting and len(output_names) > 1
            and not any(isinstance(m, list) for m in setting)):
        return {name: list(setting) for name in output_names}
    return setting


def _check_count(setting, output_names, key, things):
    if len(setting) != len(output_names):
        raise WorkbenchError(
            f"`training.{key}` lists {len(setting)} {things} but the model has "
            f"{len(output_names)} output(s) ({_listed(output_names)}): give one per output, in "
            "that order, or an object by output name.")


def _check_keys(setting, output_names, key):
    for name in setting:
        if name not in output_names:
            raise WorkbenchError(f"Unknown output `{name}` in `training.{key}`: the model's "
                                 f"outputs are {_listed(output_names)}.")


def _as_list(value, name):
    if isinstance(value, (str, dict)):
        return [value]
    if not isinstance(value, list):
        raise WorkbenchError(f"Invalid metrics for output `{name}` in `training.metrics`: "
                             f"expected a list of metric names, received {value!r}.")
    return value


def _where(name, key):
    return f"for output `{name}` in `training.{key}`"


def _listed(names):
    return ", ".join(f"`{n}`" for n in names)
