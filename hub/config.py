"""Configuration from environment variables, read once at start."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hub.core import turn

DEFAULT_DATABASE_URL = "sqlite:///hub.db"


def default_node_id() -> str:
    """This process among the cluster's nodes when HUB_NODE_ID does not name it."""
    return f"{socket.gethostname()}-{os.getpid()}"


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a number, not {raw!r}") from None


def _bool(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise SystemExit(f"{name} must be true or false, not {raw!r}")


def _switch(env: Mapping[str, str], name: str) -> bool:
    """On unless it says off (HUB_ROUTER=off); on and off or true and false."""
    raw = env.get(name, "").strip().lower()
    if raw in ("", "on", "1", "true", "yes"):
        return True
    if raw in ("off", "0", "false", "no"):
        return False
    raise SystemExit(f"{name} must be on or off, not {raw!r}")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    return int(_float(env, name, default))


def _turn(env: Mapping[str, str]) -> dict[str, Any]:
    secret = env.get("HUB_TURN_SECRET", "")
    urls = tuple(u.strip() for u in env.get("HUB_TURN_URLS", "").split(",") if u.strip())
    ttl = _int(env, "HUB_TURN_TTL", 12 * 3600)
    if not urls:
        if secret:
            raise SystemExit("HUB_TURN_SECRET is set but HUB_TURN_URLS is empty: give both")
        return {}
    try:
        turn.check_urls(urls)
    except ValueError as exc:
        raise SystemExit(f"HUB_TURN_URLS: {exc}") from None
    if not secret.strip():
        raise SystemExit("HUB_TURN_URLS is set but HUB_TURN_SECRET is empty: give both")
    if ttl <= 0:
        raise SystemExit(f"HUB_TURN_TTL must be a positive number of seconds, not {ttl}")
    return {"turn_secret": secret, "turn_urls": urls, "turn_ttl_s": ttl}


@dataclass(frozen=True)
class Config:
    """Everything the hub can be told; see the README's Configuration table."""

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8080
    # Origins allowed for the agent console and REST when a browser sends an Origin; empty means
    # same-origin only (the console is served by the hub itself).
    console_origins: tuple[str, ...] = ()
    offer_timeout_s: Mapping[str, float] = field(
        default_factory=lambda: {"chat": 8.0, "video": 8.0, "callback": 20.0}
    )
    max_missed_offers: int = 2
    sticky_window_s: float = 20.0
    agent_grace_s: float = 30.0
    callback_retry_delay_s: float = 300.0
    callback_max_attempts: int = 3
    token_ttl_s: float = 12 * 3600.0
    # How often the hub looks in the store for tokens revoked by another process (the CLI's
    # `hub agents set --disable/--password`) and drops their sockets.
    session_check_s: float = 5.0
    # Login throttle (DESIGN §11), kept in this process's memory: after this many failures in
    # the window, an account or a client address is answered 429 until the window moves on.
    login_account_limit: int = 5
    login_address_limit: int = 20
    login_window_s: float = 15 * 60.0
    # How many argon2 checks run at once, each in a thread off the event loop: a burst of
    # logins waits its turn instead of freezing every chat (each check takes ~170 ms of CPU).
    # Half the cores by default, so that the loop always has one.
    login_concurrency: int = max(1, (os.cpu_count() or 2) // 2)
    # Take the client address from the last X-Forwarded-For entry (behind a reverse proxy that
    # sets it); otherwise every login behind the proxy would share the proxy's address.
    trust_forwarded: bool = False
    ice_servers: tuple[Mapping[str, Any], ...] = ()
    # coturn's static-auth-secret: with TURN URLs, every rtc.config carries credentials minted
    # for its contact that expire after turn_ttl_s. Kept out of repr so it never reaches a log.
    turn_secret: str = field(default="", repr=False)
    turn_urls: tuple[str, ...] = ()
    turn_ttl_s: int = 12 * 3600
    # When set, GET /metrics wants Authorization: Bearer <it>. Kept out of repr like the TURN one.
    metrics_token: str = field(default="", repr=False)
    max_message_chars: int = 4000
    rate_limit_per_s: float = 20.0
    rate_limit_burst: int = 40
    # The live laser pointer (laser.move) has a budget of its own per agent, beside the one
    # above: a console sends about one a frame while the laser is down, and no faster than
    # this may reach a shopper.
    laser_rate_per_s: float = 60.0
    # A chunked cobrowse batch (a full snapshot of a large page) may hold this many bytes of
    # JSON; the hub keeps at most one batch being assembled per video contact.
    cobrowse_max_bytes: int = 8 * 1024 * 1024
    # Customer sockets one client address may hold at once (0: no cap). Shoppers behind one
    # NAT share an address, so it is generous; it stops one host opening thousands.
    max_connections_per_address: int = 100
    # After the contact (DESIGN §9): an andon is raised when this many different customers end
    # contacts of one site with the same reason and product within the window.
    andon_threshold: int = 2
    andon_window_s: float = 7 * 86400.0
    # A waiting chat or video contact whose customer has had no socket for this long ends.
    abandon_after_s: float = 60.0
    # Reports: an abandon after less than this is "short" and leaves the service level out.
    short_abandon_s: float = 5.0
    # Webhooks (DESIGN §13): how long a receiver has to answer, and whether deliveries may go
    # to private and loopback addresses (tests and local development only).
    webhook_timeout_s: float = 10.0
    webhook_allow_private: bool = False
    # The time zone whose midnight starts an agent's day for the time in each status
    # (an IANA name such as Europe/Paris).
    timezone: str = "UTC"
    demo: bool = False
    # The built web files (widget.js, console/, demo/) to serve instead of those in the package,
    # e.g. a build of one's own; empty means the package's hub/static.
    static_dir: str = ""
    # Cluster mode (DESIGN §10, docs/cluster.md): with a Redis URL, events reach sockets held
    # by the other nodes. Kept out of repr: the URL may carry a password.
    redis_url: str = field(default="", repr=False)
    # The pub/sub channel the nodes of one cluster share (two clusters on one Redis differ).
    redis_channel: str = "lifeline"
    # The bounded, blocking pool of connections to Redis: past the bound a caller waits up to
    # the timeout for one instead of opening more (redis-py's default pool fails past 100).
    redis_max_connections: int = 20
    redis_timeout_s: float = 5.0
    node_id: str = field(default_factory=default_node_id)
    # Whether this node runs the routing engine. Until the router lease exists exactly one
    # node of a cluster may run it; the others say HUB_ROUTER=off.
    router: bool = True

    # Attachments: where their bytes are kept (empty: a ``files`` folder beside the SQLite
    # database, else ./files), the largest taken, how many one customer or agent may send a
    # minute, and the secret that signs their links (empty: one made at start, so links do
    # not outlive the process; set it when several processes serve the same files).
    files_dir: str = ""
    files_max_bytes: int = 10 * 1024 * 1024
    files_per_minute: int = 10
    files_secret: str = field(default="", repr=False)

    @property
    def cluster(self) -> bool:
        return bool(self.redis_url)

    def check(self) -> None:
        """Refuse what cannot run, with a message for the operator (raises SystemExit)."""
        if self.redis_url and self.database_url.startswith("sqlite"):
            raise SystemExit(
                "HUB_REDIS_URL turns on cluster mode, which needs a PostgreSQL HUB_DATABASE_URL: "
                "SQLite is one file on one machine, and every node must share the database"
            )
        if self.redis_url and not self.redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise SystemExit("HUB_REDIS_URL must be a redis://, rediss:// or unix:// URL")
        if self.redis_max_connections < 2 or self.redis_timeout_s <= 0:
            raise SystemExit(
                "HUB_REDIS_MAX_CONNECTIONS must be at least 2 and HUB_REDIS_TIMEOUT positive"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        env = os.environ if env is None else env
        ice_raw = env.get("HUB_ICE_SERVERS", "")
        try:
            ice = tuple(json.loads(ice_raw)) if ice_raw else ()
        except json.JSONDecodeError as exc:
            raise SystemExit(f"HUB_ICE_SERVERS must be a JSON list: {exc}") from None
        values: dict[str, Any] = {
            "database_url": env.get("HUB_DATABASE_URL") or DEFAULT_DATABASE_URL,
            "console_origins": tuple(
                o.strip() for o in env.get("HUB_CONSOLE_ORIGINS", "").split(",") if o.strip()
            ),
            "offer_timeout_s": {
                "chat": _float(env, "HUB_OFFER_TIMEOUT_CHAT", 8.0),
                "video": _float(env, "HUB_OFFER_TIMEOUT_VIDEO", 8.0),
                "callback": _float(env, "HUB_OFFER_TIMEOUT_CALLBACK", 20.0),
            },
            "max_missed_offers": _int(env, "HUB_MAX_MISSED_OFFERS", 2),
            "sticky_window_s": _float(env, "HUB_STICKY_WINDOW", 20.0),
            "agent_grace_s": _float(env, "HUB_AGENT_GRACE", 30.0),
            "callback_retry_delay_s": _float(env, "HUB_CALLBACK_RETRY_DELAY", 300.0),
            "callback_max_attempts": _int(env, "HUB_CALLBACK_MAX_ATTEMPTS", 3),
            "token_ttl_s": _float(env, "HUB_TOKEN_TTL", 12 * 3600.0),
            "session_check_s": _float(env, "HUB_SESSION_CHECK", 5.0),
            "login_account_limit": _int(env, "HUB_LOGIN_ACCOUNT_LIMIT", 5),
            "login_address_limit": _int(env, "HUB_LOGIN_ADDRESS_LIMIT", 20),
            "login_window_s": _float(env, "HUB_LOGIN_WINDOW", 15 * 60.0),
            "login_concurrency": _int(
                env, "HUB_LOGIN_CONCURRENCY", max(1, (os.cpu_count() or 2) // 2)
            ),
            "trust_forwarded": env.get("HUB_TRUST_FORWARDED", "").lower() in ("1", "true", "yes"),
            "ice_servers": ice,
            **_turn(env),
            "metrics_token": env.get("HUB_METRICS_TOKEN", "").strip(),
            "rate_limit_per_s": _float(env, "HUB_RATE_LIMIT", 20.0),
            "rate_limit_burst": _int(env, "HUB_RATE_BURST", 40),
            "laser_rate_per_s": _float(env, "HUB_LASER_RATE", 60.0),
            "cobrowse_max_bytes": _int(env, "HUB_COBROWSE_MAX_BYTES", 8 * 1024 * 1024),
            "max_connections_per_address": _int(env, "HUB_MAX_CONNECTIONS_PER_ADDRESS", 100),
            "andon_threshold": _int(env, "HUB_ANDON_THRESHOLD", 2),
            "andon_window_s": _float(env, "HUB_ANDON_WINDOW_DAYS", 7.0) * 86400.0,
            "abandon_after_s": _float(env, "HUB_ABANDON_AFTER", 60.0),
            "short_abandon_s": _float(env, "HUB_SHORT_ABANDON_S", 5.0),
            "webhook_timeout_s": _float(env, "HUB_WEBHOOK_TIMEOUT_S", 10.0),
            "webhook_allow_private": _bool(env, "HUB_WEBHOOK_ALLOW_PRIVATE"),
            "static_dir": env.get("HUB_STATIC_DIR", "").strip(),
            "timezone": env.get("HUB_TIMEZONE", "").strip() or "UTC",
            "redis_url": env.get("HUB_REDIS_URL", "").strip(),
            "redis_channel": env.get("HUB_REDIS_CHANNEL", "").strip() or "lifeline",
            "redis_max_connections": _int(env, "HUB_REDIS_MAX_CONNECTIONS", 20),
            "redis_timeout_s": _float(env, "HUB_REDIS_TIMEOUT", 5.0),
            "node_id": env.get("HUB_NODE_ID", "").strip()[:100] or default_node_id(),
            "router": _switch(env, "HUB_ROUTER"),
            "files_dir": env.get("HUB_FILES_DIR", "").strip(),
            "files_max_bytes": _int(env, "HUB_FILES_MAX_BYTES", 10 * 1024 * 1024),
            "files_per_minute": _int(env, "HUB_FILES_PER_MINUTE", 10),
            "files_secret": env.get("HUB_FILES_SECRET", "").strip(),
        }
        values.update(overrides)
        try:
            ZoneInfo(values["timezone"])
        except (ValueError, ZoneInfoNotFoundError):
            raise SystemExit(
                f"HUB_TIMEZONE is not a known time zone: {values['timezone']}"
            ) from None
        if values["webhook_timeout_s"] <= 0:
            raise SystemExit("HUB_WEBHOOK_TIMEOUT_S must be a positive number of seconds")
        if values["andon_threshold"] < 1:
            raise SystemExit("HUB_ANDON_THRESHOLD must be at least 1")
        if values["andon_window_s"] <= 0 or values["abandon_after_s"] <= 0:
            raise SystemExit("HUB_ANDON_WINDOW_DAYS and HUB_ABANDON_AFTER must be positive")
        if min(values["login_account_limit"], values["login_address_limit"]) < 1:
            raise SystemExit("HUB_LOGIN_ACCOUNT_LIMIT and HUB_LOGIN_ADDRESS_LIMIT must be >= 1")
        if values["login_concurrency"] < 1:
            raise SystemExit("HUB_LOGIN_CONCURRENCY must be at least 1")
        if values["laser_rate_per_s"] <= 0:
            raise SystemExit("HUB_LASER_RATE must be a positive number a second")
        if values["cobrowse_max_bytes"] < 200 * 1024:
            raise SystemExit("HUB_COBROWSE_MAX_BYTES must be at least 204800 (one batch)")
        if values["login_window_s"] <= 0 or values["session_check_s"] <= 0:
            raise SystemExit("HUB_LOGIN_WINDOW and HUB_SESSION_CHECK must be positive")
        if values["static_dir"] and not os.path.isdir(values["static_dir"]):
            raise SystemExit(f"HUB_STATIC_DIR must be a folder, not {values['static_dir']!r}")
        if values["files_max_bytes"] < 1 or values["files_per_minute"] < 1:
            raise SystemExit("HUB_FILES_MAX_BYTES and HUB_FILES_PER_MINUTE must be at least 1")
        config = cls(**values)
        config.check()
        return config
