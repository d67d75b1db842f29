from django.urls import path

from . import order_views as ov

app_name = "dispatch"

urlpatterns = [
    path("network/sites/search/", ov.site_search, name="site_search"),
    path("network/silent/", ov.silent_sites, name="silent_sites"),
    path("network/silent/export/", ov.silent_sites_export, name="silent_sites_export"),
    # 网点接单
    path("desk/accept/", ov.workbench, name="workbench"),
    path("desk/accept/rows/", ov.workbench_rows, name="workbench_rows"),
    path("desk/accept/batch/", ov.orders_accept_batch, name="orders_accept_batch"),
    path("desk/orders/<int:pk>/accept/", ov.order_accept, name="order_accept"),
    path("desk/orders/<int:pk>/transfer/", ov.order_transfer, name="order_transfer"),
    path("desk/orders/<int:pk>/accept-fail/", ov.order_accept_fail, name="order_accept_fail"),
    # 网点揽件
    path("desk/pickup/", ov.pickup, name="pickup"),
    path("desk/pickup/scan/", ov.pickup_scan, name="pickup_scan"),
    path("desk/pickup/couriers/", ov.pickup_couriers, name="pickup_couriers"),
    path("desk/pickup/batch/", ov.orders_pickup_batch, name="orders_pickup_batch"),
    path("desk/orders/<int:pk>/courier/", ov.order_courier, name="order_courier"),
    path("desk/orders/<int:pk>/pickup/", ov.order_pickup_confirm, name="order_pickup_confirm"),
    path("desk/orders/<int:pk>/pickup-fail/", ov.order_pickup_fail, name="order_pickup_fail"),
    path("desk/orders/<int:pk>/reappoint/", ov.order_reappoint, name="order_reappoint"),
    path("desk/orders/<int:pk>/remind/", ov.order_waybill_remind, name="order_waybill_remind"),
    path("desk/orders/<int:pk>/waybill/", ov.order_waybill_correct, name="order_waybill_correct"),
    # the site's couriers
    path("desk/couriers/", ov.couriers, name="couriers"),
    path("desk/couriers/export/", ov.couriers_export, name="couriers_export"),
    path("desk/couriers/<int:pk>/", ov.courier_update, name="courier_update"),
    # 撤单处理, 站点未揽收查询
    path("desk/cancellations/", ov.cancellations, name="cancellations"),
    path("desk/cancellations/handle/", ov.cancellations_handle, name="cancellations_handle"),
    path("desk/unscanned/", ov.unscanned, name="unscanned"),
    path("desk/unscanned/export/", ov.unscanned_export, name="unscanned_export"),
    # HQ
    path("hq/dispatch/", ov.hq_dispatch, name="hq_dispatch"),
    path("hq/dispatch/submit/", ov.hq_dispatch_submit, name="hq_dispatch_submit"),
    path("hq/orders/<int:pk>/reopen/", ov.order_reopen, name="order_reopen"),
    path("hq/orders/<int:pk>/cancel/", ov.order_cancel, name="order_cancel"),
]
