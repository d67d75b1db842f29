from django import forms
from django.utils.translation import gettext_lazy as _

from dispatch.models import Site

from . import selectors
from .services import Unit


class AccountForm(forms.Form):
    """Create or edit an account. The site is typed as its code (a picker searches 20,000 sites), the province
    chosen from the actor's provinces."""

    username = forms.CharField(label=_("User name"), max_length=150)
    first_name = forms.CharField(label=_("Name"), max_length=150)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"))
    site = forms.CharField(label=_("Site code"), max_length=16, required=False,
                           help_text=_("Site clerks only: the code of their site"))
    province = forms.ModelChoiceField(label=_("Province"), queryset=None, required=False,
                                      help_text=_("Province LCS and province managers (none: the whole nation)"))

    def __init__(self, *args, actor, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["role"].choices = selectors.assignable_roles(actor)
        self.fields["province"].queryset = selectors.assignable_provinces(actor)
        if editing:
            del self.fields["username"]

    def clean_site(self):
        code = self.cleaned_data.get("site", "").strip()
        if not code:
            return None
        site = Site.objects.filter(code=code).first()
        if site is None:
            raise forms.ValidationError(_("No site with this code."))
        return site

    def unit(self) -> Unit:
        return Unit(role=self.cleaned_data["role"], site=self.cleaned_data.get("site"),
                    province=self.cleaned_data.get("province"))


class MoveForm(forms.Form):
    site = forms.CharField(label=_("New site code"), max_length=16)

    def clean_site(self):
        site = Site.objects.filter(code=self.cleaned_data["site"].strip()).first()
        if site is None:
            raise forms.ValidationError(_("No site with this code."))
        return site


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or .csv)"))
