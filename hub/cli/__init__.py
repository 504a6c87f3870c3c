"""The ``hub`` command: serve, demo, sites, agents, reports, bench."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import secrets
import sys
from collections.abc import Sequence
from typing import Any

from hub import __version__
from hub.actions import admin
from hub.config import Config
from hub.core.policy import IDENTITY_MODES
from hub.wire import new_event_loop

DEMO_AGENTS = [
    {"email": "ada@demo.lifeline", "name": "Ada", "password": "demo-ada-pass", "role": "agent"},
    {
        "email": "grace@demo.lifeline",
        "name": "Grace",
        "password": "demo-grace-pass",
        "role": "agent",
    },
    {
        "email": "sam@demo.lifeline",
        "name": "Sam",
        "password": "demo-sam-pass",
        "role": "supervisor",
    },
    {"email": "lin@demo.lifeline", "name": "Lin", "password": "demo-lin-pass", "role": "admin"},
]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hub", description="Lifeline conversation hub")
    p.add_argument("--version", action="version", version=f"hub {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the hub")
    serve.add_argument("--host", default=os.environ.get("HUB_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))

    demo = sub.add_parser("demo", help="seed a demo site and agents, then run the hub")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8080)

    sites = sub.add_parser("sites", help="manage sites").add_subparsers(
        dest="action", required=True
    )
    add_site = sites.add_parser("add", help="add a site")
    add_site.add_argument("key")
    add_site.add_argument("--secret", required=True)
    add_site.add_argument("--name")
    add_site.add_argument("--origins", help="comma-separated origins allowed to embed the widget")
    list_sites = sites.add_parser("list", help="list the sites (never their secrets)")
    list_sites.add_argument("--json", action="store_true", help="print JSON")
    set_site = sites.add_parser("set", help="change a site: only what is given")
    set_site.add_argument("key")
    set_site.add_argument("--name")
    set_site.add_argument(
        "--origins", help='comma-separated origins allowed to embed the widget; "" for any'
    )
    for sp, default in ((add_site, "optional"), (set_site, None)):
        sp.add_argument(
            "--identity",
            choices=IDENTITY_MODES,
            default=default,
            help="who may contact the site unsigned: anyone (optional), for chat only"
            " (anonymous_chat), nobody (required)",
        )
        sp.add_argument(
            "--login-url",
            metavar="URL",
            help="the shop's sign-in page, where the widget sends a shopper who must sign in;"
            ' "" for none',
        )
    for sp in (add_site, set_site):
        sp.add_argument(
            "--canned-responses",
            metavar="FILE",
            help='JSON file: a list of {"title", "text"} the console offers to insert',
        )
        sp.add_argument(
            "--contact-reasons", help="comma-separated reasons an agent picks at wrap-up"
        )
        sp.add_argument(
            "--service-level",
            metavar="CHANNEL=PCT/S,...",
            help="targets, e.g. video=90/15,chat=80/30,callback=80/300 (percent within seconds)",
        )
        sp.add_argument(
            "--channels",
            metavar="CHANNEL,...",
            help="what the widget offers, of chat, video, callback (default: all three)",
        )
        sp.add_argument(
            "--webhook-url",
            metavar="URL",
            help='POST contact and survey events here (docs/webhooks.md); "" to stop',
        )
        sp.add_argument(
            "--webhook-secret",
            metavar="whsec_...",
            help="the signing secret (default: a new one, printed once)",
        )
    webhooks = sites.add_parser("webhooks", help="a site's webhook: its secret, recent deliveries")
    webhooks.add_argument("key")
    webhooks.add_argument("--json", action="store_true", help="print JSON")

    agents = sub.add_parser("agents", help="manage agents").add_subparsers(
        dest="action", required=True
    )
    add_agent = agents.add_parser("add", help="add an agent")
    add_agent.add_argument("email")
    add_agent.add_argument("--name", required=True)
    add_agent.add_argument("--password", required=True)
    add_agent.add_argument("--role", choices=admin.ROLES, default="agent")
    add_agent.add_argument("--skills", default="", help="comma-separated skills")
    add_agent.add_argument(
        "--sites", help="comma-separated keys of the sites the agent serves (default: every site)"
    )
    add_agent.add_argument("--auto-answer", action="store_true", help="accept video offers at once")
    list_agents = agents.add_parser("list", help="list the agents")
    list_agents.add_argument("--json", action="store_true", help="print JSON")
    set_agent = agents.add_parser(
        "set",
        help="change an agent: only what is given",
        description=(
            "Change an agent. A new password, a new role or --disable revokes every token the "
            "agent holds: their consoles are disconnected and they log in again."
        ),
    )
    set_agent.add_argument("email")
    set_agent.add_argument("--name")
    set_agent.add_argument("--role", choices=admin.ROLES)
    set_agent.add_argument("--skills", help='comma-separated skills; "" for none')
    team = set_agent.add_mutually_exclusive_group()
    team.add_argument("--sites", help="comma-separated keys of the sites the agent serves")
    team.add_argument(
        "--all-sites",
        dest="sites",
        action="store_const",
        const=admin.EVERY_SITE,
        help="serve every site, those added later too",
    )
    set_agent.add_argument(
        "--auto-answer",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="accept video offers at once (or not)",
    )
    set_agent.add_argument("--password", help='a new password; "-" reads it from standard input')
    state = set_agent.add_mutually_exclusive_group()
    state.add_argument(
        "--disable",
        dest="disabled",
        action="store_const",
        const=True,
        help="no login, no contacts",
    )
    state.add_argument(
        "--enable", dest="disabled", action="store_const", const=False, help="undo --disable"
    )

    reports = sub.add_parser("reports", help="reports (see docs/reports.md)").add_subparsers(
        dest="action", required=True
    )
    staffing = reports.add_parser(
        "staffing", help="agents needed for a forecast (Erlang C)", description=STAFFING_HELP
    )
    staffing.add_argument("--volume", type=float, required=True, help="contacts in the interval")
    staffing.add_argument("--interval", type=float, default=1800, help="seconds (1800)")
    staffing.add_argument("--aht", type=float, required=True, help="average handle time, s")
    staffing.add_argument(
        "--service-level",
        required=True,
        metavar="PCT/S",
        help="the target, e.g. 80/20: 80 %% answered within 20 s",
    )
    staffing.add_argument("--max-occupancy", type=float, default=85, help="percent (85)")
    staffing.add_argument("--shrinkage", type=float, default=30, help="percent (30)")
    staffing.add_argument("--concurrency", type=int, default=1, help="contacts per agent (1)")
    staffing.add_argument("--json", action="store_true", help="print JSON")
    for name, what in (("summary", "a period's figures"), ("csv", "one CSV row per contact")):
        sp = reports.add_parser(name, help=what)
        sp.add_argument("--site", help="a site key (default: every site)")
        sp.add_argument("--from", dest="start", help="ISO 8601 with a zone (default: 24 h ago)")
        sp.add_argument("--to", dest="end", help="ISO 8601 with a zone (default: now)")
        if name == "summary":
            sp.add_argument("--json", action="store_true", help="print JSON")

    bench = sub.add_parser(
        "bench", help="measure the hub under load (see docs/benchmarks.md)", add_help=False
    )
    bench.add_argument("args", nargs=argparse.REMAINDER)
    return p


STAFFING_HELP = (
    "The fewest agents that answer the target share of contacts within the target time, no "
    "busier than the occupancy cap, and how many to schedule for the shrinkage (docs/reports.md)."
)


def staffing_command(args: argparse.Namespace) -> int:
    from hub import types
    from hub.actions.reports import staffing_answer
    from hub.errors import HubError

    target, slash, threshold = args.service_level.partition("/")
    if not slash:
        print("hub: --service-level is PERCENT/SECONDS, e.g. 80/20", file=sys.stderr)
        return 2
    try:
        query = types.parse(
            types.StaffingQuery,
            {
                "volume": args.volume,
                "interval_s": args.interval,
                "aht_s": args.aht,
                "threshold_s": threshold,
                "target_pct": target,
                "max_occupancy_pct": args.max_occupancy,
                "shrinkage_pct": args.shrinkage,
                "concurrency": args.concurrency,
            },
        )
        answer = staffing_answer(query)
    except HubError as exc:
        print(f"hub: {exc.message}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(answer, indent=2))
        return 0
    for key, label in STAFFING_LABELS:
        value = answer[key]
        shown = "—" if value is None else (f"{value:.3g}" if isinstance(value, float) else value)
        print(f"{label:<28} {shown}")
    return 0


SUMMARY_ROWS = (
    ("offered", "offered"),
    ("handled", "handled"),
    ("abandoned", "abandoned"),
    ("short_abandoned", "short abandons"),
    ("service_level", "service level (%)"),
    ("asa_s", "ASA (s)"),
    ("wait_p90_s", "p90 wait (s)"),
    ("aht_s", "AHT (s)"),
    ("fcr_pct", "FCR (%)"),
    ("ces_avg", "CES (1-7)"),
    ("survey_responses", "survey answers"),
)


async def report_command(config: Config, args: argparse.Namespace) -> int:
    """``hub reports summary|csv``: the REST reports, read from the database directly."""
    import csv
    import time

    from hub import types
    from hub.actions import reports
    from hub.errors import HubError
    from hub.store.db import create_oneshot_engine

    raw = {"site": args.site, "from": args.start, "to": args.end}
    engine = create_oneshot_engine(config.database_url)
    try:
        query = types.parse(types.ReportQuery, {k: v for k, v in raw.items() if v is not None})
        if args.action == "csv":
            writer = csv.writer(sys.stdout, lineterminator="\r\n")
            async for rows in await reports.contacts_csv_of(engine, time.time(), query):
                writer.writerows(rows)
            return 0
        result = await reports.summary_of(engine, time.time(), config.short_abandon_s, query)
    except HubError as exc:
        print(f"hub: {exc.message}", file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['site'] or 'every site'}, {result['from']} to {result['to']}")
    columns = [("all", result["all"]), *result["channels"].items()]
    print(f"{'':<20}" + "".join(f"{name:>10}" for name, _ in columns))
    for key, label in SUMMARY_ROWS:
        cells = []
        for _, figures in columns:
            value = figures[key]
            if key == "service_level":
                value = value["value_pct"]
            cells.append("—" if value is None else f"{value:.4g}")
        print(f"{label:<20}" + "".join(f"{cell:>10}" for cell in cells))
    per_order = result["contacts_per_order"]
    shown = "—" if per_order is None else f"{per_order:.3g}"
    print(f"orders {result['orders']}, contacts per order {shown}")
    for reason in result["top_reasons"]:
        print(f"  {reason['count']:>5}  {reason['reason']}")
    return 0


STAFFING_LABELS = (
    ("traffic_erlangs", "traffic (erlangs)"),
    ("agents", "agents at their desks"),
    ("scheduled", "agents to schedule"),
    ("service_level_pct", "service level (%)"),
    ("p_wait", "probability of waiting"),
    ("asa_s", "average speed of answer (s)"),
    ("occupancy_pct", "occupancy (%)"),
)


def _split(raw: str | None) -> list[str]:
    return [x.strip() for x in (raw or "").split(",") if x.strip()]


def _sites(raw: str | None) -> list[str] | str | None:
    """``--sites a,b`` as keys; ``--all-sites`` as :data:`admin.EVERY_SITE`; None if not given."""
    if raw is None or raw == admin.EVERY_SITE:
        return raw
    return _split(raw)


def serve(config: Config) -> int:
    from aiohttp import web

    from hub.app import SHUTDOWN_TIMEOUT_S, create_app
    from hub.edges.serving import HubRunner

    logging.basicConfig(
        level=os.environ.get("HUB_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    app = create_app(config)
    app.on_startup.append(_settle_gc)  # after the hub's own start-up (cleanup_ctx)
    # aiohttp's run_app, on the hub's runner: SIGINT and SIGTERM end it gracefully.
    runner = HubRunner(
        app, handle_signals=True, shutdown_timeout=SHUTDOWN_TIMEOUT_S, keepalive_timeout=75.0
    )
    loop = new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, config.host, config.port).start())
        loop.run_forever()
    except (web.GracefulExit, KeyboardInterrupt):
        pass
    finally:
        loop.run_until_complete(runner.cleanup())
        left = asyncio.all_tasks(loop)
        for task in left:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
    return 0


async def _settle_gc(_app: object) -> None:
    """Keep full garbage collections short once the hub has started.

    Everything loaded at start (modules, the schema, aiortc) lives as long as the process;
    freezing it takes it out of the collector's way, so a full collection walks only what was
    made since (tens of milliseconds less of pause, seen as chat latency spikes in ``hub bench``).
    """
    gc.collect()
    gc.freeze()


async def seed_demo(database_url: str) -> str:
    """Create the demo site and agents unless they exist; return the site secret."""
    if await admin.site_exists(database_url, "demo"):
        from hub.store import queries
        from hub.store.db import create_oneshot_engine

        engine = create_oneshot_engine(database_url)
        try:
            async with engine.connect() as conn:
                site = await queries.site_by_key(conn, "demo")
                assert site is not None
                return str(site["secret"])
        finally:
            await engine.dispose()
    secret = secrets.token_hex(24)
    await admin.add_site(
        database_url,
        "demo",
        secret,
        name="Lifeline demo shop",
        settings={"channels": ["chat", "callback", "video"]},
    )
    await admin.add_agents(database_url, DEMO_AGENTS)
    return secret


def _site_lists(args: argparse.Namespace) -> dict[str, Any]:
    """The console's lists given on the command line, checked before anything is written."""
    out: dict[str, Any] = {}
    if args.canned_responses is not None:
        try:
            with open(args.canned_responses, encoding="utf-8") as f:
                raw = f.read()
        except OSError as exc:
            raise ValueError(f"cannot read {args.canned_responses}: {exc.strerror}") from None
        out["canned_responses"] = admin.parse_canned_responses(raw)
    if args.contact_reasons is not None:
        out["contact_reasons"] = admin.check_contact_reasons(_split(args.contact_reasons))
    if args.service_level is not None:
        from hub.core.reports import parse_service_levels

        out["service_level"] = parse_service_levels(args.service_level)
    if args.channels is not None:
        out["channels"] = admin.parse_channels(args.channels)
    if args.login_url is not None:
        out["login_url"] = admin.check_login_url(args.login_url)
    return out


