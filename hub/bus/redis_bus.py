"""The bus in cluster mode: socket.io's Redis manager on one bounded, blocking pool."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import socketio
from redis import asyncio as aioredis
from redis.exceptions import RedisError

from hub.bus import follow_here

# The bus's own pub/sub message beside socket.io's emit, enter_room, leave_room...
FOLLOW = "lifeline.follow"


class _Manager(socketio.AsyncRedisManager):  # type: ignore[misc]
    """socket.io's Redis manager on the bus's client, and one message of ours (FOLLOW).

    The stock manager makes a new client, with a new unbounded pool, at each reconnect and
    leaves the old ones to the garbage collector: here there is one client on one bounded pool,
    and one pub/sub object that reconnects itself, all closed by :meth:`RedisBus.close`.
    """

    def __init__(self, bus: RedisBus, channel: str) -> None:
        super().__init__(url=bus.url, channel=channel)
        self.bus = bus
        self.pubsub: Any = None

    def _redis_connect(self) -> None:
        self.redis = self.bus.redis
        if self.pubsub is None:
            self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        self.connected = True

    async def _listen(self) -> AsyncIterator[Any]:
        async for raw in super()._listen():
            try:
                data = self.json.loads(raw)
            except ValueError:
                continue  # not ours and not socket.io's: dropped at the edge
            if isinstance(data, dict) and data.get("method") == FOLLOW:
                if data.get("host_id") != self.host_id:
                    await self._follow(data)
                continue
            yield data

    async def _follow(self, data: dict[str, Any]) -> None:
        namespace, members_of, room = (data.get(k) for k in ("namespace", "members_of", "room"))
        if isinstance(namespace, str) and isinstance(members_of, str) and isinstance(room, str):
            await follow_here(self, namespace, members_of, room, enter=bool(data.get("enter")))

    async def publish_follow(self, namespace: str, members_of: str, room: str, enter: bool) -> None:
        await self._publish(
            {
                "method": FOLLOW,
                "namespace": namespace,
                "members_of": members_of,
                "room": room,
                "enter": enter,
                "host_id": self.host_id,
            }
        )


def client_name(node_id: str) -> str:
    """The name of the node's Redis connections: no spaces, as CLIENT SETNAME wants."""
    return "lifeline:" + "".join(c if c.isprintable() and not c.isspace() else "_" for c in node_id)


class RedisBus:
    """Events across the nodes of a cluster through Redis pub/sub (DESIGN §10)."""

    def __init__(
        self, url: str, channel: str, *, node_id: str, max_connections: int, timeout_s: float
    ) -> None:
        self.url = url
        self.timeout_s = timeout_s
        # Bounded and blocking: past max_connections a caller waits (up to the timeout) for a
        # connection to come back instead of failing, as redis-py's default pool does past 100.
        self.pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            # Named, so that an operator (and a test) sees in CLIENT LIST whose they are.
            client_name=client_name(node_id),
        )
        self.redis = aioredis.Redis(connection_pool=self.pool)
        self._manager = _Manager(self, channel)

    def manager(self) -> socketio.AsyncManager:
        return self._manager

    async def start(self, sio: socketio.AsyncServer) -> None:
        # socket.io starts the listener at the first connection; here it starts with the app,
        # so that the task is owned and cancelled by close().
        if not sio.manager_initialized:
            sio.manager_initialized = True
            self._manager.initialize()

    async def follow(self, namespace: str, members_of: str, room: str, *, enter: bool) -> None:
        await follow_here(self._manager, namespace, members_of, room, enter=enter)
        await self._manager.publish_follow(namespace, members_of, room, enter)

    async def ping(self) -> bool:
        try:
            async with asyncio.timeout(self.timeout_s):
                return bool(await self.redis.ping())
        except (RedisError, OSError, TimeoutError):
            return False

    async def close(self) -> None:
        task = getattr(self._manager, "thread", None)
        if isinstance(task, asyncio.Future):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        pubsub = self._manager.pubsub
        if pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await pubsub.aclose()
        await self.redis.aclose()
        await self.pool.aclose()
