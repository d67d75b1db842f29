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
    assert UserBackend().get_user(10 ** 12) is None and UserBackend().get_user("x") is None
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
