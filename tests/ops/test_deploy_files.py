import os
import re
import subprocess
from pathlib import Path

BASE = Path(__file__).resolve().parents[2]


def test_docker_compose_config_is_valid():
    env = {**os.environ, "SECRET_KEY": "test-secret", "POSTGRES_PASSWORD": "test-password"}
    subprocess.run(["docker-compose", "config", "-q"], cwd=BASE, env=env, check=True)
    services = subprocess.run(
        ["docker-compose", "config", "--services"], cwd=BASE, env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    assert {"postgres", "redis", "web", "worker", "bulk", "beat"} <= set(services)
    rendered = subprocess.run(
        ["docker-compose", "config"], cwd=BASE, env=env, check=True, capture_output=True, text=True
    ).stdout
    assert "postgres:16" in rendered and "redis:7" in rendered and rendered.count("healthcheck:") >= 6
    assert "/healthz/ready/" in rendered  # readiness: Redis down is degraded (200), never a reason to pull web
    assert "- minute" in rendered and "- bulk" in rendered  # the minute's worker and the bulk worker apart


def test_docker_compose_refuses_to_start_without_secrets():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "POSTGRES_PASSWORD")}
    result = subprocess.run(["docker-compose", "config", "-q"], cwd=BASE, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "POSTGRES_PASSWORD" in result.stdout + result.stderr


def test_chinese_translations_are_complete_and_compiled(tmp_path):
    po = BASE / "locale/zh_Hans/LC_MESSAGES/django.po"
    result = subprocess.run(
        ["msgfmt", "--check-format", "--statistics", "-o", str(tmp_path / "django.mo"), str(po)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    committed = (BASE / "locale/zh_Hans/LC_MESSAGES/django.mo").read_bytes()
    assert committed == (tmp_path / "django.mo").read_bytes(), "run `make messages` and commit django.mo"


def test_ci_runs_the_readme_test_command():
    assert "make test" in (BASE / ".ci/run").read_text()
    assert "make test" in (BASE / "README.md").read_text() and "make run" in (BASE / "README.md").read_text()


# what a page loads (scripts, styles, images, frames, fonts, manifests): never from another host at run time. Links a
# person follows (the courier's map apps) are not assets.
ASSET = re.compile(
    r"""(?:\bsrc|\bsrcset|<link[^>]*\bhref|\bposter|\bdata|url\()\s*=?\s*["'(]?\s*(?:https?:)?//""", re.I
)


def test_no_cdn_assets_in_templates():
    for html in (BASE / "templates").rglob("*.html"):
        text = html.read_text()
        assert "://cdn" not in text and not ASSET.search(text), html


def test_the_asset_check_can_fail():
    assert ASSET.search('<script src="https://cdn.example/x.js"></script>')
    assert ASSET.search('<link rel="stylesheet" href="//fonts.example/a.css">')
    assert ASSET.search('<div style="background: url(https://img.example/a.png)"></div>')
    assert not ASSET.search('<a href="https://uri.amap.com/search?keyword=x">导航</a>')
