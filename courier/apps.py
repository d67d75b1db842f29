from django.apps import AppConfig


class CourierConfig(AppConfig):
    name = "courier"
    verbose_name = "Courier's phone"
