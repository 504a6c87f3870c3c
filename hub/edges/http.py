"""The HTTP edge: REST API, health, metrics, the built web files, and the demo's signer."""

from __future__ import annotations

import base64
import csv
import functools
import io
import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web

from hub import __version__, types
from hub.actions import (
    agents,
    andon,
    customers,
    files,
    health,
    privacy,
    reports,
    search,
    team,
    timeline,
    visitors,
    webhooks,
)
from hub.actions.context import Hub
from hub.core.files import IMAGES
from hub.core.identity import sign_user_id
from hub.edges import assets, openapi
from hub.edges.openapi import Handler, Raw, Route
from hub.errors import Forbidden, HubError, Invalid, NotFound, RateLimited, Unauthorized

log = logging.getLogger(__name__)

HUB_KEY: web.AppKey[Hub] = web.AppKey("hub", Hub)
STATIC = Path(__file__).parents[1] / "static"
API_JSON = "application/json"


def error_response(exc: HubError) -> web.Response:
    headers = {}
    if isinstance(exc, RateLimited) and exc.retry_after_s is not None:
        headers["Retry-After"] = str(exc.retry_after_s)
    return web.json_response(
        {"ok": False, "error": exc.to_dict()}, status=exc.status, headers=headers
    )


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every error is JSON with a code; a stack trace never leaves the process."""
    try:
        return await handler(request)
    except HubError as exc:
        request.app[HUB_KEY].metrics.errors.labels(exc.code).inc()
        return error_response(exc)
    except web.HTTPException as exc:
        if exc.status < 400 or not request.path.startswith("/api/"):
            raise
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status, "http_error")
        return web.json_response(
            {"ok": False, "error": {"code": code, "message": exc.reason}}, status=exc.status
        )
    except Exception:
        log.exception("%s %s failed", request.method, request.path)
        return web.json_response(
            {"ok": False, "error": {"code": "internal", "message": "the hub failed to do this"}},
            status=500,
        )


@web.middleware
async def origin_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The REST API answers the console's own origin and configured ones, nothing else.

    ``Origin: null`` (a sandboxed frame, a file:// page) is a browser too, and not the
    console: refused, as the socket namespaces refuse it.
    """
    origin = request.headers.get("Origin")
    # A widget's upload comes from its shop's page: the site's origins are checked instead
    # (hub.actions.files.visitor_for), as the customer socket checks them.
    if request.path.startswith("/api/") and origin and not widget_request(request):
        hub = request.app[HUB_KEY]
        from urllib.parse import urlsplit

        if urlsplit(origin).netloc != request.host and origin not in hub.config.console_origins:
            raise Forbidden(f"the API may not be used from {origin}", code="forbidden_origin")
    return await handler(request)


async def read_json(request: web.Request, max_bytes: int = 64 * 1024) -> Any:
    if request.content_length is not None and request.content_length > max_bytes:
        raise Invalid("the request body is too large")
    raw = await request.content.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise Invalid("the request body is too large")
    try:
        return json.loads(raw or b"{}", parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError):
        raise Invalid("the request body must be JSON") from None


def _no_constant(name: str) -> Any:
    # NaN, Infinity and -Infinity are not JSON, whatever Python's json takes.
    raise ValueError(f"{name} is not a JSON number")


