"""The REST API's OpenAPI 3.1 document, generated from the HTTP edge's route table."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from hub import types

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Auth = Literal["none", "bearer", "basic", "upload"]
REF = "#/components/schemas/{model}"
JSON = "application/json"

SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "An agent's token, from `POST /api/v1/auth/login`.",
    },
    "basicAuth": {
        "type": "http",
        "scheme": "basic",
        "description": "The site key and secret, for the shop's backend (`/api/v1/shop/...`).",
    },
    "visitorAuth": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "A widget's `Visitor <visitor token>`, with the site key as `?site=`.",
    },
}
SECURITY: dict[Auth, list[dict[str, list[str]]]] = {
    "none": [],
    "bearer": [{"bearerAuth": []}],
    "basic": [{"basicAuth": []}],
    # An attachment is sent by the conversation's customer or by its agent.
    "upload": [{"bearerAuth": []}, {"visitorAuth": []}],
}
# What the hub's refusals mean, whatever the route (hub.errors).
ERRORS = {
    400: "Invalid: the request is refused whole (`invalid`)",
    401: "Not authenticated (`unauthorized`)",
    403: "Not allowed, or from an origin the API does not answer (`forbidden`...)",
    404: "Not found (`not_found`...)",
    409: "In conflict with the state of things (`conflict`)",
    413: "The file is too large (`too_large`)",
    415: "The file is of a type the hub does not take (`unsupported_type`)",
    429: "Too many attempts (`rate_limited`); `Retry-After` says when to try again",
}


@dataclass(frozen=True)
class Raw:
    """An answer that is not a model's JSON: its media type and the schema of its body."""

    media_type: str
    schema: dict[str, Any]


@dataclass(frozen=True)
class Route:
    """One REST route: the HTTP edge registers it and this module describes it, from the
    same models the view parses its input with, so neither can drift from the other."""

    method: str
    path: str
    handler: Handler
    summary: str
    # The success answer: a model's JSON, another media type, or no body (``status`` 204).
    answer: type[BaseModel] | Raw | None
    status: int = 200
    auth: Auth = "none"
    path_params: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    # A body that is not JSON (an attachment's bytes): its media type and schema.
    upload: Raw | None = None
    # Refusals beyond those that follow from the above (bad input, authentication, origin).
    errors: tuple[int, ...] = ()

    def error_statuses(self) -> list[int]:
        found = set(self.errors)
        if self.path_params or self.query or self.body or self.upload:
            found.add(400)
        if self.auth != "none":
            found.add(401)
        if self.path.startswith("/api/"):
            found.add(403)  # the origin check
        if self.path_params:
            found.add(404)
        return sorted(found)


def document(routes: Iterable[Route], *, version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``routes``: paths, then every model under components."""
    routes = list(routes)
    refs, defs = models_json_schema(_models(routes), ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Lifeline hub REST API",
            "version": version,
            "description": "The REST surface of docs/protocol.md. Errors are "
            '`{"ok": false, "error": {"code", "message"}}`, never a stack trace.',
        },
        "paths": paths,
        "components": {"schemas": defs.get("$defs", {}), "securitySchemes": SECURITY_SCHEMES},
    }


ModelKey = tuple[type[BaseModel], JsonSchemaMode]
Refs = Mapping[Any, dict[str, Any]]


def _models(routes: Sequence[Route]) -> list[ModelKey]:
    """Request bodies as they are validated, answers as they are sent, each once."""
    found: dict[ModelKey, None] = {(types.ErrorAnswer, "serialization"): None}
    for route in routes:
        if route.body is not None:
            found[(route.body, "validation")] = None
        if isinstance(route.answer, type):
            found[(route.answer, "serialization")] = None
    return list(found)


def _operation(route: Route, refs: Refs) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": route.handler.__name__,
        "summary": route.summary,
        "tags": [_tag(route.path)],
        "parameters": [
            *_parameters(route.path_params, "path"),
            *_parameters(route.query, "query"),
        ],
        "responses": _responses(route, refs),
    }
    if route.auth != "none":
        operation["security"] = SECURITY[route.auth]
    if route.body is not None:
        schema = refs[(route.body, "validation")]
        operation["requestBody"] = {"required": True, "content": {JSON: {"schema": schema}}}
    if route.upload is not None:
        content = {route.upload.media_type: {"schema": route.upload.schema}}
        operation["requestBody"] = {"required": True, "content": content}
    return operation


def _tag(path: str) -> str:
    """``/api/v1/reports/summary`` is in ``reports``; the rest (``/healthz``) in ``hub``."""
    parts = path.split("/")
    return parts[3] if path.startswith("/api/v1/") else "hub"


def _parameters(model: type[BaseModel] | None, where: str) -> list[dict[str, Any]]:
    """One parameter per field of a query (or path) model, under its name on the wire."""
    if model is None:
        return []
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", ()))
    return [
        {
            "name": name,
            "in": where,
            "required": where == "path" or name in required,
            "schema": _present(prop),
        }
        for name, prop in schema["properties"].items()
    ]


def _present(prop: dict[str, Any]) -> dict[str, Any]:
    """A parameter's schema when it is given: an optional field's ``null`` is its absence,
    since a query string cannot carry a null."""
    prop = {k: v for k, v in prop.items() if k != "title" and not (k == "default" and v is None)}
    options = [o for o in prop.pop("anyOf", []) if o != {"type": "null"}]
    if len(options) == 1:
        prop.update(options[0])
    elif options:
        prop["anyOf"] = options
    return prop


def _responses(route: Route, refs: Refs) -> dict[str, Any]:
    answers: dict[str, Any] = {str(route.status): _answer(route, refs)}
    error = {"content": {JSON: {"schema": refs[(types.ErrorAnswer, "serialization")]}}}
    for status in route.error_statuses():
        answers[str(status)] = {"description": ERRORS[status], **error}
        if status == 429:
            answers["429"]["headers"] = {
                "Retry-After": {"schema": {"type": "integer", "minimum": 1}},
            }
    answers["default"] = {"description": "Any other error, in the same form", **error}
    return answers


def _answer(route: Route, refs: Refs) -> dict[str, Any]:
    if route.answer is None:
        return {"description": "Done; no body"}
    if isinstance(route.answer, Raw):
        content = {route.answer.media_type: {"schema": route.answer.schema}}
    else:
        content = {JSON: {"schema": refs[(route.answer, "serialization")]}}
    return {"description": route.summary, "content": content}
