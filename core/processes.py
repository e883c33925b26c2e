"""Whether another process is alive, on every platform.

Used to tell a run or an autosave left by a crashed process from one another
window is still writing.
"""

import os


def process_alive(pid):
    """True when a process other than this one has ``pid``.

    On POSIX, signal 0 probes without touching the process. On Windows,
    ``os.kill(pid, 0)`` would *terminate* it (any signal but the two console
    events means TerminateProcess there), so the process is queried instead.
    """
    if not pid or pid == os.getpid():
        return False
    if os.name == "nt":
        return _alive_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but is not ours: alive
        return True
    return True


def _alive_windows(pid):
    import ctypes

    kernel32 = ctypes.windll.kernel32
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return False
    try:
        code = ctypes.c_ulong()
        return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == 259
    finally:
        kernel32.CloseHandle(handle)  # 259: STILL_ACTIVE
