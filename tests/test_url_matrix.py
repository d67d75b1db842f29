"""Roles × every URL pattern of the project: 200 inside scope, 403 for a role that may not use a page, 404 for
an object outside scope, a redirect to login for anonymous users. A URL pattern without a row here fails."""

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.models import Message
from core.services import message_send

ROLES = ("anon", "clerk", "lcs", "hq", "manager", "manager_zj")


def _user(net, role):
    return {
        "clerk": net.clerk_a,
        "lcs": net.lcs_zj,
        "hq": net.hq,
        "manager": net.manager,
        "manager_zj": net.manager_zj,
    }.get(role)


def _messages(net):
    """One message per audience; each role receives exactly the ones addressed to its unit."""

    def send(**kw):
        return message_send(title="测试", attachment=ContentFile(b"x", name="a.txt"), **kw)

    return {
        "clerk": send(audience=Message.Audience.SITE, site=net.area_a),  # contract area: seen by the parent's clerk
        "lcs": send(audience=Message.Audience.PROVINCE, province=net.zj),
        "hq": send(audience=Message.Audience.HQ),
        "manager": send(audience=Message.Audience.USER, user=net.manager),
        "manager_zj": send(audience=Message.Audience.PROVINCE, province=net.zj),
        "other": send(audience=Message.Audience.SITE, site=net.site_x),
    }


def _orders(net):
    """One order inside every role's scope (at site_a, Zhejiang) and one outside the clerk's, the LCS's and the
    province manager's (at site_x, Xinjiang); made once per test."""
    cached = getattr(net, "_matrix_orders", None)
    if cached is None:
        from .factories import make_order

        cached = {
            IN: make_order(),
            OUT: make_order(
                sender_province="新疆维吾尔自治区",
                sender_city="乌鲁木齐市",
                sender_district="天山区",
                sender_address="解放路1号",
            ),
        }
        net._matrix_orders = cached
    return cached


def violation_pk(which):
    """A violation of the IN order (Zhejiang, site_a) or the OUT one (Xinjiang)."""

    def build(n, r, m):
        from datetime import timedelta

        from django.utils import timezone

        from penalties.models import Violation
        from penalties.sweep import sla_sweep

        order = _orders(n)[which]
        if not Violation.objects.filter(order=order).exists():
            later = timezone.now() + timedelta(days=3)
            sla_sweep(since=order.order_time - timedelta(days=1), until=later, at=later)
        return {"pk": Violation.objects.filter(order=order).values_list("pk", flat=True).first()}

    return build


def courier_pk(which):
    def build(n, r, m):
        site = n.site_a if which == IN else n.site_x
        return {"pk": site.couriers.first().pk}

    return build


def work_order_attachment_kwargs(which):
    def build(n, r, m):
        from django.core.files.base import ContentFile
        from django.utils import timezone

        from complaints.models import WorkOrderAttachment

        kw = work_order_pk(which)(n, r, m)
        att = WorkOrderAttachment.objects.filter(work_order_id=kw["pk"]).first()
        if att is None:
            att = WorkOrderAttachment(
                work_order_id=kw["pk"], name="proof.txt", uploaded_by=n.hq, uploaded_at=timezone.now()
            )
            att.file.save("proof.txt", ContentFile(b"x"), save=True)
        return {**kw, "attachment_id": att.pk}

    return build


def attachment_kwargs(which):
    def build(n, r, m):
        from django.core.files.base import ContentFile

        from penalties.models import ViolationAttachment

        kw = violation_pk(which)(n, r, m)
        att = ViolationAttachment.objects.filter(violation_id=kw["pk"]).first()
        if att is None:
            att = ViolationAttachment(
                violation_id=kw["pk"], name="a.txt", uploaded_by=n.hq, uploaded_at=_orders(n)[which].order_time
            )
            att.file.save("a.txt", ContentFile(b"x"), save=True)
        return {**kw, "attachment_id": att.pk}

    return build


def report_pk(which):
    """A weekly province report of Zhejiang (IN for every role but Xinjiang's) or of Xinjiang (OUT)."""

    def build(n, r, m):
        from django.core.files.base import ContentFile
        from django.utils import timezone

        from penalties.models import Report

        province = n.zj if which == IN else n.xj
        report = Report.objects.filter(province=province).first()
        if report is None:
            report = Report(
                kind=Report.Kind.WEEKLY_PROVINCE,
                period=timezone.localdate(),
                province=province,
                generated_at=timezone.now(),
            )
            report.file.save("r.pdf", ContentFile(b"%PDF-1.4"), save=True)
        return {"pk": report.pk}

    return build


