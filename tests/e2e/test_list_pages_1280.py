"""Every list page a clerk reaches, in Chromium at 1280×800 (issue 28.4): no time in a table wraps (a cell that is
a time, or marked ``cell-date``, is one line high); a clerk bound to one site sees no site column and no 网点编码
filter on any page; HQ still sees both where a list spans sites. A screenshot of the one-site clerk's orders is
saved under var/test/ (an artefact of the suite, not committed)."""

from pathlib import Path

import pytest
from django.urls import reverse

from core.navigation import nav_pages

from ..conftest import PASSWORD
from ..test_every_export import lists  # noqa: F401  (the fixture: a row or more on every list)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test"
SITE_HEADS = {"网点", "责任网点", "责任单位", "网点编码", "网点名称"}
# the time cells of the page whose text runs over more than one line
WRAPPED_TIMES = r"""Array.prototype.filter.call(document.querySelectorAll('main td'), function (el) {
  var text = el.textContent.trim();
  if (!el.classList.contains('cell-date') && !/^(\d{4}-)?\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(text)) return false;
  if (!el.getBoundingClientRect().width || !text) return false;
  var cs = getComputedStyle(el), lh = parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.5;
  var range = document.createRange(); range.selectNodeContents(el);
  var tops = Array.prototype.filter.call(range.getClientRects(), function (r) { return r.width > 0 && r.height > 0; })
    .map(function (r) { return r.top; }).sort(function (a, b) { return a - b; });
  for (var i = 1; i < tops.length; i++) if (tops[i] - tops[i - 1] > lh / 2) return true;
  return false;
}).map(function (el) { return el.textContent.trim(); })"""
HEADS = (
    "Array.prototype.map.call(document.querySelectorAll('main th'), function (el) { return el.textContent.trim(); })"
)
LABELS = (
    "Array.prototype.map.call(document.querySelectorAll('main label'), function (el) { return el.textContent.trim(); })"
)


def _login(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def _visit(browser, base, user, paths, shot: str = ""):
    """{path: (header cells, filter labels, wrapped time cells)} of each page that shows a table."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    _login(page, base, user)
    seen = {}
    for path in paths:
        response = page.goto(f"{base}{path}")
        assert response.status == 200, path
        if page.locator("main table").count():
            seen[path] = (page.evaluate(HEADS), page.evaluate(LABELS), page.evaluate(WRAPPED_TIMES))
        if shot and path == "/orders/":
            ARTEFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTEFACTS / shot))
    context.close()
    return seen


def test_clerk_lists_at_1280_one_line_times_and_no_site_for_one_site(lists, live_server, browser):  # noqa: F811
    clerk_pages = [reverse(n) for n in nav_pages("clerk")]
    one_site = _visit(browser, live_server.url, lists.clerk_b, clerk_pages, shot="clerk-one-site-orders-1280.png")
    both = _visit(browser, live_server.url, lists.clerk_a, clerk_pages)  # a site and its contract area
    assert len(one_site) >= 12, sorted(one_site)  # the clerk's list pages (tables) were all reached
    wrapped = {p: w for seen in (one_site, both) for p, (_h, _l, w) in seen.items() if w}
    assert wrapped == {}, f"times over two lines: {wrapped}"
    site_cols = {
        p: sorted(SITE_HEADS & set(h))
        for p, (h, _l, _w) in one_site.items()
        if SITE_HEADS & set(h) and p != reverse("core:site_list")  # the network's sites: a site is the row there
    }
    assert site_cols == {}, f"a one-site clerk's pages with a site column: {site_cols}"
    site_filters = [p for p, (_h, labels, _w) in one_site.items() if "网点编码" in labels]
    assert site_filters == [], f"a one-site clerk's pages with a 网点编码 filter: {site_filters}"
    # HQ still reads and filters by site where a list spans sites
    hq = _visit(browser, live_server.url, lists.hq, ["/orders/", "/violations/", "/desk/unscanned/", "/work-orders/"])
    for path, (heads, _labels, _w) in hq.items():
        assert SITE_HEADS & set(heads), path
    assert "网点编码" in hq["/orders/"][1] and "网点编码" in hq["/violations/"][1]
