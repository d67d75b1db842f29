"""The site picker of transfers and 分件: never the clerk's own site nor the order's, the sites near the order first
(its district, its city, its province, then the data center and the rest); a transfer to one's own site is refused
in plain words."""

import pytest
from django.urls import reverse

from dispatch import services as ops
from orders.models import OrderState

from ..factories import CityFactory, DistrictFactory, ProvinceFactory, SiteFactory, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(net):
    """Sites around the order's district (西湖区 330106) and far from it, with codes that sort the far ones first."""
    hz = net.site_a.district.city
    xihu = net.site_a.district
    bj = ProvinceFactory(code="11", name="北京市")
    dongcheng = DistrictFactory(
        adcode="110101", name="东城区", city=CityFactory(code="1101", name="北京市", province=bj)
    )
    return {
        "beijing": SiteFactory(code="11010101", name="北京东城网点", district=dongcheng),
        "xihu": SiteFactory(code="33010699", name="西湖二号网点", district=xihu),
        "shangcheng": SiteFactory(
            code="33010299", name="杭州上城网点", district=DistrictFactory(adcode="330102", name="上城区", city=hz)
        ),
    }


def _codes(client, **params):
    return [row["code"] for row in client.get(reverse("dispatch:site_search"), params).json()["results"]]


def test_a_clerk_never_sees_the_own_site_and_the_order_s_area_comes_first(net, spread, login):
    order = make_order()
    assert order.site_id == net.site_a.pk and order.sender_adcode == "330106"
    codes = _codes(login(net.clerk_a), picker_order=order.pk)
    assert net.site_a.code not in codes
    # the district (西湖: the contract area and the second site), the city (上城), the province (宁波), the data
    # center, then the rest by code (北京 before 新疆)
    assert codes == [
        net.area_a.code,
        spread["xihu"].code,
        spread["shangcheng"].code,
        net.site_b.code,
        net.data_center.code,
        spread["beijing"].code,
        net.site_x.code,
    ]


def test_without_an_order_a_clerk_s_own_area_comes_first(net, spread, login):
    codes = _codes(login(net.clerk_b))  # 宁波海曙: 浙江 first, then the data center, 北京 after it
    assert net.site_b.code not in codes
    assert codes.index(net.site_a.code) < codes.index(net.data_center.code) < codes.index(spread["beijing"].code)


def test_hq_dispatch_ranks_by_the_first_selected_order_and_keeps_its_search(net, spread, login):
    order = make_order(sender_province="浙江省", sender_city="宁波市", sender_district="海曙区")
    assert order.site_id == net.site_b.pk
    client = login(net.hq)
    codes = _codes(client, ids=[order.pk])
    # 宁波 has no other site: 浙江's by code, the data center, then the rest; never the order's own site
    assert codes == [
        spread["shangcheng"].code,
        net.site_a.code,
        net.area_a.code,
        spread["xihu"].code,
        net.data_center.code,
        spread["beijing"].code,
        net.site_x.code,
    ]
    assert _codes(client, q="北京", ids=[order.pk]) == [spread["beijing"].code]
    # an order the user may not see says nothing about the place
    assert _codes(login(net.clerk_x), picker_order=order.pk)[0] == net.data_center.code


def test_a_clerk_s_transfer_to_the_own_site_is_refused_plainly(net, login):
    order = make_order()
    area_order = make_order(sender_address="开发区1号")
    assert area_order.site_id == net.area_a.pk
    client = login(net.clerk_a)
    url = reverse("dispatch:order_transfer", args=[area_order.pk])
    page = client.post(url, {"to_site": f"{net.site_a.code} {net.site_a.name}", "next": "/desk/"}, follow=True)
    assert "杭州西湖网点 是您自己的网点，不能转给本网点：请转给其他网点或数据中心。" in page.content.decode()
    area_order.refresh_from_db()
    assert area_order.site_id == net.area_a.pk and area_order.state == OrderState.PENDING
    # the service refuses it whatever the page sent
    with pytest.raises(ops.OrderError, match="您自己的网点"):
        ops.order_transfer(order_id=area_order.pk, actor=net.clerk_a, to_site=net.site_a)
    ops.order_transfer(order_id=order.pk, actor=net.clerk_a, to_site=net.site_b)  # another site still can
    order.refresh_from_db()
    assert order.site_id == net.site_b.pk
