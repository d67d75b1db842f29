from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("messages/", views.message_list, name="message_list"),
    path("messages/new/", views.message_compose, name="message_compose"),
    path("messages/read-all/", views.message_read_all, name="message_read_all"),
    path("messages/badge/", views.message_badge, name="message_badge"),
    path("messages/<int:pk>/", views.message_detail, name="message_detail"),
    path("messages/<int:pk>/attachment/", views.message_attachment, name="message_attachment"),
    path("alerts/", views.alert_channels, name="alert_channels"),
    path("network/sites/", views.site_list, name="site_list"),
    path("network/sites/export/", views.site_export, name="site_export"),
    path("network/sites/<str:code>/", views.site_detail, name="site_detail"),
]
