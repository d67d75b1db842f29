from django import forms
from django.utils.translation import gettext_lazy as _

from core.textpolicy import PolicyFormMixin

from .models import BusinessType, Channel, OnlineOrder

DT = {"type": "datetime-local"}


def address_without_region(address: str, *region: str) -> str:
    """The street part of an address typed in full: a province, city and district the form has in their own fields
    are not kept a second time at its start (浙江省 + 浙江省杭州市西湖区文三路90号 → 文三路90号 with 杭州市, 西湖区)."""
    text = (address or "").strip()
    for part in region:
        part = (part or "").strip()
        if part and text.startswith(part):
            text = text[len(part) :].lstrip()
    return text or (address or "").strip()


class RegionFieldsMixin:
    """Forms with separate province/city/district fields: the address keeps only what they do not say."""

    region_sides = ("sender",)

    def clean(self):
        data = super().clean()
        for side in self.region_sides:
            key = f"{side}_address"
            if data.get(key):
                data[key] = address_without_region(
                    data[key], data.get(f"{side}_province"), data.get(f"{side}_city"), data.get(f"{side}_district")
                )
        return data


class OrderEntryForm(RegionFieldsMixin, PolicyFormMixin, forms.ModelForm):
    """追加订单: HQ enters an order by hand (e.g. from a phone call); it then flows like any other."""

    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.filter(active=True), required=True, empty_label=_("Choose…")
    )
    channel_order_id = forms.CharField(
        label=_("Logistics no. (物流号)"),
        max_length=64,
        required=False,
        help_text=_("Leave empty for a phone order: a number is generated."),
    )
    window_start = forms.DateTimeField(
        label=_("Pickup window from"), required=False, widget=forms.DateTimeInput(attrs=DT)
    )
    window_end = forms.DateTimeField(label=_("Pickup window to"), required=False, widget=forms.DateTimeInput(attrs=DT))

    region_sides = ("sender", "receiver")

    class Meta:
        model = OnlineOrder
        fields = [
            "channel",
            "channel_order_id",
            "business_type",
            "is_online",
            "waybill_no",
            "sender_name",
            "sender_phone",
            "sender_province",
            "sender_city",
            "sender_district",
            "sender_address",
            "receiver_name",
            "receiver_phone",
            "receiver_province",
            "receiver_city",
            "receiver_district",
            "receiver_address",
            "goods",
            "weight_kg",
            "window_start",
            "window_end",
            "remark",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["business_type"].initial = BusinessType.SEND
        self.fields["channel"].initial = Channel.objects.filter(slug="hq").first()
        self.fields["waybill_no"].required = False

    def _post_clean(self):  # the service validates the whole order; the model form checks only the fields
        pass


class OrderCorrectForm(RegionFieldsMixin, PolicyFormMixin, forms.Form):
    """Details the consumer confirmed by phone (a site's correction, recorded with a note)."""

    sender_name = forms.CharField(label=_("Sender"), max_length=64)
    sender_phone = forms.CharField(label=_("Sender phone"), max_length=32)
    sender_province = forms.CharField(label=_("Sender province"), max_length=32, required=False)
    sender_city = forms.CharField(label=_("Sender city"), max_length=32, required=False)
    sender_district = forms.CharField(label=_("Sender district"), max_length=32, required=False)
    sender_address = forms.CharField(label=_("Sender address"), max_length=200)
    window_start = forms.DateTimeField(
        label=_("Pickup window from"), required=False, widget=forms.DateTimeInput(attrs=DT, format="%Y-%m-%dT%H:%M")
    )
    window_end = forms.DateTimeField(
        label=_("Pickup window to"), required=False, widget=forms.DateTimeInput(attrs=DT, format="%Y-%m-%dT%H:%M")
    )
    remark = forms.CharField(label=_("Customer remark"), max_length=500, required=False)
    note = forms.CharField(
        label=_("How it was confirmed"), max_length=500, help_text=_("e.g. called the consumer at 10:20")
    )
