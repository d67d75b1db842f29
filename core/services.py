"""Writes of the ground floor: the message centre. One function per use case, atomic; side effects
(e-mail through Celery) only after commit."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import jobs
from .clock import closures_changed
from .exceptions import MessageError
from .models import ClosureDay, Message, MessageRead, Province, Site, User
from .redirects import is_safe_path
from .selectors import messages_unread_for

logger = logging.getLogger(__name__)


@transaction.atomic
def message_send(
    *,
    audience: str,
    title: str,
    body: str = "",
    link: str = "",
    user: User | None = None,
    site: Site | None = None,
    province: Province | None = None,
    category: str = Message.Category.GENERAL,
    attachment=None,
    sender: User | None = None,
    email: bool = False,
    at=None,
) -> Message:
    """Send one message to a user, a site, a province or HQ; optionally e-mail it too (after commit)."""
    targets = {
        Message.Audience.USER: user,
        Message.Audience.SITE: site,
        Message.Audience.PROVINCE: province,
        Message.Audience.HQ: True,
    }
    if audience not in targets:
        raise MessageError(_("Unknown audience."), field="audience")
    if not targets[audience]:
        raise MessageError(_("Choose who receives the message."), field=audience)
    if not (title or "").strip():
        raise MessageError(_("A message needs a title."), field="title")
    if link and not is_safe_path(link):
        raise MessageError(_("Use a link inside this system, starting with /."), field="link")
    message = Message(
        audience=audience,
        user=user if audience == Message.Audience.USER else None,
        site=site if audience == Message.Audience.SITE else None,
        province=province if audience == Message.Audience.PROVINCE else None,
        category=category,
        title=title.strip()[:200],
        body=body,
        link=link,
        sender=sender,
        created_at=at or timezone.now(),
        email_wanted=email,
    )
    if attachment is not None:
        message.attachment.save(attachment.name, attachment, save=False)
    message.save()
    if email:
        jobs.publish_on_commit("core.tasks.message_email", message.pk)
    return message


def messages_email_backlog(*, at=None, older_than_seconds: int = 120, limit: int = 500) -> int:
    """E-mail copies owed and not sent (their task was lost or the broker was down): send them now."""
    at = at or timezone.now()
    ids = list(
        Message.objects.filter(
            email_wanted=True, emailed_at__isnull=True, created_at__lte=at - timedelta(seconds=older_than_seconds)
        )
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if message_email_send(message_id=pk, at=at))


def message_mark_read(*, message: Message, user: User, at=None) -> bool:
    """Record that ``user`` read ``message``; True when this is the first time. Safe to call twice."""
    try:
        with transaction.atomic():
            MessageRead.objects.create(message=message, user=user, read_at=at or timezone.now())
    except IntegrityError:
        return False
    return True


@transaction.atomic
def message_mark_all_read(*, user: User, at=None) -> int:
    """Mark every unread message of the user read; returns how many were marked."""
    at = at or timezone.now()
    unread = list(messages_unread_for(user=user).values_list("pk", flat=True))
    MessageRead.objects.bulk_create(
        [MessageRead(message_id=pk, user=user, read_at=at) for pk in unread], ignore_conflicts=True
    )
    return len(unread)


def message_recipient_emails(*, message: Message) -> list[str]:
    """Where the e-mail copy of a message goes: the user, the site's mailbox and clerks, the province's LCS
    and managers, or the HQ team and its group mailbox."""
    A = Message.Audience
    emails: list[str] = []
    if message.audience == A.USER:
        emails.append(message.user.email)
    elif message.audience == A.SITE:
        emails.append(message.site.email)
        emails += User.objects.filter(site=message.site, role=User.Role.CLERK, is_active=True).values_list(
            "email", flat=True
        )  # the site's clerks (not its couriers' phone accounts)
    elif message.audience == A.PROVINCE:
        emails += User.objects.filter(
            province=message.province, role__in=[User.Role.LCS, User.Role.MANAGER], is_active=True
        ).values_list("email", flat=True)
    else:
        emails.append(settings.HQ_GROUP_EMAIL)
        emails += User.objects.filter(role=User.Role.HQ, is_active=True).values_list("email", flat=True)
    return sorted({e for e in emails if e})


def message_email_send(*, message_id: int, at=None) -> int:
    """E-mail a message to its recipients once; returns the number of recipients (0 when already sent)."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("user", "site", "province")
            .filter(pk=message_id, emailed_at__isnull=True)
            .first()
        )
        if message is None:
            return 0
        recipients = message_recipient_emails(message=message)
        if recipients:
            body = message.body
            if message.link:  # an absolute link: the e-mail is read outside the desk
                link = settings.SITE_URL.rstrip("/") + message.link if message.link.startswith("/") else message.link
                body = f"{body}\n\n{link}"
            mail = EmailMessage(
                subject=f"[Q9] {message.title}",
                body=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=recipients,
            )
            if message.attachment:
                with message.attachment.open("rb") as fh:
                    mail.attach(message.attachment.name.rsplit("/", 1)[-1], fh.read())
            mail.send()
        message.emailed_at = at or timezone.now()
        message.save(update_fields=["emailed_at"])
    return len(recipients)


# ---------------------------------------------------------------- the network's own rows


def site_upsert(*, code: str, defaults: dict) -> tuple[Site, bool]:
    """A site by its code, created or updated (HQ's file import); each save leaves the site's history."""
    return Site.objects.update_or_create(code=code, defaults=defaults)


def site_parents_set(parents: dict[str, str]) -> int:
    """Contract areas under their parent sites ({area code: parent code}); one save each, so the history records
    the change. Returns the sites changed."""
    ids = dict(Site.objects.filter(code__in=set(parents) | set(parents.values())).values_list("code", "pk"))
    changed = 0
    for site in Site.objects.filter(code__in=parents):
        site.parent_id = ids[parents[site.code]]
        site.save(update_fields=["parent"])
        changed += 1
    return changed


def closure_day_remove(*, closure: ClosureDay, actor: User, reason: str) -> None:
    """Undo a confirmed closure day (the rule book re-judges what it moved and voided); the removal is kept in the
    day's history with who undid it and why."""
    closure._history_user = actor
    closure._change_reason = reason[:100]
    closure.delete()
    closures_changed()


def closure_day_record(*, day, province: Province | None, reason: str, actor: User, at) -> ClosureDay:
    """Record a confirmed closure day (the rule book decides what it moves and voids); IntegrityError when the day
    is already closed there. The clock's cached calendar is dropped (here at once, elsewhere within 30 s)."""
    row = ClosureDay.objects.create(day=day, province=province, reason=reason, confirmed_by=actor, confirmed_at=at)
    closures_changed()
    return row
