"""replacing(): the old file or the new one, and never a temporary file left behind."""

import pytest

from core.replace_file import replacing


def test_a_write_that_fails_part_way_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    path = tmp_path / "state.json"
    path.write_text("old")
    with pytest.raises(OSError), replacing(path) as temp:
        temp.write_text("half")
        raise OSError(28, "No space left on device")
    assert path.read_text() == "old" and sorted(tmp_path.iterdir()) == [path]


def test_a_finished_write_replaces_the_file(tmp_path):
    path = tmp_path / "model.keras"
    path.write_text("old")
    with replacing(path, ".model.partial.keras") as temp:
        assert temp.name == ".model.partial.keras"
        temp.write_text("new")
    assert path.read_text() == "new" and sorted(tmp_path.iterdir()) == [path]