def notice_pk(which):
    def build(n, r, m):
        from django.core.files.base import ContentFile
        from django.utils import timezone

        from penalties.models import WeeklyNotice

        site = n.site_a if which == IN else n.site_x
        notice = WeeklyNotice.objects.filter(site=site).first()
        if notice is None:
            notice = WeeklyNotice(
                site=site, week=timezone.localdate(), created_at=timezone.now(), issued_at=timezone.now()
            )
            notice.pdf.save("n.pdf", ContentFile(b"%PDF-1.4"), save=True)
        return {"pk": notice.pk}

    return build


def appeal_attachment_kwargs(which):
    def build(n, r, m):
        from django.core.files.base import ContentFile
        from django.utils import timezone

        from penalties.models import Appeal, AppealAttachment, Violation

        kw = violation_pk(which)(n, r, m)
        v = Violation.objects.get(pk=kw["pk"])
        appeal = Appeal.objects.filter(violation=v).first() or Appeal.objects.create(
            violation=v,
            site=v.site,
            province=v.province,
            status="LCS_REVIEW",
            text="x",
            filed_by=n.hq,
            filed_at=timezone.now(),
        )
        att = appeal.attachments.first()
        if att is None:
            att = AppealAttachment(appeal=appeal, name="a.txt", uploaded_by=n.hq, uploaded_at=timezone.now())
            att.file.save("a.txt", ContentFile(b"x"), save=True)
        return {**kw, "attachment_id": att.pk}

    return build


def import_pk(n, r, m):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from orders.models import ImportJob

    job = ImportJob.objects.first()
    if job is None:
        job = ImportJob(kind="sites", name="a.csv", status="invalid", created_by=n.hq, created_at=timezone.now())
        job.file.save("a.csv", ContentFile(b"x"), save=True)
    return {"pk": job.pk}


def waybill_kw(which):
    def build(n, r, m):
        from orders.models import OnlineOrder

        order = _orders(n)[which]
        if not order.waybill_no:
            number = "300000000551" if which == IN else "300000000552"
            OnlineOrder.objects.filter(pk=order.pk).update(waybill_no=number)
            order.waybill_no = number
        return {"waybill": order.waybill_no}

    return build


def exception_pk(which):
    def build(n, r, m):
        from django.utils import timezone

        from logistics.models import WaybillException

        waybill = waybill_kw(which)(n, r, m)["waybill"]
        exc = WaybillException.objects.filter(waybill_no=waybill).first() or WaybillException.objects.create(
            waybill_no=waybill,
            kind="delay",
            description="x",
            site=n.site_a if which == IN else n.site_x,
            raised_by=n.hq,
            raised_at=timezone.now(),
        )
        return {"pk": exc.pk}

    return build


def work_order_pk(which):
    def build(n, r, m):
        from complaints.models import WorkOrder
        from complaints.services import work_order_receive
        from logistics.services import scans_ingest

        waybill = "300000000661" if which == IN else "300000000662"
        wo = WorkOrder.objects.filter(waybill_no=waybill).first()
        if wo is None:
            from django.utils import timezone

            site = n.site_a if which == IN else n.site_x
            scans_ingest(
                scans=[
                    {"waybill_no": waybill, "scan_type": "到件", "site_code": site.code, "scanned_at": timezone.now()}
                ]
            )
            wo = work_order_receive(
                data={
                    "wo_id": f"M{waybill}",
                    "type": "where",
                    "source": "pc",
                    "waybill_no": waybill,
                    "description": "x",
                }
            )[0]
        return {"pk": wo.pk}

    return build


wo_attachment_kwargs = work_order_attachment_kwargs  # the same proof file, for the rows added with the download


def account_pk(which):
    """A clerk of Zhejiang (inside the LCS's and HQ's accounts) or of Xinjiang (outside the Zhejiang LCS's)."""
    return lambda n, r, m: {"pk": (n.clerk_b if which == IN else n.clerk_x).pk}


def account_job_pk(which):
    """An accounts file of the Zhejiang LCS (followed by it and HQ) or of the Xinjiang LCS (not the Zhejiang LCS's)."""

    def build(n, r, m):
        from django.core.files.base import ContentFile
        from django.utils import timezone

        from orders.models import ImportJob

        by = n.lcs_zj if which == IN else n.lcs_xj
        job = ImportJob.objects.filter(kind="accounts", created_by=by).first()
        if job is None:
            job = ImportJob(kind="accounts", name="a.csv", status="invalid", created_by=by, created_at=timezone.now())
            job.file.save("a.csv", ContentFile(b"x"), save=True)
        return {"pk": job.pk}

    return build


def order_pk(which):
    return lambda n, r, m: {"pk": _orders(n)[which].pk}


def _everyone(code):
    return {r: code for r in ROLES if r != "anon"}


LOGIN = 302  # anonymous users are sent to the login page

# name -> (method, list of (url kwargs builder, {role: expected status}))
# A builder gets (net, role, msgs) and returns kwargs for reverse().
IN = "in"
OUT = "out"


