"""What the command-line tools share: telling an expected failure (bad input, a refused
config, a missing file, a full or read-only disk) from a bug, and saying it in one line.

An expected failure is printed as one line `PROG error: ...` and exits with code 2; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

import errno
import os

#: OSError numbers that come from the machine or the input, not from a bug
EXPECTED_ERRNOS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "it is a folder",
    errno.ENAMETOOLONG: "the name is too long",
    errno.EFBIG: "the file is too large",
    errno.EIO: "input/output error",
    errno.EMFILE: "too many open files",
    errno.ENFILE: "too many open files in the system",
    errno.EEXIST: "it already exists",
    errno.ENOTEMPTY: "the folder is not empty",
    errno.EXDEV: "it is on another device",
}


def describe_os_error(err: BaseException) -> str | None:
    """One line for an expected OSError (`cannot write /x: no space left on the device
    (ENOSPC)`), or None when the error is not one this module expects."""
    if not isinstance(err, OSError) or err.errno not in EXPECTED_ERRNOS:
        return None
    what = EXPECTED_ERRNOS[err.errno]
    name = errno.errorcode.get(err.errno, str(err.errno))
    target = err.filename if err.filename is not None else None
    target2 = f" -> {err.filename2}" if getattr(err, "filename2", None) else ""
    where = f"{os.fspath(target)}{target2}: " if target is not None else ""
    return f"{where}{what} ({name})"


def one_line(err: BaseException, limit: int = 400) -> str:
    """The first line of an exception's message (its type name when it has none)."""
    text = str(err).strip()
    first = text.splitlines()[0] if text else type(err).__name__
    return first[:limit]


def omegaconf_message(err: BaseException) -> str:
    """One line for an OmegaConf error raised while a composed config is converted
    (a missing mandatory value, a wrong type), naming the key."""
    key = getattr(err, "full_key", None)
    msg = getattr(err, "msg", None) or one_line(err)
    first = str(msg).strip().splitlines()[0] if str(msg).strip() else type(err).__name__
    return f"{key}: {first}" if key and key not in first else first
