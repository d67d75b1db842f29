from django.urls import path

from . import views

app_name = "logistics"

urlpatterns = [
    path("tracking/", views.track, name="track"),
    path("tracking/<str:waybill>/", views.track_detail, name="track_detail"),
    path("tracking/<str:waybill>/exceptions/", views.exception_raise, name="exception_raise"),
    path("tracking/<str:waybill>/handover/", views.handover, name="handover"),
    path("exceptions/<int:pk>/step/", views.exception_step, name="exception_step"),
    path("carriers/", views.carriers, name="carriers"),
    path("labels/<int:pk>/", views.label, name="label"),
    path("labels/batch/", views.labels_batch, name="labels_batch"),
]
