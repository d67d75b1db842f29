from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy
from django.views.generic import RedirectView
from django.views.i18n import set_language

from people import views as people_views

from . import metrics, views
from .api import api

admin.site.site_header = gettext_lazy("Q9 Order Desk · master data")
admin.site.site_title = admin.site.index_title = gettext_lazy("Master data")

handler500 = "config.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("healthz/ready/", views.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("system/", views.system, name="system"),
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True), name="favicon"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", people_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # the second factor of HQ and the LCS: enrolment (QR code, recovery codes) and the step-up
    path("accounts/second-factor/", people_views.second_factor_enrol, name="second_factor_enrol"),
    path("accounts/second-factor/verify/", people_views.second_factor_verify, name="second_factor_verify"),
    # password reset by e-mail: Django's views, absolute links from SITE_URL
    path("accounts/password-reset/", people_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        people_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("dispatch.urls")),  # before core: network/sites/search/ must not read as a site code
    path("", include("core.urls")),
    path("", include("orders.urls")),
    path("", include("penalties.urls")),
    path("", include("finance.urls")),
    path("", include("logistics.urls")),
    path("", include("inventory.urls")),
    path("", include("complaints.urls")),
    path("", include("people.urls")),
    path("", include("courier.urls")),
]
