"""Appeals at their edges (72 h exactly in time, one second later refused) for both steps; uphold, cancel,
escalate and e-mailed paths with the ledger entries each makes; the weekly notice they start from."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from finance.models import EntryKind, LedgerEntry
from penalties import appeals
from penalties.exceptions import PenaltyError
from penalties.models import AppealStatus, Violation, ViolationStatus
from penalties.reports import weekly_notices
from penalties.sweep import sla_sweep

from ..factories import make_order

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 17, 10, 0, tzinfo=SH)  # Tuesday of the week starting 2026-11-16
NOTICE_AT = datetime(2026, 11, 23, 9, 0, tzinfo=SH)  # the Monday after
WEEK = date(2026, 11, 16)


@pytest.fixture
def notified(net):
    order = make_order(order_time=T0)
    sla_sweep(since=T0 - timedelta(days=1), until=T0 + timedelta(hours=1), at=T0 + timedelta(hours=1))
    weekly_notices(week=WEEK, at=NOTICE_AT)
    return Violation.objects.get(order=order)


def ledger(v):
    return sorted(LedgerEntry.objects.filter(source_type="violation", source_id=v.pk).values_list("kind", "amount"))


def test_appeal_window_72_hours_exactly(net, notified):
    with pytest.raises(PenaltyError, match="逾期不予受理"):
        appeals.appeal_file(
            violation_id=notified.pk,
            actor=net.clerk_a,
            text="已按时接单",
            at=NOTICE_AT + timedelta(hours=72, seconds=1),
        )
    appeal = appeals.appeal_file(
        violation_id=notified.pk,
        actor=net.clerk_a,
        text="系统故障，附截图",
        files=[SimpleUploadedFile("截图.png", b"\x89PNG")],
        at=NOTICE_AT + timedelta(hours=72),
    )
    assert appeal.status == AppealStatus.LCS_REVIEW and appeal.attachments.count() == 1
    with pytest.raises(PenaltyError):  # once per violation
        appeals.appeal_file(violation_id=notified.pk, actor=net.clerk_a, text="again", at=NOTICE_AT)


def test_not_before_the_notice_and_only_the_responsible_site(net):
    order = make_order(order_time=T0)
    sla_sweep(since=T0 - timedelta(days=1), until=T0 + timedelta(hours=1), at=T0 + timedelta(hours=1))
    v = Violation.objects.get(order=order)
    with pytest.raises(PenaltyError):
        appeals.appeal_file(violation_id=v.pk, actor=net.clerk_a, text="x", at=T0 + timedelta(hours=2))
    weekly_notices(week=WEEK, at=NOTICE_AT)
    with pytest.raises(PenaltyError):
        appeals.appeal_file(violation_id=v.pk, actor=net.clerk_b, text="x", at=NOTICE_AT)


def test_lcs_cancels_and_the_fine_is_reversed(net, notified):
    assert ledger(notified) == [(EntryKind.FINE, Decimal("-100.00"))]
    appeal = appeals.appeal_file(violation_id=notified.pk, actor=net.clerk_a, text="x", at=NOTICE_AT)
    with pytest.raises(PenaltyError):  # another province's LCS
        appeals.appeal_lcs_decide(appeal_id=appeal.pk, actor=net.lcs_xj, cancel=True, text="y")
    appeals.appeal_lcs_decide(
        appeal_id=appeal.pk, actor=net.lcs_zj, cancel=True, text="核实系统故障", at=NOTICE_AT + timedelta(hours=5)
    )
    assert Violation.objects.get(pk=notified.pk).status == ViolationStatus.CANCELLED
    assert ledger(notified) == [(EntryKind.FINE, Decimal("-100.00")), (EntryKind.REVERSAL, Decimal("100.00"))]


def test_lcs_upholds_then_hq_within_72_hours_of_that_decision(net, notified):
    appeal = appeals.appeal_file(violation_id=notified.pk, actor=net.clerk_a, text="x", at=NOTICE_AT)
    decided = NOTICE_AT + timedelta(hours=10)
    appeals.appeal_lcs_decide(appeal_id=appeal.pk, actor=net.lcs_zj, cancel=False, text="证据不足", at=decided)
    with pytest.raises(PenaltyError, match="逾期不予受理"):
        appeals.appeal_to_hq(
            appeal_id=appeal.pk, actor=net.clerk_a, text="不服", at=decided + timedelta(hours=72, seconds=1)
        )
    appeals.appeal_to_hq(appeal_id=appeal.pk, actor=net.clerk_a, text="不服", at=decided + timedelta(hours=72))
    with pytest.raises(PenaltyError):
        appeals.appeal_hq_decide(appeal_id=appeal.pk, actor=net.lcs_zj, cancel=True, text="x")
    appeals.appeal_hq_decide(
        appeal_id=appeal.pk, actor=net.hq, cancel=False, text="维持", at=decided + timedelta(days=4)
    )
    assert Violation.objects.get(pk=notified.pk).status == ViolationStatus.CONFIRMED
    assert ledger(notified) == [(EntryKind.FINE, Decimal("-100.00"))]
    kinds = list(notified.events.values_list("kind", flat=True))
    assert kinds == ["detected", "appealed", "appeal_upheld", "appealed_hq", "appeal_upheld"]


def test_lcs_escalates_and_hq_cancels(net, notified):
    appeal = appeals.appeal_file(violation_id=notified.pk, actor=net.clerk_a, text="x", at=NOTICE_AT)
    appeals.appeal_escalate(appeal_id=appeal.pk, actor=net.lcs_zj, text="涉及系统问题，请总部裁定")
    appeals.appeal_hq_decide(appeal_id=appeal.pk, actor=net.hq, cancel=True, text="系统故障属实")
    assert Violation.objects.get(pk=notified.pk).status == ViolationStatus.CANCELLED
    assert LedgerEntry.objects.filter(kind=EntryKind.REVERSAL, source_id=notified.pk).count() == 1


def test_hq_records_an_emailed_appeal(net, notified):
    eml = SimpleUploadedFile("appeal.eml", b"From: site@example\n\nplease")
    with pytest.raises(PenaltyError, match="逾期不予受理"):
        appeals.appeal_record_email(
            violation_id=notified.pk,
            actor=net.hq,
            text="邮件申诉",
            email_file=eml,
            received_at=NOTICE_AT + timedelta(hours=72, seconds=1),
            at=NOTICE_AT + timedelta(days=5),
        )
    appeal = appeals.appeal_record_email(
        violation_id=notified.pk,
        actor=net.hq,
        text="邮件申诉",
        email_file=eml,
        received_at=NOTICE_AT + timedelta(hours=71),
        at=NOTICE_AT + timedelta(days=5),
    )
    assert appeal.status == AppealStatus.HQ_REVIEW and appeal.by_email and appeal.attachments.get().stage == "email"
    with pytest.raises(PenaltyError):
        appeals.appeal_record_email(
            violation_id=notified.pk, actor=net.lcs_zj, text="x", email_file=eml, received_at=NOTICE_AT
        )
