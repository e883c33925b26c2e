"""Build the one-folder desktop bundle with PyInstaller, then check that it starts.

Run (after ``python -m pip install -e ".[package]"``):

    python packaging/build_bundle.py            build dist/keras-workbench/, then smoke-test it
    python packaging/build_bundle.py --check    only smoke-test an existing bundle

The smoke test starts the bundled app offscreen twice: ``--when first-paint`` (the window
paints) and ``--when ready`` (TensorFlow and Keras load from the bundle and the model is
analysed), each saving a screenshot into build/bundle-check/. It prints the build time and
the bundle's size. PyInstaller builds for the system it runs on: build on Windows for a
Windows bundle, on macOS for a .app.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "keras-workbench.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
CHECK = ROOT / "build" / "bundle-check"
NAME = "keras-workbench"


def bundle_dir():
    return DIST / NAME


def executable():
    suffix = ".exe" if sys.platform == "win32" else ""
    return bundle_dir() / f"{NAME}{suffix}"


def build():
    """Run PyInstaller on the spec; returns the seconds it took."""
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise SystemExit('error: PyInstaller is not installed: python -m pip install -e ".[package]"')
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
                    "--log-level", "WARN", "--distpath", str(DIST), "--workpath", str(WORK),
                    str(SPEC)], cwd=ROOT, check=True)
    return time.monotonic() - start


def folder_size(path):
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file() and not p.is_symlink())


def smoke_test(timeout=600):
    """Start the bundle offscreen at first paint and when ready; returns the screenshots."""
    if not executable().is_file():
        raise SystemExit(f"error: no bundle at {executable()}: build it first.")
    CHECK.mkdir(parents=True, exist_ok=True)
    shots = []
    with tempfile.TemporaryDirectory(prefix="kwb-bundle-home-") as home:
        # A private data folder and cwd outside the checkout: the bundle must find its
        # resources by itself, not through the repository.
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KERAS_WORKBENCH_HOME": home}
        for when in ("first-paint", "ready"):
            png = CHECK / f"bundle-{when}.png"
            png.unlink(missing_ok=True)
            start = time.monotonic()
            proc = subprocess.run([str(executable()), "--screenshot", str(png), "--when", when],
                                  cwd=home, env=env, capture_output=True, text=True,
                                  timeout=timeout)
            took = time.monotonic() - start
            if proc.returncode != 0 or not png.is_file():
                raise SystemExit(f"error: the bundle failed at {when} (exit {proc.returncode}):\n"
                                 f"{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
            print(f"{when}: {png} in {took:.1f} s: {proc.stdout.strip()}")
            shots.append(png)
    return shots


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only smoke-test the existing bundle")
    args = parser.parse_args(argv)
    if not args.check:
        seconds = build()
        print(f"built {bundle_dir()} in {seconds / 60:.1f} min")
    print(f"bundle size: {folder_size(bundle_dir()) / 2**20:,.0f} MiB in {bundle_dir()}")
    smoke_test()
    return 0


if __name__ == "__main__":
    sys.exit(main())
