"""What the desk's pages share: reading ids and fields from a post, the order a person may see, reporting a
batch's outcome, and calling one operation with the typed input kept on refusal."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from core import scoping
from core.models import Site
from core.parsing import parse_id
from core.redirects import safe_redirect
from core.view_calls import service_call
from orders import selectors as order_selectors
from orders.models import OnlineOrder

R = scoping.Role
ROWS_PER_PAGE = 100  # rows a page of a desk list (the most urgent first; the rest on the next pages)


def _back(request, default: str) -> HttpResponseRedirect:
    return safe_redirect(request, request.POST.get("next"), default)


def _ids(request) -> list[int]:
    return [pk for pk in (parse_id(raw) for raw in request.POST.getlist("ids")) if pk is not None]


def _field(request, name: str, pk: int) -> str:
    """A row's own field in a list form (``name_<pk>``) or the plain field of a one-order form."""
    return (request.POST.get(f"{name}_{pk}") or request.POST.get(name) or "").strip()


def _order(request, pk: int) -> OnlineOrder:
    return get_object_or_404(order_selectors.orders_for(user=request.user), pk=pk)


def _site_from_input(raw: str) -> Site | None:
    """The site a person picked in the search box: "code", "code name" or the data center."""
    raw = (raw or "").strip()
    if not raw:
        return None
    code = raw.split()[0]
    return Site.objects.filter(code=code).first()


def _report(request, result, verb: str) -> None:
    if result.done:
        flash.success(request, _("%(n)d orders %(verb)s.") % {"n": len(result.done), "verb": verb})
    for _pk, message in result.refused[:10]:
        flash.error(request, message)
    if len(result.refused) > 10:
        flash.error(request, _("…and %(n)d more were not changed.") % {"n": len(result.refused) - 10})
    if not result.done and not result.refused:
        flash.warning(request, _("Select at least one order first."))


def _named(request, result):
    """The batch's refusals, each prefixed with the order's 物流号 so the clerk knows which row to mend."""
    refused_ids = [pk for pk, _msg in result.refused]
    names = dict(
        order_selectors.orders_for(user=request.user).filter(pk__in=refused_ids).values_list("pk", "channel_order_id")
    )
    result.refused = [
        (pk, _("Order %(id)s: %(reason)s") % {"id": names.get(pk, pk), "reason": message})
        for pk, message in result.refused
    ]
    return result


def _run(request, call, success: str, *, keep: tuple[str, str, str] | None = None) -> None:
    """Call one operation and say how it went; a refusal keeps what was typed in the dialog ``keep`` =
    (dialog id, form action, order number), which the next page reopens."""
    modal, action, order = keep or ("", "", "")
    service_call(
        request, call, success, keep={"form": modal, "modal": modal, "action": action, "order": order} if keep else None
    )
