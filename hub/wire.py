"""What the hub's processes run on: the event loop and the JSON codec of socket.io packets.

Measured with ``hub bench --scenario chat`` (docs/benchmarks.md, 2026-12-03): uvloop raises
the hub's message throughput by about 13 % and orjson, for encoding and decoding the packets,
by about 10 % more; the latency at 500 msg/s does not move. Both are used when installed
(they are dependencies on the platforms they support) and ``HUB_LOOP=asyncio`` or
``HUB_JSON=stdlib`` turn them off, for a comparison or a platform without them. The bench's
bare relay runs on the same pair, so its ratio still measures the hub's own cost.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from typing import Any


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's loop where it is installed and wanted, else asyncio's own."""
    if os.environ.get("HUB_LOOP", "uvloop") != "asyncio":
        try:
            import uvloop
        except ImportError:
            pass
        else:
            return uvloop.new_event_loop()
    return asyncio.new_event_loop()


class OrjsonCodec:
    """The ``json`` module interface socket.io and engine.io call, with orjson underneath.

    engine.io passes ``separators`` (orjson's output is compact already) and wants ``str``.
    What orjson refuses and the standard library takes (an integer key, a number beyond 64
    bits) is encoded by the standard library, so a packet never fails for the codec's sake;
    likewise for reading.
    """

    def __init__(self) -> None:
        import orjson

        self._dumps: Callable[[Any], bytes] = orjson.dumps
        self._loads: Callable[[str | bytes], Any] = orjson.loads
        self._error: type[Exception] = orjson.JSONEncodeError

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        try:
            return self._dumps(obj).decode()
        except self._error:
            return json.dumps(obj, **kwargs)

    def loads(self, data: str | bytes, **_kwargs: Any) -> Any:
        try:
            return self._loads(data)
        except ValueError:
            # What orjson refuses the standard library may read (``NaN``, ``Infinity``): read
            # alike with either codec, such a payload is then refused with ``invalid`` at the
            # edge (hub.types.parse), and a packet that is not JSON at all fails here as before.
            return json.loads(data)


def packet_codec() -> Any:
    """The codec for ``socketio.AsyncServer(json=...)``: orjson when installed and wanted."""
    if os.environ.get("HUB_JSON", "orjson") != "stdlib":
        try:
            return OrjsonCodec()
        except ImportError:
            pass
    return json
