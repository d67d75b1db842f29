"""合作承运商 (``logistics:carriers``): the network's one list of partner carriers, by code, searched by code or name
(``q``) and filtered by whether in use, paged. HQ keeps them in place (each row a form); everyone else reads."""

import re

from django.urls import reverse

from logistics import views
from logistics.models import PartnerCarrier

COLUMNS = ["code", "name", "contact", "phone", "note", "active"]


def _carriers():
    for code, name, active in (("ZT", "中通", True), ("SF", "顺丰", True), ("JD", "京东", False)):
        PartnerCarrier.objects.create(code=code, name=name, active=active)


def _rows(response) -> list[str]:
    assert response.status_code == 200
    return [row.record.code for row in response.context["table"].page.object_list]


def _columns(response) -> list[str]:
    return [column.name for column in response.context["table"].columns]


def test_filters_narrow_the_rows(net, login):
    _carriers()
    client = login(net.clerk_a)
    url = reverse("logistics:carriers")
    assert _rows(client.get(url)) == ["JD", "SF", "ZT"]
    assert _rows(client.get(url, {"q": " 顺"})) == ["SF"]  # the page's search box keeps its name
    assert _rows(client.get(url, {"q": "z"})) == ["ZT"]  # a code, in either case
    assert _rows(client.get(url, {"active": "yes"})) == ["SF", "ZT"]
    assert _rows(client.get(url, {"active": "no", "q": "京"})) == ["JD"]
    assert 'data-testid="carrier-table"' in client.get(url, {"q": "nothing"}).content.decode()


def test_no_site_column_and_only_hq_edits(net, login):
    _carriers()
    url = reverse("logistics:carriers")
    one_site = login(net.clerk_b).get(url)
    assert _columns(one_site) == COLUMNS  # one list for the network: no site column for anyone, no form
    assert 'form="carrier-' not in one_site.content.decode()
    hq = login(net.hq).get(url)
    assert _columns(hq) == [*COLUMNS, "save"]
    page = hq.content.decode()
    sf = PartnerCarrier.objects.get(code="SF")
    assert f'<form method="post" id="carrier-{sf.pk}">' in page
    assert len(re.findall(rf'form="carrier-{sf.pk}"', page)) == 6  # every field of the row posts with its form
    assert 'data-export="no"' in page  # the save button is no column of an export


def test_hq_saves_a_row_in_place(net, login):
    _carriers()
    sf = PartnerCarrier.objects.get(code="SF")
    hq = login(net.hq)
    r = hq.post(
        reverse("logistics:carriers"),
        {"pk": sf.pk, "code": "SF", "name": "顺丰速运", "contact": "王", "phone": "95338", "note": "", "active": "on"},
    )
    assert r.status_code == 302
    sf.refresh_from_db()
    assert (sf.name, sf.contact, sf.phone, sf.active) == ("顺丰速运", "王", "95338", True)


def test_order_is_stable_across_pages(net, login, monkeypatch):
    for n in (5, 3, 1, 4, 2):
        PartnerCarrier.objects.create(code=f"C{n}", name=f"承运商{n}")
    monkeypatch.setattr(views, "CARRIER_ROWS", 2)
    client = login(net.hq)
    pages = [_rows(client.get(reverse("logistics:carriers"), {"page": n})) for n in (1, 2, 3)]
    assert pages == [["C1", "C2"], ["C3", "C4"], ["C5"]]


def test_a_row_saved_comes_back_to_the_list_as_filtered_and_paged(net, login):
    _carriers()
    sf = PartnerCarrier.objects.get(code="SF")
    url = reverse("logistics:carriers")
    r = login(net.hq).post(
        f"{url}?q=S&active=yes&page=1",
        {"pk": sf.pk, "code": "SF", "name": "顺丰速运", "contact": "", "phone": "", "note": "", "active": "on"},
    )
    assert r.status_code == 302 and r["Location"] == f"{url}?q=S&active=yes&page=1"
