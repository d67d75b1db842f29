from . import production  # noqa: F401 - registers the deploy checks (SECRET_KEY)
from .celery import app as celery_app

__all__ = ["celery_app"]
