"""schemathesis against the OpenAPI document over real HTTP (bounded examples): every request signed as a
channel would, and no response a 5xx or outside its documented schema."""
import time

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from orders.services import api_client_create, channels_ensure
from core.signing import canonical_path, sign

pytestmark = pytest.mark.django_db(transaction=True)


def _document() -> dict:
    """The document /api/openapi.json serves (a test below checks they are the same)."""
    from config.api import api

    return dict(api.get_openapi_schema(path_prefix="/api/"))


schema = schemathesis.openapi.from_dict(_document())


def test_the_served_document_is_the_one_fuzzed(live_server):
    served = requests.get(f"{live_server.url}/api/openapi.json", timeout=30).json()
    assert sorted(served["paths"]) == sorted(_document()["paths"])
    docs = requests.get(f"{live_server.url}/api/docs", timeout=30).text
    assert "swagger" in docs.lower() and "cdn" not in docs.lower()


@pytest.fixture
def signer(net):
    channel = channels_ensure()["taobao"]
    client, secret = api_client_create(name="fuzz", kind="channel", channel=channel, adapter="generic")
    state = {"last": 0}

    def send(case, base_url):
        kwargs = case.as_transport_kwargs(base_url=base_url)
        prepared = requests.Request(method=kwargs["method"], url=kwargs["url"], params=kwargs.get("params"),
                                    json=kwargs.get("json"), data=kwargs.get("data"),
                                    headers={k: v for k, v in (kwargs.get("headers") or {}).items()
                                             if k.lower() not in ("x-api-key", "x-timestamp", "x-signature")}).prepare()
        body = prepared.body or b""
        if isinstance(body, str):
            body = body.encode()
        state["last"] = ts = max(int(time.time()), state["last"] + 1)
        prepared.headers.update({"X-Api-Key": client.key, "X-Timestamp": str(ts),
                                 "X-Signature": sign(secret, prepared.method, canonical_path(prepared.path_url), ts, body)})
        with requests.Session() as session:
            return session.send(prepared, timeout=30)

    return send


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_5xx_and_responses_match_the_schema(case, signer, live_server):
    response = signer(case, live_server.url)
    assert response.status_code < 500, response.text[:500]
    # semantic refusals (a window that ends before it starts, an unknown address…) answer 422 by design, so
    # "schema-valid data must be accepted" is not checked; no 5xx and schema-true responses are
    case.validate_response(response, checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                             response_schema_conformance])
