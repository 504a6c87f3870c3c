"""The packet codec (hub.wire): what orjson writes reads back as the standard library's would."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.wire import OrjsonCodec, new_event_loop, packet_codec

codec = OrjsonCodec()

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


@given(json_values)
def test_what_orjson_writes_reads_back_as_the_standard_librarys(value: object) -> None:
    encoded = codec.dumps(value, separators=(",", ":"))
    assert isinstance(encoded, str)
    assert json.loads(encoded) == value
    assert codec.loads(encoded) == json.loads(json.dumps(value))


def test_what_orjson_refuses_the_standard_library_writes() -> None:
    # An integer key and a number beyond 64 bits: orjson raises, the packet must not fail.
    assert json.loads(codec.dumps({1: "a"})) == {"1": "a"}
    assert json.loads(codec.dumps([2**70])) == [2**70]


def test_a_bad_packet_is_refused_as_by_the_standard_library() -> None:
    with pytest.raises(ValueError):
        codec.loads('{"a": ')


def test_the_standard_pair_can_be_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_JSON", "stdlib")
    assert packet_codec() is json
    monkeypatch.setenv("HUB_LOOP", "asyncio")
    loop = new_event_loop()
    try:
        assert type(loop).__module__.startswith("asyncio")
    finally:
        loop.close()
    monkeypatch.delenv("HUB_LOOP")
    loop = new_event_loop()
    try:
        assert type(loop).__module__.startswith("uvloop")
    finally:
        loop.close()
