"""A user whose password is still the temporary one an administrator set is sent to change it first."""

from django.shortcuts import redirect
from django.urls import reverse

from .selectors import must_change_password

# what such a user may still reach: the change form itself, signing out, static files, the language switch
ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz/")


class TemporaryPasswordMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and must_change_password(user)
        ):
            return redirect(reverse("password_change"))
        return self.get_response(request)
