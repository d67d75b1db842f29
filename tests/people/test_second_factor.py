"""The second factor of HQ and the LCS: the step-up before fining, deciding appeals and administering accounts and API
clients; enrolment with a QR code; recovery codes; HQ's reset; throttling; the demo's enrolment."""

import re
from datetime import datetime, timedelta
from io import StringIO
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import twofactor
from core.demo import DEMO_TOTP_SECRET
from core.models import User
from dispatch import services as ops
from orders.models import EventKind
from penalties import services
from penalties.models import Rule, ViolationStatus
from people.models import AccountEvent

from ..factories import UserFactory, make_order
from ..twofactor import authenticator_for, code_now

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=SH)
BACKEND = "core.auth.UserBackend"


def bare_login(client, user):
    """Signed in with the password only: the session has not passed the second factor."""
    client.logout()
    client.force_login(user, backend=BACKEND, second_factor=False)
    return client


def proposed_violation(net):
    order = make_order(order_time=T0)
    ops.order_accept_fail(
        order_id=order.pk, actor=net.clerk_a, reason="phone", text="空号", at=T0 + timedelta(minutes=5)
    )
    event = order.events.get(kind=EventKind.ACCEPT_FAILED)
    return services.violation_raise(event=event, rule=Rule.FALSE_FAIL_REASON, evidence="回访", actor=net.lcs_zj)


# every class of protected act, with who does it: the view must not run (a missing object would be a 404, an act a
# change) before the session has passed the second factor
PROTECTED = [
    ("hq", "post", lambda v, net: reverse("penalties:violation_confirm", args=[v.pk])),
    ("hq", "post", lambda v, net: reverse("penalties:violation_reject", args=[v.pk])),
    ("lcs", "post", lambda v, net: reverse("penalties:violation_reclassify", args=[v.pk])),
    ("lcs", "post", lambda v, net: reverse("penalties:audit_raise", args=[v.order_id])),
    ("lcs", "post", lambda v, net: reverse("penalties:appeal_lcs_decide", args=[v.pk])),
    ("hq", "post", lambda v, net: reverse("penalties:appeal_hq_decide", args=[v.pk])),
    ("hq", "get", lambda v, net: reverse("penalties:closures")),
    ("hq", "post", lambda v, net: reverse("penalties:rules")),
    ("hq", "post", lambda v, net: reverse("complaints:review", args=[999999])),
    ("hq", "get", lambda v, net: reverse("people:user_list")),
    ("lcs", "get", lambda v, net: reverse("people:user_detail", args=[net.clerk_a.pk])),
    ("hq", "post", lambda v, net: reverse("people:user_deactivate", args=[net.clerk_a.pk])),
    ("hq", "post", lambda v, net: reverse("people:user_password_reset", args=[net.clerk_a.pk])),
    ("hq", "get", lambda v, net: reverse("people:user_create")),
    ("hq", "get", lambda v, net: reverse("orders:api_clients")),
    ("hq", "post", lambda v, net: reverse("orders:api_clients")),
    ("hq", "get", lambda v, net: reverse("admin:index")),
    ("hq", "get", lambda v, net: reverse("admin:core_site_changelist")),
]


@pytest.mark.parametrize("role,method,url", PROTECTED)
def test_an_unverified_session_is_sent_to_the_second_factor(net, client, role, method, url):
    v = proposed_violation(net)
    user = net.users()[role]
    target = url(v, net)
    bare_login(client, user)
    answer = getattr(client, method)(target, HTTP_REFERER=f"http://testserver{reverse('home')}?from=here")
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("second_factor_enrol") + "?next=")  # no authenticator yet
    authenticator_for(user)
    answer = getattr(client, method)(target, HTTP_REFERER="http://testserver/violations/?from=here")
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("second_factor_verify") + "?next=")
    back = "/violations/?from=here" if method == "post" else target
    assert answer["Location"].endswith(urlencode({"next": back}))
    v.refresh_from_db()
    assert v.status == ViolationStatus.PROPOSED
    assert User.objects.get(pk=net.clerk_a.pk).is_active


def test_clerks_and_managers_meet_no_step_up(net, client):
    """The second factor is HQ's and the LCS's: a manager reads the rules page and a clerk their violations as
    before, and their own role checks answer (403) where they may not act."""
    client.force_login(net.manager, backend=BACKEND)
    assert client.get(reverse("penalties:rules")).status_code == 200
    assert client.get(reverse("people:user_list")).status_code == 403
    client.force_login(net.clerk_a, backend=BACKEND)
    assert client.post(reverse("penalties:violation_confirm", args=[1])).status_code == 403
    assert client.get(reverse("second_factor_enrol")).status_code == 403


