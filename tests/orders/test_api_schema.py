"""schemathesis against the OpenAPI document over real HTTP, with every check it has (``--checks all``: no 5xx,
status codes, content types and bodies as documented, schema-valid data accepted, schema-invalid data refused,
authentication enforced, unsupported methods refused…), a fixed seed and every request signed as a channel
would sign it."""

import ipaddress
import json
import os
import re
import time
from datetime import datetime

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from requests.auth import AuthBase

from core import clock, destinations
from core.signing import canonical_path, sign
from orders.services import api_client_create, channels_ensure

pytestmark = pytest.mark.django_db(transaction=True)

SEED = int(os.environ.get("Q9_SCHEMATHESIS_SEED", "20261124"))  # fixed; another seed for a wider look


def _document() -> dict:
    """The document /api/openapi.json serves (a test below checks they are the same)."""
    from config.api import api

    return dict(api.get_openapi_schema(path_prefix="/api/"))


schema = schemathesis.openapi.from_dict(_document())
schema.config.seed = SEED

# the signing client of the running test (made by the ``signer`` fixture in the test database)
CLIENT: dict = {}
# what the generated cases carry in X-Api-Key (they are made at collection, before the client exists); the
# signing auth puts the client's key in its place when the request is sent
OUR_KEY = "q9k_schemathesis"


@schema.auth()
class ChannelKey:
    """Our key in X-Api-Key (schemathesis knows it as the document's security scheme, so its ``ignored_auth``
    check can take it away or replace it and expect a 401)."""

    def get(self, case, context):
        return OUR_KEY

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "X-Api-Key": data}


def _moment(value):
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment.replace(tzinfo=None) if moment and moment.utcoffset() is None else moment


def _before(start, end) -> bool | None:
    """Whether ``start`` < ``end`` (None when either is not a time: the case is about something else)."""
    if start is None or end is None:
        return None
    try:
        return start < end
    except TypeError:  # one naive (Beijing time), one aware
        aware = [m.replace(tzinfo=clock.tz()) if m.tzinfo is None else m for m in (start, end)]
        return aware[0] < aware[1]


@schema.hook("map_case")
def windows_in_order(context, case):
    """The rules JSON Schema cannot state — a pickup window ends after it starts and within 7 days, an order time is
    not in the future (the document says them in words: 422 otherwise) — taught to the generator: a generated window that does not is
    dropped (positive cases only: a negative case keeps what makes it negative)."""
    body = case.body
    if not isinstance(body, dict) or case.meta is None or not case.meta.generation.mode.is_positive:
        return case
    for item in (
        [body, *[o for o in body.get("orders") or () if isinstance(o, dict)]]
        if isinstance(body.get("orders"), list)
        else [body]
    ):
        if _before(_moment(item.get("window_start")), _moment(item.get("window_end"))) is False:
            item["window_end"] = None
    # and one rule against the server's clock, also stated in words: an order time at most 10 minutes ahead
    ahead = datetime.now(clock.tz()) + clock.SKEW
    for item in (
        [body, *[o for o in body.get("orders") or () if isinstance(o, dict)]]
        if isinstance(body.get("orders"), list)
        else [body]
    ):
        if _before(ahead, _moment(item.get("order_time"))):
            item["order_time"] = None
        if _before(ahead - clock.SKEW + clock.WINDOW_AHEAD, _moment(item.get("window_end"))):
            item["window_end"] = None
    start, end = body.get("ExpectTime"), body.get("ExpectEndTime")
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (start, end)) and end <= start:
        body["ExpectEndTime"] = None
    end = body.get("ExpectEndTime")
    horizon = time.time() + clock.WINDOW_AHEAD.total_seconds() - 60
    if isinstance(end, (int, float)) and not isinstance(end, bool) and end > horizon:
        body["ExpectEndTime"] = None
    start, end = body.get("pickupStartTime", ""), body.get("pickupEndTime", "")
    if isinstance(start, str) and isinstance(end, str) and (bool(start) != bool(end) or (start and end <= start)):
        body["pickupStartTime"] = body["pickupEndTime"] = ""
    return case


