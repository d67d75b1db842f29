"""对账单: a month's statement of the user's scope (site, province or nation), on screen, in Excel and as PDF."""

from datetime import date
from itertools import islice

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core import scoping
from core.humanize import code_label
from core.models import Province
from core.parsing import parse_id, parse_month
from core.replica import replica_reads
from core.sheets import XLSX_TYPE, xlsx_bytes

from .documents import statement_pdf_bytes
from .files import statement_file, statement_state
from .models import EntryKind
from .selectors import statement
from .sources import source_lines


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


LINES_ON_SCREEN = 500


def _one_site(request, kw) -> bool:
    """The statement is of one site (a clerk's own, or a site asked for): its lines need no site column."""
    if "site_id" in kw:
        return True
    return scoping.role_of(request.user) == scoping.Role.CLERK and len(scoping.clerk_site_ids(request.user)) == 1


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
            "lines": source_lines(data["entries"][:LINES_ON_SCREEN]),
            "more_lines": data["entries"][LINES_ON_SCREEN : LINES_ON_SCREEN + 1].exists(),
            "one_site": _one_site(request, kw),
            "month": month,
            "as_of": timezone.localtime(),
            "scope_name": name,
            "provinces": scoping.visible_provinces(request.user),
            "is_clerk": scoping.role_of(request.user) == scoping.Role.CLERK,
            "kinds": EntryKind,
        },
    )


def _line_values(one_site: bool) -> list[tuple[str, object]]:
    """The statement's line columns, as the page shows them (the export writes the same, typed)."""
    columns = [] if one_site else [(_("Site"), lambda e, src: f"{e.site.code} {e.site.name}")]
    return columns + [
        (_("Recorded at"), lambda e, src: e.created_at),
        (_("Heading"), lambda e, src: e.get_heading_display()),
        (_("Kind"), lambda e, src: e.get_kind_display()),
        (_("Order"), lambda e, src: src.order_no),
        (_("What for"), lambda e, src: src.text or code_label(e.code)),
        (_("Amount (CNY)"), lambda e, src: e.amount),
        (_("Corrects"), lambda e, src: f"{e.month:%Y-%m}" if e.month < e.posted_month else ""),
    ]


def _file_scope(request, kind: str, month: date, kw: dict, name: str) -> tuple:
    """What names a statement file: its kind, the user's unit (what their statements cover), the narrowing asked
    for and its name, the month and whether it is one site's (its columns)."""
    user = request.user
    role = scoping.role_of(user)
    return (
        kind,
        role,
        user.site_id,
        user.province_id,
        tuple(sorted(kw.items())),
        str(name),
        month.isoformat(),
        _one_site(request, kw),
    )


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@replica_reads()
def statement_export(request):
    """The statement's lines as a spreadsheet, made once per statement and state (``files``)."""
    month = _month(request)
    kw, name = _scope(request)
    data = statement(user=request.user, month=month, **kw)
    columns = _line_values(_one_site(request, kw))

    def rows():
        entries = data["entries"].iterator(chunk_size=2000)
        while chunk := list(islice(entries, 2000)):
            for e, src in source_lines(chunk):
                yield [value(e, src) for _label, value in columns]

    content = statement_file(
        scope=_file_scope(request, "xlsx", month, kw, name),
        state=statement_state(data),
        closed=bool(data["closed"]),
        make=lambda: xlsx_bytes(headers=[label for label, _v in columns], rows=rows(), sheet=f"statement-{month:%Y%m}"),
    )
    return _download(
        content, content_type=XLSX_TYPE, filename=f"statement-{month:%Y%m}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    )


@login_required
@replica_reads()
def statement_pdf(request):
    """The statement as a PDF, made once per statement and state (``files``)."""
    month = _month(request)
    kw, name = _scope(request)
    data = statement(user=request.user, month=month, **kw)
    one_site = _one_site(request, kw)
    site_statement = one_site or scoping.role_of(request.user) == scoping.Role.CLERK

    def make() -> bytes:
        # a site's statement lists its lines (a province's or the nation's: its sites' totals)
        return statement_pdf_bytes(data=data, scope=name, month=month, with_lines=site_statement, one_site=one_site)

    content = statement_file(
        scope=_file_scope(request, "pdf", month, kw, name) + (site_statement,),
        state=statement_state(data),
        closed=bool(data["closed"]),
        make=make,
    )
    return _download(content, content_type="application/pdf", filename=f"statement-{month:%Y%m}.pdf")
