"""Shared fixtures: a small two-province network with one user per role, on the real PostgreSQL."""

import os
import sys
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.caches import ProcessCache
from core.models import Site, User

from .factories import (
    CityFactory,
    CourierFactory,
    DistrictFactory,
    ProvinceFactory,
    ServiceAreaFactory,
    SiteFactory,
    UserFactory,
)

PASSWORD = "pass-12345"


def pytest_configure(config):
    from django.conf import settings

    # PBKDF2 costs half a second a user on these machines; tests are not about hashing strength
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # the tests' callback receivers listen on 127.0.0.1 (workers the tests start inherit the variable); the tests of
    # the destination check clear it
    os.environ.setdefault("CALLBACK_ALLOWED_HOSTS", "127.0.0.1")
    settings.CALLBACK_ALLOWED_HOSTS = ["127.0.0.1"]


# The rows the migrations seed (channels, consumables, the rule book) are part of an empty database. A transactional
# test (a live server, a worker) ends with a flush that removes them, and whichever test runs next on that database,
# in this process or on this xdist worker, would find them missing: they are seeded again after each such test.
SEEDING_MIGRATIONS = (
    "orders.migrations.0002_channels",
    "inventory.migrations.0002_consumables",
    "penalties.migrations.0002_rules",
    "penalties.migrations.0005_work_order_rules",
)


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def _reseed() -> None:
    """The rows the seeding migrations write, written again (their ``forwards`` are idempotent)."""
    import importlib

    from django.apps import apps

    from penalties.rule_versions import rules_changed

    for module in SEEDING_MIGRATIONS:
        importlib.import_module(module).forwards(apps, None)
    rules_changed()
    ProcessCache.reset_all()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A database kept by ``--reuse-db`` may have been left flushed by the last run's last transactional test (the
    hook below does not run after the last test): seed it before the first test."""
    with django_db_blocker.unblock():
        _reseed()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    if nextitem is None or not _transactional(item):  # after the last test the test database is already gone
        return
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        _reseed()


# Every in-process test runs on a fixed clock (ticking from a Tuesday 09:00 Beijing, inside every province's
# service hours), so no result depends on the day or hour the suite runs. Tests that start other processes or a
# browser (tests/ops, tests/e2e) cannot share a frozen clock and derive their times from the real one.
FIXED_NOW = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
REAL_CLOCK_DIRS = {"ops", "e2e"}


@pytest.fixture(autouse=True)
def _fixed_clock(request):
    if REAL_CLOCK_DIRS & set(Path(str(request.node.fspath)).parts):
        yield None
        return
    with time_machine.travel(FIXED_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def write_guard(request):
    """Every write the test's own connection sends goes through the table-ownership check (tests/ownership.py)."""
    import psycopg
    from django.db import connection

    from .ownership import Guard

    guard = Guard()
    original_copy = psycopg.Cursor.copy

    def copy(cursor, statement, *args, **kwargs):
        guard.check(str(statement), sys._getframe(1))
        return original_copy(cursor, statement, *args, **kwargs)

    psycopg.Cursor.copy = copy
    try:
        with connection.execute_wrapper(guard.execute_wrapper):
            yield guard
    finally:
        psycopg.Cursor.copy = original_copy
    if guard.strays:
        pytest.fail(
            "writes outside the table's owner:\n" + "\n".join(sorted({str(s) for s in guard.strays})), pytrace=False
        )


@pytest.fixture(autouse=True)
def _celery_eager(settings):
    """Unit tests run Celery tasks in-process; tests that need a real worker start one (tests/ops)."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _fresh_statement_files():
    """A statement file kept by an earlier test (``finance.files``, named by scope and state) must not answer a later
    test's click: each test starts with none."""
    from django.core.cache import cache
    from redis.exceptions import RedisError

    try:
        client = cache._cache.get_client(write=True)
        for key in client.scan_iter(match="*q9:statement-file:*", count=1000):
            client.delete(key)
    except RedisError:  # a test that stopped Redis: nothing can be kept either
        pass
    yield


@pytest.fixture(autouse=True, scope="session")
def _fresh_refresh_gates():
    """Gates keyed by row ids (the once-a-minute refresh record, ``site_refresh_note``) left in Redis by an earlier
    run with the same ids must not decide this run: only those keys are removed, nothing else in the database."""
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match="*q9:site-refresh:*", count=1000):
        client.delete(key)


