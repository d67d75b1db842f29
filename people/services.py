"""Account services: the only write path for people (HQ manages every account, a province LCS the clerks and
managers of its province). Each change is one transaction that writes an ``AccountEvent`` (who, when, what);
e-mails go out after commit. A courier's phone and other features build on these functions."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from core import twofactor
from core.models import Courier, Province, Site, User
from core.parsing import is_digits
from core.scoping import clerk_site_ids, role_of
from core.sessions import sessions_end

from . import selectors
from .exceptions import AccountError
from .models import AccountEvent, TemporaryPassword

Role = User.Role
#: the fields an edit may change, and how the record names them
EDITABLE = ("first_name", "phone", "email", "role", "site_id", "province_id")
#: a person's phone: a mobile (11 digits) or a landline with its area code; never a bare local number
PHONE_RE = re.compile(r"^(\+?86[- ]?)?(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$", re.ASCII)
#: characters of generated temporary passwords (no 0/O, 1/l/I)
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class Unit:
    """What an account belongs to: a site (clerk), a province (LCS, province manager) or nothing (HQ, national
    manager)."""

    role: str
    site: Site | None = None
    province: Province | None = None


def temporary_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def _event(*, user, kind, actor, at, **data) -> AccountEvent:
    return AccountEvent.objects.create(user=user, kind=kind, actor=actor, at=at, data=data)


def _unit_check(*, actor, unit: Unit) -> Unit:
    """The unit must fit the role and lie inside what the actor may manage."""
    if unit.role not in dict(selectors.assignable_roles(actor)):
        raise AccountError(_("You may not give this role."), field="role")
    if unit.role == Role.CLERK:
        if unit.site is None:
            raise AccountError(_("A site clerk needs a site."), field="site")
        if not selectors.assignable_sites(actor).filter(pk=unit.site.pk).exists():
            raise AccountError(_("This site is outside your province."), field="site")
        return Unit(role=unit.role, site=unit.site)
    if unit.role == Role.LCS and unit.province is None:
        raise AccountError(_("A province LCS needs a province."), field="province")
    if role_of(actor) == Role.LCS:  # an LCS's managers are its own province's
        return Unit(role=unit.role, province=actor.province)
    if unit.role == Role.HQ:
        return Unit(role=unit.role)
    return Unit(role=unit.role, province=unit.province)


def _manageable(*, actor, user) -> User:
    """The user, locked, if the actor may manage it (else the same error a missing one gives)."""
    found = selectors.manageable_users(actor).filter(pk=user.pk).select_for_update(of=("self",)).first()
    if found is None or found.pk == actor.pk:
        raise AccountError(_("You may not change this account."))
    return found


def _contact_check(*, phone: str, email: str) -> None:
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise AccountError(_("Enter a valid e-mail address."), field="email") from None
    if phone and not is_digits(phone.replace("-", "").replace(" ", "")):
        raise AccountError(_("A phone number has digits only."), field="phone")
    if phone and not PHONE_RE.match(phone.replace(" ", "")):
        raise AccountError(
            _("Not a phone number: a mobile of 11 digits, or a landline with its area code (0571-88886666)."),
            field="phone",
        )


def _temporary_set(*, user, actor, at, password: str) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
    TemporaryPassword.objects.update_or_create(
        user=user, defaults={"password_hash": user.password, "set_by": actor, "set_at": at}
    )


@transaction.atomic
def account_create(
    *,
    actor,
    username: str,
    unit: Unit,
    first_name: str = "",
    phone: str = "",
    email: str = "",
    password: str | None = None,
    at: datetime | None = None,
) -> tuple[User, str | None]:
    """A new account. With ``password`` None a temporary password is generated and returned (shown once); the
    first sign-in must replace it. ``password=""`` leaves the password unusable (the user sets one from an
    e-mailed link, see ``welcome_mail``)."""
    at = at or timezone.now()
    username = (username or "").strip()
    if not username:
        raise AccountError(_("Enter a user name."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(_("This user name is taken."), field="username")
    _contact_check(phone=phone, email=email)
    unit = _unit_check(actor=actor, unit=unit)
    user = User(
        username=username,
        first_name=first_name.strip(),
        phone=phone.strip(),
        email=email.strip(),
        role=unit.role,
        site=unit.site,
        province=unit.province,
        is_active=True,
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same name in another case, created a moment ago (unique without regard to case)
        raise AccountError(_("This user name is taken."), field="username") from None
    shown = None
    if password is None:
        shown = temporary_password()
        _temporary_set(user=user, actor=actor, at=at, password=shown)
    _event(
        user=user,
        kind=AccountEvent.Kind.CREATED,
        actor=actor,
        at=at,
        changes={f: [None, getattr(user, f)] for f in EDITABLE if getattr(user, f) not in ("", None)},
    )
    return user, shown


@transaction.atomic
def courier_account_open(*, actor, courier: Courier, at: datetime | None = None) -> User:
    """The sign-in account of a courier (role courier, bound to this courier record, its site's unit), opened by a
        clerk of the courier's site; an existing one is returned as it is. An account HQ (or the province) deactivated
        stays so: the clerk cannot undo it. The password stays unusable: a courier signs in by a one-time QR code
    (``courier.services``). It lives here because people owns accounts and their events (README.md, "The courier lives
    in five rooms")."""
    at = at or timezone.now()
    if role_of(actor) != Role.CLERK or courier.site_id not in clerk_site_ids(actor):
        raise AccountError(_("Only the clerks of the courier's site open the courier's account."))
    if not courier.active:
        raise AccountError(
            _("%(name)s is no longer an active courier: reactivate the record first.") % {"name": courier.name}
        )
    user = User.objects.select_for_update(of=("self",)).filter(courier=courier).first()
    if user is not None:
        if not user.is_active:
            raise AccountError(
                _("%(name)s's account was deactivated by the administration: ask HQ to reactivate it.")
                % {"name": courier.name}
            )
        return user
    base = f"courier-{courier.site.code}-{courier.pk}".lower()
    user = User(
        username=base,
        first_name=courier.name,
        phone=courier.phone,
        role=Role.COURIER,
        site=courier.site,
        courier=courier,
        is_active=True,
    )
    user.set_unusable_password()
    user.save()
    _event(
        user=user,
        kind=AccountEvent.Kind.CREATED,
        actor=actor,
        at=at,
        changes={f: [None, getattr(user, f)] for f in (*EDITABLE, "courier_id") if getattr(user, f) not in ("", None)},
    )
    return user


@transaction.atomic
def account_update(
    *, actor, user: User, first_name: str, phone: str, email: str, unit: Unit, at: datetime | None = None
) -> User:
    """Edit name, contacts, role and unit. Nothing changed, nothing recorded."""
    at = at or timezone.now()
    user = _manageable(actor=actor, user=user)
    _contact_check(phone=phone, email=email)
    if user.role == Role.COURIER and unit.role != Role.COURIER:
        raise AccountError(
            _("A courier's account stays a courier's: deactivate it and open another account instead."), field="role"
        )
    if user.role not in dict(selectors.assignable_roles(actor)) and unit.role == user.role:
        # a courier's account (bound to its courier record) or one without a role keeps its role and unit
        unit = Unit(role=user.role, site=user.site, province=user.province)
    else:
        unit = _unit_check(actor=actor, unit=unit)
    before = {f: getattr(user, f) for f in EDITABLE}
    user.first_name, user.phone, user.email = first_name.strip(), phone.strip(), email.strip()
    user.role, user.site, user.province = unit.role, unit.site, unit.province
    after = {f: getattr(user, f) for f in EDITABLE}
    changes = {f: [before[f], after[f]] for f in EDITABLE if before[f] != after[f]}
    if changes:
        user.save()
        _event(user=user, kind=AccountEvent.Kind.UPDATED, actor=actor, at=at, changes=changes)
    return user


@transaction.atomic
def account_move(*, actor, user: User, site: Site, at: datetime | None = None) -> User:
    """Move a clerk to another site (inside the actor's scope)."""
    at = at or timezone.now()
    user = _manageable(actor=actor, user=user)
    if user.role != Role.CLERK:
        raise AccountError(_("Only a site clerk moves between sites."))
    if not selectors.assignable_sites(actor).filter(pk=site.pk).exists():
        raise AccountError(_("This site is outside your province."), field="site")
    if site.pk == user.site_id:
        raise AccountError(_("The clerk already works at this site."), field="site")
    old = user.site_id
    user.site = site
    user.save(update_fields=["site"])
    _event(user=user, kind=AccountEvent.Kind.MOVED, actor=actor, at=at, changes={"site_id": [old, site.pk]})
    return user


@transaction.atomic
def account_deactivate(*, actor, user: User, at: datetime | None = None) -> int:
    """The account can no longer sign in, and every session of it ends now. Returns the sessions ended."""
    at = at or timezone.now()
    user = _manageable(actor=actor, user=user)
    if not user.is_active:
        raise AccountError(_("The account is already deactivated."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = sessions_end(user=user)
    _event(user=user, kind=AccountEvent.Kind.DEACTIVATED, actor=actor, at=at, sessions_ended=ended)
    return ended


@transaction.atomic
def account_reactivate(*, actor, user: User, at: datetime | None = None) -> User:
    at = at or timezone.now()
    user = _manageable(actor=actor, user=user)
    if user.is_active:
        raise AccountError(_("The account is active."))
    user.is_active = True
    user.save(update_fields=["is_active"])
    _event(user=user, kind=AccountEvent.Kind.REACTIVATED, actor=actor, at=at)
    return user


@transaction.atomic
def account_password_reset(*, actor, user: User, at: datetime | None = None) -> str:
    """A new temporary password (returned, to be shown once): the user's sessions end and the next sign-in must
    replace it."""
    at = at or timezone.now()
    user = _manageable(actor=actor, user=user)
    shown = temporary_password()
    _temporary_set(user=user, actor=actor, at=at, password=shown)
    ended = sessions_end(user=user)
    _event(user=user, kind=AccountEvent.Kind.PASSWORD_RESET, actor=actor, at=at, sessions_ended=ended)
    return shown


@transaction.atomic
def second_factor_reset(*, actor, user: User, at: datetime | None = None) -> int:
    """HQ removes another account's authenticator and recovery codes (a lost phone): its verified sessions stop
    being verified and its next act that needs the second factor asks it to enrol again. Recorded in its history."""
    at = at or timezone.now()
    if role_of(actor) != Role.HQ:
        raise AccountError(_("Only HQ resets a second factor."))
    user = _manageable(actor=actor, user=user)
    removed = twofactor.second_factor_reset(user=user)
    if not removed:
        raise AccountError(_("This account has no second factor to reset."))
    _event(user=user, kind=AccountEvent.Kind.SECOND_FACTOR_RESET, actor=actor, at=at)
    return removed


def second_factor_enrol(*, user, token: str, at: datetime | None = None) -> list[str]:
    """The user confirms their authenticator with its first code; returns the recovery codes (shown once). Recorded
    in the account's history. Not one transaction: a wrong code's count for the throttling must stay."""
    at = at or timezone.now()
    _device, codes = twofactor.enrolment_confirm(user=user, token=token)
    _event(user=user, kind=AccountEvent.Kind.SECOND_FACTOR_ENROLLED, actor=user, at=at)
    return codes


@transaction.atomic
def recovery_codes_renew(*, user, at: datetime | None = None) -> list[str]:
    """A new set of recovery codes for the user (the old ones stop working). Recorded in the account's history."""
    at = at or timezone.now()
    codes = twofactor.recovery_codes_renew(user=user)
    _event(user=user, kind=AccountEvent.Kind.RECOVERY_CODES_RENEWED, actor=user, at=at)
    return codes


def password_change_record(*, user, at: datetime | None = None) -> None:
    """The user replaced an administrator's temporary password (the change form or an e-mailed link)."""
    at = at or timezone.now()
    if TemporaryPassword.objects.filter(user_id=user.pk).delete()[0]:
        _event(user=user, kind=AccountEvent.Kind.PASSWORD_CHANGED, actor=user, at=at)


def welcome_link(*, user) -> str:
    """An absolute link (``SITE_URL``) where a new user sets a password (Django's password-reset token)."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def welcome_mail_send(*, user_ids: list[int]) -> int:
    """The 'set your password' e-mail to each new user that still has no usable password (safe twice: a user who
    has set a password gets nothing)."""
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True).exclude(email=""):
        if user.has_usable_password():
            continue
        context = {"user": user, "link": welcome_link(user=user), "site_url": settings.SITE_URL}
        send_mail(
            render_to_string("people/email/welcome_subject.txt", context).strip(),
            render_to_string("people/email/welcome.txt", context),
            None,
            [user.email],
        )
        sent += 1
    return sent
