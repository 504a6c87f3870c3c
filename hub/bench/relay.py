"""A bare python-socketio relay: the floor the hub's chat throughput is compared with.

It does the least a chat server can do: a receiver joins a room named by its ``pair`` (from the
connect auth); a sender emits ``message.send {"pair", "client_id", "text"}``, the relay forwards
it to the room as ``event`` and acks ``{"ok": true, "seq": n}``. No validation, no storage.

Run as ``python -m hub.bench.relay --port P``; ``GET /healthz`` answers once it listens.
"""

from __future__ import annotations

import argparse
from typing import Any

import socketio
from aiohttp import web

from hub.wire import new_event_loop, packet_codec


def create_app() -> web.Application:
    # The hub's own loop and codec (hub.wire), so that the ratio measures the hub's work.
    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*", json=packet_codec())
    app = web.Application()
    sio.attach(app)
    seq = 0

    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        if isinstance(auth, dict) and auth.get("pair"):
            await sio.enter_room(sid, str(auth["pair"]))

    async def message_send(sid: str, data: Any) -> dict[str, Any]:
        nonlocal seq
        seq += 1
        await sio.emit(
            "event", {"seq": seq, "type": "message", "data": data}, room=str(data.get("pair"))
        )
        return {"ok": True, "seq": seq}

    sio.on("connect", connect)
    sio.on("message.send", message_send)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app.router.add_get("/healthz", healthz)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    web.run_app(
        create_app(),
        host=args.host,
        port=args.port,
        print=None,
        access_log=None,
        loop=new_event_loop(),
    )


if __name__ == "__main__":
    main()
