from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import scoping
from core.models import Province
from core.parsing import SaneDateField
from core.textpolicy import PolicyFormMixin

from .models import AUDIT_RULES, Rule
from .rule_versions import WORK_ORDER_TYPE_LABELS, work_order_types
from .selectors import DASHBOARD_MAX_DAYS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class RaiseForm(PolicyFormMixin, forms.Form):
    event = forms.IntegerField(label=_("The record judged"), widget=forms.HiddenInput)
    rule = forms.ChoiceField(label=_("Finding"), choices=[(r, Rule(r).label) for r in AUDIT_RULES])
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    files = MultipleFileField(label=_("Attachments"), required=False)


class EvidenceForm(PolicyFormMixin, forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000)
    files = MultipleFileField(label=_("Attachments"), required=False)


class RuleVersionForm(PolicyFormMixin, forms.Form):
    """A new version of one rule. It opens on the rule's version in force (``initial_from``), the threshold in the
    unit the rule table shows it in: hours for a whole number of hours (揽收 16 小时), else minutes (接单 30 分)."""

    code = forms.ChoiceField(label=_("Rule"), choices=Rule.choices)
    fine = forms.DecimalField(label=_("Fine (CNY)"), min_value=0, max_digits=10, decimal_places=2)
    threshold = forms.IntegerField(
        label=_("Threshold"), min_value=1, max_value=100_000, required=False, help_text=_("Time rules only")
    )
    threshold_unit = forms.ChoiceField(
        label=pgettext_lazy("time", "Unit"),
        choices=[("minutes", _("minutes")), ("hours", _("hours"))],
        initial="minutes",
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    effective_from = forms.DateTimeField(
        label=_("Effective from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    @staticmethod
    def initial_from(version, *, effective_from=None) -> dict:
        """The form's values from a version (the one in force), its threshold in its natural unit."""
        minutes = version.threshold_minutes
        hours = bool(minutes) and minutes >= 60 and minutes % 60 == 0
        return {
            "code": version.code,
            "fine": version.fine,
            "threshold": (minutes // 60 if hours else minutes) or None,
            "threshold_unit": "hours" if hours else "minutes",
            "description": version.description,
            "effective_from": effective_from,
        }

    def clean(self):
        data = super().clean()
        value = data.get("threshold")
        data["threshold_minutes"] = (
            None if value is None else value * (60 if data.get("threshold_unit") == "hours" else 1)
        )
        return data


class DashboardFilterForm(PolicyFormMixin, forms.Form):
    """The dashboard's period (at most a quarter, ending today at the latest) and, for national users, a province."""

    date_from = SaneDateField(label=_("First day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = SaneDateField(label=_("Last day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.none(), required=False, empty_label=_("The whole network")
    )

    def __init__(self, *args, user, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        if scoping.is_national(user):
            self.fields["province"].queryset = Province.objects.order_by("code")
        else:
            del self.fields["province"]

    def clean(self):
        data = super().clean()
        last = min(data.get("date_to") or self.today, self.today)
        first = data.get("date_from") or last - timedelta(days=13)
        if first > last:
            self.add_error("date_from", _("The first day comes before the last."))
            first = last - timedelta(days=13)
        if (last - first).days + 1 > DASHBOARD_MAX_DAYS:
            self.add_error("date_from", _("At most %(n)d days at once.") % {"n": DASHBOARD_MAX_DAYS})
            first = last - timedelta(days=DASHBOARD_MAX_DAYS - 1)
        data["first"], data["last"] = first, last
        return data


class WorkOrderLimitForm(PolicyFormMixin, forms.Form):
    wo_type = forms.ChoiceField(label=_("Work-order type"))
    hours = forms.IntegerField(label=_("Time limit (hours)"), min_value=1, max_value=720)
    effective_from = forms.DateTimeField(
        label=_("Effective from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wo_type"].choices = [(t, WORK_ORDER_TYPE_LABELS.get(t, t)) for t in work_order_types()]


class ClosureForm(PolicyFormMixin, forms.Form):
    """A closure period (one day: the same first and last day), for the whole network or one province."""

    first = SaneDateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    last = SaneDateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.all(), required=False, empty_label=_("The whole network")
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)
