"""The navigation: which entries each role sees. One table, read by the base layout."""
from django.utils.translation import gettext_lazy as _

from .models import User

R = User.Role
EVERYONE = tuple(R.values)

#: (url name, label, roles)
NAV_ITEMS = [
    ("home", _("Home"), EVERYONE),
    ("dispatch:workbench", _("Accept (网点接单)"), (R.CLERK,)),
    ("dispatch:pickup", _("Pickup (网点揽件)"), (R.CLERK,)),
    ("dispatch:cancellations", _("Cancellations (撤单处理)"), (R.CLERK,)),
    ("dispatch:hq_dispatch", _("Dispatch (分件)"), (R.HQ,)),
    ("orders:order_list", _("Order query"), EVERYONE),
    ("dispatch:unscanned", _("No pickup scan"), EVERYONE),
    ("dispatch:silent_sites", _("Silent sites"), (R.LCS, R.HQ, R.MANAGER)),
    ("penalties:deadlines", _("My deadlines"), (R.CLERK,)),
    ("penalties:violation_list", _("Violations"), EVERYONE),
    ("penalties:audit", _("Audit (稽核)"), (R.LCS, R.HQ)),
    ("penalties:dashboard", _("SLA dashboard"), (R.LCS, R.HQ, R.MANAGER)),
    ("penalties:rules", _("Rules"), (R.LCS, R.HQ, R.MANAGER)),
    ("penalties:closures", _("Closure days"), (R.HQ,)),
    ("dispatch:message_list", _("Messages"), EVERYONE),
    ("dispatch:site_list", _("Network"), EVERYONE),
    ("dispatch:message_compose", _("Send a message"), (R.LCS, R.HQ)),
]


def nav_for(role: str) -> list[tuple[str, str]]:
    return [(name, label) for name, label, roles in NAV_ITEMS if role in roles]
