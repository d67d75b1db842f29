from django.urls import path

from . import views

app_name = "penalties"

urlpatterns = [
    path("violations/", views.violation_list, name="violation_list"),
    path("violations/export/", views.violation_export, name="violation_export"),
    path("violations/<int:pk>/", views.violation_detail, name="violation_detail"),
    path("violations/<int:pk>/files/<int:attachment_id>/", views.violation_attachment, name="violation_attachment"),
    path("violations/<int:pk>/confirm/", views.violation_confirm, name="violation_confirm"),
    path("violations/<int:pk>/reject/", views.violation_reject, name="violation_reject"),
    path("violations/<int:pk>/reclassify/", views.violation_reclassify, name="violation_reclassify"),
    path("violations/<int:pk>/evidence/", views.violation_evidence, name="violation_evidence"),
    path("audit/", views.audit, name="audit"),
    path("audit/orders/<int:pk>/", views.audit_order, name="audit_order"),
    path("audit/orders/<int:pk>/raise/", views.audit_raise, name="audit_raise"),
    path("desk/deadlines/", views.deadlines, name="deadlines"),
    path("sla/dashboard/", views.dashboard, name="dashboard"),
    path("sla/rules/", views.rules, name="rules"),
    path("sla/closures/", views.closures, name="closures"),
]
