from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Province
from core.parsing import SaneDateField
from core.textpolicy import PolicyFormMixin

from .models import AUDIT_RULES, Rule
from .rule_versions import WORK_ORDER_TYPE_LABELS, work_order_types


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
    code = forms.ChoiceField(label=_("Rule"), choices=Rule.choices)
    fine = forms.DecimalField(label=_("Fine (CNY)"), min_value=0, max_digits=10, decimal_places=2)
    threshold_minutes = forms.IntegerField(
        label=_("Threshold (minutes)"),
        min_value=1,
        required=False,
        help_text=_("Time rules only: 30 for accept, 960 for pickup"),
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    effective_from = forms.DateTimeField(
        label=_("Effective from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


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
    day = SaneDateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.all(), required=False, empty_label=_("The whole network")
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)


class AuditPickForm(PolicyFormMixin, forms.Form):
    date_from = SaneDateField(label=_("Ordered from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = SaneDateField(label=_("Ordered to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(
        label=_("Orders"),
        required=False,
        choices=[
            ("failed", _("Failed (accept or pickup)")),
            ("picked_up", _("Picked up")),
            ("reappointed", _("Re-appointed")),
            ("transferred", _("Transferred")),
            ("waybill_suspect", _("Waybill contradicted by the scans")),
            ("waybill_corrected", _("Waybill number corrected by the site")),
            ("all", _("All")),
        ],
    )
    site = forms.CharField(label=_("Site code"), required=False, max_length=16)
    sample = forms.IntegerField(label=_("Random sample of"), required=False, min_value=1, max_value=500)