def bearer_token(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send Authorization: Bearer <token>")
    return token.strip()


async def authenticated_agent(request: web.Request) -> dict[str, Any]:
    return await agents.agent_for_token(request.app[HUB_KEY], bearer_token(request))


def client_address(request: web.Request) -> str | None:
    """Who is asking: the peer, or behind a trusted proxy the last X-Forwarded-For entry."""
    if request.app[HUB_KEY].config.trust_forwarded:
        forwarded = request.headers.get("X-Forwarded-For", "").rsplit(",", 1)[-1].strip()
        if forwarded:
            return forwarded[:100]
    return request.remote


def widget_request(request: web.Request) -> bool:
    """An upload from a widget (``Authorization: Visitor``), or the browser's preflight."""
    if request.method == "OPTIONS":
        return True
    return request.headers.get("Authorization", "").partition(" ")[0].lower() == "visitor"


class Login(types.Payload):
    email: str
    password: str


async def login(request: web.Request) -> web.Response:
    body = types.parse(Login, await read_json(request))
    if len(body.email) > 320 or len(body.password) > 1000:
        raise Unauthorized("wrong email or password")
    hub = request.app[HUB_KEY]
    answer = await agents.login(hub, body.email, body.password, client_address(request))
    return web.json_response(answer)


async def logout(request: web.Request) -> web.Response:
    """``POST /api/v1/auth/logout``: the bearer token is revoked, its sockets end."""
    return web.json_response(await agents.logout(request.app[HUB_KEY], bearer_token(request)))


async def healthz(request: web.Request) -> web.Response:
    return web.json_response(await health.answer(request.app[HUB_KEY]))


async def metrics(request: web.Request) -> web.Response:
    body = request.app[HUB_KEY].metrics.render()
    return web.Response(body=body, content_type="text/plain", charset="utf-8")


def customer_id(request: web.Request) -> str:
    return types.parse(types.CustomerPath, dict(request.match_info)).customer_id


async def get_customer(request: web.Request) -> web.Response:
    agent = await authenticated_agent(request)
    profile = await customers.read_customer(request.app[HUB_KEY], agent, customer_id(request))
    return web.json_response(profile)


async def get_customer_contacts(request: web.Request) -> web.Response:
    """``GET /api/v1/customers/{id}/contacts``: the customer's past and open contacts."""
    agent = await authenticated_agent(request)
    hub = request.app[HUB_KEY]
    return web.json_response(await customers.customer_contacts(hub, agent, customer_id(request)))


async def get_search(request: web.Request) -> web.Response:
    """``GET /api/v1/search?q=TEXT&limit=N``: customers and messages the agent may read."""
    agent = await authenticated_agent(request)
    query = types.parse(types.SearchQuery, dict(request.query))
    return web.json_response(await search.search_all(request.app[HUB_KEY], agent, query))


async def get_events(request: web.Request) -> web.Response:
    agent = await authenticated_agent(request)
    hub = request.app[HUB_KEY]
    path = types.parse(types.ConversationPath, dict(request.match_info))
    query = types.parse(types.EventsQuery, dict(request.query))
    p = types.History(conversation_id=path.conversation_id, after_seq=query.after_seq)
    session = types.AgentSession(sid="rest", agent=agent)
    result = await timeline.agent_history(hub, session, p)
    return web.json_response({"events": result["events"]})


async def get_flags(request: web.Request) -> web.Response:
    """``GET /api/v1/flags?site=KEY[&cleared=1]``: the open andon flags (and cleared ones)."""
    await authenticated_agent(request)
    query = types.parse(types.FlagsQuery, dict(request.query))
    flags = await andon.list_flags(request.app[HUB_KEY], query.site, cleared=query.cleared == "1")
    return web.json_response({"flags": flags})


async def get_staffing(request: web.Request) -> web.Response:
    """``GET /api/v1/reports/staffing?volume&interval_s&aht_s&threshold_s&target_pct...``."""
    agent = await authenticated_agent(request)
    reports.check_supervisor(agent)  # before the parameters: an agent learns nothing more
    query = types.parse(types.StaffingQuery, dict(request.query))
    return web.json_response(reports.staffing_forecast(agent, query))


async def get_summary(request: web.Request) -> web.Response:
    """``GET /api/v1/reports/summary?site=KEY&from=T&to=T``: the period's figures."""
    agent = await authenticated_agent(request)
    reports.check_supervisor(agent)
    query = types.parse(types.ReportQuery, dict(request.query))
    return web.json_response(await reports.summary(request.app[HUB_KEY], agent, query))


async def get_webhooks(request: web.Request) -> web.Response:
    """``GET /api/v1/webhooks?site=KEY``: a site's webhook deliveries (supervisors, admins)."""
    agent = await authenticated_agent(request)
    query = types.parse(types.SiteQuery, dict(request.query))
    return web.json_response(await webhooks.deliveries(request.app[HUB_KEY], agent, query.site))


async def get_agents(request: web.Request) -> web.Response:
    """``GET /api/v1/agents``: every agent with their live state (supervisors, admins)."""
    agent = await authenticated_agent(request)
    return web.json_response(await team.team(request.app[HUB_KEY], agent))


async def patch_agent(request: web.Request) -> web.Response:
    """``PATCH /api/v1/agents/{agent_id}``: an admin changes an agent; the hub applies it now."""
    agent = await authenticated_agent(request)
    team.check_admin(agent)  # before the body: a non-admin learns nothing of what it holds
    body = types.parse(types.AgentChange, await read_json(request))
    hub = request.app[HUB_KEY]
    agent_id = types.parse(types.AgentPath, dict(request.match_info)).agent_id
    return web.json_response(await team.change(hub, agent, agent_id, body))


async def get_series(request: web.Request) -> web.Response:
    """``GET /api/v1/reports/series?site=KEY&from=T&to=T&interval=hour|day``."""
    agent = await authenticated_agent(request)
    reports.check_supervisor(agent)
    query = types.parse(types.SeriesQuery, dict(request.query))
    return web.json_response(await reports.series(request.app[HUB_KEY], agent, query))


async def get_contacts_csv(request: web.Request) -> web.StreamResponse:
    """``GET /api/v1/reports/contacts.csv``: one row per contact (RFC 4180), streamed."""
    agent = await authenticated_agent(request)
    reports.check_supervisor(agent)
    query = types.parse(types.ReportQuery, dict(request.query))
    pages = await reports.contacts_csv(request.app[HUB_KEY], agent, query)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": 'attachment; filename="contacts.csv"',
        }
    )
    await response.prepare(request)
    async for rows in pages:
        out = io.StringIO()
        # RFC 4180: CRLF line ends, fields quoted when they hold a comma, a quote or a newline.
        csv.writer(out, lineterminator="\r\n").writerows(rows)
        await response.write(out.getvalue().encode())
    await response.write_eof()
    return response


