from datetime import time

import pytest
from django.core.management import call_command

from core.demo import DATA_CENTER_CODE, demo_network_build
from core.divisions import read_divisions
from core.models import City, Courier, District, Province, ServiceArea, Site, User
from orders.models import OnlineOrder, OrderState


def _counts():
    return (Province.objects.count(), City.objects.count(), District.objects.count())


@pytest.mark.django_db
def test_load_network_loads_every_division_and_is_idempotent():
    provinces, cities, districts = read_divisions()
    call_command("load_network")
    first = _counts()
    assert first == (len(provinces), len(cities), len(districts))
    assert first[0] == 34 and first[2] > 3000  # all provinces incl. HK/Macao/Taiwan; ~3,100 district codes
    assert District.objects.filter(statistical_only=False).count() > 2800
    call_command("load_network")
    assert _counts() == first
    xihu = District.objects.select_related("city", "province").get(adcode="330106")
    assert (xihu.name, xihu.city.name, xihu.province.name) == ("西湖区", "杭州市", "浙江省")


@pytest.mark.django_db
def test_service_hours_default_and_xinjiang_and_hq_edits_survive_reload():
    call_command("load_network")
    xj = Province.objects.get(code="65")
    assert (xj.service_start, xj.service_end) == (time(10), time(21))
    zj = Province.objects.get(code="33")
    assert (zj.service_start, zj.service_end) == (time(8), time(20))
    zj.service_end = time(19)
    zj.save()
    call_command("load_network")
    assert Province.objects.get(code="33").service_end == time(19)


@pytest.mark.django_db
def test_demo_network_is_realistic_and_idempotent():
    call_command("load_network")
    result = demo_network_build(with_accounts=True)
    real_districts = District.objects.filter(statistical_only=False)
    # at least one active first-level site serving every real district
    unserved = real_districts.exclude(
        service_areas__site__level=Site.Level.FIRST, service_areas__site__parent__isnull=True
    )
    assert not unserved.exists()
    assert Site.objects.filter(parent__isnull=False).count() > 500  # contract areas
    assert Site.objects.get(code=DATA_CENTER_CODE).is_data_center
    assert Site.objects.filter(kind=Site.Kind.SORTING).count() == 34
    assert Courier.objects.count() > Site.objects.count()
    assert set(User.objects.filter(username__startswith="demo-").values_list("role", flat=True)) == {
        "clerk",
        "lcs",
        "hq",
        "manager",
        "courier",
    }
    counts = (Site.objects.count(), Courier.objects.count(), ServiceArea.objects.count(), User.objects.count())
    again = demo_network_build(with_accounts=True)
    assert (again.sites, again.couriers, again.service_areas) == (result.sites, result.couriers, result.service_areas)
    assert counts == (Site.objects.count(), Courier.objects.count(), ServiceArea.objects.count(), User.objects.count())


@pytest.mark.django_db
def test_demo_accounts_only_in_demo_mode(settings):
    call_command("load_network")
    settings.DEMO_MODE = False
    call_command("demo_data")
    assert not User.objects.filter(username__startswith="demo-").exists()
    settings.DEMO_MODE = True
    call_command("demo_data")
    clerk = User.objects.get(username="demo-clerk")
    assert clerk.check_password("demo12345") and clerk.site.code == "33010601"
    # demo-courier: a courier of the demo clerk's site, with a round of assigned orders waiting on the phone
    courier = User.objects.get(username="demo-courier")
    assert courier.check_password("demo12345") and courier.role == User.Role.COURIER
    assert courier.site == clerk.site and courier.courier.site == clerk.site
    assert OnlineOrder.objects.filter(courier=courier.courier, state=OrderState.ACCEPTED).count() >= 3


@pytest.mark.django_db
def test_user_role_must_match_its_unit(net):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="bad-clerk", role=User.Role.CLERK)  # a clerk without a site
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="bad-lcs", role=User.Role.LCS, site=net.site_a)
    with pytest.raises(IntegrityError), transaction.atomic():  # a courier's account is bound to a courier record
        User.objects.create(username="bad-courier", role=User.Role.COURIER, site=net.site_a)
    with pytest.raises(IntegrityError), transaction.atomic():  # and only a courier's account is
        User.objects.create(
            username="bad-bound", role=User.Role.CLERK, site=net.site_a, courier=net.site_a.couriers.first()
        )
