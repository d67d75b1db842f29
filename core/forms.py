from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import scoping
from .models import Message, User
from .redirects import is_safe_path
from .textpolicy import PolicyFormMixin
from .validators import validate_attachment


class SitePickerInput(forms.TextInput):
    """The site picker of transfers and 分件 (``dispatch/_site_picker.html``) as a form widget: type part of the
    name or the code, pick the site from the list that the site search fills (its value: "code name")."""

    def __init__(self, attrs=None):
        super().__init__(
            {
                "autocomplete": "off",
                "placeholder": _("Site name or code"),
                "data-testid": "site-picker",
                "hx-trigger": "input changed delay:250ms, focus once",
                "hx-swap": "innerHTML",
                **(attrs or {}),
            }
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]["attrs"]
        options = f"{widget.get('id') or name}-options"
        widget.update({"list": options, "hx-get": reverse("dispatch:site_search"), "hx-target": f"#{options}"})
        return context

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        options = f"{(attrs or {}).get('id') or self.attrs.get('id') or name}-options"
        return format_html('{}<datalist id="{}"></datalist>', html, options)


class SiteCodeField(forms.CharField):
    """A site chosen with the picker (or typed as its code): the first word of the value is the code. Cleans to
    the code; the form looks the site up in what its user may choose."""

    widget = SitePickerInput

    def to_python(self, value):
        value = super().to_python(value)
        return value.split()[0] if value.strip() else ""


def site_shown(site) -> str:
    """A site as the picker shows it, for a form's initial value."""
    return f"{site.code} {site.name}" if site is not None else ""


class MessageComposeForm(PolicyFormMixin, forms.Form):
    audience = forms.ChoiceField(label=_("To"), choices=Message.Audience.choices, widget=forms.RadioSelect)
    site_code = forms.CharField(label=_("Site code"), required=False, max_length=16)
    province = forms.ModelChoiceField(label=_("Province"), queryset=None, required=False, empty_label=_("Choose…"))
    username = forms.CharField(label=_("User name"), required=False, max_length=150)
    category = forms.ChoiceField(label=_("Category"), choices=Message.Category.choices, initial="general")
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    link = forms.CharField(label=_("Link"), max_length=500, required=False)
    attachment = forms.FileField(label=_("Attachment"), required=False, validators=[validate_attachment])
    email = forms.BooleanField(label=_("Also send by e-mail"), required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["province"].queryset = scoping.visible_provinces(user)

    def clean_link(self):
        link = self.cleaned_data["link"].strip()
        if link and not is_safe_path(link):  # "/x" inside this system; never "//host" or "/\\host"
            raise forms.ValidationError(_("Use a link inside this system, starting with /."))
        return link

    def clean(self):
        data = super().clean()
        audience = data.get("audience")
        A = Message.Audience
        if audience == A.SITE:
            code = (data.get("site_code") or "").strip()
            site = scoping.visible_sites(self.user).filter(code=code).first() if code else None
            if site is None:
                self.add_error("site_code", _("No site with this code in your scope."))
            data["site"] = site
        elif audience == A.PROVINCE:
            if not data.get("province"):
                self.add_error("province", _("Choose a province."))
        elif audience == A.USER:
            name = (data.get("username") or "").strip()
            target = User.objects.filter(username=name, is_active=True).first() if name else None
            if target is None or not _user_in_scope(self.user, target):
                self.add_error("username", _("No such user in your scope."))
            data["user"] = target
        return data


def _user_in_scope(sender: User, target: User) -> bool:
    if scoping.is_national(sender):
        return True
    role = target.role
    if role == User.Role.CLERK:
        return scoping.visible_sites(sender).filter(pk=target.site_id).exists()
    if role in (User.Role.LCS, User.Role.MANAGER):
        return target.province_id == sender.province_id
    return role == User.Role.HQ


class AlertChannelForm(PolicyFormMixin, forms.Form):
    """HQ's alert channel: an empty address or secret on a change keeps the stored one (never shown back)."""

    province = forms.ModelChoiceField(queryset=None, required=False, empty_label=_("HQ"), label=_("Whose team"))
    kind = forms.ChoiceField(label=_("Kind"))
    name = forms.CharField(label=_("Channel name"), max_length=64)
    target = forms.CharField(
        label=_("Address"),
        max_length=1000,
        required=False,
        help_text=_("The robot's webhook address, or e-mail addresses, or mobile numbers (separated by commas)."),
    )
    secret = forms.CharField(
        label=_("Signing secret (钉钉 加签)"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        from .models import AlertChannel, Province

        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = Province.objects.order_by("code")
        self.fields["kind"].choices = AlertChannel.Kind.choices
