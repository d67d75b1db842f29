import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from config.production import refuse_unsafe_start  # noqa: E402 - after the settings are loaded

refuse_unsafe_start("web")


def _settle() -> None:
    """Import what the first request would (the URL conf and every view behind it), then move every object alive
    now into the collector's permanent generation. Python's full collections walk every tracked object; with the
    code's hundreds of thousands in the heap one took ~95 ms and came every third bulk push of 1,000 orders.
    What a request creates is collected as usual."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the views
    gc.collect()
    gc.freeze()


_settle()
