"""Benchmarks: ``python -m bench.NAME [--quick]``; each prints ``RESULT NAME key=value …`` as its last line.

The processes a bench starts (Celery workers, beat, gunicorn) run with DEBUG off and refuse Django's development
key, so a bench run from a bare shell gets a random one for its own run (a bench's data is scratch)."""

import os
import secrets

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
