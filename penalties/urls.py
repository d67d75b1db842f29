from django.urls import path

from . import views

app_name = "penalties"

urlpatterns = [
    path("violations/", views.violation_list, name="violation_list"),
    path("violations/export/", views.violation_export, name="violation_export"),
    path("violations/activity/", views.site_activity_page, name="site_activity"),
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
    path("violations/<int:pk>/appeal/", views.appeal_file, name="appeal_file"),
    path("violations/<int:pk>/appeal/hq/", views.appeal_to_hq, name="appeal_to_hq"),
    path("violations/<int:pk>/appeal/lcs-decision/", views.appeal_lcs_decide, name="appeal_lcs_decide"),
    path("violations/<int:pk>/appeal/hq-decision/", views.appeal_hq_decide, name="appeal_hq_decide"),
    path("violations/<int:pk>/appeal/email/", views.appeal_email, name="appeal_email"),
    path("violations/<int:pk>/appeal/files/<int:attachment_id>/", views.appeal_attachment, name="appeal_attachment"),
    path("appeals/", views.appeal_queue, name="appeal_queue"),
    path("appeals/export/", views.appeal_export, name="appeal_export"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/download/", views.report_download, name="report_download"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/download/", views.notice_download, name="notice_download"),
    path("rewards/", views.rewards, name="rewards"),
    path("rewards/export/", views.rewards_export, name="rewards_export"),
]
