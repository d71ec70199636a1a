"""Worker processes that die with the sweep.

A sweep's local workers are forked by multiprocessing's forkserver, so the sweep's main
process is not their parent, and `kill -9` of the main process used to leave the
forkserver, its resource tracker and every worker blocked forever (a worker waits on a
queue whose writer it holds itself; the forkserver waits for its workers). Two guards:

- each worker watches the main process (`watch_main`): a `pidfd` of it (Linux >= 5.3),
  polled by a daemon thread, or polling `os.kill(pid, 0)` elsewhere, and ends itself as
  soon as the main process is gone; it also asks the kernel for SIGKILL when its own
  parent (the forkserver) dies (`PR_SET_PDEATHSIG`);
- the forkserver, which imports this module as a preload, asks the kernel for SIGKILL
  when the main process dies (`PR_SET_PDEATHSIG` again).

Once the workers are gone the forkserver and the resource tracker see their pipes close
and exit on their own. On systems without prctl only the watch applies.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1


def set_parent_death_signal(sig: int = signal.SIGKILL) -> bool:
    """Ask the kernel to send `sig` to this process when its parent dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def watch_main(main_pid: int, interval: float = 0.5) -> None:
    """End this process (SIGKILL to itself) as soon as process `main_pid` has ended."""
    fd = None
    if hasattr(os, "pidfd_open"):
        try:
            fd = os.pidfd_open(main_pid)
        except ProcessLookupError:
            _die()
        except OSError:
            fd = None
    elif not _alive(main_pid):
        _die()

    def wait_pidfd() -> None:
        import select

        poller = select.poll()
        poller.register(fd, select.POLLIN)
        while True:
            if poller.poll():  # readable once the process has exited
                _die()

    def poll_pid() -> None:
        import time

        while True:
            time.sleep(interval)
            if not _alive(main_pid) or os.getppid() == 1:
                _die()

    threading.Thread(target=wait_pidfd if fd is not None else poll_pid, name="sweep-lifeline", daemon=True).start()


def worker_init(main_pid: int) -> None:
    """Initializer of a local worker: Ctrl-C and SIGTERM are the main process's to handle
    (it stops the workers itself); die with the forkserver and with the main process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    set_parent_death_signal()
    watch_main(main_pid)


def _in_forkserver() -> bool:
    main = sys.modules.get("__main__")
    fs = sys.modules.get("multiprocessing.forkserver")
    return fs is not None and getattr(main, "main", None) is getattr(fs, "main", object())


if _in_forkserver():  # imported as a forkserver preload: die with the process that started the server
    set_parent_death_signal()
