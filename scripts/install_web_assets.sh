#!/usr/bin/env bash
# Install the JavaScript that Solara (the browser app, sim/webapp) would otherwise fetch from
# a CDN at run time, from the npm registry into Solara's asset cache, so the app works with
# no internet. Safe to run again: a package already unpacked is skipped.
#
#   bash scripts/install_web_assets.sh            # uses .venv/bin/python
#   PYTHON=/path/to/python bash scripts/install_web_assets.sh
#
# The packages and versions are read from Solara's own source (its page template and its
# grid-layout widget), so a Solara upgrade picks up the versions it asks for.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
command -v npm >/dev/null || { echo "install_web_assets: npm not found (apt-get install -y npm)" >&2; exit 1; }

# Solara's CDN cache folder and the packages its page requests (name@version per line)
mapfile -t info < <("$PY" - <<'EOF'
import pathlib, re
import solara, solara.server.settings as s
root = pathlib.Path(solara.__file__).parent
text = "".join(p.read_text(errors="ignore") for p in
               [root / "server/templates/solara.html.j2", root / "widgets/vue/gridlayout.vue",
                root / "components/markdown.py"])
print(s.assets.proxy_cache_dir)
wanted = set(re.findall(r"/((?:@widgetti/)?(?:requirejs|solara-vuetify-app|vue-grid-layout)@[0-9][\w.-]*)/", text))
wanted.add("font-awesome@" + re.search(r"font-awesome@([\w.-]+)/", s.assets.fontawesome_path).group(1))
print("\n".join(sorted(wanted)))
EOF
)
cache=${info[0]}
mkdir -p "$cache"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for spec in "${info[@]:1}"; do
  dest="$cache/$spec"
  if [ -f "$dest/package.json" ]; then
    echo "install_web_assets: $spec already in $cache"
    continue
  fi
  echo "install_web_assets: $spec"
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  tarball=$(ls "$tmp"/*.tgz)
  mkdir -p "$dest.partial"
  tar -xzf "$tarball" -C "$dest.partial" --strip-components=1
  rm -f "$tarball"
  rm -rf "$dest"
  mv "$dest.partial" "$dest"   # complete or absent: a half-unpacked package is never used
done
echo "install_web_assets: done ($cache)"