def site_code(net, role, which):
    inside = {
        "clerk": net.area_a,
        "lcs": net.site_b,
        "hq": net.site_x,
        "manager": net.site_x,
        "manager_zj": net.site_a,
        "anon": net.site_a,
    }
    outside = {"clerk": net.site_b, "lcs": net.site_x, "manager_zj": net.site_x, "anon": net.site_a}
    return {"code": (inside if which == IN else outside)[role].code}


def message_pk(net, role, which, msgs):
    return {"pk": msgs[role if which == IN and role != "anon" else "other"].pk}


MATRIX = {
    "home": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "healthz": ("get", [(None, dict.fromkeys(ROLES, 200))]),
    "readyz": ("get", [(None, dict.fromkeys(ROLES, 200))]),
    "metrics": ("get", [(None, dict.fromkeys(ROLES, 404))]),  # no METRICS_TOKEN in the tests: nothing to scrape
    "system": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 403, "hq": 200, "manager": 403, "manager_zj": 403})],
    ),
    "favicon": ("get", [(None, dict.fromkeys(ROLES, 301))]),
    "login": ("get", [(None, {"anon": 200, **_everyone(302)})]),
    "logout": ("post", [(None, dict.fromkeys(ROLES, 302))]),
    "password_change": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "password_change_done": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    **{
        name: ("get", [(None, {"anon": LOGIN, "clerk": 403, "lcs": 200, "hq": 200, "manager": 403, "manager_zj": 403})])
        for name in ["second_factor_enrol", "second_factor_verify"]
    },
    "set_language": ("post", [(None, dict.fromkeys(ROLES, 302))]),
    "core:message_list": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "core:alert_channels": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 403, "hq": 200, "manager": 403, "manager_zj": 403})],
    ),
    "core:message_badge": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "core:message_read_all": ("post", [(None, {"anon": LOGIN, **_everyone(302)})]),
    "core:message_compose": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 200, "hq": 200, "manager": 403, "manager_zj": 403})],
    ),
    "core:message_detail": (
        "get",
        [
            (lambda n, r, m: message_pk(n, r, IN, m), {"anon": LOGIN, **_everyone(200)}),
            (lambda n, r, m: message_pk(n, r, OUT, m), {"anon": LOGIN, **_everyone(404)}),
        ],
    ),
    "core:message_attachment": (
        "get",
        [
            (lambda n, r, m: message_pk(n, r, IN, m), {"anon": LOGIN, **_everyone(200)}),
            (lambda n, r, m: message_pk(n, r, OUT, m), {"anon": LOGIN, **_everyone(404)}),
        ],
    ),
    "core:site_list": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "dispatch:site_search": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "dispatch:silent_sites": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 200, "hq": 200, "manager": 200, "manager_zj": 200})],
    ),
    **{
        name: (method, [(None, {"anon": LOGIN, "clerk": ok, "lcs": 403, "hq": 403, "manager": 403, "manager_zj": 403})])
        for name, method, ok in [
            ("dispatch:workbench", "get", 200),
            ("dispatch:workbench_rows", "get", 200),
            ("dispatch:pickup", "get", 200),
            ("dispatch:pickup_scan", "post", 200),
            ("dispatch:pickup_couriers", "get", 200),
            ("dispatch:cancellations", "get", 200),
            ("dispatch:couriers", "get", 200),
            ("dispatch:couriers_export", "get", 200),
            ("dispatch:orders_accept_batch", "post", 302),
            ("dispatch:orders_pickup_batch", "post", 302),
            ("dispatch:cancellations_handle", "post", 302),
        ]
    },
    # one order's site actions: its site's clerk and HQ; the LCS and managers only read
    **{
        name: (
            "post",
            [
                (order_pk(IN), {"anon": LOGIN, "clerk": 302, "lcs": 403, "hq": 302, "manager": 403, "manager_zj": 403}),
                (order_pk(OUT), {"clerk": 404}),
            ],
        )
        for name in [
            "dispatch:order_accept",
            "dispatch:order_transfer",
            "dispatch:order_accept_fail",
            "dispatch:order_courier",
            "dispatch:order_pickup_confirm",
            "dispatch:order_pickup_fail",
            "dispatch:order_sender_id",
            "dispatch:order_reappoint",
            "dispatch:order_waybill_remind",
            "orders:order_correct",
        ]
    },
    "dispatch:order_waybill_correct": (
        "post",
        [
            (order_pk(IN), {"anon": LOGIN, "clerk": 302, "lcs": 403, "hq": 403, "manager": 403, "manager_zj": 403}),
            (order_pk(OUT), {"clerk": 404}),
        ],
    ),
    "dispatch:unscanned": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "dispatch:unscanned_export": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "dispatch:hq_dispatch": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 403, "hq": 200, "manager": 403, "manager_zj": 403})],
    ),
    "dispatch:hq_dispatch_submit": (
        "post",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 403, "hq": 302, "manager": 403, "manager_zj": 403})],
    ),
    **{
        name: (
            "post",
            [(order_pk(IN), {"anon": LOGIN, "clerk": 403, "lcs": 403, "hq": 302, "manager": 403, "manager_zj": 403})],
        )
        for name in ["dispatch:order_reopen", "dispatch:order_cancel"]
    },
    "orders:order_list": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "orders:order_search": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "penalties:violation_list": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "penalties:violation_export": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "penalties:site_activity": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "penalties:violation_detail": (
        "get",
        [
            (violation_pk(IN), {"anon": LOGIN, **_everyone(200)}),
            (violation_pk(OUT), {"clerk": 404, "lcs": 404, "manager_zj": 404}),
        ],
    ),
    "penalties:violation_attachment": (
        "get",
        [
            (attachment_kwargs(IN), {"anon": LOGIN, **_everyone(200)}),
            (attachment_kwargs(OUT), {"clerk": 404, "lcs": 404, "manager_zj": 404}),
        ],
    ),
    "penalties:violation_confirm": (
        "post",
        [(violation_pk(IN), {"anon": LOGIN, "clerk": 403, "lcs": 403, "hq": 302, "manager": 403, "manager_zj": 403})],
    ),
    "penalties:violation_reject": (
        "post",
        [(violation_pk(IN), {"anon": LOGIN, "clerk": 403, "lcs": 403, "hq": 302, "manager": 403, "manager_zj": 403})],
    ),
    **{
        name: (
            "post",
            [
                (
                    violation_pk(IN),
                    {"anon": LOGIN, "clerk": 403, "lcs": 302, "hq": 302, "manager": 403, "manager_zj": 403},
                ),
                (violation_pk(OUT), {"lcs": 404}),
            ],
        )
        for name in ["penalties:violation_reclassify", "penalties:violation_evidence"]
    },
    "penalties:appeal_file": (
        "post",
        [
            (violation_pk(IN), {"anon": LOGIN, "clerk": 302, "lcs": 403, "hq": 403, "manager": 403, "manager_zj": 403}),
            (violation_pk(OUT), {"clerk": 404}),
        ],
    ),
    "penalties:appeal_to_hq": (
        "post",
        [
            (violation_pk(IN), {"anon": LOGIN, "clerk": 302, "lcs": 403, "hq": 403, "manager": 403, "manager_zj": 403}),
            (violation_pk(OUT), {"clerk": 404}),
        ],
    ),
    "penalties:appeal_lcs_decide": (
        "post",
        [
            (violation_pk(IN), {"anon": LOGIN, "clerk": 403, "lcs": 302, "hq": 403, "manager": 403, "manager_zj": 403}),
            (violation_pk(OUT), {"lcs": 404}),
        ],
    ),
    "penalties:appeal_hq_decide": (
        "post",
        [(violation_pk(IN), {"anon": LOGIN, "clerk": 403, "lcs": 403, "hq": 302, "manager": 403, "manager_zj": 403})],
    ),
    "penalties:appeal_email": (
        "post",
        [(violation_pk(IN), {"anon": LOGIN, "clerk": 403, "lcs": 403, "hq": 302, "manager": 403, "manager_zj": 403})],
    ),
    "penalties:appeal_attachment": (
        "get",
        [
            (appeal_attachment_kwargs(IN), {"anon": LOGIN, **_everyone(200)}),
            (appeal_attachment_kwargs(OUT), {"clerk": 404, "lcs": 404, "manager_zj": 404}),
        ],
    ),
    "penalties:appeal_queue": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 200, "hq": 200, "manager": 403, "manager_zj": 403})],
    ),
    "penalties:reports": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 200, "hq": 200, "manager": 200, "manager_zj": 200})],
    ),
    "penalties:report_download": (
        "get",
        [
            (report_pk(IN), {"anon": LOGIN, "clerk": 403, "lcs": 200, "hq": 200, "manager": 200, "manager_zj": 200}),
            (report_pk(OUT), {"lcs": 404, "manager_zj": 404}),
        ],
    ),
    "penalties:notices": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "penalties:notice_download": (
        "get",
        [
            (notice_pk(IN), {"anon": LOGIN, **_everyone(200)}),
            (notice_pk(OUT), {"clerk": 404, "lcs": 404, "manager_zj": 404}),
        ],
    ),
    "penalties:rewards": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 200, "hq": 200, "manager": 200, "manager_zj": 200})],
    ),
    "orders:api_clients": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 403, "hq": 200, "manager": 403, "manager_zj": 403})],
    ),
    "orders:imports": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 403, "hq": 200, "manager": 403, "manager_zj": 403})],
    ),
    "orders:import_detail": (
        "get",
        [(import_pk, {"anon": LOGIN, "clerk": 403, "lcs": 403, "hq": 200, "manager": 403, "manager_zj": 403})],
    ),
    "orders:callbacks": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 403, "hq": 200, "manager": 403, "manager_zj": 403})],
    ),
    "logistics:track": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "logistics:track_detail": (
        "get",
        [
            (waybill_kw(IN), {"anon": LOGIN, **_everyone(200)}),
            (waybill_kw(OUT), {"clerk": 404, "lcs": 404, "manager_zj": 404}),
        ],
    ),
    "logistics:exception_raise": (
        "post",
        [
            (waybill_kw(IN), {"anon": LOGIN, **_everyone(302)}),
            (waybill_kw(OUT), {"clerk": 404, "lcs": 404, "manager_zj": 404}),
        ],
    ),
    "logistics:handover": (
        "post",
        [
            (waybill_kw(IN), {"anon": LOGIN, **_everyone(302)}),
            (waybill_kw(OUT), {"clerk": 404, "lcs": 404, "manager_zj": 404}),
        ],
    ),
    "logistics:exception_step": (
        "post",
        [
            (exception_pk(IN), {"anon": LOGIN, **_everyone(302)}),
            (exception_pk(OUT), {"clerk": 404, "lcs": 404, "manager_zj": 404}),
        ],
    ),
    "logistics:carriers": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    # the IN order has its waybill by now (set for the tracking rows above): its label prints
    "logistics:label": (
        "get",
        [
            (order_pk(IN), {"anon": LOGIN, "clerk": 200, "lcs": 403, "hq": 200, "manager": 403, "manager_zj": 403}),
            (order_pk(OUT), {"clerk": 404}),
        ],
    ),
    "logistics:labels_batch": (
        "post",
        [(None, {"anon": LOGIN, "clerk": 302, "lcs": 403, "hq": 302, "manager": 403, "manager_zj": 403})],
    ),
    "inventory:stock": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "inventory:ranges": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "inventory:pickup_ewaybill": (
        "post",
        [
            (order_pk(IN), {"anon": LOGIN, "clerk": 302, "lcs": 403, "hq": 302, "manager": 403, "manager_zj": 403}),
            (order_pk(OUT), {"clerk": 404}),
        ],
    ),
    "dispatch:courier_update": (
        "post",
        [
            (courier_pk(IN), {"anon": LOGIN, "clerk": 302, "lcs": 403, "hq": 403, "manager": 403, "manager_zj": 403}),
            (courier_pk(OUT), {"clerk": 404}),
        ],
    ),
    "complaints:list": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "complaints:export": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "inventory:stock_export": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "dispatch:silent_sites_export": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 200, "hq": 200, "manager": 200, "manager_zj": 200})],
    ),
    "penalties:appeal_export": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 200, "hq": 200, "manager": 403, "manager_zj": 403})],
    ),
    "penalties:rewards_export": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 200, "hq": 200, "manager": 200, "manager_zj": 200})],
    ),
    "complaints:new": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 403, "hq": 200, "manager": 403, "manager_zj": 403})],
    ),
    "complaints:assessment": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 200, "hq": 200, "manager": 200, "manager_zj": 200})],
    ),
    "complaints:detail": (
        "get",
        [
            (work_order_pk(IN), {"anon": LOGIN, **_everyone(200)}),
            (work_order_pk(OUT), {"clerk": 404, "lcs": 404, "manager_zj": 404}),
        ],
    ),
    "complaints:attachment": (
        "get",
        [
            (work_order_attachment_kwargs(IN), {"anon": LOGIN, **_everyone(200)}),
            (work_order_attachment_kwargs(OUT), {"clerk": 404, "lcs": 404, "manager_zj": 404}),
        ],
    ),
    # an empty answer is refused: the page comes back (200) with what was typed
    "complaints:answer": (
        "post",
        [
            (
                work_order_pk(IN),
                {"anon": LOGIN, "clerk": 200, "lcs": 403, "hq": 403, "manager": 403, "manager_zj": 403},
            ),
            (work_order_pk(OUT), {"clerk": 404}),
        ],
    ),
    "complaints:review": (
        "post",
        [(work_order_pk(IN), {"anon": LOGIN, "clerk": 403, "lcs": 403, "hq": 302, "manager": 403, "manager_zj": 403})],
    ),
    "complaints:assign": (
        "post",
        [(work_order_pk(IN), {"anon": LOGIN, "clerk": 403, "lcs": 403, "hq": 302, "manager": 403, "manager_zj": 403})],
    ),
    "complaints:chase": (
        "post",
        [
            (
                work_order_pk(IN),
                {"anon": LOGIN, "clerk": 403, "lcs": 302, "hq": 403, "manager": 403, "manager_zj": 403},
            ),
            (work_order_pk(OUT), {"lcs": 404}),
        ],
    ),
    "finance:statement": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "finance:statement_export": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "finance:statement_pdf": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "penalties:audit": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 200, "hq": 200, "manager": 403, "manager_zj": 403})],
    ),
    "penalties:audit_order": (
        "get",
        [
            (order_pk(IN), {"anon": LOGIN, "clerk": 403, "lcs": 200, "hq": 200, "manager": 403, "manager_zj": 403}),
            (order_pk(OUT), {"lcs": 404}),
        ],
    ),
    "penalties:audit_raise": (
        "post",
        [
            (order_pk(IN), {"anon": LOGIN, "clerk": 403, "lcs": 302, "hq": 302, "manager": 403, "manager_zj": 403}),
            (order_pk(OUT), {"lcs": 404}),
        ],
    ),
    "penalties:deadlines": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 200, "lcs": 403, "hq": 403, "manager": 403, "manager_zj": 403})],
    ),
    "penalties:dashboard": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 200, "hq": 200, "manager": 200, "manager_zj": 200})],
    ),
    "penalties:rules": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 200, "hq": 200, "manager": 200, "manager_zj": 200})],
    ),
    "penalties:closures": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 403, "hq": 200, "manager": 403, "manager_zj": 403})],
    ),
    "orders:order_export": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "orders:order_new": (
        "get",
        [(None, {"anon": LOGIN, "clerk": 403, "lcs": 403, "hq": 200, "manager": 403, "manager_zj": 403})],
    ),
    "orders:order_detail": (
        "get",
        [
            (order_pk(IN), {"anon": LOGIN, **_everyone(200)}),
            (order_pk(OUT), {"clerk": 404, "lcs": 404, "manager_zj": 404}),
        ],
    ),
    "core:site_export": ("get", [(None, {"anon": LOGIN, **_everyone(200)})]),
    "orders:import_template": (
        "get",
        [
            (
                lambda n, r, m: {"kind": "orders"},
                {"anon": LOGIN, "clerk": 403, "lcs": 403, "hq": 200, "manager": 403, "manager_zj": 403},
            )
        ],
    ),
    "core:site_detail": (
        "get",
        [
            (lambda n, r, m: site_code(n, r, IN), {"anon": LOGIN, **_everyone(200)}),
            (lambda n, r, m: site_code(n, r, OUT), {"anon": LOGIN, "clerk": 404, "lcs": 404, "manager_zj": 404}),
        ],
    ),
    # people: the password views (anyone), accounts (HQ and the province LCS; another province's users 404)
    **{
        name: ("get", [(kw, dict.fromkeys(ROLES, 200))])
        for name, kw in [
            ("password_reset", None),
            ("password_reset_done", None),
            ("password_reset_complete", None),
            ("password_reset_confirm", lambda n, r, m: {"uidb64": "MQ", "token": "invalid-token"}),
        ]
    },
    **{
        name: ("get", [(None, {"anon": LOGIN, "clerk": 403, "lcs": 200, "hq": 200, "manager": 403, "manager_zj": 403})])
        for name in ["people:user_list", "people:user_create", "people:user_import", "people:user_import_template"]
    },
    "people:user_import_job": (
        "get",
        [
            (
                account_job_pk(IN),
                {"anon": LOGIN, "clerk": 403, "lcs": 200, "hq": 200, "manager": 403, "manager_zj": 403},
            ),
            (account_job_pk(OUT), {"lcs": 404, "hq": 200}),
        ],
    ),
    **{
        name: ("get", [(None, {"anon": LOGIN, "clerk": 403, "lcs": 403, "hq": 200, "manager": 403, "manager_zj": 403})])
        for name in ["people:area_edit", "people:area_export"]
    },
    **{
        name: (
            method,
            [
                (account_pk(IN), {"anon": LOGIN, "clerk": 403, "lcs": ok, "hq": ok, "manager": 403, "manager_zj": 403}),
                (account_pk(OUT), {"lcs": 404}),
            ],
        )
        for name, method, ok in [
            ("people:user_detail", "get", 200),
            ("people:user_deactivate", "post", 302),
            ("people:user_reactivate", "post", 302),
            ("people:user_move", "post", 302),
            ("people:user_password_reset", "post", 200),
            ("people:user_second_factor_reset", "post", 302),
        ]
    },
    # the courier's phone: its pages are the courier's; the service worker and manifest are public files; the
    # sign-in link answers 400 for a code that does not exist; the clerk hands out a sign-in QR for the site's couriers
    **{
        name: (method, [(None, {"anon": LOGIN, **_everyone(403)})])
        for name, method in [("courier:home", "get"), ("courier:acts", "post")]
    },
    **{name: ("get", [(None, dict.fromkeys(ROLES, 200))]) for name in ["courier:service_worker", "courier:manifest"]},
    "courier:signin": ("get", [(lambda n, r, m: {"secret": "no-such-code"}, dict.fromkeys(ROLES, 400))]),
    # a photo at the door: served to those who may see its order (tests/courier/test_door_evidence.py)
    "courier:door_photo": ("get", [(lambda n, r, m: {"pk": 999_999}, {"anon": LOGIN, **_everyone(404)})]),
    "courier:signin_qr": (
        "post",
        [
            (courier_pk(IN), {"anon": LOGIN, "clerk": 200, "lcs": 403, "hq": 403, "manager": 403, "manager_zj": 403}),
            (courier_pk(OUT), {"clerk": 404}),
        ],
    ),
    "people:object_history": (
        "get",
        [
            (
                lambda n, r, m: {"kind": "site", "pk": n.site_b.pk},
                {"anon": LOGIN, "clerk": 403, "lcs": 200, "hq": 200, "manager": 200, "manager_zj": 200},
            ),
            (lambda n, r, m: {"kind": "site", "pk": n.site_x.pk}, {"lcs": 404, "manager_zj": 404}),
            (lambda n, r, m: {"kind": "rule", "pk": 1}, {"lcs": 404, "manager_zj": 404}),
        ],
    ),
}


