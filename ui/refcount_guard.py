"""Keep None, True and False alive under PySide6 6.12 on Python 3.11.

PySide6 6.12.0 (shiboken6 6.12.0) running on Python 3.11 releases one reference too
many to the value a call returns when that value is None or a bool:

- every call of a Qt method that returns nothing (``painter.drawRect``,
  ``item.setPos``, ``label.setText``, ...) takes a reference from None;
- every ``signal.emit(...)`` takes one from True (or False).

PySide6 6.11.3 does neither, and Python 3.12 made these objects immortal, so it only
bites here. Python counts references to None, True and False like any other
object's and aborts when one reaches zero ("Fatal Python error: none_dealloc:
deallocating None", or bool_dealloc). With TensorFlow loaded None starts near
190,000 references and True near 42,000: repainting a 300-layer graph takes 2,000
to 7,000 from None, and a training run's worker emits a signal per batch report (up
to 50 a second), so the window died within minutes of such work (bench/editor_scale.py
and bench/long_run.py found it).

:func:`keep_singletons_alive` adds 2**40 references to each, which is what Python
3.12 does to make them immortal; nothing else reads these counts.
"""

import ctypes
import sys

HEADROOM = 1 << 40
_added = False


def keep_singletons_alive():
    """Give None, True and False enough references that no count can reach zero.

    Call before the window or a test builds widgets; a second call does nothing, and so
    does a call on Python 3.12 or later (immortal objects). Returns True when it added
    references.
    """
    global _added
    if sys.version_info >= (3, 12) or _added:
        return False
    for singleton in (None, True, False):
        # CPython 3.11: ob_refcnt, a Py_ssize_t, is the object header's first field.
        ctypes.c_ssize_t.from_address(id(singleton)).value += HEADROOM
    _added = True
    return True
