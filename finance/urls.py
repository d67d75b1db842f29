from django.urls import path

from . import views

app_name = "finance"

urlpatterns = [
    path("finance/statement/", views.statement_view, name="statement"),
    path("finance/statement/export/", views.statement_export, name="statement_export"),
    path("finance/statement/pdf/", views.statement_pdf, name="statement_pdf"),
]
