"""Thin views of the ground floor: the message centre and the network pages."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from . import alerts, scoping, selectors, services
from .filters import AlertMessageFilter, MessageFilter, SiteFilter
from .forms import AlertChannelForm, MessageComposeForm
from .models import AlertChannel, User
from .parsing import parse_id
from .replica import replica_reads
from .sheets import table_export
from .tables import AlertChannelTable, AlertMessageTable, MessageTable, SiteTable
from .view_calls import service_call

PER_PAGE = 50


@login_required
def message_list(request):
    qs = selectors.messages_for(user=request.user)
    flt = MessageFilter(request.GET, queryset=qs, user=request.user)
    table = MessageTable(flt.qs, viewer=request.user)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(request, "core/message_list.html", {"filter": flt, "table": table})


@login_required
def message_detail(request, pk: int):
    message = get_object_or_404(selectors.messages_for(user=request.user), pk=pk)
    services.message_mark_read(message=message, user=request.user)
    return render(request, "core/message_detail.html", {"message": message})


@login_required
def message_attachment(request, pk: int):
    message = get_object_or_404(selectors.messages_for(user=request.user), pk=pk)
    if not message.attachment:
        raise Http404
    name = message.attachment.name.rsplit("/", 1)[-1]
    return FileResponse(message.attachment.open("rb"), as_attachment=True, filename=name)


@login_required
@require_POST
def message_read_all(request):
    count = services.message_mark_all_read(user=request.user)
    flash.success(request, _("%(count)d messages marked read.") % {"count": count})
    return redirect("core:message_list")


@login_required
def message_badge(request):
    """The header bell, refreshed by HTMX polling (every page, every minute): rendered without the pages'
    context processors, which would count the messages a second time, count the pending orders and take the
    page's kept form input (two statements a poll)."""
    count = selectors.message_unread_count(user=request.user)
    return HttpResponse(render_to_string("core/_message_badge.html", {"desk_unread": count}))


@scoping.role_required(scoping.Role.LCS, scoping.Role.HQ)
def message_compose(request):
    form = MessageComposeForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if service_call(
            request,
            lambda: services.message_send(
                audience=data["audience"],
                user=data.get("user"),
                site=data.get("site"),
                province=data.get("province"),
                category=data["category"],
                title=data["title"],
                body=data["body"],
                link=data["link"],
                attachment=data.get("attachment"),
                sender=request.user,
                email=data["email"],
            ),
            _("Message sent."),
            form=form,
        ):
            return redirect("core:message_list")
    return render(request, "core/message_compose.html", {"form": form})


def _filtered_sites(request):
    return SiteFilter(request.GET, queryset=selectors.sites_for(user=request.user), user=request.user)


@login_required
def site_list(request):
    flt = _filtered_sites(request)
    table = SiteTable(flt.qs, viewer=request.user)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(request, "core/site_list.html", {"filter": flt, "table": table})


@login_required
@replica_reads()
def site_export(request):
    """The page's table (``table_export``): its columns, order and sort."""
    table = SiteTable(_filtered_sites(request).qs, viewer=request.user)
    RequestConfig(request, paginate=False).configure(table)
    return table_export(table, filename="sites")


@login_required
def site_detail(request, code: str):
    site = get_object_or_404(selectors.sites_for(user=request.user), code=code)
    context = {
        "site": site,
        "counts": selectors.site_detail_counts(site=site),
        "couriers": site.couriers.order_by("-active", "name"),
        "service_areas": site.service_areas.select_related("district__city").order_by("-priority", "district__adcode"),
        "contract_areas": site.contract_areas.order_by("code"),
    }
    return render(request, "core/site_detail.html", context)


def _alerts_back(request):
    """Back to the alerts page as it was filtered and paged (a row's retry, test or delete posts to the page's own
    address), but not to editing a channel (it may be gone; a save ends the edit)."""
    kept = request.GET.copy()
    kept.pop("edit", None)
    return redirect(request.path + (f"?{kept.urlencode()}" if kept else ""))


@scoping.role_required(User.Role.HQ)
def alert_channels(request):
    """HQ's alert channels (企业微信 and 钉钉 robots, e-mail, SMS) for each province's team and for HQ, with a test
    message per channel and the latest alerts with their delivery."""
    editing = None
    if request.GET.get("edit"):
        editing = get_object_or_404(AlertChannel, pk=parse_id(request.GET["edit"]))
        editing.shown_target = alerts.masked_target(editing)
    action = request.POST.get("action", "")
    if request.method == "POST" and action in ("test", "delete", "retry"):
        if action == "retry":
            n = alerts.alerts_retry([parse_id(request.POST.get("message"))])
            flash.success(request, _("%(n)d alerts queued again.") % {"n": n})
            return _alerts_back(request)
        channel = get_object_or_404(AlertChannel, pk=parse_id(request.POST.get("channel")))
        if action == "test":
            alerts.channel_test(channel=channel)
            flash.success(request, _("A test message is on its way to %(name)s.") % {"name": channel.name})
        else:
            alerts.channel_delete(channel=channel)
            flash.success(request, _("Channel %(name)s deleted.") % {"name": channel.name})
        return _alerts_back(request)
    initial = {}
    if editing:
        initial = {"province": editing.province, "kind": editing.kind, "name": editing.name, "active": editing.active}
    form = AlertChannelForm(request.POST or None, initial=initial or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            if service_call(
                request,
                lambda: alerts.channel_save(channel=editing, **data),
                _("Channel %(name)s saved.") % {"name": data["name"]},
                form=form,
            ):
                return _alerts_back(request)
        else:
            flash.error(request, _("The channel was not saved: see the fields marked below."))
    channels = AlertChannelTable(selectors.alert_channels_all(), viewer=request.user)
    sent = AlertMessageFilter(request.GET, queryset=selectors.alert_messages_recent(), user=request.user)
    table = AlertMessageTable(sent.qs, viewer=request.user, prefix="alerts-")
    RequestConfig(request, paginate={"per_page": PER_PAGE, "paginator_class": LazyPaginator}).configure(table)
    return render(
        request,
        "core/alert_channels.html",
        {"channels": channels, "form": form, "editing": editing, "filter": sent, "table": table},
    )