def basic_auth(request: web.Request) -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise Unauthorized("send Authorization: Basic with the site key and secret")
    try:
        key, colon, secret = (
            base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        )
    except (ValueError, UnicodeDecodeError):
        raise Unauthorized("send Authorization: Basic with the site key and secret") from None
    if not colon:
        raise Unauthorized("send Authorization: Basic with the site key and secret")
    return key, secret


async def post_orders(request: web.Request) -> web.Response:
    """``POST /api/v1/shop/orders`` (HTTP Basic: site key and secret): the shop's orders."""
    hub = request.app[HUB_KEY]
    site = await reports.shop_site(hub, *basic_auth(request))
    body = types.parse(types.Orders, await read_json(request, max_bytes=256 * 1024))
    return web.json_response(await reports.record_orders(hub, site, body))


async def get_shop_customer(request: web.Request) -> web.Response:
    """``GET /api/v1/shop/customers?user_id=U`` (HTTP Basic): a customer by the shop's id."""
    hub = request.app[HUB_KEY]
    site = await reports.shop_site(hub, *basic_auth(request))
    query = types.parse(types.ShopCustomerQuery, dict(request.query))
    return web.json_response(await privacy.by_user_id(hub, site, query.user_id))


async def get_shop_customer_export(request: web.Request) -> web.Response:
    """``GET /api/v1/shop/customers/{id}/export`` (HTTP Basic): everything held on them."""
    hub = request.app[HUB_KEY]
    site = await reports.shop_site(hub, *basic_auth(request))
    held = await privacy.export(hub, site, customer_id(request))
    return web.json_response(
        held,
        headers={"Content-Disposition": 'attachment; filename="customer.json"'},
    )


