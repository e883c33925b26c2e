"""Parameters of Keras objects, read from their signatures and docstrings. Pure Python.

A :class:`ParamSpec` tells a generated form what to show for one constructor
argument (its kind, default, choices and help text); core.catalog_checks
refuses what Keras would refuse, before Keras sees it. The catalog modules
(core.catalog, core.catalog_objects) feed these helpers Keras's own classes.
"""

import inspect
import json
import re
from dataclasses import dataclass

KINDS = ("int", "float", "bool", "choice", "tuple", "string", "activation", "initializer",
         "regularizer", "constraint", "dtype", "layer", "layers", "dict", "any")
# Kinds whose value is a Keras object named by a string (or given as a serialized dict).
NAMED_KINDS = ("activation", "initializer", "regularizer", "constraint")
DTYPES = ("float32", "float16", "bfloat16", "float64", "int8", "int16", "int32", "int64",
          "uint8", "bool", "string", "mixed_float16", "mixed_bfloat16")
DATA_FORMATS = ("channels_last", "channels_first")

_SECTION = re.compile(r"^(\s*)(Args|Arguments|Parameters):\s*$")
_ARG_LINE = re.compile(r"^(\s*)(\*{0,2}[A-Za-z_]\w*)(?:\s*\([^)]*\))?:\s*(.*)$")
# A quoted option in a help text: `"valid"`, 'ROC', and Keras's occasional `"same`".
_QUOTED = re.compile(r"[\"']([A-Za-z0-9_\-]+)`?[\"']")
_RANGE = re.compile(r"between\s+`?(-?\d+(?:\.\d+)?)`?\s+and\s+`?(-?\d+(?:\.\d+)?)`?")
# Ranges Keras's docstrings leave unsaid, by argument name (only where the docstring gives
# none): sizes and counts are positive, probabilities and momenta fractions, tolerances and
# powers not negative. A value outside is refused before Keras sees it, since Keras either
# fails deep inside with a message that names nothing or silently clamps the value.
_POSITIVE_INTS = frozenset({
    "units", "filters", "input_dim", "output_dim", "output_size", "depth_multiplier", "groups",
    "num_bins", "bins", "num_tokens", "num_chains", "chain_depth", "power_iterations",
    "output_sequence_length", "num_mel_bins", "sampling_rate", "fft_length", "frame_length",
    "frame_step", "sequence_stride", "sequence_length", "strides", "kernel_size", "pool_size",
    "size", "n", "lora_rank", "max_number", "height", "width", "sliding_window", "key_dim",
    "head_dim", "num_heads", "num_query_heads", "num_key_value_heads"})
_NON_NEGATIVE_INTS = frozenset({"num_oov_indices", "num_ops"})
_FRACTIONS = frozenset({"dropout", "recurrent_dropout", "rate", "momentum", "renorm_momentum"})
_NON_NEGATIVE_FLOATS = frozenset({
    "epsilon", "stddev", "l1", "l2", "clip_limit", "min_freq", "max_freq", "top_db", "mag_exp",
    "min_power", "ref_power", "negative_slope", "threshold", "max_value"})
# The largest size a layer may be given: sizes are C ints in TensorFlow's kernels (and in
# the form's spin box), and a layer this wide would not fit in memory anyway.
MAX_SIZE = 2**31 - 1


@dataclass(frozen=True)
class ParamSpec:
    """One constructor argument, as a form shows it.

    Attributes:
        name: the keyword Keras takes (``"units"``).
        kind: one of :data:`KINDS`; says which editor the form uses.
        default: a JSON-able value for a new object: Keras's own default, or a
            starter value where Keras has none (``required``).
        choices: the accepted values for ``choice`` (and the known names for the
            named kinds), else None.
        help: the argument's text from the Keras docstring, on one line.
        required: Keras has no default; the catalog's starter value is used.
        nullable: None is accepted (and means Keras's automatic behaviour).
        min_value: smallest accepted number, for int/float, else None.
        max_value: largest accepted number, for int/float, else None.
        scalar_ok: for ``tuple``: a single number is also accepted (``3`` for ``(3, 3)``).
    """

    name: str
    kind: str
    default: object = None
    choices: tuple = None
    help: str = ""
    required: bool = False
    nullable: bool = False
    min_value: float = None
    max_value: float = None
    scalar_ok: bool = False

    def to_dict(self):
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["choices"] = list(self.choices) if self.choices is not None else None
        return d


