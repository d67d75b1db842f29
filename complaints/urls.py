from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("work-orders/", views.work_order_list, name="list"),
    path("work-orders/new/", views.new, name="new"),
    path("work-orders/export/", views.work_order_export, name="export"),
    path("work-orders/assessment/", views.assessment, name="assessment"),
    path("work-orders/<int:pk>/", views.work_order_detail, name="detail"),
    path("work-orders/<int:pk>/answer/", views.answer, name="answer"),
    path("work-orders/<int:pk>/files/<int:attachment_id>/", views.work_order_attachment, name="attachment"),
    path("work-orders/<int:pk>/review/", views.review, name="review"),
    path("work-orders/<int:pk>/assign/", views.assign, name="assign"),
    path("work-orders/<int:pk>/chase/", views.chase, name="chase"),
]
