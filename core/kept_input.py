"""Forms keep what was typed: an action refused after a redirect (post → redirect → get) leaves what the person
typed in the session; the next full page shows it again — in its form, or by reopening the dialog it came from
(``static/js/desk.js``). Read once, by the next page that is not an htmx fragment."""

from __future__ import annotations

KEY = "q9_typed"
MAX_CHARS = 4000
MAX_FIELDS = 40
#: a field posted more than once (the boxes ticked in a list) keeps this many of its values, each this long
MAX_VALUES = 40
MAX_VALUE_CHARS = 200


#: never kept in the session: the form's plumbing, and personal data that must not leave its encrypted row (实名收寄)
NEVER_KEPT = frozenset({"csrfmiddlewaretoken", "next", "id_number", "id_name", "password"})


def typed_keep(
    request, *, form: str, data: dict, modal: str = "", action: str = "", order: str = "", errors: dict | None = None
) -> None:
    """Remember the refused form: ``form`` names it, ``modal`` is the dialog to reopen (with its ``action``
    and the ``order`` it was about); ``errors`` (field name → message) are shown next to those fields of the
    form that posts to ``action`` (``static/js/desk.js``), and listed at the top of the page. ``data`` is the
    posted ``QueryDict`` or a plain dict: each field keeps its last value in ``data``, and a field posted more
    than once (ticked boxes) keeps all its values in ``lists`` too (``typed_values`` reads either)."""
    posted = data.lists() if hasattr(data, "lists") else ((k, [v]) for k, v in data.items())
    fields = [(str(k)[:100], values) for k, values in posted if k not in NEVER_KEPT and values][:MAX_FIELDS]
    request.session[KEY] = {
        "form": form,
        "data": {k: str(values[-1])[:MAX_CHARS] for k, values in fields},
        "lists": {
            k: [str(v)[:MAX_VALUE_CHARS] for v in values[:MAX_VALUES]] for k, values in fields if len(values) > 1
        },
        "modal": modal,
        "action": action,
        "order": order,
        "errors": {str(k)[:100]: str(v) for k, v in (errors or {}).items()},
    }


def typed_pop(request) -> dict | None:
    if getattr(request, "htmx", False) or not hasattr(request, "session"):
        return None
    return request.session.pop(KEY, None)


def typed_values(typed: dict | None, name: str) -> list[str]:
    """Every value kept for the field ``name`` of a refused form (``typed_pop``'s answer): the boxes that were
    ticked, in the order posted; ``[]`` when nothing was kept for it."""
    if not typed:
        return []
    lists = typed.get("lists") or {}
    if name in lists:
        return list(lists[name])
    data = typed.get("data") or {}
    return [data[name]] if name in data else []
