"""A control character typed into any form of the desk is answered next to its field, with everything else that
was typed kept: the project's Form classes carry the text policy (``core.textpolicy.PolicyFormMixin``)
and the request guard sends any other form back to its page with the typed values and a field error
(``config.middleware.InputGuardMiddleware``, ``core.kept_input``, ``static/js/desk.js``)."""

import importlib
import inspect
import json
import pkgutil
import re

import pytest
from django import forms
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from core.admin import HQAdmin
from core.textpolicy import PolicyFormMixin
from orders.models import OnlineOrder

from .factories import make_order

APPS = (
    "core",
    "finance",
    "orders",
    "dispatch",
    "logistics",
    "inventory",
    "penalties",
    "complaints",
    "people",
    "config",
)


def project_forms() -> list[type]:
    """Every Form class defined in the project's apps (every module imported, migrations and commands aside)."""
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in info.name and ".management" not in info.name:
                importlib.import_module(info.name)
    found, todo = set(), [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in APPS and not inspect.isabstract(sub):
                found.add(sub)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def test_there_are_forms_to_check():
    names = {c.__name__ for c in project_forms()}
    assert {"OrderEntryForm", "OrderCorrectForm", "AccountForm", "MessageComposeForm", "RaiseForm"} <= names


@pytest.mark.parametrize("form_class", project_forms(), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_text_field_of_every_form_refuses_a_control_character(net, form_class):
    assert issubclass(form_class, PolicyFormMixin), f"{form_class.__name__} does not follow the text policy"
    kwargs = {}
    parameters = inspect.signature(form_class.__init__).parameters
    if "actor" in parameters:
        kwargs["actor"] = net.hq
    if "user" in parameters:
        kwargs["user"] = net.hq
    blank = form_class(**kwargs)
    texts = [name for name, field in blank.fields.items() if isinstance(field, forms.CharField)]
    form = form_class(data=dict.fromkeys(blank.fields, "a\x01b"), **kwargs)
    assert not form.is_valid() or not texts
    for name in texts:
        errors = " ".join(form.errors.get(name, []))
        assert "U+0001" in errors, (form_class.__name__, name, form.errors.get(name))


def _typed(page: str) -> dict:
    m = re.search(r'<script id="q9-typed" type="application/json">(.*?)</script>', page, re.S)
    assert m, "no typed values on the page"
    return json.loads(m.group(1))


def test_a_control_character_goes_back_to_the_form_with_a_field_error(net, login):
    order = make_order()
    client = login(net.clerk_a)
    page = reverse("dispatch:workbench")
    r = client.post(
        reverse("dispatch:order_transfer", args=[order.pk]),
        {"to_site": net.site_b.code, "text": "原因\x01", "expect": order.state},
        HTTP_REFERER=f"http://testserver{page}",
    )
    assert r.status_code == 303 and r["Location"] == page
    assert OnlineOrder.objects.get(pk=order.pk).site_id == net.site_a.id  # nothing reached the view
    shown = client.get(page).content.decode()
    typed = _typed(shown)
    assert typed["action"] == reverse("dispatch:order_transfer", args=[order.pk])
    assert typed["data"] == {"to_site": net.site_b.code, "text": "原因\x01", "expect": order.state}
    assert (
        set(typed["errors"]) == {"text"}
        and "U+0001" in typed["errors"]["text"]
        and "控制字符" in typed["errors"]["text"]
    )
    assert 'data-testid="typed-errors"' in shown
    again = client.get(page).content.decode()  # shown once
    assert "q9-typed" not in again


def test_ticked_boxes_come_back_all_ticked(net, login):
    """Sent back for a control character, a form keeps every box ticked among several of one name (desk.js ticks
    each value in ``lists``)."""
    order = make_order()
    client = login(net.clerk_a)
    page = reverse("dispatch:workbench")
    client.post(
        reverse("dispatch:order_transfer", args=[order.pk]),
        {"to_site": net.site_b.code, "text": "原因\x01", "cited": ["1:time", "1:call"]},
        HTTP_REFERER=f"http://testserver{page}",
    )
    typed = _typed(client.get(page).content.decode())
    assert typed["lists"] == {"cited": ["1:time", "1:call"]} and typed["data"]["text"] == "原因\x01"


def test_every_bad_field_is_named(net, login):
    client = login(net.hq)
    page = reverse("orders:api_clients")
    r = client.post(
        page,
        {"action": "create", "name": "淘宝\x02", "callback_url": "http://a.example/\x7f", "kind": "channel"},
        HTTP_REFERER=f"http://testserver{page}?x=1",
    )
    assert r.status_code == 303 and r["Location"] == f"{page}?x=1"
    typed = _typed(client.get(page).content.decode())
    assert set(typed["errors"]) == {"name", "callback_url"} and typed["data"]["kind"] == "channel"


@pytest.mark.parametrize("referer", ["", "http://evil.example/orders/", "javascript:alert(1)"])
def test_without_a_page_of_ours_to_go_back_to_it_is_the_400_page(net, login, referer):
    order = make_order()
    headers = {"HTTP_REFERER": referer} if referer else {}
    r = login(net.clerk_a).post(
        reverse("dispatch:order_transfer", args=[order.pk]), {"to_site": net.site_b.code, "text": "原因\x01"}, **headers
    )
    assert r.status_code == 400 and "U+0001" in r.content.decode()


def test_the_sign_in_form_too(net, client):
    page = reverse("login")
    r = client.post(page, {"username": "clerk\x03", "password": "x"}, HTTP_REFERER=f"http://testserver{page}")
    assert r.status_code == 303
    typed = _typed(client.get(page).content.decode())
    assert set(typed["errors"]) == {"username"}
    assert "password" not in json.dumps(typed["errors"])


def test_the_admins_forms_answer_next_to_the_field(net, login):
    """HQ keeps master data in the admin: a control character in a site's name is a field error on the form, the
    other fields as typed, nothing stored."""
    client = login(net.hq)
    url = reverse("admin:core_site_change", args=[net.site_a.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}
    data.update(name="西湖\x01网点", address="文三路 90 号")
    r = client.post(url, data)
    assert r.status_code == 200
    bound = r.context["adminform"].form
    assert "U+0001" in " ".join(bound.errors["name"])
    assert bound["address"].value() == "文三路 90 号"
    net.site_a.refresh_from_db()
    assert "\x01" not in net.site_a.name


def test_every_admin_add_form_answers_a_control_character_without_a_500(net, login):
    """The admin's POSTs reach its forms: for every model HQ keeps there, the add form with a control character
    in every field is answered (the form again, with field errors), never a 500, and nothing is stored."""
    client = login(net.hq)
    failures = []
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, HQAdmin) or not model_admin.has_add_permission(_request(net)):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        page = client.get(url)
        if page.status_code != 200 or not page.context or "adminform" not in page.context:
            continue
        data = dict.fromkeys(page.context["adminform"].form.fields, "a\x01b")
        for formset in page.context.get("inline_admin_formsets", []):
            data.update(
                {f"{formset.formset.prefix}-{k}": v for k, v in formset.formset.management_form.initial.items()}
            )
        before = model._default_manager.count()
        r = client.post(url, data)
        if r.status_code >= 500 or model._default_manager.count() != before:
            failures.append(f"{url}: {r.status_code}")
        elif r.status_code == 200:
            errors = r.context["adminform"].form.errors
            texts = [n for n, f in r.context["adminform"].form.fields.items() if isinstance(f, forms.CharField)]
            if texts and not any("U+0001" in " ".join(errors.get(n, [])) for n in texts):
                failures.append(f"{url}: no control-character error ({dict(errors)})")
    assert not failures, failures


def _request(net):
    request = RequestFactory().get("/")
    request.user = net.hq
    return request
