"""电商订单查询, the order's detail page with its timeline, HQ's hand entry (追加订单) and a site's correction."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from core import scoping
from core.imports import importer_for
from core.models import Site
from core.parsing import parse_id
from core.replica import replica_reads
from core.sheets import table_export, xlsx_response
from core.textpolicy import form_errors_text
from core.twofactor import second_factor_required
from core.uploads import too_large
from core.view_calls import service_call

from . import imports as importing
from . import selectors, services
from .filters import ApiClientFilter, CallbackFilter, ImportJobFilter, OrderFilter
from .forms import OrderCorrectForm, OrderEntryForm
from .imports import job_retry, job_start, progress_context
from .models import ApiClient, Channel, FailReason, ImportJob, OrderState, OutboxMessage
from .outbox import outbox_retry
from .search import order_search
from .tables import ApiClientTable, CallbackTable, ImportJobTable, OrderTable, SearchTable

PER_PAGE = 50
EXPORT_LIMIT = 50_000
CALLBACKS_PER_PAGE = 100


def _filtered(request):
    return OrderFilter(request.GET, queryset=selectors.orders_for(user=request.user), user=request.user)


def _table(request, flt=None) -> OrderTable:
    flt = flt or _filtered(request)
    return OrderTable(flt.qs, viewer=request.user)


@login_required
def order_list(request):
    flt = _filtered(request)
    table = _table(request, flt)
    RequestConfig(request, paginate={"per_page": PER_PAGE, "paginator_class": LazyPaginator}).configure(table)
    return render(request, "orders/order_list.html", {"filter": flt, "table": table})


@login_required
@replica_reads()
def order_export(request):
    """The page's table (``table_export``): its columns, order and sort, at most 50,000 rows (the last row says
    when it stopped)."""
    table = _table(request)
    RequestConfig(request, paginate=False).configure(table)
    return table_export(table, filename="orders", limit=EXPORT_LIMIT)


@login_required
def order_detail(request, pk: int):
    order = get_object_or_404(selectors.orders_for(user=request.user), pk=pk)
    role = scoping.role_of(request.user)
    may_operate = scoping.may_operate_site(request.user, order.site_id) and role == scoping.Role.CLERK
    correct_form = None
    if (may_operate or role == scoping.Role.HQ) and order.state in (OrderState.PENDING, OrderState.ACCEPTED):
        correct_form = OrderCorrectForm(
            initial={f: getattr(order, f) for f in OrderCorrectForm.base_fields if hasattr(order, f)}
        )
    context = {
        "order": order,
        "events": selectors.order_timeline(order=order),
        "may_operate": may_operate,
        "is_hq": role == scoping.Role.HQ,
        "couriers": order.site.couriers.filter(active=True).order_by("name") if may_operate else [],
        "fail_reasons": FailReason.choices,
        "correct_form": correct_form,
        "now": timezone.now(),
    }
    return render(request, "orders/order_detail.html", context)


@scoping.role_required(scoping.Role.CLERK, scoping.Role.HQ)
@require_POST
def order_correct(request, pk: int):
    order = get_object_or_404(selectors.orders_for(user=request.user), pk=pk)
    if not scoping.may_operate_site(request.user, order.site_id):
        flash.error(request, _("Only the site holding the order may correct it."))
        return redirect("orders:order_detail", pk=pk)
    form = OrderCorrectForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        note = data.pop("note")
        service_call(
            request,
            lambda: services.order_change(
                order_id=order.pk, changes=data, actor=request.user, corrected=True, note=note
            ),
            _("The correction was saved and recorded."),
        )
    else:
        flash.error(request, _("The correction was not saved: %(errors)s") % {"errors": form_errors_text(form)})
    return redirect("orders:order_detail", pk=pk)


@scoping.role_required(scoping.Role.HQ)
def order_new(request):
    """追加订单."""
    form = OrderEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "channel"}
        if not data.get("channel_order_id"):
            prefix = form.cleaned_data["channel"].order_id_prefix or "HQ"  # the channel's own prefix rule
            data["channel_order_id"] = prefix + timezone.localtime().strftime("%Y%m%d%H%M%S%f")[:18]
        entered = service_call(
            request,
            lambda: services.order_create(
                channel=form.cleaned_data["channel"],
                data=data,
                actor=request.user,
                actor_label=request.user.get_full_name() or request.user.username,
            ),
            form=form,
        )
        if entered:
            order = entered.result.order
            intake = entered.result
            if not intake.created:
                flash.info(request, _("This order had already been entered; here it is."))
            elif order.site.is_data_center:
                flash.warning(
                    request,
                    _("Order %(id)s entered; it waits in the data center: %(reason)s")
                    % {"id": order.channel_order_id, "reason": order.route_reason},
                )
            else:
                flash.success(
                    request,
                    _("Order %(id)s entered and routed to %(site)s.")
                    % {"id": order.channel_order_id, "site": order.site.name},
                )
            return redirect("orders:order_detail", pk=order.pk)
    return render(
        request,
        "orders/order_new.html",
        {"form": form, "data_center": Site.objects.filter(is_data_center=True).first()},
    )


# ---------------------------------------------------------------- API clients and callbacks (HQ)


@scoping.role_required(scoping.Role.HQ)
@second_factor_required
def api_clients(request):
    shown = None
    if request.method == "POST":
        action = request.POST.get("action")
        client_id = parse_id(request.POST.get("client")) or 0
        url = request.POST.get("callback_url") or ""
        if action == "create":
            channel = Channel.objects.filter(pk=parse_id(request.POST.get("channel")) or 0).first()
            created = service_call(
                request,
                lambda: services.api_client_create(
                    name=request.POST.get("name", ""),
                    kind=request.POST.get("kind") or ApiClient.Kind.CHANNEL,
                    channel=channel,
                    adapter=request.POST.get("adapter") or "generic",
                    callback_url=url,
                    actor=request.user,
                ),
            )
            shown = created.result
        elif action == "rotate":
            shown = service_call(
                request, lambda: services.api_client_rotate(client_id=client_id, actor=request.user)
            ).result
        elif action == "update":
            updated = service_call(
                request,
                lambda: services.api_client_update(
                    client_id=client_id, callback_url=url, active=request.POST.get("active") == "on", actor=request.user
                ),
                _("Saved."),
            )
            if updated:
                return redirect(request.get_full_path())  # the list as it was filtered and paged

    flt = ApiClientFilter(request.GET, queryset=selectors.api_clients_for(user=request.user), user=request.user)
    table = ApiClientTable(flt.qs, viewer=request.user)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    failed = OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).count()
    return render(
        request,
        "orders/api_clients.html",
        {
            "filter": flt,
            "table": table,
            "shown": shown,
            "channels": Channel.objects.all(),
            "kinds": ApiClient.Kind.choices,
            "adapters": ApiClient.Adapter.choices,
            "failed": failed,
        },
    )


@scoping.role_required(scoping.Role.HQ)
def callbacks(request):
    if request.method == "POST":
        ids = [pk for pk in (parse_id(x) for x in request.POST.getlist("ids")) if pk is not None]
        n = outbox_retry(message_ids=ids, actor=request.user)
        flash.success(request, _("%(n)d callbacks will be sent again.") % {"n": n})
        return redirect(request.get_full_path())
    flt = CallbackFilter(request.GET, queryset=selectors.callbacks_for(user=request.user), user=request.user)
    table = CallbackTable(flt.qs, viewer=request.user)
    RequestConfig(request, paginate={"per_page": CALLBACKS_PER_PAGE, "paginator_class": LazyPaginator}).configure(table)
    return render(
        request,
        "orders/callbacks.html",
        {"filter": flt, "table": table, "status": flt.switch, "statuses": OutboxMessage.Status.choices},
    )


# ---------------------------------------------------------------- file imports (HQ)


@scoping.role_required(scoping.Role.HQ)
def imports(request):
    if request.method == "POST":
        upload = request.FILES.get("file")
        kind = request.POST.get("kind")
        if too_large(request):
            flash.error(request, _("The file is larger than 20 MB: split it."))
            return redirect("orders:imports")
        if upload is None or kind not in importing.HQ_KINDS:
            flash.error(request, _("Choose what to import and the file."))
            return redirect("orders:imports")
        channel = Channel.objects.filter(pk=parse_id(request.POST.get("channel")) or 0).first()
        job = importing.job_create(kind=kind, upload=upload, actor=request.user, channel=channel)
        return redirect("orders:import_detail", pk=job.pk)
    flt = ImportJobFilter(request.GET, queryset=selectors.import_jobs_for(user=request.user), user=request.user)
    table = ImportJobTable(flt.qs, viewer=request.user)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(
        request,
        "orders/imports.html",
        {
            "filter": flt,
            "table": table,
            "kinds": [(v, label) for v, label in ImportJob.Kind.choices if v in importing.HQ_KINDS],
            "channels": Channel.objects.filter(active=True),
            "columns": {kind: importer_for(kind).columns for kind in importing.HQ_KINDS},
        },
    )


@scoping.role_required(scoping.Role.HQ)
def import_template(request, kind: str):
    """The file to fill in for an import: the header of the kind and one example row (xlsx, via the kit)."""
    if kind not in importing.HQ_KINDS:
        raise Http404
    header, rows = importer_for(kind).template()
    return xlsx_response(filename=f"import-template-{kind}", headers=header, rows=rows, sheet=kind, stamp=False)


def _import_job(request, pk):
    return get_object_or_404(ImportJob, pk=pk, kind__in=importing.HQ_KINDS)  # accounts: /people/import/<pk>/


def import_job_action(request, job: ImportJob) -> None:
    """A job page's button (every kind's page): retry a failed job, or start a checked one; the outcome flashed."""
    if request.POST.get("action") == "retry":
        if job_retry(job_id=job.pk):
            flash.success(request, _("The import has started again; this page shows its progress."))
        elif ImportJob.objects.filter(
            pk=job.pk, status__in=(ImportJob.Status.QUEUED, ImportJob.Status.CHECKING)
        ).exists():
            flash.warning(request, _("The import is queued: it starts as soon as the task queue is back."))
        else:
            flash.error(request, _("Only a failed import can be retried."))
    elif job.status == ImportJob.Status.READY:
        if job_start(job_id=job.pk):  # a short timeout: a stopped or frozen broker never holds the page
            flash.success(request, _("The import has started; this page shows its progress."))
        else:
            flash.error(request, _("The task queue is unavailable: the import did not start. Try again in a minute."))


@scoping.role_required(scoping.Role.HQ)
def import_detail(request, pk: int):
    job = _import_job(request, pk)
    if request.method == "POST":
        import_job_action(request, job)
        return redirect("orders:import_detail", pk=job.pk)
    template = "orders/_import_progress.html" if request.htmx else "orders/import_detail.html"
    return render(request, template, progress_context(job, reverse("orders:import_detail", args=[job.pk])))


@login_required
def order_search_page(request):
    """The header search (``search.order_search``): one hit opens the order, several are listed."""
    q = (request.GET.get("q") or "").strip()
    found = order_search(user=request.user, q=q)
    if len(found) == 1 and request.GET.get("list") != "1":
        return redirect("orders:order_detail", pk=found[0].pk)
    # at most ``search.LIMIT`` rows in the search's own order: one page, nothing to sort
    table = SearchTable(found, viewer=request.user)
    return render(request, "orders/search.html", {"q": q, "table": table})
