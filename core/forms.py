from django import forms
from django.utils.translation import gettext_lazy as _

from . import scoping
from .models import Message, User
from .redirects import is_safe_path
from .textpolicy import PolicyFormMixin
from .validators import validate_attachment


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
