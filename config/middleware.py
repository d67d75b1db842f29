import json
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import DataError
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from core.apikit import error
from core.exceptions import DomainError
from core.kept_input import typed_keep
from core.parsing import PAGE_MAX, PER_PAGE_MAX, parse_int
from core.textpolicy import control_char


class ChineseFirstLocaleMiddleware:
    """Simplified Chinese for everyone unless the user picked another language (the language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, and site PCs often run English
    Windows; the desk must still speak Chinese to their clerks."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class SecurityHeadersMiddleware:
    """The Content Security Policy (settings.CONTENT_SECURITY_POLICY) on every response that has none: scripts
    only from our own static files, no inline script, no eval, no framing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy:
            response.headers.setdefault("Content-Security-Policy", policy)
        return response


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class InputGuardMiddleware:
    """The request-level door of the text policy (``core.textpolicy``) and the net under every view: bad
    input is a 400 (a Chinese page; structured JSON under /api/), never a 500.

    - refuses a control character (NUL, U+0001…, DEL) in the path, in any query parameter or in any form
      field, naming the field;
    - a domain error (``DomainError``, the text policy's ``TextError`` among them) or a value the database
      refuses (``DataError``: out of range, too long) escaping a view answers 400 with its message;
    - a form body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` or with too many fields answers 413;
    - normalises paging: a ``page`` that is not a number in 1…10,000 or a ``per_page`` not in 1…500 is
      dropped (the list shows its first page), so no table pages past an overflow; a second table's own
      ``<prefix>page`` and ``<prefix>per_page`` (``moves-page``) likewise.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self._inspect(request)
        if refusal is not None:
            return refusal
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return self._api_json(response)
        return response

    @staticmethod
    def _api_json(response):
        """An error the framework answered under /api/ without JSON (a method the path does not take, say) gets
        the API's one error body, keeping its status and headers such as ``Allow``."""
        status = response.status_code
        code = {405: "method_not_allowed", 404: "not_found"}.get(status, "invalid")
        zh = {405: "该地址不支持此请求方法。", 404: "没有此地址。"}.get(status, "请求被拒绝。")
        en = {405: "The method is not allowed on this path.", 404: "No such path."}.get(
            status, "The request was refused."
        )
        answer = JsonResponse(error(code, zh, message_en=en), status=status)
        for header in ("Allow", "Retry-After"):
            if response.has_header(header):
                answer[header] = response[header]
        return answer

    def _inspect(self, request):
        if request.path.startswith("/api/") and request.method in ("POST", "PUT", "PATCH"):
            refusal = self._api_body(request)
            if refusal is not None:
                return refusal
        bad = control_char(request.path)
        if bad:
            return self.refuse(
                request, _("The address contains a control character (%(char)s).") % {"char": bad}, field="path"
            )
        sources = [request.GET]
        if request.method == "POST" and request.content_type in FORM_TYPES:
            try:
                sources.append(request.POST)
            except (RequestDataTooBig, TooManyFieldsSent):
                return self.refuse(request, _("The request is too large."), status=413)
            except MultiPartParserError:
                return self.refuse(request, _("The request body could not be read."))
        for source in sources:
            errors = {}
            for key, values in source.lists():
                for value in [key, *values]:
                    bad = control_char(value) if isinstance(value, str) else None
                    if bad:
                        errors.setdefault(key[:100], bad)
            if errors and source is not request.GET and request.path.startswith("/admin/"):
                continue  # the admin's forms answer it next to the field (core.admin.HQAdmin); the models refuse it too
            if errors and source is not request.GET:
                back = self._form_back(request, errors)
                if back is not None:
                    return back
            if errors:
                key, bad = next(iter(errors.items()))
                return self.refuse(
                    request,
                    _("%(field)s contains a control character (%(char)s); remove it.")
                    % {"field": key[:40] or "?", "char": bad},
                    field=key[:40],
                )
        self._tame_paging(request)
        return None

    @staticmethod
    def _form_back(request, errors: dict):
        """A form sent with a control character in some fields goes back to the page it came from (the Referer,
        when it is a page of this site) with what was typed and an error next to each such field (the next page
        puts them in the form: ``core.kept_input``, ``static/js/desk.js``); nothing reaches the view. Without a usable
        Referer (or from htmx, or under /api/) it is the 400 page. The admin's own forms are let through: they
        carry the policy themselves (``core.admin.HQAdmin``)."""
        referer = request.headers.get("Referer", "")
        if (
            request.path.startswith("/api/")
            or request.headers.get("HX-Request")
            or not hasattr(request, "session")
            or not url_has_allowed_host_and_scheme(
                referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
        ):
            return None
        parts = urlsplit(referer)
        back = parts.path + (f"?{parts.query}" if parts.query else "")
        if not back.startswith("/") or control_char(back):
            return None
        typed_keep(
            request,
            form="policy",
            action=request.path,
            data=request.POST,
            errors={
                key: _("The text contains a control character (%(char)s); remove it.") % {"char": bad}
                for key, bad in errors.items()
            },
        )
        response = HttpResponseRedirect(back)
        response.status_code = 303  # see the page again (GET), whatever the form's method
        return response

    def _api_body(self, request):
        """The API's body: within the limit (a JSON 413, before reading it) and, when JSON, an object (422)."""
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > limit:
            return self.refuse(
                request,
                f"请求体过大：上限 {limit // (1024 * 1024)} MB，请分批推送（每批最多 1,000 个订单）。",
                status=413,
            )
        if request.body.strip():  # every API body is JSON, whatever its Content-Type says
            try:
                data = json.loads(request.body)
            except json.JSONDecodeError as exc:
                return self.refuse(
                    request,
                    f"请求体不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列有误。",
                    status=422,
                    field="body",
                    en=f"The body is not valid JSON (line {exc.lineno}, column {exc.colno}).",
                )
            except RecursionError:
                return self.refuse(
                    request,
                    "请求体不是有效的 JSON：嵌套层数过多。",
                    status=422,
                    field="body",
                    en="The body is not valid JSON: nested too deeply.",
                )
            except ValueError:  # not UTF-8, or a number of thousands of digits
                return self.refuse(
                    request,
                    "请求体不是有效的 JSON：须为 UTF-8 编码，数字不超过 4,300 位。",
                    status=422,
                    field="body",
                    en="The body is not valid JSON: it must be UTF-8, numbers at most 4,300 digits.",
                )
            if not isinstance(data, dict):
                return self.refuse(request, "请求体须为 JSON 对象。", status=422, field="body")
            request.q9_json = data  # read once: the API's parser takes it from here (config.api.ReadOnce)
        return None

    @staticmethod
    def _tame_paging(request):
        limits = {"page": PAGE_MAX, "per_page": PER_PAGE_MAX}

        def limit(key: str) -> int | None:
            # a table with a prefix pages under ``<prefix>page`` (django-tables2 joins them as they are)
            for name, most in limits.items():
                if key == name or key.endswith(f"-{name}"):
                    return most
            return None

        wild = [
            k
            for k in request.GET
            if limit(k) is not None
            and any(parse_int(v, None, lo=1, hi=limit(k)) is None for v in request.GET.getlist(k))
        ]
        if wild:
            tamed = request.GET.copy()
            for key in wild:
                del tamed[key]
            tamed._mutable = False
            request.GET = tamed

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError):
            return self.refuse(
                request, str(exception.message), field=exception.field, code=getattr(exception, "code", "invalid")
            )
        if isinstance(exception, DataError):
            logging.getLogger(__name__).warning("input refused by the database on %s: %s", request.path, exception)
            return self.refuse(request, _("A value is out of range or too long; check the input."))
        if isinstance(exception, (RequestDataTooBig, TooManyFieldsSent)):
            return self.refuse(request, _("The request is too large."), status=413)
        return None

    @staticmethod
    def refuse(
        request,
        message: str,
        *,
        field: str | None = None,
        status: int = 400,
        code: str = "invalid",
        en: str | None = None,
    ):
        if request.path.startswith("/api/"):
            en = (
                en
                or {
                    413: "The request body is too large: send at most 1,000 orders per request.",
                    422: "The body must be a JSON object.",
                }.get(status)
                or (f"The request was refused (field {field})." if field else "The request was refused.")
            )
            return JsonResponse(
                error("too_large" if status == 413 else code, message, field=field, message_en=en), status=status
            )
        if request.content_type == "application/json":  # a page's script (the courier's phone): its JSON shape
            return JsonResponse({"error": message, "field": field}, status=status)
        html = render_to_string("400.html", {"message": message, "field": field}, request=None)
        return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
