"""How layers, shapes and counts read on screen (shared by the list, graph and form)."""

# The arguments that say most about a layer, in the order they read best.
KEY_ARGS = ("units", "filters", "kernel_size", "pool_size", "rate", "input_dim", "output_dim",
            "target_shape", "num_heads", "axis", "activation")


def shape_text(shape):
    """``(None, 30)`` -> ``(None, 30)``; several outputs joined with commas."""
    if shape is None:
        return "…"
    if isinstance(shape, list):
        return ", ".join(shape_text(s) for s in shape)
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def params_text(count):
    return f"{count:,} params"


def node_summary(graph, node):
    """``dense — Dense(30, relu)``, ``input — Input(30)``, ``enc_2 — shares enc``."""
    if node.shares:
        return f"{node.id} — shares {node.shares}"
    if node.is_input:
        shape = node.config.get("shape") or list(node.config.get("batch_shape", [None]))[1:]
        return f"{node.id} — Input({', '.join(str(d) for d in shape)})"
    args = [_short(node.config[k]) for k in KEY_ARGS if node.config.get(k) not in (None, "linear")]
    return f"{node.id} — {node.class_name}({', '.join(args)})"


def _short(value):
    if isinstance(value, (list, tuple)):
        return "x".join(str(v) for v in value)
    if isinstance(value, dict):
        return value.get("class_name", "…")
    return str(value)
