"""`python -m sim.webapp [--host 127.0.0.1] [--port 8765]`: start the classroom browser app.

Runs `solara run sim.webapp.app` in production mode, listening on 127.0.0.1 unless told
otherwise. With no internet, install Solara's JavaScript first:
`bash scripts/install_web_assets.sh` (the npm registry, once).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

APP = "sim.webapp.app"  # a module, so the app's package imports work


def command(host: str, port: int) -> list[str]:
    solara = Path(sys.executable).with_name("solara")
    return [str(solara), "run", APP, "--host", host, "--port", str(port), "--production", "--no-open"]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m sim.webapp", description="Start the classroom browser app.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    args = p.parse_args(argv)
    cmd = command(args.host, args.port)
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")  # no calls out
    os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "False")  # no badge over the story on a projector
    os.environ.setdefault("SOLARA_THEME_TITLE", "US troops in Iraq, 2020")
    print(f"Classroom app: http://{args.host}:{args.port}  (Ctrl-C stops it)", flush=True)
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    sys.exit(main())
