"""The JSON API (/api/): one NinjaAPI from the apps' routers, its OpenAPI document at /api/openapi.json and
browsable docs at /api/docs (served from django-ninja's own static files, no CDN). Every error is structured:
{"error": {"code", "field", "message": {"zh", "en"}}}; no input, however malformed, produces a 500."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from complaints.api import router as work_orders_router
from core.apikit import error, policy_message, zh_message
from core.exceptions import DomainError, SignatureError
from core.ratelimit import RateLimited
from logistics.api import router as tracking_router
from orders.api import router as orders_router


class ReadOnce(Parser):
    """The body as the input guard already read it (``config.middleware``: every /api/ body is parsed there to
    refuse what is not a JSON object), not parsed a second time: ~2 ms per bulk push of 1,000 orders."""

    def parse_body(self, request):
        data = getattr(request, "q9_json", None)
        return data if data is not None else super().parse_body(request)


class Q9API(NinjaAPI):
    def validation_error_from_error_contexts(self, error_contexts):
        """ninja's 422 errors, a text policy's breach worded as the policy words it (ninja drops the input the
        wording needs, so it is read here first, error by error in ninja's order)."""
        exc = super().validation_error_from_error_contexts(error_contexts)
        raw = [e for c in error_contexts for e in c.pydantic_validation_error.errors(include_url=False)]
        for out, err in zip(exc.errors, raw):
            message = policy_message(err)
            if message:
                out["msg"] = message
            # own validators word their errors "English / 中文": each language gets its half
            out["msg_zh"] = (message or zh_message(err)).split(" / ", 1)[-1]
            out["msg"] = out["msg"].split(" / ", 1)[0]
        return exc


api = Q9API(
    title="Q9 Order Desk API",
    version="1.0",
    urls_namespace="api",
    parser=ReadOnce(),
    description="电商订单渠道接口：订单推送（单个/批量）、修改、撤单、状态查询，快递100与微信物流适配，扫描事件。"
    "每个请求以 HMAC-SHA256 签名：METHOD\\nPATH\\nTIMESTAMP\\nBODY，"
    "请求头 X-Api-Key、X-Timestamp（Unix 秒）、X-Signature（十六进制）。"
    "PATH 按规范形式签名：先百分号解码一次，再只保留 RFC 3986 非保留字符与 / 重新编码"
    "（/api/orders/A(1) 与 /api/orders/A%281%29 均签为 /api/orders/A%281%29），查询串按原样。"
    "请求体须为 JSON 对象（否则 422），上限 12 MB（超出返回 JSON 413）；文本不得含控制字符。",
)
api.add_router("", orders_router)
api.add_router("", tracking_router)
api.add_router("", work_orders_router)


def _field(loc) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path")]
    return ".".join(parts) or None


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    first = exc.errors[0] if exc.errors else {}
    field = _field(first.get("loc", ()))
    en = first.get("msg", "invalid input")
    zh = first.get("msg_zh") or "格式不正确"
    return api.create_response(
        request,
        error(
            "invalid",
            f"请求内容不正确：{field or '请求体'} — {zh}",
            field=field,
            message_en=f"Invalid input at {field or 'body'}: {en}",
        ),
        status=422,
    )


@api.exception_handler(RateLimited)
def rate_limited(request, exc):
    seconds = exc.retry_after
    response = api.create_response(
        request,
        error(
            "rate_limited",
            f"请求过于频繁，请 {seconds} 秒后重试。",
            message_en=f"Too many requests (orders) for this client; retry after {seconds} s.",
        ),
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


@api.exception_handler(SignatureError)
def signature_error(request, exc):
    return api.create_response(request, error(exc.code, exc.message_zh, message_en=exc.message_en), status=exc.status)


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return api.create_response(
        request, error("auth_missing", "缺少签名。", message_en="The request is not signed."), status=401
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(
        request,
        error("not_found", "没有此订单（或不属于本渠道）。", message_en="No such order for this channel."),
        status=404,
    )


@api.exception_handler(DomainError)
def domain_error(request, exc):
    """Every service's refusal: the class says its code and status (the apps' ``exceptions.py``)."""
    return api.create_response(request, error(exc.code, str(exc.message), field=exc.field), status=exc.status)


@api.exception_handler(HttpError)
def http_error(request, exc):
    status = exc.status_code if exc.status_code in (401, 404, 409, 422) else 422
    return api.create_response(request, error("invalid", str(exc.message), message_en=str(exc.message)), status=status)