async def delete_shop_customer(request: web.Request) -> web.Response:
    """``DELETE /api/v1/shop/customers/{id}`` (HTTP Basic): the customer's erasure → 204."""
    hub = request.app[HUB_KEY]
    site = await reports.shop_site(hub, *basic_auth(request))
    await privacy.erase(hub, site, customer_id(request))
    return web.Response(status=204)


# Attachments. The upload's body is the file itself (any Content-Type: the hub reads the type
# from the bytes); a widget on a shop's page sends it cross-origin, so these answer CORS.
FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # Nothing in a served file runs or loads anything, even opened on its own.
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
    "sandbox",
    "Referrer-Policy": "no-referrer",
    # Not kept on disk (a shared computer), and a link past its time is asked again.
    "Cache-Control": "private, no-store",
}


def cors(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    origin = request.headers.get("Origin")
    if origin and widget_request(request):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
    return response


async def uploader(request: web.Request, site: str | None) -> files.Uploader:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "visitor":
        if not site or not token.strip() or len(token) > 200:
            raise Unauthorized("send Authorization: Visitor <token> and ?site=<site key>")
        origin = request.headers.get("Origin") or None
        return await files.visitor_for(request.app[HUB_KEY], site, token.strip(), origin)
    return types.AgentSession(sid="rest", agent=await authenticated_agent(request))


async def read_upload(request: web.Request, limit: int) -> bytes:
    """The body, refused as soon as it is longer than ``limit`` (never read whole first)."""
    if request.content_length is not None and request.content_length > limit:
        raise files.too_large(limit)
    chunks, size = [], 0
    while chunk := await request.content.read(256 * 1024):
        size += len(chunk)
        if size > limit:
            raise files.too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def post_file(request: web.Request) -> web.StreamResponse:
    """``POST /api/v1/conversations/{id}/files?client_id=&name=``: attach a file."""
    hub = request.app[HUB_KEY]
    try:
        path = types.parse(types.ConversationPath, dict(request.match_info))
        query = types.parse(types.UploadQuery, dict(request.query))
        who = await uploader(request, query.site)
        await files.check_upload(hub, who, path.conversation_id)
        data = await read_upload(request, hub.config.files_max_bytes)
        answer = await files.upload(
            hub, who, path.conversation_id, query.name, data, query.client_id
        )
    except HubError as exc:
        hub.metrics.errors.labels(exc.code).inc()
        return cors(request, error_response(exc))
    return cors(request, web.json_response(answer))


async def options_file(request: web.Request) -> web.StreamResponse:
    """The browser's preflight of a widget's upload: allowed from the site's own origins."""
    site_key = request.query.get("site", "")
    site = await visitors.site_by_key(request.app[HUB_KEY], site_key) if site_key else None
    origin = request.headers.get("Origin")
    if (
        site is None
        or not origin
        or (site["origins"] is not None and origin not in site["origins"])
    ):
        raise Forbidden("uploads are not allowed from this origin", code="forbidden_origin")
    response = web.Response(
        status=204,
        headers={
            "Access-Control-Allow-Methods": "POST",
            "Access-Control-Allow-Headers": "Authorization, Content-Type",
            "Access-Control-Max-Age": "600",
        },
    )
    return cors(request, response)


async def get_file(request: web.Request) -> web.Response:
    """``GET /files/{key}?exp=&name=&sig=``: a file, by a link the hub signed minutes ago."""
    path = types.parse(types.FilePath, dict(request.match_info))
    query = types.parse(types.FileQuery, dict(request.query))
    data, media_type = await files.read(
        request.app[HUB_KEY], path.key, query.exp, query.name, query.sig
    )
    how = "inline" if media_type in IMAGES else "attachment"
    plain = query.name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f"{how}; filename=\"{plain}\"; filename*=UTF-8''{quote(query.name)}"
    headers = {**FILE_HEADERS, "Content-Disposition": disposition}
    return web.Response(body=data, content_type=media_type, headers=headers)


class SignIn(types.Payload):
    user_id: types.Name
    name: types.Name | None = None


async def demo_signin(request: web.Request) -> web.Response:
    """The demo shop's backend: it signs its shopper exactly as a real shop's server would."""
    hub = request.app[HUB_KEY]
    body = types.parse(SignIn, await read_json(request))
    site = await visitors.site_by_key(hub, "demo")
    if site is None:
        raise NotFound("the demo site is missing; run `hub demo`")
    return web.json_response(
        {
            "user_id": body.user_id,
            "name": body.name,
            "user_hash": sign_user_id(site["secret"], body.user_id),
        }
    )


def index_redirect(target: str) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(target)

    return handler


async def get_openapi(request: web.Request) -> web.Response:
    """``GET /api/v1/openapi.json``: this table, described for a shop's client generator."""
    return web.json_response(api_document())


@functools.cache
def api_document() -> dict[str, Any]:
    return openapi.document(API, version=__version__)


CSV = Raw("text/csv", {"type": "string", "description": "RFC 4180, a header row first"})
PROMETHEUS = Raw("text/plain", {"type": "string"})
OPENAPI = Raw(API_JSON, {"type": "object", "description": "This document"})
FILE = Raw("application/octet-stream", {"type": "string", "format": "binary"})
SERVED_FILE = Raw(
    "*/*",
    {
        "type": "string",
        "format": "binary",
        "description": "image/jpeg, image/png, image/webp, image/gif or application/pdf",
    },
)

# Every REST route, described: setup_routes registers them from here, and the OpenAPI document
# is written from here, so no route exists without its description.
API = (
    Route("GET", "/healthz", healthz, "Whether this process can serve", types.HealthAnswer),
    Route("GET", "/metrics", metrics, "Prometheus metrics", PROMETHEUS),
    Route("GET", "/api/v1/openapi.json", get_openapi, "This OpenAPI document", OPENAPI),
    Route(
        "POST",
        "/api/v1/auth/login",
        login,
        "An agent's token",
        types.LoginAnswer,
        body=Login,
        errors=(429,),
    ),
    Route(
        "POST",
        "/api/v1/auth/logout",
        logout,
        "Revoke the token; its sockets end",
        types.OkAnswer,
        auth="bearer",
    ),
    Route(
        "GET",
        "/api/v1/customers/{customer_id}",
        get_customer,
        "A customer's profile, identifiers and conversations",
        types.CustomerProfile,
        auth="bearer",
        path_params=types.CustomerPath,
    ),
    Route(
        "GET",
        "/api/v1/customers/{customer_id}/contacts",
        get_customer_contacts,
        "A customer's contacts: channel, dates, wrap-up and survey answer",
        types.CustomerContacts,
        auth="bearer",
        path_params=types.CustomerPath,
    ),
    Route(
        "GET",
        "/api/v1/search",
        get_search,
        "Customers (name, email, phone, user id) and messages holding the words",
        types.SearchAnswer,
        auth="bearer",
        query=types.SearchQuery,
    ),
    Route(
        "GET",
        "/api/v1/conversations/{conversation_id}/events",
        get_events,
        "A conversation's events after a seq",
        types.EventsAnswer,
        auth="bearer",
        path_params=types.ConversationPath,
        query=types.EventsQuery,
    ),
    Route(
        "POST",
        "/api/v1/conversations/{conversation_id}/files",
        post_file,
        "Attach a file (JPEG, PNG, WebP, GIF or PDF, at most 10 MB) to a conversation",
        types.UploadAnswer,
        auth="upload",
        path_params=types.ConversationPath,
        query=types.UploadQuery,
        upload=FILE,
        errors=(413, 415, 429),
    ),
    Route(
        "OPTIONS",
        "/api/v1/conversations/{conversation_id}/files",
        options_file,
        "The browser's preflight of a widget's upload",
        None,
        status=204,
        path_params=types.ConversationPath,
    ),
    Route(
        "GET",
        "/files/{key}",
        get_file,
        "An attached file, by the signed link its event carries",
        SERVED_FILE,
        path_params=types.FilePath,
        query=types.FileQuery,
        errors=(403,),
    ),
    Route(
        "GET",
        "/api/v1/flags",
        get_flags,
        "The andon flags",
        types.FlagsAnswer,
        auth="bearer",
        query=types.FlagsQuery,
        errors=(404,),
    ),
    Route(
        "GET",
        "/api/v1/webhooks",
        get_webhooks,
        "A site's webhook deliveries",
        types.WebhooksAnswer,
        auth="bearer",
        query=types.SiteQuery,
    ),
    Route(
        "GET",
        "/api/v1/agents",
        get_agents,
        "Every agent, with their live status and load",
        types.TeamAnswer,
        auth="bearer",
    ),
    Route(
        "PATCH",
        "/api/v1/agents/{agent_id}",
        patch_agent,
        "Change an agent (admins); the running hub applies it at once",
        types.AgentChangeAnswer,
        auth="bearer",
        path_params=types.AgentPath,
        body=types.AgentChange,
        errors=(404, 409),
    ),
    Route(
        "GET",
        "/api/v1/reports/staffing",
        get_staffing,
        "Agents a forecast needs (Erlang C)",
        types.StaffingAnswer,
        auth="bearer",
        query=types.StaffingQuery,
    ),
    Route(
        "GET",
        "/api/v1/reports/summary",
        get_summary,
        "A period's figures",
        types.SummaryAnswer,
        auth="bearer",
        query=types.ReportQuery,
    ),
    Route(
        "GET",
        "/api/v1/reports/series",
        get_series,
        "A period by hour or by day",
        types.SeriesAnswer,
        auth="bearer",
        query=types.SeriesQuery,
    ),
    Route(
        "GET",
        "/api/v1/reports/contacts.csv",
        get_contacts_csv,
        "A period's contacts, as CSV",
        CSV,
        auth="bearer",
        query=types.ReportQuery,
    ),
    Route(
        "POST",
        "/api/v1/shop/orders",
        post_orders,
        "The shop's orders, stored once each",
        types.OrdersAnswer,
        auth="basic",
        body=types.Orders,
    ),
    Route(
        "GET",
        "/api/v1/shop/customers",
        get_shop_customer,
        "A customer by the shop's user id",
        types.CustomerProfile,
        auth="basic",
        query=types.ShopCustomerQuery,
        errors=(404,),
    ),
    Route(
        "GET",
        "/api/v1/shop/customers/{customer_id}/export",
        get_shop_customer_export,
        "Everything held on a customer",
        types.CustomerExport,
        auth="basic",
        path_params=types.CustomerPath,
    ),
    Route(
        "DELETE",
        "/api/v1/shop/customers/{customer_id}",
        delete_shop_customer,
        "Erase a customer's personal data",
        None,
        status=204,
        auth="basic",
        path_params=types.CustomerPath,
    ),
)


def setup_routes(app: web.Application, *, demo: bool) -> None:
    r = app.router
    for route in API:
        if route.method == "GET":
            r.add_get(route.path, route.handler)  # and HEAD
        else:
            r.add_route(route.method, route.path, route.handler)
    root = Path(app[HUB_KEY].config.static_dir or STATIC)
    files = assets.Assets()
    # The embed URL shops paste: stable, so revalidated (ETag) rather than cached for long.
    r.add_get("/widget.js", assets.file_handler(files, root / "widget.js"))
    # The lazy part of the widget, fetched at the "live video help" tap and never before; the
    # widget asks for it by its content hash (?v=), which is cached for a year.
    r.add_get("/widget-mayday.js", assets.file_handler(files, root / "widget-mayday.js"))
    if demo:
        # Before the static folders, so that /demo/api/ is not taken for a file path.
        r.add_post("/demo/api/signin", demo_signin)
        r.add_get("/", index_redirect("/demo/"))
    for name in ("console", "demo"):
        folder = root / name
        r.add_get(f"/{name}", index_redirect(f"/{name}/"))
        r.add_get(f"/{name}/", assets.file_handler(files, folder / "index.html", "text/html"))
        r.add_get(f"/{name}/{{tail:.+}}", assets.folder_handler(files, folder))