def _webhook(config: Config, args: argparse.Namespace) -> dict[str, str] | None:
    """The site's new subscription from --webhook-url/--webhook-secret, checked (``{}``: drop
    it; None: not given). Prints a generated secret: the only time it is shown unasked."""
    if args.webhook_url is None:
        if args.webhook_secret is not None:
            raise ValueError("--webhook-secret goes with --webhook-url")
        return None
    if args.webhook_url == "":
        return {}
    hook = asyncio.run(
        admin.check_webhook(
            args.webhook_url, args.webhook_secret, allow_private=config.webhook_allow_private
        )
    )
    if args.webhook_secret is None:
        print(
            f"webhook secret (keep it; `hub sites webhooks {args.key}` shows it): {hook['secret']}"
        )
    return hook


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Plain columns, as wide as their widest cell."""
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=True)]
    lines = [headers, *rows]
    return "\n".join(
        "  ".join(str(cell).ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def list_sites_command(config: Config, args: argparse.Namespace) -> int:
    sites = asyncio.run(admin.list_sites(config.database_url))
    if args.json:
        print(json.dumps(sites, indent=2))
        return 0
    rows = [
        (s["key"], s["name"], s["identity_mode"], ",".join(s["origins"] or ()) or "any")
        for s in sites
    ]
    print(table(("KEY", "NAME", "IDENTITY", "ORIGINS"), rows))
    return 0


def agents_command(config: Config, args: argparse.Namespace) -> int:
    if args.action == "list":
        agents = asyncio.run(admin.list_agents(config.database_url))
        if args.json:
            print(json.dumps(agents, indent=2))
            return 0
        rows = [
            (
                a["email"],
                a["name"],
                a["role"],
                ",".join(a["skills"]) or "-",
                "all" if a["sites"] is None else ",".join(a["sites"]),
                "yes" if a["auto_answer"] else "no",
                "disabled" if a["disabled"] else "enabled",
            )
            for a in agents
        ]
        print(table(("EMAIL", "NAME", "ROLE", "SKILLS", "SITES", "AUTO-ANSWER", "STATE"), rows))
        return 0
    if args.action == "set":
        password = args.password
        if password == "-":
            password = sys.stdin.readline().rstrip("\r\n")
        changes = {
            "name": args.name,
            "role": args.role,
            "skills": None if args.skills is None else _split(args.skills),
            "sites": _sites(args.sites),
            "auto_answer": args.auto_answer,
            "password": password,
            "disabled": args.disabled,
        }
        if all(v is None for v in changes.values()):
            raise ValueError(
                "nothing to change: give --name, --role, --skills, --sites, --all-sites, "
                "--auto-answer, --password, --disable or --enable"
            )
        done = asyncio.run(admin.update_agent(config.database_url, args.email, **changes))
        revoked = f"; {done['revoked']} session(s) revoked" if done["revoked"] else ""
        print(f"agent {args.email} updated{revoked}")
        return 0
    agent_id = asyncio.run(
        admin.add_agent(
            config.database_url,
            email=args.email,
            name=args.name,
            password=args.password,
            role=args.role,
            skills=_split(args.skills),
            sites=admin.EVERY_SITE if args.sites is None else _sites(args.sites),
            auto_answer=args.auto_answer,
        )
    )
    print(f"agent {args.email} added ({agent_id})")
    return 0


def sites_command(config: Config, args: argparse.Namespace) -> int:
    if args.action == "list":
        return list_sites_command(config, args)
    if args.action == "webhooks":
        return site_webhooks(config, args)
    settings = _site_lists(args)
    hook = _webhook(config, args)
    if hook is not None:
        settings["webhook"] = hook or None
    if args.action == "add":
        site_id = asyncio.run(
            admin.add_site(
                config.database_url,
                args.key,
                args.secret,
                name=args.name,
                origins=_split(args.origins) or None,
                identity_mode=args.identity,
                settings=settings or None,
            )
        )
        print(f"site {args.key} added ({site_id})")
        return 0
    if not settings and args.name is None and args.origins is None and args.identity is None:
        raise ValueError(
            "nothing to change: give --name, --origins, --identity, --login-url, --channels,"
            " --canned-responses,"
            " --contact-reasons, --service-level or --webhook-url"
        )
    asyncio.run(
        admin.update_site(
            config.database_url,
            args.key,
            name=args.name,
            origins=None if args.origins is None else _split(args.origins),
            settings=settings,
            identity_mode=args.identity,
        )
    )
    print(f"site {args.key} updated")
    return 0


def site_webhooks(config: Config, args: argparse.Namespace) -> int:
    report = asyncio.run(admin.webhook_report(config.database_url, args.key))
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    if report["url"] is None:
        print(f"site {args.key} has no webhook (hub sites set {args.key} --webhook-url URL)")
        return 0
    print(f"url     {report['url']}\nsecret  {report['secret']}")
    counts = ", ".join(f"{n} {status}" for status, n in sorted(report["counts"].items()))
    print(f"deliveries: {counts or 'none yet'}")
    for d in report["recent"]:
        answer = d["last_code"] or d["last_error"] or ""
        print(
            f"{d['created_at']}  {d['type']:<17} {d['status']:<9} "
            f"attempts {d['attempts']:<3} {answer}"
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"]:
        # The bench has its own options; argparse's REMAINDER would not pass "--json" through.
        from hub.bench.runner import main as bench_main

        return bench_main(argv[1:])
    args = parser().parse_args(argv)
    config = Config.from_env()
    try:
        if args.command == "serve":
            return serve(Config.from_env(host=args.host, port=args.port))
        if args.command == "demo":
            asyncio.run(seed_demo(config.database_url))
            base = f"http://{args.host}:{args.port}"
            print(
                f"Lifeline demo on {config.database_url}\n"
                f"  shop:     {base}/demo/\n"
                f"  console:  {base}/console/\n"
                + "".join(
                    f"  {a['role']:<10} {a['email']} / {a['password']}\n" for a in DEMO_AGENTS
                ),
                flush=True,
            )
            return serve(Config.from_env(host=args.host, port=args.port, demo=True))
        if args.command == "sites":
            return sites_command(config, args)
        if args.command == "reports":
            if args.action == "staffing":
                return staffing_command(args)
            return asyncio.run(report_command(config, args))
        if args.command == "agents":
            return agents_command(config, args)
    except ValueError as exc:
        print(f"hub: {exc}", file=sys.stderr)
        return 2
    return 2
