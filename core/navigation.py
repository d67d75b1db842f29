"""The navigation: which entries each role sees. One table, read by the base layout. An entry is a page
(url name, label, roles) or a menu (None, label, [pages]); a menu shows when one of its pages does."""

from django.utils.translation import gettext_lazy as _

from .models import User

R = User.Role
EVERYONE = tuple(R.values)

NAV_ITEMS = [
    ("home", _("Home"), EVERYONE),
    # the clerk's work, one click away
    ("dispatch:workbench", _("Accept (网点接单)"), (R.CLERK,)),
    ("dispatch:pickup", _("Pickup (网点揽件)"), (R.CLERK,)),
    ("dispatch:cancellations", _("Cancellations (撤单处理)"), (R.CLERK,)),
    ("dispatch:hq_dispatch", _("Dispatch (分件)"), (R.HQ,)),
    (
        None,
        _("Orders"),
        [
            ("orders:order_list", _("Order query"), EVERYONE),
            ("dispatch:unscanned", _("No pickup scan"), EVERYONE),
            ("orders:order_new", _("Enter an order (追加订单)"), (R.HQ,)),
            ("orders:imports", _("Imports"), (R.HQ,)),
            ("orders:api_clients", _("API clients"), (R.HQ,)),
            ("orders:callbacks", _("Status callbacks"), (R.HQ,)),
        ],
    ),
    (
        None,
        _("Service levels"),
        [
            ("penalties:deadlines", _("My deadlines"), (R.CLERK,)),
            ("penalties:violation_list", _("Violations"), EVERYONE),
            ("penalties:audit", _("Audit (稽核)"), (R.LCS, R.HQ)),
            ("penalties:dashboard", _("SLA dashboard"), (R.LCS, R.HQ, R.MANAGER)),
            ("penalties:rules", _("Rules"), (R.LCS, R.HQ, R.MANAGER)),
            ("penalties:closures", _("Closure days"), (R.HQ,)),
            ("penalties:appeal_queue", _("Appeals"), (R.LCS, R.HQ)),
            ("penalties:notices", _("Weekly notices"), EVERYONE),
        ],
    ),
    (
        None,
        _("Work orders"),
        [
            ("complaints:list", _("Cainiao work orders"), EVERYONE),
            ("complaints:new", _("Enter a work order"), (R.HQ,)),
            ("complaints:assessment", _("Work-order assessment"), (R.LCS, R.HQ, R.MANAGER)),
        ],
    ),
    (
        None,
        _("Money and reports"),
        [
            ("finance:statement", _("Statement (对账单)"), EVERYONE),
            ("penalties:rewards", _("Rewards"), (R.LCS, R.HQ, R.MANAGER)),
            ("penalties:reports", _("Reports"), (R.LCS, R.HQ, R.MANAGER)),
        ],
    ),
    (
        None,
        _("Logistics"),
        [
            ("logistics:track", _("Tracking"), EVERYONE),
            ("inventory:stock", _("Stock"), EVERYONE),
            ("inventory:ranges", _("E-waybill numbers"), EVERYONE),
            ("logistics:carriers", _("Partner carriers"), EVERYONE),
        ],
    ),
    (
        None,
        _("Network"),
        [
            ("dispatch:couriers", _("Couriers"), (R.CLERK,)),
            ("core:site_list", _("Sites"), EVERYONE),
            ("dispatch:silent_sites", _("Silent sites"), (R.LCS, R.HQ, R.MANAGER)),
            ("people:area_edit", _("Service area change"), (R.HQ,)),
            ("people:user_list", _("Accounts"), (R.LCS, R.HQ)),
        ],
    ),
    ("core:message_list", _("Messages"), EVERYONE),
    ("core:message_compose", _("Send a message"), (R.LCS, R.HQ)),
]


def nav_for(role: str) -> list[tuple]:
    """(url name, label, None) for a page, (None, label, [(url name, label), …]) for a menu."""
    out = []
    for name, label, roles in NAV_ITEMS:
        if name is None:
            pages = [(n, lbl) for n, lbl, rs in roles if role in rs]
            if pages:
                out.append((None, label, pages))
        elif role in roles:
            out.append((name, label, None))
    return out
