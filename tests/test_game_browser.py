"""The multiplayer game in a real browser (issue 14): headless Debian chromium
(/usr/bin/chromium, never a downloaded browser) driven by Playwright, against
`python -m sim.play.classroom` on a free localhost port. Three browser contexts (the
facilitator, the prime minister, Washington) play one game of anti_american_pm to its
outcome; a fourth context without the code can neither join nor move. Screenshots at
1280x720 go to docs/img/ when UPDATE_SCREENSHOT=1 (the README's pictures), else to a
temporary folder."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from browsertools import MARKS, launch, serve
from conftest import REPO

VIEW = {"width": 1280, "height": 720}

pytestmark = MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    log_path = tmp_path_factory.mktemp("classroom") / "server.log"
    yield from serve("sim.play.classroom", log_path, path="/", start_timeout=60, poll=0.3)
    assert "Traceback" not in log_path.read_text(), log_path.read_text()[-3000:]


@pytest.fixture(scope="module")
def browser():
    yield from launch()


def _shot(page, name: str, tmp_path: Path) -> None:
    folder = REPO / "docs" / "img" if os.environ.get("UPDATE_SCREENSHOT") == "1" else tmp_path
    path = folder / name
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000


def _join(browser, url, code, role, key=""):
    ctx = browser.new_context(viewport=VIEW)
    page = ctx.new_page()
    page.goto(url + "/")
    page.fill("#join input[name=code]", code)
    page.select_option("#join select[name=role]", role)
    if key:
        page.fill("#join input[name=key]", key)
    page.click("#join button")
    return ctx, page


def _goto(page, address: str) -> None:
    """page.goto from a blank page, again if a reload interrupted it.

    A waiting page refreshes itself every few seconds, and its timer keeps running while a new
    navigation is in flight: on a loaded machine, where the server takes longer than the refresh
    period to answer, the old page's refresh interrupts every goto. about:blank commits at once
    and takes the old page's timer with it, so only the new page's own refresh remains, and that
    starts after it has arrived."""
    for attempt in range(5):
        try:
            page.goto("about:blank")
            page.goto(address)
            return
        except Exception as err:  # playwright's Error: "interrupted by another navigation"
            if "interrupted" not in str(err) or attempt == 4:
                raise


def _choose(page, url, code, role, name, memo=""):
    _goto(page, f"{url}/p/{code}/{role}")
    if page.locator("#choose").count() == 0:
        return False
    page.check(f"#choose input[value={name}]" if name != "keep" else "#choose input[value=keep]")
    if memo:
        page.fill("#choose input[name=memo]", memo)
    page.click("#choose button")
    return True


def test_three_browsers_play_one_game_and_a_fourth_cannot(server, browser, tmp_path):
    url = server
    fac_ctx = browser.new_context(viewport=VIEW)
    fac = fac_ctx.new_page()
    fac.goto(url + "/")
    fac.select_option("#open select[name=scenario]", "anti_american_pm")
    fac.fill("#open input[name=seed]", "1")
    fac.click("#open button")
    code = fac.locator("#code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{6}", code)

    pm_ctx, pm = _join(browser, url, code, "pm")
    wa_ctx, wa = _join(browser, url, code, "washington")
    assert "You are the Iraqi prime minister" in pm.content() and "Your brief." in pm.content()
    assert "payoff" in wa.locator("#choose").inner_text()  # the facilitator allowed the model's payoffs
    _shot(pm, "game_pm.png", tmp_path)

    # a fourth browser without the code: cannot join, cannot see a seat, cannot move
    out_ctx = browser.new_context(viewport=VIEW)
    out = out_ctx.new_page()
    out.goto(url + "/")
    out.fill("#join input[name=code]", "ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY")
    out.click("#join button")
    assert "no game has that join code" in out.locator(".refused").inner_text()
    for path in (f"/p/{code}/pm", f"/p/{code}/washington", f"/f/{code}", f"/f/{code}/record.md"):
        r = out.request.get(url + path)
        assert r.status == 403, path
    r = out.request.post(f"{url}/p/{code}/pm/choose", form={"choice": "formal_request"})
    assert r.status == 403
    r = out.request.post(f"{url}/f/{code}/advance")
    assert r.status == 403
    # with the code but a taken seat and no seat key: refused too
    out.goto(url + "/")
    out.fill("#join input[name=code]", code)
    out.select_option("#join select[name=role]", "pm")
    out.click("#join button")
    assert "taken" in out.locator(".refused").inner_text()
    assert fac.locator(".situation").inner_text().startswith("Turn 1")  # nobody moved

    # turn 1: the PM makes the formal request, Washington keeps its course, with memos
    times = []
    t0 = time.monotonic()
    assert _choose(pm, url, code, "pm", "formal_request", "Parliament asked; now is the time")
    assert "Waiting for the other players" in pm.locator(".chosen").inner_text()
    assert _choose(wa, url, code, "washington", "keep", "Let them ask")
    times.append(time.monotonic() - t0)
    _goto(fac, f"{url}/f/{code}")
    assert "Turn 2" in fac.locator(".situation").inner_text()
    assert "formal request on" in fac.locator(".situation").inner_text()
    _shot(fac, "game_facilitator.png", tmp_path)

    # a dropped browser rejoins its seat with its key
    key = wa.locator(".seatkey").inner_text().strip()
    wa_ctx.close()
    wa_ctx, wa = _join(browser, url, code, "washington", key)
    assert "You are Washington" in wa.content()
    _shot(wa, "game_washington.png", tmp_path)

    # then Washington withdraws on schedule; the PM keeps its course; the facilitator
    # advances a turn once; play until the outcome is decided
    turns = 1
    while "Outcome decided" not in fac.content() and turns < 30:
        t0 = time.monotonic()
        if turns == 3:  # the facilitator ends this turn; neither player chooses
            before = fac.locator(".situation h2").inner_text()
            for _ in range(3):
                _goto(fac, f"{url}/f/{code}")
                fac.click("#advance")
                _goto(fac, f"{url}/f/{code}")
                if fac.locator(".situation h2").inner_text() != before:
                    break
        else:
            _choose(wa, url, code, "washington", "withdraw_on_schedule" if turns == 1 else "keep")
            _choose(pm, url, code, "pm", "keep")
        times.append(time.monotonic() - t0)
        turns += 1
        _goto(fac, f"{url}/f/{code}")
    assert "Outcome decided: withdrawal_completed" in fac.content()
    assert "Debrief" in fac.content() and "The model in this same world" in fac.content()
    assert "As Washington, your moves: withdraw_on_schedule" in fac.content()
    assert fac.locator("#playon").count() == 1  # the facilitator may play on
    _shot(fac, "game_debrief.png", tmp_path)
    _goto(pm, f"{url}/p/{code}/pm")
    assert "As the prime minister, your moves: formal_request (week 0)" in pm.content()

    record = fac.request.get(f"{url}/f/{code}/record.md").text()
    assert record.startswith("# Game record: scenario `anti_american_pm`, seed 1, run 0")
    assert 'formal_request: "Parliament asked; now is the time"' in record
    assert 'keep: "Let them ask"' in record and "## Debrief" in record
    print(f"turns {turns}; seconds per turn (both players choosing): max {max(times):.2f}, "
          f"mean {sum(times) / len(times):.2f}")
    for c in (fac_ctx, pm_ctx, wa_ctx, out_ctx):
        c.close()
