"""A site's appeal cites the door's evidence: the page where the site writes its appeal shows what the courier's
phone recorded with its act (the door photo, the place with its accuracy, the call, the phone's time beside the
receipt), each with a box to tick; the ticked items are stored with the appeal and shown to HQ where it decides.
An item that is not this order's is refused plainly. A refused appeal comes back with its boxes ticked; taking the
appeal to HQ the site may cite more, added after what it cited at first."""

import re
import uuid
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

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


def _ticked(page: str, prefix: str = "") -> dict[str, bool]:
    """The boxes of one door-evidence list on the page (``prefix`` tells the lists apart): key → ticked."""
    boxes = re.findall(rf'<input [^>]*data-testid="{prefix}cite-([^"]+)"( checked)?>', page)
    return {key: bool(checked) for key, checked in boxes}


def _notified_with_door_evidence(net, _fixed_clock):
    """A violation on an order whose courier failed at the door with a photo, the place and a call, listed in
    Monday's notice; the clock an hour after it. Returns the violation, the act's order event, its photo and the
    item keys by kind."""
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
    return v, event, photo, keys


def test_the_site_cites_the_door_evidence_and_hq_sees_what_it_cited(net, login, _fixed_clock):
    v, event, photo, keys = _notified_with_door_evidence(net, _fixed_clock)
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
    # refused, the page comes back with the statement and the box that was ticked
    page = answer.content.decode()
    assert "业务员到了门口，有照片</textarea>" in page
    assert _ticked(page) == {keys["time"]: False, keys["place"]: False, keys["call"]: False, keys["photo"]: True}
    # so does a refusal for the statement (blank), with every box ticked, and only the next page shows them ticked
    client = login(net.clerk_a)
    page = client.post(post, {"text": "  ", "cited": [keys["place"], keys["call"]]}, follow=True).content.decode()
    assert "alert-danger" in page and not Appeal.objects.exists()
    assert _ticked(page) == {keys["time"]: False, keys["place"]: True, keys["call"]: True, keys["photo"]: False}
    assert not any(_ticked(client.get(url).content.decode()).values())

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


def test_taking_the_appeal_to_hq_the_site_cites_more(net, login, _fixed_clock):
    """After the province upholds, the clerk's form to HQ offers what the appeal does not cite yet, with boxes of
    its own (ids and testids apart from the cited block's); a key not of this order is refused and nothing is
    saved; the boxes ticked come back after a refusal; what it cites is added after the first stage's."""
    v, event, photo, keys = _notified_with_door_evidence(net, _fixed_clock)
    first = [keys["photo"], keys["place"]]
    appeal = appeals.appeal_file(violation_id=v.pk, actor=net.clerk_a, text="业务员到了门口，有照片", cited=first)
    appeals.appeal_lcs_decide(appeal_id=appeal.pk, actor=net.lcs_zj, cancel=False, text="证据不足")
    url = reverse("penalties:violation_detail", args=[v.pk])
    client = login(net.clerk_a)
    page = client.get(url).content.decode()
    assert 'data-testid="hq-appeal-door-evidence"' in page and "补充引用上门证据" in page
    assert _ticked(page, "hq-") == {keys["time"]: False, keys["call"]: False}  # not what it cites already
    assert _ticked(page) == {}  # the cited block above has no boxes
    ids = re.findall(r'\bid="([^"]+)"', page)
    testids = re.findall(r'data-testid="([^"]+)"', page)
    assert len(ids) == len(set(ids)) and len(testids) == len(set(testids))
    assert f'id="hq-cite-{slugify(keys["call"])}"' in page and f'for="hq-cite-{slugify(keys["call"])}"' in page

    post = reverse("penalties:appeal_to_hq", args=[v.pk])
    history = list(v.events.values_list("kind", flat=True))
    foreign = f"{event.pk + 1000}:call"
    answer = client.post(post, {"text": "照片能证明到了门口", "cited": [keys["call"], foreign]}, follow=True)
    page = answer.content.decode()
    assert "所引用的证据不属于此订单" in shown(page)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.LCS_UPHELD and appeal.cited_evidence == first and not appeal.hq_text
    assert list(v.events.values_list("kind", flat=True)) == history and not appeal.attachments.exists()
    assert "照片能证明到了门口</textarea>" in page
    assert _ticked(page, "hq-") == {keys["time"]: False, keys["call"]: True}

    page = client.post(post, {"text": " ", "cited": [keys["time"], keys["call"]]}, follow=True).content.decode()
    assert _ticked(page, "hq-") == {keys["time"]: True, keys["call"]: True}  # a blank statement: boxes kept

    client.post(post, {"text": "照片能证明到了门口", "cited": [keys["call"], keys["photo"]]})
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.HQ_REVIEW
    assert appeal.cited_evidence == [keys["photo"], keys["place"], keys["call"]]  # the first stage's, then the new
    hq_page = login(net.hq).get(url).content.decode()
    cited_block = hq_page[hq_page.index('data-testid="appeal-cited"') :]
    cited_block = cited_block[: cited_block.index("</div></div>")]
    for key in appeal.cited_evidence:
        assert f'data-testid="evidence-{key}"' in cited_block, key
    assert keys["time"] not in hq_page


def test_appeal_to_hq_without_citing_keeps_what_was_cited(net, _fixed_clock):
    v, _event, _photo, keys = _notified_with_door_evidence(net, _fixed_clock)
    appeal = appeals.appeal_file(violation_id=v.pk, actor=net.clerk_a, text="有照片", cited=[keys["photo"]])
    appeals.appeal_lcs_decide(appeal_id=appeal.pk, actor=net.lcs_zj, cancel=False, text="证据不足")
    appeal = appeals.appeal_to_hq(appeal_id=appeal.pk, actor=net.clerk_a, text="不服")
    assert Appeal.objects.get(pk=appeal.pk).cited_evidence == [keys["photo"]]
