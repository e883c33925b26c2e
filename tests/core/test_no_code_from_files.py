"""No code from files: the application's source never unpickles, evals or unmarshals.

Every module of core/, cli/, ui/ and main.py is parsed with ``ast`` and each of
these is reported with its file and line:

- an import of pickle, cPickle, _pickle, marshal, dill, shelve, joblib or
  cloudpickle (also through ``__import__`` / ``importlib.import_module``);
- a call of the builtins ``eval``, ``exec`` or ``compile`` (``menu.exec()`` is Qt's, not these);
- ``allow_pickle=`` anything but False (``np.load``), ``pd.read_pickle``;
- ``yaml.load`` without ``Loader=SafeLoader``/``CSafeLoader``, ``yaml.unsafe_load``,
  ``yaml.full_load``;
- ``safe_mode=`` anything but True (``keras.saving.load_model`` ...) and
  ``enable_unsafe_deserialization()``.

The sample sources at the end prove the scanner finds each one.
"""

import ast

import pytest

from tests.paths import ROOT

AREA = "Untrusted model files"
CODE_MODULES = {"pickle", "cPickle", "_pickle", "marshal", "dill", "shelve", "joblib",
                "cloudpickle"}
CODE_BUILTINS = {"eval", "exec", "compile"}
SAFE_YAML_LOADERS = {"SafeLoader", "CSafeLoader"}


def sources():
    """Every Python file of the application (core/, cli/, ui/, main.py)."""
    files = [ROOT / "main.py"]
    for folder in ("core", "cli", "ui"):
        files += sorted((ROOT / folder).rglob("*.py"))
    return files


def findings(source, filename="<sample>"):
    """``["file:line: what", ...]`` for each way ``source`` could run code from data."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        what = _problem(node)
        if what:
            found.append(f"{filename}:{node.lineno}: {what}")
    return found


def _problem(node):
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names if _is_code_module(alias.name)]
        return f"imports {names[0]}" if names else None
    if isinstance(node, ast.ImportFrom):
        return f"imports from {node.module}" if _is_code_module(node.module or "") else None
    if isinstance(node, ast.Call):
        return _call_problem(node)
    return None


def _is_code_module(name):
    return name.split(".")[0] in CODE_MODULES


def _call_problem(call):
    name = _dotted(call.func)
    last = name.rsplit(".", 1)[-1]
    if isinstance(call.func, ast.Name) and name in CODE_BUILTINS or name in (
            f"builtins.{b}" for b in CODE_BUILTINS):
        return f"calls {name}()"
    if name in ("__import__", "importlib.import_module") and call.args \
            and isinstance(call.args[0], ast.Constant) and _is_code_module(str(call.args[0].value)):
        return f"imports {call.args[0].value} by name"
    if last in ("read_pickle", "enable_unsafe_deserialization", "unsafe_load", "full_load"):
        return f"calls {name}()"
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    if "allow_pickle" in keywords and not _is_constant(keywords["allow_pickle"], False):
        return f"calls {name}() with allow_pickle not False"
    if "safe_mode" in keywords and not _is_constant(keywords["safe_mode"], True):
        return f"calls {name}() with safe_mode not True"
    if name.startswith("yaml.") and last == "load":
        loader = keywords.get("Loader") or (call.args[1] if len(call.args) > 1 else None)
        if loader is None or _dotted(loader).rsplit(".", 1)[-1] not in SAFE_YAML_LOADERS:
            return "calls yaml.load() without SafeLoader"
    return None


def _dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _is_constant(node, value):
    return isinstance(node, ast.Constant) and node.value is value


@pytest.mark.reliability(AREA, "source scan: no pickle, eval, exec or marshal on file data")
def test_the_application_never_runs_code_from_data():
    files = sources()
    assert len(files) > 100 and ROOT / "core" / "keras_import.py" in files
    found = [f for path in files
             for f in findings(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))]
    assert found == []


# Each sample is parsed like the application's files; the scanner must name its line.
SAMPLES = {
    "import pickle": "import os\nimport pickle\n",
    "from marshal import loads": "from marshal import loads\n",
    "import dill": "import dill as d\n",
    "import shelve": "import shelve\n",
    "__import__('pickle')": "m = __import__('pickle')\n",
    "importlib pickle": "import importlib\nm = importlib.import_module('cPickle')\n",
    "eval": "x = 1\nvalue = eval(text)\n",
    "exec": "exec(code, {})\n",
    "builtins.eval": "import builtins\nbuiltins.eval(text)\n",
    "np.load allow_pickle": "import numpy as np\na = np.load(p, allow_pickle=True)\n",
    "np.load allow_pickle variable": "a = np.load(p, allow_pickle=flag)\n",
    "yaml.load": "import yaml\nd = yaml.load(text)\n",
    "yaml.load FullLoader": "d = yaml.load(text, Loader=yaml.FullLoader)\n",
    "yaml.unsafe_load": "d = yaml.unsafe_load(text)\n",
    "load_model safe_mode=False": "m = keras.saving.load_model(p, safe_mode=False)\n",
    "unsafe deserialization": "keras.config.enable_unsafe_deserialization()\n",
    "read_pickle": "df = pd.read_pickle(p)\n",
}


@pytest.mark.parametrize("sample", list(SAMPLES))
def test_the_scanner_finds_each_kind(sample):
    source = SAMPLES[sample]
    line = len(source.rstrip("\n").split("\n"))  # each sample's offending line is its last
    assert [f.split(":")[1] for f in findings(source)] == [str(line)], findings(source)


def test_the_scanner_passes_safe_forms():
    safe = ("menu.exec(pos)\napp.exec()\nnp.load(p, allow_pickle=False)\nnp.load(p)\n"
            "yaml.load(t, Loader=yaml.SafeLoader)\nyaml.safe_load(t)\n"
            "keras.saving.load_model(p, safe_mode=True)\nimport pickletools_like\n")
    assert findings(safe) == []
