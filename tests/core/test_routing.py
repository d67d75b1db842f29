"""Routing of new orders and its tie-break (SPEC §2): keyword over district-only, then priority, then code."""

from datetime import datetime
from zoneinfo import ZoneInfo

from core.routing import route_address
from orders.models import EventKind, OrderState

from ..factories import ServiceAreaFactory, SiteFactory, make_order

SH = ZoneInfo("Asia/Shanghai")


def test_district_match(net):
    route = route_address(address="浙江省杭州市西湖区文三路90号")
    assert route.site == net.site_a and route.adcode == "330106" and not route.reason


def test_keyword_beats_district_only(net):
    assert route_address(address="浙江省杭州市西湖区开发区科技园1号").site == net.area_a


def test_higher_priority_then_lower_code(net):
    xihu = net.site_a.district
    low = SiteFactory(code="33010699", name="西湖另一网点", district=xihu)
    ServiceAreaFactory(site=low, priority=50)
    assert route_address(address="杭州市西湖区文三路1号").site == low
    lower_code = SiteFactory(code="33010600", name="西湖更小编码网点", district=xihu)
    ServiceAreaFactory(site=lower_code, priority=50)
    assert route_address(address="杭州市西湖区文三路1号").site == lower_code
    # a keyword area still beats both, whatever its priority
    assert route_address(address="杭州市西湖区开发区1号").site == net.area_a


def test_inactive_site_is_skipped(net):
    net.site_b.active = False
    net.site_b.save()
    route = route_address(address="浙江省宁波市海曙区中山路1号")
    assert route.site == net.data_center and "330203" in route.reason


def test_unknown_or_unparsable_goes_to_the_data_center_with_a_reason(net):
    unparsable = route_address(address="火星基地一号")
    assert unparsable.site == net.data_center and unparsable.reason
    unknown = route_address(address="北京市朝阳区建国路1号")  # not among the test network's districts
    assert unknown.site == net.data_center and "110105" in unknown.reason
    net.site_b.service_areas.all().delete()
    no_site = route_address(address="浙江省宁波市海曙区中山路1号")
    assert no_site.site == net.data_center and "330203" in no_site.reason and no_site.reason != unknown.reason
    city_only = route_address(address="杭州市")
    assert city_only.site == net.data_center and city_only.reason


def test_new_order_is_routed_and_recorded(net):
    at = datetime(2026, 11, 23, 10, 0, tzinfo=SH)
    order = make_order(at=at, order_time=at)
    assert order.site == net.site_a and order.state == OrderState.PENDING and order.province == net.zj
    assert order.accept_due_at == datetime(2026, 11, 23, 10, 30, tzinfo=SH)
    assert order.pickup_due_at == datetime(2026, 11, 24, 2, 0, tzinfo=SH)
    event = order.events.get()
    assert event.kind == EventKind.CREATED and event.to_site == net.site_a and event.to_state == OrderState.PENDING


def test_order_to_data_center_has_no_site_clock(net):
    order = make_order(sender_province="", sender_city="", sender_district="", sender_address="火星基地")
    assert order.site == net.data_center and order.accept_due_at is None and order.route_reason


def test_structured_addresses_route_as_the_parser_would(net):
    """Named province, city and district are looked up directly (no parse); the district is the one ``cpca``
    names for the full text, also for a municipality sent without its city; anything else is parsed."""
    from core.models import City, District, Province
    from core.routing import addresses_parse, parts_parse, route_many

    bj = Province.objects.create(code="11", name="北京市")
    bj_city = City.objects.create(code="1101", name="市辖区", province=bj)
    District.objects.create(adcode="110105", name="朝阳区", city=bj_city, province=bj)
    parts = [
        {"province": "浙江省", "city": "杭州市", "district": "西湖区", "address": "文三路1号"},
        {"province": "北京市", "city": "", "district": "朝阳区", "address": "建国路1号"},
        # 西湖区 is not in 宁波: parsed, and cpca stops at the city
        {"province": "浙江省", "city": "宁波市", "district": "西湖区", "address": "文三路1号"},
        {"province": "", "city": "", "district": "", "address": "浙江省宁波市海曙区中山路1号"},
        {"province": "火星", "city": "", "district": "基地", "address": "一号"},
    ]
    looked_up = parts_parse(parts)
    parsed = addresses_parse(["".join(p.values()) for p in parts])
    assert (
        [p and p.adcode for p in looked_up]
        == [p and p.adcode for p in parsed]
        == ["330106", "110105", "330200", "330203", None]
    )
    routes = route_many(parts)
    assert [r.site for r in routes] == [net.site_a, net.data_center, net.data_center, net.site_b, net.data_center]
    assert "110105" in routes[1].reason  # known district, no site serves it


def test_any_lookup_takes_one_array():
    from core.models import District

    query = District.objects.filter(adcode__any=["330106", "330203"]).query
    sql, params = query.sql_with_params()
    assert "= ANY(%s)" in sql and params == (["330106", "330203"],)


def test_a_batch_is_routed_in_a_constant_number_of_queries(net, django_assert_num_queries):
    """Routing a batch reads the districts named (checked against the table: the per-process division list may be
    minutes old), the service areas, and the sites with their provinces, once each, whatever the batch size."""
    from core.routing import route_many

    parts = [
        {"province": "浙江省", "city": "杭州市", "district": "西湖区", "address": f"文三路{i}号"} for i in range(5)
    ]
    route_many(parts[:1])  # loads the division list
    for size in (1, 5):
        with django_assert_num_queries(4):
            routes = route_many(parts[:size])
        assert {r.site for r in routes} == {net.site_a} and {r.adcode for r in routes} == {"330106"}
