"""A site's appeal cites the door's evidence: the page where the site writes its appeal shows what the courier's
phone recorded with its act (the door photo, the place with its accuracy, the call, the phone's time beside the
receipt), each with a box to tick; the ticked items are stored with the appeal and shown to HQ where it decides.
An item that is not this order's is refused plainly."""

import uuid
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from core import clock
from courier import services as courier_services
from courier.models import DoorPhoto
from orders.models import EventKind, FailReason, OrderEvent
from penalties import appeals
from penalties.models import Appeal, AppealStatus, Rule
from penalties.reports import weekly_notices
from penalties.services import violation_raise

from ..courier.test_door_evidence import jpeg
from ..courier.test_phone import assigned, courier_of
from ..pages import shown


def test_the_site_cites_the_door_evidence_and_hq_sees_what_it_cited(net, login, _fixed_clock):
    me = courier_of(net)
    order = assigned(net, me, hours_ago=1)
    now = timezone.now()
    courier_services.courier_acts_apply(
        user=me,
        acts=[
            {
                "id": str(uuid.uuid4()),
                "kind": "fail",
                "order": order.pk,
                "reason": FailReason.PREMISES,
                "text": "小区门禁，保安不让进",
                "done_at": (now - timedelta(minutes=20)).isoformat(),
                "photo": jpeg(),
                "geo": {"lat": 30.27415, "lng": 120.15515, "acc": 35},
                "called_at": (now - timedelta(minutes=25)).isoformat(),
            }
        ],
        sent_at=now.isoformat(),
    )
    event = OrderEvent.objects.get(order=order, kind=EventKind.PICKUP_FAILED)
    photo = DoorPhoto.objects.get(order=order)
    v = violation_raise(event=event, rule=Rule.FALSE_FAIL_REASON, evidence="回访发件人：业务员未上门", actor=net.hq)
    week = clock.week_of(v.occurred_at)
    notice_at = clock.day_start(week + timedelta(days=7)) + timedelta(hours=9)  # the Monday after
    weekly_notices(week=week, at=notice_at)
    _fixed_clock.move_to(notice_at + timedelta(hours=1))

    keys = {k: f"{event.pk}:{k}" for k in ("time", "place", "call")}
    keys["photo"] = f"{event.pk}:photo:{photo.pk}"
    url = reverse("penalties:violation_detail", args=[v.pk])
    page = login(net.clerk_a).get(url).content.decode()
    for key in keys.values():  # every item of the act, each with its box
        assert f'name="cited" value="{key}"' in page, key
    assert f'src="{reverse("courier:door_photo", args=[photo.pk])}"' in page
    assert "30.274, 120.155" in page and "±35" in page
    phone_time = timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M")
    assert phone_time in page  # the phone's time, which the act counts at, beside the receipt

    post = reverse("penalties:appeal_file", args=[v.pk])
    foreign = f"{event.pk + 1000}:photo:{photo.pk}"
    answer = login(net.clerk_a).post(
        post, {"text": "业务员到了门口，有照片", "cited": [keys["photo"], foreign]}, follow=True
    )
    assert answer.status_code == 200 and "所引用的证据不属于此订单" in shown(answer.content.decode())
    assert not Appeal.objects.exists()

    cited = [keys["photo"], keys["place"], keys["call"]]
    login(net.clerk_a).post(post, {"text": "业务员到了门口，有照片", "cited": cited})
    appeal = Appeal.objects.get(violation=v)
    assert appeal.status == AppealStatus.LCS_REVIEW and appeal.cited_evidence == cited

    appeals.appeal_escalate(appeal_id=appeal.pk, actor=net.lcs_zj, text="请总部判断")
    hq_page = login(net.hq).get(url).content.decode()
    cited_block = hq_page[hq_page.index('data-testid="appeal-cited"') :]
    cited_block = cited_block[: cited_block.index("</div></div>")]
    for key in cited:
        assert f'data-testid="evidence-{key}"' in cited_block, key
    assert f'data-testid="evidence-{keys["time"]}"' not in hq_page  # not cited: not in the appeal's block
    assert 'name="cited"' not in hq_page  # HQ reads, does not tick
    assert f'src="{reverse("courier:door_photo", args=[photo.pk])}"' in cited_block and "±35" in cited_block
    assert login(net.hq).get(reverse("courier:door_photo", args=[photo.pk])).status_code == 200
