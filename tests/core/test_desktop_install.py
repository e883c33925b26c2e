"""Linux desktop integration: launcher, icons and file type written for one user, and removed."""

import configparser
import shutil
import subprocess
import sys

import pytest

from core import desktop_install as di
from core.resources import resource_path

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="freedesktop.org")


def test_install_writes_a_launcher_that_runs_this_installation(tmp_path):
    written = di.install_desktop(tmp_path, command=["/opt/my apps/kwb-gui"], refresh=False)
    assert all(p.is_file() for p in written)
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(tmp_path / "applications" / f"{di.DESKTOP_ID}.desktop")
    section = entry["Desktop Entry"]
    assert section["Exec"] == '"/opt/my apps/kwb-gui" %f'
    assert section["TryExec"] == "/opt/my apps/kwb-gui"
    assert section["Icon"] == di.ICON_NAME
    assert di.MIME_TYPE in section["MimeType"]
    for size in di.ICON_SIZES:
        assert (tmp_path / "icons" / "hicolor" / f"{size}x{size}" / "apps"
                / f"{di.ICON_NAME}.png").is_file()
    assert set(di.uninstall_desktop(tmp_path, refresh=False)) == set(written)
    assert not any(p.exists() for p in written)


def test_icons_have_the_sizes_their_names_say():
    from PIL import Image

    for size in di.ICON_SIZES:
        with Image.open(resource_path("icons", "png", f"{di.ICON_NAME}-{size}.png")) as image:
            assert image.size == (size, size)
    with Image.open(resource_path("icons", f"{di.ICON_NAME}.ico")) as ico:
        assert (16, 16) in ico.ico.sizes() and (256, 256) in ico.ico.sizes()


def test_exec_arguments_are_quoted_as_the_specification_says():
    assert di.quote_exec_arg("/usr/bin/kwb") == "/usr/bin/kwb"
    assert di.quote_exec_arg('/a b/"x"$') == '"/a b/\\"x\\"\\$"'
    assert di.quote_exec_arg("50%") == "50%%"


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None,
                    reason="desktop-file-validate is not installed (apt: desktop-file-utils)")
def test_desktop_file_validates(tmp_path):
    di.install_desktop(tmp_path, command=["/usr/bin/keras-workbench-gui"], refresh=False)
    proc = subprocess.run(["desktop-file-validate",
                           str(tmp_path / "applications" / f"{di.DESKTOP_ID}.desktop")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstreamcli is not installed")
def test_metainfo_validates():
    proc = subprocess.run(["appstreamcli", "validate", "--no-net",
                           str(resource_path("linux", f"{di.DESKTOP_ID}.metainfo.xml"))],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mime_type_claims_project_files(tmp_path):
    import xml.etree.ElementTree as ET

    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    root = ET.parse(resource_path("linux", "keras-workbench-mime.xml")).getroot()
    mime = root.find("m:mime-type", ns)
    assert mime.get("type") == di.MIME_TYPE
    assert mime.find("m:glob", ns).get("pattern") == "*.kwb.json"