def _named_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue  # covered by test_admin_is_hq_only, model by model
            if p.namespace == "api":
                continue  # signed API clients, not people: tests/orders/test_api.py and test_api_schema.py
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from _named_patterns(p, ns)
        elif isinstance(p, URLPattern):
            yield f"{prefix}{p.name}" if p.name else f"<unnamed {p.pattern}>"


def test_every_url_pattern_is_in_the_matrix():
    patterns = set(_named_patterns())
    assert patterns - set(MATRIX) == set(), "add these URL patterns to MATRIX with their expected statuses"
    assert set(MATRIX) - patterns == set()


@pytest.mark.parametrize("role", ROLES)
def test_role_url_matrix(role, net, client):
    msgs = _messages(net)
    user = _user(net, role)
    failures = []
    for name, (method, cases) in MATRIX.items():
        for build, expected in cases:
            if role not in expected:
                continue
            if user:
                client.force_login(user, backend="core.auth.UserBackend")
            else:
                client.logout()
            url = reverse(name, kwargs=build(net, role, msgs) if build else None)
            response = getattr(client, method)(url)
            if response.status_code != expected[role]:
                failures.append(
                    f"{method.upper()} {url} ({name}) as {role}: {response.status_code} != {expected[role]}"
                )
            if role != "anon" and expected[role] == LOGIN and response.status_code == 302:
                assert "/accounts/login/" not in response["Location"] or name in ("logout",), url
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_admin_is_hq_only(role, net, client):
    user = _user(net, role)
    if user:
        client.force_login(user, backend="core.auth.UserBackend")
    urls = [reverse("admin:index")] + [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist") for m in admin.site._registry
    ]
    for url in urls:
        status = client.get(url).status_code
        assert status == (200 if role == "hq" else 302), (url, role, status)