def test_an_htmx_call_is_redirected_with_hx_redirect(net, client):
    bare_login(client, net.hq)
    authenticator_for(net.hq)
    answer = client.post(
        reverse("people:user_deactivate", args=[net.clerk_a.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{reverse('people:user_detail', args=[net.clerk_a.pk])}",
    )
    assert answer.status_code == 200
    assert answer["HX-Redirect"].startswith(reverse("second_factor_verify"))
    assert "people%2F" in answer["HX-Redirect"]
    assert User.objects.get(pk=net.clerk_a.pk).is_active


def test_enrolment_scans_confirms_and_shows_recovery_codes_once(net, client):
    bare_login(client, net.hq)
    page = client.get(reverse("second_factor_enrol") + "?next=/violations/")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "设置二次验证" in html
    secret = re.search(r'data-testid="second-factor-secret">([A-Z2-7 ]+)<', html).group(1)
    device = TOTPDevice.objects.get(user=net.hq, confirmed=False)
    assert secret.replace(" ", "") == twofactor.secret_text(device).replace(" ", "")
    assert client.get(reverse("second_factor_enrol")).content.decode().count(secret) == 1  # the same secret again

    wrong = client.post(reverse("second_factor_enrol"), {"token": "000000" if code_now(device) != "000000" else "1"})
    assert "验证码不正确" in wrong.content.decode() and not TOTPDevice.objects.filter(confirmed=True).exists()
    device.throttling_failure_count = 0  # the back-off of the wrong code is tested below
    device.save()

    done = client.post(reverse("second_factor_enrol"), {"token": code_now(device), "next": "/violations/"})
    html = done.content.decode()
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", html)
    assert len(codes) == twofactor.RECOVERY_CODES == len(set(codes))
    assert 'href="/violations/"' in html and "q9-recovery-codes.txt" in html
    assert twofactor.authenticator(net.hq).pk == device.pk
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id  # the enrolment verified the session
    assert AccountEvent.objects.filter(user=net.hq, kind=AccountEvent.Kind.SECOND_FACTOR_ENROLLED).exists()
    # enrolled: the page no longer shows a secret, and the codes are never shown again
    again = client.get(reverse("second_factor_enrol")).content.decode()
    assert "second-factor-secret" not in again and codes[0] not in again


def test_a_wrong_code_is_refused_and_the_right_one_opens_the_act(net, client):
    v = proposed_violation(net)
    bare_login(client, net.hq)
    device = authenticator_for(net.hq)
    wrong = client.post(reverse("second_factor_verify"), {"token": "12345x", "next": "/"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()
    answer = client.post(reverse("second_factor_verify"), {"token": code_now(device), "next": f"/violations/{v.pk}/"})
    assert answer.status_code == 302 and answer["Location"] == f"/violations/{v.pk}/"
    confirmed = client.post(reverse("penalties:violation_confirm", args=[v.pk]), {"text": "核实"})
    assert confirmed.status_code == 302 and confirmed["Location"] == f"/violations/{v.pk}/"
    v.refresh_from_db()
    assert v.status == ViolationStatus.CONFIRMED and v.decided_by == net.hq
    # the same code a second time is refused (django-otp keeps the last time step used)
    bare_login(client, net.hq)
    replay = client.post(reverse("second_factor_verify"), {"token": code_now(device, steps_ahead=-1)})
    assert "验证码不正确" in replay.content.decode()


def test_next_stays_on_this_site(net, client):
    bare_login(client, net.lcs_zj)
    device = authenticator_for(net.lcs_zj)
    answer = client.post(
        reverse("second_factor_verify"), {"token": code_now(device), "next": "https://evil.example/steal"}
    )
    assert answer.status_code == 302 and answer["Location"] == reverse("home")


def test_a_recovery_code_works_once(net, client):
    bare_login(client, net.lcs_zj)
    authenticator_for(net.lcs_zj)
    codes = twofactor.recovery_codes_renew(user=net.lcs_zj)
    answer = client.post(reverse("second_factor_verify"), {"token": codes[3].upper(), "next": "/people/"})
    assert answer.status_code == 302 and answer["Location"] == "/people/"
    assert client.get(reverse("people:user_list")).status_code == 200
    assert StaticToken.objects.filter(device__user=net.lcs_zj).count() == len(codes) - 1
    bare_login(client, net.lcs_zj)
    again = client.post(reverse("second_factor_verify"), {"token": codes[3]})
    assert again.status_code == 200 and "验证码不正确" in again.content.decode()
    assert client.get(reverse("people:user_list")).status_code == 302


def test_wrong_codes_are_throttled_with_a_chinese_message(net, client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a wait no slow machine outlasts between two posts
    bare_login(client, net.hq)
    device = authenticator_for(net.hq)
    right = code_now(device)
    wrong = str((int(right) + 1) % 1_000_000).zfill(6)
    assert "验证码不正确" in client.post(reverse("second_factor_verify"), {"token": wrong}).content.decode()
    held = client.post(reverse("second_factor_verify"), {"token": right}).content.decode()
    assert re.search(r"验证码错误次数过多，请 \d+ 秒后再试", held)  # even the right code waits
    assert DEVICE_ID_SESSION_KEY not in client.session
    device.refresh_from_db()
    device.throttling_failure_timestamp -= timedelta(seconds=61)  # the wait is over
    device.save()
    assert client.post(reverse("second_factor_verify"), {"token": code_now(device)}).status_code == 302


def test_hq_resets_another_accounts_second_factor(net, client):
    lcs_device = authenticator_for(net.lcs_zj)
    twofactor.recovery_codes_renew(user=net.lcs_zj)
    other = client.__class__()
    other.force_login(net.lcs_zj, backend=BACKEND)  # a verified session of the LCS, elsewhere
    assert other.get(reverse("people:user_list")).status_code == 200

    client.force_login(net.hq, backend=BACKEND)
    page = client.get(reverse("people:user_detail", args=[net.lcs_zj.pk])).content.decode()
    assert 'data-testid="second-factor-reset"' in page
    answer = client.post(reverse("people:user_second_factor_reset", args=[net.lcs_zj.pk]))
    assert answer.status_code == 302
    assert not TOTPDevice.objects.filter(pk=lcs_device.pk).exists()
    assert not StaticToken.objects.filter(device__user=net.lcs_zj).exists()
    event = AccountEvent.objects.get(user=net.lcs_zj, kind=AccountEvent.Kind.SECOND_FACTOR_RESET)
    assert event.actor == net.hq
    assert "总部重置了二次验证" in client.get(reverse("people:user_detail", args=[net.lcs_zj.pk])).content.decode()
    # the LCS's verified session is verified no more: its next act asks it to enrol again
    answer = other.get(reverse("people:user_list"))
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("second_factor_enrol"))


def test_an_lcs_may_not_reset_a_second_factor(net, client):
    lcs_manager = UserFactory(username="lcs-zj-2", role=User.Role.LCS, province=net.zj)
    device = authenticator_for(lcs_manager)
    client.force_login(net.lcs_zj, backend=BACKEND)
    page = client.get(reverse("people:user_detail", args=[net.clerk_a.pk])).content.decode()
    assert 'data-testid="second-factor-reset"' not in page
    client.post(reverse("people:user_second_factor_reset", args=[lcs_manager.pk]))
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not AccountEvent.objects.filter(kind=AccountEvent.Kind.SECOND_FACTOR_RESET).exists()


def test_new_recovery_codes_replace_the_old(net, client):
    bare_login(client, net.hq)
    authenticator_for(net.hq)
    old = twofactor.recovery_codes_renew(user=net.hq)
    # a session not yet verified is asked for the code first
    answer = client.post(reverse("second_factor_enrol"), {"action": "codes"})
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("second_factor_verify"))
    assert client.post(reverse("second_factor_verify"), {"token": old[0]}).status_code == 302
    page = client.post(reverse("second_factor_enrol"), {"action": "codes"}).content.decode()
    new = re.findall(r"<li>([a-z2-7]{8})</li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.filter(device__user=net.hq).values_list("token", flat=True)) == set(new)


def test_the_demo_accounts_are_enrolled_with_the_printed_secret(net, settings):
    settings.DEMO_MODE = True
    hq = UserFactory(username="demo-hq", role=User.Role.HQ)
    UserFactory(username="demo-lcs", role=User.Role.LCS, province=net.zj)
    out = StringIO()
    call_command("demo_second_factor", stdout=out)
    call_command("demo_second_factor", stdout=out)  # twice: nothing changes
    assert TOTPDevice.objects.filter(user__username__in=["demo-hq", "demo-lcs"], confirmed=True).count() == 2
    printed = out.getvalue()
    assert DEMO_TOTP_SECRET in printed
    code = re.search(r"code right now: (\d{6})", printed).group(1)
    assert twofactor.verify(user=hq, token=code).user_id == hq.pk
