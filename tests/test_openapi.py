"""The OpenAPI document: valid OpenAPI 3.1, the whole REST API in it, and every operation
fuzzed against it by schemathesis, as a shop's generated client would call it."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import aiohttp
import hypothesis
import pytest
import schemathesis
from openapi_spec_validator import validate
from schemathesis import GenerationMode, checks

from hub.edges.http import API
from hub.edges.openapi import Route
from tests.kit.hub import SITE_KEY, SITE_SECRET, HubServer

# On SQLite only: the document and the views are the same on either store, and the fuzzing
# is the slowest part of the suite.
pytestmark = pytest.mark.parametrize("seeded_database_url", ["sqlite"], indirect=True)

SUE = ("sue@example.com", "sue-password")  # a supervisor: every agent route answers her
CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
]
# Few examples an operation, the same ones every run: CI must not turn red on a new draw.
FUZZ = hypothesis.settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    # Schemathesis's strategies are large and some inputs are sparse (a valid pair of report
    # times): the health checks would stop a run that is only slow to draw.
    suppress_health_check=list(hypothesis.HealthCheck),
)


async def get_document(server: HubServer) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http:
        async with http.get(server.url + "/api/v1/openapi.json") as resp:
            assert resp.status == 200 and resp.content_type == "application/json"
            document: dict[str, Any] = await resp.json()
            return document


async def test_the_document_is_openapi_3_1_and_holds_every_route(hub_server: HubServer) -> None:
    document = await get_document(hub_server)
    validate(document)
    assert document["openapi"].startswith("3.1")
    described = {(m.upper(), path) for path, ops in document["paths"].items() for m in ops}
    served = {
        (route.method, route.resource.canonical)
        for route in hub_server.app.router.routes()
        if route.resource is not None
        and route.method != "HEAD"  # aiohttp's own, beside each GET
        and (route.resource.canonical.startswith("/api/") or route.resource.canonical == "/healthz")
    }
    assert served <= described, served - described
    assert {path for _, path in described} >= {"/healthz", "/api/v1/openapi.json"}


async def test_the_shop_routes_ask_for_basic_and_the_others_for_a_token(
    hub_server: HubServer,
) -> None:
    document = await get_document(hub_server)
    for path, ops in document["paths"].items():
        for operation in ops.values():
            schemes = {name for need in operation.get("security", []) for name in need}
            if path.startswith("/api/v1/shop/"):
                assert schemes == {"basicAuth"}, path
            elif path in ("/healthz", "/metrics", "/api/v1/openapi.json", "/api/v1/auth/login"):
                assert schemes == set(), path
            elif path == "/files/{key}" or operation["operationId"] == "options_file":
                assert schemes == set(), path  # a signed link; the browser's preflight
            elif path == "/api/v1/conversations/{conversation_id}/files":
                assert schemes == {"bearerAuth", "visitorAuth"}, path
            else:
                assert schemes == {"bearerAuth"}, path


async def credentials(server: HubServer, auth: str) -> dict[str, str]:
    """The Authorization header of a route's scheme: Sue's token, or the site's Basic pair."""
    if auth == "basic":
        pair = base64.b64encode(f"{SITE_KEY}:{SITE_SECRET}".encode()).decode()
        return {"Authorization": f"Basic {pair}"}
    if auth in ("bearer", "upload"):
        async with aiohttp.ClientSession() as http:
            body = {"email": SUE[0], "password": SUE[1]}
            async with http.post(server.url + "/api/v1/auth/login", json=body) as resp:
                assert resp.status == 200
                return {"Authorization": f"Bearer {(await resp.json())['token']}"}
    return {}


def fuzz(url: str, route: Route, mode: GenerationMode, headers: dict[str, str]) -> None:
    """Schemathesis's cases for one operation, each sent and its answer checked. It blocks
    (requests), so it runs in a thread while the hub answers on the test's loop."""
    schema = schemathesis.openapi.from_url(url + "/api/v1/openapi.json")
    operation = schema[route.path][route.method]

    @FUZZ
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def each(case: Any) -> None:
        case.call_and_validate(base_url=url, headers=headers, checks=CHECKS)

    each()


# Valid requests for every route, and for those that take input, invalid ones too: each of
# those must be refused with a documented 4xx, never a 500.
CASES = [
    pytest.param(route, mode, id=f"{route.method} {route.path} {mode.value}")
    for route in API
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or route.path_params or route.query or route.body
]


@pytest.mark.parametrize(("route", "mode"), CASES)
async def test_every_operation_answers_as_described(
    hub_server: HubServer, route: Route, mode: GenerationMode
) -> None:
    headers = await credentials(hub_server, route.auth)
    await asyncio.to_thread(fuzz, hub_server.url, route, mode, headers)
