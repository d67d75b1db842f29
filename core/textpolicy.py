"""The one text policy of every door (API, imports, forms, the admin, services): a text is refused, naming its
field, when it holds a control character or is longer than its column — before anything is stored.

- Control characters: C0 (U+0000–U+001F) except tab, line feed and carriage return; DEL (U+007F); the
  non-characters U+FFFE/U+FFFF; lone surrogates (a JSON "\\ud800" that PostgreSQL cannot store). They are
  refused, never silently removed: a clerk or a channel learns which field to fix.
- Lengths: a ``CharField``'s ``max_length`` is the limit, counted in characters (as PostgreSQL counts).

Used by ``orders.services`` (intake from the API, imports and hand entry), the API schemas, the request guard
(``config.middleware.InputGuardMiddleware``: every query, path and form value) and ``guard_instance`` (a
``pre_save`` check of every model of the project, the admin included)."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exceptions import TextError

CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
NUL = "\x00"


def control_char(value: str) -> str | None:
    """The first control character of the text, as ``U+XXXX``, or None."""
    m = CONTROL_RE.search(value)
    return f"U+{ord(m.group()):04X}" if m else None


def text_problem(value, *, max_length: int | None = None, label: str = "") -> str | None:
    """What is wrong with the text under the policy (a Chinese message once translated), or None."""
    if not isinstance(value, str):
        return None
    bad = control_char(value)
    if bad:
        return (
            _("%(field)s contains a control character (%(char)s); remove it.") % {"field": label, "char": bad}
            if label
            else _("The text contains a control character (%(char)s); remove it.") % {"char": bad}
        )
    if max_length is not None and len(value) > max_length:
        return _("%(field)s is too long: at most %(max)d characters (it has %(n)d).") % {
            "field": label or _("The text"),
            "max": max_length,
            "n": len(value),
        }
    return None


def text_check(value, *, field: str, max_length: int | None = None, label: str = "") -> None:
    """Raise ``TextError`` naming the field when the text breaks the policy."""
    problem = text_problem(value, max_length=max_length, label=label or field)
    if problem:
        raise TextError(problem, field=field)


def validate_text(value) -> None:
    """The policy as a Django validator (forms); a list (an array field's items) is checked item by item."""
    for item in value if isinstance(value, (list, tuple)) else [value]:
        problem = text_problem(item)
        if problem:
            raise ValidationError(problem, code="control_character")


def schema_text(value: str) -> str:
    """The policy as a pydantic after-validator (the API): a 422 naming the field."""
    bad = control_char(value)
    if bad:
        raise ValueError(f"control characters are not allowed ({bad}) / 不允许控制字符（{bad}）")
    return value


def model_text_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField))]


def guard_instance(instance) -> None:
    """Every text field of a model instance about to be saved: control characters and column lengths."""
    for f in model_text_fields(type(instance)):
        value = getattr(instance, f.attname, None)
        if isinstance(value, str):
            text_check(
                value,
                field=f.name,
                max_length=getattr(f, "max_length", None) if isinstance(f, models.CharField) else None,
                label=str(f.verbose_name),
            )


def guard_form(form) -> None:
    """Add the policy to every text field of a Django form (call in ``__init__`` or through ``PolicyFormMixin``)."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField) and validate_text not in field.validators:
            field.validators.append(validate_text)
        if isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)):
            # Django's own wording repeats the value sent ("LATE_ACCEPT 不在可用的选项中"): a code or whatever was typed
            field.error_messages["invalid_choice"] = INVALID_CHOICE


INVALID_CHOICE = gettext_lazy("Choose one of the listed options.")


def form_errors_text(form) -> str:
    """A form's errors on one line for the message bar: each field's label and its errors (a field without a label,
    a hidden one, by its errors alone)."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return "; ".join(parts)


class PolicyFormMixin:
    """A form whose text fields follow the policy (field errors on the form)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        guard_form(self)
