"""对账单: a month's statement of the user's scope (site, province or nation), on screen, in Excel and as PDF."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from weasyprint import HTML

from core import scoping
from core.humanize import code_label
from core.models import Province
from core.parsing import parse_id, parse_month
from core.replica import replica_reads
from core.sheets import xlsx_response

from .models import EntryKind
from .selectors import statement


def _month(request) -> date:
    return parse_month(request.GET.get("month"), timezone.localdate().replace(day=1))


def _scope(request) -> tuple[dict, str]:
    """The narrowing the user asked for within their scope, and its name."""
    user = request.user
    role = scoping.role_of(user)
    kw, name = {}, _("The whole network")
    if role == scoping.Role.CLERK:
        return {}, user.site.name
    if not scoping.is_national(user):
        name = user.province.name
    province = parse_id(request.GET.get("province"))
    if province and scoping.visible_provinces(user).filter(pk=province).exists():
        kw["province_id"] = province
        name = Province.objects.get(pk=province).name
    site = (request.GET.get("site") or "").strip()[:16]  # a site code; nothing longer is echoed into the PDF
    if site:
        found = scoping.visible_sites(user).filter(code=site).first()
        kw["site_id"] = found.pk if found else -1
        name = found.name if found else site
    return kw, name


@login_required
@replica_reads()
def statement_view(request):
    month = _month(request)
    kw, name = _scope(request)
    data = statement(user=request.user, month=month, **kw)
    return render(
        request,
        "finance/statement.html",
        {
            "s": data,
            "month": month,
            "scope_name": name,
            "provinces": scoping.visible_provinces(request.user),
            "is_clerk": scoping.role_of(request.user) == scoping.Role.CLERK,
            "kinds": EntryKind,
        },
    )


@login_required
@replica_reads()
def statement_export(request):
    month = _month(request)
    kw, name = _scope(request)
    data = statement(user=request.user, month=month, **kw)
    rows = (
        (
            e.site.code,
            e.site.name,
            e.province.name,
            e.get_heading_display(),
            e.get_kind_display(),
            code_label(e.code),
            e.amount,
            e.note,
            timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M"),
        )
        for e in data["entries"].iterator(chunk_size=2000)
    )
    return xlsx_response(
        filename=f"statement-{month:%Y%m}",
        headers=[
            _("Site code"),
            _("Site name"),
            _("Province"),
            _("Heading"),
            _("Kind"),
            _("Code"),
            _("Amount (CNY)"),
            _("Note"),
            _("Recorded at"),
        ],
        rows=rows,
    )


@login_required
@replica_reads()
def statement_pdf(request):
    month = _month(request)
    kw, name = _scope(request)
    data = statement(user=request.user, month=month, **kw)
    html = render_to_string(
        "penalties/pdf/monthly.html",
        {"scope": name, "month": month, "statement": data, "generated_at": timezone.localtime()},
    )
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="statement-{month:%Y%m}.pdf"'
    return response
