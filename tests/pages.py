"""A page's text as a person sees it, for assertions that something is absent.

Every page carries its CSRF token (64 random letters and digits, in the body's ``hx-headers`` and in each form), so
a short text such as ``LP`` or ``960`` turns up in it now and then by chance. Assert absence on ``shown(...)``."""

import re

_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[A-Za-z0-9]+')


def shown(page) -> str:
    text = page if isinstance(page, str) else page.content.decode()
    return _TOKEN.sub(r"\1", text)
