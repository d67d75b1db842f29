"""A courier's account reaches the courier's pages and nothing else: every other URL answers 403."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from core import scoping

# what a courier may still reach besides /courier/: signing in and out, static files, the language switch, health
ALLOWED_PREFIXES = (
    "/courier/",
    "/static/",
    "/i18n/",
    "/healthz/",
    "/accounts/login/",
    "/accounts/logout/",
    "/favicon.ico",
)


class CourierOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and scoping.role_of(user) == scoping.Role.COURIER
            and not request.path.startswith(ALLOWED_PREFIXES)
        ):
            if request.path == "/":
                return redirect("courier:home")
            raise PermissionDenied
        if (
            user is not None
            and user.is_authenticated
            and scoping.role_of(user) == scoping.Role.COURIER
            and request.path.startswith("/courier/")
            and not user.courier.active
        ):
            # the site deactivated the courier record: the phone stops working at once, and says so plainly
            return render(request, "courier/stopped.html", status=403)
        return self.get_response(request)
