"""Writing files so that a reader never sees half of one: write under a temporary name in
the same folder, then rename into place (`os.replace` is atomic on POSIX).

And where a command may write (`check_destination`): a folder or file named on the command
line or given to the Python interface (`hydra.run.dir=`, `out=`, `--out`, `--record`,
`Run.save(folder)`) may be anywhere outside the project, or under the project's `results/`;
never elsewhere inside the project (its code, configs, docs and tests: the install), and
never over a file under version control (the committed reports in results/ are rewritten
only by the commands that make them).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

#: the project's root folder: the parent of the `sim` package (the repository, for an
#: editable install)
PROJECT_ROOT = Path(__file__).resolve().parents[1]


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


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def tracked_files(path: Path, root: Path = PROJECT_ROOT) -> list[str]:
    """Files under version control at `path` (a file) or below it (a folder), relative to the
    project's root; [] when `path` is outside the project or the project is not a git
    checkout (or git is not installed)."""
    root = root.resolve()
    real = Path(path).resolve()
    if not _inside(real, root) or not (root / ".git").exists():
        return []
    rel = real.relative_to(root).as_posix() if real != root else "."
    try:
        out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--", rel], capture_output=True, timeout=30,
                             check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    return [f for f in out.stdout.decode("utf-8", "replace").split("\0") if f] if out.returncode == 0 else []


def check_destination(path: str | Path, option: str, *, allow_tracked: bool = False,
                      root: Path = PROJECT_ROOT) -> Path:
    """Refuse (ConfigError naming `option`) a destination inside the project other than under
    its results/ folder, or one holding (or being) a file under version control (unless
    `allow_tracked`: a command rewriting its own committed report). Returns `path`."""
    from .config.validate import ConfigError

    root = root.resolve()
    real = Path(path).expanduser().resolve()
    if _inside(real, root) and not _inside(real, root / "results"):
        part = real.relative_to(root).parts[0] if real != root else "."
        raise ConfigError(option, str(path), f"a place outside the project's own files, or under its results/ "
                          f"folder ({part} is part of the project's install: its code, configs or docs)")
    if not allow_tracked:
        tracked = tracked_files(real, root)
        if tracked:
            raise ConfigError(option, str(path), f"a place that holds no file under version control ({tracked[0]} "
                              f"is{' among' if len(tracked) > 1 else ''} the project's committed files); choose "
                              "another folder")
    return Path(path)
