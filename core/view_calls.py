"""The one way a page calls a service: call it, say in the page's message bar how it went (the service's own
Chinese refusal, or the success text), and on a refusal keep what was typed so the form comes back filled in.
Views never catch ``DomainError`` themselves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages as flash

from .exceptions import DomainError
from .kept_input import typed_keep


@dataclass
class Outcome:
    ok: bool
    result: Any = None
    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.ok


def service_call(
    request,
    call: Callable[[], Any],
    success: str | Callable[[Any], str] | None = None,
    *,
    keep: dict | None = None,
    form=None,
    announce: bool = True,
) -> Outcome:
    """Run ``call()``. A ``DomainError`` is shown as an error (and, with ``keep`` = typed_keep's ``form``/
    ``modal``/``action``/``order``, the posted values are kept for the next page; with ``form``, the refusal is
    put on the form, next to the field it names); otherwise ``success`` (a text, or a function of the result giving
    one) is shown. With ``announce=False`` nothing goes to the message bar: the caller renders the outcome itself
    (an htmx row, a page of its own) from ``Outcome.error``. Returns the outcome; anything else propagates."""
    try:
        result = call()
    except DomainError as exc:
        if form is not None:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        elif announce:
            flash.error(request, exc.message)
        if keep is not None:
            typed_keep(request, data=request.POST, **keep)
        return Outcome(False, error=exc)
    if success:
        flash.success(request, success(result) if callable(success) else success)
    return Outcome(True, result)
