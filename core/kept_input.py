"""Forms keep what was typed: an action refused after a redirect (post → redirect → get) leaves what the person
typed in the session; the next full page shows it again — in its form, or by reopening the dialog it came from
(``static/js/desk.js``). Read once, by the next page that is not an htmx fragment."""

from __future__ import annotations

KEY = "q9_typed"
MAX_CHARS = 4000
MAX_FIELDS = 40


#: never kept in the session: the form's plumbing, and personal data that must not leave its encrypted row (实名收寄)
NEVER_KEPT = frozenset({"csrfmiddlewaretoken", "next", "id_number", "id_name", "password"})


def typed_keep(
    request, *, form: str, data: dict, modal: str = "", action: str = "", order: str = "", errors: dict | None = None
) -> None:
    """Remember the refused form: ``form`` names it, ``modal`` is the dialog to reopen (with its ``action``
    and the ``order`` it was about); ``errors`` (field name → message) are shown next to those fields of the
    form that posts to ``action`` (``static/js/desk.js``), and listed at the top of the page."""
    fields = [(k, v) for k, v in data.items() if k not in NEVER_KEPT][:MAX_FIELDS]
    clean = {str(k)[:100]: str(v)[:MAX_CHARS] for k, v in fields}
    request.session[KEY] = {
        "form": form,
        "data": clean,
        "modal": modal,
        "action": action,
        "order": order,
        "errors": {str(k)[:100]: str(v) for k, v in (errors or {}).items()},
    }


def typed_pop(request) -> dict | None:
    if getattr(request, "htmx", False) or not hasattr(request, "session"):
        return None
    return request.session.pop(KEY, None)
