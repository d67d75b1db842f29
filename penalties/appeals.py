"""申诉 (SPEC §4): within 72 hours of the notice that listed the violation (exactly 72 h is in time) a site appeals
to its province platform, which upholds or cancels; within 72 hours of that decision the site may take it to HQ,
or the LCS escalates it; HQ decides last. HQ may record an appeal that reached its group mailbox, on the site's
behalf, with the e-mail attached. Late appeals are refused (逾期不予受理). A cancellation reverses the fine."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock, scoping
from core.validators import attachment_name, attachments_check

from .decision_messages import decision_message
from .door_evidence import cited_keys
from .events import event_record
from .exceptions import PenaltyError
from .models import Appeal, AppealAttachment, AppealStatus, Violation, ViolationStatus
from .money import ledger_sync
from .workflow import OPEN_APPEALS, violation_move

A = AppealStatus


def appeal_deadline(violation: Violation) -> datetime | None:
    """When the first appeal window closes: 72 h after the notice listing the violation was issued."""
    try:
        issued = violation.notice_line.notice.issued_at
    except ObjectDoesNotExist:
        return None
    return clock.appeal_deadline(issued)


def hq_deadline(appeal: Appeal) -> datetime | None:
    return clock.appeal_deadline(appeal.lcs_at)


def _attach(appeal: Appeal, files, actor, at, stage: str) -> None:
    for f in attachments_check(files):
        AppealAttachment.objects.create(
            appeal=appeal, stage=stage, file=f, name=attachment_name(f.name), uploaded_by=actor, uploaded_at=at
        )


def _late(deadline: datetime) -> PenaltyError:
    return PenaltyError(
        _("The appeal window closed at %(t)s: late appeals are not accepted (逾期不予受理).")
        % {"t": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")}
    )


def _lock_violation(violation_id: int) -> Violation:
    return (
        Violation.objects.select_for_update(of=("self",))
        .select_related("notice_line__notice", "site")
        .get(pk=violation_id)
    )


def _cancel_violation(v: Violation, actor, at, text: str) -> None:
    v.status, v.decided_by, v.decided_at = violation_move(v, "cancel"), actor, at
    v.save(update_fields=["status", "decided_by", "decided_at"])
    event_record(v, "cancelled", actor=actor, at=at, text=text)
    ledger_sync(violation_ids=[v.pk], at=at)


@transaction.atomic
def appeal_file(*, violation_id: int, actor, text: str, files=(), cited=(), at: datetime | None = None) -> Appeal:
    """The site appeals to its province platform, citing (``cited``) items of the door's evidence recorded with
    the courier's acts on the order (``penalties.door_evidence``)."""
    at = at or timezone.now()
    v = _lock_violation(violation_id)
    if scoping.role_of(actor) != scoping.Role.CLERK or not scoping.may_operate_site(actor, v.site_id):
        raise PenaltyError(_("Only the responsible site appeals its violation."))
    if v.status != ViolationStatus.CONFIRMED:
        raise PenaltyError(_("Only a standing violation can be appealed."))
    deadline = appeal_deadline(v)
    if deadline is None:
        raise PenaltyError(_("The violation has not been notified yet: appeal after Monday's notice lists it."))
    if at > deadline:
        raise _late(deadline)
    text = (text or "").strip()
    if not text:
        raise PenaltyError(_("Say why the decision is wrong; attach your evidence."), field="text")
    cited = cited_keys(order_id=v.order_id, keys=cited)
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                violation=v,
                site=v.site,
                province_id=v.province_id,
                status=A.LCS_REVIEW,
                text=text,
                filed_by=actor,
                filed_at=at,
                cited_evidence=cited,
            )
    except IntegrityError:
        raise PenaltyError(_("This violation has been appealed already.")) from None
    _attach(appeal, files, actor, at, "site")
    event_record(v, "appealed", actor=actor, at=at, text=text)
    return appeal


def _lock(appeal_id: int) -> Appeal:
    return Appeal.objects.select_for_update(of=("self",)).select_related("violation").get(pk=appeal_id)


