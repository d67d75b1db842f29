from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("orders/", views.order_list, name="order_list"),
    path("orders/export/", views.order_export, name="order_export"),
    path("search/", views.order_search_page, name="order_search"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/correct/", views.order_correct, name="order_correct"),
    path("hq/api-clients/", views.api_clients, name="api_clients"),
    path("hq/callbacks/", views.callbacks, name="callbacks"),
    path("hq/imports/", views.imports, name="imports"),
    path("hq/imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("hq/imports/template/<str:kind>/", views.import_template, name="import_template"),
]
