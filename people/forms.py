from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import SiteCodeField, site_shown
from core.models import District, ServiceArea, Site, User
from core.textpolicy import PolicyFormMixin

from . import areas, selectors
from .areas import keywords_parse
from .services import Unit


class AccountForm(PolicyFormMixin, forms.Form):
    """Create or edit an account. The site is chosen with the site picker (20,000 sites: never a select), the
    province from the actor's provinces. A courier's account keeps its role and its site (it is bound to the
    courier record its site's clerk opened): its name and contacts are edited here."""

    username = forms.CharField(label=_("User name"), max_length=150)
    first_name = forms.CharField(label=_("Name"), max_length=150)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"))
    site = SiteCodeField(
        label=_("Site"),
        max_length=80,
        required=False,
        help_text=_("Site clerks only: type part of the name or the code"),
    )
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=None,
        required=False,
        empty_label=_("None (the whole nation)"),
        help_text=_("Province LCS and province managers (none: the whole nation)"),
    )

    def __init__(self, *args, actor, account: User | None = None, **kwargs):
        if account is not None:
            kwargs.setdefault(
                "initial",
                {
                    "first_name": account.first_name,
                    "phone": account.phone,
                    "email": account.email,
                    "role": account.role,
                    "site": site_shown(account.site),
                    "province": account.province,
                },
            )
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.account = account
        roles = selectors.assignable_roles(actor)
        if account is not None:
            del self.fields["username"]
            self.fields["first_name"].required = False  # accounts made elsewhere (the admin, a load) may have none
            if account.role not in dict(roles):  # a courier's account, or one without a role: it keeps its own
                roles = [(account.role, account.get_role_display() or _("No role"))]
                self.fields["role"].required = bool(account.role)
                if account.role == User.Role.COURIER:
                    for name in ("site", "province"):
                        self.fields[name].disabled = True
                    self.fields["site"].help_text = _("A courier's account stays at its courier record's site.")
        self.fields["role"].choices = roles
        self.fields["province"].queryset = selectors.assignable_provinces(actor)

    def clean_site(self):
        code = self.cleaned_data.get("site", "")
        if self.account is not None and self.account.role == User.Role.COURIER:
            return self.account.site
        if not code:
            return None
        site = Site.objects.filter(code=code).first()
        if site is None:
            raise forms.ValidationError(_("No site with this code."))
        return site

    def unit(self) -> Unit:
        return Unit(
            role=self.cleaned_data["role"],
            site=self.cleaned_data.get("site"),
            province=self.cleaned_data.get("province"),
        )


class MoveForm(PolicyFormMixin, forms.Form):
    site = SiteCodeField(label=_("New site"), max_length=80)

    def clean_site(self):
        site = Site.objects.filter(code=self.cleaned_data["site"]).first()
        if site is None:
            raise forms.ValidationError(_("No site with this code."))
        return site


class ImportForm(PolicyFormMixin, forms.Form):
    file = forms.FileField(label=_("File (.xlsx or .csv)"))


class AreaChangeForm(PolicyFormMixin, forms.Form):
    """A service area to add, change or remove, and the addresses to try it on before it is saved."""

    area = forms.IntegerField(widget=forms.HiddenInput, required=False)
    site = forms.CharField(label=_("Site code"), max_length=16)
    district = forms.CharField(label=_("District code"), max_length=6)
    keywords = forms.CharField(
        label=_("Street/town keywords"),
        required=False,
        help_text=_("Separated by 、 or commas; empty: the whole district"),
    )
    priority = forms.IntegerField(
        label=_("Priority"), initial=0, min_value=areas.PRIORITY_MIN, max_value=areas.PRIORITY_MAX
    )
    delete = forms.BooleanField(label=_("Remove this area"), required=False)
    addresses = forms.CharField(
        label=_("Addresses to try"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One full sender address a line (at most 50)"),
    )
    previewed = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        data["site_obj"] = Site.objects.filter(code=data["site"].strip()).first()
        if data["site_obj"] is None:
            self.add_error("site", _("No site with this code."))
        data["district_obj"] = District.objects.filter(adcode=data["district"].strip()).first()
        if data["district_obj"] is None:
            self.add_error("district", _("No district with this code."))
        data["area_obj"] = (
            ServiceArea.objects.filter(pk=data.get("area") or 0).select_related("site", "district").first()
        )
        if data.get("area") and data["area_obj"] is None:
            self.add_error(None, _("This area no longer exists."))
        return data

    def signature(self) -> list:
        """What was previewed: saving needs the same values."""
        d = self.cleaned_data

        return [
            d.get("area") or 0,
            d["site"].strip(),
            d["district"].strip(),
            keywords_parse(d.get("keywords", "")),
            d["priority"],
            bool(d.get("delete")),
        ]


class SecondFactorForm(PolicyFormMixin, forms.Form):
    """A code of the second factor: the 6 digits the authenticator app shows, or (verifying) a recovery code."""

    token = forms.CharField(
        label=_("Verification code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false", "autocapitalize": "off"}
        ),
    )
