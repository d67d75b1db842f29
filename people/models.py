"""People in the app: what HQ and the provinces do to accounts (an append-only record), the temporary password
that a first sign-in must replace, and the history of the network's master data (django-simple-history's
tables for the ground-floor models live here, so the ground floor itself carries no history code)."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history import register

from core.models import ClosureDay, Courier, Province, ServiceArea, Site, User


class AccountEvent(models.Model):
    """One change to an account: who did it, when, what changed (``data["changes"]``: field → [old, new])."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Account created")
        UPDATED = "updated", _("Account edited")
        DEACTIVATED = "deactivated", _("Account deactivated")
        REACTIVATED = "reactivated", _("Account reactivated")
        PASSWORD_RESET = "password_reset", _("Password reset by an administrator")
        MOVED = "moved", _("Moved to another site")
        PASSWORD_CHANGED = "password_changed", _("Temporary password replaced")
        SECOND_FACTOR_ENROLLED = "2fa_enrolled", _("Second factor enrolled")
        SECOND_FACTOR_RESET = "2fa_reset", _("Second factor reset by HQ")
        RECOVERY_CODES_RENEWED = "2fa_codes", _("New recovery codes")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="account_events", verbose_name=_("user")
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("time"))
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        indexes = [models.Index(fields=["user", "-at"], name="accountevent_user_at")]
        triggers = [pgtrigger.Protect(name="accountevent_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]


class TemporaryPassword(models.Model):
    """A password an administrator set (a new account, a reset, a bulk import). While the user's password hash
    is still this one, every page sends the user to change it; any change of password (the form, an e-mailed
    reset link) ends that by itself, because the hash no longer matches."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="temporary_password"
    )
    password_hash = models.CharField(max_length=128)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    set_at = models.DateTimeField()


# History of the master data: a row per save, with the user of the request (HistoryRequestMiddleware).
for _model in (Province, Site, ServiceArea, Courier, ClosureDay):
    register(_model, app="people")
register(User, app="people", excluded_fields=["password", "last_login"])
