#!/usr/bin/env bash
# Install headless Debian chromium for the browser test (tests/test_app_browser.py), which
# drives it with Playwright's Python API at /usr/bin/chromium: no browser download, no
# `playwright install`. Idempotent: does nothing when /usr/bin/chromium exists. Needs root.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "install_browser: /usr/bin/chromium already installed ($(/usr/bin/chromium --version 2>/dev/null || echo unknown version))"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
/usr/bin/chromium --version
