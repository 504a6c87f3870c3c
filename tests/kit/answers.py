"""The REST answers the tests receive, checked against the models the OpenAPI document is
written from (``hub.edges.http.API``): the fuzz test sees mostly refusals on an empty hub,
these see the answers of real days, with customers, conversations, flags and reports."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from hub import types
from hub.edges.http import API
from hub.edges.openapi import Route


def route_of(method: str, path: str) -> Route | None:
    for route in API:
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", route.path)
        if route.method == method and re.fullmatch(pattern, path):
            return route
    return None


def check_answer(method: str, url: str, status: int, content_type: str, text: str) -> None:
    """Raise unless ``text`` is the answer the route describes for ``status``: its model's
    JSON (strictly: a number is not a string), the error form, its media type or nothing."""
    route = route_of(method, urlsplit(url).path)
    assert route is not None, f"{method} {url} is in no route of the API table"
    if status >= 400:
        assert content_type == "application/json", (url, status, content_type)
        types.ErrorAnswer.model_validate_json(text, strict=True)
        return
    assert status == route.status, (url, status)
    if route.answer is None:
        assert text == "", (url, text)
    elif isinstance(route.answer, type):
        assert content_type == "application/json", (url, content_type)
        route.answer.model_validate_json(text, strict=True)
    else:
        assert content_type == route.answer.media_type, (url, content_type)
