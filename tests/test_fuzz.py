"""A fuzz crawler over every URL pattern and every form of the desk: as each role, each
page of the role × URL matrix is fetched with hostile query values (out-of-range dates and numbers, NUL and
control characters, slashes, huge texts, impossible dates); every form the page renders is submitted with
hostile values in all of its fields; every path with an id gets a huge id. Zero 5xx answers, within 3 minutes."""

import time
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.db import transaction
from django.urls import reverse

from .test_url_matrix import MATRIX, _messages, _user

HOSTILE = [
    "9999-12-31",
    "0001-01-01",
    "2026-13-45",
    "-1",
    "99999999999999999999",
    "1e400",
    "a/b",
    "//evil.example/x",
    "'\"<script>",
    "长" * 3000,
    "a\x00b",
    "a\x01b",
    "",
    "25:99",
]
COMMON = [
    "page",
    "per_page",
    "sort",
    "q",
    "date_from",
    "date_to",
    "week",
    "year",
    "month",
    "day",
    "next",
    "site",
    "province",
    "state",
    "status",
    "kind",
    "rule",
    "code",
    "from",
    "to",
    "at",
    "limit",
    "offset",
    "ids",
]
# the clerk's and HQ's pages hold every form of the desk; the LCS's and managers' are the same views, narrower
ROLES = ("clerk", "hq")
# PDF pages take a second or more each: they get the three values that reach their parameters' parsing
PDF = {"finance:statement_pdf", "logistics:label"}
SKIP = {"logout", "set_language", "login", "password_change"}  # they end the session or change its password


class Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms, self.current, self.links = [], None, set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action") or "",
                "fields": set(),
            }
            self.forms.append(self.current)
        elif tag in ("input", "select", "textarea", "button") and self.current is not None and a.get("name"):
            if a.get("type") != "file":
                self.current["fields"].add(a["name"])
        elif tag == "a" and a.get("href", "").startswith("/") and "?" in a.get("href", ""):
            self.links.add(a["href"].split("?")[0])

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def _crawl(client, role, net, msgs):
    answers, fives = 0, []

    def hit(method, url, data=None):
        nonlocal answers
        # each request in a savepoint rolled back afterwards: a statement the database refused does not poison
        # the next request (in production each request runs in autocommit), and no hostile write lingers
        sid = transaction.savepoint()
        try:
            response = getattr(client, method)(url, data or {})
        finally:
            transaction.savepoint_rollback(sid)
        answers += 1
        if response.status_code >= 500:
            fives.append(f"{method.upper()} {url} {str(data)[:200]} as {role}: {response.status_code}")
        return response

    for name, (method, cases) in MATRIX.items():
        if name in SKIP:
            continue
        build, expected = cases[0]
        if expected.get(role) != 200 or method != "get":
            continue
        kwargs = build(net, role, msgs) if build else None
        url = reverse(name, kwargs=kwargs)
        page = hit("get", url)
        for value in (HOSTILE[:2] + HOSTILE[9:10]) if name in PDF else HOSTILE:
            hit("get", url, dict.fromkeys(COMMON, value))
        if kwargs and any(isinstance(v, int) for v in kwargs.values()):
            hit(
                "get",
                reverse(
                    name, kwargs={k: (99999999999999999999 if isinstance(v, int) else v) for k, v in kwargs.items()}
                ),
            )
        if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
            continue
        parser = Forms()
        parser.feed(page.content.decode(errors="replace"))
        for form in parser.forms:
            action = urljoin(url, form["action"]) if form["action"] else url
            if urlsplit(action).path.rstrip("/").endswith(("logout", "setlang")):
                continue
            fields = form["fields"] | ({"next"} if form["method"] == "post" else set())
            for value in HOSTILE:
                hit("post" if form["method"] == "post" else "get", action, dict.fromkeys(fields, value))
    return answers, fives


def test_no_hostile_input_answers_5xx(net, client):
    started = time.monotonic()
    client.raise_request_exception = False
    msgs = _messages(net)
    total, fives = 0, []
    for role in ROLES:
        client.force_login(_user(net, role), backend="core.auth.UserBackend")
        answers, found = _crawl(client, role, net, msgs)
        assert answers > 500, (role, answers)
        total, fives = total + answers, fives + found
    print(f"fuzz: {total} requests, {len(fives)} answers of 5xx, {time.monotonic() - started:.0f} s")
    assert not fives, f"{len(fives)} answers of 5xx out of {total}:\n" + "\n".join(fives[:60])
