"""The sign-in backend: Django's ``ModelBackend`` with a cheaper ``get_user``.

``get_user`` runs on every request of a signed-in user (the clerks' polls: most of the app's requests). Django
builds and compiles the same ``SELECT … WHERE id = %s`` through the ORM each time, which costs more CPU than the
query itself; here the statement is compiled once per process and the row becomes a ``User`` as the ORM would
make it. The user is still read fresh from the database on every request: deactivating an account or changing
its password takes effect on the next request."""

from __future__ import annotations

from functools import cache

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import connections, router

from .models import User


@cache
def _statement(alias: str) -> tuple[str, list[str]]:
    query = User._default_manager.using(alias).filter(pk=0).query
    sql, _params = query.get_compiler(alias).as_sql()
    return sql, [f.attname for f in User._meta.concrete_fields]


class UserBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            # a wrong password ends here: Django's ModelBackend, listed after this one only for the sessions that
            # name it (signed in before this backend), must not check the same password a second time
            raise PermissionDenied
        return user

    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        alias = router.db_for_read(User)
        sql, columns = _statement(alias)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        user = User.from_db(alias, columns, row)
        return user if self.user_can_authenticate(user) else None
