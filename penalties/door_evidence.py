"""The door's evidence a site may cite in its appeal: what the courier's phone witnessed with each of its acts on
the violation's order — the phone's time beside the server's receipt, the coarse place with its accuracy, the
call to the sender, each door photo (stored with the act's order event by ``courier.services``). Each item has a
key ``"<order event>:<kind>"`` (a photo: ``"<order event>:photo:<photo>"``); an appeal keeps the keys it cites
(``Appeal.cited_evidence``), and the pages show them from the events, so an item shows what was recorded then."""

from __future__ import annotations

from django.utils.translation import gettext as _

from orders.models import OrderEvent

from .exceptions import PenaltyError

KINDS = ("time", "place", "call", "photo")


def _items(event: OrderEvent) -> list[dict]:
    data, items = event.data or {}, []
    if data.get("phone_at"):
        items.append(
            {
                "key": f"{event.pk}:time",
                "kind": "time",
                "phone_at": data["phone_at"],
                "received_at": data.get("received_at"),
                "basis": data.get("time_basis", ""),
            }
        )
    if data.get("geo"):
        items.append({"key": f"{event.pk}:place", "kind": "place", **data["geo"]})
    if data.get("called_at"):
        items.append({"key": f"{event.pk}:call", "kind": "call", "called_at": data["called_at"]})
    for pk in data.get("photos") or ():
        items.append({"key": f"{event.pk}:photo:{pk}", "kind": "photo", "photo": pk})
    return items


def door_evidence(*, order_id: int | None, only: list[str] | None = None, leave_out=()) -> list[dict]:
    """The courier's acts on the order that carry door evidence, in time order: ``[{"event", "items"}]``; with
    ``only``, just those items (an act whose event is gone, e.g. erased, is left out); without those in
    ``leave_out`` (what an appeal cites already)."""
    if not order_id:
        return []
    keep = set(only) if only is not None else None
    skip = set(leave_out)
    acts = []
    events = (
        OrderEvent.objects.filter(order_id=order_id, data__has_key="received_at")
        .select_related("actor")
        .order_by("at", "id")
    )
    for event in events:
        items = [i for i in _items(event) if (keep is None or i["key"] in keep) and i["key"] not in skip]
        if items:
            acts.append({"event": event, "items": items})
    return acts


def cited_keys(*, order_id: int | None, keys) -> list[str]:
    """The keys a site ticked, checked against the order's door evidence (in the order given, each once)."""
    wanted = [k.strip() for k in keys or () if k and k.strip()]
    if not wanted:
        return []
    known = {i["key"] for act in door_evidence(order_id=order_id) for i in act["items"]}
    unknown = [k for k in wanted if k not in known]
    if unknown:
        raise PenaltyError(_("The evidence you cite is not recorded on this order: reload the page."), field="cited")
    return list(dict.fromkeys(wanted))
