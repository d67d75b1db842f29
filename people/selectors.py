"""Read side of the accounts: whom a user may manage (HQ everyone; a province LCS the clerks and managers of its
province; nobody else), and whether a user still has to replace a temporary password."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from django.core.cache import cache
from django.db.models import Q, QuerySet

from core.models import Province, Site, User
from core.scoping import role_of
from orders.models import ImportJob

from .models import AccountEvent, TemporaryPassword

Role = User.Role
#: how long the answer of ``must_change_password`` is kept for one password hash
TEMPORARY_CHECK_SECONDS = 600
#: roles an LCS may create and manage (in its own province)
LCS_ROLES = (Role.CLERK, Role.MANAGER)


def manageable_users(actor) -> QuerySet[User]:
    """The accounts ``actor`` may see and change; anything else answers 404."""
    role = role_of(actor)
    users = User.objects.select_related("site", "province", "site__province")
    if role == Role.HQ:
        return users
    if role == Role.LCS and actor.province_id:
        return users.filter(
            Q(role=Role.CLERK, site__province_id=actor.province_id)
            | Q(role=Role.MANAGER, province_id=actor.province_id)
        )
    return users.none()


def assignable_roles(actor) -> list[tuple[str, str]]:
    if role_of(actor) == Role.HQ:  # courier accounts are opened by their site's clerk (courier_account_open)
        return [(v, label) for v, label in Role.choices if v != Role.COURIER]
    if role_of(actor) == Role.LCS:
        return [(v, label) for v, label in Role.choices if v in LCS_ROLES]
    return []


def assignable_sites(actor) -> QuerySet[Site]:
    if role_of(actor) == Role.HQ:
        return Site.objects.all()
    if role_of(actor) == Role.LCS and actor.province_id:
        return Site.objects.filter(province_id=actor.province_id)
    return Site.objects.none()


def assignable_provinces(actor) -> QuerySet[Province]:
    if role_of(actor) == Role.HQ:
        return Province.objects.all()
    if role_of(actor) == Role.LCS and actor.province_id:
        return Province.objects.filter(pk=actor.province_id)
    return Province.objects.none()


def must_change_password(user) -> bool:
    """True while the user's password is still the temporary one an administrator set. Asked on every request
    (people.middleware), so the answer is cached per user *and password hash*: setting a temporary password or
    replacing it changes the hash, so a cached answer never outlives the password it was about. The answer for
    one hash never changes, so this process keeps it too (no Redis round trip on a clerk's poll)."""
    return _temporary(user.pk, user.password or "")


@lru_cache(maxsize=20_000)
def _temporary(user_id: int, password_hash: str) -> bool:
    digest = hashlib.blake2b(password_hash.encode(), digest_size=10).hexdigest()
    key = f"q9:temp-pw:{user_id}:{digest}"
    known = cache.get(key)
    if known is None:
        known = TemporaryPassword.objects.filter(user_id=user_id, password_hash=password_hash).exists()
        cache.set(key, known, timeout=TEMPORARY_CHECK_SECONDS)
    return known


def account_events(user) -> QuerySet[AccountEvent]:
    return AccountEvent.objects.filter(user=user).select_related("actor")


def account_import_jobs(actor) -> QuerySet:
    """The accounts files ``actor`` may follow: HQ every one; a province LCS those of its province's LCS (a file
    holds names, phones and e-mail addresses of the province's people); nobody else."""
    jobs = ImportJob.objects.filter(kind=ImportJob.Kind.ACCOUNTS).select_related("created_by")
    role = role_of(actor)
    if role == Role.HQ:
        return jobs
    if role == Role.LCS and actor.province_id:
        return jobs.filter(created_by__role=Role.LCS, created_by__province_id=actor.province_id)
    return jobs.none()


def imported_users(actor, job_id: int) -> QuerySet[User]:
    """The accounts an accounts file created, of those ``actor`` may see."""
    created = AccountEvent.objects.filter(kind=AccountEvent.Kind.CREATED, data__import_job=job_id)
    return manageable_users(actor).filter(pk__in=created.values("user_id")).order_by("pk")