# -- docstrings ------------------------------------------------------------------------------
def summary(doc):
    """The first sentence of a docstring's first paragraph, on one line."""
    paragraph = " ".join((doc or "").strip().split("\n\n")[0].split())
    for match in re.finditer(r"(\S+)[.!?](?=\s+[A-Z(`]|$)", paragraph):
        word = match.group(1).lower()
        if "." not in word and word not in _ABBREVIATIONS:
            return paragraph[:match.end()]
    return paragraph


_ABBREVIATIONS = {"al", "etc", "vs", "e.g", "i.e", "a.k.a", "cf"}


def args_section(doc):
    """The ``Args:`` section of a Google-style docstring ("" when it has none)."""
    lines = inspect.cleandoc(doc or "").splitlines()
    for i, line in enumerate(lines):
        match = _SECTION.match(line)
        if match:
            indent = len(match.group(1))
            end = next((j for j in range(i + 1, len(lines))
                        if lines[j].strip() and _indent(lines[j]) <= indent), len(lines))
            return "\n".join(lines[i:end]).rstrip()
    return ""


def parse_args(doc):
    """Map each argument of a docstring's ``Args:`` section to its help, on one line."""
    helps, current, arg_indent = {}, None, None
    for line in args_section(doc).splitlines()[1:]:
        match = _ARG_LINE.match(line)
        if match and (arg_indent is None or len(match.group(1)) <= arg_indent):
            arg_indent = len(match.group(1))
            current = match.group(2).lstrip("*")
            helps[current] = [match.group(3)]
        elif current and line.strip():
            helps[current].append(line.strip())
    return {name: " ".join(" ".join(parts).split()) for name, parts in helps.items()}


def class_arg_helps(cls, stop=None):
    """Argument helps of ``cls`` and its bases (a subclass's text wins), up to ``stop``."""
    helps = {}
    for klass in cls.__mro__:
        if klass is object or (stop is not None and klass is stop):
            break
        for name, text in parse_args(klass.__doc__).items():
            helps.setdefault(name, text)
    return helps


