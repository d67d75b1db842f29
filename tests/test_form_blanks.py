"""No select on any page offers Django's bare 「---------」: an empty choice says what it means
(「全部」, 「无（全国）」, 「请选择…」). Every page of the role × URL matrix a role may open, and every page of the
administration as HQ, is read."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.pages import shown
from tests.test_url_matrix import MATRIX, ROLES, _messages, _user

DASH = "---------"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in ROLES if r != "anon"])
def test_no_page_offers_a_bare_dash_choice(role, net, client):
    msgs = _messages(net)
    client.force_login(_user(net, role), backend="core.auth.UserBackend")
    failures = []
    for name, (method, cases) in MATRIX.items():
        if method != "get":
            continue
        for build, expected in cases:
            if expected.get(role) != 200:
                continue
            url = reverse(name, kwargs=build(net, role, msgs) if build else None)
            response = client.get(url)
            if "html" in response.get("Content-Type", "") and DASH in shown(response):
                failures.append(url)
    assert not failures, failures


@pytest.mark.django_db
def test_no_admin_form_offers_a_bare_dash_choice(net, client):
    client.force_login(net.hq, backend="core.auth.UserBackend")
    failures = []
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        for url in (reverse("admin:{}_{}_changelist".format(*info)),):
            response = client.get(url)
            if response.status_code == 200 and DASH in shown(response):
                failures.append(url)
        obj = model._default_manager.first()
        if obj is not None:
            response = client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
            if response.status_code == 200 and DASH in shown(response):
                failures.append(response.request["PATH_INFO"])
        response = client.get(reverse("admin:{}_{}_add".format(*info)))
        if response.status_code == 200 and DASH in shown(response):
            failures.append(response.request["PATH_INFO"])
    assert not failures, failures
