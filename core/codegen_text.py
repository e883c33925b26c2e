"""Small text helpers shared by the code exporters: templates and Python literals."""

import textwrap
from string import Template

INDENT = "    "
LINE = 99  # the longest line an exported script has (file paths excepted)


def code(template, **values):
    """Dedent ``template`` and fill its ``$names`` (braces stay free for the code's own use)."""
    return Template(textwrap.dedent(template).strip("\n")).substitute(values) + "\n"


def py_literal(value):
    """``repr`` in the style of black: strings in double quotes where that needs no escape.

    Tuples stay tuples (``(30,)``); lists, dicts, numbers, booleans and None as
    ``repr`` writes them.
    """
    if isinstance(value, str):
        text = repr(value)
        if text.startswith("'") and '"' not in value:
            text = '"' + text[1:-1] + '"'
        return text
    if isinstance(value, list):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        items = [py_literal(v) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_literal(k)}: {py_literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


def indent_block(text, levels):
    """``text`` with every non-empty line indented by ``levels`` indents."""
    pad = INDENT * levels
    return "\n".join(pad + line if line else line for line in text.split("\n"))


def call_source(callee, args, width=LINE):
    """``callee(a, b)`` on one line when it fits ``width``, else one argument per line."""
    one_line = f"{callee}({', '.join(args)})"
    if len(one_line) <= width and "\n" not in one_line:
        return one_line
    inner = "\n".join(indent_block(a, 1) + "," for a in args)
    return f"{callee}(\n{inner}\n)"


def pretty_literal(value, width=LINE, level=0, prefix=0):
    """``py_literal`` over several lines, black's way, so that lines stay within ``width``.

    ``level`` is the indentation of the line the value starts on and ``prefix``
    the characters before it there (a dict key); long strings are not split.
    """
    one_line = py_literal(value)
    fits = len(INDENT * level) + prefix + len(one_line) + 1 <= width  # +1: a trailing comma
    if fits or not value or not isinstance(value, (list, tuple, dict)):
        return one_line
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            key = f"{py_literal(k)}: "
            items.append(key + pretty_literal(v, width, level + 1, len(key)))
        brackets = "{}"
    else:
        items = [pretty_literal(v, width, level + 1) for v in value]
        brackets = "[]" if isinstance(value, list) else "()"
    body = "\n".join(INDENT * (level + 1) + item + "," for item in items)
    return f"{brackets[0]}\n{body}\n{INDENT * level}{brackets[1]}"
