"""The state machine of SPEC §3, as data (allowed transitions per action), and the one way to apply it.

Every service that changes an order: opens a transaction, ``lock``s the row (``SELECT … FOR NO KEY UPDATE``
of the order only, so events can still be inserted), calls ``check`` (which raises ``IllegalTransition``
with a message naming the state and the action), changes the fields and writes the event in the same
transaction. ``expect`` lets a caller say which state it showed the user: when the order moved meanwhile
(another clerk was faster), the request changes nothing and says so.
"""

from __future__ import annotations

from django.db import OperationalError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exceptions import IllegalTransition, OrderConflict
from .models import OnlineOrder, OrderState, PickupBinding

S = OrderState

#: action -> (label, {from state: to state})
TRANSITIONS: dict[str, tuple[str, dict[str, str]]] = {
    "accept": (gettext_lazy("accept"), {S.PENDING: S.ACCEPTED}),
    "transfer": (gettext_lazy("transfer"), {S.PENDING: S.PENDING, S.ACCEPTED: S.PENDING}),
    "accept_fail": (gettext_lazy("accept fail"), {S.PENDING: S.ACCEPT_FAILED}),
    "courier": (gettext_lazy("assign a courier"), {S.ACCEPTED: S.ACCEPTED}),
    "pickup_confirm": (gettext_lazy("confirm pickup"), {S.ACCEPTED: S.PICKED_UP}),
    "pickup_fail": (gettext_lazy("pickup fail"), {S.ACCEPTED: S.PICKUP_FAILED}),
    "reappoint": (gettext_lazy("re-appoint"), {S.ACCEPTED: S.ACCEPTED}),
    "remind_waybill": (gettext_lazy("remind the customer"), {S.ACCEPTED: S.ACCEPTED}),
    "cancel": (gettext_lazy("cancel"), {S.PENDING: S.CANCELLED, S.ACCEPTED: S.CANCELLED}),
    "dispatch": (gettext_lazy("dispatch"), {S.PENDING: S.PENDING}),
    "reopen": (gettext_lazy("reopen"), {S.ACCEPT_FAILED: S.PENDING, S.PICKUP_FAILED: S.PENDING}),
    "change": (gettext_lazy("change"), {S.PENDING: S.PENDING, S.ACCEPTED: S.ACCEPTED}),
    "correct": (gettext_lazy("correct"), {S.PENDING: S.PENDING, S.ACCEPTED: S.ACCEPTED}),
}


def allowed(state: str, action: str) -> bool:
    return state in TRANSITIONS[action][1]


def check(order: OnlineOrder, action: str, *, expect: str | None = None) -> str:
    """The state ``action`` leads to from the order's state; raises ``IllegalTransition`` otherwise."""
    label, moves = TRANSITIONS[action]
    if expect is not None and order.state != expect:
        raise IllegalTransition(
            _(
                "Order %(order)s is now “%(state)s” (someone acted on it first): it cannot %(action)s any more. "
                "The list has been refreshed."
            )
            % {"order": order.channel_order_id, "state": order.get_state_display(), "action": label}
        )
    if order.state not in moves:
        raise IllegalTransition(
            _("Order %(order)s is “%(state)s”: it cannot %(action)s.")
            % {"order": order.channel_order_id, "state": order.get_state_display(), "action": label}
        )
    return moves[order.state]


def lock(pk: int, *, nowait: bool = False) -> OnlineOrder:
    """Re-read the order inside the caller's transaction and lock it against concurrent changes."""
    try:
        return OnlineOrder.objects.select_for_update(of=("self",), no_key=True, nowait=nowait).get(pk=pk)
    except OperationalError as exc:  # nowait: the row is locked by another transaction
        raise OrderConflict() from exc


def lock_many(pks) -> list[OnlineOrder]:
    """Lock several orders in one statement, in id order (no deadlocks between two batches)."""
    return list(
        OnlineOrder.objects.select_for_update(of=("self",), no_key=True).filter(pk__in=list(pks)).order_by("pk")
    )


def save(order: OnlineOrder, fields: list[str] | None = None) -> OnlineOrder:
    """Store the changes of an order the caller locked and checked (its event goes through ``orders.events`` in
    the same transaction). ``fields``: only these columns (``updated_at`` always)."""
    if fields is None:
        order.save()
    else:
        order.save(update_fields=sorted({*fields, "updated_at"}))
    return order


def update_many(pks, *, only_state: str | None = None, **values) -> int:
    """One UPDATE of several locked orders (a batch action); ``only_state`` guards the rows still in that state."""
    qs = OnlineOrder.objects.filter(pk__in=list(pks))
    if only_state is not None:
        qs = qs.filter(state=only_state)
    return qs.update(**values)


def pickup_bindings_record(bindings) -> list:
    """Keep the pickup deadlines that still bind the sites which handed orders on before HQ's 分件 (one INSERT)."""
    return PickupBinding.objects.bulk_create(list(bindings))