@pytest.fixture(autouse=True)
def _closed_breakers():
    """A test that simulates a broker or Redis outage trips a process-wide breaker: the next test starts closed."""
    from core import broker, rediscache

    broker.reset()
    rediscache.reset()
    yield
    broker.reset()
    rediscache.reset()


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Process caches (closure days, rule versions, API clients): a test's rolled-back rows must not leak."""
    from people.selectors import _temporary

    ProcessCache.reset_all()
    _temporary.cache_clear()
    yield
    ProcessCache.reset_all()
    _temporary.cache_clear()


@pytest.fixture(autouse=True)
def _second_factor_passed_on_force_login(monkeypatch):
    """A test that signs an HQ or LCS account in with ``force_login`` gets a session that passed the second factor
    (the account is given an authenticator): those tests are about the act, not the step-up. A test of the step-up
    asks for the bare session with ``force_login(user, backend=…, second_factor=False)`` (tests/core/test_twofactor.py).
    The feature itself is not loosened: the views check the session as they do for a person."""
    from django.test import Client

    from core.twofactor import needs_second_factor

    from .twofactor import session_verify

    original = Client.force_login

    def force_login(self, user, backend=None, *, second_factor=True):
        original(self, user, backend)
        if second_factor and needs_second_factor(user):
            session_verify(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@dataclass
class Net:
    zj: object
    xj: object
    site_a: Site
    area_a: Site  # contract area of site_a
    site_b: Site  # same province as a, another site
    site_x: Site  # Xinjiang
    data_center: Site
    clerk_a: User
    clerk_area: User
    clerk_b: User
    clerk_x: User
    lcs_zj: User
    lcs_xj: User
    hq: User
    manager: User  # national
    manager_zj: User

    def users(self):
        return {
            "clerk": self.clerk_a,
            "lcs": self.lcs_zj,
            "hq": self.hq,
            "manager": self.manager,
        }


@pytest.fixture
def net(db):
    zj = ProvinceFactory(code="33", name="浙江省")
    xj = ProvinceFactory(code="65", name="新疆维吾尔自治区", service_start=time(10), service_end=time(21))
    hz = CityFactory(code="3301", name="杭州市", province=zj)
    nb = CityFactory(code="3302", name="宁波市", province=zj)
    urumqi = CityFactory(code="6501", name="乌鲁木齐市", province=xj)
    xihu = DistrictFactory(adcode="330106", name="西湖区", city=hz)
    haishu = DistrictFactory(adcode="330203", name="海曙区", city=nb)
    tianshan = DistrictFactory(adcode="650102", name="天山区", city=urumqi)
    site_a = SiteFactory(code="33010601", name="杭州西湖网点", district=xihu)
    area_a = SiteFactory(code="33010611", name="西湖开发区承包区", district=xihu, parent=site_a)
    site_b = SiteFactory(code="33020301", name="宁波海曙网点", district=haishu)
    site_x = SiteFactory(code="65010201", name="乌鲁木齐天山网点", district=tianshan)
    dc = SiteFactory(
        code="DC0000", name="总部数据中心", district=None, province=zj, kind=Site.Kind.DIRECT, is_data_center=True
    )
    ServiceAreaFactory(site=site_a)
    ServiceAreaFactory(site=area_a, keywords=["开发区"])
    ServiceAreaFactory(site=site_b)
    ServiceAreaFactory(site=site_x)
    for s in (site_a, area_a, site_b, site_x):
        CourierFactory(site=s)
    R = User.Role
    return Net(
        zj=zj,
        xj=xj,
        site_a=site_a,
        area_a=area_a,
        site_b=site_b,
        site_x=site_x,
        data_center=dc,
        clerk_a=UserFactory(username="clerk-a", role=R.CLERK, site=site_a, first_name="西湖客服"),
        clerk_area=UserFactory(username="clerk-area", role=R.CLERK, site=area_a),
        clerk_b=UserFactory(username="clerk-b", role=R.CLERK, site=site_b),
        clerk_x=UserFactory(username="clerk-x", role=R.CLERK, site=site_x),
        lcs_zj=UserFactory(username="lcs-zj", role=R.LCS, province=zj),
        lcs_xj=UserFactory(username="lcs-xj", role=R.LCS, province=xj),
        hq=UserFactory(username="hq", role=R.HQ),
        manager=UserFactory(username="manager", role=R.MANAGER),
        manager_zj=UserFactory(username="manager-zj", role=R.MANAGER, province=zj),
    )


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user, backend="core.auth.UserBackend")
        return client

    return _login
