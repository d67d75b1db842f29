from django.urls import path

from .views import accept, desk_lists, hq, network, pickup

app_name = "dispatch"

urlpatterns = [
    path("network/sites/search/", network.site_search, name="site_search"),
    path("network/silent/", network.silent_sites, name="silent_sites"),
    path("network/silent/export/", network.silent_sites_export, name="silent_sites_export"),
    # 网点接单
    path("desk/accept/", accept.workbench, name="workbench"),
    path("desk/accept/rows/", accept.workbench_rows, name="workbench_rows"),
    path("desk/accept/batch/", accept.orders_accept_batch, name="orders_accept_batch"),
    path("desk/orders/<int:pk>/accept/", accept.order_accept, name="order_accept"),
    path("desk/orders/<int:pk>/transfer/", accept.order_transfer, name="order_transfer"),
    path("desk/orders/<int:pk>/accept-fail/", accept.order_accept_fail, name="order_accept_fail"),
    # 网点揽件
    path("desk/pickup/", pickup.pickup, name="pickup"),
    path("desk/pickup/scan/", pickup.pickup_scan, name="pickup_scan"),
    path("desk/pickup/couriers/", pickup.pickup_couriers, name="pickup_couriers"),
    path("desk/pickup/batch/", pickup.orders_pickup_batch, name="orders_pickup_batch"),
    path("desk/orders/<int:pk>/courier/", pickup.order_courier, name="order_courier"),
    path("desk/orders/<int:pk>/pickup/", pickup.order_pickup_confirm, name="order_pickup_confirm"),
    path("desk/orders/<int:pk>/pickup-fail/", pickup.order_pickup_fail, name="order_pickup_fail"),
    path("desk/orders/<int:pk>/sender-id/", pickup.order_sender_id, name="order_sender_id"),
    path("desk/orders/<int:pk>/reappoint/", pickup.order_reappoint, name="order_reappoint"),
    path("desk/orders/<int:pk>/remind/", pickup.order_waybill_remind, name="order_waybill_remind"),
    path("desk/orders/<int:pk>/waybill/", pickup.order_waybill_correct, name="order_waybill_correct"),
    # the site's couriers
    path("desk/couriers/", network.couriers, name="couriers"),
    path("desk/couriers/export/", network.couriers_export, name="couriers_export"),
    path("desk/couriers/<int:pk>/", network.courier_update, name="courier_update"),
    # 撤单处理, 站点未揽收查询
    path("desk/cancellations/", desk_lists.cancellations, name="cancellations"),
    path("desk/cancellations/handle/", desk_lists.cancellations_handle, name="cancellations_handle"),
    path("desk/unscanned/", desk_lists.unscanned, name="unscanned"),
    path("desk/unscanned/export/", desk_lists.unscanned_export, name="unscanned_export"),
    # HQ
    path("hq/dispatch/", hq.hq_dispatch, name="hq_dispatch"),
    path("hq/dispatch/submit/", hq.hq_dispatch_submit, name="hq_dispatch_submit"),
    path("hq/orders/<int:pk>/reopen/", hq.order_reopen, name="order_reopen"),
    path("hq/orders/<int:pk>/cancel/", hq.order_cancel, name="order_cancel"),
]
