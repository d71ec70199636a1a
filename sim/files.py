"""Writing files so that a reader never sees half of one: write under a temporary name in
the same folder, then rename into place (`os.replace` is atomic on POSIX)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """Call `write(tmp)` to write `tmp` beside `path`, then rename it to `path`."""
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    """Write a UTF-8 text file atomically."""
    atomic_write(path, lambda t: t.write_text(text, encoding="utf-8"))
