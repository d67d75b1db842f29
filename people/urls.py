from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("people/", views.user_list, name="user_list"),
    path("people/new/", views.user_create, name="user_create"),
    path("people/import/", views.user_import, name="user_import"),
    path("people/import/template/", views.user_import_template, name="user_import_template"),
    path("people/import/<int:pk>/", views.user_import_job, name="user_import_job"),
    path("people/<int:pk>/", views.user_detail, name="user_detail"),
    path("people/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("people/<int:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("people/<int:pk>/move/", views.user_move, name="user_move"),
    path("people/<int:pk>/password/", views.user_password_reset, name="user_password_reset"),
    path("people/<int:pk>/second-factor/reset/", views.user_second_factor_reset, name="user_second_factor_reset"),
    path("network/areas/", views.area_edit, name="area_edit"),
    path("network/areas/export/", views.area_export, name="area_export"),
    path("history/<slug:kind>/<int:pk>/", views.object_history, name="object_history"),
]
