import os

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls of fixtures are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian chromium is missing: run `make test`, which installs it")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    # an English browser still gets the Chinese desk (the language is chosen in the app, not by the browser)
    context = browser.new_context(locale="en-US", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15000)
    # the desk's Content Security Policy: every browser test fails on a violation Chromium reports
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(f"{page.url}: {msg.text}") if "Content Security Policy" in msg.text else None,
    )
    yield page
    context.close()
    assert not violations, "CSP violations:\n" + "\n".join(violations)
