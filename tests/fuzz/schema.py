"""Hypothesis strategies from the wire models' JSON schema: payloads the contract allows, and not.

``valid(model)`` draws what the model's JSON schema allows, at its edges and with odd text;
``invalid(model)`` draws what it refuses. hypothesis-jsonschema would do the first, but its
0.23.1 (the newest) fails on the Hypothesis this project runs (6.170: ``'many' object has no
attribute 'more'`` for every object schema), and the subset pydantic emits for our models is
small: the walk below covers it and refuses, loudly, a keyword it does not know.

What the contract refuses beyond the schema (a link that is not http(s), NUL and bidi overrides
in names and texts) is drawn among the invalid payloads; ``tests/fuzz/test_found.py`` pins each
thing the probe and this fuzz found (issue 12).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel

Schema = dict[str, Any]

# Keywords of the schemas pydantic writes for our models that say nothing about the value.
IGNORED = {"title", "default", "description", "$defs"}


# NUL and the bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): refused in
# names and texts (spoofing in the console), so drawn among the invalid payloads only.
CONTROLS = "\x00\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

# Text that is valid and odd: combining marks, zero-width joiners, right-to-left letters, a
# character outside the BMP (one code point, two UTF-16 units on the wire), noncharacters,
# escapes that mean something elsewhere.
ODD_CHARS = "é\u0301\u200d\u200b\ufeff\u05d0\u0627😀\U0010fffd\uffff\\\"'<>&%$\n\t\r\x7f\x1b"
ODD_STRINGS = [
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "../../etc/passwd",
    "%00",
    "\\u0000",
    "Z\u0351\u0352\u0353\u0354\u0355\u0356",
    "👩\u200d👩\u200d👧\u200d👦",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
    "null",
    "true",
    "0",
    "-1",
    "1e309",
]
# Keys no model has: unknown fields are ignored (docs/protocol.md), whatever they are called.
ODD_KEYS = ["__proto__", "constructor", "$where", "", " ", "ok", "error", "a.b", "ü", "0"]

# Lone surrogates (category Cs) included: JSON.stringify writes one for half an emoji.
odd_chars = st.characters(exclude_characters=CONTROLS) | st.sampled_from(ODD_CHARS)
odd_text = st.text(odd_chars, max_size=40)
# Finite numbers only. NaN and Infinity (issue 12 item 2) cannot be sent from here: the test's
# socket.io client encodes with the hub's own codec (python-socketio keeps it on its Packet
# class, for the whole process), and orjson writes NaN as null. test_found.py sends them in
# raw frames, as a browser's page could.
finite = st.floats(allow_nan=False, allow_infinity=False)
json_scalars = st.none() | st.booleans() | st.integers() | finite | odd_text
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text, inner, max_size=4),
    max_leaves=12,
)
extra_keys = st.sampled_from(ODD_KEYS) | odd_text

# Rules of the contract that the JSON schema does not state: fields that take text a person
# reads (docs/protocol.md), and those that are links.
TEXT_FIELDS = {"name", "text"}
URL_FIELDS = {"url"}

# Lengths worth drawing when a schema allows long values: the generator stays small, except at
# the bounds, which are drawn as one character repeated.
SMALL = 12


def nested(depth: int) -> Any:
    """A list inside a list ``depth`` times: deep, within what a JSON encoder writes."""
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


class Walk:
    """Strategies for one model's schema, resolving its ``$ref`` in its ``$defs``."""

    def __init__(self, model: type[BaseModel]) -> None:
        self.root: Schema = model.model_json_schema()

    def resolve(self, schema: Schema) -> Schema:
        ref = schema.get("$ref")
        if ref is None:
            return schema
        name = ref.removeprefix("#/$defs/")
        return self.resolve(self.root["$defs"][name])

    def types(self, schema: Schema) -> set[str]:
        """The JSON types ``schema`` admits (a number admits integers too)."""
        schema = self.resolve(schema)
        if "anyOf" in schema:
            return set().union(*(self.types(s) for s in schema["anyOf"]))
        if "enum" in schema:
            return {"string"}
        kinds = {schema["type"]}
        return kinds | {"integer"} if "number" in kinds else kinds

    # valid

    def valid(self, schema: Schema) -> st.SearchStrategy[Any]:
        schema = self.resolve(schema)
        unknown = set(schema) - IGNORED - KEYWORDS
        if unknown:
            raise NotImplementedError(f"schema keywords not handled: {sorted(unknown)}")
        if "anyOf" in schema:
            return st.one_of([self.valid(s) for s in schema["anyOf"]])
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        kind = schema["type"]
        if kind == "object":
            return self.valid_object(schema)
        if kind == "array":
            items = self.valid(schema.get("items", {"type": "null"}))
            low, high = schema.get("minItems", 0), schema.get("maxItems", SMALL)
            return st.lists(items, min_size=low, max_size=max(low, min(high, SMALL)))
        if kind == "string":
            return self.valid_string(schema)
        if kind in ("integer", "number"):
            low, high = lower(schema), upper(schema)
            ints = st.integers(
                low if low is None else int(low), high if high is None else int(high)
            )
            edges = [x for x in (low, high) if x is not None]
            whole = ints | st.sampled_from(edges) if edges else ints
            if kind == "integer":
                return whole
            return whole | st.floats(low, high, allow_nan=False, allow_infinity=False)
        if kind == "boolean":
            return st.booleans()
        if kind == "null":
            return st.none()
        raise NotImplementedError(f"schema type {kind!r}")

    def valid_string(self, schema: Schema) -> st.SearchStrategy[str]:
        if schema.get("format") == "date-time":
            # ISO 8601 with a zone, within the years a timestamp may name (1970 to 2099).
            moments = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2099, 12, 30))
            zones = st.sampled_from([UTC, timezone(timedelta(hours=-9, minutes=-30))])
            return st.builds(lambda m, z: m.replace(tzinfo=z).isoformat(), moments, zones)
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        pattern = schema.get("pattern")
        if pattern is not None:
            drawn = st.from_regex(pattern, fullmatch=True)
            return drawn.filter(lambda s: low <= len(s) <= (high or len(s)))
        small = st.text(odd_chars, min_size=low, max_size=SMALL)
        strings = small.filter(lambda s: high is None or len(s) <= high)
        if high is not None:
            # At the bound: the longest string allowed, of one (possibly astral) character.
            strings |= st.sampled_from("xé😀\u200d").map(lambda c: c * high)
        return strings | st.sampled_from(
            [s for s in ODD_STRINGS if low <= len(s) <= (high or len(s))]
        )

    def valid_object(self, schema: Schema) -> st.SearchStrategy[dict[str, Any]]:
        props: dict[str, Schema] = schema.get("properties", {})
        required = set(schema.get("required", ()))
        fields = st.fixed_dictionaries(
            {k: self.valid(v) for k, v in props.items() if k in required},
            optional={k: self.valid(v) for k, v in props.items() if k not in required},
        )
        if schema.get("additionalProperties") is True:
            free = st.dictionaries(extra_keys, json_values | st.just(nested(200)), max_size=4)
            return st.builds(lambda f, e: {**e, **f}, fields, free)
        return fields

    def payload(self) -> st.SearchStrategy[dict[str, Any]]:
        """What the model accepts by its schema, with unknown fields beside (they are ignored)."""
        unknown = st.dictionaries(
            extra_keys.filter(lambda k: k not in self.root.get("properties", {})),
            json_values,
            max_size=3,
        )
        return st.builds(lambda f, e: {**e, **f}, self.valid(self.root), unknown)

    # invalid

    def wrong_type(self, schema: Schema) -> st.SearchStrategy[Any]:
        """A value of a JSON type ``schema`` does not admit, shallow or deeply nested."""
        admitted = self.types(schema)
        # "3" is not a number and 1 is not a string (strict models); 3.5 is no integer.
        samples = {
            "string": st.sampled_from(["3", "", "true", "[]", "null"]),
            "integer": st.sampled_from([3, -1, 0]),
            "number": st.just(3.5),
            "boolean": st.booleans(),
            "null": st.none(),
            "array": st.sampled_from([[], [1], nested(100), nested(500)]),
            "object": st.sampled_from([{}, {"a": 1}, {"a": {"b": {"c": {}}}}]),
        }
        return st.one_of([s for kind, s in samples.items() if kind not in admitted])

    def out_of_range(self, schema: Schema) -> st.SearchStrategy[Any] | None:
        """A value of the right type that breaks a bound, an enum or a pattern."""
        schema = self.resolve(schema)
        if "anyOf" in schema:
            options = [self.out_of_range(s) for s in schema["anyOf"] if s.get("type") != "null"]
            # Only when one branch is left: breaking one branch may satisfy another.
            return options[0] if len(options) == 1 else None
        if "enum" in schema:
            values = schema["enum"]
            return st.sampled_from(["", "fax", *(str(v).upper() for v in values)]).filter(
                lambda v: v not in values
            )
        kind = schema.get("type")
        found: list[st.SearchStrategy[Any]] = []
        if kind == "string":
            low, high = schema.get("minLength", 0), schema.get("maxLength")
            if high is not None:
                # Huge strings too, within one socket.io message (256 KB).
                found.append(
                    st.sampled_from([high + 1, 2 * high + 1, 100_000]).map(
                        lambda n: "x" * max(n, high + 1)
                    )
                )
            if low > 0:
                found.append(st.just(""))
            if schema.get("format") == "date-time":
                # Not a date, a date without its time zone, a day that does not exist.
                found.append(
                    st.sampled_from(["yesterday", "2026-12-04T10:00:00", "2026-02-30T10:00:00Z"])
                )
            pattern = schema.get("pattern")
            if pattern is not None:
                found.append(
                    st.sampled_from(
                        ["../etc", "a b", "é", "a\n", "<x>", "A" * 65, "#12345g"]
                    ).filter(lambda s: re.fullmatch(pattern, s) is None)
                )
        elif kind in ("integer", "number"):
            low, high = lower(schema), upper(schema)
            if low is not None:
                found.append(st.just(int(low) - 1) if kind == "integer" else st.just(low - 0.5))
            if high is not None:
                found.append(st.sampled_from([int(high) + 1, 2**63, 2**70]))
        elif kind == "array":
            low, high = schema.get("minItems", 0), schema.get("maxItems")
            if low > 0:
                found.append(st.just([]))
            if high is not None:
                item = self.valid(schema["items"])
                found.append(item.map(lambda x: [x] * (high + 1)))
        if not found:
            return None
        return st.one_of(found)

    def contract(self, schema: Schema, key: str | None) -> list[st.SearchStrategy[Any]]:
        """Values of the right type that the contract refuses."""
        admitted = self.types(schema)
        faults: list[st.SearchStrategy[Any]] = []
        if "string" in admitted and key in URL_FIELDS:
            faults.append(st.sampled_from(["javascript:alert(1)", "data:text/html,x", "file:///"]))
        if "string" in admitted and key in TEXT_FIELDS:
            faults.append(st.sampled_from(CONTROLS).map(lambda c: f"Pat{c}"))
        return faults

    def broken(self, schema: Schema, value: Any, key: str | None = None) -> st.SearchStrategy[Any]:
        """``value`` (valid for ``schema``) with one fault: at this level or further down."""
        schema = self.resolve(schema)
        faults: list[st.SearchStrategy[Any]] = [
            self.wrong_type(schema),
            *self.contract(schema, key),
        ]
        bad_value = self.out_of_range(schema)
        if bad_value is not None:
            faults.append(bad_value)
        if schema.get("type") == "object" and isinstance(value, dict):
            props: dict[str, Schema] = schema.get("properties", {})
            for key in schema.get("required", ()):
                faults.append(st.just({k: v for k, v in value.items() if k != key}))
            for key, sub in props.items():
                if key in value:
                    faults.append(
                        self.broken(sub, value[key], key).map(lambda b, k=key: {**value, k: b})
                    )
        if schema.get("type") == "array" and isinstance(value, list) and value:
            faults.append(self.broken(schema["items"], value[0]).map(lambda b: [b, *value[1:]]))
        if "anyOf" in schema and value is not None:
            # A value of one branch broken inside, where the other branches are only null.
            branches = [s for s in schema["anyOf"] if s.get("type") != "null"]
            if len(branches) == 1 and self.resolve(branches[0]).get("type") == "object":
                inside = self.broken(branches[0], value, key)
                faults.append(inside.filter(lambda x: x is not None))
        return st.one_of(faults)

    def invalid(self) -> st.SearchStrategy[Any]:
        """What the model refuses: not an object, or one fault in an otherwise valid payload."""
        # None is not here: the edge takes a missing payload as {} (an event without one).
        not_object = st.sampled_from([[], [{}], "", "{}", 0, 1.5, True, False, nested(300)])
        faulty = self.valid(self.root).flatmap(lambda v: self.broken(self.root, v))
        return not_object | faulty.filter(lambda x: x is not None)


KEYWORDS = {
    "type",
    "format",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "pattern",
    "enum",
    "anyOf",
    "$ref",
    "minimum",
    "maximum",
    "ge",
    "le",
}


def lower(schema: Schema) -> float | None:
    # pydantic writes Field(ge=...) inside Annotated[float, BeforeValidator, Field] as "ge".
    return schema.get("minimum", schema.get("ge"))


def upper(schema: Schema) -> float | None:
    return schema.get("maximum", schema.get("le"))


def valid(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    return Walk(model).payload()


def invalid(model: type[BaseModel]) -> st.SearchStrategy[Any]:
    return Walk(model).invalid()
