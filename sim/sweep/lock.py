"""One sweep per output folder at a time: an OS-level lock on `OUT/sweep.lock`.

The lock is `fcntl.flock` on the file, so the kernel releases it when its holder ends in
any way (`kill -9` included); nothing stale has to be cleaned up by hand. The holder
writes who it is (pid, host, start time, command) into the file, and a second sweep into
the same folder is refused with those details. On release the holder deletes the file
while it still holds the lock; a waiter that locked the deleted file notices (its file
descriptor no longer names the path) and tries again, so two sweeps can never both
believe they hold the folder.

On network file systems flock is only as good as the server's lock support (Linux NFS
clients map it to POSIX locks); keep sweep folders on a local disk or a file system with
working locks.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sys
from pathlib import Path

from ..config.validate import ConfigError

LOCK_NAME = "sweep.lock"

try:
    import fcntl
except ImportError:  # not POSIX: no lock (documented in the README)
    fcntl = None


class SweepLock:
    """`with SweepLock(out): ...` holds the lock of folder `out` (created if needed) or
    raises ConfigError naming who holds it. `what` names the job in that message (a
    calibration takes the same lock on its folder, as `calibration.lock`)."""

    def __init__(self, out, name: str = LOCK_NAME, what: str = "sweep"):
        self.out = Path(out)
        self.path = self.out / name
        self.what = what
        self.fd: int | None = None

    def __enter__(self) -> "SweepLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def acquire(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        if fcntl is None:
            return
        for _ in range(100):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read(fd, self.what)
                os.close(fd)
                raise ConfigError("out", str(self.out), f"a folder no other {self.what} is writing to; {holder}. "
                                  "Wait for it to finish (or stop it), or choose another out=DIR") from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self.fd = fd
                _write(fd)
                return
            os.close(fd)  # we locked a file its holder had just deleted: try again
        raise RuntimeError(f"{self.path}: could not take the lock (the file keeps being replaced)")

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self.fd)  # closing releases the flock
            self.fd = None


def _write(fd: int) -> None:
    doc = {"pid": os.getpid(), "host": socket.gethostname(),
           "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
           "command": " ".join(sys.argv)[:500]}
    data = (json.dumps(doc) + "\n").encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)
    os.fsync(fd)


def _read(fd: int, what: str) -> str:
    try:
        raw = os.pread(fd, 4096, 0).decode("utf-8", "replace")
        doc = json.loads(raw)
        return (f"{what} pid {doc.get('pid')} on host {doc.get('host')} has held it since {doc.get('started')} "
                f"({doc.get('command')})")
    except (OSError, ValueError):
        return f"another {what} holds it (it has not yet written who it is)"