class Signature(AuthBase):
    """Signs the request as sent (``core.signing``: method, canonical path and query, timestamp, body) when it
    carries our key, with the client's key and secret; a request without it, or with another key, goes out
    unsigned."""

    calls = 0  # every request sent, probes included

    def __init__(self):
        self.last = 0

    def __call__(self, request):
        Signature.calls += 1
        if request.headers.get("X-Api-Key") != OUR_KEY:
            return request
        request.headers["X-Api-Key"] = CLIENT["key"]
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        self.last = ts = max(int(time.time()), self.last + 1)  # never the same signature twice (replay check)
        request.headers["X-Timestamp"] = str(ts)
        request.headers["X-Signature"] = sign(
            CLIENT["secret"], request.method, canonical_path(request.path_url), ts, body
        )
        return request


@pytest.fixture(scope="module", autouse=True)
def _report_calls():
    started = time.monotonic()
    yield
    print(f"\nschemathesis: {Signature.calls} requests, {time.monotonic() - started:.0f} s")


def test_the_document_states_every_constraint():
    """What the server refuses is in the document: control characters (NUL among them), the years of a time,
    HH:mm, the window order, the adapters' required fields, and every error status."""
    doc = json.loads(json.dumps(_document()))
    parts = doc["components"]["schemas"]
    assert "\\u0000" in parts["OrderIn"]["properties"]["goods"]["pattern"]
    assert parts["OrderIn"]["properties"]["order_time"]["anyOf"][0]["pattern"] == "^(20[0-9]{2}|2100)-"
    assert parts["ScanIn"]["properties"]["scanned_at"]["pattern"] == "^(20[0-9]{2}|2100)-"
    assert parts["Kd100OrderIn"]["properties"]["pickupStartTime"]["pattern"] == "^(([01][0-9]|2[0-3]):[0-5][0-9])?$"
    assert "window_start" in parts["OrderIn"]["properties"]["window_end"]["description"]
    assert set(parts["WxSender"]["required"]) == {"Name", "Mobile", "Address"}
    assert parts["WxSender"]["properties"]["Name"]["minLength"] == 1
    assert {"orderId", "sendManName", "sendManMobile", "sendManPrintAddr"} <= set(parts["Kd100OrderIn"]["required"])
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            assert {"401", "404", "409", "413", "422"} <= set(operation["responses"]), (method, path)
            assert operation["security"], (method, path)


def test_the_served_document_is_the_one_fuzzed(live_server):
    served = requests.get(f"{live_server.url}/api/openapi.json", timeout=30).json()
    assert served == json.loads(json.dumps(_document()))
    docs = requests.get(f"{live_server.url}/api/docs", timeout=30).text
    assert "swagger" in docs.lower()
    assert re.search(r'(src|href)="(https?:)?//', docs) is None, "the docs page loads nothing from another host"


def _public_resolver(host, port):
    """Every generated name "resolves" to a public address; an address literal stays itself (so a private one is
    still refused, a documented 422)."""
    try:
        return {str(ipaddress.ip_address(host.strip("[]")))}
    except ValueError:
        return {"93.184.216.34"}


@pytest.fixture
def signer(net, monkeypatch):
    monkeypatch.setattr(destinations, "resolve", _public_resolver)  # generated hosts are not looked up in DNS here
    channel = channels_ensure()["taobao"]
    client, secret = api_client_create(name="fuzz", kind="channel", channel=channel, adapter="generic")
    CLIENT.update(key=client.key, secret=secret)
    yield Signature()
    CLIENT.clear()


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None)
def test_every_check_passes(case, signer, live_server):
    """``call_and_validate`` runs every check and raises on the first that fails; the answer is also never a 5xx
    and always JSON, and the request went through the signing hook."""
    sent = Signature.calls
    with requests.Session() as session:
        response = case.call_and_validate(base_url=live_server.url, session=session, auth=signer, timeout=30)
    assert Signature.calls > sent
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
    ctype = {k.lower(): v for k, v in response.headers.items()}.get("content-type", "")
    ctype = ctype[0] if isinstance(ctype, list) else ctype
    assert ctype.startswith("application/json"), (case.method, case.path, response.status_code)
