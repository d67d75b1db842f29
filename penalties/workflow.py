"""The allowed moves of violations and appeals, as data (like ``orders.workflow``), and the one way to check them.

A decision never changes a violation that a closure voided or that no longer stands: an appeal on such a
violation is closed as moot with its reason (SPEC §4), and nothing but a standing violation is cancelled, so no
decision blocks the re-detection of a moved deadline."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exceptions import MoveRefused
from .models import AppealStatus, ViolationStatus

V, A = ViolationStatus, AppealStatus


#: action -> (label, {from status: to status})
VIOLATION_MOVES: dict[str, tuple[str, dict[str, str]]] = {
    "confirm": (gettext_lazy("confirm"), {V.PROPOSED: V.CONFIRMED}),
    "reject": (gettext_lazy("reject"), {V.PROPOSED: V.REJECTED}),
    "reclassify": (gettext_lazy("re-classify"), {V.CONFIRMED: V.RECLASSIFIED}),
    "void": (gettext_lazy("void"), {V.CONFIRMED: V.VOIDED, V.PROPOSED: V.VOIDED, V.RECLASSIFIED: V.VOIDED}),
    "cancel": (gettext_lazy("cancel on appeal"), {V.CONFIRMED: V.CANCELLED}),
}
OPEN_APPEALS = (A.LCS_REVIEW, A.LCS_UPHELD, A.HQ_REVIEW)
APPEAL_MOVES: dict[str, tuple[str, dict[str, str]]] = {
    "lcs_uphold": (gettext_lazy("uphold"), {A.LCS_REVIEW: A.LCS_UPHELD}),
    "lcs_cancel": (gettext_lazy("cancel"), {A.LCS_REVIEW: A.CANCELLED}),
    "escalate": (gettext_lazy("escalate"), {A.LCS_REVIEW: A.HQ_REVIEW}),
    "to_hq": (gettext_lazy("take to HQ"), {A.LCS_UPHELD: A.HQ_REVIEW}),
    "hq_uphold": (gettext_lazy("uphold"), {A.HQ_REVIEW: A.UPHELD}),
    "hq_cancel": (gettext_lazy("cancel"), {A.HQ_REVIEW: A.CANCELLED}),
    "moot": (gettext_lazy("close as moot"), dict.fromkeys(OPEN_APPEALS, A.MOOT)),
}


def violation_may(status: str, action: str) -> bool:
    return status in VIOLATION_MOVES[action][1]


def violation_move(violation, action: str) -> str:
    """The status ``action`` leads to; raises ``MoveRefused`` naming the status otherwise."""
    label, moves = VIOLATION_MOVES[action]
    if violation.status not in moves:
        raise MoveRefused(
            _("This violation is “%(status)s”: it cannot be %(action)s.")
            % {"status": violation.get_status_display(), "action": label}
        )
    return moves[violation.status]


def appeal_may(status: str, action: str) -> bool:
    return status in APPEAL_MOVES[action][1]
