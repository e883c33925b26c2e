"""Project templates bundled in resources/templates/ (one ``NAME.kwb.json`` each).

A template is a starting point, not a file to edit in place: :func:`new_project`
returns an unsaved copy whose data paths are absolute, so saving it anywhere
keeps them valid and the bundled file is never overwritten.

Templates: ``elmo_classifier`` (frozen ELMo + Dense head on raw sentences),
``glove_lstm`` (Embedding 10000x300 -> LSTM 64 -> Dense 1, for pretrained word
vectors), ``transformer_classifier`` (one encoder block) and ``seq2seq_lstm``
(encoder-decoder with teacher forcing, two inputs).
"""

from pathlib import Path

from core.errors import WorkbenchError
from core.project import PROJECT_SUFFIX, Project

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "resources" / "templates"


def template_names():
    """Names of the bundled templates, sorted."""
    return sorted(p.name[: -len(PROJECT_SUFFIX)] for p in TEMPLATES_DIR.glob("*" + PROJECT_SUFFIX))


def describe_templates():
    """``(name, first sentence of the description)`` for each template."""
    rows = []
    for name in template_names():
        description = Project.load(_path(name)).description
        rows.append((name, description.split(": ")[0].split(". ")[0].rstrip(".") + "."))
    return rows


def new_project(name):
    """An unsaved project made from the template ``name`` (``path`` is None).

    Raises:
        WorkbenchError: for an unknown name, listing the templates.
    """
    template = Project.load(_path(name))
    source = template.data.source
    if "path" in source:
        paths = source["path"]
        source["path"] = ([str(template.resolve_path(p).resolve()) for p in paths]
                          if isinstance(paths, list) else str(template.resolve_path(paths).resolve()))
    template.path = None
    return template


def _path(name):
    path = TEMPLATES_DIR / f"{name}{PROJECT_SUFFIX}"
    if not path.is_file():
        raise WorkbenchError(f"Unknown template `{name}`: the templates are "
                             f"{', '.join(template_names())}.")
    return path
