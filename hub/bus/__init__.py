"""The bus: how events reach sockets held by other processes.

In one process it is direct: socket.io's own in-memory manager. Cluster mode (DESIGN §10) adds
a Redis implementation of the same small interface, and nothing above it changes.
"""

from __future__ import annotations

from typing import Protocol

import socketio


class Bus(Protocol):
    def manager(self) -> socketio.AsyncManager:
        """The socket.io client manager that delivers emits to rooms, wherever they live."""
        ...


class InProcessBus:
    """Everything in this process: rooms are local and emits are direct."""

    def manager(self) -> socketio.AsyncManager:
        return socketio.AsyncManager()
