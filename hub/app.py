"""``create_app(config)``: one factory, each resource opened and closed in one place."""

from __future__ import annotations

import dataclasses
import logging
import secrets
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

from aiohttp import web

from hub.actions.context import Hub
from hub.bus import Bus, InProcessBus
from hub.bus.redis_bus import RedisBus
from hub.clock import Clock, SystemClock
from hub.config import Config
from hub.core.routing import Engine
from hub.edges import frames
from hub.edges.headers import console_middleware, metrics_middleware
from hub.edges.http import HUB_KEY, errors_middleware, origin_middleware, setup_routes
from hub.edges.realtime import AgentEdge, CustomerEdge
from hub.live import Live
from hub.metrics import Metrics
from hub.notify import AGENT_NS, CUSTOMER_NS, Notify
from hub.outbox import Outbox
from hub.router import Router
from hub.store.appenders import open_appender
from hub.store.db import create_engine, create_read_engine, migrate, write_gate
from hub.store.files import DiskFiles, default_dir
from hub.store.writer import EventWriter
from hub.wire import packet_codec

log = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 256 * 1024
# How long a stopping web server lets requests under way finish before it cancels them (the
# runner's ``shutdown_timeout``). A websocket never finishes by itself: with aiohttp's default
# a hub with clients connected took 40 s to stop. Cancelled, a client's connection simply
# drops, and it reconnects to the restarted hub; a socket.io disconnect sent from here would
# tell it not to.
SHUTDOWN_TIMEOUT_S = 2.0


def open_bus(config: Config) -> Bus:
    """Redis in cluster mode (DESIGN §10), else this process's own rooms."""
    if not config.cluster:
        return InProcessBus()
    return RedisBus(
        config.redis_url,
        config.redis_channel,
        node_id=config.node_id,
        max_connections=config.redis_max_connections,
        timeout_s=config.redis_timeout_s,
    )


def create_app(config: Config, *, clock: Clock | None = None) -> web.Application:
    """The hub as an aiohttp application. ``clock`` is for tests that move time by hand."""
    app = web.Application(
        middlewares=[errors_middleware, origin_middleware, metrics_middleware, console_middleware],
        client_max_size=MAX_PAYLOAD_BYTES,
        handler_args={"logger": frames.RequestLog()},
    )
    config.check()
    if not config.files_secret:
        # Links to attachments last minutes: one secret per process is enough for one process.
        config = dataclasses.replace(config, files_secret=secrets.token_urlsafe(32))
    bus = open_bus(config)
    sio = frames.Server(
        async_mode="aiohttp",
        client_manager=bus.manager(),
        # Origins are checked per site in the /customer connect handler and per console in
        # /agent: the widget is embedded on the shops' own origins, so engine.io lets all in.
        cors_allowed_origins="*",
        # ... but no cookie or credential ever rides on that: with the default, engine.io
        # answered any Origin with Access-Control-Allow-Credentials: true.
        cors_credentials=False,
        max_http_buffer_size=MAX_PAYLOAD_BYTES,
        ping_interval=20,
        ping_timeout=20,
        json=packet_codec(),
    )
    sio.attach(app)
    metrics = Metrics()
    live = Live(
        Engine(
            offer_timeout=dict(config.offer_timeout_s),  # type: ignore[arg-type]
            max_missed=config.max_missed_offers,
            grace_s=config.agent_grace_s,
        ),
        zone=ZoneInfo(config.timezone),
    )
    db = create_engine(config.database_url)
    gate = write_gate(config.database_url)
    hub = Hub(
        config=config,
        db=db,
        gate=gate,
        reads=create_read_engine(config.database_url, db),
        writer=EventWriter(open_appender(config.database_url), gate),
        live=live,
        notify=Notify(sio, metrics, live, bus),
        metrics=metrics,
        clock=clock or SystemClock(),
        bus=bus,
        files=DiskFiles(config.files_dir or default_dir(config.database_url)),
    )
    router = Router(hub, routing=config.router)
    outbox = Outbox(hub)
    customer_edge = CustomerEdge(CUSTOMER_NS, hub)
    agent_edge = AgentEdge(AGENT_NS, hub)
    sio.register_namespace(customer_edge)
    sio.register_namespace(agent_edge)
    app[HUB_KEY] = hub
    setup_routes(app, demo=config.demo)

    async def lifetime(app: web.Application) -> AsyncIterator[None]:
        await migrate(hub.db)
        await bus.start(sio)
        hub.writer.start()
        await router.start()
        await outbox.start()
        log.info("hub ready on %s", config.database_url.split("@")[-1])
        if config.cluster:
            log.info("cluster node %s, router %s", config.node_id, "on" if config.router else "off")
        yield
        # Inward out: the edges' events finish first, then the router's step, then the
        # writer's queue, and only then the database closes. Nothing is cancelled inside a
        # transaction (that leaves a driver connection with no owner to close it).
        await customer_edge.close()
        await agent_edge.close()
        await router.stop()
        await outbox.stop()
        await hub.writer.stop()
        await bus.close()
        if hub.reads is not hub.db:
            await hub.reads.dispose()
        await hub.db.dispose()

    async def hang_up(app: web.Application) -> None:
        # From here on a socket that closes is the hub going away, not a person leaving.
        customer_edge.shutting_down = agent_edge.shutting_down = True
        await sio.shutdown()

    app.on_shutdown.append(hang_up)
    app.cleanup_ctx.append(lifetime)
    return app
