"""Broken project files opened in the window: a message, the window alive, the work kept.

One window serves the module (a window per case would cost a second each). A file
the loader refuses shows one warning naming the file, and the previous project
stays open and unchanged; a file that loads with a damaged graph or odd settings
opens, and the views show it without an exception in any slot (pytest-qt fails a
test on an exception raised inside the Qt event loop). The Text tab's sentence box
gets bad text files at the end: it loads what it can and reports the rest, keeping
what was typed.
"""

import json
import time

import pytest
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QMessageBox

from core.examples import load_example


def _spin(ms):
    """Run the event loop for ``ms``. QTest.qWait keeps the GIL, starving the window's
    loader thread (its TensorFlow import then took 95 s instead of 15)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _wait(condition, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        _spin(20)


@pytest.fixture(scope="module")
def _module_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("kwb_home")
    patch = pytest.MonkeyPatch()
    patch.setenv("KERAS_WORKBENCH_HOME", str(home))
    yield home
    patch.undo()


@pytest.fixture(autouse=True)
def _private_app_home(_module_home, monkeypatch):
    """The module's window lives across tests, so its app folder does too (overrides the
    per-test one of tests/conftest.py, which a module-scoped window would not see)."""
    monkeypatch.setenv("KERAS_WORKBENCH_HOME", str(_module_home))
    return _module_home


@pytest.fixture(scope="module")
def window(qapp, _module_home):
    from ui.main_window import MainWindow

    patch = pytest.MonkeyPatch()  # "save changes?" answered: discard
    patch.setattr("ui.main_window.QMessageBox.question", lambda *a, **k: QMessageBox.Discard)
    win = MainWindow()
    failures = []
    win.loader.failed.connect(failures.append)
    win.show()
    _wait(lambda: win.editor.analysis is not None or bool(failures))
    assert not failures, failures[0]
    yield win
    win.editor.mark_saved()
    win.close()
    assert not win.loader.isRunning()
    patch.undo()


@pytest.fixture
def warnings_shown(monkeypatch):
    shown = []
    for kind in ("warning", "critical", "information"):
        monkeypatch.setattr(f"ui.main_window.QMessageBox.{kind}",
                            lambda parent, title, text, *a, **k: shown.append(text))
    return shown


def _document(mutate):
    d = load_example("breast_cancer").to_dict()
    mutate(d)
    return json.dumps(d)


REFUSED = {
    "a missing brace": ('{"format_version": 1, "name": "x"', "not valid JSON"),
    "truncated": (lambda: _document(lambda d: None)[:700], "not valid JSON"),
    "empty": ("", "is empty"),
    "a future version": (lambda: _document(lambda d: d.update(format_version=7)),
                         "newer Keras Workbench"),
    "nodes not a list": (lambda: _document(lambda d: d["model"].update(nodes="dense")),
                         "model.nodes"),
    "a layer config not an object": (
        lambda: _document(lambda d: d["model"]["nodes"][1].update(config=[30])),
        "model.nodes[1].config"),
    "a binary file": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not UTF-8"),
    "a folder": (None, "is a folder"),
    "a missing file": (None, "not found"),
}


@pytest.mark.reliability("Project files", "a broken project file opened in the window (the window stays, the open project is kept)")
@pytest.mark.parametrize("content, words", REFUSED.values(), ids=list(REFUSED))
def test_a_refused_file_keeps_the_open_project(window, warnings_shown, tmp_path, content,
                                               words):
    path = tmp_path / "bad.kwb.json"
    if callable(content):
        content = content()
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    elif words == "is a folder":
        path.mkdir()
    before, graph = window.project, json.dumps(window.project.to_dict())
    assert window.open_path(path) is False
    assert window.project is before and json.dumps(window.project.to_dict()) == graph
    assert len(warnings_shown) == 1 and words in warnings_shown[0], warnings_shown
    assert str(path) in warnings_shown[0]
    assert window.isVisible() and not window.is_dirty()


# (mutation, words of the analysis problem or None, words of the Data tab problem or None)
OPENED = {
    "an unknown layer class": (
        lambda d: d["model"]["nodes"][1].update(class_name="Dense2"), "Dense2", None),
    "a dangling edge": (lambda d: d["model"]["nodes"][1].update(inputs=["ghost"]), "ghost",
                        None),
    "a layer parameter out of range": (
        lambda d: d["model"]["nodes"][1]["config"].update(units=-3), "`units`", None),
    "a loss that is a number": (lambda d: d["training"].update(loss=5), None, None),
    "a learning rate that is a word": (
        lambda d: d["training"]["optimizer"]["config"].update(learning_rate="fast"), None,
        None),
    "a seed that is a word": (lambda d: d["training"].update(seed="abc"), None, None),
    "early stopping that is a word": (lambda d: d["training"].update(early_stopping="yes"),
                                      None, None),
    "a schedule that is a number": (lambda d: d["training"].update(lr_schedule=5), None, None),
    "a checkpoint setting that is a word": (
        lambda d: d["training"].update(checkpoint="best"), None, None),
    "class weights that are a number": (lambda d: d["training"].update(class_weight=3), None,
                                        None),
    "fine-tuning that is a word": (lambda d: d["training"].update(fine_tune="yes"), None, None),
    "a device that is a number": (lambda d: d["training"].update(device=3), None, None),
    "metrics that are numbers": (lambda d: d["training"].update(metrics=[3, None]), None, None),
    "a description that is a number": (lambda d: d.update(description=5), None, None),
    "a data source without its settings": (
        lambda d: d["data"].update(source={"kind": "csv"}), None, "data.source.path"),
    "a split that is a word": (
        lambda d: d["data"]["preprocessing"].update(test_split="a lot"), None,
        "data.preprocessing.test_split"),
    "a split seed that is a word": (
        lambda d: d["data"]["preprocessing"].update(split_seed="abc"), None,
        "data.preprocessing.split_seed"),
    "stratify that is a word": (
        lambda d: d["data"]["preprocessing"].update(stratify="no"), None,
        "data.preprocessing.stratify"),
    "a scaling that is unknown": (
        lambda d: d["data"]["preprocessing"].update(scaling=3), None,
        "data.preprocessing.scaling"),
}


@pytest.mark.reliability("Project files", "a project that loads with a damaged graph or odd settings, opened in the window (every view shows it)")
@pytest.mark.parametrize("mutate, problem, where", OPENED.values(), ids=list(OPENED))
def test_a_damaged_project_opens_and_its_problem_is_shown(window, warnings_shown, tmp_path,
                                                          mutate, problem, where):
    path = tmp_path / "odd.kwb.json"
    path.write_text(_document(mutate), encoding="utf-8")
    window.data_tab.ensure_built()
    data_tab = window.data_tab.content
    before = data_tab.preview
    assert window.open_path(path), warnings_shown
    assert window.project.path == path
    for tab in (window.data_tab, window.train_tab, window.runs_tab, window.model_tab):
        window.tabs.setCurrentWidget(tab)  # every tab that shows the project draws it
        _spin(10)
    _wait(lambda: window.editor.analysis is not None
          and set(window.editor.analysis.nodes) == set(window.project.model.ids()))
    if problem is not None:
        messages = [p.message for p in window.editor.analysis.problems]
        assert any(problem in m for m in messages), messages
    if where is not None:  # the Data tab's "before training" list names the setting
        window.tabs.setCurrentWidget(window.data_tab)
        _wait(lambda: data_tab.preview is not before and data_tab._worker is None)
        assert any(where in line for line in data_tab.problems), data_tab.problems
    assert window.isVisible()
    _wait(lambda: data_tab._worker is None)  # no preview thread left for the next case


# -- the Text tab's sentence box: files dropped or opened -------------------------------------

@pytest.fixture
def sentence_box(qtbot):
    """The Text tab's input box holding two typed sentences, and the problems it reported."""
    from ui.text_input import SentenceInput

    box = SentenceInput()
    qtbot.addWidget(box)
    box.set_sentences(["typed before", "kept on failure"])
    problems = []
    box.problem_found.connect(problems.append)
    return box, problems


