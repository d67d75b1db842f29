import pytest

from core import scoping
from core.models import Courier


@pytest.mark.django_db
def test_visible_sites_per_role(net):
    codes = lambda u: set(scoping.visible_sites(u).values_list("code", flat=True))  # noqa: E731
    assert codes(net.clerk_a) == {net.site_a.code, net.area_a.code}  # own site and its contract areas
    assert codes(net.clerk_area) == {net.area_a.code}  # a contract area sees only itself
    assert codes(net.lcs_zj) == {net.site_a.code, net.area_a.code, net.site_b.code, net.data_center.code}
    assert net.site_x.code in codes(net.hq) and net.site_x.code in codes(net.manager)
    assert net.site_x.code not in codes(net.manager_zj)


@pytest.mark.django_db
def test_site_q_filters_related_models(net):
    couriers = lambda u: set(Courier.objects.filter(scoping.site_ids_q(u)).values_list("site__code", flat=True))  # noqa
    assert couriers(net.clerk_a) == {net.site_a.code, net.area_a.code}
    assert couriers(net.lcs_xj) == {net.site_x.code}
    assert len(couriers(net.hq)) == 4


@pytest.mark.django_db
def test_visible_provinces(net):
    assert list(scoping.visible_provinces(net.clerk_x)) == [net.xj]
    assert list(scoping.visible_provinces(net.lcs_zj)) == [net.zj]
    assert set(scoping.visible_provinces(net.manager)) == {net.zj, net.xj}


def test_anonymous_user_sees_nothing(db):
    from django.contrib.auth.models import AnonymousUser

    assert not scoping.visible_sites(AnonymousUser()).exists()
    assert scoping.role_of(AnonymousUser()) == ""