# ---------------------------------------------------------------- foreign ids inside the POST data


def _flashes(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else response.content.decode()


def test_batch_accept_of_another_provinces_order_names_nothing(net, client):
    from orders.models import OnlineOrder, OrderState

    out = _orders(net)[OUT]
    client.force_login(net.clerk_a, backend="core.auth.UserBackend")
    r = client.post(reverse("dispatch:orders_accept_batch"), {"ids": [out.pk, 99999999999999999999]}, follow=True)
    assert r.status_code == 200
    assert OnlineOrder.objects.get(pk=out.pk).state == OrderState.PENDING
    page = r.content.decode()
    assert out.channel_order_id not in page and "本网点没有此订单" in page


def test_batch_pickup_of_another_provinces_order_names_nothing(net, client):
    from dispatch import services as ops
    from orders.models import OnlineOrder, OrderState

    out = _orders(net)[OUT]
    ops.order_accept(order_id=out.pk, actor=net.clerk_x)
    client.force_login(net.clerk_a, backend="core.auth.UserBackend")
    r = client.post(
        reverse("dispatch:orders_pickup_batch"), {"ids": [out.pk], f"waybill_{out.pk}": "300000000991"}, follow=True
    )
    assert r.status_code == 200
    assert OnlineOrder.objects.get(pk=out.pk).state == OrderState.ACCEPTED
    page = r.content.decode()
    assert out.channel_order_id not in page and "本网点没有此订单" in page


def test_courier_of_another_site_is_answered_like_a_missing_one(net, client):
    from core.models import Courier
    from dispatch import services as ops
    from orders.models import OnlineOrder

    order = _orders(net)[IN]
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    foreign = Courier.objects.filter(site=net.site_x).first()
    client.force_login(net.clerk_a, backend="core.auth.UserBackend")
    r = client.post(reverse("dispatch:order_courier", args=[order.pk]), {"courier": foreign.pk}, follow=True)
    assert r.status_code == 200
    assert OnlineOrder.objects.get(pk=order.pk).courier_id is None
    assert foreign.name not in _flashes(r)


def test_exception_on_a_site_of_another_province_is_refused(net, client):
    from logistics.models import WaybillException

    waybill = waybill_kw(IN)(net, "lcs", None)["waybill"]
    client.force_login(net.lcs_zj, backend="core.auth.UserBackend")
    r = client.post(
        reverse("logistics:exception_raise", args=[waybill]),
        {"site": net.site_x.code, "kind": "damage", "description": "外箱破损"},
        follow=True,
    )
    assert r.status_code == 200
    assert not WaybillException.objects.filter(site=net.site_x).exists()
    assert net.site_x.name not in _flashes(r)
    client.post(
        reverse("logistics:exception_raise", args=[waybill]),
        {"site": net.site_a.code, "kind": "damage", "description": "外箱破损"},
    )
    assert WaybillException.objects.filter(site=net.site_a).count() == 1  # inside the province it works


def test_labels_of_another_provinces_orders_are_not_printed(net, client):
    from logistics.models import LabelPrint

    out = _orders(net)[OUT]
    waybill_kw(OUT)(net, "clerk", None)
    client.force_login(net.clerk_a, backend="core.auth.UserBackend")
    r = client.post(reverse("logistics:labels_batch"), {"ids": [out.pk], "next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == reverse("orders:order_list")
    assert not LabelPrint.objects.exists()


@pytest.mark.parametrize("role", ["clerk", "lcs", "manager_zj"])
def test_writes_on_foreign_objects_are_404_and_change_nothing(role, net, client):
    """Every write that names an object in its path, aimed at the other province's object: 404, nothing written."""
    from logistics.models import ExceptionStep
    from orders.models import OnlineOrder, OrderEvent

    msgs = _messages(net)
    out = _orders(net)[OUT]
    before = (OrderEvent.objects.filter(order=out).count(), ExceptionStep.objects.count())
    client.force_login(_user(net, role), backend="core.auth.UserBackend")
    failures = []
    for name, (method, cases) in MATRIX.items():
        if method != "post":
            continue
        for build, expected in cases:
            if expected.get(role) != 404:
                continue
            url = reverse(name, kwargs=build(net, role, msgs) if build else None)
            r = client.post(
                url,
                {
                    "text": "x",
                    "reason": "OTHER",
                    "kind": "damage",
                    "description": "x",
                    "to_site": net.site_a.code,
                    "waybill": "300000000999",
                    "close": "1",
                },
            )
            if r.status_code != 404:
                failures.append(f"POST {url} as {role}: {r.status_code}")
    assert not failures, failures
    assert (OrderEvent.objects.filter(order=out).count(), ExceptionStep.objects.count()) == before
    assert OnlineOrder.objects.get(pk=out.pk).state == out.state


# ---------------------------------------------------------------- the courier role

# what a courier's account may reach; every other URL answers 403 (or 404), whatever the object
COURIER_REACHES = {
    "home": 302,  # to the courier's page
    "healthz": 200,
    "readyz": 200,
    "favicon": 301,
    "login": 302,
    "logout": 302,
    "set_language": 302,
    "courier:home": 200,
    "courier:acts": 400,  # an empty POST is not a queue of acts
    "courier:service_worker": 200,
    "courier:manifest": 200,
    "courier:signin": 400,
}


def test_a_courier_reaches_only_the_couriers_pages(net, client):
    from core.models import User
    from courier.services import signin_code_issue

    courier = signin_code_issue(actor=net.clerk_a, courier=net.site_a.couriers.first()).user
    assert courier.role == User.Role.COURIER
    msgs = _messages(net)
    failures = []
    for name, (method, cases) in MATRIX.items():
        for build, _expected in cases[:1]:  # the objects inside every other role's scope (built as HQ sees them)
            client.force_login(courier, backend="core.auth.UserBackend")
            url = reverse(name, kwargs=build(net, "hq", msgs) if build else None)
            status = getattr(client, method)(url).status_code
            allowed = COURIER_REACHES.get(name)
            if (allowed is None and status not in (403, 404)) or (allowed is not None and status != allowed):
                failures.append(f"{method.upper()} {url} ({name}) as courier: {status}")
    assert not failures, "\n".join(failures)
    client.force_login(courier, backend="core.auth.UserBackend")
    assert client.get("/admin/").status_code in (302, 403)  # the admin's own login: never the admin
