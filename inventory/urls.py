from django.urls import path

from . import views

app_name = "inventory"

urlpatterns = [
    path("stock/", views.stock, name="stock"),
    path("stock/export/", views.stock_export, name="stock_export"),
    path("stock/waybill-ranges/", views.ranges, name="ranges"),
    path("desk/orders/<int:pk>/pickup-ewaybill/", views.pickup_with_ewaybill, name="pickup_ewaybill"),
]
