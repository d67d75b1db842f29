"""Production settings: `check --deploy` is clean under production settings; the development
SECRET_KEY is refused with DEBUG off (web, worker, beat, the deploy check); HSTS, SSL redirect and Secure cookies
are on when DEBUG is off and a real host is served; `make run` keeps a generated key under var/ and loads demo
data only on the embedded database or with DEMO_MODE; every page carries a CSP no template breaks."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from devtools.stack import run_defaults

BASE = Path(__file__).resolve().parents[2]
PRODUCTION = {"DEBUG": "0", "ALLOWED_HOSTS": "desk.q9.example", "SECRET_KEY": secrets.token_urlsafe(60)}


def _env(**extra):
    # the test process's own switches stay out (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright)
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "SECRET_KEY",
            "DEBUG",
            "ALLOWED_HOSTS",
            "SECURE_TRANSPORT",
            "SECURE_COOKIES",
            "SECURE_SSL_REDIRECT",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        )
    }
    return {**env, **extra}


def _python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=BASE, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_under_production_settings():
    r = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE,
        env=_env(**PRODUCTION),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_the_development_key_is_refused_with_debug_off():
    env = _env(DEBUG="0", ALLOWED_HOSTS="desk.q9.example")
    r = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode != 0 and "q9.E001" in r.stdout + r.stderr
    r = _python("import config.wsgi", env)
    assert r.returncode != 0 and "SECRET_KEY is the development key" in r.stderr
    r = _python(
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup();"
        "from celery import signals; signals.worker_init.send(sender=None)",
        env,
    )
    assert r.returncode != 0 and "SECRET_KEY is the development key" in r.stderr
    assert _python("import config.wsgi", _env(DEBUG="1")).returncode == 0  # development: fine


@pytest.mark.parametrize(
    "env,secure",
    [
        (PRODUCTION, True),
        ({**PRODUCTION, "ALLOWED_HOSTS": "127.0.0.1,localhost"}, False),  # make run, the tests: plain HTTP on loopback
        ({**PRODUCTION, "DEBUG": "1"}, False),
        ({**PRODUCTION, "ALLOWED_HOSTS": "127.0.0.1", "SECURE_TRANSPORT": "true"}, True),
    ],
)
def test_transport_security_follows_debug_and_the_host(env, secure):
    r = _python(
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup();"
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_PRELOAD)",
        _env(**env),
    )
    assert r.stdout.split() == [str(secure)] * 5, r.stderr


def test_make_run_keeps_a_key_and_demo_data_only_when_asked(tmp_path):
    env = run_defaults({}, embedded_db=True, var=tmp_path)
    assert env["DEMO_MODE"] == "1" and len(env["SECRET_KEY"]) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert run_defaults({}, embedded_db=False, var=tmp_path) == {
        "DEMO_MODE": "0",
        "DEBUG": "0",
        "SECRET_KEY": env["SECRET_KEY"],  # kept
        # gunicorn: a worker process per usable core
        "WEB_CONCURRENCY": str(len(os.sched_getaffinity(0))),
    }
    assert (
        run_defaults({"DEMO_MODE": "1", "SECRET_KEY": "given"}, embedded_db=False, var=tmp_path)["SECRET_KEY"]
        == "given"
    )


def test_every_page_carries_the_csp(net, login):
    response = login(net.clerk_a).get(reverse("dispatch:workbench"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_no_template_needs_an_inline_script():
    """CSP without 'unsafe-inline' for scripts: no inline <script>, no on…= handler, no javascript: URL."""
    offenders = []
    for path in (BASE / "templates").rglob("*.html"):
        if "pdf" in path.parts:
            continue  # WeasyPrint documents, never served to a browser
        text = path.read_text()
        for m in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", text):
            offenders.append(f"{path.relative_to(BASE)}: {m.group()}")
        if re.search(r"\son[a-z]+=\"", text) or "javascript:" in text:
            offenders.append(f"{path.relative_to(BASE)}: inline handler or javascript: URL")
    assert not offenders, offenders


def test_the_web_process_freezes_what_it_loaded_before_its_first_request():
    """config.wsgi imports the views and moves the objects alive then into the collector's permanent generation:
    a full collection (every third bulk push of 1,000 orders) then walks only what requests created."""
    r = _python(
        "import gc, sys; import config.wsgi; "
        "print(gc.get_freeze_count(), 'orders.api' in sys.modules and 'penalties.views' in sys.modules)",
        _env(DEBUG="1"),
    )
    assert r.returncode == 0, r.stderr
    frozen, views_loaded = r.stdout.split()
    assert int(frozen) > 100_000 and views_loaded == "True", r.stdout
