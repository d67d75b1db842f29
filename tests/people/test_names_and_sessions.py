"""User names are unique without regard to case — in the database and in the accounts import — and a courier
record deactivated signs its phone out, so reactivating the record brings no old phone session back."""

import pytest
from django.db import IntegrityError, transaction

from core.couriers import courier_update
from core.imports import check
from core.models import User
from courier import services as courier_services
from people.account_import import ACCOUNTS

HEADER = ["网点编码", "姓名", "手机", "邮箱", "角色", "用户名"]


def test_an_import_refuses_a_name_taken_in_another_case(net):
    User.objects.create(username="demo-clerk", role=User.Role.HQ)
    checked = check(
        ACCOUNTS,
        HEADER,
        [["33010601", "演示客服", "13700000009", "demo@test.q9.example", "网点客服", "DEMO-CLERK"]],
        actor=net.hq,
    )
    assert checked.errors and "DEMO-CLERK" in checked.errors[0]["message"], checked.errors
    assert User.objects.filter(username__iexact="demo-clerk").count() == 1


def test_the_database_refuses_a_name_in_another_case(net):
    User.objects.create(username="demo-clerk", role=User.Role.HQ)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="Demo-Clerk", role=User.Role.HQ)


def test_reactivating_a_courier_record_brings_no_old_phone_session_back(net, client):
    courier = net.site_a.couriers.first()
    user = courier_services.signin_code_issue(actor=net.clerk_a, courier=courier).user
    client.force_login(user, backend="core.auth.UserBackend")
    assert client.get("/courier/").status_code == 200
    courier_update(actor=net.clerk_a, courier_id=courier.pk, active=False)
    courier_update(actor=net.clerk_a, courier_id=courier.pk, active=True)
    r = client.get("/courier/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"], r.status_code
