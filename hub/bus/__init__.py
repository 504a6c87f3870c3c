"""The bus: how events reach sockets held by other processes.

In one process it is direct: socket.io's own in-memory manager. Cluster mode (DESIGN §10) adds
a Redis implementation of the same small interface (:mod:`hub.bus.redis_bus`), and nothing above
it changes.
"""

from __future__ import annotations

from typing import Protocol

import socketio


class Bus(Protocol):
    def manager(self) -> socketio.AsyncManager:
        """The socket.io client manager that delivers emits to rooms, wherever they live."""
        ...

    async def start(self, sio: socketio.AsyncServer) -> None:
        """Begin to hear the other nodes (before the first socket connects)."""
        ...

    async def follow(self, namespace: str, members_of: str, room: str, *, enter: bool) -> None:
        """Every socket in room ``members_of``, on any node, enters (or leaves) ``room``.

        socket.io's managers move only the sockets of their own process by sid: a socket on
        another node is reached through a room it is in already (its customer's, its agent's).
        """
        ...

    async def ping(self) -> bool | None:
        """Whether the other nodes can be reached (None: there are none, nothing to reach)."""
        ...

    async def close(self) -> None:
        """Stop listening and close every connection the bus opened."""
        ...


async def follow_here(
    manager: socketio.AsyncManager, namespace: str, members_of: str, room: str, *, enter: bool
) -> None:
    """``Bus.follow`` for the sockets of this process."""
    for sid, _eio_sid in list(manager.get_participants(namespace, members_of)):
        if enter:
            await manager.enter_room(sid, namespace, room)
        else:
            await manager.leave_room(sid, namespace, room)


class InProcessBus:
    """Everything in this process: rooms are local and emits are direct."""

    def __init__(self) -> None:
        self._manager = socketio.AsyncManager()

    def manager(self) -> socketio.AsyncManager:
        return self._manager

    async def start(self, sio: socketio.AsyncServer) -> None:
        return None

    async def follow(self, namespace: str, members_of: str, room: str, *, enter: bool) -> None:
        await follow_here(self._manager, namespace, members_of, room, enter=enter)

    async def ping(self) -> bool | None:
        return None

    async def close(self) -> None:
        return None
