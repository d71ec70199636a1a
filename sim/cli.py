"""What the command-line tools share: telling an expected failure (bad input, a refused
config, a missing file, a full or read-only disk) from a bug, and saying it in one line.

An expected failure is printed as one line `PROG error: ...` and exits with code 2; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import contextmanager

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


class OneLineParser(argparse.ArgumentParser):
    """argparse, with a usage error said in one line (`PROG: error: ... (see PROG --help)`,
    exit code 2) instead of the usage block and the error."""

    def error(self, message: str):  # type: ignore[override]
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(2)



def whole_number_in(low: int, high: int, what: str | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number in [low, high]; `what` names it in the refusal."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is outside [{low}, {high}]" + (f" ({what})" if what else ""))
        return value
    return parse

def check_hydra_dirs(args: Sequence[str]) -> None:
    """Refuse (ConfigError) a `hydra.run.dir=` or `hydra.sweep.dir=` on the command line that
    would make Hydra write inside the project's install (`sim.files.check_destination`; for
    an interpolated folder, its fixed part)."""
    from .files import check_destination

    for arg in args:
        key, eq, value = arg.lstrip("+").partition("=")
        if eq and key in ("hydra.run.dir", "hydra.sweep.dir"):
            check_destination(value.split("${", 1)[0] or ".", key)


def progress_bar(flag: bool | None) -> bool:
    """Whether a command shows a progress bar: as asked, or (null) when stderr is a terminal
    and CI is not set."""
    if flag is not None:
        return bool(flag)
    return sys.stderr.isatty() and not os.environ.get("CI")


def exit_now(message: str, code: int) -> None:
    """Print one line and end the process at once: after a local worker died, the process
    pool's own threads may wait forever (for the rest of the dead worker's message), and a
    normal exit joins them. Every chunk written is complete and verified, so nothing is lost."""
    print(message, file=sys.stderr)
    sys.stderr.flush()
    sys.stdout.flush()
    os._exit(code)


def fail(prog: str, message: str, code: int = 2):
    """Print `PROG error: MESSAGE` on stderr (one line) and exit with `code`."""
    print(f"{prog} error: {message}", file=sys.stderr)
    sys.exit(code)


# ---------------------------------------------------------------- Hydra apps
def _override_value(key: str, overrides: Sequence[str]) -> str | None:
    """The value given to `key` on the command line (the last `key=value`, `+key=` or `++key=`)."""
    found = None
    for o in overrides:
        k, eq, v = o.partition("=")
        if eq and k.lstrip("+~") == key:
            found = v
    return found


def hydra_error_line(err: BaseException, overrides: Sequence[str]) -> str | None:
    """One line for an error Hydra raises while reading the command line or composing the
    config (an override it cannot parse, an unknown key, a wrong type, an unknown config
    group option), naming the key, the value and what is allowed; None for anything else."""
    from hydra.errors import ConfigCompositionException, MissingConfigException, OverrideParseException
    from omegaconf.errors import ConfigKeyError, OmegaConfBaseException

    if isinstance(err, OverrideParseException):
        return f"cannot read the override {err.override!r}: {one_line(err)} (Hydra's override syntax)"
    if isinstance(err, MissingConfigException):
        options = getattr(err, "options", None)
        allowed = f"; available: {', '.join(options)}" if options else ""
        return f"{one_line(err).removeprefix('In ')}{allowed}"
    if isinstance(err, ConfigCompositionException):
        cause = err.__cause__
        if isinstance(cause, OmegaConfBaseException) and getattr(cause, "full_key", None):
            key = cause.full_key
            value = _override_value(key, overrides)
            shown = f" = {value!r}" if value is not None else ""
            first = one_line(getattr(cause, "msg", None) or cause)
            allowed = f"an existing key ({first})" if isinstance(cause, (ConfigKeyError, AttributeError)) else first
            return f"{key}{shown} is not allowed: {allowed}"
        return one_line(err)
    return None


#: Hydra flags after which the app does not run a job (it prints or completes instead)
_NO_JOB_FLAGS = ("help", "hydra_help", "cfg", "info", "shell_completion", "multirun")


def compose_single_run(config_dir: str, config_name: str, args: Sequence[str]):
    """The task config (without `hydra`) that `@hydra.main` would hand the app for this
    command line, composed without running anything or writing any file; None when the
    command line runs no single job (--help, --cfg, --info, a multirun). Hydra's errors
    (`hydra_error_line`) propagate."""
    from hydra import compose, initialize_config_dir
    from hydra._internal.utils import get_args_parser
    from hydra.core.global_hydra import GlobalHydra

    try:
        parsed = get_args_parser().parse_intermixed_args(list(args))
    except SystemExit:  # a flag argparse does not know: Hydra will say so itself
        return None
    if any(getattr(parsed, flag, None) for flag in _NO_JOB_FLAGS):
        return None
    overrides = [o for o in parsed.overrides if not o.lstrip("+~").startswith(("hydra.", "hydra/"))]
    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=config_dir, version_base="1.3"):
        return compose(config_name=config_name, overrides=overrides)


#: the project's own loggers: they keep INFO under Hydra's job logging
OWN_LOGGERS = ("sim", "experiments", "benchmarks", "__main__")


def quiet_logging() -> None:
    """Inside a Hydra app: Hydra's job logging sets the root logger to INFO, and libraries
    then log at INFO (fontTools writes a hundred lines of font subsetting per PDF figure).
    Keep the root, and so every library, at WARNING and the project's own loggers at INFO,
    unless `hydra.verbose=...` asks for more (then nothing is changed)."""
    from hydra.core.hydra_config import HydraConfig

    verbose = HydraConfig.get().verbose if HydraConfig.initialized() else False
    if verbose:
        return
    root = logging.getLogger()
    if root.level < logging.WARNING:
        for name in OWN_LOGGERS:
            own = logging.getLogger(name)
            if own.level == logging.NOTSET:
                own.setLevel(root.level)
        root.setLevel(logging.WARNING)


def run_hydra_app(app: Callable[[], object], prog: str, args: Sequence[str]) -> None:
    """Run a `@hydra.main` app so that an error in the command line or the composed config
    is one line `PROG error: ...` with exit code 2 (Hydra itself prints several lines and
    exits with 1), and a bug in the app keeps its full traceback."""
    os.environ.setdefault("HYDRA_FULL_ERROR", "1")  # Hydra re-raises instead of printing
    with hydra_errors_as_lines(prog, args):
        app()


@contextmanager
def hydra_errors_as_lines(prog: str, args: Sequence[str]):
    """Inside: an error of Hydra's reading of the command line or composition exits with
    one line `PROG error: ...` and code 2; anything else propagates."""
    try:
        yield
    except Exception as err:
        line = hydra_error_line(err, [a for a in args if not a.startswith("-")])
        if line is None:
            raise
        fail(prog, line)