LONG = " ".join(f"w{i}" for i in range(200_000))[:1_000_000]
# (file name, content, sentences the box then holds: a count, or None when refused, words)
TEXT_FILES = {
    "blank and whitespace-only lines": ("s.txt", "one\n\n   \n\t\ntwo\n", 2, None),
    "Windows-1252 bytes": ("s.txt", "caf\xe9 cr\xe8me\n\u201cquoted\u201d\n".encode("cp1252"), 2,
                           None),
    "a 1 MB line": ("s.txt", LONG + "\nshort\n", 2, None),
    "a 1 MB cell in a CSV": ("s.csv", f'text,label\n"{LONG}",pos\nshort,neg\n', 2, None),
    "empty cells in the text column": ("s.csv", "text,label\nhello there,pos\n,neg\n  ,x\n", 1,
                                       None),
    "a header without rows": ("s.csv", "text,label\n", 0, None),
    "an empty CSV": ("s.csv", "", None, "s.csv is empty"),
    "a binary file named .txt": ("s.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), None,
                                 "not a text file"),
    "a ragged TSV": ("s.tsv", "a\tb\nc\td\te\n", None, "Line 2 of s.tsv"),
    "a missing file": ("gone.txt", None, None, "gone.txt"),
    "a folder": ("folder.txt", "folder", None, "folder.txt"),
}


@pytest.mark.reliability("Text data", "a file opened or dropped in the Text tab: blank lines, Windows-1252, 1 MB lines, empty cells, empty, binary, ragged, missing or a folder")
@pytest.mark.parametrize("name, content, count, words", TEXT_FILES.values(), ids=list(TEXT_FILES))
def test_the_text_box_loads_what_it_can_and_names_what_it_cannot(sentence_box, tmp_path, name,
                                                                 content, count, words):
    box, problems = sentence_box
    path = tmp_path / name
    if content == "folder":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    loaded = box.load_file(path)
    if count is None:
        assert loaded is False and len(problems) == 1 and words in problems[0], problems
        assert box.sentences() == ["typed before", "kept on failure"]  # nothing lost
    else:
        assert loaded is True and not problems, problems
        assert len(box.sentences()) == count
        assert all(s.strip() == s and s for s in box.sentences())
