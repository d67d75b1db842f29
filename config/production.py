"""Production guards: the development SECRET_KEY is refused when DEBUG is off — gunicorn (config/wsgi.py),
the Celery worker and beat (config/celery.py) do not start on it — and ``manage.py check --deploy`` reports it
as an error. ``make run`` keeps a generated key in ``var/secret_key`` (devtools/stack.py)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

MESSAGE = (
    "SECRET_KEY is the development key and DEBUG is off: set SECRET_KEY (at least 50 random characters) "
    "in the environment; `make run` keeps one in var/secret_key."
)


def unsafe_key() -> bool:
    return not settings.DEBUG and settings.SECRET_KEY == settings.DEV_SECRET_KEY


def refuse_unsafe_start(process: str) -> None:
    if unsafe_key():
        raise ImproperlyConfigured(f"{process}: {MESSAGE}")


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    if unsafe_key():
        return [checks.Error(MESSAGE, id="q9.E001")]
    return []
