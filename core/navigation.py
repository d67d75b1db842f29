"""The navigation: which entries each role sees. One table, read by the base layout. An entry is a page
(url name, label, roles) or a menu ("menu:key", label, [pages]); a menu shows when one of its pages does.

The header fits a 1024 px screen (a site PC): each role keeps its daily entries in the bar (``BAR``) and finds the
rest in one 更多 menu, grouped under their headings (the message centre is the bell beside it)."""

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
        "menu:orders",
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
        "menu:service-levels",
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
        "menu:work-orders",
        _("Work orders"),
        [
            ("complaints:list", _("Cainiao work orders"), EVERYONE),
            ("complaints:new", _("Enter a work order"), (R.HQ,)),
            ("complaints:assessment", _("Work-order assessment"), (R.LCS, R.HQ, R.MANAGER)),
        ],
    ),
    (
        "menu:money",
        _("Money and reports"),
        [
            ("finance:statement", _("Statement (对账单)"), EVERYONE),
            ("penalties:rewards", _("Rewards"), (R.LCS, R.HQ, R.MANAGER)),
            ("penalties:reports", _("Reports"), (R.LCS, R.HQ, R.MANAGER)),
        ],
    ),
    (
        "menu:logistics",
        _("Logistics"),
        [
            ("logistics:track", _("Tracking"), EVERYONE),
            ("inventory:stock", _("Stock"), EVERYONE),
            ("inventory:ranges", _("E-waybill numbers"), EVERYONE),
            ("logistics:carriers", _("Partner carriers"), EVERYONE),
        ],
    ),
    (
        "menu:network",
        _("Network"),
        [
            ("dispatch:couriers", _("Couriers"), (R.CLERK,)),
            ("core:site_list", _("Sites"), EVERYONE),
            ("dispatch:silent_sites", _("Silent sites"), (R.LCS, R.HQ, R.MANAGER)),
            ("people:area_edit", _("Service area change"), (R.HQ,)),
            ("people:user_list", _("Accounts"), (R.LCS, R.HQ)),
        ],
    ),
    (
        "menu:messages",
        _("Messages"),
        [
            ("core:message_list", _("Message centre"), EVERYONE),
            ("core:message_compose", _("Send a message"), (R.LCS, R.HQ)),
        ],
    ),
    (
        "menu:admin",
        _("Administration"),
        [
            ("system", _("System status"), (R.HQ,)),
            ("core:alert_channels", _("Alert channels"), (R.HQ,)),
            ("admin:index", _("Master data"), (R.HQ,)),
        ],
    ),
]

# the entries each role sees in the bar (by url name, or by a menu's label); everything else goes into 更多
BAR = {
    R.CLERK: {
        "home",
        "dispatch:workbench",
        "dispatch:pickup",
        "dispatch:cancellations",
        "menu:orders",
        "menu:service-levels",
    },
    R.LCS: {"home", "menu:orders", "menu:service-levels", "menu:work-orders", "menu:money"},
    R.HQ: {"home", "dispatch:hq_dispatch", "menu:orders", "menu:service-levels", "menu:work-orders", "menu:network"},
    R.MANAGER: {"home", "menu:orders", "menu:service-levels", "menu:work-orders", "menu:money"},
}


def nav_for(role: str) -> list[tuple]:
    """(url name, label, None) for a page, (None, label, [(url name, label), …]) for a menu; the last menu is 更多,
    whose pages come in groups, each opened by a heading ``(None, heading)``."""
    bar = BAR.get(role, {"home"})
    out, more = [], []
    for name, label, roles in NAV_ITEMS:
        if isinstance(roles, list):  # a menu
            pages = [(n, lbl) for n, lbl, rs in roles if role in rs]
            if not pages:
                continue
            if name in bar:
                out.append((None, label, pages))
            else:
                more += [(None, label), *pages]
        elif role in roles:
            if name in bar:
                out.append((name, label, None))
            else:
                more += [(name, label)]
    if more:
        out.append((None, _("More"), more))
    return out


def nav_pages(role: str) -> list[str]:
    """Every page of the desk a role reaches from the header (url names), menus included; Django's admin (HQ's
    master data) has a layout of its own and is left out."""
    names = []
    for name, _label, pages in nav_for(role):
        names += [n for n, _l in pages if n] if pages else [name]
    return [n for n in names if not n.startswith("admin:")]