def appeal_close_moot(appeal: Appeal, *, actor, at: datetime, reason: str) -> Appeal:
    """An open appeal on a violation that no longer stands (voided by a closure, re-judged) is closed as moot with
    its reason; the violation is not touched (SPEC §4)."""
    if appeal.status not in OPEN_APPEALS:
        return appeal
    appeal.status, appeal.decision_text, appeal.decided_by, appeal.decided_at = A.MOOT, reason, actor, at
    appeal.save(update_fields=["status", "decision_text", "decided_by", "decided_at"])
    return appeal


def _moot(appeal: Appeal, actor, at: datetime) -> bool:
    """True when the appeal's violation no longer stands: the appeal is then closed as moot instead of decided."""
    v = _lock_violation(appeal.violation_id)
    if v.status == ViolationStatus.CONFIRMED:
        return False
    appeal_close_moot(
        appeal,
        actor=actor,
        at=at,
        reason=_("The violation no longer stands (%(status)s): nothing is left to decide.")
        % {"status": v.get_status_display()},
    )
    return True


def _lcs_of(appeal: Appeal, actor) -> None:
    if scoping.role_of(actor) != scoping.Role.LCS or actor.province_id != appeal.province_id:
        raise PenaltyError(_("Only the province platform of the site decides at this step."))


@transaction.atomic
def appeal_lcs_decide(*, appeal_id: int, actor, cancel: bool, text: str, at: datetime | None = None) -> Appeal:
    """The LCS upholds the violation (the site may go to HQ within 72 h) or cancels it (the fine is reversed)."""
    at = at or timezone.now()
    appeal = _lock(appeal_id)
    _lcs_of(appeal, actor)
    if appeal.status != A.LCS_REVIEW:
        raise PenaltyError(_("This appeal is not waiting for the province platform."))
    if _moot(appeal, actor, at):
        return appeal
    text = _reason_given(text)
    appeal.lcs_text, appeal.lcs_by, appeal.lcs_at = text, actor, at
    appeal.status = A.CANCELLED if cancel else A.LCS_UPHELD
    appeal.save()
    _conclude(
        appeal,
        actor=actor,
        cancel=cancel,
        text=text,
        at=at,
        note=_("Cancelled on appeal by the province platform: %(t)s") % {"t": text},
    )
    decision_message(
        violation=appeal.violation,
        kind="cancelled" if cancel else "appeal_upheld",
        at=at,
        text=text,
        deadline=None if cancel else hq_deadline(appeal),
    )
    return appeal


