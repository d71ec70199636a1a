"""The classroom browser app in a real browser: headless Debian chromium (/usr/bin/chromium,
installed by scripts/install_browser.sh) driven by Playwright's Python API, against the
app server started on a free localhost port with no internet (Solara's JavaScript comes
from the npm registry via scripts/install_web_assets.sh).

The test steps the model, checks that the charts and the event log change, and that a
second browser session starts fresh while the first keeps its run. It saves a screenshot
to docs/img/browser_app.png when UPDATE_SCREENSHOT=1 (the README's picture), else to a
temporary folder.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (bash scripts/install_browser.sh)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    log_path = tmp_path_factory.mktemp("webapp") / "server.log"
    log = open(log_path, "w")
    proc = subprocess.Popen([sys.executable, "-m", "sim.webapp", "--port", str(port)], cwd=REPO,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the app server did not start on {url} (exit {proc.poll()}): {log_path.read_text()[-2000:]}")
        time.sleep(0.5)
    yield url
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    log.close()
    assert "Could not load URL" not in log_path.read_text(), "the app asked a CDN for an asset (install_web_assets.sh)"


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _open(browser, url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url)
    page.get_by_role("button", name="Step").wait_for(timeout=60_000)
    page.locator(".iw-chart-troops img").wait_for(timeout=30_000)
    return context, page


def _week(page) -> int:
    text = page.locator(".iw-situation").inner_text()
    return int(re.search(r"Week (\d+)", text).group(1))


def _events(page) -> str:
    return page.locator(".iw-events").inner_text()


_DIGEST = """async (src) => {
    const bytes = await (await fetch(src)).arrayBuffer();
    const h = await crypto.subtle.digest("SHA-256", bytes);
    return Array.from(new Uint8Array(h)).map((x) => x.toString(16).padStart(2, "0")).join("");
}"""


def _charts(page) -> list[str]:
    """A digest of each chart's image (its blob url differs in every session, its bytes do not)."""
    return [page.evaluate(_DIGEST, page.locator(f".iw-chart-{n} img").get_attribute("src"))
            for n in ("troops", "positions", "clock")]


def _wait_for_week(page, week: int) -> None:
    page.locator(".iw-situation").get_by_text(f"Week {week}", exact=False).wait_for(timeout=30_000)


def test_browser_app_steps_and_sessions_are_separate(server, browser, tmp_path):
    ctx1, page1 = _open(browser, server)
    assert _week(page1) == 0
    events0, charts0 = _events(page1), _charts(page1)
    assert "(4 events" in events0  # only the four opening lines of the article (F3, F4, F11, F12, F22)

    step = page1.get_by_role("button", name="Step")
    for k in range(1, 7):
        step.click()
        _wait_for_week(page1, k)
    page1.wait_for_timeout(500)
    assert _week(page1) == 6
    events6, charts6 = _events(page1), _charts(page1)
    assert events6 != events0 and "2020-01-13" in events6  # week 1's events are in the log
    assert charts6[0] != charts0[0] and charts6[1] != charts0[1], "troops and positions charts change"

    ctx2, page2 = _open(browser, server)  # a second student: a new browser session
    assert _week(page2) == 0
    assert _events(page2) == events0
    assert _charts(page2) == charts0
    assert "5,000" in page2.locator(".iw-situation").inner_text()  # F3: the initial troops
    page2.get_by_role("button", name="Step").click()
    _wait_for_week(page2, 1)
    assert _week(page1) == 6  # the first student's run is untouched

    page1.get_by_role("button", name="Reset").click()
    _wait_for_week(page1, 0)
    assert _events(page1) == events0
    ctx1.close()

    # the scenario picker, then Play until the formal request's clock runs (F4, F15)
    page2.locator(".iw-picker .v-select").click()
    page2.get_by_role("option", name="anti_american_pm").click()
    page2.locator(".iw-situation").get_by_text("anti_american_pm").wait_for(timeout=30_000)
    assert _week(page2) == 0
    page2.get_by_role("button", name="▶").click()
    deadline = time.monotonic() + 300  # Play runs at the Mesa model's pace: minutes on a loaded machine
    while _week(page2) < 40 and time.monotonic() < deadline:
        page2.wait_for_timeout(500)
    page2.get_by_role("button", name="❚❚").click()
    assert _week(page2) >= 40
    page2.set_viewport_size({"width": 1400, "height": 1750})  # the whole page, event log included
    page2.wait_for_timeout(1500)
    shot = REPO / "docs" / "img" / "browser_app.png" if os.environ.get("UPDATE_SCREENSHOT") == "1" \
        else tmp_path / "browser_app.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page2.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    ctx2.close()
