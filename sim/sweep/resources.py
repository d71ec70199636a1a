"""Will the sweep fit? Estimates of a sweep's memory and disk needs, checked against the
machine before anything is written, so that `runs=10**12` is refused in a second instead
of dying of MemoryError after minutes.

The estimates are deliberately simple and a little generous; they were measured on this
project's tables (a 1,000,000-run table with 12 sampled parameters: 247 bytes a row in
Arrow, a peak of about 410 bytes a row while the chunks are read, joined and written, 132
bytes a row on disk):

- assembling runs.parquet holds the whole table in memory: about
  `ASSEMBLY_BASE + ASSEMBLY_FACTOR * runs * row_bytes(D)`;
- computing holds a chunk per worker: about `workers * (WORKER_BASE + chunk_size * ENGINE_RUN_BYTES)`;
- the disk holds the chunks and the assembled table at once: about `2 * runs * disk_row_bytes(D)`;
- a plan holds its sampled points: `points * D * 8` bytes, several times over while sampling.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

MiB = 1024**2
ASSEMBLY_BASE = 300 * MiB
ASSEMBLY_FACTOR = 2.0
WORKER_BASE = 200 * MiB
ENGINE_RUN_BYTES = 8 * 1024
PLAN_COPIES = 8
#: run ids, points and replications are int64 in the tables
MAX_RUNS = 2**62


def row_bytes(n_params: int) -> int:
    """Bytes of one row of runs.parquet in memory (Arrow)."""
    return 150 + 8 * n_params


def disk_row_bytes(n_params: int) -> int:
    """Bytes of one row of runs.parquet on disk (Parquet, compressed), a little generous."""
    return 48 + 9 * n_params


def available_memory() -> int | None:
    """Bytes this process can still use: MemAvailable, capped by a cgroup (container) limit."""
    found = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit.isdigit():
            used = int(Path("/sys/fs/cgroup/memory.current").read_text().strip())
            found.append(max(int(limit) - used, 0))
    except (OSError, ValueError):
        pass
    if not found:
        try:
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError, AttributeError):
            return None
    return min(found)


def free_disk(path) -> int | None:
    """Free bytes on the file system that holds `path` (or its nearest existing parent)."""
    p = Path(path).absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        return shutil.disk_usage(p).free
    except OSError:
        return None


def human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if abs(n) < 1000 or unit == "PB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n:.1f} PB"


def compute_memory(total_runs: int, workers: int, chunk_size: int) -> int:
    """Memory of computing: a chunk in the engine per worker process."""
    return int(workers * (WORKER_BASE + min(chunk_size, total_runs) * ENGINE_RUN_BYTES))


def assembly_memory(total_runs: int, n_params: int) -> int:
    """Memory of assembling runs.parquet: the whole table, read, joined and written."""
    return int(ASSEMBLY_BASE + ASSEMBLY_FACTOR * total_runs * row_bytes(n_params))


def sweep_disk(total_runs: int, n_params: int) -> int:
    return int(2 * total_runs * disk_row_bytes(n_params))


def plan_memory(points: int, n_params: int) -> int:
    return int(PLAN_COPIES * points * max(n_params, 1) * 8)


def check_disk_room(out, need: int, what: str, parts: str, reused: int = 0) -> None:
    """Refuse (ConfigError on `out`, naming the folder) an output whose estimated size `need`
    (`what`: "the sweep"; `parts`: what that is made of) will not fit on the disk of the
    folder `out` (or its nearest existing parent). `reused`: bytes already on that disk that
    are part of the need (chunks an earlier invocation left, which a resume reads back
    instead of writing again), counted as room. Nothing is refused where the free space
    cannot be read."""
    from ..config.validate import ConfigError

    free = free_disk(out)
    if free is None:
        return
    if need > free + reused:
        raise ConfigError("out", str(out), f"a folder on a disk with room for {what}: about {human(need)} needed "
                          f"({parts}), {human(free + reused)} free")


def folder_bytes(folder, pattern: str = "*.parquet") -> int:
    """Bytes of the files of `folder` matching `pattern` (0 when it does not exist)."""
    folder = Path(folder)
    total = 0
    for f in folder.glob(pattern) if folder.is_dir() else ():
        try:
            total += f.stat().st_size if f.is_file() else 0
        except OSError:
            pass
    return total


def check_runs_fit(runs: object, key: str = "runs", *, n_params: int = 0, at_once: bool = False) -> int:
    """Refuse (ConfigError, naming `key`) a run count that is not a whole number >= 1 or whose
    table does not fit in the memory this machine has available now; return it. `at_once`:
    the runs are also simulated in one block (the engine's state for every run), not in
    blocks of a bounded size. A public check for every entry point that builds a table of
    runs in memory (`sim.ensemble`, `sim.ensembles.run_ensemble`, the sweep runner's own
    checks use the same estimates), so `runs=10**12` is refused in a second instead of
    running for minutes and dying of MemoryError."""
    from ..config.validate import ConfigError

    if isinstance(runs, bool) or not isinstance(runs, int) or not 1 <= runs <= MAX_RUNS:
        raise ConfigError(key, runs, "an integer in [1, 2**62]")
    have = available_memory()
    if have is None:
        return runs
    need = assembly_memory(runs, n_params) + (compute_memory(runs, 1, runs) if at_once else 0)
    if need > have:
        raise ConfigError(key, runs, f"a number of runs that fits in this machine's memory: {runs:,} runs need about "
                          f"{human(need)}, {human(have)} is available; run fewer runs (or a sweep, which writes them "
                          "to disk in chunks)")
    return runs
