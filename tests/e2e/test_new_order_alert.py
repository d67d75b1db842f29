"""New-order alerts in Chromium: the page asks for notifications once (on the clerk's first click), and an
order arriving while the clerk is on another page rings the vendored sound, raises one desktop notification
and counts in the tab title. The test spies on ``Notification`` and on the audio element's ``play``."""

import re
import time

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD
from ..factories import make_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SPIES = """
window.__q9 = {notes: [], asked: 0, played: []};
class FakeNotification {
  constructor(title, options) { window.__q9.notes.push({title: title, body: (options || {}).body}); }
  static requestPermission() {
    window.__q9.asked += 1; FakeNotification.permission = "granted"; sessionStorage.setItem("fake-permission", "granted");
    return Promise.resolve("granted");
  }
}
FakeNotification.permission = sessionStorage.getItem("fake-permission") || "default";  // the browser remembers
window.Notification = FakeNotification;
HTMLMediaElement.prototype.play = function () { window.__q9.played.push(this.currentSrc || this.src); return Promise.resolve(); };
"""


def _wait_until(page, expression: str, timeout_ms: int = 5000) -> None:
    """Poll a page expression from here: Playwright's wait_for_function evaluates a string inside the page,
    which the CSP (no 'unsafe-eval') rightly refuses."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)


def test_new_order_rings_notifies_and_counts_in_the_title(net, live_server, page, settings):
    settings.WORKBENCH_POLL_SECONDS = 1
    page.add_init_script(SPIES)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", net.clerk_a.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/desk/cancellations/")  # not the workbench: every page of a clerk listens
    hint = page.get_by_test_id("sound-hint")
    expect(hint).to_be_visible()  # says a click is needed before the sound can play
    page.locator("main h1").click()
    expect(hint).to_be_hidden()
    _wait_until(page, "window.__q9.asked === 1")
    assert page.evaluate("window.__q9.notes.length") == 0 and not page.title().startswith("(")

    order = make_order()
    _wait_until(page, "window.__q9.notes.length === 1", 10000)
    note = page.evaluate("window.__q9.notes[0]")
    assert note["title"] == "Q9 新订单" and "1 个新订单" in note["body"]
    played = page.evaluate("window.__q9.played")
    assert len(played) == 1 and played[0].endswith(".wav")
    expect(page).to_have_title(re.compile(r"^\(1\) "))

    # polls that find nothing new stay silent; the same order is not announced twice, on this page or the next
    page.wait_for_timeout(2500)
    assert page.evaluate("window.__q9.notes.length") == 1
    page.goto(f"{live_server.url}/desk/accept/")
    expect(page.locator(f"tr[data-order='{order.channel_order_id}']")).to_be_visible()
    expect(page.get_by_test_id("sound-hint")).to_be_hidden()  # the tab was clicked once: not asked again
    page.wait_for_timeout(1500)
    assert page.evaluate("window.__q9.notes.length") == 0  # a fresh page: its spies start empty, nothing new
    assert page.evaluate("window.__q9.asked") == 0  # asked once: the answer is remembered
    second = make_order()
    _wait_until(page, "window.__q9.notes.length === 1", 10000)
    expect(page.locator(f"tr[data-order='{second.channel_order_id}']")).to_be_visible()
    assert page.title().startswith("(2) ")
