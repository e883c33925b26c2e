"""The command line of CONTRACT.md: sub-commands, exit codes, one-line errors, JSON lines."""

import json
import os
import subprocess
import sys

import pytest

from main import main
from tests.paths import ROOT


def run_cli(*args, env=None, timeout=300):
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def test_examples_lists_each_bundled_example(capsys):
    assert main(["examples"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("breast_cancer")
    assert "quickstart" in out


@pytest.mark.parametrize("argv, words", [
    (["export", "no_such_example", "--to", "python", "--out", "x.py"], "neither a file nor"),
    (["export", "missing.kwb.json", "--to", "python", "--out", "x.py"], "File not found"),
])
def test_bad_input_is_one_line_and_exit_2(argv, words, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err


def test_usage_errors_exit_2():
    assert run_cli("train", "quickstart", "--epochs", "0").returncode == 2
    assert run_cli("export", "quickstart", "--to", "pickle", "--out", "x").returncode == 2


def test_broken_project_file_exits_2_with_the_field(tmp_path, capsys):
    path = tmp_path / "p.kwb.json"
    path.write_text('{"format_version": 1, "training": {"epochs": -1}}')
    assert main(["export", str(path), "--to", "python", "--out", str(tmp_path / "x.py")]) == 2
    assert "training.epochs" in capsys.readouterr().err


def test_export_python_writes_a_script(tmp_path):
    out = tmp_path / "bc.py"
    assert main(["export", "breast_cancer", "--to", "python", "--out", str(out)]) == 0
    text = out.read_text()
    assert "def build_model()" in text and 'if __name__ == "__main__":' in text


@pytest.mark.slow
def test_train_json_lines_then_evaluate(tmp_path):
    proc = run_cli("train", "quickstart", "--epochs", "2", "--json", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["epoch"] for line in lines if line["event"] == "epoch_end"] == [1, 2]
    finished = lines[-1]
    assert finished["event"] == "finished" and finished["epochs_completed"] == 2
    assert 0.0 <= finished["test"]["accuracy"] <= 1.0
    assert str(tmp_path) in finished["run_dir"]
    evaluated = run_cli("evaluate", finished["run_dir"], "--json")
    assert evaluated.returncode == 0, evaluated.stderr[-2000:]
    metrics = json.loads(evaluated.stdout)["metrics"]
    assert "accuracy" in json.dumps(metrics)
