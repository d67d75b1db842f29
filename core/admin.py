"""The Django admin, for HQ: master data (provinces' hours, sites, couriers, service areas, users)."""

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import scoping
from .models import City, Courier, District, Message, Province, ServiceArea, Site, User
from .textpolicy import PolicyFormMixin
from .twofactor import second_factor_required


class KeysOnlyBoundField(forms.BoundField):
    """A related field shows again only what can be a key of its model: the admin's related widgets look the
    typed value up to draw it, and a value that is no key at all (``abc``, a control character) would be a 500
    where the form should answer "select a valid choice"."""

    def value(self):
        value = super().value()
        if not (self.form.is_bound and isinstance(self.field, forms.ModelChoiceField)) or value in (None, ""):
            return value
        key = (
            self.field.queryset.model._meta.get_field(self.field.to_field_name or "pk")
            if self.field.to_field_name
            else self.field.queryset.model._meta.pk
        )
        try:
            for one in value if isinstance(value, (list, tuple)) else [value]:
                key.to_python(one)
        except (forms.ValidationError, TypeError, ValueError):
            return None
        return value


class PolicyAdminForm(PolicyFormMixin):
    """What every form of the admin adds to its model form: the text policy, and related values shown again only
    when they can be keys."""

    bound_field_class = KeysOnlyBoundField


def _is_hq(request) -> bool:
    return request.user.is_active and scoping.role_of(request.user) == scoping.Role.HQ


# The admin belongs to the HQ e-commerce team (and superusers), whatever the is_staff flag says.
admin.site.has_permission = _is_hq
# Access is decided by roles and scoping (dispatch/scoping.py), not by permission groups.
admin.site.unregister(Group)
# The second factor's devices are managed on the people pages (HQ resets one there), not in the admin.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)

_admin_view = admin.site.admin_view


def _admin_view_stepped_up(view, cacheable=False):
    """Every admin page but signing out needs a session verified by the second factor (core/twofactor.py)."""
    if getattr(view, "__name__", "") == "logout":
        return _admin_view(view, cacheable)
    return _admin_view(second_factor_required(view), cacheable)


admin.site.admin_view = _admin_view_stepped_up


#: what an empty choice says in the admin, instead of Django's bare "---------"
BLANK_NONE = [("", _("(none)"))]
BLANK_CHOOSE = [("", _("Choose…"))]


class PlainBlanks:
    """Every select of the admin names its empty choice: 「（无）」 where the value may stay empty, 「请选择」 where one
    must be chosen, 「请选择操作」 above the list's actions."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("empty_label", (BLANK_NONE if db_field.null else BLANK_CHOOSE)[0][1])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if "choices" not in kwargs and db_field.name not in getattr(self, "radio_fields", {}):
            blank = BLANK_NONE if db_field.blank else BLANK_CHOOSE
            kwargs["choices"] = db_field.get_choices(
                include_blank=db_field.blank or not (db_field.has_default() or "initial" in kwargs), blank_choice=blank
            )
        return super().formfield_for_choice_field(db_field, request, **kwargs)


class HQAdmin(PlainBlanks, admin.ModelAdmin):
    list_per_page = 50

    def get_action_choices(self, request, default_choices=None):
        return super().get_action_choices(request, default_choices=[("", _("Choose an action…"))])

    def get_form(self, request, obj=None, **kwargs):
        """The admin's forms follow the text policy: a control character is a field error next to its field."""
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (PolicyAdminForm, form), {})

    def has_module_permission(self, request):
        return _is_hq(request)

    def has_view_permission(self, request, obj=None):
        return _is_hq(request)

    def has_add_permission(self, request):
        return _is_hq(request)

    def has_change_permission(self, request, obj=None):
        return _is_hq(request)

    def has_delete_permission(self, request, obj=None):
        return _is_hq(request)


@admin.register(Province)
class ProvinceAdmin(HQAdmin):
    list_display = ("code", "name", "service_start", "service_end")
    list_editable = ("service_start", "service_end")
    search_fields = ("code", "name")


@admin.register(City)
class CityAdmin(HQAdmin):
    list_display = ("code", "name", "province")
    list_filter = ("province",)
    search_fields = ("code", "name")


@admin.register(District)
class DistrictAdmin(HQAdmin):
    list_display = ("adcode", "name", "city", "province")
    list_filter = ("province",)
    search_fields = ("adcode", "name")
    list_select_related = ("city", "province")


class PolicyInline(PlainBlanks, admin.TabularInline):
    """An inline whose rows follow the text policy (a field error next to the field)."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (PolicyAdminForm, formset.form), {})
        return formset


class CourierInline(PolicyInline):
    model = Courier
    extra = 0


class ServiceAreaInline(PolicyInline):
    model = ServiceArea
    extra = 0
    autocomplete_fields = ("district",)


@admin.register(Site)
class SiteAdmin(HQAdmin):
    list_display = ("code", "name", "province", "kind", "level", "parent", "active", "is_data_center")
    list_filter = ("province", "kind", "level", "active", "is_data_center")
    search_fields = ("code", "name")
    list_select_related = ("province", "parent")
    autocomplete_fields = ("parent", "district")
    show_full_result_count = False
    inlines = [ServiceAreaInline, CourierInline]


@admin.register(Courier)
class CourierAdmin(HQAdmin):
    list_display = ("name", "phone", "site", "active")
    list_filter = ("active",)
    search_fields = ("name", "phone", "site__code", "site__name")
    list_select_related = ("site",)
    autocomplete_fields = ("site",)
    show_full_result_count = False


@admin.register(ServiceArea)
class ServiceAreaAdmin(HQAdmin):
    list_display = ("site", "district", "keywords", "priority")
    search_fields = ("site__code", "site__name", "district__adcode", "district__name")
    list_select_related = ("site", "district")
    autocomplete_fields = ("site", "district")
    show_full_result_count = False


@admin.register(User)
class UserAdmin(HQAdmin, BaseUserAdmin):
    list_display = ("username", "first_name", "role", "site", "province", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name", "last_name", "email", "site__code")
    list_select_related = ("site", "province")
    autocomplete_fields = ("site",)
    fieldsets = BaseUserAdmin.fieldsets + ((_("Role and unit"), {"fields": ("role", "site", "province", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Role and unit"), {"fields": ("role", "site", "province", "email")}),
    )


@admin.register(Message)
class MessageAdmin(HQAdmin):
    list_display = ("title", "audience", "category", "created_at", "sender")
    list_filter = ("audience", "category")
    search_fields = ("title",)
    date_hierarchy = "created_at"
    raw_id_fields = ("user", "site", "province", "sender")


def _hand_to_hq(model) -> None:
    """Give HQ the admin of a third-party model (e.g. django-axes' lockouts, which HQ resets)."""
    current = admin.site._registry[model].__class__
    admin.site.unregister(model)
    extra = {}
    if current.has_add_permission is not admin.ModelAdmin.has_add_permission:
        # the model's own admin decides that nothing is added by hand (axes' records): HQ adds nothing either
        extra["has_add_permission"] = lambda self, request: (
            _is_hq(request) and current.has_add_permission(self, request)
        )
    admin.site.register(model, type(f"HQ{current.__name__}", (HQAdmin, current), extra))


for _model in [m for m, a in admin.site._registry.items() if not isinstance(a, HQAdmin)]:
    _hand_to_hq(_model)
    _app = apps.get_app_config(_model._meta.app_label)
    if _app.name == "axes":  # django-axes names its group in English only
        _app.verbose_name = _("Sign-in protection")
