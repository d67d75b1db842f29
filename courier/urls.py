from django.urls import path

from . import views

app_name = "courier"

urlpatterns = [
    path("courier/", views.home, name="home"),
    path("courier/acts/", views.acts, name="acts"),
    path("courier/sw.js", views.service_worker, name="service_worker"),
    path("courier/manifest.webmanifest", views.manifest, name="manifest"),
    path("courier/signin/<str:secret>/", views.signin, name="signin"),
    path("courier/signin-qr/<int:pk>/", views.signin_qr, name="signin_qr"),
    path("courier/door-photo/<int:pk>/", views.door_photo, name="door_photo"),
]
