"""The sign-in backend's ``get_user`` (core.auth.UserBackend): the same user the ORM gives, read fresh on every
request, so a deactivation or a password change signs the user out on the next request."""

from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.auth import UserBackend
from core.models import User


def test_get_user_is_the_orm_user(net):
    ours, django = UserBackend().get_user(net.clerk_a.pk), ModelBackend().get_user(net.clerk_a.pk)
    assert ours == django
    for field in User._meta.concrete_fields:
        assert getattr(ours, field.attname) == getattr(django, field.attname), field.name
    assert ours._state.adding is False and ours._state.db == "default"
    assert UserBackend().get_user(10**12) is None and UserBackend().get_user("x") is None
    with CaptureQueriesContext(connection) as queries:
        UserBackend().get_user(net.clerk_a.pk)
    assert len(queries) == 1


def test_deactivation_and_password_change_take_effect_on_the_next_request(net, client):
    from people.services import account_deactivate

    client.force_login(net.clerk_a, backend="core.auth.UserBackend")
    assert client.get("/desk/accept/").status_code == 200
    net.clerk_b.set_password("另一个密码-123")  # someone else's change does not matter
    net.clerk_b.save()
    assert client.get("/desk/accept/").status_code == 200
    net.clerk_a.set_password("新密码-2026-abc")  # the session's hash no longer matches: signed out
    net.clerk_a.save()
    assert client.get("/desk/accept/").status_code == 302
    client.force_login(net.clerk_a, backend="core.auth.UserBackend")
    assert client.get("/desk/accept/").status_code == 200
    account_deactivate(actor=net.hq, user=net.clerk_a)
    client.force_login(User.objects.get(pk=net.clerk_a.pk), backend="core.auth.UserBackend")
    assert client.get("/desk/accept/").status_code == 302


def test_a_wrong_password_is_checked_once_and_counted(net, client, monkeypatch):
    """UserBackend answers every password: a wrong one ends the chain (Django's ModelBackend, kept for sessions
    that name it, does not hash it again), the failure is still recorded, the right one signs in with
    UserBackend; a session signed in with ModelBackend before stays signed in."""
    from django.contrib.auth import authenticate
    from django.contrib.auth.signals import user_login_failed
    from django.test import RequestFactory

    net.clerk_a.set_password("正确的密码-2026")
    net.clerk_a.save()
    checks, failures = [], []
    original = User.check_password
    monkeypatch.setattr(User, "check_password", lambda self, raw: checks.append(1) or original(self, raw))
    user_login_failed.connect(
        lambda **kw: failures.append(kw["credentials"]["username"]), weak=False, dispatch_uid="test-failed"
    )
    try:
        assert authenticate(RequestFactory().post("/accounts/login/"), username="clerk-a", password="错的") is None
    finally:
        user_login_failed.disconnect(dispatch_uid="test-failed")
    assert len(checks) == 1 and failures == ["clerk-a"]
    user = authenticate(RequestFactory().post("/accounts/login/"), username="clerk-a", password="正确的密码-2026")
    assert user == net.clerk_a and user.backend == "core.auth.UserBackend"
    client.force_login(net.clerk_b, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/desk/accept/").status_code == 200
