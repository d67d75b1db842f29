"""Signing a user out everywhere: used when an account is deactivated or its password reset (people) and when a
courier's record is deactivated (core.couriers), so that reactivating it later brings no old phone session back."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX as SESSION_CACHE_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.utils import timezone


def sessions_end(*, user) -> int:
    """Sign the user out everywhere at once: every unexpired session of theirs is deleted."""
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000):
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            ended.append(session.session_key)
    Session.objects.filter(session_key__in=ended).delete()
    # sessions are cached (SESSION_ENGINE cached_db): the cached copies go too, or they would stay signed in
    caches[settings.SESSION_CACHE_ALIAS].delete_many([SESSION_CACHE_PREFIX + key for key in ended])
    return len(ended)
