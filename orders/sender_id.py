"""实名收寄 (《邮件快件实名收寄管理办法》): the courier or the clerk checks the sender's identity document at the pickup.

- a 居民身份证 number is checked (18 characters, a real date of birth, the GB 11643 check character) and refused
  plainly when wrong; other documents need 5–30 letters or digits;
- the number and the name are stored encrypted at rest (``cryptography``'s Fernet, key ``SENDER_ID_KEY``; a key
  derived from ``SECRET_KEY`` when none is set), shown only masked (``3301**********1234``), never in lists,
  exports, logs or API answers;
- ``SENDER_ID_BUSINESS_TYPES`` says which business types require it; a sender whose phone was verified within
  ``SENDER_ID_VALID_DAYS`` (90) is not asked again.

Writes go through ``sender_id_store`` (the desk's and the phone's services guard who may call it)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import date, datetime, timedelta

from cryptography.fernet import Fernet
from django.conf import settings
from django.utils.translation import gettext as _

from .exceptions import SenderIdError
from .models import OnlineOrder, SenderIdCheck

DocType = SenderIdCheck.DocType
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_OTHER = re.compile(r"^[A-Z0-9]{5,30}$")


def resident_id_valid(number: str) -> bool:
    """A 居民身份证 number by GB 11643-1999: 17 digits (the 6th to the 14th a real date of birth) and the check
    character of their weighted sum modulo 11."""
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born.year < 1900:
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == number[17]


def mask(number: str) -> str:
    """3301**********1234: the first and the last four characters of an identity card number, two of a shorter
    document's (E1*****78)."""
    if len(number) >= 15:
        return number[:4] + "*" * (len(number) - 8) + number[-4:]
    return number[:2] + "*" * max(len(number) - 4, 3) + number[-2:]


def _key() -> bytes:
    key = getattr(settings, "SENDER_ID_KEY", "") or ""
    if key:
        return key.encode()
    # no key set: one derived from SECRET_KEY (production refuses the development SECRET_KEY)
    return base64.urlsafe_b64encode(hashlib.sha256(b"q9-sender-id:" + settings.SECRET_KEY.encode()).digest())


def _fernet() -> Fernet:
    return Fernet(_key())


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def phone_digest(phone: str) -> str:
    """The sender's phone as a keyed digest: finds an earlier check of the same sender without a second copy."""
    return hmac.new(_key(), (phone or "").strip().encode(), hashlib.sha256).hexdigest()


def sender_id_clean(*, doc_type: str, number: str, name: str) -> tuple[str, str, str]:
    """The document checked, or a plain refusal naming the field."""
    if doc_type not in DocType.values:
        raise SenderIdError(_("Choose the sender's identity document from the list."), field="doc_type")
    number = re.sub(r"\s+", "", number or "").upper()
    name = (name or "").strip()
    if doc_type == DocType.RESIDENT_ID:
        if not resident_id_valid(number):
            raise SenderIdError(
                _(
                    "This is not a valid resident identity card number (18 characters, the last a digit or X): "
                    "check it against the card and type it again."
                ),
                field="id_number",
            )
    elif not _OTHER.match(number):
        raise SenderIdError(_("Type the document number as printed (5–30 letters or digits)."), field="id_number")
    if not name or len(name) > 64:
        raise SenderIdError(_("Type the name on the document."), field="id_name")
    return doc_type, number, name


def sender_id_required(order: OnlineOrder, *, at: datetime) -> bool:
    """The pickup of this order waits for a 实名收寄 check: its business type requires one, the order has none,
    and its sender's phone was not verified within the last ``SENDER_ID_VALID_DAYS`` days."""
    if order.business_type not in getattr(settings, "SENDER_ID_BUSINESS_TYPES", []):
        return False
    if SenderIdCheck.objects.filter(order_id=order.pk).exists():
        return False
    since = at - timedelta(days=getattr(settings, "SENDER_ID_VALID_DAYS", 90))
    return not SenderIdCheck.objects.filter(
        phone_digest=phone_digest(order.sender_phone), checked_at__gte=since, checked_at__lte=at
    ).exists()


def sender_id_required_ids(orders, *, at: datetime) -> set[int]:
    """``sender_id_required`` for a page of orders, in two queries."""
    types = set(getattr(settings, "SENDER_ID_BUSINESS_TYPES", []))
    candidates = [o for o in orders if o.business_type in types]
    if not candidates:
        return set()
    checked = set(
        SenderIdCheck.objects.filter(order_id__in=[o.pk for o in candidates]).values_list("order_id", flat=True)
    )
    digests = {o.pk: phone_digest(o.sender_phone) for o in candidates if o.pk not in checked}
    since = at - timedelta(days=getattr(settings, "SENDER_ID_VALID_DAYS", 90))
    verified = set(
        SenderIdCheck.objects.filter(
            phone_digest__in=set(digests.values()), checked_at__gte=since, checked_at__lte=at
        ).values_list("phone_digest", flat=True)
    )
    return {pk for pk, digest in digests.items() if digest not in verified}


def sender_id_store(*, order: OnlineOrder, actor, doc_type: str, number: str, name: str, at: datetime) -> SenderIdCheck:
    """Record the check of the order's sender (a second check of the same order replaces the first)."""
    doc_type, number, name = sender_id_clean(doc_type=doc_type, number=number, name=name)
    check, _created = SenderIdCheck.objects.update_or_create(
        order=order,
        defaults={
            "doc_type": doc_type,
            "number_encrypted": encrypt(number),
            "name_encrypted": encrypt(name),
            "number_masked": mask(number),
            "phone_digest": phone_digest(order.sender_phone),
            "checked_at": at,
            "checked_by": actor,
        },
    )
    return check
