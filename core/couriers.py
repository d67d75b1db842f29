"""Site self-service: the clerk keeps the site's courier records (add, phone, deactivate, reactivate) for the
site and its contract areas. Couriers are never deleted: orders point at them. A courier's sign-in account is
people's (``people.services.courier_account_open``), the phone is ``courier/``: README.md, "The courier lives in
five rooms"."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from . import scoping
from .exceptions import CourierError
from .models import Courier, Site, User
from .sessions import sessions_end

PHONE = re.compile(r"^1\d{10}$", re.ASCII)


def _phone(raw: str) -> str:
    phone = re.sub(r"[\s-]", "", raw or "")
    if not PHONE.fullmatch(phone):
        raise CourierError(_("Enter the courier's mobile number: 11 digits starting with 1."), field="phone")
    return phone


def _site_of(actor, site: Site) -> None:
    if scoping.role_of(actor) != scoping.Role.CLERK or site.pk not in scoping.clerk_site_ids(actor):
        raise CourierError(_("Only the site's own clerks keep its courier records."))


NAME_MAX = 32  # Courier.name


@transaction.atomic
def courier_add(*, actor, site: Site, name: str, phone: str) -> Courier:
    _site_of(actor, site)
    name = (name or "").strip()
    if not name:
        raise CourierError(_("Enter the courier's name."), field="name")
    if len(name) > NAME_MAX:
        raise CourierError(_("A courier's name has at most %(n)d characters.") % {"n": NAME_MAX}, field="name")
    try:
        with transaction.atomic():
            return Courier.objects.create(site=site, name=name, phone=_phone(phone), active=True)
    except IntegrityError:
        raise CourierError(_("A courier of this site already has that phone number."), field="phone") from None


@transaction.atomic
def courier_update(*, actor, courier_id: int, phone: str | None = None, active: bool | None = None) -> Courier:
    courier = Courier.objects.select_for_update().select_related("site").get(pk=courier_id)
    _site_of(actor, courier.site)
    fields = []
    if phone is not None:
        courier.phone = _phone(phone)
        fields.append("phone")
    if active is not None:
        courier.active = active
        fields.append("active")
    try:
        with transaction.atomic():
            courier.save(update_fields=fields)
    except IntegrityError:
        raise CourierError(_("A courier of this site already has that phone number."), field="phone") from None
    account = User.objects.filter(courier=courier).first()
    if active is False and account is not None:
        sessions_end(user=account)  # the phone is signed out: a later reactivation needs a new sign-in code
    return courier