def snake_case(name):
    """``"GlorotUniform"`` -> ``"glorot_uniform"``, as Keras names its objects."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _indent(line):
    return len(line) - len(line.lstrip())


# -- signatures ------------------------------------------------------------------------------
def signature_params(func):
    """``(name, default_or_inspect.Parameter.empty)`` for the named arguments of ``func``.

    ``self``, ``*args`` and ``**kwargs`` are left out.
    """
    try:
        parameters = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return []
    return [(p.name, p.default) for p in parameters
            if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def to_json_value(value):
    """Tuples become lists (recursively); the result must survive ``json.dumps``."""
    if isinstance(value, (tuple, list)):
        return [to_json_value(v) for v in value]
    json.dumps(value)  # raises TypeError for objects a document cannot hold
    return value


def make_param(name, default, help_text="", starter=None, name_choices=None):
    """Build the :class:`ParamSpec` of one argument from its default and docstring help.

    Args:
        name: the argument's name.
        default: its signature default, or ``inspect.Parameter.empty``.
        help_text: the argument's text from the docstring.
        starter: the value a new object gets when Keras has no default.
        name_choices: ``{kind: names}`` for the named kinds (activation names, ...).

    Returns:
        A ParamSpec, or None when the default cannot be written to a document.
    """
    required = default is inspect.Parameter.empty
    value = starter if required else default
    try:
        value = to_json_value(value)
    except TypeError:
        return None
    kind = infer_kind(name, value, help_text)
    quoted = list(dict.fromkeys(_QUOTED.findall(help_text)))
    choices = None
    if kind == "choice":
        choices = tuple(DATA_FORMATS if name == "data_format" else quoted)
    elif kind == "dtype":
        choices = DTYPES
    elif kind in NAMED_KINDS and name_choices:
        choices = tuple(name_choices.get(kind, ()))
    low, high = _number_range(kind, help_text, name)
    if required and kind == "int" and low is None and value >= 1:
        low, high = 1, MAX_SIZE  # the sizes Keras requires (units, filters, n) are positive
    return ParamSpec(
        name=name, kind=kind, default=value, choices=choices, help=help_text,
        required=required, min_value=low, max_value=high,
        # "One of {"sum", "mul", None}" / "... or None" (for a tuple it means its elements).
        nullable=(not required and default is None)
        or (kind != "tuple" and bool(re.search(r"(\bor|,)\s*`?None\b", help_text))),
        scalar_ok=kind == "tuple" and (isinstance(value, (int, float))
                                       or bool(re.match(r"\W*(an? )?(int|integer|float)\b",
                                                        _first_sentence(help_text)))))


def infer_kind(name, value, help_text):
    """The editor kind of an argument, from its name, its (default) value and its help."""
    if name in ("layer", "backward_layer", "cell"):
        return "layer"
    if name in ("layers", "cells"):
        return "layers"
    if name == "activation" or name.endswith("_activation"):
        return "activation"
    for suffix in ("initializer", "regularizer", "constraint"):
        if name.endswith("_" + suffix):
            return suffix
    if name == "dtype" or name.endswith("_dtype"):
        return "dtype"
    if name == "data_format":
        return "choice"
    head = _first_sentence(help_text)
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)) and re.search(r"\b(tuple|list)\b", head):
        return "tuple"  # "int or tuple/list of 2 integers": a tuple that may be one number
    if isinstance(value, int):
        return "float" if re.match(r"\W*(an? )?floats?\b", head) else "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, list):
        return "tuple"
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, str):
        return "choice" if _choice_values(value, help_text) else "string"
    return _kind_from_help(name, help_text)


def _first_sentence(help_text):
    return re.split(r"(?<=[.;])\s", help_text, maxsplit=1)[0].lower()


def _choice_values(value, help_text):
    quoted = set(_QUOTED.findall(help_text))
    return value in quoted and len(quoted) >= 2


def _kind_from_help(name, help_text):
    """Kind of an argument whose default is None, from the start of its help text."""
    head = _first_sentence(help_text)
    if name == "seed" or name.endswith("_seed"):
        return "int"
    if re.search(r"\b(tuple|list|tensor)\b", head) and not re.search(r"\bstrings?\b", head):
        return "tuple"
    if re.search(r"\b(one of|either)\b", head) and len(set(_QUOTED.findall(help_text))) >= 2:
        return "choice"
    for kind, pattern in (("float", r"\bfloats?\b"), ("int", r"\b(int|integer)\b"),
                          ("bool", r"\b(bool|boolean)\b"), ("string", r"\bstring\b")):
        if re.search(pattern, head):
            return kind
    return "any"


def _number_range(kind, help_text, name=""):
    """``(low, high)`` of a number argument: from its help text, else from its name."""
    if kind not in ("int", "float"):
        return None, None
    low, high = _documented_range(kind, help_text.lower())
    if low is None and high is None:
        low, high = _named_range(kind, name)
    if kind == "int" and low is not None and low >= 0 and high is None:
        high = MAX_SIZE
    return low, high


def _documented_range(kind, text):
    match = _RANGE.search(text)
    if match:
        return float(match.group(1)), float(match.group(2))
    if re.search(r"\bpositive\b", text) and kind == "int":
        return 1, None
    if re.search(r"\b(non-negative|positive)\b", text):
        return 0, None
    return None, None


def _named_range(kind, name):
    if kind == "int":
        return (1 if name in _POSITIVE_INTS else 0 if name in _NON_NEGATIVE_INTS else None), None
    if name in _FRACTIONS:
        return 0, 1
    return (0 if name in _NON_NEGATIVE_FLOATS else None), None