def _reason_given(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise PenaltyError(_("Give the reason for the decision."), field="text")
    return text


def _conclude(appeal: Appeal, *, actor, cancel: bool, text: str, at: datetime, note: str) -> None:
    """A decision's effect on the violation: cancelled (and its fine reversed) or upheld, recorded either way."""
    v = _lock_violation(appeal.violation_id)
    if cancel:
        _cancel_violation(v, actor, at, note)
    else:
        event_record(v, "appeal_upheld", actor=actor, at=at, text=text)


@transaction.atomic
def appeal_escalate(*, appeal_id: int, actor, text: str, at: datetime | None = None) -> Appeal:
    """The LCS sends the appeal to HQ without deciding it."""
    at = at or timezone.now()
    appeal = _lock(appeal_id)
    _lcs_of(appeal, actor)
    if appeal.status != A.LCS_REVIEW:
        raise PenaltyError(_("This appeal is not waiting for the province platform."))
    appeal.status, appeal.escalated, appeal.hq_filed_at = A.HQ_REVIEW, True, at
    appeal.lcs_text, appeal.lcs_by = (text or "").strip(), actor
    appeal.save()
    event_record(appeal.violation, "escalated", actor=actor, at=at, text=text)
    decision_message(violation=appeal.violation, kind="escalated", at=at, text=(text or "").strip())
    return appeal


@transaction.atomic
def appeal_to_hq(*, appeal_id: int, actor, text: str, files=(), cited=(), at: datetime | None = None) -> Appeal:
    """The site disagrees with the LCS and takes the appeal to HQ, within 72 hours of the LCS decision, citing
    (``cited``) more of the door's evidence if it will: the appeal cites these after what it cited at first."""
    at = at or timezone.now()
    appeal = _lock(appeal_id)
    if scoping.role_of(actor) != scoping.Role.CLERK or not scoping.may_operate_site(actor, appeal.site_id):
        raise PenaltyError(_("Only the responsible site appeals its violation."))
    if appeal.status != A.LCS_UPHELD:
        raise PenaltyError(_("Only an appeal the province upheld can go to HQ."))
    if at > hq_deadline(appeal):
        raise _late(hq_deadline(appeal))
    text = (text or "").strip()
    if not text:
        raise PenaltyError(_("Say why the province's decision is wrong."), field="text")
    cited = cited_keys(order_id=appeal.violation.order_id, keys=cited)
    appeal.cited_evidence = list(dict.fromkeys([*appeal.cited_evidence, *cited]))
    appeal.status, appeal.hq_filed_at, appeal.hq_text = A.HQ_REVIEW, at, text
    appeal.save()
    _attach(appeal, files, actor, at, "hq")
    event_record(appeal.violation, "appealed_hq", actor=actor, at=at, text=text)
    return appeal


@transaction.atomic
def appeal_hq_decide(*, appeal_id: int, actor, cancel: bool, text: str, at: datetime | None = None) -> Appeal:
    at = at or timezone.now()
    if scoping.role_of(actor) != scoping.Role.HQ:
        raise PenaltyError(_("Only the HQ e-commerce team decides at this step."))
    appeal = _lock(appeal_id)
    if appeal.status != A.HQ_REVIEW:
        raise PenaltyError(_("This appeal is not waiting for HQ."))
    if _moot(appeal, actor, at):
        return appeal
    text = _reason_given(text)
    appeal.decision_text, appeal.decided_by, appeal.decided_at = text, actor, at
    appeal.status = A.CANCELLED if cancel else A.UPHELD
    appeal.save()
    _conclude(
        appeal, actor=actor, cancel=cancel, text=text, at=at, note=_("Cancelled on appeal by HQ: %(t)s") % {"t": text}
    )
    decision_message(violation=appeal.violation, kind="cancelled" if cancel else "hq_upheld", at=at, text=text)
    return appeal


@transaction.atomic
def appeal_record_email(
    *, violation_id: int, actor, received_at: datetime, text: str, email_file, at: datetime | None = None
) -> Appeal:
    """HQ records an appeal that reached its group mailbox at ``received_at``, on the site's behalf: a first
    appeal within 72 h of the notice, or a second step within 72 h of the LCS decision. It goes to HQ."""
    at = at or timezone.now()
    if scoping.role_of(actor) != scoping.Role.HQ:
        raise PenaltyError(_("Only the HQ e-commerce team records e-mailed appeals."))
    if email_file is None:
        raise PenaltyError(_("Attach the e-mail (.eml or a PDF of it)."), field="files")
    if received_at > at:
        raise PenaltyError(_("The e-mail cannot have arrived in the future."), field="received_at")
    v = _lock_violation(violation_id)
    text = (text or "").strip() or _("Appeal received by e-mail")
    existing = Appeal.objects.select_for_update().filter(violation=v).first()
    if existing is None:
        if v.status != ViolationStatus.CONFIRMED:
            raise PenaltyError(_("Only a standing violation can be appealed."))
        deadline = appeal_deadline(v)
        if deadline is None:
            raise PenaltyError(_("The violation has not been notified yet."))
        if received_at > deadline:
            raise _late(deadline)
        appeal = Appeal.objects.create(
            violation=v,
            site=v.site,
            province_id=v.province_id,
            status=A.HQ_REVIEW,
            text=text,
            filed_by=actor,
            filed_at=received_at,
            by_email=True,
            hq_filed_at=received_at,
            hq_text=text,
        )
    else:
        if existing.status != A.LCS_UPHELD:
            raise PenaltyError(_("This violation's appeal is already under way or decided."))
        if received_at > hq_deadline(existing):
            raise _late(hq_deadline(existing))
        appeal = existing
        appeal.status, appeal.hq_filed_at, appeal.hq_text, appeal.by_email = A.HQ_REVIEW, received_at, text, True
        appeal.save()
    _attach(appeal, [email_file], actor, at, "email")
    event_record(v, "appealed_email", actor=actor, at=at, text=text)
    return appeal
