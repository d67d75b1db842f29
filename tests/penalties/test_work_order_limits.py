"""Work-order time limits are rules of the rule book: HQ schedules a new limit per type (never for the past); a work
order takes the limit in force when it was raised; Cainiao's own limit still wins; every change has its history."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import services as wo_services
from penalties.exceptions import PenaltyError
from penalties.models import WorkOrderLimit
from penalties.rule_versions import work_order_limit
from penalties.services import work_order_limit_create

SH = ZoneInfo("Asia/Shanghai")
T1 = datetime(2026, 12, 1, 0, 0, tzinfo=SH)


def receive(wo_id, at, **kw):
    data = {
        "wo_id": wo_id,
        "type": "where",
        "source": "guoguo",
        "waybill_no": "300000000901",
        "description": "快递到哪了？",
        **kw,
    }
    return wo_services.work_order_receive(data=data, at=at)[0]


def test_a_new_limit_applies_from_its_time_on(net):
    assert work_order_limit("where", T1) == 24  # the default of WORK_ORDER_LIMIT_HOURS
    work_order_limit_create(wo_type="where", hours=12, effective_from=T1, actor=net.hq, at=T1 - timedelta(days=1))
    before = receive("W1", T1 - timedelta(minutes=1))
    after = receive("W2", T1)
    cainiao = receive("W3", T1, limit_hours=4)
    assert (before.due_at - (T1 - timedelta(minutes=1)), after.due_at - T1, cainiao.due_at - T1) == (
        timedelta(hours=24),
        timedelta(hours=12),
        timedelta(hours=4),
    )
    assert work_order_limit("loss", T1) == 72  # other types keep theirs
    assert WorkOrderLimit.objects.get().history.get().history_type == "+"


def test_only_hq_and_never_for_the_past(net):
    now = timezone.now()
    with pytest.raises(PenaltyError):
        work_order_limit_create(wo_type="where", hours=12, effective_from=now + timedelta(hours=1), actor=net.lcs_zj)
    with pytest.raises(PenaltyError) as info:
        work_order_limit_create(wo_type="where", hours=12, effective_from=now - timedelta(hours=1), actor=net.hq)
    assert info.value.field == "effective_from"
    for wo_type, hours in (("nonsense", 12), ("where", 0), ("where", 1000)):
        with pytest.raises(PenaltyError):
            work_order_limit_create(wo_type=wo_type, hours=hours, effective_from=now + timedelta(hours=1), actor=net.hq)
    assert not WorkOrderLimit.objects.exists()


def test_hq_edits_the_limits_on_the_rules_page(net, login):
    client = login(net.hq)
    when = timezone.localtime(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("penalties:rules"), {"action": "wo_limit", "wo_type": "damage", "hours": 36, "effective_from": when}
    )
    assert response.status_code == 302
    page = client.get(reverse("penalties:rules")).content.decode()
    table = page[page.index('data-testid="wo-limits"') :]
    assert "破损" in table and "36 小时" in table
    # the province may read the rule book, not change it
    lcs = login(net.lcs_zj)
    lcs.post(
        reverse("penalties:rules"), {"action": "wo_limit", "wo_type": "damage", "hours": 1, "effective_from": when}
    )
    assert WorkOrderLimit.objects.filter(wo_type="damage").count() == 1
