"""Request signing of the API and of our callbacks (channel status callbacks, work-order results): HMAC-SHA256 over method, path, timestamp and body, hex.

    signature = hex(HMAC-SHA256(secret, METHOD + "\\n" + path_with_query + "\\n" + timestamp + "\\n" + body))

The path is signed in its canonical form (``canonical_path``), shared by the server and our own client: the
path percent-decoded once, then percent-encoded again keeping only RFC 3986 unreserved characters and "/"
(``/api/orders/A(1)`` and ``/api/orders/A%281%29`` both sign as ``/api/orders/A%281%29``); the query string
exactly as sent.

Headers: ``X-Api-Key``, ``X-Timestamp`` (Unix seconds), ``X-Signature``. A request outside ±5 minutes of the
server's clock, or a signature already seen within 10 minutes (a replay), is refused."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from urllib.parse import quote, unquote

from django.db import connection

from .exceptions import SignatureError
from .models import SeenSignature

WINDOW_SECONDS = 300
REPLAY_SECONDS = 600


def canonical_path(path: str, query: str = "", *, decoded: bool = False) -> str:
    """The signed form of a request's path and query. ``decoded``: the path is already percent-decoded (the
    server's ``request.path``); otherwise it is as a client writes it in the URL."""
    if not decoded and "?" in path and not query:
        path, query = path.split("?", 1)
    path = quote(path if decoded else unquote(path), safe="/")
    return f"{path}?{query}" if query else path


def sign(secret: str, method: str, path: str, timestamp: str | int, body: bytes) -> str:
    message = f"{method.upper()}\n{path}\n{timestamp}\n".encode() + (body or b"")
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def headers(*, key: str, secret: str, method: str, path: str, body: bytes, now: float | None = None) -> dict:
    """The headers a client sends (used by our own callbacks, tests and benchmarks)."""
    ts = str(int(now if now is not None else time.time()))
    return {
        "X-Api-Key": key,
        "X-Timestamp": ts,
        "X-Signature": sign(secret, method, canonical_path(path), ts, body),
        "Content-Type": "application/json",
    }


def verify(request, *, lookup, now: float | None = None):
    """The client that signed this request: ``lookup(key)`` gives the active client of an API key (with ``pk``
    and ``secret``) or None. Raises ``SignatureError`` otherwise."""
    key = request.headers.get("X-Api-Key", "")
    ts = request.headers.get("X-Timestamp", "")
    given = request.headers.get("X-Signature", "")
    if not key or not ts or not given:
        raise SignatureError(
            "auth_missing",
            "缺少 X-Api-Key、X-Timestamp 或 X-Signature。",
            "X-Api-Key, X-Timestamp and X-Signature are required.",
        )
    client = lookup(key)
    if client is None:
        raise SignatureError("auth_unknown_key", "API key 无效或已停用。", "Unknown or inactive API key.")
    try:
        stamp = int(ts)
    except ValueError:
        raise SignatureError(
            "auth_bad_timestamp", "X-Timestamp 须为 Unix 秒数。", "X-Timestamp must be Unix seconds."
        ) from None
    now = now if now is not None else time.time()
    if abs(now - stamp) > WINDOW_SECONDS:
        raise SignatureError(
            "auth_expired",
            "请求时间超出 5 分钟有效期，请校准时钟后重新签名。",
            "The request is outside the 5-minute window; sign it again.",
        )
    path = canonical_path(request.path, request.META.get("QUERY_STRING", ""), decoded=True)
    expected = sign(client.secret, request.method, path, ts, request.body)
    if not hmac.compare_digest(expected, given.lower()):
        raise SignatureError("auth_bad_signature", "签名不正确。", "The signature does not match.")
    if not first_use(f"{client.pk}:{expected}"):
        raise SignatureError(
            "auth_replayed", "重复的请求（签名已使用过）。", "Replayed request: this signature was used already."
        )
    return client


_pruned_at = 0.0


def first_use(key: str) -> bool:
    """Record a signature as seen; False if it was seen within the replay window. PostgreSQL, not Redis: the
    record holds whether Redis is up, stopped or hung. Rows older than the window are pruned at most once a
    minute per process (a request older than that is refused by the timestamp window anyway)."""
    global _pruned_at
    table = SeenSignature._meta.db_table
    with connection.cursor() as cursor:
        if time.monotonic() - _pruned_at > 60:
            _pruned_at = time.monotonic()
            cursor.execute(
                f"DELETE FROM {table} WHERE seen_at < now() - make_interval(secs => %s)",  # noqa: S608
                [REPLAY_SECONDS],
            )
        cursor.execute(
            f"INSERT INTO {table} (key, seen_at) VALUES (%s, now()) ON CONFLICT (key) DO NOTHING",  # noqa: S608
            [key],
        )
        return cursor.rowcount == 1


def new_key() -> str:
    return "q9k_" + secrets.token_hex(16)


def new_secret() -> str:
    return secrets.token_urlsafe(40)
